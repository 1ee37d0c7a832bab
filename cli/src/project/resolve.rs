//! From the raw file to what commands use: each `[[subjects]]` entry becomes one
//! [`Mapping`] per file (globs expanded, schema types inferred, subjects named by
//! their strategy, its data contract read), each `[[fixtures]]` entry its event files.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use schemagate_core::schema::protobuf;
use schemagate_core::{
    Context as SubjectContext, Level, NamingStrategy, Policy, ProtobufPolicy, SchemaType, Subject,
};

use super::load::{AnyPolicy, RawFixture, RawProject, RawProtobuf, RawSubject};
use super::{Fixture, Mapping, RefSpec, validate};
use crate::contract::{self, is_sidecar};
use crate::glob;

/// Every mapping of the file, in file order; with a `context`, every unqualified
/// subject (mapped or referenced) is one of that context.
pub(super) fn mappings(
    raw: &RawProject,
    root: &Path,
    context: Option<&SubjectContext>,
    import_paths: &[PathBuf],
) -> Result<Vec<Mapping>> {
    let defaults = Defaults {
        level: raw.defaults.level.unwrap_or(Level::Backward),
        policy: raw.defaults.policy,
    };
    let mut mappings = Vec::new();
    for (i, s) in raw.subjects.iter().enumerate() {
        let at = format!("[[subjects]] entry {}", i + 1);
        entry(s, &at, &defaults, root, &mut mappings)?;
    }
    let explicit: Vec<usize> = mappings.iter().map(|m| m.references.len()).collect();
    for i in 0..mappings.len() {
        if mappings[i].schema_type == SchemaType::Protobuf {
            let found = imports(&mappings, i, explicit[i], root, import_paths)?;
            mappings[i].references.extend(found);
        }
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

/// `[defaults]` as every entry reads it.
struct Defaults {
    level: Level,
    policy: Option<AnyPolicy>,
}

/// The directories of `[protobuf] import_paths`, relative to the root; the root itself
/// when the project names none.
pub(super) fn import_paths(raw: &RawProtobuf, root: &Path) -> Result<Vec<PathBuf>> {
    let Some(paths) = &raw.import_paths else {
        return Ok(vec![PathBuf::new()]);
    };
    paths
        .iter()
        .map(|p| {
            let dir = normal(&clean(p));
            if !root.join(&dir).is_dir() {
                bail!("[protobuf] import_paths: {p:?} is not a directory under the project");
            }
            Ok(dir)
        })
        .collect()
}

/// The references a Protobuf mapping's imports make: each import of a file the project
/// maps becomes a reference to that subject (named by the import path, the version the
/// latest at registration); built-in imports need none, and an import that the
/// entry's explicit references (the first `explicit` of its references) name is
/// theirs. Any other import is an error placed at its line.
fn imports(
    mappings: &[Mapping],
    index: usize,
    explicit: usize,
    root: &Path,
    import_paths: &[PathBuf],
) -> Result<Vec<RefSpec>> {
    let m = &mappings[index];
    // A file not written yet (`pull` creates it) imports nothing so far.
    let Ok(text) = std::fs::read_to_string(root.join(&m.file)) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for import in crate::proto::outline(&text).imports {
        let named = m.references[..explicit]
            .iter()
            .any(|r| r.name == import.path);
        if named || found.iter().any(|r: &RefSpec| r.name == import.path) {
            continue;
        }
        let candidates: Vec<PathBuf> = import_paths
            .iter()
            .map(|dir| normal(&dir.join(&import.path)))
            .collect();
        let target = candidates
            .iter()
            .find_map(|c| mappings.iter().find(|x| normal(&x.file) == *c));
        if let Some(target) = target {
            found.push(RefSpec {
                name: import.path.clone(),
                file: Some(target.file.clone()),
                subject: Some(target.subject.clone()),
                version: None,
            });
            continue;
        }
        if protobuf::is_builtin_path(&import.path) {
            continue;
        }
        let place = format!("{}:{}:{}", m.file.display(), import.line, import.column);
        let searched = import_paths
            .iter()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    "the project's directory".to_owned()
                } else {
                    d.display().to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let on_disk = candidates.iter().find(|c| root.join(c).is_file());
        match on_disk {
            Some(file) => bail!(
                "{place}: import {:?} of {} is {}, which no [[subjects]] entry maps: map it as a subject (its import becomes a reference), or name it under this entry's `references`",
                import.path,
                m.subject,
                file.display()
            ),
            None => bail!(
                "{place}: import {:?} of {} is neither a subject of this project nor a built-in import (looked under {searched}): add its directory to [protobuf] import_paths and map the file as a subject, or name it under this entry's `references`",
                import.path,
                m.subject
            ),
        }
    }
    Ok(found)
}

/// A relative path without `.` components and with `a/..` folded, so that two
/// spellings of a project file compare equal.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A subject's policy: its own, else the project default of its family, read for its
/// schema type (Protobuf takes Protobuf's, the others JSON Schema's).
fn policies(
    s: &RawSubject,
    at: &str,
    subject: &Subject,
    schema_type: SchemaType,
    defaults: &Defaults,
) -> Result<(Policy, ProtobufPolicy)> {
    let (mut json, mut proto) = (Policy::Strict, ProtobufPolicy::Confluent);
    match defaults.policy {
        Some(AnyPolicy::Json(p)) => json = p,
        Some(AnyPolicy::Protobuf(p)) => proto = p,
        None => {}
    }
    if let Some(text) = &s.policy {
        if schema_type == SchemaType::Protobuf {
            proto = text.parse().map_err(|_| {
                anyhow!(
                    "{at}: subject {subject} is Protobuf, and policy {text:?} is not one of its policies: use confluent (the default), wire-json or file"
                )
            })?;
        } else {
            json = text.parse().map_err(|_| {
                anyhow!(
                    "{at}: subject {subject} is {schema_type}, and policy {text:?} is not one of its policies: use strict (the default) or lenient (confluent, wire-json and file are for Protobuf)"
                )
            })?;
        }
    }
    Ok((json, proto))
}

/// The mappings of one `[[subjects]]` entry, appended to `out`.
fn entry(
    s: &RawSubject,
    at: &str,
    defaults: &Defaults,
    root: &Path,
    out: &mut Vec<Mapping>,
) -> Result<()> {
    let level = s.level.unwrap_or(defaults.level);
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
                        "{at}: cannot tell whether {} is Avro, JSON Schema or Protobuf; set `type = \"AVRO\"`, `\"JSON\"` or `\"PROTOBUF\"`",
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
        let (policy, protobuf_policy) = policies(s, at, &subject, schema_type, defaults)?;
        if s.message.is_some() && schema_type != SchemaType::Protobuf {
            bail!(
                "{at}: `message` names the message of a Protobuf schema, and {} is {schema_type}",
                file.display()
            );
        }
        out.push(Mapping {
            subject,
            file,
            schema_type,
            level,
            declared_level: s.level,
            policy,
            protobuf_policy,
            message: s.message.clone(),
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

/// The full record name `file` defines when its name (without the extension) is that
/// name: `com.acme.Event1.avsc` defining `com.acme.Event1`. Such files are named by
/// their record (Confluent's RecordNameStrategy), not by a topic up to the first dot.
pub fn named_by_record(file: &Path, text: &str, schema_type: SchemaType) -> Option<String> {
    let name = file.file_stem()?.to_str()?;
    record_name(text, schema_type).filter(|r| r == name && r.contains('.'))
}

/// The part of a file's name that is its topic: its [`stem`], or the whole name
/// without the extension for a file named after its full record name (whose stem
/// would be the first part of its namespace, shared by every such file).
pub fn topic_stem(file: &Path, text: &str, schema_type: SchemaType) -> String {
    named_by_record(file, text, schema_type).unwrap_or_else(|| stem(file))
}

/// The subject a `[[subjects]]` glob entry with `strategy` (and no `topic`) gives
/// `file`.
pub fn subject_of(
    strategy: NamingStrategy,
    file: &Path,
    text: &str,
    schema_type: SchemaType,
) -> Result<String> {
    derive_subject(strategy, None, false, file, text, schema_type)
}

/// Avro, JSON Schema or Protobuf (`.proto`), from the extension and, for `.json`, the content: Avro
/// schemas are records, enums, fixed types, unions or primitive names; anything with
/// `$schema`, `properties` or a JSON Schema type is JSON Schema.
pub fn infer_type(file: &Path, text: &str) -> Option<SchemaType> {
    let ext = file.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "avsc" | "avro" => return Some(SchemaType::Avro),
        "proto" => return Some(SchemaType::Protobuf),
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
        "proto" => Some(SchemaType::Protobuf),
        _ => None,
    }
}

/// The record name the record strategies use: Avro's full name (`namespace.name`), a
/// JSON Schema's `title`, the full name of a Protobuf file's first message.
fn record_name(text: &str, schema_type: SchemaType) -> Option<String> {
    if schema_type == SchemaType::Protobuf {
        return crate::proto::outline(text).record_name();
    }
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
    let stem = topic_stem(file, text, schema_type);
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
        let what = match schema_type {
            SchemaType::Avro => "a top-level `name`",
            SchemaType::Protobuf => "a top-level `message`",
            _ => "a `title`",
        };
        anyhow!(
            "{} has no record name for the {strategy:?} strategy: it needs {what}",
            file.display()
        )
    })
}
