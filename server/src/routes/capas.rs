//! CAPAs: raised by either party of a partnership (whoever raises one owns it) in answer to deviations or a KPI off
//! target, carried out as actions, closed by the owner's QA with a signature once every action is done and its
//! effectiveness checked.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::kernel::{self, Capa, Deviation, Shown, Signing, UnitOfWork};
use crate::state::AppState;
use crate::store;
use crate::store::capas::NewCapa;
use crate::store::numbering::{self, Numbered};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::Action;
use baton_domain::agreement::DataClass;
use baton_domain::audit::AuditAction;
use baton_domain::capa::{CapaChange, CapaClosure, CapaInput, CapaList, CapaView};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::{CapaId, OrgId, PartnershipId};
use baton_domain::org::UserProfile;
use baton_domain::record_query::RecordQuery;
use baton_domain::signature::Meaning;
use chrono::Datelike;
use serde_json::json;

/// The CAPA for its caller: the actions they may take, and only the deviations they may read.
async fn respond(
    state: &AppState,
    user: &UserProfile,
    capa: kernel::Authorized<Capa>,
) -> Result<Json<CapaView>, AppError> {
    let actions = capa.permitted();
    let mut view = capa.into_record().view;
    let ids: Vec<_> = view.deviations.iter().map(|d| d.id).collect();
    let readable = kernel::readable_ids::<Deviation>(state, user, &ids).await?;
    view.deviations.retain(|d| readable.contains(&d.id.to_string()));
    Ok(Json(CapaView { actions, ..view }))
}

/// The CAPAs of the caller's partnerships that the rule lets them see, newest first.
#[utoipa::path(get, path = "/capas", tag = "quality", security(("session" = [])), params(RecordQuery),
    responses((status = 200, body = CapaList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    query: ApiQuery<RecordQuery>,
) -> Result<Json<CapaList>, AppError> {
    let narrowing = super::list_query::narrowing(query.cmo, query.period.as_deref(), query.site, query.product)?;
    let mut conn = state.db.pool.acquire().await?;
    let (rows, truncated) = store::capas::of_party(&mut conn, user.profile.organisation.id, &narrowing).await?;
    drop(conn);
    let (records, summaries): (Vec<Capa>, Vec<_>) = rows
        .into_iter()
        .map(|stored| {
            let summary = stored.summary();
            (Capa { view: stored.view }, summary)
        })
        .unzip();
    let readable = kernel::readable(&state, &user.profile, records).await?;
    let kept: std::collections::HashSet<CapaId> = readable.iter().map(|(c, _)| c.view.id).collect();
    let items = summaries.into_iter().filter(|s| kept.contains(&s.id)).collect();
    Ok(Json(CapaList { items, truncated }))
}

/// The partnership a CAPA of `own` with `input.partner` belongs to.
struct Parties {
    partnership: PartnershipId,
    sponsor: OrgId,
    cmo: OrgId,
    product_name: String,
}

/// Settles the partnership of a CAPA of `input` raised by `own`, checking its partner, product and transfer.
async fn parties_of(work: &mut UnitOfWork<'_>, own: OrgId, input: &CapaInput) -> Result<Parties, AppError> {
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
    let Some(product_name) = product.filter(|(owner, _)| *owner == sponsor).map(|(_, name)| name) else {
        return Err(ApiError::invalid("product", "Choose a product of the partnership's sponsor.").into());
    };
    if let Some(transfer) = input.transfer {
        let found = store::parties::transfer(conn, transfer).await?;
        let Some(t) = found else { return Err(ApiError::invalid("transfer", "There is no such transfer.").into()) };
        if t.product != Some(input.product) || t.sponsor != sponsor || t.cmo != cmo {
            let message = "Choose a transfer of this product between these two partners.";
            return Err(ApiError::invalid("transfer", message).into());
        }
    }
    if input.kpi.as_ref().is_some_and(|kpi| kpi.partnership != partnership) {
        let message = "The KPI reading must be from this partnership's scorecard.";
        return Err(ApiError::invalid("kpi.partnership", message).into());
    }
    Ok(Parties { partnership, sponsor, cmo, product_name })
}

/// The deviations at `positions` of `input.deviations`, each one the caller may read (else 403; 422 when unknown),
/// with its position: read before anything else about the CAPA is checked or told.
async fn readable_deviations(
    work: &mut UnitOfWork<'_>,
    input: &CapaInput,
    positions: &[usize],
) -> Result<Vec<(usize, Deviation)>, AppError> {
    let mut found = Vec::with_capacity(positions.len());
    for &i in positions {
        let Some(&id) = input.deviations.get(i) else { continue };
        match work.authorize::<Deviation>(id, Action::Read).await {
            Ok(deviation) => found.push((i, deviation.into_record())),
            Err(AppError::Api(e)) if e.code == ErrorCode::NotFound => {
                return Err(ApiError::invalid(format!("deviations[{i}]"), "There is no such deviation.").into());
            }
            Err(other) => return Err(other),
        }
    }
    Ok(found)
}

/// 422 unless each deviation is of the CAPA's partnership (`sponsor`, `cmo`) and product, and of its transfer when
/// it has one.
fn check_links(
    deviations: &[(usize, Deviation)],
    input: &CapaInput,
    (sponsor, cmo): (OrgId, OrgId),
) -> Result<(), AppError> {
    for (i, deviation) in deviations {
        let d = &deviation.view;
        let field = format!("deviations[{i}]");
        if d.sponsor.id != sponsor || d.cmo.id != cmo || d.product.id != input.product {
            let message = "A CAPA answers deviations of its own partnership and product.";
            return Err(ApiError::invalid(field, message).into());
        }
        if input.transfer.is_some() && d.input.transfer != input.transfer {
            return Err(ApiError::invalid(field, "A CAPA in a transfer answers that transfer's deviations.").into());
        }
    }
    Ok(())
}

/// Raises a CAPA; the caller's organisation owns it. Numbered per organisation and year.
#[utoipa::path(post, path = "/capas", tag = "quality", security(("session" = [])), request_body = CapaInput,
    responses((status = 201, body = CapaView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(mut input): ApiJson<CapaInput>,
) -> Result<(StatusCode, Json<CapaView>), AppError> {
    input.validate()?;
    input.title = input.title.trim().to_owned();
    let own = user.profile.organisation.id;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let positions: Vec<usize> = (0..input.deviations.len()).collect();
    // Readable first: naming another partnership's deviation is refused as that, before anything about it is told.
    let deviations = readable_deviations(&mut work, &input, &positions).await?;
    let parties = parties_of(&mut work, own, &input).await?;
    check_links(&deviations, &input, (parties.sponsor, parties.cmo))?;
    let resource = kernel::partner_data(
        input.transfer,
        own,
        (parties.sponsor, parties.cmo),
        (input.product, &parties.product_name),
        DataClass::QualityEvents,
    );
    kernel::decide_unstored(&user.profile, Action::Contribute, &resource)?;
    let now = work.now();
    let number = numbering::next(work.conn(), Numbered::Capa, own, now.year()).await?;
    let id = CapaId(uuid::Uuid::new_v4());
    let new = NewCapa { id, number: &number, input: &input, owner: own, sponsor: parties.sponsor, cmo: parties.cmo };
    store::capas::insert(work.conn(), &new, now).await?;
    for deviation in &input.deviations {
        store::capas::link(work.conn(), id, *deviation).await?;
    }
    let created = work.authorize::<Capa>(id, Action::Read).await?;
    let mut values = json!(input);
    values["number"] = json!(number);
    values["partnership"] = json!(parties.partnership);
    work.audit(created.entry(AuditAction::Create, None, Some(values), None)).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, respond(&state, &user.profile, created).await?))
}

/// One CAPA with the deviations it answers.
#[utoipa::path(get, path = "/capas/{id}", tag = "quality", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "CAPA id")),
    responses((status = 200, body = CapaView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CapaView>, AppError> {
    let capa = kernel::read::<Capa>(&state, &user.profile, &id).await?;
    respond(&state, &user.profile, capa).await
}

/// Changes a CAPA on the version shown: its text, actions and their progress, the effectiveness check, and further
/// deviations it answers. Its product, partner and transfer stay as raised, and no deviation is unlinked.
#[utoipa::path(put, path = "/capas/{id}", tag = "quality", security(("session" = [])), request_body = CapaChange,
    params(("id" = uuid::Uuid, Path, description = "CAPA id")),
    responses((status = 200, body = CapaView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(mut change): ApiJson<CapaChange>,
) -> Result<Json<CapaView>, AppError> {
    let id = kernel::parse_id::<Capa>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let capa = work.authorize::<Capa>(id, Action::Contribute).await?;
    change.capa.validate()?;
    change.capa.title = change.capa.title.trim().to_owned();
    kernel::ensure_unchanged(work.conn(), &capa, Shown::Version(change.row_version)).await?;
    let before = &capa.record().view;
    let input = &change.capa;
    for (field, same) in [
        ("product", input.product == before.input.product),
        ("partner", input.partner == before.input.partner),
        ("transfer", input.transfer == before.input.transfer),
    ] {
        if !same {
            return Err(ApiError::invalid(field, "A CAPA's product, partner and transfer stay as raised.").into());
        }
    }
    if before.input.deviations.iter().any(|d| !input.deviations.contains(d)) {
        let message = "A CAPA keeps the deviations it answers: send them all, with any new ones.";
        return Err(ApiError::invalid("deviations", message).into());
    }
    let added: Vec<usize> =
        (0..input.deviations.len()).filter(|i| !before.input.deviations.contains(&input.deviations[*i])).collect();
    let own = before.owner.id;
    let parties = (before.sponsor.id, before.cmo.id);
    let deviations = readable_deviations(&mut work, input, &added).await?;
    check_links(&deviations, input, parties)?;
    if let Some(kpi) = &input.kpi {
        let partnership = store::agreements::partnership(work.conn(), own, input.partner).await?;
        if partnership != Some(kpi.partnership) {
            let message = "The KPI reading must be from this partnership's scorecard.";
            return Err(ApiError::invalid("kpi.partnership", message).into());
        }
    }
    let now = work.now();
    store::capas::update(work.conn(), id, input, now).await?;
    for &i in &added {
        store::capas::link(work.conn(), id, input.deviations[i]).await?;
    }
    let old = json!(before.input);
    work.audit(capa.entry(AuditAction::Update, Some(old), Some(json!(input)), None)).await?;
    let changed = work.authorize::<Capa>(id, Action::Read).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}

/// The owner's QA closes the CAPA, signing with the password the content shown.
#[utoipa::path(post, path = "/capas/{id}/closure", tag = "quality", security(("session" = [])),
    request_body = CapaClosure, params(("id" = uuid::Uuid, Path, description = "CAPA id")),
    responses((status = 200, body = CapaView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<CapaClosure>,
) -> Result<Json<CapaView>, AppError> {
    let id = kernel::parse_id::<Capa>(&id)?;
    let signing = Signing {
        action: Action::Sign(Meaning::Approved),
        meaning: Meaning::Approved,
        shown: Shown::Hash(&request.content_hash),
        password: request.password.clone(),
    };
    let (mut work, capa) = kernel::sign::<Capa>(&state, &user.profile, id, signing, || Ok(())).await?;
    let now = work.now();
    store::capas::close(work.conn(), id, now).await?;
    let old = json!({"closed": false});
    let new = json!({"closed": true, "closed_at": now, "on_time": now.date_naive() <= capa.record().view.input.due_on});
    work.audit(capa.entry(AuditAction::StateChange, Some(old), Some(new), None)).await?;
    let changed = work.authorize::<Capa>(id, Action::Read).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}
