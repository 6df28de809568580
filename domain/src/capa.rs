//! Corrective and preventive actions: raised from deviations or from a KPI off target, carried out as actions with
//! owners and due dates, checked for effectiveness and closed by QA's signature.

use crate::batch::{ProductRef, TransferRef};
use crate::error::ApiError;
use crate::ids::{CapaId, DeviationId, PartnershipId, ProductId, TransferId};
use crate::org::OrgRef;
use crate::signature::Signature;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest title accepted.
pub const MAX_TITLE_LEN: usize = 160;
/// Most actions one CAPA carries.
pub const MAX_ACTIONS: usize = 50;
/// Most deviations one CAPA answers.
pub const MAX_DEVIATIONS: usize = 100;
/// Prefix of CAPA numbers: "CAPA-2026-00003".
pub const NUMBER_PREFIX: &str = "CAPA";

/// The KPI reading that prompted a CAPA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiTrigger {
    /// The partnership whose scorecard it is.
    pub partnership: PartnershipId,
    /// Which KPI.
    pub kpi: crate::kpi::KpiKind,
    /// The period, e.g. "2026-Q2".
    pub period: String,
    /// The value as the scorecard showed it, e.g. "81.0 %".
    pub value: String,
    /// The target, e.g. "95.0 %".
    pub target: String,
}

/// One action of a CAPA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapaAction {
    /// What is to be done.
    pub description: String,
    /// Who does it (a name; people of either party).
    pub owner: String,
    /// By when.
    pub due_on: NaiveDate,
    /// Whether it is done.
    #[serde(default)]
    pub done: bool,
}

/// A CAPA as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapaInput {
    /// The problem and the fix, in a line.
    pub title: String,
    /// In full.
    #[serde(default)]
    pub description: String,
    /// The product concerned.
    pub product: ProductId,
    /// The partner organisation (the CMO for a sponsor's CAPA, the sponsor for a CMO's).
    pub partner: crate::ids::OrgId,
    /// The transfer it belongs to, if any: it then answers only that transfer's deviations, and agreements scoped
    /// on that transfer reach it.
    #[serde(default)]
    pub transfer: Option<TransferId>,
    /// The deviations it answers.
    #[serde(default)]
    pub deviations: Vec<DeviationId>,
    /// The KPI reading it answers.
    #[serde(default)]
    pub kpi: Option<KpiTrigger>,
    /// When the CAPA as a whole is due.
    pub due_on: NaiveDate,
    /// The actions.
    #[serde(default)]
    pub actions: Vec<CapaAction>,
    /// How effectiveness will be (or was) checked.
    #[serde(default)]
    pub effectiveness_check: String,
}

impl CapaInput {
    /// Checks the title and the actions.
    pub fn validate(&self) -> Result<(), ApiError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(ApiError::invalid("title", "Say what the CAPA corrects, in a line."));
        }
        if title.chars().count() > MAX_TITLE_LEN {
            return Err(ApiError::invalid("title", format!("Keep the title under {MAX_TITLE_LEN} characters.")));
        }
        if self.actions.len() > MAX_ACTIONS {
            return Err(ApiError::invalid("actions", format!("A CAPA carries at most {MAX_ACTIONS} actions.")));
        }
        for (i, action) in self.actions.iter().enumerate() {
            if action.description.trim().is_empty() {
                return Err(ApiError::invalid(format!("actions[{i}].description"), "Say what is to be done."));
            }
            if action.owner.trim().is_empty() {
                return Err(ApiError::invalid(format!("actions[{i}].owner"), "Name who does it."));
            }
        }
        if self.deviations.len() > MAX_DEVIATIONS {
            return Err(ApiError::invalid(
                "deviations",
                format!("A CAPA answers at most {MAX_DEVIATIONS} deviations."),
            ));
        }
        let mut seen = self.deviations.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != self.deviations.len() {
            return Err(ApiError::invalid("deviations", "A deviation is listed twice."));
        }
        if let Some(kpi) = &self.kpi {
            for (field, value) in [("kpi.period", &kpi.period), ("kpi.value", &kpi.value), ("kpi.target", &kpi.target)]
            {
                if value.trim().is_empty() {
                    return Err(ApiError::invalid(field, "Give the KPI reading as the scorecard showed it."));
                }
            }
        }
        Ok(())
    }
}

/// Why a CAPA cannot be closed now, if it cannot: every action done and its effectiveness check written.
pub fn closure_refusal(closed: bool, input: &CapaInput) -> Option<String> {
    if closed {
        return Some("The CAPA is already closed.".into());
    }
    if input.actions.is_empty() {
        return Some("Add the actions taken before closing the CAPA.".into());
    }
    let open: Vec<String> = input
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.done)
        .map(|(i, a)| format!("{}. {}", i + 1, a.description.trim()))
        .collect();
    if !open.is_empty() {
        return Some(format!("Actions still open: {}.", open.join("; ")));
    }
    input
        .effectiveness_check
        .trim()
        .is_empty()
        .then(|| "Record the effectiveness check before closing the CAPA.".into())
}

/// A change to a CAPA, on the version shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapaChange {
    /// The new values.
    pub capa: CapaInput,
    /// The version the user was shown.
    pub row_version: i64,
}

/// QA's closure of a CAPA, signed with the password, bound to the content shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapaClosure {
    /// The signer's password.
    pub password: String,
    /// The CAPA's content hash as shown.
    pub content_hash: String,
}

/// A CAPA as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapaView {
    /// Its id.
    pub id: CapaId,
    /// Its number.
    pub number: String,
    /// As written.
    pub input: CapaInput,
    /// The product.
    pub product: ProductRef,
    /// Whose record it is.
    pub owner: OrgRef,
    /// The sponsor.
    pub sponsor: OrgRef,
    /// The CMO.
    pub cmo: OrgRef,
    /// The transfer, if any.
    pub transfer: Option<TransferRef>,
    /// The deviations it answers that the caller may read, as references.
    pub deviations: Vec<crate::batch::DeviationRef>,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// QA's closure signature.
    pub closure: Option<Signature>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Closed on or before its due date (only once closed).
    pub closed_on_time: Option<bool>,
    /// Hash of what closure signs.
    pub content_hash: String,
    /// Version, for optimistic concurrency.
    pub row_version: i64,
    /// What the caller may do with it.
    pub actions: Vec<crate::access::Action>,
}

/// A CAPA in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapaSummary {
    /// Its id.
    pub id: CapaId,
    /// Its number.
    pub number: String,
    /// The problem and the fix.
    pub title: String,
    /// Product name.
    pub product: String,
    /// Whose record it is.
    pub owner: OrgRef,
    /// When the CAPA as a whole is due.
    pub due_on: NaiveDate,
    /// Actions not yet done.
    pub open_actions: u32,
    /// Deviations it answers.
    pub deviations: u32,
    /// Closed by QA.
    pub closed: bool,
}

/// The CAPAs the caller may see, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapaList {
    /// The CAPAs.
    pub items: Vec<CapaSummary>,
    /// True when more matched than were returned.
    pub truncated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn input() -> CapaInput {
        CapaInput {
            title: "Replace granulator seals quarterly".into(),
            description: String::new(),
            product: ProductId(Uuid::from_u128(1)),
            partner: crate::ids::OrgId(Uuid::from_u128(2)),
            transfer: None,
            deviations: vec![],
            kpi: None,
            due_on: NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"),
            actions: vec![CapaAction {
                description: "Change the PM plan".into(),
                owner: "Jonas Weber".into(),
                due_on: NaiveDate::from_ymd_opt(2026, 5, 1).expect("date"),
                done: false,
            }],
            effectiveness_check: String::new(),
        }
    }

    #[test]
    fn closure_needs_every_action_done_and_an_effectiveness_check() {
        let mut capa = input();
        assert!(closure_refusal(false, &capa).is_some_and(|m| m.contains("Change the PM plan")));
        capa.actions[0].done = true;
        assert!(closure_refusal(false, &capa).is_some_and(|m| m.contains("effectiveness")));
        capa.effectiveness_check = "No seal failure in 6 months".into();
        assert_eq!(closure_refusal(false, &capa), None);
        assert!(closure_refusal(true, &capa).is_some());
        capa.actions.clear();
        assert!(closure_refusal(false, &capa).is_some());
    }

    #[test]
    fn validation_names_the_field() {
        let mut capa = input();
        capa.actions[0].owner = " ".into();
        assert_eq!(capa.validate().map_err(|e| e.field), Err(Some("actions[0].owner".into())));
        let mut capa = input();
        let d = DeviationId(Uuid::from_u128(7));
        capa.deviations = vec![d, d];
        assert!(capa.validate().is_err());
    }
}
