//! Enums: writer symbols the reader lacks (refused unless the reader has a default
//! symbol), symbols added, and changes of the default or of the order.

use std::collections::HashSet;

use super::Checker;
use super::rules::Rule;
use crate::compat::report::Finding;

impl Checker<'_> {
    /// Reads writer symbols `ws` with reader symbols `rs`: refused when the reader lacks
    /// one and has no default symbol; returns whether it reads.
    pub(super) fn enumeration(
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
                    let message = if self.forward() {
                        format!(
                            "symbols [{}] were added; readers of the old version read them as its default {default:?}",
                            lacking.join(", ")
                        )
                    } else {
                        format!(
                            "writer symbols [{}] are read as the reader's default {default:?}",
                            lacking.join(", ")
                        )
                    };
                    let f =
                        Rule::ENUM_SYMBOLS_READ_AS_DEFAULT.finding("/symbols".to_owned(), message);
                    self.add(out, f);
                }
                None => {
                    ok = false;
                    let symbols = lacking.join(", ");
                    let (message, hint) = if self.forward() {
                        (
                            format!(
                                "symbols [{symbols}] were added; readers of the old version lack them and its enum has no default"
                            ),
                            format!(
                                "leave [{symbols}] out, or first register a version whose enum has a \"default\" symbol, then add them"
                            ),
                        )
                    } else {
                        (
                            format!("the reader's enum lacks writer symbols [{symbols}]"),
                            format!(
                                "keep the symbols [{symbols}] (deprecate them in the doc instead of removing), or give the reader's enum a \"default\" symbol"
                            ),
                        )
                    };
                    let f = Rule::MISSING_ENUM_SYMBOLS.finding_with_hint(
                        "/symbols",
                        message,
                        Some(hint),
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
            let message = if self.forward() {
                format!("symbols [{}] were removed", added.join(", "))
            } else {
                format!(
                    "the reader's enum has symbols the writer lacks: [{}]",
                    added.join(", ")
                )
            };
            let f = Rule::ENUM_SYMBOLS_ADDED.finding("/symbols".to_owned(), message);
            self.add(out, f);
        }
        if rd != wd {
            self.enum_default_changed(rd, wd, out);
        }
        if lacking.is_empty() && added.is_empty() && rs != ws {
            self.add(
                out,
                Rule::ENUM_SYMBOL_ORDER_CHANGED.finding(
                    "/symbols".to_owned(),
                    "enum symbols are in a different order".to_owned(),
                ),
            );
        }
        ok
    }

    /// ENUM_DEFAULT_CHANGED, from either branch of `enumeration`.
    pub(super) fn enum_default_changed(
        &mut self,
        rd: Option<&str>,
        wd: Option<&str>,
        out: &mut Vec<Finding>,
    ) {
        let message = if self.forward() {
            format!("enum default changed: {rd:?} -> {wd:?}")
        } else {
            format!("enum default changed: writer {wd:?}, reader {rd:?}")
        };
        let f = Rule::ENUM_DEFAULT_CHANGED.finding("/default".to_owned(), message);
        self.add(out, f);
    }
}
