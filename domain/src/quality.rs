//! Quality agreements: who is Responsible, Accountable, Consulted or Informed for each quality activity of a
//! partnership. Versions are immutable; each is in effect once QA of both parties has approved it, until a later
//! version is.

use crate::error::ApiError;
use crate::ids::{PartnershipId, QualityAgreementId};
use crate::org::OrgRef;
use crate::signature::{Meaning, Signature};
use crate::stored_enum::stored_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

stored_enum!(
    /// A party's part in an activity.
    Raci {
        /// Does the work.
        #[serde(rename = "R")]
        Responsible = "R", "Responsible";
        /// Owns the outcome and signs it off; exactly one party per activity.
        #[serde(rename = "A")]
        Accountable = "A", "Accountable";
        /// Is asked before.
        #[serde(rename = "C")]
        Consulted = "C", "Consulted";
        /// Is told after.
        #[serde(rename = "I")]
        Informed = "I", "Informed";
    }
);

/// The activities a new quality agreement starts from; the list is editable.
pub const DEFAULT_ACTIVITIES: [&str; 8] = [
    "Batch record review",
    "Batch release",
    "Deviation investigation",
    "CAPA approval",
    "Change approval",
    "Supplier qualification",
    "Complaint handling",
    "Stability testing",
];

/// Longest activity name accepted.
pub const MAX_ACTIVITY_LEN: usize = 120;

/// One activity and each party's part in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaciRow {
    /// The activity, e.g. "Batch release".
    pub activity: String,
    /// The sponsor's part.
    pub sponsor: Raci,
    /// The CMO's part.
    pub cmo: Raci,
}

/// A new version of a partnership's quality agreement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualityAgreementDraft {
    /// The matrix, one row per activity.
    pub rows: Vec<RaciRow>,
    /// Why this version replaces the last (required from the second version on).
    #[serde(default)]
    pub reason: Option<String>,
}

impl QualityAgreementDraft {
    /// Checks the matrix: named, distinct activities, each with exactly one accountable party.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.rows.is_empty() {
            return Err(ApiError::invalid("rows", "List at least one activity."));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, row) in self.rows.iter().enumerate() {
            let field = format!("rows[{i}].activity");
            let name = row.activity.trim();
            if name.is_empty() {
                return Err(ApiError::invalid(field, "Name the activity."));
            }
            if name.chars().count() > MAX_ACTIVITY_LEN {
                return Err(ApiError::invalid(
                    field,
                    format!("Keep activity names under {MAX_ACTIVITY_LEN} characters."),
                ));
            }
            if !seen.insert(name.to_lowercase()) {
                return Err(ApiError::invalid(field, format!("“{name}” is listed twice.")));
            }
            let accountable = [row.sponsor, row.cmo].iter().filter(|r| **r == Raci::Accountable).count();
            if accountable != 1 {
                return Err(ApiError::invalid(
                    format!("rows[{i}]"),
                    format!("“{name}” needs exactly one accountable party (A)."),
                ));
            }
        }
        Ok(())
    }
}

stored_enum!(
    /// Where a version stands.
    QualityAgreementState {
        /// Not approved by either party's QA.
        Draft = "draft", "Draft";
        /// Approved by one party's QA.
        AwaitingSignatures = "awaiting_signatures", "Awaiting signatures";
        /// Approved by both; the version in force.
        Effective = "effective", "Effective";
        /// A later version is in force.
        Superseded = "superseded", "Superseded";
    }
);

/// One version of a quality agreement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualityAgreementVersion {
    /// Its id.
    pub id: QualityAgreementId,
    /// 1, 2, 3, …
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i64,
    /// The matrix.
    pub rows: Vec<RaciRow>,
    /// Why it replaced the previous version.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub reason: Option<String>,
    /// SHA-256 of the matrix, which signatures are bound to.
    pub content_hash: String,
    /// Where it stands.
    pub state: QualityAgreementState,
    /// QA approvals.
    pub signatures: Vec<Signature>,
    /// Who wrote it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// What the caller may do with this version (the access rule and the version's state together).
    #[serde(default)]
    pub actions: Vec<crate::access::Action>,
}

/// A partnership's quality agreement, every version, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualityAgreement {
    /// The partnership.
    pub partnership_id: PartnershipId,
    /// The sponsor.
    pub sponsor: OrgRef,
    /// The CMO.
    pub cmo: OrgRef,
    /// Versions, newest first.
    pub versions: Vec<QualityAgreementVersion>,
    /// What the caller may do with it (from the access rule).
    #[serde(default)]
    pub actions: Vec<crate::access::Action>,
}

/// Whether QA of the given organisation has approved (signatures on immutable versions never go stale).
pub fn approved_by(signatures: &[Signature], org: crate::ids::OrgId) -> bool {
    signatures.iter().any(|s| s.valid && s.meaning == Meaning::Approved && s.organisation_id == org)
}

/// The states of every version, given which are approved by the sponsor and by the CMO, oldest first.
pub fn version_states(approvals: &[(bool, bool)]) -> Vec<QualityAgreementState> {
    let newest_effective = approvals.iter().rposition(|(s, c)| *s && *c);
    approvals
        .iter()
        .enumerate()
        .map(|(i, (s, c))| match (s, c) {
            (true, true) if Some(i) == newest_effective => QualityAgreementState::Effective,
            _ if newest_effective.is_some_and(|e| i < e) => QualityAgreementState::Superseded,
            (false, false) => QualityAgreementState::Draft,
            _ => QualityAgreementState::AwaitingSignatures,
        })
        .collect()
}

/// The activity whose accountable party dispositions batches.
pub const BATCH_RELEASE: &str = "Batch release";

/// The activity whose accountable party approves or rejects change controls.
pub const CHANGE_APPROVAL: &str = "Change approval";

impl QualityAgreement {
    /// The party accountable for `activity` under the version in effect; `None` without one, or when it does not
    /// list the activity.
    pub fn accountable_for(&self, activity: &str) -> Option<&OrgRef> {
        let effective = self.versions.iter().find(|v| v.state == QualityAgreementState::Effective)?;
        let row = effective.rows.iter().find(|r| r.activity.trim().eq_ignore_ascii_case(activity))?;
        match (row.sponsor, row.cmo) {
            (Raci::Accountable, _) => Some(&self.sponsor),
            (_, Raci::Accountable) => Some(&self.cmo),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(activity: &str, sponsor: Raci, cmo: Raci) -> RaciRow {
        RaciRow { activity: activity.into(), sponsor, cmo }
    }

    #[test]
    fn each_activity_needs_exactly_one_accountable_party_and_a_unique_name() {
        let ok = QualityAgreementDraft {
            rows: vec![
                row("Batch release", Raci::Accountable, Raci::Responsible),
                row("Stability testing", Raci::Informed, Raci::Accountable),
            ],
            reason: None,
        };
        assert_eq!(ok.validate(), Ok(()));
        let field =
            |rows: Vec<RaciRow>| QualityAgreementDraft { rows, reason: None }.validate().expect_err("invalid").field;
        assert_eq!(field(vec![]), Some("rows".into()));
        assert_eq!(field(vec![row("x", Raci::Accountable, Raci::Accountable)]), Some("rows[0]".into()));
        assert_eq!(field(vec![row("x", Raci::Responsible, Raci::Informed)]), Some("rows[0]".into()));
        assert_eq!(field(vec![row(" ", Raci::Accountable, Raci::Informed)]), Some("rows[0].activity".into()));
        assert_eq!(
            field(vec![
                row("Batch release", Raci::Accountable, Raci::Informed),
                row("batch release ", Raci::Informed, Raci::Accountable)
            ]),
            Some("rows[1].activity".into())
        );
    }

    #[test]
    fn raci_travels_as_its_letter() {
        let row = row("Batch release", Raci::Accountable, Raci::Informed);
        let json = serde_json::to_value(&row).expect("serialises");
        assert_eq!(json, serde_json::json!({"activity": "Batch release", "sponsor": "A", "cmo": "I"}));
        assert_eq!("C".parse::<Raci>(), Ok(Raci::Consulted));
    }

    #[test]
    fn only_the_newest_fully_approved_version_is_effective() {
        use QualityAgreementState::*;
        assert_eq!(version_states(&[(false, false)]), vec![Draft]);
        assert_eq!(version_states(&[(true, false)]), vec![AwaitingSignatures]);
        assert_eq!(version_states(&[(true, true), (true, false)]), vec![Effective, AwaitingSignatures]);
        assert_eq!(version_states(&[(true, true), (true, true), (false, false)]), vec![Superseded, Effective, Draft]);
        assert_eq!(version_states(&[(true, false), (true, true)]), vec![Superseded, Effective]);
    }
}
