//! Live updates: the change events a browser tab's stream carries, and which audit entries announce one.

use crate::audit::AuditAction;
use crate::ids::UserId;
use crate::record::RecordType;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The name of the server-sent event that carries a [`LiveEvent`].
pub const EVENT_NAME: &str = "change";

/// The name of the server-sent event that carries a [`LiveReset`].
pub const RESET_EVENT_NAME: &str = "reset";

/// Sent instead of changes a stream can no longer deliver: it resumed from an id older than the events the server
/// keeps, so some changes since may be gone. The page reloads what it shows; the stream goes on from `id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveReset {
    /// Where the stream goes on from (what `Last-Event-ID` names from now on).
    pub id: i64,
}

/// A change to a record, as a subscriber allowed to read the record receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveEvent {
    /// Position in the stream (the change's audit entry's sequence number); what `Last-Event-ID` names.
    pub id: i64,
    /// When the change was committed (server clock).
    pub at: DateTime<Utc>,
    /// The kind of record changed.
    pub record_type: RecordType,
    /// The record's id.
    pub record_id: String,
    /// What was done to it.
    pub action: AuditAction,
    /// Who did it, by id.
    pub actor_id: Option<UserId>,
    /// Who did it, printed name.
    pub actor_name: String,
    /// The browser tab whose request made it ([`TAB_HEADER`]), if one said.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub origin: Option<String>,
}

/// The request header a browser tab names itself by, so that the change events it causes are known as its own.
pub const TAB_HEADER: &str = "x-baton-tab";

/// The tab id a `X-Baton-Tab` header carries, if it is one: 1 to 64 letters, digits and dashes.
pub fn tab_id(raw: &str) -> Option<&str> {
    let fits = (1..=64).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    fits.then_some(raw)
}

/// Whether an audit entry of `action` on `record_type` announces a change others should see: changes, signatures,
/// state changes and comments of records. Reads, downloads, logins and listings change nothing.
pub fn announces(record_type: RecordType, action: AuditAction) -> bool {
    let change = matches!(
        action,
        AuditAction::Create
            | AuditAction::Update
            | AuditAction::Delete
            | AuditAction::Sign
            | AuditAction::StateChange
            | AuditAction::Comment
    );
    let record = !matches!(
        record_type,
        RecordType::Session
            | RecordType::AuditTrail
            | RecordType::TransferList
            | RecordType::QualityHistory
            | RecordType::Scorecard
    );
    change && record
}

/// Parses a `Last-Event-ID` header: the id of the last event the client received, if it is one.
pub fn parse_last_event_id(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|id| *id >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_to_records_are_announced_and_reads_are_not() {
        assert!(announces(RecordType::Deviation, AuditAction::Update));
        assert!(announces(RecordType::Stage, AuditAction::Sign));
        assert!(announces(RecordType::Agreement, AuditAction::StateChange));
        assert!(announces(RecordType::Document, AuditAction::Comment));
        assert!(!announces(RecordType::Deviation, AuditAction::Read));
        assert!(!announces(RecordType::Batch, AuditAction::Download));
        assert!(!announces(RecordType::Batch, AuditAction::SignFailed));
        assert!(!announces(RecordType::Session, AuditAction::Login));
        assert!(!announces(RecordType::TransferList, AuditAction::Create));
    }

    #[test]
    fn tab_ids_are_short_and_plain() {
        assert_eq!(tab_id("3f2a-9c"), Some("3f2a-9c"));
        assert_eq!(tab_id(""), None);
        assert_eq!(tab_id("a b"), None);
        assert_eq!(tab_id(&"a".repeat(65)), None);
    }

    #[test]
    fn last_event_ids_are_non_negative_integers() {
        assert_eq!(parse_last_event_id("42"), Some(42));
        assert_eq!(parse_last_event_id(" 7 "), Some(7));
        assert_eq!(parse_last_event_id("-1"), None);
        assert_eq!(parse_last_event_id("abc"), None);
        assert_eq!(parse_last_event_id(""), None);
    }
}
