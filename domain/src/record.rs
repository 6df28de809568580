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
        /// The whole database (its exports by the operator).
        Database = "database", "database";
    }
);

impl RecordType {
    /// The app's page for the record `id` of this type, where the id alone names one (a risk or a stage needs its
    /// transfer as well, and some records have no page).
    pub fn page(self, id: &str) -> Option<String> {
        let base = match self {
            RecordType::Transfer => "/transfers",
            RecordType::Deliverable => "/deliverables",
            RecordType::Document => "/documents",
            RecordType::Batch => "/batches",
            RecordType::Delivery => "/deliveries",
            RecordType::Deviation => "/deviations",
            RecordType::Capa => "/capas",
            RecordType::ChangeControl => "/change-controls",
            RecordType::Agreement => "/agreements",
            _ => return None,
        };
        let safe = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        safe.then(|| format!("{base}/{id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_named_by_the_id_alone_and_only_for_a_plain_id() {
        let id = "0000000e-0000-4000-8000-000000000104";
        assert_eq!(RecordType::Batch.page(id).as_deref(), Some("/batches/0000000e-0000-4000-8000-000000000104"));
        assert_eq!(RecordType::ChangeControl.page("x1").as_deref(), Some("/change-controls/x1"));
        assert_eq!(RecordType::Risk.page(id), None, "a risk's page needs its transfer");
        assert_eq!(RecordType::Session.page(id), None);
        assert_eq!(RecordType::Batch.page("../admin"), None, "an id is never a path");
        assert_eq!(RecordType::Batch.page(""), None);
    }

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
