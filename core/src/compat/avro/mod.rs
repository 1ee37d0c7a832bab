//! Avro schema resolution (COMPAT.md, Avro), decided the way Java's
//! `SchemaCompatibility` decides it, because that is what Confluent runs: the same six
//! incompatibility kinds at the same reader-side locations, every problem reported.
//! On top of Java's verdicts the walk also reports what changed without breaking
//! (additive and cosmetic findings), so that `bump` can tell minor from patch.
//!
//! This module holds the walk itself: the memo of named-type pairs, the skipping of
//! parts whose digests are equal, and the dispatch on the two types' classes. What
//! each kind of type compares lives beside it: `records` (records and fields),
//! `enums`, `unions`, `names` (names and aliases), `scalars` (promotions, fixed sizes,
//! logical types and attributes); `rules` is the catalogue of every rule they report.

mod enums;
mod names;
mod records;
/// The catalogue of Avro rules; the crate's rule catalogue reads it.
pub(crate) mod rules;
mod scalars;
mod unions;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use crate::compat::report::{Direction, Finding};
use crate::schema::avro::{AvroSchema, Digest, Kind, NamedDef, Node};
use rules::Rule;

/// Nesting through named types can exceed the text's depth (a chain of records each
/// using the previous one); past this the pair is refused instead of risking the stack.
const MAX_CHECK_DEPTH: usize = 256;

/// Findings kept per named-type pair and in the result; a schema that reuses one named
/// type many times could otherwise multiply findings exponentially.
const MAX_FINDINGS: usize = 1_000;

/// Findings recorded over a whole comparison, scratch checks included, so that the work
/// of copying findings stays bounded. The verdict does not depend on findings (every
/// check returns it), so running out only shortens the list.
const FINDING_BUDGET: usize = 50_000;

/// Findings of "can `reader` read data written with `writer`"; `direction` says which
/// one is the old version, so that messages speak of the edit (see `Checker::dir`).
pub(crate) fn compare(
    reader: &AvroSchema,
    writer: &AvroSchema,
    direction: Direction,
) -> Vec<Finding> {
    compare_with(reader, writer, direction, true)
}

/// `compare`, with the passing over of identical parts switchable so that tests can
/// hold it to the full walk's findings.
fn compare_with(
    reader: &AvroSchema,
    writer: &AvroSchema,
    dir: Direction,
    allow_skip: bool,
) -> Vec<Finding> {
    // Skipping identical parts is exact only if no part of the walk can run into the
    // depth limit: a walk skipping a named type would leave no memo entry for a deeper
    // use of it, which could then stop at the limit where the full walk reused the
    // entry. Each level of the walk descends the reader, the writer or both, so it can
    // go no deeper than their heights together.
    let skip_identical = allow_skip
        && matches!(
            (reader.check_height, writer.check_height),
            (Some(r), Some(w)) if r + w <= MAX_CHECK_DEPTH
        );
    let mut checker = Checker {
        r: reader,
        w: writer,
        // Grown on demand: when identical named types are skipped, few pairs remain.
        memo: HashMap::default(),
        budget: FINDING_BUDGET,
        skip_identical,
        dir,
    };
    let mut out = Vec::new();
    let ok = checker.check(&reader.root, &writer.root, &mut String::new(), 0, &mut out);
    if !ok && !out.iter().any(Finding::is_breaking) {
        out.push(Rule::TOO_MANY_FINDINGS.finding(
            "",
            "the schemas differ in too many places to list; the breaking ones were cut from the list",
        ));
    }
    out
}

/// The broad class of a type, which decides the rule that applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array,
    Map,
    Union,
    Record,
    Enum,
    Fixed,
}

/// Hashes the memo's index pairs (small integers the schemas' definition order
/// assigns, not attacker-chosen strings) without SipHash's cost.
#[derive(Default)]
struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

enum Memo {
    /// The pair is being checked further up: assume it reads (Java does the same), so
    /// recursive types end.
    InProgress,
    /// Findings relative to the named types' own position.
    Done {
        ok: bool,
        findings: Rc<Vec<Finding>>,
    },
}

struct Checker<'a> {
    r: &'a AvroSchema,
    w: &'a AvroSchema,
    /// (reader named index, writer named index) -> result.
    memo: HashMap<(usize, usize), Memo, BuildHasherDefault<PairHasher>>,
    /// Findings that may still be recorded (see `FINDING_BUDGET`).
    budget: usize,
    /// Whether fields and named types with equal digests may be passed over.
    skip_identical: bool,
    /// Which side is the old version. The walk decides the same either way; messages
    /// are worded as the user's edit, old -> new: under `Backward` the writer is old
    /// (Java's reader/writer words read naturally), under `Forward` the reader is old,
    /// so each message has a second wording about what changed and what readers of
    /// the old version then meet.
    dir: Direction,
}

/// Whether two parts with these digests read each other with no finding.
fn identical(r: Option<Digest>, w: Option<Digest>) -> bool {
    matches!((r, w), (Some(r), Some(w)) if r == w)
}

fn class(schema: &AvroSchema, node: &Node) -> Class {
    match &node.kind {
        Kind::Null => Class::Null,
        Kind::Boolean => Class::Boolean,
        Kind::Int => Class::Int,
        Kind::Long => Class::Long,
        Kind::Float => Class::Float,
        Kind::Double => Class::Double,
        Kind::Bytes => Class::Bytes,
        Kind::String => Class::String,
        Kind::Array(_) => Class::Array,
        Kind::Map(_) => Class::Map,
        Kind::Union(_) => Class::Union,
        Kind::Named(i) => match schema.named(*i).def {
            NamedDef::Record { .. } => Class::Record,
            NamedDef::Enum { .. } => Class::Enum,
            NamedDef::Fixed { .. } => Class::Fixed,
        },
    }
}

/// The specification's promotions, writer -> reader.
fn promotes(writer: Class, reader: Class) -> bool {
    use Class::*;
    matches!(
        (writer, reader),
        (Int, Long | Float | Double)
            | (Long, Float | Double)
            | (Float, Double)
            | (String, Bytes)
            | (Bytes, String)
    )
}

/// Appends `i` in decimal; `write!` costs more than the rest of a field's check.
fn push_index(path: &mut String, mut i: usize) {
    let mut digits = [0u8; 20];
    let mut n = digits.len();
    loop {
        n -= 1;
        digits[n] = b'0' + (i % 10) as u8;
        i /= 10;
        if i == 0 {
            break;
        }
    }
    for &d in &digits[n..] {
        path.push(char::from(d));
    }
}

/// How many leading fields two records share, from their chained prefix digests.
fn common_prefix(r: &[Digest], w: &[Digest]) -> usize {
    // Each entry covers the ones before it, so equality holds up to some length and
    // not after: binary search.
    let (mut lo, mut hi) = (0, r.len().min(w.len()));
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if r[mid] == w[mid] {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

impl Checker<'_> {
    /// Whether the reader is the old version (FORWARD): messages then name the edit
    /// from the reader to the writer.
    fn forward(&self) -> bool {
        self.dir == Direction::Forward
    }

    fn add(&mut self, out: &mut Vec<Finding>, finding: Finding) {
        if out.len() < MAX_FINDINGS && self.budget > 0 {
            self.budget -= 1;
            out.push(finding);
        }
    }

    /// Whether reader branch `r` could possibly read writer type `w`: the same class
    /// and, for named types, a matching name (otherwise Java's name check fails), or a
    /// promotion. Trying only these gives Java's "first compatible branch" without
    /// checking every record of a union against every other.
    fn candidate(&self, r: &Node, w: &Node) -> bool {
        let (rc, wc) = (class(self.r, r), class(self.w, w));
        if rc != wc {
            return promotes(wc, rc);
        }
        match (&r.kind, &w.kind) {
            (Kind::Named(ri), Kind::Named(wi)) => {
                let (rn, wn) = (self.r.named(*ri), self.w.named(*wi));
                rn.name == wn.name || rn.aliases.contains(&wn.full_name)
            }
            _ => true,
        }
    }

    /// A cheap necessary condition for `r` reading `w`, unions included.
    fn could_read(&self, r: &Node, w: &Node) -> bool {
        matches!(r.kind, Kind::Union(_)) || matches!(w.kind, Kind::Union(_)) || self.candidate(r, w)
    }

    /// Checks `r` reading `w` at reader path `path`; returns whether it reads.
    ///
    /// This and everything it recurses through keep their frames small (findings are
    /// built in separate, non-inlined functions): the stack use per nesting level is
    /// what bounds how deep a schema can be checked.
    fn check(
        &mut self,
        r: &Node,
        w: &Node,
        path: &mut String,
        depth: usize,
        out: &mut Vec<Finding>,
    ) -> bool {
        if depth > MAX_CHECK_DEPTH {
            self.too_deep(path, out);
            return false;
        }
        let (rc, wc) = (class(self.r, r), class(self.w, w));
        if rc != wc {
            return self.different_classes(r, w, path, depth, out);
        }
        match (&r.kind, &w.kind) {
            // An array's items and a map's values are checked alike, one step down.
            (Kind::Array(ri), Kind::Array(wi)) | (Kind::Map(ri), Kind::Map(wi)) => {
                self.annotations(r, w, path, out);
                let step = if matches!(r.kind, Kind::Array(_)) {
                    "/items"
                } else {
                    "/values"
                };
                let len = path.len();
                path.push_str(step);
                let ok = self.check(ri, wi, path, depth + 1, out);
                path.truncate(len);
                ok
            }
            (Kind::Union(rb), Kind::Union(wb)) => self.union_union(rb, wb, path, depth, out),
            (Kind::Named(ri), Kind::Named(wi)) => self.named_pair(*ri, *wi, path, depth, out),
            _ => {
                self.annotations(r, w, path, out);
                true
            }
        }
    }

    #[inline(never)]
    fn too_deep(&mut self, path: &str, out: &mut Vec<Finding>) {
        let f = Rule::NESTING_TOO_DEEP.finding(
            path,
            format!(
                "types nest more than {MAX_CHECK_DEPTH} levels deep (counting through named types); Schemagate does not check further"
            ),
        );
        self.add(out, f);
    }

    fn named_pair(
        &mut self,
        ri: usize,
        wi: usize,
        path: &str,
        depth: usize,
        out: &mut Vec<Finding>,
    ) -> bool {
        if self.skip_identical && identical(self.r.named(ri).digest, self.w.named(wi).digest) {
            return true;
        }
        let (ok, findings) = match self.memo.get(&(ri, wi)) {
            Some(Memo::InProgress) => return true,
            Some(Memo::Done { ok, findings }) => (*ok, Rc::clone(findings)),
            None => {
                self.memo.insert((ri, wi), Memo::InProgress);
                let (ok, findings) = self.named_fresh(ri, wi, depth);
                self.memo.insert(
                    (ri, wi),
                    Memo::Done {
                        ok,
                        findings: Rc::clone(&findings),
                    },
                );
                (ok, findings)
            }
        };
        for f in findings.iter() {
            let mut f = f.clone();
            f.path.insert_str(0, path);
            self.add(out, f);
        }
        ok
    }

    /// Checks a named pair not seen before; findings relative to the pair's position.
    fn named_fresh(&mut self, ri: usize, wi: usize, depth: usize) -> (bool, Rc<Vec<Finding>>) {
        let mut local = Vec::new();
        let (rn, wn) = (self.r.named(ri), self.w.named(wi));
        let mut ok = self.names(rn, wn, &mut local);
        self.named_meta(rn, wn, &mut local);
        ok &= match (&rn.def, &wn.def) {
            (
                NamedDef::Record {
                    fields: rf,
                    prefix_digests: rp,
                    ..
                },
                NamedDef::Record {
                    fields: wf,
                    by_name,
                    prefix_digests: wp,
                    ..
                },
            ) => {
                let same = if self.skip_identical {
                    common_prefix(rp, wp)
                } else {
                    0
                };
                self.record(rf, wf, by_name, same, depth, &mut local)
            }
            (
                NamedDef::Enum {
                    symbols: rs,
                    default: rd,
                },
                NamedDef::Enum {
                    symbols: ws,
                    default: wd,
                },
            ) => self.enumeration(rs, rd.as_deref(), ws, wd.as_deref(), &mut local),
            (NamedDef::Fixed { size: rs }, NamedDef::Fixed { size: ws }) => {
                self.fixed_size(*rs, *ws, &wn.full_name, &mut local)
            }
            // `class` put both in the same class, so the definitions match.
            _ => true,
        };
        (ok, Rc::new(local))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;
    use crate::schema::{Model, ParsedSchema, SchemaType};

    fn avro(value: &Value) -> Option<ParsedSchema> {
        ParsedSchema::parse(SchemaType::Avro, &value.to_string(), &[]).ok()
    }

    /// Every ordered pair of `schemas`: skipping identical parts must not change a
    /// single finding, their order included.
    fn assert_skip_is_invisible(schemas: &[ParsedSchema]) -> usize {
        let mut pairs = 0;
        for r in schemas {
            for w in schemas {
                let (Model::Avro(ra), Model::Avro(wa)) = (r.model(), w.model()) else {
                    continue;
                };
                assert_eq!(
                    compare_with(ra, wa, Direction::Backward, true),
                    compare_with(ra, wa, Direction::Backward, false),
                    "reader {}\nwriter {}",
                    r.canonical(),
                    w.canonical()
                );
                pairs += 1;
            }
        }
        pairs
    }

    #[test]
    fn skipping_identical_parts_keeps_every_fixture_finding() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/compat/avro");
        let mut pairs = 0;
        for entry in std::fs::read_dir(&dir).expect("fixture directory") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("fixture");
            let cases: Vec<Value> = serde_json::from_str(&text).expect("fixture cases");
            for case in cases {
                let mut schemas: Vec<ParsedSchema> = case["history"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(avro)
                    .collect();
                schemas.extend(avro(&case["new"]));
                pairs += assert_skip_is_invisible(&schemas);
            }
        }
        assert!(pairs > 200, "only {pairs} pairs compared");
    }

    /// Parts that are identical on both sides yet report something when compared,
    /// so they must never be skipped.
    #[test]
    fn identical_parts_that_report_are_still_walked() {
        let record = |fields: Value| json!({"type": "record", "name": "R", "namespace": "a", "fields": fields});
        let nested = |name: &str, ns: &str, ty: &str| {
            json!({"type": "record", "name": name, "namespace": ns,
                   "fields": [{"name": "v", "type": ty}]})
        };
        let variants = [
            // A promotion inside one union: the reader's first branch, long, reads the
            // writer's int branch.
            record(json!([{"name": "n", "type": ["long", "int"]}])),
            record(json!([{"name": "n", "type": ["long", "int"]}, {"name": "m", "type": "int"}])),
            record(json!([{"name": "s", "type": ["bytes", "string"]}])),
            // Two records with one unqualified name in a union.
            record(
                json!([{"name": "u", "type": [nested("X", "p", "int"), nested("X", "q", "int")]}]),
            ),
            record(
                json!([{"name": "u", "type": [nested("X", "p", "int"), nested("X", "q", "long")]}]),
            ),
            // A branch aliasing the other's full name.
            record(json!([{"name": "u", "type": [
                {"type": "record", "name": "Y", "aliases": ["q.Z"], "fields": [{"name": "v", "type": "int"}]},
                nested("Z", "q", "int")]}])),
            // A field alias naming another field: ambiguous even against itself.
            record(
                json!([{"name": "a", "type": "int", "aliases": ["b"]}, {"name": "b", "type": "int"}]),
            ),
            record(
                json!([{"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 1}]),
            ),
            // Recursive types, and a named type used twice.
            record(json!([{"name": "next", "type": ["null", "a.R"], "default": null}])),
            record(
                json!([{"name": "x", "type": nested("N", "a", "int")}, {"name": "y", "type": "a.N"}]),
            ),
            record(
                json!([{"name": "x", "type": nested("N", "a", "string")}, {"name": "y", "type": "a.N"}]),
            ),
            record(
                json!([{"name": "y", "type": nested("N", "a", "int")}, {"name": "x", "type": "a.N"}]),
            ),
            record(
                json!([{"name": "x", "type": {"type": "array", "items": nested("N", "a", "int")},
                           "doc": "d", "default": [], "extra": {"k": 1}}]),
            ),
            record(
                json!([{"name": "x", "type": {"type": "array", "items": nested("N", "a", "int")},
                           "doc": "e", "default": [], "extra": {"k": 2}}]),
            ),
            record(
                json!([{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}}]),
            ),
            record(
                json!([{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["B", "A"], "default": "A"}}]),
            ),
            json!(["null", nested("N", "a", "int")]),
        ];
        let schemas: Vec<ParsedSchema> = variants
            .iter()
            .map(|v| avro(v).unwrap_or_else(|| panic!("{v} parses")))
            .collect();
        assert_skip_is_invisible(&schemas);
        // The promotion inside an identical union is reported against itself.
        let Model::Avro(u) = schemas[0].model() else {
            unreachable!()
        };
        assert!(!compare(u, u, Direction::Backward).is_empty());
    }

    #[test]
    fn the_catalogue_names_the_walks_depth_limit() {
        let meaning = Rule::NESTING_TOO_DEEP.meaning();
        assert!(
            meaning.contains(&format!("{MAX_CHECK_DEPTH} levels")),
            "{meaning}"
        );
    }
}
