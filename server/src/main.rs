//! `schemagate-server`: reads its configuration, sets up logging, serves until SIGTERM
//! or Ctrl-C, then drains and flushes.

use std::io::IsTerminal;

use anyhow::Context;
use clap::Parser;
use schemagate_server::config::{LogFormat, StoreChoice};
use schemagate_server::{Config, Server};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(result) = schemagate_server::auth::run_tool(&args) {
        println!("{}", result.map_err(anyhow::Error::msg)?);
        return Ok(());
    }
    let config = Config::parse();
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
    let server = Server::bind(config)
        .await
        .context("schemagate-server could not start")?;
    tracing::info!(addr = %server.local_addr(), %store, "listening");
    server.run_until(shutdown_signal()).await?;
    Ok(())
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
