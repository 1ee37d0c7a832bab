//! `schemagate pull [SUBJECT...]`: the latest registered schema of each subject,
//! written to its mapped file (or to `--dir` for unmapped subjects), indented for
//! review. A file that already holds the same schema is left as it is.

use std::path::PathBuf;

use anyhow::Result;
use schemagate_core::{ParsedSchema, SchemaType, Subject};

use crate::cli::{Global, PullArgs};
use crate::project::{Project, display_path};
use crate::registry;
use crate::report::{CommandName, Item, Note, Outcome, Status};
use crate::rules::CliRule;

/// Runs the command.
pub async fn run(global: &Global, args: &PullArgs) -> Result<Outcome> {
    let project = Project::discover(global.project.as_deref())?;
    let client = registry::connect(global, &project).await?;
    let subjects: Vec<Subject> = if args.subjects.is_empty() {
        project.mappings.iter().map(|m| m.subject.clone()).collect()
    } else {
        args.subjects.clone()
    };
    let mut items = Vec::new();
    for subject in &subjects {
        let subject = subject.as_str();
        let mapping = project.mapping(subject);
        let found = match client.latest(subject).await {
            Ok(found) => found,
            Err(e) => {
                let message = if e.is_not_found() {
                    format!(
                        "subject {subject:?} is not registered in {}",
                        client.base_url()
                    )
                } else {
                    registry::explain(&e)
                };
                items.push(Item::error(
                    subject,
                    None,
                    Note::error(CliRule::REGISTRY_ERROR, "", message, None),
                ));
                continue;
            }
        };
        let path: PathBuf = match mapping {
            Some(m) => project.root.join(&m.file),
            None => {
                let ext = if found.schema_type == SchemaType::Avro {
                    "avsc"
                } else {
                    "json"
                };
                args.dir.join(format!("{}.{ext}", file_stem(subject)))
            }
        };
        let shown = display_path(&path);
        let mut item = Item::new(subject, Some(shown.clone()), Status::Written);
        item.id = Some(found.id);
        item.version = Some(found.version);
        item.schema_type = Some(found.schema_type);
        // The registry keeps a compact canonical text; rewriting a file that already
        // holds the same schema would only churn its formatting.
        let same = std::fs::read_to_string(&path).ok().is_some_and(|current| {
            let refs = Vec::new();
            match (
                ParsedSchema::parse(found.schema_type, &current, &refs),
                ParsedSchema::parse(found.schema_type, &found.schema, &refs),
            ) {
                (Ok(a), Ok(b)) => a.fingerprint() == b.fingerprint(),
                _ => false,
            }
        });
        if same {
            item.status = Status::Unchanged;
            items.push(item);
            continue;
        }
        let written = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, indent(&found.schema)));
        if let Err(e) = written {
            item = Item::error(
                subject,
                Some(shown.clone()),
                Note::error(
                    CliRule::FILE_UNWRITABLE,
                    "",
                    format!("cannot write {shown}: {e}"),
                    None,
                ),
            );
        }
        items.push(item);
    }
    Ok(Outcome::new(CommandName::Pull, items))
}

/// A subject as a file name: path separators and other awkward characters become `_`.
fn file_stem(subject: &str) -> String {
    subject
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Indents JSON text by two spaces without reordering keys (serde_json's `Value`
/// would sort them, and Avro readers expect `type` and `name` first).
pub fn indent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.trim().chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                if chars.peek() == Some(&close) {
                    out.push(close);
                    chars.next();
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indent_keeps_key_order_and_strings() {
        let text = r#"{"type":"record","name":"A","doc":"a, {b}: [c]","fields":[{"name":"x","type":"int"}],"e":{},"f":[]}"#;
        let pretty = indent(text);
        assert_eq!(
            pretty,
            "{\n  \"type\": \"record\",\n  \"name\": \"A\",\n  \"doc\": \"a, {b}: [c]\",\n  \"fields\": [\n    {\n      \"name\": \"x\",\n      \"type\": \"int\"\n    }\n  ],\n  \"e\": {},\n  \"f\": []\n}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
        assert_eq!(indent("\"string\""), "\"string\"\n");
    }
}
