//! The change events that live updates carry, and who follows which record: written in the change's transaction,
//! read by every stream after the last id it delivered.

use crate::clock;
use baton_domain::audit::AuditEntry;
use baton_domain::live::LiveEvent;
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};

/// Records `entry`'s change as an event (its id is the entry's seq), and that its actor now follows the record;
/// with `notify`, the record's other followers get a notification of it (once per change, however many entries it
/// makes). Runs inside the change's write transaction.
pub async fn announce(
    conn: &mut AnyConnection,
    entry: &AuditEntry,
    notify: bool,
    origin: Option<&str>,
) -> anyhow::Result<()> {
    let at = clock::to_db(entry.at);
    let actor = entry.actor_id.map(|id| id.to_string());
    sqlx::query(
        "INSERT INTO events (id, at, record_type, record_id, owner_org_id, actor_id, actor_name, action, origin) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(entry.seq)
    .bind(&at)
    .bind(entry.record_type.as_str())
    .bind(&entry.record_id)
    .bind(entry.owner_org.map(|id| id.to_string()))
    .bind(&actor)
    .bind(&entry.actor_name)
    .bind(entry.action.as_str())
    .bind(origin)
    .execute(&mut *conn)
    .await?;
    if notify {
        sqlx::query(
            "INSERT INTO notifications (user_id, key, kind, record_type, record_id, actor_name, at, read_at) \
         SELECT user_id, $1, 'change', record_type, record_id, $2, $3, NULL FROM follows \
         WHERE record_type = $4 AND record_id = $5 AND user_id <> $6",
        )
        .bind(format!("change:{}", entry.seq))
        .bind(&entry.actor_name)
        .bind(&at)
        .bind(entry.record_type.as_str())
        .bind(&entry.record_id)
        .bind(actor.clone().unwrap_or_default())
        .execute(&mut *conn)
        .await?;
    }
    if let Some(actor) = actor {
        sqlx::query(
            "INSERT INTO follows (user_id, record_type, record_id) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, record_type, record_id) DO NOTHING",
        )
        .bind(actor)
        .bind(entry.record_type.as_str())
        .bind(&entry.record_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(FromRow)]
struct Row {
    id: i64,
    at: String,
    record_type: String,
    record_id: String,
    actor_id: Option<String>,
    actor_name: String,
    action: String,
    origin: Option<String>,
}

impl Row {
    fn into_event(self) -> anyhow::Result<LiveEvent> {
        Ok(LiveEvent {
            id: self.id,
            at: clock::from_db(&self.at)?,
            record_type: self.record_type.parse()?,
            record_id: self.record_id,
            action: self.action.parse()?,
            actor_id: self.actor_id.map(|id| id.parse()).transpose()?,
            actor_name: self.actor_name,
            origin: self.origin,
        })
    }
}

/// Up to `limit` events after `after`, oldest first.
pub async fn after(conn: &mut AnyConnection, after: i64, limit: i64) -> anyhow::Result<Vec<LiveEvent>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, record_type, record_id, actor_id, actor_name, action, origin FROM events \
         WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(Row::into_event).collect()
}

/// The newest event's id, or the highest pruned if that is higher (every event was pruned), 0 when there was none:
/// where a stream that resumes from nothing starts, and every event up to it is in the table or known pruned.
pub async fn latest(conn: &mut AnyConnection) -> anyhow::Result<i64> {
    let (id,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM events").fetch_one(&mut *conn).await?;
    Ok(id.unwrap_or(0).max(pruned_through(conn).await?))
}

/// Whether session `id` still exists and has not expired (a stream outlives the request that opened it, so it asks
/// before delivering what it read).
pub async fn session_alive(conn: &mut AnyConnection, id: &str, now_unix: i64) -> anyhow::Result<bool> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT expires_at FROM sessions WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    Ok(found.is_some_and(|(expires_at,)| expires_at > now_unix))
}

/// The highest event id pruned so far (0 when none was): the events after a stream's last id are all still in the
/// table only if its last id is at least this.
pub async fn pruned_through(conn: &mut AnyConnection) -> anyhow::Result<i64> {
    let (id,): (i64,) =
        sqlx::query_as("SELECT through_id FROM events_pruned WHERE id = 1").fetch_one(&mut *conn).await?;
    Ok(id)
}

/// Deletes up to `limit` of the oldest events from before `before`; returns how many went. The pruned mark is raised
/// first, so a stream that finds events missing also finds the mark that says so.
pub async fn prune(conn: &mut AnyConnection, before: DateTime<Utc>, limit: i64) -> anyhow::Result<u64> {
    let before = clock::to_db(before);
    let (through,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(id) FROM (SELECT id FROM events WHERE at < $1 ORDER BY id LIMIT $2) AS oldest")
            .bind(&before)
            .bind(limit)
            .fetch_one(&mut *conn)
            .await?;
    let Some(through) = through else { return Ok(0) };
    sqlx::query("UPDATE events_pruned SET through_id = $1 WHERE id = 1 AND through_id < $1")
        .bind(through)
        .execute(&mut *conn)
        .await?;
    let deleted = sqlx::query("DELETE FROM events WHERE id <= $1 AND at < $2")
        .bind(through)
        .bind(&before)
        .execute(&mut *conn)
        .await?;
    Ok(deleted.rows_affected())
}
