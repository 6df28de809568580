//! `/deliverables/{id}`: one deliverable, and changing it on the version shown.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{self, DeliverableRecord, Shown, UnitOfWork};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::deliverable::{Deliverable, DeliverableChange, DeliverableInput};
use baton_domain::error::{ApiError, ErrorBody};
use baton_domain::transfer::TransferDetail;
use sqlx::AnyConnection;

/// A deliverable's actions: reading as on its transfer, changing only while its stage is open to change.
pub fn with_actions(on_transfer: &[Action], on_stage: &[Action]) -> Vec<Action> {
    on_transfer
        .iter()
        .copied()
        .filter(|a| !matches!(a, Action::Plan | Action::Contribute) || on_stage.contains(a))
        .filter(|a| !matches!(a, Action::Sign(_)))
        .collect()
}

/// 422 unless the deliverable's owner is a party to the transfer and its person one of the owner's people.
pub async fn check_owner(
    conn: &mut AnyConnection,
    transfer: &TransferDetail,
    input: &DeliverableInput,
) -> Result<(), AppError> {
    if input.owner_org != transfer.sponsor.id && input.owner_org != transfer.cmo.id {
        return Err(ApiError::invalid("owner_org", "A deliverable is owned by the sponsor or the CMO.").into());
    }
    if let Some(person) = input.owner_person
        && store::setup::organisation_of(conn, person).await? != Some(input.owner_org)
    {
        let message = "The person responsible works for the owning organisation.";
        return Err(ApiError::invalid("owner_person", message).into());
    }
    Ok(())
}

/// One deliverable, with what the caller may do with it.
#[utoipa::path(get, path = "/deliverables/{id}", tag = "transfers", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Deliverable id")),
    responses((status = 200, body = Deliverable), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Deliverable>, AppError> {
    let read = kernel::read::<DeliverableRecord>(&state, &user.profile, &id).await?;
    let actions = read.permitted();
    Ok(Json(Deliverable { actions, ..read.into_record().deliverable }))
}

/// Changes a deliverable, on the version shown: a newer version gets 409 naming who changed what.
#[utoipa::path(put, path = "/deliverables/{id}", tag = "transfers", security(("session" = [])),
    request_body = DeliverableChange, params(("id" = uuid::Uuid, Path, description = "Deliverable id")),
    responses((status = 200, body = Deliverable), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<DeliverableChange>,
) -> Result<Json<Deliverable>, AppError> {
    let id = kernel::parse_id::<DeliverableRecord>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let record = work.authorize::<DeliverableRecord>(id, Action::Contribute).await?;
    change.deliverable.validate()?;
    kernel::ensure_unchanged(work.conn(), &record, Shown::Version(change.row_version)).await?;
    check_owner(work.conn(), &record.record().stage.transfer, &change.deliverable).await?;
    let old = store::stages::deliverable_values(&record.record().deliverable.input());
    let new = store::stages::deliverable_values(&change.deliverable);
    let now = work.now();
    store::stages::update_deliverable(work.conn(), id, &change.deliverable, now).await?;
    work.audit(record.entry(AuditAction::Update, Some(old), Some(new), None)).await?;
    let changed = work.authorize::<DeliverableRecord>(id, Action::Read).await?;
    work.commit().await?;
    let actions = changed.permitted();
    Ok(Json(Deliverable { actions, ..changed.into_record().deliverable }))
}
