//! Findings and reports: the one shape in which every verdict travels, to the server's
//! 409 and `verbose` messages and to every CLI output format.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::level::Level;
use crate::schema::SchemaType;

/// How much a difference matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Breaks the level being checked: the schema must not be registered.
    Breaking,
    /// Compatible, but changes what data may look like (a minor bump).
    Additive,
    /// Changes nothing a reader sees: docs, titles, ids (a patch bump).
    Cosmetic,
}

impl Severity {
    /// The lower-case word shown to people, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Breaking => "breaking",
            Severity::Additive => "additive",
            Severity::Cosmetic => "cosmetic",
        }
    }
}

/// Which way data flows for a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The new schema reading data written with the old one.
    Backward,
    /// The old schema reading data written with the new one.
    Forward,
}

/// One difference between two schemas, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable identifier (Java's and Confluent's names, e.g. `READER_FIELD_MISSING_DEFAULT_VALUE`).
    pub rule: String,
    /// Breaking, additive or cosmetic.
    pub severity: Severity,
    /// JSON pointer into the schema it concerns (the reader's: the old one for a
    /// forward finding; `pointer::counterpart` carries it into the new one).
    pub path: String,
    /// What changed, old -> new, in a sentence, whichever the direction.
    pub message: String,
    /// The smallest change that would make it compatible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Index into the checked history (oldest first) of the version compared against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<usize>,
    /// Direction of the comparison that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Confluent's own path of the difference where its engine has one (Protobuf:
    /// `#/Order/3`, message names then a field number), as its verbose messages show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confluent_path: Option<String>,
    /// Where in the text of the schema that `path` points into, when the engine knows
    /// (Protobuf, from the `.proto` source); JSON texts are located from `path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// A place in a schema text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Finding {
    /// A finding of the given severity, not yet tied to a version or direction.
    pub fn new(
        rule: impl Into<String>,
        severity: Severity,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Self {
        Finding {
            rule: rule.into(),
            severity,
            path: path.into(),
            message: message.into(),
            hint,
            against: None,
            direction: None,
            confluent_path: None,
            position: None,
        }
    }

    /// A breaking finding.
    pub fn breaking(
        rule: impl Into<String>,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Self {
        Self::new(rule, Severity::Breaking, path, message, hint)
    }

    /// Whether it blocks registration.
    pub fn is_breaking(&self) -> bool {
        self.severity == Severity::Breaking
    }

    /// One readable line: rule, path, message, hint; `version` names the version
    /// compared against as the caller knows it (a registry version number, a file).
    pub fn render(&self, version: Option<&str>) -> String {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        let mut line = format!("{} at {}: {}", self.rule, path, self.message);
        if let Some(v) = version {
            let role = match self.direction {
                Some(Direction::Forward) => "(old schema reading new data",
                _ => "(new schema reading data",
            };
            line.push_str(&format!(" {role} of {v})"));
        }
        if let Some(hint) = &self.hint {
            line.push_str(" Fix: ");
            line.push_str(hint);
        }
        line
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(None))
    }
}

/// The verdict of one check and every finding behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Schema language of the checked schemas.
    pub schema_type: SchemaType,
    /// Level the check ran under.
    pub level: Level,
    /// True when no finding is breaking.
    pub compatible: bool,
    /// Every difference found, breaking ones first.
    pub findings: Vec<Finding>,
}

impl Report {
    /// A report over `findings`; the verdict follows from their severities.
    pub fn new(schema_type: SchemaType, level: Level, mut findings: Vec<Finding>) -> Self {
        // Stable sort: engines emit findings in schema order, keep it within a severity.
        findings.sort_by_key(|f| f.severity);
        let compatible = !findings.iter().any(Finding::is_breaking);
        Report {
            schema_type,
            level,
            compatible,
            findings,
        }
    }

    /// The breaking findings only.
    pub fn breaking(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_breaking())
    }

    /// One message per breaking finding; `version_name` turns a history index into the
    /// name a person knows ("version 3").
    pub fn messages(&self, version_name: impl Fn(usize) -> String) -> Vec<String> {
        self.breaking()
            .map(|f| f.render(f.against.map(&version_name).as_deref()))
            .collect()
    }

    /// Multi-line text: the verdict, then every finding with its hint.
    pub fn render_text(&self) -> String {
        let mut out = if self.compatible {
            format!("compatible under {}", self.level)
        } else {
            let n = self.breaking().count();
            format!(
                "incompatible under {}: {n} breaking change{}",
                self.level,
                if n == 1 { "" } else { "s" }
            )
        };
        for f in &self.findings {
            out.push_str(&format!("\n  [{}] {}", f.severity.as_str(), f));
        }
        out
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_follows_severity_and_breaking_findings_come_first() {
        let findings = vec![
            Finding::new(
                "DESCRIPTION_CHANGED",
                Severity::Cosmetic,
                "",
                "doc changed",
                None,
            ),
            Finding::breaking(
                "TYPE_MISMATCH",
                "/fields/0/type",
                "int -> string",
                Some("keep int".into()),
            ),
        ];
        let report = Report::new(SchemaType::Avro, Level::Backward, findings);
        assert!(!report.compatible);
        assert_eq!(report.findings[0].rule, "TYPE_MISMATCH");
        let json = serde_json::to_string(&report).unwrap();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
        assert!(report.render_text().contains("Fix: keep int"));
    }
}
