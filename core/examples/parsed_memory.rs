//! What a parsed schema holds in memory, against `ParsedSchema::approximate_memory`
//! (what the registry's caches count it as): for each case, a child process parses
//! the same text 300 times and reports its resident memory growth per parse
//! (`/proc/self/statm`, so Linux only), then, for Protobuf, the growth once each
//! parsed schema has been checked (the engine's tables). A fresh process per case,
//! so that memory freed by one case is not reused by the next. Usage:
//! `cargo run --release -p schemagate-core --example parsed_memory`.

use std::process::Command;

use schemagate_core::{Level, ParsedSchema, SchemaType, check};

/// Parses per case: enough that allocator noise is small against the total.
const PARSES: usize = 300;

/// A case: its name, format and text.
struct Case {
    name: &'static str,
    schema_type: SchemaType,
    text: String,
}

fn cases() -> Vec<Case> {
    let names = || (1..=200).map(|i| format!("f{i}"));
    // The compat bench's mix of shapes, and plain 200-field schemas.
    let avro_mixed: Vec<String> = names()
        .zip(0..)
        .map(|(n, i)| {
            let ty = [
                r#""long""#,
                r#""string""#,
                r#"["null","double"]"#,
                r#"{"type":"array","items":"string"}"#,
                r#"{"type":"map","values":"int"}"#,
            ][i % 5];
            format!(r#"{{"name":"{n}","type":{ty}}}"#)
        })
        .collect();
    let avro_plain: Vec<String> = names()
        .map(|n| format!(r#"{{"name":"{n}","type":"long"}}"#))
        .collect();
    let json_mixed: Vec<String> = names()
        .zip(0..)
        .map(|(n, i)| {
            let ty = [
                r#"{"type":"integer"}"#,
                r#"{"type":"string","maxLength":20}"#,
                r#"{"type":["number","null"]}"#,
                r#"{"type":"array","items":{"type":"string"}}"#,
                r#"{"type":"object","additionalProperties":{"type":"integer"}}"#,
            ][i % 5];
            format!(r#""{n}":{ty}"#)
        })
        .collect();
    let json_plain: Vec<String> = names()
        .map(|n| format!(r#""{n}":{{"type":"integer"}}"#))
        .collect();
    let proto_mixed: String = names()
        .zip(1..)
        .map(|(n, i)| {
            let ty = [
                "int64",
                "string",
                "double",
                "repeated Line",
                "map<string, int32>",
            ][i % 5];
            format!("  {ty} {n} = {i};\n")
        })
        .collect();
    let proto_plain: String = names()
        .zip(1..)
        .map(|(n, i)| format!("  int64 {n} = {i};\n"))
        .collect();
    let avro = |name, text| Case {
        name,
        schema_type: SchemaType::Avro,
        text,
    };
    let json = |name, text| Case {
        name,
        schema_type: SchemaType::Json,
        text,
    };
    let proto = |name, text| Case {
        name,
        schema_type: SchemaType::Protobuf,
        text,
    };
    vec![
        avro(
            "avro-200-mixed",
            format!(
                r#"{{"type":"record","name":"R","fields":[{}]}}"#,
                avro_mixed.join(",")
            ),
        ),
        avro(
            "avro-200-plain",
            format!(
                r#"{{"type":"record","name":"R","fields":[{}]}}"#,
                avro_plain.join(",")
            ),
        ),
        avro(
            "avro-2",
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"int"}]}"#.into(),
        ),
        json(
            "json-200-mixed",
            format!(
                r#"{{"type":"object","properties":{{{}}}}}"#,
                json_mixed.join(",")
            ),
        ),
        json(
            "json-200-plain",
            format!(
                r#"{{"type":"object","properties":{{{}}}}}"#,
                json_plain.join(",")
            ),
        ),
        json(
            "json-2",
            r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}"#
                .into(),
        ),
        proto(
            "proto-200-mixed",
            format!(
                "syntax = \"proto3\";\nmessage Line {{ string sku = 1; }}\nmessage R {{\n{proto_mixed}}}\n"
            ),
        ),
        proto(
            "proto-200-plain",
            format!("syntax = \"proto3\";\nmessage R {{\n{proto_plain}}}\n"),
        ),
        proto(
            "proto-2",
            "syntax = \"proto3\";\nmessage R { string a = 1; int32 b = 2; }\n".into(),
        ),
        proto(
            "proto-2-timestamp",
            "syntax = \"proto3\";\nimport \"google/protobuf/timestamp.proto\";\nmessage R { string a = 1; google.protobuf.Timestamp b = 2; }\n".into(),
        ),
        proto(
            "proto-2-descriptor",
            "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\nmessage R { string a = 1; google.protobuf.FileDescriptorProto b = 2; }\n".into(),
        ),
    ]
}

/// Resident memory of this process in bytes (`statm` counts pages: 4 KiB on the
/// machines this runs on).
fn resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc/self/statm");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("statm's second field");
    pages * 4096
}

/// In the child: parse `case` PARSES times, then check each against one more parse;
/// prints text length, bytes per parse, bytes per check, estimate.
fn measure(case: &Case) {
    let before = resident();
    let parsed: Vec<ParsedSchema> = (0..PARSES)
        .map(|_| ParsedSchema::parse(case.schema_type, &case.text, &[]).expect("valid case"))
        .collect();
    let after_parse = resident();
    let new = ParsedSchema::parse(case.schema_type, &case.text, &[]).expect("valid case");
    for old in &parsed {
        assert!(check(Level::Full, &new, std::slice::from_ref(old)).compatible);
    }
    let after_check = resident();
    println!(
        "{} {} {} {}",
        case.text.len(),
        after_parse.saturating_sub(before) / PARSES,
        after_check.saturating_sub(after_parse) / PARSES,
        parsed[0].approximate_memory()
    );
}

fn main() {
    let cases = cases();
    if let Some(name) = std::env::args().nth(1) {
        let case = cases.iter().find(|c| c.name == name).expect("a case name");
        measure(case);
        return;
    }
    let exe = std::env::current_exe().expect("this program's path");
    println!("| case | text, bytes | per parse, KB | per check, KB | estimate, KB |");
    println!("|---|---:|---:|---:|---:|");
    for case in &cases {
        let out = Command::new(&exe)
            .arg(case.name)
            .output()
            .expect("run a case");
        let line = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<usize> = line
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        let [text, parse, tables, estimate] = fields[..] else {
            println!(
                "| {} | failed: {} |",
                case.name,
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        };
        println!(
            "| {} | {text} | {} | {} | {} |",
            case.name,
            parse / 1000,
            tables / 1000,
            estimate / 1000
        );
    }
}
