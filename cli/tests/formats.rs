//! Every output format for a breaking and a clean change (`check --against HEAD`), as
//! snapshots: these are the shapes CI systems parse, so any change must be a diff.

mod common;

use common::*;

const FORMATS: [&str; 6] = ["text", "json", "junit", "github", "sarif", "markdown"];

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

/// The rows of the first GitHub-flavoured table in `markdown`, each split into its
/// cells (a `\|` is part of a cell): the header, the separator, then the body.
fn table_rows(markdown: &str) -> Vec<Vec<String>> {
    markdown
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(|line| {
            let inner = line
                .strip_prefix('|')
                .and_then(|l| l.strip_suffix('|'))
                .unwrap_or_else(|| panic!("a row ends with |: {line:?}"));
            let mut cells = vec![String::new()];
            let mut chars = inner.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\\' if chars.peek() == Some(&'|') => {
                        cells.last_mut().unwrap().push('|');
                        chars.next();
                    }
                    '|' => cells.push(String::new()),
                    c => cells.last_mut().unwrap().push(c),
                }
            }
            cells.into_iter().map(|c| c.trim().to_owned()).collect()
        })
        .collect()
}

#[test]
fn markdown_parses_into_a_table_with_a_row_per_subject() {
    let p = project_with(ORDER_BREAKING);
    let run = p.run(&["check", "--against", "HEAD", "--format", "markdown"]);
    run.code(1);
    let rows = table_rows(&run.stdout);
    assert_eq!(
        rows[0],
        [
            "Subject",
            "Verdict",
            "Level",
            "Semver bump",
            "Compared with"
        ],
        "{}",
        run.stdout
    );
    assert!(rows[1].iter().all(|c| c == "---"), "{:?}", rows[1]);
    assert_eq!(rows.len(), 2 + 2, "header, separator, one row per subject");
    for row in &rows {
        assert_eq!(row.len(), rows[0].len(), "{row:?}");
    }
    assert_eq!(rows[2][0], "orders-value");
    assert_eq!(rows[2][1], "❌ BREAKING");
    assert_eq!(rows[2][3], "major");
    assert_eq!(rows[2][4], "HEAD");
    assert_eq!(rows[3][0], "customers-value");
    assert_eq!(rows[3][1], "✅ unchanged");
}

#[test]
fn markdown_for_diff_and_validate() {
    let p = shop();
    p.write("old.avsc", ORDER_V1)
        .write("new.avsc", ORDER_BREAKING);
    let run = p.run(&["diff", "old.avsc", "new.avsc", "--format", "markdown"]);
    run.code(1)
        .stdout_has("## Schemagate diff: ❌ failed")
        .stdout_has("**old.avsc -&gt; new.avsc** `READER_FIELD_MISSING_DEFAULT_VALUE` at `/fields/2` in `new.avsc:8:5`")
        .stdout_has("**Example event**, written by old.avsc: the reader fails");
    let rows = table_rows(&run.stdout);
    assert_eq!(rows.len(), 3, "{}", run.stdout);
    assert_eq!(rows[2][0], "old.avsc -&gt; new.avsc");

    p.write(
        "schemagate.toml",
        &format!(
            "{PROJECT}\n[[fixtures]]\nsubject = \"orders-value\"\nevents = \"fixtures/*.json\"\n"
        ),
    )
    .write("fixtures/good.json", "{\"id\": \"a\", \"total\": 1.5}\n")
    .write("fixtures/bad.json", "{\"id\": \"a\",\n \"total\": \"x\"}\n");
    let run = p.run(&["validate", "--format", "markdown"]);
    run.code(1)
        .stdout_has("### Violations")
        .stdout_has("`EVENT_VIOLATION` at `/total` in `fixtures/bad.json:2:");
    let rows = table_rows(&run.stdout);
    assert_eq!(
        rows[0],
        ["Subject", "Event file", "Verdict", "Violations", "Detail"]
    );
    assert_eq!(rows.len(), 4, "{}", run.stdout);
    assert!(rows.iter().all(|r| r.len() == 5), "{rows:?}");
}

#[test]
fn every_format_shows_the_counterexample_of_a_break() {
    use base64::Engine;
    let p = project_with(ORDER_BREAKING);
    let run = |format: &str| {
        let run = p.run(&["check", "--against", "HEAD", "--format", format]);
        run.code(1);
        run.stdout.clone()
    };
    let text = run("text");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("example event"))
        .unwrap_or_else(|| panic!("no example line:\n{text}"));
    assert!(
        line.starts_with("    example event (written by HEAD): {")
            && line.contains("} → the reader fails"),
        "{line}"
    );

    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let c = &json["results"][0]["findings"][0]["counterexample"];
    assert_eq!(c["rule"], "READER_FIELD_MISSING_DEFAULT_VALUE", "{c}");
    assert_eq!(c["writer"], "old");
    assert!(c["event"]["id"].is_string(), "the event is JSON: {c}");
    assert!(
        !c["event"].as_object().unwrap().contains_key("coupon"),
        "{c}"
    );
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(c["bytes"].as_str().expect("bytes as a base64 string"))
        .unwrap();
    assert!(!bytes.is_empty());
    assert!(
        c["outcome"]
            .as_str()
            .unwrap()
            .starts_with("the reader fails")
    );

    assert!(run("junit").contains("  example event (written by HEAD): {&quot;id&quot;"));
    let github = run("github");
    let error = github.lines().find(|l| l.starts_with("::error ")).unwrap();
    assert!(
        error.contains("%0AExample: example event (written by HEAD): {"),
        "{error}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .contains("Example: example event (written by HEAD)"),
        "{result}"
    );
    assert_eq!(result["properties"]["counterexample"], *c);
    let markdown = run("markdown");
    assert!(markdown.contains("**Example event**, written by HEAD: the reader fails"));
    assert!(markdown.contains("```json\n  {\"id\":"), "{markdown}");
}

#[test]
fn diff_example_prints_only_the_counterexamples() {
    use base64::Engine;
    let p = Project::new();
    p.write("old.avsc", ORDER_V1)
        .write("new.avsc", ORDER_BREAKING)
        .write("ok.avsc", ORDER_COMPATIBLE);
    let run = p.run(&["diff", "old.avsc", "new.avsc", "--example"]);
    run.code(1);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    let c = &lines[0];
    assert_eq!(c["rule"], "READER_FIELD_MISSING_DEFAULT_VALUE");
    assert_eq!(c["path"], "/fields/2");
    assert_eq!(c["written_by"], "old.avsc");
    assert!(c["event"].is_object());
    base64::engine::general_purpose::STANDARD
        .decode(c["bytes"].as_str().unwrap())
        .unwrap();
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    let clean = p.run(&["diff", "old.avsc", "ok.avsc", "--example"]);
    clean.code(0);
    assert!(clean.stdout.is_empty(), "{}", clean.stdout);
    // --example chooses the output; a --format beside it is a usage error.
    p.run(&[
        "diff",
        "old.avsc",
        "new.avsc",
        "--example",
        "--format",
        "json",
    ])
    .code(2);
    // A text that does not parse says why on stderr.
    p.write("broken.avsc", "{");
    p.run(&["diff", "old.avsc", "broken.avsc", "--example"])
        .code(2)
        .stderr_has("error: old.avsc -> broken.avsc");
}
