//! Which deviations, CAPAs or deliveries a list shows: all the caller may see, or those behind one point of a
//! partnership's KPI — one CMO's records of a period, at a site, of a product.

use crate::ids::{OrgId, ProductId, SiteId};
use serde::{Deserialize, Serialize};

/// Narrows a list of quality records to a KPI point. The period is of the date the KPI counts by: a deviation's
/// opening (or, with `closed`, its closure), a CAPA's due date, a delivery's promised date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RecordQuery {
    /// Only records of partnerships with this CMO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmo: Option<OrgId>,
    /// Only records of this period: "2026-07" or "2026-Q3".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Deviations: count by the closure rather than the opening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<bool>,
    /// Only this site (records without one, such as deliveries, then match none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteId>,
    /// Only this product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductId>,
}
