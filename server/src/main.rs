//! `schemagate-server`: reads its configuration, sets up logging, serves until SIGTERM
//! or Ctrl-C, then drains and flushes. Its helper commands (`hash-password`,
//! `gen-token`, `healthcheck`) and `help` are clap subcommands of the same command line,
//! so each answers `--help`/`-h` like the server itself.
//!
//! A mistake of the user's ends in one line on stderr and a non-zero exit: clap's own
//! errors exit 2, everything else exits 1, and nothing prints a backtrace.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use schemagate_server::config::{LogFormat, StoreChoice};
use schemagate_server::store::migrate::StoreSpec;
use schemagate_server::{Config, Server};

/// The whole command line: the server's options, or one helper command.
#[derive(Debug, Parser)]
#[command(
    name = "schemagate-server",
    version,
    about = "Schema registry speaking the Confluent Schema Registry REST API",
    long_about = "Schema registry speaking the Confluent Schema Registry REST API.\n\nWithout a command it serves; every option also reads the SCHEMAGATE_* variable shown beside it.",
    // `schemagate-server --listen x gen-token` is a mistake, not a server with a tool.
    args_conflicts_with_subcommands = true,
    after_help = "The auth file's users and tokens are made with `hash-password` and `gen-token`; see SECURITY.md."
)]
struct Cli {
    #[command(subcommand)]
    tool: Option<Tool>,
    #[command(flatten)]
    config: Config,
}

/// The helper commands.
#[derive(Debug, Subcommand)]
enum Tool {
    /// Hash a password for the auth file: reads one line from standard input, prints the
    /// argon2id PHC string for `password_hash`.
    #[command(
        after_help = "Example, without the password in the shell history:\n  read -rs PW && printf '%s' \"$PW\" | schemagate-server hash-password"
    )]
    HashPassword,
    /// Make a bearer token: prints the token for the client and the SHA-256 digest (with
    /// a `[[tokens]]` block) for the auth file.
    GenToken,
    /// Probe `GET /health` of the server configured by the same options and SCHEMAGATE_*
    /// variables (its --listen port, over HTTPS when --tls-cert is set); exits 0 when it
    /// answers 200, 1 otherwise. For container health checks: the image needs no curl.
    #[command(
        after_help = "A wildcard --listen address (0.0.0.0, [::]) is probed on loopback. Over HTTPS the server must present the certificate of --tls-cert: the probe pins it instead of checking names, since it connects to an address, not to the certificate's host name."
    )]
    Healthcheck {
        /// Seconds to wait for the connection and for the answer (1 to 60).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=60))]
        timeout: u64,
        /// The server's configuration, read as the server reads it (boxed: it is most
        /// of the command line's size, and the other commands carry nothing).
        #[command(
            flatten,
            next_help_heading = "Server options (where to find the server)"
        )]
        config: Box<Config>,
    },
    /// Copy a stopped registry's store into another, empty one (sled to PostgreSQL or
    /// back) with every id, version, index and setting, then read both back and compare
    /// them. Exits 0 when they are equal, 1 on a difference or a failed copy, 2 on a
    /// usage or connection error (nothing written).
    #[command(
        after_help = "STORE is sled:DIR (a server's --data-dir) or a postgres://user:password@host:5432/database URL.\n\nStop every server on the source first. The target must be empty: a copy never merges or overwrites. If a copy is interrupted, clear the target (remove the sled directory, or drop and create the database) and run it again."
    )]
    MigrateStore {
        /// The store to copy from.
        #[arg(long, value_name = "STORE", value_parser = StoreSpec::parse)]
        from: StoreSpec,
        /// The empty store to copy into.
        #[arg(long, value_name = "STORE", value_parser = StoreSpec::parse)]
        to: StoreSpec,
    },
    /// Fetch `GET /v1/backup` of the server configured by the same options and
    /// SCHEMAGATE_* variables (found as `healthcheck` finds it, TLS pinning included)
    /// and write it to FILE atomically: the whole registry in the transfer format, which
    /// `schemagate import FILE` restores. A truncated transfer is an error and leaves no
    /// FILE.
    #[command(
        after_help = "With authentication on, an admin without subject prefixes: set SCHEMAGATE_BACKUP_TOKEN (a bearer token), or SCHEMAGATE_BACKUP_USER and SCHEMAGATE_BACKUP_PASSWORD. Credentials are never taken from the command line."
    )]
    Backup {
        /// Where to write the backup (replaced atomically when it exists).
        #[arg(long, value_name = "FILE")]
        to: std::path::PathBuf,
        /// Seconds to wait for the connection and for each read (1 to 3600); the
        /// server answers once it has copied the registry under its writer lock.
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
        /// The server's configuration, read as the server reads it.
        #[command(
            flatten,
            next_help_heading = "Server options (where to find the server)"
        )]
        config: Box<Config>,
    },
}

fn main() -> ExitCode {
    let cli = match parse(std::env::args_os().collect()) {
        Ok(cli) => cli,
        // Help and version are "errors" that print to stdout and exit 0; the real ones
        // are one line naming the flag, exit 2.
        Err(e) => e.exit(),
    };
    let result = match cli.tool {
        None => serve(cli.config),
        // `auth::run_tool` does both helpers' work (stdin reading, output format); clap
        // has only decided that these are the arguments.
        Some(Tool::HashPassword) => helper("hash-password"),
        Some(Tool::GenToken) => helper("gen-token"),
        Some(Tool::MigrateStore { from, to }) => {
            let status = schemagate_server::store::migrate::run(
                &from,
                &to,
                &mut std::io::stdout(),
                &mut std::io::stderr(),
            );
            return ExitCode::from(status);
        }
        Some(Tool::Backup {
            to,
            timeout,
            config,
        }) => backup::run(&config, &to, std::time::Duration::from_secs(timeout))
            .map(|summary| println!("{summary}")),
        Some(Tool::Healthcheck { timeout, config }) => {
            healthcheck::probe(&config, std::time::Duration::from_secs(timeout))
                .map(|answer| println!("{answer}"))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}`: the causes on the same line; never `{:?}`, which adds a backtrace
            // under RUST_BACKTRACE=1.
            eprintln!("schemagate-server: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Parses the command line. clap fills a parent's flattened options from the
/// environment even when a subcommand runs, so a broken `SCHEMAGATE_MAX_BODY` (say)
/// would stop `gen-token` and `help`; when the first argument names a command, the
/// server's own options do not read the environment (a `healthcheck` reads it through
/// its own copy of them).
fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    let mut command = Cli::command();
    command.build();
    let names_a_command = args
        .get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| command.find_subcommand(a).is_some());
    if names_a_command {
        command = command.mut_args(|arg| arg.env(None::<&'static str>));
    }
    let matches = command.try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Runs one of `auth::run_tool`'s helpers and prints its answer.
fn helper(name: &str) -> anyhow::Result<()> {
    let args = ["schemagate-server".to_owned(), name.to_owned()];
    let answer = schemagate_server::auth::run_tool(&args)
        .with_context(|| format!("`{name}` is not a helper of this build"))?
        .map_err(anyhow::Error::msg)?;
    println!("{answer}");
    Ok(())
}

/// Sets up logging and serves until a shutdown signal.
fn serve(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        // Colour codes only for a person at a terminal, never in collected logs.
        let builder = tracing_subscriber::fmt()
            .with_max_level(config.log_level)
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr);
        match config.log_format {
            LogFormat::Text => builder.init(),
            LogFormat::Json => builder.json().init(),
        }
        let store = match config.store {
            StoreChoice::Sled => config.data_dir.display().to_string(),
            StoreChoice::Postgres(_) => config.store.to_string(),
        };
        let server = Server::bind(config).await.context("could not start")?;
        tracing::info!(addr = %server.local_addr(), %store, "listening");
        server.run_until(shutdown_signal()).await?;
        Ok::<(), anyhow::Error>(())
    })
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM (what container runtimes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: draining in-flight requests");
}

mod healthcheck {
    //! `schemagate-server healthcheck`: one `GET /health` to the configured server, over
    //! plain TCP or TLS, with blocking sockets (one request needs no runtime).
    //!
    //! Over TLS the probe trusts exactly the leaf certificate of `--tls-cert`: it
    //! connects to an IP address (often loopback) that the certificate need not name,
    //! and the server it wants is the one holding that certificate, so pinning is both
    //! stricter and simpler than a name check against a CA.

    use std::io::{Read, Write};
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Duration;

    use anyhow::{Context, bail};
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::WebPkiSupportedAlgorithms;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};
    use schemagate_server::Config;

    /// Longest answer head read: a status line and a few headers fit many times over.
    const MAX_HEAD: usize = 16 * 1024;

    /// Probes `/health` of the server `config` describes; `Ok` carries a line saying
    /// what answered, `Err` what did not and why.
    pub fn probe(config: &Config, timeout: Duration) -> anyhow::Result<String> {
        let addr = target(config.listen)?;
        let scheme = if config.tls_cert.is_some() {
            "https"
        } else {
            "http"
        };
        let url = format!("{scheme}://{addr}/health");
        let tcp = TcpStream::connect_timeout(&addr, timeout)
            .with_context(|| format!("{url}: cannot connect (is the server running?)"))?;
        tcp.set_read_timeout(Some(timeout))?;
        tcp.set_write_timeout(Some(timeout))?;
        let request = format!(
            "GET /health HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: schemagate-healthcheck\r\nConnection: close\r\n\r\n"
        );
        let head = match &config.tls_cert {
            None => exchange(tcp, request.as_bytes()),
            Some(cert) => {
                let pinned = leaf(cert)?;
                let tls = client_config(pinned)?;
                let name = ServerName::IpAddress(addr.ip().into());
                let connection = rustls::ClientConnection::new(tls, name)
                    .context("cannot set up the TLS connection")?;
                exchange(
                    rustls::StreamOwned::new(connection, tcp),
                    request.as_bytes(),
                )
            }
        }
        .with_context(|| format!("{url}: no answer"))?;
        let status = head.lines().next().unwrap_or_default();
        let mut words = status.splitn(3, ' ');
        let (version, code) = (words.next(), words.next());
        if !version.is_some_and(|v| v.starts_with("HTTP/")) {
            bail!(
                "{url}: not an HTTP answer ({status:?}); is it the registry, and is --tls-cert set as the server's?"
            );
        }
        if code != Some("200") {
            bail!("{url}: unhealthy, answered {status:?}");
        }
        Ok(format!("{url}: {status}"))
    }

    /// Where to connect for a server listening on `listen`: a wildcard address is
    /// reached on loopback of the same family; port 0 cannot be reached at all.
    pub(super) fn target(listen: SocketAddr) -> anyhow::Result<SocketAddr> {
        if listen.port() == 0 {
            bail!(
                "--listen {listen} has port 0 (a free port chosen at start), so there is no port to probe: give the server and the healthcheck a fixed --listen HOST:PORT"
            );
        }
        let ip = match listen.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Ok(SocketAddr::new(ip, listen.port()))
    }

    /// Sends the request and reads the answer's head (up to the blank line, or as much
    /// as came before the server closed).
    fn exchange(mut stream: impl Read + Write, request: &[u8]) -> std::io::Result<String> {
        stream.write_all(request)?;
        stream.flush()?;
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while head.len() < MAX_HEAD && !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
                // A TLS peer that closes without close_notify after answering.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !head.is_empty() => {
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        if head.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the connection closed without an answer (a TLS server probed over plain HTTP?)",
            ));
        }
        Ok(String::from_utf8_lossy(&head).into_owned())
    }

    /// The first certificate of the PEM chain in `path`: the server's own.
    pub(super) fn leaf(path: &Path) -> anyhow::Result<CertificateDer<'static>> {
        CertificateDer::pem_file_iter(path)
            .and_then(|mut it| it.next().transpose())
            .with_context(|| format!("cannot read the TLS certificate {}", path.display()))?
            .with_context(|| {
                format!(
                    "no PEM certificate in {}: --tls-cert takes the certificate chain, leaf first",
                    path.display()
                )
            })
    }

    /// A rustls client (ring, TLS 1.2 and 1.3) that trusts only `pinned`.
    pub(super) fn client_config(
        pinned: CertificateDer<'static>,
    ) -> anyhow::Result<Arc<rustls::ClientConfig>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Pinned {
            cert: pinned,
            algorithms: provider.signature_verification_algorithms,
        };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS setup")?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(Arc::new(config))
    }

    /// Accepts the server's certificate when it is byte for byte the pinned one; the
    /// handshake signatures are still checked, so only the key's holder passes.
    #[derive(Debug)]
    struct Pinned {
        cert: CertificateDer<'static>,
        algorithms: WebPkiSupportedAlgorithms,
    }

    impl ServerCertVerifier for Pinned {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            if end_entity.as_ref() == self.cert.as_ref() {
                Ok(ServerCertVerified::assertion())
            } else {
                Err(rustls::Error::General(
                    "the server presents another certificate than --tls-cert".into(),
                ))
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.algorithms.supported_schemes()
        }
    }
}

mod backup {
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
    use schemagate_core::transfer::{self, Record, Trailer};
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

    /// Copies the records to `out`, reading each: a header first, then records, then
    /// an `end` whose counts equal those received, then nothing (and as many bytes as
    /// announced).
    fn copy_checked(
        reader: &mut impl BufRead,
        out: &mut impl Write,
        length: Option<u64>,
    ) -> anyhow::Result<Trailer> {
        let mut counts = Trailer::default();
        let mut end = None;
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
            if end.is_some() {
                bail!("line {number} follows the end record");
            }
            let record = transfer::read_record(line.trim_end(), number)?;
            match (&record, number) {
                (Record::Header(_), 1) => {}
                (_, 1) => bail!("the first line is not a header record"),
                (Record::Header(_), _) => bail!("line {number}: a second header"),
                (Record::End(trailer), _) => end = Some(trailer.clone()),
                _ => counts.count(&record),
            }
            out.write_all(line.as_bytes())?;
        }
        if let Some(length) = length
            && length != bytes
        {
            bail!("{bytes} bytes came of the {length} announced");
        }
        match end {
            None => bail!("no end record after {bytes} bytes"),
            Some(end) if !end.same_counts(&counts) => {
                bail!("the end record counts {end:?}, but {counts:?} came")
            }
            Some(end) => Ok(end),
        }
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
}
