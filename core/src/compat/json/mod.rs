//! JSON Schema compatibility (COMPAT.md, "JSON Schema"), following Confluent's checker:
//! the two schemas are walked in parallel, every difference is classified into one of
//! Confluent's change types, and the pair is compatible when every change is in the
//! policy's compatible set (STRICT by default, LENIENT on request).
//!
//! "original" is the writer's schema and "update" the reader's: BACKWARD asks whether
//! the new schema (update) accepts everything the old one (original) accepted.
//!
//! Submodules hold the keyword families: `shape` (what a node is), `object`, `array`,
//! `scalar` (string, number, enum) and `combined` (allOf/anyOf/oneOf, not).

mod array;
mod combined;
mod diff;
mod object;
pub(crate) mod rules;
mod scalar;
mod shape;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use serde_json::Value;

use crate::compat::level::Policy;
use crate::compat::report::{Direction, Finding, Severity};
use crate::schema::json::{Digests, Docs, JsonSchema};
use diff::{Detail, Diff, diff, old_new, push};
use rules::Kind;
use shape::{Classified, Node, Part, Shape, Side, View, classify};

/// Most pairwise node comparisons one check may make. Combinators compare every branch
/// with every branch, so nested `oneOf`s multiply; past this the walk stops with a
/// breaking `COMPARISON_TOO_COMPLEX` instead of running for minutes.
const MAX_WORK: usize = 100_000;
/// Deepest nesting of comparisons (a long acyclic `$ref` chain nests without bound in
/// the text's depth); keeps the walk well inside a thread's stack.
const MAX_WALK_DEPTH: usize = 160;

/// A node seen one way: what the recursion guard remembers of each side.
type Identity = (usize, View);

/// Findings of "does `reader` accept everything `writer` accepted"; `direction` says
/// which one is the old version, so that messages speak of the edit, old -> new.
pub(crate) fn compare(
    reader: &JsonSchema,
    writer: &JsonSchema,
    policy: Policy,
    direction: Direction,
) -> Vec<Finding> {
    let walker = Walker {
        dir: direction,
        original: &writer.docs,
        update: &reader.docs,
        original_digests: &writer.digests,
        update_digests: &reader.digests,
        policy,
        stack: RefCell::new(Vec::new()),
        work: Cell::new(0),
        depth: Cell::new(0),
        exhausted: Cell::new(false),
        regexes: RefCell::new(HashMap::new()),
    };
    let original = Part::whole(Node {
        side: Side::Original,
        doc: 0,
        value: writer.value(),
    });
    let update = Part::whole(Node {
        side: Side::Update,
        doc: 0,
        value: reader.value(),
    });
    let mut path = String::new();
    let mut diffs = Vec::new();
    walker.compare(&mut path, &mut diffs, Some(original), Some(update));
    // The budget may run out inside a sub-comparison whose differences are weighed and
    // dropped (a combinator's branch pairing), and every comparison after it finds
    // nothing: without this, such a walk could end looking compatible. Never a false
    // "compatible": an exhausted walk always reports that it stopped.
    if walker.exhausted.get() && !diffs.iter().any(|d| d.kind == Kind::COMPARISON_TOO_COMPLEX) {
        diffs.push(diff("", Kind::COMPARISON_TOO_COMPLEX, None));
    }
    diffs
        .into_iter()
        .map(|d| {
            let severity = d.kind.severity(policy);
            let (message, hint) = match direction {
                Direction::Backward => (
                    worded(d.kind.message(), d.detail.as_ref(), true),
                    d.hint.or_else(|| d.kind.hint().map(str::to_owned)),
                ),
                // The walk's kind names the edit new -> old: word its inverse, with the
                // values old -> new, and say what breaks for readers of the old version.
                Direction::Forward => {
                    let keyword = d.path.rsplit('/').next().unwrap_or_default();
                    let mut message =
                        worded(&d.kind.forward_edit(keyword), d.detail.as_ref(), false);
                    if severity == Severity::Breaking {
                        message.push_str(": ");
                        message.push_str(d.kind.forward_consequence());
                    }
                    (
                        message,
                        d.hint.or_else(|| d.kind.forward_hint().map(str::to_owned)),
                    )
                }
            };
            Finding::new(d.kind.as_str(), severity, d.path, message, hint)
        })
        .collect()
}

/// `words (detail)`, the detail shown old -> new (`original_is_old`: backward).
fn worded(words: &str, detail: Option<&Detail>, original_is_old: bool) -> String {
    match detail {
        Some(detail) => format!("{words} ({})", detail.render(original_is_old)),
        None => words.to_owned(),
    }
}

/// State of one walk: both schemas' documents, the policy, and the guards that make
/// every walk finish.
struct Walker<'a> {
    /// Which side is the old version; the walk decides the same either way, and uses
    /// it only for the words of hints it composes (a rename's old and new names).
    dir: Direction,
    original: &'a Docs,
    update: &'a Docs,
    original_digests: &'a Digests,
    update_digests: &'a Digests,
    policy: Policy,
    /// Pairs of (node, view) under comparison: meeting one again means a `$ref` cycle,
    /// whose answer is the one being computed (no new difference).
    stack: RefCell<Vec<(Identity, Identity)>>,
    work: Cell<usize>,
    depth: Cell<usize>,
    exhausted: Cell<bool>,
    /// patternProperties regexes, compiled once per walk (`None`: not compilable).
    regexes: RefCell<HashMap<String, Option<regex::Regex>>>,
}

impl<'a> Walker<'a> {
    fn docs(&self, side: Side) -> &'a Docs {
        match side {
            Side::Original => self.original,
            Side::Update => self.update,
        }
    }

    fn classify(&self, part: Part<'a>) -> Classified<'a> {
        classify(self.docs(part.node.side), part)
    }

    fn is_compatible(&self, diffs: &[Diff]) -> bool {
        diffs.iter().all(|d| d.kind.is_compatible(self.policy))
    }

    /// Compares in a fresh context (Confluent's sub-context): the differences are
    /// returned, not recorded, so the caller can first ask whether they are compatible.
    fn sub(
        &self,
        path: &mut String,
        original: Option<Part<'a>>,
        update: Option<Part<'a>>,
    ) -> Vec<Diff> {
        let mut diffs = Vec::new();
        self.compare(path, &mut diffs, original, update);
        diffs
    }

    /// The walk's one entry point for a pair of (possibly absent) schemas.
    fn compare(
        &self,
        path: &mut String,
        out: &mut Vec<Diff>,
        original: Option<Part<'a>>,
        update: Option<Part<'a>>,
    ) {
        let (original, update) = match (original, update) {
            (None, None) => return,
            (None, Some(_)) => return out.push(diff(path, Kind::SCHEMA_ADDED, None)),
            (Some(_), None) => return out.push(diff(path, Kind::SCHEMA_REMOVED, None)),
            (Some(o), Some(u)) => (o, u),
        };
        if self.exhausted.get() {
            return;
        }
        let work = self.work.get() + 1;
        self.work.set(work);
        if work > MAX_WORK || self.depth.get() >= MAX_WALK_DEPTH {
            self.exhausted.set(true);
            return out.push(diff(path, Kind::COMPARISON_TOO_COMPLEX, None));
        }
        self.depth.set(self.depth.get() + 1);
        self.compare_parts(path, out, original, update);
        self.depth.set(self.depth.get() - 1);
    }

    fn compare_parts(
        &self,
        path: &mut String,
        out: &mut Vec<Diff>,
        original: Part<'a>,
        update: Part<'a>,
    ) {
        if self.identical(original, update) {
            return;
        }
        let o = self.classify(original);
        let u = self.classify(update);
        if let (Shape::Unresolved(a), Shape::Unresolved(b)) = (&o.shape, &u.shape)
            && a == b
        {
            return;
        }
        for c in [&o, &u] {
            if let Shape::Unresolved(r) = c.shape {
                return out.push(diff(
                    path,
                    Kind::REFERENCE_UNRESOLVED,
                    Some(Detail::Subject(format!("{r:?}"))),
                ));
            }
        }

        // A pair already under comparison is a `$ref` cycle, whose answer is the one
        // being computed (no new difference). Checked before the one-sided combinator
        // cases below too: a cycle through them (`anyOf: [{$ref: "#"}, ...]` against a
        // branch) would otherwise recurse until the work budget ran out.
        let key = (o.at.identity(), u.at.identity());
        if self.stack.borrow().contains(&key) {
            return;
        }
        self.stack.borrow_mut().push(key);
        self.compare_classified(path, out, original, update, &o, &u);
        self.stack.borrow_mut().pop();
    }

    /// [`Walker::compare_parts`] once both sides are classified and the pair is on the
    /// recursion guard's stack.
    fn compare_classified(
        &self,
        path: &mut String,
        out: &mut Vec<Diff>,
        original: Part<'a>,
        update: Part<'a>,
        o: &Classified<'a>,
        u: &Classified<'a>,
    ) {
        // Confluent's special cases for a combinator on one side only.
        match (&o.shape, &u.shape) {
            (Shape::Combined(..), Shape::Combined(..)) => {}
            (_, Shape::Combined(crit, _, subs)) => {
                if subs.len() == 1 {
                    let d = self.sub(path, Some(original), Some(subs[0]));
                    if self.is_compatible(&d) {
                        return out.extend(d);
                    }
                } else if crit.is_sum() {
                    for sub in subs {
                        let d = self.sub(path, Some(original), Some(*sub));
                        if self.is_compatible(&d) {
                            out.extend(d);
                            return out.push(diff(path, Kind::SUM_TYPE_EXTENDED, None));
                        }
                    }
                }
            }
            (Shape::Combined(crit, _, subs), _) => {
                if subs.len() == 1 {
                    let d = self.sub(path, Some(subs[0]), Some(update));
                    if self.is_compatible(&d) {
                        return out.extend(d);
                    }
                }
                if *crit == shape::Crit::All {
                    for sub in subs {
                        let d = self.sub(path, Some(*sub), Some(update));
                        if self.is_compatible(&d) {
                            out.extend(d);
                            return out.push(diff(path, Kind::PRODUCT_TYPE_NARROWED, None));
                        }
                    }
                }
            }
            _ => {}
        }

        if o.shape.class() != u.shape.class() {
            // `false` accepted nothing and an empty schema accepts everything: either
            // way no old value is lost.
            if !matches!(o.shape, Shape::False) && !matches!(u.shape, Shape::Empty) {
                out.push(diff(path, Kind::TYPE_CHANGED, Some(describe_pair(o, u))));
            }
            return;
        }

        self.compare_meta(path, out, o, u);
        conditional(path, out, o, u);
        match (&o.shape, &u.shape) {
            (Shape::String(a), Shape::String(b)) => scalar::string(path, out, a, b),
            (Shape::Number(a, ai), Shape::Number(b, bi)) => scalar::number(
                path,
                out,
                (a, *ai, self.docs(o.at.node.side).draft(o.at.node.doc)),
                (b, *bi, self.docs(u.at.node.side).draft(u.at.node.doc)),
            ),
            (Shape::Enum(a, _), Shape::Enum(b, kw)) => scalar::enumeration(path, out, a, b, kw),
            (Shape::Combined(ac, ak, a), Shape::Combined(bc, _, b)) => {
                self.combined(path, out, (*ac, *ak, a), (*bc, b));
            }
            (Shape::Not(a), Shape::Not(b)) => self.not(path, out, *a, *b),
            (Shape::Object, Shape::Object) => self.object(path, out, o.at.node, u.at.node),
            (Shape::Array, Shape::Array) => self.array(path, out, o.at.node, u.at.node),
            _ => {}
        }
    }

    /// Equal subtrees read the same way have no differences, unless a `$ref` inside
    /// leads to targets that differ: skipping them keeps a long-lived subject's check
    /// proportional to what changed, not to the schema's size.
    pub(super) fn identical(&self, original: Part<'a>, update: Part<'a>) -> bool {
        let digest = |p: Part<'a>| match p.node.side {
            Side::Original => self.original_digests.get(p.node.value),
            Side::Update => self.update_digests.get(p.node.value),
        };
        let same = match (digest(original), digest(update)) {
            (Some(a), Some(b)) => a == b && !a.has_ref,
            // Booleans and other scalars: cheap to compare directly.
            _ => {
                !original.node.value.is_object()
                    && !original.node.value.is_array()
                    && original.node.value == update.node.value
            }
        };
        same && original.view == update.view
            && self.docs(original.node.side).draft(original.node.doc)
                == self.docs(update.node.side).draft(update.node.doc)
    }

    fn compare_meta(
        &self,
        path: &str,
        out: &mut Vec<Diff>,
        o: &Classified<'a>,
        u: &Classified<'a>,
    ) {
        let get = |c: &Classified<'a>, keys: &[&str]| -> Option<&'a Value> {
            c.meta.and_then(|m| keys.iter().find_map(|k| m.get(*k)))
        };
        for (keys, kind) in [
            (&["$id", "id"][..], Kind::ID_CHANGED),
            (&["title"][..], Kind::TITLE_CHANGED),
            (&["description"][..], Kind::DESCRIPTION_CHANGED),
            (&["default"][..], Kind::DEFAULT_CHANGED),
        ] {
            let (a, b) = (get(o, keys), get(u, keys));
            // Draft 4's `id` is a string; elsewhere a property named "id" is not an id.
            let (a, b) = if kind == Kind::ID_CHANGED {
                (a.filter(|v| v.is_string()), b.filter(|v| v.is_string()))
            } else {
                (a, b)
            };
            if a != b {
                out.push(diff(path, kind, Some(old_new(a, b))));
            }
        }
    }

    fn not(&self, path: &mut String, out: &mut Vec<Diff>, original: Node<'a>, update: Node<'a>) {
        let len = push(path, "not");
        // `not` inverts: the new excluded set must be inside the old one.
        let d = self.sub(path, Some(Part::whole(update)), Some(Part::whole(original)));
        if !d.is_empty() {
            let kind = if self.is_compatible(&d) {
                Kind::NOT_TYPE_NARROWED
            } else {
                Kind::NOT_TYPE_EXTENDED
            };
            out.push(diff(path, kind, None));
        }
        path.truncate(len);
    }
}

/// `if`/`then`/`else`, which Confluent's checker does not look at: a condition added
/// or changed may reject old data, so it is refused unless the texts are equal; a
/// condition removed only widens.
fn conditional<'v>(path: &mut String, out: &mut Vec<Diff>, o: &Classified<'v>, u: &Classified<'v>) {
    fn triple<'v>(c: &Classified<'v>) -> [Option<&'v Value>; 3] {
        c.meta
            .map(|m| [m.get("if"), m.get("then"), m.get("else")])
            .unwrap_or_default()
    }
    let (a, b) = (triple(o), triple(u));
    if a == b {
        return;
    }
    let kind = if b.iter().all(Option::is_none) {
        Kind::CONDITIONAL_REMOVED
    } else if a.iter().all(Option::is_none) {
        Kind::CONDITIONAL_ADDED
    } else {
        Kind::CONDITIONAL_CHANGED
    };
    let len = push(path, "if");
    out.push(diff(path, kind, None));
    path.truncate(len);
}

fn describe_pair(o: &Classified<'_>, u: &Classified<'_>) -> Detail {
    Detail::change(shape_name(&o.shape), shape_name(&u.shape))
}

fn shape_name(s: &Shape<'_>) -> &'static str {
    match s {
        Shape::Empty => "any value",
        Shape::False => "no value (false)",
        Shape::Null => "null",
        Shape::Boolean => "boolean",
        Shape::String(_) => "string",
        Shape::Number(_, true) => "integer",
        Shape::Number(_, false) => "number",
        Shape::Object => "object",
        Shape::Array => "array",
        Shape::Enum(..) => "enum",
        Shape::Not(_) => "not",
        Shape::Combined(..) => "combined schema",
        Shape::Unresolved(_) => "unresolved $ref",
    }
}
