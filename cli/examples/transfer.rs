//! How fast `schemagate import`, `export` and `migrate` move a large registry, and the
//! memory the CLI takes: writes a transfer file of `--versions` subject versions (5 per
//! subject, every tenth subject referencing the one before it, every seventh with a
//! soft-deleted version), then against release builds of both binaries on loopback
//! (two servers on sled in temporary directories):
//!
//! 1. `import` of the file into an empty registry,
//! 2. `export` of that registry to a new file,
//! 3. `migrate` of that registry into a second empty one,
//! 4. `import` of the file again into the first one (everything there: a re-run),
//!
//! each with its own verification, and prints one table row per step: seconds,
//! versions per second and the CLI's peak resident set (VmHWM, sampled).
//!
//! ```text
//! cargo build --release -p schemagate-server -p schemagate-cli
//! cargo run --release -p schemagate-cli --example transfer -- --versions 100000
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use schemagate_e2e::ServerProcess;
use serde_json::json;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let versions: usize = args
        .iter()
        .position(|a| a == "--versions")
        .and_then(|i| args.get(i + 1))
        .map_or(100_000, |v| v.parse().expect("--versions takes a number"));
    let per_subject = 5;
    let subjects = versions.div_ceil(per_subject);
    let bin = release_dir();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registry.jsonl");
    write_file(&file, subjects, per_subject);
    let a = start(&bin, &dir.path().join("a"));
    let b = start(&bin, &dir.path().join("b"));
    let export = dir.path().join("export.jsonl");
    let f = file.to_str().unwrap();
    let e = export.to_str().unwrap();
    let steps: [(&str, Vec<&str>); 4] = [
        (
            "import into an empty registry",
            vec!["import", f, "--registry", &a.url],
        ),
        (
            "export",
            vec!["export", "--registry", &a.url, "--output", e],
        ),
        (
            "migrate into an empty registry",
            vec!["migrate", "--from", &a.url, "--to", &b.url],
        ),
        (
            "import again (a re-run)",
            vec!["import", f, "--registry", &a.url],
        ),
    ];
    println!(
        "{} versions ({subjects} subjects of {per_subject})\n",
        subjects * per_subject
    );
    println!("| step | seconds | versions/s | peak RSS (MiB) | exit |");
    println!("|---|---:|---:|---:|---:|");
    for (name, args) in steps {
        let (secs, rss, code) = run(&bin.join("schemagate"), &args);
        println!(
            "| {name} | {secs:.1} | {:.0} | {rss:.0} | {code} |",
            (subjects * per_subject) as f64 / secs
        );
    }
}

/// `target/release`, where both binaries must be.
fn release_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "release"))
        .expect("run with --release")
        .to_path_buf();
    for name in ["schemagate", "schemagate-server"] {
        assert!(
            dir.join(name).exists(),
            "build {name} first: cargo build --release -p schemagate-server -p schemagate-cli"
        );
    }
    dir
}

fn write_file(path: &Path, subjects: usize, per_subject: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut line = |v: serde_json::Value| writeln!(out, "{v}").unwrap();
    line(json!({"record": "header", "format": "schemagate-export", "formatVersion": 1}));
    let mut id = 0u32;
    for s in 0..subjects {
        for v in 1..=per_subject {
            id += 1;
            let mut fields: Vec<String> = (0..v)
                .map(|f| format!(r#"{{"name":"f{f}","type":"long","default":0}}"#))
                .collect();
            let mut record = json!({
                "record": "schema", "subject": format!("bench-{s}-value"), "version": v,
                "id": id, "deleted": s % 7 == 0 && v == 1,
            });
            if s % 10 == 1 {
                fields.push(format!(r#"{{"name":"prev","type":"R{}"}}"#, s - 1));
                record["references"] = json!([{"name": format!("R{}", s - 1), "subject": format!("bench-{}-value", s - 1), "version": per_subject}]);
            }
            record["schema"] = json!(format!(
                r#"{{"type":"record","name":"R{s}","fields":[{}]}}"#,
                fields.join(",")
            ));
            line(record);
        }
    }
    line(
        json!({"record": "end", "schemas": subjects * per_subject, "configs": 0, "modes": 0, "contexts": 0}),
    );
}

/// Runs the CLI, sampling its high-water resident set: seconds, MiB, exit code.
fn run(cli: &Path, args: &[&str]) -> (f64, f64, i32) {
    let started = Instant::now();
    let mut child = Command::new(cli)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kib) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(done) = child.try_wait().unwrap() {
            break done.code().unwrap_or(-1);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        started.elapsed().as_secs_f64(),
        peak_kib as f64 / 1024.0,
        code,
    )
}

/// A release `schemagate-server` on a free loopback port over `dir`.
fn start(bin: &Path, dir: &Path) -> ServerProcess {
    ServerProcess::spawn(&bin.join("schemagate-server"), |c| {
        c.arg("--data-dir").arg(dir);
    })
    .unwrap_or_else(|e| panic!("the registry starts: {e}"))
}
