//! Names and aliases of records, enums and fixed types: Java's `checkSchemaNames`
//! (unqualified names, or a reader alias naming the writer's full name), and the docs,
//! aliases and attributes a named type carries.

use super::Checker;
use super::rules::Rule;
use crate::compat::report::Finding;
use crate::schema::avro::Named;

impl Checker<'_> {
    /// Java's `checkSchemaNames`: unqualified names equal, or a reader alias names the
    /// writer's full name. A namespace-only change therefore reads.
    pub(super) fn names(&mut self, rn: &Named, wn: &Named, out: &mut Vec<Finding>) -> bool {
        if rn.name == wn.name {
            if rn.full_name != wn.full_name {
                self.add(
                    out,
                    Rule::NAMESPACE_CHANGED.finding(
                        "/name".to_owned(),
                        format!("namespace changed: writer {}, reader {} (Avro resolution compares unqualified names, so data still reads; generated classes move)", wn.full_name, rn.full_name),
                    ),
                );
            }
            true
        } else if rn.aliases.contains(&wn.full_name) {
            self.add(
                out,
                Rule::NAME_CHANGED_WITH_ALIAS.finding(
                    "/name".to_owned(),
                    format!("{} reads {} through its alias", rn.full_name, wn.full_name),
                ),
            );
            true
        } else {
            let f = Rule::NAME_MISMATCH.finding_with_hint(
                "/name",
                format!(
                    "writer's type is named {}, the reader's {}",
                    wn.full_name, rn.full_name
                ),
                Some(format!(
                    "keep the name {}, or add `\"aliases\": [\"{}\"]` to the reader's type",
                    wn.name, wn.full_name
                )),
            );
            self.add(out, f);
            false
        }
    }

    /// Docs, aliases, custom attributes and logical types of a named type.
    pub(super) fn named_meta(&mut self, rn: &Named, wn: &Named, out: &mut Vec<Finding>) {
        let changes = [
            (rn.doc != wn.doc, Rule::DOC_CHANGED, "doc"),
            (rn.aliases != wn.aliases, Rule::ALIASES_CHANGED, "aliases"),
        ];
        for (_, rule, key) in changes.into_iter().filter(|(changed, ..)| *changed) {
            let f = rule.finding(
                format!("/{key}"),
                format!("{key} of {} changed", rn.full_name),
            );
            self.add(out, f);
        }
        if !rn.props.is_empty() || !wn.props.is_empty() {
            self.props(&rn.props, &wn.props, "", out);
        }
    }
}
