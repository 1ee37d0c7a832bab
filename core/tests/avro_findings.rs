//! What Avro findings say: locations, hints, rename detection, and the semver bump
//! they imply.

use schemagate_core::{Bump, Level, ParsedSchema, SchemaType, Severity, bump, check};

fn avro(text: &str) -> ParsedSchema {
    ParsedSchema::parse(SchemaType::Avro, text, &[]).expect("valid schema")
}

#[test]
fn rename_is_detected_and_the_alias_suggested() {
    let old = avro(
        r#"{"type":"record","name":"U","fields":[{"name":"id","type":"long"},{"name":"mail","type":"string"}]}"#,
    );
    let new = avro(
        r#"{"type":"record","name":"U","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}"#,
    );
    let report = check(Level::Backward, &new, &[old]);
    let f = report.breaking().next().expect("a breaking finding");
    assert_eq!(f.rule, "READER_FIELD_MISSING_DEFAULT_VALUE");
    assert_eq!(f.path, "/fields/1");
    assert_eq!(
        f.hint.as_deref(),
        Some("looks like a rename of mail to email: add `\"aliases\": [\"mail\"]` to email")
    );
}

#[test]
fn no_rename_hint_when_types_differ() {
    let old = avro(r#"{"type":"record","name":"U","fields":[{"name":"mail","type":"string"}]}"#);
    let new = avro(r#"{"type":"record","name":"U","fields":[{"name":"age","type":"int"}]}"#);
    let report = check(Level::Backward, &new, &[old]);
    let hint = report
        .breaking()
        .next()
        .and_then(|f| f.hint.clone())
        .unwrap();
    assert!(hint.contains("add a default"), "{hint}");
}

#[test]
fn locations_follow_the_reader() {
    let old = avro(
        r#"{"type":"record","name":"R","fields":[
        {"name":"a","type":"int"},
        {"name":"b","type":{"type":"array","items":{"type":"map","values":{"type":"enum","name":"E","symbols":["X","Y"]}}}},
        {"name":"c","type":["null",{"type":"fixed","name":"F","size":2}]}]}"#,
    );
    let new = avro(
        r#"{"type":"record","name":"R","fields":[
        {"name":"a","type":"int"},
        {"name":"b","type":{"type":"array","items":{"type":"map","values":{"type":"enum","name":"E","symbols":["X"]}}}},
        {"name":"c","type":["null",{"type":"fixed","name":"F","size":4}]}]}"#,
    );
    let report = check(Level::Backward, &new, &[old]);
    let found: Vec<(&str, &str)> = report
        .breaking()
        .map(|f| (f.rule.as_str(), f.path.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "MISSING_ENUM_SYMBOLS",
                "/fields/1/type/items/values/symbols"
            ),
            ("MISSING_UNION_BRANCH", "/fields/2/type/1"),
        ]
    );
    let union = report.breaking().nth(1).unwrap();
    assert!(union.hint.as_deref().unwrap().contains("size"), "{union:?}");
}

#[test]
fn nullable_to_required_names_the_null_branch() {
    let old = avro(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":null}]}"#,
    );
    let new = avro(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#);
    let report = check(Level::Backward, &new, &[old]);
    let f = report.breaking().next().unwrap();
    assert_eq!(
        (f.rule.as_str(), f.path.as_str()),
        ("TYPE_MISMATCH", "/fields/0/type")
    );
    assert!(f.message.contains("null"), "{}", f.message);
}

#[test]
fn bump_follows_severity() {
    let base = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
    let doc =
        r#"{"type":"record","name":"R","doc":"about R","fields":[{"name":"a","type":"int"}]}"#;
    let added = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}"#;
    let broken = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#;
    let spaced = "{ \"type\" : \"record\", \"fields\" : [{\"type\":\"int\",\"name\":\"a\"}], \"name\" : \"R\" }";
    assert_eq!(bump(&avro(base), &avro(spaced)), Bump::None);
    assert_eq!(bump(&avro(base), &avro(doc)), Bump::Patch);
    assert_eq!(bump(&avro(base), &avro(added)), Bump::Minor);
    assert_eq!(bump(&avro(added), &avro(base)), Bump::Minor);
    assert_eq!(bump(&avro(base), &avro(broken)), Bump::Major);
}

#[test]
fn non_breaking_findings_have_the_right_severity() {
    let old = avro(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#,
    );
    let new = avro(
        r#"{"type":"record","name":"R","fields":[{"name":"b","type":"string","doc":"B"},{"name":"a","type":"long"}]}"#,
    );
    let report = check(Level::Backward, &new, &[old]);
    assert!(report.compatible);
    let sev = |rule: &str| {
        report
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .map(|f| f.severity)
    };
    assert_eq!(sev("TYPE_PROMOTED"), Some(Severity::Additive));
    assert_eq!(sev("DOC_CHANGED"), Some(Severity::Cosmetic));
    assert_eq!(sev("FIELD_ORDER_CHANGED"), Some(Severity::Cosmetic));
}

#[test]
fn a_dag_of_shared_types_is_checked_once_per_pair() {
    // Each level uses the previous type twice: 2^40 paths if expanded, one check each
    // with the memo.
    let mut fields = String::from(r#"{"name":"v","type":"int"}"#);
    let mut text = String::new();
    for i in 0..40 {
        let prev = if i == 0 {
            String::new()
        } else {
            format!(
                r#",{{"name":"x","type":"T{}"}},{{"name":"y","type":"T{}"}}"#,
                i - 1,
                i - 1
            )
        };
        text.push_str(&format!(
            r#"{{"type":"record","name":"T{i}","fields":[{fields}{prev}]}},"#
        ));
        fields = r#"{"name":"v","type":"int"}"#.to_owned();
    }
    let old = avro(&format!("[{}\"null\"]", text));
    let new = avro(&format!(
        "[{}\"null\"]",
        text.replace(
            r#"{"name":"v","type":"int"}"#,
            r#"{"name":"v","type":"string"}"#
        )
    ));
    let started = std::time::Instant::now();
    let report = check(Level::Full, &new, &[old]);
    assert!(!report.compatible);
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
}

/// A record with `carrier` (no default) and without it.
const SHIPMENT_WITH_CARRIER: &str = r#"{"type":"record","name":"Shipment","fields":[
    {"name":"id","type":"string"},
    {"name":"carrier","type":"string"}]}"#;
const SHIPMENT_WITHOUT_CARRIER: &str =
    r#"{"type":"record","name":"Shipment","fields":[{"name":"id","type":"string"}]}"#;

#[test]
fn item7_avro_field_deleted_under_forward_speaks_of_the_removal() {
    let old = avro(SHIPMENT_WITH_CARRIER);
    let new = avro(SHIPMENT_WITHOUT_CARRIER);
    let report = check(Level::Forward, &new, &[old]);
    assert!(!report.compatible);
    let f = report.breaking().next().expect("a breaking finding");
    // Rule, severity and the pointer (into the old reader) are Confluent's, unchanged.
    assert_eq!(f.rule, "READER_FIELD_MISSING_DEFAULT_VALUE");
    assert_eq!(f.path, "/fields/1");
    assert_eq!(
        f.message,
        "field \"carrier\" (string) was removed; readers of the old version have no default for it"
    );
    assert_eq!(
        f.hint.as_deref(),
        Some(
            "keep carrier, or first register a version that gives carrier a default, then remove it"
        )
    );
    assert!(!f.hint.as_deref().unwrap().contains("add a default to"));
}

#[test]
fn item7_avro_field_deleted_under_full_words_each_direction() {
    let old = avro(SHIPMENT_WITH_CARRIER);
    let new = avro(SHIPMENT_WITHOUT_CARRIER);
    let report = check(Level::Full, &new, &[old]);
    assert!(!report.compatible);
    let messages: Vec<(&str, Option<schemagate_core::Direction>, &str)> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.direction, f.message.as_str()))
        .collect();
    use schemagate_core::Direction::{Backward, Forward};
    assert!(
        messages.contains(&(
            "WRITER_FIELD_IGNORED",
            Some(Backward),
            "writer fields not in the reader; their data is skipped: carrier"
        )),
        "{messages:?}"
    );
    assert!(
        messages.contains(&(
            "READER_FIELD_MISSING_DEFAULT_VALUE",
            Some(Forward),
            "field \"carrier\" (string) was removed; readers of the old version have no default for it"
        )),
        "{messages:?}"
    );
}

#[test]
fn item7_avro_field_added_without_default_under_backward_keeps_its_wording() {
    let old = avro(SHIPMENT_WITHOUT_CARRIER);
    let new = avro(SHIPMENT_WITH_CARRIER);
    let report = check(Level::Full, &new, &[old]);
    let backward = report
        .findings
        .iter()
        .find(|f| f.direction == Some(schemagate_core::Direction::Backward))
        .expect("a backward finding");
    assert_eq!(backward.rule, "READER_FIELD_MISSING_DEFAULT_VALUE");
    assert_eq!(
        backward.message,
        "reader field \"carrier\" (string) is not in the writer and has no default"
    );
    assert_eq!(
        backward.hint.as_deref(),
        Some(
            "add a default to \"carrier\" (for a nullable field: type [\"null\", ...] with \"default\": null)"
        )
    );
    // The forward half: old readers skip the new field, and the message says so.
    let forward = report
        .findings
        .iter()
        .find(|f| f.direction == Some(schemagate_core::Direction::Forward))
        .expect("a forward finding");
    assert_eq!(forward.rule, "WRITER_FIELD_IGNORED");
    assert_eq!(
        forward.message,
        "fields added; readers of the old version skip them: carrier"
    );
}

#[test]
fn item7_avro_forward_messages_name_the_edit_old_to_new() {
    let old = avro(
        r#"{"type":"record","name":"R","fields":[
        {"name":"n","type":"int"},
        {"name":"s","type":{"type":"enum","name":"E","symbols":["A","B"]}},
        {"name":"f","type":{"type":"fixed","name":"F","size":2}},
        {"name":"d","type":"string","default":"x"}]}"#,
    );
    let new = avro(
        r#"{"type":"record","name":"R","fields":[
        {"name":"n","type":"long"},
        {"name":"s","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
        {"name":"f","type":{"type":"fixed","name":"F","size":4}},
        {"name":"d","type":"string","default":"y"}]}"#,
    );
    let report = check(Level::Forward, &new, &[old]);
    let said: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.message.as_str()))
        .collect();
    for expected in [
        (
            "TYPE_MISMATCH",
            "type changed from int to long; readers of the old version cannot read long",
        ),
        (
            "MISSING_ENUM_SYMBOLS",
            "symbols [C] were added; readers of the old version lack them and its enum has no default",
        ),
        (
            "FIXED_SIZE_MISMATCH",
            "fixed F changed size from 2 to 4; readers of the old version read 2 bytes",
        ),
        (
            "FIELD_DEFAULT_CHANGED",
            "default of field \"d\" changed: \"x\" -> \"y\"",
        ),
    ] {
        assert!(said.contains(&expected), "{expected:?} not in {said:#?}");
    }
}
