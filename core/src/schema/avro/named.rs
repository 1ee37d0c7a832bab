//! The named types' definitions: a record's fields, an enum's symbols, a fixed's
//! size, and the name, namespace, aliases and doc every named type has, each checked
//! the way Java's `Schema.Parser` checks it and written in canonical form.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::model::{Field, Kind, Named, NamedDef, Node};
use super::parse::{
    At, ENUM_RESERVED, FIELD_RESERVED, PRIMITIVES, Parser, SCHEMA_RESERVED, extra_props, member,
    object_sorted, sort_keys, sorted,
};
use super::registered::Source;
use crate::schema::error::SchemaError;
use crate::schema::text::json_kind;

impl Parser {
    /// Name, namespace, aliases and doc of a named type; registers nothing yet, but
    /// counts the aliases as nodes: the checker looks them up for every union branch pair.
    fn header(&mut self, map: &Map<String, Value>, at: At<'_>) -> Result<Header, SchemaError> {
        let name = member(
            map,
            "name",
            at,
            Value::as_str,
            "\"name\" must be a string",
            "named type has no \"name\"",
        )?;
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
        self.count(aliases.len())?;
        // Java keeps a named type's aliases as a `LinkedHashSet<Name>`: "A" and
        // "ns.A" inside namespace ns, or a repeat, are one alias.
        let mut unique: Vec<String> = Vec::with_capacity(aliases.len());
        for alias in aliases {
            if !unique.contains(&alias) {
                unique.push(alias);
            }
        }
        let aliases = unique;
        let doc = optional_string(map.get("doc"), &format!("{}/doc", at.path))?;
        Ok(Header {
            full_name,
            name: simple.to_owned(),
            namespace: namespace.map(str::to_owned),
            aliases,
            doc,
            path: at.path.to_owned(),
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
        self.sources.push(Source {
            text: self.text,
            path: header.path.clone(),
        });
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
            // A full name without a dot is read in the enclosing namespace: a type of
            // the null namespace inside a namespaced one must say so, or the text would
            // parse again as another type.
            if named.namespace.is_none() && at.namespace.is_some_and(|ns| !ns.is_empty()) {
                obj.insert("namespace".to_owned(), Value::String(String::new()));
            }
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

    /// A record (or an `error`): registered before its fields are walked, so that they
    /// can use it.
    pub(super) fn record(
        &mut self,
        map: &Map<String, Value>,
        error: bool,
        at: At<'_>,
    ) -> Result<(Node, Value), SchemaError> {
        let header = self.header(map, at)?;
        let fields_json = member(
            map,
            "fields",
            at,
            Value::as_array,
            "\"fields\" must be an array",
            "record has no \"fields\"",
        )?;
        self.count(fields_json.len())?;
        // Java drops every reserved key on a record (a `size`, `symbols`, `items`).
        let index = self.register(
            &header,
            map,
            &SCHEMA_RESERVED,
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
        let name = member(
            map,
            "name",
            at,
            Value::as_str,
            "field \"name\" must be a string",
            "field has no \"name\"",
        )?
        .to_owned();
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
        let listed = string_list(map.get("aliases"), &format!("{}/aliases", at.path))?;
        self.count(listed.len())?;
        // Java keeps a field's aliases in a `LinkedHashSet`: a repeat is the same field.
        let mut aliases: Vec<String> = Vec::with_capacity(listed.len());
        for (i, alias) in listed.into_iter().enumerate() {
            check_name(&alias, &format!("{}/aliases/{i}", at.path))?;
            if !aliases.contains(&alias) {
                aliases.push(alias);
            }
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
        let props = extra_props(map, &FIELD_RESERVED);
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

    /// An enum: symbols are names, unique, and the default one of them.
    pub(super) fn enumeration(
        &mut self,
        map: &Map<String, Value>,
        at: At<'_>,
    ) -> Result<(Node, Value), SchemaError> {
        let header = self.header(map, at)?;
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
        let index = self.register(
            &header,
            map,
            &ENUM_RESERVED,
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

    /// A fixed type: its size a non-negative 32-bit integer.
    pub(super) fn fixed(
        &mut self,
        map: &Map<String, Value>,
        at: At<'_>,
    ) -> Result<(Node, Value), SchemaError> {
        let header = self.header(map, at)?;
        let n = member(
            map,
            "size",
            at,
            Value::as_number,
            "fixed size must be an integer",
            "fixed has no \"size\"",
        )?;
        let size = match n.as_u64() {
            Some(s) if s <= i32::MAX as u64 => s,
            _ => {
                return Err(SchemaError::invalid(
                    format!("{}/size", at.path),
                    format!("fixed size must be a non-negative 32-bit integer, found {n}"),
                ));
            }
        };
        let index = self.register(&header, map, &SCHEMA_RESERVED, NamedDef::Fixed { size });
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
    /// JSON pointer of the definition in its text.
    path: String,
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
