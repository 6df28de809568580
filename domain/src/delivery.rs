//! Deliveries from the CMO to the sponsor: promised against actual, for on-time-in-full.

use crate::batch::ProductRef;
use crate::decimal::Decimal;
use crate::error::ApiError;
use crate::ids::{DeliveryId, ProductId};
use crate::org::OrgRef;
use crate::stored_enum::stored_enum;
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
        if self.reference.chars().count() > MAX_REFERENCE_LEN {
            return Err(ApiError::invalid(
                "reference",
                format!("Keep the order reference to {MAX_REFERENCE_LEN} characters."),
            ));
        }
        if self.promised_quantity.is_negative() || self.promised_quantity.is_zero() {
            return Err(ApiError::invalid("promised_quantity", "The promised quantity must be above zero."));
        }
        if self.unit.trim().is_empty() {
            return Err(ApiError::invalid("unit", "Enter the unit, e.g. kg."));
        }
        if self.unit.chars().count() > 20 {
            return Err(ApiError::invalid("unit", "Keep the unit to 20 characters."));
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

    /// How it stands on `today`.
    pub fn outcome(&self, today: NaiveDate) -> DeliveryOutcome {
        match (self.delivered_on, self.delivered_quantity) {
            (Some(on), Some(quantity)) => match (on > self.promised_on, quantity < self.promised_quantity) {
                (false, false) => DeliveryOutcome::OnTimeInFull,
                (true, false) => DeliveryOutcome::Late,
                (false, true) => DeliveryOutcome::Short,
                (true, true) => DeliveryOutcome::LateAndShort,
            },
            _ if today > self.promised_on => DeliveryOutcome::Overdue,
            _ => DeliveryOutcome::Open,
        }
    }
}

/// Longest order reference accepted.
pub const MAX_REFERENCE_LEN: usize = 80;

stored_enum!(
    /// How a delivery stands against its promise.
    DeliveryOutcome {
        /// Not delivered, not yet due.
        Open = "open", "Open";
        /// Not delivered, and the promised date has passed.
        Overdue = "overdue", "Overdue";
        /// Delivered by the promised date and at least the promised quantity.
        OnTimeInFull = "on_time_in_full", "On time, in full";
        /// Delivered in full after the promised date.
        Late = "late", "Late";
        /// Delivered on time, less than promised.
        Short = "short", "Short";
        /// Delivered late and short.
        LateAndShort = "late_and_short", "Late and short";
    }
);

impl DeliveryOutcome {
    /// Whether it counts against on-time-in-full.
    pub fn is_failure(self) -> bool {
        !matches!(self, DeliveryOutcome::Open | DeliveryOutcome::OnTimeInFull)
    }
}

/// A change to a delivery, on the version shown; once a delivery is recorded as delivered, with a reason (the
/// on-time-in-full KPI is computed from it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryChange {
    /// The delivery as it should now read.
    pub delivery: DeliveryInput,
    /// The version shown.
    pub row_version: i64,
    /// Why, once it was delivered.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The deliveries the caller may see, newest promise first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryList {
    /// The deliveries.
    pub items: Vec<DeliveryView>,
    /// True when more matched than were returned.
    pub truncated: bool,
    /// Whether the caller may record deliveries (a CMO's people).
    pub may_record: bool,
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
    /// How it stands today.
    pub outcome: DeliveryOutcome,
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

    #[test]
    fn outcome_names_what_went_wrong() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
        assert_eq!(delivery(None, None).outcome(day(10)), DeliveryOutcome::Open, "due today is not overdue");
        assert_eq!(delivery(None, None).outcome(day(11)), DeliveryOutcome::Overdue);
        assert_eq!(delivery(Some(10), Some("100")).outcome(day(20)), DeliveryOutcome::OnTimeInFull);
        assert_eq!(delivery(Some(12), Some("100")).outcome(day(20)), DeliveryOutcome::Late);
        assert_eq!(delivery(Some(8), Some("99")).outcome(day(20)), DeliveryOutcome::Short);
        assert_eq!(delivery(Some(12), Some("99")).outcome(day(20)), DeliveryOutcome::LateAndShort);
        for (on, quantity) in [(Some(10), Some("100")), (Some(12), Some("120")), (Some(8), Some("99"))] {
            let d = delivery(on, quantity);
            assert_eq!(d.outcome(day(20)).is_failure(), d.on_time_in_full() == Some(false));
        }
    }

    #[test]
    fn references_and_units_are_bounded() {
        let mut d = delivery(None, None);
        d.reference = "P".repeat(MAX_REFERENCE_LEN + 1);
        assert_eq!(d.validate().expect_err("too long").field.as_deref(), Some("reference"));
        let mut d = delivery(None, None);
        d.unit = String::new();
        assert_eq!(d.validate().expect_err("no unit").field.as_deref(), Some("unit"));
        let mut d = delivery(None, None);
        d.promised_quantity = Decimal::parse("0").expect("decimal");
        assert_eq!(d.validate().expect_err("zero").field.as_deref(), Some("promised_quantity"));
    }
}
