//! The shipped binary: configured by flags and environment, an acknowledged write
//! survives `kill -9`, and SIGTERM drains and exits cleanly; numeric flags out of range
//! stop it at start (issue 15, item 9).

use crate::common;

use std::process::{Command, Stdio};

use schemagate_e2e::ServerProcess;
use std::time::Duration;

use common::order_v1;
use serde_json::{Value, json};

/// Starts the binary on port 0 over `data_dir`, with FULL as its default level.
fn spawn(data_dir: &std::path::Path) -> ServerProcess {
    let store = common::store_arg(&common::store_for(data_dir));
    ServerProcess::spawn(
        std::path::Path::new(env!("CARGO_BIN_EXE_schemagate-server")),
        |c| {
            c.env("SCHEMAGATE_DATA_DIR", data_dir)
                .env("SCHEMAGATE_STORE", store)
                .env("SCHEMAGATE_DEFAULT_COMPATIBILITY", "FULL");
        },
    )
    .expect("the server starts")
}

on_each_store! {
    async fn acknowledged_writes_survive_kill_9_and_sigterm_drains() {
        let dir = tempfile::tempdir().unwrap();
        common::install_tls_provider();
        let client = reqwest::Client::new();

        let mut first = spawn(dir.path());
        let config = json_of(client.get(format!("{}/config", first.url))).await;
        assert_eq!(config["compatibilityLevel"], "FULL", "env var applied");
        let reg = json_of(
            client
                .post(format!("{}/subjects/orders-value/versions", first.url))
                .body(json!({"schema": order_v1()}).to_string()),
        )
        .await;
        assert_eq!(reg["id"], 1);
        // No graceful anything: the acknowledgement alone must mean it is on disk.
        first.child.kill().unwrap();
        first.child.wait().unwrap();

        let mut second = spawn(dir.path());
        let v = json_of(client.get(format!("{}/subjects/orders-value/versions/1", second.url))).await;
        assert_eq!(v["id"], 1, "{v}");

        let status = Command::new("kill")
            .args(["-TERM", &second.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = tokio::task::spawn_blocking(move || {
            exit_within(&mut second.child, Duration::from_secs(20), Duration::from_millis(50))
        })
        .await
        .unwrap();
        assert!(exit.expect("exits after SIGTERM").success());
    }
}

/// Runs the binary with `args` and `env` until it exits (or `limit` passes, then kills
/// it); returns its exit status, if it exited, and its stderr.
fn run_briefly(
    args: &[&str],
    env: &[(&str, &str)],
    limit: Duration,
) -> (Option<std::process::ExitStatus>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemagate-server"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .env("SCHEMAGATE_DATA_DIR", dir.path().join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let status = exit_within(&mut child, limit, Duration::from_millis(20));
    (status, reader.join().unwrap())
}

/// The JSON body of the answer to `request`.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// How `child` exited, looking every `poll` until `limit` passes; past it, the child is
/// killed (and reaped) and the answer is `None`.
fn exit_within(
    child: &mut std::process::Child,
    limit: Duration,
    poll: Duration,
) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(poll);
    }
}

/// Item 9 of issue 15: `--request-timeout 18446744073709551615` was accepted, and then
/// every connection panicked. Every numeric flag (and its environment variable) is
/// bounded, and a value outside stops the start with a message naming the flag and the
/// range.
#[test]
fn item9_numeric_flags_out_of_range_stop_the_start() {
    for (args, env, flag, range) in [
        (
            &["--request-timeout", "18446744073709551615"][..],
            &[][..],
            "--request-timeout",
            "1 to 86400",
        ),
        (
            &[],
            &[("SCHEMAGATE_REQUEST_TIMEOUT", "86401")],
            "--request-timeout",
            "1 to 86400",
        ),
        (&["--max-body", "2GiB"], &[], "--max-body", "1KiB to 1GiB"),
        (&["--max-body", "1000"], &[], "--max-body", "1KiB to 1GiB"),
        (
            &["--store-pool-size", "0"],
            &[],
            "--store-pool-size",
            "1 to 1000",
        ),
        (
            &[],
            &[("SCHEMAGATE_STORE_POOL_SIZE", "1001")],
            "--store-pool-size",
            "1 to 1000",
        ),
    ] {
        let (status, stderr) = run_briefly(args, env, Duration::from_secs(20));
        let status = status.unwrap_or_else(|| {
            panic!("{args:?} {env:?}: still running after 20 s instead of refusing to start")
        });
        assert_eq!(status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert!(
            stderr.contains(flag) && stderr.contains(range),
            "{args:?} {env:?}: {stderr}"
        );
    }
    // The bounds themselves are accepted: the server starts (and is stopped here).
    let (status, stderr) = run_briefly(
        &[
            "--request-timeout",
            "86400",
            "--max-body",
            "1GiB",
            "--store-pool-size",
            "1000",
        ],
        &[],
        Duration::from_secs(3),
    );
    assert!(status.is_none(), "exited with {status:?}: {stderr}");
    assert!(stderr.contains("listening"), "{stderr}");
}
