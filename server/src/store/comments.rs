//! Comments on records, their earlier texts, and the people they name.

use super::parse_column;
use crate::clock;
use baton_domain::comment::{CommentVersion, Person};
use baton_domain::ids::{CommentId, UserId};
use baton_domain::org::UserProfile;
use baton_domain::record::RecordType;
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};
use std::collections::BTreeMap;

/// A comment as stored.
#[derive(Clone, Debug)]
pub struct StoredComment {
    /// Its id.
    pub id: CommentId,
    /// The record it is on.
    pub record: (RecordType, String),
    /// Its thread's first comment, for a reply.
    pub parent: Option<CommentId>,
    /// Who wrote it.
    pub author: UserId,
    /// Its current text.
    pub text: String,
    /// Whom it mentions.
    pub mentions: Vec<UserId>,
    /// Whether its thread is resolved (on a thread's first comment).
    pub resolved: bool,
    /// Who resolved it.
    pub resolved_by: Option<UserId>,
    /// Its version.
    pub row_version: i64,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
    /// When it was last edited.
    pub edited_at: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
struct Row {
    id: String,
    record_type: String,
    record_id: String,
    parent_id: Option<String>,
    author_id: String,
    body: String,
    mentions_json: String,
    resolved: i64,
    resolved_by: Option<String>,
    row_version: i64,
    created_at: String,
    edited_at: Option<String>,
}

const COLUMNS: &str = "id, record_type, record_id, parent_id, author_id, body, mentions_json, resolved, resolved_by, \
     row_version, created_at, edited_at";

impl TryFrom<Row> for StoredComment {
    type Error = anyhow::Error;
    fn try_from(r: Row) -> anyhow::Result<Self> {
        Ok(StoredComment {
            id: parse_column(&r.id, "comments.id")?,
            record: (parse_column(&r.record_type, "comments.record_type")?, r.record_id),
            parent: r.parent_id.map(|p| parse_column(&p, "comments.parent_id")).transpose()?,
            author: parse_column(&r.author_id, "comments.author_id")?,
            text: r.body,
            mentions: serde_json::from_str(&r.mentions_json)?,
            resolved: r.resolved != 0,
            resolved_by: r.resolved_by.map(|u| parse_column(&u, "comments.resolved_by")).transpose()?,
            row_version: r.row_version,
            created_at: clock::from_db(&r.created_at)?,
            edited_at: r.edited_at.map(|t| clock::from_db(&t)).transpose()?,
        })
    }
}

/// Every comment on a record, oldest first.
pub async fn of_record(
    conn: &mut AnyConnection,
    record_type: RecordType,
    record_id: &str,
) -> anyhow::Result<Vec<StoredComment>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM comments WHERE record_type = $1 AND record_id = $2 ORDER BY created_at, id"
    ))
    .bind(record_type.as_str())
    .bind(record_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(StoredComment::try_from).collect()
}

/// One comment.
pub async fn get(conn: &mut AnyConnection, id: CommentId) -> anyhow::Result<Option<StoredComment>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM comments WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(StoredComment::try_from).transpose()
}

/// The users a comment mentions: whom a notification of it goes to.
pub async fn mentioned(conn: &mut AnyConnection, id: CommentId) -> anyhow::Result<Vec<UserId>> {
    Ok(get(conn, id).await?.map(|c| c.mentions).unwrap_or_default())
}

/// Earlier texts of the comments on a record, by comment, oldest first (the current text excluded).
pub async fn earlier_texts(
    conn: &mut AnyConnection,
    record_type: RecordType,
    record_id: &str,
) -> anyhow::Result<BTreeMap<CommentId, Vec<CommentVersion>>> {
    let rows: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT v.comment_id, v.version, v.body, v.written_at FROM comment_versions v \
         JOIN comments c ON c.id = v.comment_id \
         WHERE c.record_type = $1 AND c.record_id = $2 AND v.version < c.row_version ORDER BY v.comment_id, v.version",
    )
    .bind(record_type.as_str())
    .bind(record_id)
    .fetch_all(conn)
    .await?;
    let mut by_comment: BTreeMap<CommentId, Vec<CommentVersion>> = BTreeMap::new();
    for (id, version, text, at) in rows {
        let written_at = clock::from_db(&at)?;
        by_comment.entry(parse_column(&id, "comment_versions.comment_id")?).or_default().push(CommentVersion {
            version,
            text,
            written_at,
        });
    }
    Ok(by_comment)
}

/// Posts a comment (version 1, its text kept as the first version).
pub async fn insert(conn: &mut AnyConnection, comment: &StoredComment) -> anyhow::Result<()> {
    let at = clock::to_db(comment.created_at);
    sqlx::query(
        "INSERT INTO comments (id, record_type, record_id, parent_id, author_id, body, mentions_json, resolved, \
         resolved_by, resolved_at, row_version, created_at, edited_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, NULL, NULL, 1, $8, NULL)",
    )
    .bind(comment.id.to_string())
    .bind(comment.record.0.as_str())
    .bind(comment.record.1.clone())
    .bind(comment.parent.map(|p| p.to_string()))
    .bind(comment.author.to_string())
    .bind(comment.text.clone())
    .bind(serde_json::to_string(&comment.mentions)?)
    .bind(at.clone())
    .execute(&mut *conn)
    .await?;
    keep_version(conn, comment.id, 1, &comment.text, &at).await
}

async fn keep_version(
    conn: &mut AnyConnection,
    id: CommentId,
    version: i64,
    text: &str,
    at: &str,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO comment_versions (comment_id, version, body, written_at) VALUES ($1, $2, $3, $4)")
        .bind(id.to_string())
        .bind(version)
        .bind(text)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a comment's text as of version `shown`, keeping the new text as the next version; false if the comment
/// has changed since.
pub async fn edit(
    conn: &mut AnyConnection,
    id: CommentId,
    shown: i64,
    text: &str,
    mentions: &[UserId],
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let at = clock::to_db(now);
    let changed = sqlx::query(
        "UPDATE comments SET body = $1, mentions_json = $2, edited_at = $3, row_version = row_version + 1 \
         WHERE id = $4 AND row_version = $5",
    )
    .bind(text)
    .bind(serde_json::to_string(mentions)?)
    .bind(at.clone())
    .bind(id.to_string())
    .bind(shown)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    keep_version(conn, id, shown + 1, text, &at).await?;
    Ok(true)
}

/// Resolves a thread (by `by`) or opens it again.
pub async fn resolve(
    conn: &mut AnyConnection,
    id: CommentId,
    resolved: bool,
    by: UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let (by, at) = if resolved { (Some(by.to_string()), Some(clock::to_db(now))) } else { (None, None) };
    sqlx::query("UPDATE comments SET resolved = $1, resolved_by = $2, resolved_at = $3 WHERE id = $4")
        .bind(i64::from(resolved))
        .bind(by)
        .bind(at)
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Every user, with their organisation: the people a comment may name.
pub async fn people(conn: &mut AnyConnection) -> anyhow::Result<Vec<UserProfile>> {
    let rows: Vec<(String, String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.role, o.id, o.name, o.kind \
         FROM users u JOIN organisations o ON o.id = u.organisation_id ORDER BY u.display_name, u.id",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, email, name, role, org, org_name, kind)| {
            super::users::profile_of((
                Some(id),
                Some(email),
                Some(name),
                Some(role),
                Some(org),
                Some(org_name),
                Some(kind),
            ))?
            .ok_or_else(|| anyhow::anyhow!("a user row without its columns"))
        })
        .collect()
}

/// A user as a comment shows them.
pub fn person(user: &UserProfile) -> Person {
    Person {
        id: user.id,
        name: user.display_name.clone(),
        organisation: user.organisation.name.clone(),
        role: user.role,
    }
}
