//! `schemagate export`, `import` and `migrate`: a registry's whole state to a file,
//! a file (or a `_schemas` topic dump) into a Schemagate registry, and one registry
//! into another with nothing in between, each checked afterwards.
//!
//! Exit codes, for scripts: 0 when the target ends up holding what the source holds,
//! 1 when a conflict, a refused write or a difference remains, 2 on a usage,
//! file or connection error.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use schemagate_client::Client;
use schemagate_core::date::utc_now;
use schemagate_core::transfer::{
    FileKind, Header, Record, Trailer, detect, records, schemas_topic, write_record,
};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::cli::{ExportArgs, ImportArgs, Listing, MigrateArgs};
use crate::exit::ExitStatus;
use crate::registry::{auth_from, auth_from_env, client_for};
use crate::transfer::apply::{ImportReport, Importer};
use crate::transfer::progress::Progress;
use crate::transfer::scan::Scanner;
use crate::transfer::verify::{Origin, Verification, verify};
use crate::transfer::{Index, open_lines};

/// Records queued between a reader and a writer.
const QUEUE: usize = 512;

/// `schemagate export`.
pub async fn export(args: &ExportArgs) -> Result<ExitStatus> {
    let started = Instant::now();
    let client = client_for(&args.registry, args.opts.timeout, auth_from_env()?, None)?;
    let quiet = args.opts.format == Listing::Json;
    let progress = Arc::new(Progress::new("export", quiet));
    let (records, reading) = read_registry(&client, args.opts.in_flight(), &progress);
    let header = Record::Header(Header::new(
        Some(client.base_url().to_owned()),
        Some(utc_now()),
        concat!("schemagate ", env!("CARGO_PKG_VERSION")),
    ));
    let counts = write_file(&args.output, header, records, reading).await?;
    progress.finish();
    let summary = ExportSummary {
        command: "export",
        output: args.output.display().to_string(),
        source: client.base_url().to_owned(),
        counts: counts.clone(),
        seconds: started.elapsed().as_secs_f64(),
    };
    match args.opts.format {
        Listing::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        Listing::Text => println!(
            "exported {} schema versions, {} configurations, {} modes, {} contexts, {} keys from {} to {} in {:.1} s",
            counts.schemas,
            counts.configs,
            counts.modes,
            counts.contexts,
            counts.keks + counts.deks,
            summary.source,
            summary.output,
            summary.seconds
        ),
    }
    Ok(ExitStatus::Ok)
}

/// `schemagate import`.
pub async fn import(args: &ImportArgs) -> Result<ExitStatus> {
    let started = Instant::now();
    let input = Input::open(&args.file)?;
    let client = client_for(&args.registry, args.opts.timeout, auth_from_env()?, None)?;
    let quiet = args.opts.format == Listing::Json;
    let target = read_index(&client, args.opts.in_flight(), "reading the target", quiet).await?;
    let progress = Progress::new("import", quiet);
    progress.set_total(input.index.versions.len() as u64);
    let mut importer = Importer::new(
        client.clone(),
        target,
        args.dry_run,
        args.opts.in_flight(),
        &progress,
    );
    input.replay(&mut importer).await?;
    let report = importer.finish().await?;
    progress.finish();
    let verification = if args.dry_run {
        None
    } else {
        let actual = read_index(&client, args.opts.in_flight(), "verifying", quiet).await?;
        Some(
            verify(
                &input.index,
                &actual,
                input.origin(),
                &client,
                args.opts.in_flight(),
            )
            .await?,
        )
    };
    let outcome = Outcome {
        command: "import",
        source: args.file.display().to_string(),
        target: client.base_url().to_owned(),
        kind: Some(input.kind_label()),
        dry_run: args.dry_run,
        report,
        verification,
        seconds: started.elapsed().as_secs_f64(),
    };
    outcome.print(args.opts.format)
}

/// `schemagate migrate`.
pub async fn migrate(args: &MigrateArgs) -> Result<ExitStatus> {
    let started = Instant::now();
    if args.from.trim_end_matches('/') == args.to.trim_end_matches('/') {
        bail!("--from and --to name the same registry ({})", args.from);
    }
    let shared = auth_from_env()?;
    let from_auth = auth_from("SCHEMAGATE_FROM")?.or_else(|| shared.clone());
    let to_auth = auth_from("SCHEMAGATE_TO")?.or(shared);
    let source = client_for(&args.from, args.opts.timeout, from_auth, None)?;
    let target_client = client_for(&args.to, args.opts.timeout, to_auth, None)?;
    let quiet = args.opts.format == Listing::Json;
    let conc = args.opts.in_flight();
    let target = read_index(&target_client, conc, "reading the target", quiet).await?;
    let progress = Arc::new(Progress::new("migrate", quiet));
    let (mut records, reading) = read_registry(&source, conc, &progress);
    // The reader's progress counts what was read; the importer's own reporter stays
    // quiet so that one line shows the run.
    let writes = Progress::new("migrate", true);
    let mut importer = Importer::new(target_client.clone(), target, args.dry_run, conc, &writes);
    let mut wanted = Index::default();
    while let Some(record) = records.recv().await {
        wanted.add(&record);
        importer.push(record).await?;
    }
    let next_ids = reading.await.context("the source reader failed")??;
    importer.reserve_ids(next_ids);
    let report = importer.finish().await?;
    progress.finish();
    let verification = if args.dry_run {
        None
    } else {
        let actual = read_index(&target_client, conc, "verifying", quiet).await?;
        Some(
            verify(
                &wanted,
                &actual,
                Origin::Registry(&source),
                &target_client,
                conc,
            )
            .await?,
        )
    };
    let outcome = Outcome {
        command: "migrate",
        source: source.base_url().to_owned(),
        target: target_client.base_url().to_owned(),
        kind: None,
        dry_run: args.dry_run,
        report,
        verification,
        seconds: started.elapsed().as_secs_f64(),
    };
    outcome.print(args.opts.format)
}

/// A registry reader's task: the next id of each context, or why reading failed.
type Reading = tokio::task::JoinHandle<Result<BTreeMap<String, u32>>>;

/// Reads a registry on a task of its own; its records arrive on the channel, and the
/// task's result says whether the reading ended cleanly.
fn read_registry(
    client: &Client,
    concurrency: usize,
    progress: &Arc<Progress>,
) -> (mpsc::Receiver<Record>, Reading) {
    let (tx, rx) = mpsc::channel(QUEUE);
    let scanner = Scanner::new(client.clone(), concurrency);
    let progress = Arc::clone(progress);
    let task = tokio::spawn(async move { scanner.scan(&progress, &tx).await });
    (rx, task)
}

/// A registry's state as an index.
async fn read_index(
    client: &Client,
    concurrency: usize,
    label: &str,
    quiet: bool,
) -> Result<Index> {
    let progress = Arc::new(Progress::new(label, quiet));
    let (mut records, reading) = read_registry(client, concurrency, &progress);
    let mut index = Index::default();
    while let Some(record) = records.recv().await {
        index.add(&record);
    }
    index.next_ids = reading.await.context("the registry reader failed")??;
    progress.finish();
    Ok(index)
}

/// Writes `header`, the records and the `end` line to `output` (`-`: stdout). A file
/// appears whole or not at all: written beside its final name, synced, renamed.
async fn write_file(
    output: &Path,
    header: Record,
    mut records: mpsc::Receiver<Record>,
    reading: Reading,
) -> Result<Trailer> {
    let to_stdout = output == Path::new("-");
    let partial = partial_name(output);
    let sink: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(
            File::create(&partial)
                .with_context(|| format!("cannot create {}", partial.display()))?,
        )
    };
    let mut out = BufWriter::new(sink);
    let mut counts = Trailer::default();
    let written: Result<()> = async {
        write_record(&mut out, &header)?;
        while let Some(record) = records.recv().await {
            counts.count(&record);
            write_record(&mut out, &record)?;
        }
        counts.next_ids = reading.await.context("the registry reader failed")??;
        write_record(&mut out, &Record::End(counts.clone()))?;
        out.flush()?;
        Ok(())
    }
    .await;
    if let Err(e) = written {
        if !to_stdout {
            let _ = std::fs::remove_file(&partial);
        }
        return Err(e);
    }
    drop(out);
    if !to_stdout {
        File::open(&partial)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot sync {}", partial.display()))?;
        std::fs::rename(&partial, output)
            .with_context(|| format!("cannot move the export to {}", output.display()))?;
        if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename itself must survive a power loss.
            File::open(dir).and_then(|d| d.sync_all()).ok();
        }
    }
    Ok(counts)
}

/// `dir/.name.partial`: beside the final file, so the rename stays on one file system.
fn partial_name(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}.partial"))
}

/// An input file, checked whole before anything is written from it.
struct Input {
    path: PathBuf,
    kind: FileKind,
    /// What the file holds, to verify the target against.
    index: Index,
    /// A dump's final state (a transfer file is read again instead).
    folded: Option<Vec<Record>>,
    skipped: u64,
    /// The source's id counters, when the input tells them.
    next_ids: BTreeMap<String, u32>,
}

impl Input {
    fn open(path: &Path) -> Result<Input> {
        let name = path.display();
        // The first line that is not blank nor a `#` comment (which lead hand-written
        // dumps) tells the kind.
        let mut first = None;
        for line in open_lines(path)?.lines() {
            let line = line.with_context(|| format!("cannot read {name}"))?;
            if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
                first = Some(line);
                break;
            }
        }
        let first = first.with_context(|| format!("{name} is empty"))?;
        let kind = detect(&first).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let mut input = Input {
            path: path.to_owned(),
            kind,
            index: Index::default(),
            folded: None,
            skipped: 0,
            next_ids: BTreeMap::new(),
        };
        match kind {
            FileKind::Export => {
                // Checked whole here, before anything is written from it.
                for record in records(open_lines(path)?) {
                    match record.map_err(|e| anyhow::anyhow!("{name}: {e}"))? {
                        Record::End(end) => input.next_ids = end.next_ids,
                        other => input.index.add(&other),
                    }
                }
            }
            FileKind::SchemasTopic => {
                let mut folded = schemas_topic::Folded::default();
                for (n, line) in open_lines(path)?.lines().enumerate() {
                    let line = line.with_context(|| format!("cannot read {name}"))?;
                    folded
                        .apply_line(&line, n as u64 + 1)
                        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
                }
                input.skipped = folded.skipped;
                input.next_ids = folded.next_ids();
                let records = folded.into_records();
                for record in &records {
                    input.index.add(record);
                }
                input.folded = Some(records);
            }
        }
        Ok(input)
    }

    /// Hands every record to `importer`, streaming a transfer file a second time.
    async fn replay(&self, importer: &mut Importer<'_>) -> Result<()> {
        importer.reserve_ids(self.next_ids.clone());
        if let Some(records) = &self.folded {
            for record in records {
                importer.push(record.clone()).await?;
            }
            return Ok(());
        }
        for record in records(open_lines(&self.path)?) {
            let record = record.map_err(|e| anyhow::anyhow!("{}: {e}", self.path.display()))?;
            importer.push(record).await?;
        }
        Ok(())
    }

    /// Where verification reads the file's versions again.
    fn origin(&self) -> Origin<'_> {
        match &self.folded {
            Some(records) => Origin::Records(records),
            None => Origin::File(&self.path),
        }
    }

    fn kind_label(&self) -> String {
        match self.kind {
            FileKind::Export => "a Schemagate export".to_owned(),
            FileKind::SchemasTopic if self.skipped > 0 => format!(
                "a _schemas topic dump ({} NOOP/ASSOC records skipped)",
                self.skipped
            ),
            FileKind::SchemasTopic => "a _schemas topic dump".to_owned(),
        }
    }
}

/// What `export` prints.
#[derive(Serialize)]
struct ExportSummary {
    command: &'static str,
    source: String,
    output: String,
    counts: Trailer,
    seconds: f64,
}

/// What `import` and `migrate` print.
#[derive(Serialize)]
struct Outcome {
    command: &'static str,
    source: String,
    target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    dry_run: bool,
    report: ImportReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<Verification>,
    seconds: f64,
}

impl Outcome {
    fn status(&self) -> ExitStatus {
        let differences = self.verification.as_ref().map_or(0, |v| v.differences);
        if self.report.conflicts.is_empty() && self.report.failures.is_empty() && differences == 0 {
            ExitStatus::Ok
        } else {
            ExitStatus::Failed
        }
    }

    fn print(&self, format: Listing) -> Result<ExitStatus> {
        let status = self.status();
        if format == Listing::Json {
            let mut doc = serde_json::to_value(self)?;
            doc["ok"] = (status == ExitStatus::Ok).into();
            println!("{}", serde_json::to_string_pretty(&doc)?);
            return Ok(status);
        }
        let r = &self.report;
        let from = match &self.kind {
            Some(kind) => format!("{} ({kind})", self.source),
            None => self.source.clone(),
        };
        println!("{} {from} -> {}", self.command, self.target);
        let verb = if self.dry_run { "would write" } else { "wrote" };
        if r.changed() {
            println!(
                "  {verb}: {} versions registered, {} soft deletions replayed, {} restored, {} configurations, {} modes, {} keys, {} id counters raised",
                r.registered, r.deleted, r.restored, r.configs, r.modes, r.keys, r.counters_raised
            );
            println!(
                "  already there: {} of {} versions",
                r.unchanged, r.versions
            );
        } else {
            println!(
                "  nothing to write: the target already holds all {} versions and the settings",
                r.versions
            );
        }
        for (title, list) in [("conflicts", &r.conflicts), ("refused", &r.failures)] {
            if !list.is_empty() {
                println!("  {title} ({}), left as the target has them:", list.len());
                for line in list {
                    println!("    - {line}");
                }
            }
        }
        if let Some(v) = &self.verification {
            if v.differences == 0 {
                println!(
                    "verify: the target holds what the source holds ({} versions, {} ids, {} settings compared)",
                    v.versions, v.ids, v.settings
                );
            } else {
                println!("verify: {} differences", v.differences);
                for line in &v.listed {
                    println!("    - {line}");
                }
                if v.differences > v.listed.len() as u64 {
                    println!("    … and {} more", v.differences - v.listed.len() as u64);
                }
            }
            if v.other_subjects > 0 {
                println!(
                    "  the target also has {} subjects the source does not (left alone)",
                    v.other_subjects
                );
            }
        }
        if self.dry_run && !r.conflicts.is_empty() {
            println!("dry run: nothing was written; resolve the conflicts first");
        } else if self.dry_run {
            println!("dry run: nothing was written");
        }
        println!("  {:.1} s", self.seconds);
        Ok(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_files_sit_beside_the_output() {
        assert_eq!(
            partial_name(Path::new("out/registry.jsonl")),
            Path::new("out/.registry.jsonl.partial")
        );
    }
}
