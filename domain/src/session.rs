//! Logging in and the session the app holds.

use crate::access::Action;
use crate::org::UserProfile;
use serde::{Deserialize, Serialize};

/// Credentials sent to `POST /api/v1/session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The user's e-mail address.
    pub email: String,
    /// The user's password.
    pub password: String,
}

/// The signed-in user and the token that must accompany their state-changing requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// Who is signed in.
    pub user: UserProfile,
    /// Send as the `X-CSRF-Token` header on every POST, PUT, PATCH and DELETE.
    pub csrf_token: String,
    /// The largest file the server accepts, in bytes: the app refuses a larger one before sending any of it.
    pub max_upload_bytes: u64,
    /// What the rule lets the caller do with their organisation's audit trail: the app offers the trail only with
    /// `read` among them.
    pub audit_actions: Vec<Action>,
}

impl SessionInfo {
    /// Whether the caller may open their organisation's audit trail.
    pub fn may_read_audit(&self) -> bool {
        self.audit_actions.contains(&Action::Read)
    }
}

/// The header that carries the anti-forgery token.
pub const CSRF_HEADER: &str = "x-csrf-token";
