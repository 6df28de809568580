//! `/partners` and `/agreements`: data-sharing agreements, drafted by the grantor, signed by both, revocable.
//!
//! Every change runs as one kernel unit of work: the audit chain's lock first, then the agreement re-read and the
//! rule asked again inside the transaction, the change, its entries, commit.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{self, Authorized, Shown, Signing, UnitOfWork, approved_only, ensure_unchanged};
use crate::state::AppState;
use crate::store;
use crate::store::agreements::{Agreement, Lineage, NewAgreement};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::{Action, Resource};
use baton_domain::agreement::{
    AgreementChange, AgreementList, AgreementState, AgreementTerms, AgreementView, AmendRequest, Coverage, PartnerList,
    RevokeRequest,
};
use baton_domain::audit::AuditAction;
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::{AgreementId, OrgId, PartnershipId};
use baton_domain::signature::{Meaning, SignRequest};
use serde_json::json;
use sqlx::AnyConnection;

/// The agreement as the caller sees it, with what the caller may do now.
fn view_of(agreement: Authorized<Agreement>) -> Json<AgreementView> {
    let actions = agreement.permitted();
    Json(AgreementView { actions, ..agreement.into_record().view })
}

async fn respond(state: &AppState, user: &CurrentUser, id: AgreementId) -> Result<Json<AgreementView>, AppError> {
    Ok(view_of(kernel::read::<Agreement>(state, &user.profile, &id.to_string()).await?))
}

/// Checks terms against the database: the grantee is a partner, listed transfers are between the two parties.
async fn check_terms(
    conn: &mut AnyConnection,
    grantor: OrgId,
    terms: &AgreementTerms,
) -> Result<PartnershipId, AppError> {
    terms.validate()?;
    if terms.grantee == grantor {
        return Err(
            ApiError::invalid("grantee", "Your organisation already reaches its own data; choose a partner.").into()
        );
    }
    // Another organisation with no partnership is not the caller's to involve: a refusal, not a typing error.
    let partnership = store::agreements::partnership(&mut *conn, grantor, terms.grantee).await?.ok_or_else(|| {
        AppError::new(ErrorCode::NoAccess, "Your organisation has no partnership with that organisation.")
    })?;
    if let Coverage::Only(products) = &terms.scope.products {
        for id in products {
            if !store::products::transferred_between(conn, *id, grantor, terms.grantee).await? {
                return Err(ApiError::invalid(
                    "scope.products",
                    format!("Product {id} is not transferred between the two parties."),
                )
                .into());
            }
        }
    }
    if let Coverage::Only(transfers) = &terms.scope.transfers {
        for id in transfers {
            let transfer = store::transfers::get(conn, *id).await?;
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

fn required_reason(reason: &str, message: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() { Err(ApiError::invalid("reason", message).into()) } else { Ok(reason.to_owned()) }
}

fn terms_of(view: &AgreementView) -> AgreementTerms {
    AgreementTerms {
        title: view.title.clone(),
        grantee: view.grantee.id,
        scope: view.scope.clone(),
        permission: view.permission,
        valid_from: view.valid_from,
        valid_until: view.valid_until,
    }
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
    let now = chrono::Utc::now();
    let mut conn = state.db.pool.acquire().await?;
    let agreements = store::agreements::list_for_party(&mut conn, user.profile.organisation.id, now).await?;
    let mut items = Vec::with_capacity(agreements.len());
    for agreement in agreements {
        let actions = kernel::permitted_on(&mut conn, &user.profile, &agreement, now).await?;
        items.push(AgreementView { actions, ..agreement.view });
    }
    // Drafting is decided on the agreement the caller would grant to each of its partners.
    let own = user.profile.organisation.id;
    let partners = store::agreements::partners(&state.db.pool, own).await?;
    let may_draft = partners.iter().any(|p| {
        let proposed = Resource::Agreement { grantor: own, grantee: p.organisation.id };
        kernel::decide_unstored(&user.profile, Action::DraftAgreement, &proposed).is_ok()
    });
    let actions = if may_draft { vec![Action::DraftAgreement] } else { Vec::new() };
    Ok(Json(AgreementList { items, actions }))
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
    let grantor = user.profile.organisation.id;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    // The record does not exist yet: the rule decides on the agreement it would be, then again on the one written.
    let proposed = Resource::Agreement { grantor, grantee: terms.grantee };
    kernel::decide_unstored(&user.profile, Action::DraftAgreement, &proposed)?;
    let partnership = check_terms(work.conn(), grantor, &terms).await?;
    let id = AgreementId(uuid::Uuid::new_v4());
    let new = NewAgreement {
        id,
        partnership,
        grantor,
        terms: &terms,
        created_by: user.profile.id,
        lineage: Lineage::ORIGINAL,
    };
    let now = work.now();
    store::agreements::insert(work.conn(), new, now).await?;
    let created = work.authorize::<Agreement>(id, Action::DraftAgreement).await?;
    let content = store::agreements::signed_content(id, grantor, &terms, Lineage::ORIGINAL);
    work.audit(created.entry(AuditAction::Create, None, Some(content), None)).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, respond(&state, &user, id).await?))
}

/// One agreement, with its signatures, state and the actions the caller may take.
#[utoipa::path(get, path = "/agreements/{id}", tag = "agreements", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AgreementView>, AppError> {
    Ok(view_of(kernel::read::<Agreement>(&state, &user.profile, &id).await?))
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
    let id = kernel::parse_id::<Agreement>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let agreement = work.authorize::<Agreement>(id, Action::DraftAgreement).await?;
    let reason = required_reason(&change.reason, "Say why the terms change: agreements are regulated records.")?;
    let (view, facts) = (&agreement.record().view, &agreement.record().facts);
    if change.terms.grantee != facts.grantee {
        return Err(
            ApiError::invalid("terms.grantee", "The grantee of an agreement cannot change; draft a new one.").into()
        );
    }
    if !matches!(view.state, AgreementState::Draft | AgreementState::AwaitingSignatures) {
        let state_word = view.state.label().to_lowercase();
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("The agreement is {state_word}; only drafts can change."),
        ));
    }
    ensure_unchanged(work.conn(), &agreement, Shown::Version(change.row_version)).await?;
    check_terms(work.conn(), facts.grantor, &change.terms).await?;
    let lineage = Lineage::of(view);
    let now = work.now();
    store::agreements::update_terms(work.conn(), id, facts.grantor, (&change.terms, lineage), view.row_version, now)
        .await?;
    let old = store::agreements::signed_content(id, facts.grantor, &terms_of(view), lineage);
    let new = store::agreements::signed_content(id, facts.grantor, &change.terms, lineage);
    work.audit(agreement.entry(AuditAction::Update, Some(old), Some(new), Some(reason))).await?;
    work.commit().await?;
    respond(&state, &user, id).await
}

/// Approves the agreement's terms as shown to the signer (their content hash) as an authorised signatory; the
/// second party's approval puts it in force, exactly once.
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
    let id = kernel::parse_id::<Agreement>(&id)?;
    let meaning = request.meaning;
    let signing = Signing {
        action: Action::SignAgreement,
        meaning: Meaning::Approved,
        shown: Shown::Hash(&request.content_hash),
        password: request.password,
    };
    let (mut work, agreement) = kernel::sign::<Agreement>(&state, &user.profile, id, signing, || {
        approved_only(meaning, "An agreement is signed with the meaning \"approved\".")
    })
    .await?;
    let now = work.now();
    store::agreements::touch(work.conn(), id, now).await?;
    let signed = work.authorize::<Agreement>(id, Action::Read).await?;
    let facts = &signed.record().facts;
    if facts.signed_by_grantor
        && facts.signed_by_grantee
        && store::agreements::mark_activated(work.conn(), id, now).await?
    {
        if let Some(previous) = signed.record().view.supersedes {
            supersede(&mut work, previous, signed.record().view.version).await?;
        }
        let old = json!({"state": agreement.record().view.state.as_str()});
        let mut activated = signed.record().facts.clone();
        activated.activated = true;
        let new = json!({"state": activated.state(now).as_str()});
        work.audit(signed.entry(
            AuditAction::StateChange,
            Some(old),
            Some(new),
            Some("Approved by both parties".into()),
        ))
        .await?;
    }
    work.commit().await?;
    respond(&state, &user, id).await
}

/// Ends the agreement an amendment replaces, in the unit of work that brings the amendment into force.
async fn supersede(work: &mut UnitOfWork<'_>, previous: AgreementId, version: i64) -> Result<(), AppError> {
    let old = work.authorize::<Agreement>(previous, Action::Read).await?;
    if matches!(old.record().view.state, AgreementState::Revoked | AgreementState::Expired) {
        return Ok(());
    }
    let reason = format!("Superseded by version {version} of this agreement");
    let now = work.now();
    store::agreements::revoke(work.conn(), previous, &reason, now).await?;
    let before = json!({"state": old.record().view.state.as_str()});
    let after = json!({"state": AgreementState::Revoked.as_str(), "superseded_by_version": version});
    work.audit(old.entry(AuditAction::StateChange, Some(before), Some(after), Some(reason))).await
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
    let id = kernel::parse_id::<Agreement>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let original = work.authorize::<Agreement>(id, Action::DraftAgreement).await?;
    let reason = required_reason(&request.reason, "Say why the agreement is amended.")?;
    let view = &original.record().view;
    if !matches!(view.state, AgreementState::Active | AgreementState::Scheduled) {
        let state_word = view.state.label().to_lowercase();
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("Only an agreement in force can be amended; this one is {state_word}."),
        ));
    }
    ensure_unchanged(work.conn(), &original, Shown::Version(request.row_version)).await?;
    if let Some(open) = store::agreements::open_amendment(work.conn(), id).await? {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("An amendment is already in progress: agreement {open}."),
        ));
    }
    let terms = terms_of(view);
    let grantor = original.record().facts.grantor;
    let partnership = check_terms(work.conn(), grantor, &terms).await?;
    let new_id = AgreementId(uuid::Uuid::new_v4());
    let lineage = Lineage { version: view.version + 1, supersedes: Some(id) };
    let new = NewAgreement { id: new_id, partnership, grantor, terms: &terms, created_by: user.profile.id, lineage };
    let now = work.now();
    store::agreements::insert(work.conn(), new, now).await?;
    let amendment = work.authorize::<Agreement>(new_id, Action::DraftAgreement).await?;
    let old = json!({"amends": id, "version": view.version});
    let content = store::agreements::signed_content(new_id, grantor, &terms, lineage);
    work.audit(amendment.entry(AuditAction::Create, Some(old), Some(content), Some(reason))).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, respond(&state, &user, new_id).await?))
}

/// Revokes the agreement, as the signer saw it (its row version), with a signed reason; access ends with the next
/// request.
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
    let id = kernel::parse_id::<Agreement>(&id)?;
    let reason = request.reason.trim().to_owned();
    let signing = Signing {
        action: Action::RevokeAgreement,
        meaning: Meaning::Revoked,
        shown: Shown::Version(request.row_version),
        password: request.password,
    };
    let (mut work, agreement) = kernel::sign::<Agreement>(&state, &user.profile, id, signing, || {
        required_reason(&reason, "Say why the agreement is revoked.").map(drop)
    })
    .await?;
    let view = &agreement.record().view;
    let now = work.now();
    store::agreements::revoke(work.conn(), id, &reason, now).await?;
    let old = json!({"state": view.state.as_str()});
    let new = json!({"state": AgreementState::Revoked.as_str()});
    work.audit(agreement.entry(AuditAction::StateChange, Some(old), Some(new), Some(reason))).await?;
    work.commit().await?;
    respond(&state, &user, id).await
}
