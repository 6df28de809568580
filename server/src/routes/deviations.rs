//! Deviations: raised by either party of a partnership (whoever raises one owns it), investigated to a root cause,
//! closed by the owner's QA with a signature. The other party sees them only through an agreement the owner grants.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::kernel::{self, Batch, Capa, Deviation, Shown, Signing, UnitOfWork};
use crate::state::AppState;
use crate::store;
use crate::store::deviations::NewDeviation;
use crate::store::numbering::{self, Numbered};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::Action;
use baton_domain::agreement::DataClass;
use baton_domain::audit::AuditAction;
use baton_domain::deviation::{
    DeviationClosure, DeviationInput, DeviationInvestigation, DeviationList, DeviationSummary, DeviationView,
};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::{DeviationId, OrgId};
use baton_domain::org::{OrgKind, UserProfile};
use baton_domain::record_query::RecordQuery;
use baton_domain::signature::Meaning;
use chrono::Datelike;
use serde_json::json;

/// The deviation for its caller: the actions they may take, and only the CAPAs they may read.
async fn respond(
    state: &AppState,
    user: &UserProfile,
    deviation: kernel::Authorized<Deviation>,
) -> Result<Json<DeviationView>, AppError> {
    let actions = deviation.permitted();
    let mut view = deviation.into_record().view;
    let ids: Vec<_> = view.capas.iter().map(|c| c.id).collect();
    let readable = kernel::readable_ids::<Capa>(state, user, &ids).await?;
    view.capas.retain(|c| readable.contains(&c.id.to_string()));
    Ok(Json(DeviationView { actions, ..view }))
}

/// The deviations of the caller's partnerships that the rule lets them see, newest first.
#[utoipa::path(get, path = "/deviations", tag = "quality", security(("session" = [])), params(RecordQuery),
    responses((status = 200, body = DeviationList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    query: ApiQuery<RecordQuery>,
) -> Result<Json<DeviationList>, AppError> {
    let narrowing = super::list_query::narrowing(query.cmo, query.period.as_deref(), query.site, query.product)?;
    let closed = query.closed.unwrap_or(false);
    let mut conn = state.db.pool.acquire().await?;
    let (views, truncated) =
        store::deviations::of_party(&mut conn, user.profile.organisation.id, &narrowing, closed).await?;
    drop(conn);
    let records = views.into_iter().map(|view| Deviation { view }).collect();
    let readable = kernel::readable(&state, &user.profile, records).await?;
    let items = readable
        .into_iter()
        .map(|(d, _)| DeviationSummary {
            id: d.view.id,
            number: d.view.number,
            title: d.view.input.title,
            classification: d.view.input.classification,
            status: d.view.status,
            product: d.view.product.name,
            owner: d.view.owner,
            opened_at: d.view.opened_at,
            due_on: d.view.due_on,
        })
        .collect();
    Ok(Json(DeviationList { items, truncated }))
}

/// The partnership a deviation raised by `own` belongs to, and the product's name.
struct Raised {
    sponsor: OrgId,
    cmo: OrgId,
    product_name: String,
}

/// Settles the partnership of a deviation of `input` raised by `own`, checking its site, product, batch and
/// transfer; a deviation on a batch takes the batch's transfer when it names none.
async fn raised(work: &mut UnitOfWork<'_>, own: OrgId, input: &mut DeviationInput) -> Result<Raised, AppError> {
    let conn = work.conn();
    let Some(site) = store::parties::site(conn, input.site).await? else {
        return Err(ApiError::invalid("site", "There is no such site.").into());
    };
    let Some((product_owner, product_name)) = store::parties::product(conn, input.product).await? else {
        return Err(ApiError::invalid("product", "There is no such product.").into());
    };
    let (sponsor, cmo) = match site.kind {
        OrgKind::Cmo => (product_owner, site.org),
        OrgKind::Sponsor => {
            // At a sponsor's own site, the partnership is the one of the transfer the deviation concerns.
            let transfer = match input.transfer {
                Some(t) => store::parties::transfer(conn, t).await?,
                None => {
                    let message = "At a sponsor's site, name the transfer the deviation concerns: it names the CMO.";
                    return Err(ApiError::invalid("transfer", message).into());
                }
            };
            let Some(transfer) = transfer else {
                return Err(ApiError::invalid("transfer", "There is no such transfer.").into());
            };
            (site.org, transfer.cmo)
        }
    };
    if own != sponsor && own != cmo {
        return Err(AppError::new(
            ErrorCode::NoAccess,
            "Your organisation raises deviations at its own sites and its partners' sites, about their products.",
        ));
    }
    if product_owner != sponsor || !store::parties::are_partners(conn, sponsor, cmo).await? {
        let message = "Choose a product of the sponsor of a partnership between your organisation and the site's.";
        return Err(ApiError::invalid("product", message).into());
    }
    if let Some(batch) = input.batch {
        let batch = match work.authorize::<Batch>(batch, Action::Read).await {
            Err(AppError::Api(e)) if e.code == ErrorCode::NotFound => {
                return Err(ApiError::invalid("batch", "There is no such batch.").into());
            }
            other => other?,
        };
        let b = &batch.record().view.input;
        if b.site != input.site {
            return Err(ApiError::invalid("site", "A deviation on a batch is raised at the batch's site.").into());
        }
        if b.product != input.product {
            return Err(ApiError::invalid("product", "A deviation on a batch is about the batch's product.").into());
        }
        match (input.transfer, b.transfer) {
            (Some(named), batch_transfer) if Some(named) != batch_transfer => {
                let message = "A deviation on a batch belongs to the batch's transfer, if it has one.";
                return Err(ApiError::invalid("transfer", message).into());
            }
            (None, batch_transfer) => input.transfer = batch_transfer,
            _ => {}
        }
    }
    if let Some(transfer) = input.transfer {
        let found = store::parties::transfer(work.conn(), transfer).await?;
        let Some(t) = found else { return Err(ApiError::invalid("transfer", "There is no such transfer.").into()) };
        if t.product != Some(input.product) || t.sponsor != sponsor || t.cmo != cmo {
            let message = "Choose a transfer of this product between these two partners.";
            return Err(ApiError::invalid("transfer", message).into());
        }
    }
    Ok(Raised { sponsor, cmo, product_name })
}

/// Raises a deviation; the caller's organisation owns it. Numbered per organisation and year; due by its class.
#[utoipa::path(post, path = "/deviations", tag = "quality", security(("session" = [])), request_body = DeviationInput,
    responses((status = 201, body = DeviationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(mut input): ApiJson<DeviationInput>,
) -> Result<(StatusCode, Json<DeviationView>), AppError> {
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let now = work.now();
    input.validate(now)?;
    input.title = input.title.trim().to_owned();
    let own = user.profile.organisation.id;
    let parties = raised(&mut work, own, &mut input).await?;
    let resource = kernel::partner_data(
        input.transfer,
        own,
        (parties.sponsor, parties.cmo),
        (input.product, &parties.product_name),
        DataClass::QualityEvents,
    );
    kernel::decide_unstored(&user.profile, Action::Contribute, &resource)?;
    let number = numbering::next(work.conn(), Numbered::Deviation, own, now.year()).await?;
    let id = DeviationId(uuid::Uuid::new_v4());
    let due_on = input.classification.due_on(now.date_naive());
    let new = NewDeviation {
        id,
        number: &number,
        input: &input,
        owner: own,
        sponsor: parties.sponsor,
        cmo: parties.cmo,
        due_on,
        raised_by: user.profile.id,
        opened_at: now,
    };
    store::deviations::insert(work.conn(), &new, now).await?;
    let created = work.authorize::<Deviation>(id, Action::Read).await?;
    let mut values = json!(input);
    values["number"] = json!(number);
    values["due_on"] = json!(due_on);
    work.audit(created.entry(AuditAction::Create, None, Some(values), None)).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, respond(&state, &user.profile, created).await?))
}

/// One deviation with its investigation, closure and the CAPAs answering it.
#[utoipa::path(get, path = "/deviations/{id}", tag = "quality", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Deviation id")),
    responses((status = 200, body = DeviationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DeviationView>, AppError> {
    let deviation = kernel::read::<Deviation>(&state, &user.profile, &id).await?;
    respond(&state, &user.profile, deviation).await
}

/// Records the investigation on the version shown; a change of classification needs a reason.
#[utoipa::path(put, path = "/deviations/{id}/investigation", tag = "quality", security(("session" = [])),
    request_body = DeviationInvestigation, params(("id" = uuid::Uuid, Path, description = "Deviation id")),
    responses((status = 200, body = DeviationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn investigate(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<DeviationInvestigation>,
) -> Result<Json<DeviationView>, AppError> {
    let id = kernel::parse_id::<Deviation>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let deviation = work.authorize::<Deviation>(id, Action::Contribute).await?;
    let before = &deviation.record().view;
    let reason = change.validate(before.input.classification)?;
    kernel::ensure_unchanged(work.conn(), &deviation, Shown::Version(change.row_version)).await?;
    let old = json!({"classification": before.input.classification, "investigation": before.investigation,
        "impact": before.impact, "root_cause": before.root_cause, "status": before.status});
    let new = json!({"classification": change.classification, "investigation": change.investigation,
        "impact": change.impact, "root_cause": change.root_cause,
        "status": baton_domain::deviation::DeviationStatus::Investigation});
    let now = work.now();
    store::deviations::investigate(work.conn(), id, &change, now).await?;
    work.audit(deviation.entry(AuditAction::Update, Some(old), Some(new), reason)).await?;
    let changed = work.authorize::<Deviation>(id, Action::Read).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}

/// The owner's QA closes the deviation, signing with the password the content shown.
#[utoipa::path(post, path = "/deviations/{id}/closure", tag = "quality", security(("session" = [])),
    request_body = DeviationClosure, params(("id" = uuid::Uuid, Path, description = "Deviation id")),
    responses((status = 200, body = DeviationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<DeviationClosure>,
) -> Result<Json<DeviationView>, AppError> {
    let id = kernel::parse_id::<Deviation>(&id)?;
    let signing = Signing {
        action: Action::Sign(Meaning::Approved),
        meaning: Meaning::Approved,
        shown: Shown::Hash(&request.content_hash),
        password: request.password.clone(),
    };
    let (mut work, deviation) = kernel::sign::<Deviation>(&state, &user.profile, id, signing, || Ok(())).await?;
    let now = work.now();
    store::deviations::close(work.conn(), id, now).await?;
    let old = json!({"status": deviation.record().view.status});
    let new = json!({"status": baton_domain::deviation::DeviationStatus::Closed, "closed_at": now});
    work.audit(deviation.entry(AuditAction::StateChange, Some(old), Some(new), None)).await?;
    let changed = work.authorize::<Deviation>(id, Action::Read).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}
