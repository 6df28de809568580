//! KPI targets: each partnership's target and amber limit per KPI, in versions QA of both parties sign (an annex of
//! the quality agreement, under the same rule). A draft is edited until its first signature; the newest version both
//! have signed is the one the scorecard judges by.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{self, Partnership, Record, Shown, Signing, TargetsVersion, UnitOfWork, approved_only};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::error::{ErrorBody, ErrorCode};
use baton_domain::ids::PartnershipId;
use baton_domain::kpi_targets::{KpiTargetChange, KpiTargetDraft, KpiTargets};
use baton_domain::quality::{QualityAgreementState, approved_by};
use baton_domain::signature::{Meaning, SignRequest};
use serde_json::json;

/// The partnership's targets as `user` may act on them: proposing is offered while no draft is open (an open draft
/// is edited instead), and each version narrows the partnership's actions by its own state.
async fn respond(state: &AppState, user: &CurrentUser, id: PartnershipId) -> Result<Json<KpiTargets>, AppError> {
    let partnership = kernel::read::<Partnership>(state, &user.profile, &id.to_string()).await?;
    let actions = partnership.permitted();
    let parties = partnership.into_record().parties;
    let mut conn = state.db.pool.acquire().await?;
    let mut targets = store::kpi_targets::load(&mut conn, id, parties).await?;
    let own = user.profile.organisation.id;
    let draft_open = targets.open_draft().is_some();
    targets.actions = actions.iter().copied().filter(|a| !(draft_open && *a == Action::DraftAgreement)).collect();
    for version in &mut targets.versions {
        version.actions = actions.iter().copied().filter(|a| version.workflow_allows(*a, own).is_ok()).collect();
    }
    Ok(Json(targets))
}

/// A partnership's KPI targets: every version, newest first, who agreed the one in force, and the limits in use.
#[utoipa::path(get, path = "/partnerships/{id}/kpi-targets", tag = "quality", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Partnership id")),
    responses((status = 200, body = KpiTargets), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<KpiTargets>, AppError> {
    respond(&state, &user, kernel::parse_id::<Partnership>(&id)?).await
}

/// Proposes the next version of the targets, with the reason for the change; refused (409) while a draft is open.
#[utoipa::path(post, path = "/partnerships/{id}/kpi-targets", tag = "quality", security(("session" = [])),
    request_body = KpiTargetDraft, params(("id" = uuid::Uuid, Path, description = "Partnership id")),
    responses((status = 201, body = KpiTargets), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<KpiTargetDraft>,
) -> Result<(StatusCode, Json<KpiTargets>), AppError> {
    let id = kernel::parse_id::<Partnership>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let partnership = work.authorize::<Partnership>(id, Action::DraftAgreement).await?;
    draft.validate()?;
    let draft = draft.normalised();
    let existing = store::kpi_targets::load(work.conn(), id, partnership.record().parties.clone()).await?;
    if let Some(open) = existing.open_draft() {
        let message = format!(
            "Version {} is still a draft nobody has signed: edit it rather than proposing another.",
            open.version
        );
        return Err(AppError::new(ErrorCode::Conflict, message));
    }
    let now = work.now();
    let (version_id, version, hash) =
        store::kpi_targets::insert_version(work.conn(), id, &draft, &user.profile, now).await?;
    let created = work.authorize::<TargetsVersion>(version_id, Action::DraftAgreement).await?;
    let old = match existing.effective() {
        Some(v) => json!({"version": v.version, "targets": v.targets}),
        None => json!({"version": null, "targets": existing.in_use}),
    };
    let new = json!({"version": version, "targets": draft.targets, "content_hash": hash});
    work.audit(created.entry(AuditAction::Create, Some(old), Some(new), Some(draft.reason.clone()))).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, respond(&state, &user, id).await?))
}

/// Edits a version nobody has signed yet, as the editor was shown it (its content hash): a stale hash is refused
/// (409) naming who changed what; a signed version is refused (409) too.
#[utoipa::path(put, path = "/kpi-targets/{id}", tag = "quality", security(("session" = [])),
    request_body = KpiTargetChange, params(("id" = uuid::Uuid, Path, description = "KPI target version id")),
    responses((status = 200, body = KpiTargets), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<KpiTargetChange>,
) -> Result<Json<KpiTargets>, AppError> {
    let id = kernel::parse_id::<TargetsVersion>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let version = work.authorize::<TargetsVersion>(id, Action::DraftAgreement).await?;
    let draft = change.draft();
    draft.validate()?;
    kernel::ensure_unchanged(work.conn(), &version, Shown::Hash(&change.content_hash)).await?;
    let draft = draft.normalised();
    let partnership = version.record().partnership.id();
    let shown = version.record().version().ok_or_else(|| anyhow::anyhow!("version {id} vanished"))?;
    let (key, now) = ((partnership, id, shown.version), work.now());
    let hash = store::kpi_targets::update_draft(work.conn(), key, &draft, now).await?;
    let old = json!({"targets": shown.targets, "reason": shown.reason, "content_hash": shown.content_hash});
    let new = json!({"targets": draft.targets, "reason": draft.reason, "content_hash": hash});
    work.audit(version.entry(AuditAction::Update, Some(old), Some(new), Some(draft.reason.clone()))).await?;
    work.commit().await?;
    respond(&state, &user, partnership).await
}

/// QA of a party approves one version, as shown to them (its content hash); with both approvals it is in force and
/// supersedes the version before.
#[utoipa::path(post, path = "/kpi-targets/{id}/signatures", tag = "quality", security(("session" = [])),
    request_body = SignRequest, params(("id" = uuid::Uuid, Path, description = "KPI target version id")),
    responses((status = 200, body = KpiTargets), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn sign(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<SignRequest>,
) -> Result<Json<KpiTargets>, AppError> {
    let id = kernel::parse_id::<TargetsVersion>(&id)?;
    let meaning = request.meaning;
    let signing = Signing {
        action: Action::SignAgreement,
        meaning: Meaning::Approved,
        shown: Shown::Hash(&request.content_hash),
        password: request.password,
    };
    let (mut work, version) = kernel::sign::<TargetsVersion>(&state, &user.profile, id, signing, || {
        approved_only(meaning, "KPI targets are signed with the meaning \"approved\".")
    })
    .await?;
    let record = version.record();
    let parties = &record.partnership.parties;
    let own = user.profile.organisation.id;
    let other = if own == parties.sponsor.id { parties.cmo.id } else { parties.sponsor.id };
    let shown = record.version().ok_or_else(|| anyhow::anyhow!("version {id} vanished"))?;
    if approved_by(&shown.signatures, other) {
        let previous = record.targets.effective().filter(|v| v.version < shown.version);
        let old = json!({"state": shown.state.as_str()});
        let new = json!({"state": QualityAgreementState::Effective.as_str(), "version": shown.version,
            "supersedes": previous.map(|v| v.version)});
        let why = "Approved by QA of both parties".to_owned();
        work.audit(version.entry(AuditAction::StateChange, Some(old), Some(new), Some(why))).await?;
        if let Some(previous) = previous {
            // The superseded version's own history says so too.
            let superseded = work.authorize::<TargetsVersion>(previous.id, Action::Read).await?;
            let old = json!({"state": QualityAgreementState::Effective.as_str()});
            let new = json!({"state": QualityAgreementState::Superseded.as_str(), "superseded_by": shown.version});
            let why = format!("Version {} approved by QA of both parties", shown.version);
            work.audit(superseded.entry(AuditAction::StateChange, Some(old), Some(new), Some(why))).await?;
        }
    }
    let partnership = record.partnership.id();
    work.commit().await?;
    respond(&state, &user, partnership).await
}
