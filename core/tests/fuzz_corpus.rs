//! The stable-toolchain companion of the cargo-fuzz targets in `core/fuzz` (which need
//! nightly, and which `.ci/fuzz` runs): replays every committed corpus file through the
//! same four target bodies, then runs a deterministic byte-level mutation loop from a
//! fixed seed. No input may panic, and each must finish in bounded time.
//!
//! `SCHEMAGATE_FUZZ_ITERS` (default 5000 per target) lengthens the mutation loop;
//! `SCHEMAGATE_FUZZ_SEED` changes its seed.

#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 6] = [
    ("parse_avro", targets::parse_avro),
    ("parse_json", targets::parse_json),
    ("parse_protobuf", targets::parse_protobuf),
    ("compat_avro", targets::compat_avro),
    ("compat_json", targets::compat_json),
    ("compat_protobuf", targets::compat_protobuf),
];

/// The slowest a single input may be in a debug build before it counts as a hang.
const PER_INPUT: Duration = Duration::from_secs(5);

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// Runs one input, turning a panic or an overlong run into a failure that shows it.
fn run(target: &str, f: Target, label: &str, input: &[u8]) {
    let start = Instant::now();
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| f(input))) {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        panic!(
            "{target} panicked on {label}: {why}\ninput: {:?}",
            String::from_utf8_lossy(input)
        );
    }
    let took = start.elapsed();
    assert!(
        took < PER_INPUT,
        "{target} took {took:?} on {label}: {:?}",
        String::from_utf8_lossy(input)
    );
}

#[test]
fn every_committed_corpus_file_replays_cleanly() {
    for (target, f) in TARGETS {
        let files = corpus(target);
        assert!(!files.is_empty(), "{target}: empty corpus");
        for (name, data) in &files {
            run(target, f, name, data);
        }
    }
}

/// Found by `compat_avro` under cargo-fuzz (CI's first real run): a field alias naming
/// another field makes the schema incompatible with itself, as Java decides
/// (`AMBIGUOUS_READER_FIELD`); the target's self-compatibility property now allows
/// exactly that, and nothing else.
#[test]
fn a_field_alias_naming_another_field_is_ambiguous_even_against_itself() {
    let text = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":"string","aliases":["a"]}]}"#;
    targets::compat_avro(text.as_bytes());
    let parsed = schemagate_core::ParsedSchema::parse_bytes(
        schemagate_core::SchemaType::Avro,
        text.as_bytes(),
        &[],
        &schemagate_core::ParseOptions::default(),
    )
    .expect("a valid schema");
    let report = schemagate_core::check(
        schemagate_core::Level::Backward,
        &parsed,
        std::slice::from_ref(&parsed),
    );
    let rules: Vec<&str> = report.breaking().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["AMBIGUOUS_READER_FIELD"]);
}

/// xorshift64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that steer mutations towards schema-shaped inputs.
const TOKENS: &[&[u8]] = &[
    b"message ",
    b"enum ",
    b"oneof ",
    b"repeated ",
    b"optional ",
    b"map<string, int32> ",
    b" = 1;",
    b"reserved 2 to 5;",
    b"syntax = \"proto2\";",
    b"import \"google/protobuf/timestamp.proto\";",
    b"[(x) = { a: [1, 2] }]",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"\0",
    b"null",
    b"true",
    b"-1",
    b"1e999",
    b"\"type\"",
    b"\"record\"",
    b"\"enum\"",
    b"\"array\"",
    b"\"map\"",
    b"\"fixed\"",
    b"\"fields\"",
    b"\"name\"",
    b"\"items\"",
    b"\"values\"",
    b"\"symbols\"",
    b"\"default\"",
    b"\"aliases\"",
    b"\"namespace\"",
    b"\"logicalType\"",
    b"\"decimal\"",
    b"\"precision\"",
    b"\"$ref\"",
    b"\"#\"",
    b"\"properties\"",
    b"\"required\"",
    b"\"allOf\"",
    b"\"oneOf\"",
    b"\"anyOf\"",
    b"\"not\"",
    b"\"pattern\"",
    b"\"patternProperties\"",
    b"\"minimum\"",
    b"\"additionalProperties\"",
    b"\"definitions\"",
    b"\"$defs\"",
    b"\"const\"",
    b"\"enum\"",
    b"\\u0000",
    b"\\ud800",
    b"\xff",
    b"\xc3\xa9",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, donor: &[u8]) {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                input.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                input.drain(i..i + n);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(32));
                let chunk = input[i..i + n].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            5 | 6 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let i = rng.below(len + 1);
                input.splice(i..i, token.iter().copied());
            }
            _ if !donor.is_empty() => {
                // Splice: our head, the donor's tail.
                let cut = rng.below(len + 1);
                let from = rng.below(donor.len());
                input.truncate(cut);
                input.extend_from_slice(&donor[from..]);
            }
            _ => {}
        }
    }
    input.truncate(8 * 1024);
}

#[test]
fn deterministic_mutations_never_panic_or_hang() {
    let iters: usize = std::env::var("SCHEMAGATE_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let seed: u64 = std::env::var("SCHEMAGATE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_cafe_f00d_0001);
    let start = Instant::now();
    for (t, (target, f)) in TARGETS.into_iter().enumerate() {
        let seeds: Vec<Vec<u8>> = corpus(target).into_iter().map(|(_, d)| d).collect();
        let mut rng = Rng((seed ^ (t as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1);
        for i in 0..iters {
            let mut input = seeds[rng.below(seeds.len())].clone();
            let donor = &seeds[rng.below(seeds.len())];
            mutate(&mut rng, &mut input, donor);
            run(target, f, &format!("mutation {i} (seed {seed})"), &input);
        }
    }
    eprintln!(
        "{} mutations over 4 targets in {:.1} s",
        iters * 4,
        start.elapsed().as_secs_f64()
    );
}
