//! `schemagate.toml`: where the registry is, which file is which subject, how offline
//! checks are judged, which findings are waived, and which sample events to validate.
//!
//! The file is read once into [`Project`], with every glob expanded and every subject
//! named, so commands never see an unresolved mapping. Credentials are not accepted
//! here: a project file is committed, secrets are not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use schemagate_core::{Level, NamingStrategy, Policy, SchemaType, Subject};
use serde::Deserialize;

use crate::glob;

/// The project file's name, looked for from the current directory upwards.
pub const FILE_NAME: &str = "schemagate.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    #[serde(default)]
    registry: RawRegistry,
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default)]
    semver: RawSemver,
    #[serde(default)]
    subjects: Vec<RawSubject>,
    #[serde(default)]
    ignore: Vec<Ignore>,
    #[serde(default)]
    fixtures: Vec<RawFixture>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    url: Option<String>,
    timeout: Option<f64>,
    retries: Option<u32>,
    concurrency: Option<usize>,
    // Caught only to explain why they are refused.
    user: Option<toml::Value>,
    username: Option<toml::Value>,
    password: Option<toml::Value>,
    token: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    level: Option<String>,
    policy: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSemver {
    enabled: Option<bool>,
    key: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubject {
    file: Option<String>,
    subject: Option<String>,
    glob: Option<String>,
    strategy: Option<String>,
    topic: Option<String>,
    #[serde(default)]
    key: bool,
    #[serde(rename = "type")]
    schema_type: Option<String>,
    level: Option<String>,
    policy: Option<String>,
    #[serde(default)]
    references: Vec<RawReference>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReference {
    name: String,
    file: Option<String>,
    subject: Option<String>,
    version: Option<u32>,
}

/// A waiver: findings whose rule (and path prefix, and subject) match are not counted.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    /// Rule id; a trailing `*` matches a prefix (`JSON_*`).
    pub rule: String,
    /// JSON pointer prefix the finding's path must start with.
    pub path: Option<String>,
    /// Only for this subject.
    pub subject: Option<String>,
}

impl Ignore {
    /// Whether this waiver covers a finding of `rule` at `path` in `subject`.
    pub fn covers(&self, subject: &str, rule: &str, path: &str) -> bool {
        let rule_ok = match self.rule.strip_suffix('*') {
            Some(prefix) => rule.starts_with(prefix),
            None => self.rule == rule,
        };
        let path_ok = self.path.as_deref().is_none_or(|p| {
            let p = p.trim_end_matches('/');
            path == p || path.starts_with(&format!("{p}/")) || p.is_empty()
        });
        rule_ok && path_ok && self.subject.as_deref().is_none_or(|s| s == subject)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixture {
    subject: String,
    events: String,
    #[serde(default = "yes")]
    valid: bool,
}

fn yes() -> bool {
    true
}

/// Registry settings from the file (the URL may be overridden on the command line).
#[derive(Clone, Debug, Default)]
pub struct RegistrySettings {
    /// Base URL.
    pub url: Option<String>,
    /// Per-request timeout in seconds.
    pub timeout: Option<f64>,
    /// Retries after connection errors.
    pub retries: Option<u32>,
    /// Most requests in flight at once.
    pub concurrency: Option<usize>,
}

/// How a mapped schema imports another one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefSpec {
    /// The name the importing schema uses.
    pub name: String,
    /// Local file with the referenced schema (offline checks read it).
    pub file: Option<PathBuf>,
    /// Registered subject of the referenced schema.
    pub subject: Option<String>,
    /// Registered version; the subject's latest when absent.
    pub version: Option<u32>,
}

/// One schema file and the subject it is registered under.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// The subject.
    pub subject: String,
    /// Path relative to the project root.
    pub file: PathBuf,
    /// Schema language.
    pub schema_type: SchemaType,
    /// Level for offline checks (registry checks use the registry's).
    pub level: Level,
    /// JSON Schema rule set.
    pub policy: Policy,
    /// Schemas it imports.
    pub references: Vec<RefSpec>,
}

/// Sample events of one subject.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The subject whose schema they must satisfy.
    pub subject: String,
    /// Event files, relative to the project root.
    pub files: Vec<PathBuf>,
    /// False for negative examples that the schema must refuse.
    pub valid: bool,
    /// The glob as written, for messages.
    pub pattern: String,
}

/// The semver gate's settings.
#[derive(Clone, Debug)]
pub struct SemverGate {
    /// Off only when the project says so; it acts only on schemas declaring a version.
    pub enabled: bool,
    /// Overrides the key the version is read from (`version` for Avro, `x-version` for
    /// JSON Schema).
    pub key: Option<String>,
}

/// A loaded project file.
#[derive(Clone, Debug)]
pub struct Project {
    /// Directory of the project file; mapped paths are relative to it.
    pub root: PathBuf,
    /// Registry settings.
    pub registry: RegistrySettings,
    /// Every mapped schema, in file order.
    pub mappings: Vec<Mapping>,
    /// Waivers.
    pub ignores: Vec<Ignore>,
    /// Sample events.
    pub fixtures: Vec<Fixture>,
    /// The semver gate.
    pub semver: SemverGate,
}

impl Project {
    /// Finds the project: `explicit` (a file or a directory holding one), else the
    /// nearest `schemagate.toml` from the current directory upwards.
    pub fn discover(explicit: Option<&Path>) -> Result<Project> {
        let path = match explicit {
            Some(p) if p.is_dir() => p.join(FILE_NAME),
            Some(p) => p.to_path_buf(),
            None => {
                let cwd = std::env::current_dir().context("cannot read the current directory")?;
                cwd.ancestors()
                    .map(|d| d.join(FILE_NAME))
                    .find(|p| p.is_file())
                    .ok_or_else(|| {
                        anyhow!(
                            "no {FILE_NAME} in {} or any parent directory; run `schemagate init` to write one",
                            cwd.display()
                        )
                    })?
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        Project::from_text(&text, root).with_context(|| format!("in {}", path.display()))
    }

    /// Builds a project from the text of its file, resolving paths against `root`.
    pub fn from_text(text: &str, root: PathBuf) -> Result<Project> {
        let raw: RawProject =
            toml::from_str(text).map_err(|e| anyhow!("{}", e.to_string().trim_end()))?;
        let r = &raw.registry;
        if r.user.is_some() || r.username.is_some() || r.password.is_some() || r.token.is_some() {
            bail!(
                "credentials do not belong in the project file: set SCHEMAGATE_REGISTRY_USER and SCHEMAGATE_REGISTRY_PASSWORD, or SCHEMAGATE_REGISTRY_TOKEN, in the environment"
            );
        }
        if r.concurrency == Some(0) {
            bail!("[registry] concurrency must be at least 1");
        }
        let default_level = parse_level(raw.defaults.level.as_deref(), Level::Backward)?;
        let default_policy = parse_policy(raw.defaults.policy.as_deref(), Policy::Strict)?;

        let mut mappings: Vec<Mapping> = Vec::new();
        for (i, s) in raw.subjects.iter().enumerate() {
            let at = || format!("[[subjects]] entry {}", i + 1);
            let level = parse_level(s.level.as_deref(), default_level).with_context(at)?;
            let policy = parse_policy(s.policy.as_deref(), default_policy).with_context(at)?;
            let explicit_type = s
                .schema_type
                .as_deref()
                .map(|t| t.to_ascii_uppercase().parse::<SchemaType>())
                .transpose()
                .with_context(at)?;
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
            let files: Vec<(PathBuf, Option<String>)> = match (&s.file, &s.glob) {
                // A missing file is not a config error: `pull` creates it, and `check`
                // reports it against its subject.
                (Some(file), None) => vec![(clean(file), s.subject.clone())],
                (None, Some(pattern)) => {
                    if s.subject.is_some() {
                        bail!(
                            "{}: `subject` names one file's subject; with `glob`, use `strategy` (topic, record or topic-record)",
                            at()
                        );
                    }
                    let found = glob::expand(&root, pattern)
                        .with_context(|| format!("{}: cannot expand {pattern:?}", at()))?;
                    if found.is_empty() {
                        bail!("{}: glob {pattern:?} matches no file", at());
                    }
                    found.into_iter().map(|f| (f, None)).collect()
                }
                _ => bail!(
                    "{}: give either `file` (with `subject` or `strategy`) or `glob`",
                    at()
                ),
            };
            let strategy = s
                .strategy
                .as_deref()
                .map(str::parse::<NamingStrategy>)
                .transpose()
                .map_err(|e| anyhow!(e))
                .with_context(at)?;
            for (file, subject) in files {
                let path = root.join(&file);
                let text = if path.exists() || subject.is_none() {
                    std::fs::read_to_string(&path)
                        .with_context(|| format!("{}: cannot read {}", at(), file.display()))?
                } else {
                    String::new()
                };
                let schema_type = match explicit_type {
                    Some(t) => t,
                    None => infer_type(&file, &text).or_else(|| text.is_empty().then(|| type_from_extension(&file)).flatten()).ok_or_else(|| {
                        anyhow!(
                            "{}: cannot tell whether {} is Avro or JSON Schema; set `type = \"AVRO\"` or `\"JSON\"`",
                            at(),
                            file.display()
                        )
                    })?,
                };
                let subject = match subject {
                    Some(s) => s,
                    None => derive_subject(
                        strategy.unwrap_or(NamingStrategy::Topic),
                        s.topic.as_deref(),
                        s.key,
                        &file,
                        &text,
                        schema_type,
                    )
                    .with_context(at)?,
                };
                Subject::parse(&subject)
                    .map_err(|e| anyhow!("{}: subject {subject:?}: {e}", at()))?;
                mappings.push(Mapping {
                    subject,
                    file,
                    schema_type,
                    level,
                    policy,
                    references: references.clone(),
                });
            }
        }
        let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
        for m in &mappings {
            if let Some(other) = seen.insert(&m.subject, &m.file) {
                bail!(
                    "subject {:?} is mapped twice, to {} and {}",
                    m.subject,
                    other.display(),
                    m.file.display()
                );
            }
        }
        for m in &mappings {
            for r in &m.references {
                if r.file.is_none() && r.subject.is_none() {
                    bail!(
                        "reference {:?} of {} needs a `file`, a `subject` or both",
                        r.name,
                        m.subject
                    );
                }
                if let Some(f) = &r.file
                    && !root.join(f).is_file()
                {
                    bail!(
                        "reference {:?} of {}: file {} does not exist",
                        r.name,
                        m.subject,
                        f.display()
                    );
                }
            }
        }
        let mut fixtures = Vec::new();
        for f in &raw.fixtures {
            if !mappings.iter().any(|m| m.subject == f.subject) {
                bail!(
                    "[[fixtures]] for subject {:?}: no [[subjects]] entry maps it",
                    f.subject
                );
            }
            let files = glob::expand(&root, &f.events)
                .with_context(|| format!("cannot expand {:?}", f.events))?;
            fixtures.push(Fixture {
                subject: f.subject.clone(),
                files,
                valid: f.valid,
                pattern: f.events.clone(),
            });
        }
        Ok(Project {
            root,
            registry: RegistrySettings {
                url: r.url.clone(),
                timeout: r.timeout,
                retries: r.retries,
                concurrency: r.concurrency,
            },
            mappings,
            ignores: raw.ignore,
            fixtures,
            semver: SemverGate {
                enabled: raw.semver.enabled.unwrap_or(true),
                key: raw.semver.key,
            },
        })
    }

    /// The mapping of `subject`.
    pub fn mapping(&self, subject: &str) -> Option<&Mapping> {
        self.mappings.iter().find(|m| m.subject == subject)
    }

    /// The mappings named by `subjects`, or all of them when it is empty.
    pub fn select(&self, subjects: &[String]) -> Result<Vec<&Mapping>> {
        // A gate that checks nothing must not pass silently.
        if self.mappings.is_empty() {
            bail!(
                "{FILE_NAME} maps no subjects: add [[subjects]] entries (or run `schemagate init`)"
            );
        }
        if subjects.is_empty() {
            return Ok(self.mappings.iter().collect());
        }
        subjects
            .iter()
            .map(|s| {
                self.mapping(s)
                    .ok_or_else(|| anyhow!("subject {s:?} is not mapped in {FILE_NAME}"))
            })
            .collect()
    }

    /// The path to show for a project-relative file: relative to the current directory
    /// when it lies below it (what a terminal and GitHub annotations can open).
    pub fn display(&self, file: &Path) -> String {
        display_path(&self.root.join(file))
    }
}

/// `path` as shown to people: relative to the current directory when possible.
pub fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir().ok().and_then(|cwd| {
        let abs = std::path::absolute(path).ok()?;
        abs.strip_prefix(&cwd).ok().map(Path::to_path_buf)
    });
    let Some(relative) = relative else {
        return path.display().to_string();
    };
    let text = relative
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}

fn clean(path: &str) -> PathBuf {
    PathBuf::from(path.trim_start_matches("./"))
}

fn parse_level(text: Option<&str>, default: Level) -> Result<Level> {
    text.map_or(Ok(default), |t| t.parse().map_err(|e| anyhow!("{e}")))
}

fn parse_policy(text: Option<&str>, default: Policy) -> Result<Policy> {
    text.map_or(Ok(default), |t| t.parse().map_err(|e: String| anyhow!(e)))
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
pub fn record_name(text: &str, schema_type: SchemaType) -> Option<String> {
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
    let stem = file
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('.').next())
        .unwrap_or_default()
        .to_owned();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)], toml: &str) -> (tempfile::TempDir, Result<Project>) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let p = Project::from_text(toml, dir.path().to_path_buf());
        (dir, p)
    }

    const ORDER: &str = r#"{"type":"record","name":"Order","namespace":"shop","fields":[]}"#;
    const CUSTOMER: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Customer","type":"object"}"#;

    #[test]
    fn globs_and_strategies_name_subjects() {
        let files = [
            ("s/orders.avsc", ORDER),
            ("s/customers.json", CUSTOMER),
            ("s/payments-key.avsc", ORDER),
        ];
        let (_d, p) = project(&files, "[[subjects]]\nglob = \"s/*\"\n");
        let p = p.unwrap();
        let subjects: Vec<_> = p
            .mappings
            .iter()
            .map(|m| (m.subject.as_str(), m.schema_type))
            .collect();
        assert_eq!(
            subjects,
            [
                ("customers-value", SchemaType::Json),
                ("orders-value", SchemaType::Avro),
                ("payments-key", SchemaType::Avro)
            ]
        );
        let (_d, p) = project(
            &files[..2],
            "[[subjects]]\nglob = \"s/*\"\nstrategy = \"topic-record\"\ntopic = \"shop\"\n",
        );
        let names: Vec<_> = p.unwrap().mappings.into_iter().map(|m| m.subject).collect();
        assert_eq!(names, ["shop-Customer", "shop-shop.Order"]);
        let (_d, p) = project(
            &files[1..2],
            "[[subjects]]\nglob = \"s/*.json\"\nstrategy = \"record\"\n",
        );
        assert_eq!(p.unwrap().mappings[0].subject, "Customer");
    }

    #[test]
    fn config_errors_say_what_to_do() {
        let files = [("a.avsc", ORDER), ("b.avsc", ORDER)];
        let err = |toml: &str| format!("{:#}", project(&files, toml).1.unwrap_err());
        assert!(err("[registry]\npassword = \"x\"").contains("SCHEMAGATE_REGISTRY_PASSWORD"));
        assert!(
            err("[[subjects]]\nfile = \"nope.avsc\"\nstrategy = \"record\"")
                .contains("cannot read nope.avsc")
        );
        assert!(err("[[subjects]]\nfile = \"a.avsc\"\nsubject = \"x\"\n[[subjects]]\nfile = \"b.avsc\"\nsubject = \"x\"").contains("mapped twice"));
        assert!(
            err("[[subjects]]\nfile = \"a.avsc\"\nsubject = \"x\"\nlevel = \"SIDEWAYS\"")
                .contains("invalid compatibility level")
        );
        assert!(err("[[subjects]]\nglob = \"z/*\"").contains("matches no file"));
        assert!(err("[registy]\nurl = \"x\"").contains("unknown field"));
    }

    #[test]
    fn ignores_match_rule_prefix_and_path() {
        let i = Ignore {
            rule: "JSON_*".into(),
            path: Some("/properties/a".into()),
            subject: None,
        };
        assert!(i.covers("s", "JSON_X", "/properties/a"));
        assert!(i.covers("s", "JSON_X", "/properties/a/type"));
        assert!(!i.covers("s", "JSON_X", "/properties/ab"));
        assert!(!i.covers("s", "AVRO_X", "/properties/a"));
    }
}
