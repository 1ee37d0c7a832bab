//! The bench's results: one serialisable document and its table, with each target
//! of the issue checked next to the number it concerns.

use std::fmt::Write;

use serde::Serialize;

use crate::coldstart::ColdStart;
use crate::load::LoadResult;
use crate::writes::WriteResult;

/// One read endpoint at one connection count, with the ceiling beside it.
#[derive(Clone, Debug, Serialize)]
pub struct ReadRow {
    /// Which endpoint.
    pub endpoint: String,
    /// Size of its answer (the ceiling answers the same size).
    pub body_bytes: usize,
    /// The registry's numbers.
    pub registry: LoadResult,
    /// The bare server's numbers.
    pub ceiling: LoadResult,
}

impl ReadRow {
    /// Registry throughput as a share of the ceiling's.
    pub fn ratio(&self) -> f64 {
        if self.ceiling.rps == 0.0 {
            0.0
        } else {
            self.registry.rps / self.ceiling.rps
        }
    }
}

/// Everything one run measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Subjects filled.
    pub subjects: usize,
    /// Versions per subject.
    pub versions: usize,
    /// Length of each measurement window.
    pub seconds: f64,
    /// Time the fill took.
    pub fill_seconds: f64,
    /// CPUs available to the run.
    pub cpus: usize,
    /// Read measurements.
    pub reads: Vec<ReadRow>,
    /// `fdatasync` calls per second the data directory's disk allows one writer.
    pub disk_syncs: f64,
    /// Durable-write measurements.
    pub durable: Vec<WriteResult>,
    /// Cold-start measurements.
    pub cold: Vec<ColdStart>,
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

impl Report {
    /// The human-readable table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "schemagate-bench: {} subjects x {} versions, {:.1} s windows, {} CPUs, fill {:.1} s\n",
            self.subjects, self.versions, self.seconds, self.cpus, self.fill_seconds
        );
        let _ = writeln!(
            out,
            "{:<36} {:>5} {:>6} {:>10} {:>10} {:>6} {:>8} {:>8} {:>8} {:>6}  target (64 conns: >=80%, p99<2ms)",
            "reads",
            "conns",
            "bytes",
            "req/s",
            "ceiling",
            "ratio",
            "p50 us",
            "p99 us",
            "p999 us",
            "errors"
        );
        for row in &self.reads {
            let target = if row.registry.connections == 64 {
                verdict(row.ratio() >= 0.8 && row.registry.p99_us < 2000)
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{:<36} {:>5} {:>6} {:>10.0} {:>10.0} {:>5.0}% {:>8} {:>8} {:>8} {:>6}  {}",
                row.endpoint,
                row.registry.connections,
                row.body_bytes,
                row.registry.rps,
                row.ceiling.rps,
                row.ratio() * 100.0,
                row.registry.p50_us,
                row.registry.p99_us,
                row.registry.p999_us,
                row.registry.errors,
                target
            );
        }
        let _ = writeln!(
            out,
            "\n{:<36} {:>7} {:>10} {:>6}  target (32 clients: >=1000/s)",
            "durable registrations", "clients", "per s", "errors"
        );
        let _ = writeln!(
            out,
            "{:<36} {:>7} {:>10.0} {:>6}  (the disk, for comparison)",
            "fdatasync after a 512 B write", 1, self.disk_syncs, ""
        );
        for w in &self.durable {
            let target = if w.clients == 32 {
                verdict(w.per_second >= 1000.0)
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{:<36} {:>7} {:>10.0} {:>6}  {}",
                "POST /subjects/{s}/versions (new)", w.clients, w.per_second, w.errors, target
            );
        }
        let _ = writeln!(
            out,
            "\n{:<36} {:>9} {:>10} {:>10}  target (100k: <1 s; 10k: RSS <50 MB)",
            "cold start", "ready ms", "RSS MiB", "RSS read"
        );
        for c in &self.cold {
            let target = match c.schemas {
                n if n >= 100_000 => verdict(c.ready_ms < 1000.0),
                10_000 => verdict(c.rss_after_reads_mib < 50.0),
                _ => "",
            };
            let _ = writeln!(
                out,
                "{:<36} {:>9.0} {:>10.1} {:>10.1}  {}",
                format!("{} schemas", c.schemas),
                c.ready_ms,
                c.rss_ready_mib,
                c.rss_after_reads_mib,
                target
            );
        }
        out
    }
}
