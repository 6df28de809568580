//! Batches: recorded by the CMO's plant, results entered as they come, dispositioned by QA of the party the quality
//! agreement makes accountable for batch release.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::kernel::{self, Batch, Deviation, Shown, Signing, UnitOfWork};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::batch::{
    BatchChange, BatchInput, BatchList, BatchQuery, BatchSetup, BatchView, Disposition, DispositionRequest,
    ResultCorrection, ResultInput,
};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::{BatchId, BatchResultId, OrgId};
use baton_domain::org::{OrgKind, UserProfile};
use baton_domain::signature::Meaning;
use serde_json::json;
use sqlx::AnyConnection;

/// The batch for its caller: the actions they may take, and only the deviations they may read (a deviation is a
/// quality event, which an agreement on batch records alone does not reach).
async fn respond(
    state: &AppState,
    user: &UserProfile,
    batch: kernel::Authorized<Batch>,
) -> Result<Json<BatchView>, AppError> {
    let actions = batch.permitted();
    let mut view = batch.into_record().view;
    let ids: Vec<_> = view.deviations.iter().map(|d| d.id).collect();
    let readable = kernel::readable_ids::<Deviation>(state, user, &ids).await?;
    view.deviations.retain(|d| readable.contains(&d.id.to_string()));
    let transfer_readable = super::transfers::linkable(state, user, view.transfer.as_ref()).await?;
    Ok(Json(BatchView { actions, transfer_readable, ..view }))
}

/// The batches of the caller's partnerships that the rule lets them see, newest first.
#[utoipa::path(get, path = "/batches", tag = "quality", security(("session" = [])), params(BatchQuery),
    responses((status = 200, body = BatchList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    query: ApiQuery<BatchQuery>,
) -> Result<Json<BatchList>, AppError> {
    let narrowing = super::list_query::narrowing(query.cmo, query.period.as_deref(), query.site, query.product)?;
    let mut conn = state.db.pool.acquire().await?;
    let (rows, truncated) =
        store::batches::of_party(&mut conn, user.profile.organisation.id, &narrowing, query.finished.unwrap_or(false))
            .await?;
    drop(conn);
    let (records, summaries): (Vec<Batch>, Vec<_>) =
        rows.into_iter().map(|(stored, summary)| (Batch { view: stored.view }, summary)).unzip();
    let readable = kernel::readable(&state, &user.profile, records).await?;
    let kept: std::collections::HashSet<BatchId> = readable.iter().map(|(b, _)| b.view.id).collect();
    let items = summaries.into_iter().filter(|s| kept.contains(&s.id)).collect();
    Ok(Json(BatchList { items, truncated, may_record: may_record(&user.profile) }))
}

/// Whether `user` may record batches: a CMO's people who may change their own organisation's data.
pub(crate) fn may_record(user: &UserProfile) -> bool {
    user.organisation.kind == OrgKind::Cmo && user.role != baton_domain::org::Role::Viewer
}

/// What the batch form offers the caller.
#[utoipa::path(get, path = "/batch-setup", tag = "quality", security(("session" = [])),
    responses((status = 200, body = BatchSetup), (status = 401, body = ErrorBody)))]
pub async fn setup(State(state): State<AppState>, user: CurrentUser) -> Result<Json<BatchSetup>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(store::batches::setup(&mut conn, user.profile.organisation.id).await?))
}

/// The sponsor of the partnership a batch of `input` would belong to, once its site, product and transfer are
/// checked: the site the caller's, the product a partner sponsor's, the transfer (if any) one the caller receives
/// for that product.
async fn sponsor_of(conn: &mut AnyConnection, user: &UserProfile, input: &BatchInput) -> Result<OrgId, AppError> {
    let own = user.organisation.id;
    let setup = store::batches::setup(conn, own).await?;
    if !setup.sites.iter().any(|s| s.id == input.site) {
        return Err(AppError::new(ErrorCode::NoAccess, "That site is not one of your organisation's sites."));
    }
    let Some(sponsor) = store::batches::product_sponsor(conn, own, input.product).await? else {
        return Err(ApiError::invalid("product", "Choose a product of a sponsor your organisation works for.").into());
    };
    if let Some(transfer) = input.transfer {
        let known = setup.transfers.iter().any(|t| t.transfer.id == transfer && t.product == input.product);
        if !known {
            return Err(
                ApiError::invalid("transfer", "Choose one of your organisation's transfers of this product.").into()
            );
        }
    }
    Ok(sponsor)
}

/// Records a batch (the CMO's plant).
#[utoipa::path(post, path = "/batches", tag = "quality", security(("session" = [])), request_body = BatchInput,
    responses((status = 201, body = BatchView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<BatchInput>,
) -> Result<(StatusCode, Json<BatchView>), AppError> {
    if !may_record(&user.profile) {
        return Err(AppError::new(ErrorCode::NoAccess, "Batches are recorded by the contract manufacturer's people."));
    }
    input.validate()?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let own = user.profile.organisation.id;
    let sponsor = sponsor_of(work.conn(), &user.profile, &input).await?;
    let product_name = store::batches::product_name(work.conn(), input.product).await?;
    let resource = kernel::partner_data(
        input.transfer,
        own,
        (sponsor, own),
        (input.product, &product_name),
        baton_domain::agreement::DataClass::BatchRecords,
    );
    kernel::decide_unstored(&user.profile, Action::Contribute, &resource)?;
    if store::batches::number_taken(work.conn(), own, &input.number, None).await? {
        return Err(ApiError::invalid("number", "Your organisation already has a batch with this number.").into());
    }
    let id = BatchId(uuid::Uuid::new_v4());
    let now = work.now();
    store::batches::insert(work.conn(), id, &input, sponsor, own, now).await?;
    let created = work.authorize::<Batch>(id, Action::Read).await?;
    work.audit(created.entry(AuditAction::Create, None, Some(json!(input)), None)).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, respond(&state, &user.profile, created).await?))
}

/// One batch with its results, deviations and disposition.
#[utoipa::path(get, path = "/batches/{id}", tag = "quality", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Batch id")),
    responses((status = 200, body = BatchView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<BatchView>, AppError> {
    let batch = kernel::read::<Batch>(&state, &user.profile, &id).await?;
    respond(&state, &user.profile, batch).await
}

/// Changes a batch's recorded values on the version shown; once it has results, with a reason.
#[utoipa::path(put, path = "/batches/{id}", tag = "quality", security(("session" = [])), request_body = BatchChange,
    params(("id" = uuid::Uuid, Path, description = "Batch id")),
    responses((status = 200, body = BatchView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<BatchChange>,
) -> Result<Json<BatchView>, AppError> {
    let id = kernel::parse_id::<Batch>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let batch = work.authorize::<Batch>(id, Action::Contribute).await?;
    change.batch.validate()?;
    kernel::ensure_unchanged(work.conn(), &batch, Shown::Version(change.row_version)).await?;
    let before = &batch.record().view;
    let reason = change.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if !before.results.is_empty() && reason.is_none() {
        return Err(ApiError::invalid("reason", "The batch has results; say why its record changes.").into());
    }
    if change.batch.site != before.input.site
        || change.batch.product != before.input.product
        || change.batch.transfer != before.input.transfer
    {
        return Err(ApiError::invalid("site", "A batch's site, product and transfer stay as recorded.").into());
    }
    let own = user.profile.organisation.id;
    if store::batches::number_taken(work.conn(), own, &change.batch.number, Some(id)).await? {
        return Err(ApiError::invalid("number", "Your organisation already has a batch with this number.").into());
    }
    let old = json!(before.input);
    let now = work.now();
    store::batches::update(work.conn(), id, &change.batch, now).await?;
    work.audit(batch.entry(AuditAction::Update, Some(old), Some(json!(change.batch)), reason)).await?;
    let changed = work.authorize::<Batch>(id, Action::Read).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}

/// Records a result against its specification; whether it is out of specification is computed.
#[utoipa::path(post, path = "/batches/{id}/results", tag = "quality", security(("session" = [])),
    request_body = ResultInput, params(("id" = uuid::Uuid, Path, description = "Batch id")),
    responses((status = 201, body = BatchView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_result(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(result): ApiJson<ResultInput>,
) -> Result<(StatusCode, Json<BatchView>), AppError> {
    let id = kernel::parse_id::<Batch>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let batch = work.authorize::<Batch>(id, Action::Contribute).await?;
    result.validate()?;
    let result_id = BatchResultId(uuid::Uuid::new_v4());
    let now = work.now();
    store::batches::add_result(work.conn(), id, result_id, &result, now).await?;
    let new = json!({"result": result_id, "test": result.test.trim(), "value": result.value,
        "out_of_spec": result.value.out_of_spec()});
    work.audit(batch.entry(AuditAction::Update, None, Some(new), None)).await?;
    let changed = work.authorize::<Batch>(id, Action::Read).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, respond(&state, &user.profile, changed).await?))
}

/// Corrects a recorded result on the batch's version shown, with a reason; out of specification is judged again,
/// and the value replaced stays on the audit trail.
#[utoipa::path(put, path = "/batches/{id}/results", tag = "quality", security(("session" = [])),
    request_body = ResultCorrection, params(("id" = uuid::Uuid, Path, description = "Batch id")),
    responses((status = 200, body = BatchView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn correct_result(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(correction): ApiJson<ResultCorrection>,
) -> Result<Json<BatchView>, AppError> {
    let id = kernel::parse_id::<Batch>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let batch = work.authorize::<Batch>(id, Action::Contribute).await?;
    correction.validate()?;
    kernel::ensure_unchanged(work.conn(), &batch, Shown::Version(correction.row_version)).await?;
    let Some(before) = batch.record().view.results.iter().find(|r| r.id == correction.result_id) else {
        return Err(ApiError::invalid("result_id", "This batch has no such result.").into());
    };
    let old =
        json!({"result": before.id, "test": before.test, "value": before.value, "out_of_spec": before.out_of_spec});
    let corrected = &correction.result;
    let new = json!({"result": before.id, "test": corrected.test.trim(), "value": corrected.value,
        "out_of_spec": corrected.value.out_of_spec()});
    let now = work.now();
    store::batches::correct_result(work.conn(), id, correction.result_id, corrected, now).await?;
    let reason = Some(correction.reason.trim().to_owned());
    work.audit(batch.entry(AuditAction::Update, Some(old), Some(new), reason)).await?;
    let changed = work.authorize::<Batch>(id, Action::Read).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}

/// QA's disposition, signed with the password, on the content shown; a rejection with its reason.
#[utoipa::path(post, path = "/batches/{id}/disposition", tag = "quality", security(("session" = [])),
    request_body = DispositionRequest, params(("id" = uuid::Uuid, Path, description = "Batch id")),
    responses((status = 200, body = BatchView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn dispose(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<DispositionRequest>,
) -> Result<Json<BatchView>, AppError> {
    let id = kernel::parse_id::<Batch>(&id)?;
    let meaning = match request.disposition {
        Disposition::Released => Meaning::Released,
        Disposition::Rejected => Meaning::Rejected,
    };
    let signing = Signing {
        action: Action::Sign(meaning),
        meaning,
        shown: Shown::Hash(&request.content_hash),
        password: request.password.clone(),
    };
    let (mut work, batch) =
        kernel::sign::<Batch>(&state, &user.profile, id, signing, || Ok(request.validate()?)).await?;
    let now = work.now();
    store::batches::dispose(work.conn(), id, request.disposition, &request.reason, now).await?;
    let old = json!({"status": batch.record().view.status.as_str()});
    let new = json!({"disposition": request.disposition.as_str(), "reason": request.reason.trim()});
    let reason = Some(request.reason.trim().to_owned()).filter(|r| !r.is_empty());
    work.audit(batch.entry(AuditAction::StateChange, Some(old), Some(new), reason)).await?;
    let changed = work.authorize::<Batch>(id, Action::Read).await?;
    work.commit().await?;
    respond(&state, &user.profile, changed).await
}
