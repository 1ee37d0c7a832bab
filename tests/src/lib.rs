//! Harness for the end-to-end tests: finds the `schemagate-server` and `schemagate`
//! binaries of this workspace (built by the same `cargo test --workspace`, never by
//! the harness), runs the registry on an ephemeral loopback port and the CLI against
//! it in a scratch copy of the examples.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// What each binary is built from: a `.rs` file under these crates' `src/` newer than
/// the binary means the binary may be stale (only the crates it links, so a change
/// elsewhere never makes a freshly built binary look old).
const SOURCES: &[(&str, &[&str])] = &[
    ("schemagate-server", &["core", "server"]),
    ("schemagate", &["core", "client", "cli"]),
];

/// Path of a binary of this workspace, which must already be built.
///
/// Cargo exposes `CARGO_BIN_EXE_*` only for a package's own binaries (artifact
/// dependencies are nightly-only), so the binaries are found next to the test
/// executable (`target/<profile>/deps/..`). The README's `cargo test --workspace`
/// builds both before any test runs, since `cli/` and `server/` have integration
/// tests of their binaries. This harness never runs cargo itself: a nested `cargo
/// build` waits for the build-directory lock that the `cargo test` running it holds.
///
/// # Panics
///
/// When the binary is missing or older than its sources, with the command to run.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let path = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let release = if profile_dir.file_name().is_some_and(|n| n == "release") {
        " --release"
    } else {
        ""
    };
    let build = format!(
        "run `cargo build{release} -p schemagate-server -p schemagate-cli` first, or the README's \
         `cargo test --workspace{release}`, which builds them before the tests"
    );
    let Ok(built) = std::fs::metadata(&path).and_then(|m| m.modified()) else {
        panic!("{} is not built: {build}", path.display());
    };
    let crates = SOURCES
        .iter()
        .find(|(binary, _)| *binary == name)
        .map_or(&[][..], |(_, crates)| *crates);
    if let Some(newer) = newer_source(crates, built) {
        panic!(
            "{} is older than {}, so it may not be what the tests should run: {build}",
            path.display(),
            newer.display()
        );
    }
    path
}

/// A `.rs` file under `crates`' `src/` modified after `built`, if any.
fn newer_source(crates: &[&str], built: std::time::SystemTime) -> Option<PathBuf> {
    let root = workspace_root();
    crates.iter().find_map(|krate| {
        walkdir::WalkDir::new(root.join(krate).join("src"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
            .find(|e| e.metadata().ok().and_then(|m| m.modified().ok()) > Some(built))
            .map(|e| {
                e.path()
                    .strip_prefix(&root)
                    .unwrap_or(e.path())
                    .to_path_buf()
            })
    })
}

/// A server process on an ephemeral loopback port, killed (SIGKILL) and reaped on drop.
/// The server's own integration tests start their binary through it too.
pub struct ServerProcess {
    /// The process, for signals and its exit status.
    pub child: Child,
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
}

/// The registry of the end-to-end tests.
pub type Registry = ServerProcess;

impl ServerProcess {
    /// Starts `binary` with `--listen 127.0.0.1:0 --log-format json` and whatever
    /// `configure` adds, and reads the bound address from its log. `Err` carries the log
    /// when the process exits before listening, or a note when it does not listen
    /// within 60 s.
    pub fn spawn(
        binary: &Path,
        configure: impl FnOnce(&mut Command),
    ) -> Result<ServerProcess, String> {
        let mut command = Command::new(binary);
        command
            .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        configure(&mut command);
        let mut child = command
            .spawn()
            .map_err(|e| format!("{} does not start: {e}", binary.display()))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel::<Result<String, String>>();
        std::thread::spawn(move || {
            let mut log = String::new();
            let mut lines = BufReader::new(stderr).lines();
            for line in lines.by_ref() {
                let Ok(line) = line else { break };
                if let Ok(entry) = serde_json::from_str::<Value>(&line)
                    && entry["fields"]["message"] == "listening"
                {
                    let addr = entry["fields"]["addr"].as_str().unwrap_or("").to_owned();
                    let _ = tx.send(Ok(addr));
                    // Keep reading so the server never blocks on a full pipe.
                    for _ in lines {}
                    return;
                }
                log.push_str(&line);
                log.push('\n');
            }
            let _ = tx.send(Err(log));
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(addr)) => Ok(ServerProcess {
                child,
                url: format!("http://{addr}"),
            }),
            Ok(Err(log)) => {
                let status = child.wait().ok();
                Err(format!("exited with {status:?} before listening:\n{log}"))
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err("did not listen within 60 s".to_owned())
            }
        }
    }

    /// Starts this workspace's `schemagate-server` over `data_dir`.
    pub fn start(data_dir: &Path) -> ServerProcess {
        ServerProcess::spawn(&binary("schemagate-server"), |c| {
            c.arg("--data-dir").arg(data_dir);
        })
        .unwrap_or_else(|e| panic!("the registry starts: {e}"))
    }

    /// SIGKILL now, and reap: no drain, no flush, no destructor runs in the server.
    pub fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch copy of the example project (`schemagate.toml`, `schemas/`, `fixtures/events/`).
pub struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// Copies the examples into a fresh temporary directory.
    pub fn copy_examples() -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = workspace_root();
        std::fs::copy(
            root.join("schemagate.toml"),
            dir.path().join("schemagate.toml"),
        )
        .expect("copy schemagate.toml");
        copy_dir(&root.join("schemas"), &dir.path().join("schemas"));
        copy_dir(
            &root.join("fixtures/events"),
            &dir.path().join("fixtures/events"),
        );
        Project { dir }
    }

    /// The project directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `schemagate <args>` in the project against `registry`.
    pub fn schemagate(&self, registry: &Registry, args: &[&str]) -> Output {
        Command::new(binary("schemagate"))
            .current_dir(self.path())
            .args(args)
            .env("SCHEMAGATE_REGISTRY_URL", &registry.url)
            .env("NO_COLOR", "1")
            .output()
            .expect("schemagate runs")
    }

    /// Reads a schema file as JSON.
    pub fn read_json(&self, file: &str) -> Value {
        let text = std::fs::read_to_string(self.path().join(file)).expect("read schema");
        serde_json::from_str(&text).expect("schema is JSON")
    }

    /// Writes a schema file from JSON.
    pub fn write_json(&self, file: &str, value: &Value) {
        let text = serde_json::to_string_pretty(value).expect("serialise");
        std::fs::write(self.path().join(file), text).expect("write schema");
    }
}

/// Copies the tree under `from` to `to`.
fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk the examples");
        let below = entry
            .path()
            .strip_prefix(from)
            .expect("below the walk's root");
        let target = to.join(below);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("create dir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Stdout and stderr of a finished command, for assertions and failure messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
