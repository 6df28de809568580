//! Analytical method transfer: a method with its acceptance criteria per attribute (the sponsor's), both sites'
//! results (each its own), the evaluation computed by the shared crate, and an investigation deliverable opened in
//! the plan whenever an attribute starts failing.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{self, DeliverableRecord, Method, MethodResults, Shown, UnitOfWork};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::Action;
use baton_domain::agreement::DataClass;
use baton_domain::audit::AuditAction;
use baton_domain::deliverable::{DeliverableInput, DeliverableStatus};
use baton_domain::error::{ErrorBody, ErrorCode};
use baton_domain::ids::{DeliverableId, MethodId};
use baton_domain::method_record::{
    MethodList, MethodResultsId, MethodView, SiteResults, SiteView, evaluate_method, newly_failing, overall,
};
use baton_domain::method_transfer::{AnalyticalMethod, Site};
use baton_domain::stage::GateState;
use baton_domain::transfer::TransferDetail;
use serde_json::json;

/// The name of the stage investigations of failed method transfers are opened in, when it is open.
const METHOD_STAGE: &str = "Analytical method transfer";

/// One site's results as the caller may see them.
async fn site_view(state: &AppState, user: &CurrentUser, method: MethodId, site: Site) -> Result<SiteView, AppError> {
    let id = MethodResultsId { method, site }.to_string();
    match kernel::read::<MethodResults>(state, &user.profile, &id).await {
        Ok(read) => {
            // Results take data actions; signatures belong to gates and dispositions, not to results.
            let actions = read.permitted().into_iter().filter(|a| !matches!(a, Action::Sign(_))).collect();
            Ok(SiteView { results: Some(read.into_record().results), hidden: None, actions })
        }
        Err(AppError::Api(e)) if e.code == ErrorCode::NoAccess => {
            Ok(SiteView { results: None, hidden: Some(e.message), actions: Vec::new() })
        }
        Err(e) => Err(e),
    }
}

/// A method as the caller may see it; `NoAccess` when it may not read the method itself.
async fn view(state: &AppState, user: &CurrentUser, id: MethodId) -> Result<MethodView, AppError> {
    let method = kernel::read::<Method>(state, &user.profile, &id.to_string()).await?.into_record();
    let su = site_view(state, user, id, Site::Su).await?;
    let ru = site_view(state, user, id, Site::Ru).await?;
    let evaluations = match (&su.results, &ru.results) {
        (Some(s), Some(r)) => Some(evaluate_method(&method.method.definition, s, r)),
        _ => None,
    };
    let verdict = evaluations.as_deref().map(overall);
    Ok(MethodView {
        id,
        transfer_id: method.transfer.id,
        method: method.method.definition,
        su,
        ru,
        evaluations,
        verdict,
    })
}

/// A transfer's analytical methods the caller may read, with results and evaluations.
#[utoipa::path(get, path = "/transfers/{id}/methods", tag = "transfers", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 200, body = MethodList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<MethodList>, AppError> {
    let transfer = kernel::read::<TransferDetail>(&state, &user.profile, &id).await?.into_record();
    let ids = store::methods::of_transfer(&mut *state.db.pool.acquire().await?, transfer.id).await?;
    let mut methods = Vec::with_capacity(ids.len());
    for method in ids {
        match view(&state, &user, method).await {
            Ok(v) => methods.push(v),
            Err(AppError::Api(e)) if e.code == ErrorCode::NoAccess => {}
            Err(e) => return Err(e),
        }
    }
    let now = chrono::Utc::now();
    let mut conn = state.db.pool.acquire().await?;
    let (owner, class) = (transfer.sponsor.id, DataClass::AnalyticalMethods);
    let may_add =
        kernel::decide_data(&mut conn, &user.profile, &transfer, owner, class, Action::Contribute, now).await.is_ok();
    Ok(Json(MethodList { methods, actions: may_add.then_some(Action::Contribute).into_iter().collect() }))
}

/// Adds an analytical method with its acceptance criteria.
#[utoipa::path(post, path = "/transfers/{id}/methods", tag = "transfers", security(("session" = [])),
    request_body = AnalyticalMethod, params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 201, body = MethodView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(method): ApiJson<AnalyticalMethod>,
) -> Result<(StatusCode, Json<MethodView>), AppError> {
    let transfer = kernel::parse_id::<TransferDetail>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let read = work.authorize::<TransferDetail>(transfer, Action::Read).await?;
    let (record, now) = (read.record(), work.now());
    let owner = record.sponsor.id;
    kernel::decide_data(
        work.conn(),
        &user.profile,
        record,
        owner,
        DataClass::AnalyticalMethods,
        Action::Contribute,
        now,
    )
    .await?;
    method.validate()?;
    let method_id = MethodId(uuid::Uuid::new_v4());
    store::methods::insert(work.conn(), method_id, transfer, &method, now).await?;
    let created = work.authorize::<Method>(method_id, Action::Read).await?;
    let values = serde_json::to_value(&method).map_err(anyhow::Error::from)?;
    work.audit(created.entry(AuditAction::Create, None, Some(values), None)).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, Json(view(&state, &user, method_id).await?)))
}

/// One analytical method, with both sites' results as the caller may see them, and its evaluation.
#[utoipa::path(get, path = "/methods/{id}", tag = "transfers", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Method id")),
    responses((status = 200, body = MethodView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<MethodView>, AppError> {
    Ok(Json(view(&state, &user, kernel::parse_id::<Method>(&id)?).await?))
}

/// Opens an investigation deliverable for each attribute that started failing, owned by the receiving unit, in
/// the method transfer stage (or the first open stage); each with its audit entry.
async fn open_investigations(
    work: &mut UnitOfWork<'_>,
    method: &Method,
    attributes: Vec<String>,
) -> Result<(), AppError> {
    let plan = store::stages::plan(work.conn(), method.transfer.id).await?;
    let open = |s: &&baton_domain::stage::StageView| s.gate.state == GateState::Open;
    let Some(stage) = plan.iter().filter(open).find(|s| s.name == METHOD_STAGE).or(plan.iter().find(open)) else {
        return Ok(());
    };
    let now = work.now();
    for attribute in attributes {
        let input = DeliverableInput {
            title: format!("Investigate failed method transfer: {} · {attribute}", method.method.definition.name),
            description: format!("“{attribute}” failed its acceptance criteria when the results were last entered."),
            owner_org: method.transfer.cmo.id,
            owner_person: None,
            due_on: Some(now.date_naive() + chrono::Duration::days(30)),
            status: DeliverableStatus::Open,
        };
        let id = DeliverableId(uuid::Uuid::new_v4());
        store::stages::insert_deliverable(work.conn(), id, stage.id, &input, now).await?;
        let created = work.authorize::<DeliverableRecord>(id, Action::Read).await?;
        let reason = Some(format!("Opened automatically: {attribute} failed its acceptance criteria"));
        work.audit(created.entry(AuditAction::Create, None, Some(store::stages::deliverable_values(&input)), reason))
            .await?;
    }
    Ok(())
}

/// Stores one site's results, on the version shown, and opens investigations for attributes that start failing.
async fn save(
    state: &AppState,
    user: &CurrentUser,
    raw: &str,
    site: Site,
    results: SiteResults,
) -> Result<Json<MethodView>, AppError> {
    let method = kernel::parse_id::<Method>(raw)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    // Results are entered against the method: reading it (the sponsor's) comes first, then the site's own data.
    work.authorize::<Method>(method, Action::Read).await?;
    let mine = work.authorize::<MethodResults>(MethodResultsId { method, site }, Action::Contribute).await?;
    let definition = &mine.record().method.method.definition;
    results.validate(definition)?;
    kernel::ensure_unchanged(work.conn(), &mine, Shown::Version(results.row_version)).await?;
    let other = match site {
        Site::Su => Site::Ru,
        Site::Ru => Site::Su,
    };
    let theirs = store::methods::results(work.conn(), method, other).await?;
    let pair = |mine: &SiteResults| match site {
        Site::Su => evaluate_method(definition, mine, &theirs),
        Site::Ru => evaluate_method(definition, &theirs, mine),
    };
    let failing = newly_failing(&pair(&mine.record().results), &pair(&results));
    let now = work.now();
    store::methods::save_results(work.conn(), method, site, &results, now).await?;
    let old = serde_json::to_value(&mine.record().results.results).map_err(anyhow::Error::from)?;
    let new = json!({"results": results.results, "failing": failing});
    work.audit(mine.entry(AuditAction::Update, Some(old), Some(new), None)).await?;
    if !failing.is_empty() {
        let method_record: &Method = &mine.record().method;
        open_investigations(&mut work, method_record, failing).await?;
    }
    work.commit().await?;
    Ok(Json(view(state, user, method).await?))
}

/// The sending unit's results, on the version shown.
#[utoipa::path(put, path = "/methods/{id}/su-results", tag = "transfers", security(("session" = [])),
    request_body = SiteResults, params(("id" = uuid::Uuid, Path, description = "Method id")),
    responses((status = 200, body = MethodView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn su_results(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(results): ApiJson<SiteResults>,
) -> Result<Json<MethodView>, AppError> {
    save(&state, &user, &id, Site::Su, results).await
}

/// The receiving unit's results, on the version shown.
#[utoipa::path(put, path = "/methods/{id}/ru-results", tag = "transfers", security(("session" = [])),
    request_body = SiteResults, params(("id" = uuid::Uuid, Path, description = "Method id")),
    responses((status = 200, body = MethodView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ru_results(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(results): ApiJson<SiteResults>,
) -> Result<Json<MethodView>, AppError> {
    save(&state, &user, &id, Site::Ru, results).await
}
