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

mod tools;
use tools::{backup, healthcheck};

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
