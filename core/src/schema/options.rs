//! What a parse is given besides the text: the schemas it imports and how to parse.
//! Kept apart from `ParsedSchema` so that the format parsers, which take these, need not
//! import the module that calls them.

use crate::limits::Limits;

/// A schema imported by name (a Confluent reference), already fetched as text.
///
/// For Avro, `name` is informational (named types are found by their full names in
/// `text`); for JSON Schema it is the URI that `$ref` uses to point at `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The reference name as registered (`"com.shop.Address"`, `"address.json"`).
    pub name: String,
    /// The referenced schema's text, of the same schema type as the referrer.
    pub text: String,
}

impl Reference {
    /// A reference from its name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Reference {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// How to parse: limits, and whether to normalise (Confluent's `normalize=true`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Fold format-specific equivalences into the canonical form (Avro: full names and
    /// redundant namespaces) on top of whitespace and key order.
    pub normalize: bool,
    /// Size, depth and count limits.
    pub limits: Limits,
}
