//! Quality agreements: each partnership's RACI matrix, in immutable versions approved by both parties' QA.

use crate::auth::{self, CurrentUser};
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::store;
use crate::store::audit::{Actor, NewEntry, begin_write};
use crate::store::quality::{Parties, RECORD_TYPE};
use crate::store::signatures::SignedRecord;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::{self, Action, Decision, Resource};
use baton_domain::audit::AuditAction;
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::{PartnershipId, QualityAgreementId};
use baton_domain::quality::{QualityAgreement, QualityAgreementDraft, QualityAgreementState, approved_by};
use baton_domain::signature::{Meaning, SignRequest};
use chrono::Utc;
use serde_json::json;

/// Loads a partnership the caller may perform `action` on (reading is checked first, so strangers learn nothing).
async fn partnership(
    state: &AppState,
    user: &CurrentUser,
    raw: &str,
    action: Action,
) -> Result<(PartnershipId, Parties), AppError> {
    let id: PartnershipId =
        raw.parse().map_err(|_| ApiError::invalid("id", "That is not a valid partnership id (a UUID)."))?;
    let parties = store::quality::parties(&state.db.pool, id)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "There is no partnership with this id."))?;
    let resource = Resource::QualityAgreement { sponsor: parties.sponsor.id, cmo: parties.cmo.id };
    for needed in [Action::Read, action] {
        if let Decision::Deny(reason) = access::decide(&user.subject(), needed, &resource, &[], Utc::now()) {
            return Err(AppError::new(ErrorCode::NoAccess, reason.message()));
        }
    }
    Ok((id, parties))
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
    let (id, parties) = partnership(&state, &user, &id, Action::Read).await?;
    Ok(Json(store::quality::load(&state.db.pool, id, parties).await?))
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
    let (id, parties) = partnership(&state, &user, &id, Action::DraftAgreement).await?;
    draft.validate()?;
    let pool = &state.db.pool;
    let existing = store::quality::load(pool, id, parties.clone()).await?;
    let reason = draft.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if !existing.versions.is_empty() && reason.is_none() {
        return Err(ApiError::invalid("reason", "Say why the quality agreement changes.").into());
    }
    let now = Utc::now();
    let mut tx = begin_write(pool).await?;
    let (version_id, version, hash) = store::quality::insert_version(&mut tx, id, &draft, &user.profile, now).await?;
    let entry = NewEntry {
        actor: Actor::from(&user.profile),
        owner_org: Some(parties.sponsor.id),
        action: AuditAction::Create,
        record_type: RECORD_TYPE,
        record_id: version_id.to_string(),
        old: existing.versions.first().map(|v| json!({"version": v.version, "rows": v.rows})),
        new: Some(json!({"version": version, "rows": draft.rows, "content_hash": hash})),
        reason: reason.map(str::to_owned),
    };
    store::audit::append(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(store::quality::load(pool, id, parties).await?)))
}

/// QA of a party approves one version; with both approvals it takes effect and supersedes older ones.
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
    let version_id: QualityAgreementId =
        id.parse().map_err(|_| ApiError::invalid("id", "That is not a valid quality agreement id (a UUID)."))?;
    let pool = &state.db.pool;
    let partnership_id = store::quality::partnership_of(pool, version_id)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "There is no quality agreement version with this id."))?;
    let (partnership_id, parties) =
        partnership(&state, &user, &partnership_id.to_string(), Action::SignAgreement).await?;
    if request.meaning != Meaning::Approved {
        return Err(ApiError::invalid("meaning", "A quality agreement is signed with the meaning \"approved\".").into());
    }
    let current = store::quality::load(pool, partnership_id, parties.clone()).await?;
    let version =
        current.versions.iter().find(|v| v.id == version_id).ok_or_else(|| anyhow::anyhow!("version vanished"))?;
    if matches!(version.state, QualityAgreementState::Effective | QualityAgreementState::Superseded) {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("Version {} is {}.", version.version, version.state.label().to_lowercase()),
        ));
    }
    let own = user.profile.organisation.id;
    if approved_by(&version.signatures, own) {
        return Err(AppError::new(ErrorCode::Conflict, "QA of your organisation has already approved this version."));
    }
    auth::confirm_signer(pool, &user.profile, request.password).await?;
    let now = Utc::now();
    let mut tx = begin_write(pool).await?;
    let (id_text, owner, hash) = (version_id.to_string(), parties.sponsor.id, &version.content_hash);
    store::signatures::sign_on_record(
        &mut tx,
        SignedRecord { record_type: RECORD_TYPE, record_id: &id_text, owner_org: owner, content_hash: hash },
        &user.profile,
        Meaning::Approved,
        now,
    )
    .await?;
    let actor = Actor::from(&user.profile);
    let other = if own == parties.sponsor.id { parties.cmo.id } else { parties.sponsor.id };
    if approved_by(&version.signatures, other) {
        let entry = NewEntry {
            actor,
            owner_org: Some(parties.sponsor.id),
            action: AuditAction::StateChange,
            record_type: RECORD_TYPE,
            record_id: version_id.to_string(),
            old: Some(json!({"state": version.state.as_str()})),
            new: Some(json!({"state": QualityAgreementState::Effective.as_str(), "version": version.version})),
            reason: Some("Approved by QA of both parties".into()),
        };
        store::audit::append(&mut tx, entry, now).await?;
    }
    tx.commit().await?;
    Ok(Json(store::quality::load(pool, partnership_id, parties).await?))
}
