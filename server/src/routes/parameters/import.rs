//! Importing a CSV file of sending-unit parameters: all of it or nothing. Every problem in the file is reported by
//! line and column; a clean file replaces the side in one transaction with one audit entry (file hash, row count).
//! A parameter already on the side keeps its id, so its deep link, history and RU pairing survive a re-import.

use super::{file_hash, import_values, outcome, refusal, transfer_of};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{ParameterSet, UnitOfWork};
use crate::state::AppState;
use crate::store;
use crate::store::parameters::Values;
use axum::Json;
use axum::extract::State;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::error::ErrorBody;
use baton_domain::parameter_csv;
use baton_domain::parameter_table::{ImportOutcome, ParameterImport, ParameterSetId, Side};
use serde_json::json;

/// Replaces a transfer's sending-unit parameters with those of a CSV file (columns as the export writes them).
#[utoipa::path(post, path = "/transfers/{id}/su-parameters/import", tag = "parameters", security(("session" = [])),
    request_body = ParameterImport, params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    extensions(("x-baton-max-body-bytes" = json!(crate::routes::MAX_IMPORT_BYTES))),
    responses((status = 200, body = ImportOutcome), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(file): ApiJson<ParameterImport>,
) -> Result<Json<ImportOutcome>, AppError> {
    let transfer = transfer_of(&id)?;
    let set_id = ParameterSetId { transfer, side: Side::Su };
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let set = work.authorize::<ParameterSet>(set_id, Action::Contribute).await?;
    let rows = parameter_csv::parse(&file.csv).map_err(refusal)?;
    let hash = file_hash(&file.csv);
    let previous = set.record().su.len();
    let now = work.now();
    let values: Vec<Values> = rows.iter().map(Values::from).collect();
    let replaced = store::parameters::replace_side(work.conn(), transfer, Side::Su, values, now).await?;
    let old = json!({"rows": previous});
    let mut new = import_values(rows.len(), &hash);
    new["kept"] = json!(replaced.kept);
    new["added"] = json!(replaced.added);
    new["removed"] = json!(replaced.removed);
    work.audit(set.entry(AuditAction::Update, Some(old), Some(new), None)).await?;
    work.commit().await?;
    Ok(Json(outcome(rows.len(), hash)))
}
