//! The Avro model: the tree of types the compatibility engine and the event validator
//! walk, with the named types (records, enums, fixed) kept in one list and used by
//! index. Only data and the small helpers messages need; building it is `parse`'s job.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

/// SHA-256 of a type's structure and everything the compatibility walk compares
/// (computed by `digest`, which explains when a type gets one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Digest(pub(super) [u8; 32]);

/// Custom attributes (any key Avro does not define), kept because they are part of a
/// schema's identity in Confluent and reported as cosmetic changes.
pub(crate) type Props = BTreeMap<String, Value>;

/// A parsed Avro schema as the compatibility engine walks it.
#[derive(Clone, Debug)]
pub struct AvroSchema {
    /// The top-level type.
    pub(crate) root: Node,
    /// Every named type this schema can see: those of its references first, then its
    /// own, in definition order. [`Kind::Named`] indexes into it.
    pub(crate) named: Vec<Named>,
    /// The same schema as `apache-avro` parsed it, for encoding and decoding data.
    pub(super) apache: Option<Box<Apache>>,
    /// Nesting levels a compatibility walk can descend from the root, `None` if the root
    /// reaches a recursive type.
    pub(crate) check_height: Option<usize>,
}

/// A schema as `apache-avro` parsed it, with the schemas of its references.
#[derive(Clone, Debug)]
pub(crate) struct Apache {
    pub(crate) schema: apache_avro::Schema,
    /// The references' schemas, in order: the schema names their types by `Ref`.
    pub(crate) references: Vec<apache_avro::Schema>,
}

/// One type in the tree; named types live in [`AvroSchema::named`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    /// `logicalType` on an anonymous type (named types carry their own).
    pub logical: Option<String>,
    /// Custom attributes of an anonymous type written as an object.
    pub props: Props,
}

/// The shape of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(Box<Node>),
    Map(Box<Node>),
    Union(Vec<Node>),
    /// A record, enum or fixed, by index into [`AvroSchema::named`].
    Named(usize),
}

/// A record, enum or fixed type.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Named {
    /// Namespace-qualified name, the key names resolve to.
    pub full_name: String,
    /// The unqualified name (Java compares this one in schema resolution).
    pub name: String,
    /// Namespace, `None` for the null namespace.
    pub namespace: Option<String>,
    /// Aliases as full names.
    pub aliases: Vec<String>,
    pub doc: Option<String>,
    pub logical: Option<String>,
    pub props: Props,
    pub def: NamedDef,
    /// Nesting depth of the definition with the named types it uses expanded.
    pub expanded: usize,
    /// Set when an identical type on the other side of a check can be skipped.
    pub digest: Option<Digest>,
}

/// What kind of named type it is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum NamedDef {
    Record {
        fields: Vec<Field>,
        /// Field name -> index into `fields`.
        by_name: HashMap<String, usize>,
        /// Whether it was declared as `error` (a record for Avro protocols).
        error: bool,
        /// Entry `k` digests fields `0..=k`, for the longest run of leading fields that
        /// have digests and no aliases: equal entries on both sides of a check mean the
        /// fields up to there can be passed over without looking at them one by one.
        prefix_digests: Vec<Digest>,
    },
    Enum {
        symbols: Vec<String>,
        default: Option<String>,
    },
    Fixed {
        size: u64,
    },
}

/// A record field.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Field {
    pub name: String,
    pub aliases: Vec<String>,
    pub doc: Option<String>,
    pub ty: Node,
    pub default: Option<Value>,
    pub props: Props,
    /// JSON pointer of the field in the text that defined it, for error messages.
    pub path: String,
    /// Set when an identical field on the other side of a check can be skipped.
    pub digest: Option<Digest>,
}

impl Node {
    /// A node without logical type or attributes.
    pub(crate) fn plain(kind: Kind) -> Self {
        Node {
            kind,
            logical: None,
            props: Props::new(),
        }
    }
}

impl Kind {
    /// The primitive type name, for primitives.
    pub(crate) fn primitive_name(&self) -> Option<&'static str> {
        Some(match self {
            Kind::Null => "null",
            Kind::Boolean => "boolean",
            Kind::Int => "int",
            Kind::Long => "long",
            Kind::Float => "float",
            Kind::Double => "double",
            Kind::Bytes => "bytes",
            Kind::String => "string",
            _ => return None,
        })
    }
}

impl AvroSchema {
    /// The named type at `index`.
    pub(crate) fn named(&self, index: usize) -> &Named {
        &self.named[index]
    }

    /// How a type is called in messages: `int`, `record com.shop.Order`, `array`, ...
    pub(crate) fn describe(&self, node: &Node) -> String {
        match &node.kind {
            Kind::Array(_) => "array".to_owned(),
            Kind::Map(_) => "map".to_owned(),
            Kind::Union(branches) => {
                let names: Vec<String> = branches.iter().map(|b| self.describe(b)).collect();
                format!("union [{}]", names.join(", "))
            }
            Kind::Named(i) => {
                let n = self.named(*i);
                let kind = match n.def {
                    NamedDef::Record { .. } => "record",
                    NamedDef::Enum { .. } => "enum",
                    NamedDef::Fixed { .. } => "fixed",
                };
                format!("{kind} {}", n.full_name)
            }
            other => other.primitive_name().unwrap_or("?").to_owned(),
        }
    }

    /// The schema as `apache-avro` parsed it, to encode or decode data with. `None`
    /// when `apache-avro` refuses a schema that Java's parser (and so Confluent)
    /// accepts, e.g. an enum field default outside the symbols or a decimal's bytes
    /// default; see `parse` for why that does not refuse the schema.
    pub fn apache(&self) -> Option<&apache_avro::Schema> {
        self.apache.as_deref().map(|a| &a.schema)
    }

    /// Every schema `apache-avro` needs to encode or decode data of this one: its
    /// references' first, dependencies first, then the schema itself, the order
    /// `ResolvedSchema::new_with_schemata` resolves names in (empty when
    /// [`Self::apache`] is `None`). Hand them to `GenericDatumWriter`'s or
    /// `GenericDatumReader`'s `schemata`.
    pub fn apache_schemata(&self) -> Vec<&apache_avro::Schema> {
        match self.apache.as_deref() {
            Some(a) => a.references.iter().chain([&a.schema]).collect(),
            None => Vec::new(),
        }
    }
}
