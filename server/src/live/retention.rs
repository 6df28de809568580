//! Events are a delivery log, not the record (the audit trail is): they are kept for a while and then pruned in the
//! background, oldest first, in small batches that never hold up the writers for long.

use crate::store;
use chrono::Utc;
use sqlx::AnyPool;
use std::time::Duration;

/// Events deleted at a time.
const BATCH: i64 = 500;

/// How long events are kept, and how often the old ones are pruned.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    /// Events older than this go.
    pub keep: chrono::Duration,
    /// Pruning runs this often (and once at start).
    pub every: Duration,
}

/// Prunes old events for as long as the server runs.
pub async fn prune_forever(pool: AnyPool, retention: Retention) {
    let mut every = tokio::time::interval(retention.every);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match prune(&pool, retention.keep).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned old events"),
            Err(e) => tracing::warn!(error = %e, "pruning old events"),
        }
    }
}

/// Deletes the events older than `keep`, a batch at a time; returns how many went.
pub async fn prune(pool: &AnyPool, keep: chrono::Duration) -> anyhow::Result<u64> {
    let before = Utc::now() - keep;
    let mut pruned = 0;
    loop {
        let deleted = {
            let mut conn = pool.acquire().await?;
            store::events::prune(&mut conn, before, BATCH).await?
        };
        pruned += deleted;
        if deleted < BATCH as u64 {
            return Ok(pruned);
        }
        // A pause between batches, so that a large backlog never monopolises the database.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::testing::{database, forget, insert};

    async fn count(pool: &AnyPool, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(pool).await.expect("counted")
    }

    #[tokio::test]
    async fn old_events_go_in_batches_and_the_mark_names_the_newest_gone() {
        let (db, path) = database().await;
        let old = BATCH * 2 + 7;
        insert(&db, (1..=old).map(|i| i * 2), "2020-01-01T00:00:00.000000Z").await;
        let recent = Utc::now() - chrono::Duration::days(1);
        insert(&db, [old * 2 + 1, old * 2 + 5], &crate::clock::to_db(recent)).await;
        assert_eq!(prune(&db.pool, chrono::Duration::days(30)).await.expect("pruned"), old as u64);
        assert_eq!(count(&db.pool, "SELECT COUNT(*) FROM events").await, 2, "the recent ones are kept");
        assert_eq!(count(&db.pool, "SELECT through_id FROM events_pruned").await, old * 2);
        // Nothing more to prune: nothing changes.
        assert_eq!(prune(&db.pool, chrono::Duration::days(30)).await.expect("pruned"), 0);
        assert_eq!(count(&db.pool, "SELECT through_id FROM events_pruned").await, old * 2);
        forget(db, &path).await;
    }
}
