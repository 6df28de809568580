//! `/transfers`: the technology transfers the caller's organisation may see.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::ApiPath;
use crate::kernel;
use crate::state::AppState;
use crate::store;
use crate::store::audit::{Actor, Event, NewEntry};
use axum::Json;
use axum::extract::State;
use baton_domain::audit::AuditAction;
use baton_domain::error::ErrorBody;
use baton_domain::ids::OrgId;
use baton_domain::transfer::{TransferDetail, TransferList};
use chrono::Utc;
use std::collections::BTreeMap;

/// Lists the transfers the caller's organisation takes part in.
#[utoipa::path(get, path = "/transfers", tag = "transfers", security(("session" = [])),
    responses((status = 200, body = TransferList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<TransferList>, AppError> {
    let now = Utc::now();
    let own = user.profile.organisation.id;
    let items = store::transfers::list_readable(&state.db.pool, own, now).await?;
    // Listing partners' transfers reads their data: one entry per owning organisation, in its trail, naming them.
    let mut by_owner: BTreeMap<OrgId, Vec<String>> = BTreeMap::new();
    for t in items.iter().filter(|t| t.owner != own) {
        by_owner.entry(t.owner).or_default().push(t.id.to_string());
    }
    let entries = by_owner.into_iter().map(|(owner, transfers)| {
        let new = Some(serde_json::json!({ "transfers": transfers }));
        let entry =
            NewEntry::event(Actor::from(&user.profile), Some(owner), AuditAction::Read, Event::TransferList(own), new);
        state.audit.append(entry, now)
    });
    futures_util::future::try_join_all(entries).await?;
    Ok(Json(TransferList { items }))
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
