//! Unions, on either side: every writer branch must be readable (Java's static rule),
//! a reader union reads a writer type through its first branch that can, and a
//! missing branch is explained by the nearest reader branch's own problem.

use std::fmt::Write;

use super::rules::Rule;
use super::{Checker, class, promotes, push_index};
use crate::compat::report::Finding;
use crate::schema::avro::{AvroSchema, Kind, Node};

impl Checker<'_> {
    /// `r` reading `w` when their classes differ: a union on either side, a promotion,
    /// or a mismatch.
    pub(super) fn different_classes(
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
    pub(super) fn name_writer_branch(&self, findings: &mut [Finding], j: usize, branch: &Node) {
        let note = if self.forward() {
            format!(
                " (branch {j} of the new version's union, {})",
                self.w.describe(branch)
            )
        } else {
            format!(
                " (the writer's union branch {j}, {})",
                self.w.describe(branch)
            )
        };
        for f in findings.iter_mut().filter(|f| f.is_breaking()) {
            f.message.push_str(&note);
        }
    }

    #[inline(never)]
    pub(super) fn widened(
        &mut self,
        r: &Node,
        w: &Node,
        i: usize,
        path: &str,
        out: &mut Vec<Finding>,
    ) {
        let (wd, rd) = (self.w.describe(w), self.r.describe(r));
        let message = if self.forward() {
            format!(
                "type changed from {rd} to {wd}; readers of the old version read it with branch {i} of their union"
            )
        } else {
            format!("writer type {wd} is read by branch {i} of the reader's {rd}")
        };
        let f = Rule::TYPE_WIDENED_TO_UNION.finding(path.to_owned(), message);
        self.add(out, f);
    }

    /// The first reader branch that reads `w` (Java's choice); its non-breaking
    /// findings go to `out`.
    pub(super) fn reader_branch(
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
    pub(super) fn missing_branch(
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
        let forward = self.forward();
        let mut hint = if forward {
            format!(
                "write only types the old version's union reads, or first register a version whose union has {}",
                self.w.describe(w)
            )
        } else {
            format!("add {} to the reader's union", self.w.describe(w))
        };
        if let Some((i, branch)) = near {
            let mut tmp = Vec::new();
            let len = path.len();
            let _ = write!(path, "/{i}");
            self.check(branch, w, path, depth + 1, &mut tmp);
            path.truncate(len);
            if let Some(f) = tmp.iter().find(|f| f.is_breaking()) {
                hint = if forward {
                    format!(
                        "branch {i} ({}) of the old version's union comes closest but {} at {}; avoid that change, or {hint}",
                        self.r.describe(branch),
                        f.message,
                        f.path
                    )
                } else {
                    format!(
                        "branch {i} ({}) comes closest but {} at {}; fix that, or {hint}",
                        self.r.describe(branch),
                        f.message,
                        f.path
                    )
                };
            }
        }
        let message = if forward {
            format!(
                "the new version may write {}, which the old version's {} has no branch for",
                self.w.describe(w),
                self.r.describe_short(rb)
            )
        } else {
            format!(
                "the reader's {} has no branch that reads writer type {}",
                self.r.describe_short(rb),
                self.w.describe(w)
            )
        };
        Rule::MISSING_UNION_BRANCH.finding_with_hint(at, message, Some(hint))
    }

    /// Union reading union: every writer branch needs a reader branch; reader branches
    /// no writer branch maps to are reported as added.
    pub(super) fn union_union(
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
                    if self.forward() {
                        f.message
                            .push_str(&format!(" (branch {j} of the new version's union)"));
                    } else {
                        f.message
                            .push_str(&format!(" (the writer's union branch {j})"));
                    }
                    self.add(out, f);
                }
            }
        }
        for (i, b) in rb.iter().enumerate().filter(|(i, _)| !used[*i]) {
            let message = if self.forward() {
                format!(
                    "branch {i} ({}) of the old version's union was removed",
                    self.r.describe(b)
                )
            } else {
                format!(
                    "reader union branch {i} ({}) is not in the writer's union",
                    self.r.describe(b)
                )
            };
            let f = Rule::UNION_BRANCH_ADDED.finding(format!("{path}/{i}"), message);
            self.add(out, f);
        }
        ok
    }
}

impl AvroSchema {
    /// `union [a, b]` for messages about a union given by its branches.
    fn describe_short(&self, branches: &[Node]) -> String {
        let names: Vec<String> = branches.iter().map(|b| self.describe(b)).collect();
        format!("union [{}]", names.join(", "))
    }
}
