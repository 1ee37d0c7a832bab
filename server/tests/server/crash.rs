//! Crash safety of the shipped binary: concurrent registrations, `kill -9` at random
//! moments, restart on the same data directory, 50 times. Every acknowledged
//! registration must come back with the same id and version, no id may ever name two
//! schemas, versions stay dense, and the store must open cleanly every time.
//!
//! Then, with the server under `strace` (a slow or failing disk): ids that readers were
//! merely shown keep their schema across kills; each acknowledgement waits for an
//! `fdatasync`; failing syncs refuse writes, turn `/health` to 503 and never serve what
//! was refused. Last, torn writes as a power cut leaves them.
//!
//! `SCHEMAGATE_CRASH_CYCLES` (default 50) and `SCHEMAGATE_CRASH_SEED` (default: the
//! clock, printed) make a failing run repeatable.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use schemagate_e2e::ServerProcess;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Backend, record};
use serde_json::{Value, json};

/// Starts the binary on port 0 over `dir` and reads the bound address from its JSON
/// log. `Err` carries the log when the server exits (or hangs) before listening.
fn spawn(dir: &Path, store: &str) -> Result<ServerProcess, String> {
    ServerProcess::spawn(Path::new(env!("CARGO_BIN_EXE_schemagate-server")), |c| {
        c.env("SCHEMAGATE_DATA_DIR", dir)
            .env("SCHEMAGATE_STORE", store);
    })
}

/// xorshift64: deterministic from the seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn http_client() -> reqwest::Client {
    common::install_tls_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

const SUBJECTS: u64 = 6;
/// Half the registrations come from a small hot set (re-registrations, the same schema
/// in several subjects), half from a space large enough that most are new versions.
const HOT_SCHEMAS: u64 = 60;
const SCHEMAS: u64 = 1_000_000;
const WRITERS: u64 = 6;

fn subject(i: u64) -> String {
    format!("crash-{i}")
}

/// Schema `k`: distinct for every `k`.
fn schema(k: u64) -> String {
    record(
        &format!("R{k}"),
        &format!(r#"[{{"name":"f{}","type":"int"}}]"#, k % 3),
    )
}

/// What the test knows for sure, accumulated over cycles.
#[derive(Default)]
struct Model {
    /// Acknowledged: schema index -> the id the server answered (same in every subject).
    schema_id: HashMap<u64, u64>,
    /// Acknowledged (subject, schema index) pairs; `fresh` are those not yet verified.
    acked: BTreeSet<(String, u64)>,
    fresh: BTreeSet<(String, u64)>,
    /// Observed after restarts: (subject, id) -> version; never changes.
    version_of: HashMap<(String, u64), u64>,
    /// Observed: id -> stored schema text; never changes.
    text_of: HashMap<u64, String>,
    /// Every (subject, version, id) seen after the previous restart.
    seen: BTreeSet<(String, u64, u64)>,
}

impl Model {
    fn ack(&mut self, subject: String, k: u64, id: u64) {
        let known = *self.schema_id.entry(k).or_insert(id);
        assert_eq!(
            known, id,
            "schema {k} acknowledged with id {id} in {subject}, earlier with {known}"
        );
        if self.acked.insert((subject.clone(), k)) {
            self.fresh.insert((subject, k));
        }
    }
}

async fn get(client: &reqwest::Client, url: String) -> (u16, Value) {
    let r = client.get(&url).send().await.expect("GET after restart");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Checks the restarted store against everything known so far.
async fn verify(client: &reqwest::Client, base: &str, model: &mut Model, rng: &mut Rng) {
    // Every page: an answer holds at most 1000 schemas, as Confluent's.
    let mut all = Vec::new();
    loop {
        let url = format!("{base}/schemas?offset={}&limit=1000", all.len());
        let (status, page) = get(client, url).await;
        assert_eq!(status, 200, "{page}");
        let page = page.as_array().expect("array").clone();
        let last = page.len() < 1000;
        all.extend(page);
        if last {
            break;
        }
    }
    let mut by_subject: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut id_of_text: HashMap<String, u64> = HashMap::new();
    let mut now = BTreeSet::new();
    for e in &all {
        let s = e["subject"].as_str().expect("subject").to_owned();
        let v = e["version"].as_u64().expect("version");
        let id = e["id"].as_u64().expect("id");
        let text = e["schema"].as_str().expect("schema").to_owned();
        let known = model.text_of.entry(id).or_insert_with(|| text.clone());
        assert_eq!(*known, text, "id {id} changed its schema");
        let other = *id_of_text.entry(text.clone()).or_insert(id);
        assert_eq!(other, id, "schema {text} has two ids: {other} and {id}");
        let known_v = *model.version_of.entry((s.clone(), id)).or_insert(v);
        assert_eq!(
            known_v, v,
            "{s}: id {id} moved from version {known_v} to {v}"
        );
        by_subject.entry(s.clone()).or_default().push(v);
        now.insert((s, v, id));
    }
    let lost: Vec<_> = model.seen.difference(&now).collect();
    assert!(
        lost.is_empty(),
        "versions vanished after a restart: {lost:?}"
    );
    model.seen = now;

    for (s, versions) in &mut by_subject {
        versions.sort_unstable();
        let dense: Vec<u64> = (1..=versions.len() as u64).collect();
        assert_eq!(*versions, dense, "{s}: versions not dense");
        let (status, listed) = get(client, format!("{base}/subjects/{s}/versions")).await;
        assert_eq!(status, 200);
        assert_eq!(
            listed,
            json!(versions),
            "{s}: listing disagrees with /schemas"
        );
    }
    let (_, subjects) = get(client, format!("{base}/subjects")).await;
    let subjects: BTreeSet<String> = serde_json::from_value(subjects).expect("subject list");
    assert_eq!(
        subjects,
        by_subject.keys().cloned().collect::<BTreeSet<_>>()
    );

    // Every acknowledged registration is there; the new ones, and a sample of the old
    // ones, through the endpoints clients use.
    let fresh = std::mem::take(&mut model.fresh);
    for (s, k) in &model.acked {
        let id = model.schema_id[k];
        let Some(&v) = model.version_of.get(&(s.clone(), id)) else {
            panic!("acknowledged registration of schema {k} (id {id}) in {s} is lost");
        };
        if !fresh.contains(&(s.clone(), *k)) && rng.below(20) != 0 {
            continue;
        }
        let (status, body) = get(client, format!("{base}/subjects/{s}/versions/{v}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["id"], id, "{s} v{v}: {body}");
        assert_eq!(body["version"], v);
        assert_eq!(body["schema"], model.text_of[&id].as_str());
        let (status, body) = get(client, format!("{base}/schemas/ids/{id}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["schema"], model.text_of[&id].as_str());
    }
    let (status, config) = get(client, format!("{base}/config")).await;
    assert_eq!(status, 200);
    if model.acked.is_empty() {
        return;
    }
    assert_eq!(
        config["compatibilityLevel"], "NONE",
        "acknowledged PUT /config"
    );
}

/// Registers random schemas in random subjects until the server goes away.
async fn writer(client: reqwest::Client, base: String, mut rng: Rng, acks: Acks) -> Vec<String> {
    let mut unexpected = Vec::new();
    loop {
        let s = subject(rng.below(SUBJECTS));
        let k = if rng.below(2) == 0 {
            rng.below(HOT_SCHEMAS)
        } else {
            rng.below(SCHEMAS)
        };
        let Ok(r) = client
            .post(format!("{base}/subjects/{s}/versions"))
            .header("content-type", "application/vnd.schemaregistry.v1+json")
            .body(json!({ "schema": schema(k) }).to_string())
            .send()
            .await
        else {
            return unexpected;
        };
        let status = r.status().as_u16();
        let Ok(text) = r.text().await else {
            return unexpected;
        };
        // Only a complete 200 with an id is an acknowledgement.
        match serde_json::from_str::<Value>(&text).map(|v| v["id"].as_u64()) {
            Ok(Some(id)) if status == 200 => acks.lock().unwrap().push((s, k, id)),
            _ => unexpected.push(format!("{status} {text}")),
        }
    }
}

/// The seed of a randomised test: `SCHEMAGATE_CRASH_SEED`, else the clock; printed so
/// that a failing run can be repeated.
fn seeded(test: &str, cycles: u64) -> Rng {
    let seed = env_u64("SCHEMAGATE_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
    }) | 1;
    eprintln!("{test}: {cycles} cycles, SCHEMAGATE_CRASH_SEED={seed}");
    Rng(seed)
}

type Acks = Arc<Mutex<Vec<(String, u64, u64)>>>;

/// `n` [`writer`]s against `base`, each with a seed of its own.
fn spawn_writers(
    rt: &tokio::runtime::Runtime,
    client: &reqwest::Client,
    base: &str,
    rng: &mut Rng,
    n: u64,
    acks: &Acks,
) -> Vec<tokio::task::JoinHandle<Vec<String>>> {
    (0..n)
        .map(|_| {
            rt.spawn(writer(
                client.clone(),
                base.to_owned(),
                Rng(rng.next() | 1),
                Arc::clone(acks),
            ))
        })
        .collect()
}

/// Waits for writers whose server was killed; none may have had an answer other than
/// an acknowledgement.
fn join_writers(rt: &tokio::runtime::Runtime, writers: Vec<tokio::task::JoinHandle<Vec<String>>>) {
    for w in writers {
        let unexpected = rt.block_on(w).expect("writer task");
        assert!(unexpected.is_empty(), "unexpected answers: {unexpected:?}");
    }
}

#[test]
fn acknowledged_registrations_survive_kill_9_at_random_moments_sled() {
    kill_9_cycles(Backend::Sled, 50);
}

/// The database survives on its own; what is at stake is the server's side: no
/// acknowledgement before the commit, and no id reused after a kill mid-transaction.
#[test]
fn acknowledged_registrations_survive_kill_9_at_random_moments_postgres() {
    if common::available(Backend::Postgres) {
        kill_9_cycles(Backend::Postgres, 30);
    }
}

fn kill_9_cycles(backend: Backend, default_cycles: u64) {
    let cycles = env_u64("SCHEMAGATE_CRASH_CYCLES").unwrap_or(default_cycles);
    let mut rng = seeded("crash test", cycles);
    let rt = runtime();
    let client = http_client();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = common::store_arg(&common::store_on(backend, dir.path()));
    let mut model = Model::default();
    let started = Instant::now();
    let mut total_acks = 0;

    for cycle in 0..cycles {
        let proc = spawn(&data, &store)
            .unwrap_or_else(|log| panic!("cycle {cycle}: store did not open cleanly: {log}"));
        let base = proc.url.clone();
        rt.block_on(verify(&client, &base, &mut model, &mut rng));
        if cycle == 0 {
            let status = rt.block_on(async {
                client
                    .put(format!("{base}/config"))
                    .body(json!({"compatibility": "NONE"}).to_string())
                    .send()
                    .await
                    .unwrap()
                    .status()
            });
            assert_eq!(status, 200);
        }

        let acks = Arc::new(Mutex::new(Vec::new()));
        let writers = spawn_writers(&rt, &client, &base, &mut rng, WRITERS, &acks);
        // Sometimes right away, sometimes after a few hundred registrations.
        std::thread::sleep(Duration::from_millis(5 + rng.below(400)));
        proc.kill_9();
        join_writers(&rt, writers);
        let acks = std::mem::take(&mut *acks.lock().unwrap());
        total_acks += acks.len();
        for (s, k, id) in acks {
            model.ack(s, k, id);
        }
    }
    // A last restart checks the final cycle's acknowledgements.
    let proc = spawn(&data, &store).unwrap_or_else(|log| panic!("final restart: {log}"));
    rt.block_on(verify(&client, &proc.url, &mut model, &mut rng));
    eprintln!(
        "{cycles} kill -9 cycles in {:.1} s: {total_acks} acknowledged registrations, {} distinct, {} versions stored",
        started.elapsed().as_secs_f64(),
        model.acked.len(),
        model.seen.len()
    );
    assert!(
        model.acked.len() >= cycles as usize,
        "too few acknowledged writes to mean anything"
    );
}

// ----- torn writes -----
//
// `kill -9` cannot tear a write: whatever the process handed to the kernel survives.
// A power cut can: the writes since the last fsync reach the disk partly, in any
// prefix or with junk where a sector was half-written. sled offers no hook to inject
// that (its `failpoints` feature is for its own test suite), so the test does it from
// outside, on copies of the directory: P = the files of a running, idle server after
// registrations A were acknowledged (and its start-up recovery, which writes and
// fsyncs a snapshot, had finished); Q = the files after one more registration C was
// acknowledged and the server killed. Every byte that differs between P and Q was
// written for C after A was durable, so any mixture "Q up to an offset, P after it
// (or junk)" is a state a power cut during C could leave. From each, the server must either start with all of A (and C whole
// or absent), or refuse to start with an error; never start without A.

type Files = BTreeMap<std::path::PathBuf, Vec<u8>>;

fn snapshot(dir: &Path) -> Files {
    let mut out = Files::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // Empty directories (sled's `blobs`) matter too: an empty marker.
                let rel = path.strip_prefix(dir).unwrap().join("");
                out.entry(rel).or_default();
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn restore(dir: &Path, files: &Files) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if rel.as_os_str().to_string_lossy().ends_with('/') {
            std::fs::create_dir_all(path).unwrap();
            continue;
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Q's bytes up to the point `frac` of the way through the bytes that differ from P,
/// P's after it; with `junk`, 512 bytes of junk at the tear.
fn tear(p: &Files, q: &Files, frac: f64, junk: bool) -> Files {
    let mut out = Files::new();
    let empty = Vec::new();
    for rel in p.keys().chain(q.keys()) {
        let old = p.get(rel).unwrap_or(&empty);
        let Some(new) = q.get(rel) else {
            out.insert(rel.clone(), old.clone());
            continue;
        };
        if !p.contains_key(rel) {
            // sled creates files whole (snapshots are written aside, synced, renamed).
            if frac >= 1.0 {
                out.insert(rel.clone(), new.clone());
            }
            continue;
        }
        let len = old.len().max(new.len());
        let diffs: Vec<usize> = (0..len).filter(|&i| old.get(i) != new.get(i)).collect();
        if diffs.is_empty() {
            out.insert(rel.clone(), new.clone());
            continue;
        }
        let cut = if frac >= 1.0 {
            len
        } else {
            diffs[(diffs.len() as f64 * frac) as usize]
        };
        let mut bytes = new[..cut.min(new.len())].to_vec();
        if old.len() > cut {
            bytes.extend_from_slice(&old[cut..]);
        }
        if junk {
            let end = (cut + 512).min(bytes.len());
            for b in &mut bytes[cut.min(end)..end] {
                *b = 0xA5;
            }
        }
        out.insert(rel.clone(), bytes);
    }
    out
}

/// (subject, version, id, schema) of every version the server holds.
async fn all_versions(
    client: &reqwest::Client,
    base: &str,
) -> BTreeSet<(String, u64, u64, String)> {
    let (status, all) = get(client, format!("{base}/schemas")).await;
    assert_eq!(status, 200, "{all}");
    all.as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["subject"].as_str().unwrap().to_owned(),
                e["version"].as_u64().unwrap(),
                e["id"].as_u64().unwrap(),
                e["schema"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The answer to registering schema `k` under `subject`.
async fn post_schema(
    client: &reqwest::Client,
    base: &str,
    subject: &str,
    k: u64,
) -> reqwest::Response {
    post_body(client, base, subject, json!({ "schema": schema(k) })).await
}

/// The answer to registering `body` under `subject`.
async fn post_body(
    client: &reqwest::Client,
    base: &str,
    subject: &str,
    body: Value,
) -> reqwest::Response {
    client
        .post(format!("{base}/subjects/{subject}/versions"))
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

/// Schema `k` with a data contract of its own (metadata and rules naming `k`).
fn with_contract(k: u64) -> Value {
    json!({
        "schema": schema(k),
        "metadata": {"properties": {"owner": format!("team-{k}")}, "tags": {"f": ["PII"]}},
        "ruleSet": {"domainRules": [{"name": format!("rule-{k}"), "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}]}
    })
}

/// The GUID of [`with_contract`]`(k)` stored as `text` (the schema's text as the
/// server answers it), as Confluent computes it.
fn guid_with_contract(text: &str, k: u64) -> String {
    use schemagate_core::contract::{Metadata, RuleSet, guid};
    let body = with_contract(k);
    let metadata: Metadata = serde_json::from_value(body["metadata"].clone()).unwrap();
    let rules: RuleSet = serde_json::from_value(body["ruleSet"].clone()).unwrap();
    guid(text, [], Some(&metadata), Some(&rules))
}

async fn register(client: &reqwest::Client, base: &str, subject: &str, k: u64) -> u64 {
    let r = post_schema(client, base, subject, k).await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["id"].as_u64().unwrap()
}

#[test]
fn torn_writes_after_the_last_acknowledgement_never_lose_acknowledged_data() {
    let rt = runtime();
    let client = http_client();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    // A: acknowledged, then the server dies.
    let proc = spawn(&data, "sled").expect("starts");
    let a = rt.block_on(async {
        let status = client
            .put(format!("{}/config", proc.url))
            .body(json!({"compatibility": "NONE"}).to_string())
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
        for k in 0..40 {
            register(&client, &proc.url, &subject(k % 4), k).await;
        }
        all_versions(&client, &proc.url).await
    });
    assert_eq!(a.len(), 40);
    proc.kill_9();

    // Restarted (recovery done) and idle: P. Then C, acknowledged, and kill -9: Q.
    let proc = spawn(&data, "sled").expect("restarts");
    assert_eq!(rt.block_on(all_versions(&client, &proc.url)), a);
    // Past sled's background flush interval (500 ms), so nothing is pending.
    std::thread::sleep(Duration::from_millis(1500));
    let p = snapshot(&data);
    let c_id = rt.block_on(register(&client, &proc.url, "torn", 1_000));
    proc.kill_9();
    let q = snapshot(&data);
    let changed: usize = q
        .iter()
        .map(|(rel, new)| {
            let old = p.get(rel).map_or(&[][..], |v| v.as_slice());
            (0..old.len().max(new.len()))
                .filter(|&i| old.get(i) != new.get(i))
                .count()
        })
        .sum();
    eprintln!("torn writes: {changed} bytes changed between P and Q");
    for (name, files) in [("P", &p), ("Q", &q)] {
        let sizes: Vec<_> = files
            .iter()
            .map(|(r, b)| (r.display().to_string(), b.len()))
            .collect();
        eprintln!("{name}: {sizes:?}");
    }
    assert!(changed > 0);

    let mut refused = 0;
    let mut with_c = 0;
    for frac in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0] {
        for junk in [false, true] {
            if frac == 1.0 && junk {
                continue;
            }
            restore(&data, &tear(&p, &q, frac, junk));
            let proc = match spawn(&data, "sled") {
                Ok(proc) => proc,
                Err(log) => {
                    // Refusing is allowed; it must say why, not crash silently.
                    assert!(
                        log.contains("could not start") || log.contains("store"),
                        "tear at {frac} (junk {junk}): no clear error: {log}"
                    );
                    eprintln!("tear at {frac} (junk {junk}) refused: {log}");
                    refused += 1;
                    continue;
                }
            };
            let now = rt.block_on(all_versions(&client, &proc.url));
            let lost: Vec<_> = a.difference(&now).collect();
            assert!(
                lost.is_empty(),
                "tear at {frac} (junk {junk}): acknowledged versions lost: {lost:?}"
            );
            let extra: Vec<_> = now.difference(&a).collect();
            match extra.as_slice() {
                [] => {}
                [(s, 1, id, _)] if s == "torn" && *id == c_id => with_c += 1,
                other => panic!("tear at {frac} (junk {junk}): unexpected versions {other:?}"),
            }
            if frac == 1.0 {
                assert_eq!(extra.len(), 1, "the untorn state holds C");
            }
            // Still writable after recovery.
            rt.block_on(register(&client, &proc.url, "after", 2_000));
            drop(proc);
        }
    }
    eprintln!("torn writes: 15 states, {refused} refused to start, {with_c} kept C");
}

// ----- what clients were shown, what reaches the disk, what a failing disk does -----
//
// These run the server under `strace` (attached to the running process), which delays
// or fails the sync calls of the store: a disk slower or worse than the test machine's.

/// `strace` attached to a running server; detached (SIGTERM) when dropped. Its output
/// goes to a file, read back by [`Strace::calls`].
struct Strace {
    child: Child,
    out: std::path::PathBuf,
}

impl Strace {
    /// Attaches to every thread of `pid` with `expr` (strace `-e` arguments). `None`
    /// when strace is missing, after saying so; `SCHEMAGATE_REQUIRE_STRACE` (set by
    /// `.ci/run`) turns that into a failure.
    fn attach(pid: u32, expr: &[&str], out: &Path) -> Option<Strace> {
        let found = Command::new("strace")
            .arg("-V")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            assert!(
                std::env::var_os("SCHEMAGATE_REQUIRE_STRACE").is_none(),
                "SCHEMAGATE_REQUIRE_STRACE is set but strace is not installed"
            );
            eprintln!(
                "\n*** SKIPPED: strace is not installed, so the disk-fault tests did not run \
                 (apt-get install strace)\n"
            );
            return None;
        }
        let mut cmd = Command::new("strace");
        cmd.args(["-f", "-qq", "-o"]).arg(out);
        for e in expr {
            cmd.args(["-e", e]);
        }
        let child = cmd
            .args(["-p", &pid.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("strace starts");
        // Attached once every thread has a tracer.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let traced = std::fs::read_dir(format!("/proc/{pid}/task"))
                .expect("the server runs")
                .all(|t| {
                    let status = std::fs::read_to_string(t.unwrap().path().join("status"))
                        .unwrap_or_default();
                    status
                        .lines()
                        .any(|l| l.starts_with("TracerPid:") && l.trim_end() != "TracerPid:\t0")
                });
            if traced {
                break;
            }
            assert!(Instant::now() < deadline, "strace did not attach to {pid}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Strace {
            child,
            out: out.to_path_buf(),
        })
    }

    /// Detaches, then the traced calls of `name` that returned 0.
    fn calls(mut self, name: &str) -> usize {
        self.detach();
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        let needle = format!("{name}(");
        text.lines()
            .filter(|l| l.contains(&needle) && l.trim_end().ends_with("= 0"))
            .count()
    }

    fn detach(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Strace {
    fn drop(&mut self) {
        self.detach();
    }
}

/// Every id any client was shown, with the record name of its schema (each schema of
/// these tests has a name of its own); an id must never show another schema.
#[derive(Default)]
struct Shown(HashMap<u64, String>);

impl Shown {
    /// `text` is a schema as served; `how` says where it was seen.
    fn saw(&mut self, id: u64, text: &str, how: &str) {
        let name = name_of(text);
        let known = self.0.entry(id).or_insert_with(|| name.clone());
        assert_eq!(
            *known, name,
            "id {id} was shown as one schema, then ({how}) as another"
        );
    }
}

/// The record name of a schema text.
fn name_of(text: &str) -> String {
    let schema: Value = serde_json::from_str(text).expect("a schema is JSON");
    schema["name"].as_str().expect("a named record").to_owned()
}

/// The JSON answer to `request`; `None` once the server is gone.
async fn answer(request: reqwest::RequestBuilder) -> Option<Value> {
    request.send().await.ok()?.json().await.ok()
}

/// Reads what writers have just made, as producers and consumers do: the newest version,
/// lookups, and the ids just above the highest one seen (a consumer meeting a new id).
async fn reader(client: reqwest::Client, base: String, mut rng: Rng, shown: Arc<Mutex<Shown>>) {
    let mut highest = 0;
    loop {
        let s = subject(rng.below(SUBJECTS));
        let latest = client.get(format!("{base}/subjects/{s}/versions/latest"));
        let Some(body) = answer(latest).await else {
            return;
        };
        if let (Some(id), Some(text)) = (body["id"].as_u64(), body["schema"].as_str()) {
            shown.lock().unwrap().saw(id, text, "versions/latest");
            highest = highest.max(id);
            // Looked up as a producer does at start.
            let lookup = client
                .post(format!("{base}/subjects/{s}"))
                .body(json!({ "schema": text }).to_string());
            let Some(found) = answer(lookup).await else {
                return;
            };
            if let (Some(id), Some(text)) = (found["id"].as_u64(), found["schema"].as_str()) {
                shown.lock().unwrap().saw(id, text, "lookup");
            }
        }
        for id in highest + 1..highest + 4 {
            let Some(body) = answer(client.get(format!("{base}/schemas/ids/{id}"))).await else {
                return;
            };
            if let Some(text) = body["schema"].as_str() {
                shown.lock().unwrap().saw(id, text, "schemas/ids");
                highest = highest.max(id);
            }
        }
    }
}

/// The promise for ids clients were merely shown, not only for acknowledged ones: with
/// the disk slowed (every sync call delayed 150 ms, so the window between a commit and
/// its flush is wide) and `kill -9` at random moments, an id once shown
/// names the same schema after every restart, or nothing, and no later registration
/// takes it for other content.
#[test]
fn ids_shown_to_readers_keep_their_schema_across_kill_9_with_a_slow_disk() {
    let cycles = env_u64("SCHEMAGATE_CRASH_CYCLES").map_or(20, |c| c.min(20));
    let mut rng = seeded("shown-ids test", cycles);
    let rt = runtime();
    let client = http_client();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let shown = Arc::new(Mutex::new(Shown::default()));
    let mut writes = 0;
    for cycle in 0..cycles {
        let proc = spawn(&data, "sled").unwrap_or_else(|log| panic!("cycle {cycle}: {log}"));
        let base = proc.url.clone();
        // Every id shown so far: the same schema, or nothing.
        let known: Vec<(u64, String)> = shown
            .lock()
            .unwrap()
            .0
            .iter()
            .map(|(id, t)| (*id, t.clone()))
            .collect();
        rt.block_on(async {
            if cycle == 0 {
                let r = client
                    .put(format!("{base}/config"))
                    .body(json!({"compatibility": "NONE"}).to_string())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
            for (id, name) in &known {
                let (status, body) = get(&client, format!("{base}/schemas/ids/{id}")).await;
                match status {
                    200 => assert_eq!(
                        name_of(body["schema"].as_str().unwrap()),
                        *name,
                        "id {id} after restart"
                    ),
                    404 => assert_eq!(body["error_code"], 40403, "{body}"),
                    other => panic!("id {id} after restart: {other} {body}"),
                }
            }
        });
        let trace = dir.path().join(format!("strace-{cycle}"));
        let strace = Strace::attach(
            proc.child.id(),
            &[
                "trace=fsync,fdatasync,sync_file_range",
                "inject=fsync,fdatasync,sync_file_range:delay_enter=150000",
            ],
            &trace,
        );
        if strace.is_none() {
            return;
        }
        let acks = Arc::new(Mutex::new(Vec::new()));
        let writers = spawn_writers(&rt, &client, &base, &mut rng, 4, &acks);
        let readers: Vec<_> = (0..4)
            .map(|_| {
                rt.spawn(reader(
                    client.clone(),
                    base.clone(),
                    Rng(rng.next() | 1),
                    Arc::clone(&shown),
                ))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(100 + rng.below(900)));
        proc.kill_9();
        drop(strace);
        join_writers(&rt, writers);
        for r in readers {
            rt.block_on(r).expect("reader task");
        }
        let acks = std::mem::take(&mut *acks.lock().unwrap());
        writes += acks.len();
        let mut shown = shown.lock().unwrap();
        for (_, k, id) in acks {
            shown.saw(id, &schema(k), "registration");
        }
    }
    let proc = spawn(&data, "sled").expect("final restart");
    let shown = std::mem::take(&mut shown.lock().unwrap().0);
    rt.block_on(async {
        for (id, name) in &shown {
            let (status, body) = get(&client, format!("{}/schemas/ids/{id}", proc.url)).await;
            assert!(
                status == 404 || name_of(body["schema"].as_str().unwrap()) == *name,
                "id {id} after the last restart: {status} {body}"
            );
        }
    });
    eprintln!(
        "shown-ids test: {} ids shown, {writes} acknowledged registrations",
        shown.len()
    );
    assert!(
        shown.len() >= cycles as usize,
        "too few ids shown to mean anything"
    );
}

/// An acknowledgement means synced: sequential registrations each wait for an
/// `fdatasync` of the store's log, counted by strace on the running server.
#[test]
fn each_acknowledged_registration_waits_for_an_fdatasync() {
    let rt = runtime();
    let client = http_client();
    let dir = tempfile::tempdir().unwrap();
    let proc = spawn(&dir.path().join("data"), "sled").expect("starts");
    let Some(strace) = Strace::attach(
        proc.child.id(),
        &["trace=fsync,fdatasync"],
        &dir.path().join("strace"),
    ) else {
        return;
    };
    let registrations = 20;
    rt.block_on(async {
        for k in 0..registrations {
            register(&client, &proc.url, &format!("sync-{k}"), 10_000 + k).await;
        }
    });
    let syncs = strace.calls("fdatasync");
    eprintln!("{registrations} acknowledged registrations, {syncs} fdatasync calls");
    assert!(
        syncs >= registrations as usize,
        "{registrations} acknowledged registrations made only {syncs} fdatasync calls"
    );
}

/// A sled server that acknowledged one schema (`R1` in `disk-a`, id `a`) before
/// `strace` was attached to it with `expr`.
struct Faulty {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
    /// Holds the data directory for as long as the test runs.
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    proc: ServerProcess,
    base: String,
    a: u64,
    strace: Strace,
}

/// [`Faulty`], or `None` without strace (see [`Strace::attach`]).
fn faulty(expr: &[&str]) -> Option<Faulty> {
    let rt = runtime();
    let client = http_client();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let proc = spawn(&data, "sled").expect("starts");
    let base = proc.url.clone();
    let a = rt.block_on(register(&client, &base, "disk-a", 1));
    let strace = Strace::attach(proc.child.id(), expr, &dir.path().join("strace"))?;
    Some(Faulty {
        rt,
        client,
        _dir: dir,
        data,
        proc,
        base,
        a,
        strace,
    })
}

/// Registers `body` under `subject` on a server whose syncs fail: the answer must
/// come within five seconds with error code 50001, and `/health` be 503 after it.
/// Returns the answer's status.
async fn refused_promptly(client: &reqwest::Client, base: &str, subject: &str, body: Value) -> u16 {
    let started = Instant::now();
    let r = post_body(client, base, subject, body).await;
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], 50001, "{status} {body}");
    assert!(started.elapsed() < Duration::from_secs(5), "not prompt");
    let (status_after, body) = get(client, format!("{base}/health")).await;
    assert_eq!(status_after, 503, "{body}");
    status
}

/// A failing disk: with the store's syncs failing, a registration is refused promptly
/// with 50001, `/health` is 503, and the refused schema is never served, while what was
/// durable before is. Once the syncs work again, health and writes come back by
/// themselves, and after a restart the refused write is still absent.
#[test]
fn a_failing_fdatasync_refuses_writes_turns_health_503_and_serves_nothing_refused() {
    let Some(f) = faulty(&["trace=fdatasync", "inject=fdatasync:error=EIO"]) else {
        return;
    };
    // The temporary directory and the runtime stay in `f` for the whole test.
    let (client, base, a) = (&f.client, &f.base, f.a);
    // The refused registration is R1 (disk-a's schema, as served) with a data contract:
    // a schema of its own, whose GUID is indexed in the same commit and must be taken
    // back with it.
    let guid_b = f.rt.block_on(async {
        let (status, body) = get(client, format!("{base}/subjects/disk-a/versions/1")).await;
        assert_eq!(status, 200, "{body}");
        guid_with_contract(body["schema"].as_str().unwrap(), 1)
    });
    f.rt.block_on(async {
        let status = refused_promptly(client, base, "disk-b", with_contract(1)).await;
        assert_eq!(status, 500);
        let (_, body) = get(client, format!("{base}/health")).await;
        assert_eq!(body["status"], "DOWN");
        // The refused write is not served; what was durable before still is.
        let (status, body) = get(client, format!("{base}/subjects/disk-b/versions")).await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = get(client, format!("{base}/schemas/guids/{guid_b}")).await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = get(client, format!("{base}/schemas/ids/{a}")).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = get(client, format!("{base}/subjects")).await;
        assert_eq!(body, json!(["disk-a"]), "{status}");
        let r = post_schema(client, base, "disk-c", 3).await;
        assert_eq!(r.status(), 500);
    });
    drop(f.strace);
    let (d, guid_d) = f.rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (status, body) = get(client, format!("{base}/health")).await;
            if status == 200 {
                break;
            }
            assert!(Instant::now() < deadline, "health stays {status} {body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let r = post_body(client, base, "disk-d", with_contract(4)).await;
        assert_eq!(r.status(), 200);
        let answer: Value = r.json().await.unwrap();
        let text = answer["schema"].as_str().unwrap();
        assert_eq!(answer["guid"], guid_with_contract(text, 4), "{answer}");
        let (status, _) = get(client, format!("{base}/subjects/disk-b/versions")).await;
        assert_eq!(status, 404);
        let (status, _) = get(client, format!("{base}/schemas/guids/{guid_b}")).await;
        assert_eq!(status, 404);
        (
            answer["id"].as_u64().unwrap(),
            answer["guid"].as_str().unwrap().to_owned(),
        )
    });
    f.proc.kill_9();
    let proc = spawn(&f.data, "sled").expect("restarts");
    f.rt.block_on(async {
        let (_, subjects) = get(client, format!("{}/subjects", proc.url)).await;
        assert_eq!(subjects, json!(["disk-a", "disk-d"]));
        for (id, k) in [(a, 1), (d, 4)] {
            let (status, body) = get(client, format!("{}/schemas/ids/{id}", proc.url)).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(name_of(body["schema"].as_str().unwrap()), format!("R{k}"));
        }
        // The contract of the acknowledged write survives; the refused one's GUID stays gone.
        let (status, body) = get(client, format!("{}/subjects/disk-d/versions/1", proc.url)).await;
        assert_eq!(status, 200, "{body}");
        let sent = with_contract(4);
        assert_eq!(body["metadata"], sent["metadata"]);
        assert_eq!(body["ruleSet"]["domainRules"][0]["name"], "rule-4");
        let (status, body) = get(client, format!("{}/schemas/guids/{guid_d}/ids", proc.url)).await;
        assert_eq!((status, body), (200, json!([{"context": ".", "id": d}])));
        let (status, body) = get(client, format!("{}/schemas/guids/{guid_b}", proc.url)).await;
        assert_eq!(status, 404, "{body}");
    });
}

/// Every sync call failing, sled's own included: its log then stops for good. Writes
/// are refused promptly, `/health` is 503 and stays so, and the refused schema is never
/// served, until a restart recovers what was durable.
#[test]
fn with_every_sync_failing_writes_are_refused_and_nothing_refused_is_served() {
    let Some(f) = faulty(&[
        "trace=fsync,fdatasync,sync_file_range",
        "inject=fsync,fdatasync,sync_file_range:error=EIO",
    ]) else {
        return;
    };
    // The temporary directory and the runtime stay in `f` for the whole test.
    let (client, base, a) = (&f.client, &f.base, f.a);
    f.rt.block_on(async {
        for (subject, k) in [("disk-b", 2), ("disk-c", 3)] {
            let status =
                refused_promptly(client, base, subject, json!({ "schema": schema(k) })).await;
            assert!(status >= 500, "{status}");
            for path in [
                format!("/subjects/{subject}/versions"),
                format!("/subjects/{subject}/versions/latest"),
                "/schemas".to_owned(),
            ] {
                let (status, body) = get(client, format!("{base}{path}")).await;
                assert!(
                    status != 200 || !body.to_string().contains(&format!("R{k}")),
                    "{path} serves the refused write: {body}"
                );
            }
        }
    });
    drop(f.strace);
    f.proc.kill_9();
    let proc = spawn(&f.data, "sled").expect("restarts");
    f.rt.block_on(async {
        let (status, body) = get(client, format!("{}/schemas/ids/{a}", proc.url)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(name_of(body["schema"].as_str().unwrap()), "R1");
        let (status, _) = get(client, format!("{}/health", proc.url)).await;
        assert_eq!(status, 200);
    });
}

/// The DEK registry's writes are acknowledged only once durable, as registrations are:
/// with the store's syncs failing, a new KEK, a new DEK and a soft delete are refused
/// with 50001 and never served (the undo journal takes them back); once the disk has
/// recovered, what was acknowledged survives `kill -9` and the refused writes stay
/// absent.
#[test]
fn dek_registry_writes_are_refused_when_not_durable_and_survive_kill_9_when_acknowledged() {
    let rt = runtime();
    let client = http_client();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let proc = spawn(&data, "sled").expect("starts");
    let base = proc.url.clone();
    let keks = format!("{base}/dek-registry/v1/keks");
    let send = |r: reqwest::RequestBuilder| async move {
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        (status, body)
    };
    let kek = |name: &str| json!({"name": name, "kmsType": "local-kms", "kmsKeyId": "k"});
    let dek = json!({"encryptedKeyMaterial": "d3JhcHBlZA=="});
    let acknowledged = rt.block_on(async {
        let (status, _) = send(client.post(&keks).json(&kek("acked"))).await;
        assert_eq!(status, 200);
        let (status, body) = send(client.post(format!("{keks}/acked/deks/s1")).json(&dek)).await;
        assert_eq!(status, 200, "{body}");
        body
    });
    let Some(strace) = Strace::attach(
        proc.child.id(),
        &["trace=fdatasync", "inject=fdatasync:error=EIO"],
        &dir.path().join("strace"),
    ) else {
        return;
    };
    rt.block_on(async {
        for (what, request) in [
            ("a KEK", client.post(&keks).json(&kek("refused"))),
            (
                "a DEK",
                client.post(format!("{keks}/acked/deks/s2")).json(&dek),
            ),
            (
                "a soft delete",
                client.delete(format!("{keks}/acked/deks/s1")),
            ),
        ] {
            let (status, body) = send(request).await;
            assert_eq!(
                (status, &body["error_code"]),
                (500, &json!(50001)),
                "{what}: {body}"
            );
        }
        let (status, _) = get(&client, format!("{base}/health")).await;
        assert_eq!(status, 503);
        let (status, body) = get(&client, format!("{keks}/refused?deleted=true")).await;
        assert_eq!(status, 404, "a refused KEK is served: {body}");
        let (status, body) = get(&client, format!("{keks}/acked/deks/s2")).await;
        assert_eq!(status, 404, "a refused DEK is served: {body}");
        let (status, body) = get(&client, format!("{keks}/acked/deks/s1")).await;
        assert_eq!(
            (status, &body),
            (200, &acknowledged),
            "a refused delete is served"
        );
    });
    drop(strace);
    // Once the disk works again the store recovers by itself (a good flush, which also
    // makes the taking back durable); a crash after that must not bring back what was
    // refused.
    rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (status, body) = get(&client, format!("{base}/health")).await;
            if status == 200 {
                break;
            }
            assert!(Instant::now() < deadline, "health stays {status} {body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    proc.kill_9();
    let proc = spawn(&data, "sled").expect("restarts");
    rt.block_on(async {
        let keks = format!("{}/dek-registry/v1/keks", proc.url);
        let (_, names) = get(&client, format!("{keks}?deleted=true")).await;
        assert_eq!(names, json!(["acked"]));
        let (status, body) = get(&client, format!("{keks}/acked/deks/s1")).await;
        assert_eq!((status, &body), (200, &acknowledged));
        let (_, subjects) = get(&client, format!("{keks}/acked/deks?deleted=true")).await;
        assert_eq!(subjects, json!(["s1"]));
    });
}
