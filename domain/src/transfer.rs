//! Technology transfers and their stages.

use crate::ids::TransferId;
use crate::org::{OrgRef, SiteRef, UnknownValue};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The stages of a technology transfer, after WHO TRS 961 Annex 7 and the ISPE good practice guide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Initiation and feasibility: gap analysis.
    Initiation,
    /// Transfer protocol, risk assessment, team.
    Planning,
    /// Process description, specifications, batch records.
    KnowledgeTransfer,
    /// Comparative testing of analytical methods against acceptance criteria.
    AnalyticalMethodTransfer,
    /// Engineering or demonstration batches.
    EngineeringBatches,
    /// Process performance qualification batches.
    Ppq,
    /// Regulatory filing.
    RegulatoryFiling,
    /// Transfer report and lessons learned.
    CloseOut,
}

impl Stage {
    /// Every stage in the order a transfer goes through them.
    pub const ALL: [Stage; 8] = [
        Stage::Initiation,
        Stage::Planning,
        Stage::KnowledgeTransfer,
        Stage::AnalyticalMethodTransfer,
        Stage::EngineeringBatches,
        Stage::Ppq,
        Stage::RegulatoryFiling,
        Stage::CloseOut,
    ];

    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Initiation => "Initiation & feasibility",
            Stage::Planning => "Planning",
            Stage::KnowledgeTransfer => "Knowledge transfer",
            Stage::AnalyticalMethodTransfer => "Analytical method transfer",
            Stage::EngineeringBatches => "Engineering batches",
            Stage::Ppq => "PPQ batches",
            Stage::RegulatoryFiling => "Regulatory filing",
            Stage::CloseOut => "Close-out",
        }
    }

    /// The value stored in the database and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Initiation => "initiation",
            Stage::Planning => "planning",
            Stage::KnowledgeTransfer => "knowledge_transfer",
            Stage::AnalyticalMethodTransfer => "analytical_method_transfer",
            Stage::EngineeringBatches => "engineering_batches",
            Stage::Ppq => "ppq",
            Stage::RegulatoryFiling => "regulatory_filing",
            Stage::CloseOut => "close_out",
        }
    }

    /// Position in the sequence, starting at 1, as "stage 3 of 8".
    pub fn number(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).map_or(0, |i| i + 1)
    }
}

impl FromStr for Stage {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL.into_iter().find(|stage| stage.as_str() == s).ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

/// A transfer as a row in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferSummary {
    /// Its id, used in its deep link `/transfers/{id}`.
    pub id: TransferId,
    /// Short reference, e.g. "TT-2026-004".
    pub code: String,
    /// The product being transferred.
    pub product: String,
    /// The organisation that is not the viewer's own: the CMO for a sponsor, the sponsor for a CMO.
    pub partner: OrgRef,
    /// The organisation that owns the transfer's overview (its sponsor).
    pub owner: crate::ids::OrgId,
    /// Where the transfer stands.
    pub stage: Stage,
    /// When all stages are due to be closed.
    pub target_completion: NaiveDate,
}

/// A transfer with everything its page header shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferDetail {
    /// Its id.
    pub id: TransferId,
    /// Short reference, e.g. "TT-2026-004".
    pub code: String,
    /// The product being transferred.
    pub product: String,
    /// Its id, which agreements are scoped on.
    pub product_id: crate::ids::ProductId,
    /// Dosage form or modality, e.g. "Monoclonal antibody, drug substance".
    pub product_form: String,
    /// The sending unit (usually the sponsor's site).
    pub sending_site: SiteRef,
    /// The receiving unit (usually the CMO's site).
    pub receiving_site: SiteRef,
    /// The brand owner.
    pub sponsor: OrgRef,
    /// The contract manufacturer.
    pub cmo: OrgRef,
    /// Where the transfer stands.
    pub stage: Stage,
    /// When the transfer was started.
    pub started_on: NaiveDate,
    /// When all stages are due to be closed.
    pub target_completion: NaiveDate,
    /// Last change, UTC server time.
    pub updated_at: DateTime<Utc>,
    /// What the caller may do with it (from the access rule).
    #[serde(default)]
    pub actions: Vec<crate::access::Action>,
}

/// A page of transfers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferList {
    /// The transfers the viewer may see, newest target first.
    pub items: Vec<TransferSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_numbered_in_order_and_round_trip() {
        for (i, stage) in Stage::ALL.into_iter().enumerate() {
            assert_eq!(stage.number(), i + 1);
            assert_eq!(stage.as_str().parse::<Stage>(), Ok(stage));
        }
        assert!(Stage::Initiation < Stage::CloseOut);
        assert!("launch".parse::<Stage>().is_err());
    }

    #[test]
    fn stage_serialises_as_its_stored_name() {
        let json = serde_json::to_string(&Stage::AnalyticalMethodTransfer).expect("serialises");
        assert_eq!(json, "\"analytical_method_transfer\"");
    }
}
