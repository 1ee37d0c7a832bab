//! Array schemas: the all-items schema, tuple items against the array's content model
//! (`items` arrays and `additionalItems` up to 2019-09, `prefixItems` and `items` in
//! 2020-12), `contains`, `unevaluatedItems`, and the item-count bounds.

use serde_json::{Map, Value};

use super::Walker;
use super::diff::{Diff, diff, push};
use super::object::{Extra, extra};
use super::rules::Kind;
use super::scalar::bounds;
use super::shape::{Node, Part, Shape};

type Obj = Map<String, Value>;

struct Model<'a> {
    node: Node<'a>,
    map: &'a Obj,
    /// The schema every item must meet (`items` as a schema, without tuple items).
    all_items: Option<Node<'a>>,
    /// Tuple items and the keyword holding them.
    tuple: Vec<Node<'a>>,
    tuple_keyword: &'static str,
    /// What items past the tuple may be, and the keyword saying so.
    rest: Extra<'a>,
    rest_keyword: &'static str,
}

impl<'a> Model<'a> {
    fn new(node: Node<'a>) -> Option<Self> {
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
            }
        } else {
            let items = map.get("items");
            let tuple = items.filter(|v| v.is_array());
            Model {
                node,
                map,
                all_items: items.filter(|v| !v.is_array()).map(|v| node.child(v)),
                tuple: tuple.map(list).unwrap_or_default(),
                tuple_keyword: "items",
                rest: extra(node, map, "additionalItems"),
                rest_keyword: "additionalItems",
            }
        };
        Some(model)
    }

    fn is_open(&self) -> bool {
        self.rest.permits && self.rest.schema.is_none()
    }
}

impl<'a> Walker<'a> {
    pub(super) fn array(&self, path: &mut String, out: &mut Vec<Diff>, o: Node<'a>, u: Node<'a>) {
        use Kind::*;
        let (Some(o), Some(u)) = (Model::new(o), Model::new(u)) else {
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
        use Kind::*;
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
                (Some(original), None) => {
                    if u.is_open() {
                        out.push(diff(path, ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL, None));
                    } else if let Some(rest) = u.rest.schema {
                        let d =
                            self.sub(path, Some(Part::whole(*original)), Some(Part::whole(rest)));
                        self.coverage(
                            path,
                            out,
                            d,
                            [
                                ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                                ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                            ],
                            format!("item {index}"),
                        );
                    } else if matches!(self.classify(Part::whole(*original)).shape, Shape::False) {
                        out.push(diff(
                            path,
                            ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
                            None,
                        ));
                    } else {
                        out.push(diff(path, ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, None));
                    }
                }
                (None, Some(update)) => {
                    if o.is_open() {
                        let kind =
                            if matches!(self.classify(Part::whole(*update)).shape, Shape::Empty) {
                                ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                            } else {
                                ITEM_ADDED_TO_OPEN_CONTENT_MODEL
                            };
                        out.push(diff(path, kind, None));
                    } else if let Some(rest) = o.rest.schema {
                        let d = self.sub(path, Some(Part::whole(rest)), Some(Part::whole(*update)));
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
                    } else {
                        out.push(diff(path, ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, None));
                    }
                }
                (None, None) => {}
            }
            path.truncate(len);
        }
    }
}
