//! How a schema node reads to the walk: one of the shapes Confluent's everit loader
//! builds (string, number, object, array, enum, not, combined, empty, false), found on
//! the fly from the JSON value. A node whose keywords span several shapes (`"type":
//! "string"` with an `enum`, a type list, `$ref` with siblings in 2019-09+) becomes a
//! synthetic `allOf`/`anyOf` of *views* of the same node, as everit does.

use serde_json::{Map, Value};

use crate::schema::json::{Docs, MAX_REF_HOPS};

/// Which schema of a pair a node belongs to: each side resolves `$ref`s in its own
/// documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Side {
    Original,
    Update,
}

/// A schema value, with the document it lives in.
#[derive(Clone, Copy, Debug)]
pub(super) struct Node<'a> {
    pub(super) side: Side,
    pub(super) doc: usize,
    pub(super) value: &'a Value,
}

impl<'a> Node<'a> {
    pub(super) fn child(self, value: &'a Value) -> Node<'a> {
        Node { value, ..self }
    }

    pub(super) fn map(self) -> Option<&'a Map<String, Value>> {
        self.value.as_object()
    }
}

/// JSON types as `type` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Ty {
    Null,
    Boolean,
    String,
    Number,
    Integer,
    Object,
    Array,
}

impl Ty {
    fn parse(name: &str) -> Option<Ty> {
        Some(match name {
            "null" => Ty::Null,
            "boolean" => Ty::Boolean,
            "string" => Ty::String,
            "number" => Ty::Number,
            "integer" => Ty::Integer,
            "object" => Ty::Object,
            "array" => Ty::Array,
            _ => return None,
        })
    }
}

/// Which part of a node a walk step looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum View {
    /// The whole node, `$ref` included.
    Whole,
    /// The node without its `$ref` (the siblings of a 2019-09+ `$ref`).
    NoRef,
    /// Only the keywords of one type.
    Type(Ty),
    /// The `type` list, as an `anyOf` of one view per type.
    Types,
    Enum,
    Const,
    Not,
    All,
    Any,
    One,
}

/// A node seen through a view.
#[derive(Clone, Copy, Debug)]
pub(super) struct Part<'a> {
    pub(super) node: Node<'a>,
    pub(super) view: View,
}

impl<'a> Part<'a> {
    pub(super) fn whole(node: Node<'a>) -> Self {
        Part {
            node,
            view: View::Whole,
        }
    }

    /// Identity for the recursion guard: the same value seen the same way.
    pub(super) fn identity(&self) -> (usize, View) {
        (std::ptr::from_ref(self.node.value) as usize, self.view)
    }
}

/// How subschemas of a combinator combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Crit {
    All,
    Any,
    One,
}

impl Crit {
    pub(super) fn is_sum(self) -> bool {
        matches!(self, Crit::Any | Crit::One)
    }
}

type Obj = Map<String, Value>;

/// The class of a node, as everit's loader would build it.
pub(super) enum Shape<'a> {
    /// `{}`, `true`, or only annotations: accepts anything.
    Empty,
    /// `false`: accepts nothing.
    False,
    Null,
    Boolean,
    String(&'a Obj),
    /// The keywords, and whether `integer` is required.
    Number(&'a Obj, bool),
    Object,
    Array,
    /// Allowed values and the keyword they came from (`enum` or `const`).
    Enum(&'a [Value], &'static str),
    Not(Node<'a>),
    /// The keyword of a real combinator, `None` for a synthetic one.
    Combined(Crit, Option<&'static str>, Vec<Part<'a>>),
    /// A `$ref` that leads nowhere (or only to more `$ref`s).
    Unresolved(&'a str),
}

impl Shape<'_> {
    /// Everit's class identity: shapes of different classes cannot be compared keyword
    /// by keyword (integer and number are one class, as in Confluent's checker).
    pub(super) fn class(&self) -> u8 {
        match self {
            Shape::Empty => 0,
            Shape::False => 1,
            Shape::Null => 2,
            Shape::Boolean => 3,
            Shape::String(_) => 4,
            Shape::Number(..) => 5,
            Shape::Object => 6,
            Shape::Array => 7,
            Shape::Enum(..) => 8,
            Shape::Not(_) => 9,
            Shape::Combined(..) => 10,
            Shape::Unresolved(_) => 11,
        }
    }
}

/// A classified part: its shape, the map its annotations come from, and the part after
/// `$ref`s were followed (what the recursion guard keys on).
pub(super) struct Classified<'a> {
    pub(super) shape: Shape<'a>,
    pub(super) meta: Option<&'a Obj>,
    pub(super) at: Part<'a>,
}

const STRING_KEYWORDS: &[&str] = &["minLength", "maxLength", "pattern", "format"];
const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "unevaluatedProperties",
];
const ARRAY_KEYWORDS: &[&str] = &[
    "items",
    "additionalItems",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
];

fn has_any(map: &Obj, keywords: &[&str]) -> bool {
    keywords.iter().any(|k| map.contains_key(*k))
}

/// The parts a node's keywords make, in everit's order: type(s), enum, const, not,
/// allOf, anyOf, oneOf.
fn parts_of<'a>(node: Node<'a>, map: &'a Obj) -> Vec<Part<'a>> {
    let mut parts = Vec::new();
    let mut push = |view| parts.push(Part { node, view });
    match map.get("type") {
        Some(Value::String(name)) => {
            if let Some(ty) = Ty::parse(name) {
                push(View::Type(ty));
            }
        }
        Some(Value::Array(names)) => {
            let tys: Vec<Ty> = names
                .iter()
                .filter_map(|n| n.as_str().and_then(Ty::parse))
                .collect();
            match tys.as_slice() {
                [] => {}
                [one] => push(View::Type(*one)),
                _ => push(View::Types),
            }
        }
        _ => {
            // Without `type`, each keyword family implies a schema that only applies to
            // values of its type (everit's implicit types).
            for (keywords, ty) in [
                (STRING_KEYWORDS, Ty::String),
                (NUMBER_KEYWORDS, Ty::Number),
                (OBJECT_KEYWORDS, Ty::Object),
                (ARRAY_KEYWORDS, Ty::Array),
            ] {
                if has_any(map, keywords) {
                    push(View::Type(ty));
                }
            }
        }
    }
    for (key, view) in [
        ("enum", View::Enum),
        ("const", View::Const),
        ("not", View::Not),
        ("allOf", View::All),
        ("anyOf", View::Any),
        ("oneOf", View::One),
    ] {
        if map.contains_key(key) {
            push(view);
        }
    }
    parts
}

/// The `$ref`-like keyword of a node, if any.
fn reference_of(map: &Obj) -> Option<&str> {
    ["$ref", "$dynamicRef", "$recursiveRef"]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_str))
}

/// Classifies `part`, following `$ref` chains (at most [`MAX_REF_HOPS`] in a row).
pub(super) fn classify<'a>(docs: &'a Docs, mut part: Part<'a>) -> Classified<'a> {
    for _ in 0..MAX_REF_HOPS {
        let map = match part.node.value {
            Value::Object(map) => map,
            Value::Bool(false) => {
                return Classified {
                    shape: Shape::False,
                    meta: None,
                    at: part,
                };
            }
            _ => {
                return Classified {
                    shape: Shape::Empty,
                    meta: None,
                    at: part,
                };
            }
        };
        if part.view == View::Whole
            && let Some(reference) = reference_of(map)
        {
            let Some(target) = docs.resolve(part.node.doc, reference) else {
                return Classified {
                    shape: Shape::Unresolved(reference),
                    meta: Some(map),
                    at: part,
                };
            };
            let target = Part::whole(Node {
                side: part.node.side,
                doc: target.doc,
                value: target.value,
            });
            let siblings_apply = !docs.draft(part.node.doc).ref_overrides_siblings()
                && !parts_of(part.node, map).is_empty();
            if !siblings_apply {
                part = target;
                continue;
            }
            let rest = Part {
                node: part.node,
                view: View::NoRef,
            };
            return Classified {
                shape: Shape::Combined(Crit::All, None, vec![target, rest]),
                meta: Some(map),
                at: part,
            };
        }
        let shape = match part.view {
            View::Whole | View::NoRef => {
                let mut parts = parts_of(part.node, map);
                match parts.len() {
                    0 => Shape::Empty,
                    1 => view_shape(parts.remove(0)),
                    _ => Shape::Combined(Crit::All, None, parts),
                }
            }
            _ => view_shape(part),
        };
        let meta = matches!(part.view, View::Whole | View::NoRef).then_some(map);
        return Classified {
            shape,
            meta,
            at: part,
        };
    }
    let reference = part.node.map().and_then(reference_of).unwrap_or("$ref");
    Classified {
        shape: Shape::Unresolved(reference),
        meta: None,
        at: part,
    }
}

/// The shape of one view of an object node.
fn view_shape(part: Part<'_>) -> Shape<'_> {
    let node = part.node;
    let Some(map) = node.map() else {
        return Shape::Empty;
    };
    let branches = |key: &str| -> Vec<Part<'_>> {
        map.get(key)
            .and_then(Value::as_array)
            .map(|items| items.iter().map(|v| Part::whole(node.child(v))).collect())
            .unwrap_or_default()
    };
    match part.view {
        View::Type(ty) => match ty {
            Ty::Null => Shape::Null,
            Ty::Boolean => Shape::Boolean,
            Ty::String => Shape::String(map),
            Ty::Number => Shape::Number(map, false),
            Ty::Integer => Shape::Number(map, true),
            Ty::Object => Shape::Object,
            Ty::Array => Shape::Array,
        },
        View::Types => {
            let mut tys: Vec<Ty> = Vec::new();
            if let Some(Value::Array(names)) = map.get("type") {
                for ty in names.iter().filter_map(|n| n.as_str().and_then(Ty::parse)) {
                    if !tys.contains(&ty) {
                        tys.push(ty);
                    }
                }
            }
            Shape::Combined(
                Crit::Any,
                None,
                tys.into_iter()
                    .map(|ty| Part {
                        node,
                        view: View::Type(ty),
                    })
                    .collect(),
            )
        }
        View::Enum => match map.get("enum") {
            Some(Value::Array(values)) => Shape::Enum(values, "enum"),
            _ => Shape::Empty,
        },
        View::Const => match map.get("const") {
            Some(value) => Shape::Enum(std::slice::from_ref(value), "const"),
            None => Shape::Empty,
        },
        View::Not => match map.get("not") {
            Some(inner) => Shape::Not(node.child(inner)),
            None => Shape::Empty,
        },
        View::All => Shape::Combined(Crit::All, Some("allOf"), branches("allOf")),
        View::Any => Shape::Combined(Crit::Any, Some("anyOf"), branches("anyOf")),
        View::One => Shape::Combined(Crit::One, Some("oneOf"), branches("oneOf")),
        View::Whole | View::NoRef => Shape::Empty,
    }
}
