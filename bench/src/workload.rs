//! The data the bench stores: subjects whose versions evolve compatibly (Avro gains
//! fields with defaults, JSON Schema gains optional properties in a closed model), so
//! that filling the registry exercises the real BACKWARD check on every write.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::load::{self, Call};

/// Subject name of subject number `i`.
pub fn subject(i: usize) -> String {
    format!("bench-{i}-value")
}

/// Whether subject `i` holds Avro (even) or JSON Schema (odd): half each.
fn is_avro(i: usize) -> bool {
    i % 2 == 0
}

/// Schema text of subject `i` at version `v` (1-based).
pub fn schema_text(i: usize, v: usize) -> String {
    if is_avro(i) {
        let mut fields = vec![json!({"name": "id", "type": "string"})];
        for f in 1..v {
            fields.push(json!({"name": format!("f{f}"), "type": "long", "default": 0}));
        }
        json!({"type": "record", "name": format!("Event{i}"), "namespace": "bench", "fields": fields})
            .to_string()
    } else {
        let mut properties = serde_json::Map::new();
        properties.insert("id".into(), json!({"type": "string"}));
        for f in 1..v {
            properties.insert(format!("p{f}"), json!({"type": "integer"}));
        }
        json!({
            "type": "object",
            "title": format!("Event{i}"),
            "properties": properties,
            "required": ["id"],
            "additionalProperties": false
        })
        .to_string()
    }
}

/// The register / lookup request body of subject `i` at version `v`.
pub fn request_body(i: usize, v: usize) -> String {
    let mut body = json!({"schema": schema_text(i, v)});
    if !is_avro(i) {
        body["schemaType"] = json!("JSON");
    }
    body.to_string()
}

/// Registers `subjects` x `versions` schemas over `connections` parallel connections,
/// version after version so that each subject's history grows in order; returns the
/// ids the registry gave.
pub async fn fill(
    addr: SocketAddr,
    subjects: usize,
    versions: usize,
    connections: usize,
) -> Result<Vec<u64>> {
    let mut ids = Vec::with_capacity(subjects * versions);
    for v in 1..=versions {
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..connections.max(1) {
            let next = next.clone();
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= subjects {
                        break;
                    }
                    ids.push(register(addr, i, v).await?);
                }
                anyhow::Ok(ids)
            }));
        }
        for task in tasks {
            ids.extend(task.await.context("fill task panicked")??);
        }
    }
    Ok(ids)
}

/// Registers subject `i` at version `v` and returns its id.
pub async fn register(addr: SocketAddr, i: usize, v: usize) -> Result<u64> {
    let call = Call::post(
        format!("/subjects/{}/versions", subject(i)),
        request_body(i, v),
    );
    let (status, body) = load::once(addr, &call).await?;
    if status != 200 {
        bail!(
            "registering {} v{v} answered {status}: {}",
            subject(i),
            String::from_utf8_lossy(&body)
        );
    }
    let value: Value = serde_json::from_slice(&body)?;
    value["id"]
        .as_u64()
        .with_context(|| format!("register answer without an id: {value}"))
}
