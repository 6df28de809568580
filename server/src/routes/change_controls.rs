//! Change controls: raised by either party of a partnership (whoever raises one owns it), assessed by both, approved
//! or rejected by QA of the party the quality agreement in effect makes accountable for "Change approval", then
//! implemented and closed by the owner. Both parties see every change control of their partnership.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::kernel::{self, ChangeControl, Shown, Signing, UnitOfWork};
use crate::state::AppState;
use crate::store;
use crate::store::change_controls::NewChangeControl;
use crate::store::numbering::{self, Numbered};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::{Action, Resource};
use baton_domain::audit::AuditAction;
use baton_domain::change_control::{
    ChangeControlAssessment, ChangeControlClosure, ChangeControlImplementation, ChangeControlInput, ChangeControlList,
    ChangeControlQuery, ChangeControlSetup, ChangeControlStatus, ChangeControlSummary, ChangeControlView,
    ChangeDecision, ChangeDecisionRequest, Step,
};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::{ChangeControlId, OrgId, PartnershipId};
use baton_domain::org::UserProfile;
use baton_domain::signature::Meaning;
use chrono::Datelike;
use serde_json::json;

/// The change control with what the caller may do with it.
async fn respond(
    state: &AppState,
    user: &UserProfile,
    change: kernel::Authorized<ChangeControl>,
) -> Result<Json<ChangeControlView>, AppError> {
    let actions = change.permitted();
    let view = change.into_record().view;
    let transfer_readable = super::transfers::linkable(state, user, view.transfer.as_ref()).await?;
    Ok(Json(ChangeControlView { actions, transfer_readable, ..view }))
}

/// 409 with the lifecycle's reason when `step` cannot be taken in `status`.
fn step_allowed(status: ChangeControlStatus, step: Step) -> Result<(), AppError> {
    status.refusal(step).map_or(Ok(()), |message| Err(AppError::new(ErrorCode::Conflict, message)))
}

/// The change controls of the caller's partnerships, newest first, optionally in one status.
#[utoipa::path(get, path = "/change-controls", tag = "quality", security(("session" = [])),
    params(ChangeControlQuery),
    responses((status = 200, body = ChangeControlList), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    query: ApiQuery<ChangeControlQuery>,
) -> Result<Json<ChangeControlList>, AppError> {
    let own = user.profile.organisation.id;
    let mut conn = state.db.pool.acquire().await?;
    let (stored, truncated) = store::change_controls::of_party(&mut conn, own, query.status).await?;
    let risks = store::change_controls::risks_of_party(&mut conn, own).await?;
    let may_raise = match store::change_controls::a_partnership(&mut conn, own).await? {
        Some((sponsor, cmo)) => {
            let resource = Resource::PartnershipRecord { owner: own, sponsor, cmo };
            kernel::decide_unstored(&user.profile, Action::Contribute, &resource).is_ok()
        }
        None => false,
    };
    drop(conn);
    let records = stored.into_iter().map(|s| ChangeControl { view: s.view }).collect();
    let readable = kernel::readable(&state, &user.profile, records).await?;
    let items = readable
        .into_iter()
        .map(|(c, _)| {
            let v = c.view;
            ChangeControlSummary {
                partner: v.other_party(own).clone(),
                risk: risks.get(&v.id).copied(),
                id: v.id,
                number: v.number,
                title: v.input.title,
                change_type: v.input.change_type,
                status: v.status,
                product: v.product.name,
                owner: v.owner,
                raised_at: v.raised_at,
                proposed_implementation: v.input.proposed_implementation,
            }
        })
        .collect();
    Ok(Json(ChangeControlList { items, truncated, may_raise }))
}

/// What the "raise a change control" form offers the caller.
#[utoipa::path(get, path = "/change-control-setup", tag = "quality", security(("session" = [])),
    responses((status = 200, body = ChangeControlSetup), (status = 401, body = ErrorBody)))]
pub async fn setup(State(state): State<AppState>, user: CurrentUser) -> Result<Json<ChangeControlSetup>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(store::change_controls::setup(&mut conn, user.profile.organisation.id).await?))
}

/// The partnership a change control raised by `own` belongs to.
struct Parties {
    partnership: PartnershipId,
    sponsor: OrgId,
    cmo: OrgId,
}

/// Settles the partnership of a change control of `input` raised by `own`, checking its partner, product, transfer
/// and site. A transfer the caller's organisation is no party to is refused as such (403), not described.
async fn parties_of(work: &mut UnitOfWork<'_>, own: OrgId, input: &ChangeControlInput) -> Result<Parties, AppError> {
    let conn = work.conn();
    let partnership = store::agreements::partnership(conn, own, input.partner).await?;
    let parties = match partnership {
        Some(p) => store::quality::parties(conn, p).await?.map(|parties| (p, parties)),
        None => None,
    };
    let Some((partnership, parties)) = parties else {
        let message = "Choose an organisation your organisation is in partnership with.";
        return Err(ApiError::invalid("partner", message).into());
    };
    let (sponsor, cmo) = (parties.sponsor.id, parties.cmo.id);
    let product = store::parties::product(conn, input.product).await?;
    if product.is_none_or(|(owner, _)| owner != sponsor) {
        return Err(ApiError::invalid("product", "Choose a product of the partnership's sponsor.").into());
    }
    if let Some(transfer) = input.transfer {
        let found = store::parties::transfer(conn, transfer).await?;
        let Some(t) = found else { return Err(ApiError::invalid("transfer", "There is no such transfer.").into()) };
        if t.sponsor != own && t.cmo != own {
            return Err(AppError::new(ErrorCode::NoAccess, "Your organisation is not a party to that transfer."));
        }
        if t.product != Some(input.product) || t.sponsor != sponsor || t.cmo != cmo {
            let message = "Choose a transfer of this product between your organisation and the partner.";
            return Err(ApiError::invalid("transfer", message).into());
        }
    }
    if let Some(site) = input.site {
        let Some(found) = store::parties::site(conn, site).await? else {
            return Err(ApiError::invalid("site", "There is no such site.").into());
        };
        if found.org != sponsor && found.org != cmo {
            return Err(ApiError::invalid("site", "Choose a site of your organisation or of the partner.").into());
        }
    }
    Ok(Parties { partnership, sponsor, cmo })
}

/// Raises a change control; the caller's organisation owns it. Numbered per organisation and year.
#[utoipa::path(post, path = "/change-controls", tag = "quality", security(("session" = [])),
    request_body = ChangeControlInput,
    responses((status = 201, body = ChangeControlView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(mut input): ApiJson<ChangeControlInput>,
) -> Result<(StatusCode, Json<ChangeControlView>), AppError> {
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let now = work.now();
    input.validate(now.date_naive())?;
    input.title = input.title.trim().to_owned();
    let own = user.profile.organisation.id;
    let parties = parties_of(&mut work, own, &input).await?;
    let resource = Resource::PartnershipRecord { owner: own, sponsor: parties.sponsor, cmo: parties.cmo };
    kernel::decide_unstored(&user.profile, Action::Contribute, &resource)?;
    let number = numbering::next(work.conn(), Numbered::ChangeControl, own, now.year()).await?;
    let id = ChangeControlId(uuid::Uuid::new_v4());
    let new = NewChangeControl {
        id,
        number: &number,
        input: &input,
        owner: own,
        partnership: parties.partnership,
        sponsor: parties.sponsor,
        cmo: parties.cmo,
        raised_by: user.profile.id,
    };
    store::change_controls::insert(work.conn(), &new, now).await?;
    let created = work.authorize::<ChangeControl>(id, Action::Read).await?;
    let mut values = json!(input);
    values["number"] = json!(number);
    work.audit(created.entry(AuditAction::Create, None, Some(values), None)).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, respond(&state, &user.profile, created).await?))
}

/// One change control with its assessments, decision, implementation and closure.
#[utoipa::path(get, path = "/change-controls/{id}", tag = "quality", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Change control id")),
    responses((status = 200, body = ChangeControlView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ChangeControlView>, AppError> {
    respond(&state, &user.profile, kernel::read::<ChangeControl>(&state, &user.profile, &id).await?).await
}

/// Records the caller's organisation's impact assessment on the version shown; revising it needs a reason. Once
/// both parties have assessed, the change control awaits its decision.
#[utoipa::path(put, path = "/change-controls/{id}/assessment", tag = "quality", security(("session" = [])),
    request_body = ChangeControlAssessment, params(("id" = uuid::Uuid, Path, description = "Change control id")),
    responses((status = 200, body = ChangeControlView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn assess(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<ChangeControlAssessment>,
) -> Result<Json<ChangeControlView>, AppError> {
    let id = kernel::parse_id::<ChangeControl>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let control = work.authorize::<ChangeControl>(id, Action::Contribute).await?;
    let before = &control.record().view;
    step_allowed(before.status, Step::Assess)?;
    let own = user.profile.organisation.id;
    let earlier = before.assessments.iter().find(|a| a.party.id == own);
    let reason = change.validate(earlier.is_some())?;
    kernel::ensure_unchanged(work.conn(), &control, Shown::Version(change.row_version)).await?;
    let status = ChangeControlStatus::after_assessments(before.assessments.len() + usize::from(earlier.is_none()));
    let fields = |a: Option<&baton_domain::change_control::ImpactAssessment>| {
        a.map(|a| {
            json!({"product_quality": a.product_quality, "regulatory": a.regulatory,
                "validation_needed": a.validation_needed, "validation": a.validation,
                "affected_documents": a.affected_documents, "risk": a.risk})
        })
    };
    let old = json!({"party": own, "assessment": fields(earlier), "status": before.status});
    let now = work.now();
    store::change_controls::assess(work.conn(), id, &user.profile, &change, (earlier.is_some(), status), now).await?;
    let changed = work.authorize::<ChangeControl>(id, Action::Read).await?;
    let recorded = changed.record().view.assessments.iter().find(|a| a.party.id == own);
    let new = json!({"party": own, "assessment": fields(recorded), "status": status});
    work.audit(changed.entry(AuditAction::Update, Some(old), Some(new), reason)).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}

/// The accountable party's QA approves or rejects the change, signing with the password what both parties
/// assessed; a rejection gives its reason.
#[utoipa::path(post, path = "/change-controls/{id}/decision", tag = "quality", security(("session" = [])),
    request_body = ChangeDecisionRequest, params(("id" = uuid::Uuid, Path, description = "Change control id")),
    responses((status = 200, body = ChangeControlView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<ChangeDecisionRequest>,
) -> Result<Json<ChangeControlView>, AppError> {
    let id = kernel::parse_id::<ChangeControl>(&id)?;
    let meaning = match request.decision {
        ChangeDecision::Approved => Meaning::Approved,
        ChangeDecision::Rejected => Meaning::Rejected,
    };
    let signing = Signing {
        action: Action::Sign(meaning),
        meaning,
        shown: Shown::Hash(&request.content_hash),
        password: request.password.clone(),
    };
    let (mut work, control) =
        kernel::sign::<ChangeControl>(&state, &user.profile, id, signing, || Ok(request.validate()?)).await?;
    // An approval signature closes an implemented change too: this operation is the decision only.
    step_allowed(control.record().view.status, Step::Decide)?;
    let reason = request.reason.trim().to_owned();
    let now = work.now();
    store::change_controls::decide(work.conn(), id, request.decision, &reason, now).await?;
    let changed = work.authorize::<ChangeControl>(id, Action::Read).await?;
    let old = json!({"status": control.record().view.status});
    let new = json!({"status": changed.record().view.status, "decision": request.decision, "reason": reason});
    let reason = Some(reason).filter(|r| !r.is_empty());
    work.audit(changed.entry(AuditAction::StateChange, Some(old), Some(new), reason)).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}

/// The owner records the approved change's implementation on the version shown.
#[utoipa::path(post, path = "/change-controls/{id}/implementation", tag = "quality", security(("session" = [])),
    request_body = ChangeControlImplementation, params(("id" = uuid::Uuid, Path, description = "Change control id")),
    responses((status = 200, body = ChangeControlView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn implement(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(done): ApiJson<ChangeControlImplementation>,
) -> Result<Json<ChangeControlView>, AppError> {
    let id = kernel::parse_id::<ChangeControl>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let control = work.authorize::<ChangeControl>(id, Action::Contribute).await?;
    let before = &control.record().view;
    step_allowed(before.status, Step::Implement)?;
    let approved_on = before.decision.as_ref().map_or(before.raised_at, |d| d.signature.signed_at).date_naive();
    let now = work.now();
    done.validate(approved_on, now.date_naive())?;
    kernel::ensure_unchanged(work.conn(), &control, Shown::Version(done.row_version)).await?;
    store::change_controls::implement(work.conn(), id, user.profile.id, &done, now).await?;
    let old = json!({"status": before.status});
    let new = json!({"status": ChangeControlStatus::Implemented, "implemented_on": done.implemented_on,
        "note": done.note.trim()});
    work.audit(control.entry(AuditAction::StateChange, Some(old), Some(new), None)).await?;
    let changed = work.authorize::<ChangeControl>(id, Action::Read).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}

/// The owner's QA closes the implemented change, signing with the password the record as shown and stating how the
/// change was evaluated.
#[utoipa::path(post, path = "/change-controls/{id}/closure", tag = "quality", security(("session" = [])),
    request_body = ChangeControlClosure, params(("id" = uuid::Uuid, Path, description = "Change control id")),
    responses((status = 200, body = ChangeControlView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<ChangeControlClosure>,
) -> Result<Json<ChangeControlView>, AppError> {
    let id = kernel::parse_id::<ChangeControl>(&id)?;
    let signing = Signing {
        action: Action::Sign(Meaning::Approved),
        meaning: Meaning::Approved,
        shown: Shown::Hash(&request.content_hash),
        password: request.password.clone(),
    };
    let (mut work, control) =
        kernel::sign::<ChangeControl>(&state, &user.profile, id, signing, || Ok(request.validate()?)).await?;
    // An approval signature also decides an assessed change: this operation is the closure only.
    step_allowed(control.record().view.status, Step::Close)?;
    let effectiveness = request.effectiveness.trim().to_owned();
    let now = work.now();
    store::change_controls::close(work.conn(), id, &effectiveness, now).await?;
    let old = json!({"status": control.record().view.status});
    let new = json!({"status": ChangeControlStatus::Closed, "effectiveness": effectiveness});
    work.audit(control.entry(AuditAction::StateChange, Some(old), Some(new), None)).await?;
    let changed = work.authorize::<ChangeControl>(id, Action::Read).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}
