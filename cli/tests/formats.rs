//! Every output format for a breaking and a clean change (`check --against HEAD`), as
//! snapshots: these are the shapes CI systems parse, so any change must be a diff.

mod common;

use common::*;

const FORMATS: [&str; 5] = ["text", "json", "junit", "github", "sarif"];

fn project_with(orders: &str) -> Project {
    let p = shop();
    p.git(&["init", "-q"]);
    p.commit("v1");
    p.write("schemas/orders.avsc", orders);
    p
}

fn snapshot_all(case: &str, orders: &str, expected_code: i32) {
    let p = project_with(orders);
    for format in FORMATS {
        let run = p.run(&["check", "--against", "HEAD", "--format", format]);
        run.code(expected_code);
        if format == "json" || format == "sarif" {
            run.json();
        }
        insta::assert_snapshot!(format!("check_{case}_{format}"), run.stdout);
    }
}

#[test]
fn breaking_change_in_every_format() {
    snapshot_all("breaking", ORDER_BREAKING, 1);
}

#[test]
fn clean_change_in_every_format() {
    snapshot_all("clean", ORDER_COMPATIBLE, 0);
}

#[test]
fn github_annotations_escape_what_would_end_the_command() {
    let p = project_with(ORDER_BREAKING);
    let run = p.run(&["check", "--against", "HEAD", "--format", "github"]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("::error "))
        .unwrap();
    assert!(line.starts_with("::error file=schemas/orders.avsc,line=8,col=5,title=READER_FIELD_MISSING_DEFAULT_VALUE (orders-value)::"), "{line}");
    // One annotation per line: newlines inside the message are escaped.
    assert!(line.contains("%0AFix: "), "{line}");
}

#[test]
fn text_is_coloured_only_when_asked_or_on_a_terminal() {
    let p = project_with(ORDER_BREAKING);
    let plain = p.run(&["check", "--against", "HEAD"]);
    assert!(!plain.stdout.contains('\x1b'));
    let coloured = p.run(&["check", "--against", "HEAD", "--color", "always"]);
    assert!(
        coloured.stdout.contains("\x1b[1;31mBREAKING\x1b[0m"),
        "{}",
        coloured.stdout
    );
}

#[test]
fn fatal_errors_keep_json_stdout_clean() {
    let p = Project::new();
    let run = p.run(&["check", "--format", "json"]);
    run.code(2).stderr_has("error: no schemagate.toml");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn item13_json_findings_name_what_they_were_compared_with_not_an_index() {
    let p = project_with(ORDER_BREAKING);
    let doc = p
        .run(&["check", "--against", "HEAD", "--format", "json"])
        .json();
    let findings = doc["results"][0]["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert!(f.get("against").is_none(), "{f}");
        assert_eq!(f["compared_with"], "HEAD", "{f}");
    }
}

#[test]
fn item13_sarif_rules_carry_their_catalogue_text() {
    let p = project_with(ORDER_BREAKING);
    let doc = p
        .run(&["check", "--against", "HEAD", "--format", "sarif"])
        .json();
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(!rules.is_empty());
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let short = rule["shortDescription"]["text"].as_str().unwrap();
        assert_ne!(short, id, "{rule}");
        assert!(rule["fullDescription"]["text"].as_str().unwrap().len() > short.len());
        assert!(
            rule["help"]["text"]
                .as_str()
                .unwrap()
                .contains("schemagate explain")
        );
    }
}
