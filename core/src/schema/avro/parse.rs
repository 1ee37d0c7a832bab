//! The walk over a schema's JSON: builds the model, checks it the way Java's
//! `Schema.Parser` does, counts it against the limits, and writes the canonical form
//! alongside (keys sorted, primitives folded, names written relative to the enclosing
//! namespace as Java's `Schema.toString` does, or as full names when normalising).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::{Field, Kind, Named, NamedDef, Node, Props};
use crate::limits::Limits;
use crate::schema::{ParseOptions, SchemaError};

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Builds one schema's model, with the named types of its references visible.
pub(crate) struct Parser {
    named: Vec<Named>,
    by_name: HashMap<String, usize>,
    /// Named types defined by the schema being parsed (not its references) start here;
    /// their field defaults are checked once all of them exist.
    own_from: usize,
    nodes: usize,
    limits: Limits,
    normalize: bool,
    /// Schema nesting depth of the walk, counting a named type used by name as deep as
    /// its definition (as a parser that expands references would recurse).
    depth: usize,
    /// Deepest `depth` reached in the current definition or root.
    reach: usize,
}

/// Where a walk is: the JSON pointer and the namespace names resolve against.
#[derive(Clone, Copy)]
struct At<'a> {
    path: &'a str,
    namespace: Option<&'a str>,
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
        self.type_of(
            value,
            At {
                path: "",
                namespace: None,
            },
        )?;
        self.check_defaults()
    }

    /// Parses the schema itself; returns its root and canonical JSON.
    pub(crate) fn root(&mut self, value: &Value) -> Result<(Node, Value), SchemaError> {
        self.own_from = self.named.len();
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

    pub(crate) fn finish(self) -> Vec<Named> {
        self.named
    }

    fn check_defaults(&self) -> Result<(), SchemaError> {
        for named in &self.named[self.own_from..] {
            if let NamedDef::Record { fields, .. } = &named.def {
                for field in fields {
                    if let Some(default) = &field.default {
                        super::defaults::check_field_default(
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

    fn count(&mut self, n: usize) -> Result<(), SchemaError> {
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
    fn type_of(&mut self, value: &Value, at: At<'_>) -> Result<(Node, Value), SchemaError> {
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
        let ty = match map.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(other) => {
                return Err(SchemaError::invalid(
                    format!("{}/type", at.path),
                    format!(
                        "\"type\" of a schema object must be a type name, found {}",
                        json_kind(other)
                    ),
                ));
            }
            None => {
                return Err(SchemaError::invalid(
                    at.path,
                    "schema object has no \"type\"",
                ));
            }
        };
        match ty {
            "record" | "error" => self.record(map, ty == "error", at),
            "enum" => self.enumeration(map, at),
            "fixed" => self.fixed(map, at),
            "array" => self.container(map, "items", at),
            "map" => self.container(map, "values", at),
            name => {
                // A primitive written as an object, or Java's `{"type": "SomeName"}`.
                let props = extra_props(map, &["type"]);
                if primitive(name).is_none() && !props.is_empty() {
                    return Err(SchemaError::invalid(
                        at.path,
                        format!("a reference to named type {name:?} cannot carry attributes"),
                    ));
                }
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
        let props = extra_props(map, &["type", key]);
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

    /// Name, namespace, aliases and doc of a named type; registers nothing yet.
    fn header(&self, map: &Map<String, Value>, at: At<'_>) -> Result<Header, SchemaError> {
        let name = match map.get("name") {
            Some(Value::String(n)) => n.as_str(),
            Some(other) => {
                return Err(SchemaError::invalid(
                    format!("{}/name", at.path),
                    format!("\"name\" must be a string, found {}", json_kind(other)),
                ));
            }
            None => {
                return Err(SchemaError::invalid(at.path, "named type has no \"name\""));
            }
        };
        let declared_ns = match map.get("namespace") {
            None | Some(Value::Null) => None,
            Some(Value::String(ns)) => Some(ns.as_str()),
            Some(other) => {
                return Err(SchemaError::invalid(
                    format!("{}/namespace", at.path),
                    format!("\"namespace\" must be a string, found {}", json_kind(other)),
                ));
            }
        };
        let (simple, namespace) = match name.rsplit_once('.') {
            Some((ns, simple)) => (simple, Some(ns)),
            None => (name, declared_ns.or(at.namespace)),
        };
        let namespace = namespace.filter(|ns| !ns.is_empty());
        let name_path = format!("{}/name", at.path);
        check_name(simple, &name_path)?;
        if let Some(ns) = namespace {
            check_namespace(ns, &name_path)?;
        }
        if PRIMITIVES.contains(&simple) {
            return Err(SchemaError::invalid(
                name_path,
                format!("named types may not be named after a primitive type ({simple:?})"),
            ));
        }
        let full_name = match namespace {
            Some(ns) => format!("{ns}.{simple}"),
            None => simple.to_owned(),
        };
        if self.by_name.contains_key(&full_name) {
            return Err(SchemaError::invalid(
                name_path,
                format!(
                    "{full_name} is defined twice: refer to the first definition by name instead"
                ),
            ));
        }
        let aliases = string_list(map.get("aliases"), &format!("{}/aliases", at.path))?
            .into_iter()
            .enumerate()
            .map(|(i, alias)| {
                let path = format!("{}/aliases/{i}", at.path);
                let full = match (alias.rsplit_once('.'), namespace) {
                    (Some((ns, simple)), _) => {
                        check_name(simple, &path)?;
                        check_namespace(ns, &path)?;
                        alias
                    }
                    (None, Some(ns)) => {
                        check_name(&alias, &path)?;
                        format!("{ns}.{alias}")
                    }
                    (None, None) => {
                        check_name(&alias, &path)?;
                        alias
                    }
                };
                Ok(full)
            })
            .collect::<Result<Vec<_>, SchemaError>>()?;
        let doc = optional_string(map.get("doc"), &format!("{}/doc", at.path))?;
        Ok(Header {
            full_name,
            name: simple.to_owned(),
            namespace: namespace.map(str::to_owned),
            aliases,
            doc,
        })
    }

    /// Registers a named type (before walking a record's fields, so they can refer to
    /// it) and returns its index.
    fn register(
        &mut self,
        header: &Header,
        map: &Map<String, Value>,
        known: &[&str],
        def: NamedDef,
    ) -> usize {
        let props = extra_props(map, known);
        let logical = props
            .get("logicalType")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let index = self.named.len();
        self.by_name.insert(header.full_name.clone(), index);
        self.named.push(Named {
            full_name: header.full_name.clone(),
            name: header.name.clone(),
            namespace: header.namespace.clone(),
            aliases: header.aliases.clone(),
            doc: header.doc.clone(),
            logical,
            props,
            def,
            expanded: 0,
            digest: None,
        });
        index
    }

    /// Starts measuring a named type's definition; returns what `end_named` needs.
    fn begin_named(&mut self) -> (usize, usize) {
        (self.depth, std::mem::replace(&mut self.reach, self.depth))
    }

    /// Records how deep the definition at `index` nests once expanded.
    fn end_named(&mut self, index: usize, (start, outer): (usize, usize)) {
        self.named[index].expanded = self.reach - start + 1;
        self.reach = self.reach.max(outer);
    }

    /// The canonical keys every named type has: type, name, namespace, aliases, doc.
    fn named_canonical(&self, index: usize, ty: &str, at: At<'_>) -> BTreeMap<String, Value> {
        let named = &self.named[index];
        let mut obj = sorted(&named.props);
        obj.insert("type".to_owned(), Value::String(ty.to_owned()));
        if self.normalize {
            obj.insert("name".to_owned(), Value::String(named.full_name.clone()));
        } else {
            obj.insert("name".to_owned(), Value::String(named.name.clone()));
            if named.namespace.as_deref() != at.namespace {
                obj.insert(
                    "namespace".to_owned(),
                    Value::String(named.namespace.clone().unwrap_or_default()),
                );
            }
        }
        if !named.aliases.is_empty() {
            let mut aliases: Vec<String> = named
                .aliases
                .iter()
                .map(|a| {
                    // Java writes aliases relative to the type's own namespace.
                    match (&named.namespace, a.rsplit_once('.')) {
                        (Some(ns), Some((ans, simple))) if !self.normalize && ans == ns => {
                            simple.to_owned()
                        }
                        _ => a.clone(),
                    }
                })
                .collect();
            if self.normalize {
                aliases.sort();
                aliases.dedup();
            }
            obj.insert(
                "aliases".to_owned(),
                Value::Array(aliases.into_iter().map(Value::String).collect()),
            );
        }
        if let Some(doc) = &named.doc {
            obj.insert("doc".to_owned(), Value::String(doc.clone()));
        }
        obj
    }

    fn record(
        &mut self,
        map: &Map<String, Value>,
        error: bool,
        at: At<'_>,
    ) -> Result<(Node, Value), SchemaError> {
        let header = self.header(map, at)?;
        // Aliases count as nodes: the checker looks them up for every union branch pair.
        self.count(header.aliases.len())?;
        let fields_json = match map.get("fields") {
            Some(Value::Array(f)) => f,
            Some(other) => {
                return Err(SchemaError::invalid(
                    format!("{}/fields", at.path),
                    format!("\"fields\" must be an array, found {}", json_kind(other)),
                ));
            }
            None => {
                return Err(SchemaError::invalid(at.path, "record has no \"fields\""));
            }
        };
        self.count(fields_json.len())?;
        const KNOWN: [&str; 6] = ["type", "name", "namespace", "aliases", "doc", "fields"];
        let index = self.register(
            &header,
            map,
            &KNOWN,
            NamedDef::Record {
                fields: Vec::new(),
                by_name: HashMap::new(),
                error,
                prefix_digests: Vec::new(),
            },
        );
        let measure = self.begin_named();
        let inner_ns = header.namespace.clone();
        let mut fields = Vec::with_capacity(fields_json.len());
        let mut by_name = HashMap::with_capacity(fields_json.len());
        let mut canon_fields = Vec::with_capacity(fields_json.len());
        for (i, f) in fields_json.iter().enumerate() {
            let path = format!("{}/fields/{i}", at.path);
            let (field, canon) = self.field(
                f,
                At {
                    path: &path,
                    namespace: inner_ns.as_deref(),
                },
            )?;
            if let Some(first) = by_name.insert(field.name.clone(), i) {
                return Err(SchemaError::invalid(
                    format!("{path}/name"),
                    format!(
                        "duplicate field {:?} (also field {first}): field names must be unique",
                        field.name
                    ),
                ));
            }
            fields.push(field);
            canon_fields.push(canon);
        }
        if let NamedDef::Record {
            fields: f,
            by_name: b,
            ..
        } = &mut self.named[index].def
        {
            *f = fields;
            *b = by_name;
        }
        self.end_named(index, measure);
        let mut obj = self.named_canonical(index, if error { "error" } else { "record" }, at);
        obj.insert("fields".to_owned(), Value::Array(canon_fields));
        Ok((Node::plain(Kind::Named(index)), object_sorted(obj)))
    }

    fn field(&mut self, value: &Value, at: At<'_>) -> Result<(Field, Value), SchemaError> {
        let Value::Object(map) = value else {
            return Err(SchemaError::invalid(
                at.path,
                format!("a field must be an object, found {}", json_kind(value)),
            ));
        };
        let name = match map.get("name") {
            Some(Value::String(n)) => n.clone(),
            Some(other) => {
                return Err(SchemaError::invalid(
                    format!("{}/name", at.path),
                    format!(
                        "field \"name\" must be a string, found {}",
                        json_kind(other)
                    ),
                ));
            }
            None => return Err(SchemaError::invalid(at.path, "field has no \"name\"")),
        };
        check_name(&name, &format!("{}/name", at.path))?;
        let Some(ty) = map.get("type") else {
            return Err(SchemaError::invalid(
                at.path,
                format!("field {name:?} has no \"type\""),
            ));
        };
        let type_path = format!("{}/type", at.path);
        let (node, canon_type) = self.type_of(
            ty,
            At {
                path: &type_path,
                ..at
            },
        )?;
        let aliases = string_list(map.get("aliases"), &format!("{}/aliases", at.path))?;
        self.count(aliases.len())?;
        for (i, alias) in aliases.iter().enumerate() {
            check_name(alias, &format!("{}/aliases/{i}", at.path))?;
        }
        let doc = optional_string(map.get("doc"), &format!("{}/doc", at.path))?;
        let order = optional_string(map.get("order"), &format!("{}/order", at.path))?;
        if let Some(o) = &order
            && !matches!(o.as_str(), "ascending" | "descending" | "ignore")
        {
            return Err(SchemaError::invalid(
                format!("{}/order", at.path),
                format!("field order {o:?} is not one of ascending, descending, ignore"),
            ));
        }
        let default = map.get("default").cloned();
        let props = extra_props(map, &["name", "type", "default", "doc", "aliases", "order"]);
        let mut obj = sorted(&props);
        obj.insert("name".to_owned(), Value::String(name.clone()));
        obj.insert("type".to_owned(), canon_type);
        if let Some(d) = &default {
            obj.insert("default".to_owned(), sort_keys(d));
        }
        if let Some(d) = &doc {
            obj.insert("doc".to_owned(), Value::String(d.clone()));
        }
        if !aliases.is_empty() {
            let mut a = aliases.clone();
            if self.normalize {
                a.sort();
                a.dedup();
            }
            obj.insert(
                "aliases".to_owned(),
                Value::Array(a.into_iter().map(Value::String).collect()),
            );
        }
        // Java writes the order only when it is not the default.
        if let Some(o) = order.filter(|o| o != "ascending") {
            obj.insert("order".to_owned(), Value::String(o));
        }
        Ok((
            Field {
                name,
                aliases,
                doc,
                ty: node,
                default,
                props,
                path: at.path.to_owned(),
                digest: None,
            },
            object_sorted(obj),
        ))
    }

    fn enumeration(
        &mut self,
        map: &Map<String, Value>,
        at: At<'_>,
    ) -> Result<(Node, Value), SchemaError> {
        let header = self.header(map, at)?;
        // Aliases count as nodes: the checker looks them up for every union branch pair.
        self.count(header.aliases.len())?;
        let symbols_path = format!("{}/symbols", at.path);
        let Some(symbols_json) = map.get("symbols") else {
            return Err(SchemaError::invalid(at.path, "enum has no \"symbols\""));
        };
        let symbols = string_list(Some(symbols_json), &symbols_path)?;
        self.count(symbols.len())?;
        let mut seen = HashMap::with_capacity(symbols.len());
        for (i, s) in symbols.iter().enumerate() {
            check_name(s, &format!("{symbols_path}/{i}"))?;
            if let Some(first) = seen.insert(s.as_str(), i) {
                return Err(SchemaError::invalid(
                    format!("{symbols_path}/{i}"),
                    format!("duplicate enum symbol {s:?} (also symbol {first})"),
                ));
            }
        }
        let default = optional_string(map.get("default"), &format!("{}/default", at.path))?;
        if let Some(d) = &default
            && !seen.contains_key(d.as_str())
        {
            return Err(SchemaError::invalid(
                format!("{}/default", at.path),
                format!("enum default {d:?} is not one of the symbols"),
            ));
        }
        const KNOWN: [&str; 7] = [
            "type",
            "name",
            "namespace",
            "aliases",
            "doc",
            "symbols",
            "default",
        ];
        let index = self.register(
            &header,
            map,
            &KNOWN,
            NamedDef::Enum {
                symbols: symbols.clone(),
                default: default.clone(),
            },
        );
        self.named[index].expanded = 1;
        let mut obj = self.named_canonical(index, "enum", at);
        obj.insert(
            "symbols".to_owned(),
            Value::Array(symbols.into_iter().map(Value::String).collect()),
        );
        if let Some(d) = default {
            obj.insert("default".to_owned(), Value::String(d));
        }
        Ok((Node::plain(Kind::Named(index)), object_sorted(obj)))
    }

    fn fixed(
        &mut self,
        map: &Map<String, Value>,
        at: At<'_>,
    ) -> Result<(Node, Value), SchemaError> {
        let header = self.header(map, at)?;
        // Aliases count as nodes: the checker looks them up for every union branch pair.
        self.count(header.aliases.len())?;
        let size = match map.get("size") {
            Some(Value::Number(n)) => match n.as_u64() {
                Some(s) if s <= i32::MAX as u64 => s,
                _ => {
                    return Err(SchemaError::invalid(
                        format!("{}/size", at.path),
                        format!("fixed size must be a non-negative 32-bit integer, found {n}"),
                    ));
                }
            },
            Some(other) => {
                return Err(SchemaError::invalid(
                    format!("{}/size", at.path),
                    format!("fixed size must be an integer, found {}", json_kind(other)),
                ));
            }
            None => return Err(SchemaError::invalid(at.path, "fixed has no \"size\"")),
        };
        const KNOWN: [&str; 6] = ["type", "name", "namespace", "aliases", "doc", "size"];
        let index = self.register(&header, map, &KNOWN, NamedDef::Fixed { size });
        self.named[index].expanded = 1;
        let mut obj = self.named_canonical(index, "fixed", at);
        obj.insert("size".to_owned(), Value::from(size));
        Ok((Node::plain(Kind::Named(index)), object_sorted(obj)))
    }
}

struct Header {
    full_name: String,
    name: String,
    namespace: Option<String>,
    aliases: Vec<String>,
    doc: Option<String>,
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

/// Avro names: `[A-Za-z_][A-Za-z0-9_]*`.
fn check_name(name: &str, path: &str) -> Result<(), SchemaError> {
    let mut chars = name.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(SchemaError::invalid(
            path,
            format!(
                "invalid name {name:?}: names start with a letter or _ and contain only letters, digits and _"
            ),
        ))
    }
}

fn check_namespace(ns: &str, path: &str) -> Result<(), SchemaError> {
    if ns.is_empty() {
        return Ok(());
    }
    for part in ns.split('.') {
        check_name(part, path).map_err(|_| {
            SchemaError::invalid(
                path,
                format!("invalid namespace {ns:?}: each dot-separated part must be a valid name"),
            )
        })?;
    }
    Ok(())
}

fn string_list(value: Option<&Value>, path: &str) -> Result<Vec<String>, SchemaError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(SchemaError::invalid(
                    format!("{path}/{i}"),
                    format!("expected a string, found {}", json_kind(other)),
                )),
            })
            .collect(),
        Some(other) => Err(SchemaError::invalid(
            path,
            format!("expected an array of strings, found {}", json_kind(other)),
        )),
    }
}

fn optional_string(value: Option<&Value>, path: &str) -> Result<Option<String>, SchemaError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(SchemaError::invalid(
            path,
            format!("expected a string, found {}", json_kind(other)),
        )),
    }
}

fn extra_props(map: &Map<String, Value>, known: &[&str]) -> Props {
    map.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn sorted(props: &Props) -> BTreeMap<String, Value> {
    props
        .iter()
        .map(|(k, v)| (k.clone(), sort_keys(v)))
        .collect()
}

/// Attribute values are arbitrary JSON: sort their keys too, so key order never
/// changes a fingerprint.
fn sort_keys(value: &Value) -> Value {
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
fn object_sorted(obj: BTreeMap<String, Value>) -> Value {
    Value::Object(obj.into_iter().collect())
}

pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
