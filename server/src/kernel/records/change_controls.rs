//! Change controls: records of a partnership that both parties read in full, owned by the party that raised them.
//! Both parties assess; QA of the party the quality agreement in effect makes accountable for "Change approval"
//! decides, signing what both assessed; the owner records the implementation and its QA closes, signing that too.

use crate::kernel::Record;
use crate::store;
use baton_domain::access::{Action, Resource};
use baton_domain::change_control::{
    Approver, ChangeControlStatus, ChangeControlView, ChangeDecision, ClosureRecord, DecisionRecord, Step,
};
use baton_domain::ids::{ChangeControlId, OrgId};
use baton_domain::quality::CHANGE_APPROVAL;
use baton_domain::record::RecordType;
use baton_domain::signature::{Meaning, Signature, content_hash};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;

/// A change control with its assessments, approver, decision and closure.
#[derive(Clone, Debug)]
pub struct ChangeControl {
    /// As its page shows it (actions left empty).
    pub view: ChangeControlView,
}

/// What the decision signs: the change as raised and both parties' assessments (not who recorded them when).
fn decision_content(v: &ChangeControlView) -> serde_json::Value {
    let assessments: Vec<_> = v
        .assessments
        .iter()
        .map(|a| {
            json!({"party": a.party.id, "product_quality": a.product_quality, "regulatory": a.regulatory,
                "validation_needed": a.validation_needed, "validation": a.validation,
                "affected_documents": a.affected_documents, "risk": a.risk})
        })
        .collect();
    json!({"change_control": v.id, "number": v.number, "owner": v.owner.id, "values": v.input,
        "raised_at": v.raised_at, "assessments": assessments})
}

/// What the closure signs: all the decision signed, the decision itself and the implementation.
fn closure_content(v: &ChangeControlView, decision: Option<&(ChangeDecision, String)>) -> serde_json::Value {
    let implementation = v.implementation.as_ref().map(|i| json!({"implemented_on": i.implemented_on, "note": i.note}));
    let decision = decision.map(|(d, reason)| json!({"decision": d, "reason": reason}));
    json!({"decided": decision_content(v), "decision": decision, "implementation": implementation})
}

/// The party the partnership's quality agreement in effect makes accountable for change approval, or why none.
async fn approver(conn: &mut AnyConnection, v: &ChangeControlView) -> anyhow::Result<Approver> {
    let Some(parties) = store::quality::parties(conn, v.partnership).await? else {
        return Ok(Approver::NoQualityAgreement);
    };
    let quality = store::quality::load(conn, v.partnership, parties).await?;
    if !quality.versions.iter().any(|q| q.state == baton_domain::quality::QualityAgreementState::Effective) {
        return Ok(Approver::NoQualityAgreement);
    }
    Ok(match quality.accountable_for(CHANGE_APPROVAL) {
        Some(organisation) => Approver::Party { organisation: organisation.clone() },
        None => Approver::NotNamed,
    })
}

impl ChangeControl {
    /// Why `org` may not sign with `meaning` now, if it may not: the decision is the approver's, in its step; the
    /// closure the owner's, once implemented.
    fn signing_refusal(&self, meaning: Meaning, org: OrgId) -> Option<String> {
        let v = &self.view;
        match (v.status, meaning) {
            (ChangeControlStatus::Implemented, Meaning::Approved) if org != v.owner.id => {
                Some(format!("This change control is {}'s record: only {}'s QA closes it.", v.owner.name, v.owner.name))
            }
            (ChangeControlStatus::Implemented, Meaning::Approved) => None,
            (_, Meaning::Approved | Meaning::Rejected) => {
                v.status.refusal(Step::Decide).or_else(|| v.approver.refusal(org))
            }
            _ => Some("A change control is signed as approved or rejected.".into()),
        }
    }
}

impl Record for ChangeControl {
    const TYPE: RecordType = RecordType::ChangeControl;
    const BAD_ID: &'static str = "That is not a valid change control id (a UUID).";
    const NOT_FOUND: &'static str = "There is no change control with this id.";
    const CACHED: bool = true;
    type Id = ChangeControlId;

    async fn load(conn: &mut AnyConnection, id: ChangeControlId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(stored) = store::change_controls::get(conn, id).await? else { return Ok(None) };
        let mut view = stored.view;
        let mut assessments = store::change_controls::assessments(conn, id).await?;
        // The owner's first, then the other party's.
        assessments.sort_by_key(|a| a.party.id != view.owner.id);
        view.assessments = assessments;
        if stored.decision.is_none() {
            let other = view.other_party(view.owner.id).clone();
            view.awaiting_assessment = [view.owner.clone(), other]
                .into_iter()
                .filter(|party| !view.assessments.iter().any(|a| a.party.id == party.id))
                .collect();
        }
        view.approver = approver(conn, &view).await?;
        let decided_hash = content_hash(&decision_content(&view));
        let closure_hash = content_hash(&closure_content(&view, stored.decision.as_ref()));
        let mut signatures = store::signatures::for_records(conn, RecordType::ChangeControl, &[id.to_string()]).await?;
        let mut signatures = signatures.remove(&id.to_string()).unwrap_or_default().into_iter();
        let valid = |s: Signature, hash: &str| Signature { valid: s.content_hash == hash, ..s };
        if let Some((decision, reason)) = stored.decision.clone() {
            // The first signature is the decision; a closure follows it.
            if let Some(signature) = signatures.next() {
                view.decision = Some(DecisionRecord { decision, reason, signature: valid(signature, &decided_hash) });
            }
        }
        if view.status == ChangeControlStatus::Closed
            && let Some(signature) = signatures.next()
        {
            let signature = valid(signature, &closure_hash);
            view.closure = Some(ClosureRecord { effectiveness: stored.effectiveness, signature });
        }
        view.content_hash = if stored.decision.is_some() { closure_hash } else { decided_hash };
        Ok(Some(ChangeControl { view }))
    }

    fn id(&self) -> ChangeControlId {
        self.view.id
    }

    fn resource(&self) -> Resource<'_> {
        let v = &self.view;
        Resource::PartnershipRecord { owner: v.owner.id, sponsor: v.sponsor.id, cmo: v.cmo.id }
    }

    fn workflow_allows(&self, action: Action, org: OrgId, _now: DateTime<Utc>) -> Result<(), String> {
        let v = &self.view;
        match action {
            // Contributing is assessing (either party, before the decision) or recording the implementation (the
            // owner, once approved).
            Action::Contribute => match v.status {
                ChangeControlStatus::Raised | ChangeControlStatus::Assessed => Ok(()),
                ChangeControlStatus::Approved if org == v.owner.id => Ok(()),
                ChangeControlStatus::Approved => Err(format!(
                    "The change is approved: its assessments no longer change, and {} records its implementation.",
                    v.owner.name
                )),
                _ => Err(format!(
                    "The change control is {}; its record no longer changes.",
                    v.status.label().to_lowercase()
                )),
            },
            Action::Sign(meaning) => self.signing_refusal(meaning, org).map_or(Ok(()), Err),
            _ => Ok(()),
        }
    }

    fn content_hash(&self) -> Option<&str> {
        Some(&self.view.content_hash)
    }

    fn row_version(&self) -> Option<i64> {
        Some(self.view.row_version)
    }
}
