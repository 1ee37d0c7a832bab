//! PostgreSQL for the test suite: `SCHEMAGATE_TEST_POSTGRES` when set (a URL of a server
//! where the tests may create databases), otherwise a throwaway cluster started from the
//! installed binaries (`initdb` + `postgres` in a temp dir, on a free port) and removed
//! when the test process exits. Each test server gets a database of its own.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Where test databases are created.
struct Cluster {
    /// URL without the database name, e.g. `postgres://postgres@127.0.0.1:5432`.
    server: String,
    /// Query string to append (from SCHEMAGATE_TEST_POSTGRES), with its `?`.
    query: String,
    /// The cluster's supervisor, whose stdin closing (our exit) stops and removes it.
    _supervisor: Option<Child>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);
static WARNED: OnceLock<()> = OnceLock::new();

/// Stops the cluster and removes its directory when our stdin-pipe end closes, which
/// happens however this process ends (even on SIGKILL).
const SUPERVISOR: &str = r#"
set -e
bin="$1"; port="$2"
dir=$(mktemp -d /tmp/schemagate-test-pg.XXXXXX)
cleanup() { [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
"$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
"$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" -c listen_addresses=127.0.0.1 \
    -c max_connections=500 -c fsync=off -c full_page_writes=off >"$dir/server.log" 2>&1 &
pid=$!
i=0
until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; do
    i=$((i+1)); [ "$i" -gt 200 ] && { cat "$dir/server.log" >&2; exit 1; }
    sleep 0.05
done
echo ready
read -r _ || true
"#;

/// A fresh, empty database for one test server, or why there is none.
pub fn new_database() -> Result<String, String> {
    let cluster = CLUSTER.get_or_init(start).as_ref().map_err(Clone::clone)?;
    let name = format!(
        "sg_{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::SeqCst)
    );
    let admin = format!("{}/postgres{}", cluster.server, cluster.query);
    let create = format!("CREATE DATABASE {name}");
    // The blocking client runs a runtime of its own: not on a tokio worker.
    std::thread::spawn(move || -> Result<(), String> {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls)
            .map_err(|e| format!("cannot connect to the test PostgreSQL: {e}"))?;
        client
            .batch_execute(&create)
            .map_err(|e| format!("cannot create a test database: {e}"))
    })
    .join()
    .map_err(|_| "database creation panicked".to_owned())??;
    Ok(format!("{}/{name}{}", cluster.server, cluster.query))
}

/// Says once per test process, past the output capture, that PostgreSQL runs were skipped.
pub fn warn_skipped(reason: &str) {
    WARNED.get_or_init(|| {
        let _ = writeln!(
            std::io::stderr().lock(),
            "\n*** SKIPPED: the PostgreSQL store tests did not run: {reason}\n\
             *** Install PostgreSQL (initdb, postgres) or set SCHEMAGATE_TEST_POSTGRES=postgres://user:pw@host:port/db\n"
        );
    });
}

fn start() -> Result<Cluster, String> {
    if let Ok(url) = std::env::var("SCHEMAGATE_TEST_POSTGRES")
        && !url.trim().is_empty()
    {
        return external(url.trim());
    }
    let bin = find_binaries().ok_or("no PostgreSQL binaries (initdb) found")?;
    let port = free_port()?;
    let mut command = if running_as_root() {
        // PostgreSQL refuses to run as root.
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "sh", "-c", SUPERVISOR, "sh"]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", SUPERVISOR, "sh"]);
        c
    };
    let mut child = command
        .arg(&bin)
        .arg(port.to_string())
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the PostgreSQL supervisor: {e}"))?;
    let stdout = child.stdout.take().ok_or("no supervisor stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(line) if line.trim() == "ready" => Ok(Cluster {
            server: format!("postgres://postgres@127.0.0.1:{port}"),
            query: String::new(),
            _supervisor: Some(child),
        }),
        _ => {
            let _ = child.kill();
            Err(format!(
                "the throwaway PostgreSQL cluster ({}) did not start",
                bin.display()
            ))
        }
    }
}

/// Splits `postgres://user@host:port/db?query` into the server part and the query.
fn external(url: &str) -> Result<Cluster, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("SCHEMAGATE_TEST_POSTGRES is not a postgres:// URL")?;
    let (before_query, query) = match rest.split_once('?') {
        Some((a, q)) => (a, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = before_query.split('/').next().unwrap_or(before_query);
    Ok(Cluster {
        server: format!("{scheme}://{authority}"),
        query,
        _supervisor: None,
    })
}

fn find_binaries() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).find(|dir| dir.join("initdb").is_file()));
    // `initdb` on PATH may be a symlink into the versioned directory holding `postgres`.
    if let Some(dir) = on_path {
        let real = std::fs::canonicalize(dir.join("initdb")).ok()?;
        return real.parent().map(Path::to_path_buf);
    }
    // Debian and Ubuntu keep the server binaries off PATH, one directory per version.
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop()
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn running_as_root() -> bool {
    // No libc dependency for one call: the kernel reports it in /proc.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}
