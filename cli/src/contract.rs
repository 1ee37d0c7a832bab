//! Data contracts (Confluent 8's `metadata` and `ruleSet`) as the CLI handles them.
//!
//! A subject's contract is declared in one of two places, never both: its
//! `[[subjects]]` entry in `schemagate.toml` (a `metadata` and a `ruleSet` table), or a
//! sidecar file next to the schema, `<schema file>.contract.json`, holding
//! `{"metadata": ..., "ruleSet": ...}` in Confluent's JSON. Both are read strictly (a
//! misspelt key is refused at its place instead of being dropped, which would register
//! a contract without the part the author meant) and validated as the registry
//! validates them, so a refused rule set is reported before anything is sent.
//!
//! Against a registry, a contract is compared the way Confluent stores it: a part that
//! is not sent is the latest version's, the subject's default and override contracts
//! are merged under and over it, and `confluent:version` (the registry's bookkeeping) is
//! not part of the comparison. Any difference makes the registration a new version.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use schemagate_client::Config;
use schemagate_core::contract::{
    CONFLUENT_VERSION, ExecutionEnvironment, Metadata, Rule, RuleSet, metadata_from_json,
};
use schemagate_core::schema::json_kind;
use serde_json::{Map, Value};

use crate::project::{Mapping, Project, display_path};
use crate::report::Note;
use crate::rules::CliRule;

/// What a sidecar's name adds to its schema file's name.
pub const SIDECAR_SUFFIX: &str = ".contract.json";

/// The keys a contract may have, as Confluent spells them.
const CONTRACT_KEYS: &[&str] = &["metadata", "ruleSet"];
const METADATA_KEYS: &[&str] = &["tags", "properties", "sensitive"];
const RULE_SET_KEYS: &[&str] = &["migrationRules", "domainRules", "encodingRules", "enableAt"];
const PHASES: [&str; 3] = ["migrationRules", "domainRules", "encodingRules"];
const RULE_KEYS: &[&str] = &[
    "name",
    "doc",
    "kind",
    "mode",
    "type",
    "tags",
    "params",
    "expr",
    "onSuccess",
    "onFailure",
    "disabled",
];

pub use schemagate_core::contract::Contract;

/// A registered version's contract as the CLI compares and writes it: without
/// `confluent:version`, which the registry sets on each registration and which a
/// file should not pin.
pub fn registered(metadata: Option<&Metadata>, rule_set: Option<&RuleSet>) -> Contract {
    Contract {
        metadata: without_version(metadata),
        rule_set: rule_set.cloned(),
    }
}

/// The sidecar file's text: laid out for people by `pretty`, keys in Confluent's
/// order (the structs' field order is Confluent's, which a `serde_json::Value` would
/// sort away), ending with a newline.
pub fn to_text(contract: &Contract) -> String {
    // Plain data with string keys: serialising cannot fail.
    let compact = serde_json::to_string(contract).unwrap_or_default();
    crate::pretty::pretty(&compact).unwrap_or(compact)
}

/// One line saying what it holds: "metadata (properties owner, team), ruleSet
/// (domainRules checkSsn)".
pub fn summary(contract: &Contract) -> String {
    let mut parts = Vec::new();
    if let Some(m) = &contract.metadata {
        let mut inner = Vec::new();
        let mut list = |name: &str, keys: Vec<&str>| {
            if !keys.is_empty() {
                inner.push(format!("{name} {}", keys.join(", ")));
            }
        };
        list("tags", m.tags.keys().map(String::as_str).collect());
        list(
            "properties",
            m.properties.keys().map(String::as_str).collect(),
        );
        list(
            "sensitive",
            m.sensitive.iter().map(String::as_str).collect(),
        );
        parts.push(if inner.is_empty() {
            "metadata (empty)".to_owned()
        } else {
            format!("metadata ({})", inner.join("; "))
        });
    }
    if let Some(r) = &contract.rule_set {
        let mut inner: Vec<String> = PHASES
            .iter()
            .zip(phases(r))
            .filter(|(_, rules)| !rules.is_empty())
            .map(|(name, rules)| {
                let names: Vec<&str> = rules.iter().map(Rule::name).collect();
                format!("{name} {}", names.join(", "))
            })
            .collect();
        if let Some(at) = r.enable_at {
            inner.push(format!("enableAt {}", at.as_str()));
        }
        parts.push(if inner.is_empty() {
            "ruleSet (empty)".to_owned()
        } else {
            format!("ruleSet ({})", inner.join("; "))
        });
    }
    if parts.is_empty() {
        "nothing".to_owned()
    } else {
        parts.join(", ")
    }
}

/// `metadata` without `confluent:version`; metadata that held nothing else is none, as
/// Confluent's lookup treats it.
fn without_version(metadata: Option<&Metadata>) -> Option<Metadata> {
    let mut m = metadata?.clone();
    if m.properties.remove(CONFLUENT_VERSION).is_some() && m == Metadata::default() {
        return None;
    }
    Some(m)
}

fn phases(r: &RuleSet) -> [&Vec<Rule>; 3] {
    [&r.migration_rules, &r.domain_rules, &r.encoding_rules]
}

fn phases_mut(r: &mut RuleSet) -> [&mut Vec<Rule>; 3] {
    [
        &mut r.migration_rules,
        &mut r.domain_rules,
        &mut r.encoding_rules,
    ]
}

/// The sidecar of a schema file: `orders.avsc` -> `orders.avsc.contract.json`.
pub fn sidecar_of(schema_file: &Path) -> PathBuf {
    let mut name = schema_file
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(SIDECAR_SUFFIX);
    schema_file.with_file_name(name)
}

/// Whether `path` names a sidecar (which globs over schema files must not take for a
/// schema: `*.json` matches `orders.json.contract.json`).
pub fn is_sidecar(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(SIDECAR_SUFFIX))
}

/// One step of a path into a contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// An object's key.
    Key(String),
    /// An array's index.
    Index(usize),
}

/// What is wrong in a contract, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The place, from the contract's top.
    pub at: Vec<Step>,
    /// What is wrong there and what to write instead.
    pub message: String,
}

impl Problem {
    fn new(at: &[Step], message: impl Into<String>) -> Self {
        Problem {
            at: at.to_vec(),
            message: message.into(),
        }
    }

    /// The place as a JSON pointer (`/ruleSet/domainRules/0/kind`), for sidecar files.
    pub fn pointer(&self) -> String {
        self.at
            .iter()
            .map(|s| match s {
                Step::Key(k) => format!("/{}", schemagate_core::pointer::escape(k)),
                Step::Index(i) => format!("/{i}"),
            })
            .collect()
    }

    /// The place as TOML keys (`ruleSet.domainRules[0].kind`), for schemagate.toml.
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for s in &self.at {
            match s {
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&key_text(k));
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

/// A key as written in a dotted path: bare when it can be, quoted otherwise.
fn key_text(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_owned()
    } else {
        Value::from(key).to_string()
    }
}

/// A contract from its JSON (a sidecar file's content), read strictly and validated as
/// the registry validates it.
pub fn from_json(value: &Value) -> Result<Contract, Problem> {
    let top = object(value, &[], "a data contract")?;
    for key in top.keys() {
        if !CONTRACT_KEYS.contains(&key.as_str()) {
            let at = [Step::Key(key.clone())];
            let message = if key.eq_ignore_ascii_case("rule_set")
                || key.eq_ignore_ascii_case("ruleset")
            {
                format!("unknown key {key:?}: the rule set is `ruleSet`, as Confluent spells it")
            } else {
                format!("unknown key {key:?}: a data contract holds `metadata` and `ruleSet`")
            };
            return Err(Problem::new(&at, message));
        }
    }
    let metadata = match top.get("metadata") {
        None | Some(Value::Null) => None,
        Some(v) => Some(metadata(v)?),
    };
    let rule_set = match top.get("ruleSet") {
        None | Some(Value::Null) => None,
        Some(v) => Some(rule_set(v)?),
    };
    Ok(Contract { metadata, rule_set })
}

/// A contract from a `[[subjects]]` entry's `metadata` and `ruleSet` tables; `None`
/// when the entry has neither.
pub fn from_toml(
    metadata: Option<&toml::Value>,
    rule_set: Option<&toml::Value>,
) -> Result<Option<Contract>, Problem> {
    if metadata.is_none() && rule_set.is_none() {
        return Ok(None);
    }
    let mut top = Map::new();
    for (key, value) in [("metadata", metadata), ("ruleSet", rule_set)] {
        if let Some(v) = value {
            let json = serde_json::to_value(v).map_err(|e| {
                Problem::new(&[Step::Key(key.to_owned())], format!("cannot be read: {e}"))
            })?;
            top.insert(key.to_owned(), json);
        }
    }
    from_json(&Value::Object(top)).map(Some)
}

fn object<'a>(
    value: &'a Value,
    at: &[Step],
    what: &str,
) -> Result<&'a Map<String, Value>, Problem> {
    value.as_object().ok_or_else(|| {
        Problem::new(
            at,
            format!("{what} must be an object, found {}", json_kind(value)),
        )
    })
}

/// Refuses a key outside `allowed`, naming them.
fn known_keys(map: &Map<String, Value>, at: &[Step], allowed: &[&str]) -> Result<(), Problem> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        None => Ok(()),
        Some(key) => {
            let mut place = at.to_vec();
            place.push(Step::Key(key.clone()));
            Err(Problem::new(
                &place,
                format!(
                    "unknown key {key:?}: expected one of {}",
                    allowed.join(", ")
                ),
            ))
        }
    }
}

fn metadata(value: &Value) -> Result<Metadata, Problem> {
    let at = [Step::Key("metadata".into())];
    let map = object(value, &at, "metadata")?;
    known_keys(map, &at, METADATA_KEYS)?;
    // Each key alone first, so that a wrong value is reported at its own key.
    for (key, v) in map {
        let single = Value::Object(Map::from_iter([(key.clone(), v.clone())]));
        if let Err(e) = metadata_from_json(Some(single)) {
            let place = [at[0].clone(), Step::Key(key.clone())];
            return Err(Problem::new(&place, e.to_string()));
        }
    }
    match metadata_from_json(Some(value.clone())) {
        Ok(m) => Ok(m.unwrap_or_default()),
        Err(e) => Err(Problem::new(&at, e.to_string())),
    }
}

fn rule_set(value: &Value) -> Result<RuleSet, Problem> {
    let at = [Step::Key("ruleSet".into())];
    let map = object(value, &at, "ruleSet")?;
    known_keys(map, &at, RULE_SET_KEYS)?;
    let mut set = RuleSet::default();
    for (phase, rules) in PHASES.iter().zip(phases_mut(&mut set)) {
        let place = [at[0].clone(), Step::Key((*phase).to_owned())];
        match map.get(*phase) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let mut here = place.to_vec();
                    here.push(Step::Index(i));
                    rules.push(rule(item, &here)?);
                }
            }
            Some(other) => {
                return Err(Problem::new(
                    &place,
                    format!(
                        "{phase} must be a list of rules, found {}",
                        json_kind(other)
                    ),
                ));
            }
        }
    }
    set.enable_at = match map.get("enableAt") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value::<ExecutionEnvironment>(v.clone()).map_err(|_| {
                let place = [at[0].clone(), Step::Key("enableAt".into())];
                Problem::new(
                    &place,
                    format!("enableAt must be ALL, CLIENT, GATEWAY, SERVER or NONE, found {v}"),
                )
            })?,
        ),
    };
    validate(&set, &at)?;
    Ok(set)
}

fn rule(value: &Value, at: &[Step]) -> Result<Rule, Problem> {
    let map = object(value, at, "a rule")?;
    known_keys(map, at, RULE_KEYS)?;
    for (key, v) in map {
        let single = Value::Object(Map::from_iter([(key.clone(), v.clone())]));
        if let Err(e) = serde_json::from_value::<Rule>(single) {
            let mut place = at.to_vec();
            place.push(Step::Key(key.clone()));
            return Err(Problem::new(&place, format!("{key}: {e}")));
        }
    }
    serde_json::from_value(value.clone()).map_err(|e| Problem::new(at, e.to_string()))
}

/// [`RuleSet::validate`], placed at the rule it refuses: the rules are added one at a
/// time, in the order the registry checks them, and the first set that fails ends at
/// the culprit (a duplicate name at its second use).
fn validate(set: &RuleSet, at: &[Step]) -> Result<(), Problem> {
    let Err(whole) = set.validate() else {
        return Ok(());
    };
    let mut prefix = RuleSet {
        enable_at: set.enable_at,
        ..RuleSet::default()
    };
    for (p, phase) in PHASES.iter().enumerate() {
        for (i, r) in phases(set)[p].iter().enumerate() {
            phases_mut(&mut prefix)[p].push(r.clone());
            if let Err(e) = prefix.validate() {
                let mut place = at.to_vec();
                place.push(Step::Key((*phase).to_owned()));
                place.push(Step::Index(i));
                return Err(Problem::new(&place, e.to_string()));
            }
        }
    }
    Err(Problem::new(at, whole.to_string()))
}

/// Where a subject's contract is declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The subject's `[[subjects]]` entry.
    Project {
        /// The project file, as shown to people.
        file: String,
        /// "[[subjects]] entry 2".
        entry: String,
    },
    /// The sidecar file next to the schema.
    Sidecar {
        /// The sidecar, as shown to people.
        file: String,
    },
}

impl Origin {
    /// The file it is written in, as shown to people.
    pub fn file(&self) -> &str {
        match self {
            Origin::Project { file, .. } | Origin::Sidecar { file } => file,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Project { file, entry } => write!(f, "{file} ({entry})"),
            Origin::Sidecar { file } => f.write_str(file),
        }
    }
}

/// A contract and where it was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    /// The contract.
    pub contract: Contract,
    /// Where it is written.
    pub origin: Origin,
}

/// The contract declared for `mapping`: its entry's tables, its sidecar, or none. A
/// sidecar that cannot be read, is not a contract or does not validate, and a contract
/// declared in both places, are notes placed in the sidecar.
pub fn declared(project: &Project, mapping: &Mapping) -> Result<Option<Declared>, Note> {
    let sidecar = sidecar_of(&mapping.file);
    let path = project.root.join(&sidecar);
    let shown = project.display(&sidecar);
    let project_origin = || Origin::Project {
        file: display_path(&project.file),
        entry: mapping.entry.clone(),
    };
    if !path.exists() {
        return Ok(mapping.contract.clone().map(|contract| Declared {
            contract,
            origin: project_origin(),
        }));
    }
    if mapping.contract.is_some() {
        let message = format!(
            "the data contract of {} is declared twice: in {} and in {shown}",
            mapping.subject,
            project_origin()
        );
        let hint = "keep one: delete the sidecar file, or remove `metadata` and `ruleSet` from the [[subjects]] entry";
        return Err(
            Note::error(CliRule::CONTRACT_CONFLICT, "", message, Some(hint)).at(Some(shown), None),
        );
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Note::error(
            CliRule::FILE_UNREADABLE,
            "",
            format!("cannot read {shown}: {e}"),
            None,
        )
        .at(Some(shown.clone()), None)
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        let message = format!("{shown} is not JSON: {e}");
        Note::error(CliRule::CONTRACT_INVALID, "", message, None)
            .at(Some(shown.clone()), Some((e.line(), e.column())))
    })?;
    match from_json(&value) {
        Ok(contract) => Ok(Some(Declared {
            contract,
            origin: Origin::Sidecar { file: shown },
        })),
        Err(problem) => {
            let pointer = problem.pointer();
            let place = crate::locate::locate(&text, &pointer);
            Err(
                Note::error(CliRule::CONTRACT_INVALID, pointer, problem.message, None)
                    .at(Some(shown), place),
            )
        }
    }
}

/// The contract a registration sending `sent` is stored with when the subject's latest
/// version holds `latest`, as Confluent's `maybeSetMetadataRuleSet` computes it: each
/// part not sent is the latest's, then the subject's defaults are merged under it and
/// its overrides over it.
pub fn stored(sent: Option<&Contract>, latest: Option<&Contract>, config: &Config) -> Contract {
    let merged = sent.cloned().unwrap_or_default().inherit(
        latest,
        &Contract {
            metadata: config.default_metadata.clone(),
            rule_set: config.default_rule_set.clone(),
        },
        &Contract {
            metadata: config.override_metadata.clone(),
            rule_set: config.override_rule_set.clone(),
        },
    );
    registered(merged.metadata.as_ref(), merged.rule_set.as_ref())
}

/// What differs from `old` to `new`, one readable change each ("metadata.properties.owner
/// "a" -> "b""), in a stable order. Absent and empty parts read the same: only content
/// that a producer or consumer would see is compared.
pub fn changes(old: &Contract, new: &Contract) -> Vec<String> {
    let mut out = Vec::new();
    let empty_m = Metadata::default();
    let (om, nm) = (
        old.metadata.as_ref().unwrap_or(&empty_m),
        new.metadata.as_ref().unwrap_or(&empty_m),
    );
    map_changes(&mut out, "metadata.tags", &om.tags, &nm.tags, |v| {
        v.iter().cloned().collect::<Vec<_>>().join(", ")
    });
    map_changes(
        &mut out,
        "metadata.properties",
        &om.properties,
        &nm.properties,
        |v| Value::from(v.as_str()).to_string(),
    );
    set_changes(&mut out, "metadata.sensitive", &om.sensitive, &nm.sensitive);
    let empty_r = RuleSet::default();
    let (or, nr) = (
        old.rule_set.as_ref().unwrap_or(&empty_r),
        new.rule_set.as_ref().unwrap_or(&empty_r),
    );
    for (phase, (olds, news)) in PHASES.iter().zip(phases(or).into_iter().zip(phases(nr))) {
        rule_changes(&mut out, &format!("ruleSet.{phase}"), olds, news);
    }
    match (or.enable_at, nr.enable_at) {
        (a, b) if a == b => {}
        (None, Some(b)) => out.push(format!("ruleSet.enableAt {} added", b.as_str())),
        (Some(a), None) => out.push(format!("ruleSet.enableAt {} removed", a.as_str())),
        (Some(a), Some(b)) => {
            out.push(format!("ruleSet.enableAt {} -> {}", a.as_str(), b.as_str()))
        }
        (None, None) => {}
    }
    out
}

fn map_changes<V: PartialEq>(
    out: &mut Vec<String>,
    name: &str,
    old: &BTreeMap<String, V>,
    new: &BTreeMap<String, V>,
    show: impl Fn(&V) -> String,
) {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let path = format!("{name}.{}", key_text(key));
        match (old.get(key), new.get(key)) {
            (None, Some(v)) => out.push(format!("{path} added ({})", show(v))),
            (Some(v), None) => out.push(format!("{path} removed (was {})", show(v))),
            (Some(a), Some(b)) if a != b => {
                out.push(format!("{path} {} -> {}", show(a), show(b)));
            }
            _ => {}
        }
    }
}

fn set_changes(out: &mut Vec<String>, name: &str, old: &BTreeSet<String>, new: &BTreeSet<String>) {
    for added in new.difference(old) {
        out.push(format!("{name} {} added", key_text(added)));
    }
    for removed in old.difference(new) {
        out.push(format!("{name} {} removed", key_text(removed)));
    }
}

/// Rules are matched by name (unique in a set); a rule's order matters, as rules run in
/// order, so a reordering is a change too.
fn rule_changes(out: &mut Vec<String>, name: &str, old: &[Rule], new: &[Rule]) {
    let find = |rules: &'_ [Rule], n: &str| rules.iter().position(|r| r.name() == n);
    for r in new {
        match find(old, r.name()) {
            None => out.push(format!("{name}: {} added", r.name())),
            Some(i) if old[i] != *r => {
                out.push(format!(
                    "{name}: {} changed ({})",
                    r.name(),
                    fields_changed(&old[i], r)
                ));
            }
            Some(_) => {}
        }
    }
    for r in old {
        if find(new, r.name()).is_none() {
            out.push(format!("{name}: {} removed", r.name()));
        }
    }
    let kept_old: Vec<&str> = old
        .iter()
        .map(Rule::name)
        .filter(|n| find(new, n).is_some())
        .collect();
    let kept_new: Vec<&str> = new
        .iter()
        .map(Rule::name)
        .filter(|n| find(old, n).is_some())
        .collect();
    if kept_old != kept_new {
        out.push(format!(
            "{name}: reordered ({} -> {})",
            kept_old.join(", "),
            kept_new.join(", ")
        ));
    }
}

/// The names of a rule's fields that differ, as Confluent spells them.
fn fields_changed(old: &Rule, new: &Rule) -> String {
    let as_map = |r: &Rule| match serde_json::to_value(r) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let (a, b) = (as_map(old), as_map(new));
    let fields: Vec<&str> = RULE_KEYS
        .iter()
        .copied()
        .filter(|k| a.get(*k) != b.get(*k))
        .collect();
    fields.join(", ")
}

#[cfg(test)]
mod tests;
