//! The text Confluent stores and returns for an Avro schema: its `canonicalString`,
//! which is Avro Java's `Schema.toString()` of the parsed schema (1.12), with the
//! top-level names of the references known in advance, so that those are written by
//! name. Where this differs from the canonical form (keys sorted, our identity), it is
//! because Java writes it so; see [`crate::ParsedSchema::registered`].
//!
//! Java's order, which every writer below follows:
//! - record: `type name namespace doc fields`, its other attributes in text order,
//!   `aliases`;
//! - field: `name type doc default order aliases`, then its other attributes;
//! - enum: `type name namespace doc symbols default`, attributes, `aliases`;
//! - fixed: `type name namespace doc size`, attributes, `aliases`;
//! - array and map: `type items|values`, attributes; a primitive with attributes
//!   `{"type":"int",...}`, without them `"int"`;
//! - a named type already written (or a reference's top-level type) by its name,
//!   relative to the enclosing namespace.
//!
//! Attribute values and defaults are written as Jackson writes the tree Avro's mapper
//! read (numbers as Java `double`s: `1e2` becomes `100.0`).
//!
//! With `normalize`, Confluent stores the `canonicalString` of the schema it rebuilt
//! from its normalised text (`AvroSchemaUtils.toNormalizedString`, parsed again):
//! attributes come out with a valid logical type's first and the rest sorted, aliases
//! sorted, an empty doc of a named type dropped, attribute values and defaults with
//! their keys sorted and defaults converted to the field's type, an `error` as a
//! `record`, and a type in the null namespace inside a namespaced one moved into that
//! namespace (the normalised text writes it without `"namespace":""`).

use std::collections::{HashMap, HashSet};

use super::model::{Field, Kind, Named, NamedDef, Node};
use super::parse::{ENUM_RESERVED, FIELD_RESERVED, SCHEMA_RESERVED};
use crate::schema::jackson::{self, Numbers, Tree};

/// Where a named type was defined: which text (`None` for the schema's own, else the
/// reference's index) and the JSON pointer of its definition there.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub text: Option<usize>,
    pub path: String,
}

/// The schema Java's `Schema.Type` names: a named type called one of these is written
/// by full name even in its own namespace (`Name.shouldWriteFull`).
const TYPE_NAMES: [&str; 14] = [
    "record", "enum", "array", "map", "union", "fixed", "string", "bytes", "int", "long", "float",
    "double", "boolean", "null",
];

/// The texts and parse results the writer reads.
pub(crate) struct Input<'a, 't> {
    pub root: &'a Node,
    pub named: &'a [Named],
    pub sources: &'a [Source],
    /// The schema's own text.
    pub text: &'a Tree<'t>,
    /// The references' texts, in order.
    pub references: &'a [Tree<'t>],
    /// What Confluent tells `toString` is known: each reference's top-level full name.
    pub known: Vec<String>,
    pub normalize: bool,
}

/// Writes the registered text of a parsed Avro schema.
pub(crate) fn write(input: Input<'_, '_>) -> String {
    let mut writer = Writer {
        named: input.named,
        sources: input.sources,
        text: input.text,
        references: input.references,
        known: input.known.into_iter().collect(),
        spaces: HashMap::new(),
        normalize: input.normalize,
        out: String::new(),
    };
    writer.schema(input.root, input.text, None);
    writer.out
}

static NULL: Tree<'static> = Tree::Null;

struct Writer<'a, 't> {
    named: &'a [Named],
    sources: &'a [Source],
    text: &'a Tree<'t>,
    references: &'a [Tree<'t>],
    known: HashSet<String>,
    /// The namespace each named type was written in, where normalising moved it.
    spaces: HashMap<usize, Option<String>>,
    normalize: bool,
    out: String,
}

impl<'a, 't> Writer<'a, 't> {
    /// A schema at a position whose text is `tree`, inside namespace `ns`.
    fn schema(&mut self, node: &Node, tree: &Tree<'_>, ns: Option<&str>) {
        match &node.kind {
            Kind::Union(branches) => {
                self.out.push('[');
                for (i, branch) in branches.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.schema(branch, tree.elements().get(i).unwrap_or(&NULL), ns);
                }
                self.out.push(']');
            }
            Kind::Array(inner) | Kind::Map(inner) => {
                let (ty, key) = match node.kind {
                    Kind::Array(_) => ("array", "items"),
                    _ => ("map", "values"),
                };
                self.out.push_str("{\"type\":\"");
                self.out.push_str(ty);
                self.out.push_str("\",\"");
                self.out.push_str(key);
                self.out.push_str("\":");
                self.schema(inner, tree.get(key).unwrap_or(&NULL), ns);
                self.props(tree, &SCHEMA_RESERVED, &node.kind);
                self.out.push('}');
            }
            Kind::Named(i) => self.named_type(*i, ns),
            primitive => {
                let name = primitive.primitive_name().unwrap_or("null");
                let has_props = tree
                    .members()
                    .iter()
                    .any(|(k, _)| !SCHEMA_RESERVED.contains(&k.as_str()));
                if has_props {
                    self.out.push_str("{\"type\":");
                    jackson::write_string(name, &mut self.out);
                    self.props(tree, &SCHEMA_RESERVED, primitive);
                    self.out.push('}');
                } else {
                    jackson::write_string(name, &mut self.out);
                }
            }
        }
    }

    /// The text of a named type's definition.
    fn definition(&self, index: usize) -> &'a Tree<'t> {
        let source = &self.sources[index];
        let tree = match source.text {
            None => self.text,
            Some(r) => self.references.get(r).unwrap_or(&NULL),
        };
        tree.pointer(&source.path).unwrap_or(&NULL)
    }

    fn named_type(&mut self, index: usize, ns: Option<&str>) {
        let all: &'a [Named] = self.named;
        let named = &all[index];
        // Java's `writeNameRef`: the first use writes the definition, later ones the name.
        if !self.known.insert(named.full_name.clone()) {
            let space = match self.spaces.get(&index) {
                Some(moved) => moved.as_deref(),
                None => named.namespace.as_deref(),
            };
            let name = qualified(&named.name, space, ns);
            jackson::write_string(&name, &mut self.out);
            return;
        }
        let tree = self.definition(index);
        let ty = match &named.def {
            // COMPAT: Confluent's normalised text writes an error's type as "record".
            NamedDef::Record { error: true, .. } if !self.normalize => "error",
            NamedDef::Record { .. } => "record",
            NamedDef::Enum { .. } => "enum",
            NamedDef::Fixed { .. } => "fixed",
        };
        self.out.push_str("{\"type\":\"");
        self.out.push_str(ty);
        self.out.push_str("\",\"name\":");
        jackson::write_string(&named.name, &mut self.out);
        let mut space = named.namespace.as_deref();
        match (space, ns) {
            (Some(s), current) if current != Some(s) => {
                self.out.push_str(",\"namespace\":");
                jackson::write_string(s, &mut self.out);
            }
            // COMPAT: Confluent's normalised text names the type without a namespace,
            // so parsing it again puts the type in the enclosing one.
            (None, Some(current)) if self.normalize => {
                space = Some(current);
                self.spaces.insert(index, Some(current.to_owned()));
            }
            // A type in the null namespace inside a named one says so.
            (None, Some(_)) => self.out.push_str(",\"namespace\":\"\""),
            _ => {}
        }
        // COMPAT: Confluent's normalised text drops an empty doc of a named type
        // (`setComplexProps` writes it only when non-empty); Java's own writer keeps it.
        if let Some(doc) = named
            .doc
            .as_ref()
            .filter(|d| !(self.normalize && d.is_empty()))
        {
            self.out.push_str(",\"doc\":");
            jackson::write_string(doc, &mut self.out);
        }
        let inner = space;
        match &named.def {
            NamedDef::Record { fields, .. } => {
                self.out.push_str(",\"fields\":[");
                let texts = tree.get("fields").map(Tree::elements).unwrap_or(&[]);
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.field(field, texts.get(i).unwrap_or(&NULL), inner);
                }
                self.out.push(']');
                self.props(tree, &SCHEMA_RESERVED, &Kind::Named(index));
            }
            NamedDef::Enum { symbols, default } => {
                self.out.push_str(",\"symbols\":[");
                for (i, symbol) in symbols.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    jackson::write_string(symbol, &mut self.out);
                }
                self.out.push(']');
                if let Some(d) = default {
                    self.out.push_str(",\"default\":");
                    jackson::write_string(d, &mut self.out);
                }
                self.props(tree, &ENUM_RESERVED, &Kind::Named(index));
            }
            NamedDef::Fixed { size } => {
                self.out.push_str(",\"size\":");
                self.out.push_str(&size.to_string());
                self.props(tree, &SCHEMA_RESERVED, &Kind::Named(index));
            }
        }
        self.aliases(named, space);
        self.out.push('}');
    }

    /// A named type's aliases, each once, relative to the namespace it was written in.
    fn aliases(&mut self, named: &Named, space: Option<&str>) {
        // Java keeps them as names (`LinkedHashSet<Name>`): a repeat is dropped.
        let mut seen = HashSet::new();
        let mut aliases: Vec<(Option<&str>, &str)> = Vec::new();
        for alias in &named.aliases {
            let (space, name) = match alias.rsplit_once('.') {
                Some((space, name)) => ((!space.is_empty()).then_some(space), name),
                None => (None, alias.as_str()),
            };
            if seen.insert((space, name)) {
                aliases.push((space, name));
            }
        }
        if aliases.is_empty() {
            return;
        }
        if self.normalize {
            // Confluent sorts `getAliases()`, which writes a null-namespace alias of a
            // namespaced type as ".name".
            let key = |(space, name): &(Option<&str>, &str)| match (space, &named.namespace) {
                (Some(s), _) => format!("{s}.{name}"),
                (None, Some(_)) => format!(".{name}"),
                (None, None) => (*name).to_owned(),
            };
            aliases.sort_by_key(key);
        }
        self.out.push_str(",\"aliases\":[");
        for (i, (alias_space, name)) in aliases.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            let alias = qualified(name, alias_space, space);
            jackson::write_string(&alias, &mut self.out);
        }
        self.out.push(']');
    }

    fn field(&mut self, field: &Field, tree: &Tree<'_>, ns: Option<&str>) {
        self.out.push_str("{\"name\":");
        jackson::write_string(&field.name, &mut self.out);
        self.out.push_str(",\"type\":");
        self.schema(&field.ty, tree.get("type").unwrap_or(&NULL), ns);
        if let Some(doc) = &field.doc {
            self.out.push_str(",\"doc\":");
            jackson::write_string(doc, &mut self.out);
        }
        if let Some(default) = tree.get("default") {
            self.default(field, default);
        }
        if let Some(order) = tree
            .get("order")
            .and_then(Tree::as_str)
            .filter(|o| *o != "ascending")
        {
            self.out.push_str(",\"order\":");
            jackson::write_string(order, &mut self.out);
        }
        // `Field.aliases` is a `LinkedHashSet<String>`: repeats dropped, order kept
        // (sorted when Confluent normalises).
        let mut aliases: Vec<&str> = Vec::new();
        for alias in &field.aliases {
            if !aliases.contains(&alias.as_str()) {
                aliases.push(alias);
            }
        }
        if self.normalize {
            aliases.sort_unstable();
        }
        if !aliases.is_empty() {
            self.out.push_str(",\"aliases\":[");
            for (i, alias) in aliases.into_iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                jackson::write_string(alias, &mut self.out);
            }
            self.out.push(']');
        }
        self.props(tree, &FIELD_RESERVED, &Kind::Null);
        self.out.push('}');
    }

    fn default(&mut self, field: &Field, default: &Tree<'_>) {
        // Java reads a float or double field's textual default as a double
        // (`Double.parseDouble`); the only ones accepted are NaN and the infinities,
        // which Jackson writes back as the same strings.
        if !self.normalize {
            self.out.push_str(",\"default\":");
            jackson::write(default, Numbers::Double, false, &mut self.out);
            return;
        }
        let mut value = String::new();
        let plain_float = matches!(field.ty.kind, Kind::Float | Kind::Double);
        let converted = if plain_float && default.as_str().is_some() {
            jackson::write(default, Numbers::Double, false, &mut value);
            true
        } else {
            self.datum(default, Some(&field.ty), &mut value)
        };
        // COMPAT: where Java's `JacksonUtils.toObject` finds no value for the field's
        // type (a big integer, a textual default of a union's float branch), Confluent's
        // normalised text has no default at all.
        if converted {
            self.out.push_str(",\"default\":");
            self.out.push_str(&value);
        }
    }

    /// A default as Confluent's normaliser writes it: `JacksonUtils.toObject` against
    /// the type, then back to JSON with keys sorted. `false` where Java gets no value.
    fn datum(&self, tree: &Tree<'_>, ty: Option<&Node>, out: &mut String) -> bool {
        // A union's default is a value of its first branch.
        let ty = match ty.map(|t| &t.kind) {
            Some(Kind::Union(branches)) => branches.first(),
            _ => ty,
        };
        let kind = ty.map(|t| &t.kind);
        match tree {
            Tree::Null => out.push_str("null"),
            Tree::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Tree::Number(n) if jackson::is_integer(n) => {
                let fits = n.parse::<i64>().is_ok();
                match kind {
                    _ if !fits => return false,
                    None | Some(Kind::Int | Kind::Long) => {
                        jackson::write_number(n, Numbers::Double, out)
                    }
                    Some(Kind::Float) => {
                        let v = n.parse::<f64>().unwrap_or_default();
                        jackson::write_java_float_as_double(v as f32, out);
                    }
                    Some(Kind::Double) => {
                        jackson::write_java_double(n.parse::<f64>().unwrap_or_default(), out)
                    }
                    Some(_) => return false,
                }
            }
            Tree::Number(n) => {
                let v = n.parse::<f64>().unwrap_or_default();
                match kind {
                    None | Some(Kind::Double) => jackson::write_java_double(v, out),
                    Some(Kind::Float) => jackson::write_java_float_as_double(v as f32, out),
                    Some(_) => return false,
                }
            }
            Tree::String(s) => match kind {
                None | Some(Kind::String) => jackson::write_string(s, out),
                Some(Kind::Named(i)) if matches!(self.named[*i].def, NamedDef::Enum { .. }) => {
                    jackson::write_string(s, out)
                }
                // Bytes go through ISO-8859-1: a character beyond it becomes '?'.
                Some(Kind::Bytes) | Some(Kind::Named(_)) => {
                    let latin1: String = s
                        .chars()
                        .map(|c| if u32::from(c) > 0xFF { '?' } else { c })
                        .collect();
                    jackson::write_string(&latin1, out);
                }
                Some(_) => return false,
            },
            Tree::Array(items) => {
                let inner = match kind {
                    Some(Kind::Array(inner)) => Some(&**inner),
                    _ => None,
                };
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if !self.datum(item, inner, out) {
                        out.push_str("null");
                    }
                }
                out.push(']');
            }
            Tree::Object(members) => {
                let mut sorted: Vec<&(String, Tree<'_>)> = members.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push('{');
                for (i, (key, value)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    jackson::write_string(key, out);
                    out.push(':');
                    let inner = match kind {
                        Some(Kind::Map(values)) => Some(&**values),
                        Some(Kind::Named(r)) => match &self.named[*r].def {
                            NamedDef::Record {
                                fields, by_name, ..
                            } => by_name.get(key).map(|&f| &fields[f].ty),
                            _ => None,
                        },
                        _ => None,
                    };
                    if !self.datum(value, inner, out) {
                        out.push_str("null");
                    }
                }
                out.push('}');
            }
        }
        true
    }

    /// The attributes of the object `tree` that are not in `reserved`, in text order
    /// (Java's `JsonProperties` keeps insertion order); when normalising, a valid
    /// logical type's attributes first and the others sorted.
    fn props(&mut self, tree: &Tree<'_>, reserved: &[&str], kind: &Kind) {
        let members: Vec<&(String, Tree<'_>)> = tree
            .members()
            .iter()
            .filter(|(k, _)| !reserved.contains(&k.as_str()))
            .collect();
        if !self.normalize {
            for (key, value) in members {
                self.out.push(',');
                jackson::write_string(key, &mut self.out);
                self.out.push(':');
                jackson::write(value, Numbers::Double, false, &mut self.out);
            }
            return;
        }
        let first = logical_keys(tree, kind, self.named);
        let mut rest: Vec<&(String, Tree<'_>)> = members
            .iter()
            .copied()
            .filter(|(k, _)| !first.contains(&k.as_str()))
            .collect();
        rest.sort_by(|a, b| a.0.cmp(&b.0));
        let leading = first
            .iter()
            .filter_map(|k| members.iter().copied().find(|(m, _)| m == k));
        for (key, value) in leading.chain(rest) {
            self.out.push(',');
            jackson::write_string(key, &mut self.out);
            self.out.push(':');
            jackson::write(value, Numbers::Double, true, &mut self.out);
        }
    }
}

/// `Name.getQualified`: the simple name inside its own namespace (unless it is one
/// of Java's type names), else the full name.
fn qualified(name: &str, space: Option<&str>, current: Option<&str>) -> String {
    match space {
        Some(s) if Some(s) == current && !TYPE_NAMES.contains(&name) => name.to_owned(),
        Some(s) => format!("{s}.{name}"),
        None => name.to_owned(),
    }
}

/// The attributes Confluent's normaliser writes ahead of the sorted rest: those of a
/// logical type Avro 1.12 accepts on this type (`LogicalTypes.fromSchemaIgnoreInvalid`),
/// `logicalType` and, for a decimal, `precision` and a non-zero `scale`.
fn logical_keys(tree: &Tree<'_>, kind: &Kind, named: &[Named]) -> Vec<&'static str> {
    let Some(logical) = tree.get("logicalType").and_then(Tree::as_str) else {
        return Vec::new();
    };
    let fixed_size = match kind {
        Kind::Named(i) => match named[*i].def {
            NamedDef::Fixed { size } => Some(size),
            _ => None,
        },
        _ => None,
    };
    let int_prop = |key: &str| match tree.get(key) {
        Some(Tree::Number(n)) if jackson::is_integer(n) => n.parse::<i32>().ok(),
        _ => None,
    };
    let valid = match logical {
        "decimal" => {
            let precision = int_prop("precision");
            let scale = if tree.get("scale").is_some() {
                int_prop("scale")
            } else {
                Some(0)
            };
            match (precision, scale) {
                (Some(p), Some(s)) if p > 0 && s >= 0 && s <= p => {
                    let backed = match (kind, fixed_size) {
                        (Kind::Bytes, _) => true,
                        (_, Some(size)) => i64::from(p) <= max_decimal_precision(size),
                        _ => false,
                    };
                    if backed {
                        return if s != 0 {
                            vec!["logicalType", "precision", "scale"]
                        } else {
                            vec!["logicalType", "precision"]
                        };
                    }
                    false
                }
                _ => false,
            }
        }
        "big-decimal" => matches!(kind, Kind::Bytes),
        "uuid" => matches!(kind, Kind::String) || fixed_size == Some(16),
        "duration" => fixed_size == Some(12),
        "date" | "time-millis" => matches!(kind, Kind::Int),
        "time-micros"
        | "timestamp-millis"
        | "timestamp-micros"
        | "timestamp-nanos"
        | "local-timestamp-millis"
        | "local-timestamp-micros"
        | "local-timestamp-nanos" => matches!(kind, Kind::Long),
        _ => false,
    };
    if valid {
        vec!["logicalType"]
    } else {
        Vec::new()
    }
}

/// The most decimal digits a fixed of `size` bytes holds, as Avro computes it.
fn max_decimal_precision(size: u64) -> i64 {
    if size == 0 {
        return 0;
    }
    (std::f64::consts::LOG10_2 * (8.0 * size as f64 - 1.0)).floor() as i64
}
