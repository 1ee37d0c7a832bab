//! Rough throughput numbers, not a pass/fail test: run with
//! `cargo test -p schemagate-server --release --test server load -- --ignored --nocapture`.

use crate::common;

use std::sync::Arc;
use std::time::Instant;

use common::{TestServer, record};
use serde_json::json;

fn schema(i: usize) -> String {
    record(&format!("R{i}"), r#"[{"name":"f","type":"int"}]"#)
}

async fn hammer(s: &Arc<TestServer>, label: &str, tasks: usize, per_task: usize, path: &str) {
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let s = Arc::clone(s);
            let path = path.to_owned();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    let r = s.client.get(s.url(&path)).send().await.unwrap();
                    assert_eq!(r.status(), 200);
                    r.bytes().await.unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let n = tasks * per_task;
    let secs = start.elapsed().as_secs_f64();
    println!("{label}: {n} requests, {:.0} req/s", n as f64 / secs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement, run by hand"]
async fn throughput() {
    let s = Arc::new(TestServer::start().await);
    s.put("/config", json!({"compatibility": "NONE"}))
        .await
        .assert_ok();

    let start = Instant::now();
    for i in 0..100 {
        s.register_ok("seq", &schema(i)).await;
    }
    println!(
        "sequential durable registrations: {:.2} ms each",
        start.elapsed().as_secs_f64() * 1000.0 / 100.0
    );

    let start = Instant::now();
    let handles: Vec<_> = (0..32)
        .map(|t| {
            let s = Arc::clone(&s);
            tokio::spawn(async move {
                for k in 0..8 {
                    s.register_ok(&format!("c{t}"), &schema(1000 + t * 8 + k))
                        .await;
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "concurrent durable registrations (32 writers): {:.0} per second",
        256.0 / secs
    );

    let start = Instant::now();
    for _ in 0..500 {
        s.register_ok("seq", &schema(5)).await;
    }
    println!(
        "idempotent re-registration: {:.3} ms each",
        start.elapsed().as_secs_f64() * 1000.0 / 500.0
    );

    hammer(&s, "GET /schemas/ids/{id}", 32, 300, "/schemas/ids/7").await;
    hammer(
        &s,
        "GET /subjects/{s}/versions/latest",
        32,
        300,
        "/subjects/seq/versions/latest",
    )
    .await;
}
