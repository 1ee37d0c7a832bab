//! Criterion benchmark of the JSON Schema compatibility walk: a 300-property object
//! schema with 100 versions in its history, checked FULL_TRANSITIVE (200 pairwise
//! walks). Target: under 10 ms.
#![allow(missing_docs)] // criterion_group! generates undocumented items.

use criterion::{Criterion, criterion_group, criterion_main};
use schemagate_core::{Level, ParsedSchema, SchemaType, check};
use serde_json::{Map, Value, json};

/// Version `v` has 300 properties of mixed shapes and differs from the others in the
/// description of one property (FULL-compatible), so every walk visits all 300
/// properties and finds one cosmetic change deep inside.
fn version(v: usize) -> ParsedSchema {
    let mut props = Map::new();
    for i in 0..300 {
        let schema = match i % 5 {
            0 => {
                json!({"type": "string", "maxLength": 64, "description": format!("field {i}{}", if i == (v * 5) % 300 { format!(" (revision {v})") } else { String::new() })})
            }
            1 => json!({"type": "integer", "minimum": 0}),
            2 => json!({"type": ["string", "null"]}),
            3 => json!({"type": "array", "items": {"type": "string"}}),
            _ => {
                json!({"type": "object", "properties": {"a": {"type": "number"}}, "additionalProperties": false})
            }
        };
        props.insert(format!("p{i:03}"), schema);
    }
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": Value::Object(props),
        "required": ["p000", "p001"],
        "additionalProperties": false
    });
    ParsedSchema::parse(SchemaType::Json, &schema.to_string(), &[]).expect("bench schema parses")
}

fn full_transitive(c: &mut Criterion) {
    let history: Vec<ParsedSchema> = (0..100).map(version).collect();
    let new = version(100);
    assert!(check(Level::FullTransitive, &new, &history).compatible);
    c.bench_function("json_300_properties_100_versions_full_transitive", |b| {
        b.iter(|| check(Level::FullTransitive, &new, &history))
    });
}

criterion_group!(benches, full_transitive);
criterion_main!(benches);
