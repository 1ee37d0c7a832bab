//! A closed-loop HTTP/1.1 load generator: each connection sends its next request as
//! soon as the previous answer is read, so throughput and latency come from the same
//! run and the server is never asked for more than it can give.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpStream;

/// One request the generator may send; connections cycle through a shared list.
#[derive(Clone, Debug)]
pub struct Call {
    /// HTTP method.
    pub method: Method,
    /// Path and query.
    pub path: String,
    /// Request body (empty for GET).
    pub body: Bytes,
}

impl Call {
    /// A GET of `path`.
    pub fn get(path: impl Into<String>) -> Self {
        Call {
            method: Method::GET,
            path: path.into(),
            body: Bytes::new(),
        }
    }

    /// A POST of a JSON body to `path`.
    pub fn post(path: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Call {
            method: Method::POST,
            path: path.into(),
            body: body.into(),
        }
    }
}

/// Throughput and latency of one measurement.
#[derive(Clone, Debug, Serialize)]
pub struct LoadResult {
    /// Concurrent connections.
    pub connections: usize,
    /// Completed requests in the measured window.
    pub requests: u64,
    /// Requests per second.
    pub rps: f64,
    /// Median latency, microseconds.
    pub p50_us: u64,
    /// 99th percentile latency, microseconds.
    pub p99_us: u64,
    /// 99.9th percentile latency, microseconds.
    pub p999_us: u64,
    /// Answers whose status was not the expected one.
    pub errors: u64,
}

/// Drives `calls` against `addr` over `connections` keep-alive connections for
/// `duration` after a short warm-up, expecting `expect` as the status of every answer.
pub async fn run(
    addr: SocketAddr,
    calls: Arc<Vec<Call>>,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    expect: u16,
) -> Result<LoadResult> {
    if calls.is_empty() {
        bail!("no requests to send");
    }
    let start = Instant::now() + warmup;
    let end = start + duration;
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let calls = calls.clone();
        tasks.push(tokio::spawn(async move {
            connection(addr, calls, c, start, end, expect).await
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (lat, err) = task.await.context("load task panicked")??;
        latencies.extend(lat);
        errors += err;
    }
    latencies.sort_unstable();
    let requests = latencies.len() as u64;
    Ok(LoadResult {
        connections,
        requests,
        rps: requests as f64 / duration.as_secs_f64(),
        p50_us: percentile(&latencies, 0.50),
        p99_us: percentile(&latencies, 0.99),
        p999_us: percentile(&latencies, 0.999),
        errors,
    })
}

/// One connection's loop: its latencies (microseconds) inside the window and its errors.
async fn connection(
    addr: SocketAddr,
    calls: Arc<Vec<Call>>,
    offset: usize,
    start: Instant,
    end: Instant,
    expect: u16,
) -> Result<(Vec<u32>, u64)> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let host = addr.to_string();
    let mut latencies = Vec::with_capacity(1 << 16);
    let mut errors = 0;
    // Spread connections over the call list so they do not all hit one key.
    let mut i = offset.wrapping_mul(7919);
    loop {
        let now = Instant::now();
        if now >= end {
            break;
        }
        let call = &calls[i % calls.len()];
        i = i.wrapping_add(1);
        let request = request(&host, call)?;
        sender.ready().await?;
        let response = sender.send_request(request).await?;
        let status = response.status().as_u16();
        response.into_body().collect().await?;
        let done = Instant::now();
        if now >= start {
            latencies.push(u32::try_from((done - now).as_micros()).unwrap_or(u32::MAX));
            if status != expect {
                errors += 1;
            }
        }
    }
    Ok((latencies, errors))
}

/// The HTTP request for `call`, as a Confluent client sends it.
pub fn request(host: &str, call: &Call) -> Result<Request<Full<Bytes>>> {
    Ok(Request::builder()
        .method(call.method.clone())
        .uri(call.path.as_str())
        .header(hyper::header::HOST, host)
        .header(
            hyper::header::CONTENT_TYPE,
            "application/vnd.schemaregistry.v1+json",
        )
        .body(Full::new(call.body.clone()))?)
}

/// The value at quantile `q` of sorted samples (0 when there are none).
fn percentile(sorted: &[u32], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    u64::from(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Sends one request and returns its status and body, for set-up and probes.
pub async fn once(addr: SocketAddr, call: &Call) -> Result<(u16, Bytes)> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let response = sender
        .send_request(request(&addr.to_string(), call)?)
        .await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_pick_the_rank_not_an_average() {
        let samples: Vec<u32> = (1..=1000).collect();
        assert_eq!(percentile(&samples, 0.5), 500);
        assert_eq!(percentile(&samples, 0.99), 990);
        assert_eq!(percentile(&samples, 0.999), 999);
        assert_eq!(percentile(&[], 0.5), 0);
        assert_eq!(percentile(&[7], 0.999), 7);
    }
}
