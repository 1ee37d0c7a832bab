//! How fast `migrate-store` copies and verifies a large registry, and the memory it
//! takes: fills a sled store with `--versions` subject versions (5 per subject, each
//! its own schema with content key and GUID, every tenth referencing another), then
//! copies it sled → sled and, with `--postgres URL` (an empty database), sled →
//! PostgreSQL → sled, and prints one table row per copy.
//!
//! Each step runs in a child process (this program again, in `fill` or `copy` mode),
//! so the peak resident set reported is that of the copy alone.
//!
//! ```text
//! cargo run --release -p schemagate-server --example migrate_store -- --versions 100000 \
//!     [--postgres postgres://postgres@127.0.0.1:5432/bench]
//! ```

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use schemagate_core::SchemaType;
use schemagate_server::store::migrate::{self, StoreSpec};
use schemagate_server::store::sled::SledStore;
use schemagate_server::store::{
    FORMAT, Op, SchemaId, SchemaRef, Store, StoredSchema, VersionEntry,
};
use sha2::{Digest, Sha256};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("fill") => fill(Path::new(&args[1]), args[2].parse().expect("a count")),
        Some("copy") => {
            let (from, to) = (spec(&args[1]), spec(&args[2]));
            let started = Instant::now();
            let mut out = Vec::new();
            let status = migrate::run(&from, &to, &mut out, &mut std::io::stderr());
            print!("{}", String::from_utf8_lossy(&out));
            println!(
                "RESULT {status} {:.3} {:.1}",
                started.elapsed().as_secs_f64(),
                migrate::peak_rss_mib().unwrap_or(0.0)
            );
        }
        _ => orchestrate(&args),
    }
}

fn spec(raw: &str) -> StoreSpec {
    StoreSpec::parse(raw).expect("a store")
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn orchestrate(args: &[String]) {
    let versions: usize = flag(args, "--versions").map_or(100_000, |v| v.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    let me = std::env::current_exe().unwrap();
    let started = Instant::now();
    let status = Command::new(&me)
        .arg("fill")
        .arg(&source)
        .arg(versions.to_string())
        .status()
        .unwrap();
    assert!(status.success());
    eprintln!(
        "filled {versions} versions in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let sled_copy = format!("sled:{}", dir.path().join("copy").display());
    let back = format!("sled:{}", dir.path().join("back").display());
    let from = format!("sled:{}", source.display());
    let mut copies = vec![(from.clone(), sled_copy, "sled → sled")];
    if let Some(url) = flag(args, "--postgres") {
        copies.push((from, url.clone(), "sled → PostgreSQL"));
        copies.push((url, back, "PostgreSQL → sled"));
    }
    println!("| copy | versions | copy + verify, s | versions/s | peak RSS, MiB |");
    println!("|---|---:|---:|---:|---:|");
    for (from, to, name) in copies {
        let out = Command::new(&me)
            .args(["copy", &from, &to])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        eprint!("{text}{}", String::from_utf8_lossy(&out.stderr));
        let result = text
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .expect("a result line");
        let fields: Vec<&str> = result.split_whitespace().collect();
        assert_eq!(fields[0], "0", "{name} did not verify");
        let seconds: f64 = fields[1].parse().unwrap();
        println!(
            "| {name} | {versions} | {seconds:.2} | {:.0} | {} |",
            versions as f64 / seconds,
            fields[2]
        );
    }
}

/// A store of `versions` versions, written as the registry writes them: each commit a
/// batch of ops, flushed.
fn fill(dir: &Path, versions: usize) {
    let store = SledStore::open(dir).unwrap();
    let per_subject = 5;
    let mut ops = Vec::new();
    let mut seq = 0;
    for n in 0..versions {
        let id = SchemaId(n as u32 + 1);
        let (subject, version) = (
            format!("subject-{:06}", n / per_subject),
            (n % per_subject) as i32 + 1,
        );
        let references = if n % 10 == 9 {
            vec![SchemaRef {
                name: "Base".into(),
                subject: format!("subject-{:06}", n / per_subject),
                version: 1,
            }]
        } else {
            Vec::new()
        };
        let schema = StoredSchema {
            schema_type: SchemaType::Avro,
            schema: format!(
                r#"{{"type":"record","name":"R{n}","namespace":"bench","fields":[{{"name":"id","type":"string"}},{{"name":"f{n}","type":["null","long"],"default":null}}]}}"#
            ),
            references,
            metadata: None,
            rule_set: None,
        };
        let key: [u8; 32] = Sha256::digest(schema.schema.as_bytes()).into();
        ops.push(Op::PutSchema {
            context: String::new(),
            id,
            key,
            guid: schema.guid(),
            schema,
        });
        ops.push(Op::PutVersion {
            subject,
            entry: VersionEntry {
                version,
                id,
                deleted: n % 17 == 0,
                ts: Some(1_765_000_000_000 + n as i64),
            },
        });
        if ops.len() >= 2000 || n + 1 == versions {
            ops.push(Op::SetNextId {
                context: String::new(),
                next: id.next(),
            });
            seq += 1;
            store.apply(seq, &ops).unwrap();
            store.flush(seq).unwrap();
            ops.clear();
        }
    }
    store.apply(seq + 1, &[Op::SetFormat(FORMAT)]).unwrap();
    store.flush(seq + 1).unwrap();
}
