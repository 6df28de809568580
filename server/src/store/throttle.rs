//! Failed-login counters; the rule about them lives in `baton_domain::throttle`.

use crate::clock;
use crate::store::audit::{self, WriteTx};
use baton_domain::throttle::{self, ThrottlePolicy, ThrottleState};
use chrono::{DateTime, Utc};
use sqlx::{Any, AnyPool, Executor, FromRow};

#[derive(FromRow)]
struct Row {
    failures: i64,
    window_start: String,
    locked_until: Option<String>,
}

/// The counter for `key`, if any failure is on record.
pub async fn get<'c>(db: impl Executor<'c, Database = Any>, key: &str) -> anyhow::Result<Option<ThrottleState>> {
    let row: Option<Row> =
        sqlx::query_as("SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(db)
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
pub async fn put<'c>(db: impl Executor<'c, Database = Any>, key: &str, state: &ThrottleState) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, \
         locked_until = excluded.locked_until",
    )
    .bind(key)
    .bind(i64::from(state.failures))
    .bind(clock::to_db(state.window_start))
    .bind(state.locked_until.map(clock::to_db))
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets the counter for `key` (after a successful login).
pub async fn clear<'c>(db: impl Executor<'c, Database = Any>, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(db).await?;
    Ok(())
}

/// Reserves one attempt on every key, all or none, before the password is checked; `Ok(Err(until))` when a key is
/// locked. Read and write happen in one write transaction, whose lock serialises writers on both engines, so
/// parallel attempts each see the count the previous one left.
pub async fn reserve(
    pool: &AnyPool,
    keys: &[(&str, ThrottlePolicy)],
    now: DateTime<Utc>,
) -> anyhow::Result<Result<(), DateTime<Utc>>> {
    let mut tx = audit::begin_write(pool).await?;
    for (key, policy) in keys {
        match throttle::reserve(get(&mut *tx, key).await?, now, *policy) {
            Ok(next) => put(&mut *tx, key, &next).await?,
            Err(until) => {
                tx.rollback().await?;
                return Ok(Err(until));
            }
        }
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Gives back the reservation of an attempt that succeeded, inside `tx` (from [`audit::begin_write`]).
pub async fn refund(tx: &mut WriteTx, key: &str, policy: ThrottlePolicy) -> anyhow::Result<()> {
    if let Some(state) = get(&mut **tx, key).await? {
        put(&mut **tx, key, &throttle::refund(state, policy)).await?;
    }
    Ok(())
}
