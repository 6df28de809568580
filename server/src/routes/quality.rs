//! Quality agreements: each partnership's RACI matrix, in immutable versions approved by both parties' QA.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{self, Partnership, QualityVersion, Record, Shown, Signing, UnitOfWork, approved_only};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::error::{ApiError, ErrorBody};
use baton_domain::ids::PartnershipId;
use baton_domain::quality::{QualityAgreement, QualityAgreementDraft, QualityAgreementState, approved_by};
use baton_domain::signature::{Meaning, SignRequest};
use serde_json::json;

async fn respond(state: &AppState, user: &CurrentUser, id: PartnershipId) -> Result<Json<QualityAgreement>, AppError> {
    let partnership = kernel::read::<Partnership>(state, &user.profile, &id.to_string()).await?;
    let actions = partnership.permitted();
    let record = partnership.into_record();
    let (own, now) = (user.profile.organisation.id, chrono::Utc::now());
    let mut quality = QualityAgreement { actions: actions.clone(), ..record.quality.clone() };
    // Each version narrows the partnership's actions by its own state (signed already, effective, superseded).
    for version in &mut quality.versions {
        let this = QualityVersion { partnership: record.clone(), id: version.id };
        version.actions = actions.iter().copied().filter(|a| this.workflow_allows(*a, own, now).is_ok()).collect();
    }
    Ok(Json(quality))
}

/// A partnership's quality agreement, every version, newest first.
#[utoipa::path(get, path = "/partnerships/{id}/quality-agreement", tag = "agreements", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Partnership id")),
    responses((status = 200, body = QualityAgreement), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<QualityAgreement>, AppError> {
    respond(&state, &user, kernel::parse_id::<Partnership>(&id)?).await
}

/// Proposes the next version of the matrix (a reason is required from the second version on).
#[utoipa::path(post, path = "/partnerships/{id}/quality-agreement", tag = "agreements", security(("session" = [])),
    request_body = QualityAgreementDraft, params(("id" = uuid::Uuid, Path, description = "Partnership id")),
    responses((status = 201, body = QualityAgreement), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<QualityAgreementDraft>,
) -> Result<(StatusCode, Json<QualityAgreement>), AppError> {
    let id = kernel::parse_id::<Partnership>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let partnership = work.authorize::<Partnership>(id, Action::DraftAgreement).await?;
    draft.validate()?;
    let existing = &partnership.record().quality.versions;
    let reason = draft.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if !existing.is_empty() && reason.is_none() {
        return Err(ApiError::invalid("reason", "Say why the quality agreement changes.").into());
    }
    let now = work.now();
    let (version_id, version, hash) =
        store::quality::insert_version(work.conn(), id, &draft, &user.profile, now).await?;
    let created = work.authorize::<QualityVersion>(version_id, Action::DraftAgreement).await?;
    let old = existing.first().map(|v| json!({"version": v.version, "rows": v.rows}));
    let new = json!({"version": version, "rows": draft.rows, "content_hash": hash});
    work.audit(created.entry(AuditAction::Create, old, Some(new), reason.map(str::to_owned))).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, respond(&state, &user, id).await?))
}

/// QA of a party approves one version, as shown to them (its content hash); with both approvals it takes effect and
/// supersedes older ones.
#[utoipa::path(post, path = "/quality-agreements/{id}/signatures", tag = "agreements", security(("session" = [])),
    request_body = SignRequest, params(("id" = uuid::Uuid, Path, description = "Quality agreement version id")),
    responses((status = 200, body = QualityAgreement), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn sign(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<SignRequest>,
) -> Result<Json<QualityAgreement>, AppError> {
    let id = kernel::parse_id::<QualityVersion>(&id)?;
    let meaning = request.meaning;
    let signing = Signing {
        action: Action::SignAgreement,
        meaning: Meaning::Approved,
        shown: Shown::Hash(&request.content_hash),
        password: request.password,
    };
    let (mut work, version) = kernel::sign::<QualityVersion>(&state, &user.profile, id, signing, || {
        approved_only(meaning, "A quality agreement is signed with the meaning \"approved\".")
    })
    .await?;
    let parties = &version.record().partnership.parties;
    let own = user.profile.organisation.id;
    let other = if own == parties.sponsor.id { parties.cmo.id } else { parties.sponsor.id };
    let shown = version.record().version().ok_or_else(|| anyhow::anyhow!("version {id} vanished"))?;
    if approved_by(&shown.signatures, other) {
        let old = json!({"state": shown.state.as_str()});
        let new = json!({"state": QualityAgreementState::Effective.as_str(), "version": shown.version});
        work.audit(version.entry(
            AuditAction::StateChange,
            Some(old),
            Some(new),
            Some("Approved by QA of both parties".into()),
        ))
        .await?;
    }
    let partnership = version.record().partnership.quality.partnership_id;
    work.commit().await?;
    respond(&state, &user, partnership).await
}
