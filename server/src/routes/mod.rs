//! The versioned JSON API under `/api/v1`, and its OpenAPI document generated from the handlers.

pub mod agreements;
pub mod audit;
pub mod batches;
pub mod capas;
pub mod change_controls;
pub mod comments;
pub mod declarations;
pub mod deliverables;
pub mod deliveries;
pub mod deviations;
pub mod documents;
#[cfg(test)]
mod endpoints;
pub mod events;
pub mod kpi_targets;
pub mod list_query;
pub mod methods;
pub mod notifications;
pub mod openapi;
pub mod parameters;
pub mod quality;
pub mod risks;
pub mod scorecard;
pub mod search;
pub mod session;
pub mod stages;
pub mod templates;
pub mod transfers;

use crate::error::AppError;
use crate::state::AppState;
use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use baton_domain::error::ErrorCode;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest JSON body accepted; records are small, and files will have their own upload path.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// Largest CSV import accepted.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Baton API", version = "1", description = "Sponsor–CMO technology transfer and quality data exchange. Errors are always an `ErrorBody`. \
        State-changing requests must carry the session's `X-CSRF-Token`. Text must not contain U+0000."),
    modifiers(&SessionCookie),
    components(schemas(openapi::HistoryRecordType, baton_domain::live::LiveReset)),
    tags(
        (name = "session", description = "Logging in and out"),
        (name = "search", description = "Finding records by number, title or product"),
        (name = "transfers", description = "Technology transfers"),
        (name = "documents", description = "Versioned documents of a transfer, their files and signed steps"),
        (name = "parameters", description = "Process parameters of the sending and receiving units"),
        (name = "quality", description = "Batches, deviations, CAPAs and the partnership KPIs"),
        (name = "agreements", description = "Partnerships and data-sharing agreements"),
        (name = "comments", description = "Discussion beside any record"),
        (name = "audit", description = "The audit trail"),
        (name = "notifications", description = "The caller's inbox"),
        (name = "events", description = "Live updates: changes to the records the caller may read, as they happen")
    )
)]
struct ApiDoc;

struct SessionCookie;

impl utoipa::Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::web::SESSION_COOKIE))),
        );
    }
}

/// The API router (to be nested at `/api/v1`) and its OpenAPI document.
pub fn api() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::current, session::login, session::logout))
        .routes(routes!(search::search))
        .routes(routes!(transfers::list, transfers::create))
        .routes(routes!(transfers::get))
        .routes(routes!(transfers::setup))
        .routes(routes!(transfers::changes))
        .routes(routes!(stages::plan))
        .routes(routes!(stages::update))
        .routes(routes!(stages::add_deliverable))
        .routes(routes!(stages::approve))
        .routes(routes!(stages::reopen))
        .routes(routes!(deliverables::get, deliverables::update))
        .routes(routes!(templates::get, templates::update))
        .routes(routes!(methods::list, methods::add))
        .routes(routes!(methods::get))
        .routes(routes!(methods::su_results))
        .routes(routes!(methods::ru_results))
        .routes(routes!(batches::list, batches::create))
        .routes(routes!(batches::setup))
        .routes(routes!(batches::get, batches::update))
        .routes(routes!(batches::add_result, batches::correct_result))
        .routes(routes!(batches::dispose))
        .routes(routes!(deliveries::list, deliveries::create))
        .routes(routes!(deliveries::get, deliveries::update))
        .routes(routes!(scorecard::get))
        .routes(routes!(scorecard::export))
        .routes(routes!(kpi_targets::get, kpi_targets::propose))
        .routes(routes!(kpi_targets::change))
        .routes(routes!(kpi_targets::sign))
        .routes(routes!(deviations::list, deviations::raise))
        .routes(routes!(deviations::get))
        .routes(routes!(deviations::investigate))
        .routes(routes!(deviations::close))
        .routes(routes!(capas::list, capas::raise))
        .routes(routes!(capas::get, capas::update))
        .routes(routes!(capas::close))
        .routes(routes!(change_controls::list, change_controls::raise))
        .routes(routes!(change_controls::setup))
        .routes(routes!(change_controls::get))
        .routes(routes!(change_controls::assess))
        .routes(routes!(change_controls::decide))
        .routes(routes!(change_controls::implement))
        .routes(routes!(change_controls::close))
        .routes(routes!(documents::list))
        .routes(routes!(documents::of_batch))
        .routes(routes!(documents::of_method))
        .routes(routes!(documents::of_deviation))
        .routes(routes!(documents::create))
        .routes(routes!(documents::get))
        .routes(routes!(documents::upload))
        .routes(routes!(documents::view))
        .routes(routes!(documents::download))
        .routes(routes!(documents::submit))
        .routes(routes!(documents::approve))
        .routes(routes!(risks::register, risks::add))
        .routes(routes!(risks::get, risks::update))
        .routes(routes!(parameters::table))
        .routes(routes!(parameters::add_su))
        .routes(routes!(parameters::add_ru))
        .routes(routes!(parameters::get_su, parameters::change_su))
        .routes(routes!(parameters::get_ru, parameters::change_ru))
        .routes(routes!(parameters::export_su))
        .merge(
            // A file of 20,000 parameters is a few megabytes; only this operation takes more than a record's worth.
            OpenApiRouter::new()
                .routes(routes!(parameters::import::import))
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .routes(routes!(agreements::partners))
        .routes(routes!(agreements::list, agreements::create))
        .routes(routes!(agreements::get, agreements::update))
        .routes(routes!(agreements::sign))
        .routes(routes!(agreements::revoke))
        .routes(routes!(agreements::amend))
        .routes(routes!(quality::get, quality::propose))
        .routes(routes!(quality::sign))
        .routes(routes!(audit::list))
        .routes(routes!(audit::export))
        .routes(routes!(audit::actors))
        .routes(routes!(audit::history))
        .routes(routes!(comments::list, comments::add))
        .routes(routes!(comments::people))
        .routes(routes!(comments::change))
        .routes(routes!(comments::resolve))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(events::stream))
        .split_for_parts();
    openapi::add_shared_responses(&mut doc);
    doc.servers = Some(vec![utoipa::openapi::Server::new(baton_domain::endpoints::BASE)]);
    let undeclared = declarations::publish(&mut doc);
    if !undeclared.is_empty() {
        // Caught by routes::declarations' unit test; a release must not silently ship an undeclared operation.
        tracing::error!(?undeclared, "API operations without an access declaration");
    }
    let json = doc.to_json().unwrap_or_default();
    let router = router
        .route("/openapi.json", get(move || async move { ([("content-type", "application/json")], json) }))
        .fallback(|| async { AppError::new(ErrorCode::NotFound, "There is no such API endpoint.") })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    (router, doc)
}

/// `GET /healthz`: the process is up and its database answers.
pub async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<Json<serde_json::Value>, AppError> {
    sqlx::query("SELECT 1").execute(&state.db.pool).await?;
    Ok(Json(serde_json::json!({"status": "ok"})))
}
