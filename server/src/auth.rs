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
