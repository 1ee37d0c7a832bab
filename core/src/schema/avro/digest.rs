//! Structural digests of named types and record fields, computed once at parse time so
//! that the compatibility walk can pass over a field or named type that is the same on
//! both sides without comparing its names, docs, defaults and types again.
//!
//! A digest is only given to a type whose comparison with an identical copy is known
//! to read with no finding at all, and that check leaves no trace (no failing trial of
//! a union branch, no memo entry with findings). Types whose expansion is infinite
//! (recursive types, and every type that uses one) get none: their equality cannot be
//! decided by hashing a finite tree, and the walk's memo already handles them.
//!
//! The hash is SHA-256, not a fast 64- or 128-bit hash: equal digests make the checker
//! skip a comparison, so a collision someone could construct would let an
//! incompatible schema through.

use std::collections::HashSet;

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::model::{Digest, Field, Kind, Named, NamedDef, Node, Props};

/// Fills in the digests of `named` and of their fields; returns how many nesting levels
/// a compatibility walk can descend from `root` (named types expanded), or `None` when
/// `root` reaches a recursive type.
pub(crate) fn annotate(named: &mut [Named], root: &Node) -> Option<usize> {
    let order = post_order(named);
    let mut done: Vec<Option<Done>> = vec![None; named.len()];
    let mut field_digests: Vec<Vec<Option<Digest>>> = vec![Vec::new(); named.len()];
    for &(i, cyclic) in &order {
        if cyclic {
            continue;
        }
        let (result, fields) = named_digest(named, &done, &named[i]);
        done[i] = Some(result);
        field_digests[i] = fields;
    }
    for (i, n) in named.iter_mut().enumerate() {
        n.digest = done[i].and_then(|d| d.digest);
        if let NamedDef::Record {
            fields,
            prefix_digests,
            ..
        } = &mut n.def
        {
            for (field, digest) in fields.iter_mut().zip(&field_digests[i]) {
                field.digest = *digest;
            }
            *prefix_digests = prefix_chain(fields);
        }
    }
    let mut sink = Sha256::new();
    node(named, &done, root, &mut sink).map(|(_, height)| height)
}

/// What is known of a named type that does not reach a recursive one.
#[derive(Clone, Copy)]
struct Done {
    /// `Some` when comparing the type with an identical copy finds nothing.
    digest: Option<Digest>,
    /// Check levels the type spans: itself, then its deepest field type.
    height: usize,
}

/// Named types in an order where every type comes after the ones it uses, each with
/// whether it reaches a cycle. Iterative: a chain of references can be far longer than
/// the stack allows recursion.
fn post_order(named: &[Named]) -> Vec<(usize, bool)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        New,
        Open,
        Closed,
    }
    let uses: Vec<Vec<usize>> = named.iter().map(used_types).collect();
    let mut colour = vec![Colour::New; named.len()];
    let mut cyclic = vec![false; named.len()];
    let mut order = Vec::with_capacity(named.len());
    // (type, next of its uses to visit)
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in 0..named.len() {
        if colour[start] != Colour::New {
            continue;
        }
        colour[start] = Colour::Open;
        stack.push((start, 0));
        while let Some(top) = stack.last_mut() {
            let i = top.0;
            if let Some(&j) = uses[i].get(top.1) {
                top.1 += 1;
                match colour[j] {
                    Colour::New => {
                        colour[j] = Colour::Open;
                        stack.push((j, 0));
                    }
                    // An open type is on the path to `i`: `i` closes a cycle.
                    Colour::Open => cyclic[i] = true,
                    Colour::Closed => cyclic[i] |= cyclic[j],
                }
            } else {
                stack.pop();
                colour[i] = Colour::Closed;
                order.push((i, cyclic[i]));
                if let Some(&(parent, _)) = stack.last() {
                    cyclic[parent] |= cyclic[i];
                }
            }
        }
    }
    order
}

/// Chained digests of the leading fields that can be skipped one by one (see
/// `NamedDef::Record::prefix_digests`); each entry covers the previous one, so equal
/// entries at `k` mean equal fields at every index up to `k`.
fn prefix_chain(fields: &[Field]) -> Vec<Digest> {
    let mut chain: Vec<Digest> = Vec::new();
    for field in fields {
        let Some(digest) = field.digest.filter(|_| field.aliases.is_empty()) else {
            break;
        };
        let mut h = Sha256::new();
        h.update(b"P");
        h.update(chain.last().map_or([0; 32], |d| d.0));
        h.update(digest.0);
        chain.push(Digest(h.finalize().into()));
    }
    chain
}

/// The named types a definition refers to directly (not through other named types).
fn used_types(named: &Named) -> Vec<usize> {
    fn walk(node: &Node, out: &mut Vec<usize>) {
        match &node.kind {
            Kind::Array(inner) | Kind::Map(inner) => walk(inner, out),
            Kind::Union(branches) => branches.iter().for_each(|b| walk(b, out)),
            Kind::Named(i) => out.push(*i),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let NamedDef::Record { fields, .. } = &named.def {
        for field in fields {
            walk(&field.ty, &mut out);
        }
    }
    out
}

/// The digest of a named type whose uses all have theirs, and its fields' digests.
fn named_digest(named: &[Named], done: &[Option<Done>], n: &Named) -> (Done, Vec<Option<Digest>>) {
    let mut h = Sha256::new();
    h.update(b"N");
    text(&mut h, &n.full_name);
    text(&mut h, &n.name);
    texts(&mut h, &n.aliases);
    optional_text(&mut h, n.doc.as_deref());
    optional_text(&mut h, n.logical.as_deref());
    props(&mut h, &n.props);
    let mut clean = true;
    let mut height = 1;
    let mut field_digests = Vec::new();
    match &n.def {
        NamedDef::Record {
            fields,
            error,
            by_name,
            ..
        } => {
            h.update(if *error { b"E" } else { b"R" });
            count(&mut h, fields.len());
            for field in fields {
                let mut fh = Sha256::new();
                fh.update(b"F");
                text(&mut fh, &field.name);
                texts(&mut fh, &field.aliases);
                optional_text(&mut fh, field.doc.as_deref());
                match &field.default {
                    Some(v) => {
                        fh.update(b"1");
                        value(&mut fh, v);
                    }
                    None => fh.update(b"0"),
                }
                props(&mut fh, &field.props);
                // Every named type used here comes earlier in the post-order.
                let (field_clean, field_height) =
                    node(named, done, &field.ty, &mut fh).unwrap_or((false, 0));
                height = height.max(1 + field_height);
                let digest = field_clean.then(|| Digest(fh.finalize().into()));
                match digest {
                    Some(d) => h.update(d.0),
                    None => clean = false,
                }
                field_digests.push(digest);
            }
            // A reader field whose alias names another field of its record matches two
            // writer fields, even in an identical writer.
            clean &= fields.iter().all(|f| {
                f.aliases
                    .iter()
                    .all(|a| *a == f.name || !by_name.contains_key(a))
            });
        }
        NamedDef::Enum { symbols, default } => {
            h.update(b"M");
            texts(&mut h, symbols);
            optional_text(&mut h, default.as_deref());
        }
        NamedDef::Fixed { size } => {
            h.update(b"X");
            h.update(size.to_le_bytes());
        }
    }
    let digest = clean.then(|| Digest(h.finalize().into()));
    (Done { digest, height }, field_digests)
}

/// Feeds an anonymous type's structure into `h`; returns whether comparing it with an
/// identical copy finds nothing, and the check levels it spans, or `None` if it uses a
/// recursive type.
fn node(named: &[Named], done: &[Option<Done>], n: &Node, h: &mut Sha256) -> Option<(bool, usize)> {
    optional_text(h, n.logical.as_deref());
    props(h, &n.props);
    match &n.kind {
        Kind::Array(inner) | Kind::Map(inner) => {
            h.update(if matches!(n.kind, Kind::Array(_)) {
                b"a"
            } else {
                b"m"
            });
            let (clean, height) = node(named, done, inner, h)?;
            Some((clean, height + 1))
        }
        Kind::Union(branches) => {
            h.update(b"u");
            count(h, branches.len());
            let mut clean = union_picks_own_branches(named, branches);
            let mut height = 0;
            for b in branches {
                let (c, hb) = node(named, done, b, h)?;
                clean &= c;
                height = height.max(hb);
            }
            Some((clean, height + 1))
        }
        Kind::Named(i) => {
            let d = done.get(*i).copied().flatten()?;
            h.update(b"n");
            match d.digest {
                Some(digest) => {
                    h.update(digest.0);
                    Some((true, d.height))
                }
                None => Some((false, d.height)),
            }
        }
        primitive => {
            h.update(b"p");
            h.update(primitive.primitive_name().unwrap_or("?").as_bytes());
            Some((true, 1))
        }
    }
}

/// Whether, reading a union with an identical one, each writer branch is read by its own
/// reader branch with no earlier branch tried: the walk takes the first reader branch
/// that is a candidate (a promotion, or a named type of the same unqualified name or
/// aliasing the writer's), and a trial of another branch may add findings or fail.
/// Conservative: any pair that could be a candidate in either order counts.
fn union_picks_own_branches(named: &[Named], branches: &[Node]) -> bool {
    let (mut numeric, mut text_like) = (0, 0);
    let mut named_branches: Vec<&Named> = Vec::new();
    for b in branches {
        match &b.kind {
            Kind::Int | Kind::Long | Kind::Float | Kind::Double => numeric += 1,
            Kind::String | Kind::Bytes => text_like += 1,
            Kind::Named(i) => match named.get(*i) {
                Some(n) => named_branches.push(n),
                None => return false,
            },
            _ => {}
        }
    }
    if numeric > 1 || text_like > 1 {
        return false;
    }
    if named_branches.len() < 2 {
        return true;
    }
    let mut names = HashSet::with_capacity(named_branches.len());
    let mut full_names = HashSet::with_capacity(named_branches.len());
    for n in &named_branches {
        if !names.insert(n.name.as_str()) {
            return false;
        }
        full_names.insert(n.full_name.as_str());
    }
    named_branches.iter().all(|n| {
        n.aliases
            .iter()
            .all(|a| *a == n.full_name || !full_names.contains(a.as_str()))
    })
}

fn count(h: &mut Sha256, n: usize) {
    h.update((n as u64).to_le_bytes());
}

fn text(h: &mut Sha256, s: &str) {
    count(h, s.len());
    h.update(s.as_bytes());
}

fn texts(h: &mut Sha256, list: &[String]) {
    count(h, list.len());
    for s in list {
        text(h, s);
    }
}

fn optional_text(h: &mut Sha256, s: Option<&str>) {
    match s {
        Some(s) => {
            h.update(b"1");
            text(h, s);
        }
        None => h.update(b"0"),
    }
}

fn props(h: &mut Sha256, props: &Props) {
    count(h, props.len());
    for (k, v) in props {
        text(h, k);
        value(h, v);
    }
}

/// Unequal values never feed the same bytes; equal ones nearly always do (keys are
/// sorted whatever order serde_json keeps them in).
fn value(h: &mut Sha256, v: &Value) {
    match v {
        Value::Null => h.update(b"n"),
        Value::Bool(b) => h.update(if *b { b"t" } else { b"f" }),
        Value::Number(n) => {
            h.update(b"d");
            text(h, &n.to_string());
        }
        Value::String(s) => {
            h.update(b"s");
            text(h, s);
        }
        Value::Array(items) => {
            h.update(b"a");
            count(h, items.len());
            items.iter().for_each(|item| value(h, item));
        }
        Value::Object(map) => {
            h.update(b"o");
            count(h, map.len());
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            for k in keys {
                text(h, k);
                value(h, &map[k]);
            }
        }
    }
}
