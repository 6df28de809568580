use super::*;
use crate::deliverable::DeliverableStatus;
use crate::ids::{DeliverableId, UserId};
use crate::org::{OrgKind, OrgRef};
use proptest::prelude::*;
use uuid::Uuid;

fn org(n: u128) -> OrgId {
    OrgId(Uuid::from_u128(n))
}

const SPONSOR: u128 = 1;
const CMO: u128 = 2;

fn deliverable(title: &str, status: DeliverableStatus) -> Deliverable {
    let n = title.bytes().fold(0u128, |h, b| h * 31 + u128::from(b));
    Deliverable {
        id: DeliverableId(Uuid::from_u128(n)),
        stage_id: StageId(Uuid::nil()),
        transfer_id: TransferId(Uuid::nil()),
        stage_number: 1,
        title: title.into(),
        description: String::new(),
        owner: OrgRef { id: org(SPONSOR), name: "Helix".into(), kind: OrgKind::Sponsor },
        owner_person: None,
        due_on: None,
        status,
        row_version: 1,
        updated_at: DateTime::from_timestamp(0, 0).expect("epoch"),
        actions: Vec::new(),
    }
}

fn stage(number: i64, state: GateState, deliverables: Vec<Deliverable>) -> StageView {
    let id = StageId(Uuid::from_u128(100 + number as u128));
    let name = format!("Stage {number}");
    let content_hash = gate_content_hash(id, number, &name, 0, &deliverables);
    StageView {
        id,
        transfer_id: TransferId(Uuid::nil()),
        number,
        name,
        planned_start: None,
        planned_end: None,
        actual_start: None,
        actual_end: None,
        gate: Gate { state, round: 0, passed_at: None, content_hash, approvals: Vec::new(), blocked_by: None },
        deliverables,
        row_version: 1,
        actions: Vec::new(),
    }
}

fn approval(by: u128, hash: &str) -> Signature {
    Signature {
        signer_id: UserId(Uuid::from_u128(by + 50)),
        signer_name: "QA".into(),
        organisation_id: org(by),
        organisation: "Org".into(),
        meaning: Meaning::Approved,
        signed_at: DateTime::from_timestamp(0, 0).expect("epoch"),
        content_hash: hash.into(),
        valid: true,
    }
}

#[test]
fn gates_pass_in_order() {
    let plan = vec![stage(1, GateState::Open, vec![]), stage(2, GateState::Open, vec![])];
    assert_eq!(blocked(&plan, 0), None);
    assert_eq!(blocked(&plan, 1), Some("Gates pass in order: gate 1 (Stage 1) has not passed yet.".into()));
    let plan = vec![stage(1, GateState::Passed, vec![]), stage(2, GateState::Open, vec![])];
    assert_eq!(blocked(&plan, 0), Some("Gate 1 has passed.".into()));
    assert_eq!(blocked(&plan, 1), None);
}

#[test]
fn open_deliverables_block_the_gate_and_are_named() {
    let plan = vec![stage(
        1,
        GateState::Open,
        vec![
            deliverable("Gap analysis", DeliverableStatus::Done),
            deliverable("Transfer protocol", DeliverableStatus::InProgress),
            deliverable("Risk assessment", DeliverableStatus::Open),
        ],
    )];
    assert_eq!(
        blocked(&plan, 0),
        Some("2 deliverables of this stage are still open: “Transfer protocol”, “Risk assessment”.".into())
    );
    let one = vec![stage(1, GateState::Open, vec![deliverable("Gap analysis", DeliverableStatus::Open)])];
    assert_eq!(blocked(&one, 0), Some("A deliverable of this stage is still open: “Gap analysis”.".into()));
}

#[test]
fn both_parties_qa_pass_a_gate_and_each_signs_once_per_round() {
    let mut plan = vec![stage(1, GateState::Open, vec![])];
    let hash = plan[0].gate.content_hash.clone();
    assert!(!passes_with(&plan[0].gate, org(SPONSOR), org(SPONSOR), org(CMO)));
    plan[0].gate.approvals.push(approval(SPONSOR, &hash));
    assert_eq!(
        approval_refusal(&plan, 0, org(SPONSOR)),
        Some("QA of your organisation has already approved this gate.".into())
    );
    assert_eq!(approval_refusal(&plan, 0, org(CMO)), None);
    assert!(passes_with(&plan[0].gate, org(CMO), org(SPONSOR), org(CMO)));
}

#[test]
fn approvals_of_an_earlier_round_do_not_count() {
    let mut plan = vec![stage(1, GateState::Open, vec![])];
    plan[0].gate.approvals.push(approval(SPONSOR, "hash of round 0 before re-opening"));
    assert!(approved_in_round(&plan[0].gate).is_empty());
    assert!(!passes_with(&plan[0].gate, org(CMO), org(SPONSOR), org(CMO)));
    assert_eq!(approval_refusal(&plan, 0, org(SPONSOR)), None);
}

#[test]
fn the_hash_binds_round_deliverable_status_and_title() {
    let d = deliverable("Protocol", DeliverableStatus::Done);
    let base = gate_content_hash(StageId(Uuid::nil()), 1, "Planning", 0, std::slice::from_ref(&d));
    assert_ne!(base, gate_content_hash(StageId(Uuid::nil()), 1, "Planning", 1, std::slice::from_ref(&d)));
    let reopened = Deliverable { status: DeliverableStatus::InProgress, ..d.clone() };
    assert_ne!(base, gate_content_hash(StageId(Uuid::nil()), 1, "Planning", 0, &[reopened]));
    let renamed = Deliverable { title: "Protocol v2".into(), ..d.clone() };
    assert_ne!(base, gate_content_hash(StageId(Uuid::nil()), 1, "Planning", 0, &[renamed]));
    let touched = Deliverable { row_version: 9, description: "notes".into(), ..d.clone() };
    assert_eq!(base, gate_content_hash(StageId(Uuid::nil()), 1, "Planning", 0, &[touched]));
}

#[test]
fn re_opening_needs_a_passed_gate_and_goes_backwards() {
    let plan = vec![
        stage(1, GateState::Passed, vec![]),
        stage(2, GateState::Passed, vec![]),
        stage(3, GateState::Open, vec![]),
    ];
    assert_eq!(
        reopen_refusal(&plan, 0),
        Some("Re-open gate 2 (Stage 2) first: gates re-open in reverse order.".into())
    );
    assert_eq!(reopen_refusal(&plan, 1), None);
    assert_eq!(reopen_refusal(&plan, 2), Some("Gate 3 is open already.".into()));
}

#[test]
fn progress_reads_as_a_sentence_and_is_overdue_past_its_planned_end() {
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
    let p = StageProgress { number: 2, name: "S2".into(), count: 3, closed: false, planned_end: Some(day(10)) };
    assert_eq!(p.describe(), "S2 (stage 2 of 3)");
    assert!(!p.is_overdue(day(10)));
    assert!(p.is_overdue(day(11)));
    let closed = StageProgress { closed: true, ..p };
    assert_eq!(closed.describe(), "Closed (3 of 3 stages passed)");
    assert!(!closed.is_overdue(day(11)));
}

#[test]
fn planned_dates_must_be_in_order() {
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d);
    let dates = StageDates { planned_start: day(10), planned_end: day(9), actual_start: None, row_version: 1 };
    assert_eq!(dates.validate().map_err(|e| e.field), Err(Some("planned_end".into())));
    assert_eq!(StageDates { planned_end: day(10), ..dates }.validate(), Ok(()));
}

proptest! {
    /// In a plan whose gates passed in order, exactly the first open gate is unblocked (when its deliverables are
    /// done) and exactly the last passed gate can be re-opened.
    #[test]
    fn only_the_frontier_moves(count in 1usize..10, passed in 0usize..10) {
        let passed = passed.min(count);
        let plan: Vec<StageView> = (0..count)
            .map(|i| stage(i as i64 + 1, if i < passed { GateState::Passed } else { GateState::Open }, vec![]))
            .collect();
        for i in 0..count {
            prop_assert_eq!(blocked(&plan, i).is_none(), i == passed);
            prop_assert_eq!(reopen_refusal(&plan, i).is_none(), passed > 0 && i == passed - 1);
        }
    }
}

#[test]
fn a_passed_stage_is_closed_to_changes_and_only_gate_signatures_apply() {
    let plan = vec![stage(1, GateState::Passed, vec![]), stage(2, GateState::Open, vec![])];
    let sponsor = org(SPONSOR);
    assert_eq!(
        workflow(&plan, 0, Action::Plan, sponsor),
        Err("Gate 1 has passed; re-open it to change this stage.".into())
    );
    assert!(workflow(&plan, 0, Action::Contribute, sponsor).is_err());
    assert_eq!(workflow(&plan, 0, Action::Read, sponsor), Ok(()));
    assert_eq!(workflow(&plan, 0, Action::Sign(Meaning::Revoked), sponsor), Ok(()));
    assert_eq!(workflow(&plan, 1, Action::Plan, sponsor), Ok(()));
    assert_eq!(workflow(&plan, 1, Action::Sign(Meaning::Approved), sponsor), Ok(()));
    assert!(workflow(&plan, 1, Action::Sign(Meaning::Released), sponsor).is_err());
    assert!(workflow(&plan, 2, Action::Read, sponsor).is_err());
}
