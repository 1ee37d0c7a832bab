//! From the raw file to what commands use: each `[[subjects]]` entry becomes one
//! [`Mapping`] per file (globs expanded, schema types inferred, subjects named by
//! their strategy, its data contract read), each `[[fixtures]]` entry its event files.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use schemagate_core::{
    Context as SubjectContext, Level, NamingStrategy, Policy, SchemaType, Subject,
};

use super::load::{RawFixture, RawProject, RawSubject};
use super::{Fixture, Mapping, RefSpec, validate};
use crate::contract::{self, is_sidecar};
use crate::glob;

/// Every mapping of the file, in file order; with a `context`, every unqualified
/// subject (mapped or referenced) is one of that context.
pub(super) fn mappings(
    raw: &RawProject,
    root: &Path,
    context: Option<&SubjectContext>,
) -> Result<Vec<Mapping>> {
    let default_level = raw.defaults.level.unwrap_or(Level::Backward);
    let default_policy = raw.defaults.policy.unwrap_or(Policy::Strict);
    let mut mappings = Vec::new();
    for (i, s) in raw.subjects.iter().enumerate() {
        let at = format!("[[subjects]] entry {}", i + 1);
        entry(s, &at, default_level, default_policy, root, &mut mappings)?;
    }
    if let Some(context) = context {
        for m in &mut mappings {
            m.subject = in_context(context, &m.subject)?;
            for r in &mut m.references {
                if let Some(subject) = &r.subject {
                    r.subject = Some(in_context(context, subject)?);
                }
            }
        }
    }
    Ok(mappings)
}

/// `subject` in `context` unless it names a context of its own (`:.other:name`), as
/// the registry resolves a reference.
pub(super) fn in_context(context: &SubjectContext, subject: &Subject) -> Result<Subject> {
    let qualified = context.qualify_reference(subject.as_str());
    Subject::parse(&qualified).map_err(|e| anyhow!("subject {qualified:?}: {e}"))
}

/// The mappings of one `[[subjects]]` entry, appended to `out`.
fn entry(
    s: &RawSubject,
    at: &str,
    default_level: Level,
    default_policy: Policy,
    root: &Path,
    out: &mut Vec<Mapping>,
) -> Result<()> {
    let level = s.level.unwrap_or(default_level);
    let policy = s.policy.unwrap_or(default_policy);
    let references = s
        .references
        .iter()
        .map(|r| RefSpec {
            name: r.name.clone(),
            file: r.file.as_deref().map(clean),
            subject: r.subject.clone(),
            version: r.version,
        })
        .collect::<Vec<_>>();
    validate::entry(s, at)?;
    let contract = contract::from_toml(s.metadata.as_ref(), s.rule_set.as_ref())
        .map_err(|p| anyhow!("{at}: {}: {}", p.dotted(), p.message))?;
    let files: Vec<(PathBuf, Option<Subject>)> = match (&s.file, &s.glob) {
        // A missing file is not a config error: `pull` creates it, and `check`
        // reports it against its subject.
        (Some(file), _) => vec![(clean(file), s.subject.clone())],
        (None, Some(pattern)) => {
            let found = glob::expand(root, pattern)
                .with_context(|| format!("{at}: cannot expand {pattern:?}"))?;
            // A schema's data contract sits beside it and is no schema.
            let found: Vec<PathBuf> = found.into_iter().filter(|f| !is_sidecar(f)).collect();
            if found.is_empty() {
                bail!("{at}: glob {pattern:?} matches no file");
            }
            found.into_iter().map(|f| (f, None)).collect()
        }
        (None, None) => unreachable!("validate::entry refuses an entry without file or glob"),
    };
    for (file, subject) in files {
        let path = root.join(&file);
        let text = if path.exists() || subject.is_none() {
            std::fs::read_to_string(&path)
                .with_context(|| format!("{at}: cannot read {}", file.display()))?
        } else {
            String::new()
        };
        let schema_type = match s.schema_type {
            Some(t) => t,
            None => infer_type(&file, &text)
                .or_else(|| {
                    text.is_empty()
                        .then(|| type_from_extension(&file))
                        .flatten()
                })
                .ok_or_else(|| {
                    anyhow!(
                        "{at}: cannot tell whether {} is Avro or JSON Schema; set `type = \"AVRO\"` or `\"JSON\"`",
                        file.display()
                    )
                })?,
        };
        let subject = match subject {
            Some(s) => s,
            None => {
                let derived = derive_subject(
                    s.strategy.unwrap_or(NamingStrategy::Topic),
                    s.topic.as_deref(),
                    s.key,
                    &file,
                    &text,
                    schema_type,
                )
                .context(at.to_owned())?;
                Subject::parse(&derived).map_err(|e| anyhow!("{at}: subject {derived:?}: {e}"))?
            }
        };
        out.push(Mapping {
            subject,
            file,
            schema_type,
            level,
            declared_level: s.level,
            policy,
            references: references.clone(),
            contract: contract.clone(),
            entry: at.to_owned(),
        });
    }
    Ok(())
}

/// The event files of one `[[fixtures]]` entry.
pub(super) fn fixture(f: &RawFixture, root: &Path) -> Result<Fixture> {
    let files =
        glob::expand(root, &f.events).with_context(|| format!("cannot expand {:?}", f.events))?;
    Ok(Fixture {
        subject: f.subject.clone(),
        files,
        valid: f.valid,
        pattern: f.events.clone(),
    })
}

fn clean(path: &str) -> PathBuf {
    PathBuf::from(path.trim_start_matches("./"))
}

/// A file's name up to its first dot (`orders.v2.avsc` -> `orders`): the part that
/// names subjects, both when `init` proposes them and under the naming strategies.
pub fn stem(file: &Path) -> String {
    file.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('.').next())
        .unwrap_or_default()
        .to_owned()
}

/// Avro or JSON Schema, from the extension and, for `.json`, the content: Avro
/// schemas are records, enums, fixed types, unions or primitive names; anything with
/// `$schema`, `properties` or a JSON Schema type is JSON Schema.
pub fn infer_type(file: &Path, text: &str) -> Option<SchemaType> {
    let ext = file.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "avsc" | "avro" => return Some(SchemaType::Avro),
        "json" => {}
        _ => return None,
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(match &value {
        serde_json::Value::Array(_) | serde_json::Value::String(_) => SchemaType::Avro,
        serde_json::Value::Object(o) => {
            let avro_kind = o
                .get("type")
                .and_then(|t| t.as_str())
                .is_some_and(|t| matches!(t, "record" | "enum" | "fixed" | "error"));
            if avro_kind || (o.contains_key("fields") && !o.contains_key("properties")) {
                SchemaType::Avro
            } else {
                SchemaType::Json
            }
        }
        _ => SchemaType::Json,
    })
}

/// The type a file's extension alone suggests, for files that do not exist yet.
fn type_from_extension(file: &Path) -> Option<SchemaType> {
    match file.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "avsc" | "avro" => Some(SchemaType::Avro),
        "json" => Some(SchemaType::Json),
        _ => None,
    }
}

/// The record name the record strategies use: Avro's full name (`namespace.name`), a
/// JSON Schema's `title`.
fn record_name(text: &str, schema_type: SchemaType) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let obj = value.as_object()?;
    match schema_type {
        SchemaType::Avro => {
            let name = obj.get("name")?.as_str()?;
            match obj.get("namespace").and_then(|n| n.as_str()) {
                Some(ns) if !name.contains('.') && !ns.is_empty() => Some(format!("{ns}.{name}")),
                _ => Some(name.to_owned()),
            }
        }
        _ => obj.get("title")?.as_str().map(str::to_owned),
    }
}

/// The subject of a file under a naming strategy. Without a `topic`, the topic is the
/// file's stem; a stem already ending in `-key` or `-value` is the subject itself.
fn derive_subject(
    strategy: NamingStrategy,
    topic: Option<&str>,
    is_key: bool,
    file: &Path,
    text: &str,
    schema_type: SchemaType,
) -> Result<String> {
    let stem = stem(file);
    let record = record_name(text, schema_type);
    let subject = match strategy {
        NamingStrategy::Topic
            if topic.is_none() && (stem.ends_with("-key") || stem.ends_with("-value")) =>
        {
            Some(stem.clone())
        }
        NamingStrategy::Topic => strategy.subject(Some(topic.unwrap_or(&stem)), is_key, None),
        NamingStrategy::Record | NamingStrategy::TopicRecord => {
            strategy.subject(Some(topic.unwrap_or(&stem)), is_key, record.as_deref())
        }
    };
    subject.ok_or_else(|| {
        let what = if schema_type == SchemaType::Avro {
            "a top-level `name`"
        } else {
            "a `title`"
        };
        anyhow!(
            "{} has no record name for the {strategy:?} strategy: it needs {what}",
            file.display()
        )
    })
}
