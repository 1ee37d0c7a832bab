//! Cold start and memory: the registry runs in a child process (this same binary in
//! `serve` mode) over a data dir filled beforehand, so start-up time and resident
//! memory are those of a fresh process, not of the bench's own heap.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::load::{self, Call};

/// Start-up time and memory of a registry over a given number of stored schemas.
#[derive(Clone, Debug, Serialize)]
pub struct ColdStart {
    /// Schemas in the store.
    pub schemas: usize,
    /// From process spawn to the first 200 from `/health`, milliseconds.
    pub ready_ms: f64,
    /// Resident set size once ready, MiB.
    pub rss_ready_mib: f64,
    /// Resident set size after reading every schema by id once, MiB.
    pub rss_after_reads_mib: f64,
}

/// Starts `exe serve --data-dir dir` and measures it; `ids` are read once afterwards.
pub async fn measure(exe: &Path, dir: &Path, ids: &[u64]) -> Result<ColdStart> {
    let started = Instant::now();
    let mut child = Command::new(exe)
        .arg("serve")
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("starting the registry child process")?;
    let pid = child.id().context("child has no pid")?;
    let stdout = child.stdout.take().context("child stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
            .await
            .context("child did not report its address within 120 s")??
            .context("child exited before listening")?;
        if let Some(addr) = line.strip_prefix("LISTENING ") {
            break addr.trim().parse()?;
        }
    };
    loop {
        match load::once(addr, &Call::get("/health")).await {
            Ok((200, _)) => break,
            _ if started.elapsed() > Duration::from_secs(120) => bail!("child never became ready"),
            _ => tokio::time::sleep(Duration::from_millis(1)).await,
        }
    }
    let ready_ms = started.elapsed().as_secs_f64() * 1000.0;
    let rss_ready_mib = rss_mib(pid)?;
    for id in ids {
        let (status, _) = load::once(addr, &Call::get(format!("/schemas/ids/{id}"))).await?;
        if status != 200 {
            bail!("schema {id} answered {status} after restart");
        }
    }
    let rss_after_reads_mib = rss_mib(pid)?;
    child.kill().await.ok();
    Ok(ColdStart {
        schemas: ids.len(),
        ready_ms,
        rss_ready_mib,
        rss_after_reads_mib,
    })
}

/// VmRSS of a process, from /proc.
fn rss_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS in /proc status")?;
    Ok(kib / 1024.0)
}
