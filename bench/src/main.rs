//! `schemagate-bench`: one run that fills a fresh registry and measures what producers
//! and CI feel — reads next to the loopback ceiling, durable writes, cold start and
//! memory — then prints one table (or JSON with `--json`).

mod ceiling;
mod coldstart;
mod load;
mod report;
mod workload;
mod writes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use schemagate_server::config::StoreChoice;
use schemagate_server::store::postgres::is_postgres_url;
use schemagate_server::{Config, Server};
use tokio::sync::oneshot;

use crate::load::Call;
use crate::report::{ReadRow, Report};

/// Benchmarks of the Schemagate registry.
#[derive(Parser, Debug)]
#[command(name = "schemagate-bench", version)]
struct Args {
    #[command(subcommand)]
    mode: Option<Mode>,
    /// Subjects to fill the registry with.
    #[arg(long, default_value_t = 1000)]
    subjects: usize,
    /// Versions per subject.
    #[arg(long, default_value_t = 5)]
    versions: usize,
    /// Seconds each load measurement lasts.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Connection counts for the read measurements.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    connections: Vec<usize>,
    /// Concurrent clients for the durable-write measurements.
    #[arg(long, value_delimiter = ',', default_value = "1,32")]
    writers: Vec<usize>,
    /// Stored schema counts for the cold-start measurements.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    cold: Vec<usize>,
    /// Skip the cold-start measurements.
    #[arg(long)]
    no_cold: bool,
    /// A short smoke run: 100 x 3, 0.5 s windows, cold start with 1,000 schemas.
    #[arg(long)]
    quick: bool,
    /// Print the results as one JSON document instead of a table.
    #[arg(long)]
    json: bool,
    /// Run the read and write measurements on this PostgreSQL database (empty, e.g.
    /// `postgres://postgres@127.0.0.1:5432/bench`) instead of a temporary sled store.
    /// Cold start always measures sled.
    #[arg(long)]
    store: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Mode {
    /// Serve a data dir (used by the cold-start measurement; prints `LISTENING addr`).
    #[command(hide = true)]
    Serve {
        /// The registry's data dir.
        #[arg(long)]
        data_dir: PathBuf,
    },
}

fn main() -> Result<()> {
    let mut args = Args::parse();
    if args.quick {
        args.subjects = 100;
        args.versions = 3;
        args.seconds = 0.5;
        args.cold = vec![1000];
    }
    if args.no_cold {
        args.cold.clear();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.mode.take() {
        Some(Mode::Serve { data_dir }) => runtime.block_on(serve(data_dir)),
        None => {
            let report = runtime.block_on(bench(&args))?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.table());
            }
            Ok(())
        }
    }
}

/// The child side of the cold-start measurement.
async fn serve(data_dir: PathBuf) -> Result<()> {
    let config = Config {
        listen: "127.0.0.1:0".parse()?,
        data_dir,
        ..Config::default()
    };
    let server = Server::bind(config).await?;
    println!("LISTENING {}", server.local_addr());
    server.run_until(std::future::pending()).await?;
    Ok(())
}

/// A registry running inside this process, stopped on drop of `stop`.
struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

async fn start(data_dir: PathBuf, store: StoreChoice) -> Result<Running> {
    let config = Config {
        listen: "127.0.0.1:0".parse()?,
        data_dir,
        store,
        ..Config::default()
    };
    let server = Server::bind(config).await?;
    let addr = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        if let Err(e) = server
            .run_until(async {
                let _ = stopped.await;
            })
            .await
        {
            eprintln!("registry stopped with an error: {e}");
        }
    });
    Ok(Running { addr, stop, task })
}

impl Running {
    async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

async fn bench(args: &Args) -> Result<Report> {
    let window = Duration::from_secs_f64(args.seconds);
    let warmup = Duration::from_secs_f64((args.seconds / 5.0).min(1.0));
    let dir = tempfile::tempdir()?;
    let store = match &args.store {
        None => StoreChoice::Sled,
        Some(url) if is_postgres_url(url) => StoreChoice::Postgres(url.clone()),
        Some(other) => bail!("--store takes a postgres:// URL, not {other:?}"),
    };
    let registry = start(dir.path().join("data"), store).await?;
    let addr = registry.addr;

    let fill_started = Instant::now();
    let ids = workload::fill(addr, args.subjects, args.versions, 32).await?;
    let fill_seconds = fill_started.elapsed().as_secs_f64();
    eprintln!(
        "filled {} schemas in {fill_seconds:.1} s",
        args.subjects * args.versions
    );

    let by_id: Vec<Call> = ids
        .iter()
        .map(|id| Call::get(format!("/schemas/ids/{id}")))
        .collect();
    let latest: Vec<Call> = (0..args.subjects)
        .map(|i| {
            Call::get(format!(
                "/subjects/{}/versions/latest",
                workload::subject(i)
            ))
        })
        .collect();
    let lookup: Vec<Call> = (0..args.subjects)
        .map(|i| {
            Call::post(
                format!("/subjects/{}", workload::subject(i)),
                workload::request_body(i, args.versions),
            )
        })
        .collect();

    let mut reads = Vec::new();
    for (name, calls) in [
        ("GET /schemas/ids/{id}", by_id),
        ("GET /subjects/{s}/versions/latest", latest),
        ("POST /subjects/{s} (lookup)", lookup),
    ] {
        let calls = Arc::new(calls);
        let (status, sample) = load::once(addr, &calls[0]).await?;
        if status != 200 {
            bail!(
                "{name} answered {status}: {}",
                String::from_utf8_lossy(&sample)
            );
        }
        let ceiling = ceiling::start(sample.clone()).await?;
        for &connections in &args.connections {
            let registry = load::run(addr, calls.clone(), connections, warmup, window, 200).await?;
            let bare = load::run(
                ceiling.addr,
                calls.clone(),
                connections,
                warmup,
                window,
                200,
            )
            .await?;
            eprintln!(
                "{name} x{connections}: {:.0} req/s (ceiling {:.0})",
                registry.rps, bare.rps
            );
            reads.push(ReadRow {
                endpoint: name.to_owned(),
                body_bytes: sample.len(),
                registry,
                ceiling: bare,
            });
        }
    }

    let disk_syncs = writes::disk_syncs_per_second(dir.path(), window)?;
    eprintln!("disk: {disk_syncs:.0} fdatasync/s (one writer)");
    let mut durable = Vec::new();
    for &clients in &args.writers {
        let result = writes::run(addr, clients, window, &format!("c{clients}")).await?;
        eprintln!(
            "durable registrations x{clients}: {:.0}/s",
            result.per_second
        );
        durable.push(result);
    }
    registry.shutdown().await;

    let exe = std::env::current_exe().context("locating this binary for serve mode")?;
    let mut cold = Vec::new();
    for &schemas in &args.cold {
        let versions = 5.min(schemas.max(1));
        let subjects = schemas.div_ceil(versions);
        let cold_dir = tempfile::tempdir()?;
        let data = cold_dir.path().join("data");
        let filler = start(data.clone(), StoreChoice::Sled).await?;
        let started = Instant::now();
        let ids = workload::fill(filler.addr, subjects, versions, 64).await?;
        eprintln!(
            "cold start: stored {} schemas in {:.1} s",
            ids.len(),
            started.elapsed().as_secs_f64()
        );
        filler.shutdown().await;
        let result = coldstart::measure(&exe, &data, &ids).await?;
        eprintln!(
            "cold start with {} schemas: ready in {:.0} ms, RSS {:.1} MiB",
            result.schemas, result.ready_ms, result.rss_ready_mib
        );
        cold.push(result);
    }

    Ok(Report {
        subjects: args.subjects,
        versions: args.versions,
        seconds: args.seconds,
        fill_seconds,
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        reads,
        disk_syncs,
        durable,
        cold,
    })
}
