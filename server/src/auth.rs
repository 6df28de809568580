//! Who is calling: the session's user, loaded fresh on each request so that a deleted user is out at once.

use crate::error::AppError;
use crate::kernel::{Authorized, Record};
use crate::state::AppState;
use crate::store;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use baton_domain::access::Subject;
use baton_domain::audit::AuditAction;
use baton_domain::error::{ApiError, ErrorCode};
use baton_domain::ids::UserId;
use baton_domain::org::UserProfile;
use baton_domain::session_expiry::{SessionCheck, SessionLimits};
use baton_domain::throttle::ThrottlePolicy;
use chrono::{DateTime, Utc};
use tower_sessions::{Expiry, Session};

/// Session key holding the signed-in user's id.
pub const USER_KEY: &str = "user_id";
/// Session key under which the store hands over the user's profile, read with the session (never stored).
pub const PROFILE_KEY: &str = "user_profile";
/// Session key holding the anti-forgery token.
pub const CSRF_KEY: &str = "csrf_token";
/// Session key holding when the user logged in.
pub const LOGIN_AT_KEY: &str = "login_at";
/// Session key holding when the session was last seen (refreshed at most every `refresh_after`).
pub const SEEN_AT_KEY: &str = "seen_at";

/// The signed-in user; extracting it refuses requests without a valid session.
pub struct CurrentUser {
    /// Who they are.
    pub profile: UserProfile,
    /// Their session, for its anti-forgery token or to end it.
    pub session: Session,
}

impl CurrentUser {
    /// The user as the access rule sees them.
    pub fn subject(&self) -> Subject {
        Subject { org: self.profile.organisation.id, role: self.profile.role }
    }
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("session store: {e}"))
}

/// The stored session's end, rounded up to the second the store keeps (the exact limit is enforced on each request).
fn session_expiry(limits: &SessionLimits, login: DateTime<Utc>, seen: DateTime<Utc>) -> Expiry {
    let ends = limits.ends_at(login, seen);
    let seconds = ends.timestamp() + i64::from(ends.timestamp_subsec_nanos() > 0);
    Expiry::AtDateTime(time::OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(time::OffsetDateTime::UNIX_EPOCH))
}

/// Starts the clocks of a freshly logged-in session.
pub async fn start_session(session: &Session, limits: &SessionLimits, now: DateTime<Utc>) -> Result<(), AppError> {
    session.insert(LOGIN_AT_KEY, now).await.map_err(session_error)?;
    session.insert(SEEN_AT_KEY, now).await.map_err(session_error)?;
    session.set_expiry(Some(session_expiry(limits, now, now)));
    Ok(())
}

/// Ends the session if it has been idle or alive too long; otherwise notes the activity (not on every request:
/// writing the session row each time would double the database writes of a busy client for no gain in safety).
async fn keep_alive(session: &Session, limits: &SessionLimits) -> Result<(), AppError> {
    let login: Option<DateTime<Utc>> = session.get(LOGIN_AT_KEY).await.map_err(session_error)?;
    let seen: Option<DateTime<Utc>> = session.get(SEEN_AT_KEY).await.map_err(session_error)?;
    let now = Utc::now();
    let (Some(login), Some(seen)) = (login, seen) else {
        session.flush().await.map_err(session_error)?;
        return Err(AppError::unauthenticated());
    };
    match limits.check(login, seen, now) {
        SessionCheck::Active => Ok(()),
        SessionCheck::Refresh => {
            session.insert(SEEN_AT_KEY, now).await.map_err(session_error)?;
            session.set_expiry(Some(session_expiry(limits, login, now)));
            Ok(())
        }
        SessionCheck::Expired => {
            session.flush().await.map_err(session_error)?;
            Err(AppError::unauthenticated())
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| AppError::Internal(anyhow::anyhow!("session layer missing: {msg}")))?;
        let user_id: Option<UserId> = session.get(USER_KEY).await.map_err(session_error)?;
        let Some(user_id) = user_id else {
            return Err(AppError::unauthenticated());
        };
        keep_alive(&session, &state.sessions).await?;
        // Loaded with the session, in the same query (see `store::sessions`): fresh, and no second round trip.
        let profile: Option<UserProfile> = session.get(PROFILE_KEY).await.map_err(session_error)?;
        match profile {
            Some(profile) if profile.id == user_id => Ok(CurrentUser { profile, session }),
            _ => Err(AppError::unauthenticated()),
        }
    }
}

/// Re-checks the signed-in user's password before signing `record` (21 CFR 11.200: both components at each signing
/// outside a continuous session of signings). Each attempt is counted before the password is checked, so parallel
/// guesses cannot outrun the lock; wrong passwords are audited on the record, in its owner's trail.
pub async fn confirm_signer<R: Record>(
    state: &AppState,
    user: &UserProfile,
    record: &Authorized<R>,
    password: String,
) -> Result<(), AppError> {
    if password.is_empty() {
        return Err(ApiError::invalid("password", "Enter your password to sign.").into());
    }
    let pool = &state.db.pool;
    let key = format!("signing:{}", user.id);
    let now = Utc::now();
    store::throttle::reserve(pool, &[(&key, ThrottlePolicy::per_account())], now).await?.map_err(|until| {
        AppError::new(
            ErrorCode::TooManyAttempts,
            format!("Signing is locked after repeated wrong passwords. Try again after {} UTC.", until.format("%H:%M")),
        )
    })?;
    let hash = store::users::find_by_email(pool, &user.email)
        .await?
        .map(|c| c.password_hash)
        .ok_or_else(AppError::unauthenticated)?;
    let hash = Some(hash);
    if state.passwords.verify(password, hash).await? {
        store::throttle::clear(pool, &key).await?;
        return Ok(());
    }
    store::audit::record(pool, record.entry(AuditAction::SignFailed, None, None, None), Utc::now()).await?;
    tracing::info!(user = %user.id, record = %record.record().id(), "signature refused: wrong password");
    Err(AppError::Api(ApiError {
        code: ErrorCode::InvalidCredentials,
        message: "That password is not correct. Signing needs your own password.".into(),
        field: Some("password".into()),
        problems: Vec::new(),
    }))
}
