//! `schemagate init [DIR]`: a `schemagate.toml` for an existing directory of schemas,
//! one `[[subjects]]` entry per file (topic strategy: `orders.avsc` is `orders-value`,
//! `orders_key.avsc` is `orders-key`; a file named after its full record name,
//! `com.acme.Event1.avsc`, is subject `com.acme.Event1`), or one glob entry with a
//! naming strategy for five or more such files in one directory, references between the files (Avro named
//! types, JSON `$ref` to a sibling file), and fixtures where
//! `fixtures/events/<name>.json` or `fixtures/events/<name>/` exists. Files are
//! recognised by content, not by extension alone: a `package.json` or a file of sample
//! events is skipped, and the output says why.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use schemagate_core::schema::protobuf;
use schemagate_core::{ParsedSchema, SchemaError, SchemaType};
use serde_json::Value;

use crate::cli::InitArgs;
use crate::contract;
use crate::glob;
use crate::project::{
    FILE_NAME, Project, display_path, infer_type, named_by_record, subject_of, topic_stem,
};
use crate::report::{CommandName, Item, Outcome, Status};
use schemagate_core::NamingStrategy;

/// Runs the command.
pub fn run(args: &InitArgs) -> Result<Outcome> {
    let root = Path::new(".");
    let target = root.join(FILE_NAME);
    if target.exists() && !args.force {
        bail!("{FILE_NAME} already exists; pass --force to overwrite it");
    }
    if !args.dir.is_dir() {
        bail!("{}", missing_dir(&args.dir));
    }
    let dir = args.dir.to_string_lossy().replace('\\', "/");
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    let mut files = Vec::new();
    for ext in ["avsc", "json", "proto"] {
        files.extend(glob::expand(root, &format!("{dir}/**/*.{ext}"))?);
    }
    files.sort();
    // A data contract beside a schema is part of its subject, not a schema to map.
    files.retain(|f| !contract::is_sidecar(f));
    let mut text = String::from(
        "# Schemagate project: which file is which subject, and how changes are judged.\n\
         # Credentials come from the environment only: SCHEMAGATE_REGISTRY_USER and\n\
         # SCHEMAGATE_REGISTRY_PASSWORD, or SCHEMAGATE_REGISTRY_TOKEN.\n\
         # A subject's data contract (Confluent's metadata and ruleSet) lives next to its\n\
         # schema in <schema file>.contract.json, or in `metadata` and `ruleSet` tables of\n\
         # its [[subjects]] entry; `schemagate pull` writes the registry's to the former.\n\n",
    );
    let _ = writeln!(text, "[registry]\nurl = {}\n", toml_str(&args.url));
    let _ = writeln!(
        text,
        "[defaults]\n# Level and policy for offline checks (`check --against`).\nlevel = \"BACKWARD\"\npolicy = \"strict\"\n"
    );
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for file in &files {
        let content = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let schema_type = match recognise(file, &content) {
            Ok(t) => t,
            Err(why) => {
                let path = file.to_string_lossy().replace('\\', "/");
                skipped.push(
                    Item::new(path.clone(), Some(path), Status::Skipped)
                        .detail(format!("not a schema: {why}")),
                );
                continue;
            }
        };
        let stem = topic_stem(file, &content, schema_type);
        let path = file.to_string_lossy().replace('\\', "/");
        // A file named after its full record name is named by its record.
        let subject =
            named_by_record(file, &content, schema_type).unwrap_or_else(|| subject_for(&stem));
        found.push(Found {
            subject,
            path,
            stem,
            schema_type,
            content,
        });
    }
    if found.is_empty() {
        bail!(
            "no Avro (.avsc), JSON Schema (.json) or Protobuf (.proto) schemas under {}{}",
            args.dir.display(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" ({} other JSON files skipped)", skipped.len())
            }
        );
    }
    let import_paths = proto_imports(&mut found, &mut skipped);
    if !import_paths.is_empty() {
        let list: Vec<String> = import_paths.iter().map(|p| toml_str(p)).collect();
        let _ = writeln!(
            text,
            "[protobuf]\n# Where `import \"a/b.proto\"` is looked for (protoc's -I). An import of a\n# mapped file becomes a reference to its subject; built-in imports need none.\nimport_paths = [{}]\n",
            list.join(", ")
        );
    }
    let defined: Vec<Vec<String>> = found.iter().map(|f| names(f, true)).collect();
    let mut all_refs = Vec::new();
    for (i, f) in found.iter().enumerate() {
        let mut refs = Vec::new();
        for used in names(f, false) {
            let target = found.iter().enumerate().find(|(j, other)| {
                *j != i
                    && other.schema_type == f.schema_type
                    && match f.schema_type {
                        SchemaType::Avro => defined[*j].contains(&used),
                        _ => other.path.rsplit('/').next() == used.rsplit('/').next(),
                    }
            });
            if let Some((_, other)) = target
                && !refs.iter().any(|(n, _): &(String, String)| n == &used)
            {
                refs.push((used, other.path.clone()));
            }
        }
        all_refs.push(refs);
    }
    let globbed = globs(root, &found, &all_refs)?;
    let mut written_globs = Vec::new();
    for (i, f) in found.iter().enumerate() {
        if let Some(g) = globbed.iter().find(|g| g.members.contains(&i)) {
            if !written_globs.contains(&g.pattern) {
                let _ = writeln!(
                    text,
                    "# {} files, one entry: {}\n[[subjects]]\nglob = {}\nstrategy = \"{}\"\ntype = \"{}\"\n",
                    g.members.len(),
                    g.why,
                    toml_str(&g.pattern),
                    g.strategy,
                    f.schema_type
                );
                written_globs.push(g.pattern.clone());
            }
            continue;
        }
        let _ = writeln!(
            text,
            "[[subjects]]\nfile = {}\nsubject = {}\ntype = \"{}\"",
            toml_str(&f.path),
            toml_str(&f.subject),
            f.schema_type
        );
        let refs = &all_refs[i];
        if !refs.is_empty() {
            let list: Vec<String> = refs
                .iter()
                .map(|(name, file)| {
                    format!("{{ name = {}, file = {} }}", toml_str(name), toml_str(file))
                })
                .collect();
            let _ = writeln!(text, "references = [{}]", list.join(", "));
        }
        text.push('\n');
    }
    for f in &found {
        let Some(events) = fixture_events(&f.stem) else {
            continue;
        };
        let _ = writeln!(
            text,
            "[[fixtures]]\nsubject = {}\nevents = {}\n",
            toml_str(&f.subject),
            toml_str(&events)
        );
    }
    let mapped: Vec<(String, String)> = found.into_iter().map(|f| (f.subject, f.path)).collect();
    // Refuse to write a file that would not load.
    Project::from_text(&text, root.to_path_buf())
        .context("the generated project file does not load (this is a bug)")?;
    std::fs::write(&target, &text).with_context(|| format!("cannot write {}", target.display()))?;
    let mut items: Vec<Item> = mapped
        .into_iter()
        .map(|(subject, path)| {
            Item::new(subject, Some(path), Status::Written)
                .detail(format!("mapped in {}", display_path(&target)))
        })
        .collect();
    items.extend(skipped);
    Ok(Outcome::new(CommandName::Init, items).next(format!(
        "review {FILE_NAME} (subjects, levels), then `schemagate register` to publish the schemas, or `schemagate check` to compare them with the registry"
    )))
}

/// The event files `init` maps to a schema of this stem, if there are any.
fn fixture_events(stem: &str) -> Option<String> {
    let flat = format!("fixtures/events/{stem}.json");
    let dir = format!("fixtures/events/{stem}");
    if Path::new(&flat).is_file() {
        Some(flat)
    } else if Path::new(&dir).is_dir() {
        Some(format!("{dir}/*.json"))
    } else {
        None
    }
}

/// From this many files of one kind in one directory, `init` writes one glob entry
/// for them instead of one entry per file.
const GLOB_FROM: usize = 5;

/// Files mapped by one glob entry.
struct Glob {
    pattern: String,
    strategy: &'static str,
    why: &'static str,
    members: Vec<usize>,
}

/// The glob entries that can replace per-file ones: the files of one schema type and
/// extension in one directory, at least [`GLOB_FROM`] of them, that need nothing of
/// their own (no references in or out, no fixtures, no Protobuf imports), that the
/// glob matches exactly (no other file), and whose subjects a naming strategy derives
/// from each file just as the per-file entries would name them. Anything else keeps
/// its own entry.
fn globs(root: &Path, found: &[Found], refs: &[Vec<(String, String)>]) -> Result<Vec<Glob>> {
    let referenced = |path: &str| refs.iter().flatten().any(|(_, file)| file == path);
    // Files grouped by (glob pattern, schema type).
    let mut groups: Vec<((String, SchemaType), Vec<usize>)> = Vec::new();
    for (i, f) in found.iter().enumerate() {
        if f.schema_type == SchemaType::Protobuf
            || !refs[i].is_empty()
            || referenced(&f.path)
            || fixture_events(&f.stem).is_some()
        {
            continue;
        }
        let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
        let Some((_, ext)) = name.rsplit_once('.') else {
            continue;
        };
        let pattern = if dir.is_empty() {
            format!("*.{ext}")
        } else {
            format!("{dir}/*.{ext}")
        };
        let key = (pattern, f.schema_type);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let mut out = Vec::new();
    for ((pattern, _), members) in groups {
        if members.len() < GLOB_FROM {
            continue;
        }
        let matched: Vec<String> = glob::expand(root, &pattern)?
            .into_iter()
            .filter(|f| !contract::is_sidecar(f))
            .map(|f| f.to_string_lossy().replace('\\', "/"))
            .collect();
        let mut paths: Vec<String> = members.iter().map(|&i| found[i].path.clone()).collect();
        paths.sort();
        if matched != paths {
            continue;
        }
        let by_record = members.iter().all(|&i| {
            let f = &found[i];
            named_by_record(Path::new(&f.path), &f.content, f.schema_type).is_some()
        });
        let (strategy, name, why) = if by_record {
            (
                NamingStrategy::Record,
                "record",
                "each file is named after its record, which names its subject",
            )
        } else {
            (
                NamingStrategy::Topic,
                "topic",
                "each file's name is its topic (orders.avsc is orders-value)",
            )
        };
        let same = members.iter().all(|&i| {
            let f = &found[i];
            subject_of(strategy, Path::new(&f.path), &f.content, f.schema_type).ok()
                == Some(f.subject.clone())
        });
        if same {
            out.push(Glob {
                pattern,
                strategy: name,
                why,
                members,
            });
        }
    }
    Ok(out)
}

/// For the `.proto` files found: the import paths under which their imports name
/// other found files (the path of the importing directory tree, `schemas/proto` for
/// `schemas/proto/shop/v1/customer.proto` imported as `shop/v1/customer.proto`), and
/// each imported file's subject renamed to its import path, as Confluent's serializers
/// name a reference's subject. A file importing something that is neither found nor
/// built-in is skipped (and so, in turn, are its importers), saying why: the project
/// could not resolve it.
fn proto_imports(found: &mut Vec<Found>, skipped: &mut Vec<Item>) -> Vec<String> {
    loop {
        let mut roots: Vec<String> = Vec::new();
        let mut imported: Vec<(usize, String)> = Vec::new();
        let mut unresolved = None;
        for (i, f) in found.iter().enumerate() {
            if f.schema_type != SchemaType::Protobuf {
                continue;
            }
            for import in crate::proto::outline(&f.content).imports {
                let target = found.iter().enumerate().find_map(|(j, other)| {
                    let root = other.path.strip_suffix(&import.path)?;
                    let root = match root {
                        "" => "",
                        r => r.strip_suffix('/')?,
                    };
                    (other.schema_type == SchemaType::Protobuf).then(|| (j, root.to_owned()))
                });
                match target {
                    Some((j, root)) => {
                        if !roots.contains(&root) {
                            roots.push(root);
                        }
                        imported.push((j, import.path));
                    }
                    None if protobuf::is_builtin_path(&import.path) => {}
                    None => {
                        unresolved = Some((i, import.path));
                        break;
                    }
                }
            }
            if unresolved.is_some() {
                break;
            }
        }
        if let Some((i, import)) = unresolved {
            let f = found.remove(i);
            skipped.push(
                Item::new(f.path.clone(), Some(f.path), Status::Skipped).detail(format!(
                    "imports {import:?}, which is neither among the files found nor a built-in import"
                )),
            );
            continue;
        }
        for (j, name) in imported {
            found[j].subject = name;
        }
        // The project's directory is where imports resolve without `import_paths`.
        if roots.iter().all(String::is_empty) {
            return Vec::new();
        }
        return roots
            .into_iter()
            .map(|r| if r.is_empty() { ".".to_owned() } else { r })
            .collect();
    }
}

/// What init says when the schema directory is not there: the argument it takes, and
/// the directories nearby that hold schema files.
fn missing_dir(dir: &Path) -> String {
    let mut candidates: Vec<String> = walkdir::WalkDir::new(".")
        .max_depth(4)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !(name.starts_with('.') || name == "target" || name == "node_modules")
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            recognise(e.path(), &text).ok()?;
            let parent = e.path().parent()?.to_string_lossy().replace('\\', "/");
            Some(parent.trim_start_matches("./").to_owned())
        })
        .collect();
    candidates.sort();
    candidates.dedup();
    let mut message = format!(
        "there is no directory {}: pass the folder that holds your schema files, as in `schemagate init path/to/schemas`",
        dir.display()
    );
    if !candidates.is_empty() {
        candidates.truncate(3);
        let _ = write!(
            message,
            "; schemas were found in: {}",
            candidates.join(", ")
        );
    }
    message
}

/// The schema language of `file`, judged by its content; why it is not a schema
/// otherwise. Avro (`.avsc`, `.avro`, or a `.json` whose content is Avro) and JSON
/// Schema (a `.json` with `$schema` or JSON Schema keywords) must parse with the core;
/// a name defined in another file does not count against them, since init maps those
/// as references.
fn recognise(file: &Path, text: &str) -> Result<SchemaType, String> {
    let Some(guess) = infer_type(file, text) else {
        return Err(if file.extension().is_some_and(|e| e == "json") {
            "not valid JSON".to_owned()
        } else {
            "not an .avsc, .json or .proto file".to_owned()
        });
    };
    // A `.proto` file is compiled with its imports once they are mapped: `check` says
    // what is wrong with it, at its line.
    if guess == SchemaType::Protobuf {
        return Ok(guess);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let by_extension = file.extension().is_some_and(|e| e == "avsc" || e == "avro");
    let looks = match guess {
        SchemaType::Avro => by_extension || looks_avro(&value),
        _ => looks_json_schema(&value),
    };
    if !looks {
        return Err(match guess {
            SchemaType::Avro => "JSON, but not an Avro schema".to_owned(),
            _ => "JSON, but neither `$schema` nor any JSON Schema keyword".to_owned(),
        });
    }
    match ParsedSchema::parse(guess, text, &[]) {
        Ok(_) | Err(SchemaError::UnresolvedReference { .. }) => Ok(guess),
        Err(e) => Err(format!("does not parse as {guess}: {e}")),
    }
}

/// A named Avro type, or a union of schemas.
fn looks_avro(value: &Value) -> bool {
    match value {
        Value::Object(o) => o
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| matches!(t, "record" | "error" | "enum" | "fixed")),
        Value::Array(items) => {
            !items.is_empty()
                && items
                    .iter()
                    .all(|i| i.is_string() || i.get("type").is_some_and(|t| !t.is_null()))
        }
        _ => false,
    }
}

/// An object with `$schema` or with a keyword only JSON Schema gives meaning to.
fn looks_json_schema(value: &Value) -> bool {
    const KEYWORDS: [&str; 14] = [
        "$schema",
        "$ref",
        "$defs",
        "definitions",
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "const",
        "enum",
    ];
    const TYPES: [&str; 7] = [
        "object", "array", "string", "number", "integer", "boolean", "null",
    ];
    let Value::Object(o) = value else {
        return false;
    };
    let typed = match o.get("type") {
        Some(Value::String(t)) => TYPES.contains(&t.as_str()),
        Some(Value::Array(ts)) => {
            !ts.is_empty()
                && ts
                    .iter()
                    .all(|t| t.as_str().is_some_and(|t| TYPES.contains(&t)))
        }
        _ => false,
    };
    typed || KEYWORDS.iter().any(|k| o.contains_key(*k))
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

struct Found {
    subject: String,
    path: String,
    stem: String,
    schema_type: SchemaType,
    content: String,
}

/// `orders` -> `orders-value`; `orders_key` / `orders-key` -> `orders-key`.
fn subject_for(stem: &str) -> String {
    for (suffix, kind) in [
        ("-key", "key"),
        ("_key", "key"),
        ("-value", "value"),
        ("_value", "value"),
    ] {
        if let Some(topic) = stem.strip_suffix(suffix).filter(|t| !t.is_empty()) {
            return format!("{topic}-{kind}");
        }
    }
    format!("{stem}-value")
}

/// Avro: the full names a file defines (`defined`) or uses without defining; JSON
/// Schema: the `$ref`s to other files (without fragments) it uses.
fn names(f: &Found, defined: bool) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<Value>(&f.content) else {
        return Vec::new();
    };
    let mut defs = Vec::new();
    let mut uses = Vec::new();
    match f.schema_type {
        SchemaType::Avro => avro_names(&value, "", &mut defs, &mut uses, 0),
        // Imports become references when the project loads.
        SchemaType::Protobuf => {}
        _ => json_refs(&value, &mut uses, 0),
    }
    if defined {
        defs
    } else {
        uses.retain(|u| !defs.contains(u));
        uses
    }
}

const AVRO_PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Depth is bounded: the schema has not been through the core's limits yet.
fn avro_names(v: &Value, ns: &str, defs: &mut Vec<String>, uses: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    let full = |name: &str, ns: &str| {
        if name.contains('.') || ns.is_empty() {
            name.to_owned()
        } else {
            format!("{ns}.{name}")
        }
    };
    match v {
        Value::String(name) if !AVRO_PRIMITIVES.contains(&name.as_str()) => {
            uses.push(full(name, ns))
        }
        Value::Array(branches) => branches
            .iter()
            .for_each(|b| avro_names(b, ns, defs, uses, depth + 1)),
        Value::Object(o) => {
            let kind = o.get("type");
            let named = matches!(
                kind.and_then(Value::as_str),
                Some("record" | "error" | "enum" | "fixed")
            );
            let mut ns = ns.to_owned();
            if named && let Some(name) = o.get("name").and_then(Value::as_str) {
                if let Some(n) = o.get("namespace").and_then(Value::as_str) {
                    ns = n.to_owned();
                }
                let name = full(name, &ns);
                if let Some((prefix, _)) = name.rsplit_once('.') {
                    ns = prefix.to_owned();
                }
                defs.push(name);
            }
            match kind {
                Some(Value::String(k)) if k == "record" || k == "error" => {
                    for field in o
                        .get("fields")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(t) = field.get("type") {
                            avro_names(t, &ns, defs, uses, depth + 1);
                        }
                    }
                }
                Some(Value::String(k)) if k == "array" => {
                    if let Some(items) = o.get("items") {
                        avro_names(items, &ns, defs, uses, depth + 1);
                    }
                }
                Some(Value::String(k)) if k == "map" => {
                    if let Some(values) = o.get("values") {
                        avro_names(values, &ns, defs, uses, depth + 1);
                    }
                }
                Some(Value::String(_)) if named => {}
                Some(other) => avro_names(other, &ns, defs, uses, depth + 1),
                None => {}
            }
        }
        _ => {}
    }
}

fn json_refs(v: &Value, uses: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                let target = r.split('#').next().unwrap_or_default();
                if !target.is_empty() && !uses.iter().any(|u| u == target) {
                    uses.push(target.to_owned());
                }
            }
            o.values().for_each(|x| json_refs(x, uses, depth + 1));
        }
        Value::Array(a) => a.iter().for_each(|x| json_refs(x, uses, depth + 1)),
        _ => {}
    }
}
