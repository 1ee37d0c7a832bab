//! Criterion benchmarks of the compatibility engine (filled in by the engines).
#![allow(missing_docs)] // criterion_group! generates undocumented items.

use criterion::{Criterion, criterion_group, criterion_main};

fn parse_small(c: &mut Criterion) {
    c.bench_function("parse_primitive", |b| {
        b.iter(|| {
            schemagate_core::ParsedSchema::parse(
                schemagate_core::SchemaType::Avro,
                "\"string\"",
                &[],
            )
        })
    });
}

criterion_group!(benches, parse_small);
criterion_main!(benches);
