//! `/audit`: the organisation's audit trail, filtered and paged, as JSON or CSV; `/history`: one record's entries.

use crate::auth::CurrentUser;
use crate::csv_cell;
use crate::error::AppError;
use crate::json::{ApiPath, ApiQuery};
use crate::kernel::{
    self, Batch, Capa, ChangeControl, DeliverableRecord, Delivery, Deviation, Document, Method, ParameterRow,
    QualityVersion, Record, Risk, Stage, TargetsVersion,
};
use crate::state::AppState;
use crate::store;
use crate::store::agreements::Agreement;
use crate::store::audit::{Actor, Event, Filter, NewEntry};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use baton_domain::access::{Action, Resource};
use baton_domain::audit::{AuditAction, AuditEntry};
use baton_domain::audit_trail::{AuditActor, AuditPage, AuditQuery};
use baton_domain::error::{ApiError, ErrorBody};
use baton_domain::record::RecordType;
use baton_domain::transfer::TransferDetail;
use chrono::{DateTime, Utc};

/// Most entries one page or export returns.
const MAX_LIMIT: i64 = 500;
/// Most entries one CSV export returns.
const MAX_EXPORT: i64 = 100_000;

fn parse_time(field: &str, value: &Option<String>) -> Result<Option<DateTime<Utc>>, AppError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ApiError::invalid(field, "Give a time like 2026-11-24T14:05:00Z.").into())
        })
        .transpose()
}

/// The store's filter for a query, each field checked.
fn filter_of(query: &AuditQuery) -> Result<Filter, AppError> {
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    Ok(Filter {
        actor: nonempty(&query.actor)
            .map(|a| a.parse().map_err(|_| AppError::from(ApiError::invalid("actor", "That is not a user id."))))
            .transpose()?,
        record_type: nonempty(&query.record_type)
            .map(|r| {
                r.parse::<RecordType>()
                    .map_err(|_| AppError::from(ApiError::invalid("record_type", "Unknown record type.")))
            })
            .transpose()?,
        record_id: nonempty(&query.record_id),
        action: nonempty(&query.action)
            .map(|a| {
                a.parse::<AuditAction>().map_err(|_| AppError::from(ApiError::invalid("action", "Unknown action.")))
            })
            .transpose()?,
        from: parse_time("from", &query.from)?,
        to: parse_time("to", &query.to)?,
        before_seq: query.before_seq,
    })
}

fn allow_trail(user: &CurrentUser, action: Action) -> Result<(), AppError> {
    kernel::decide_unstored(&user.profile, action, &Resource::AuditTrail { org: user.profile.organisation.id })
}

/// The caller's organisation's audit trail: entries by its users or about its records.
#[utoipa::path(get, path = "/audit", tag = "audit", security(("session" = [])), params(super::openapi::AuditFilters),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    query: ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, AppError> {
    allow_trail(&user, Action::Read)?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("Ask for 1 to {MAX_LIMIT} entries.")).into());
    }
    let items = store::audit::list(&state.db.pool, user.profile.organisation.id, &filter_of(&query)?, limit).await?;
    let next_before_seq = (items.len() as i64 == limit).then(|| items.last().map(|e| e.seq)).flatten();
    Ok(Json(AuditPage { items, next_before_seq }))
}

/// The people who appear in the caller's organisation's trail, for filtering by user.
#[utoipa::path(get, path = "/audit/actors", tag = "audit", security(("session" = [])),
    responses((status = 200, body = Vec<AuditActor>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn actors(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<AuditActor>>, AppError> {
    allow_trail(&user, Action::Read)?;
    let found = store::audit::actors(&state.db.pool, user.profile.organisation.id).await?;
    Ok(Json(found.into_iter().map(|(id, name)| AuditActor { id, name }).collect()))
}

/// The same entries as CSV, for inspections; the export itself is recorded.
#[utoipa::path(get, path = "/audit/export.csv", tag = "audit", security(("session" = [])), params(super::openapi::AuditFilters),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    query: ApiQuery<AuditQuery>,
) -> Result<impl IntoResponse, AppError> {
    allow_trail(&user, Action::Download)?;
    let now = Utc::now();
    let org = user.profile.organisation.id;
    let items = store::audit::list(&state.db.pool, org, &filter_of(&query)?, MAX_EXPORT).await?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    let header = [
        "seq",
        "time_utc",
        "actor",
        "actor_id",
        "action",
        "record_type",
        "record_id",
        "old_values",
        "new_values",
        "reason",
    ];
    csv.write_record(header).map_err(anyhow::Error::from)?;
    for e in &items {
        let cells = [
            e.seq.to_string(),
            e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            e.actor_name.clone(),
            e.actor_id.map(|id| id.to_string()).unwrap_or_default(),
            e.action.as_str().to_owned(),
            e.record_type.as_str().to_owned(),
            e.record_id.clone(),
            e.old.as_ref().map(ToString::to_string).unwrap_or_default(),
            e.new.as_ref().map(ToString::to_string).unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
        ];
        csv.write_record(cells.iter().map(|c| csv_cell::neutralise(c).into_owned())).map_err(anyhow::Error::from)?;
    }
    let body = csv.into_inner().map_err(|e| anyhow::anyhow!("writing CSV: {e}"))?;
    let new = Some(serde_json::json!({"entries": items.len()}));
    let entry =
        NewEntry::event(Actor::from(&user.profile), Some(org), AuditAction::Download, Event::AuditTrail(org), new);
    store::audit::record(&state.db.pool, entry, now).await?;
    let filename = format!("attachment; filename=\"baton-audit-{}.csv\"", now.format("%Y%m%dT%H%M%SZ"));
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, filename)], body))
}

/// One record's history, oldest first, for anyone who may read the record. Reading a partner record's history is
/// a read of that record, audited as one.
#[utoipa::path(get, path = "/history/{record_type}/{id}", tag = "audit", security(("session" = [])),
    params(("record_type" = super::openapi::HistoryRecordType, Path, description = "The kind of record"),
        ("id" = uuid::Uuid, Path, description = "The record's id")),
    responses((status = 200, body = Vec<AuditEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((record_type, id)): ApiPath<(String, String)>,
) -> Result<Json<Vec<AuditEntry>>, AppError> {
    let profile = &user.profile;
    let record_id = match record_type.parse::<RecordType>() {
        Ok(RecordType::Agreement) => kernel::read::<Agreement>(&state, profile, &id).await?.record().id().to_string(),
        Ok(RecordType::Transfer) => kernel::read::<TransferDetail>(&state, profile, &id).await?.record().id.to_string(),
        Ok(RecordType::QualityAgreement) => {
            kernel::read::<QualityVersion>(&state, profile, &id).await?.record().id.to_string()
        }
        Ok(RecordType::KpiTargets) => {
            kernel::read::<TargetsVersion>(&state, profile, &id).await?.record().id.to_string()
        }
        Ok(RecordType::Stage) => kernel::read::<Stage>(&state, profile, &id).await?.record().id().to_string(),
        Ok(RecordType::Parameter) => {
            kernel::read::<ParameterRow>(&state, profile, &id).await?.record().id().to_string()
        }
        Ok(RecordType::Method) => kernel::read::<Method>(&state, profile, &id).await?.record().id().to_string(),
        Ok(RecordType::Risk) => kernel::read::<Risk>(&state, profile, &id).await?.record().id().to_string(),
        Ok(RecordType::Deliverable) => {
            kernel::read::<DeliverableRecord>(&state, profile, &id).await?.record().id().to_string()
        }
        Ok(RecordType::Batch) => kernel::read::<Batch>(&state, profile, &id).await?.record().id().to_string(),
        Ok(RecordType::Deviation) => kernel::read::<Deviation>(&state, profile, &id).await?.record().id().to_string(),
        Ok(RecordType::Capa) => kernel::read::<Capa>(&state, profile, &id).await?.record().id().to_string(),
        Ok(RecordType::ChangeControl) => {
            kernel::read::<ChangeControl>(&state, profile, &id).await?.record().id().to_string()
        }
        Ok(RecordType::Delivery) => kernel::read::<Delivery>(&state, profile, &id).await?.record().id().to_string(),
        Ok(RecordType::Document) => kernel::read::<Document>(&state, profile, &id).await?.record().id().to_string(),
        _ => {
            return Err(ApiError::invalid(
                "record_type",
                "History is kept for agreement, quality_agreement, kpi_targets, transfer, stage, deliverable, \
                 parameter, risk, method, document, batch, delivery, deviation, capa and change_control records.",
            )
            .into());
        }
    };
    let record_type: RecordType = record_type.parse().map_err(|_| anyhow::anyhow!("checked above"))?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(store::audit::history(&mut conn, record_type, &record_id).await?))
}
