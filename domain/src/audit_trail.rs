//! The audit trail as the API serves it: the filters a client sends, the pages and the people it gets back.

use crate::audit::AuditEntry;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// Filters, all optional; times are ISO-8601 UTC. Taken as text and checked by the server, so that a bad value is
/// refused with the name of its field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct AuditQuery {
    /// Only entries by this user (id).
    pub actor: Option<String>,
    /// Only this kind of record, e.g. `agreement`.
    pub record_type: Option<String>,
    /// Only this record (id).
    pub record_id: Option<String>,
    /// Only this action, e.g. `sign`.
    pub action: Option<String>,
    /// At or after this time.
    pub from: Option<String>,
    /// Before this time.
    pub to: Option<String>,
    /// Entries older than this sequence number (next page).
    pub before_seq: Option<i64>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// A page of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    /// Entries, newest first.
    pub items: Vec<AuditEntry>,
    /// Pass as `before_seq` for the next page; absent on the last page.
    pub next_before_seq: Option<i64>,
}

/// Someone who appears in the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditActor {
    /// Their user id, for the `actor` filter.
    pub id: UserId,
    /// Their printed name.
    pub name: String,
}
