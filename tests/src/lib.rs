//! Harness for the end-to-end tests: finds the `schemagate-server` and `schemagate`
//! binaries of this workspace (building them when missing), runs the registry on an
//! ephemeral loopback port and the CLI against it in a scratch copy of the examples.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Path of a binary of this workspace, built with the test's own profile if absent.
///
/// Cargo only exposes `CARGO_BIN_EXE_*` for a package's own binaries, so the two
/// binaries are found next to the test executable (`target/<profile>/deps/..`).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let path = profile_dir.join(name);
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut build = Command::new(cargo);
        build.current_dir(workspace_root()).args([
            "build",
            "-p",
            "schemagate-server",
            "-p",
            "schemagate-cli",
        ]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building the binaries failed");
    }
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// A registry process on an ephemeral port, killed on drop.
pub struct Registry {
    child: Child,
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
}

impl Registry {
    /// Starts `schemagate-server` over `data_dir` and waits for its address.
    pub fn start(data_dir: &Path) -> Registry {
        let mut child = Command::new(binary("schemagate-server"))
            .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
            .arg("--data-dir")
            .arg(data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the registry starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the registry logs its address before exiting")
                .expect("log line");
            let Ok(entry) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if entry["fields"]["message"] == "listening" {
                break entry["fields"]["addr"]
                    .as_str()
                    .expect("listening carries addr")
                    .to_owned();
            }
        };
        // Keep reading the log so the registry never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Registry {
            child,
            url: format!("http://{addr}"),
        }
    }
}

impl Drop for Registry {
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

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
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
