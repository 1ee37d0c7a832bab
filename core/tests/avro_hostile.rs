//! Hostile Avro input: every case ends in an error or a verdict, never a panic, a stack
//! overflow or a hang.

use std::time::{Duration, Instant};

use schemagate_core::{
    Level, Limits, ParseOptions, ParsedSchema, Reference, SchemaError, SchemaType, check,
};
use serde_json::{Value, json};

fn parse(text: &str) -> Result<ParsedSchema, SchemaError> {
    ParsedSchema::parse(SchemaType::Avro, text, &[])
}

fn quick<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{what} took {:?}",
        started.elapsed()
    );
    out
}

#[test]
fn ten_thousand_levels_of_arrays() {
    let text = r#"{"type":"array","items":"#.repeat(10_000) + "\"int\"" + &"}".repeat(10_000);
    let err = quick("deep arrays", || parse(&text)).unwrap_err();
    assert!(
        matches!(err, SchemaError::TooDeep { limit: 100, .. }),
        "{err:?}"
    );
}

#[test]
fn ten_thousand_levels_of_unions() {
    let text = "[".repeat(10_000) + &"]".repeat(10_000);
    let err = quick("deep unions", || parse(&text)).unwrap_err();
    assert!(matches!(err, SchemaError::TooDeep { .. }), "{err:?}");
}

#[test]
fn ten_thousand_branch_union() {
    let branches: Vec<Value> = (0..10_000)
        .map(|i| json!({"type": "fixed", "name": format!("F{i}"), "size": 1}))
        .collect();
    let text = serde_json::to_string(&branches).unwrap();
    let err = quick("wide union", || parse(&text)).unwrap_err();
    assert!(
        matches!(
            err,
            SchemaError::TooMany {
                what: "union branches",
                count: 10_000,
                limit: 1_000
            }
        ),
        "{err:?}"
    );
}

#[test]
fn thousand_branch_union_checks_quickly() {
    let branches: Vec<Value> = (0..1_000)
        .map(|i| json!({"type": "record", "name": format!("R{i}"), "fields": [{"name": "a", "type": "int"}]}))
        .collect();
    let old = parse(&serde_json::to_string(&branches).unwrap()).unwrap();
    let mut changed = branches.clone();
    changed[999] =
        json!({"type": "record", "name": "R999", "fields": [{"name": "a", "type": "string"}]});
    let new = parse(&serde_json::to_string(&changed).unwrap()).unwrap();
    let report = quick("1000-branch union check", || {
        check(Level::FullTransitive, &new, &[old])
    });
    assert!(!report.compatible);
}

#[test]
fn five_megabyte_schema() {
    let fields: Vec<Value> = (0..150_000)
        .map(|i| json!({"name": format!("field_{i}"), "type": "string"}))
        .collect();
    let text =
        serde_json::to_string(&json!({"type": "record", "name": "Big", "fields": fields})).unwrap();
    assert!(text.len() > 5_000_000);
    let err = quick("5 MB schema", || parse(&text)).unwrap_err();
    assert!(matches!(err, SchemaError::TooLarge { .. }), "{err:?}");
    // Allowed by a larger byte limit, the node limit still applies.
    let options = ParseOptions {
        limits: Limits {
            max_schema_bytes: 8 << 20,
            max_nodes: 100_000,
            ..Limits::DEFAULT
        },
        ..ParseOptions::default()
    };
    let err = quick("5 MB schema, node limit", || {
        ParsedSchema::parse_with(SchemaType::Avro, &text, &[], &options)
    })
    .unwrap_err();
    assert!(matches!(err, SchemaError::TooMany { .. }), "{err:?}");
}

#[test]
fn invalid_utf8() {
    let bytes = b"{\"type\": \"record\", \"name\": \"\xff\xfe\", \"fields\": []}";
    let err = ParsedSchema::parse_bytes(SchemaType::Avro, bytes, &[], &ParseOptions::default())
        .unwrap_err();
    assert_eq!(err, SchemaError::InvalidUtf8 { offset: 28 });
}

#[test]
fn malformed_shapes_are_errors() {
    let shapes = [
        "",
        " ",
        "null",
        "true",
        "1",
        "{}",
        r#"{"type":null}"#,
        r#"{"type":"nope"}"#,
        r#""""#,
        r#""a.b.""#,
        r#"{"type":"record"}"#,
        r#"{"type":"record","name":"","fields":[]}"#,
        r#"{"type":"record","name":"R","fields":{}}"#,
        r#"{"type":"record","name":"R","fields":[1]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"type":"int"}]}"#,
        r#"{"type":"record","name":"R","aliases":"x","fields":[]}"#,
        r#"{"type":"record","name":"R","aliases":["1x"],"fields":[]}"#,
        r#"{"type":"record","name":"R","doc":5,"fields":[]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1e400}]}"#,
        r#"{"type":"enum","name":"E","symbols":"A"}"#,
        r#"{"type":"enum","name":"E","symbols":[1]}"#,
        r#"{"type":"enum","name":"E"}"#,
        r#"{"type":"fixed","name":"F","size":1.5}"#,
        r#"{"type":"fixed","name":"F","size":"1"}"#,
        r#"{"type":"fixed","name":"F","size":99999999999}"#,
        r#"{"type":"map"}"#,
        r#"{"type":"array","items":[[]]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"R","default":{}}]}"#,
        r#"["null","null"]"#,
        r#"[{"type":"array","items":"int"},{"type":"array","items":"long"}]"#,
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[]",
        "{\"type\":\"string\"} trailing",
    ];
    for text in shapes {
        let result = quick(text, || parse(text));
        assert!(result.is_err(), "{text:?} was accepted");
    }
}

#[test]
fn a_recursive_default_does_not_loop() {
    let err = quick("recursive default", || {
        parse(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"R","default":{}}]}"#)
    })
    .unwrap_err();
    assert!(err.to_string().contains("deeper"), "{err}");
}

#[test]
fn too_many_references() {
    let refs: Vec<Reference> = (0..1_001)
        .map(|i| {
            Reference::new(
                format!("F{i}"),
                format!(r#"{{"type":"fixed","name":"F{i}","size":1}}"#),
            )
        })
        .collect();
    let err = ParsedSchema::parse(SchemaType::Avro, "\"int\"", &refs).unwrap_err();
    assert!(
        matches!(
            err,
            SchemaError::TooMany {
                what: "references",
                ..
            }
        ),
        "{err:?}"
    );
}

/// A chain of named types through references nests far deeper than one text may.
fn chain(len: usize, leaf: &str) -> ParsedSchema {
    let mut refs = vec![Reference::new(
        "R0",
        format!(r#"{{"type":"record","name":"R0","fields":[{{"name":"v","type":"{leaf}"}}]}}"#),
    )];
    for i in 1..len {
        refs.push(Reference::new(
            format!("R{i}"),
            format!(
                r#"{{"type":"record","name":"R{i}","fields":[{{"name":"next","type":"R{}"}}]}}"#,
                i - 1
            ),
        ));
    }
    let top = format!(
        r#"{{"type":"record","name":"Top","fields":[{{"name":"r","type":"R{}"}}]}}"#,
        len - 1
    );
    ParsedSchema::parse(SchemaType::Avro, &top, &refs).expect("valid chain")
}

#[test]
fn deep_chains_of_named_types_are_refused_not_overflowed() {
    let old = chain(900, "int");
    let new = chain(900, "string");
    let report = quick("deep chain", || {
        check(Level::FullTransitive, &new, std::slice::from_ref(&old))
    });
    assert!(!report.compatible);
    assert!(
        report.findings.iter().any(|f| f.rule == "NESTING_TOO_DEEP"),
        "{report}"
    );
    // A shallow chain is checked for real.
    let report = check(Level::Backward, &chain(20, "string"), &[chain(20, "int")]);
    assert_eq!(report.findings[0].rule, "TYPE_MISMATCH");
}

#[test]
fn deep_events_are_cut_off() {
    let schema =
        parse(r#"{"type":"record","name":"N","fields":[{"name":"next","type":["null","N"]}]}"#)
            .unwrap();
    let mut event = json!({"next": null});
    for _ in 0..600 {
        event = json!({"next": {"N": event}});
    }
    let violations = quick("deep event", || schemagate_core::validate(&schema, &event));
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].message.contains("deeper"));
}
