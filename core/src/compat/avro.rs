//! Avro schema resolution (COMPAT.md, Avro), decided the way Java's
//! `SchemaCompatibility` decides it, because that is what Confluent runs: the same six
//! incompatibility kinds at the same reader-side locations, every problem reported.
//! On top of Java's verdicts the walk also reports what changed without breaking
//! (additive and cosmetic findings), so that `bump` can tell minor from patch.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use serde_json::Value;

use super::{Finding, Severity};
use crate::schema::avro::{AvroSchema, Digest, Field, Kind, Named, NamedDef, Node, Props};

/// Nesting through named types can exceed the text's depth (a chain of records each
/// using the previous one); past this the pair is refused instead of risking the stack.
const MAX_CHECK_DEPTH: usize = 256;

/// Unread writer fields tried as the source of a rename, per missing reader field.
const MAX_RENAME_PROBES: usize = 16;

/// Findings kept per named-type pair and in the result; a schema that reuses one named
/// type many times could otherwise multiply findings exponentially.
const MAX_FINDINGS: usize = 1_000;

/// Findings recorded over a whole comparison, scratch checks included, so that the work
/// of copying findings stays bounded. The verdict does not depend on findings (every
/// check returns it), so running out only shortens the list.
const FINDING_BUDGET: usize = 50_000;

/// Findings of "can `reader` read data written with `writer`".
pub(crate) fn compare(reader: &AvroSchema, writer: &AvroSchema) -> Vec<Finding> {
    compare_with(reader, writer, true)
}

/// `compare`, with the passing over of identical parts switchable so that tests can
/// hold it to the full walk's findings.
fn compare_with(reader: &AvroSchema, writer: &AvroSchema, allow_skip: bool) -> Vec<Finding> {
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
    };
    let mut out = Vec::new();
    let ok = checker.check(&reader.root, &writer.root, &mut String::new(), 0, &mut out);
    if !ok && !out.iter().any(Finding::is_breaking) {
        out.push(Finding::breaking(
            "TOO_MANY_FINDINGS",
            "",
            "the schemas differ in too many places to list; the breaking ones were cut from the list",
            Some("fix the findings listed and check again".to_owned()),
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

/// Which writer fields a reader field reads.
enum Lookup {
    None,
    /// The writer field's index, and whether it was found through a reader alias.
    One(usize, bool),
    Many(Vec<usize>),
}

/// Java's `lookupWriterField`: by name, then by each *reader* alias (writer aliases do
/// not count); more than one hit is an error.
fn lookup_writer_field(
    i: usize,
    field: &Field,
    wf: &[Field],
    w_by_name: &HashMap<String, usize>,
) -> Lookup {
    // Most fields keep their position: skip hashing the name then.
    let direct = match wf.get(i) {
        Some(w) if w.name == field.name => Some(i),
        _ => w_by_name.get(&field.name).copied(),
    };
    if field.aliases.is_empty() {
        return direct.map_or(Lookup::None, |j| Lookup::One(j, false));
    }
    let mut hits: Vec<(usize, bool)> = direct.map(|j| (j, false)).into_iter().collect();
    for alias in &field.aliases {
        if let Some(&j) = w_by_name.get(alias)
            && !hits.iter().any(|(h, _)| *h == j)
        {
            hits.push((j, true));
        }
    }
    match hits.as_slice() {
        [] => Lookup::None,
        [(j, via_alias)] => Lookup::One(*j, *via_alias),
        many => Lookup::Many(many.iter().map(|(j, _)| *j).collect()),
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

/// Sets `path` to `/fields/{i}`.
fn field_path(path: &mut String, i: usize) {
    path.clear();
    path.push_str("/fields/");
    push_index(path, i);
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

/// `a, b, c` for messages, the first ten names and a count of the rest.
fn name_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut n = 0;
    for name in names {
        if n < 10 {
            if n > 0 {
                out.push_str(", ");
            }
            out.push_str(name);
        }
        n += 1;
    }
    if n > 10 {
        let _ = write!(out, " and {} more", n - 10);
    }
    out
}

fn additive(rule: &str, path: String, message: String) -> Finding {
    Finding::new(rule, Severity::Additive, path, message, None)
}

fn cosmetic(rule: &str, path: String, message: String) -> Finding {
    Finding::new(rule, Severity::Cosmetic, path, message, None)
}

impl Checker<'_> {
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
            (Kind::Array(ri), Kind::Array(wi)) => {
                self.annotations(r, w, path, out);
                let len = path.len();
                path.push_str("/items");
                let ok = self.check(ri, wi, path, depth + 1, out);
                path.truncate(len);
                ok
            }
            (Kind::Map(rv), Kind::Map(wv)) => {
                self.annotations(r, w, path, out);
                let len = path.len();
                path.push_str("/values");
                let ok = self.check(rv, wv, path, depth + 1, out);
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

    fn different_classes(
        &mut self,
        r: &Node,
        w: &Node,
        path: &mut String,
        depth: usize,
        out: &mut Vec<Finding>,
    ) -> bool {
        if let Kind::Union(wb) = &w.kind {
            // COMPAT: the specification resolves a writer union per datum (only the
            // branch actually written must be readable, else it is an error at read
            // time); Java's static check, which Confluent runs, wants every branch
            // readable, so ["null","string"] -> "string" is incompatible.
            let mut ok = true;
            for (j, branch) in wb.iter().enumerate() {
                let start = out.len();
                ok &= self.check(r, branch, path, depth + 1, out);
                self.name_writer_branch(&mut out[start..], j, branch);
            }
            ok
        } else if let Kind::Union(rb) = &r.kind {
            match self.reader_branch(rb, w, path, depth, out) {
                Some(i) => {
                    self.widened(r, w, i, path, out);
                    true
                }
                None => {
                    let finding = self.missing_branch(rb, w, path, depth);
                    self.add(out, finding);
                    false
                }
            }
        } else if promotes(class(self.w, w), class(self.r, r)) {
            self.promoted(r, w, path, out);
            true
        } else {
            self.mismatch(r, w, path, out);
            false
        }
    }

    #[inline(never)]
    fn too_deep(&mut self, path: &str, out: &mut Vec<Finding>) {
        let f = Finding::breaking(
            "NESTING_TOO_DEEP",
            path,
            format!(
                "types nest more than {MAX_CHECK_DEPTH} levels deep (counting through named types); Schemagate does not check further"
            ),
            Some("flatten the schema: so deep a nesting is almost certainly unintended".to_owned()),
        );
        self.add(out, f);
    }

    #[inline(never)]
    fn name_writer_branch(&self, findings: &mut [Finding], j: usize, branch: &Node) {
        for f in findings.iter_mut().filter(|f| f.is_breaking()) {
            f.message.push_str(&format!(
                " (the writer's union branch {j}, {})",
                self.w.describe(branch)
            ));
        }
    }

    #[inline(never)]
    fn widened(&mut self, r: &Node, w: &Node, i: usize, path: &str, out: &mut Vec<Finding>) {
        let f = additive(
            "TYPE_WIDENED_TO_UNION",
            path.to_owned(),
            format!(
                "writer type {} is read by branch {i} of the reader's {}",
                self.w.describe(w),
                self.r.describe(r)
            ),
        );
        self.add(out, f);
    }

    #[inline(never)]
    fn promoted(&mut self, r: &Node, w: &Node, path: &str, out: &mut Vec<Finding>) {
        let f = additive(
            "TYPE_PROMOTED",
            path.to_owned(),
            format!(
                "writer type {} is promoted to reader type {}",
                self.w.describe(w),
                self.r.describe(r)
            ),
        );
        self.add(out, f);
    }

    #[inline(never)]
    fn mismatch(&mut self, r: &Node, w: &Node, path: &str, out: &mut Vec<Finding>) {
        let (wd, rd) = (self.w.describe(w), self.r.describe(r));
        let hint = if promotes(class(self.r, r), class(self.w, w)) {
            format!(
                "{wd} -> {rd} narrows; keep {wd}, or add a new field of the new type with a default and stop writing this one"
            )
        } else {
            format!(
                "keep {wd}; to change a field's type add a new field with a default and stop writing the old one"
            )
        };
        let f = Finding::breaking(
            "TYPE_MISMATCH",
            path,
            format!("writer type {wd} cannot be read as reader type {rd}"),
            Some(hint),
        );
        self.add(out, f);
    }

    /// The first reader branch that reads `w` (Java's choice); its non-breaking
    /// findings go to `out`.
    fn reader_branch(
        &mut self,
        rb: &[Node],
        w: &Node,
        path: &mut String,
        depth: usize,
        out: &mut Vec<Finding>,
    ) -> Option<usize> {
        for (i, branch) in rb.iter().enumerate() {
            if !self.candidate(branch, w) {
                continue;
            }
            let mut tmp = Vec::new();
            let len = path.len();
            path.push('/');
            push_index(path, i);
            let ok = self.check(branch, w, path, depth + 1, &mut tmp);
            path.truncate(len);
            if ok {
                for f in tmp {
                    self.add(out, f);
                }
                return Some(i);
            }
        }
        None
    }

    /// MISSING_UNION_BRANCH for writer type `w`, with the nearest reader branch's
    /// problem in the hint (Java reports only the missing branch).
    fn missing_branch(
        &mut self,
        rb: &[Node],
        w: &Node,
        path: &mut String,
        depth: usize,
    ) -> Finding {
        let at = path.clone();
        let wc = class(self.w, w);
        let near = rb
            .iter()
            .enumerate()
            .find(|(_, b)| self.candidate(b, w) && class(self.r, b) == wc);
        let mut hint = format!("add {} to the reader's union", self.w.describe(w));
        if let Some((i, branch)) = near {
            let mut tmp = Vec::new();
            let len = path.len();
            let _ = write!(path, "/{i}");
            self.check(branch, w, path, depth + 1, &mut tmp);
            path.truncate(len);
            if let Some(f) = tmp.iter().find(|f| f.is_breaking()) {
                hint = format!(
                    "branch {i} ({}) comes closest but {} at {}; fix that, or {hint}",
                    self.r.describe(branch),
                    f.message,
                    f.path
                );
            }
        }
        Finding::breaking(
            "MISSING_UNION_BRANCH",
            at,
            format!(
                "the reader's {} has no branch that reads writer type {}",
                self.r.describe_short(rb),
                self.w.describe(w)
            ),
            Some(hint),
        )
    }

    fn union_union(
        &mut self,
        rb: &[Node],
        wb: &[Node],
        path: &mut String,
        depth: usize,
        out: &mut Vec<Finding>,
    ) -> bool {
        let mut ok = true;
        let mut used = vec![false; rb.len()];
        for (j, branch) in wb.iter().enumerate() {
            match self.reader_branch(rb, branch, path, depth, out) {
                Some(i) => used[i] = true,
                None => {
                    ok = false;
                    // Java locates it at the writer's branch index under the reader's path.
                    let len = path.len();
                    let _ = write!(path, "/{j}");
                    let mut f = self.missing_branch(rb, branch, path, depth);
                    path.truncate(len);
                    f.message
                        .push_str(&format!(" (the writer's union branch {j})"));
                    self.add(out, f);
                }
            }
        }
        for (i, b) in rb.iter().enumerate().filter(|(i, _)| !used[*i]) {
            let f = additive(
                "UNION_BRANCH_ADDED",
                format!("{path}/{i}"),
                format!(
                    "reader union branch {i} ({}) is not in the writer's union",
                    self.r.describe(b)
                ),
            );
            self.add(out, f);
        }
        ok
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

    #[inline(never)]
    fn fixed_size(&mut self, rs: u64, ws: u64, name: &str, out: &mut Vec<Finding>) -> bool {
        if rs == ws {
            return true;
        }
        let f = Finding::breaking(
            "FIXED_SIZE_MISMATCH",
            "/size",
            format!("fixed {name} has size {ws} in the writer but {rs} in the reader"),
            Some(format!(
                "keep size {ws}: fixed values carry no length, so another size cannot be read; use a new fixed type in a new field instead"
            )),
        );
        self.add(out, f);
        false
    }

    /// Java's `checkSchemaNames`: unqualified names equal, or a reader alias names the
    /// writer's full name. A namespace-only change therefore reads.
    fn names(&mut self, rn: &Named, wn: &Named, out: &mut Vec<Finding>) -> bool {
        if rn.name == wn.name {
            if rn.full_name != wn.full_name {
                self.add(
                    out,
                    additive(
                        "NAMESPACE_CHANGED",
                        "/name".to_owned(),
                        format!("namespace changed: writer {}, reader {} (Avro resolution compares unqualified names, so data still reads; generated classes move)", wn.full_name, rn.full_name),
                    ),
                );
            }
            true
        } else if rn.aliases.contains(&wn.full_name) {
            self.add(
                out,
                additive(
                    "NAME_CHANGED_WITH_ALIAS",
                    "/name".to_owned(),
                    format!("{} reads {} through its alias", rn.full_name, wn.full_name),
                ),
            );
            true
        } else {
            let f = Finding::breaking(
                "NAME_MISMATCH",
                "/name",
                format!(
                    "writer's type is named {}, the reader's {}",
                    wn.full_name, rn.full_name
                ),
                Some(format!(
                    "keep the name {}, or add `aliases: [\"{}\"]` to the reader's type",
                    wn.name, wn.full_name
                )),
            );
            self.add(out, f);
            false
        }
    }

    /// Docs, aliases, custom attributes and logical types of a named type.
    fn named_meta(&mut self, rn: &Named, wn: &Named, out: &mut Vec<Finding>) {
        if rn.doc != wn.doc {
            self.add(
                out,
                cosmetic(
                    "DOC_CHANGED",
                    "/doc".to_owned(),
                    format!("doc of {} changed", rn.full_name),
                ),
            );
        }
        if rn.aliases != wn.aliases {
            self.add(
                out,
                cosmetic(
                    "ALIASES_CHANGED",
                    "/aliases".to_owned(),
                    format!("aliases of {} changed", rn.full_name),
                ),
            );
        }
        if !rn.props.is_empty() || !wn.props.is_empty() {
            self.props(&rn.props, &wn.props, "", out);
        }
    }

    /// Logical type and custom attributes of anonymous types.
    fn annotations(&mut self, r: &Node, w: &Node, path: &str, out: &mut Vec<Finding>) {
        if !r.props.is_empty() || !w.props.is_empty() {
            self.props(&r.props, &w.props, path, out);
        }
    }

    /// Attribute differences: logical-type ones change what values mean (additive);
    /// others are cosmetic. COMPAT: Java's resolution ignores logical types, so
    /// decimal precision or millis -> micros changes read; we flag them, never refuse.
    fn props(&mut self, rp: &Props, wp: &Props, path: &str, out: &mut Vec<Finding>) {
        let keys: std::collections::BTreeSet<&String> = rp.keys().chain(wp.keys()).collect();
        for key in keys {
            let (a, b) = (wp.get(key), rp.get(key));
            if a == b {
                continue;
            }
            let show = |v: Option<&Value>| v.map_or_else(|| "absent".to_owned(), Value::to_string);
            let at = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
            let message = format!("{key} changed: writer {}, reader {}", show(a), show(b));
            let f = if matches!(key.as_str(), "logicalType" | "precision" | "scale") {
                additive("LOGICAL_TYPE_CHANGED", at, message)
            } else {
                cosmetic("ATTRIBUTE_CHANGED", at, message)
            };
            self.add(out, f);
        }
    }

    /// Reads writer fields `wf` with reader fields `rf`; the first `same` fields are
    /// known identical on both sides and to read with no finding.
    fn record(
        &mut self,
        rf: &[Field],
        wf: &[Field],
        w_by_name: &HashMap<String, usize>,
        same: usize,
        depth: usize,
        out: &mut Vec<Finding>,
    ) -> bool {
        let mut ok = true;
        let mut used = vec![false; wf.len()];
        used[..same].fill(true);
        let mut missing = Vec::new();
        let mut defaulted = Vec::new();
        let mut last = same.checked_sub(1);
        let mut reordered = false;
        // Writer fields read by a reader field of the same name. Once all are, a reader
        // field without aliases can match none (names are unique on both sides), and
        // hashing its name is spared.
        let mut by_own_name = same;
        // Allocated only when a field has to be compared.
        let mut path = String::new();
        for (i, field) in rf.iter().enumerate().skip(same) {
            // What `lookup_writer_field` and the checks below would find for an
            // unchanged field in its old position: the writer field at `i`, nothing to
            // report.
            if self.skip_identical
                && field.aliases.is_empty()
                && wf.get(i).is_some_and(|w| identical(field.digest, w.digest))
            {
                used[i] = true;
                reordered |= last.is_some_and(|l| l > i);
                last = Some(i);
                by_own_name += 1;
                continue;
            }
            let lookup = if by_own_name == wf.len() && field.aliases.is_empty() {
                Lookup::None
            } else {
                lookup_writer_field(i, field, wf, w_by_name)
            };
            match lookup {
                Lookup::None if field.default.is_none() => missing.push(i),
                Lookup::None => defaulted.push(i),
                Lookup::One(j, via_alias) => {
                    used[j] = true;
                    reordered |= last.is_some_and(|l| l > j);
                    last = Some(j);
                    by_own_name += usize::from(!via_alias);
                    let w = &wf[j];
                    field_path(&mut path, i);
                    self.field_meta(field, w, via_alias, &path, out);
                    path.push_str("/type");
                    ok &= self.check(&field.ty, &w.ty, &mut path, depth + 1, out);
                }
                Lookup::Many(hits) => {
                    ok = false;
                    field_path(&mut path, i);
                    self.ambiguous(field, &hits, wf, path.clone(), out);
                }
            }
        }
        self.defaulted(rf, &defaulted, out);
        ok &= self.missing_fields(rf, wf, &missing, &used, depth, out);
        self.ignored_fields(wf, &used, reordered, out);
        ok
    }

    /// One finding for all reader fields that take their defaults.
    #[inline(never)]
    fn defaulted(&mut self, rf: &[Field], defaulted: &[usize], out: &mut Vec<Finding>) {
        let path = match defaulted {
            [] => return,
            [i] => format!("/fields/{i}"),
            _ => "/fields".to_owned(),
        };
        let names = name_list(defaulted.iter().map(|&i| rf[i].name.as_str()));
        let f = additive(
            "READER_FIELD_DEFAULTED",
            path,
            format!("reader fields not in the writer; readers fill in their defaults: {names}"),
        );
        self.add(out, f);
    }

    #[inline(never)]
    fn ambiguous(
        &mut self,
        field: &Field,
        hits: &[usize],
        wf: &[Field],
        at: String,
        out: &mut Vec<Finding>,
    ) {
        let names: Vec<&str> = hits.iter().map(|j| wf[*j].name.as_str()).collect();
        let f = Finding::breaking(
            "AMBIGUOUS_READER_FIELD",
            at,
            format!(
                "reader field {:?} matches several writer fields by name and alias: {}",
                field.name,
                names.join(", ")
            ),
            Some("drop the alias that names another writer field".to_owned()),
        );
        self.add(out, f);
    }

    /// READER_FIELD_MISSING_DEFAULT_VALUE for each reader field the writer lacks, with
    /// a rename hint when an unread writer field of a readable type is left over.
    #[inline(never)]
    fn missing_fields(
        &mut self,
        rf: &[Field],
        wf: &[Field],
        missing: &[usize],
        used: &[bool],
        depth: usize,
        out: &mut Vec<Finding>,
    ) -> bool {
        for &i in missing {
            let field = &rf[i];
            // Bounded: a record whose fields were all renamed would otherwise cost
            // missing x unread checks.
            let probes: Vec<usize> = (0..wf.len())
                .filter(|&j| !used[j] && self.could_read(&field.ty, &wf[j].ty))
                .take(MAX_RENAME_PROBES)
                .collect();
            let rename = probes.into_iter().find(|&j| {
                let mut scratch = Vec::new();
                self.check(
                    &field.ty,
                    &wf[j].ty,
                    &mut String::new(),
                    depth + 1,
                    &mut scratch,
                )
            });
            let hint = match rename {
                Some(j) => format!(
                    "looks like a rename of {0} to {1}: add `aliases: [\"{0}\"]` to {1}",
                    wf[j].name, field.name
                ),
                None => format!(
                    "add a default to {:?} (for a nullable field: type [\"null\", ...] with \"default\": null)",
                    field.name
                ),
            };
            let f = Finding::breaking(
                "READER_FIELD_MISSING_DEFAULT_VALUE",
                format!("/fields/{i}"),
                format!(
                    "reader field {:?} ({}) is not in the writer and has no default",
                    field.name,
                    self.r.describe(&field.ty)
                ),
                Some(hint),
            );
            self.add(out, f);
        }
        missing.is_empty()
    }

    #[inline(never)]
    fn ignored_fields(
        &mut self,
        wf: &[Field],
        used: &[bool],
        reordered: bool,
        out: &mut Vec<Finding>,
    ) {
        if used.iter().any(|u| !u) {
            let names = name_list(
                wf.iter()
                    .zip(used)
                    .filter(|(_, u)| !**u)
                    .map(|(w, _)| w.name.as_str()),
            );
            let f = additive(
                "WRITER_FIELD_IGNORED",
                "/fields".to_owned(),
                format!("writer fields not in the reader; their data is skipped: {names}"),
            );
            self.add(out, f);
        }
        if reordered {
            self.add(
                out,
                cosmetic(
                    "FIELD_ORDER_CHANGED",
                    "/fields".to_owned(),
                    "fields are in a different order (resolution is by name)".to_owned(),
                ),
            );
        }
    }

    fn field_meta(
        &mut self,
        r: &Field,
        w: &Field,
        via_alias: bool,
        at: &str,
        out: &mut Vec<Finding>,
    ) {
        if via_alias {
            self.add(
                out,
                additive(
                    "FIELD_RENAMED_WITH_ALIAS",
                    at.to_owned(),
                    format!(
                        "reader field {:?} reads writer field {:?} through its alias",
                        r.name, w.name
                    ),
                ),
            );
        }
        if r.default != w.default {
            self.add(
                out,
                additive(
                    "FIELD_DEFAULT_CHANGED",
                    format!("{at}/default"),
                    format!(
                        "default of field {:?} changed: writer {}, reader {}",
                        r.name,
                        w.default
                            .as_ref()
                            .map_or_else(|| "none".to_owned(), Value::to_string),
                        r.default
                            .as_ref()
                            .map_or_else(|| "none".to_owned(), Value::to_string)
                    ),
                ),
            );
        }
        if r.doc != w.doc {
            self.add(
                out,
                cosmetic(
                    "DOC_CHANGED",
                    format!("{at}/doc"),
                    format!("doc of field {:?} changed", r.name),
                ),
            );
        }
        if r.aliases != w.aliases && !via_alias {
            self.add(
                out,
                cosmetic(
                    "ALIASES_CHANGED",
                    format!("{at}/aliases"),
                    format!("aliases of field {:?} changed", r.name),
                ),
            );
        }
        if !r.props.is_empty() || !w.props.is_empty() {
            self.props(&r.props, &w.props, at, out);
        }
    }

    fn enumeration(
        &mut self,
        rs: &[String],
        rd: Option<&str>,
        ws: &[String],
        wd: Option<&str>,
        out: &mut Vec<Finding>,
    ) -> bool {
        if rs == ws {
            if rd != wd {
                self.enum_default_changed(rd, wd, out);
            }
            return true;
        }
        let reader: HashSet<&str> = rs.iter().map(String::as_str).collect();
        let writer: HashSet<&str> = ws.iter().map(String::as_str).collect();
        // Sorted, as Java's TreeSet lists them.
        let mut lacking: Vec<&str> = ws
            .iter()
            .map(String::as_str)
            .filter(|s| !reader.contains(s))
            .collect();
        lacking.sort_unstable();
        let mut ok = true;
        if !lacking.is_empty() {
            match rd {
                Some(default) => {
                    let f = additive(
                        "ENUM_SYMBOLS_READ_AS_DEFAULT",
                        "/symbols".to_owned(),
                        format!(
                            "writer symbols [{}] are read as the reader's default {default:?}",
                            lacking.join(", ")
                        ),
                    );
                    self.add(out, f);
                }
                None => {
                    ok = false;
                    let f = Finding::breaking(
                        "MISSING_ENUM_SYMBOLS",
                        "/symbols",
                        format!(
                            "the reader's enum lacks writer symbols [{}]",
                            lacking.join(", ")
                        ),
                        Some(format!(
                            "keep the symbols [{}] (deprecate them in the doc instead of removing), or give the reader's enum a \"default\" symbol",
                            lacking.join(", ")
                        )),
                    );
                    self.add(out, f);
                }
            }
        }
        let added: Vec<&str> = rs
            .iter()
            .map(String::as_str)
            .filter(|s| !writer.contains(s))
            .collect();
        if !added.is_empty() {
            let f = additive(
                "ENUM_SYMBOLS_ADDED",
                "/symbols".to_owned(),
                format!(
                    "the reader's enum has symbols the writer lacks: [{}]",
                    added.join(", ")
                ),
            );
            self.add(out, f);
        }
        if rd != wd {
            self.enum_default_changed(rd, wd, out);
        }
        if lacking.is_empty() && added.is_empty() && rs != ws {
            self.add(
                out,
                cosmetic(
                    "ENUM_SYMBOL_ORDER_CHANGED",
                    "/symbols".to_owned(),
                    "enum symbols are in a different order".to_owned(),
                ),
            );
        }
        ok
    }
}

impl Checker<'_> {
    fn enum_default_changed(&mut self, rd: Option<&str>, wd: Option<&str>, out: &mut Vec<Finding>) {
        let f = additive(
            "ENUM_DEFAULT_CHANGED",
            "/default".to_owned(),
            format!("enum default changed: writer {wd:?}, reader {rd:?}"),
        );
        self.add(out, f);
    }
}

impl AvroSchema {
    /// `union [a, b]` for messages about a union given by its branches.
    fn describe_short(&self, branches: &[Node]) -> String {
        let names: Vec<String> = branches.iter().map(|b| self.describe(b)).collect();
        format!("union [{}]", names.join(", "))
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
                    compare_with(ra, wa, true),
                    compare_with(ra, wa, false),
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
        assert!(!compare(u, u).is_empty());
    }
}
