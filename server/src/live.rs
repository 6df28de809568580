//! Wakes the open event streams when events are committed. The events table is the truth; this only says "look".
//!
//! Every path funnels into one in-process signal: a unit of work that announced a change wakes it after its commit
//! (the only path on SQLite, where one process serves), and on PostgreSQL each instance also `LISTEN`s on
//! [`CHANNEL`], where every announcing transaction sends `NOTIFY` with its event id (delivered only on commit), so a
//! change written through another instance wakes this one's streams too. On a wake the instance reads what is new
//! from the table once, for all its streams ([`window`]), and each stream goes on after the last id it delivered, so
//! a lost notification delays an event and never loses it. Old events are pruned ([`retention`]).

use crate::read_cache;
use sqlx::postgres::PgListener;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::watch;

/// The PostgreSQL notification channel; its payload is the event id.
pub const CHANNEL: &str = "baton_events";

/// A generation counter: it grows on every wake; `u64::MAX` means the server is stopping.
fn signal() -> &'static watch::Sender<u64> {
    static SIGNAL: OnceLock<watch::Sender<u64>> = OnceLock::new();
    SIGNAL.get_or_init(|| watch::channel(0).0)
}

const STOPPING: u64 = u64::MAX;

pub mod retention;
pub mod window;

/// The current wake generation: whoever reads the table after seeing it has seen every change woken before it.
pub fn generation() -> u64 {
    *signal().borrow()
}

/// Tells every open stream in this process to look for new events.
pub fn wake() {
    signal().send_modify(|generation| {
        if *generation != STOPPING {
            *generation = generation.wrapping_add(1) % STOPPING;
        }
    });
}

/// Ends every open stream (the server is shutting down gracefully and must not wait for them).
pub fn stop() {
    signal().send_replace(STOPPING);
}

/// A stream's subscription to wakes.
pub struct Subscription(watch::Receiver<u64>);

impl Subscription {
    /// Waits for the next wake; `false` once the server is stopping.
    pub async fn woken(&mut self) -> bool {
        self.0.changed().await.is_ok() && *self.0.borrow_and_update() != STOPPING
    }

    /// Whether the server is stopping.
    pub fn stopping(&self) -> bool {
        *self.0.borrow() == STOPPING
    }
}

/// Subscribes to wakes.
pub fn subscribe() -> Subscription {
    Subscription(signal().subscribe())
}

/// Listens on PostgreSQL, for as long as the server runs, for events committed by any instance (waking the streams)
/// and for writes committed by any instance (staling the read cache, which is on only while this listens). After a
/// dropped connection it reconnects and wakes every stream, which catches up from the table.
pub async fn listen(url: String) {
    loop {
        match PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen_all([CHANNEL, read_cache::CHANNEL]).await {
                Ok(()) => {
                    read_cache::enable(true);
                    wake();
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(notice)) if notice.channel() == read_cache::CHANNEL => read_cache::enable(true),
                            Ok(Some(_)) => wake(),
                            // The connection dropped: the next receive reconnects; what was missed is in the table,
                            // but writes missed meanwhile would leave cached reads stale, so caching stops until a
                            // notification proves the channel is heard again.
                            Ok(None) => {
                                read_cache::enable(false);
                                wake();
                            }
                            Err(e) => {
                                read_cache::enable(false);
                                tracing::warn!(error = %e, "event listener failed; reconnecting");
                                break;
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "LISTEN {CHANNEL} failed; retrying"),
            },
            Err(e) => tracing::warn!(error = %e, "connecting the event listener failed; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A scratch database with events in it, for the tests of the window and of pruning.
#[cfg(test)]
mod testing {
    use crate::db::{self, Db};
    use std::path::{Path, PathBuf};

    /// A new migrated SQLite database in the temporary directory.
    pub async fn database() -> (Db, PathBuf) {
        let path = std::env::temp_dir().join(format!("baton-live-{}.sqlite", uuid::Uuid::new_v4()));
        let db = db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.expect("database");
        db::migrate(&db).await.expect("migrations");
        (db, path)
    }

    /// Events with these ids, at `at`.
    pub async fn insert(db: &Db, ids: impl IntoIterator<Item = i64>, at: &str) {
        for id in ids {
            sqlx::query(
                "INSERT INTO events (id, at, record_type, record_id, owner_org_id, actor_id, actor_name, action) \
                 VALUES ($1, $2, 'deliverable', 'd', NULL, NULL, 'A. Person', 'update')",
            )
            .bind(id)
            .bind(at)
            .execute(&db.pool)
            .await
            .expect("event inserted");
        }
    }

    /// Closes the database and removes its files.
    pub async fn forget(db: Db, path: &Path) {
        db.pool.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
