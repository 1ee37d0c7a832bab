//! A coarse timer for hyper's header-read timeout.
//!
//! hyper arms that timeout for every request head it reads, including each request on
//! a keep-alive connection, and drops it as soon as the head is parsed. With tokio's
//! timer that is a timer-wheel entry registered and removed per request, about 570
//! instructions more than here, 4% of a cached read (see BENCHMARKS.md). The timeout
//! only has to cut off clients that trickle their headers or sit idle, so a coarse
//! clock does:
//! a waiting request is a slot in one list, and a sweeper task wakes the expired ones
//! once per tick. A timeout fires between one tick early and one tick late; the tick
//! is an eighth of the timeout, at most 250 ms.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// hyper's [`hyper::rt::Timer`] on a clock advanced by a sweeper task.
#[derive(Clone)]
pub struct CoarseTimer {
    shared: Arc<Shared>,
}

struct Shared {
    origin: Instant,
    /// Milliseconds since `origin`, as of the last tick.
    now_ms: AtomicU64,
    sleepers: Mutex<Slots>,
}

/// Waiting sleeps: a slab, so that a sleep finds and frees its slot by index.
#[derive(Default)]
struct Slots {
    entries: Vec<Option<Waiting>>,
    free: Vec<usize>,
}

struct Waiting {
    deadline_ms: u64,
    waker: Option<Waker>,
}

impl CoarseTimer {
    /// A timer precise enough for `timeout`, with its sweeper spawned on the current
    /// runtime. The sweeper stops once the timer and every sleep it made are gone.
    pub fn spawn(timeout: Duration) -> CoarseTimer {
        let tick = (timeout / 8).clamp(Duration::from_millis(1), Duration::from_millis(250));
        let shared = Arc::new(Shared {
            origin: Instant::now(),
            now_ms: AtomicU64::new(0),
            sleepers: Mutex::new(Slots::default()),
        });
        tokio::spawn(sweep(Arc::downgrade(&shared), tick));
        CoarseTimer { shared }
    }
}

async fn sweep(shared: Weak<Shared>, tick: Duration) {
    let mut ticks = tokio::time::interval(tick);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        shared.advance();
    }
}

impl Shared {
    fn now_ms(&self) -> u64 {
        self.now_ms.load(Ordering::Acquire)
    }

    /// Moves the clock to the present and wakes every sleep whose deadline it passed.
    fn advance(&self) {
        let now = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.now_ms.store(now, Ordering::Release);
        let expired: Vec<Waker> = {
            let mut slots = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
            slots
                .entries
                .iter_mut()
                .flatten()
                .filter(|w| w.deadline_ms <= now)
                .filter_map(|w| w.waker.take())
                .collect()
        };
        // Woken outside the lock: a woken task may run at once and drop its sleep.
        expired.into_iter().for_each(Waker::wake);
    }

    fn to_ms(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.origin).as_millis()).unwrap_or(u64::MAX)
    }
}

impl hyper::rt::Timer for CoarseTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(self.now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(CoarseSleep {
            deadline_ms: self.shared.to_ms(deadline),
            shared: Arc::clone(&self.shared),
            slot: None,
        })
    }

    fn now(&self) -> Instant {
        // The coarse clock: no clock read per request. Deadlines derived from it may
        // come up to one tick early, which the module documents.
        self.shared.origin + Duration::from_millis(self.shared.now_ms())
    }
}

/// One armed timeout: ready once the coarse clock passes its deadline.
struct CoarseSleep {
    deadline_ms: u64,
    shared: Arc<Shared>,
    slot: Option<usize>,
}

impl hyper::rt::Sleep for CoarseSleep {}

impl Future for CoarseSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.shared.now_ms() >= this.deadline_ms {
            return Poll::Ready(());
        }
        let mut slots = this
            .shared
            .sleepers
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match this.slot {
            Some(i) => {
                if let Some(waiting) = slots.entries.get_mut(i).and_then(Option::as_mut)
                    && !waiting
                        .waker
                        .as_ref()
                        .is_some_and(|w| w.will_wake(cx.waker()))
                {
                    waiting.waker = Some(cx.waker().clone());
                }
            }
            None => {
                let waiting = Waiting {
                    deadline_ms: this.deadline_ms,
                    waker: Some(cx.waker().clone()),
                };
                let i = match slots.free.pop() {
                    Some(i) => {
                        slots.entries[i] = Some(waiting);
                        i
                    }
                    None => {
                        slots.entries.push(Some(waiting));
                        slots.entries.len() - 1
                    }
                };
                this.slot = Some(i);
            }
        }
        drop(slots);
        // A tick that passed the deadline between the check above and the
        // registration swept before this sleep was listed: look again.
        if this.shared.now_ms() >= this.deadline_ms {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl Drop for CoarseSleep {
    fn drop(&mut self) {
        let Some(i) = self.slot.take() else {
            return;
        };
        let waiting = {
            let mut slots = self
                .shared
                .sleepers
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let waiting = slots.entries.get_mut(i).and_then(Option::take);
            slots.free.push(i);
            waiting
        };
        // The waker (a task reference) is released outside the lock.
        drop(waiting);
    }
}

#[cfg(test)]
mod tests {
    use hyper::rt::Timer as _;

    use super::*;

    #[tokio::test]
    async fn fires_after_its_deadline_and_not_long_before() {
        let timer = CoarseTimer::spawn(Duration::from_millis(400));
        let start = Instant::now();
        tokio::time::timeout(
            Duration::from_secs(3),
            timer.sleep(Duration::from_millis(400)),
        )
        .await
        .expect("fired");
        // Tick 50 ms: at most one tick early.
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(340), "{waited:?}");
    }

    #[tokio::test]
    async fn dropped_sleeps_give_their_slots_back() {
        let timer = CoarseTimer::spawn(Duration::from_secs(30));
        for _ in 0..1000 {
            let mut sleep = timer.sleep(Duration::from_secs(30));
            let waker = Waker::noop();
            assert!(
                sleep
                    .as_mut()
                    .poll(&mut Context::from_waker(waker))
                    .is_pending()
            );
        }
        let slots = timer.shared.sleepers.lock().unwrap();
        assert_eq!(slots.entries.len(), 1, "one slot, reused");
        assert!(slots.entries[0].is_none());
        assert_eq!(slots.free, vec![0]);
    }

    #[tokio::test]
    async fn many_waiting_sleeps_all_fire() {
        let timer = CoarseTimer::spawn(Duration::from_millis(80));
        let waits = (0..50).map(|i| {
            let sleep = timer.sleep(Duration::from_millis(20 + i));
            tokio::spawn(sleep)
        });
        for wait in waits.collect::<Vec<_>>() {
            tokio::time::timeout(Duration::from_secs(5), wait)
                .await
                .expect("fired")
                .expect("task");
        }
    }
}
