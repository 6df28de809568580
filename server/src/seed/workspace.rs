//! Demo workspaces: each demo transfer's stages from the standard template, with realistic deliverables; the
//! gates before its current stage approved by both parties' QA (through the kernel, as they would sign them).

use super::{HELIX, person};
use crate::db::Db;
use crate::kernel::{Stage, UnitOfWork};
use crate::routes::stages::pass_if_approved;
use crate::store;
use crate::store::stages::NewStage;
use crate::store::transfers::NewTransfer;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::deliverable::{DeliverableInput, DeliverableStatus};
use baton_domain::ids::{DeliverableId, StageId, UserId};
use baton_domain::signature::Meaning;
use baton_domain::stage::GateState;
use baton_domain::stage_template::standard;
use chrono::{Duration, NaiveDate};
use serde_json::json;
use uuid::Uuid;

/// A demo transfer and how far it has come.
pub struct DemoTransfer {
    /// The transfer.
    pub transfer: NewTransfer<'static>,
    /// Its place in the demo (1, 2, 3): part of its stages' and deliverables' fixed ids.
    pub index: u128,
    /// Its current stage's number: the gates before it have passed.
    pub current: i64,
    /// The CMO's position in the demo organisations (for its QA and lead).
    pub cmo_index: usize,
}

/// The fixed id of demo transfer `index`'s stage `number`: `00000008-0000-4000-8000-0000000{index}{number:02}`.
pub fn stage_id(index: u128, number: i64) -> StageId {
    let number = u128::try_from(number).unwrap_or_default();
    StageId(Uuid::from_u128((0x0000_0008_0000_4000_8000_u128 << 48) | (index << 8) | number))
}

/// The fixed id of demo transfer `index`'s stage `number`'s deliverable at `position` (from 1).
pub fn deliverable_id(index: u128, number: i64, position: usize) -> DeliverableId {
    let (number, position) = (u128::try_from(number).unwrap_or_default(), position as u128);
    DeliverableId(Uuid::from_u128((0x0000_0009_0000_4000_8000_u128 << 48) | (index << 16) | (number << 8) | position))
}

/// Writes a demo transfer with its stages, deliverables and team, as its sponsor's lead would start it. Does nothing
/// if the transfer exists.
pub async fn seed_transfer(db: &Db, demo: &DemoTransfer) -> anyhow::Result<()> {
    let pool = &db.pool;
    let lead = person(db, 0, 1).await?;
    let mut work = UnitOfWork::begin(pool, &lead).await?;
    let now = work.now();
    if !store::transfers::insert(work.conn(), &demo.transfer, now).await? {
        return Ok(());
    }
    let t = &demo.transfer;
    let template = standard();
    let count = i64::try_from(template.stages.len())?;
    let span = (t.target_completion - t.started_on).num_days();
    let at = |k: i64| t.started_on + Duration::days(span * k / count);
    for (number, stage) in (1..).zip(&template.stages) {
        let id = stage_id(demo.index, number);
        // Stages up to the current one started on plan.
        let actual_start = (number <= demo.current).then(|| at(number - 1));
        let new = NewStage {
            id,
            number,
            name: &stage.name,
            planned_start: Some(at(number - 1)),
            planned_end: Some(at(number)),
            actual_start,
        };
        store::stages::insert(work.conn(), t.id, &new, now).await?;
        for (position, title) in stage.deliverables.iter().enumerate() {
            let status = match number.cmp(&demo.current) {
                std::cmp::Ordering::Less => DeliverableStatus::Done,
                std::cmp::Ordering::Equal if position == 0 => DeliverableStatus::Done,
                std::cmp::Ordering::Equal if position == 1 => DeliverableStatus::InProgress,
                _ => DeliverableStatus::Open,
            };
            // Receiving-unit work (its batches, its method transfer report) is the CMO's to deliver.
            let cmo_work = title.contains("batch") || title.contains("report") || title.contains("Gap analysis");
            let (owner_org, owner_person) = if cmo_work { (t.cmo, cmo_lead(demo)) } else { (HELIX, lead.id) };
            let input = DeliverableInput {
                title: title.clone(),
                description: String::new(),
                owner_org,
                owner_person: Some(owner_person),
                due_on: Some(at(number)),
                status,
            };
            let deliverable = deliverable_id(demo.index, number, position + 1);
            store::stages::insert_deliverable(work.conn(), deliverable, id, &input, now).await?;
        }
    }
    let team = [
        (lead.id, "Transfer lead (sending unit)"),
        (person(db, 0, 2).await?.id, "Quality assurance (sending unit)"),
        (cmo_lead(demo), "Transfer lead (receiving unit)"),
        (super::user_id(demo.cmo_index, 2), "Quality assurance (receiving unit)"),
    ];
    for (user, responsibility) in team {
        store::transfers::add_member(work.conn(), t.id, user, responsibility).await?;
    }
    let created = work.authorize::<baton_domain::transfer::TransferDetail>(t.id, Action::Plan).await?;
    let new = json!({"code": t.code, "stages": template.stages.iter().map(|s| &s.name).collect::<Vec<_>>()});
    work.audit(created.entry(AuditAction::Create, None, Some(new), None)).await?;
    work.commit().await?;
    Ok(())
}

/// Both QAs approve the gates before the demo transfer's current stage (those not yet passed), each a few days
/// before its stage's planned end. Needs the agreements that let the CMO's QA at the sponsor's plan.
pub async fn approve_gates(db: &Db, demo: &DemoTransfer) -> anyhow::Result<()> {
    let plan = store::stages::plan(&mut *db.pool.acquire().await?, demo.transfer.id).await?;
    for stage in plan.iter().filter(|s| s.number < demo.current && s.gate.state == GateState::Open) {
        let day = stage.planned_end.unwrap_or(demo.transfer.started_on) - Duration::days(3);
        approve_gate(db, demo, stage.number, day).await?;
    }
    Ok(())
}

fn cmo_lead(demo: &DemoTransfer) -> UserId {
    super::user_id(demo.cmo_index, 1)
}

/// Both QAs approve gate `number`, the sponsor's first; it passes on `day`.
async fn approve_gate(db: &Db, demo: &DemoTransfer, number: i64, day: NaiveDate) -> anyhow::Result<()> {
    let id = stage_id(demo.index, number);
    for org_index in [0, demo.cmo_index] {
        let qa = person(db, org_index, 2).await?;
        let mut work = UnitOfWork::begin(&db.pool, &qa).await?;
        let stage = work.authorize::<Stage>(id, Action::Sign(Meaning::Approved)).await?;
        work.sign(&stage, Meaning::Approved).await?;
        pass_if_approved(&mut work, &stage, day).await?;
        work.commit().await?;
    }
    Ok(())
}
