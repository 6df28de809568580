//! What every handler can reach.

use crate::db::Db;
use crate::kernel::audit_writer::AuditWriter;

/// Shared application state, cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Group-committing writer for audit entries of reads.
    pub audit: AuditWriter,
}

impl AppState {
    /// State over `db`, with its audit writer started on the current runtime.
    pub fn new(db: Db) -> AppState {
        let audit = AuditWriter::start(db.pool.clone());
        AppState { db, audit }
    }
}
