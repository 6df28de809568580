//! Discussion beside a record: comments in threads, edits kept as history, @mentions of people who can see the
//! record, and threads resolved or open. The rule for who may read or write them is the record's own
//! ([`crate::access`]: `Read` to read, `Comment` to write); this module holds the shapes and the checks of the text.

use crate::access::{Action, DenyReason};
use crate::error::ApiError;
use crate::ids::{CommentId, UserId};
use crate::org::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest comment, in characters.
pub const MAX_TEXT: usize = 10_000;
/// Most people one comment mentions.
pub const MAX_MENTIONS: usize = 20;

/// A person as a comment shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    /// Their id.
    pub id: UserId,
    /// Their printed name.
    pub name: String,
    /// Their organisation's name.
    pub organisation: String,
    /// Their role.
    pub role: Role,
}

/// An earlier text of an edited comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentVersion {
    /// Which version it was (1 is the text first posted).
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i64,
    /// The text as it was.
    pub text: String,
    /// When that text was written.
    pub written_at: DateTime<Utc>,
}

/// One comment, with its earlier texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentView {
    /// Its id (the deep link's `#comment-{id}`).
    pub id: CommentId,
    /// The comment that starts its thread; `None` for a thread's first comment.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub parent: Option<CommentId>,
    /// Who wrote it.
    pub author: Person,
    /// Its current text.
    pub text: String,
    /// The people it mentions.
    pub mentions: Vec<Person>,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
    /// When it was last edited; `None` if never.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub edited_at: Option<DateTime<Utc>>,
    /// Its earlier texts, oldest first (empty if never edited).
    pub earlier: Vec<CommentVersion>,
    /// For a thread's first comment: whether the thread is resolved.
    pub resolved: bool,
    /// Who resolved the thread, while it is resolved.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub resolved_by: Option<String>,
    /// Its version: what an edit must name.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i64,
    /// Whether the caller wrote it (and so may edit it).
    pub mine: bool,
}

/// A record's discussion, and what the caller may do in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discussion {
    /// Every comment, oldest first; replies name their thread's first comment.
    pub comments: Vec<CommentView>,
    /// What the caller may do with the record (`comment` lets them write here).
    pub actions: Vec<Action>,
}

/// A new comment, or a reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentInput {
    /// The text; `@Name` mentions a person by their printed name.
    pub text: String,
    /// The comment replied to; `None` starts a thread.
    #[serde(default)]
    pub parent: Option<CommentId>,
    /// People mentioned by id (from the picker), as well as by `@Name` in the text.
    #[serde(default)]
    pub mentions: Vec<UserId>,
}

/// A new text for one's own comment, on the version shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentEdit {
    /// The new text.
    pub text: String,
    /// People mentioned by id, as well as by `@Name` in the text.
    #[serde(default)]
    pub mentions: Vec<UserId>,
    /// The version the editor was shown.
    pub version: i64,
}

/// Resolves a thread or opens it again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadResolution {
    /// True to resolve, false to open it again.
    pub resolved: bool,
}

/// Checks a comment's text: something to say, not too long.
pub fn validate_text(text: &str) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid("text", "Write something to post."));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(ApiError::invalid("text", format!("A comment holds at most {MAX_TEXT} characters.")));
    }
    Ok(())
}

/// Whether `text` mentions `name` as `@name`, not as the start of a longer name (case-insensitive).
pub fn mentions_name(text: &str, name: &str) -> bool {
    let (text, name) = (text.to_lowercase(), format!("@{}", name.to_lowercase()));
    text.match_indices(&name).any(|(at, _)| text[at + name.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric()))
}

/// Why `person` cannot be mentioned on a record they cannot read: the rule's refusal, said about them.
pub fn mention_refusal(person: &Person, record_label: &str, reason: &DenyReason) -> ApiError {
    let why = match reason {
        DenyReason::NotAParty => format!("{} is not a party to it", person.organisation),
        DenyReason::NoAgreement { product, .. } => {
            format!("no active agreement lets {} view this data of {product}", person.organisation)
        }
        DenyReason::Role { role, .. } => format!("their role ({}) may not view it", role.label()),
    };
    ApiError::invalid(
        "mentions",
        format!(
            "{} ({}) cannot see this {record_label}, so cannot be mentioned: {why}.",
            person.name, person.organisation
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_match_whole_names_only() {
        assert!(mentions_name("Thanks @Dana Kim, see above", "Dana Kim"));
        assert!(mentions_name("@dana kim", "Dana Kim"));
        assert!(!mentions_name("@Dana Kimberley", "Dana Kim"));
        assert!(!mentions_name("Dana Kim", "Dana Kim"));
    }

    #[test]
    fn a_refused_mention_names_the_person_and_why() {
        let person = Person {
            id: UserId(uuid::Uuid::nil()),
            name: "Matteo Ferri".into(),
            organisation: "Castellan Pharma Services".into(),
            role: Role::TechTransferLead,
        };
        let refused = mention_refusal(&person, "transfer", &DenyReason::NotAParty);
        assert_eq!(refused.field.as_deref(), Some("mentions"));
        assert_eq!(
            refused.message,
            "Matteo Ferri (Castellan Pharma Services) cannot see this transfer, so cannot be mentioned: \
             Castellan Pharma Services is not a party to it."
        );
        let role = DenyReason::Role { role: Role::Viewer, action: Action::Read };
        assert!(mention_refusal(&person, "batch", &role).message.contains("their role (Viewer)"));
    }

    #[test]
    fn text_must_say_something_and_not_too_much() {
        assert!(validate_text("  ").is_err());
        assert!(validate_text(&"x".repeat(MAX_TEXT + 1)).is_err());
        assert!(validate_text("Looks fine").is_ok());
    }
}
