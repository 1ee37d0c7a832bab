//! Learns of writes made by other instances through PostgreSQL's LISTEN/NOTIFY.
//!
//! Every write transaction ends with `pg_notify(CHANNEL, kind)`, which the database
//! delivers to listeners only once that transaction commits. One thread per instance
//! listens and counts, and the registry drops any cache tagged with an older count. The
//! staleness bound is therefore the notification's trip (milliseconds); and because a
//! silent listener would leave caches stale for ever, the counts are only trusted while
//! the listener has proved its connection alive within [`TRUST_WINDOW`]: otherwise every
//! read sees a new count and caches are bypassed until it is back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;

use super::pool::Pool;

/// The NOTIFY channel every instance of one database shares.
pub const CHANNEL: &str = "schemagate_changes";
/// Payload of a write that deleted a version permanently (ids may stop resolving).
pub const DELETION: &str = "deletion";
/// Payload of every other write.
pub const WRITE: &str = "write";

/// How often the listener proves its connection alive while nothing happens.
const HEARTBEAT: Duration = Duration::from_millis(500);
/// How long after its last proof of life the listener's counts are trusted.
pub const TRUST_WINDOW: Duration = Duration::from_secs(2);
/// Pause between attempts to reconnect.
const RETRY: Duration = Duration::from_millis(500);

/// What the listener thread shares with the store.
pub struct Changes {
    writes: AtomicU64,
    deletions: AtomicU64,
    started: Instant,
    /// Milliseconds after `started` of the last proof of life; 0 = never.
    alive_at: AtomicU64,
    stop: AtomicBool,
}

impl Changes {
    fn trusted(&self) -> bool {
        let alive_at = self.alive_at.load(Ordering::SeqCst);
        alive_at != 0
            && self.started.elapsed().as_millis() as u64
                <= alive_at + TRUST_WINDOW.as_millis() as u64
    }

    /// Writes seen from any instance; a fresh value on every call while untrusted.
    pub fn writes(&self) -> u64 {
        if self.trusted() {
            self.writes.load(Ordering::SeqCst)
        } else {
            self.writes.fetch_add(1, Ordering::SeqCst) + 1
        }
    }

    /// Permanent deletions seen; a fresh value on every call while untrusted.
    pub fn deletions(&self) -> u64 {
        if self.trusted() {
            self.deletions.load(Ordering::SeqCst)
        } else {
            self.deletions.fetch_add(1, Ordering::SeqCst) + 1
        }
    }

    fn mark_alive(&self) {
        let now = (self.started.elapsed().as_millis() as u64).max(1);
        self.alive_at.store(now, Ordering::SeqCst);
    }
}

/// The listener thread; told to stop when dropped.
pub struct Listener {
    changes: Arc<Changes>,
}

impl Listener {
    /// Starts listening on a connection of its own, made from `pool`'s settings.
    pub fn start(pool: Arc<Pool>) -> std::io::Result<Listener> {
        let changes = Arc::new(Changes {
            writes: AtomicU64::new(0),
            deletions: AtomicU64::new(0),
            started: Instant::now(),
            alive_at: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let shared = Arc::clone(&changes);
        std::thread::Builder::new()
            .name("schemagate-pg-listen".into())
            .spawn(move || listen(&pool, &shared))?;
        Ok(Listener { changes })
    }

    /// The counters.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }
}

impl Drop for Listener {
    // Not joined: the store may be dropped on an async worker, which must not wait for
    // a heartbeat; the thread ends within one and closes its own connection.
    fn drop(&mut self) {
        self.changes.stop.store(true, Ordering::SeqCst);
    }
}

fn listen(pool: &Pool, changes: &Changes) {
    let mut reported_down = false;
    while !changes.stop.load(Ordering::SeqCst) {
        match listen_once(pool, changes) {
            Ok(()) => return,
            Err(e) => {
                // Whatever was cached may have missed a notification while down.
                changes.writes.fetch_add(1, Ordering::SeqCst);
                changes.deletions.fetch_add(1, Ordering::SeqCst);
                if !reported_down {
                    tracing::warn!(error = %e, "lost the change listener; caches are bypassed until it is back");
                    reported_down = true;
                }
                std::thread::sleep(RETRY);
            }
        }
    }
}

/// Listens until stopped (`Ok`) or until the connection fails.
fn listen_once(pool: &Pool, changes: &Changes) -> Result<(), String> {
    let mut client = pool.connect().map_err(|e| e.0)?;
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .map_err(|e| e.to_string())?;
    // Anything committed before LISTEN took effect was not announced to this thread.
    changes.writes.fetch_add(1, Ordering::SeqCst);
    changes.deletions.fetch_add(1, Ordering::SeqCst);
    changes.mark_alive();
    tracing::info!("listening for changes made by other instances");
    while !changes.stop.load(Ordering::SeqCst) {
        let mut notifications = client.notifications();
        let mut pending = notifications.timeout_iter(HEARTBEAT);
        while let Some(n) = pending.next().map_err(|e| e.to_string())? {
            if n.payload() == DELETION {
                changes.deletions.fetch_add(1, Ordering::SeqCst);
            }
            changes.writes.fetch_add(1, Ordering::SeqCst);
            // Under a steady stream of writes the heartbeat below rarely runs.
            changes.mark_alive();
        }
        drop(pending);
        drop(notifications);
        // `None` above also means "disconnected"; a round trip tells which.
        client
            .is_valid(TRUST_WINDOW / 2)
            .map_err(|e| e.to_string())?;
        changes.mark_alive();
    }
    Ok(())
}
