//! `/session`: log in, see who is logged in, log out.

use crate::auth::{self, CSRF_KEY, CurrentUser, USER_KEY};
use crate::error::AppError;
use crate::json::ApiJson;
use crate::state::AppState;
use crate::store;
use crate::store::audit::{Actor, NewEntry};
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use baton_domain::audit::AuditAction;
use baton_domain::error::{ErrorBody, ErrorCode};
use baton_domain::session::{LoginRequest, SessionInfo};
use baton_domain::throttle::{self, ThrottlePolicy};
use baton_domain::validation::{normalise_email, validate_login};
use chrono::{DateTime, Utc};
use rand::Rng;
use std::net::SocketAddr;
use std::sync::LazyLock;
use tower_sessions::Session;

/// Checked when the e-mail is unknown, so that a wrong e-mail takes as long as a wrong password.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| password_auth::generate_hash("decoy password"));

fn new_csrf_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("session store: {e}"))
}

/// Who is logged in, with the anti-forgery token for their next changes.
#[utoipa::path(get, path = "/session", tag = "session", security(("session" = [])),
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody)))]
pub async fn current(user: CurrentUser) -> Result<Json<SessionInfo>, AppError> {
    let csrf_token: Option<String> = user.session.get(CSRF_KEY).await.map_err(session_error)?;
    let csrf_token = match csrf_token {
        Some(token) => token,
        None => {
            let token = new_csrf_token();
            user.session.insert(CSRF_KEY, &token).await.map_err(session_error)?;
            token
        }
    };
    Ok(Json(SessionInfo { user: user.profile, csrf_token }))
}

fn locked_error(until: DateTime<Utc>) -> AppError {
    AppError::new(
        ErrorCode::TooManyAttempts,
        format!("Too many failed attempts. Try again after {} UTC.", until.format("%Y-%m-%d %H:%M")),
    )
}

/// Logs in with e-mail and password; starts a new session (a fresh id, so a planted cookie is useless).
#[utoipa::path(post, path = "/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<SessionInfo>, AppError> {
    validate_login(&request)?;
    let pool = &state.db.pool;
    let email = normalise_email(&request.email);
    let account_key = format!("account:{email}");
    let address_key = format!("address:{}", peer.ip());
    let now = Utc::now();
    for key in [&account_key, &address_key] {
        throttle::check(store::throttle::get(pool, key).await?.as_ref(), now).map_err(locked_error)?;
    }

    let found = store::users::find_by_email(pool, &email).await?;
    let found_profile = found.as_ref().map(|c| c.profile.clone());
    let hash = found.as_ref().map_or_else(|| DECOY_HASH.clone(), |c| c.password_hash.clone());
    let password_ok = auth::verify_password(request.password, hash).await?;
    let Some(credentials) = found.filter(|_| password_ok) else {
        for (key, policy) in
            [(&account_key, ThrottlePolicy::per_account()), (&address_key, ThrottlePolicy::per_address())]
        {
            let state = throttle::record_failure(store::throttle::get(pool, key).await?, now, policy);
            store::throttle::put(pool, key, &state).await?;
        }
        let actor = match &found_profile {
            Some(profile) => Actor::from(profile),
            None => Actor { id: None, name: email.clone(), org: None },
        };
        let entry = NewEntry {
            actor: actor.clone(),
            owner_org: actor.org,
            action: AuditAction::LoginFailed,
            record_type: baton_domain::record::RecordType::Session,
            record_id: email.clone(),
            old: None,
            new: Some(serde_json::json!({"address": peer.ip().to_string()})),
            reason: None,
        };
        store::audit::record(pool, entry, now).await?;
        tracing::info!(email = %email, "failed login");
        return Err(AppError::new(ErrorCode::InvalidCredentials, "E-mail or password is not correct."));
    };
    store::throttle::clear(pool, &account_key).await?;

    session.cycle_id().await.map_err(session_error)?;
    let csrf_token = new_csrf_token();
    session.insert(USER_KEY, credentials.profile.id).await.map_err(session_error)?;
    session.insert(CSRF_KEY, &csrf_token).await.map_err(session_error)?;
    let entry = NewEntry {
        actor: Actor::from(&credentials.profile),
        owner_org: Some(credentials.profile.organisation.id),
        action: AuditAction::Login,
        record_type: baton_domain::record::RecordType::Session,
        record_id: credentials.profile.id.to_string(),
        old: None,
        new: Some(serde_json::json!({"address": peer.ip().to_string()})),
        reason: None,
    };
    store::audit::record(pool, entry, now).await?;
    tracing::info!(user = %credentials.profile.id, "logged in");
    Ok(Json(SessionInfo { user: credentials.profile, csrf_token }))
}

/// Logs out: the session is deleted on the server, not just forgotten by the browser.
#[utoipa::path(delete, path = "/session", tag = "session", security(("session" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, user: CurrentUser) -> Result<StatusCode, AppError> {
    user.session.flush().await.map_err(session_error)?;
    let entry = NewEntry {
        actor: Actor::from(&user.profile),
        owner_org: Some(user.profile.organisation.id),
        action: AuditAction::Logout,
        record_type: baton_domain::record::RecordType::Session,
        record_id: user.profile.id.to_string(),
        old: None,
        new: None,
        reason: None,
    };
    store::audit::record(&state.db.pool, entry, Utc::now()).await?;
    tracing::info!(user = %user.profile.id, "logged out");
    Ok(StatusCode::NO_CONTENT)
}
