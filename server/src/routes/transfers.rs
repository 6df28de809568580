//! `/transfers`: the technology transfers the caller's organisation may see, and starting new ones.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{self, OrgTemplate, UnitOfWork};
use crate::state::AppState;
use crate::store;
use crate::store::audit::{Actor, Event, NewEntry};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::{Action, PartnerData, Resource};
use baton_domain::audit::{AuditAction, AuditEntry};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::{OrgId, ProductId, TransferId};
use baton_domain::org::{OrgKind, UserProfile};
use baton_domain::transfer::{TransferDetail, TransferDraft, TransferList, TransferSetup, TransferSummary};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;

mod start;

/// Lists the transfers the caller's organisation takes part in.
#[utoipa::path(get, path = "/transfers", tag = "transfers", security(("session" = [])),
    responses((status = 200, body = TransferList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<TransferList>, AppError> {
    let now = Utc::now();
    let items = store::transfers::list_readable(&state.db.pool, user.profile.organisation.id, now).await?;
    record_listing(&state, &user.profile, &items, now).await?;
    let actions = may_start(&user.profile).then_some(Action::Plan).into_iter().collect();
    Ok(Json(TransferList { items, actions }))
}

/// Records that `user` was shown the partners' transfers among `items`: one entry per owning organisation, in its
/// trail, naming them.
pub(crate) async fn record_listing(
    state: &AppState,
    user: &UserProfile,
    items: &[TransferSummary],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let own = user.organisation.id;
    let mut by_owner: BTreeMap<OrgId, Vec<String>> = BTreeMap::new();
    for t in items.iter().filter(|t| t.owner != own) {
        by_owner.entry(t.owner).or_default().push(t.id.to_string());
    }
    let entries = by_owner.into_iter().map(|(owner, transfers)| {
        let new = Some(serde_json::json!({ "transfers": transfers }));
        let entry = NewEntry::event(Actor::from(user), Some(owner), AuditAction::Read, Event::TransferList(own), new);
        state.audit.append(entry, now)
    });
    futures_util::future::try_join_all(entries).await?;
    Ok(())
}

/// One transfer, if the access rule lets the caller see it, with what the caller may do with it.
#[utoipa::path(get, path = "/transfers/{id}", tag = "transfers", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 200, body = TransferDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TransferDetail>, AppError> {
    let transfer = kernel::read::<TransferDetail>(&state, &user.profile, &id).await?;
    let actions = transfer.permitted();
    Ok(Json(TransferDetail { actions, ..transfer.into_record() }))
}

/// Most entries the latest-changes list shows.
const LATEST_CHANGES: i64 = 10;

/// The latest changes to a transfer and its plan (stages, deliverables, risks), newest first.
#[utoipa::path(get, path = "/transfers/{id}/changes", tag = "transfers", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 200, body = Vec<AuditEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn changes(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<AuditEntry>>, AppError> {
    let transfer = kernel::read::<TransferDetail>(&state, &user.profile, &id).await?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(store::audit::plan_changes(&mut conn, transfer.record().id, LATEST_CHANGES).await?))
}

/// What the "start a transfer" form offers the caller: its products, sites and people, its partner CMOs with
/// theirs, and the stages a new transfer gets from its template.
#[utoipa::path(get, path = "/transfer-setup", tag = "transfers", security(("session" = [])),
    responses((status = 200, body = TransferSetup), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn setup(State(state): State<AppState>, user: CurrentUser) -> Result<Json<TransferSetup>, AppError> {
    let own = &user.profile.organisation;
    let template = kernel::read::<OrgTemplate>(&state, &user.profile, &own.id.to_string()).await?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(TransferSetup {
        products: store::setup::products(&mut conn, own.id).await?,
        sites: store::setup::sites(&mut conn, own).await?,
        people: store::setup::people(&mut conn, own.id).await?,
        partners: store::setup::partner_cmos(&mut conn, own.id).await?,
        template: template.into_record().template,
    }))
}

/// Starts a transfer from the organisation's stage template, with its team, planned dates spread over the stages,
/// and each stage's default deliverables. Only a sponsor starts a transfer; its tech-transfer leads and admins may.
#[utoipa::path(post, path = "/transfers", tag = "transfers", security(("session" = [])), request_body = TransferDraft,
    responses((status = 201, body = TransferDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(draft): ApiJson<TransferDraft>,
) -> Result<(StatusCode, Json<TransferDetail>), AppError> {
    let id = TransferId(uuid::Uuid::new_v4());
    decide_start(&user.profile, id, draft.cmo, draft.product)?;
    draft.validate()?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let plan = start::check_and_insert(&mut work, id, &draft).await?;
    let created = work.authorize::<TransferDetail>(id, Action::Plan).await?;
    let record = created.record();
    let new = json!({
        "code": record.code, "product": record.product, "cmo": record.cmo.name,
        "sending_site": record.sending_site.name, "receiving_site": record.receiving_site.name,
        "started_on": record.started_on, "target_completion": record.target_completion,
        "stages": plan, "team": record.team.iter().map(|m| &m.person.name).collect::<Vec<_>>(),
    });
    work.audit(created.entry(AuditAction::Create, None, Some(new), None)).await?;
    let actions = created.permitted();
    let detail = TransferDetail { actions, ..created.into_record() };
    work.commit().await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// Whether `user` may start transfer `id` with `cmo` for `product`: the rule decides planning a transfer its
/// organisation would own, and only a sponsor starts one.
fn decide_start(user: &UserProfile, id: TransferId, cmo: OrgId, product: ProductId) -> Result<(), AppError> {
    let own = user.organisation.id;
    let resource = Resource::Data(PartnerData {
        transfer: Some(id),
        owner: own,
        sponsor: own,
        cmo,
        product,
        product_name: "",
        data_class: None,
    });
    kernel::decide_unstored(user, Action::Plan, &resource)?;
    if user.organisation.kind != OrgKind::Sponsor {
        return Err(AppError::new(
            ErrorCode::NoAccess,
            "Only a sponsor starts a transfer; the receiving unit's organisation joins it as its CMO.",
        ));
    }
    Ok(())
}

/// Whether `user` may start transfers at all (for the list's "Start a transfer").
fn may_start(user: &UserProfile) -> bool {
    let nil = uuid::Uuid::nil();
    decide_start(user, TransferId(nil), OrgId(nil), ProductId(nil)).is_ok()
}

/// 422 on `field` with `message`.
fn invalid(field: &str, message: &str) -> AppError {
    ApiError::invalid(field, message).into()
}

/// Whether a record's reference to a transfer may be a link for `user`: only when the rule lets them open it, so a
/// link never ends on "No access". Deciding this reads nothing of the transfer, so nothing is recorded.
pub async fn linkable(
    state: &AppState,
    user: &UserProfile,
    transfer: Option<&baton_domain::batch::TransferRef>,
) -> Result<bool, AppError> {
    match transfer {
        Some(t) => kernel::may_read::<TransferDetail>(state, user, t.id).await,
        None => Ok(false),
    }
}
