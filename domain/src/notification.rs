//! A user's inbox: what needs their attention, each item linking to its record.

use crate::record::RecordType;
use crate::stored_enum::stored_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

stored_enum!(
    /// Why a notification is in the inbox.
    NotificationKind {
        /// A record the user follows (created or changed) was changed by someone else.
        Change = "change", "changed";
        /// Someone mentioned the user in a comment.
        Mention = "mention", "mentioned you on";
        /// A gate or document waits for the user's signature.
        SignatureWaiting = "signature_waiting", "waits for your signature:";
        /// A deliverable the user owns is due within 7 days.
        DeliverableDue = "deliverable_due", "is due within 7 days:";
        /// A deliverable the user owns is overdue.
        DeliverableOverdue = "deliverable_overdue", "is overdue:";
        /// An agreement the user signs for expires within 30 days.
        AgreementExpiring = "agreement_expiring", "expires within 30 days:";
    }
);

/// Days before its due date a deliverable is announced.
pub const DELIVERABLE_DUE_DAYS: i64 = 7;
/// Days before its end an agreement in force is announced.
pub const AGREEMENT_EXPIRY_DAYS: i64 = 30;
/// Most keys one mark-read request may name.
pub const MAX_MARK: usize = 200;

/// One item of the inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    /// What it is about, unique in the user's inbox (what marking it read names).
    pub key: String,
    /// Why it is here.
    pub kind: NotificationKind,
    /// The record it is about.
    pub record_type: RecordType,
    /// The record's id.
    pub record_id: String,
    /// The record's name as its page shows it.
    pub title: String,
    /// Who acted (changes and mentions).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub actor_name: Option<String>,
    /// When it happened, or when the reminder was first given.
    pub at: DateTime<Utc>,
    /// Whether the user has marked it read.
    pub read: bool,
    /// The app path of the record's page.
    pub link: String,
}

/// The inbox, newest first, with the number of unread items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationList {
    /// The most recent items (at most 100).
    pub items: Vec<Notification>,
    /// How many of the user's items are unread.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub unread: i64,
}

/// Marks items read: those named, or every one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkRead {
    /// The keys of the items to mark (at most 200).
    #[serde(default)]
    pub keys: Vec<String>,
    /// Mark every item read instead.
    #[serde(default)]
    pub all: bool,
}

impl MarkRead {
    /// What is wrong with the request, as (field, message).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if self.keys.len() > MAX_MARK {
            return Some(("keys", format!("Mark at most {MAX_MARK} notifications at a time.")));
        }
        if !self.all && self.keys.is_empty() {
            return Some(("keys", "Name the notifications to mark read, or set all.".into()));
        }
        if self.keys.iter().any(|k| k.is_empty() || k.len() > 100 || k.contains('\0')) {
            return Some(("keys", "A notification key is 1 to 100 characters.".into()));
        }
        None
    }
}

/// The sentence an item reads as, e.g. "Marco Lenz changed deliverable Gap analysis".
pub fn sentence(n: &Notification) -> String {
    let what = format!("{} {}", n.record_type.label(), n.title);
    match (n.kind, &n.actor_name) {
        (NotificationKind::Change | NotificationKind::Mention, Some(actor)) => {
            format!("{actor} {} {what}", n.kind.label())
        }
        _ => {
            let sentence = format!("{what} {}", n.kind.label().trim_end_matches(':'));
            let mut chars = sentence.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: NotificationKind, actor: Option<&str>) -> Notification {
        Notification {
            key: "k".into(),
            kind,
            record_type: RecordType::Deliverable,
            record_id: "d".into(),
            title: "Gap analysis".into(),
            actor_name: actor.map(str::to_owned),
            at: Utc::now(),
            read: false,
            link: "/deliverables/d".into(),
        }
    }

    #[test]
    fn items_read_as_sentences() {
        assert_eq!(
            sentence(&item(NotificationKind::Change, Some("Marco Lenz"))),
            "Marco Lenz changed deliverable Gap analysis"
        );
        assert_eq!(sentence(&item(NotificationKind::DeliverableOverdue, None)), "Deliverable Gap analysis is overdue");
    }

    #[test]
    fn mark_requests_name_something_and_not_too_much() {
        assert!(MarkRead { keys: vec![], all: true }.problem().is_none());
        assert!(MarkRead { keys: vec!["change:4".into()], all: false }.problem().is_none());
        assert_eq!(MarkRead::default().problem().map(|p| p.0), Some("keys"));
        assert!(MarkRead { keys: vec![String::new()], all: false }.problem().is_some());
        assert!(MarkRead { keys: vec!["k".into(); MAX_MARK + 1], all: false }.problem().is_some());
    }
}
