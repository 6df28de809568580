//! `/transfers`: the technology transfers the caller's organisation may see.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::ApiPath;
use crate::state::AppState;
use crate::store;
use crate::store::audit::{Actor, NewEntry};
use axum::Json;
use axum::extract::State;
use baton_domain::access::{self, Action, Decision, Resource, TransferData};
use baton_domain::audit::AuditAction;
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::TransferId;
use baton_domain::org::OrgKind;
use baton_domain::record::RecordType;
use baton_domain::transfer::{TransferDetail, TransferList};
use chrono::Utc;

/// Lists the transfers the caller's organisation takes part in.
#[utoipa::path(get, path = "/transfers", tag = "transfers", security(("session" = [])),
    responses((status = 200, body = TransferList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<TransferList>, AppError> {
    let now = Utc::now();
    let own = user.profile.organisation.id;
    let items = store::transfers::list_readable(&state.db.pool, own, now).await?;
    // Partners' transfers in the list are reads of their data: one entry per listing, naming them.
    let foreign: Vec<String> =
        items.iter().filter(|t| t.partner.kind == OrgKind::Sponsor).map(|t| t.id.to_string()).collect();
    if !foreign.is_empty() {
        let entry = NewEntry {
            actor: Actor::from(&user.profile),
            owner_org: items.iter().find(|t| t.partner.kind == OrgKind::Sponsor).map(|t| t.partner.id),
            action: AuditAction::Read,
            record_type: RecordType::TransferList,
            record_id: own.to_string(),
            old: None,
            new: Some(serde_json::json!({ "transfers": foreign })),
            reason: None,
        };
        store::audit::record(&state.db.pool, entry, now).await?;
    }
    Ok(Json(TransferList { items }))
}

/// One transfer, if the access rule lets the caller see it.
#[utoipa::path(get, path = "/transfers/{id}", tag = "transfers", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
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
    let now = Utc::now();
    let subject = user.subject();
    let agreements = if subject.org == transfer.cmo.id {
        store::agreements::in_force_for_transfer(
            &state.db.pool,
            transfer.sponsor.id,
            subject.org,
            id,
            &transfer.product,
            now,
        )
        .await?
    } else {
        Vec::new()
    };
    let data = TransferData {
        id,
        sponsor: transfer.sponsor.id,
        cmo: transfer.cmo.id,
        product: &transfer.product,
        data_class: None,
    };
    if let Decision::Deny(reason) = access::decide(&subject, Action::Read, &Resource::Transfer(data), &agreements, now)
    {
        return Err(AppError::new(ErrorCode::NoAccess, reason.message()));
    }
    if subject.org != transfer.sponsor.id {
        let entry = NewEntry {
            actor: Actor::from(&user.profile),
            owner_org: Some(transfer.sponsor.id),
            action: AuditAction::Read,
            record_type: RecordType::Transfer,
            record_id: id.to_string(),
            old: None,
            new: None,
            reason: None,
        };
        store::audit::record(&state.db.pool, entry, now).await?;
    }
    Ok(Json(transfer))
}
