//! Server-side sessions for tower-sessions, kept in the same database as everything else, so that logging out
//! (or an administrator deleting the row) ends a session everywhere.
//!
//! tower-sessions' own sqlx stores are per-engine; this one works on the `Any` pool for both engines.

use super::users::{OPTIONAL_PROFILE_COLUMNS, OptionalProfile, profile_of};
use crate::auth::{PROFILE_KEY, USER_KEY};
use crate::read_cache::{self, Cache};
use async_trait::async_trait;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyPool, FromRow};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// Sessions stored in the `sessions` table.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    pool: AnyPool,
}

impl DbSessionStore {
    /// A store on the given pool.
    pub fn new(pool: AnyPool) -> Self {
        DbSessionStore { pool }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// The record as stored: without the user's profile, which is read fresh with every load.
fn encode(record: &Record) -> session_store::Result<String> {
    let mut stored = record.clone();
    stored.data.remove(PROFILE_KEY);
    serde_json::to_string(&stored).map_err(|e| session_store::Error::Encode(e.to_string()))
}

/// The session's user, kept in a column so that loading the session can join the user.
fn user_of(record: &Record) -> Option<String> {
    record.data.get(USER_KEY).and_then(|v| v.as_str()).map(str::to_owned)
}

#[derive(FromRow)]
struct Row {
    data: String,
    expires_at: i64,
    user_id: Option<String>,
    email: Option<String>,
    display_name: Option<String>,
    role: Option<String>,
    org_id: Option<String>,
    org_name: Option<String>,
    org_kind: Option<String>,
}

impl Row {
    fn profile(&self) -> OptionalProfile {
        (
            self.user_id.clone(),
            self.email.clone(),
            self.display_name.clone(),
            self.role.clone(),
            self.org_id.clone(),
            self.org_name.clone(),
            self.org_kind.clone(),
        )
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; a collision is practically impossible, but must never hand over a session.
        loop {
            let inserted = self
                .change(
                    sqlx::query(
                        "INSERT INTO sessions (id, data, expires_at, user_id) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(record.id.to_string())
                    .bind(encode(record)?)
                    .bind(record.expiry_date.unix_timestamp())
                    .bind(user_of(record)),
                )
                .await?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.change(
            sqlx::query(
                "INSERT INTO sessions (id, data, expires_at, user_id) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, \
                 user_id = excluded.user_id",
            )
            .bind(record.id.to_string())
            .bind(encode(record)?)
            .bind(record.expiry_date.unix_timestamp())
            .bind(user_of(record)),
        )
        .await?;
        Ok(())
    }

    /// Loads the session with its user's current profile (under [`PROFILE_KEY`]) in one query, or from the read
    /// cache while nothing has been written since: a deleted user or a changed role takes effect on the next request
    /// when made through Baton, and within [`read_cache::LIFETIME`] when made in the database by hand.
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        static CACHE: Cache<Id, Record> = Cache::new();
        if let Some(record) = CACHE.get(id).filter(|r| r.expiry_date > OffsetDateTime::now_utc()) {
            return Ok(Some(record));
        }
        let ticket = read_cache::ticket();
        let record = self.load_stored(id).await?;
        if let (Some(ticket), Some(record)) = (ticket, &record) {
            CACHE.put(*id, ticket, record.clone());
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.change(sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id.to_string())).await?;
        Ok(())
    }
}

impl DbSessionStore {
    /// Runs a statement that changes sessions in a transaction that tells the read cache, and on PostgreSQL the other
    /// instances, once it has committed; returns how many rows it changed.
    async fn change<'q>(&self, statement: Query<'q, Any, AnyArguments<'q>>) -> session_store::Result<u64> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let changed = statement.execute(&mut *tx).await.map_err(backend)?.rows_affected();
        read_cache::announce(&mut tx).await.map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        read_cache::wrote();
        Ok(changed)
    }

    async fn load_stored(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT s.data, s.expires_at, {OPTIONAL_PROFILE_COLUMNS} FROM sessions s \
             LEFT JOIN users u ON u.id = s.user_id LEFT JOIN organisations o ON o.id = u.organisation_id \
             WHERE s.id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        // An ended session is deleted as soon as it is presented, not only by the periodic sweep.
        if row.expires_at <= OffsetDateTime::now_utc().unix_timestamp() {
            self.delete(id).await?;
            return Ok(None);
        }
        let mut record: Record =
            serde_json::from_str(&row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        record.data.remove(PROFILE_KEY);
        if let Some(profile) = profile_of(row.profile()).map_err(|e| session_store::Error::Decode(e.to_string()))? {
            let value = serde_json::to_value(profile).map_err(|e| session_store::Error::Decode(e.to_string()))?;
            record.data.insert(PROFILE_KEY.to_owned(), value);
        }
        Ok(Some(record))
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.change(
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(OffsetDateTime::now_utc().unix_timestamp()),
        )
        .await?;
        Ok(())
    }
}
