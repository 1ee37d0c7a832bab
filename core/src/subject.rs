//! Subject names and the Confluent naming strategies that derive them from a topic and
//! a record name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Longest subject name accepted, in bytes; Confluent stores subjects as keys too.
pub const MAX_SUBJECT_BYTES: usize = 4096;

/// A subject name that is safe to store and route: non-empty, bounded, no control
/// characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Subject(String);

/// Why a subject name was refused (Confluent error 42208).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubjectError {
    /// Empty (or only whitespace).
    #[error("subject name is empty")]
    Empty,
    /// Longer than [`MAX_SUBJECT_BYTES`].
    #[error("subject name is {0} bytes, over the limit of {MAX_SUBJECT_BYTES}")]
    TooLong(usize),
    /// Contains a control character, which no client can type and logs would mangle.
    #[error("subject name contains control character U+{0:04X}")]
    ControlCharacter(u32),
}

impl Subject {
    /// Parses a subject name.
    pub fn parse(name: &str) -> Result<Self, SubjectError> {
        if name.trim().is_empty() {
            return Err(SubjectError::Empty);
        }
        if name.len() > MAX_SUBJECT_BYTES {
            return Err(SubjectError::TooLong(name.len()));
        }
        if let Some(c) = name.chars().find(|c| c.is_control()) {
            return Err(SubjectError::ControlCharacter(c as u32));
        }
        Ok(Subject(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Subject {
    type Err = SubjectError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Subject::parse(s)
    }
}

impl TryFrom<String> for Subject {
    type Error = SubjectError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Subject::parse(&s)
    }
}

impl From<Subject> for String {
    fn from(s: Subject) -> String {
        s.0
    }
}

/// How Confluent serializers name the subject of a topic's key or value schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NamingStrategy {
    /// `<topic>-key` / `<topic>-value` (TopicNameStrategy, the default).
    Topic,
    /// The record's full name (RecordNameStrategy).
    Record,
    /// `<topic>-<record full name>` (TopicRecordNameStrategy).
    TopicRecord,
}

impl NamingStrategy {
    /// The subject for a topic's key (`is_key`) or value schema whose top-level record
    /// is `record` (full name); `None` when the strategy needs a part that is missing.
    pub fn subject(
        self,
        topic: Option<&str>,
        is_key: bool,
        record: Option<&str>,
    ) -> Option<String> {
        match self {
            NamingStrategy::Topic => {
                topic.map(|t| format!("{t}-{}", if is_key { "key" } else { "value" }))
            }
            NamingStrategy::Record => record.map(str::to_owned),
            NamingStrategy::TopicRecord => Some(format!("{}-{}", topic?, record?)),
        }
    }
}

impl FromStr for NamingStrategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "topic" => Ok(NamingStrategy::Topic),
            "record" => Ok(NamingStrategy::Record),
            "topic-record" => Ok(NamingStrategy::TopicRecord),
            other => Err(format!(
                "unknown naming strategy {other:?}: use topic, record or topic-record"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_refuse_control_characters_and_emptiness() {
        assert!(Subject::parse("orders-value").is_ok());
        assert!(Subject::parse("ordres/ünïcode ✓").is_ok());
        assert_eq!(Subject::parse(""), Err(SubjectError::Empty));
        assert_eq!(
            Subject::parse("a\nb"),
            Err(SubjectError::ControlCharacter(10))
        );
        assert!(matches!(
            Subject::parse(&"x".repeat(5000)),
            Err(SubjectError::TooLong(5000))
        ));
    }

    #[test]
    fn naming_strategies() {
        assert_eq!(
            NamingStrategy::Topic
                .subject(Some("orders"), false, None)
                .unwrap(),
            "orders-value"
        );
        assert_eq!(
            NamingStrategy::Topic
                .subject(Some("orders"), true, None)
                .unwrap(),
            "orders-key"
        );
        assert_eq!(
            NamingStrategy::Record
                .subject(None, false, Some("shop.Order"))
                .unwrap(),
            "shop.Order"
        );
        assert_eq!(
            NamingStrategy::TopicRecord
                .subject(Some("orders"), false, Some("shop.Order"))
                .unwrap(),
            "orders-shop.Order"
        );
        assert_eq!(
            NamingStrategy::TopicRecord.subject(None, false, Some("shop.Order")),
            None
        );
    }
}
