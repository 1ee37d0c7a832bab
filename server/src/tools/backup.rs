//! `schemagate-server backup --to FILE`: one `GET /v1/backup` over plain TCP or TLS
//! (pinned as the healthcheck pins it), with blocking sockets. HTTP/1.0, so the
//! server answers without chunks and closes at the end. The answer is checked record
//! by record as it is written to a temporary file beside FILE; only a complete one
//! (its `end` counts equal to what came, and as many bytes as announced) is synced
//! and renamed to FILE.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine as _;
use rustls::pki_types::ServerName;
use schemagate_core::transfer::{Checker, Trailer};
use schemagate_server::Config;

use super::healthcheck::{client_config, leaf, target};

/// Longest answer head read.
const MAX_HEAD: u64 = 64 * 1024;
/// Most of an error answer's body shown.
const MAX_ERROR: u64 = 4096;

/// The `Authorization` header from the environment, if any, as the CLI takes its
/// registry credentials.
fn authorization() -> anyhow::Result<Option<String>> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (user, password, token) = (
        env("SCHEMAGATE_BACKUP_USER"),
        env("SCHEMAGATE_BACKUP_PASSWORD"),
        env("SCHEMAGATE_BACKUP_TOKEN"),
    );
    match (user, password, token) {
        (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => bail!(
            "set either SCHEMAGATE_BACKUP_TOKEN or SCHEMAGATE_BACKUP_USER and SCHEMAGATE_BACKUP_PASSWORD, not both"
        ),
        (None, None, Some(token)) => Ok(Some(format!("Bearer {token}"))),
        (Some(user), Some(password), None) => {
            let pair =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            Ok(Some(format!("Basic {pair}")))
        }
        (Some(_), None, None) => {
            bail!("SCHEMAGATE_BACKUP_USER is set but SCHEMAGATE_BACKUP_PASSWORD is not")
        }
        (None, Some(_), None) => {
            bail!("SCHEMAGATE_BACKUP_PASSWORD is set but SCHEMAGATE_BACKUP_USER is not")
        }
        (None, None, None) => Ok(None),
    }
}

/// Fetches the backup into `to`; `Ok` is the one-line summary.
pub fn run(config: &Config, to: &Path, timeout: Duration) -> anyhow::Result<String> {
    let started = Instant::now();
    let authorization = authorization()?;
    let addr = target(config.listen)?;
    let scheme = if config.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    let url = format!("{scheme}://{addr}/v1/backup");
    let tcp = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("{url}: cannot connect (is the server running?)"))?;
    tcp.set_read_timeout(Some(timeout))?;
    tcp.set_write_timeout(Some(timeout))?;
    let mut request =
        format!("GET /v1/backup HTTP/1.0\r\nHost: {addr}\r\nUser-Agent: schemagate-backup\r\n");
    if let Some(value) = authorization {
        request.push_str(&format!("Authorization: {value}\r\n"));
    }
    request.push_str("\r\n");
    let counts = match &config.tls_cert {
        None => fetch(tcp, request.as_bytes(), to, &url),
        Some(cert) => {
            let tls = client_config(leaf(cert)?)?;
            let name = ServerName::IpAddress(addr.ip().into());
            let connection = rustls::ClientConnection::new(tls, name)
                .context("cannot set up the TLS connection")?;
            fetch(
                rustls::StreamOwned::new(connection, tcp),
                request.as_bytes(),
                to,
                &url,
            )
        }
    }?;
    Ok(format!(
        "backup of {url} written to {} in {:.1} s: {} schemas, {} configs, {} modes, {} contexts, {} KEKs, {} DEKs",
        to.display(),
        started.elapsed().as_secs_f64(),
        counts.schemas,
        counts.configs,
        counts.modes,
        counts.contexts,
        counts.keks,
        counts.deks
    ))
}

/// A temporary file beside the destination, removed unless kept.
struct Partial {
    path: PathBuf,
    kept: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn fetch(
    mut stream: impl Read + Write,
    request: &[u8],
    to: &Path,
    url: &str,
) -> anyhow::Result<Trailer> {
    stream
        .write_all(request)
        .and_then(|()| stream.flush())
        .with_context(|| format!("{url}: cannot send the request"))?;
    let mut reader = BufReader::with_capacity(256 * 1024, Tolerant(stream));
    let (status, length) = head(&mut reader).with_context(|| format!("{url}: no answer"))?;
    if status != 200 {
        let mut body = String::new();
        let _ = reader.take(MAX_ERROR).read_to_string(&mut body);
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or(body);
        bail!("{url} answered {status}: {}", message.trim());
    }
    let name = to
        .file_name()
        .with_context(|| format!("{} names no file", to.display()))?;
    let dir = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut partial = Partial {
        path: dir.join(format!(
            ".{}.partial-{}",
            name.to_string_lossy(),
            std::process::id()
        )),
        kept: false,
    };
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial.path)
        .with_context(|| format!("cannot create {}", partial.path.display()))?;
    let mut out = BufWriter::with_capacity(256 * 1024, &file);
    let counts = copy_checked(&mut reader, &mut out, length)
        .with_context(|| format!("{url}: the backup is incomplete, no file was written"))?;
    out.flush()
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", partial.path.display()))?;
    drop(out);
    std::fs::rename(&partial.path, to)
        .with_context(|| format!("cannot rename the backup to {}", to.display()))?;
    partial.kept = true;
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync the directory {}", dir.display()))?;
    Ok(counts)
}

/// The status and `Content-Length` of the answer's head.
fn head(reader: &mut impl BufRead) -> anyhow::Result<(u16, Option<u64>)> {
    let mut limited = reader.take(MAX_HEAD);
    let mut line = String::new();
    limited.read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let (version, code) = (words.next(), words.next());
    if !version.is_some_and(|v| v.starts_with("HTTP/")) {
        bail!(
            "not an HTTP answer ({:?}); is it the registry, and is --tls-cert set as the server's?",
            line.trim()
        );
    }
    let status = code.and_then(|c| c.parse().ok()).context("no status")?;
    let mut length = None;
    loop {
        line.clear();
        if limited.read_line(&mut line)? == 0 {
            bail!("the answer's head ends early");
        }
        let header = line.trim_end();
        if header.is_empty() {
            return Ok((status, length));
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse().context("a bad Content-Length")?);
        }
    }
}

/// Copies the records to `out` as they come, each checked by the transfer format's
/// own [`Checker`] (a header first, an `end` whose counts equal those received, then
/// nothing), and as many bytes as announced.
fn copy_checked(
    reader: &mut impl BufRead,
    out: &mut impl Write,
    length: Option<u64>,
) -> anyhow::Result<Trailer> {
    let mut checker = Checker::default();
    let mut bytes = 0u64;
    let mut line = String::new();
    for number in 1u64.. {
        line.clear();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        if !line.ends_with('\n') {
            bail!("line {number} is cut short");
        }
        checker.line(line.trim_end())?;
        out.write_all(line.as_bytes())?;
    }
    if let Some(length) = length
        && length != bytes
    {
        bail!("{bytes} bytes came of the {length} announced");
    }
    Ok(checker.finish()?)
}

/// A TLS peer that closes without close_notify at the end reads as the end.
struct Tolerant<S>(S);

impl<S: Read> Read for Tolerant<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(0),
            other => other,
        }
    }
}
