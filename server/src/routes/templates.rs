//! `/stage-template`: the caller's organisation's stage template for new transfers.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::ApiJson;
use crate::kernel::{self, OrgTemplate, Shown, UnitOfWork};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::error::ErrorBody;
use baton_domain::stage_template::{StageTemplate, TemplateChange};
use serde_json::json;

async fn respond(state: &AppState, user: &CurrentUser) -> Result<Json<StageTemplate>, AppError> {
    let own = user.profile.organisation.id.to_string();
    let read = kernel::read::<OrgTemplate>(state, &user.profile, &own).await?;
    let actions = read.permitted();
    Ok(Json(StageTemplate { actions, ..read.into_record().template }))
}

/// The organisation's stage template (the standard one until it writes its own).
#[utoipa::path(get, path = "/stage-template", tag = "transfers", security(("session" = [])),
    responses((status = 200, body = StageTemplate), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, user: CurrentUser) -> Result<Json<StageTemplate>, AppError> {
    respond(&state, &user).await
}

/// Replaces the organisation's template (stages added, renamed, reordered; default deliverables), on the version
/// shown. Transfers already started keep their stages.
#[utoipa::path(put, path = "/stage-template", tag = "transfers", security(("session" = [])), request_body = TemplateChange,
    responses((status = 200, body = StageTemplate), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(change): ApiJson<TemplateChange>,
) -> Result<Json<StageTemplate>, AppError> {
    let own = user.profile.organisation.id;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let template = work.authorize::<OrgTemplate>(own, Action::Plan).await?;
    change.validate()?;
    kernel::ensure_unchanged(work.conn(), &template, Shown::Version(change.row_version)).await?;
    let (name, stages) = change.trimmed();
    let before = &template.record().template;
    let old = json!({"name": before.name, "stages": before.stages});
    let new = json!({"name": name, "stages": stages});
    let now = work.now();
    store::templates::save(work.conn(), own, &name, &stages, before.row_version, now).await?;
    work.audit(template.entry(AuditAction::Update, Some(old), Some(new), None)).await?;
    work.commit().await?;
    respond(&state, &user).await
}
