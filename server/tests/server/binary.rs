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

/// Runs the binary with `args` to the end: `stdin` written to it (a helper that does not
/// read it may exit first: that write's error is ignored), `env` added, and
/// RUST_BACKTRACE=1 so that an error printed through `Debug` would show its backtrace.
fn run_to_end(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> std::process::Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemagate-server"))
        .args(args)
        // Only the test's own server variables, whatever the runner's environment holds.
        .env_remove("SCHEMAGATE_LISTEN")
        .env_remove("SCHEMAGATE_TLS_CERT")
        .env_remove("SCHEMAGATE_TLS_KEY")
        .envs(env.iter().copied())
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LIB_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut input = child.stdin.take().expect("stdin");
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().expect("binary ends")
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The error of a failed run: exactly one line on stderr (log lines, JSON, aside), with
/// neither a backtrace nor anyhow's "Caused by" block.
fn one_line_error(out: &std::process::Output) -> String {
    let err = stderr(out);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('{'))
        .collect();
    assert_eq!(lines.len(), 1, "one line expected:\n{err}");
    assert!(
        !err.contains("backtrace") && !err.contains("Caused by"),
        "{err}"
    );
    lines[0].to_owned()
}

/// Item 8: `hash-password --help` read standard input as the password (and hashed
/// it, or failed with a backtrace on an empty one); every way of asking for its help
/// now prints its usage and reads nothing.
#[test]
fn item8_hash_password_help_prints_usage_without_reading_stdin() {
    for args in [
        &["hash-password", "--help"][..],
        &["hash-password", "-h"],
        &["help", "hash-password"],
    ] {
        let out = run_to_end(args, &[], b"correct horse\n");
        let text = stdout(&out);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            text.contains("Usage: schemagate-server hash-password")
                && text.contains("standard input"),
            "{args:?}: {text}"
        );
        assert!(
            !text.contains("$argon2"),
            "{args:?} hashed its stdin: {text}"
        );
    }
}

/// Item 8: `gen-token --help` made a token; now it prints the usage.
#[test]
fn item8_gen_token_help_prints_usage_without_making_a_token() {
    for args in [
        &["gen-token", "--help"][..],
        &["gen-token", "-h"],
        &["help", "gen-token"],
    ] {
        let out = run_to_end(args, &[], b"");
        let text = stdout(&out);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            text.contains("Usage: schemagate-server gen-token"),
            "{args:?}: {text}"
        );
        assert!(!text.contains("sha256:"), "{args:?} made a token: {text}");
    }
}

/// Item 8: `schemagate-server help` was an error; it, `--help` and `-h` list every
/// command and the server's options.
#[test]
fn item8_help_lists_every_command_and_the_server_options() {
    for args in [&["help"][..], &["--help"], &["-h"]] {
        let out = run_to_end(args, &[], b"");
        let text = stdout(&out);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        for needle in [
            "Usage: schemagate-server",
            "hash-password",
            "gen-token",
            "healthcheck",
            "--listen",
            "--tls-cert",
        ] {
            assert!(text.contains(needle), "{args:?}: no {needle:?} in\n{text}");
        }
    }
    // A broken server variable does not stop the helpers or their help.
    let out = run_to_end(
        &["help", "gen-token"],
        &[("SCHEMAGATE_MAX_BODY", "lots")],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Item 8 (with item 12's probe): `healthcheck --help` names its own option and the
/// server options it reads to find the server.
#[test]
fn item8_healthcheck_help_names_its_options() {
    for args in [&["healthcheck", "--help"][..], &["help", "healthcheck"]] {
        let out = run_to_end(args, &[], b"");
        let text = stdout(&out);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        for needle in [
            "Usage: schemagate-server healthcheck",
            "--timeout",
            "--listen",
            "--tls-cert",
            "SCHEMAGATE_LISTEN",
        ] {
            assert!(text.contains(needle), "{args:?}: no {needle:?} in\n{text}");
        }
    }
}

/// Item 8: a user's mistake is one clear line and a non-zero exit, never a backtrace
/// (the binary printed anyhow's `Debug`, with "Caused by" and, under RUST_BACKTRACE,
/// the stack).
#[test]
fn item8_user_errors_are_one_line_without_a_backtrace() {
    let out = run_to_end(&["hash-password"], &[], b"");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let line = one_line_error(&out);
    assert!(line.contains("empty password"), "{line}");

    // The port is taken: the start fails, naming the address.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = run_to_end(
        &[
            "--listen",
            &addr,
            "--data-dir",
            &dir.path().join("data").display().to_string(),
            "--log-format",
            "json",
        ],
        &[],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let line = one_line_error(&out);
    assert!(
        line.contains("could not start") && line.contains(&addr),
        "{line}"
    );

    // clap's own mistakes: the error on the first line, exit 2, no backtrace.
    let out = run_to_end(&["hash-pasword"], &[], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: unrecognized subcommand 'hash-pasword'")
            && !err.contains("backtrace"),
        "{err}"
    );
}

/// Item 12: `schemagate-server healthcheck` (the image's HEALTHCHECK) probes `/health`
/// of the server its flags and SCHEMAGATE_* variables describe: a wildcard listen
/// address on loopback, HTTPS when a certificate is configured (pinned to it); a server
/// that is not there, or not reachable the configured way, fails it in one line.
#[test]
fn item12_healthcheck_probes_the_configured_server_over_http_and_https() {
    let certs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/certs");
    let (cert, key) = (certs.join("server.pem"), certs.join("server.key"));
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let port = |server: &ServerProcess| server.url.rsplit(':').next().unwrap().to_owned();

    let dir = tempfile::tempdir().unwrap();
    let plain = ServerProcess::spawn(
        std::path::Path::new(env!("CARGO_BIN_EXE_schemagate-server")),
        |c| {
            c.arg("--data-dir").arg(dir.path().join("plain"));
        },
    )
    .expect("the server starts");
    let wildcard = format!("0.0.0.0:{}", port(&plain));
    let out = run_to_end(&["healthcheck"], &[("SCHEMAGATE_LISTEN", &wildcard)], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(" 200 "), "{}", stdout(&out));
    let loopback = format!("127.0.0.1:{}", port(&plain));
    let out = run_to_end(&["healthcheck", "--listen", &loopback], &[], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    // Told that the plain server speaks TLS, the probe fails.
    let out = run_to_end(
        &["healthcheck", "--listen", &loopback],
        &[("SCHEMAGATE_TLS_CERT", cert), ("SCHEMAGATE_TLS_KEY", key)],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    one_line_error(&out);

    let tls = ServerProcess::spawn(
        std::path::Path::new(env!("CARGO_BIN_EXE_schemagate-server")),
        |c| {
            c.arg("--data-dir").arg(dir.path().join("tls")).args([
                "--tls-cert",
                cert,
                "--tls-key",
                key,
            ]);
        },
    )
    .expect("the TLS server starts");
    let listen = format!("0.0.0.0:{}", port(&tls));
    let out = run_to_end(
        &["healthcheck"],
        &[
            ("SCHEMAGATE_LISTEN", &listen),
            ("SCHEMAGATE_TLS_CERT", cert),
            ("SCHEMAGATE_TLS_KEY", key),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("https://"), "{}", stdout(&out));
    // Plain HTTP to the TLS server: no answer, one line.
    let out = run_to_end(&["healthcheck"], &[("SCHEMAGATE_LISTEN", &listen)], b"");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    one_line_error(&out);

    // Nobody listening, and a port the probe cannot know.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_addr = closed.local_addr().unwrap().to_string();
    drop(closed);
    let out = run_to_end(&["healthcheck", "--listen", &closed_addr], &[], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(one_line_error(&out).contains("cannot connect"));
    let out = run_to_end(&["healthcheck", "--listen", "127.0.0.1:0"], &[], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(one_line_error(&out).contains("port 0"));
}
