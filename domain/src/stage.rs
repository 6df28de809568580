//! A transfer's stages and their gates. A gate passes when QA of both parties have approved it, on the content they
//! were shown; gates pass in order; a gate cannot be approved while a deliverable of its stage is open; re-opening
//! a passed gate needs a reason and voids its approvals (they were bound to a round that is over).

use crate::access::Action;
use crate::deliverable::Deliverable;
use crate::error::ApiError;
use crate::ids::{OrgId, StageId, TransferId};
use crate::signature::{Meaning, Signature, content_hash};
use crate::stored_enum::stored_enum;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

stored_enum!(
    /// Whether a stage's gate has passed.
    GateState {
        /// Not yet approved by both parties.
        Open = "open", "Open";
        /// Approved by QA of both parties.
        Passed = "passed", "Passed";
    }
);

/// A stage's gate as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gate {
    /// Whether it has passed.
    pub state: GateState,
    /// How many times it was re-opened; approvals belong to one round.
    pub round: i64,
    /// When it passed.
    pub passed_at: Option<DateTime<Utc>>,
    /// The hash of what an approver is shown (the stage and its deliverables in this round).
    pub content_hash: String,
    /// Approvals given in any round; those of earlier rounds are shown as no longer valid.
    pub approvals: Vec<Signature>,
    /// Why it cannot be approved now, if it cannot (for everyone, whatever their role).
    pub blocked_by: Option<String>,
}

/// A stage of a transfer with its gate and deliverables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageView {
    /// Its id.
    pub id: StageId,
    /// Its transfer.
    pub transfer_id: TransferId,
    /// Its position, from 1; its deep link is `/transfers/{transfer}/stages/{number}`.
    pub number: i64,
    /// Its name.
    pub name: String,
    /// Planned start.
    pub planned_start: Option<NaiveDate>,
    /// Planned end: the date its gate is due to pass.
    pub planned_end: Option<NaiveDate>,
    /// Actual start.
    pub actual_start: Option<NaiveDate>,
    /// Actual end: the day its gate passed.
    pub actual_end: Option<NaiveDate>,
    /// Its gate.
    pub gate: Gate,
    /// Its deliverables.
    pub deliverables: Vec<Deliverable>,
    /// Bumped by every change to its dates or gate; a change must name the version it was made on.
    pub row_version: i64,
    /// What the caller may do with it (from the access rule and the gate's state).
    #[serde(default)]
    pub actions: Vec<crate::access::Action>,
}

impl StageView {
    /// Whether it is unfinished and past its planned end on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.gate.state == GateState::Open && self.planned_end.is_some_and(|end| end < today)
    }
}

/// A transfer's stages in order: its plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StagePlan {
    /// Its stages.
    pub stages: Vec<StageView>,
}

/// New dates for a stage, made on the version the editor was shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageDates {
    /// Planned start.
    pub planned_start: Option<NaiveDate>,
    /// Planned end.
    pub planned_end: Option<NaiveDate>,
    /// Actual start.
    pub actual_start: Option<NaiveDate>,
    /// The version the change was made on; a newer one gets 409.
    pub row_version: i64,
}

impl StageDates {
    /// Checks the dates are in order; the error names the field.
    pub fn validate(&self) -> Result<(), ApiError> {
        if let (Some(start), Some(end)) = (self.planned_start, self.planned_end)
            && end < start
        {
            return Err(ApiError::invalid("planned_end", "The planned end is before the planned start."));
        }
        Ok(())
    }
}

/// A request to re-open a passed gate: the reason, and the signer's password (it voids the approvals).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReopenRequest {
    /// Why the gate is re-opened.
    pub reason: String,
    /// The password, re-entered.
    pub password: String,
    /// The gate's content hash as shown.
    pub content_hash: String,
}

/// Where a transfer stands: its first stage whose gate is open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageProgress {
    /// The current stage's number (the last stage's once all have passed).
    pub number: i64,
    /// Its name.
    pub name: String,
    /// How many stages the transfer has.
    pub count: i64,
    /// Every gate has passed.
    pub closed: bool,
    /// When the current stage is planned to end.
    #[serde(default)]
    pub planned_end: Option<NaiveDate>,
}

impl StageProgress {
    /// Whether the current stage is past its planned end on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.closed && self.planned_end.is_some_and(|end| end < today)
    }
}

impl StageProgress {
    /// "Analytical method transfer (stage 4 of 8)", or "Closed (8 of 8 stages passed)".
    pub fn describe(&self) -> String {
        if self.closed {
            format!("Closed ({} of {} stages passed)", self.count, self.count)
        } else {
            format!("{} (stage {} of {})", self.name, self.number, self.count)
        }
    }
}

/// What an approver of stage `number`'s gate is shown, and so signs: the stage, the round, and its deliverables.
pub fn gate_content_hash(stage: StageId, number: i64, name: &str, round: i64, deliverables: &[Deliverable]) -> String {
    let mut items: Vec<_> = deliverables
        .iter()
        .map(|d| json!({"id": d.id, "title": d.title, "status": d.status.as_str(), "owner": d.owner.id, "due_on": d.due_on}))
        .collect();
    items.sort_by_key(|v| v["id"].to_string());
    content_hash(&json!({"stage": stage, "number": number, "name": name, "round": round, "deliverables": items}))
}

/// The organisations whose QA approved the gate in its current round.
pub fn approved_in_round(gate: &Gate) -> Vec<OrgId> {
    let mut orgs: Vec<OrgId> = gate
        .approvals
        .iter()
        .filter(|s| s.meaning == Meaning::Approved && s.content_hash == gate.content_hash)
        .map(|s| s.organisation_id)
        .collect();
    orgs.sort();
    orgs.dedup();
    orgs
}

/// Why stage `i` of `plan` (in order) cannot be approved by anyone now, if it cannot.
pub fn blocked(plan: &[StageView], i: usize) -> Option<String> {
    let stage = plan.get(i)?;
    if stage.gate.state == GateState::Passed {
        return Some(format!("Gate {} has passed.", stage.number));
    }
    if let Some(previous) = i.checked_sub(1).and_then(|p| plan.get(p))
        && previous.gate.state != GateState::Passed
    {
        return Some(format!("Gates pass in order: gate {} ({}) has not passed yet.", previous.number, previous.name));
    }
    let open: Vec<String> =
        stage.deliverables.iter().filter(|d| d.status.is_open()).map(|d| format!("“{}”", d.title)).collect();
    match open.len() {
        0 => None,
        1 => Some(format!("A deliverable of this stage is still open: {}.", open[0])),
        n => Some(format!("{n} deliverables of this stage are still open: {}.", open.join(", "))),
    }
}

/// Why QA of `org` cannot approve stage `i`'s gate now, if it cannot.
pub fn approval_refusal(plan: &[StageView], i: usize, org: OrgId) -> Option<String> {
    blocked(plan, i).or_else(|| {
        let gate = &plan.get(i)?.gate;
        approved_in_round(gate).contains(&org).then(|| "QA of your organisation has already approved this gate.".into())
    })
}

/// Whether approvals from both parties are in once `org`'s is added.
pub fn passes_with(gate: &Gate, org: OrgId, sponsor: OrgId, cmo: OrgId) -> bool {
    let mut orgs = approved_in_round(gate);
    orgs.push(org);
    orgs.contains(&sponsor) && orgs.contains(&cmo)
}

/// Why stage `i`'s gate cannot be re-opened, if it cannot: it must have passed, and the next must not have.
pub fn reopen_refusal(plan: &[StageView], i: usize) -> Option<String> {
    let stage = plan.get(i)?;
    if stage.gate.state != GateState::Passed {
        return Some(format!("Gate {} is open already.", stage.number));
    }
    match plan.get(i + 1) {
        Some(next) if next.gate.state == GateState::Passed => {
            Some(format!("Re-open gate {} ({}) first: gates re-open in reverse order.", next.number, next.name))
        }
        _ => None,
    }
}

/// Whether stage `i`'s state lets `org` take `action` on it (or on a deliverable of it) now; `Err` says why not.
/// Approving and re-opening follow the gate rules; a passed stage is closed to changes until it is re-opened.
pub fn workflow(plan: &[StageView], i: usize, action: Action, org: OrgId) -> Result<(), String> {
    let Some(stage) = plan.get(i) else { return Err("This stage no longer exists.".into()) };
    let refusal = match action {
        Action::Sign(Meaning::Approved) => approval_refusal(plan, i, org),
        Action::Sign(Meaning::Revoked) => reopen_refusal(plan, i),
        Action::Sign(_) => Some("A gate is approved or re-opened; it takes no other signature.".into()),
        Action::Plan | Action::Contribute if stage.gate.state == GateState::Passed => {
            Some(format!("Gate {} has passed; re-open it to change this stage.", stage.number))
        }
        _ => None,
    };
    refusal.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests;
