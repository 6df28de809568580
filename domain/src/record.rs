//! The kinds of record Baton keeps. Every signature, audit entry and history link names its record by one of these,
//! never by a free string, so a new record type is one variant here and every `match` on it says where it must be
//! handled.

use crate::stored_enum::stored_enum;

stored_enum!(
    /// A kind of record.
    RecordType {
        /// A technology transfer (its overview).
        Transfer = "transfer", "transfer";
        /// A stage of a transfer, with its gate.
        Stage = "stage", "stage";
        /// A deliverable of a stage.
        Deliverable = "deliverable", "deliverable";
        /// One side's process parameters of a transfer as a whole (what an import replaces).
        ParameterSet = "parameter_set", "parameter set";
        /// One process parameter row (either unit's side).
        Parameter = "parameter", "process parameter";
        /// A failure mode in a transfer's risk register.
        Risk = "risk", "risk";
        /// An analytical method under transfer, with its acceptance criteria.
        Method = "method", "analytical method";
        /// One site's results of an analytical method.
        MethodResults = "method_results", "method results";
        /// A versioned document inside a transfer.
        Document = "document", "document";
        /// A batch made at a CMO's site, with its results and disposition.
        Batch = "batch", "batch";
        /// A delivery from a CMO to its sponsor.
        Delivery = "delivery", "delivery";
        /// A deviation.
        Deviation = "deviation", "deviation";
        /// A corrective and preventive action.
        Capa = "capa", "CAPA";
        /// A change control: a change one party proposes, both assess, the accountable party approves.
        ChangeControl = "change_control", "change control";
        /// A CMO's quality records under a partnership as a whole (batches, results, deliveries, deviations, CAPAs):
        /// what a bulk load adds, audited as one entry rather than one per row.
        QualityHistory = "quality_history", "quality history";
        /// A partnership's KPI scorecard.
        Scorecard = "scorecard", "KPI scorecard";
        /// An organisation's stage templates.
        StageTemplates = "stage_templates", "stage templates";
        /// A listing of transfers (partner reads of several at once).
        TransferList = "transfer_list", "transfer list";
        /// A data-sharing agreement.
        Agreement = "agreement", "agreement";
        /// A sponsor–CMO partnership (its quality agreement as a whole).
        Partnership = "partnership", "partnership";
        /// A version of a partnership's quality agreement.
        QualityAgreement = "quality_agreement", "quality agreement";
        /// A version of a partnership's KPI targets (an annex of its quality agreement).
        KpiTargets = "kpi_targets", "KPI target set";
        /// An organisation's audit trail (its exports).
        AuditTrail = "audit_trail", "audit trail";
        /// A login session.
        Session = "session", "session";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = RecordType::ALL.iter().map(|r| r.as_str()).collect();
        for r in RecordType::ALL {
            assert_eq!(r.as_str().parse::<RecordType>(), Ok(*r));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RecordType::ALL.len());
        assert!("transfers".parse::<RecordType>().is_err());
    }
}
