//! Process parameters: the side-by-side table with its gaps, the sending unit's parameters (added, changed,
//! imported from and exported to CSV) and the receiving unit's proposals. Each side is its owner's data under the
//! access rule: the sponsor's SU side, the CMO's RU side.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{self, Authorized, ParameterRow, ParameterSet, Shown, UnitOfWork};
use crate::state::AppState;
use crate::store;
use crate::store::parameters::{Stored, Values};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::canonical::sha256_hex;
use baton_domain::error::{ApiError, ErrorBody, ErrorCode, Problem};
use baton_domain::ids::{ParameterId, TransferId};
use baton_domain::parameter::{RuProposal, SuParameter};
use baton_domain::parameter_csv;
use baton_domain::parameter_table::{
    ImportOutcome, ParameterSetId, ParameterTable, RuChange, Side, SideAccess, StoredRu, StoredSu, SuChange,
    build_pairs,
};
use baton_domain::transfer::TransferDetail;
use chrono::Utc;
use serde_json::json;

pub mod import;

/// One side of the table for the caller: the set if the rule lets it read it, otherwise why not.
async fn read_side(
    state: &AppState,
    user: &CurrentUser,
    transfer: TransferId,
    side: Side,
) -> Result<Result<Authorized<ParameterSet>, String>, AppError> {
    let id = ParameterSetId { transfer, side }.to_string();
    match kernel::read::<ParameterSet>(state, &user.profile, &id).await {
        Ok(set) => Ok(Ok(set)),
        Err(AppError::Api(e)) if e.code == ErrorCode::NoAccess => Ok(Err(e.message)),
        Err(e) => Err(e),
    }
}

/// A transfer's parameters side by side: each side as the rule lets the caller read it, gaps where both show.
#[utoipa::path(get, path = "/transfers/{id}/parameters", tag = "parameters", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 200, body = ParameterTable), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn table(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ParameterTable>, AppError> {
    let transfer = kernel::read::<TransferDetail>(&state, &user.profile, &id).await?.into_record();
    // The two sides load on two connections at once: each is a few tens of thousands of cells to decode.
    let (su, ru) =
        tokio::join!(read_side(&state, &user, transfer.id, Side::Su), read_side(&state, &user, transfer.id, Side::Ru));
    let (su, ru) = (su?, ru?);
    let access = |side: &Result<Authorized<ParameterSet>, String>, owner| SideAccess {
        owner,
        hidden: side.as_ref().err().cloned(),
        actions: side.as_ref().map(|s| s.permitted()).unwrap_or_default(),
    };
    let (su_access, ru_access) = (access(&su, transfer.sponsor.clone()), access(&ru, transfer.cmo.clone()));
    let both = su.is_ok() && ru.is_ok();
    let su_rows = su.map(|s| s.into_record().su).unwrap_or_default();
    let ru_rows = ru.map(|r| r.into_record().ru).unwrap_or_default();
    Ok(Json(ParameterTable {
        transfer_id: transfer.id,
        su: su_access,
        ru: ru_access,
        pairs: build_pairs(su_rows, ru_rows, both),
    }))
}

fn transfer_of(raw: &str) -> Result<TransferId, AppError> {
    kernel::parse_id::<TransferDetail>(raw)
}

/// 409 when the side already has a parameter of that unit operation and name.
async fn ensure_new_name(
    work: &mut UnitOfWork<'_>,
    transfer: TransferId,
    side: Side,
    values: &Values,
    except: Option<ParameterId>,
) -> Result<(), AppError> {
    if store::parameters::name_taken(work.conn(), transfer, side, values, except).await? {
        let message = "This transfer already has a parameter of that name in that unit operation; change that one.";
        return Err(AppError::new(ErrorCode::Conflict, message));
    }
    Ok(())
}

/// Adds one row to a side and audits its creation.
async fn add(
    state: &AppState,
    user: &CurrentUser,
    raw: &str,
    side: Side,
    values: Values,
    audit: serde_json::Value,
) -> Result<ParameterRow, AppError> {
    let transfer = transfer_of(raw)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    work.authorize::<ParameterSet>(ParameterSetId { transfer, side }, Action::Contribute).await?;
    ensure_new_name(&mut work, transfer, side, &values, None).await?;
    let id = ParameterId(uuid::Uuid::new_v4());
    let now = work.now();
    store::parameters::insert(work.conn(), transfer, side, &[(id, values)], now).await?;
    let created = work.authorize::<ParameterRow>(id, Action::Read).await?;
    work.audit(created.entry(AuditAction::Create, None, Some(audit), None)).await?;
    work.commit().await?;
    Ok(created.into_record())
}

/// Adds a sending-unit parameter.
#[utoipa::path(post, path = "/transfers/{id}/su-parameters", tag = "parameters", security(("session" = [])),
    request_body = SuParameter, params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 201, body = StoredSu), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_su(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(parameter): ApiJson<SuParameter>,
) -> Result<(StatusCode, Json<StoredSu>), AppError> {
    parameter.validate()?;
    let audit = serde_json::to_value(&parameter).map_err(anyhow::Error::from)?;
    match add(&state, &user, &id, Side::Su, Values::from(&parameter), audit).await?.row {
        Stored::Su(stored) => Ok((StatusCode::CREATED, Json(stored))),
        Stored::Ru(_) => Err(anyhow::anyhow!("an SU insert read back an RU row").into()),
    }
}

/// Adds a receiving-unit proposal.
#[utoipa::path(post, path = "/transfers/{id}/ru-proposals", tag = "parameters", security(("session" = [])),
    request_body = RuProposal, params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 201, body = StoredRu), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_ru(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(proposal): ApiJson<RuProposal>,
) -> Result<(StatusCode, Json<StoredRu>), AppError> {
    proposal.validate()?;
    let audit = serde_json::to_value(&proposal).map_err(anyhow::Error::from)?;
    match add(&state, &user, &id, Side::Ru, Values::from(&proposal), audit).await?.row {
        Stored::Ru(stored) => Ok((StatusCode::CREATED, Json(stored))),
        Stored::Su(_) => Err(anyhow::anyhow!("an RU insert read back an SU row").into()),
    }
}

fn not_this_side() -> AppError {
    AppError::new(ErrorCode::NotFound, "There is no parameter with this id on this side.")
}

/// Changes one row, on the version shown; `old` and `new` are its values for the audit trail.
async fn change(
    state: &AppState,
    user: &CurrentUser,
    raw: &str,
    side: Side,
    values: Values,
    row_version: i64,
    new: serde_json::Value,
) -> Result<ParameterRow, AppError> {
    let id = kernel::parse_id::<ParameterRow>(raw)?;
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let row = work.authorize::<ParameterRow>(id, Action::Contribute).await?;
    if row.record().side() != side {
        return Err(not_this_side());
    }
    kernel::ensure_unchanged(work.conn(), &row, Shown::Version(row_version)).await?;
    let transfer = row.record().transfer.id;
    ensure_new_name(&mut work, transfer, side, &values, Some(id)).await?;
    let old = match &row.record().row {
        Stored::Su(s) => serde_json::to_value(&s.parameter),
        Stored::Ru(r) => serde_json::to_value(&r.proposal),
    }
    .map_err(anyhow::Error::from)?;
    let now = work.now();
    store::parameters::update(work.conn(), id, &values, now).await?;
    work.audit(row.entry(AuditAction::Update, Some(old), Some(new), None)).await?;
    let changed = work.authorize::<ParameterRow>(id, Action::Read).await?;
    work.commit().await?;
    Ok(changed.into_record())
}

/// Changes a sending-unit parameter, on the version shown.
#[utoipa::path(put, path = "/su-parameters/{id}", tag = "parameters", security(("session" = [])),
    request_body = SuChange, params(("id" = uuid::Uuid, Path, description = "Parameter id")),
    responses((status = 200, body = StoredSu), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_su(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<SuChange>,
) -> Result<Json<StoredSu>, AppError> {
    request.parameter.validate()?;
    let new = serde_json::to_value(&request.parameter).map_err(anyhow::Error::from)?;
    let values = Values::from(&request.parameter);
    match change(&state, &user, &id, Side::Su, values, request.row_version, new).await?.row {
        Stored::Su(stored) => Ok(Json(stored)),
        Stored::Ru(_) => Err(not_this_side()),
    }
}

/// Changes a receiving-unit proposal, on the version shown.
#[utoipa::path(put, path = "/ru-proposals/{id}", tag = "parameters", security(("session" = [])),
    request_body = RuChange, params(("id" = uuid::Uuid, Path, description = "Proposal id")),
    responses((status = 200, body = StoredRu), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_ru(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<RuChange>,
) -> Result<Json<StoredRu>, AppError> {
    request.proposal.validate()?;
    let new = serde_json::to_value(&request.proposal).map_err(anyhow::Error::from)?;
    let values = Values::from(&request.proposal);
    match change(&state, &user, &id, Side::Ru, values, request.row_version, new).await?.row {
        Stored::Ru(stored) => Ok(Json(stored)),
        Stored::Su(_) => Err(not_this_side()),
    }
}

/// One sending-unit parameter.
#[utoipa::path(get, path = "/su-parameters/{id}", tag = "parameters", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Parameter id")),
    responses((status = 200, body = StoredSu), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_su(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<StoredSu>, AppError> {
    match kernel::read::<ParameterRow>(&state, &user.profile, &id).await?.into_record().row {
        Stored::Su(stored) => Ok(Json(stored)),
        Stored::Ru(_) => Err(not_this_side()),
    }
}

/// One receiving-unit proposal.
#[utoipa::path(get, path = "/ru-proposals/{id}", tag = "parameters", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Proposal id")),
    responses((status = 200, body = StoredRu), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_ru(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<StoredRu>, AppError> {
    match kernel::read::<ParameterRow>(&state, &user.profile, &id).await?.into_record().row {
        Stored::Ru(stored) => Ok(Json(stored)),
        Stored::Su(_) => Err(not_this_side()),
    }
}

/// The sending-unit parameters as CSV, in the import's columns; the download is on the audit trail.
#[utoipa::path(get, path = "/transfers/{id}/su-parameters/export.csv", tag = "parameters", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_su(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<impl IntoResponse, AppError> {
    let transfer = transfer_of(&id)?;
    let set_id = ParameterSetId { transfer, side: Side::Su }.to_string();
    let set = kernel::download::<ParameterSet>(&state, &user.profile, &set_id).await?.into_record();
    let rows: Vec<SuParameter> = set.su.into_iter().map(|s| s.parameter).collect();
    let filename = format!(
        "attachment; filename=\"{}-su-parameters-{}.csv\"",
        set.transfer.code,
        Utc::now().format("%Y%m%dT%H%M%SZ")
    );
    let headers =
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, filename)];
    Ok((headers, parameter_csv::export(&rows)))
}

/// The problems of a refused file as the API reports them.
fn refusal(problems: Vec<parameter_csv::CsvProblem>) -> AppError {
    let count = problems.len();
    let located =
        problems.into_iter().map(|p| Problem { line: Some(p.line), column: p.column, message: p.message }).collect();
    let message = format!("The file was not imported: {count} problem(s) found. Nothing was changed.");
    ApiError::problems("csv", message, located).into()
}

/// The hash an import's audit entry records.
fn file_hash(csv: &str) -> String {
    sha256_hex(csv)
}

/// The audit values of an import.
fn import_values(rows: usize, hash: &str) -> serde_json::Value {
    json!({"rows": rows, "file_sha256": hash})
}

/// What an import did, for its response.
fn outcome(rows: usize, file_hash: String) -> ImportOutcome {
    ImportOutcome { rows, file_hash }
}
