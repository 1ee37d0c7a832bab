//! What a project must satisfy beyond its file's shape: no credentials, a usable
//! registry section, one way to name each entry's files (and one spelling of its rule
//! set), every subject mapped once, every reference resolvable and every fixture's
//! subject mapped.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, bail};
use schemagate_core::Context;

use super::Mapping;
use super::load::{RawFixture, RawRegistry, RawSubject};

/// `[registry]`: secrets stay out of a committed file, and a concurrency of 0 would
/// never send a request.
/// Checks `[registry]`; gives its `context`, read as Confluent reads a context name.
pub(super) fn registry(r: &RawRegistry) -> Result<Option<Context>> {
    if r.user.is_some() || r.username.is_some() || r.password.is_some() || r.token.is_some() {
        bail!(
            "credentials do not belong in the project file: set SCHEMAGATE_REGISTRY_USER and SCHEMAGATE_REGISTRY_PASSWORD, or SCHEMAGATE_REGISTRY_TOKEN, in the environment"
        );
    }
    if r.concurrency == Some(0) {
        bail!("[registry] concurrency must be at least 1");
    }
    r.context
        .as_deref()
        .map(|c| {
            Context::parse(c).map_err(|e| {
                anyhow::anyhow!("[registry] context {c:?}: {e}; write it as `.team-a`")
            })
        })
        .transpose()
}

/// One `[[subjects]]` entry names its files one way: `file`, or `glob` without a
/// fixed `subject` (many files cannot share one subject); its rule set is `ruleSet`.
pub(super) fn entry(s: &RawSubject, at: &str) -> Result<()> {
    if s.rule_set_misspelt.is_some() {
        bail!(
            "{at}: unknown key `rule_set`: the rule set is `ruleSet`, spelled as Confluent spells it in JSON and in sidecar files, and so are its fields (`domainRules`, `onFailure`)"
        );
    }
    match (&s.file, &s.glob) {
        (Some(_), None) => Ok(()),
        (None, Some(_)) if s.subject.is_some() => bail!(
            "{at}: `subject` names one file's subject; with `glob`, use `strategy` (topic, record or topic-record)"
        ),
        (None, Some(_)) => Ok(()),
        _ => bail!("{at}: give either `file` (with `subject` or `strategy`) or `glob`"),
    }
}

/// Every subject is mapped once, and every reference can be read or fetched.
pub(super) fn mappings(mappings: &[Mapping], root: &Path) -> Result<()> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for m in mappings {
        if let Some(other) = seen.insert(m.subject.as_str(), &m.file) {
            bail!(
                "subject {:?} is mapped twice, to {} and {}",
                m.subject.as_str(),
                other.display(),
                m.file.display()
            );
        }
    }
    for m in mappings {
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
    Ok(())
}

/// A fixture's events are validated against a mapped subject's schema.
pub(super) fn fixture(f: &RawFixture, mappings: &[Mapping]) -> Result<()> {
    if !mappings.iter().any(|m| m.subject == f.subject) {
        bail!(
            "[[fixtures]] for subject {:?}: no [[subjects]] entry maps it",
            f.subject.as_str()
        );
    }
    Ok(())
}
