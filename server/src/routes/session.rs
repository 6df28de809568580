//! `/session`: log in, see who is logged in, log out.

use crate::auth::{self, CSRF_KEY, CurrentUser, USER_KEY};
use crate::error::AppError;
use crate::json::ApiJson;
use crate::state::AppState;
use crate::store;
use crate::store::audit::{Actor, Event, NewEntry};
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use baton_domain::access::{self, Resource, Subject};
use baton_domain::audit::AuditAction;
use baton_domain::error::{ErrorBody, ErrorCode};
use baton_domain::org::UserProfile;
use baton_domain::session::{LoginRequest, SessionInfo};
use baton_domain::throttle::ThrottlePolicy;
use baton_domain::validation::{normalise_email, validate_login};
use chrono::{DateTime, Utc};
use rand::Rng;
use std::net::SocketAddr;
use tower_sessions::Session;

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
pub async fn current(State(state): State<AppState>, user: CurrentUser) -> Result<Json<SessionInfo>, AppError> {
    let csrf_token: Option<String> = user.session.get(CSRF_KEY).await.map_err(session_error)?;
    let csrf_token = match csrf_token {
        Some(token) => token,
        None => {
            let token = new_csrf_token();
            user.session.insert(CSRF_KEY, &token).await.map_err(session_error)?;
            token
        }
    };
    Ok(Json(session_info(user.profile, csrf_token, &state)))
}

/// The session as the app holds it; what the caller may do with their own trail is the rule's answer, so the app
/// never keeps a copy of it.
fn session_info(user: UserProfile, csrf_token: String, state: &AppState) -> SessionInfo {
    let subject = Subject { org: user.organisation.id, role: user.role };
    let trail = Resource::AuditTrail { org: user.organisation.id };
    let audit_actions = access::permitted(&subject, &trail, &[], Utc::now());
    SessionInfo { user, csrf_token, max_upload_bytes: state.files.max_bytes, audit_actions }
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
    // Counted before the password is checked, so a burst of parallel guesses meets the limit, not a stale count.
    let keys =
        [(account_key.as_str(), ThrottlePolicy::per_account()), (address_key.as_str(), ThrottlePolicy::per_address())];
    store::throttle::reserve(pool, &keys, now).await?.map_err(locked_error)?;

    let found = store::users::find_by_email(pool, &email).await?;
    let found_profile = found.as_ref().map(|c| c.profile.clone());
    let hash = found.as_ref().map(|c| c.password_hash.clone());
    let password_ok = state.passwords.verify(request.password, hash).await?;
    let Some(credentials) = found.filter(|_| password_ok) else {
        let actor = match &found_profile {
            Some(profile) => Actor::from(profile),
            None => Actor { id: None, name: email.clone(), org: None },
        };
        let new = Some(serde_json::json!({"address": peer.ip().to_string()}));
        let owner = actor.org;
        let entry = NewEntry::event(actor, owner, AuditAction::LoginFailed, Event::Session(email.clone()), new);
        store::audit::record(pool, entry, Utc::now()).await?;
        tracing::info!(email = %email, "failed login");
        return Err(AppError::new(ErrorCode::InvalidCredentials, "E-mail or password is not correct."));
    };

    let now = Utc::now();
    session.cycle_id().await.map_err(session_error)?;
    let csrf_token = new_csrf_token();
    session.insert(USER_KEY, credentials.profile.id).await.map_err(session_error)?;
    session.insert(CSRF_KEY, &csrf_token).await.map_err(session_error)?;
    auth::start_session(&session, &state.sessions, now).await?;
    let new = Some(serde_json::json!({"address": peer.ip().to_string()}));
    let (actor, owner) = (Actor::from(&credentials.profile), Some(credentials.profile.organisation.id));
    let entry =
        NewEntry::event(actor, owner, AuditAction::Login, Event::Session(credentials.profile.id.to_string()), new);
    // A success is not a failure: forget the account's count and give the address its reservation back.
    let mut tx = store::audit::begin_write(pool).await?;
    store::throttle::clear(&mut *tx, &account_key).await?;
    store::throttle::refund(&mut tx, &address_key, ThrottlePolicy::per_address()).await?;
    store::audit::append(&mut tx, entry, now).await?;
    tx.commit().await?;
    tracing::info!(user = %credentials.profile.id, "logged in");
    Ok(Json(session_info(credentials.profile, csrf_token, &state)))
}

/// Logs out: the session is deleted on the server, not just forgotten by the browser.
#[utoipa::path(delete, path = "/session", tag = "session", security(("session" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, user: CurrentUser) -> Result<StatusCode, AppError> {
    user.session.flush().await.map_err(session_error)?;
    let (actor, owner) = (Actor::from(&user.profile), Some(user.profile.organisation.id));
    let entry = NewEntry::event(actor, owner, AuditAction::Logout, Event::Session(user.profile.id.to_string()), None);
    store::audit::record(&state.db.pool, entry, Utc::now()).await?;
    tracing::info!(user = %user.profile.id, "logged out");
    Ok(StatusCode::NO_CONTENT)
}
