//! Avro schemas: our own walk over the JSON builds the model the compatibility engine
//! and the event validator use, checks everything Java's parser checks (names,
//! duplicates, defaults), and writes the canonical text; `apache-avro` parses the same
//! text afterwards so that data can be encoded and decoded with it.
//!
//! `model` holds the types; `parse` and `named` build them, `defaults` checks field
//! defaults, `digest` marks identical parts for the checker, `event` validates data,
//! `registered` writes the text Confluent stores (Java's `Schema.toString()`).

mod defaults;
mod digest;
mod event;
mod model;
mod named;
mod parse;
mod registered;

use serde_json::Value;

use model::Apache;
pub use model::AvroSchema;
pub(crate) use model::{Digest, Field, Kind, Named, NamedDef, Node, Props};

use super::Texts;
use super::error::SchemaError;
use super::jackson;
use super::options::{ParseOptions, Reference};
use super::text::parse_json_text;

/// Parses `text` (with the named types of `references`, in order, each of which may use
/// the ones before it) into the model, its canonical text and its registered text.
pub(crate) fn parse(
    text: &str,
    references: &[Reference],
    options: &ParseOptions,
) -> Result<(AvroSchema, Texts), SchemaError> {
    let (mut parser, value) = read_with_references(text, references, options)?;
    let (root, canonical) = parser.root(&value)?;
    let expanded_depth = parser.expanded_depth();
    let (mut named, sources, known) = parser.finish();
    let check_height = digest::annotate(&mut named, &root);
    let canonical = serde_json::to_string(&canonical)
        .map_err(|e| SchemaError::invalid("", format!("cannot serialise the schema: {e}")))?;
    // The texts again, as Jackson holds them (key order, numbers as written): every
    // one was accepted above, so reading them cannot fail.
    let own = jackson::parse(text)?;
    let reference_trees = references
        .iter()
        .map(|r| jackson::parse(&r.text))
        .collect::<Result<Vec<_>, _>>()?;
    let registered = registered::write(registered::Input {
        root: &root,
        named: &named,
        sources: &sources,
        text: &own,
        references: &reference_trees,
        known,
        normalize: options.normalize,
    });
    // COMPAT: our walk follows Java's parser, which is what Confluent runs. apache-avro
    // is stricter in places (it resolves every field default as a datum, so an enum
    // default outside the symbols or a decimal's string default fail), so its refusal
    // only means no apache-avro schema is kept; it does not refuse the schema.
    // apache-avro resolves named types by recursion: only hand it schemas whose
    // expanded nesting a text within the depth limit could have, or a chain of
    // references could overflow the stack.
    let apache = if expanded_depth <= 2 * options.limits.max_depth {
        apache_parse(text, &value, references)
    } else {
        None
    };
    Ok((
        AvroSchema {
            root,
            named,
            apache,
            check_height,
        },
        Texts {
            canonical,
            registered,
        },
    ))
}

/// `text` as Avro Java's `Schema.toString()` prints it with no type known in advance:
/// every named type, the references' included, written in full at its first use.
/// A parser that knows `references` (dependencies first), and `text` read as JSON
/// under the limits: where every parse of a schema starts.
fn read_with_references(
    text: &str,
    references: &[Reference],
    options: &ParseOptions,
) -> Result<(parse::Parser, serde_json::Value), SchemaError> {
    let mut parser = parse::Parser::new(options);
    for (i, reference) in references.iter().enumerate() {
        let value = parse_json_text(&reference.text, &options.limits)
            .map_err(|e| in_reference(i, &reference.name, e))?;
        parser
            .reference(&value)
            .map_err(|e| in_reference(i, &reference.name, e))?;
    }
    let value = parse_json_text(text, &options.limits)?;
    Ok((parser, value))
}

/// What Confluent answers for `format=resolved` (`AvroSchema.formattedString`).
pub(crate) fn resolved(
    text: &str,
    references: &[Reference],
    options: &ParseOptions,
) -> Result<String, SchemaError> {
    let (mut parser, value) = read_with_references(text, references, options)?;
    let (root, _) = parser.root(&value)?;
    let (named, sources, _) = parser.finish();
    let own = jackson::parse(text)?;
    let reference_trees = references
        .iter()
        .map(|r| jackson::parse(&r.text))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(registered::write(registered::Input {
        root: &root,
        named: &named,
        sources: &sources,
        text: &own,
        references: &reference_trees,
        known: Vec::new(),
        normalize: options.normalize,
    }))
}

/// The schema as apache-avro parses it, and the schemas of its references, which the
/// schema names by `Ref` and which encoding and decoding need to resolve those names.
fn apache_parse(text: &str, value: &Value, references: &[Reference]) -> Option<Box<Apache>> {
    if references.is_empty() {
        // The JSON is already parsed: spare apache-avro parsing the text again.
        return apache_avro::Schema::parse(value).ok().map(|schema| {
            Box::new(Apache {
                schema,
                references: Vec::new(),
            })
        });
    }
    let texts: Vec<&str> = references.iter().map(|r| r.text.as_str()).collect();
    apache_avro::Schema::parse_str_with_list(text, texts)
        .ok()
        .map(|(schema, references)| Box::new(Apache { schema, references }))
}

/// Says which reference an error came from: its path is inside that text, not ours.
fn in_reference(index: usize, name: &str, error: SchemaError) -> SchemaError {
    match error {
        SchemaError::Invalid { path, message } => SchemaError::Invalid {
            path,
            message: format!("in reference {index} ({name:?}): {message}"),
        },
        SchemaError::UnresolvedReference {
            name: missing,
            path,
        } => SchemaError::UnresolvedReference {
            name: missing,
            path: format!("reference {index} ({name:?}) {path}"),
        },
        other => other.in_text_of(&format!("in reference {index} ({name:?})")),
    }
}
