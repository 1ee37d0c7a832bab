//! `schemagate-server migrate-store`: copies a stopped registry's store into another,
//! empty one (sled to PostgreSQL or back), every record and index as it is, then reads
//! both back and compares them.
//!
//! The copy goes through the target's own durable write path: [`Store::apply`] of
//! [`Op::PutRows`] pages of [`PAGE`] rows, each followed by [`Store::flush`]. The
//! tables with a row per schema or version are read a page at a time ([`Store::rows`]),
//! so schema texts are never all in memory; settings, contexts, id counters and
//! encryption keys are few and read whole. The comparison keeps a 32-byte digest per
//! row of the table it is comparing (no text).
//!
//! The target must be empty: a copy never merges into or overwrites a store, and the
//! store format is written last, so a target left by an interrupted copy is refused
//! (and recognised as such) until it is cleared.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::postgres::{PgStore, is_postgres_url};
use super::sled::SledStore;
use super::{Op, Row, SchemaId, Store, StoreError, StoreResult, Table};

/// Rows per read page and per committed batch.
pub const PAGE: usize = 1000;
/// Differences listed at most (the rest are counted).
pub const MAX_LISTED: usize = 20;

/// Exit status: the stores hold the same records.
pub const EXIT_EQUAL: u8 = 0;
/// Exit status: the copy failed or the stores differ.
pub const EXIT_DIFFERENT: u8 = 1;
/// Exit status: a usage or connection error; nothing was written.
pub const EXIT_USAGE: u8 = 2;

/// A store named on the command line: `sled:DIR` or a PostgreSQL URL.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// The embedded store in a directory.
    Sled(PathBuf),
    /// A PostgreSQL database (the URL may hold a password).
    Postgres(String),
}

impl StoreSpec {
    /// Reads `sled:DIR` or `postgres://…` (`postgresql://…`).
    pub fn parse(raw: &str) -> Result<StoreSpec, String> {
        let raw = raw.trim();
        if let Some(dir) = raw.strip_prefix("sled:") {
            if dir.is_empty() {
                return Err("`sled:` needs the data directory: sled:/var/lib/schemagate".into());
            }
            return Ok(StoreSpec::Sled(PathBuf::from(dir)));
        }
        if is_postgres_url(raw) {
            return Ok(StoreSpec::Postgres(raw.to_owned()));
        }
        Err(format!(
            "unknown store {:?}: use sled:DIR (the server's --data-dir) or a postgres://user:password@host:5432/database URL",
            crate::config::StoreChoice::Postgres(raw.to_owned()).to_string()
        ))
    }

    /// Opens it; `source` stores must already hold a store.
    fn open(&self, source: bool) -> Result<Arc<dyn Store>, String> {
        match self {
            StoreSpec::Sled(dir) => {
                let holds_store = dir.join("db").is_file();
                if source && !holds_store {
                    return Err(format!(
                        "{self}: no sled store there (no {}/db)",
                        dir.display()
                    ));
                }
                if !source && !holds_store && non_empty_dir(dir) {
                    return Err(format!(
                        "{self}: the directory holds files but no sled store; give an empty or new directory"
                    ));
                }
                SledStore::open(dir)
                    .map(|s| Arc::new(s) as Arc<dyn Store>)
                    .map_err(|e| sled_open_error(self, &e))
            }
            StoreSpec::Postgres(url) => PgStore::open(url, 4)
                .map(|s| Arc::new(s) as Arc<dyn Store>)
                .map_err(|e| format!("{self}: {}", e.0)),
        }
    }

    /// How to empty it again after an interrupted copy.
    fn how_to_clear(&self) -> String {
        match self {
            StoreSpec::Sled(dir) => format!("remove the directory {}", dir.display()),
            StoreSpec::Postgres(_) => {
                "drop and create the database again (DROP DATABASE …; CREATE DATABASE …)".into()
            }
        }
    }
}

impl fmt::Debug for StoreSpec {
    // Never the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for StoreSpec {
    /// `sled:DIR`, or the URL with its password masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreSpec::Sled(dir) => write!(f, "sled:{}", dir.display()),
            StoreSpec::Postgres(url) => crate::config::StoreChoice::Postgres(url.clone()).fmt(f),
        }
    }
}

fn non_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
}

/// sled says "could not acquire lock" when another process (a running server) has the
/// directory open.
fn sled_open_error(spec: &StoreSpec, e: &StoreError) -> String {
    if e.0.contains("lock") {
        format!(
            "{spec} is in use by another process (a running schemagate-server?): stop it first; migrate-store copies a stopped registry ({})",
            e.0
        )
    } else {
        format!("{spec}: cannot open the sled store: {}", e.0)
    }
}

/// What the settings part of a store holds: everything besides the [`Table`]s.
#[derive(Debug, PartialEq, Eq)]
struct Settings {
    format: u32,
    global_config: Option<super::ConfigRecord>,
    configs: Vec<(String, super::ConfigRecord)>,
    global_mode: Option<super::Mode>,
    modes: Vec<(String, Option<super::Mode>)>,
    contexts: Vec<String>,
    id_counters: Vec<(String, SchemaId)>,
    keks: Vec<super::keys::KekRecord>,
    deks: Vec<super::keys::DekRecord>,
}

impl Settings {
    fn read(store: &dyn Store) -> StoreResult<Settings> {
        let modes = store
            .mode_subjects()?
            .into_iter()
            .map(|s| Ok((s.clone(), store.mode(Some(&s))?)))
            .collect::<StoreResult<Vec<_>>>()?;
        let keks = store.keks()?;
        let mut deks = Vec::new();
        for kek in &keks {
            deks.extend(store.deks(&kek.name)?);
        }
        Ok(Settings {
            format: store.format()?,
            global_config: store.config(None)?,
            configs: store.configs()?,
            global_mode: store.mode(None)?,
            modes,
            contexts: store.contexts()?,
            id_counters: store.id_counters()?,
            keks,
            deks,
        })
    }

    fn configs(&self) -> usize {
        self.configs.len() + usize::from(self.global_config.is_some())
    }

    fn modes(&self) -> usize {
        self.modes.len() + usize::from(self.global_mode.is_some())
    }

    /// The ops that write these settings into an empty store, the format last.
    fn ops(&self) -> Vec<Op> {
        let mut ops = Vec::new();
        if let Some(config) = &self.global_config {
            ops.push(Op::SetConfig {
                subject: None,
                config: Some(config.clone()),
            });
        }
        for (subject, config) in &self.configs {
            ops.push(Op::SetConfig {
                subject: Some(subject.clone()),
                config: Some(config.clone()),
            });
        }
        if let Some(mode) = self.global_mode {
            ops.push(Op::SetMode {
                subject: None,
                mode: Some(mode),
            });
        }
        for (subject, mode) in &self.modes {
            ops.push(Op::SetMode {
                subject: Some(subject.clone()),
                mode: *mode,
            });
        }
        for context in &self.contexts {
            ops.push(Op::SetContext {
                context: context.clone(),
                present: true,
            });
        }
        for (context, next) in &self.id_counters {
            ops.push(Op::SetNextId {
                context: context.clone(),
                next: *next,
            });
        }
        ops.extend(self.keks.iter().cloned().map(Op::PutKek));
        ops.extend(self.deks.iter().cloned().map(Op::PutDek));
        ops
    }

    /// What it holds, for the refusal of a non-empty target (empty when nothing).
    fn holdings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut count = |n: usize, what: &str| {
            if n > 0 {
                out.push(format!("{n} {what}"));
            }
        };
        count(self.configs(), "configs");
        count(self.modes(), "modes");
        count(self.contexts.len(), "contexts");
        count(self.id_counters.len(), "id counters");
        count(self.keks.len(), "KEKs");
        count(self.deks.len(), "DEKs");
        out
    }
}

/// What the copy wrote, per kind.
#[derive(Debug, Default)]
pub struct Copied {
    /// Rows per table, in [`Table::ALL`] order.
    pub rows: Vec<(Table, u64)>,
    /// Configurations (the top level's included).
    pub configs: usize,
    /// Modes (the top level's included).
    pub modes: usize,
    /// Contexts.
    pub contexts: usize,
    /// Id counters.
    pub id_counters: usize,
    /// KEKs.
    pub keks: usize,
    /// DEKs (every version).
    pub deks: usize,
    /// The store format.
    pub format: u32,
}

impl fmt::Display for Copied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (table, n) in &self.rows {
            write!(f, "{n} {}, ", table.name())?;
        }
        write!(
            f,
            "{} configs, {} modes, {} contexts, {} id counters, {} KEKs, {} DEKs, store format {}",
            self.configs,
            self.modes,
            self.contexts,
            self.id_counters,
            self.keks,
            self.deks,
            self.format
        )
    }
}

/// The outcome of a run, already printed; its exit status.
pub fn run(from: &StoreSpec, to: &StoreSpec, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match migrate(from, to, out) {
        Ok(status) => status,
        Err(Failure { status, message }) => {
            let _ = writeln!(err, "schemagate-server migrate-store: {message}");
            status
        }
    }
}

struct Failure {
    status: u8,
    message: String,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        status: EXIT_USAGE,
        message: message.into(),
    }
}

fn migrate(from: &StoreSpec, to: &StoreSpec, out: &mut dyn Write) -> Result<u8, Failure> {
    if from == to {
        return Err(usage("--from and --to name the same store"));
    }
    let started = Instant::now();
    let source = from.open(true).map_err(usage)?;
    let format = source
        .format()
        .map_err(|e| usage(format!("{from}: {}", e.0)))?;
    if format != super::FORMAT {
        return Err(usage(format!(
            "{from} is in store format {format}, this build copies format {}: start this build's server on it once (it upgrades the store at start), stop it, then copy",
            super::FORMAT
        )));
    }
    let target = to.open(false).map_err(usage)?;
    let held = holdings(&*target).map_err(|e| usage(format!("{to}: {}", e.0)))?;
    if !held.is_empty() {
        let interrupted = target.format().is_ok_and(|f| f != super::FORMAT);
        return Err(usage(format!(
            "{to} is not empty ({}){}; migrate-store never merges into or overwrites a store: {} and run it again",
            held.join(", "),
            if interrupted {
                ", and no store format is recorded: an interrupted migrate-store left it"
            } else {
                ""
            },
            to.how_to_clear()
        )));
    }
    // A PostgreSQL source is read under its write lock: an instance left running cannot
    // write meanwhile (its writes wait, then fail). For sled the open above already
    // excludes a running server.
    let lock = source
        .lock_writes()
        .map_err(|e| usage(format!("{from}: cannot take the write lock: {}", e.0)))?;
    let copied = copy(&*source, &*target).map_err(|e| Failure {
        status: EXIT_DIFFERENT,
        message: format!(
            "the copy failed: {}; {to} now holds part of the data: {} before trying again",
            e.0,
            to.how_to_clear()
        ),
    })?;
    let copy_seconds = started.elapsed().as_secs_f64();
    let _ = writeln!(
        out,
        "copied {from} to {to} in {copy_seconds:.2} s: {copied}"
    );
    let verify_started = Instant::now();
    let differences = compare(&*source, &*target).map_err(|e| Failure {
        status: EXIT_DIFFERENT,
        message: format!("verifying failed: {}", e.0),
    })?;
    drop(lock);
    let verify_seconds = verify_started.elapsed().as_secs_f64();
    let rss = peak_rss_mib().map_or(String::new(), |m| format!("; peak RSS {m:.1} MiB"));
    if differences.total == 0 {
        let _ = writeln!(
            out,
            "verified in {verify_seconds:.2} s: both stores hold the same records{rss}"
        );
        return Ok(EXIT_EQUAL);
    }
    let _ = writeln!(
        out,
        "verification FAILED in {verify_seconds:.2} s: {} differences{rss}",
        differences.total
    );
    for d in &differences.listed {
        let _ = writeln!(out, "  {d}");
    }
    if differences.total > differences.listed.len() {
        let _ = writeln!(
            out,
            "  … and {} more",
            differences.total - differences.listed.len()
        );
    }
    Ok(EXIT_DIFFERENT)
}

/// What a store holds, one entry per kind (empty: nothing).
fn holdings(store: &dyn Store) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for table in Table::ALL {
        if let Some(first) = store.rows(table, None, 1)?.first() {
            out.push(format!("{} (e.g. {})", table.name(), first.name()));
        }
    }
    out.extend(Settings::read(store)?.holdings());
    Ok(out)
}

/// Copies every row and setting of `source` into the empty `target`.
pub fn copy(source: &dyn Store, target: &dyn Store) -> StoreResult<Copied> {
    let mut seq = 0;
    let mut commit = |ops: &[Op]| -> StoreResult<()> {
        seq += 1;
        target.apply(seq, ops)?;
        target.flush(seq)
    };
    let mut copied = Copied::default();
    for table in Table::ALL {
        let mut n = 0u64;
        let mut after: Option<Row> = None;
        loop {
            let page = source.rows(table, after.as_ref(), PAGE)?;
            let Some(last) = page.last().cloned() else {
                break;
            };
            n += page.len() as u64;
            commit(&[Op::PutRows(page)])?;
            after = Some(last);
        }
        copied.rows.push((table, n));
    }
    let settings = Settings::read(source)?;
    for batch in settings.ops().chunks(PAGE) {
        commit(batch)?;
    }
    // Last: a target without it is recognisably an interrupted copy.
    commit(&[Op::SetFormat(settings.format)])?;
    copied.configs = settings.configs();
    copied.modes = settings.modes();
    copied.contexts = settings.contexts.len();
    copied.id_counters = settings.id_counters.len();
    copied.keks = settings.keks.len();
    copied.deks = settings.deks.len();
    copied.format = settings.format;
    Ok(copied)
}

/// The differences found by [`compare`].
#[derive(Debug, Default)]
pub struct Differences {
    /// How many.
    pub total: usize,
    /// The first [`MAX_LISTED`], described.
    pub listed: Vec<String>,
}

impl Differences {
    fn add(&mut self, what: String) {
        self.total += 1;
        if self.listed.len() < MAX_LISTED {
            self.listed.push(what);
        }
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Reads both stores back and lists where they differ. Per table it keeps a digest of
/// each source row's name and value; the target's rows are matched against it.
pub fn compare(source: &dyn Store, target: &dyn Store) -> StoreResult<Differences> {
    let mut diffs = Differences::default();
    for table in Table::ALL {
        let mut expected: HashMap<[u8; 32], [u8; 32]> = HashMap::new();
        each_row(source, table, |row| {
            expected.insert(digest(&row.name()), digest(&row.value()));
        })?;
        each_row(target, table, |row| {
            let name = row.name();
            match expected.remove(&digest(&name)) {
                None => diffs.add(format!("{name}: only in the target")),
                Some(value) if value != digest(&row.value()) => {
                    diffs.add(format!("{name}: differs in the target"))
                }
                Some(_) => {}
            }
        })?;
        if !expected.is_empty() {
            // A second pass over the source names what the target lacks.
            each_row(source, table, |row| {
                let name = row.name();
                if expected.contains_key(&digest(&name)) {
                    diffs.add(format!("{name}: missing in the target"));
                }
            })?;
        }
    }
    let (a, b) = (Settings::read(source)?, Settings::read(target)?);
    let mut setting = |what: &str, same: bool| {
        if !same {
            diffs.add(format!("{what}: differ"));
        }
    };
    setting("store formats", a.format == b.format);
    setting("top-level configs", a.global_config == b.global_config);
    setting("subject and context configs", a.configs == b.configs);
    setting("top-level modes", a.global_mode == b.global_mode);
    setting("subject and context modes", a.modes == b.modes);
    setting("contexts", a.contexts == b.contexts);
    setting("id counters", a.id_counters == b.id_counters);
    setting("KEKs", a.keks == b.keks);
    setting("DEKs", a.deks == b.deks);
    Ok(diffs)
}

fn each_row(store: &dyn Store, table: Table, mut f: impl FnMut(&Row)) -> StoreResult<()> {
    let mut after: Option<Row> = None;
    loop {
        let page = store.rows(table, after.as_ref(), PAGE)?;
        page.iter().for_each(&mut f);
        match page.into_iter().last() {
            Some(last) => after = Some(last),
            None => return Ok(()),
        }
    }
}

/// The peak resident set of this process (Linux's `VmHWM`), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}
