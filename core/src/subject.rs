//! Subject names, the contexts that qualify them (`:.team-a:orders-value`), and the
//! Confluent naming strategies that derive them from a topic and a record name.
//!
//! A context is a namespace with its own subjects and its own schema ids, as Confluent's
//! `QualifiedSubject` has it: `:.ctx:name` names `name` in context `.ctx`, an unqualified
//! name (or `:.:name`) is in the default context `.`. A subject is kept in its normal
//! form: qualified when its context is not the default one, bare otherwise.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Longest subject name accepted, in bytes; Confluent stores subjects as keys too.
pub const MAX_SUBJECT_BYTES: usize = 4096;

/// A subject name that is safe to store and route: non-empty, bounded, no control
/// characters, in its normal form (`:.:x` is `x`), naming a subject rather than a
/// context.
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
    /// Names a context (`:.ctx:`) with no subject in it.
    #[error("{0:?} names a context, not a subject: add the subject's name after the second colon")]
    ContextOnly(String),
    /// The wildcard `:*:` selects subjects in a listing; it names none.
    #[error("{0:?} is a wildcard over contexts, which only listings accept (subjectPrefix)")]
    Wildcard(String),
    /// In the `.__GLOBAL` context, which holds only configuration and mode.
    #[error("the .__GLOBAL context holds only configuration and mode, not subjects")]
    GlobalContext,
    /// `__GLOBAL` and `__EMPTY`, which Confluent reserves.
    #[error("subject name {0:?} is reserved by the Confluent API")]
    Reserved(String),
    /// A context name that is not one (empty, or with a colon inside).
    #[error("invalid context {0:?}: a context is written :.name: and its name has no colon")]
    InvalidContext(String),
}

/// The marker that starts a qualified subject (`:.ctx:name`).
const CONTEXT_PREFIX: &str = ":.";
/// The listing wildcard over every context.
pub const CONTEXT_WILDCARD: &str = ":*:";
/// The context whose configuration and mode apply in every context.
pub const GLOBAL_CONTEXT: &str = ".__GLOBAL";

/// A context: a namespace of subjects with its own schema ids. Held by its name, which
/// starts with a dot (`.` is the default context, `.team-a` another).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Context(String);

impl Context {
    /// The default context, `.`, where unqualified subjects live.
    pub fn default_context() -> Context {
        Context(".".to_owned())
    }

    /// Reads a context as paths and bodies write it: `:.ctx:`, `.ctx`, `ctx` or `:.:`
    /// (the default), as Confluent's `normalizeContext`.
    pub fn parse(raw: &str) -> Result<Context, SubjectError> {
        let invalid = || SubjectError::InvalidContext(raw.to_owned());
        let inner = raw.strip_prefix(':').unwrap_or(raw);
        let inner = inner.strip_suffix(':').unwrap_or(inner);
        if inner.contains(':') || inner.chars().any(char::is_control) {
            return Err(invalid());
        }
        if inner.len() > MAX_SUBJECT_BYTES {
            return Err(SubjectError::TooLong(inner.len()));
        }
        let name = if inner.starts_with('.') {
            inner.to_owned()
        } else {
            format!(".{inner}")
        };
        Ok(Context(name))
    }

    /// The context's name: `.` or `.ctx`.
    pub fn name(&self) -> &str {
        &self.0
    }

    /// Whether this is the default context.
    pub fn is_default(&self) -> bool {
        self.0 == "."
    }

    /// Whether this is `.__GLOBAL`, whose settings apply in every context.
    pub fn is_global(&self) -> bool {
        self.0 == GLOBAL_CONTEXT
    }

    /// What qualifies a subject of this context: empty for the default context,
    /// `:.ctx:` otherwise. Also the key of the context's own configuration and mode,
    /// and how stores tell id spaces apart.
    pub fn prefix(&self) -> String {
        if self.is_default() {
            String::new()
        } else {
            format!(":{}:", self.0)
        }
    }

    /// The subject a reference made from a schema of this context names, as Confluent's
    /// `qualifySubjectWithParent`: an unqualified reference is in this context, one
    /// qualified with another context where it says. `:.:x` is unqualified there too
    /// (Confluent finds no context in it), so no reference leaves a context for the
    /// default one.
    pub fn qualify_reference(&self, reference: &str) -> String {
        match Subject::parse(reference) {
            Ok(r) if r.context().is_default() => format!("{}{}", self.prefix(), r.0),
            Ok(r) => r.0,
            // Not a subject at all: left as written, so that it names nothing.
            Err(_) => reference.to_owned(),
        }
    }

    /// The context a qualified name (a subject, or a context `:.ctx:`) is in.
    pub fn of(qualified: &str) -> Context {
        match split_qualified(qualified) {
            Some((context, _)) => Context(context.to_owned()),
            None => Context::default_context(),
        }
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits `:.ctx:name` into (`.ctx`, `name`), and `:.ctx` into (`.ctx`, ``); `None` for
/// a name outside every explicit context.
fn split_qualified(raw: &str) -> Option<(&str, &str)> {
    let rest = raw.strip_prefix(CONTEXT_PREFIX)?;
    Some(match rest.find(':') {
        Some(end) => (&raw[1..CONTEXT_PREFIX.len() + end], &rest[end + 1..]),
        None => (&raw[1..], ""),
    })
}

/// What a listing's `subjectPrefix` selects, read as Confluent reads it: `:*:` and
/// `:*:x` reach every context, `:.ctx:x` one context, `:.ct` every context whose name
/// starts so, and anything else the default context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubjectPrefix {
    /// Subjects of every context whose unqualified name starts with this.
    AllContexts(String),
    /// Subjects of this context whose name starts with the second part.
    InContext(Context, String),
    /// Every subject of the contexts whose name starts with this.
    Contexts(String),
}

impl SubjectPrefix {
    /// Reads a `subjectPrefix` parameter.
    pub fn parse(raw: &str) -> SubjectPrefix {
        if let Some(rest) = raw.strip_prefix(CONTEXT_WILDCARD) {
            return SubjectPrefix::AllContexts(rest.to_owned());
        }
        match split_qualified(raw) {
            Some((context, name)) if raw[CONTEXT_PREFIX.len()..].contains(':') => {
                SubjectPrefix::InContext(Context(context.to_owned()), name.to_owned())
            }
            Some((context, _)) => SubjectPrefix::Contexts(context.to_owned()),
            None => SubjectPrefix::InContext(Context::default_context(), raw.to_owned()),
        }
    }

    /// Whether it selects `subject` (a stored subject in its normal form).
    pub fn matches(&self, subject: &str) -> bool {
        let (context, name) = match split_qualified(subject) {
            Some((context, name)) => (context, name),
            None => (".", subject),
        };
        match self {
            SubjectPrefix::AllContexts(prefix) => name.starts_with(prefix.as_str()),
            SubjectPrefix::InContext(c, prefix) => {
                c.name() == context && name.starts_with(prefix.as_str())
            }
            SubjectPrefix::Contexts(prefix) => context.starts_with(prefix.as_str()),
        }
    }

    /// The literal text every selected subject starts with, when there is one: what a
    /// principal limited to subject prefixes may be checked against.
    pub fn literal(&self) -> Option<String> {
        match self {
            SubjectPrefix::AllContexts(_) => None,
            SubjectPrefix::InContext(c, prefix) => Some(format!("{}{prefix}", c.prefix())),
            SubjectPrefix::Contexts(prefix) => Some(format!(":{prefix}")),
        }
    }
}

impl Subject {
    /// Parses a subject name, qualified or not, into its normal form.
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
        if name.starts_with(CONTEXT_WILDCARD) {
            return Err(SubjectError::Wildcard(name.to_owned()));
        }
        let (context, bare) = match split_qualified(name) {
            Some((context, bare)) => (Context::parse(context)?, bare),
            None => (Context::default_context(), name),
        };
        if bare.trim().is_empty() {
            return Err(SubjectError::ContextOnly(name.to_owned()));
        }
        if context.is_global() {
            return Err(SubjectError::GlobalContext);
        }
        if bare == "__GLOBAL" || bare == "__EMPTY" {
            return Err(SubjectError::Reserved(bare.to_owned()));
        }
        Ok(Subject(format!("{}{bare}", context.prefix())))
    }

    /// The name, qualified when its context is not the default one.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its context.
    pub fn context(&self) -> Context {
        Context::of(&self.0)
    }

    /// The name a reference from a schema of this subject means (see
    /// [`Context::qualify_reference`]).
    pub fn qualify_reference(&self, reference: &str) -> String {
        self.context().qualify_reference(reference)
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
    fn qualified_subjects_are_kept_in_their_normal_form() {
        assert_eq!(Subject::parse(":.:orders").unwrap().as_str(), "orders");
        let s = Subject::parse(":.team-a:orders").unwrap();
        assert_eq!(s.as_str(), ":.team-a:orders");
        assert_eq!(s.context().name(), ".team-a");
        assert_eq!(s.context().prefix(), ":.team-a:");
        assert!(Subject::parse("orders").unwrap().context().is_default());
        // A subject's name may itself contain colons after the context.
        assert_eq!(Subject::parse(":.a:b:c").unwrap().context().name(), ".a");
        assert!(matches!(
            Subject::parse(":.a:"),
            Err(SubjectError::ContextOnly(_))
        ));
        assert!(matches!(
            Subject::parse(":.a"),
            Err(SubjectError::ContextOnly(_))
        ));
        assert!(matches!(
            Subject::parse(":*:x"),
            Err(SubjectError::Wildcard(_))
        ));
        assert_eq!(
            Subject::parse(":.__GLOBAL:x"),
            Err(SubjectError::GlobalContext)
        );
        assert!(matches!(
            Subject::parse("__GLOBAL"),
            Err(SubjectError::Reserved(_))
        ));
        // Names that merely look alike are ordinary subjects.
        assert_eq!(Subject::parse(":x").unwrap().as_str(), ":x");
    }

    #[test]
    fn references_resolve_in_the_referrers_context() {
        let parent = Subject::parse(":.a:orders").unwrap();
        assert_eq!(parent.qualify_reference("customer"), ":.a:customer");
        assert_eq!(parent.qualify_reference(":.b:customer"), ":.b:customer");
        assert_eq!(parent.qualify_reference(":.:customer"), ":.a:customer");
        let plain = Subject::parse("orders").unwrap();
        assert_eq!(plain.qualify_reference("customer"), "customer");
        assert_eq!(plain.qualify_reference(":.b:customer"), ":.b:customer");
    }

    #[test]
    fn contexts_parse_as_confluent_normalises_them() {
        for raw in [":.a:", ".a", "a", ":.a"] {
            assert_eq!(Context::parse(raw).unwrap().name(), ".a", "{raw}");
        }
        assert!(Context::parse(":.:").unwrap().is_default());
        assert!(Context::parse(".").unwrap().is_default());
        assert!(Context::parse(":.a:b:").is_err());
        assert!(Context::parse(":.__GLOBAL:").unwrap().is_global());
    }

    #[test]
    fn subject_prefixes_select_as_confluent_lists() {
        let all = SubjectPrefix::parse(":*:");
        assert!(all.matches("orders") && all.matches(":.a:orders"));
        let all_o = SubjectPrefix::parse(":*:or");
        assert!(all_o.matches("orders") && all_o.matches(":.a:orders"));
        assert!(!all_o.matches(":.a:payments"));
        let plain = SubjectPrefix::parse("or");
        assert!(plain.matches("orders") && !plain.matches(":.a:orders"));
        let none = SubjectPrefix::parse("");
        assert!(none.matches("orders") && !none.matches(":.a:orders"));
        let ctx = SubjectPrefix::parse(":.a:");
        assert!(ctx.matches(":.a:orders") && !ctx.matches(":.ab:orders"));
        assert!(!ctx.matches("orders"));
        let ctxs = SubjectPrefix::parse(":.a");
        assert!(ctxs.matches(":.a:x") && ctxs.matches(":.ab:x") && !ctxs.matches("x"));
        assert_eq!(SubjectPrefix::parse(":.a:o").literal().unwrap(), ":.a:o");
        assert_eq!(SubjectPrefix::parse("o").literal().unwrap(), "o");
        assert_eq!(SubjectPrefix::parse(":*:").literal(), None);
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
