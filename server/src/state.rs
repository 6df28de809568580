//! What every handler can reach.

use crate::db::Db;

/// Shared application state, cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
}
