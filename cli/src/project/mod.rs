//! `schemagate.toml`: where the registry is, which file is which subject (and the data
//! contract it declares), how offline checks are judged, which findings are waived, and
//! which sample events to validate.
//!
//! The file is read once into [`Project`], with every glob expanded and every subject
//! named, so commands never see an unresolved mapping. Credentials are not accepted
//! here: a project file is committed, secrets are not. `load` reads the file as
//! written, `resolve` turns it into mappings and fixtures, `validate` refuses what
//! no command could work with.

mod load;
mod resolve;
mod validate;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use schemagate_core::{CheckOptions, Level, Policy, ProtobufPolicy, SchemaType, Subject};
use serde::Deserialize;

use crate::contract::Contract;

pub use resolve::{infer_type, named_by_record, subject_of, topic_stem};

/// The project file's name, looked for from the current directory upwards.
pub const FILE_NAME: &str = "schemagate.toml";

/// A waiver: findings whose rule (and path prefix, and subject) match are not counted.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    /// Rule id; a trailing `*` matches a prefix (`JSON_*`).
    pub rule: String,
    /// JSON pointer prefix the finding's path must start with.
    pub path: Option<String>,
    /// Only for this subject.
    pub subject: Option<Subject>,
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
        rule_ok && path_ok && self.subject.as_ref().is_none_or(|s| s.as_str() == subject)
    }
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
    pub subject: Option<Subject>,
    /// Registered version; the subject's latest when absent.
    pub version: Option<u32>,
}

/// One schema file and the subject it is registered under.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// The subject.
    pub subject: Subject,
    /// Path relative to the project root.
    pub file: PathBuf,
    /// Schema language.
    pub schema_type: SchemaType,
    /// Level for offline checks: the subject's own, else the project default.
    pub level: Level,
    /// The level the subject's entry declares, which `register` applies to the
    /// registry and online checks judge under; without one they use the registry's.
    pub declared_level: Option<Level>,
    /// JSON Schema rule set.
    pub policy: Policy,
    /// Protobuf rule set.
    pub protobuf_policy: ProtobufPolicy,
    /// Protobuf: the message sample events carry, as the entry names it; the file's
    /// first message when `None`.
    pub message: Option<String>,
    /// Schemas it imports: the entry's `references`, then (Protobuf) one for each
    /// `import` of a file the project maps that no explicit reference names.
    pub references: Vec<RefSpec>,
    /// The data contract its entry declares (`metadata`, `ruleSet`); a sidecar file is
    /// read by the commands that send or compare contracts (`crate::contract::declared`).
    pub contract: Option<Contract>,
    /// Its entry, as messages name it ("[[subjects]] entry 2").
    pub entry: String,
}

impl Mapping {
    /// The options its checks run with: its JSON Schema and Protobuf rule sets.
    pub fn check_options(&self) -> CheckOptions {
        CheckOptions {
            policy: self.policy,
            protobuf: self.protobuf_policy,
        }
    }
}

/// Sample events of one subject.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The subject whose schema they must satisfy.
    pub subject: Subject,
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
    /// The project file itself, for messages.
    pub file: PathBuf,
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
    /// Accepted breaks (`[[accept]]`), in file order.
    pub accepts: Vec<crate::accept::Accept>,
}

impl Project {
    /// Finds the project: `explicit` (a file or a directory holding one), else the
    /// nearest `schemagate.toml` from the current directory upwards.
    pub fn discover(explicit: Option<&Path>) -> Result<Project> {
        let path = load::find(explicit)?;
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        let mut project =
            Project::from_text(&text, root).with_context(|| format!("in {}", path.display()))?;
        project.file = path;
        Ok(project)
    }

    /// Builds a project from the text of its file, resolving paths against `root`.
    pub fn from_text(text: &str, root: PathBuf) -> Result<Project> {
        let mut raw = load::parse(text)?;
        let context = validate::registry(&raw.registry)?;
        if let Some(context) = &context {
            for f in &mut raw.fixtures {
                f.subject = resolve::in_context(context, &f.subject)?;
            }
        }
        let import_paths = resolve::import_paths(&raw.protobuf, &root)?;
        let mappings = resolve::mappings(&raw, &root, context.as_ref(), &import_paths)?;
        validate::mappings(&mappings, &root)?;
        let mut fixtures = Vec::new();
        for f in &raw.fixtures {
            validate::fixture(f, &mappings)?;
            fixtures.push(resolve::fixture(f, &root)?);
        }
        let accepts = accepts(&raw, text, context.as_ref(), &mappings)?;
        let r = raw.registry;
        Ok(Project {
            file: root.join(FILE_NAME),
            root,
            registry: RegistrySettings {
                url: r.url,
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
            accepts,
        })
    }

    /// The mapping of `subject`.
    pub fn mapping(&self, subject: &str) -> Option<&Mapping> {
        self.mappings.iter().find(|m| m.subject.as_str() == subject)
    }

    /// The mappings named by `subjects`, or all of them when it is empty.
    pub fn select(&self, subjects: &[Subject]) -> Result<Vec<&Mapping>> {
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
                self.mapping(s.as_str())
                    .ok_or_else(|| anyhow!("subject {:?} is not mapped in {FILE_NAME}", s.as_str()))
            })
            .collect()
    }

    /// The path to show for a project-relative file: relative to the current directory
    /// when it lies below it (what a terminal and GitHub annotations can open).
    pub fn display(&self, file: &Path) -> String {
        display_path(&self.root.join(file))
    }
}

/// The `[[accept]]` entries, validated: a known rule id, a JSON pointer, a reason, a
/// date, and a subject the project maps (in the project's context, like fixtures).
fn accepts(
    raw: &load::RawProject,
    text: &str,
    context: Option<&schemagate_core::Context>,
    mappings: &[Mapping],
) -> Result<Vec<crate::accept::Accept>> {
    // Where each entry starts, for findings placed in schemagate.toml.
    let headers: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[accept]]"))
        .map(|(i, _)| i + 1)
        .collect();
    let mut out = Vec::new();
    for (i, a) in raw.accept.iter().enumerate() {
        let subject = match context {
            Some(context) => resolve::in_context(context, &a.subject)?,
            None => a.subject.clone(),
        };
        let accept = crate::accept::Accept::new(
            i + 1,
            headers.get(i).copied(),
            subject.as_str(),
            &a.rule,
            &a.path,
            &a.reason,
            &a.until,
        )?;
        if !mappings.iter().any(|m| m.subject == subject) {
            bail!(
                "[[accept]] entry {} (subject {:?}): `subject`: no [[subjects]] entry maps it; correct the subject or delete the entry",
                i + 1,
                subject.as_str()
            );
        }
        out.push(accept);
    }
    Ok(out)
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

    /// The subjects of a project that loaded, in mapping order.
    fn subjects(p: Result<Project>) -> Vec<String> {
        let mappings = p.unwrap().mappings;
        mappings.iter().map(|m| m.subject.to_string()).collect()
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
        let typed: Vec<_> = p
            .mappings
            .iter()
            .map(|m| (m.subject.as_str(), m.schema_type))
            .collect();
        assert_eq!(
            typed,
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
        assert_eq!(subjects(p), ["shop-Customer", "shop-shop.Order"]);
        let (_d, p) = project(
            &files[1..2],
            "[[subjects]]\nglob = \"s/*.json\"\nstrategy = \"record\"\n",
        );
        assert_eq!(p.unwrap().mappings[0].subject.as_str(), "Customer");
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
    fn globs_match_non_ascii_names_by_character() {
        let files = [
            ("schemas/éü.avsc", ORDER),
            ("schemas/éüx.avsc", ORDER),
            ("schemas/äpfel.json", CUSTOMER),
            ("schemas/übel.json", CUSTOMER),
        ];
        let toml = "[[subjects]]\nglob = \"schemas/é?.avsc\"\n[[subjects]]\nglob = \"schemas/[äö]*.json\"\n";
        let (_d, p) = project(&files, toml);
        assert_eq!(subjects(p), ["éü-value", "äpfel-value"]);
    }

    #[test]
    fn a_subjects_contract_is_read_from_its_tables_for_every_file_of_the_entry() {
        let other = CUSTOMER.replace("Customer", "B");
        let files = [
            ("s/a.json", CUSTOMER),
            ("s/b.json", other.as_str()),
            // A sidecar matches `*.json` but is no schema.
            ("s/a.json.contract.json", r#"{"metadata": {}}"#),
        ];
        let toml = r#"
[[subjects]]
glob = "s/*.json"
[subjects.metadata.properties]
owner = "crm"
[[subjects.ruleSet.domainRules]]
name = "checkEmail"
kind = "CONDITION"
mode = "WRITE"
type = "CEL"
expr = "message.email.contains('@')"
"#;
        let (_d, p) = project(&files, toml);
        let p = p.unwrap();
        assert_eq!(p.mappings.len(), 2, "the sidecar is not mapped");
        for m in &p.mappings {
            let c = m.contract.as_ref().unwrap();
            assert_eq!(c.metadata.as_ref().unwrap().properties["owner"], "crm");
            assert_eq!(
                c.rule_set.as_ref().unwrap().domain_rules[0].name(),
                "checkEmail"
            );
            assert_eq!(m.entry, "[[subjects]] entry 1");
        }
        let (_d, p) = project(
            &files[..1],
            "[[subjects]]\nfile = \"s/a.json\"\nsubject = \"a\"\n",
        );
        assert!(p.unwrap().mappings[0].contract.is_none());
    }

    #[test]
    fn contract_tables_are_refused_naming_the_entry_the_key_and_the_rule() {
        let files = [("a.avsc", ORDER)];
        let err = |toml: &str| format!("{:#}", project(&files, toml).1.unwrap_err());
        let head = "[[subjects]]\nfile = \"a.avsc\"\nsubject = \"a\"\n";
        let snake = err(&format!("{head}[subjects.rule_set]\ndomainRules = []\n"));
        assert!(
            snake.starts_with("[[subjects]] entry 1: unknown key `rule_set`"),
            "{snake}"
        );
        assert!(snake.contains("`ruleSet`"), "{snake}");
        let invalid = err(&format!(
            "{head}[[subjects.ruleSet.domainRules]]\nname = \"ok\"\ntype = \"CEL\"\nmode = \"WRITE\"\n[[subjects.ruleSet.domainRules]]\nname = \"late\"\ntype = \"CEL\"\nmode = \"UPGRADE\"\n"
        ));
        assert_eq!(
            invalid,
            "[[subjects]] entry 1: ruleSet.domainRules[1]: Domain rules can only be WRITE, READ, WRITEREAD (rule 'late' is UPGRADE)"
        );
        let typo = err(&format!("{head}[subjects.metadata]\nowner = \"x\"\n"));
        assert!(
            typo.starts_with("[[subjects]] entry 1: metadata.owner: unknown key \"owner\""),
            "{typo}"
        );
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
