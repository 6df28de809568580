//! A transfer's risk register: failure modes rated for severity, occurrence and detection, their RPN computed by
//! the shared crate, each mitigation optionally carried by one of the transfer's deliverables.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{self, Risk, Shown, UnitOfWork};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::error::{ApiError, ErrorBody};
use baton_domain::ids::{RiskId, TransferId};
use baton_domain::risk_register::{RiskChange, RiskInput, RiskRegister, StoredRisk, highest_first};
use baton_domain::transfer::TransferDetail;
use sqlx::AnyConnection;

/// 422 unless the mitigation's deliverable is one of the transfer's.
async fn check_deliverable(conn: &mut AnyConnection, transfer: TransferId, input: &RiskInput) -> Result<(), AppError> {
    let Some(deliverable) = input.mitigation_deliverable else { return Ok(()) };
    let stage = store::stages::stage_of(conn, deliverable).await?;
    let owner = match stage {
        Some(stage) => store::stages::transfer_of(conn, stage).await?,
        None => None,
    };
    if owner != Some(transfer) {
        return Err(ApiError::invalid("mitigation_deliverable", "Choose one of this transfer's deliverables.").into());
    }
    Ok(())
}

fn values(input: &RiskInput) -> Result<serde_json::Value, AppError> {
    Ok(serde_json::to_value(input).map_err(anyhow::Error::from)?)
}

/// A transfer's failure modes, highest risk first.
#[utoipa::path(get, path = "/transfers/{id}/risks", tag = "transfers", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 200, body = RiskRegister), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RiskRegister>, AppError> {
    let transfer = kernel::read::<TransferDetail>(&state, &user.profile, &id).await?;
    let actions = transfer.permitted();
    let mut conn = state.db.pool.acquire().await?;
    let mut risks = store::risks::of_transfer(&mut conn, transfer.record().id).await?;
    highest_first(&mut risks);
    for risk in &mut risks {
        risk.actions = actions.iter().copied().filter(|a| matches!(a, Action::Read | Action::Contribute)).collect();
    }
    Ok(Json(RiskRegister { risks, actions }))
}

/// Adds a failure mode.
#[utoipa::path(post, path = "/transfers/{id}/risks", tag = "transfers", security(("session" = [])),
    request_body = RiskInput, params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 201, body = StoredRisk), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<RiskInput>,
) -> Result<(StatusCode, Json<StoredRisk>), AppError> {
    let transfer = kernel::parse_id::<TransferDetail>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    work.authorize::<TransferDetail>(transfer, Action::Contribute).await?;
    input.failure_mode.validate()?;
    check_deliverable(work.conn(), transfer, &input).await?;
    let risk = RiskId(uuid::Uuid::new_v4());
    let now = work.now();
    store::risks::insert(work.conn(), risk, transfer, &input, now).await?;
    let created = work.authorize::<Risk>(risk, Action::Read).await?;
    work.audit(created.entry(AuditAction::Create, None, Some(values(&input)?), None)).await?;
    let actions = created.permitted();
    work.commit().await?;
    Ok((StatusCode::CREATED, Json(StoredRisk { actions, ..created.into_record().risk })))
}

/// One failure mode.
#[utoipa::path(get, path = "/risks/{id}", tag = "transfers", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Risk id")),
    responses((status = 200, body = StoredRisk), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<StoredRisk>, AppError> {
    let read = kernel::read::<Risk>(&state, &user.profile, &id).await?;
    let actions = read.permitted();
    Ok(Json(StoredRisk { actions, ..read.into_record().risk }))
}

/// Changes a failure mode (its ratings, mitigation, residual ratings), on the version shown.
#[utoipa::path(put, path = "/risks/{id}", tag = "transfers", security(("session" = [])),
    request_body = RiskChange, params(("id" = uuid::Uuid, Path, description = "Risk id")),
    responses((status = 200, body = StoredRisk), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<RiskChange>,
) -> Result<Json<StoredRisk>, AppError> {
    let id = kernel::parse_id::<Risk>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let risk = work.authorize::<Risk>(id, Action::Contribute).await?;
    change.risk.failure_mode.validate()?;
    kernel::ensure_unchanged(work.conn(), &risk, Shown::Version(change.row_version)).await?;
    let transfer = risk.record().transfer.id;
    check_deliverable(work.conn(), transfer, &change.risk).await?;
    let before = &risk.record().risk;
    let old = values(&RiskInput {
        failure_mode: before.failure_mode.clone(),
        mitigation_deliverable: before.mitigation_deliverable,
    })?;
    let now = work.now();
    store::risks::update(work.conn(), id, &change.risk, now).await?;
    work.audit(risk.entry(AuditAction::Update, Some(old), Some(values(&change.risk)?), None)).await?;
    let changed = work.authorize::<Risk>(id, Action::Read).await?;
    work.commit().await?;
    let actions = changed.permitted();
    Ok(Json(StoredRisk { actions, ..changed.into_record().risk }))
}
