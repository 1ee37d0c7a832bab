//! When a commit may be shown: commit numbers, group commit, and the store's health.
//!
//! Every commit gets a number before its data becomes visible in the store, and a
//! number is *durable* once a flush that began after it was applied has succeeded. No
//! answer shows data that is not durable: a writer waits for its own commit, a reader
//! for the newest commit begun when it finished reading (one atomic comparison when
//! nothing is pending, so cached reads stay cheap). Otherwise a crash between a commit
//! and its flush would take back an id that a client had already been shown, and the
//! next registration would hand that id to other content.
//!
//! A failed flush makes the store *failing* (`/health` answers 503) and takes back every
//! commit not yet durable through the store's undo journal: their writers get an error,
//! readers that may have seen them get an error, and nothing refused is ever served.
//! The state after the take-back is the durable one, so reads of it go on; the next
//! flush that succeeds (a write, or a health probe) makes the store healthy again.
//!
//! A store that is durable on commit (PostgreSQL) skips all of this: whatever a reader
//! can see is already durable.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::{Error, Registry, Result};
use crate::store::StoreError;

/// Readers and health probes retry a failing store's flush at most this often; a
/// writer always tries, since it has a commit to make durable or take back.
const RETRY_FAILING_EVERY: Duration = Duration::from_millis(250);

/// Commit numbers and what is known of them.
pub(super) struct Commits {
    /// The store is durable on commit: whatever a reader can see is durable already,
    /// so nothing below ever waits (asked of the store once, not on every read).
    durable_on_commit: bool,
    /// Commits begun: counted before their data can be seen, so a reader that saw a
    /// commit's data reads a number at least as high.
    started: AtomicU64,
    /// Commits finished applying (or failed to): the registry's cache epoch.
    applied: AtomicU64,
    /// Woken whenever `applied` moves.
    applied_moved: Notify,
    /// Highest commit known flushed.
    durable: AtomicU64,
    /// Every commit taken back so far is numbered below this: the fast path trusts
    /// `durable` only at or above it (`u64::MAX` once a take-back failed).
    floor: AtomicU64,
    /// The group-commit queue: whoever holds it flushes for everyone behind.
    queue: tokio::sync::Mutex<()>,
    /// What failed, and which commits were taken back.
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Why the store is failing (`None` while healthy).
    failing: Option<String>,
    /// When a flush last failed.
    failed_at: Option<Instant>,
    /// Commits taken back: every number in `(after, before)` is lost.
    lost: Vec<(u64, u64)>,
    /// After a take-back, the state seen at this commit number is the durable one.
    clean: u64,
    /// A take-back failed: what readers see may hold refused writes until a restart.
    broken: bool,
}

impl State {
    fn is_lost(&self, seq: u64) -> bool {
        self.lost
            .iter()
            .any(|&(after, before)| seq > after && seq < before)
    }

    fn retry_due(&self) -> bool {
        self.failed_at
            .is_none_or(|at| at.elapsed() >= RETRY_FAILING_EVERY)
    }
}

/// Who is waiting for durability: a writer for its commit, or a reader for what it saw.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiter {
    Writer,
    Reader,
}

impl Commits {
    pub(super) fn new(durable_on_commit: bool) -> Commits {
        Commits {
            durable_on_commit,
            started: AtomicU64::new(0),
            applied: AtomicU64::new(0),
            applied_moved: Notify::new(),
            durable: AtomicU64::new(0),
            floor: AtomicU64::new(0),
            queue: tokio::sync::Mutex::new(()),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Poisoning only means a panic elsewhere; the state is updated in single steps.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Numbers a new commit; call before its data can become visible.
    pub(super) fn begin(&self) -> u64 {
        self.started.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Marks commit `seq` applied (or failed), waking whoever waits for it.
    pub(super) fn finish(&self, seq: u64) {
        self.applied.store(seq, Ordering::SeqCst);
        self.applied_moved.notify_waiters();
    }

    /// The newest commit whose data a reader may already see.
    pub(super) fn current(&self) -> u64 {
        self.started.load(Ordering::SeqCst)
    }

    /// Commits applied so far (the cache epoch's local part).
    pub(super) fn applied(&self) -> u64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Whether everything a reader can see right now is durable: the cheap test that
    /// lets cached answers skip every wait.
    pub(super) fn settled(&self) -> bool {
        self.durable_on_commit || self.settled_through(self.started.load(Ordering::SeqCst))
    }

    /// The fast test for one number: durable, and above every number taken back (the
    /// slow path checks the lost list for the rest).
    fn settled_through(&self, seq: u64) -> bool {
        seq >= self.floor.load(Ordering::SeqCst) && self.durable.load(Ordering::SeqCst) >= seq
    }

    /// Why the store is failing, if it is.
    pub(super) fn failing(&self) -> Option<String> {
        self.state().failing.clone()
    }

    /// Why writes are refused outright: a take-back failed, so only a restart (which
    /// recovers what is on disk) makes the visible state trustworthy again.
    pub(super) fn broken(&self) -> Option<String> {
        let state = self.state();
        state
            .broken
            .then(|| state.failing.clone().unwrap_or_default())
    }

    /// Waits (without spinning) until commit `seq` has finished applying, so that a
    /// flush begun afterwards covers it.
    async fn applied_through(&self, seq: u64) {
        loop {
            let moved = self.applied_moved.notified();
            tokio::pin!(moved);
            moved.as_mut().enable();
            if self.applied.load(Ordering::SeqCst) >= seq {
                return;
            }
            moved.await;
        }
    }
}

fn lost_error() -> Error {
    Error::Store(StoreError(
        "the write could not be made durable and was not kept; the store is failing (see /health)"
            .into(),
    ))
}

fn failing_error(why: &str) -> Error {
    Error::Store(StoreError(format!(
        "the store is failing, so nothing newer than its last good flush is served: {why}"
    )))
}

impl Registry {
    /// Waits until commit `seq` (a write's own) is durable; an error when it was taken
    /// back after a failed flush.
    pub async fn durable(self: &Arc<Self>, seq: u64) -> Result<()> {
        self.await_durable(seq, Waiter::Writer).await
    }

    /// The read barrier: waits until everything a reader may have seen so far is
    /// durable. Called after a read and before its answer leaves.
    pub async fn settle(self: &Arc<Self>) -> Result<()> {
        if self.commits.settled() {
            return Ok(());
        }
        let seq = self.commits.current();
        self.await_durable(seq, Waiter::Reader).await
    }

    /// Whether a cached answer may be served without [`Registry::settle`].
    pub(super) fn settled(&self) -> bool {
        self.commits.settled()
    }

    /// Health: `Err` while the store is failing. A failing store is probed with a flush
    /// (at most every 250 ms), so that health comes back by itself once the disk does.
    pub async fn health(self: &Arc<Self>) -> Result<()> {
        if self.commits.failing().is_some() {
            let _queue = self.commits.queue.lock().await;
            let due = {
                let state = self.commits.state();
                state.failing.is_some() && state.retry_due() && !state.broken
            };
            if due {
                // Its error is the failing state, reported below.
                let _ = self.flush_or_take_back(Waiter::Reader).await;
            }
        }
        if let Some(why) = self.commits.failing() {
            return Err(failing_error(&why));
        }
        self.on_blocking_pool(|r| Ok(r.store.next_id("")?)).await?;
        Ok(())
    }

    async fn await_durable(self: &Arc<Self>, seq: u64, waiter: Waiter) -> Result<()> {
        let commits = &self.commits;
        if commits.durable_on_commit {
            return Ok(());
        }
        commits.applied_through(seq).await;
        if commits.settled_through(seq) {
            return Ok(());
        }
        let _queue = commits.queue.lock().await;
        {
            let state = commits.state();
            if state.is_lost(seq) {
                return Err(lost_error());
            }
            if state.broken {
                return Err(failing_error(state.failing.as_deref().unwrap_or("")));
            }
            if commits.durable.load(Ordering::SeqCst) >= seq
                || (waiter == Waiter::Reader && seq <= state.clean)
            {
                return Ok(());
            }
            if waiter == Waiter::Reader
                && !state.retry_due()
                && let Some(why) = &state.failing
            {
                return Err(failing_error(why));
            }
        }
        self.flush_or_take_back(waiter).await?;
        if commits.state().is_lost(seq) {
            return Err(lost_error());
        }
        Ok(())
    }

    /// Flushes everything applied so far (the caller holds the queue); when that fails,
    /// marks the store failing and takes back what the flush did not make durable.
    async fn flush_or_take_back(self: &Arc<Self>, waiter: Waiter) -> Result<()> {
        let commits = &self.commits;
        let target = commits.applied();
        let flushed = self
            .on_blocking_pool(move |r| Ok(r.store.flush(target)?))
            .await;
        let Err(e) = flushed else {
            commits.durable.fetch_max(target, Ordering::SeqCst);
            if commits.state().failing.take().is_some() {
                tracing::info!("the store flushes again; healthy");
            }
            return Ok(());
        };
        // The store's own words, without the 50001 prefix the answer adds again.
        let why = match e {
            Error::Store(StoreError(why)) => why,
            other => other.to_string(),
        };
        tracing::error!(error = %why, "flush failed; taking back the writes it did not make durable");
        {
            let mut state = commits.state();
            state.failing = Some(why.clone());
            state.failed_at = Some(Instant::now());
        }
        if let Err(undo) = self.on_blocking_pool(|r| Ok(r.take_back()?)).await {
            tracing::error!(error = %undo, "could not take back the writes that failed to flush; nothing newer than the last good flush is served until a restart");
        }
        Err(match waiter {
            Waiter::Writer => lost_error(),
            Waiter::Reader => failing_error(&why),
        })
    }

    /// Takes back every commit after the last durable one (under the writer lock, so
    /// none is half-made), and forgets every cached answer that may show one of them.
    fn take_back(&self) -> std::result::Result<(), StoreError> {
        let commits = &self.commits;
        // Until the take-back is known to have worked, no reader may pass on `durable`
        // alone. (`durable` cannot move meanwhile: the caller holds the flush queue.)
        commits.floor.store(u64::MAX, Ordering::SeqCst);
        let writer = match self.lock_writer() {
            Ok(writer) => writer,
            Err(e) => {
                commits.state().broken = true;
                return Err(StoreError(e.to_string()));
            }
        };
        let after = commits.durable.load(Ordering::SeqCst);
        let undone = self.store.discard_unflushed(after);
        // A commit number for the take-back itself: readers that read before it hold
        // lower numbers (lost), readers after it see the durable state.
        let seq = commits.begin();
        commits.finish(seq);
        drop(writer);
        self.forget_ids();
        let mut state = commits.state();
        // While the disk keeps failing, `after` stays put: one growing range, not one per
        // refused write.
        match state.lost.last_mut() {
            Some(last) if last.0 == after => last.1 = seq,
            _ => state.lost.push((after, seq)),
        }
        match undone {
            Ok(()) => {
                state.clean = seq;
                commits.floor.store(seq, Ordering::SeqCst);
            }
            Err(_) => state.broken = true,
        }
        undone
    }
}
