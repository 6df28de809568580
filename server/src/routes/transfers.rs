//! `/transfers`: the technology transfers the caller's organisation may see.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::ApiPath;
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use baton_domain::access::{self, Action, Decision, Resource};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::TransferId;
use baton_domain::transfer::{TransferDetail, TransferList};

/// Lists the transfers the caller's organisation takes part in.
#[utoipa::path(get, path = "/transfers", tag = "transfers", security(("session" = [])),
    responses((status = 200, body = TransferList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<TransferList>, AppError> {
    let items = store::transfers::list_for_party(&state.db.pool, user.profile.organisation.id).await?;
    Ok(Json(TransferList { items }))
}

/// One transfer, if the access rule lets the caller see it.
#[utoipa::path(get, path = "/transfers/{id}", tag = "transfers", security(("session" = [])),
    params(("id" = String, Path, description = "Transfer id (UUID)")),
    responses((status = 200, body = TransferDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TransferDetail>, AppError> {
    let id: TransferId =
        id.parse().map_err(|_| ApiError::invalid("id", "That is not a valid transfer id (a UUID)."))?;
    let transfer = store::transfers::get(&state.db.pool, id)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "There is no transfer with this id."))?;
    let resource = Resource::Transfer { sponsor: transfer.sponsor.id, cmo: transfer.cmo.id };
    match access::decide(&user.subject(), Action::Read, &resource) {
        Decision::Allow => Ok(Json(transfer)),
        Decision::Deny(reason) => Err(AppError::new(ErrorCode::NoAccess, reason.message())),
    }
}
