//! A transfer's stages, their gates and their deliverables.

use super::parse_column;
use crate::clock;
use baton_domain::deliverable::{Deliverable, DeliverableInput, PersonRef};
use baton_domain::ids::{DeliverableId, StageId, TransferId};
use baton_domain::org::OrgRef;
use baton_domain::record::RecordType;
use baton_domain::signature::Meaning;
use baton_domain::stage::{Gate, StageDates, StageView, blocked, gate_content_hash};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyConnection, FromRow};

fn date(value: Option<String>, column: &str) -> anyhow::Result<Option<NaiveDate>> {
    value.map(|v| clock::date_from_db(&v).map_err(|e| e.context(column.to_owned()))).transpose()
}

fn date_to_db(value: Option<NaiveDate>) -> Option<String> {
    value.map(|d| d.format("%Y-%m-%d").to_string())
}

#[derive(FromRow)]
struct StageRow {
    id: String,
    transfer_id: String,
    number: i64,
    name: String,
    planned_start: Option<String>,
    planned_end: Option<String>,
    actual_start: Option<String>,
    actual_end: Option<String>,
    gate_state: String,
    gate_round: i64,
    gate_passed_at: Option<String>,
    row_version: i64,
}

#[derive(FromRow)]
struct DeliverableRow {
    id: String,
    stage_id: String,
    title: String,
    description: String,
    owner_org_id: String,
    owner_org_name: String,
    owner_org_kind: String,
    owner_user_id: Option<String>,
    owner_user_name: Option<String>,
    owner_user_org: Option<String>,
    due_on: Option<String>,
    status: String,
    row_version: i64,
    updated_at: String,
}

const DELIVERABLES: &str = "SELECT d.id, d.stage_id, d.title, d.description, d.owner_org_id, o.name AS owner_org_name, \
     o.kind AS owner_org_kind, d.owner_user_id, u.display_name AS owner_user_name, u.organisation_id AS owner_user_org, \
     d.due_on, d.status, d.row_version, d.updated_at \
     FROM deliverables d JOIN transfer_stages st ON st.id = d.stage_id \
     JOIN organisations o ON o.id = d.owner_org_id LEFT JOIN users u ON u.id = d.owner_user_id";

fn deliverable(r: DeliverableRow, transfer: TransferId, stage_number: i64) -> anyhow::Result<Deliverable> {
    let owner_person = match (r.owner_user_id, r.owner_user_name, r.owner_user_org) {
        (Some(id), Some(name), Some(org)) => Some(PersonRef {
            id: parse_column(&id, "deliverables.owner_user_id")?,
            name,
            organisation: parse_column(&org, "users.organisation_id")?,
        }),
        _ => None,
    };
    Ok(Deliverable {
        id: parse_column(&r.id, "deliverables.id")?,
        stage_id: parse_column(&r.stage_id, "deliverables.stage_id")?,
        transfer_id: transfer,
        stage_number,
        title: r.title,
        description: r.description,
        owner: OrgRef {
            id: parse_column(&r.owner_org_id, "deliverables.owner_org_id")?,
            name: r.owner_org_name,
            kind: parse_column(&r.owner_org_kind, "organisations.kind")?,
        },
        owner_person,
        due_on: date(r.due_on, "deliverables.due_on")?,
        status: parse_column(&r.status, "deliverables.status")?,
        row_version: r.row_version,
        updated_at: clock::from_db(&r.updated_at)?,
        actions: Vec::new(),
    })
}

/// Every stage of a transfer in order, with its deliverables and its gate's approvals; `actions` are left empty.
pub async fn plan(conn: &mut AnyConnection, transfer: TransferId) -> anyhow::Result<Vec<StageView>> {
    let rows: Vec<StageRow> = sqlx::query_as(
        "SELECT id, transfer_id, number, name, planned_start, planned_end, actual_start, actual_end, gate_state, \
         gate_round, gate_passed_at, row_version FROM transfer_stages WHERE transfer_id = $1 ORDER BY number",
    )
    .bind(transfer.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let deliverable_rows: Vec<DeliverableRow> =
        sqlx::query_as(&format!("{DELIVERABLES} WHERE st.transfer_id = $1 ORDER BY st.number, d.position, d.id"))
            .bind(transfer.to_string())
            .fetch_all(&mut *conn)
            .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut approvals = super::signatures::for_records(conn, RecordType::Stage, &ids).await?;
    let mut stages = Vec::with_capacity(rows.len());
    for r in rows {
        let id: StageId = parse_column(&r.id, "transfer_stages.id")?;
        let deliverables = deliverable_rows
            .iter()
            .filter(|d| d.stage_id == r.id)
            .map(|d| deliverable(clone_row(d), transfer, r.number))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let content_hash = gate_content_hash(id, r.number, &r.name, r.gate_round, &deliverables);
        let mut signed = approvals.remove(&r.id).unwrap_or_default();
        signed.retain(|s| s.meaning == Meaning::Approved);
        for s in &mut signed {
            s.valid = s.content_hash == content_hash;
        }
        stages.push(StageView {
            id,
            transfer_id: parse_column(&r.transfer_id, "transfer_stages.transfer_id")?,
            number: r.number,
            name: r.name,
            planned_start: date(r.planned_start, "transfer_stages.planned_start")?,
            planned_end: date(r.planned_end, "transfer_stages.planned_end")?,
            actual_start: date(r.actual_start, "transfer_stages.actual_start")?,
            actual_end: date(r.actual_end, "transfer_stages.actual_end")?,
            gate: Gate {
                state: parse_column(&r.gate_state, "transfer_stages.gate_state")?,
                round: r.gate_round,
                passed_at: r.gate_passed_at.as_deref().map(clock::from_db).transpose()?,
                content_hash,
                approvals: signed,
                blocked_by: None,
            },
            deliverables,
            row_version: r.row_version,
            actions: Vec::new(),
        });
    }
    for i in 0..stages.len() {
        stages[i].gate.blocked_by = blocked(&stages, i);
    }
    Ok(stages)
}

fn clone_row(d: &DeliverableRow) -> DeliverableRow {
    DeliverableRow {
        id: d.id.clone(),
        stage_id: d.stage_id.clone(),
        title: d.title.clone(),
        description: d.description.clone(),
        owner_org_id: d.owner_org_id.clone(),
        owner_org_name: d.owner_org_name.clone(),
        owner_org_kind: d.owner_org_kind.clone(),
        owner_user_id: d.owner_user_id.clone(),
        owner_user_name: d.owner_user_name.clone(),
        owner_user_org: d.owner_user_org.clone(),
        due_on: d.due_on.clone(),
        status: d.status.clone(),
        row_version: d.row_version,
        updated_at: d.updated_at.clone(),
    }
}

/// The transfer a stage belongs to.
pub async fn transfer_of(conn: &mut AnyConnection, stage: StageId) -> anyhow::Result<Option<TransferId>> {
    let found: Option<String> = sqlx::query_scalar("SELECT transfer_id FROM transfer_stages WHERE id = $1")
        .bind(stage.to_string())
        .fetch_optional(conn)
        .await?;
    found.map(|t| parse_column(&t, "transfer_stages.transfer_id")).transpose()
}

/// The stage a deliverable belongs to.
pub async fn stage_of(conn: &mut AnyConnection, deliverable: DeliverableId) -> anyhow::Result<Option<StageId>> {
    let found: Option<String> = sqlx::query_scalar("SELECT stage_id FROM deliverables WHERE id = $1")
        .bind(deliverable.to_string())
        .fetch_optional(conn)
        .await?;
    found.map(|s| parse_column(&s, "deliverables.stage_id")).transpose()
}

/// A stage to add to a new transfer.
pub struct NewStage<'a> {
    /// Its id.
    pub id: StageId,
    /// Its position, from 1.
    pub number: i64,
    /// Its name.
    pub name: &'a str,
    /// Planned start.
    pub planned_start: Option<NaiveDate>,
    /// Planned end.
    pub planned_end: Option<NaiveDate>,
    /// Actual start, if it has started.
    pub actual_start: Option<NaiveDate>,
}

/// Adds a stage with an open gate.
pub async fn insert(
    conn: &mut AnyConnection,
    transfer: TransferId,
    s: &NewStage<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO transfer_stages (id, transfer_id, number, name, planned_start, planned_end, actual_start, \
         gate_state, gate_round, row_version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', 0, 1, $8)",
    )
    .bind(s.id.to_string())
    .bind(transfer.to_string())
    .bind(s.number)
    .bind(s.name)
    .bind(date_to_db(s.planned_start))
    .bind(date_to_db(s.planned_end))
    .bind(date_to_db(s.actual_start))
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a stage's dates and bumps its version.
pub async fn set_dates(
    conn: &mut AnyConnection,
    stage: StageId,
    dates: &StageDates,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE transfer_stages SET planned_start = $2, planned_end = $3, actual_start = $4, \
         row_version = row_version + 1, updated_at = $5 WHERE id = $1",
    )
    .bind(stage.to_string())
    .bind(date_to_db(dates.planned_start))
    .bind(date_to_db(dates.planned_end))
    .bind(date_to_db(dates.actual_start))
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a gate passed at `now`, its stage ended on `day` (and started then, if no start was recorded); bumps its
/// version.
pub async fn pass_gate(
    conn: &mut AnyConnection,
    stage: StageId,
    now: DateTime<Utc>,
    day: NaiveDate,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE transfer_stages SET gate_state = 'passed', gate_passed_at = $2, actual_end = $3, \
         actual_start = COALESCE(actual_start, $3), row_version = row_version + 1, updated_at = $2 WHERE id = $1",
    )
    .bind(stage.to_string())
    .bind(clock::to_db(now))
    .bind(day.format("%Y-%m-%d").to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Re-opens a gate in a new round (so earlier approvals no longer match it); bumps its version.
pub async fn reopen_gate(conn: &mut AnyConnection, stage: StageId, now: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE transfer_stages SET gate_state = 'open', gate_passed_at = NULL, actual_end = NULL, \
         gate_round = gate_round + 1, row_version = row_version + 1, updated_at = $2 WHERE id = $1",
    )
    .bind(stage.to_string())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds a deliverable at the end of its stage's list.
pub async fn insert_deliverable(
    conn: &mut AnyConnection,
    id: DeliverableId,
    stage: StageId,
    d: &DeliverableInput,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO deliverables (id, stage_id, position, title, description, owner_org_id, owner_user_id, due_on, \
         status, row_version, created_at, updated_at) VALUES ($1, $2, \
         (SELECT COALESCE(MAX(position), 0) + 1 FROM deliverables WHERE stage_id = $2), \
         $3, $4, $5, $6, $7, $8, 1, $9, $9)",
    )
    .bind(id.to_string())
    .bind(stage.to_string())
    .bind(d.title.trim())
    .bind(d.description.trim())
    .bind(d.owner_org.to_string())
    .bind(d.owner_person.map(|p| p.to_string()))
    .bind(date_to_db(d.due_on))
    .bind(d.status.as_str())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces a deliverable's fields and bumps its version.
pub async fn update_deliverable(
    conn: &mut AnyConnection,
    id: DeliverableId,
    d: &DeliverableInput,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE deliverables SET title = $2, description = $3, owner_org_id = $4, owner_user_id = $5, due_on = $6, \
         status = $7, row_version = row_version + 1, updated_at = $8 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(d.title.trim())
    .bind(d.description.trim())
    .bind(d.owner_org.to_string())
    .bind(d.owner_person.map(|p| p.to_string()))
    .bind(date_to_db(d.due_on))
    .bind(d.status.as_str())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A deliverable's fields as the audit trail records them.
pub fn deliverable_values(d: &DeliverableInput) -> serde_json::Value {
    serde_json::json!({
        "title": d.title.trim(), "description": d.description.trim(), "owner_org": d.owner_org,
        "owner_person": d.owner_person, "due_on": d.due_on, "status": d.status.as_str(),
    })
}
