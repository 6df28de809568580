//! Deliveries: the CMO records what it promised a sponsor and, once delivered, what arrived and when; the
//! on-time-in-full KPI is computed from them. The sponsor sees them through an agreement the CMO grants.

use super::batches::may_record;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::kernel::{self, Delivery, Shown, UnitOfWork};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::delivery::{DeliveryChange, DeliveryInput, DeliveryList, DeliveryView};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::DeliveryId;
use baton_domain::record_query::RecordQuery;
use serde_json::json;

fn respond(delivery: kernel::Authorized<Delivery>) -> Json<DeliveryView> {
    let actions = delivery.permitted();
    Json(DeliveryView { actions, ..delivery.into_record().view })
}

const REFERENCE_TAKEN: &str = "Your organisation already has a delivery with this order reference.";

/// The deliveries of the caller's partnerships that the rule lets them see, newest promise first.
#[utoipa::path(get, path = "/deliveries", tag = "quality", security(("session" = [])), params(RecordQuery),
    responses((status = 200, body = DeliveryList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    query: ApiQuery<RecordQuery>,
) -> Result<Json<DeliveryList>, AppError> {
    let narrowing = super::list_query::narrowing(query.cmo, query.period.as_deref(), query.site, query.product)?;
    let today = chrono::Utc::now().date_naive();
    let mut conn = state.db.pool.acquire().await?;
    let (views, truncated) =
        store::deliveries::of_party(&mut conn, user.profile.organisation.id, &narrowing, today).await?;
    drop(conn);
    let records = views.into_iter().map(|view| Delivery { view }).collect();
    let items = kernel::readable(&state, &user.profile, records)
        .await?
        .into_iter()
        .map(|(delivery, actions)| DeliveryView { actions, ..delivery.view })
        .collect();
    Ok(Json(DeliveryList { items, truncated, may_record: may_record(&user.profile) }))
}

/// Records a delivery promised to the sponsor whose product it is (the CMO's people).
#[utoipa::path(post, path = "/deliveries", tag = "quality", security(("session" = [])), request_body = DeliveryInput,
    responses((status = 201, body = DeliveryView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<DeliveryInput>,
) -> Result<(StatusCode, Json<DeliveryView>), AppError> {
    if !may_record(&user.profile) {
        return Err(AppError::new(
            ErrorCode::NoAccess,
            "Deliveries are recorded by the contract manufacturer's people.",
        ));
    }
    input.validate()?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let own = user.profile.organisation.id;
    let Some(sponsor) = store::batches::product_sponsor(work.conn(), own, input.product).await? else {
        // Refused, not invalid: another sponsor's product, or one this CMO does not make, is not its to record.
        let refusal = ApiError {
            field: Some("product".into()),
            ..ApiError::new(ErrorCode::NoAccess, "Your organisation makes no such product for a partner sponsor.")
        };
        return Err(refusal.into());
    };
    let product_name = store::batches::product_name(work.conn(), input.product).await?;
    let resource = kernel::partner_data(
        None,
        own,
        (sponsor, own),
        (input.product, &product_name),
        baton_domain::agreement::DataClass::Commercial,
    );
    kernel::decide_unstored(&user.profile, Action::Contribute, &resource)?;
    if store::deliveries::reference_taken(work.conn(), own, &input.reference, None).await? {
        return Err(ApiError::invalid("reference", REFERENCE_TAKEN).into());
    }
    let id = DeliveryId(uuid::Uuid::new_v4());
    let now = work.now();
    store::deliveries::insert(work.conn(), id, &input, (sponsor, own), now).await?;
    let created = work.authorize::<Delivery>(id, Action::Read).await?;
    work.audit(created.entry(AuditAction::Create, None, Some(json!(input)), None)).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, respond(created)))
}

/// One delivery.
#[utoipa::path(get, path = "/deliveries/{id}", tag = "quality", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Delivery id")),
    responses((status = 200, body = DeliveryView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DeliveryView>, AppError> {
    Ok(respond(kernel::read::<Delivery>(&state, &user.profile, &id).await?))
}

/// Changes a delivery on the version shown: records it as delivered, or corrects it — once delivered, with a
/// reason, since the on-time-in-full KPI is computed from it.
#[utoipa::path(put, path = "/deliveries/{id}", tag = "quality", security(("session" = [])),
    request_body = DeliveryChange, params(("id" = uuid::Uuid, Path, description = "Delivery id")),
    responses((status = 200, body = DeliveryView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<DeliveryChange>,
) -> Result<Json<DeliveryView>, AppError> {
    let id = kernel::parse_id::<Delivery>(&id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let delivery = work.authorize::<Delivery>(id, Action::Contribute).await?;
    change.delivery.validate()?;
    kernel::ensure_unchanged(work.conn(), &delivery, Shown::Version(change.row_version)).await?;
    let before = &delivery.record().view.input;
    if change.delivery.product != before.product {
        return Err(ApiError::invalid("product", "A delivery's product stays as recorded.").into());
    }
    let reason = change.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if before.delivered_on.is_some() && reason.is_none() {
        return Err(ApiError::invalid("reason", "The delivery is recorded as delivered; say why it changes.").into());
    }
    let own = user.profile.organisation.id;
    if store::deliveries::reference_taken(work.conn(), own, &change.delivery.reference, Some(id)).await? {
        return Err(ApiError::invalid("reference", REFERENCE_TAKEN).into());
    }
    let old = json!(before);
    let now = work.now();
    store::deliveries::update(work.conn(), id, &change.delivery, now).await?;
    work.audit(delivery.entry(AuditAction::Update, Some(old), Some(json!(change.delivery)), reason)).await?;
    let changed = work.authorize::<Delivery>(id, Action::Read).await?;
    work.commit().await?;
    Ok(respond(changed))
}
