//! The walk over a schema's JSON: builds the model, checks it the way Java's
//! `Schema.Parser` does, counts it against the limits, and writes the canonical form
//! alongside (keys sorted, primitives folded, names written relative to the enclosing
//! namespace as Java's `Schema.toString` does, or as full names when normalising).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::defaults::check_field_default;
use super::model::{Kind, Named, NamedDef, Node, Props};
use super::registered::Source;
use crate::limits::Limits;
use crate::schema::error::SchemaError;
use crate::schema::options::ParseOptions;
use crate::schema::text::json_kind;

/// The primitive type names, which no named type may take.
pub(super) const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Java's `Schema.SCHEMA_RESERVED`: the keys Avro's parser never keeps as attributes
/// of a schema, whatever its type. On a type that does not use one (a `name` on an
/// `int`, `size` on a record) Java drops it, so it is not part of the schema.
pub(super) const SCHEMA_RESERVED: [&str; 10] = [
    "doc",
    "fields",
    "items",
    "name",
    "namespace",
    "size",
    "symbols",
    "values",
    "type",
    "aliases",
];

/// Java's `Schema.ENUM_RESERVED`: an enum's `default` is its own, not an attribute.
pub(super) const ENUM_RESERVED: [&str; 11] = [
    "doc",
    "fields",
    "items",
    "name",
    "namespace",
    "size",
    "symbols",
    "values",
    "type",
    "aliases",
    "default",
];

/// Java's `Schema.FIELD_RESERVED`: the keys a field defines.
pub(super) const FIELD_RESERVED: [&str; 6] = ["default", "doc", "name", "order", "type", "aliases"];

/// Builds one schema's model, with the named types of its references visible.
pub(crate) struct Parser {
    pub(super) named: Vec<Named>,
    pub(super) by_name: HashMap<String, usize>,
    /// Named types defined by the schema being parsed (not its references) start here;
    /// their field defaults are checked once all of them exist.
    own_from: usize,
    nodes: usize,
    pub(super) limits: Limits,
    pub(super) normalize: bool,
    /// Schema nesting depth of the walk, counting a named type used by name as deep as
    /// its definition (as a parser that expands references would recurse).
    pub(super) depth: usize,
    /// Deepest `depth` reached in the current definition or root.
    pub(super) reach: usize,
    /// Where each of `named` was defined, for the registered text.
    pub(super) sources: Vec<Source>,
    /// The text being walked: `None` for the schema's own, else the reference's index.
    pub(super) text: Option<usize>,
    /// Each reference's top-level full name (Java's `getFullName`, a type's name for
    /// an unnamed one): Confluent's `toString` writes these by name.
    known: Vec<String>,
}

/// `map[key]` as the JSON kind `pick` accepts. The errors are Java's: `missing` at the
/// object when the key is absent, and "`wrong`, found <kind>" at the key otherwise.
pub(super) fn member<'m, T>(
    map: &'m Map<String, Value>,
    key: &str,
    at: At<'_>,
    pick: impl FnOnce(&'m Value) -> Option<T>,
    wrong: &str,
    missing: &str,
) -> Result<T, SchemaError> {
    let Some(value) = map.get(key) else {
        return Err(SchemaError::invalid(at.path, missing));
    };
    pick(value).ok_or_else(|| {
        SchemaError::invalid(
            format!("{}/{key}", at.path),
            format!("{wrong}, found {}", json_kind(value)),
        )
    })
}

/// Where a walk is: the JSON pointer and the namespace names resolve against.
#[derive(Clone, Copy)]
pub(super) struct At<'a> {
    pub(super) path: &'a str,
    pub(super) namespace: Option<&'a str>,
}

impl Parser {
    pub(crate) fn new(options: &ParseOptions) -> Self {
        Parser {
            named: Vec::new(),
            by_name: HashMap::new(),
            own_from: 0,
            nodes: 0,
            limits: options.limits,
            normalize: options.normalize,
            depth: 0,
            reach: 0,
            sources: Vec::new(),
            text: None,
            known: Vec::new(),
        }
    }

    /// How deep the parsed root nests with named types expanded at each use (recursive
    /// uses count once). A parser that resolves references by recursion, as
    /// apache-avro's does, recurses about this deep.
    pub(crate) fn expanded_depth(&self) -> usize {
        self.reach
    }

    /// Adds the named types a referenced schema defines.
    pub(crate) fn reference(&mut self, value: &Value) -> Result<(), SchemaError> {
        self.own_from = self.named.len();
        self.text = Some(self.known.len());
        let (node, _) = self.type_of(
            value,
            At {
                path: "",
                namespace: None,
            },
        )?;
        let name = match &node.kind {
            Kind::Named(i) => self.named[*i].full_name.clone(),
            Kind::Array(_) => "array".to_owned(),
            Kind::Map(_) => "map".to_owned(),
            Kind::Union(_) => "union".to_owned(),
            other => other.primitive_name().unwrap_or_default().to_owned(),
        };
        self.known.push(name);
        self.check_defaults()
    }

    /// Parses the schema itself; returns its root and canonical JSON.
    pub(crate) fn root(&mut self, value: &Value) -> Result<(Node, Value), SchemaError> {
        self.own_from = self.named.len();
        self.text = None;
        self.reach = 0;
        let out = self.type_of(
            value,
            At {
                path: "",
                namespace: None,
            },
        )?;
        self.check_defaults()?;
        Ok(out)
    }

    /// The named types, where each was defined, and the references' top-level names.
    pub(crate) fn finish(self) -> (Vec<Named>, Vec<Source>, Vec<String>) {
        (self.named, self.sources, self.known)
    }

    fn check_defaults(&self) -> Result<(), SchemaError> {
        for named in &self.named[self.own_from..] {
            if let NamedDef::Record { fields, .. } = &named.def {
                for field in fields {
                    if let Some(default) = &field.default {
                        check_field_default(
                            &self.named,
                            &named.full_name,
                            field,
                            default,
                            &self.limits,
                        )?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Counts `n` more nodes against the limit.
    pub(super) fn count(&mut self, n: usize) -> Result<(), SchemaError> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(SchemaError::TooMany {
                what: "schema nodes (types, fields and enum symbols)",
                count: self.nodes,
                limit: self.limits.max_nodes,
            });
        }
        Ok(())
    }

    /// Any schema position: a name, a union or an object.
    pub(super) fn type_of(
        &mut self,
        value: &Value,
        at: At<'_>,
    ) -> Result<(Node, Value), SchemaError> {
        self.count(1)?;
        self.depth += 1;
        self.reach = self.reach.max(self.depth);
        let out = self.type_of_inner(value, at);
        self.depth -= 1;
        out
    }

    fn type_of_inner(&mut self, value: &Value, at: At<'_>) -> Result<(Node, Value), SchemaError> {
        match value {
            Value::String(name) => self.by_type_name(name, &Props::new(), at),
            Value::Array(branches) => self.union(branches, at),
            Value::Object(map) => self.object(map, at),
            other => Err(SchemaError::invalid(
                at.path,
                format!(
                    "expected a schema (a type name, an object with \"type\", or a union array), found {}",
                    json_kind(other)
                ),
            )),
        }
    }

    /// A primitive or a reference to a named type, by name.
    fn by_type_name(
        &mut self,
        name: &str,
        props: &Props,
        at: At<'_>,
    ) -> Result<(Node, Value), SchemaError> {
        if let Some(kind) = primitive(name) {
            let logical = props
                .get("logicalType")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let canonical = if props.is_empty() {
                Value::String(name.to_owned())
            } else {
                let mut obj = sorted(props);
                obj.insert("type".to_owned(), Value::String(name.to_owned()));
                object_sorted(obj)
            };
            return Ok((
                Node {
                    kind,
                    logical,
                    props: props.clone(),
                },
                canonical,
            ));
        }
        let Some(index) = self.lookup(name, at.namespace) else {
            return Err(SchemaError::UnresolvedReference {
                name: name.to_owned(),
                path: at.path.to_owned(),
            });
        };
        let canonical = Value::String(self.name_ref(index, at.namespace));
        // A use by name sits as deep as the definition it stands for (0 while that
        // definition is still being walked: a recursive use adds nothing).
        self.reach = self.reach.max(self.depth + self.named[index].expanded);
        Ok((Node::plain(Kind::Named(index)), canonical))
    }

    /// Java's `Names.get`: the name in the current namespace, then in the null one.
    fn lookup(&self, name: &str, namespace: Option<&str>) -> Option<usize> {
        if !name.contains('.')
            && let Some(ns) = namespace
            && let Some(&i) = self.by_name.get(&format!("{ns}.{name}"))
        {
            return Some(i);
        }
        self.by_name.get(name).copied()
    }

    /// How a reference to named type `index` is written inside `namespace`.
    fn name_ref(&self, index: usize, namespace: Option<&str>) -> String {
        let named = &self.named[index];
        if !self.normalize && named.namespace.as_deref() == namespace {
            named.name.clone()
        } else {
            named.full_name.clone()
        }
    }

    fn union(&mut self, branches: &[Value], at: At<'_>) -> Result<(Node, Value), SchemaError> {
        if branches.len() > self.limits.max_union_branches {
            return Err(SchemaError::TooMany {
                what: "union branches",
                count: branches.len(),
                limit: self.limits.max_union_branches,
            });
        }
        let mut nodes = Vec::with_capacity(branches.len());
        let mut canon = Vec::with_capacity(branches.len());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, branch) in branches.iter().enumerate() {
            let path = format!("{}/{i}", at.path);
            let (node, c) = self.type_of(branch, At { path: &path, ..at })?;
            let key = match &node.kind {
                Kind::Union(_) => {
                    return Err(SchemaError::invalid(
                        path,
                        "a union may not immediately contain another union",
                    ));
                }
                Kind::Array(_) => "array".to_owned(),
                Kind::Map(_) => "map".to_owned(),
                Kind::Named(n) => self.named[*n].full_name.clone(),
                other => other.primitive_name().unwrap_or_default().to_owned(),
            };
            if let Some(first) = seen.insert(key.clone(), i) {
                return Err(SchemaError::invalid(
                    path,
                    format!(
                        "duplicate {key} in union (also branch {first}): a union may hold each type once"
                    ),
                ));
            }
            nodes.push(node);
            canon.push(c);
        }
        Ok((Node::plain(Kind::Union(nodes)), Value::Array(canon)))
    }

    fn object(
        &mut self,
        map: &Map<String, Value>,
        at: At<'_>,
    ) -> Result<(Node, Value), SchemaError> {
        let ty = member(
            map,
            "type",
            at,
            Value::as_str,
            "\"type\" of a schema object must be a type name",
            "schema object has no \"type\"",
        )?;
        match ty {
            "record" | "error" => self.record(map, ty == "error", at),
            "enum" => self.enumeration(map, at),
            "fixed" => self.fixed(map, at),
            "array" => self.container(map, "items", at),
            "map" => self.container(map, "values", at),
            name => {
                // A primitive written as an object, or Java's `{"type": "SomeName"}`.
                if primitive(name).is_none() && map.len() > 1 {
                    return Err(SchemaError::invalid(
                        at.path,
                        format!("a reference to named type {name:?} cannot carry attributes"),
                    ));
                }
                // Java's `parsePrimitive` keeps only the keys outside SCHEMA_RESERVED:
                // `{"type":"int","name":"N"}` is the schema "int".
                let props = extra_props(map, &SCHEMA_RESERVED);
                self.by_type_name(name, &props, at)
            }
        }
    }

    fn container(
        &mut self,
        map: &Map<String, Value>,
        key: &'static str,
        at: At<'_>,
    ) -> Result<(Node, Value), SchemaError> {
        let Some(inner) = map.get(key) else {
            return Err(SchemaError::invalid(
                at.path,
                format!(
                    "{} schema has no {key:?}",
                    map["type"].as_str().unwrap_or("")
                ),
            ));
        };
        let path = format!("{}/{key}", at.path);
        let (node, canon) = self.type_of(inner, At { path: &path, ..at })?;
        // Java drops every reserved key here, not only the ones arrays and maps use.
        let props = extra_props(map, &SCHEMA_RESERVED);
        let mut obj = sorted(&props);
        obj.insert(key.to_owned(), canon);
        obj.insert("type".to_owned(), map["type"].clone());
        let kind = if key == "items" {
            Kind::Array(Box::new(node))
        } else {
            Kind::Map(Box::new(node))
        };
        let logical = props
            .get("logicalType")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok((
            Node {
                kind,
                logical,
                props,
            },
            object_sorted(obj),
        ))
    }
}

fn primitive(name: &str) -> Option<Kind> {
    Some(match name {
        "null" => Kind::Null,
        "boolean" => Kind::Boolean,
        "int" => Kind::Int,
        "long" => Kind::Long,
        "float" => Kind::Float,
        "double" => Kind::Double,
        "bytes" => Kind::Bytes,
        "string" => Kind::String,
        _ => return None,
    })
}

/// The keys of `map` that Avro does not define (`known` lists those it does here).
pub(super) fn extra_props(map: &Map<String, Value>, known: &[&str]) -> Props {
    map.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Attributes for the canonical form, their values' keys sorted.
pub(super) fn sorted(props: &Props) -> BTreeMap<String, Value> {
    props
        .iter()
        .map(|(k, v)| (k.clone(), sort_keys(v)))
        .collect()
}

/// Attribute values are arbitrary JSON: sort their keys too, so key order never
/// changes a fingerprint.
pub(super) fn sort_keys(value: &Value) -> Value {
    match value {
        Value::Object(m) => {
            let sorted: BTreeMap<&String, Value> =
                m.iter().map(|(k, v)| (k, sort_keys(v))).collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// A JSON object whose keys serialise in sorted order whether or not serde_json keeps
/// insertion order (a feature another crate in the build may switch on).
pub(super) fn object_sorted(obj: BTreeMap<String, Value>) -> Value {
    Value::Object(obj.into_iter().collect())
}
