//! Deliveries: the CMO's records of what it promised a sponsor and delivered, outside any transfer (commercial
//! supply, of class commercial data), so reached by the sponsor only through an agreement on all transfers that the
//! CMO grants.

use super::partner_data;
use crate::kernel::Record;
use crate::store;
use baton_domain::access::Resource;
use baton_domain::agreement::DataClass;
use baton_domain::delivery::DeliveryView;
use baton_domain::ids::DeliveryId;
use baton_domain::record::RecordType;
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// A delivery as its page shows it (actions left empty).
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The view.
    pub view: DeliveryView,
}

impl Record for Delivery {
    const TYPE: RecordType = RecordType::Delivery;
    const BAD_ID: &'static str = "That is not a valid delivery id (a UUID).";
    const NOT_FOUND: &'static str = "There is no delivery with this id.";
    type Id = DeliveryId;

    async fn load(conn: &mut AnyConnection, id: DeliveryId, now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        Ok(store::deliveries::get(conn, id, now.date_naive()).await?.map(|view| Delivery { view }))
    }

    fn id(&self) -> DeliveryId {
        self.view.id
    }

    fn resource(&self) -> Resource<'_> {
        let v = &self.view;
        partner_data(None, v.cmo.id, (v.sponsor.id, v.cmo.id), (v.product.id, &v.product.name), DataClass::Commercial)
    }

    fn row_version(&self) -> Option<i64> {
        Some(self.view.row_version)
    }
}
