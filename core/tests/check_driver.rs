//! The level driver: which history entries are compared, in which direction.

use schemagate_core::{Direction, Level, ParsedSchema, SchemaType, check};

fn avro(text: &str) -> ParsedSchema {
    ParsedSchema::parse(SchemaType::Avro, text, &[]).expect("valid schema")
}

#[test]
fn none_and_empty_history_are_always_compatible() {
    let new = avro("\"string\"");
    assert!(check(Level::None, &new, &[avro("\"int\"")]).compatible);
    for level in Level::ALL {
        assert!(check(level, &new, &[]).compatible, "{level}");
    }
}

#[test]
fn identical_schemas_are_compatible_at_every_level() {
    let s = avro("{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"A\"]}");
    for level in Level::ALL {
        assert!(
            check(level, &s, &[s.clone(), s.clone()]).compatible,
            "{level}"
        );
    }
}

#[test]
fn transitive_levels_compare_every_version_and_tag_direction() {
    let old = avro("\"int\"");
    let same = avro("\"string\"");
    let new = avro("\"string\"");
    let report = check(Level::FullTransitive, &new, &[old, same]);
    assert!(!report.compatible);
    // Only history[0] differs; both directions are reported against it.
    assert!(report.findings.iter().all(|f| f.against == Some(0)));
    let dirs: Vec<_> = report.findings.iter().filter_map(|f| f.direction).collect();
    assert!(dirs.contains(&Direction::Backward) && dirs.contains(&Direction::Forward));
    // The non-transitive level sees only the latest, which is identical.
    assert!(check(Level::Full, &new, &[avro("\"int\""), avro("\"string\"")]).compatible);
}

#[test]
fn mixing_schema_types_is_breaking() {
    let json = ParsedSchema::parse(SchemaType::Json, "{\"type\": \"string\"}", &[]).unwrap();
    let report = check(Level::Backward, &avro("\"string\""), &[json]);
    assert_eq!(report.findings[0].rule, "SCHEMA_TYPE_CHANGED");
}
