//! Sample events in Avro's JSON encoding validated against a schema, each violation at
//! its JSON pointer into the event.

use schemagate_core::{ParsedSchema, SchemaType, validate};
use serde_json::json;

const ORDER: &str = r#"{"type":"record","name":"Order","namespace":"com.shop","fields":[
    {"name":"id","type":"long"},
    {"name":"qty","type":"int"},
    {"name":"note","type":["null","string"],"default":null},
    {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]}},
    {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}},
    {"name":"tags","type":{"type":"array","items":"string"},"default":[]},
    {"name":"attrs","type":{"type":"map","values":"double"},"default":{}},
    {"name":"line","type":["null",{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"}]}],"default":null},
    {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":6,"scale":2}}]}"#;

fn order() -> ParsedSchema {
    ParsedSchema::parse(SchemaType::Avro, ORDER, &[]).unwrap()
}

#[test]
fn a_conforming_event_has_no_violations() {
    let event = json!({
        "id": 1, "qty": 2, "note": {"string": "fragile"}, "status": "PAID",
        "hash": "\u{0}\u{1}\u{ff}a", "tags": ["x"], "attrs": {"w": 1.5},
        "line": {"com.shop.Line": {"sku": "A-1"}}, "price": "\u{0}\u{64}"
    });
    assert_eq!(validate(&order(), &event), vec![]);
    // Fields with defaults may be left out.
    let minimal = json!({"id": 1, "qty": 2, "status": "NEW", "hash": "abcd", "price": ""});
    assert_eq!(validate(&order(), &minimal), vec![]);
}

#[test]
fn every_violation_is_reported_with_its_pointer() {
    let event = json!({
        "id": "1", "qty": 3_000_000_000u64, "note": "bare string", "status": "SHIPPED",
        "hash": "abc", "tags": ["x", 2], "attrs": {"a/b": "heavy"},
        "line": {"Line": {"sku": "A-1"}}, "extra": true
    });
    let violations = validate(&order(), &event);
    let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/id",
            "/qty",
            "/note",
            "/status",
            "/hash",
            "/tags/1",
            "/attrs/a~1b",
            "/line",
            "/price",
            "/extra"
        ],
        "{violations:#?}"
    );
    assert!(violations[2].message.contains("one key naming the branch"));
    assert!(violations[3].message.contains("NEW, PAID"));
    assert!(violations[8].message.contains("missing field"));
}

#[test]
fn unions_take_null_or_a_named_branch() {
    let s = ParsedSchema::parse(
        SchemaType::Avro,
        r#"["null","int",{"type":"array","items":"int"}]"#,
        &[],
    )
    .unwrap();
    assert!(validate(&s, &json!(null)).is_empty());
    assert!(validate(&s, &json!({"int": 1})).is_empty());
    assert!(validate(&s, &json!({"array": [1, 2]})).is_empty());
    assert_eq!(
        validate(&s, &json!({"array": [1, "x"]}))[0].path,
        "/array/1"
    );
    assert!(!validate(&s, &json!({"long": 1})).is_empty());
    assert!(!validate(&s, &json!({"int": 1, "null": null})).is_empty());
    let not_null = ParsedSchema::parse(SchemaType::Avro, r#"["int","string"]"#, &[]).unwrap();
    assert!(!validate(&not_null, &json!(null)).is_empty());
}

#[test]
fn bytes_are_code_points_up_to_ff() {
    let s = ParsedSchema::parse(SchemaType::Avro, r#""bytes""#, &[]).unwrap();
    assert!(validate(&s, &json!("\u{ff}")).is_empty());
    assert!(!validate(&s, &json!("\u{100}")).is_empty());
    assert!(!validate(&s, &json!(1)).is_empty());
}
