//! One read of the events table per instance and wake, fanned out to every open stream.
//!
//! Each stream used to read the table after its own last id on every wake: a thousand streams cost a thousand
//! queries per change. Now the first stream to wake reads what is new once (the others wait for that read rather than
//! make their own) into a bounded window of recent events, and every stream takes what is after its last id from
//! there. A stream further behind than the window (one resumed with an old `Last-Event-ID`, or one slow enough to
//! fall out of it) reads the table in pages as before.
//!
//! Why the window never skips an id: every writer takes the audit chain's lock first (the unit of work's first
//! statement) and holds it until it commits, and an event's id is its audit entry's sequence number, so events
//! become visible in id order on both engines (on SQLite writers are serialised outright). A read of "everything
//! after the newest id I hold" therefore sees every event up to the newest it returns, and the window always holds
//! every event whose id lies between its floor and its head.

use crate::store;
use baton_domain::live::LiveEvent;
use sqlx::AnyPool;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

/// How many recent events the window keeps (a few hundred bytes each).
const CAPACITY: usize = 1024;
/// Events read from the table at a time.
const PAGE: i64 = 256;

/// What the window says about the events after a stream's last id.
pub enum Since {
    /// These are all of them, up to the newest the window holds (none: the stream is up to date).
    Events(Vec<Arc<LiveEvent>>),
    /// The window no longer (or never) held some of them: read the table.
    Behind,
}

/// Every event with `floor < id <= head`, oldest first, and the wake generation that read covered.
struct Recent {
    floor: i64,
    head: i64,
    events: VecDeque<Arc<LiveEvent>>,
    covered: Option<u64>,
}

/// The instance's window of recent events.
pub struct Window {
    recent: Mutex<Recent>,
    /// Held by the one stream reading the table for everyone.
    reading: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Window").finish_non_exhaustive()
    }
}

impl Default for Window {
    fn default() -> Self {
        Window::new()
    }
}

impl Window {
    /// An empty window, filled from the table by the first stream that needs it.
    pub fn new() -> Self {
        let recent = Recent { floor: 0, head: 0, events: VecDeque::new(), covered: None };
        Window { recent: Mutex::new(recent), reading: tokio::sync::Mutex::new(()) }
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Brings the window up to date with every change woken up to `generation` (see [`super::generation`]), reading
    /// the table once for all the streams that ask together; returns the newest id it holds.
    pub async fn refresh(&self, pool: &AnyPool, generation: u64) -> anyhow::Result<i64> {
        let _reading = self.reading.lock().await;
        let (covered, head) = {
            let recent = self.recent();
            (recent.covered, recent.head)
        };
        if covered.is_some_and(|c| c >= generation) {
            return Ok(head);
        }
        // Taken before reading: every change woken up to here was committed before the read starts.
        let reading_for = super::generation();
        let mut conn = pool.acquire().await?;
        if covered.is_none() {
            // The first read starts from the newest event: older ones are in the table for whoever needs them.
            let latest = store::events::latest(&mut conn).await?;
            let mut recent = self.recent();
            (recent.floor, recent.head, recent.covered) = (latest, latest, Some(reading_for));
            return Ok(latest);
        }
        let mut head = head;
        loop {
            let page = store::events::after(&mut conn, head, PAGE).await?;
            let full = page.len() as i64 == PAGE;
            let mut recent = self.recent();
            for event in page {
                head = event.id;
                recent.head = head;
                recent.events.push_back(Arc::new(event));
                if recent.events.len() > CAPACITY
                    && let Some(oldest) = recent.events.pop_front()
                {
                    recent.floor = oldest.id;
                }
            }
            if !full {
                recent.covered = Some(reading_for);
                return Ok(head);
            }
        }
    }

    /// Up to `limit` events after `last`, if the window holds every one of them.
    pub fn after(&self, last: i64, limit: usize) -> Since {
        let recent = self.recent();
        if recent.covered.is_none() || last < recent.floor {
            return Since::Behind;
        }
        let start = recent.events.partition_point(|e| e.id <= last);
        Since::Events(recent.events.range(start..).take(limit).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::testing::{database, forget, insert};

    fn ids(since: Since) -> Option<Vec<i64>> {
        match since {
            Since::Events(events) => Some(events.iter().map(|e| e.id).collect()),
            Since::Behind => None,
        }
    }

    #[tokio::test]
    async fn the_window_holds_every_recent_event_and_sends_streams_further_behind_to_the_table() {
        let (db, path) = database().await;
        let window = Window::new();
        assert!(ids(window.after(0, 10)).is_none(), "an unread window holds nothing");
        insert(&db, [2, 5], "2026-11-26T10:00:00.000000Z").await;
        // The first read starts from the newest: what came before is the table's.
        assert_eq!(window.refresh(&db.pool, 0).await.expect("read"), 5);
        assert_eq!(ids(window.after(5, 10)), Some(vec![]));
        assert!(ids(window.after(2, 10)).is_none());

        // More than the window keeps, with gaps in the ids (entries that announce nothing), read in several pages.
        let many: Vec<i64> = (0..CAPACITY as i64 + 300).map(|i| 10 + 3 * i).collect();
        insert(&db, many.clone(), "2026-11-26T10:00:00.000000Z").await;
        crate::live::wake();
        let generation = crate::live::generation();
        assert_eq!(window.refresh(&db.pool, generation).await.expect("read"), *many.last().expect("some"));
        let kept = &many[many.len() - CAPACITY..];
        let floor = many[many.len() - CAPACITY - 1];
        assert!(ids(window.after(5, 10)).is_none(), "evicted: read the table");
        assert!(ids(window.after(floor - 1, 10)).is_none());
        assert_eq!(ids(window.after(floor, 10)), Some(kept[..10].to_vec()), "every id after the floor, in order");
        assert_eq!(ids(window.after(kept[500], 3)), Some(kept[501..504].to_vec()));

        // A wake already read for is not read again; a later one is.
        let newest = many.last().expect("some") + 1;
        insert(&db, [newest], "2026-11-26T10:00:00.000000Z").await;
        assert_eq!(window.refresh(&db.pool, generation).await.expect("read"), newest - 1);
        crate::live::wake();
        assert_eq!(window.refresh(&db.pool, crate::live::generation()).await.expect("read"), newest);
        assert_eq!(ids(window.after(newest - 1, 10)), Some(vec![newest]));
        forget(db, &path).await;
    }
}
