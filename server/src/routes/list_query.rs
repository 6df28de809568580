//! A list's narrowing to one point of a KPI, read from its query string: the period checked and turned into its
//! first and last month.

use crate::error::AppError;
use crate::store::narrowing::Narrowing;
use baton_domain::error::ApiError;
use baton_domain::ids::{OrgId, ProductId, SiteId};
use baton_domain::kpi::{Period, PeriodError};

/// The narrowing a list's query asks for; 422 on field `period` when it is not a month or a quarter.
pub fn narrowing(
    cmo: Option<OrgId>,
    period: Option<&str>,
    site: Option<SiteId>,
    product: Option<ProductId>,
) -> Result<Narrowing, AppError> {
    let months = match period {
        None => None,
        Some(text) => {
            let period: Period = text.parse().map_err(|e: PeriodError| {
                AppError::from(ApiError::invalid(
                    "period",
                    format!("{e} Write a month (2026-07) or a quarter (2026-Q3)."),
                ))
            })?;
            Some((period.start().to_string(), period.end().to_string()))
        }
    };
    Ok(Narrowing { cmo, months, site, product })
}
