//! Assembles the whole HTTP service: API, health check, front end, and the layers every response passes through.

use crate::routes;
use crate::state::AppState;
use crate::store::sessions::DbSessionStore;
use crate::web::{self, SESSION_COOKIE};
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use std::path::Path;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// How the service is put together.
#[derive(Clone, Debug)]
pub struct HttpOptions<'a> {
    /// Where Trunk's build output is.
    pub dist: &'a Path,
    /// Mark the session cookie Secure (when Baton is served over TLS).
    pub secure_cookies: bool,
}

/// The complete service.
pub fn router(state: AppState, options: &HttpOptions<'_>) -> Router {
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.pool.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(options.secure_cookies)
        // Logins set each session's own end (see `auth`); this default covers sessions that never logged in.
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(state.sessions.idle.num_seconds())));
    let (api, _) = routes::api();
    let api =
        api.layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    let front_end = web::front_end(options.dist);
    let csp = web::CspSource::new(options.dist);

    Router::new()
        .nest(baton_domain::endpoints::BASE, api)
        .route("/healthz", get(routes::healthz))
        .with_state(state)
        .merge(front_end)
        .layer(axum::middleware::from_fn(crate::csrf::protect))
        .layer(axum::middleware::from_fn(crate::tab::remember))
        .layer(sessions)
        // Compresses API responses on the fly. It leaves alone any response that already has a Content-Encoding,
        // so the front end's precompressed files pass through as they are (tests/tests/static_files.rs checks).
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            move |_: &axum::response::Response| Some(csp.current()),
        ))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(header_layer(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"))
        .layer(TraceLayer::new_for_http())
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}
