//! Strings, numbers and enumerations: bounds, `pattern`, `multipleOf`, integer versus
//! number, and the sets of allowed values.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::diff::{Detail, Diff, diff, old_new, push, short};
use super::rules::Kind;
use crate::schema::json::{Draft, canonical_json};

type Obj = Map<String, Value>;

/// The four change kinds of one bound keyword: added, removed, increased, decreased.
pub(super) type BoundKinds = [Kind; 4];

/// Records how the numeric keyword `keyword` changed from `a` to `b`.
pub(super) fn bound(
    path: &mut String,
    out: &mut Vec<Diff>,
    keyword: &str,
    a: Option<&Value>,
    b: Option<&Value>,
    [added, removed, increased, decreased]: BoundKinds,
) {
    let (x, y) = (a.and_then(Value::as_f64), b.and_then(Value::as_f64));
    let kind = match (x, y) {
        (None, None) => return,
        (None, Some(_)) => added,
        (Some(_), None) => removed,
        (Some(x), Some(y)) if x < y => increased,
        (Some(x), Some(y)) if x > y => decreased,
        _ => return,
    };
    let show = |v: Option<&Value>| v.map_or_else(|| "(none)".to_owned(), short);
    changed(path, out, keyword, kind, show(a), show(b));
}

/// Records `kind` at `keyword` below `path`, with the bound's old and new readings.
fn changed(
    path: &mut String,
    out: &mut Vec<Diff>,
    keyword: &str,
    kind: Kind,
    from: String,
    to: String,
) {
    let len = push(path, keyword);
    out.push(diff(path, kind, Some(Detail::change(from, to))));
    path.truncate(len);
}

/// [`bound`] for each `(keyword, kinds)` of `keywords`, read straight from `a` and `b`.
pub(super) fn bounds(
    path: &mut String,
    out: &mut Vec<Diff>,
    a: &Obj,
    b: &Obj,
    keywords: &[(&str, BoundKinds)],
) {
    for &(keyword, kinds) in keywords {
        bound(path, out, keyword, a.get(keyword), b.get(keyword), kinds);
    }
}

pub(super) fn string(path: &mut String, out: &mut Vec<Diff>, a: &Obj, b: &Obj) {
    use Kind::*;
    bounds(
        path,
        out,
        a,
        b,
        &[
            (
                "maxLength",
                [
                    MAX_LENGTH_ADDED,
                    MAX_LENGTH_REMOVED,
                    MAX_LENGTH_INCREASED,
                    MAX_LENGTH_DECREASED,
                ],
            ),
            (
                "minLength",
                [
                    MIN_LENGTH_ADDED,
                    MIN_LENGTH_REMOVED,
                    MIN_LENGTH_INCREASED,
                    MIN_LENGTH_DECREASED,
                ],
            ),
        ],
    );
    let (pa, pb) = (a.get("pattern"), b.get("pattern"));
    let kind = match (pa, pb) {
        (None, Some(_)) => Some(PATTERN_ADDED),
        (Some(_), None) => Some(PATTERN_REMOVED),
        (Some(x), Some(y)) if x != y => Some(PATTERN_CHANGED),
        _ => None,
    };
    if let Some(kind) = kind {
        let len = push(path, "pattern");
        out.push(diff(path, kind, Some(old_new(pa, pb))));
        path.truncate(len);
    }
}

/// Upper and lower limits of a number schema, with draft 4's boolean
/// `exclusiveMaximum`/`exclusiveMinimum` turned into the later numeric form.
struct Limits<'a> {
    maximum: Option<&'a Value>,
    minimum: Option<&'a Value>,
    exclusive_maximum: Option<&'a Value>,
    exclusive_minimum: Option<&'a Value>,
}

fn limits(map: &Obj, draft: Draft) -> Limits<'_> {
    let numeric = |k: &str| map.get(k).filter(|v| v.is_number());
    let mut l = Limits {
        maximum: numeric("maximum"),
        minimum: numeric("minimum"),
        exclusive_maximum: numeric("exclusiveMaximum"),
        exclusive_minimum: numeric("exclusiveMinimum"),
    };
    if draft == Draft::Draft4 {
        if map.get("exclusiveMaximum") == Some(&Value::Bool(true)) {
            l.exclusive_maximum = l.maximum.take();
        }
        if map.get("exclusiveMinimum") == Some(&Value::Bool(true)) {
            l.exclusive_minimum = l.minimum.take();
        }
    }
    l
}

/// Whether `a / b` is a positive whole number (within floating-point noise).
fn divides(b: f64, a: f64) -> bool {
    if b <= 0.0 || !a.is_finite() || !b.is_finite() {
        return false;
    }
    let ratio = a / b;
    ratio >= 1.0 - 1e-9 && (ratio - ratio.round()).abs() < 1e-9
}

pub(super) fn number(
    path: &mut String,
    out: &mut Vec<Diff>,
    (a, a_integer, a_draft): (&Obj, bool, Draft),
    (b, b_integer, b_draft): (&Obj, bool, Draft),
) {
    use Kind::*;
    if a_draft == Draft::Draft4 || b_draft == Draft::Draft4 {
        // Draft 4 moves a bound between inclusive and exclusive with a boolean; compare
        // the bound's effect instead of the keywords, or `< 10` -> `<= 10` would read
        // as "exclusiveMaximum removed, maximum added".
        effective_bounds(path, out, (a, a_draft), (b, b_draft));
    } else {
        keyword_bounds(path, out, limits(a, a_draft), limits(b, b_draft));
    }
    multiple_of(path, out, a, b);
    if a_integer != b_integer {
        let (kind, from, to) = if a_integer {
            (TYPE_EXTENDED, "integer", "number")
        } else {
            (TYPE_NARROWED, "number", "integer")
        };
        out.push(diff(path, kind, Some(Detail::change(from, to))));
    }
}

/// The tightest upper (or lower) bound of a number schema: value and exclusivity.
fn effective(map: &Obj, draft: Draft, upper: bool) -> Option<(f64, bool)> {
    let l = limits(map, draft);
    let (inc, exc) = if upper {
        (l.maximum, l.exclusive_maximum)
    } else {
        (l.minimum, l.exclusive_minimum)
    };
    let inc = inc.and_then(Value::as_f64).map(|v| (v, false));
    let exc = exc.and_then(Value::as_f64).map(|v| (v, true));
    match (inc, exc) {
        (Some(i), Some(e)) => {
            let tighter = if upper { e.0 <= i.0 } else { e.0 >= i.0 };
            Some(if tighter { e } else { i })
        }
        (i, e) => i.or(e),
    }
}

fn effective_bounds(
    path: &mut String,
    out: &mut Vec<Diff>,
    (a, ad): (&Obj, Draft),
    (b, bd): (&Obj, Draft),
) {
    use Kind::*;
    for (upper, keyword, [added, removed, increased, decreased]) in [
        (
            true,
            "maximum",
            [
                MAXIMUM_ADDED,
                MAXIMUM_REMOVED,
                MAXIMUM_INCREASED,
                MAXIMUM_DECREASED,
            ],
        ),
        (
            false,
            "minimum",
            [
                MINIMUM_ADDED,
                MINIMUM_REMOVED,
                MINIMUM_INCREASED,
                MINIMUM_DECREASED,
            ],
        ),
    ] {
        let (x, y) = (effective(a, ad, upper), effective(b, bd, upper));
        let kind = match (x, y) {
            (None, None) => continue,
            (None, Some(_)) => added,
            (Some(_), None) => removed,
            (Some((xv, xe)), Some((yv, ye))) => {
                if xv == yv && xe == ye {
                    continue;
                }
                // "Increased" as a value: the upper bound moved up or stopped being
                // exclusive; the lower bound moved up or became exclusive.
                let up = yv > xv || (yv == xv && if upper { xe && !ye } else { !xe && ye });
                if up { increased } else { decreased }
            }
        };
        let show = |v: Option<(f64, bool)>| match v {
            None => "(none)".to_owned(),
            Some((v, true)) => format!("{} {v} (exclusive)", if upper { "<" } else { ">" }),
            Some((v, false)) => format!("{} {v}", if upper { "<=" } else { ">=" }),
        };
        changed(path, out, keyword, kind, show(x), show(y));
    }
}

fn keyword_bounds(path: &mut String, out: &mut Vec<Diff>, la: Limits<'_>, lb: Limits<'_>) {
    use Kind::*;
    // exclusiveMaximum is compared with the old exclusiveMaximum (Confluent reads the new
    // `maximum` here, a slip: a lower exclusive maximum is a tightened bound).
    let table = [
        (
            "maximum",
            la.maximum,
            lb.maximum,
            [
                MAXIMUM_ADDED,
                MAXIMUM_REMOVED,
                MAXIMUM_INCREASED,
                MAXIMUM_DECREASED,
            ],
        ),
        (
            "minimum",
            la.minimum,
            lb.minimum,
            [
                MINIMUM_ADDED,
                MINIMUM_REMOVED,
                MINIMUM_INCREASED,
                MINIMUM_DECREASED,
            ],
        ),
        (
            "exclusiveMaximum",
            la.exclusive_maximum,
            lb.exclusive_maximum,
            [
                EXCLUSIVE_MAXIMUM_ADDED,
                EXCLUSIVE_MAXIMUM_REMOVED,
                EXCLUSIVE_MAXIMUM_INCREASED,
                EXCLUSIVE_MAXIMUM_DECREASED,
            ],
        ),
        (
            "exclusiveMinimum",
            la.exclusive_minimum,
            lb.exclusive_minimum,
            [
                EXCLUSIVE_MINIMUM_ADDED,
                EXCLUSIVE_MINIMUM_REMOVED,
                EXCLUSIVE_MINIMUM_INCREASED,
                EXCLUSIVE_MINIMUM_DECREASED,
            ],
        ),
    ];
    for (keyword, a, b, kinds) in table {
        bound(path, out, keyword, a, b, kinds);
    }
}

fn multiple_of(path: &mut String, out: &mut Vec<Diff>, a: &Obj, b: &Obj) {
    use Kind::*;
    let (ma, mb) = (
        a.get("multipleOf").and_then(Value::as_f64),
        b.get("multipleOf").and_then(Value::as_f64),
    );
    let kind = match (ma, mb) {
        (None, None) => None,
        (None, Some(_)) => Some(MULTIPLE_OF_ADDED),
        (Some(_), None) => Some(MULTIPLE_OF_REMOVED),
        (Some(x), Some(y)) if x == y => None,
        (Some(x), Some(y)) if divides(x, y) => Some(MULTIPLE_OF_EXPANDED),
        (Some(x), Some(y)) if divides(y, x) => Some(MULTIPLE_OF_REDUCED),
        _ => Some(MULTIPLE_OF_CHANGED),
    };
    if let Some(kind) = kind {
        let len = push(path, "multipleOf");
        out.push(diff(
            path,
            kind,
            Some(old_new(a.get("multipleOf"), b.get("multipleOf"))),
        ));
        path.truncate(len);
    }
}

/// Allowed values compared as sets (canonical text, so `{"a":1,"b":2}` equals
/// `{"b":2,"a":1}`); linear in the values, so huge enums cost little.
pub(super) fn enumeration(
    path: &mut String,
    out: &mut Vec<Diff>,
    a: &[Value],
    b: &[Value],
    keyword: &str,
) {
    let set = |values: &[Value]| -> HashSet<String> { values.iter().map(canonical_json).collect() };
    let (sa, sb) = (set(a), set(b));
    if sa == sb {
        return;
    }
    let added = sb.difference(&sa).count();
    let removed = sa.difference(&sb).count();
    let kind = if removed == 0 {
        Kind::ENUM_ARRAY_EXTENDED
    } else if added == 0 {
        Kind::ENUM_ARRAY_NARROWED
    } else {
        Kind::ENUM_ARRAY_CHANGED
    };
    let mut gone: Vec<&String> = sa.difference(&sb).collect();
    gone.sort();
    let mut new: Vec<&String> = sb.difference(&sa).collect();
    new.sort();
    let list = |v: &[&String]| {
        let shown: Vec<&str> = v.iter().take(5).map(|s| s.as_str()).collect();
        let more = if v.len() > 5 {
            format!(" and {} more", v.len() - 5)
        } else {
            String::new()
        };
        format!("{}{more}", shown.join(", "))
    };
    let detail = Detail::Values {
        original: if gone.is_empty() {
            String::new()
        } else {
            list(&gone)
        },
        update: if new.is_empty() {
            String::new()
        } else {
            list(&new)
        },
    };
    let len = push(path, keyword);
    out.push(diff(path, kind, Some(detail)));
    path.truncate(len);
}
