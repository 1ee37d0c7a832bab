//! Object schemas: required, properties against the content model (open, closed or
//! partially open), patternProperties, dependencies, additional and unevaluated
//! properties, propertyNames and the property-count bounds.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::Walker;
use super::diff::{Detail, Diff, diff, old_new, push};
use super::rules::Kind;
use super::scalar::bounds;
use super::shape::{Node, Part, Shape};
use crate::compat::report::Direction;
use crate::schema::json::{REGEX_SIZE_LIMIT, canonical_json};

type Obj = Map<String, Value>;

/// What an `additionalProperties`-like keyword allows beyond the declared properties.
#[derive(Clone, Copy)]
pub(super) struct Extra<'a> {
    /// False for `false`: nothing more is allowed.
    pub(super) permits: bool,
    /// The schema that constrains the rest, when it is one (not a boolean).
    pub(super) schema: Option<Node<'a>>,
    /// Whether the keyword is written at all.
    pub(super) present: bool,
}

pub(super) fn extra<'a>(node: Node<'a>, map: &'a Obj, key: &str) -> Extra<'a> {
    match map.get(key) {
        None => Extra {
            permits: true,
            schema: None,
            present: false,
        },
        Some(Value::Bool(b)) => Extra {
            permits: *b,
            schema: None,
            present: true,
        },
        Some(v) => Extra {
            permits: true,
            schema: Some(node.child(v)),
            present: true,
        },
    }
}

/// An object schema's keywords, read once per comparison.
struct Model<'a> {
    node: Node<'a>,
    map: &'a Obj,
    properties: Option<&'a Obj>,
    required: HashSet<&'a str>,
    additional: Extra<'a>,
    unevaluated: Extra<'a>,
    patterns: Vec<(&'a str, Node<'a>)>,
}

impl<'a> Model<'a> {
    fn new(node: Node<'a>) -> Option<Self> {
        let map = node.map()?;
        let required = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let patterns = map
            .get("patternProperties")
            .and_then(Value::as_object)
            .map(|p| p.iter().map(|(k, v)| (k.as_str(), node.child(v))).collect())
            .unwrap_or_default();
        Some(Model {
            node,
            map,
            properties: map.get("properties").and_then(Value::as_object),
            required,
            additional: extra(node, map, "additionalProperties"),
            unevaluated: extra(node, map, "unevaluatedProperties"),
            patterns,
        })
    }

    fn property(&self, key: &str) -> Option<Node<'a>> {
        self.properties
            .and_then(|p| p.get(key))
            .map(|v| self.node.child(v))
    }

    /// Open: any undeclared property may hold anything.
    fn is_open(&self) -> bool {
        self.patterns.is_empty()
            && self.additional.permits
            && self.additional.schema.is_none()
            && (self.additional.present
                || (self.unevaluated.permits && self.unevaluated.schema.is_none()))
    }

    /// The schema an undeclared property `key` is held to, in a partially open model.
    fn schema_for_undeclared(&self, walker: &Walker<'a>, key: &str) -> Option<Node<'a>> {
        for (pattern, schema) in &self.patterns {
            if walker.pattern_matches(pattern, key) {
                return Some(*schema);
            }
        }
        self.rest_schema()
    }

    /// The schema of properties no pattern covers (`additionalProperties`, or
    /// `unevaluatedProperties` when the former is absent).
    fn rest_schema(&self) -> Option<Node<'a>> {
        if self.additional.present {
            self.additional.schema
        } else {
            self.unevaluated.schema
        }
    }

    /// Property dependencies (`dependencies` arrays, `dependentRequired`), with the
    /// keyword each came from.
    fn property_dependencies(&self) -> Vec<(&'a str, &'static str, Vec<&'a str>)> {
        let mut out = Vec::new();
        for kw in ["dependencies", "dependentRequired"] {
            if let Some(deps) = self.map.get(kw).and_then(Value::as_object) {
                for (k, v) in deps {
                    if let Some(list) = v.as_array() {
                        out.push((
                            k.as_str(),
                            kw,
                            list.iter().filter_map(Value::as_str).collect(),
                        ));
                    }
                }
            }
        }
        out
    }

    /// Schema dependencies (`dependencies` schemas, `dependentSchemas`).
    fn schema_dependencies(&self) -> Vec<(&'a str, &'static str, Node<'a>)> {
        let mut out = Vec::new();
        for kw in ["dependencies", "dependentSchemas"] {
            if let Some(deps) = self.map.get(kw).and_then(Value::as_object) {
                for (k, v) in deps {
                    if !v.is_array() {
                        out.push((k.as_str(), kw, self.node.child(v)));
                    }
                }
            }
        }
        out
    }
}

/// One property name with its schema on each side (absent where not declared).
type Paired<'a> = (&'a str, Option<&'a Value>, Option<&'a Value>);

/// Pairs the properties of two objects by name, originals first. When both maps
/// iterate in sorted order (serde_json's default map), one merge pass does it without
/// a lookup per name; otherwise (insertion-ordered maps) names are looked up.
fn pair_properties<'a>(a: Option<&'a Obj>, b: Option<&'a Obj>) -> Vec<Paired<'a>> {
    let sorted =
        |m: Option<&Obj>| m.is_none_or(|m| m.keys().zip(m.keys().skip(1)).all(|(x, y)| x < y));
    let mut out = Vec::with_capacity(a.map_or(0, Map::len).max(b.map_or(0, Map::len)));
    if sorted(a) && sorted(b) {
        let mut xs = a.into_iter().flatten().peekable();
        let mut ys = b.into_iter().flatten().peekable();
        loop {
            match (xs.peek(), ys.peek()) {
                (Some((kx, _)), Some((ky, _))) => match kx.cmp(ky) {
                    std::cmp::Ordering::Equal => {
                        let (Some((k, x)), Some((_, y))) = (xs.next(), ys.next()) else {
                            break;
                        };
                        out.push((k.as_str(), Some(x), Some(y)));
                    }
                    std::cmp::Ordering::Less => {
                        let Some((k, x)) = xs.next() else { break };
                        out.push((k.as_str(), Some(x), None));
                    }
                    std::cmp::Ordering::Greater => {
                        let Some((k, y)) = ys.next() else { break };
                        out.push((k.as_str(), None, Some(y)));
                    }
                },
                (Some(_), None) => {
                    let Some((k, x)) = xs.next() else { break };
                    out.push((k.as_str(), Some(x), None));
                }
                (None, Some(_)) => {
                    let Some((k, y)) = ys.next() else { break };
                    out.push((k.as_str(), None, Some(y)));
                }
                (None, None) => break,
            }
        }
        return out;
    }
    for (k, x) in a.into_iter().flatten() {
        out.push((k.as_str(), Some(x), b.and_then(|b| b.get(k))));
    }
    for (k, y) in b.into_iter().flatten() {
        if !a.is_some_and(|a| a.contains_key(k)) {
            out.push((k.as_str(), None, Some(y)));
        }
    }
    out
}

impl<'a> Walker<'a> {
    /// Whether `pattern` (ECMA-262, as far as the `regex` crate reads it) finds a match
    /// in `key`. A pattern the crate cannot compile matches nothing: the property is
    /// then treated as not covered, the cautious answer.
    pub(super) fn pattern_matches(&self, pattern: &str, key: &str) -> bool {
        self.pattern_finds(pattern, key).unwrap_or(false)
    }

    /// Whether `pattern` finds a match in `key`; `None` when the `regex` crate cannot
    /// compile it (ECMA-262 lookaround, backreferences), so that nothing is claimed.
    fn pattern_finds(&self, pattern: &str, key: &str) -> Option<bool> {
        let mut cache = self.regexes.borrow_mut();
        let regex = cache.entry(pattern.to_owned()).or_insert_with(|| {
            regex::RegexBuilder::new(pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .ok()
        });
        regex.as_ref().map(|r| r.is_match(key))
    }

    fn is_empty_schema(&self, node: Node<'a>) -> bool {
        matches!(self.classify(Part::whole(node)).shape, Shape::Empty)
    }

    fn is_false_schema(&self, node: Node<'a>) -> bool {
        matches!(self.classify(Part::whole(node)).shape, Shape::False)
    }

    fn has_default(&self, node: Node<'a>) -> bool {
        node.map().is_some_and(|m| m.contains_key("default"))
            || self
                .classify(Part::whole(node))
                .meta
                .is_some_and(|m| m.contains_key("default"))
    }

    pub(super) fn object(&self, path: &mut String, out: &mut Vec<Diff>, o: Node<'a>, u: Node<'a>) {
        let (Some(o), Some(u)) = (Model::new(o), Model::new(u)) else {
            return;
        };
        self.required(path, out, &o, &u);
        self.properties(path, out, &o, &u);
        self.pattern_properties(path, out, &o, &u);
        self.dependencies(path, out, &o, &u);
        self.extra(
            path,
            out,
            "additionalProperties",
            o.additional,
            u.additional,
            [
                Kind::ADDITIONAL_PROPERTIES_ADDED,
                Kind::ADDITIONAL_PROPERTIES_REMOVED,
                Kind::ADDITIONAL_PROPERTIES_EXTENDED,
                Kind::ADDITIONAL_PROPERTIES_NARROWED,
            ],
        );
        if o.unevaluated.present || u.unevaluated.present {
            self.extra(
                path,
                out,
                "unevaluatedProperties",
                o.unevaluated,
                u.unevaluated,
                [
                    Kind::UNEVALUATED_PROPERTIES_ADDED,
                    Kind::UNEVALUATED_PROPERTIES_REMOVED,
                    Kind::UNEVALUATED_PROPERTIES_EXTENDED,
                    Kind::UNEVALUATED_PROPERTIES_NARROWED,
                ],
            );
        }
        self.property_names(path, out, &o, &u);
        use Kind::*;
        bounds(
            path,
            out,
            o.map,
            u.map,
            &[
                (
                    "maxProperties",
                    [
                        MAX_PROPERTIES_ADDED,
                        MAX_PROPERTIES_REMOVED,
                        MAX_PROPERTIES_INCREASED,
                        MAX_PROPERTIES_DECREASED,
                    ],
                ),
                (
                    "minProperties",
                    [
                        MIN_PROPERTIES_ADDED,
                        MIN_PROPERTIES_REMOVED,
                        MIN_PROPERTIES_INCREASED,
                        MIN_PROPERTIES_DECREASED,
                    ],
                ),
            ],
        );
    }

    /// `required` changes of properties both schemas declare (Confluent's scope: a
    /// property added or removed is judged with the content model instead).
    fn required(&self, path: &mut String, out: &mut Vec<Diff>, o: &Model<'a>, u: &Model<'a>) {
        // Only the keys whose requiredness differs can matter: usually none, so this
        // costs nothing on a large unchanged object.
        let mut keys: Vec<&str> = o
            .required
            .symmetric_difference(&u.required)
            .copied()
            .collect();
        keys.sort_unstable();
        for key in keys {
            let (Some(_), Some(update)) = (o.property(key), u.property(key)) else {
                continue;
            };
            let kind = if o.required.contains(key) {
                Kind::REQUIRED_ATTRIBUTE_REMOVED
            } else if self.has_default(update) {
                Kind::REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
            } else {
                Kind::REQUIRED_ATTRIBUTE_ADDED
            };
            let len = push(path, "required");
            push(path, key);
            out.push(diff(
                path,
                kind,
                Some(Detail::Subject(format!("property {key:?}"))),
            ));
            path.truncate(len);
        }
    }

    fn properties(&self, path: &mut String, out: &mut Vec<Diff>, o: &Model<'a>, u: &Model<'a>) {
        let mut removed: Vec<(&str, Node<'a>, usize)> = Vec::new();
        let mut added: Vec<(&str, Node<'a>, usize)> = Vec::new();
        if let (Some(a), Some(b)) = (o.map.get("properties"), u.map.get("properties"))
            && self.identical(Part::whole(o.node.child(a)), Part::whole(u.node.child(b)))
        {
            // Same names with the same ref-free schemas: no property can differ.
            return;
        }
        let base = path.len();
        path.push_str("/properties");
        for (key, original, update) in pair_properties(o.properties, u.properties) {
            let len = push(path, key);
            match (original, update) {
                (Some(a), Some(b)) => {
                    let (a, b) = (o.node.child(a), u.node.child(b));
                    self.compare(path, out, Some(Part::whole(a)), Some(Part::whole(b)));
                }
                (Some(a), None) => {
                    let a = o.node.child(a);
                    self.property_removed(path, out, key, a, u);
                    removed.push((key, a, out.len() - 1));
                }
                (None, Some(b)) => {
                    let b = u.node.child(b);
                    self.property_added(path, out, key, b, o, u);
                    added.push((key, b, out.len() - 1));
                }
                (None, None) => {}
            }
            path.truncate(len);
        }
        path.truncate(base);
        self.rename_hints(out, &removed, &added);
    }

    fn property_removed(
        &self,
        path: &mut String,
        out: &mut Vec<Diff>,
        key: &str,
        original: Node<'a>,
        u: &Model<'a>,
    ) {
        // Only the update's content model matters: it alone decides whether data that
        // still carries the property is accepted.
        if u.is_open() {
            return out.push(diff(
                path,
                Kind::PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
                Some(Detail::Subject(format!("{key:?}"))),
            ));
        }
        if let Some(schema) = u.schema_for_undeclared(self, key) {
            let d = self.sub(path, Some(Part::whole(original)), Some(Part::whole(schema)));
            return self.coverage(
                path,
                out,
                d,
                [
                    Kind::PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    Kind::PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                ],
                format!("{key:?}"),
            );
        }
        let kind = if self.is_false_schema(original) {
            Kind::PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
        } else {
            Kind::PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL
        };
        out.push(diff(path, kind, Some(Detail::Subject(format!("{key:?}")))));
    }

    fn property_added(
        &self,
        path: &mut String,
        out: &mut Vec<Diff>,
        key: &str,
        update: Node<'a>,
        o: &Model<'a>,
        u: &Model<'a>,
    ) {
        let required = u.required.contains(key);
        let detail = Some(Detail::Subject(format!(
            "{key:?}{}",
            if required { " (required)" } else { "" }
        )));
        // Only the original's content model matters: it decides what old data may
        // already hold under this name.
        if o.is_open() {
            let kind = if self.is_empty_schema(update) {
                Kind::PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
            } else if required && self.has_default(update) {
                Kind::REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
            } else if required {
                Kind::REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            } else {
                Kind::OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            };
            return out.push(diff(path, kind, detail));
        }
        if let Some(schema) = o.schema_for_undeclared(self, key) {
            let d = self.sub(path, Some(Part::whole(schema)), Some(Part::whole(update)));
            self.coverage(
                path,
                out,
                d,
                [
                    Kind::PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    Kind::PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                ],
                format!("{key:?}"),
            );
        }
        let kind = if required && self.has_default(update) {
            Kind::REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL
        } else if required {
            Kind::REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
        } else {
            Kind::OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
        };
        out.push(diff(path, kind, detail));
    }

    /// A property removed and another added at the same level reads as a rename; say
    /// how to make one safely, since JSON Schema has no aliases.
    fn rename_hints(
        &self,
        out: &mut [Diff],
        removed: &[(&str, Node<'a>, usize)],
        added: &[(&str, Node<'a>, usize)],
    ) {
        if removed.is_empty() || added.is_empty() {
            return;
        }
        let canon = |n: &Node<'a>| canonical_json(n.value);
        let mut used = HashSet::new();
        for (old, old_node, old_at) in removed {
            let old_canon = canon(old_node);
            let same_schema = added
                .iter()
                .find(|(k, n, _)| !used.contains(k) && canon(n) == old_canon);
            // Otherwise a lone candidate of the same declared type, or the only pair.
            let same_type = || {
                let ty = old_node.map().and_then(|m| m.get("type"));
                let mut candidates = added.iter().filter(|(k, n, _)| {
                    !used.contains(k) && ty.is_some() && n.map().and_then(|m| m.get("type")) == ty
                });
                match (candidates.next(), candidates.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            };
            let pair = same_schema
                .or_else(same_type)
                .or_else(|| (removed.len() == 1 && added.len() == 1).then(|| &added[0]));
            let Some((new, _, new_at)) = pair else {
                continue;
            };
            used.insert(*new);
            // "removed" is what the original has and the update lacks: under a forward
            // check the original is the new version, so the user renamed the other way.
            let forward = self.dir == Direction::Forward;
            let (from, to) = if forward { (new, old) } else { (old, new) };
            let hint = format!(
                "this looks like a rename of {from:?} to {to:?}: keep {from:?} (mark it deprecated in its description) and add {to:?} as an optional property; readers of either version then find what they expect"
            );
            for at in [*old_at, *new_at] {
                if let Some(d) = out.get_mut(at)
                    && !d.kind.is_compatible(self.policy)
                {
                    // In an open model even the optional addition breaks STRICT: say how
                    // to get there as well.
                    let own = if forward {
                        d.kind.forward_hint()
                    } else {
                        d.kind.hint()
                    };
                    d.hint = Some(match own {
                        Some(own) if d.kind.as_str().ends_with("_TO_OPEN_CONTENT_MODEL") => {
                            format!("{hint}. {own}")
                        }
                        _ => hint.clone(),
                    });
                }
            }
        }
    }

    fn pattern_properties(
        &self,
        path: &mut String,
        out: &mut Vec<Diff>,
        o: &Model<'a>,
        u: &Model<'a>,
    ) {
        use Kind::*;
        for (pattern, original) in &o.patterns {
            let len = push(path, "patternProperties");
            push(path, pattern);
            match u.patterns.iter().find(|(p, _)| p == pattern) {
                Some((_, update)) => self.compare(
                    path,
                    out,
                    Some(Part::whole(*original)),
                    Some(Part::whole(*update)),
                ),
                None if u.is_open() => out.push(diff(
                    path,
                    PATTERN_PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
                    None,
                )),
                None => match u.rest_schema() {
                    Some(rest) => {
                        let d =
                            self.sub(path, Some(Part::whole(*original)), Some(Part::whole(rest)));
                        self.coverage(
                            path,
                            out,
                            d,
                            [
                                PATTERN_PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                                PATTERN_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                            ],
                            format!("{pattern:?}"),
                        );
                    }
                    None if self.is_false_schema(*original) => {}
                    None => out.push(diff(
                        path,
                        PATTERN_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
                        None,
                    )),
                },
            }
            path.truncate(len);
        }
        for (pattern, update) in &u.patterns {
            if o.patterns.iter().any(|(p, _)| p == pattern) {
                continue;
            }
            let len = push(path, "patternProperties");
            push(path, pattern);
            if o.is_open() {
                if !self.is_empty_schema(*update) {
                    out.push(diff(
                        path,
                        PATTERN_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
                        None,
                    ));
                }
            } else {
                match o.rest_schema() {
                    Some(rest) => {
                        let d = self.sub(path, Some(Part::whole(rest)), Some(Part::whole(*update)));
                        self.coverage(
                            path,
                            out,
                            d,
                            [
                                PATTERN_PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                                PATTERN_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                            ],
                            format!("{pattern:?}"),
                        );
                    }
                    None => out.push(diff(
                        path,
                        PATTERN_PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL,
                        None,
                    )),
                }
            }
            path.truncate(len);
        }
    }

    fn dependencies(&self, path: &mut String, out: &mut Vec<Diff>, o: &Model<'a>, u: &Model<'a>) {
        use Kind::*;
        let (od, ud) = (o.property_dependencies(), u.property_dependencies());
        for (key, kw, a, b) in paired(&od, &ud) {
            let kind = match (a, b) {
                (_, None) => DEPENDENCY_ARRAY_REMOVED,
                (None, Some(_)) => DEPENDENCY_ARRAY_ADDED,
                (Some(a), Some(b)) => {
                    let (sa, sb): (HashSet<&str>, HashSet<&str>) =
                        (a.iter().copied().collect(), b.iter().copied().collect());
                    if sa == sb {
                        continue;
                    } else if sb.is_superset(&sa) {
                        DEPENDENCY_ARRAY_EXTENDED
                    } else if sa.is_superset(&sb) {
                        DEPENDENCY_ARRAY_NARROWED
                    } else {
                        DEPENDENCY_ARRAY_CHANGED
                    }
                }
            };
            let len = push(path, kw);
            push(path, key);
            out.push(diff(
                path,
                kind,
                Some(Detail::change(
                    format!("{:?}", a.map(|v| v.join(", "))),
                    format!("{:?}", b.map(|v| v.join(", "))),
                )),
            ));
            path.truncate(len);
        }

        let (os, us) = (o.schema_dependencies(), u.schema_dependencies());
        for (key, kw, a, b) in paired(&os, &us) {
            let len = push(path, kw);
            push(path, key);
            match (a, b) {
                (_, None) => out.push(diff(path, DEPENDENCY_SCHEMA_REMOVED, None)),
                (None, Some(_)) => out.push(diff(path, DEPENDENCY_SCHEMA_ADDED, None)),
                (Some(a), Some(b)) => {
                    self.compare(path, out, Some(Part::whole(*a)), Some(Part::whole(*b)))
                }
            }
            path.truncate(len);
        }
    }

    /// Records whether a property or item moved in or out of a partially open content
    /// model is covered, given the differences `d` between its schema and the model's.
    ///
    /// Confluent adds `d` as well, so its LENIENT acceptance of "not covered" can never
    /// take effect (an incompatible `d` is what makes it "not covered"). Under a policy
    /// that accepts "not covered", Schemagate folds `d` into that one finding instead:
    /// LENIENT's premise is that producers wrote no undeclared names.
    pub(super) fn coverage(
        &self,
        path: &str,
        out: &mut Vec<Diff>,
        d: Vec<Diff>,
        [covered, not_covered]: [Kind; 2],
        what: String,
    ) {
        if self.is_compatible(&d) {
            out.extend(d);
            return out.push(diff(path, covered, Some(Detail::Subject(what))));
        }
        if !not_covered.is_compatible(self.policy) {
            out.extend(d);
            return out.push(diff(path, not_covered, Some(Detail::Subject(what))));
        }
        let why: Vec<String> = d
            .iter()
            .filter(|x| !x.kind.is_compatible(self.policy))
            .map(|x| {
                format!(
                    "{} at {}",
                    x.kind.as_str(),
                    if x.path.is_empty() { "/" } else { &x.path }
                )
            })
            .collect();
        out.push(diff(
            path,
            not_covered,
            Some(Detail::Subject(format!("{what} ({})", why.join(", ")))),
        ));
    }

    /// `additionalProperties`-like keywords (also `additionalItems`, `unevaluated*`):
    /// kinds are added, removed, extended, narrowed.
    pub(super) fn extra(
        &self,
        path: &mut String,
        out: &mut Vec<Diff>,
        keyword: &str,
        o: Extra<'a>,
        u: Extra<'a>,
        [added, removed, extended, narrowed]: [Kind; 4],
    ) {
        let len = push(path, keyword);
        if o.permits != u.permits {
            out.push(diff(path, if u.permits { added } else { removed }, None));
        } else {
            match (o.schema, u.schema) {
                (None, Some(_)) => out.push(diff(path, narrowed, None)),
                (Some(_), None) => out.push(diff(path, extended, None)),
                (Some(a), Some(b)) => {
                    self.compare(path, out, Some(Part::whole(a)), Some(Part::whole(b)))
                }
                (None, None) => {}
            }
        }
        path.truncate(len);
    }
}

/// The dependency keys of both sides, the old side's order first, each with the keyword
/// that declares it (the new side's when both do) and its value on either side.
#[allow(clippy::type_complexity)]
fn paired<'s, 'k, T>(
    o: &'s [(&'k str, &'static str, T)],
    u: &'s [(&'k str, &'static str, T)],
) -> Vec<(&'k str, &'static str, Option<&'s T>, Option<&'s T>)> {
    let only_new = u.iter().filter(|(k, ..)| !o.iter().any(|(ok, ..)| ok == k));
    o.iter()
        .chain(only_new)
        .map(|&(key, o_kw, _)| {
            let a = o.iter().find(|(k, ..)| *k == key).map(|(_, _, v)| v);
            let b = u.iter().find(|(k, ..)| *k == key);
            let kw = b.map_or(o_kw, |(_, kw, _)| *kw);
            (key, kw, a, b.map(|(_, _, v)| v))
        })
        .collect()
}

/// Keywords of a `propertyNames` schema that Schemagate evaluates on a name itself.
const NAME_KEYWORDS: &[&str] = &["type", "pattern", "minLength", "maxLength", "enum", "const"];
/// Keywords that say nothing about which names are accepted.
const NAME_ANNOTATIONS: &[&str] = &[
    "$id",
    "$schema",
    "$anchor",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];
/// Keywords applying subschemas to the object in place: where one is written, a name
/// the object's own keywords allow may still be refused by it, so no name is taken as
/// allowed (and no `propertyNames` change is refused).
const OBJECT_IN_PLACE: &[&str] = &[
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
];
/// Names tried as witnesses beyond the declared ones: short names of each character
/// class a name pattern usually restricts (case, digits, punctuation, space, empty).
const NAME_PROBES: &[&str] = &["_", "0", "A", "a", "z", "-", " ", "", "$", "aA0_-"];
/// Longest name built to cross a `minLength`/`maxLength` (past it, no probe is built).
const LONGEST_PROBE: usize = 4_096;

impl<'a> Walker<'a> {
    /// `propertyNames`, which Confluent's checker does not look at.
    ///
    /// Schemagate judges it only by a witness: a property name the original allowed
    /// (a declared property, or, when the original admits undeclared names, one of a
    /// few probes) that the update's `propertyNames` rejects. Such a name is proof that
    /// old data may be refused, so the change is breaking (`PROPERTY_NAMES_NARROWED`)
    /// whatever Confluent says. Without a witness the change is accepted, as Confluent
    /// accepts it (`PROPERTY_NAMES_CHANGED`): a pattern every name matches (`a*`)
    /// narrows nothing, and a schema Schemagate cannot evaluate on a name (`format`,
    /// `$ref`, combinators), an object beside in-place subschemas (which may refuse
    /// names themselves), or a narrowing no probe exposes is not refused on suspicion.
    /// A wrong refusal would block a team on a change Confluent accepts; a refusal with
    /// a witness is never wrong.
    fn property_names(&self, path: &mut String, out: &mut Vec<Diff>, o: &Model<'a>, u: &Model<'a>) {
        let (a, b) = (o.map.get("propertyNames"), u.map.get("propertyNames"));
        if a == b {
            return;
        }
        let len = push(path, "propertyNames");
        let witness = self
            .allowed_names(o, a, b)
            .into_iter()
            .find(|name| self.accepts_name(b, name) == Some(false));
        out.push(match witness {
            Some(name) => diff(
                path,
                Kind::PROPERTY_NAMES_NARROWED,
                Some(Detail::Subject(format!("{name:?}"))),
            ),
            None => diff(path, Kind::PROPERTY_NAMES_CHANGED, Some(old_new(a, b))),
        });
        path.truncate(len);
    }

    /// Names the original provably allows in some object, each one its
    /// `propertyNames` (`names`) accepts: its declared properties and, when it admits
    /// undeclared names, the probes it admits. `other` is the update's
    /// `propertyNames`, whose length bounds and values shape extra probes.
    ///
    /// None where that is not sure: beside in-place subschemas (allOf, `$ref`, `not`,
    /// if, ...), which may refuse a name the object's own keywords allow, or in an
    /// object that can hold no property at all.
    fn allowed_names(
        &self,
        o: &Model<'a>,
        names: Option<&'a Value>,
        other: Option<&'a Value>,
    ) -> Vec<String> {
        if OBJECT_IN_PLACE.iter().any(|k| o.map.contains_key(*k))
            || o.map.get("maxProperties").and_then(Value::as_f64) == Some(0.0)
        {
            return Vec::new();
        }
        let mut candidates: Vec<String> = o
            .properties
            .into_iter()
            .flatten()
            .filter(|(k, v)| {
                !self.is_false_schema(o.node.child(v)) && self.may_hold(o, k).is_some()
            })
            .map(|(k, _)| k.clone())
            .collect();
        let mut probes: Vec<String> = NAME_PROBES.iter().map(|p| (*p).to_owned()).collect();
        for schema in [names, other].into_iter().flatten() {
            let Some(map) = schema.as_object() else {
                continue;
            };
            for (key, delta) in [("minLength", -1i64), ("maxLength", 1)] {
                let Some(n) = map.get(key).and_then(Value::as_u64) else {
                    continue;
                };
                let n = i64::try_from(n).unwrap_or(i64::MAX).saturating_add(delta);
                if let Ok(n) = usize::try_from(n)
                    && n <= LONGEST_PROBE
                {
                    probes.push("a".repeat(n));
                    probes.push("_".repeat(n));
                }
            }
            let values = map
                .get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            for value in values.chain(map.get("const")) {
                if let Some(s) = value.as_str() {
                    probes.push(s.to_owned());
                }
            }
        }
        for probe in probes {
            if !candidates.contains(&probe)
                && o.property(&probe).is_none()
                && self.admits_undeclared(o, &probe)
            {
                candidates.push(probe);
            }
        }
        candidates.retain(|name| self.accepts_name(names, name) == Some(true));
        candidates
    }

    /// Whether the model's other keywords let an object hold `name`, apart from the
    /// schema declared or left for it: `Some(true)` when a patternProperties entry
    /// matches it (and allows it), `Some(false)` when none matches; `None` when one
    /// that matches forbids it (`false`), a pattern cannot be compiled, or a schema
    /// dependency hangs on it (it may forbid the name).
    fn may_hold(&self, o: &Model<'a>, name: &str) -> Option<bool> {
        if o.schema_dependencies().iter().any(|(k, _, _)| *k == name) {
            return None;
        }
        let mut matched = false;
        for (pattern, schema) in &o.patterns {
            if self.pattern_finds(pattern, name)? {
                if self.is_false_schema(*schema) {
                    return None;
                }
                matched = true;
            }
        }
        Some(matched)
    }

    /// Whether the model admits an undeclared property `name` (with some value): a
    /// pattern it matches allows it, or none matches and additional (or else
    /// unevaluated) properties are allowed. Unsure is no.
    fn admits_undeclared(&self, o: &Model<'a>, name: &str) -> bool {
        match self.may_hold(o, name) {
            None => false,
            Some(true) => true,
            Some(false) => {
                let rest = if o.additional.present {
                    o.additional
                } else {
                    o.unevaluated
                };
                rest.permits && !rest.schema.is_some_and(|s| self.is_false_schema(s))
            }
        }
    }

    /// What the `propertyNames` schema `names` says of `name`: `None` when Schemagate
    /// cannot tell (a keyword it does not evaluate on a name, a pattern the `regex`
    /// crate cannot compile), so that nothing is claimed from it.
    fn accepts_name(&self, names: Option<&Value>, name: &str) -> Option<bool> {
        let map = match names {
            None | Some(Value::Bool(true)) => return Some(true),
            Some(Value::Bool(false)) => return Some(false),
            Some(Value::Object(map)) => map,
            Some(_) => return None,
        };
        if !map
            .keys()
            .all(|k| NAME_KEYWORDS.contains(&k.as_str()) || NAME_ANNOTATIONS.contains(&k.as_str()))
        {
            return None;
        }
        let mut verdict = true;
        if let Some(ty) = map.get("type") {
            let is_string = |v: &Value| v.as_str() == Some("string");
            verdict &= match ty {
                Value::String(_) => is_string(ty),
                Value::Array(tys) => tys.iter().any(is_string),
                _ => return None,
            };
        }
        // Lengths count code points, as JSON Schema does.
        let length = name.chars().count() as f64;
        if let Some(min) = map.get("minLength") {
            verdict &= length >= min.as_f64()?;
        }
        if let Some(max) = map.get("maxLength") {
            verdict &= length <= max.as_f64()?;
        }
        if let Some(pattern) = map.get("pattern") {
            verdict &= self.pattern_finds(pattern.as_str()?, name)?;
        }
        let is_name = |v: &Value| v.as_str() == Some(name);
        if let Some(values) = map.get("enum") {
            verdict &= values.as_array()?.iter().any(is_name);
        }
        if let Some(value) = map.get("const") {
            verdict &= is_name(value);
        }
        Some(verdict)
    }
}
