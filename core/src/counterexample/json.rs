//! JSON Schema counterexamples. The finding's path (keywords into the reader's schema:
//! `/properties/a/maxLength`, `/items/required/b`, `/anyOf/1/type`) gives the place in
//! an instance the break concerns: `properties/<k>` is the member `k`, `items` an
//! element, `prefixItems/<i>` (or an `items` array's `<i>`) element `i`; combinators
//! and conditionals stay at the same place. An instance of the writer is built: the
//! smallest one the builder knows everywhere (required members only, as few elements as
//! allowed), and at that place each candidate in turn: values that break a constraint
//! of the reader's schema there (another type, one past a bound, a value outside an
//! enum, a member left out or added, ...) and values of the writer's schema there. An
//! instance is a counterexample when the writer's validator accepts it and the reader's
//! rejects it (the `jsonschema` validators each parsed schema compiled, references
//! included); the first one found is returned.

use serde_json::{Map, Value, json};

use super::{Found, Side};
use crate::pointer::tokens;
use crate::schema::json::{Docs, JsonSchema, MAX_REF_HOPS};

/// Instances validated per finding (each under both schemas).
const MAX_TRIES: usize = 256;
/// Nesting the builder descends; deeper schemas get no counterexample.
const MAX_DEPTH: usize = 32;
/// JSON values in one built instance.
const MAX_VALUES: usize = 4_096;
/// Longest string, array or object built from a schema's bound (`maxLength: 1e9`).
const MAX_LEN: u64 = 4_096;

/// One step from a value into a part of it.
#[derive(Clone, Debug)]
enum Step {
    /// The object member with this name.
    Key(String),
    /// The array element at this index.
    Index(usize),
}

/// A schema node and the document it is in (which its `$ref`s resolve from).
#[derive(Clone, Copy)]
struct At<'a> {
    doc: usize,
    value: &'a Value,
}

/// Keywords whose value is one subschema at the same place in the instance.
const SAME_PLACE: &[&str] = &["not", "if", "then", "else"];
/// Keywords whose value is an array or map of subschemas at the same place.
const SAME_PLACE_LISTS: &[&str] = &[
    "allOf",
    "anyOf",
    "oneOf",
    "dependentSchemas",
    "dependencies",
    "$defs",
    "definitions",
];

/// A counterexample for a finding at reader path `path`; `side` says which schema
/// writes (for the outcome's words).
pub(super) fn find(
    writer: &JsonSchema,
    reader: &JsonSchema,
    path: &str,
    side: Side,
) -> Option<Found> {
    let tokens = tokens(path)?;
    let (w_docs, r_docs) = (&*writer.docs, &*reader.docs);
    let w_root = At {
        doc: 0,
        value: writer.value(),
    };
    let r_root = At {
        doc: 0,
        value: reader.value(),
    };
    // The reader's schema at the path, and the place in the instance it stands for.
    let (steps, r_at) = follow(r_docs, r_root, &tokens)?;
    let builder = Builder { docs: w_docs };
    let mut count = 0;
    let base = builder.minimal(w_root, 0, &mut count)?;
    // The writer's schema at that place in the instance.
    let w_at = steps
        .iter()
        .try_fold(w_root, |at, step| Some(builder.child(at, step)))?;
    let mut candidates = Vec::new();
    violators(r_docs, r_at, &builder, w_at, &mut candidates);
    let mut c = 0;
    candidates.extend(
        builder
            .minimal(w_at, steps.len(), &mut c)
            .map(Candidate::Value),
    );
    candidates.extend(samples());
    let reader_words = match side {
        Side::Old => "the new schema",
        Side::New => "the old schema",
    };
    let mut tries = 0;
    let mut instances = Vec::with_capacity(candidates.len() + 1);
    for candidate in candidates {
        let mut count = 0;
        match candidate {
            Candidate::Value(v) => {
                instances.extend(builder.steer(w_root, &base, &steps, Some(v), &mut count))
            }
            Candidate::Absent => {
                instances.extend(builder.steer(w_root, &base, &steps, None, &mut count))
            }
        }
    }
    instances.push(base);
    for instance in instances {
        if tries == MAX_TRIES {
            return None;
        }
        tries += 1;
        if !writer.validate_event(&instance).is_empty() {
            continue;
        }
        if let Some(v) = reader.validate_event(&instance).into_iter().next() {
            let at = if v.path.is_empty() { "/" } else { &v.path };
            return Some(Found {
                event: instance,
                bytes: None,
                outcome: format!("invalid under {reader_words}: {} at {at}", v.message),
            });
        }
    }
    None
}

/// Follows a reader path from `at`: the instance steps it stands for and the reader's
/// schema where it stops descending (at a keyword that is not a subschema).
fn follow<'a>(docs: &'a Docs, mut at: At<'a>, tokens: &[String]) -> Option<(Vec<Step>, At<'a>)> {
    let mut steps = Vec::new();
    let mut i = 0;
    while i < tokens.len() && steps.len() <= MAX_DEPTH {
        at = deref(docs, at);
        let Value::Object(map) = at.value else {
            break;
        };
        let token = tokens[i].as_str();
        let next = tokens.get(i + 1).map(String::as_str);
        let (value, step, used) = match (token, map.get(token)) {
            ("properties", Some(Value::Object(props))) => match next.and_then(|k| props.get(k)) {
                Some(v) => (v, Some(Step::Key(next?.to_owned())), 2),
                None => break,
            },
            ("items" | "prefixItems", Some(Value::Array(items))) => {
                match next.and_then(|k| k.parse::<usize>().ok()) {
                    Some(n) if n < items.len() => (&items[n], Some(Step::Index(n)), 2),
                    _ => break,
                }
            }
            ("items" | "additionalItems" | "unevaluatedItems" | "contains", Some(v))
                if v.is_object() =>
            {
                (v, Some(Step::Index(0)), 1)
            }
            ("additionalProperties" | "unevaluatedProperties", Some(v)) if v.is_object() => {
                (v, Some(Step::Key(EXTRA_KEY.to_owned())), 1)
            }
            (kw, Some(v)) if SAME_PLACE.contains(&kw) && v.is_object() => (v, None, 1),
            (kw, Some(container)) if SAME_PLACE_LISTS.contains(&kw) => {
                let sub = next.and_then(|k| match container {
                    Value::Array(a) => k.parse::<usize>().ok().and_then(|n| a.get(n)),
                    Value::Object(m) => m.get(k),
                    _ => None,
                });
                match sub {
                    Some(v) if v.is_object() => (v, None, 2),
                    _ => break,
                }
            }
            _ => break,
        };
        steps.extend(step);
        at = At { doc: at.doc, value };
        i += used;
    }
    Some((steps, deref(docs, at)))
}

/// The member name used for an `additionalProperties` place.
const EXTRA_KEY: &str = "zz_extra";

/// Follows `$ref`s (bounded) to the schema they name.
fn deref<'a>(docs: &'a Docs, mut at: At<'a>) -> At<'a> {
    for _ in 0..MAX_REF_HOPS {
        let Some(reference) = at.value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match docs.resolve(at.doc, reference) {
            Some(t) => {
                at = At {
                    doc: t.doc,
                    value: t.value,
                }
            }
            None => break,
        }
    }
    at
}

/// One value to try at the place, or the place left out.
enum Candidate {
    Value(Value),
    Absent,
}

/// Values that break a constraint of the reader's schema `r` (and the writer's values
/// that may): one of another type, one past each bound, outside the enum, an object
/// without a required member or with one more, ...
fn violators(docs: &Docs, r: At<'_>, builder: &Builder<'_>, w: At<'_>, out: &mut Vec<Candidate>) {
    let r = deref(docs, r);
    let mut push = |v: Value| out.push(Candidate::Value(v));
    out_of_writer(builder, w, &mut push);
    let Value::Object(m) = r.value else {
        if r.value == &Value::Bool(false) {
            out.push(Candidate::Value(Value::Null));
        }
        out.push(Candidate::Absent);
        return;
    };
    let num = |k: &str| m.get(k).and_then(Value::as_f64);
    let len = |k: &str| m.get(k).and_then(Value::as_u64).filter(|n| *n < MAX_LEN);
    if let Some(n) = len("maxLength") {
        push(Value::from("a".repeat(n as usize + 1)));
    }
    if let Some(n) = len("minLength").filter(|n| *n > 0) {
        push(Value::from("a".repeat(n as usize - 1)));
    }
    for (k, delta) in [("maximum", 1.0), ("minimum", -1.0)] {
        if let Some(x) = num(k) {
            push(number(x + delta));
            push(number(x + delta / 2.0));
        }
    }
    for k in ["exclusiveMaximum", "exclusiveMinimum"] {
        if let Some(x) = num(k) {
            push(number(x));
        }
    }
    if let Some(x) = num("multipleOf") {
        push(number(x / 2.0));
        push(number(x + 1.0));
    }
    if let Some(Value::Array(required)) = m.get("required") {
        // The writer's smallest object holds only its own required members: take out
        // each member the reader requires.
        let mut count = 0;
        if let Some(Value::Object(base)) = builder.minimal(w, 0, &mut count) {
            for k in required.iter().filter_map(Value::as_str) {
                let mut o = base.clone();
                o.remove(k);
                push(Value::Object(o));
            }
        }
    }
    if let Some(n) = len("maxItems") {
        let mut count = 0;
        let item = builder
            .minimal(builder.child(w, &Step::Index(0)), 1, &mut count)
            .unwrap_or(Value::Null);
        push(Value::Array(vec![item; n as usize + 1]));
    }
    if m.get("uniqueItems") == Some(&Value::Bool(true)) {
        let mut count = 0;
        let item = builder
            .minimal(builder.child(w, &Step::Index(0)), 1, &mut count)
            .unwrap_or(Value::Null);
        push(Value::Array(vec![item.clone(), item]));
    }
    if let Some(n) = len("maxProperties") {
        let mut count = 0;
        let mut o = match builder.minimal(w, 0, &mut count) {
            Some(Value::Object(o)) => o,
            _ => Map::new(),
        };
        for i in 0..=n {
            o.entry(format!("p{i}")).or_insert(Value::Null);
        }
        push(Value::Object(o));
    }
    if m.contains_key("additionalProperties")
        || m.contains_key("unevaluatedProperties")
        || m.contains_key("propertyNames")
        || m.contains_key("patternProperties")
    {
        let mut count = 0;
        let base = match builder.minimal(w, 0, &mut count) {
            Some(Value::Object(o)) => o,
            _ => Map::new(),
        };
        for key in ["zz_extra", "0", "A", "_", ""] {
            for v in [Value::Null, json!(0), json!(""), json!({}), json!(true)] {
                let mut o = base.clone();
                o.insert(key.to_owned(), v);
                push(Value::Object(o));
            }
        }
        // Each member the writer declares, set when the writer's smallest leaves it out.
        if let Some(Value::Object(props)) = deref(builder.docs, w).value.get("properties") {
            for (k, s) in props.iter().take(16) {
                let mut count = 0;
                if let Some(v) = builder.minimal(
                    At {
                        doc: w.doc,
                        value: s,
                    },
                    1,
                    &mut count,
                ) {
                    let mut o = base.clone();
                    o.insert(k.clone(), v);
                    push(Value::Object(o));
                }
            }
        }
    }
    if let Some(deps) = m
        .get("dependentRequired")
        .or_else(|| m.get("dependencies"))
        .and_then(Value::as_object)
    {
        let mut count = 0;
        let base = match builder.minimal(w, 0, &mut count) {
            Some(Value::Object(o)) => o,
            _ => Map::new(),
        };
        for k in deps.keys().take(16) {
            let mut count = 0;
            let v = builder
                .minimal(builder.child(w, &Step::Key(k.clone())), 1, &mut count)
                .unwrap_or(Value::Null);
            let mut o = base.clone();
            o.insert(k.clone(), v);
            push(Value::Object(o));
        }
    }
    out.push(Candidate::Absent);
}

/// The values the writer's schema `w` names outright (`enum`, `const`, `default`,
/// `examples`), which a narrower reader may reject.
fn out_of_writer(builder: &Builder<'_>, w: At<'_>, push: &mut impl FnMut(Value)) {
    let w = deref(builder.docs, w);
    let Value::Object(m) = w.value else {
        return;
    };
    if let Some(Value::Array(values)) = m.get("enum") {
        values.iter().take(32).cloned().for_each(&mut *push);
    }
    for k in ["const", "default"] {
        if let Some(v) = m.get(k) {
            push(v.clone());
        }
    }
    if let Some(Value::Array(values)) = m.get("examples") {
        values.iter().take(8).cloned().for_each(&mut *push);
    }
    for kw in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = m.get(kw) {
            for b in branches.iter().take(8) {
                let mut count = 0;
                if let Some(v) = builder.minimal(
                    At {
                        doc: w.doc,
                        value: b,
                    },
                    1,
                    &mut count,
                ) {
                    push(v);
                }
            }
        }
    }
}

/// One value of each JSON type, and a few numbers and strings at common edges.
fn samples() -> impl Iterator<Item = Candidate> {
    [
        Value::Null,
        json!(false),
        json!(true),
        json!(0),
        json!(1),
        json!(-1),
        json!(0.5),
        json!(1e15),
        json!(""),
        json!("a"),
        json!("0"),
        json!([]),
        json!([null]),
        json!({}),
    ]
    .into_iter()
    .map(Candidate::Value)
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        json!(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// Builds instances of the writer's schema.
struct Builder<'a> {
    docs: &'a Docs,
}

impl<'a> Builder<'a> {
    /// The writer's schema for the part `step` of a value of `at` (`true` when it says
    /// nothing about that part).
    fn child(&self, at: At<'a>, step: &Step) -> At<'a> {
        let at = deref(self.docs, at);
        let get = |k: &str| at.value.get(k);
        let sub = match step {
            Step::Key(k) => get("properties")
                .and_then(|p| p.get(k))
                .or_else(|| get("additionalProperties")),
            Step::Index(i) => match (get("prefixItems"), get("items")) {
                (Some(Value::Array(prefix)), _) => prefix.get(*i).or_else(|| get("items")),
                (_, Some(Value::Array(items))) => items.get(*i).or_else(|| get("additionalItems")),
                (_, items) => items,
            },
        };
        match sub {
            Some(value) => At { doc: at.doc, value },
            None => At {
                doc: at.doc,
                value: &Value::Bool(true),
            },
        }
    }

    /// An instance of `base`'s schema `at` with the value at `steps` replaced by `leaf`
    /// (left out when `None`); the parts on the way are the smallest the builder knows.
    fn steer(
        &self,
        at: At<'a>,
        base: &Value,
        steps: &[Step],
        leaf: Option<Value>,
        count: &mut usize,
    ) -> Option<Value> {
        let Some((step, rest)) = steps.split_first() else {
            return leaf;
        };
        let child_at = self.child(at, step);
        let child_base = match self.minimal(child_at, 1, count) {
            Some(v) => v,
            None => Value::Null,
        };
        let inner = self.steer(child_at, &child_base, rest, leaf, count);
        match step {
            Step::Key(k) => {
                let mut o = match base {
                    Value::Object(o) => o.clone(),
                    _ => Map::new(),
                };
                match inner {
                    Some(v) => o.insert(k.clone(), v),
                    None => o.remove(k),
                };
                Some(Value::Object(o))
            }
            Step::Index(i) => {
                let mut a = match base {
                    Value::Array(a) => a.clone(),
                    _ => Vec::new(),
                };
                if *i as u64 >= MAX_LEN {
                    return None;
                }
                while a.len() <= *i {
                    let filler = self.child(at, &Step::Index(a.len()));
                    a.push(self.minimal(filler, 1, count).unwrap_or(Value::Null));
                }
                match inner {
                    Some(v) => a[*i] = v,
                    None => {
                        a.truncate(*i);
                    }
                }
                Some(Value::Array(a))
            }
        }
    }

    /// The smallest instance of `at` the builder knows (not always valid: the
    /// validators decide).
    fn minimal(&self, at: At<'a>, depth: usize, count: &mut usize) -> Option<Value> {
        *count += 1;
        if depth > MAX_DEPTH || *count > MAX_VALUES {
            return None;
        }
        let at = deref(self.docs, at);
        let m = match at.value {
            Value::Object(m) => m,
            Value::Bool(true) => return Some(Value::Null),
            _ => return None,
        };
        if let Some(v) = m.get("const") {
            return Some(v.clone());
        }
        if let Some(v) = m
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return Some(v.clone());
        }
        let sub = |value: &'a Value| At { doc: at.doc, value };
        if let Some(all) = m.get("allOf").and_then(Value::as_array)
            && !m.contains_key("type")
            && let Some(first) = all.first()
        {
            return self.minimal(sub(first), depth + 1, count);
        }
        for kw in ["anyOf", "oneOf"] {
            if let Some(branches) = m.get(kw).and_then(Value::as_array)
                && !m.contains_key("type")
            {
                return branches
                    .iter()
                    .find_map(|b| self.minimal(sub(b), depth + 1, count));
            }
        }
        let types: Vec<&str> = match m.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => {
                let has = |ks: &[&str]| ks.iter().any(|k| m.contains_key(*k));
                if has(&[
                    "properties",
                    "required",
                    "additionalProperties",
                    "minProperties",
                ]) {
                    vec!["object"]
                } else if has(&["items", "prefixItems", "minItems", "contains"]) {
                    vec!["array"]
                } else if has(&["minLength", "maxLength", "pattern", "format"]) {
                    vec!["string"]
                } else if has(&[
                    "minimum",
                    "maximum",
                    "exclusiveMinimum",
                    "exclusiveMaximum",
                    "multipleOf",
                ]) {
                    vec!["number"]
                } else {
                    vec!["null"]
                }
            }
        };
        // Prefer the simplest type the schema allows.
        let order = [
            "null", "boolean", "integer", "number", "string", "array", "object",
        ];
        let ty = order.iter().find(|t| types.contains(t)).copied()?;
        let len = |k: &str| m.get(k).and_then(Value::as_u64);
        Some(match ty {
            "null" => Value::Null,
            "boolean" => Value::Bool(false),
            "integer" | "number" => {
                let low = m.get("minimum").and_then(Value::as_f64).or_else(|| {
                    m.get("exclusiveMinimum")
                        .and_then(Value::as_f64)
                        .map(|x| x.floor() + 1.0)
                });
                let high = m.get("maximum").and_then(Value::as_f64).or_else(|| {
                    m.get("exclusiveMaximum")
                        .and_then(Value::as_f64)
                        .map(|x| x.ceil() - 1.0)
                });
                let x = match (low, high) {
                    (Some(l), _) if l > 0.0 => l.ceil(),
                    (_, Some(h)) if h < 0.0 => h.floor(),
                    _ => 0.0,
                };
                number(x)
            }
            "string" => {
                let format = m
                    .get("format")
                    .and_then(Value::as_str)
                    .and_then(format_sample);
                match format {
                    Some(s) => Value::from(s),
                    None => {
                        let n = len("minLength").unwrap_or(0);
                        if n > MAX_LEN {
                            return None;
                        }
                        Value::from("a".repeat(n as usize))
                    }
                }
            }
            "array" => {
                let n = len("minItems").unwrap_or(0);
                if n > MAX_LEN {
                    return None;
                }
                let mut a = Vec::new();
                for i in 0..n as usize {
                    let item = self.child(at, &Step::Index(i));
                    a.push(self.minimal(item, depth + 1, count)?);
                }
                Value::Array(a)
            }
            _ => {
                let mut o = Map::new();
                if let Some(required) = m.get("required").and_then(Value::as_array) {
                    for k in required.iter().filter_map(Value::as_str) {
                        let child = self.child(at, &Step::Key(k.to_owned()));
                        o.insert(k.to_owned(), self.minimal(child, depth + 1, count)?);
                    }
                }
                Value::Object(o)
            }
        })
    }
}

/// A string of a common `format`, which validators may check.
fn format_sample(format: &str) -> Option<&'static str> {
    Some(match format {
        "date-time" => "2024-01-01T00:00:00Z",
        "date" => "2024-01-01",
        "time" => "00:00:00Z",
        "email" | "idn-email" => "a@example.com",
        "uuid" => "00000000-0000-0000-0000-000000000000",
        "uri" | "iri" | "uri-reference" | "iri-reference" => "https://example.com",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "127.0.0.1",
        "ipv6" => "::1",
        "duration" => "P1D",
        _ => return None,
    })
}
