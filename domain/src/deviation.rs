//! Deviations: an unplanned departure from an approved process or procedure, raised from a batch, a transfer or on
//! its own, classified, investigated to a root cause and closed by QA's signature. Its due date follows from its
//! class; whether it closed in time is computed, never typed.

use crate::batch::{ProductRef, TransferRef};
use crate::error::ApiError;
use crate::ids::{BatchId, CapaId, DeviationId, ProductId, SiteId, TransferId};
use crate::org::{OrgRef, SiteRef};
use crate::signature::Signature;
use crate::stored_enum::stored_enum;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest title accepted.
pub const MAX_TITLE_LEN: usize = 160;
/// Prefix of deviation numbers: "DEV-2026-00007".
pub const NUMBER_PREFIX: &str = "DEV";

stored_enum!(
    /// How much a deviation could affect the product.
    Classification {
        /// No impact on quality expected.
        Minor = "minor", "Minor";
        /// Could affect quality; investigation needed.
        Major = "major", "Major";
        /// Likely to affect patient safety or product quality.
        Critical = "critical", "Critical";
    }
);

impl Classification {
    /// Days from opening to the due date of closure: the more serious, the sooner.
    pub fn days_to_close(self) -> u64 {
        match self {
            Classification::Minor => 45,
            Classification::Major => 30,
            Classification::Critical => 15,
        }
    }

    /// When a deviation of this class opened on `opened` is due to be closed.
    pub fn due_on(self, opened: NaiveDate) -> NaiveDate {
        opened.checked_add_days(Days::new(self.days_to_close())).unwrap_or(NaiveDate::MAX)
    }
}

stored_enum!(
    /// Where a deviation stands.
    DeviationStatus {
        /// Reported, not yet investigated.
        Open = "open", "Open";
        /// Being investigated.
        Investigation = "investigation", "Under investigation";
        /// Closed by QA.
        Closed = "closed", "Closed";
    }
);

stored_enum!(
    /// The category of a deviation's root cause.
    RootCause {
        /// Equipment or facility.
        Equipment = "equipment", "Equipment";
        /// Raw or packaging materials.
        Materials = "materials", "Materials";
        /// The process or analytical method.
        Method = "method", "Method or process";
        /// People: training, error.
        Personnel = "personnel", "Personnel";
        /// Environment or utilities.
        Environment = "environment", "Environment";
        /// Documentation.
        Documentation = "documentation", "Documentation";
        /// Investigated, no root cause found.
        NotDetermined = "not_determined", "Not determined";
    }
);

/// A deviation as reported (quickly, on a tablet if need be).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationInput {
    /// What happened, in a line.
    pub title: String,
    /// What happened, in full.
    #[serde(default)]
    pub description: String,
    /// Where: room, line, equipment.
    #[serde(default)]
    pub location: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Minor, major or critical.
    pub classification: Classification,
    /// The site.
    pub site: SiteId,
    /// The product concerned.
    pub product: ProductId,
    /// The batch it was found on, if any.
    #[serde(default)]
    pub batch: Option<BatchId>,
    /// The transfer it concerns, if any.
    #[serde(default)]
    pub transfer: Option<TransferId>,
}

impl DeviationInput {
    /// Checks the title and that it did not happen in the future.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), ApiError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(ApiError::invalid("title", "Say what happened, in a line."));
        }
        if title.chars().count() > MAX_TITLE_LEN {
            return Err(ApiError::invalid("title", format!("Keep the title under {MAX_TITLE_LEN} characters.")));
        }
        if self.occurred_at > now + chrono::Duration::minutes(5) {
            return Err(ApiError::invalid("occurred_at", "That time is in the future."));
        }
        Ok(())
    }
}

/// The investigation of a deviation, on the version shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationInvestigation {
    /// Minor, major or critical (may change as the investigation learns more; the due date stays).
    pub classification: Classification,
    /// What the investigation found.
    pub investigation: String,
    /// The impact on product and other batches.
    #[serde(default)]
    pub impact: String,
    /// The root cause category, once known.
    #[serde(default)]
    pub root_cause: Option<RootCause>,
    /// The version the user was shown.
    pub row_version: i64,
    /// Why, when the classification changes.
    #[serde(default)]
    pub reason: Option<String>,
}

impl DeviationInvestigation {
    /// Checks the findings and, when the classification changes from `current`, that a reason is given; returns
    /// the reason, trimmed, if there is one.
    pub fn validate(&self, current: Classification) -> Result<Option<String>, ApiError> {
        if self.investigation.trim().is_empty() {
            return Err(ApiError::invalid("investigation", "Say what the investigation has found so far."));
        }
        let reason = self.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        if self.classification != current && reason.is_none() {
            return Err(ApiError::invalid(
                "reason",
                format!(
                    "Say why the classification changes from {} to {}.",
                    current.label().to_lowercase(),
                    self.classification.label().to_lowercase()
                ),
            ));
        }
        Ok(reason)
    }
}

/// QA's closure of a deviation, signed with the password, bound to the content shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationClosure {
    /// The signer's password.
    pub password: String,
    /// The deviation's content hash as shown.
    pub content_hash: String,
}

/// Why a deviation cannot be closed now, if it cannot: it needs an investigation and a root cause.
pub fn closure_refusal(status: DeviationStatus, investigation: &str, root_cause: Option<RootCause>) -> Option<String> {
    if status == DeviationStatus::Closed {
        return Some("The deviation is already closed.".into());
    }
    if investigation.trim().is_empty() {
        return Some("Record the investigation before closing the deviation.".into());
    }
    root_cause.is_none().then(|| "Name the root cause category before closing the deviation.".into())
}

/// A short reference to a CAPA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapaRef {
    /// Its id.
    pub id: CapaId,
    /// Its number, e.g. "CAPA-2026-00003".
    pub number: String,
    /// Its title.
    pub title: String,
    /// Open or closed.
    pub closed: bool,
}

/// A deviation as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationView {
    /// Its id.
    pub id: DeviationId,
    /// Its number.
    pub number: String,
    /// As reported.
    pub input: DeviationInput,
    /// Where it stands.
    pub status: DeviationStatus,
    /// The site.
    pub site: SiteRef,
    /// The product.
    pub product: ProductRef,
    /// The batch's number, when raised from one.
    pub batch_number: Option<String>,
    /// The transfer, if any.
    pub transfer: Option<TransferRef>,
    /// Whose record it is (who raised it).
    pub owner: OrgRef,
    /// The sponsor of the partnership.
    pub sponsor: OrgRef,
    /// The CMO of the partnership.
    pub cmo: OrgRef,
    /// Who reported it.
    pub raised_by: String,
    /// When it was reported.
    pub opened_at: DateTime<Utc>,
    /// When closure is due, from its class at opening.
    pub due_on: NaiveDate,
    /// What the investigation found.
    pub investigation: String,
    /// Impact.
    pub impact: String,
    /// Root cause category.
    pub root_cause: Option<RootCause>,
    /// QA's closure signature.
    pub closure: Option<Signature>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Closed on or before its due date (only once closed).
    pub closed_in_time: Option<bool>,
    /// CAPAs answering it (those the caller may read).
    pub capas: Vec<CapaRef>,
    /// Hash of what closure signs.
    pub content_hash: String,
    /// Version, for optimistic concurrency.
    pub row_version: i64,
    /// What the caller may do with it.
    pub actions: Vec<crate::access::Action>,
}

/// A deviation in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationSummary {
    /// Its id.
    pub id: DeviationId,
    /// Its number.
    pub number: String,
    /// What happened.
    pub title: String,
    /// Class.
    pub classification: Classification,
    /// Where it stands.
    pub status: DeviationStatus,
    /// Product name.
    pub product: String,
    /// Whose record it is.
    pub owner: OrgRef,
    /// When reported.
    pub opened_at: DateTime<Utc>,
    /// When closure is due.
    pub due_on: NaiveDate,
}

/// The deviations the caller may see, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationList {
    /// The deviations.
    pub items: Vec<DeviationSummary>,
    /// True when more matched than were returned.
    pub truncated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_follow_the_class() {
        let opened = NaiveDate::from_ymd_opt(2026, 1, 31).expect("date");
        assert_eq!(Classification::Critical.due_on(opened), NaiveDate::from_ymd_opt(2026, 2, 15).expect("date"));
        assert_eq!(Classification::Major.due_on(opened), NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"));
        assert_eq!(Classification::Minor.due_on(opened), NaiveDate::from_ymd_opt(2026, 3, 17).expect("date"));
        assert_eq!(Classification::Minor.due_on(NaiveDate::MAX), NaiveDate::MAX, "no overflow");
    }

    #[test]
    fn closure_needs_an_investigation_and_a_root_cause() {
        let open = DeviationStatus::Investigation;
        assert!(closure_refusal(open, " ", Some(RootCause::Equipment)).is_some());
        assert!(closure_refusal(open, "Seal worn", None).is_some());
        assert_eq!(closure_refusal(open, "Seal worn", Some(RootCause::Equipment)), None);
        assert!(closure_refusal(DeviationStatus::Closed, "x", Some(RootCause::Method)).is_some());
    }

    #[test]
    fn a_classification_change_needs_a_reason() {
        let mut change = DeviationInvestigation {
            classification: Classification::Critical,
            investigation: "Seal worn".into(),
            impact: String::new(),
            root_cause: None,
            row_version: 1,
            reason: Some("  ".into()),
        };
        assert_eq!(change.validate(Classification::Major).map_err(|e| e.field), Err(Some("reason".into())));
        assert_eq!(change.validate(Classification::Critical), Ok(None));
        change.reason = Some(" Patient risk ".into());
        assert_eq!(change.validate(Classification::Major), Ok(Some("Patient risk".into())));
        change.investigation = " ".into();
        assert_eq!(change.validate(Classification::Critical).map_err(|e| e.field), Err(Some("investigation".into())));
    }
}
