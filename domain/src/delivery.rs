//! Deliveries from the CMO to the sponsor: promised against actual, for on-time-in-full.

use crate::batch::ProductRef;
use crate::decimal::Decimal;
use crate::error::ApiError;
use crate::ids::{DeliveryId, ProductId};
use crate::org::OrgRef;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A delivery as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryInput {
    /// The sponsor's product.
    pub product: ProductId,
    /// The order or call-off it fulfils.
    pub reference: String,
    /// Promised date.
    pub promised_on: NaiveDate,
    /// Promised quantity.
    pub promised_quantity: Decimal,
    /// Unit of both quantities, e.g. "kg" or "packs".
    pub unit: String,
    /// Actual date, once delivered.
    #[serde(default)]
    pub delivered_on: Option<NaiveDate>,
    /// Actual quantity, once delivered.
    #[serde(default)]
    pub delivered_quantity: Option<Decimal>,
}

impl DeliveryInput {
    /// Checks quantities and that date and quantity of delivery come together.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.reference.trim().is_empty() {
            return Err(ApiError::invalid("reference", "Enter the order reference."));
        }
        if self.promised_quantity.is_negative() || self.promised_quantity.is_zero() {
            return Err(ApiError::invalid("promised_quantity", "The promised quantity must be above zero."));
        }
        if self.unit.trim().is_empty() {
            return Err(ApiError::invalid("unit", "Enter the unit, e.g. kg."));
        }
        match (self.delivered_on, self.delivered_quantity) {
            (Some(_), None) => Err(ApiError::invalid("delivered_quantity", "Enter the quantity delivered.")),
            (None, Some(_)) => Err(ApiError::invalid("delivered_on", "Enter the date delivered.")),
            (_, Some(q)) if q.is_negative() => {
                Err(ApiError::invalid("delivered_quantity", "The quantity delivered cannot be negative."))
            }
            _ => Ok(()),
        }
    }

    /// Delivered by the promised date and at least the promised quantity; `None` until delivered.
    pub fn on_time_in_full(&self) -> Option<bool> {
        let (on, quantity) = (self.delivered_on?, self.delivered_quantity?);
        Some(on <= self.promised_on && quantity >= self.promised_quantity)
    }
}

/// A delivery as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryView {
    /// Its id.
    pub id: DeliveryId,
    /// As recorded.
    pub input: DeliveryInput,
    /// The product.
    pub product: ProductRef,
    /// The CMO, whose record it is.
    pub cmo: OrgRef,
    /// The sponsor.
    pub sponsor: OrgRef,
    /// On time and in full, once delivered.
    pub on_time_in_full: Option<bool>,
    /// Version, for optimistic concurrency.
    pub row_version: i64,
    /// What the caller may do with it.
    pub actions: Vec<crate::access::Action>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn delivery(on: Option<u32>, quantity: Option<&str>) -> DeliveryInput {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
        DeliveryInput {
            product: ProductId(Uuid::from_u128(1)),
            reference: "PO-1".into(),
            promised_on: day(10),
            promised_quantity: Decimal::parse("100.0").expect("decimal"),
            unit: "kg".into(),
            delivered_on: on.map(day),
            delivered_quantity: quantity.map(|q| Decimal::parse(q).expect("decimal")),
        }
    }

    #[test]
    fn on_time_in_full_needs_both() {
        assert_eq!(delivery(None, None).on_time_in_full(), None);
        assert_eq!(delivery(Some(10), Some("100")).on_time_in_full(), Some(true), "on the day, exactly in full");
        assert_eq!(delivery(Some(11), Some("120")).on_time_in_full(), Some(false), "late");
        assert_eq!(delivery(Some(9), Some("99.9")).on_time_in_full(), Some(false), "short");
        assert!(delivery(Some(9), None).validate().is_err());
        assert!(delivery(None, Some("1")).validate().is_err());
    }
}
