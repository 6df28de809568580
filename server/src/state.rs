//! What every handler can reach.

use crate::db::Db;
use crate::file_store::FileStore;
use crate::kernel::audit_writer::AuditWriter;
use crate::live::window::Window;
use crate::passwords::Passwords;
use baton_domain::session_expiry::SessionLimits;
use std::sync::Arc;

/// Shared application state, cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Group-committing writer for audit entries of reads.
    pub audit: AuditWriter,
    /// Password hashing and checking, one per core at a time (argon2 takes about 19 MB each).
    pub passwords: Arc<Passwords>,
    /// When sessions end.
    pub sessions: SessionLimits,
    /// Where documents' files are kept.
    pub files: FileStore,
    /// The recent events every open stream takes its changes from.
    pub live: Arc<Window>,
}

impl AppState {
    /// State over `db` with the given session limits and document store, its audit writer started on the current
    /// runtime.
    pub fn new(db: Db, sessions: SessionLimits, files: FileStore) -> anyhow::Result<Self> {
        let audit = AuditWriter::start(&db)?;
        let live = Arc::new(Window::new());
        Ok(AppState { db, audit, passwords: Arc::new(Passwords::per_core()), sessions, files, live })
    }
}
