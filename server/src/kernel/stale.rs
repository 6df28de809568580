//! Refusing a signature or state change made on content other than what the signer was shown, and saying what
//! changed since.

use super::{Authorized, Record};
use crate::error::AppError;
use crate::store;
use baton_domain::audit::{AuditAction, AuditEntry};
use baton_domain::error::ErrorCode;
use sqlx::AnyConnection;

/// What the caller says it was shown: the content hash it signs, or the row version it acts on.
#[derive(Clone, Copy, Debug)]
pub enum Shown<'a> {
    /// The record's content hash.
    Hash(&'a str),
    /// The record's row version.
    Version(i64),
}

/// 409 unless the record is as the caller was shown it; the message names the last change (who, when, which
/// fields, why). Call it inside the unit of work, after [`super::UnitOfWork::authorize`], so nothing can slip in.
pub async fn ensure_unchanged<R: Record>(
    conn: &mut AnyConnection,
    record: &Authorized<R>,
    shown: Shown<'_>,
) -> Result<(), AppError> {
    let current = match shown {
        Shown::Hash(hash) => record.record().content_hash() == Some(hash),
        Shown::Version(seen) => record.record().row_version() == Some(seen),
    };
    if current {
        return Ok(());
    }
    let history = store::audit::history(conn, R::TYPE, &record.record().id().to_string()).await?;
    let last = history.iter().rev().find(|e| {
        matches!(e.action, AuditAction::Update | AuditAction::StateChange | AuditAction::Sign | AuditAction::Create)
    });
    Err(AppError::new(ErrorCode::Conflict, describe(R::TYPE.label(), last)))
}

/// "This agreement changed since you opened it: …" with the last change in words.
fn describe(kind: &str, last: Option<&AuditEntry>) -> String {
    let Some(e) = last else {
        return format!("This {kind} changed since you opened it. Nothing was saved; reload to see it as it is now.");
    };
    let fields = changed_fields(e);
    let what = if fields.is_empty() { String::new() } else { format!(" ({})", fields.join(", ")) };
    let why = e.reason.as_deref().map(|r| format!(", reason: “{r}”")).unwrap_or_default();
    format!(
        "This {kind} changed since you opened it: {} {}{what} at {} UTC{why}. Nothing was saved; reload to see the \
         current version and act on that.",
        e.actor_name,
        e.action.label().to_lowercase(),
        e.at.format("%Y-%m-%d %H:%M"),
    )
}

/// Top-level fields whose values differ between the entry's old and new values.
fn changed_fields(e: &AuditEntry) -> Vec<String> {
    let (Some(old), Some(new)) =
        (e.old.as_ref().and_then(|v| v.as_object()), e.new.as_ref().and_then(|v| v.as_object()))
    else {
        return Vec::new();
    };
    let mut fields: Vec<String> =
        new.iter().filter(|(k, v)| old.get(*k) != Some(*v)).map(|(k, _)| k.replace('_', " ")).collect();
    fields.sort();
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_domain::record::RecordType;
    use serde_json::json;

    fn entry() -> AuditEntry {
        AuditEntry {
            seq: 4,
            at: chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("valid"),
            actor_id: None,
            actor_name: "Priya Natarajan".into(),
            actor_org: None,
            owner_org: None,
            action: AuditAction::Update,
            record_type: RecordType::Agreement,
            record_id: "a".into(),
            old: Some(json!({"permission": "view", "title": "T", "valid_until": "2027"})),
            new: Some(json!({"permission": "download", "title": "T", "valid_until": "2028"})),
            reason: Some("Broader scope".into()),
        }
    }

    #[test]
    fn names_who_changed_which_fields_when_and_why() {
        let message = describe("agreement", Some(&entry()));
        assert_eq!(
            message,
            "This agreement changed since you opened it: Priya Natarajan changed (permission, valid until) at \
             2027-01-15 08:00 UTC, reason: “Broader scope”. Nothing was saved; reload to see the current version and \
             act on that."
        );
        assert!(describe("agreement", None).starts_with("This agreement changed since you opened it."));
    }
}
