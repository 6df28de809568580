//! Failed-login counters; the rule about them lives in `baton_domain::throttle`.

use crate::clock;
use baton_domain::throttle::ThrottleState;
use sqlx::{AnyPool, FromRow};

#[derive(FromRow)]
struct Row {
    failures: i64,
    window_start: String,
    locked_until: Option<String>,
}

/// The counter for `key`, if any failure is on record.
pub async fn get(pool: &AnyPool, key: &str) -> anyhow::Result<Option<ThrottleState>> {
    let row: Option<Row> =
        sqlx::query_as("SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await?;
    row.map(|r| {
        Ok(ThrottleState {
            failures: u32::try_from(r.failures).unwrap_or(u32::MAX),
            window_start: clock::from_db(&r.window_start)?,
            locked_until: r.locked_until.as_deref().map(clock::from_db).transpose()?,
        })
    })
    .transpose()
}

/// Stores the counter for `key`.
pub async fn put(pool: &AnyPool, key: &str, state: &ThrottleState) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, \
         locked_until = excluded.locked_until",
    )
    .bind(key)
    .bind(i64::from(state.failures))
    .bind(clock::to_db(state.window_start))
    .bind(state.locked_until.map(clock::to_db))
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets the counter for `key` (after a successful login).
pub async fn clear(pool: &AnyPool, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(pool).await?;
    Ok(())
}
