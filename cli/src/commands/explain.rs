//! `schemagate explain [RULE]`: what a rule id means, read from the two engines'
//! catalogues in the core and the CLI's own in `crate::rules` (so it can never disagree
//! with the findings); without RULE, every rule on one line each.
//!
//! It prints by itself rather than through the `Printer`: a catalogue entry is not an
//! [`crate::report::Outcome`] of checked items, and forcing it into one would invent
//! statuses and a summary line that mean nothing here. Errors still go through the
//! printer, so they look like every other command's.

use std::io::Write;
use std::process::ExitCode;

use schemagate_core::compat::catalog::{self, Engine, Rule};
use schemagate_core::{CheckOptions, Level, ParsedSchema, SchemaType, check_with};

use crate::cli::{ExplainArgs, Global};
use crate::exit::ExitStatus;
use crate::output::{Format, Printer};
use crate::rules;

/// Width that the meaning is wrapped to in text output.
const WIDTH: usize = 88;

/// Runs the command: 0 when it printed, 2 for an unknown rule.
pub fn run(global: &Global, args: &ExplainArgs, printer: &Printer) -> ExitCode {
    let json = global.format == Format::Json;
    let rendered = match &args.rule {
        None => {
            let rules = all_rules();
            if json { to_json(&rules) } else { list(&rules) }
        }
        Some(id) => match rules::any(id) {
            Some(rule) if json => to_json(&rule),
            Some(rule) => explain(&rule),
            None => {
                printer.fatal(&anyhow::anyhow!("{}", unknown(id)));
                return ExitStatus::Error.into();
            }
        },
    };
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not worth a panic or a second error.
    let _ = out.write_all(rendered.as_bytes());
    let _ = out.flush();
    ExitStatus::Ok.into()
}

/// The engines' rules from the core's catalogue, then the CLI's own.
fn all_rules() -> Vec<Rule> {
    let mut all = catalog::rules();
    all.extend(rules::rules());
    all
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // The catalogue holds strings and enums only: serialising it cannot fail.
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

/// "breaking", or both policies' words when they differ.
fn severity(rule: &Rule) -> String {
    if rule.severity == rule.lenient_severity {
        rule.severity.as_str().to_owned()
    } else {
        format!(
            "{} under the STRICT policy (the default), {} under LENIENT",
            rule.severity.as_str(),
            rule.lenient_severity.as_str()
        )
    }
}

fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Avro => "avro",
        Engine::Json => "json (JSON Schema)",
        Engine::Protobuf => "protobuf",
        Engine::Any => "any (raised before either engine runs)",
        Engine::Cli => "cli (schemagate's own: files, the registry, events, semver)",
    }
}

/// One rule, every field on its own labelled line.
fn explain(rule: &Rule) -> String {
    let fix = rule
        .hint
        .unwrap_or("none needed: this rule never breaks a check");
    let mut out = format!("{}\n", rule.id);
    for (label, value) in [
        ("engine", engine_name(rule.engine).to_owned()),
        ("severity", severity(rule)),
        ("message", rule.message.to_owned()),
        ("fix", fix.to_owned()),
        ("meaning", rule.meaning.clone()),
    ] {
        out.push_str(&wrap(&format!("{label}:"), &value));
    }
    if let Some(example) = EXAMPLES.iter().find(|e| e.rule == rule.id) {
        out.push_str(&show_example(example));
    }
    out
}

/// A minimal change that a rule reports: the finding is produced by running the
/// engine on it each time it is shown, so the text cannot drift from the engine.
struct Example {
    rule: &'static str,
    schema_type: SchemaType,
    level: Level,
    old: &'static str,
    new: &'static str,
}

const EXAMPLES: &[Example] = &[
    Example {
        rule: "READER_FIELD_MISSING_DEFAULT_VALUE",
        schema_type: SchemaType::Avro,
        level: Level::Backward,
        old: r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}"#,
        new: r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"coupon","type":"string"}]}"#,
    },
    Example {
        rule: "TYPE_MISMATCH",
        schema_type: SchemaType::Avro,
        level: Level::Backward,
        old: r#"{"type":"record","name":"Order","fields":[{"name":"total","type":"double"}]}"#,
        new: r#"{"type":"record","name":"Order","fields":[{"name":"total","type":"int"}]}"#,
    },
    Example {
        rule: "MISSING_ENUM_SYMBOLS",
        schema_type: SchemaType::Avro,
        level: Level::Backward,
        old: r#"{"type":"enum","name":"Status","symbols":["NEW","PAID","SHIPPED"]}"#,
        new: r#"{"type":"enum","name":"Status","symbols":["NEW","PAID"]}"#,
    },
    Example {
        rule: "MISSING_UNION_BRANCH",
        schema_type: SchemaType::Avro,
        level: Level::Backward,
        old: r#"{"type":"record","name":"Order","fields":[{"name":"ref","type":["null","string","long"]}]}"#,
        new: r#"{"type":"record","name":"Order","fields":[{"name":"ref","type":["null","string"]}]}"#,
    },
    Example {
        rule: "NAME_MISMATCH",
        schema_type: SchemaType::Avro,
        level: Level::Backward,
        old: r#"{"type":"record","name":"Order","fields":[]}"#,
        new: r#"{"type":"record","name":"Purchase","fields":[]}"#,
    },
    Example {
        rule: "TYPE_NARROWED",
        schema_type: SchemaType::Json,
        level: Level::Backward,
        old: r#"{"type":"object","properties":{"total":{"type":"number"}}}"#,
        new: r#"{"type":"object","properties":{"total":{"type":"integer"}}}"#,
    },
    Example {
        rule: "MAX_LENGTH_ADDED",
        schema_type: SchemaType::Json,
        level: Level::Backward,
        old: r#"{"type":"object","properties":{"name":{"type":"string"}}}"#,
        new: r#"{"type":"object","properties":{"name":{"type":"string","maxLength":10}}}"#,
    },
    Example {
        rule: "PATTERN_ADDED",
        schema_type: SchemaType::Json,
        level: Level::Backward,
        old: r#"{"type":"object","properties":{"sku":{"type":"string"}}}"#,
        new: r#"{"type":"object","properties":{"sku":{"type":"string","pattern":"^[A-Z]{3}-[0-9]+$"}}}"#,
    },
];

/// The findings of `rule` the engine reports on the example's change.
fn example_findings(example: &Example) -> Vec<schemagate_core::Finding> {
    let parse = |text| ParsedSchema::parse(example.schema_type, text, &[]);
    let (Ok(old), Ok(new)) = (parse(example.old), parse(example.new)) else {
        return Vec::new();
    };
    check_with(example.level, &new, &[old], &CheckOptions::default())
        .findings
        .into_iter()
        .filter(|f| f.rule == example.rule)
        .collect()
}

/// The example's schemas and what the engine says about the change.
fn show_example(example: &Example) -> String {
    let mut out = format!(
        "  example:  {} under {}, checked by the engine now:\n",
        example.schema_type, example.level
    );
    out.push_str(&format!("    old     {}\n", example.old));
    out.push_str(&format!("    new     {}\n", example.new));
    for f in example_findings(example) {
        let path = if f.path.is_empty() { "/" } else { &f.path };
        out.push_str(&format!(
            "    finding {} {} at {path}: {}\n",
            f.severity.as_str(),
            f.rule,
            f.message
        ));
    }
    out
}

/// `label` then `text` wrapped at [`WIDTH`], continuation lines under the text.
fn wrap(label: &str, text: &str) -> String {
    let indent = 12;
    let mut out = format!("  {label:<width$}", width = indent - 2);
    let mut column = indent;
    let mut first = true;
    for word in text.split_whitespace() {
        if !first && column + 1 + word.len() > WIDTH {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            column = indent;
        } else if !first {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += word.len();
        first = false;
    }
    out.push('\n');
    out
}

/// Every rule on one line: id, engine, severity, message.
fn list(rules: &[Rule]) -> String {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let count = |e: Engine| rules.iter().filter(|r| r.engine == e).count();
    let mut out = format!(
        "{} rules: {} Avro, {} JSON Schema, {} for either, {} of the CLI itself; `schemagate explain RULE` tells more\n",
        rules.len(),
        count(Engine::Avro),
        count(Engine::Json),
        count(Engine::Any),
        count(Engine::Cli)
    );
    let mut policy_dependent = false;
    for r in rules {
        let mut word = r.severity.as_str().to_owned();
        if r.severity != r.lenient_severity {
            word.push('*');
            policy_dependent = true;
        }
        out.push_str(&format!(
            "{:<width$}  {:<4}  {:<9}  {}\n",
            r.id,
            r.engine.as_str(),
            word,
            r.message
        ));
    }
    if policy_dependent {
        out.push_str("* breaking under the STRICT policy (the default), additive under LENIENT\n");
    }
    out
}

/// The error for an id no catalogue has, with the nearest ids as a hint.
fn unknown(id: &str) -> String {
    let wanted = id.trim().to_ascii_uppercase();
    let mut near: Vec<(usize, &'static str)> = all_rules()
        .iter()
        .map(|r| (distance(&wanted, r.id), r.id))
        .collect();
    near.sort();
    // Close enough to be a typo, or containing what was typed (`FIXED` -> FIXED_SIZE_MISMATCH).
    let guesses: Vec<&str> = near
        .iter()
        .filter(|(d, rid)| {
            *d <= 3 + wanted.len() / 8 || (wanted.len() >= 4 && rid.contains(&wanted))
        })
        .take(3)
        .map(|(_, rid)| *rid)
        .collect();
    let hint = if guesses.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", guesses.join(", "))
    };
    format!(
        "unknown rule {id:?}{hint}; run `schemagate explain` without a rule to list all of them"
    )
}

/// Levenshtein distance over bytes (rule ids are ASCII).
fn distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_suggest_the_nearest_rules() {
        assert!(unknown("TYPE_MISMACH").contains("did you mean TYPE_MISMATCH"));
        assert!(unknown("fixed").contains("FIXED_SIZE_MISMATCH"));
        assert!(!unknown("COMPLETELY_DIFFERENT_THING_XYZ").contains("did you mean"));
    }

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let text = "word ".repeat(60);
        let wrapped = wrap("meaning:", &text);
        assert_eq!(wrapped.split_whitespace().count(), 61);
        assert!(wrapped.lines().all(|l| l.len() <= WIDTH), "{wrapped}");
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    #[test]
    fn the_engine_reports_each_examples_rule_on_it() {
        for example in EXAMPLES {
            assert!(
                catalog::rule(example.rule).is_some(),
                "{} is no catalogue rule",
                example.rule
            );
            assert!(
                !example_findings(example).is_empty(),
                "the engine does not report {} on its example",
                example.rule
            );
        }
    }
}
