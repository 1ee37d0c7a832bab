//! allOf / anyOf / oneOf against each other: the criterion change (with Confluent's
//! singleton rules), the number of subschemas, and a maximum matching between old and
//! new subschemas where an edge means "compatible".

use std::collections::HashSet;

use super::Walker;
use super::diff::{Detail, Diff, diff};
use super::rules::Kind;
use super::shape::{Crit, Part};
use crate::schema::json::canonical_json;

/// Collapses duplicate subschemas (`allOf: [A, A]` is `allOf: [A]`), keeping order.
fn dedupe<'a>(parts: &[Part<'a>]) -> Vec<Part<'a>> {
    if parts.len() <= 16 {
        // Few branches (the usual case): pairwise equality, no allocation per branch.
        let mut kept: Vec<Part<'a>> = Vec::with_capacity(parts.len());
        for p in parts {
            if !kept
                .iter()
                .any(|k| k.view == p.view && k.node.value == p.node.value)
            {
                kept.push(*p);
            }
        }
        return kept;
    }
    let mut seen = HashSet::new();
    parts
        .iter()
        .filter(|p| seen.insert((canonical_json(p.node.value), p.view)))
        .copied()
        .collect()
}

/// Kuhn's augmenting paths: the largest set of (old, new) pairs, each used once.
fn maximum_matching(edges: &[Vec<usize>], right: usize) -> Vec<Option<usize>> {
    fn augment(
        left: usize,
        edges: &[Vec<usize>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for &r in &edges[left] {
            if seen[r] {
                continue;
            }
            seen[r] = true;
            if owner[r].is_none_or(|l| augment(l, edges, seen, owner)) {
                owner[r] = Some(left);
                return true;
            }
        }
        false
    }
    let mut owner = vec![None; right];
    for left in 0..edges.len() {
        let mut seen = vec![false; right];
        augment(left, edges, &mut seen, &mut owner);
    }
    owner
}

impl<'a> Walker<'a> {
    pub(super) fn combined(
        &self,
        path: &mut String,
        out: &mut Vec<Diff>,
        (o_crit, o_kw, o_subs): (Crit, Option<&'static str>, &[Part<'a>]),
        (u_crit, u_subs): (Crit, &[Part<'a>]),
    ) {
        let o_single = o_subs.len() == 1;
        let u_single = u_subs.len() == 1;
        if o_crit != u_crit {
            let extended = u_crit == Crit::Any
                || (o_single && u_single)
                || (o_single && u_crit == Crit::One)
                || (u_single && o_crit == Crit::All);
            if !extended {
                return out.push(diff(
                    path,
                    Kind::COMBINED_TYPE_CHANGED,
                    Some(crit_change(o_crit, u_crit)),
                ));
            }
            out.push(diff(
                path,
                Kind::COMBINED_TYPE_EXTENDED,
                Some(crit_change(o_crit, u_crit)),
            ));
        }
        let originals = dedupe(o_subs);
        let updates = dedupe(u_subs);
        let (n, m) = (originals.len(), updates.len());
        // More subschemas than before extends the combined type, fewer narrows it.
        let resized = match n.cmp(&m) {
            std::cmp::Ordering::Less if u_crit == Crit::All => Some(Kind::PRODUCT_TYPE_EXTENDED),
            std::cmp::Ordering::Less => Some(Kind::SUM_TYPE_EXTENDED),
            std::cmp::Ordering::Greater if o_crit.is_sum() => Some(Kind::SUM_TYPE_NARROWED),
            std::cmp::Ordering::Greater => Some(Kind::PRODUCT_TYPE_NARROWED),
            std::cmp::Ordering::Equal => None,
        };
        if let Some(kind) = resized {
            out.push(diff(
                path,
                kind,
                Some(Detail::Change {
                    from: n.to_string(),
                    to: m.to_string(),
                    unit: " subschemas",
                }),
            ));
        }

        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut found: Vec<Vec<Option<Vec<Diff>>>> = vec![vec![None; m]; n];
        for (i, original) in originals.iter().enumerate() {
            // A real combinator's subschemas sit at `allOf/<i>`, `oneOf/<i>`, ... (as in
            // Confluent's reports); a synthetic one's parts are views of the node itself.
            let len = path.len();
            if let Some(kw) = o_kw {
                path.push('/');
                path.push_str(kw);
                path.push('/');
                path.push_str(&i.to_string());
            }
            for (j, update) in updates.iter().enumerate() {
                let d = self.sub(path, Some(*original), Some(*update));
                if self.is_compatible(&d) {
                    edges[i].push(j);
                    found[i][j] = Some(d);
                }
            }
            path.truncate(len);
        }
        let owner = maximum_matching(&edges, m);
        let mut matched = 0;
        for (j, left) in owner.iter().enumerate() {
            if let Some(i) = left {
                matched += 1;
                if let Some(d) = found[*i][j].take() {
                    out.extend(d);
                }
            }
        }
        if matched < n.min(m) {
            out.push(diff(
                path,
                Kind::COMBINED_TYPE_SUBSCHEMAS_CHANGED,
                Some(Detail::Matched { matched, of: n }),
            ));
        }
    }
}

fn crit_change(a: Crit, b: Crit) -> Detail {
    let name = |c: Crit| match c {
        Crit::All => "allOf",
        Crit::Any => "anyOf",
        Crit::One => "oneOf",
    };
    Detail::change(name(a), name(b))
}
