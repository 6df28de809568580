//! `/partners` and `/agreements`: data-sharing agreements, drafted by the grantor, signed by both, revocable.

use crate::auth::{self, CurrentUser};
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::store;
use crate::store::agreements::{Agreement, Lineage, NewAgreement, RECORD_TYPE};
use crate::store::audit::{Actor, NewEntry, begin_write};
use crate::store::signatures::SignedRecord;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::{self, Action, Decision, Resource};
use baton_domain::agreement::{
    AgreementChange, AgreementList, AgreementState, AgreementTerms, AgreementView, AmendRequest, Coverage, PartnerList,
    RevokeRequest,
};
use baton_domain::audit::AuditAction;
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::{AgreementId, OrgId};
use baton_domain::signature::{Meaning, SignRequest};
use chrono::{DateTime, Utc};
use serde_json::json;

fn allow(
    user: &CurrentUser,
    action: Action,
    grantor: OrgId,
    grantee: OrgId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    match access::decide(&user.subject(), action, &Resource::Agreement { grantor, grantee }, &[], now) {
        Decision::Allow => Ok(()),
        Decision::Deny(reason) => Err(AppError::new(ErrorCode::NoAccess, reason.message())),
    }
}

fn parse_id(raw: &str) -> Result<AgreementId, AppError> {
    raw.parse().map_err(|_| ApiError::invalid("id", "That is not a valid agreement id (a UUID).").into())
}

/// Loads an agreement the caller may perform `action` on.
async fn load(
    state: &AppState,
    user: &CurrentUser,
    raw_id: &str,
    action: Action,
    now: DateTime<Utc>,
) -> Result<Agreement, AppError> {
    let id = parse_id(raw_id)?;
    let agreement = store::agreements::get(&state.db.pool, id, now)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "There is no agreement with this id."))?;
    // Strangers learn nothing, not even that it exists.
    allow(user, Action::Read, agreement.facts.grantor, agreement.facts.grantee, now)?;
    allow(user, action, agreement.facts.grantor, agreement.facts.grantee, now)?;
    Ok(agreement)
}

async fn reload(state: &AppState, id: AgreementId, now: DateTime<Utc>) -> Result<Json<AgreementView>, AppError> {
    let agreement = store::agreements::get(&state.db.pool, id, now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("agreement {id} vanished"))?;
    Ok(Json(agreement.view))
}

/// Checks terms against the database: the grantee is a partner, listed transfers are between the two parties.
async fn check_terms(
    state: &AppState,
    grantor: OrgId,
    terms: &AgreementTerms,
) -> Result<baton_domain::ids::PartnershipId, AppError> {
    terms.validate()?;
    let partnership = store::agreements::partnership(&state.db.pool, grantor, terms.grantee)
        .await?
        .ok_or_else(|| ApiError::invalid("grantee", "Your organisation has no partnership with that organisation."))?;
    if let Coverage::Only(transfers) = &terms.scope.transfers {
        for id in transfers {
            let transfer = store::transfers::get(&state.db.pool, *id).await?;
            let between = transfer.is_some_and(|t| {
                (t.sponsor.id == grantor && t.cmo.id == terms.grantee)
                    || (t.cmo.id == grantor && t.sponsor.id == terms.grantee)
            });
            if !between {
                return Err(ApiError::invalid(
                    "scope.transfers",
                    format!("Transfer {id} is not one between the two parties."),
                )
                .into());
            }
        }
    }
    Ok(partnership)
}

/// The caller's partner organisations.
#[utoipa::path(get, path = "/partners", tag = "agreements", security(("session" = [])),
    responses((status = 200, body = PartnerList), (status = 401, body = ErrorBody)))]
pub async fn partners(State(state): State<AppState>, user: CurrentUser) -> Result<Json<PartnerList>, AppError> {
    Ok(Json(PartnerList { items: store::agreements::partners(&state.db.pool, user.profile.organisation.id).await? }))
}

/// The agreements the caller's organisation is party to.
#[utoipa::path(get, path = "/agreements", tag = "agreements", security(("session" = [])),
    responses((status = 200, body = AgreementList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<AgreementList>, AppError> {
    let now = Utc::now();
    let agreements = store::agreements::list_for_party(&state.db.pool, user.profile.organisation.id, now).await?;
    Ok(Json(AgreementList { items: agreements.into_iter().map(|a| a.view).collect() }))
}

/// Drafts a new agreement granting a partner access to the caller's organisation's data.
#[utoipa::path(post, path = "/agreements", tag = "agreements", security(("session" = [])), request_body = AgreementTerms,
    responses((status = 201, body = AgreementView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(terms): ApiJson<AgreementTerms>,
) -> Result<(StatusCode, Json<AgreementView>), AppError> {
    let now = Utc::now();
    let grantor = user.profile.organisation.id;
    allow(&user, Action::DraftAgreement, grantor, terms.grantee, now)?;
    let partnership = check_terms(&state, grantor, &terms).await?;
    let id = AgreementId(uuid::Uuid::new_v4());
    let mut tx = begin_write(&state.db.pool).await?;
    let new = NewAgreement {
        id,
        partnership,
        grantor,
        terms: &terms,
        created_by: user.profile.id,
        lineage: Lineage::ORIGINAL,
    };
    store::agreements::insert(&mut tx, new, now).await?;
    let entry = NewEntry {
        actor: Actor::from(&user.profile),
        owner_org: Some(grantor),
        action: AuditAction::Create,
        record_type: RECORD_TYPE,
        record_id: id.to_string(),
        old: None,
        new: Some(store::agreements::signed_content(id, grantor, &terms, Lineage::ORIGINAL)),
        reason: None,
    };
    store::audit::append(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, reload(&state, id, now).await?))
}

/// One agreement, with its signatures and state.
#[utoipa::path(get, path = "/agreements/{id}", tag = "agreements", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AgreementView>, AppError> {
    Ok(Json(load(&state, &user, &id, Action::Read, Utc::now()).await?.view))
}

/// Changes a draft's terms (with a reason); signatures given to the old terms stop counting.
#[utoipa::path(put, path = "/agreements/{id}", tag = "agreements", security(("session" = [])), request_body = AgreementChange,
    params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<AgreementChange>,
) -> Result<Json<AgreementView>, AppError> {
    let now = Utc::now();
    let agreement = load(&state, &user, &id, Action::DraftAgreement, now).await?;
    if change.reason.trim().is_empty() {
        return Err(ApiError::invalid("reason", "Say why the terms change: agreements are regulated records.").into());
    }
    if change.terms.grantee != agreement.facts.grantee {
        return Err(
            ApiError::invalid("terms.grantee", "The grantee of an agreement cannot change; draft a new one.").into()
        );
    }
    if !matches!(agreement.view.state, AgreementState::Draft | AgreementState::AwaitingSignatures) {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("The agreement is {}; only drafts can change.", agreement.view.state.label().to_lowercase()),
        ));
    }
    check_terms(&state, agreement.facts.grantor, &change.terms).await?;
    let id = agreement.facts.id;
    let lineage = Lineage::of(&agreement.view);
    let mut tx = begin_write(&state.db.pool).await?;
    let terms = (&change.terms, lineage);
    if !store::agreements::update_terms(&mut tx, id, agreement.facts.grantor, terms, change.row_version, now).await? {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "Someone changed this agreement since you opened it. Reload to see their change.",
        ));
    }
    let previous_terms = AgreementTerms {
        title: agreement.view.title.clone(),
        grantee: agreement.facts.grantee,
        scope: agreement.view.scope.clone(),
        permission: agreement.view.permission,
        valid_from: agreement.view.valid_from,
        valid_until: agreement.view.valid_until,
    };
    let old = Some(store::agreements::signed_content(id, agreement.facts.grantor, &previous_terms, lineage));
    let entry = NewEntry {
        actor: Actor::from(&user.profile),
        owner_org: Some(agreement.facts.grantor),
        action: AuditAction::Update,
        record_type: RECORD_TYPE,
        record_id: id.to_string(),
        old,
        new: Some(store::agreements::signed_content(id, agreement.facts.grantor, &change.terms, lineage)),
        reason: Some(change.reason.trim().to_owned()),
    };
    store::audit::append(&mut tx, entry, now).await?;
    tx.commit().await?;
    reload(&state, id, now).await
}

/// Approves the agreement's current terms as an authorised signatory; the second party's approval activates it.
#[utoipa::path(post, path = "/agreements/{id}/signatures", tag = "agreements", security(("session" = [])), request_body = SignRequest,
    params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn sign(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<SignRequest>,
) -> Result<Json<AgreementView>, AppError> {
    let now = Utc::now();
    let agreement = load(&state, &user, &id, Action::SignAgreement, now).await?;
    if request.meaning != Meaning::Approved {
        return Err(ApiError::invalid("meaning", "An agreement is signed with the meaning \"approved\".").into());
    }
    if !matches!(agreement.view.state, AgreementState::Draft | AgreementState::AwaitingSignatures) {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "The agreement is {}; there is nothing left to approve.",
                agreement.view.state.label().to_lowercase()
            ),
        ));
    }
    let own = user.profile.organisation.id;
    let already = if own == agreement.facts.grantor {
        agreement.facts.signed_by_grantor
    } else {
        agreement.facts.signed_by_grantee
    };
    if already {
        return Err(AppError::new(ErrorCode::Conflict, "Your organisation has already approved these terms."));
    }
    auth::confirm_signer(&state.db.pool, &user.profile, request.password).await?;

    let id = agreement.facts.id;
    let mut tx = begin_write(&state.db.pool).await?;
    let id_text = id.to_string();
    let owner = agreement.facts.grantor;
    let hash = &agreement.view.content_hash;
    store::signatures::sign_on_record(
        &mut tx,
        SignedRecord { record_type: RECORD_TYPE, record_id: &id_text, owner_org: owner, content_hash: hash },
        &user.profile,
        Meaning::Approved,
        now,
    )
    .await?;
    let actor = Actor::from(&user.profile);
    let mut facts = agreement.facts.clone();
    if own == facts.grantor {
        facts.signed_by_grantor = true
    } else {
        facts.signed_by_grantee = true
    }
    if facts.signed_by_grantor && facts.signed_by_grantee {
        store::agreements::mark_activated(&mut tx, id, now).await?;
        if let Some(previous) = agreement.view.supersedes {
            supersede(&state, &mut tx, previous, &agreement.view, &user, now).await?;
        }
        let entry = NewEntry {
            actor,
            owner_org: Some(facts.grantor),
            action: AuditAction::StateChange,
            record_type: RECORD_TYPE,
            record_id: id.to_string(),
            old: Some(json!({"state": agreement.view.state.as_str()})),
            new: Some(json!({"state": facts.state(now).as_str()})),
            reason: Some("Approved by both parties".into()),
        };
        store::audit::append(&mut tx, entry, now).await?;
    }
    tx.commit().await?;
    reload(&state, id, now).await
}

/// Ends the agreement an amendment replaces, in the transaction that brings the amendment into force.
async fn supersede(
    state: &AppState,
    tx: &mut store::audit::WriteTx,
    previous: AgreementId,
    amendment: &AgreementView,
    user: &CurrentUser,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(old) = store::agreements::get(&state.db.pool, previous, now).await? else { return Ok(()) };
    if matches!(old.view.state, AgreementState::Revoked | AgreementState::Expired) {
        return Ok(());
    }
    let reason = format!("Superseded by version {} of this agreement", amendment.version);
    store::agreements::revoke(tx, previous, &reason, now).await?;
    let entry = NewEntry {
        actor: Actor::from(&user.profile),
        owner_org: Some(old.facts.grantor),
        action: AuditAction::StateChange,
        record_type: RECORD_TYPE,
        record_id: previous.to_string(),
        old: Some(json!({"state": old.view.state.as_str()})),
        new: Some(json!({"state": AgreementState::Revoked.as_str(), "superseded_by": amendment.id})),
        reason: Some(reason),
    };
    store::audit::append(tx, entry, now).await?;
    Ok(())
}

/// Starts an amendment of an active agreement: a new draft version with the same terms, to be changed and signed by
/// both parties. The current version stays in force until the amendment does.
#[utoipa::path(post, path = "/agreements/{id}/amendments", tag = "agreements", security(("session" = [])), request_body = AmendRequest,
    params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    responses((status = 201, body = AgreementView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn amend(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<AmendRequest>,
) -> Result<(StatusCode, Json<AgreementView>), AppError> {
    let now = Utc::now();
    let original = load(&state, &user, &id, Action::DraftAgreement, now).await?;
    let reason = request.reason.trim().to_owned();
    if reason.is_empty() {
        return Err(ApiError::invalid("reason", "Say why the agreement is amended.").into());
    }
    if !matches!(original.view.state, AgreementState::Active | AgreementState::Scheduled) {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "Only an agreement in force can be amended; this one is {}.",
                original.view.state.label().to_lowercase()
            ),
        ));
    }
    if let Some(open) = store::agreements::open_amendment(&state.db.pool, original.facts.id).await? {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("An amendment is already in progress: agreement {open}."),
        ));
    }
    let terms = AgreementTerms {
        title: original.view.title.clone(),
        grantee: original.facts.grantee,
        scope: original.view.scope.clone(),
        permission: original.view.permission,
        valid_from: original.view.valid_from,
        valid_until: original.view.valid_until,
    };
    let partnership = check_terms(&state, original.facts.grantor, &terms).await?;
    let new_id = AgreementId(uuid::Uuid::new_v4());
    let lineage = Lineage { version: original.view.version + 1, supersedes: Some(original.facts.id) };
    let grantor = original.facts.grantor;
    let mut tx = begin_write(&state.db.pool).await?;
    let new = NewAgreement { id: new_id, partnership, grantor, terms: &terms, created_by: user.profile.id, lineage };
    store::agreements::insert(&mut tx, new, now).await?;
    let entry = NewEntry {
        actor: Actor::from(&user.profile),
        owner_org: Some(grantor),
        action: AuditAction::Create,
        record_type: RECORD_TYPE,
        record_id: new_id.to_string(),
        old: Some(json!({"amends": original.facts.id, "version": original.view.version})),
        new: Some(store::agreements::signed_content(new_id, grantor, &terms, lineage)),
        reason: Some(reason),
    };
    store::audit::append(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, reload(&state, new_id, now).await?))
}

/// Revokes the agreement with a signed reason; access ends with the next request.
#[utoipa::path(post, path = "/agreements/{id}/revocation", tag = "agreements", security(("session" = [])), request_body = RevokeRequest,
    params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<RevokeRequest>,
) -> Result<Json<AgreementView>, AppError> {
    let now = Utc::now();
    let agreement = load(&state, &user, &id, Action::RevokeAgreement, now).await?;
    let reason = request.reason.trim().to_owned();
    if reason.is_empty() {
        return Err(ApiError::invalid("reason", "Say why the agreement is revoked.").into());
    }
    if matches!(agreement.view.state, AgreementState::Revoked | AgreementState::Expired) {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("The agreement is already {}.", agreement.view.state.label().to_lowercase()),
        ));
    }
    auth::confirm_signer(&state.db.pool, &user.profile, request.password).await?;
    let id = agreement.facts.id;
    let mut tx = begin_write(&state.db.pool).await?;
    let (id_text, owner, hash) = (id.to_string(), agreement.facts.grantor, &agreement.view.content_hash);
    store::signatures::sign_on_record(
        &mut tx,
        SignedRecord { record_type: RECORD_TYPE, record_id: &id_text, owner_org: owner, content_hash: hash },
        &user.profile,
        Meaning::Revoked,
        now,
    )
    .await?;
    store::agreements::revoke(&mut tx, id, &reason, now).await?;
    let entry = NewEntry {
        actor: Actor::from(&user.profile),
        owner_org: Some(agreement.facts.grantor),
        action: AuditAction::StateChange,
        record_type: RECORD_TYPE,
        record_id: id.to_string(),
        old: Some(json!({"state": agreement.view.state.as_str()})),
        new: Some(json!({"state": AgreementState::Revoked.as_str()})),
        reason: Some(reason),
    };
    store::audit::append(&mut tx, entry, now).await?;
    tx.commit().await?;
    reload(&state, id, now).await
}
