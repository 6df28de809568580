//! A transfer's risk register: its FMEA rows as stored, each with its RPN and band computed here (never typed in),
//! and optionally the deliverable that carries its mitigation.

use crate::access::Action;
use crate::ids::{DeliverableId, RiskId, TransferId};
use crate::risk::{FailureMode, RiskLevel, risk_order};
use serde::{Deserialize, Serialize};

/// A failure mode as stored and shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredRisk {
    /// Its id; its deep link is `/transfers/{transfer}/risks/{id}`.
    pub id: RiskId,
    /// Its transfer.
    pub transfer_id: TransferId,
    /// The analysis itself.
    pub failure_mode: FailureMode,
    /// The deliverable that carries the mitigation, if one does.
    pub mitigation_deliverable: Option<DeliverableId>,
    /// S × O × D before mitigation.
    pub rpn: u16,
    /// The band before mitigation.
    pub level: RiskLevel,
    /// S × O × D after mitigation, when rated.
    pub residual_rpn: Option<u16>,
    /// The band after mitigation, when rated.
    pub residual_level: Option<RiskLevel>,
    /// Bumped by every change.
    pub row_version: i64,
    /// What the caller may do with it.
    #[serde(default)]
    pub actions: Vec<Action>,
}

impl StoredRisk {
    /// A stored row with its figures computed from its ratings.
    pub fn new(
        id: RiskId,
        transfer_id: TransferId,
        failure_mode: FailureMode,
        mitigation_deliverable: Option<DeliverableId>,
        row_version: i64,
    ) -> StoredRisk {
        StoredRisk {
            id,
            transfer_id,
            rpn: failure_mode.rpn(),
            level: failure_mode.level(),
            residual_rpn: failure_mode.residual_rpn(),
            residual_level: failure_mode.residual_level(),
            failure_mode,
            mitigation_deliverable,
            row_version,
            actions: Vec::new(),
        }
    }
}

/// What is sent to add a failure mode or to change one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskInput {
    /// The analysis.
    pub failure_mode: FailureMode,
    /// The deliverable that carries the mitigation (one of the transfer's), if any.
    #[serde(default)]
    pub mitigation_deliverable: Option<DeliverableId>,
}

/// A change to a failure mode, on the version shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskChange {
    /// The row as it should be.
    pub risk: RiskInput,
    /// The version the change was made on.
    pub row_version: i64,
}

/// A transfer's risks, highest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskRegister {
    /// The rows, by RPN then severity, highest first.
    pub risks: Vec<StoredRisk>,
    /// What the caller may do with the register (`contribute`: add rows).
    pub actions: Vec<Action>,
}

/// Orders stored rows as the register shows them: highest RPN first, then highest severity.
pub fn highest_first(risks: &mut [StoredRisk]) {
    risks.sort_by(|a, b| risk_order(&a.failure_mode, &b.failure_mode));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::{Rating, Ratings};
    use uuid::Uuid;

    fn row(n: u128, s: u8, o: u8, d: u8) -> StoredRisk {
        let rating = |v| Rating::new(v).expect("1–10");
        let ratings = Ratings { severity: rating(s), occurrence: rating(o), detection: rating(d) };
        let mode = FailureMode {
            step: "Harvest".into(),
            failure_mode: format!("Mode {n}"),
            effect: "Yield loss".into(),
            cause: String::new(),
            controls: String::new(),
            ratings,
            mitigation: String::new(),
            residual: None,
        };
        StoredRisk::new(RiskId(Uuid::from_u128(n)), TransferId(Uuid::nil()), mode, None, 1)
    }

    #[test]
    fn figures_are_computed_and_the_register_reads_highest_first() {
        let mut rows = vec![row(1, 4, 4, 4), row(2, 9, 1, 1), row(3, 6, 6, 6), row(4, 8, 4, 2)];
        assert_eq!(rows[2].rpn, 216);
        assert_eq!(rows[1].level, RiskLevel::High, "severity 9 is high whatever its RPN");
        highest_first(&mut rows);
        let order: Vec<u128> = rows.iter().map(|r| r.id.0.as_u128()).collect();
        assert_eq!(order, [3, 4, 1, 2], "64 and 64: the higher severity first");
    }
}
