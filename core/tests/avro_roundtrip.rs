//! Property: whenever the engine says a reader schema can read a writer schema, data
//! encoded with the writer decodes through the reader with `apache-avro`'s own
//! resolution; and where its verdict holds for every datum (a top-level reader field
//! with no value, a top-level primitive or fixed field the reader cannot take),
//! decoding fails.
//!
//! Where apache-avro 0.22 itself is wrong the shape is excluded, with the reason:
//! - Reader field aliases: `Value::resolve_record` looks writer fields up by the
//!   reader field's name only, so a field renamed with `aliases: ["old"]` fails to
//!   decode although the specification and Java read it. Pairs whose reader reads a
//!   field through an alias are not decoded.
//! - Narrowing: `Value::resolve` turns a long into an int when it fits, a double into
//!   a float, and the strings "NaN"/"INF" into a float or double, where the
//!   specification and Java refuse the schema pair. The engine follows the
//!   specification; such fields are not counted as unreadable for every datum.

use std::collections::HashMap;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value as Avro;
use apache_avro::writer::datum::GenericDatumWriter;
use std::cell::RefCell;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use schemagate_core::{Level, ParsedSchema, SchemaType, check};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq)]
enum P {
    Boolean,
    Int,
    Long,
    Float,
    Double,
    String,
    Bytes,
}

const PRIMS: [P; 7] = [
    P::Boolean,
    P::Int,
    P::Long,
    P::Float,
    P::Double,
    P::String,
    P::Bytes,
];

#[derive(Clone, Debug)]
enum T {
    Prim(P),
    Array(Box<T>),
    Map(Box<T>),
    /// `["null", T]`
    Nullable(Box<T>),
    /// A union of distinct primitives.
    Union(Vec<P>),
    Enum {
        name: String,
        symbols: Vec<String>,
        default: Option<String>,
    },
    Fixed {
        name: String,
        size: usize,
    },
    Record {
        name: String,
        fields: Vec<F>,
    },
}

#[derive(Clone, Debug)]
struct F {
    name: String,
    ty: T,
    default: bool,
    aliases: Vec<String>,
}

fn prim() -> impl Strategy<Value = P> {
    proptest::sample::select(PRIMS.to_vec())
}

fn leaf() -> impl Strategy<Value = T> {
    prop_oneof![
        3 => prim().prop_map(T::Prim),
        1 => (1usize..4).prop_map(|n| T::Enum {
            name: String::new(),
            symbols: (0..n).map(|i| format!("S{i}")).collect(),
            default: None,
        }),
        1 => (1usize..5).prop_map(|size| T::Fixed { name: String::new(), size }),
        1 => proptest::sample::subsequence(PRIMS.to_vec(), 2..4).prop_map(T::Union),
    ]
}

fn ty() -> BoxedStrategy<T> {
    leaf()
        .prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(|t| T::Array(Box::new(t))),
                inner.clone().prop_map(|t| T::Map(Box::new(t))),
                inner.clone().prop_map(|t| match t {
                    T::Nullable(_) | T::Union(_) => t,
                    other => T::Nullable(Box::new(other)),
                }),
                fields(inner).prop_map(|fields| T::Record {
                    name: String::new(),
                    fields
                }),
            ]
        })
        .boxed()
}

fn fields(inner: impl Strategy<Value = T> + Clone) -> impl Strategy<Value = Vec<F>> {
    proptest::collection::vec((inner, any::<bool>()), 1..5).prop_map(|fs| {
        fs.into_iter()
            .enumerate()
            .map(|(i, (ty, default))| F {
                name: format!("f{i}"),
                ty,
                default,
                aliases: vec![],
            })
            .collect()
    })
}

/// Gives every named type a unique name.
fn name_all(t: &mut T, counter: &mut usize) {
    *counter += 1;
    match t {
        T::Enum { name, .. } => *name = format!("E{counter}"),
        T::Fixed { name, .. } => *name = format!("X{counter}"),
        T::Record { name, fields } => {
            *name = format!("R{counter}");
            for f in fields {
                name_all(&mut f.ty, counter);
            }
        }
        T::Array(i) | T::Map(i) | T::Nullable(i) => name_all(i, counter),
        T::Prim(_) | T::Union(_) => {}
    }
}

fn prim_name(p: P) -> &'static str {
    match p {
        P::Boolean => "boolean",
        P::Int => "int",
        P::Long => "long",
        P::Float => "float",
        P::Double => "double",
        P::String => "string",
        P::Bytes => "bytes",
    }
}

fn prim_default(p: P) -> Value {
    match p {
        P::Boolean => json!(false),
        P::Int | P::Long => json!(0),
        P::Float | P::Double => json!(0.5),
        P::String | P::Bytes => json!(""),
    }
}

/// A valid default for the type, where the generator gives defaults to it at all.
fn default_of(t: &T) -> Option<Value> {
    match t {
        T::Prim(p) => Some(prim_default(*p)),
        T::Nullable(_) => Some(Value::Null),
        T::Union(ps) => Some(prim_default(ps[0])),
        T::Array(_) => Some(json!([])),
        T::Map(_) => Some(json!({})),
        T::Enum { symbols, .. } => Some(json!(symbols[0])),
        T::Fixed { .. } | T::Record { .. } => None,
    }
}

fn to_json(t: &T) -> Value {
    match t {
        T::Prim(p) => json!(prim_name(*p)),
        T::Array(i) => json!({"type": "array", "items": to_json(i)}),
        T::Map(i) => json!({"type": "map", "values": to_json(i)}),
        T::Nullable(i) => json!(["null", to_json(i)]),
        T::Union(ps) => Value::Array(ps.iter().map(|p| json!(prim_name(*p))).collect()),
        T::Enum {
            name,
            symbols,
            default,
        } => {
            let mut e = json!({"type": "enum", "name": name, "symbols": symbols});
            if let Some(d) = default {
                e["default"] = json!(d);
            }
            e
        }
        T::Fixed { name, size } => json!({"type": "fixed", "name": name, "size": size}),
        T::Record { name, fields } => {
            let fields: Vec<Value> = fields
                .iter()
                .map(|f| {
                    let mut v = json!({"name": f.name, "type": to_json(&f.ty)});
                    if f.default
                        && let Some(d) = default_of(&f.ty)
                    {
                        v["default"] = d;
                    }
                    if !f.aliases.is_empty() {
                        v["aliases"] = json!(f.aliases);
                    }
                    v
                })
                .collect();
            json!({"type": "record", "name": name, "fields": fields})
        }
    }
}

/// A small deterministic generator, seeded by proptest, for mutations and data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

struct Mutator {
    rng: Rng,
    fresh: usize,
    /// A reader field reads a writer field through an alias (see the module docs).
    uses_alias: bool,
}

impl Mutator {
    fn mutate(&mut self, t: &T) -> T {
        let local = self.rng.chance(30);
        match t {
            T::Prim(p) if local => match self.rng.below(3) {
                0 => T::Nullable(Box::new(T::Prim(*p))),
                _ => T::Prim(PRIMS[self.rng.below(PRIMS.len())]),
            },
            T::Prim(_) => t.clone(),
            T::Nullable(i) if local && !matches!(**i, T::Record { .. }) => (**i).clone(),
            T::Nullable(i) => match self.mutate(i) {
                // A union may not hold a union: the inner change made it optional.
                inner @ (T::Nullable(_) | T::Union(_)) => inner,
                inner => T::Nullable(Box::new(inner)),
            },
            T::Array(i) => T::Array(Box::new(self.mutate(i))),
            T::Map(i) => T::Map(Box::new(self.mutate(i))),
            T::Union(ps) if local => {
                let mut ps = ps.clone();
                if self.rng.chance(50) && ps.len() > 1 {
                    ps.remove(self.rng.below(ps.len()));
                } else if let Some(p) = PRIMS.iter().find(|p| !ps.contains(p)) {
                    ps.push(*p);
                }
                T::Union(ps)
            }
            T::Union(_) => t.clone(),
            T::Enum {
                name,
                symbols,
                default,
            } if local => {
                let mut symbols = symbols.clone();
                let mut default = default.clone();
                match self.rng.below(3) {
                    0 => {
                        self.fresh += 1;
                        symbols.push(format!("N{}", self.fresh));
                    }
                    1 if symbols.len() > 1 => {
                        let gone = symbols.remove(self.rng.below(symbols.len()));
                        if default.as_ref() == Some(&gone) {
                            default = None;
                        }
                    }
                    _ => default = Some(symbols[self.rng.below(symbols.len())].clone()),
                }
                T::Enum {
                    name: name.clone(),
                    symbols,
                    default,
                }
            }
            T::Enum { .. } => t.clone(),
            T::Fixed { name, size } if local => T::Fixed {
                name: name.clone(),
                size: size + 1,
            },
            T::Fixed { .. } => t.clone(),
            T::Record { name, fields } => {
                let mut fields: Vec<F> = fields
                    .iter()
                    .map(|f| F {
                        ty: self.mutate(&f.ty),
                        ..f.clone()
                    })
                    .collect();
                if local {
                    self.mutate_fields(&mut fields);
                }
                T::Record {
                    name: name.clone(),
                    fields,
                }
            }
        }
    }

    fn mutate_fields(&mut self, fields: &mut Vec<F>) {
        match self.rng.below(5) {
            0 if fields.len() > 1 => {
                fields.remove(self.rng.below(fields.len()));
            }
            1 => {
                self.fresh += 1;
                fields.push(F {
                    name: format!("added{}", self.fresh),
                    ty: T::Prim(PRIMS[self.rng.below(PRIMS.len())]),
                    default: self.rng.chance(50),
                    aliases: vec![],
                });
            }
            2 => {
                let i = self.rng.below(fields.len());
                let old = fields[i].name.clone();
                fields[i].name = format!("renamed_{old}");
                if self.rng.chance(50) {
                    fields[i].aliases = vec![old];
                    self.uses_alias = true;
                }
            }
            3 => {
                let i = self.rng.below(fields.len());
                fields[i].default = !fields[i].default;
            }
            _ => {
                let (i, j) = (self.rng.below(fields.len()), self.rng.below(fields.len()));
                fields.swap(i, j);
            }
        }
    }
}

fn datum(t: &T, rng: &mut Rng) -> Avro {
    match t {
        T::Prim(p) => prim_datum(*p, rng),
        T::Array(i) => Avro::Array((0..rng.below(3)).map(|_| datum(i, rng)).collect()),
        T::Map(i) => Avro::Map(
            (0..rng.below(3))
                .map(|k| (format!("k{k}"), datum(i, rng)))
                .collect::<HashMap<_, _>>(),
        ),
        T::Nullable(i) => {
            if rng.chance(30) {
                Avro::Union(0, Box::new(Avro::Null))
            } else {
                Avro::Union(1, Box::new(datum(i, rng)))
            }
        }
        T::Union(ps) => {
            let i = rng.below(ps.len());
            Avro::Union(i as u32, Box::new(prim_datum(ps[i], rng)))
        }
        T::Enum { symbols, .. } => {
            let i = rng.below(symbols.len());
            Avro::Enum(i as u32, symbols[i].clone())
        }
        T::Fixed { size, .. } => Avro::Fixed(*size, (0..*size).map(|b| b as u8).collect()),
        T::Record { fields, .. } => Avro::Record(
            fields
                .iter()
                .map(|f| (f.name.clone(), datum(&f.ty, rng)))
                .collect(),
        ),
    }
}

fn prim_datum(p: P, rng: &mut Rng) -> Avro {
    let n = rng.next();
    match p {
        P::Boolean => Avro::Boolean(n.is_multiple_of(2)),
        P::Int => Avro::Int(n as i32),
        P::Long => Avro::Long(n as i64),
        P::Float => Avro::Float((n % 1000) as f32 / 8.0),
        P::Double => Avro::Double((n % 100_000) as f64 / 16.0),
        P::String => Avro::String(format!("s{}", n % 100)),
        // ASCII: bytes -> string is a promotion for bytes that hold UTF-8 text; other
        // bytes fail in apache-avro (and turn into U+FFFD in Java) whatever the schemas.
        P::Bytes => Avro::Bytes(vec![b'a' + (n % 26) as u8; (n % 4) as usize]),
    }
}

fn writer_and_reader() -> impl Strategy<Value = (T, T, bool, u64)> {
    (fields(ty()), any::<u64>(), any::<u64>()).prop_map(|(fields, mutation_seed, data_seed)| {
        let mut writer = T::Record {
            name: String::new(),
            fields,
        };
        name_all(&mut writer, &mut 0);
        let mut m = Mutator {
            rng: Rng(mutation_seed | 1),
            fresh: 0,
            uses_alias: false,
        };
        let reader = m.mutate(&writer);
        (writer, reader, m.uses_alias, data_seed | 1)
    })
}

/// Whether a breaking finding makes every datum unreadable, whatever its values: a
/// top-level reader field with no value, or a top-level field whose writer type is a
/// single primitive or fixed that the reader cannot take. Problems inside arrays, maps
/// and unions depend on the data (an empty array decodes under any item type).
fn data_independent(writer: &T, reader: &T, rule: &str, path: &str) -> bool {
    let (T::Record { fields, .. }, T::Record { fields: read, .. }) = (writer, reader) else {
        return false;
    };
    let Some(rest) = path.strip_prefix("/fields/") else {
        return false;
    };
    let (index, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let Ok(index) = index.parse::<usize>() else {
        return false;
    };
    match (rule, tail) {
        ("READER_FIELD_MISSING_DEFAULT_VALUE", "") => true,
        ("TYPE_MISMATCH" | "FIXED_SIZE_MISMATCH", "type") => {
            let reader_field = read.get(index);
            let reader_ty = reader_field.map(|f| &f.ty);
            let writer_ty = reader_field
                .and_then(|r| fields.iter().find(|w| w.name == r.name))
                .map(|f| &f.ty);
            match (writer_ty, reader_ty) {
                // apache-avro narrows these, against the specification (see the top).
                (Some(T::Prim(P::Long)), Some(T::Prim(P::Int)))
                | (Some(T::Prim(P::Double | P::String)), Some(T::Prim(P::Float)))
                | (Some(T::Prim(P::String)), Some(T::Prim(P::Double))) => false,
                (Some(w), _) => matches!(w, T::Prim(_) | T::Fixed { .. }),
                (None, _) => false,
            }
        }
        _ => false,
    }
}

fn parsed(value: &Value) -> ParsedSchema {
    let text = value.to_string();
    ParsedSchema::parse(SchemaType::Avro, &text, &[])
        .unwrap_or_else(|e| panic!("generated schema {text} does not parse: {e}"))
}

/// How often each outcome came up, so the property cannot pass by never testing.
#[derive(Default, Debug)]
struct Seen {
    compatible_decoded: usize,
    incompatible: usize,
    unreadable_failed: usize,
    alias_skipped: usize,
}

#[test]
fn readable_pairs_decode_with_apache_avro() {
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    });
    let seen = RefCell::new(Seen::default());
    let result = runner.run(&writer_and_reader(), |(writer, reader, uses_alias, seed)| {
        let (wj, rj) = (to_json(&writer), to_json(&reader));
        let (w, r) = (parsed(&wj), parsed(&rj));
        let wa = w.as_avro().and_then(|a| a.apache()).expect("apache-avro parses the writer");
        let ra = r.as_avro().and_then(|a| a.apache()).expect("apache-avro parses the reader");
        let report = check(Level::Backward, &r, std::slice::from_ref(&w));
        let top_level_missing = !report.compatible
            && report
                .breaking()
                .all(|f| data_independent(&writer, &reader, &f.rule, &f.path));
        let mut rng = Rng(seed);
        for _ in 0..3 {
            let value = datum(&writer, &mut rng);
            let bytes = GenericDatumWriter::builder(wa)
                .build()
                .and_then(|w| w.write_value_to_vec(value.clone()))
                .unwrap_or_else(|e| panic!("cannot encode {value:?} with {wj}: {e}"));
            let decoded = GenericDatumReader::builder(wa)
                .reader_schema(ra)
                .build()
                .and_then(|d| d.read_value(&mut bytes.as_slice()));
            let mut seen = seen.borrow_mut();
            if report.compatible && uses_alias {
                seen.alias_skipped += 1;
            } else if report.compatible {
                prop_assert!(
                    decoded.is_ok(),
                    "engine says compatible but apache-avro fails: {:?}\nwriter {}\nreader {}\n{}",
                    decoded.err(),
                    wj,
                    rj,
                    report
                );
                seen.compatible_decoded += 1;
            } else {
                seen.incompatible += 1;
            }
            if top_level_missing {
                prop_assert!(
                    decoded.is_err(),
                    "engine says no datum is readable but apache-avro decodes\nwriter {}\nreader {}\n{}",
                    wj,
                    rj,
                    report
                );
                seen.unreadable_failed += 1;
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let seen = seen.into_inner();
    eprintln!("outcomes: {seen:?}");
    assert!(
        seen.compatible_decoded > 100 && seen.incompatible > 50 && seen.unreadable_failed > 5,
        "too few interesting cases: {seen:?}"
    );
}
