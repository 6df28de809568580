//! What every handler can reach.

use crate::db::Db;
use crate::passwords::Passwords;
use baton_domain::session_expiry::SessionLimits;
use std::sync::Arc;

/// Shared application state, cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Password hashing and checking, one per core at a time (argon2 takes about 19 MB each).
    pub passwords: Arc<Passwords>,
    /// When sessions end.
    pub sessions: SessionLimits,
}

impl AppState {
    /// State over `db` with the given session limits.
    pub fn new(db: Db, sessions: SessionLimits) -> Self {
        AppState { db, passwords: Arc::new(Passwords::per_core()), sessions }
    }
}
