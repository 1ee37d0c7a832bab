//! Shared helpers for the CLI tests: a project in a temporary directory, the real
//! `schemagate` binary run inside it with a clean environment, and a real Schemagate
//! server on a free port for the tests that need a registry.

#![allow(dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use schemagate_server::{Config, Server};

/// A temporary project directory.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Self {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, file: &str, text: &str) -> &Self {
        let path = self.dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(file)).unwrap()
    }

    /// The binary in the project directory, without any SCHEMAGATE_* from the caller.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemagate"));
        cmd.current_dir(self.dir.path())
            .args(args)
            .env("NO_COLOR", "1");
        for (key, _) in std::env::vars() {
            if key.starts_with("SCHEMAGATE_") || key.starts_with("GIT_") {
                cmd.env_remove(key);
            }
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().expect("run schemagate"))
    }

    pub fn git(&self, args: &[&str]) {
        git(self.dir.path(), args);
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }
}

pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?} failed");
}

/// What a run printed and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        let context = format!("\n--- stderr\n{}", self.stderr);
        self.has("stdout", &self.stdout, needle, &context)
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        self.has("stderr", &self.stderr, needle, "")
    }

    /// Asserts that `stream` (`text`) holds `needle`, showing `text` and `context` if not.
    #[track_caller]
    fn has(&self, stream: &str, text: &str, needle: &str, context: &str) -> &Self {
        assert!(
            text.contains(needle),
            "{stream} lacks {needle:?}:\n{text}{context}"
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

/// The Order record: `id` and `total`, then the `extra` field if one is given. The
/// versions below differ only in that field, on line 8 (tests point at that line).
macro_rules! order {
    ($($extra:literal)?) => {
        concat!(
            r#"{
  "type": "record",
  "name": "Order",
  "namespace": "shop",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "total", "type": "double"}"#,
            $(",\n    ", $extra,)?
            "\n  ]\n}\n"
        )
    };
}

pub const ORDER_V1: &str = order!();

/// v1 plus a field without a default: BACKWARD-breaking (new readers cannot fill it).
pub const ORDER_BREAKING: &str = order!(r#"{"name": "coupon", "type": "string"}"#);

/// v1 plus an optional field with a default: BACKWARD-compatible.
pub const ORDER_COMPATIBLE: &str =
    order!(r#"{"name": "coupon", "type": ["null", "string"], "default": null}"#);

/// Two files, `schemas/order.avsc` using the record that `schemas/money.avsc` defines
/// (`shop.Money`); the project file that maps them is each test's own.
pub fn write_money_and_order(p: &Project) {
    p.write(
        "schemas/money.avsc",
        r#"{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}"#,
    );
    p.write(
        "schemas/order.avsc",
        r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"shop.Money"}]}"#,
    );
}

pub const CUSTOMER_V1: &str = r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Customer",
  "type": "object",
  "properties": {
    "id": {"type": "string"},
    "email": {"type": "string"}
  },
  "required": ["id"],
  "additionalProperties": false
}
"#;

pub const PROJECT: &str = r#"[registry]
url = "http://127.0.0.1:9"

[[subjects]]
file = "schemas/orders.avsc"
subject = "orders-value"

[[subjects]]
file = "schemas/customers.json"
subject = "customers-value"
"#;

/// A project with the two v1 schemas.
pub fn shop() -> Project {
    let p = Project::new();
    p.write("schemagate.toml", PROJECT)
        .write("schemas/orders.avsc", ORDER_V1)
        .write("schemas/customers.json", CUSTOMER_V1);
    p
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_schemagate"))
}

/// A scripted registry on a loopback port: `route(method, path)` gives status and
/// body. One request per connection, read in full before answering.
pub fn fake_registry(route: fn(&str, &str) -> (u16, String)) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut first = String::new();
            if reader.read_line(&mut first).is_err() {
                continue;
            }
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let mut parts = first.split_whitespace();
            let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let (status, answer) = route(method, path);
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 {status} X\r\ncontent-type: application/vnd.schemaregistry.v1+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    url
}

/// Starts a server on a free port with a fresh data directory, runs `body` with its
/// URL, then shuts it down.
pub async fn with_registry<F, Fut>(body: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let data = tempfile::tempdir().unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data.path().join("data"),
        ..Config::default()
    };
    let server = Server::bind(config).await.expect("server starts");
    let url = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        let _ = server
            .run_until(async {
                let _ = stopped.await;
            })
            .await;
    });
    body(url).await;
    let _ = stop.send(());
    let _ = running.await;
}

/// Runs the CLI against the registry at `url`, off the runtime's threads (it blocks on
/// the child process).
pub async fn run(p: &Project, url: &str, args: &[&str]) -> Run {
    let mut cmd = p.cmd(args);
    cmd.env("SCHEMAGATE_REGISTRY_URL", url);
    tokio::task::spawn_blocking(move || Run::from(cmd.output().expect("run schemagate")))
        .await
        .unwrap()
}
