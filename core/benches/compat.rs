//! Criterion benchmarks of parsing and the compatibility engine. One function per
//! format and scenario; add a JSON Schema case as its own function and list it in
//! `criterion_group!`.
#![allow(missing_docs)] // criterion_group! generates undocumented items.

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use schemagate_core::{Level, ParsedSchema, SchemaType, check};
use serde_json::{Value, json};

fn avro(text: &str) -> ParsedSchema {
    ParsedSchema::parse(SchemaType::Avro, text, &[]).expect("valid benchmark schema")
}

/// Field `i` of the benchmark record: a mix of primitives, optional fields, enums,
/// arrays and a nested record, so the walk sees every shape.
fn avro_field(i: usize, with_default: bool) -> Value {
    let ty = match i % 6 {
        0 => json!("long"),
        1 => json!("string"),
        2 => json!(["null", "string"]),
        3 => json!({"type": "enum", "name": format!("E{i}"), "symbols": ["A", "B", "C"]}),
        4 => json!({"type": "array", "items": "double"}),
        _ => json!({"type": "record", "name": format!("N{i}"), "fields": [
            {"name": "x", "type": "int"}, {"name": "y", "type": ["null", "bytes"], "default": null}
        ]}),
    };
    let mut field =
        json!({"name": format!("field_{i}"), "type": ty, "doc": format!("field number {i}")});
    if with_default {
        let default = match i % 6 {
            0 => json!(0),
            1 => json!(""),
            2 => Value::Null,
            3 => json!("A"),
            4 => json!([]),
            _ => json!({"x": 0}),
        };
        field["default"] = default;
    }
    field
}

/// A record of `n` fields; the first 100 are required, later ones have defaults (as
/// added one release at a time).
fn avro_record(n: usize) -> String {
    let fields: Vec<Value> = (0..n).map(|i| avro_field(i, i >= 100)).collect();
    json!({"type": "record", "name": "Order", "namespace": "com.shop", "fields": fields})
        .to_string()
}

/// FULL_TRANSITIVE check of a 200-field record against 100 versions, each of which
/// added one defaulted field (101..=200 fields).
fn avro_full_transitive<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let history: Vec<ParsedSchema> = (101..=200).map(|n| avro(&avro_record(n))).collect();
    let new = avro(&avro_record(200));
    assert!(check(Level::FullTransitive, &new, &history).compatible);
    c.bench_function("avro_full_transitive_200_fields_100_versions", |b| {
        b.iter(|| check(Level::FullTransitive, &new, &history))
    });
}

fn protobuf(text: &str) -> ParsedSchema {
    ParsedSchema::parse(SchemaType::Protobuf, text, &[]).expect("valid benchmark schema")
}

/// A `.proto` file whose message `Order` has `n` fields of every shape (scalars of
/// each group, an enum, a nested message, a map, repeated fields, oneof members among
/// the first hundred).
fn protobuf_message(n: usize) -> String {
    let mut text = String::from(
        "syntax = \"proto3\";\npackage com.shop;\n\nenum State {\n  NEW = 0;\n  PAID = 1;\n}\n\nmessage Line {\n  string sku = 1;\n  int32 quantity = 2;\n}\n\nmessage Order {\n",
    );
    let mut oneof = Vec::new();
    for i in 1..=n {
        let field = match i % 8 {
            0 => format!("int64 f{i} = {i};"),
            1 => format!("string f{i} = {i};"),
            2 => format!("optional double f{i} = {i};"),
            3 => format!("State f{i} = {i};"),
            4 => format!("repeated Line f{i} = {i};"),
            5 => format!("map<string, int32> f{i} = {i};"),
            6 => format!("repeated sint64 f{i} = {i};"),
            // A oneof member added later would be a removal for the older readers
            // (ONEOF_FIELD_REMOVED under FORWARD): the oneof is complete from the start.
            _ if i <= 100 => {
                oneof.push(format!("    bytes f{i} = {i};\n"));
                continue;
            }
            _ => format!("bytes f{i} = {i};"),
        };
        text.push_str(&format!("  {field}\n"));
    }
    text.push_str("  oneof choice {\n");
    text.extend(oneof);
    text.push_str("  }\n}\n");
    text
}

/// FULL_TRANSITIVE check of a 200-field Protobuf message against 100 versions, each
/// of which added one field (101..=200 fields).
fn protobuf_full_transitive<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let history: Vec<ParsedSchema> = (101..=200)
        .map(|n| protobuf(&protobuf_message(n)))
        .collect();
    let new = protobuf(&protobuf_message(200));
    assert!(check(Level::FullTransitive, &new, &history).compatible);
    c.bench_function("protobuf_full_transitive_200_fields_100_versions", |b| {
        b.iter(|| check(Level::FullTransitive, &new, &history))
    });
}

/// CPU time of the benchmarking thread (Linux `/proc/thread-self/schedstat`), so that
/// a number taken on a shared machine is not inflated by other processes' turns on
/// the CPU. Where that file does not exist it measures wall time instead.
struct ThreadCpuTime;

fn thread_cpu_ns() -> u64 {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    // The kernel brings a running thread's total up to date only at a tick or a switch,
    // so without this a routine shorter than a tick measures zero; yielding settles it.
    std::thread::yield_now();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or_else(|| {
            let since = EPOCH.get_or_init(std::time::Instant::now).elapsed();
            u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
        })
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical_ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical_ns < 1e3 {
            (1.0, "ns cpu")
        } else if typical_ns < 1e6 {
            (1e-3, "µs cpu")
        } else {
            (1e-6, "ms cpu")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, values: &mut [f64]) -> &'static str {
        values.iter_mut().for_each(|v| *v = 0.0);
        "n/a"
    }
    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

/// Parse and canonicalise a schema of about 1 MB.
fn avro_parse_1mb(c: &mut Criterion) {
    let mut n = 1_000;
    let mut text = avro_record(n);
    while text.len() < 1 << 20 {
        n += 500;
        text = avro_record(n);
    }
    c.bench_function("avro_parse_canonicalise_1mb", |b| b.iter(|| avro(&text)));
}

criterion_group!(
    benches,
    avro_full_transitive,
    avro_parse_1mb,
    protobuf_full_transitive
);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = avro_full_transitive, protobuf_full_transitive
}
criterion_main!(benches, cpu);
