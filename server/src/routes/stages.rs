//! A transfer's stages: the plan, a stage's dates, its deliverables, and its gate (approved by QA of both parties,
//! re-opened with a reason).

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{self, Authorized, DeliverableRecord, Record, Shown, Signing, Stage, UnitOfWork, approved_only};
use crate::routes::deliverables::{check_owner, with_actions as deliverable_with_actions};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::deliverable::{Deliverable, DeliverableInput};
use baton_domain::error::{ApiError, ErrorBody};
use baton_domain::ids::{DeliverableId, OrgId};
use baton_domain::signature::{Meaning, SignRequest};
use baton_domain::stage::{GateState, ReopenRequest, StageDates, StagePlan, StageView, passes_with, workflow};
use baton_domain::transfer::TransferDetail;
use serde_json::json;

/// The plan with each stage's and deliverable's actions: what the rule allows on the transfer's overview, narrowed
/// by each stage's state.
pub fn with_actions(mut plan: Vec<StageView>, allowed: &[Action], org: OrgId) -> Vec<StageView> {
    let snapshot = plan.clone();
    for (i, stage) in plan.iter_mut().enumerate() {
        stage.actions = allowed.iter().copied().filter(|a| workflow(&snapshot, i, *a, org).is_ok()).collect();
        let open_to_change = stage.actions.clone();
        for d in &mut stage.deliverables {
            d.actions = deliverable_with_actions(allowed, &open_to_change);
        }
    }
    plan
}

/// A transfer's stages, with their gates and deliverables.
#[utoipa::path(get, path = "/transfers/{id}/stages", tag = "transfers", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 200, body = StagePlan), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<StagePlan>, AppError> {
    let transfer = kernel::read::<TransferDetail>(&state, &user.profile, &id).await?;
    let mut conn = state.db.pool.acquire().await?;
    let stages = store::stages::plan(&mut conn, transfer.record().id).await?;
    Ok(Json(StagePlan { stages: with_actions(stages, &transfer.permitted(), user.profile.organisation.id) }))
}

/// The stage as it is now, with the caller's actions (after a change).
async fn respond(state: &AppState, user: &CurrentUser, stage: &Authorized<Stage>) -> Result<Json<StageView>, AppError> {
    let transfer = stage.record().transfer.id.to_string();
    let read = kernel::read::<TransferDetail>(state, &user.profile, &transfer).await?;
    let mut conn = state.db.pool.acquire().await?;
    let plan = store::stages::plan(&mut conn, read.record().id).await?;
    let id = stage.record().id();
    with_actions(plan, &read.permitted(), user.profile.organisation.id)
        .into_iter()
        .find(|s| s.id == id)
        .map(Json)
        .ok_or_else(|| anyhow::anyhow!("stage {id} vanished").into())
}

fn view(stage: &Authorized<Stage>) -> Result<&StageView, AppError> {
    stage.record().view().ok_or_else(|| anyhow::anyhow!("stage out of its plan").into())
}

/// Changes a stage's planned dates and actual start, on the version shown.
#[utoipa::path(put, path = "/stages/{id}", tag = "transfers", security(("session" = [])), request_body = StageDates,
    params(("id" = uuid::Uuid, Path, description = "Stage id")),
    responses((status = 200, body = StageView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(dates): ApiJson<StageDates>,
) -> Result<Json<StageView>, AppError> {
    let id = kernel::parse_id::<Stage>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let stage = work.authorize::<Stage>(id, Action::Plan).await?;
    dates.validate()?;
    kernel::ensure_unchanged(work.conn(), &stage, Shown::Version(dates.row_version)).await?;
    let before = view(&stage)?;
    let old = json!({"planned_start": before.planned_start, "planned_end": before.planned_end,
        "actual_start": before.actual_start});
    let new = json!({"planned_start": dates.planned_start, "planned_end": dates.planned_end,
        "actual_start": dates.actual_start});
    let now = work.now();
    store::stages::set_dates(work.conn(), id, &dates, now).await?;
    work.audit(stage.entry(AuditAction::Update, Some(old), Some(new), None)).await?;
    work.commit().await?;
    respond(&state, &user, &stage).await
}

/// Adds a deliverable to a stage whose gate is open.
#[utoipa::path(post, path = "/stages/{id}/deliverables", tag = "transfers", security(("session" = [])),
    request_body = DeliverableInput, params(("id" = uuid::Uuid, Path, description = "Stage id")),
    responses((status = 201, body = Deliverable), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_deliverable(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<DeliverableInput>,
) -> Result<(StatusCode, Json<Deliverable>), AppError> {
    let id = kernel::parse_id::<Stage>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let stage = work.authorize::<Stage>(id, Action::Plan).await?;
    input.validate()?;
    check_owner(work.conn(), &stage.record().transfer, &input).await?;
    let deliverable_id = DeliverableId(uuid::Uuid::new_v4());
    let now = work.now();
    store::stages::insert_deliverable(work.conn(), deliverable_id, id, &input, now).await?;
    let created = work.authorize::<DeliverableRecord>(deliverable_id, Action::Plan).await?;
    let new = store::stages::deliverable_values(&input);
    work.audit(created.entry(AuditAction::Create, None, Some(new), None)).await?;
    work.commit().await?;
    let actions = created.permitted();
    Ok((StatusCode::CREATED, Json(Deliverable { actions, ..created.into_record().deliverable })))
}

/// After the unit's user approved `stage`'s gate: if both parties' QA have now approved it, passes it (the stage
/// ended on `day`) with its state-change entry. True if it passed.
pub async fn pass_if_approved(
    work: &mut UnitOfWork<'_>,
    stage: &Authorized<Stage>,
    day: chrono::NaiveDate,
) -> Result<bool, AppError> {
    let transfer = &stage.record().transfer;
    let gate = &view(stage)?.gate;
    if !passes_with(gate, work.user().organisation.id, transfer.sponsor.id, transfer.cmo.id) {
        return Ok(false);
    }
    let now = work.now();
    store::stages::pass_gate(work.conn(), stage.record().id(), now, day).await?;
    let old = json!({"gate": GateState::Open.as_str(), "round": gate.round});
    let new = json!({"gate": GateState::Passed.as_str(), "round": gate.round});
    let reason = Some("Approved by QA of both parties".to_owned());
    work.audit(stage.entry(AuditAction::StateChange, Some(old), Some(new), reason)).await?;
    Ok(true)
}

/// QA of one party approves the gate as shown (its content hash), with the password; with both parties' approvals
/// the gate passes and its stage ends.
#[utoipa::path(post, path = "/stages/{id}/approvals", tag = "transfers", security(("session" = [])),
    request_body = SignRequest, params(("id" = uuid::Uuid, Path, description = "Stage id")),
    responses((status = 200, body = StageView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<SignRequest>,
) -> Result<Json<StageView>, AppError> {
    let id = kernel::parse_id::<Stage>(&id)?;
    let meaning = request.meaning;
    let signing = Signing {
        action: Action::Sign(Meaning::Approved),
        meaning: Meaning::Approved,
        shown: Shown::Hash(&request.content_hash),
        password: request.password,
    };
    let (mut work, stage) = kernel::sign::<Stage>(&state, &user.profile, id, signing, || {
        approved_only(meaning, "A gate is signed with the meaning \"approved\".")
    })
    .await?;
    let today = work.now().date_naive();
    pass_if_approved(&mut work, &stage, today).await?;
    work.commit().await?;
    respond(&state, &user, &stage).await
}

/// QA re-opens a passed gate, with a reason and the password: the stage opens again and the gate's approvals no
/// longer count (a new round begins).
#[utoipa::path(post, path = "/stages/{id}/reopening", tag = "transfers", security(("session" = [])),
    request_body = ReopenRequest, params(("id" = uuid::Uuid, Path, description = "Stage id")),
    responses((status = 200, body = StageView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<ReopenRequest>,
) -> Result<Json<StageView>, AppError> {
    let id = kernel::parse_id::<Stage>(&id)?;
    let reason = request.reason.trim().to_owned();
    let signing = Signing {
        action: Action::Sign(Meaning::Revoked),
        meaning: Meaning::Revoked,
        shown: Shown::Hash(&request.content_hash),
        password: request.password,
    };
    let (mut work, stage) = kernel::sign::<Stage>(&state, &user.profile, id, signing, || {
        if reason.is_empty() {
            Err(ApiError::invalid("reason", "Say why the gate is re-opened; its approvals will no longer count.")
                .into())
        } else {
            Ok(())
        }
    })
    .await?;
    let round = view(&stage)?.gate.round;
    let now = work.now();
    store::stages::reopen_gate(work.conn(), id, now).await?;
    let old = json!({"gate": GateState::Passed.as_str(), "round": round});
    let new = json!({"gate": GateState::Open.as_str(), "round": round + 1});
    work.audit(stage.entry(AuditAction::StateChange, Some(old), Some(new), Some(reason))).await?;
    work.commit().await?;
    respond(&state, &user, &stage).await
}
