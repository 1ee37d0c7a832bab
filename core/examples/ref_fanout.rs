//! Times `ParsedSchema::parse` and `check` on JSON Schemas whose `$ref`s fan out:
//! `levels` levels of `$defs`, each definition referring to the next level's one
//! `width` times. Usage: `cargo run --release -p schemagate-core --example ref_fanout
//! -- <width> <levels> [allof|plain|distinct|props|items]`.

use std::time::Instant;

use schemagate_core::{Level, ParsedSchema, SchemaType, check};
use serde_json::{Map, Value, json};

/// The fan-out schema; `leaf` is the type at the bottom, `tuple` the root's prefixItems.
fn schema(width: usize, levels: usize, shape: &str, leaf: &str, tuple: usize) -> Value {
    let mut defs = Map::new();
    for level in 0..levels {
        let next = format!("#/$defs/l{}", level + 1);
        let def = match shape {
            "props" => {
                let props: Map<String, Value> = (0..width)
                    .map(|i| (format!("p{i}"), json!({"$ref": next})))
                    .collect();
                json!({"type": "object", "properties": props})
            }
            "items" => {
                let items: Vec<Value> = (0..width).map(|_| json!({"$ref": next})).collect();
                json!({"type": "array", "prefixItems": items})
            }
            // `distinct`: each use of a definition is written differently (a title),
            // so the check cannot collapse duplicates and pairs every branch.
            "distinct" => {
                let refs: Vec<Value> = (0..width)
                    .map(|i| json!({"$ref": next, "title": format!("use {i}")}))
                    .collect();
                json!({"allOf": refs})
            }
            _ => {
                let refs: Vec<Value> = (0..width).map(|_| json!({"$ref": next})).collect();
                json!({"allOf": refs})
            }
        };
        defs.insert(format!("l{level}"), def);
    }
    defs.insert(format!("l{levels}"), json!({"type": leaf, "minItems": 0}));
    let tuple: Vec<Value> = (0..tuple).map(|_| json!({"type": "string"})).collect();
    let mut root = json!({"$schema": "https://json-schema.org/draft/2020-12/schema",
           "$defs": defs, "type": "array", "allOf": [{"$ref": "#/$defs/l0"}],
           "prefixItems": tuple});
    // `plain` and `distinct`: no unevaluated keyword to expand the fan-out at parse time.
    if !matches!(shape, "plain" | "distinct") {
        root["unevaluatedItems"] = json!(false);
    }
    root
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let width: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let levels: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let shape = args.get(3).map_or("allof", String::as_str);
    let parse = |v: &Value| {
        let start = Instant::now();
        let r = ParsedSchema::parse(SchemaType::Json, &v.to_string(), &[]);
        (r, start.elapsed())
    };
    let (old, t_old) = parse(&schema(width, levels, shape, "string", 1));
    let (new, t_new) = parse(&schema(width, levels, shape, "integer", 2));
    println!("{width}x{levels} {shape}: parse {t_old:?} / {t_new:?}");
    let (old, new) = match (old, new) {
        (Ok(o), Ok(n)) => (o, n),
        (o, n) => {
            println!("parse error: {:?} {:?}", o.err(), n.err());
            return;
        }
    };
    let start = Instant::now();
    let report = check(Level::Backward, &new, &[old]);
    println!(
        "check {:?}: compatible {} rules {:?}",
        start.elapsed(),
        report.compatible,
        report
            .findings
            .iter()
            .map(|f| f.rule.as_str())
            .collect::<Vec<_>>()
    );
}
