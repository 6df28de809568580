//! Users' inboxes: notifications of changes to followed records (written with the change, see `store::events`),
//! mentions, and reminders computed when the inbox is read — keyed, so a reminder computed again keeps its read state.

use crate::clock;
use baton_domain::ids::{OrgId, UserId};
use baton_domain::notification::NotificationKind;
use baton_domain::record::RecordType;
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};

/// A stored notification, before the rule decides whether its user may still read its record.
#[derive(Clone, Debug)]
pub struct Stored {
    /// Its key in the user's inbox.
    pub key: String,
    /// Why it is there.
    pub kind: NotificationKind,
    /// The record it is about.
    pub record_type: RecordType,
    /// The record's id.
    pub record_id: String,
    /// Who acted, for changes and mentions.
    pub actor_name: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Whether it was marked read.
    pub read: bool,
}

/// Something a notification is about: its key, kind and record.
#[derive(Clone, Debug)]
pub struct About {
    /// Unique in the inbox: what the reminder is about, e.g. `gate:<stage id>:<round>`.
    pub key: String,
    /// Why.
    pub kind: NotificationKind,
    /// The record's kind.
    pub record_type: RecordType,
    /// The record's id.
    pub record_id: String,
}

/// Tells `user` that `actor_name` mentioned them on record `record_id` of `record_type` (in comment `comment`):
/// for the comments engine to call in the transaction that stores the comment. Mentioning someone twice in one
/// comment notifies them once.
pub async fn notify_mention(
    conn: &mut AnyConnection,
    user: UserId,
    comment: &str,
    (record_type, record_id): (RecordType, &str),
    actor_name: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let about = About {
        key: format!("{MENTION}{comment}"),
        kind: NotificationKind::Mention,
        record_type,
        record_id: record_id.to_owned(),
    };
    insert(conn, user, &about, Some(actor_name), at).await
}

/// What begins the key of a mention, before the comment's id.
const MENTION: &str = "mention:";

/// The comment a mention's key names, for the link that opens the record scrolled to it.
pub fn mentioned_comment(key: &str) -> Option<&str> {
    key.strip_prefix(MENTION)
}

/// Adds `about` to `user`'s inbox unless it is already there (read or not).
pub async fn insert(
    conn: &mut AnyConnection,
    user: UserId,
    about: &About,
    actor_name: Option<&str>,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO notifications (user_id, key, kind, record_type, record_id, actor_name, at, read_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL) ON CONFLICT (user_id, key) DO NOTHING",
    )
    .bind(user.to_string())
    .bind(&about.key)
    .bind(about.kind.as_str())
    .bind(about.record_type.as_str())
    .bind(&about.record_id)
    .bind(actor_name)
    .bind(clock::to_db(at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct Row {
    key: String,
    kind: String,
    record_type: String,
    record_id: String,
    actor_name: Option<String>,
    at: String,
    read_at: Option<String>,
}

/// `user`'s most recent `limit` notifications, newest first.
pub async fn recent(conn: &mut AnyConnection, user: UserId, limit: i64) -> anyhow::Result<Vec<Stored>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT key, kind, record_type, record_id, actor_name, at, read_at FROM notifications \
         WHERE user_id = $1 ORDER BY at DESC, key DESC LIMIT $2",
    )
    .bind(user.to_string())
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Stored {
                key: r.key,
                kind: r.kind.parse()?,
                record_type: r.record_type.parse()?,
                record_id: r.record_id,
                actor_name: r.actor_name,
                at: clock::from_db(&r.at)?,
                read: r.read_at.is_some(),
            })
        })
        .collect()
}

/// Removes notifications about records `user` may no longer read (an agreement ended): they would link nowhere.
pub async fn forget(conn: &mut AnyConnection, user: UserId, keys: &[String]) -> anyhow::Result<()> {
    for key in keys {
        sqlx::query("DELETE FROM notifications WHERE user_id = $1 AND key = $2")
            .bind(user.to_string())
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Marks `keys` of `user`'s inbox read (or all of it); returns how many changed.
pub async fn mark_read(
    conn: &mut AnyConnection,
    user: UserId,
    keys: &[String],
    all: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let at = clock::to_db(now);
    if all {
        let done = sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(&at)
            .bind(user.to_string())
            .execute(&mut *conn)
            .await?;
        return Ok(done.rows_affected());
    }
    let mut changed = 0;
    for key in keys {
        let done =
            sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND key = $3 AND read_at IS NULL")
                .bind(&at)
                .bind(user.to_string())
                .bind(key)
                .execute(&mut *conn)
                .await?;
        changed += done.rows_affected();
    }
    Ok(changed)
}

/// The open gates of `org`'s transfers (candidates for "waiting for my signature"; the rule decides which are).
pub async fn open_gates(conn: &mut AnyConnection, org: OrgId) -> anyhow::Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.gate_round FROM transfer_stages s JOIN transfers t ON t.id = s.transfer_id \
         WHERE s.gate_state = 'open' AND (t.sponsor_org_id = $1 OR t.cmo_org_id = $1) ORDER BY s.id",
    )
    .bind(org.to_string())
    .fetch_all(&mut *conn)
    .await?)
}

/// `org`'s documents whose latest version is in review (candidates for "waiting for my signature"; the rule decides
/// whose): (id, version number).
pub async fn documents_in_review(conn: &mut AnyConnection, org: OrgId) -> anyhow::Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT d.id, v.number FROM documents d JOIN document_versions v ON v.document_id = d.id \
         WHERE d.owner_org_id = $1 AND v.status = 'in_review' ORDER BY d.id",
    )
    .bind(org.to_string())
    .fetch_all(&mut *conn)
    .await?)
}

/// The unfinished deliverables `user` answers for (theirs, or their organisation's unassigned ones when they lead),
/// due on or before `by`: (id, due date).
pub async fn deliverables_due(
    conn: &mut AnyConnection,
    user: UserId,
    org: OrgId,
    lead: bool,
    by: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, due_on FROM deliverables WHERE status <> 'done' AND due_on IS NOT NULL AND due_on <= $1 \
         AND (owner_user_id = $2 OR (owner_user_id IS NULL AND owner_org_id = $3 AND $4 = 1)) ORDER BY id",
    )
    .bind(by)
    .bind(user.to_string())
    .bind(org.to_string())
    .bind(i64::from(lead))
    .fetch_all(&mut *conn)
    .await?)
}

/// The agreements in force that `org` is party to and that end after `now` and no later than `by`: (id, end).
pub async fn agreements_ending(
    conn: &mut AnyConnection,
    org: OrgId,
    now: DateTime<Utc>,
    by: DateTime<Utc>,
) -> anyhow::Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.valid_until FROM agreements a WHERE a.activated_at IS NOT NULL AND a.revoked_at IS NULL \
         AND (a.grantor_org_id = $1 OR a.grantee_org_id = $1) AND a.valid_until > $2 AND a.valid_until <= $3 \
         AND NOT EXISTS (SELECT 1 FROM agreements n WHERE n.supersedes_id = a.id AND n.activated_at IS NOT NULL) \
         ORDER BY a.id",
    )
    .bind(org.to_string())
    .bind(clock::to_db(now))
    .bind(clock::to_db(by))
    .fetch_all(&mut *conn)
    .await?)
}
