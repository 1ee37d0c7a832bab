//! `[[accept]]` entries of schemagate.toml: a known break accepted on purpose, narrowly
//! (one subject, one rule, one JSON pointer or the tree under it), with a reason and an
//! expiry date. An accepted finding is still shown in every format, marked accepted; it
//! no longer fails its item. An entry past its `until` date accepts nothing and is an
//! error of its own; an entry that matches no finding of the run is reported as stale
//! (a warning that does not change the exit status: the break it accepted is gone,
//! which is good news, and the entry should be deleted).

use anyhow::{Result, anyhow, bail};

use schemagate_core::date::Date;

use crate::report::{Acceptance, Item, Note, Outcome, Status};
use crate::rules::CliRule;

/// The environment variable that sets "today" (`YYYY-MM-DD`) for expiry: for tests
/// and for reproducing a run of another day; the system's UTC date otherwise.
pub const TODAY_VAR: &str = "SCHEMAGATE_TODAY";

/// Today's UTC date, or the one [`TODAY_VAR`] gives.
pub fn today() -> Result<Date> {
    if let Ok(text) = std::env::var(TODAY_VAR) {
        return Date::parse(text.trim())
            .ok_or_else(|| anyhow!("{TODAY_VAR}={text:?} is not a date: write it as YYYY-MM-DD"));
    }
    Ok(Date::today_utc())
}

/// One `[[accept]]` entry, validated.
#[derive(Clone, Debug)]
pub struct Accept {
    /// 1-based position among the file's `[[accept]]` entries.
    pub index: usize,
    /// Line of its `[[accept]]` header in schemagate.toml, when found.
    pub line: Option<usize>,
    /// The subject whose findings it accepts.
    pub subject: String,
    /// The rule id, as the catalogue spells it.
    pub rule: String,
    /// The JSON pointer it accepts findings at (a trailing `/**` removed).
    pub path: String,
    /// Whether the pointer ended in `/**`: everything under `path` (and `path` itself).
    pub subtree: bool,
    /// Why.
    pub reason: String,
    /// The last day it accepts anything.
    pub until: Date,
}

impl Accept {
    /// Validates one entry as written: a known rule id, a pointer, a reason, a date.
    /// Errors name the entry (`[[accept]] entry 2 (subject "orders-value")`) and the key.
    pub fn new(
        index: usize,
        line: Option<usize>,
        subject: &str,
        rule: &str,
        path: &str,
        reason: &str,
        until: &str,
    ) -> Result<Accept> {
        let at = format!("[[accept]] entry {index} (subject {subject:?})");
        let Some(known) = crate::rules::any(rule) else {
            bail!(
                "{at}: `rule`: {rule:?} is no rule id; run `schemagate explain` to list them and copy the id a finding carries"
            );
        };
        let (path, subtree) = match path.strip_suffix("/**") {
            Some(prefix) => (prefix.to_owned(), true),
            None if path == "/" => (String::new(), false),
            None => (path.to_owned(), false),
        };
        if !(path.is_empty() || path.starts_with('/')) || path.contains("**") {
            bail!(
                "{at}: `path`: {path:?} is not a JSON pointer: write it as the finding shows it (\"/fields/2\"), optionally ending in \"/**\" for everything under it"
            );
        }
        if reason.trim().is_empty() {
            bail!("{at}: `reason` is empty: say why this break is accepted (a reviewer reads it)");
        }
        let Some(until) = Date::parse(until.trim()) else {
            bail!("{at}: `until`: {until:?} is not a date: write it as \"YYYY-MM-DD\"");
        };
        Ok(Accept {
            index,
            line,
            subject: subject.to_owned(),
            rule: known.id.to_owned(),
            path,
            subtree,
            reason: reason.to_owned(),
            until,
        })
    }

    /// Whether it covers a finding of `rule` at `path` in `subject`.
    pub fn matches(&self, subject: &str, rule: &str, path: &str) -> bool {
        let path_ok = if self.subtree {
            self.path.is_empty()
                || path == self.path
                || path
                    .strip_prefix(self.path.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        } else {
            path == self.path
        };
        self.subject == subject && self.rule == rule && path_ok
    }

    /// The pointer as written.
    fn pointer(&self) -> String {
        match (self.subtree, self.path.is_empty()) {
            (true, _) => format!("{}/**", self.path),
            (false, true) => "/".to_owned(),
            (false, false) => self.path.clone(),
        }
    }
}

/// Applies the project's accepts to `outcome`: marks the breaking notes they accept,
/// adds an error note for each expired entry and a warning for each stale one, and
/// settles each touched item's status. An item that could not be judged (an error)
/// says nothing about its accepts.
pub fn apply(accepts: &[Accept], file: &str, mut outcome: Outcome, today: Date) -> Outcome {
    for accept in accepts {
        let Some(item) = outcome
            .items
            .iter_mut()
            .find(|i| i.name == accept.subject && i.status != Status::Error)
        else {
            continue;
        };
        let place = accept.line.map(|l| (l, 1));
        if accept.until < today {
            let note = Note::error(
                CliRule::ACCEPT_EXPIRED,
                "",
                format!(
                    "[[accept]] entry {} ({} at {}) expired on {}, so it accepts nothing: {}",
                    accept.index,
                    accept.rule,
                    accept.pointer(),
                    accept.until,
                    accept.reason
                ),
                Some(CliRule::ACCEPT_EXPIRED.entry().hint.unwrap_or_default()),
            )
            .at(Some(file.to_owned()), place);
            item.findings.push(note);
            settle(item);
            continue;
        }
        let mut matched = false;
        for note in &mut item.findings {
            if note.is_breaking()
                && note.accepted.is_none()
                && accept.matches(&accept.subject, &note.finding.rule, &note.finding.path)
            {
                note.accepted = Some(Acceptance {
                    reason: accept.reason.clone(),
                    until: accept.until.to_string(),
                });
                matched = true;
            }
        }
        if matched {
            settle(item);
        } else {
            let note = Note::of(
                CliRule::ACCEPT_STALE,
                "",
                format!(
                    "[[accept]] entry {} ({} at {}, until {}) matches no finding: delete it from schemagate.toml",
                    accept.index,
                    accept.rule,
                    accept.pointer(),
                    accept.until
                ),
            )
            .at(Some(file.to_owned()), place);
            item.findings.push(note);
        }
    }
    outcome
}

/// The status that follows from an item's notes once accepts are applied: breaking
/// while any breaking note is not accepted, accepted when all of them are.
fn settle(item: &mut Item) {
    let breaking = item.findings.iter().any(Note::is_breaking);
    let failing = item.findings.iter().any(Note::fails);
    item.status = match item.status {
        Status::Breaking | Status::Accepted if !failing && breaking => Status::Accepted,
        _ if failing => Status::Breaking,
        other => other,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_exactly_or_as_a_subtree() {
        let a = |path| {
            Accept::new(
                1,
                None,
                "s",
                "READER_FIELD_MISSING_DEFAULT_VALUE",
                path,
                "r",
                "2030-01-01",
            )
            .unwrap()
        };
        let rule = "READER_FIELD_MISSING_DEFAULT_VALUE";
        assert!(a("/fields/1").matches("s", rule, "/fields/1"));
        assert!(!a("/fields/1").matches("s", rule, "/fields/10"));
        assert!(!a("/fields/1").matches("t", rule, "/fields/1"));
        assert!(a("/fields/**").matches("s", rule, "/fields"));
        assert!(a("/fields/**").matches("s", rule, "/fields/3/type"));
        assert!(!a("/fields/**").matches("s", rule, "/fieldsx"));
        assert!(a("/**").matches("s", rule, ""));
        assert!(a("/").matches("s", rule, ""));
        assert!(!a("/").matches("s", rule, "/fields/1"));
    }
}
