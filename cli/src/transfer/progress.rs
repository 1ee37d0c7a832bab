//! Progress of a long transfer on stderr: one line redrawn in place on a terminal
//! (counts and rate), plain lines every few seconds elsewhere (CI logs keep each).
//!
//! Hand-written rather than a progress-bar crate: it is one line of counts, and the
//! crates bring terminal-handling dependencies for styling the CLI does not use.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How often a terminal line is redrawn.
const REDRAW: Duration = Duration::from_millis(100);
/// How often a plain line is written.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// A progress reporter for one phase (`export`, `import`, `verify`).
pub struct Progress {
    label: String,
    done: AtomicU64,
    total: AtomicU64,
    started: Instant,
    last: Mutex<Instant>,
    terminal: bool,
    quiet: bool,
}

impl Progress {
    /// A reporter; `quiet` prints nothing but notes (for `--format json`, whose
    /// reader wants one document on stdout and nothing chatty on stderr is lost).
    pub fn new(label: &str, quiet: bool) -> Progress {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        Progress {
            label: label.to_owned(),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            started: Instant::now(),
            last: Mutex::new(Instant::now()),
            terminal: std::io::stderr().is_terminal() && !ci,
            quiet,
        }
    }

    /// The number of items the phase will handle, once known.
    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// `n` more items done.
    pub fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
        if self.quiet {
            return;
        }
        let every = if self.terminal { REDRAW } else { PLAIN_EVERY };
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.elapsed() >= every {
            *last = Instant::now();
            self.draw(false);
        }
    }

    /// Items done so far.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// A warning line, never lost under the redrawn line.
    pub fn note(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        if self.terminal && !self.quiet {
            let _ = write!(err, "\r\x1b[2K");
        }
        let _ = writeln!(err, "{}: {text}", self.label);
    }

    /// The final line of the phase.
    pub fn finish(&self) {
        if !self.quiet {
            self.draw(true);
        }
    }

    fn draw(&self, last: bool) {
        let done = self.done();
        let total = self.total.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
        let of = if total > 0 {
            format!("{done}/{total}")
        } else {
            done.to_string()
        };
        let line = format!(
            "{}: {of} schema versions, {rate:.0}/s, {secs:.1} s",
            self.label
        );
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r\x1b[2K{line}");
            if last {
                let _ = writeln!(err);
            }
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }
}
