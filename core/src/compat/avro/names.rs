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
        let forward = self.forward();
        if rn.name == wn.name {
            if rn.full_name != wn.full_name {
                let message = if forward {
                    format!(
                        "namespace changed: {} -> {} (Avro resolution compares unqualified names, so data still reads; generated classes move)",
                        rn.full_name, wn.full_name
                    )
                } else {
                    format!(
                        "namespace changed: writer {}, reader {} (Avro resolution compares unqualified names, so data still reads; generated classes move)",
                        wn.full_name, rn.full_name
                    )
                };
                self.add(
                    out,
                    Rule::NAMESPACE_CHANGED.finding("/name".to_owned(), message),
                );
            }
            true
        } else if rn.aliases.contains(&wn.full_name) {
            let message = if forward {
                format!(
                    "{} was renamed to {}, a name the old version lists among its aliases",
                    rn.full_name, wn.full_name
                )
            } else {
                format!("{} reads {} through its alias", rn.full_name, wn.full_name)
            };
            self.add(
                out,
                Rule::NAME_CHANGED_WITH_ALIAS.finding("/name".to_owned(), message),
            );
            true
        } else {
            let (message, hint) = if forward {
                // Only the reader's aliases count, and the reader is the old version:
                // nothing the new version declares helps.
                (
                    format!(
                        "type {} was renamed to {}; readers of the old version do not know the new name",
                        rn.full_name, wn.full_name
                    ),
                    format!(
                        "keep the name {}: readers match a new name only through aliases in their own (old) version",
                        rn.name
                    ),
                )
            } else {
                (
                    format!(
                        "writer's type is named {}, the reader's {}",
                        wn.full_name, rn.full_name
                    ),
                    format!(
                        "keep the name {}, or add `\"aliases\": [\"{}\"]` to the reader's type",
                        wn.name, wn.full_name
                    ),
                )
            };
            let f = Rule::NAME_MISMATCH.finding_with_hint("/name", message, Some(hint));
            self.add(out, f);
            false
        }
    }

    /// Docs, aliases, custom attributes and logical types of a named type.
    pub(super) fn named_meta(&mut self, rn: &Named, wn: &Named, out: &mut Vec<Finding>) {
        // The type's name as the new version spells it.
        let name = if self.forward() {
            &wn.full_name
        } else {
            &rn.full_name
        };
        let changes = [
            (rn.doc != wn.doc, Rule::DOC_CHANGED, "doc"),
            (rn.aliases != wn.aliases, Rule::ALIASES_CHANGED, "aliases"),
        ];
        for (_, rule, key) in changes.into_iter().filter(|(changed, ..)| *changed) {
            let f = rule.finding(format!("/{key}"), format!("{key} of {name} changed"));
            self.add(out, f);
        }
        if !rn.props.is_empty() || !wn.props.is_empty() {
            self.props(&rn.props, &wn.props, "", out);
        }
    }
}
