//! Durable registrations per second: every request registers a schema nobody has
//! registered before, under a subject nobody has used, so each answer waits for a
//! flush to disk.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde_json::json;
use tokio::net::TcpStream;

use crate::load::{self, Call};

/// Outcome of one durable-write measurement.
#[derive(Clone, Debug, Serialize)]
pub struct WriteResult {
    /// Concurrent clients.
    pub clients: usize,
    /// Registrations acknowledged in the window.
    pub registrations: u64,
    /// Registrations per second.
    pub per_second: f64,
    /// Answers other than 200.
    pub errors: u64,
}

/// Runs `clients` connections registering fresh schemas for `duration`.
pub async fn run(
    addr: SocketAddr,
    clients: usize,
    duration: Duration,
    tag: &str,
) -> Result<WriteResult> {
    let counter = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let counter = counter.clone();
        let tag = tag.to_owned();
        tasks.push(tokio::spawn(async move {
            client(addr, counter, end, tag).await
        }));
    }
    let (mut ok, mut errors) = (0, 0);
    for task in tasks {
        let (o, e) = task.await.context("write task panicked")??;
        ok += o;
        errors += e;
    }
    Ok(WriteResult {
        clients,
        registrations: ok,
        per_second: ok as f64 / duration.as_secs_f64(),
        errors,
    })
}

async fn client(
    addr: SocketAddr,
    counter: Arc<AtomicU64>,
    end: Instant,
    tag: String,
) -> Result<(u64, u64)> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let host = addr.to_string();
    let (mut ok, mut errors) = (0, 0);
    while Instant::now() < end {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let schema = json!({
            "type": "record",
            "name": format!("W{tag}{n}"),
            "namespace": "bench.writes",
            "fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "long", "default": n}]
        });
        let body = json!({"schema": schema.to_string()}).to_string();
        let call = Call::post(format!("/subjects/write-{tag}-{n}/versions"), body);
        let request = load::request(&host, &call)?;
        sender.ready().await?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        response.into_body().collect().await?;
        if status == 200 {
            ok += 1;
        } else {
            errors += 1;
        }
    }
    Ok((ok, errors))
}

/// What the disk under `dir` allows one writer: a 512-byte write inside a file already
/// allocated (as sled writes inside its log's segments), then an `fdatasync`, for
/// `duration`. Durable registrations from one client can go no faster; concurrent
/// clients share syncs, so they can.
pub fn disk_syncs_per_second(dir: &Path, duration: Duration) -> Result<f64> {
    use std::os::unix::fs::FileExt as _;
    const SPAN: u64 = 1 << 20;
    let path = dir.join("fdatasync-probe");
    let file = std::fs::File::create(&path).context("creating the sync probe file")?;
    file.write_all_at(&vec![0u8; SPAN as usize], 0)?;
    file.sync_all()?;
    let block = [0xA5u8; 512];
    let started = Instant::now();
    let mut syncs = 0u64;
    while started.elapsed() < duration {
        file.write_all_at(&block, (syncs * 512) % SPAN)?;
        file.sync_data().context("fdatasync of the probe file")?;
        syncs += 1;
    }
    let rate = syncs as f64 / started.elapsed().as_secs_f64();
    drop(file);
    std::fs::remove_file(&path)?;
    Ok(rate)
}
