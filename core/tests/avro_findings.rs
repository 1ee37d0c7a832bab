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
