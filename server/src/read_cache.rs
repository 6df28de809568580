//! Reads served from memory while nothing has been written since they were loaded.
//!
//! Every write this process commits moves the write generation on: a write transaction's commit
//! ([`crate::store::audit::WriteTx`]) and a session saved or ended. On PostgreSQL every such write also sends
//! `NOTIFY` on [`CHANNEL`] (delivered on commit), so writes through another instance move this one's generation
//! too; while that channel is not being listened to, this instance caches nothing. A cached value is used only
//! while the generation it was loaded under is current, and for at most [`LIFETIME`]: that bounds how long a
//! change made outside Baton (SQL typed by an administrator, which neither path sees) goes unseen.
//!
//! Only reads use it. Writes re-read and re-decide inside their transaction (the kernel's unit of work), and
//! signatures and transitions name the version the user was shown, so a stale read never becomes a stale change.

use sqlx::AnyConnection;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The PostgreSQL notification channel on which every write transaction says that something changed.
pub const CHANNEL: &str = "baton_writes";

/// The longest a value is served from memory, whatever the generation says.
pub const LIFETIME: Duration = Duration::from_secs(1);

/// Most values a cache keeps; past that, it forgets the ones an older generation loaded, or all.
const CAPACITY: usize = 10_000;

static GENERATION: AtomicU64 = AtomicU64::new(0);
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Says that this process committed a write (or heard that another instance did): every cached value is stale.
pub fn wrote() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Turns caching on or off: on once this process hears of every write (on SQLite, where it is the only writer, at
/// start; on PostgreSQL, while it listens on [`CHANNEL`]).
pub fn enable(on: bool) {
    if !on {
        ENABLED.store(false, Ordering::SeqCst);
    }
    // Entries loaded before a gap in what this process heard must not outlive it.
    wrote();
    if on {
        ENABLED.store(true, Ordering::SeqCst);
    }
}

/// Tells other instances, on PostgreSQL, that the transaction on `conn` writes: its `NOTIFY` is delivered when it
/// commits, and not at all if it rolls back.
pub async fn announce(conn: &mut AnyConnection) -> sqlx::Result<()> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query(&format!("NOTIFY {CHANNEL}")).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The moment a value starts loading: taken before the read, so that a write committed while it loads makes it
/// stale rather than cached as current.
#[derive(Clone, Copy, Debug)]
pub struct Ticket {
    generation: u64,
    taken: Instant,
}

/// A ticket for a load, or none when caching is off.
pub fn ticket() -> Option<Ticket> {
    ENABLED
        .load(Ordering::SeqCst)
        .then(|| Ticket { generation: GENERATION.load(Ordering::SeqCst), taken: Instant::now() })
}

impl Ticket {
    fn current(&self, now: Instant) -> bool {
        ENABLED.load(Ordering::SeqCst)
            && self.generation == GENERATION.load(Ordering::SeqCst)
            && now.duration_since(self.taken) < LIFETIME
    }
}

/// Values by key, each valid while its ticket is current.
#[derive(Debug)]
pub struct Cache<K, V> {
    entries: Mutex<Option<HashMap<K, (Ticket, V)>>>,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// An empty cache (usable in a `static`).
    pub const fn new() -> Self {
        Cache { entries: Mutex::new(None) }
    }

    /// The value under `key`, if it is still current.
    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (ticket, value) = entries.as_ref()?.get(key)?;
        ticket.current(Instant::now()).then(|| value.clone())
    }

    /// Keeps `value`, loaded under `ticket`, unless a write has already made it stale.
    pub fn put(&self, key: K, ticket: Ticket, value: V) {
        let now = Instant::now();
        if !ticket.current(now) {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entries = entries.get_or_insert_with(HashMap::new);
        if entries.len() >= CAPACITY {
            entries.retain(|_, (kept, _)| kept.current(now));
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (ticket, value));
    }
}

impl<K: Eq + Hash, V: Clone> Default for Cache<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The switches are process-wide, so one test walks through every case in order.
    #[test]
    fn a_value_is_served_only_while_no_write_came_after_its_load() {
        let cache: Cache<u32, &str> = Cache::new();
        enable(false);
        assert!(ticket().is_none(), "off: nothing is cached");

        enable(true);
        let loaded = ticket().expect("on");
        cache.put(1, loaded, "first");
        assert_eq!(cache.get(&1), Some("first"));
        assert_eq!(cache.get(&2), None);

        wrote();
        assert_eq!(cache.get(&1), None, "a write makes it stale");

        let before_write = ticket().expect("on");
        wrote();
        cache.put(1, before_write, "read before the write committed");
        assert_eq!(cache.get(&1), None, "a load that overlapped a write is not kept");

        let fresh = ticket().expect("on");
        cache.put(1, fresh, "second");
        enable(false);
        assert_eq!(cache.get(&1), None, "turned off: nothing is served");
        enable(true);
        assert_eq!(cache.get(&1), None, "a gap in what was heard makes everything stale");

        let taken = Instant::now().checked_sub(LIFETIME).expect("the clock has run a second");
        cache.put(3, Ticket { generation: GENERATION.load(Ordering::SeqCst), taken }, "loaded too long ago");
        assert_eq!(cache.get(&3), None, "no value outlives its lifetime");
        enable(false);
    }
}
