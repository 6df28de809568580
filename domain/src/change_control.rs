//! Change controls: a change one party of a partnership proposes that affects the other — to the process, equipment,
//! a facility, an analytical method, a supplier or material, a specification or a document. Both parties assess its
//! impact; QA of the party the quality agreement in effect makes accountable for "Change approval" approves or
//! rejects it with a signature; the raiser records its implementation and its QA closes it, signed, once the change
//! has been evaluated. Both parties see every change control of their partnership, whoever raised it.

use crate::batch::{ProductRef, TransferRef};
use crate::error::ApiError;
use crate::ids::{ChangeControlId, OrgId, PartnershipId, ProductId, SiteId, TransferId};
use crate::org::{OrgRef, SiteRef};
use crate::signature::Signature;
use crate::stored_enum::stored_enum;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest title accepted.
pub const MAX_TITLE_LEN: usize = 160;
/// Most documents one assessment lists as affected.
pub const MAX_DOCUMENTS: usize = 50;
/// Longest document reference accepted.
pub const MAX_DOCUMENT_LEN: usize = 200;
/// Prefix of change control numbers: "CC-2026-00004".
pub const NUMBER_PREFIX: &str = "CC";

stored_enum!(
    /// What a change changes.
    ChangeType {
        /// The manufacturing process: parameters, steps, scale.
        Process = "process", "Process";
        /// Equipment: new, replaced or modified.
        Equipment = "equipment", "Equipment";
        /// A facility, room or utility.
        Facility = "facility", "Facility";
        /// An analytical method.
        AnalyticalMethod = "analytical_method", "Analytical method";
        /// A supplier, or a raw, starting or packaging material.
        SupplierMaterial = "supplier_material", "Supplier or material";
        /// A specification or its limits.
        Specification = "specification", "Specification";
        /// A controlled document: SOP, master batch record.
        Documentation = "documentation", "Documentation";
        /// Anything else.
        Other = "other", "Other";
    }
);

stored_enum!(
    /// Where a change control stands.
    ChangeControlStatus {
        /// Raised; waiting for the impact assessment of one party or both.
        Raised = "raised", "Awaiting assessment";
        /// Both parties have assessed it; waiting for the decision.
        Assessed = "assessed", "Impact assessed";
        /// Approved, not implemented yet.
        Approved = "approved", "Approved";
        /// Rejected: the change is not made.
        Rejected = "rejected", "Rejected";
        /// Implemented, awaiting closure.
        Implemented = "implemented", "Implemented";
        /// Closed by QA after its evaluation.
        Closed = "closed", "Closed";
    }
);

stored_enum!(
    /// What a change means for the marketing authorisation.
    RegulatoryImpact {
        /// No regulatory action.
        None = "none", "None";
        /// The authorities are notified (e.g. a type IA/IB variation, a CBE-30 or annual report).
        Notification = "notification", "Notification";
        /// The authorities approve before it is implemented (e.g. a type II variation, a prior approval supplement).
        PriorApproval = "prior_approval", "Prior approval needed";
    }
);

stored_enum!(
    /// How much risk a change carries for product quality and supply.
    RiskLevel {
        /// Low.
        Low = "low", "Low";
        /// Medium.
        Medium = "medium", "Medium";
        /// High.
        High = "high", "High";
    }
);

stored_enum!(
    /// The decision on a change.
    ChangeDecision {
        /// The change may be made.
        Approved = "approved", "Approved";
        /// The change is not made.
        Rejected = "rejected", "Rejected";
    }
);

/// A step of the lifecycle someone asks to take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Record or revise a party's impact assessment.
    Assess,
    /// Approve or reject.
    Decide,
    /// Record the implementation.
    Implement,
    /// Close, signed.
    Close,
}

impl ChangeControlStatus {
    /// The status once `parties_assessed` of the two parties have recorded their impact assessment, before any
    /// decision: both are needed.
    pub fn after_assessments(parties_assessed: usize) -> ChangeControlStatus {
        if parties_assessed >= 2 { ChangeControlStatus::Assessed } else { ChangeControlStatus::Raised }
    }

    /// Why `step` cannot be taken in this status, if it cannot.
    pub fn refusal(self, step: Step) -> Option<String> {
        use ChangeControlStatus::*;
        let now = self.label().to_lowercase();
        match (step, self) {
            (Step::Assess, Raised | Assessed)
            | (Step::Decide, Assessed)
            | (Step::Implement, Approved)
            | (Step::Close, Implemented) => None,
            (Step::Assess, _) => Some(format!("The change control is {now}: its impact assessments no longer change.")),
            (Step::Decide, Raised) => {
                Some("Both parties assess the change's impact before it is approved or rejected.".into())
            }
            (Step::Decide, _) => Some(format!("The change control is already {now}.")),
            (Step::Implement, Raised | Assessed) => {
                Some("The change is not approved yet: it is implemented only once approved.".into())
            }
            (Step::Implement, Rejected) | (Step::Close, Rejected) => {
                Some("The change was rejected: it is not implemented, and its record is complete.".into())
            }
            (Step::Implement, _) => Some("The implementation is already recorded.".into()),
            (Step::Close, Closed) => Some("The change control is already closed.".into()),
            (Step::Close, _) => Some("Record the implementation before closing the change control.".into()),
        }
    }
}

/// A change control as raised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeControlInput {
    /// The other party of the partnership (the sponsor for a CMO's change, the CMO for a sponsor's).
    pub partner: OrgId,
    /// The product the change affects (the sponsor's).
    pub product: ProductId,
    /// The transfer it concerns, if any.
    #[serde(default)]
    pub transfer: Option<TransferId>,
    /// The site where it is made, if one (either party's).
    #[serde(default)]
    pub site: Option<SiteId>,
    /// What it changes.
    pub change_type: ChangeType,
    /// The change, in a line.
    pub title: String,
    /// What changes, from what to what.
    pub description: String,
    /// Why it is needed.
    pub justification: String,
    /// When the raiser proposes to implement it.
    pub proposed_implementation: NaiveDate,
}

impl ChangeControlInput {
    /// Checks the title, description and justification, and that the proposed date is not past (`today`, UTC).
    pub fn validate(&self, today: NaiveDate) -> Result<(), ApiError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(ApiError::invalid("title", "Say what changes, in a line."));
        }
        if title.chars().count() > MAX_TITLE_LEN {
            return Err(ApiError::invalid("title", format!("Keep the title under {MAX_TITLE_LEN} characters.")));
        }
        if self.description.trim().is_empty() {
            return Err(ApiError::invalid("description", "Describe the change: what changes, from what to what."));
        }
        if self.justification.trim().is_empty() {
            return Err(ApiError::invalid("justification", "Say why the change is needed."));
        }
        if self.proposed_implementation < today {
            return Err(ApiError::invalid("proposed_implementation", "That date is in the past."));
        }
        Ok(())
    }
}

/// A party's impact assessment, on the version shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeControlAssessment {
    /// The impact on product quality (or why there is none).
    pub product_quality: String,
    /// What it means for the marketing authorisation.
    pub regulatory: RegulatoryImpact,
    /// Whether validation or qualification is needed.
    pub validation_needed: bool,
    /// Which validation or qualification, when needed.
    #[serde(default)]
    pub validation: String,
    /// Documents to revise (SOPs, batch records, specifications, filings), one reference each.
    #[serde(default)]
    pub affected_documents: Vec<String>,
    /// The risk the change carries.
    pub risk: RiskLevel,
    /// The version the user was shown.
    pub row_version: i64,
    /// Why, when the party's earlier assessment is revised.
    #[serde(default)]
    pub reason: Option<String>,
}

impl ChangeControlAssessment {
    /// Checks the assessment and, when it `revises` the party's earlier one, that a reason is given; returns the
    /// reason, trimmed, if there is one.
    pub fn validate(&self, revises: bool) -> Result<Option<String>, ApiError> {
        if self.product_quality.trim().is_empty() {
            return Err(ApiError::invalid(
                "product_quality",
                "Say how the change could affect product quality, or why it cannot.",
            ));
        }
        if self.validation_needed && self.validation.trim().is_empty() {
            return Err(ApiError::invalid("validation", "Say which validation or qualification the change needs."));
        }
        if self.affected_documents.len() > MAX_DOCUMENTS {
            return Err(ApiError::invalid(
                "affected_documents",
                format!("List at most {MAX_DOCUMENTS} documents; name a register for more."),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, document) in self.affected_documents.iter().enumerate() {
            let field = format!("affected_documents[{i}]");
            let name = document.trim();
            if name.is_empty() {
                return Err(ApiError::invalid(field, "Name the document, or remove the empty line."));
            }
            if name.chars().count() > MAX_DOCUMENT_LEN {
                return Err(ApiError::invalid(
                    field,
                    format!("Keep document references under {MAX_DOCUMENT_LEN} characters."),
                ));
            }
            if !seen.insert(name.to_lowercase()) {
                return Err(ApiError::invalid(field, format!("“{name}” is listed twice.")));
            }
        }
        let reason = self.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        if revises && reason.is_none() {
            return Err(ApiError::invalid("reason", "Say why your organisation's assessment changes."));
        }
        Ok(reason)
    }

    /// The documents as stored: trimmed.
    pub fn documents(&self) -> Vec<String> {
        self.affected_documents.iter().map(|d| d.trim().to_owned()).collect()
    }
}

/// One party's impact assessment as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactAssessment {
    /// Whose assessment it is.
    pub party: OrgRef,
    /// The impact on product quality.
    pub product_quality: String,
    /// What it means for the marketing authorisation.
    pub regulatory: RegulatoryImpact,
    /// Whether validation or qualification is needed.
    pub validation_needed: bool,
    /// Which, when needed.
    pub validation: String,
    /// Documents to revise.
    pub affected_documents: Vec<String>,
    /// The risk.
    pub risk: RiskLevel,
    /// Who recorded it (last).
    pub assessed_by: String,
    /// When.
    pub assessed_at: DateTime<Utc>,
}

/// The highest risk and the strictest regulatory impact the parties' assessments name, if any assessed.
pub fn overall(assessments: &[ImpactAssessment]) -> Option<(RiskLevel, RegulatoryImpact)> {
    let risk = assessments.iter().map(|a| a.risk).max()?;
    let regulatory = assessments.iter().map(|a| a.regulatory).max()?;
    Some((risk, regulatory))
}

/// Who approves a partnership's changes: QA of the party its quality agreement in effect makes accountable for
/// "Change approval" — or why nobody may yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Approver {
    /// QA of this party approves.
    Party {
        /// The accountable party.
        organisation: OrgRef,
    },
    /// No version of the partnership's quality agreement is in effect.
    NoQualityAgreement,
    /// The version in effect makes no party accountable for "Change approval".
    NotNamed,
}

impl Approver {
    /// Who approves, in words: "Helix Biologics QA" or why nobody may yet.
    pub fn describe(&self) -> String {
        match self {
            Approver::Party { organisation } => format!("{} QA (quality agreement)", organisation.name),
            Approver::NoQualityAgreement => "Nobody yet: no quality agreement in effect".into(),
            Approver::NotNamed => {
                format!("Nobody yet: the quality agreement names no one for “{}”", crate::quality::CHANGE_APPROVAL)
            }
        }
    }

    /// Why `org` may not decide on the change, if it may not.
    pub fn refusal(&self, org: OrgId) -> Option<String> {
        match self {
            Approver::Party { organisation } if organisation.id == org => None,
            Approver::Party { organisation } => Some(format!(
                "Under the quality agreement in effect, {}'s QA approves or rejects this partnership's changes.",
                organisation.name
            )),
            Approver::NoQualityAgreement => Some(
                "No quality agreement is in effect for this partnership, so nobody may approve its changes yet: \
                 both parties' QA approve one under Partners & agreements."
                    .into(),
            ),
            Approver::NotNamed => Some(format!(
                "The quality agreement in effect makes no party accountable for “{}”: add it to a new version \
                 before the change is decided.",
                crate::quality::CHANGE_APPROVAL
            )),
        }
    }
}

/// The signed decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRecord {
    /// Approved or rejected.
    pub decision: ChangeDecision,
    /// Why (required for a rejection).
    pub reason: String,
    /// The approver's signature.
    pub signature: Signature,
}

/// The recorded implementation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Implementation {
    /// When it was implemented.
    pub implemented_on: NaiveDate,
    /// What was done.
    pub note: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

/// The signed closure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosureRecord {
    /// How the change was evaluated after implementation.
    pub effectiveness: String,
    /// QA's signature.
    pub signature: Signature,
}

/// The approver's decision, signed with the password, bound to the content shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeDecisionRequest {
    /// Approved or rejected.
    pub decision: ChangeDecision,
    /// Why (required for a rejection).
    #[serde(default)]
    pub reason: String,
    /// The signer's password.
    pub password: String,
    /// The change control's content hash as shown.
    pub content_hash: String,
}

impl ChangeDecisionRequest {
    /// A rejection needs its reason.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.decision == ChangeDecision::Rejected && self.reason.trim().is_empty() {
            return Err(ApiError::invalid("reason", "Say why the change is rejected."));
        }
        Ok(())
    }
}

/// The implementation, recorded on the version shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeControlImplementation {
    /// When the change was implemented.
    pub implemented_on: NaiveDate,
    /// What was done (and where the evidence is).
    pub note: String,
    /// The version the user was shown.
    pub row_version: i64,
}

impl ChangeControlImplementation {
    /// Checks the note and that the date lies between the approval and `today`.
    pub fn validate(&self, approved_on: NaiveDate, today: NaiveDate) -> Result<(), ApiError> {
        if self.note.trim().is_empty() {
            return Err(ApiError::invalid("note", "Say what was done, and where the evidence is."));
        }
        if self.implemented_on > today {
            return Err(ApiError::invalid("implemented_on", "That date is in the future."));
        }
        if self.implemented_on < approved_on {
            return Err(ApiError::invalid(
                "implemented_on",
                format!("The change was approved on {approved_on}: it cannot have been implemented before."),
            ));
        }
        Ok(())
    }
}

/// QA's closure, signed with the password, bound to the content shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeControlClosure {
    /// How the change was evaluated after implementation: its objectives met, no harm to product quality.
    pub effectiveness: String,
    /// The signer's password.
    pub password: String,
    /// The change control's content hash as shown.
    pub content_hash: String,
}

impl ChangeControlClosure {
    /// The evaluation is required (ICH Q10 3.2.3).
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.effectiveness.trim().is_empty() {
            return Err(ApiError::invalid(
                "effectiveness",
                "Say how the change was evaluated after implementation: objectives met, no harm to quality.",
            ));
        }
        Ok(())
    }
}

/// A change control as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeControlView {
    /// Its id.
    pub id: ChangeControlId,
    /// Its number, e.g. "CC-2026-00004".
    pub number: String,
    /// As raised (`partner` as the raiser named it).
    pub input: ChangeControlInput,
    /// Where it stands.
    pub status: ChangeControlStatus,
    /// The partnership.
    pub partnership: PartnershipId,
    /// Whose record it is (who raised it).
    pub owner: OrgRef,
    /// The sponsor.
    pub sponsor: OrgRef,
    /// The CMO.
    pub cmo: OrgRef,
    /// The product.
    pub product: ProductRef,
    /// The transfer, if any.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub transfer: Option<TransferRef>,
    /// Whether the caller may open the transfer: the app links it only then (the code is shown either way).
    pub transfer_readable: bool,
    /// The site, if any.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub site: Option<SiteRef>,
    /// Who raised it.
    pub raised_by: String,
    /// When.
    pub raised_at: DateTime<Utc>,
    /// The parties' impact assessments, the owner's first.
    pub assessments: Vec<ImpactAssessment>,
    /// The parties whose assessment is still missing (before the decision).
    pub awaiting_assessment: Vec<OrgRef>,
    /// Who approves it.
    pub approver: Approver,
    /// The signed decision.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub decision: Option<DecisionRecord>,
    /// The implementation.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub implementation: Option<Implementation>,
    /// The signed closure.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub closure: Option<ClosureRecord>,
    /// Hash of what the next signature signs (the decision, then the closure).
    pub content_hash: String,
    /// Version, for optimistic concurrency.
    pub row_version: i64,
    /// What the caller may do with it.
    pub actions: Vec<crate::access::Action>,
}

impl ChangeControlView {
    /// The party of the partnership other than `org`.
    pub fn other_party(&self, org: OrgId) -> &OrgRef {
        if org == self.sponsor.id { &self.cmo } else { &self.sponsor }
    }
}

/// A change control in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeControlSummary {
    /// Its id.
    pub id: ChangeControlId,
    /// Its number.
    pub number: String,
    /// The change.
    pub title: String,
    /// What it changes.
    pub change_type: ChangeType,
    /// Where it stands.
    pub status: ChangeControlStatus,
    /// Product name.
    pub product: String,
    /// Whose record it is.
    pub owner: OrgRef,
    /// The other party.
    pub partner: OrgRef,
    /// The highest risk assessed so far.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub risk: Option<RiskLevel>,
    /// When it was raised.
    pub raised_at: DateTime<Utc>,
    /// When the raiser proposes to implement it.
    pub proposed_implementation: NaiveDate,
}

/// Which change controls a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ChangeControlQuery {
    /// Only change controls in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ChangeControlStatus>,
}

/// The change controls of the caller's partnerships, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeControlList {
    /// The change controls.
    pub items: Vec<ChangeControlSummary>,
    /// True when more matched than were returned.
    pub truncated: bool,
    /// Whether the caller may raise one (the rule, for the caller's role in its partnerships).
    pub may_raise: bool,
}

/// A transfer a change control may concern.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferOption {
    /// The transfer.
    pub transfer: TransferRef,
    /// Its product.
    pub product: ProductId,
}

/// One partnership of the caller's, with what a change control in it may name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnershipOption {
    /// The partnership.
    pub partnership: PartnershipId,
    /// The other party.
    pub partner: OrgRef,
    /// The sponsor's products.
    pub products: Vec<ProductRef>,
    /// The partnership's transfers.
    pub transfers: Vec<TransferOption>,
    /// Both parties' sites.
    pub sites: Vec<SiteRef>,
}

/// What the "raise a change control" form offers the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeControlSetup {
    /// The caller's partnerships, by partner name.
    pub partnerships: Vec<PartnershipOption>,
}

#[cfg(test)]
mod tests;
