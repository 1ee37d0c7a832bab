//! Array schemas: the all-items schema, tuple items against the array's content model
//! (`items` arrays and `additionalItems` up to 2019-09, `prefixItems` and `items` in
//! 2020-12, `unevaluatedItems` where neither of those governs the rest), `contains`,
//! `unevaluatedItems`, and the item-count bounds.

use std::cell::Cell;

use serde_json::{Map, Value};

use super::Walker;
use super::diff::{Detail, Diff, diff, push};
use super::object::{Extra, extra};
use super::rules::Kind;
use super::scalar::bounds;
use super::shape::{Node, Part, Shape, Side};
use crate::schema::json::Draft;

type Obj = Map<String, Value>;

/// Keywords whose subschemas apply in place to the same array: items one of them
/// evaluates are not "unevaluated" for the array's own `unevaluatedItems` (`not` is
/// absent on purpose: a `not` subschema must fail, and a failed one evaluates nothing).
const IN_PLACE: &[&str] = &[
    "allOf",
    "anyOf",
    "oneOf",
    "if",
    "then",
    "else",
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
];

/// Keywords that evaluate array items (give them annotations `unevaluatedItems` sees).
const EVALUATES_ITEMS: &[&str] = &[
    "prefixItems",
    "items",
    "additionalItems",
    "unevaluatedItems",
    "contains",
];

/// How many in-place subschemas [`Walker::may_evaluate_items`] looks at for one array
/// before it answers "maybe" (yes), the cautious answer: subschemas that branch into
/// more of them at every level would otherwise multiply the work.
const IN_PLACE_BUDGET: usize = 256;

/// What a position past the tuple accepts, by the array's own keywords.
struct Beyond<'a> {
    /// What the governing keyword allows (`additionalItems`, 2020-12 `items`, or
    /// `unevaluatedItems` when neither of those is written).
    rest: Extra<'a>,
    /// 2020-12 `contains` beside a governing `unevaluatedItems`: an item it matches is
    /// evaluated, so it is allowed whatever `unevaluatedItems` says. The position then
    /// accepts `rest` or `contains`.
    contains: Option<Node<'a>>,
    /// Whether an in-place subschema (allOf, `$ref`, if, ...) beside a governing
    /// `unevaluatedItems` may evaluate items past the tuple itself: such an item escapes
    /// `unevaluatedItems`, so the position may accept more than `rest` and `contains`.
    evaluated_in_place: bool,
}

impl Beyond<'_> {
    /// Open: any value is accepted past the tuple.
    fn is_open(&self) -> bool {
        self.rest.permits && self.rest.schema.is_none()
    }
}

struct Model<'a> {
    node: Node<'a>,
    map: &'a Obj,
    /// The schema every item must meet (`items` as a schema, without tuple items).
    all_items: Option<Node<'a>>,
    /// Tuple items and the keyword holding them.
    tuple: Vec<Node<'a>>,
    tuple_keyword: &'static str,
    /// What items past the tuple may be by `additionalItems` (2020-12: `items`), and
    /// the keyword saying so: compared keyword by keyword as Confluent does.
    rest: Extra<'a>,
    rest_keyword: &'static str,
    /// What a position past the tuple accepts, `unevaluatedItems` included: what tuple
    /// items added or removed are judged against.
    beyond: Beyond<'a>,
}

impl<'a> Walker<'a> {
    fn array_model(&self, node: Node<'a>) -> Option<Model<'a>> {
        let map = node.map()?;
        let list = |v: &'a Value| -> Vec<Node<'a>> {
            v.as_array()
                .map(|items| items.iter().map(|i| node.child(i)).collect())
                .unwrap_or_default()
        };
        let model = if let Some(prefix) = map.get("prefixItems") {
            // 2020-12: `items` is what `additionalItems` used to be.
            Model {
                node,
                map,
                all_items: None,
                tuple: list(prefix),
                tuple_keyword: "prefixItems",
                rest: extra(node, map, "items"),
                rest_keyword: "items",
                beyond: self.beyond(node, map, "items", false),
            }
        } else {
            let items = map.get("items");
            let tuple = items.filter(|v| v.is_array());
            let all_items = items.filter(|v| !v.is_array()).map(|v| node.child(v));
            Model {
                node,
                map,
                all_items,
                tuple: tuple.map(list).unwrap_or_default(),
                tuple_keyword: "items",
                rest: extra(node, map, "additionalItems"),
                rest_keyword: "additionalItems",
                beyond: self.beyond(node, map, "additionalItems", all_items.is_some()),
            }
        };
        Some(model)
    }

    /// What positions past the tuple accept, `rest_keyword` being the keyword that
    /// governs them when written (`additionalItems`, or 2020-12 `items`).
    ///
    /// When it is absent, `unevaluatedItems` (2019-09 and later; earlier drafts ignore
    /// the word) governs instead: an item past the tuple is evaluated by nothing else of
    /// this schema, except by 2020-12 `contains` when it matches, and by in-place
    /// subschemas that evaluate items themselves. When `rest_keyword` is written,
    /// `unevaluatedItems` beside it never sees an item past the tuple (it evaluates all
    /// of them), so it plays no part here; nor does `contains`, which then only adds a
    /// condition. Nor when `items` is one schema for every item (`all_items`): it
    /// evaluates them all, so the rest is left as `rest_keyword` has it, as Confluent
    /// does.
    fn beyond(
        &self,
        node: Node<'a>,
        map: &'a Obj,
        rest_keyword: &str,
        all_items: bool,
    ) -> Beyond<'a> {
        let rest = extra(node, map, rest_keyword);
        let draft = self.docs(node.side).draft(node.doc);
        let unevaluated = extra(node, map, "unevaluatedItems");
        if rest.present || all_items || !unevaluated.present || draft < Draft::Draft201909 {
            return Beyond {
                rest,
                contains: None,
                evaluated_in_place: false,
            };
        }
        let contains = if draft >= Draft::Draft202012 {
            map.get("contains").map(|v| node.child(v))
        } else {
            None
        };
        let budget = Cell::new(IN_PLACE_BUDGET);
        let evaluated_in_place = IN_PLACE.iter().any(|k| {
            map.get(*k)
                .is_some_and(|v| self.may_evaluate_items(node.side, node.doc, k, v, &budget))
        });
        Beyond {
            rest: unevaluated,
            contains,
            evaluated_in_place,
        }
    }

    /// Whether the in-place keyword `key` with value `value` may evaluate array items
    /// (so that they escape a sibling `unevaluatedItems`). Yes when unsure: a `$ref` that
    /// does not resolve, or more subschemas than `budget` allows.
    fn may_evaluate_items(
        &self,
        side: Side,
        doc: usize,
        key: &str,
        value: &'a Value,
        budget: &Cell<usize>,
    ) -> bool {
        match key {
            "$ref" | "$dynamicRef" | "$recursiveRef" => {
                let Some(reference) = value.as_str() else {
                    return false;
                };
                match self.docs(side).resolve(doc, reference) {
                    Some(target) => {
                        self.subschema_may_evaluate_items(side, target.doc, target.value, budget)
                    }
                    None => true,
                }
            }
            "allOf" | "anyOf" | "oneOf" => value.as_array().is_some_and(|subs| {
                subs.iter()
                    .any(|s| self.subschema_may_evaluate_items(side, doc, s, budget))
            }),
            _ => self.subschema_may_evaluate_items(side, doc, value, budget),
        }
    }

    /// Whether one subschema applied in place may evaluate array items.
    fn subschema_may_evaluate_items(
        &self,
        side: Side,
        doc: usize,
        schema: &'a Value,
        budget: &Cell<usize>,
    ) -> bool {
        let Some(left) = budget.get().checked_sub(1) else {
            return true;
        };
        budget.set(left);
        // Booleans evaluate nothing.
        let Some(map) = schema.as_object() else {
            return false;
        };
        EVALUATES_ITEMS.iter().any(|k| map.contains_key(*k))
            || IN_PLACE.iter().any(|k| {
                map.get(*k)
                    .is_some_and(|v| self.may_evaluate_items(side, doc, k, v, budget))
            })
    }

    pub(super) fn array(&self, path: &mut String, out: &mut Vec<Diff>, o: Node<'a>, u: Node<'a>) {
        use Kind::*;
        let (Some(o), Some(u)) = (self.array_model(o), self.array_model(u)) else {
            return;
        };
        let len = push(path, "items");
        self.compare(
            path,
            out,
            o.all_items.map(Part::whole),
            u.all_items.map(Part::whole),
        );
        path.truncate(len);

        self.tuple(path, out, &o, &u);

        let rest_keyword = if u.rest.present {
            u.rest_keyword
        } else {
            o.rest_keyword
        };
        self.extra(
            path,
            out,
            rest_keyword,
            o.rest,
            u.rest,
            [
                ADDITIONAL_ITEMS_ADDED,
                ADDITIONAL_ITEMS_REMOVED,
                ADDITIONAL_ITEMS_EXTENDED,
                ADDITIONAL_ITEMS_NARROWED,
            ],
        );
        let (ou, uu) = (
            extra(o.node, o.map, "unevaluatedItems"),
            extra(u.node, u.map, "unevaluatedItems"),
        );
        if ou.present || uu.present {
            self.extra(
                path,
                out,
                "unevaluatedItems",
                ou,
                uu,
                [
                    UNEVALUATED_ITEMS_ADDED,
                    UNEVALUATED_ITEMS_REMOVED,
                    UNEVALUATED_ITEMS_EXTENDED,
                    UNEVALUATED_ITEMS_NARROWED,
                ],
            );
        }
        let len = push(path, "contains");
        let contains = |m: &Model<'a>| m.map.get("contains").map(|v| Part::whole(m.node.child(v)));
        self.compare(path, out, contains(&o), contains(&u));
        path.truncate(len);

        let (a, b) = (o.map, u.map);
        let counts = [
            (
                "maxItems",
                [
                    MAX_ITEMS_ADDED,
                    MAX_ITEMS_REMOVED,
                    MAX_ITEMS_INCREASED,
                    MAX_ITEMS_DECREASED,
                ],
            ),
            (
                "minItems",
                [
                    MIN_ITEMS_ADDED,
                    MIN_ITEMS_REMOVED,
                    MIN_ITEMS_INCREASED,
                    MIN_ITEMS_DECREASED,
                ],
            ),
        ];
        bounds(path, out, a, b, &counts);
        // The contains counts mean nothing without a `contains` on either side.
        if a.contains_key("contains") || b.contains_key("contains") {
            let contains_counts = [
                (
                    "maxContains",
                    [
                        MAX_CONTAINS_ADDED,
                        MAX_CONTAINS_REMOVED,
                        MAX_CONTAINS_INCREASED,
                        MAX_CONTAINS_DECREASED,
                    ],
                ),
                (
                    "minContains",
                    [
                        MIN_CONTAINS_ADDED,
                        MIN_CONTAINS_REMOVED,
                        MIN_CONTAINS_INCREASED,
                        MIN_CONTAINS_DECREASED,
                    ],
                ),
            ];
            bounds(path, out, a, b, &contains_counts);
        }
        let unique = |m: &Obj| m.get("uniqueItems") == Some(&Value::Bool(true));
        if unique(a) != unique(b) {
            let len = push(path, "uniqueItems");
            out.push(diff(
                path,
                if unique(a) {
                    UNIQUE_ITEMS_REMOVED
                } else {
                    UNIQUE_ITEMS_ADDED
                },
                None,
            ));
            path.truncate(len);
        }
    }

    fn tuple(&self, path: &mut String, out: &mut Vec<Diff>, o: &Model<'a>, u: &Model<'a>) {
        let keyword = if u.tuple.is_empty() {
            o.tuple_keyword
        } else {
            u.tuple_keyword
        };
        let longest = o.tuple.len().max(u.tuple.len());
        for index in 0..longest {
            let len = push(path, keyword);
            push(path, &index.to_string());
            match (o.tuple.get(index), u.tuple.get(index)) {
                (Some(a), Some(b)) => {
                    self.compare(path, out, Some(Part::whole(*a)), Some(Part::whole(*b)))
                }
                (Some(original), None) => self.item_removed(path, out, index, *original, u),
                (None, Some(update)) => self.item_added(path, out, index, *update, o),
                (None, None) => {}
            }
            path.truncate(len);
        }
    }

    /// A tuple item the original has and the update lacks: the update holds the old
    /// values at that position to what it accepts past its tuple.
    ///
    /// What the update accepts there is taken at its narrowest, `unevaluatedItems`
    /// alone when that governs: in-place subschemas that might evaluate the position
    /// are not credited (a verdict may then be a needless refusal, never a wrong
    /// acceptance), and `contains` only as a second chance for the old values.
    fn item_removed(
        &self,
        path: &mut String,
        out: &mut Vec<Diff>,
        index: usize,
        original: Node<'a>,
        u: &Model<'a>,
    ) {
        use Kind::*;
        let beyond = &u.beyond;
        if beyond.is_open() {
            return out.push(diff(path, ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL, None));
        }
        let covering = [beyond.rest.schema, beyond.contains];
        // The first schema that covers the old values, else the first one tried.
        let mut judged: Option<Vec<Diff>> = None;
        for schema in covering.into_iter().flatten() {
            let d = self.sub(path, Some(Part::whole(original)), Some(Part::whole(schema)));
            if self.is_compatible(&d) {
                judged = Some(d);
                break;
            }
            judged.get_or_insert(d);
        }
        if let Some(d) = judged {
            return self.coverage(
                path,
                out,
                d,
                [
                    ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                ],
                format!("item {index}"),
            );
        }
        if matches!(self.classify(Part::whole(original)).shape, Shape::False) {
            out.push(diff(
                path,
                ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
                None,
            ));
        } else {
            out.push(diff(path, ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, None));
        }
    }

    /// A tuple item the update has and the original lacks: everything the original
    /// accepted at that position must meet the new item.
    ///
    /// What the original accepted there is taken at its widest: with a governing
    /// `unevaluatedItems`, a value `contains` matches was accepted too, and when an
    /// in-place subschema may evaluate the position, anything may have been (it is
    /// treated as open: a verdict may then be a needless refusal, never a wrong
    /// acceptance).
    fn item_added(
        &self,
        path: &mut String,
        out: &mut Vec<Diff>,
        index: usize,
        update: Node<'a>,
        o: &Model<'a>,
    ) {
        use Kind::*;
        let beyond = &o.beyond;
        if beyond.is_open() || beyond.evaluated_in_place {
            let kind = if matches!(self.classify(Part::whole(update)).shape, Shape::Empty) {
                ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
            } else {
                ITEM_ADDED_TO_OPEN_CONTENT_MODEL
            };
            // Say why an array whose unevaluatedItems refuses items counts as open.
            let why = (!beyond.is_open()).then(|| {
                Detail::Subject(format!(
                    "item {index}: subschemas applied in place may evaluate it, so unevaluatedItems need not have refused any value there"
                ))
            });
            return out.push(diff(path, kind, why));
        }
        // Every schema the old position accepted values of must be met by the new item.
        let accepted: Vec<Node<'a>> = [beyond.rest.schema, beyond.contains]
            .into_iter()
            .flatten()
            .collect();
        if accepted.is_empty() {
            return out.push(diff(path, ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, None));
        }
        let mut d = Vec::new();
        for schema in accepted {
            d.extend(self.sub(path, Some(Part::whole(schema)), Some(Part::whole(update))));
        }
        self.coverage(
            path,
            out,
            d,
            [
                ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            ],
            format!("item {index}"),
        );
    }
}
