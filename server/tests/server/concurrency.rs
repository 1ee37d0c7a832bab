//! Soak: 32 writers and 64 readers on overlapping subjects against one in-process
//! server. Invariants: every schema gets exactly one id (whichever subjects and writers
//! register it), each subject holds a schema at most once, versions are dense and
//! ordered at every moment, and no reader ever sees a version whose id does not
//! resolve, or whose data contract and GUID are not its id's.
//!
//! Duration: `SCHEMAGATE_SOAK_SECS` (the issue asks for 30 s; the default is 8 s so
//! that `cargo test` stays quick on a 2-core runner — CI can set 30).
//!
//! Also: registrations racing soft-then-permanent deletes of the version they reference
//! never commit a reference to a missing version (issue 15, item 4).

use crate::common;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestServer, record};
use serde_json::{Value, json};

const WRITERS: u64 = 32;
const READERS: u64 = 64;
const SUBJECTS: u64 = 8;
const HOT_SCHEMAS: u64 = 40;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x % n
    }
}

fn subject(i: u64) -> String {
    format!("soak-{i}")
}

fn schema(k: u64) -> String {
    record(&format!("S{k}"), r#"[{"name":"a","type":"long"}]"#)
}

/// Schema `k` with a data contract naming `k`: every registration gives one, so none
/// inherits another's and each schema keeps one identity (and id) in every subject.
fn with_contract(k: u64) -> Value {
    json!({
        "schema": schema(k),
        "metadata": {"properties": {"schema": k.to_string()}},
        "ruleSet": {"domainRules": [{"name": format!("r{}", k % 4), "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "message.a > 0"}]}
    })
}

async fn get(s: &TestServer, path: &str) -> (u16, Value) {
    let r = s.client.get(s.url(path)).send().await.expect("GET");
    let status = r.status().as_u16();
    let body = r.json().await.expect("JSON body");
    (status, body)
}

/// Registers until the deadline; returns (subject, schema index, id) of every answer.
async fn writer(s: Arc<TestServer>, mut rng: Rng, until: Instant) -> Vec<(String, u64, u64)> {
    let mut acks = Vec::new();
    let mut n = 0;
    while Instant::now() < until {
        let subj = subject(rng.below(SUBJECTS));
        // Mostly a hot set, so the same schema races into several subjects at once.
        let k = if rng.below(4) == 0 {
            HOT_SCHEMAS + rng.below(1_000_000)
        } else {
            rng.below(HOT_SCHEMAS)
        };
        n += 1;
        let a = if n % 5 == 0 {
            // Lookup of something this writer registered: must be there.
            if let Some((ls, lk, lid)) = acks.get(rng.below(acks.len().max(1) as u64) as usize) {
                let a = s.post(&format!("/subjects/{ls}"), with_contract(*lk)).await;
                assert_eq!(
                    a.status, 200,
                    "lookup of acknowledged {ls}/{lk}: {}",
                    a.text
                );
                assert_eq!(a.body["id"], *lid);
                assert_eq!(a.body["metadata"]["properties"]["schema"], lk.to_string());
            }
            continue;
        } else {
            s.post(&format!("/subjects/{subj}/versions"), with_contract(k))
                .await
        };
        assert_eq!(a.status, 200, "register {subj}: {}", a.text);
        acks.push((subj, k, a.body["id"].as_u64().expect("id")));
    }
    acks
}

/// Reads until the deadline, checking what every single answer may show.
async fn reader(s: Arc<TestServer>, mut rng: Rng, until: Instant) -> u64 {
    let mut reads = 0;
    let mut seen_len: HashMap<String, usize> = HashMap::new();
    let mut text_of: HashMap<u64, String> = HashMap::new();
    while Instant::now() < until {
        let subj = subject(rng.below(SUBJECTS));
        let (status, versions) = get(&s, &format!("/subjects/{subj}/versions")).await;
        reads += 1;
        if status == 404 {
            assert_eq!(versions["error_code"], 40401, "{versions}");
            assert!(
                !seen_len.contains_key(&subj),
                "{subj} disappeared after being seen"
            );
            continue;
        }
        assert_eq!(status, 200, "{versions}");
        let versions: Vec<u64> = serde_json::from_value(versions).expect("version list");
        let dense: Vec<u64> = (1..=versions.len() as u64).collect();
        assert_eq!(versions, dense, "{subj}: versions not dense and ordered");
        let before = seen_len.insert(subj.clone(), versions.len()).unwrap_or(0);
        assert!(
            versions.len() >= before,
            "{subj} shrank from {before} to {} versions",
            versions.len()
        );

        let v = if rng.below(3) == 0 {
            "latest".to_owned()
        } else {
            (1 + rng.below(versions.len() as u64)).to_string()
        };
        let (status, body) = get(&s, &format!("/subjects/{subj}/versions/{v}")).await;
        reads += 1;
        assert_eq!(status, 200, "{subj} version {v}: {body}");
        let id = body["id"].as_u64().expect("id");
        let text = body["schema"].as_str().expect("schema").to_owned();
        if v == "latest" {
            assert!(body["version"].as_u64().unwrap() >= versions.len() as u64);
        }
        let (status, by_id) = get(&s, &format!("/schemas/ids/{id}")).await;
        reads += 1;
        assert_eq!(
            status, 200,
            "{subj} v{v} shows id {id}, which does not resolve"
        );
        assert_eq!(by_id["schema"], text.as_str(), "id {id}");
        // The contract and GUID of the version are those of its id.
        assert_eq!(by_id["metadata"], body["metadata"], "id {id}");
        assert_eq!(by_id["ruleSet"], body["ruleSet"], "id {id}");
        assert_eq!(by_id["guid"], body["guid"], "id {id}");
        let known = text_of.entry(id).or_insert(text.clone());
        assert_eq!(*known, text, "id {id} changed its schema");
    }
    reads
}

/// A record with `fields` string fields and one field of the referenced type
/// `shop.{referenced}`: large enough that parsing it takes a while.
fn big_referrer(name: &str, referenced: &str, fields: usize) -> String {
    let mut list: Vec<String> = (0..fields)
        .map(|i| format!(r#"{{"name":"f{i}","type":"string"}}"#))
        .collect();
    list.push(format!(r#"{{"name":"ref","type":"shop.{referenced}"}}"#));
    record(name, &format!("[{}]", list.join(",")))
}

/// Registers `schema` under `subject` with one reference to version 1 of `referenced`
/// (whose record is `shop.{record_name}`); returns status and body.
async fn register_referrer(
    s: &TestServer,
    subject: &str,
    schema: &str,
    referenced: &str,
    record_name: &str,
) -> (u16, Value) {
    let a = s
        .post(
            &format!("/subjects/{subject}/versions"),
            json!({
                "schema": schema,
                "references": [{"name": format!("shop.{record_name}"), "subject": referenced, "version": 1}],
            }),
        )
        .await;
    (a.status, a.body)
}

on_each_store! {
    /// Item 4 of issue 15: a registration resolves its references before taking the
    /// writer lock (parsing is slow), so a soft-then-permanent delete of the referenced
    /// version can run in between. Whatever the interleaving, either the registration
    /// is refused (the reference no longer resolves) or it commits first and the delete
    /// is refused with 42206; no stored schema references a missing version.
    #[test(flavor = "multi_thread", worker_threads = 4)]
    async fn item4_references_are_rechecked_under_the_writer_lock() {
        const FIELDS: usize = 4000;
        const ROUNDS: u32 = 16;
        let s = Arc::new(TestServer::start().await);
        // How long a registration of such a schema takes here, to spread the deletes
        // over that window (debug or release build, loaded machine or not).
        s.register_ok("base-probe", &record("Probe", "[]")).await;
        let started = Instant::now();
        let (status, body) = register_referrer(
            &s,
            "referrer-probe",
            &big_referrer("ReferrerProbe", "Probe", FIELDS),
            "base-probe",
            "Probe",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let window = started.elapsed();

        let (mut refused, mut refused_under_lock, mut protected) = (0, 0, 0);
        for round in 0..ROUNDS {
            let (base, referrer) = (format!("base-{round}"), format!("referrer-{round}"));
            let record_name = format!("B{round}");
            s.register_ok(&base, &record(&record_name, "[]")).await;
            let schema = big_referrer(&format!("R{round}"), &record_name, FIELDS);
            let registration = {
                let (s, referrer, base, record_name) =
                    (Arc::clone(&s), referrer.clone(), base.clone(), record_name.clone());
                tokio::spawn(async move {
                    register_referrer(&s, &referrer, &schema, &base, &record_name).await
                })
            };
            tokio::time::sleep(window * round / ROUNDS).await;
            let soft = s.delete(&format!("/subjects/{base}/versions/1")).await;
            let permanent = s
                .delete(&format!("/subjects/{base}/versions/1?permanent=true"))
                .await;
            let (status, body) = registration.await.expect("registration task");
            if status == 200 {
                // Committed while the version was live: it is protected from then on.
                protected += 1;
                soft.assert_error(422, 42206);
                let id = body["id"].as_u64().expect("id");
                let stored = s.get(&format!("/schemas/ids/{id}")).await;
                for r in stored.assert_ok()["references"].as_array().expect("references") {
                    let path = format!(
                        "/subjects/{}/versions/{}?deleted=true",
                        r["subject"].as_str().unwrap(),
                        r["version"]
                    );
                    let referenced = s.get(&path).await;
                    assert_eq!(
                        referenced.status, 200,
                        "round {round}: schema {id} references a missing version ({path}): {}",
                        referenced.text
                    );
                }
                assert_eq!(
                    s.get(&format!("/subjects/{base}/versions/1")).await.status,
                    200,
                    "round {round}: a referenced version was deleted"
                );
            } else {
                // The delete came first: the registration must not have committed.
                refused += 1;
                // Resolved before the delete, refused by the check under the lock.
                if body["message"].as_str().is_some_and(|m| m.contains("while this schema was being registered")) {
                    refused_under_lock += 1;
                }
                assert_eq!(status, 422, "round {round}: {body}");
                assert_eq!(body["error_code"], 42201, "round {round}: {body}");
                soft.assert_ok();
                permanent.assert_ok();
                s.get(&format!("/subjects/{referrer}/versions"))
                    .await
                    .assert_error(404, 40401);
            }
        }
        eprintln!(
            "window {window:?}: {refused} refused ({refused_under_lock} under the lock), {protected} protected"
        );
    }

    #[test(flavor = "multi_thread", worker_threads = 4)]
    async fn writers_and_readers_on_overlapping_subjects_keep_every_invariant() {
        let secs = std::env::var("SCHEMAGATE_SOAK_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(8);
        let s = Arc::new(TestServer::start().await);
        s.put("/config", json!({"compatibility": "NONE"}))
            .await
            .assert_ok();
        let until = Instant::now() + Duration::from_secs(secs);
        let writers: Vec<_> = (0..WRITERS)
            .map(|i| tokio::spawn(writer(Arc::clone(&s), Rng(0x9E37_79B9 + i * 7919), until)))
            .collect();
        let readers: Vec<_> = (0..READERS)
            .map(|i| {
                tokio::spawn(reader(
                    Arc::clone(&s),
                    Rng(0xC0FF_EE00 + i * 104_729),
                    until,
                ))
            })
            .collect();

        let mut id_of: HashMap<u64, u64> = HashMap::new();
        let mut schema_of: HashMap<u64, u64> = HashMap::new();
        let mut writes = 0;
        for w in writers {
            for (subj, k, id) in w.await.expect("writer") {
                writes += 1;
                let known = *id_of.entry(k).or_insert(id);
                assert_eq!(
                    known, id,
                    "schema {k} got ids {known} and {id} (last in {subj})"
                );
                let other = *schema_of.entry(id).or_insert(k);
                assert_eq!(other, k, "id {id} names schemas {other} and {k}");
            }
        }
        let mut reads = 0;
        for r in readers {
            reads += r.await.expect("reader");
        }

        // The final state: each subject holds each schema once, versions 1..n.
        // Every page: an answer holds at most 1000 schemas, as Confluent's.
        let mut all = Vec::new();
        loop {
            let path = format!("/schemas?offset={}&limit=1000", all.len());
            let (status, page) = get(&s, &path).await;
            assert_eq!(status, 200);
            let page = page.as_array().unwrap().clone();
            let last = page.len() < 1000;
            all.extend(page);
            if last {
                break;
            }
        }
        let mut per_subject: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
        for e in &all {
            // Each version carries the contract registered with its schema.
            let k = e["metadata"]["properties"]["schema"].as_str().expect("a contract");
            let text: Value = serde_json::from_str(e["schema"].as_str().unwrap()).unwrap();
            assert_eq!(text["name"], format!("S{k}"), "{e}");
            per_subject
                .entry(e["subject"].as_str().unwrap().to_owned())
                .or_default()
                .push((e["version"].as_u64().unwrap(), e["id"].as_u64().unwrap()));
        }
        let mut versions = 0;
        for (subj, entries) in &mut per_subject {
            entries.sort_unstable();
            let numbers: Vec<u64> = entries.iter().map(|e| e.0).collect();
            assert_eq!(numbers, (1..=entries.len() as u64).collect::<Vec<_>>());
            let mut ids: Vec<u64> = entries.iter().map(|e| e.1).collect();
            ids.sort_unstable();
            let n = ids.len();
            ids.dedup();
            assert_eq!(ids.len(), n, "{subj} holds one schema under two versions");
            versions += n;
        }
        eprintln!(
            "{secs} s: {writes} registrations, {reads} reads, {} distinct schemas, {versions} versions",
            id_of.len()
        );
        assert!(writes > 0 && reads > 0);
    }
}
