//! Who is calling: the session's user, loaded fresh on each request so that a deleted user is out at once.

use crate::error::AppError;
use crate::state::AppState;
use crate::store;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use baton_domain::access::Subject;
use baton_domain::ids::UserId;
use baton_domain::org::UserProfile;
use tower_sessions::Session;

/// Session key holding the signed-in user's id.
pub const USER_KEY: &str = "user_id";
/// Session key holding the anti-forgery token.
pub const CSRF_KEY: &str = "csrf_token";

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

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| AppError::Internal(anyhow::anyhow!("session layer missing: {msg}")))?;
        let user_id: Option<UserId> =
            session.get(USER_KEY).await.map_err(|e| AppError::Internal(anyhow::anyhow!("reading session: {e}")))?;
        let Some(user_id) = user_id else {
            return Err(AppError::unauthenticated());
        };
        match store::users::find_by_id(&state.db.pool, user_id).await? {
            Some(profile) => Ok(CurrentUser { profile, session }),
            None => Err(AppError::unauthenticated()),
        }
    }
}

/// Hashes a password with argon2id (off the async runtime: it is deliberately slow).
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    Ok(tokio::task::spawn_blocking(move || password_auth::generate_hash(password)).await?)
}

/// Checks a password against a stored hash (off the async runtime).
pub async fn verify_password(password: String, hash: String) -> anyhow::Result<bool> {
    Ok(tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok()).await?)
}

/// Re-checks the signed-in user's password before a signature (21 CFR 11.200: both components at each signing
/// outside a continuous session of signings). Repeated failures lock signing for the account.
pub async fn confirm_signer(pool: &sqlx::AnyPool, user: &UserProfile, password: String) -> Result<(), AppError> {
    use baton_domain::error::{ApiError, ErrorCode};
    use baton_domain::throttle::{self, ThrottlePolicy};
    if password.is_empty() {
        return Err(ApiError::invalid("password", "Enter your password to sign.").into());
    }
    let key = format!("signing:{}", user.id);
    let now = chrono::Utc::now();
    throttle::check(store::throttle::get(pool, &key).await?.as_ref(), now).map_err(|until| {
        AppError::new(
            ErrorCode::TooManyAttempts,
            format!("Signing is locked after repeated wrong passwords. Try again after {} UTC.", until.format("%H:%M")),
        )
    })?;
    let hash = store::users::find_by_email(pool, &user.email)
        .await?
        .map(|c| c.password_hash)
        .ok_or_else(AppError::unauthenticated)?;
    if verify_password(password, hash).await? {
        store::throttle::clear(pool, &key).await?;
        Ok(())
    } else {
        let state =
            throttle::record_failure(store::throttle::get(pool, &key).await?, now, ThrottlePolicy::per_account());
        store::throttle::put(pool, &key, &state).await?;
        Err(AppError::Api(ApiError {
            code: ErrorCode::InvalidCredentials,
            message: "That password is not correct. Signing needs your own password.".into(),
            field: Some("password".into()),
        }))
    }
}
