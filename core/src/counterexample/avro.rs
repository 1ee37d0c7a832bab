//! Avro counterexamples. The finding's path (into the reader) is followed through the
//! reader and the writer together, the way the compatibility walk descended, to the
//! writer types that meet the break there: a record field by name or reader alias,
//! `items`, `values`, a union branch (a writer union is not named in the path, so each
//! of its branches is tried). A datum of the writer is then built: the smallest valid
//! value everywhere, except along that way, where it holds each variant of the target
//! type in turn (every union branch, every enum symbol, a non-empty array or map, ...).
//! Each datum is encoded with the writer (apache-avro) and decoded with the writer and
//! the reader; the first the reader fails on is the counterexample.
//!
//! The event is given in the Avro specification's JSON encoding (what `validate` reads).
//!
//! apache-avro resolves more leniently than Java in places (it does not compare record
//! names, for one), so a finding Java's rules report may have no datum that apache-avro
//! fails to read: there is then no counterexample.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::schema::ResolvedSchema;
use apache_avro::types::Value as Datum;
use apache_avro::writer::datum::GenericDatumWriter;
use serde_json::{Map, Value};

use super::Found;
use crate::pointer::tokens;
use crate::schema::avro::{AvroSchema, Kind, NamedDef, Node};

/// Values (nodes of the tree) in one datum; a schema whose smallest datum is larger
/// (records of records, each used twice) has no counterexample.
const MAX_VALUES: usize = 4_096;
/// Datums encoded and decoded per finding.
const MAX_TRIES: usize = 64;
/// Writer places a path may lead to (one per branch of each writer union on the way).
const MAX_TARGETS: usize = 16;
/// Nesting below the target through which variants are still varied.
const VARIANT_DEPTH: usize = 4;
/// Heights (of the smallest datum) past this count as unbuildable: bounds the datum's
/// nesting, and the fixpoint that computes them.
const MAX_HEIGHT: usize = 128;
/// Bytes of a fixed type built; a larger size has no counterexample.
const MAX_FIXED: u64 = 1 << 16;

/// One step from a writer type into a part of it.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// The record field at this index.
    Field(usize),
    /// An array's item.
    Item,
    /// A map's value.
    Value,
    /// The union branch at this index.
    Branch(usize),
}

/// A datum both as apache-avro values and in Avro's JSON encoding.
#[derive(Clone, Debug)]
struct Event {
    datum: Datum,
    json: Value,
}

/// A counterexample for a finding at reader path `path`, `reader` reading data of
/// `writer`.
pub(super) fn find(writer: &AvroSchema, reader: &AvroSchema, path: &str) -> Option<Found> {
    let (w_schema, r_schema) = (writer.apache()?, reader.apache()?);
    let tokens = tokens(path)?;
    let mut targets = Vec::new();
    let mut steps = Vec::new();
    locate(
        reader,
        writer,
        &reader.root,
        &writer.root,
        &tokens,
        &mut steps,
        &mut targets,
    );
    if targets.is_empty() {
        return None;
    }
    let builder = Builder::new(writer);
    let check = Check::new(writer, w_schema, reader, r_schema)?;
    let mut tries = 0;
    for (steps, target) in &targets {
        let mut variants = Vec::new();
        builder.variants(target, 0, &mut variants, &mut 0);
        for variant in variants {
            let Some(event) = builder.steer(&writer.root, steps, variant, &mut 0) else {
                continue;
            };
            if tries == MAX_TRIES {
                return None;
            }
            tries += 1;
            if let Some(found) = check.run(event) {
                return Some(found);
            }
        }
    }
    None
}

/// Follows `tokens` (a reader path) from reader type `r` and writer type `w`, pushing
/// every writer place it leads to, with the steps from the writer's root.
fn locate<'w>(
    rs: &AvroSchema,
    ws: &'w AvroSchema,
    r: &Node,
    w: &'w Node,
    tokens: &[String],
    steps: &mut Vec<Step>,
    out: &mut Vec<(Vec<Step>, &'w Node)>,
) {
    if out.len() >= MAX_TARGETS || steps.len() > MAX_HEIGHT {
        return;
    }
    let Some((first, rest)) = tokens.split_first() else {
        out.push((steps.clone(), w));
        return;
    };
    match (&r.kind, &w.kind) {
        // A writer union read by a reader type that is not a union: the walk checked
        // every branch at this same path, so the finding may be under any of them.
        (rk, Kind::Union(branches)) if !matches!(rk, Kind::Union(_)) => {
            for (j, b) in branches.iter().enumerate() {
                steps.push(Step::Branch(j));
                locate(rs, ws, r, b, tokens, steps, out);
                steps.pop();
            }
        }
        // Union reading union: a breaking finding one step down names the writer's
        // branch that no reader branch reads.
        (Kind::Union(_), Kind::Union(branches)) => match first.parse::<usize>() {
            Ok(j) if j < branches.len() && rest.is_empty() => {
                steps.push(Step::Branch(j));
                out.push((steps.clone(), &branches[j]));
                steps.pop();
            }
            _ => out.push((steps.clone(), w)),
        },
        // A reader union reading a writer type through one of its branches.
        (Kind::Union(branches), _) => {
            match first.parse::<usize>().ok().and_then(|i| branches.get(i)) {
                Some(b) => locate(rs, ws, b, w, rest, steps, out),
                None => out.push((steps.clone(), w)),
            }
        }
        (Kind::Array(ri), Kind::Array(wi)) if first == "items" => {
            steps.push(Step::Item);
            locate(rs, ws, ri, wi, rest, steps, out);
            steps.pop();
        }
        (Kind::Map(rv), Kind::Map(wv)) if first == "values" => {
            steps.push(Step::Value);
            locate(rs, ws, rv, wv, rest, steps, out);
            steps.pop();
        }
        (Kind::Named(ri), Kind::Named(wi)) if first == "fields" => {
            let (
                NamedDef::Record { fields: rf, .. },
                NamedDef::Record {
                    fields: wf,
                    by_name,
                    ..
                },
            ) = (&rs.named(*ri).def, &ws.named(*wi).def)
            else {
                out.push((steps.clone(), w));
                return;
            };
            let Some((index, rest)) = rest.split_first() else {
                out.push((steps.clone(), w));
                return;
            };
            let Some(field) = index.parse::<usize>().ok().and_then(|i| rf.get(i)) else {
                out.push((steps.clone(), w));
                return;
            };
            // Java's lookup: by name, then by the reader field's aliases.
            let j = by_name.get(&field.name).copied().or_else(|| {
                field
                    .aliases
                    .iter()
                    .find_map(|a| by_name.get(a.as_str()).copied())
            });
            match (j, rest.split_first()) {
                // The writer lacks the field: any datum of the writer's record will do.
                (None, _) => out.push((steps.clone(), w)),
                (Some(j), Some((ty, rest))) if ty == "type" => {
                    steps.push(Step::Field(j));
                    locate(rs, ws, &field.ty, &wf[j].ty, rest, steps, out);
                    steps.pop();
                }
                (Some(j), _) => {
                    steps.push(Step::Field(j));
                    out.push((steps.clone(), &wf[j].ty));
                    steps.pop();
                }
            }
        }
        // Symbols, size, name, a type mismatch: the writer type here is the target.
        _ => out.push((steps.clone(), w)),
    }
}

/// Builds datums of one writer schema.
struct Builder<'a> {
    schema: &'a AvroSchema,
    /// Height of the smallest datum of each named type; `None` when it has none (a
    /// record that needs itself) or it is higher than `MAX_HEIGHT`.
    heights: Vec<Option<usize>>,
}

impl<'a> Builder<'a> {
    fn new(schema: &'a AvroSchema) -> Self {
        let mut builder = Builder {
            schema,
            heights: vec![None; schema.named.len()],
        };
        // Least fixpoint: a record's height is known once its fields' are. Each round
        // settles at least one more level, so `MAX_HEIGHT` rounds settle every height
        // that counts.
        for _ in 0..MAX_HEIGHT {
            let mut changed = false;
            for i in 0..schema.named.len() {
                let h = builder.named_height(i);
                if h != builder.heights[i] {
                    builder.heights[i] = h;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        builder
    }

    fn named_height(&self, i: usize) -> Option<usize> {
        match &self.schema.named(i).def {
            NamedDef::Record { fields, .. } => {
                let mut h = 0;
                for f in fields {
                    h = h.max(self.height(&f.ty)?);
                }
                Some(h + 1).filter(|h| *h <= MAX_HEIGHT)
            }
            NamedDef::Enum { symbols, .. } => (!symbols.is_empty()).then_some(1),
            NamedDef::Fixed { size } => (*size <= MAX_FIXED).then_some(1),
        }
    }

    fn height(&self, node: &Node) -> Option<usize> {
        match &node.kind {
            Kind::Union(branches) => branches.iter().filter_map(|b| self.height(b)).min(),
            Kind::Named(i) => self.heights[*i],
            _ => Some(1),
        }
    }

    /// The smallest datum of `node`; `None` if it has none within the bounds.
    fn minimal(&self, node: &Node, count: &mut usize) -> Option<Event> {
        *count += 1;
        if *count > MAX_VALUES {
            return None;
        }
        Some(match &node.kind {
            Kind::Null => event(Datum::Null, Value::Null),
            Kind::Boolean => event(Datum::Boolean(false), Value::Bool(false)),
            Kind::Int => event(Datum::Int(0), Value::from(0)),
            Kind::Long => event(Datum::Long(0), Value::from(0)),
            Kind::Float => event(Datum::Float(0.0), Value::from(0.0)),
            Kind::Double => event(Datum::Double(0.0), Value::from(0.0)),
            Kind::Bytes => event(Datum::Bytes(Vec::new()), Value::from("")),
            Kind::String => {
                // apache-avro checks a uuid's text when it resolves the datum.
                let s = if node.logical.as_deref() == Some("uuid") {
                    "00000000-0000-0000-0000-000000000000"
                } else {
                    ""
                };
                event(Datum::String(s.to_owned()), Value::from(s))
            }
            Kind::Array(_) => event(Datum::Array(Vec::new()), Value::Array(Vec::new())),
            Kind::Map(_) => event(Datum::Map(HashMap::new()), Value::Object(Map::new())),
            Kind::Union(branches) => {
                let (j, b) = branches
                    .iter()
                    .enumerate()
                    .filter_map(|(j, b)| Some((j, b, self.height(b)?)))
                    .min_by_key(|(_, _, h)| *h)
                    .map(|(j, b, _)| (j, b))?;
                let inner = self.minimal(b, count)?;
                self.branch(j, b, inner)
            }
            Kind::Named(i) => match &self.schema.named(*i).def {
                NamedDef::Record { fields, .. } => {
                    self.heights[*i]?;
                    let mut values = Vec::with_capacity(fields.len());
                    for f in fields {
                        values.push(self.minimal(&f.ty, count)?);
                    }
                    self.record(*i, values)
                }
                NamedDef::Enum { symbols, .. } => self.symbol(0, symbols.first()?),
                NamedDef::Fixed { size } => {
                    if *size > MAX_FIXED {
                        return None;
                    }
                    let bytes = vec![0u8; *size as usize];
                    let json = "\u{0}".repeat(bytes.len());
                    event(Datum::Fixed(bytes.len(), bytes), Value::from(json))
                }
            },
        })
    }

    /// Datums of `node` worth trying, most telling first: each union branch, each enum
    /// symbol, arrays and maps with one element before empty ones, a record with each
    /// field varied in turn.
    fn variants(&self, node: &Node, depth: usize, out: &mut Vec<Event>, count: &mut usize) {
        if out.len() >= MAX_TRIES {
            return;
        }
        if depth > VARIANT_DEPTH {
            out.extend(self.minimal(node, count));
            return;
        }
        match &node.kind {
            Kind::Boolean => {
                out.push(event(Datum::Boolean(false), Value::Bool(false)));
                out.push(event(Datum::Boolean(true), Value::Bool(true)));
            }
            Kind::Array(items) => {
                let mut inner = Vec::new();
                self.variants(items, depth + 1, &mut inner, count);
                for v in inner {
                    out.push(event(
                        Datum::Array(vec![v.datum]),
                        Value::Array(vec![v.json]),
                    ));
                }
                out.extend(self.minimal(node, count));
            }
            Kind::Map(values) => {
                let mut inner = Vec::new();
                self.variants(values, depth + 1, &mut inner, count);
                for v in inner {
                    let mut json = Map::new();
                    json.insert("k".to_owned(), v.json);
                    out.push(event(
                        Datum::Map(HashMap::from([("k".to_owned(), v.datum)])),
                        Value::Object(json),
                    ));
                }
                out.extend(self.minimal(node, count));
            }
            Kind::Union(branches) => {
                for (j, b) in branches.iter().enumerate() {
                    let mut inner = Vec::new();
                    self.variants(b, depth + 1, &mut inner, count);
                    out.extend(inner.into_iter().map(|v| self.branch(j, b, v)));
                }
            }
            Kind::Named(i) => match &self.schema.named(*i).def {
                NamedDef::Enum { symbols, .. } => {
                    out.extend(symbols.iter().enumerate().map(|(k, s)| self.symbol(k, s)));
                }
                NamedDef::Record { fields, .. } => {
                    let Some(base) = fields
                        .iter()
                        .map(|f| self.minimal(&f.ty, count))
                        .collect::<Option<Vec<_>>>()
                    else {
                        return;
                    };
                    out.push(self.record(*i, base.clone()));
                    for (k, f) in fields.iter().enumerate() {
                        let mut inner = Vec::new();
                        self.variants(&f.ty, depth + 1, &mut inner, count);
                        for v in inner.into_iter().skip(1) {
                            if out.len() >= MAX_TRIES {
                                return;
                            }
                            let mut values = base.clone();
                            values[k] = v;
                            out.push(self.record(*i, values));
                        }
                    }
                }
                NamedDef::Fixed { .. } => out.extend(self.minimal(node, count)),
            },
            _ => out.extend(self.minimal(node, count)),
        }
        out.truncate(MAX_TRIES);
    }

    /// A datum of `node` that is the smallest everywhere except at the end of `steps`,
    /// where it holds `leaf`.
    fn steer(&self, node: &Node, steps: &[Step], leaf: Event, count: &mut usize) -> Option<Event> {
        let Some((step, rest)) = steps.split_first() else {
            return Some(leaf);
        };
        match (step, &node.kind) {
            (Step::Item, Kind::Array(items)) => {
                let v = self.steer(items, rest, leaf, count)?;
                Some(event(
                    Datum::Array(vec![v.datum]),
                    Value::Array(vec![v.json]),
                ))
            }
            (Step::Value, Kind::Map(values)) => {
                let v = self.steer(values, rest, leaf, count)?;
                let mut json = Map::new();
                json.insert("k".to_owned(), v.json);
                Some(event(
                    Datum::Map(HashMap::from([("k".to_owned(), v.datum)])),
                    Value::Object(json),
                ))
            }
            (Step::Branch(j), Kind::Union(branches)) => {
                let b = branches.get(*j)?;
                let v = self.steer(b, rest, leaf, count)?;
                Some(self.branch(*j, b, v))
            }
            (Step::Field(k), Kind::Named(i)) => {
                let NamedDef::Record { fields, .. } = &self.schema.named(*i).def else {
                    return None;
                };
                let mut leaf = Some(leaf);
                let mut values = Vec::with_capacity(fields.len());
                for (n, f) in fields.iter().enumerate() {
                    values.push(if n == *k {
                        self.steer(&f.ty, rest, leaf.take()?, count)?
                    } else {
                        self.minimal(&f.ty, count)?
                    });
                }
                Some(self.record(*i, values))
            }
            _ => None,
        }
    }

    fn record(&self, i: usize, values: Vec<Event>) -> Event {
        let NamedDef::Record { fields, .. } = &self.schema.named(i).def else {
            unreachable!("record() is only called on records");
        };
        let mut datum = Vec::with_capacity(fields.len());
        let mut json = Map::new();
        for (f, v) in fields.iter().zip(values) {
            datum.push((f.name.clone(), v.datum));
            json.insert(f.name.clone(), v.json);
        }
        event(Datum::Record(datum), Value::Object(json))
    }

    fn symbol(&self, k: usize, s: &str) -> Event {
        event(Datum::Enum(k as u32, s.to_owned()), Value::from(s))
    }

    /// `inner` as branch `j` (of type `b`) of a union.
    fn branch(&self, j: usize, b: &Node, inner: Event) -> Event {
        let json = if b.kind == Kind::Null {
            Value::Null
        } else {
            let mut m = Map::new();
            m.insert(self.branch_name(b), inner.json);
            Value::Object(m)
        };
        event(Datum::Union(j as u32, Box::new(inner.datum)), json)
    }

    /// The key Avro's JSON encoding uses for a union branch.
    fn branch_name(&self, node: &Node) -> String {
        match &node.kind {
            Kind::Array(_) => "array".to_owned(),
            Kind::Map(_) => "map".to_owned(),
            Kind::Named(i) => self.schema.named(*i).full_name.clone(),
            other => other.primitive_name().unwrap_or("union").to_owned(),
        }
    }
}

fn event(datum: Datum, json: Value) -> Event {
    Event { datum, json }
}

/// Encodes with the writer, decodes with the writer and the reader.
struct Check<'a> {
    writer: &'a apache_avro::Schema,
    reader: &'a apache_avro::Schema,
    writer_names: ResolvedSchema<'a>,
    reader_names: ResolvedSchema<'a>,
}

impl<'a> Check<'a> {
    fn new(
        w: &'a AvroSchema,
        writer: &'a apache_avro::Schema,
        r: &'a AvroSchema,
        reader: &'a apache_avro::Schema,
    ) -> Option<Self> {
        Some(Check {
            writer,
            reader,
            writer_names: ResolvedSchema::new_with_schemata(w.apache_schemata()).ok()?,
            reader_names: ResolvedSchema::new_with_schemata(r.apache_schemata()).ok()?,
        })
    }

    /// The counterexample `event` makes, if the reader fails on it.
    fn run(&self, event: Event) -> Option<Found> {
        // apache-avro is a dependency we do not control: a panic in it on an odd
        // schema must cost this event, not the caller.
        catch_unwind(AssertUnwindSafe(|| self.try_event(event))).ok()?
    }

    fn try_event(&self, event: Event) -> Option<Found> {
        // Resolving against the writer turns plain values into its logical types
        // (an int into a date, bytes into a decimal), as encoding expects.
        let datum = event
            .datum
            .resolve_with_names(self.writer, self.writer_names.get_names())
            .ok()?;
        let bytes = GenericDatumWriter::builder(self.writer)
            .resolved_schemata(self.writer_names.clone())
            .build()
            .ok()?
            .write_value_to_vec(datum)
            .ok()?;
        // The writer must read its own datum back, or the datum proves nothing.
        GenericDatumReader::builder(self.writer)
            .resolved_writer_schemata(self.writer_names.clone())
            .build()
            .ok()?
            .read_value(&mut bytes.as_slice())
            .ok()?;
        let read = GenericDatumReader::builder(self.writer)
            .resolved_writer_schemata(self.writer_names.clone())
            .reader_schema(self.reader)
            .resolved_reader_schemata(self.reader_names.clone())
            .build()
            .ok()?
            .read_value(&mut bytes.as_slice());
        match read {
            Ok(_) => None,
            Err(e) => Some(Found {
                event: event.json,
                bytes: Some(bytes),
                outcome: format!("the reader fails: {e}"),
            }),
        }
    }
}
