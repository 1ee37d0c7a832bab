//! Records and their fields: Java's `lookupWriterField` (by name, then by reader
//! alias), missing reader fields and their defaults, writer fields left unread, renames
//! through aliases, and the field-level docs, defaults and attributes.

use std::collections::HashMap;
use std::fmt::Write;

use serde_json::Value;

use super::rules::Rule;
use super::{Checker, identical, push_index};
use crate::compat::report::Finding;
use crate::schema::avro::Field;

/// Unread writer fields tried as the source of a rename, per missing reader field.
const MAX_RENAME_PROBES: usize = 16;

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

/// Sets `path` to `/fields/{i}`.
fn field_path(path: &mut String, i: usize) {
    path.clear();
    path.push_str("/fields/");
    push_index(path, i);
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

impl Checker<'_> {
    /// Reads writer fields `wf` with reader fields `rf`; the first `same` fields are
    /// known identical on both sides and to read with no finding.
    pub(super) fn record(
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
    pub(super) fn defaulted(&mut self, rf: &[Field], defaulted: &[usize], out: &mut Vec<Finding>) {
        let path = match defaulted {
            [] => return,
            [i] => format!("/fields/{i}"),
            _ => "/fields".to_owned(),
        };
        let names = name_list(defaulted.iter().map(|&i| rf[i].name.as_str()));
        let message = if self.forward() {
            format!("fields removed; readers of the old version fill in their defaults: {names}")
        } else {
            format!("reader fields not in the writer; readers fill in their defaults: {names}")
        };
        let f = Rule::READER_FIELD_DEFAULTED.finding(path, message);
        self.add(out, f);
    }

    #[inline(never)]
    pub(super) fn ambiguous(
        &mut self,
        field: &Field,
        hits: &[usize],
        wf: &[Field],
        at: String,
        out: &mut Vec<Finding>,
    ) {
        let names: Vec<&str> = hits.iter().map(|j| wf[*j].name.as_str()).collect();
        let f = if self.forward() {
            // The alias is in the old version, which cannot change: the new fields must.
            Rule::AMBIGUOUS_READER_FIELD.finding_with_hint(
                at,
                format!(
                    "field {:?} of the old version matches several new fields by name and alias: {}",
                    field.name,
                    names.join(", ")
                ),
                Some(format!(
                    "keep only one of {} in the new version: readers of the old version match them all through {:?} and its aliases",
                    names.join(", "),
                    field.name
                )),
            )
        } else {
            Rule::AMBIGUOUS_READER_FIELD.finding(
                at,
                format!(
                    "reader field {:?} matches several writer fields by name and alias: {}",
                    field.name,
                    names.join(", ")
                ),
            )
        };
        self.add(out, f);
    }

    /// READER_FIELD_MISSING_DEFAULT_VALUE for each reader field the writer lacks, with
    /// a rename hint when an unread writer field of a readable type is left over.
    #[inline(never)]
    pub(super) fn missing_fields(
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
            let (message, hint) = if self.forward() {
                // The reader is the old version: the field was removed (or renamed), and
                // nothing in the new version can give old readers a default or an alias.
                let message = format!(
                    "field {:?} ({}) was removed; readers of the old version have no default for it",
                    field.name,
                    self.r.describe(&field.ty)
                );
                let hint = match rename {
                    Some(j) => format!(
                        "looks like a rename of {0} to {1}, but readers of the old version do not know the name {1}: keep {0}, or first register a version that gives {0} a default, then rename it",
                        field.name, wf[j].name
                    ),
                    None => format!(
                        "keep {0}, or first register a version that gives {0} a default, then remove it",
                        field.name
                    ),
                };
                (message, hint)
            } else {
                let message = format!(
                    "reader field {:?} ({}) is not in the writer and has no default",
                    field.name,
                    self.r.describe(&field.ty)
                );
                let hint = match rename {
                    Some(j) => format!(
                        "looks like a rename of {0} to {1}: add `\"aliases\": [\"{0}\"]` to {1}",
                        wf[j].name, field.name
                    ),
                    None => format!(
                        "add a default to {:?} (for a nullable field: type [\"null\", ...] with \"default\": null)",
                        field.name
                    ),
                };
                (message, hint)
            };
            let f = Rule::READER_FIELD_MISSING_DEFAULT_VALUE.finding_with_hint(
                format!("/fields/{i}"),
                message,
                Some(hint),
            );
            self.add(out, f);
        }
        missing.is_empty()
    }

    #[inline(never)]
    pub(super) fn ignored_fields(
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
            let message = if self.forward() {
                format!("fields added; readers of the old version skip them: {names}")
            } else {
                format!("writer fields not in the reader; their data is skipped: {names}")
            };
            let f = Rule::WRITER_FIELD_IGNORED.finding("/fields".to_owned(), message);
            self.add(out, f);
        }
        if reordered {
            self.add(
                out,
                Rule::FIELD_ORDER_CHANGED.finding(
                    "/fields".to_owned(),
                    "fields are in a different order (resolution is by name)".to_owned(),
                ),
            );
        }
    }

    /// What changed about a field that reads: renamed through an alias, its default,
    /// doc, aliases and attributes.
    pub(super) fn field_meta(
        &mut self,
        r: &Field,
        w: &Field,
        via_alias: bool,
        at: &str,
        out: &mut Vec<Finding>,
    ) {
        let forward = self.forward();
        // The field's name as the new version spells it.
        let name = if forward { &w.name } else { &r.name };
        if via_alias {
            let message = if forward {
                format!(
                    "field {:?} was renamed to {:?}; readers of the old version find it through their alias {:?}",
                    r.name, w.name, w.name
                )
            } else {
                format!(
                    "reader field {:?} reads writer field {:?} through its alias",
                    r.name, w.name
                )
            };
            self.add(
                out,
                Rule::FIELD_RENAMED_WITH_ALIAS.finding(at.to_owned(), message),
            );
        }
        if r.default != w.default {
            let show = |v: &Option<Value>| {
                v.as_ref()
                    .map_or_else(|| "none".to_owned(), Value::to_string)
            };
            let message = if forward {
                format!(
                    "default of field {name:?} changed: {} -> {}",
                    show(&r.default),
                    show(&w.default)
                )
            } else {
                format!(
                    "default of field {name:?} changed: writer {}, reader {}",
                    show(&w.default),
                    show(&r.default)
                )
            };
            self.add(
                out,
                Rule::FIELD_DEFAULT_CHANGED.finding(format!("{at}/default"), message),
            );
        }
        if r.doc != w.doc {
            self.add(
                out,
                Rule::DOC_CHANGED.finding(
                    format!("{at}/doc"),
                    format!("doc of field {name:?} changed"),
                ),
            );
        }
        if r.aliases != w.aliases && !via_alias {
            self.add(
                out,
                Rule::ALIASES_CHANGED.finding(
                    format!("{at}/aliases"),
                    format!("aliases of field {name:?} changed"),
                ),
            );
        }
        if !r.props.is_empty() || !w.props.is_empty() {
            self.props(&r.props, &w.props, at, out);
        }
    }
}
