//! Protobuf schemas without `protoc`: `.proto` text (proto2, proto3) or a base64
//! `FileDescriptorProto` (what confluent-kafka-python always registers) compiled by
//! `protox` into descriptors, reflected over with `prost-reflect`, and printed back as
//! `.proto` text the way Confluent prints it (`print/`).
//!
//! Imports resolve from the schema's `references` (by reference name, the import path),
//! then from Confluent's 30 built-in files (`known.rs`); a reference wins over the
//! built-in file of the same name, as in Confluent.

mod event;
mod known;
mod limits;
mod print;
mod source;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use prost::Message as _;
use prost_reflect::{DescriptorPool, FileDescriptor};
use prost_types::FileDescriptorProto;

pub use event::validate_message;
pub use known::{all as known_imports, is_builtin_path, is_known};
pub use print::PrintOptions;

use super::error::SchemaError;
use super::options::{ParseOptions, Reference};
use super::{Fingerprint, SchemaType, Texts};
use crate::compat::protobuf::Tables;

/// The name the main file gets in the descriptors we build and serve (Confluent's
/// `ProtobufSchema.DEFAULT_NAME`, the name of `format=serialized`'s descriptor).
pub const MAIN_FILE: &str = "default";

/// A compiled Protobuf schema: the main file and everything it imports.
#[derive(Clone, Debug)]
pub struct ProtobufSchema {
    /// Every file: the main one, its references and the built-ins it uses.
    pool: DescriptorPool,
    /// The main file, named [`MAIN_FILE`].
    file: FileDescriptor,
    /// The import paths given as references (not the built-ins the resolver added).
    reference_names: Vec<String>,
    /// For each reference, the fingerprint of its printed text: types from a
    /// reference both sides share unchanged are not compared again (Confluent skips a
    /// message whose schemas come from the same subject-version). Printed at the first
    /// comparison that asks, not at every parse (registrations need none). Shared by
    /// clones.
    references: Arc<OnceLock<BTreeMap<String, Fingerprint>>>,
    /// Whether the main file was given as text (so its spans are the author's lines).
    from_text: bool,
    /// The main file's source positions by path. Shared by clones.
    positions: Arc<Positions>,
    /// The encoded size of every file in `pool`, without source info.
    descriptor_len: usize,
    /// Its messages as the compatibility engine pairs them, built at the first
    /// comparison: a transitive check compares one schema with every version.
    /// Shared by clones.
    tables: Arc<OnceLock<Tables>>,
}

/// Line and column (1-based) of the main file's elements by `SourceCodeInfo` path:
/// every declaration (message, field, oneof, enum, value, option, reserved range:
/// the paths of even length) and the one-number paths (`package`, `syntax`). Parts of
/// a declaration (a field's name or number) are left out: findings point at whole
/// declarations, and they are four in five of the locations.
///
/// Taken from the source info of the main file as read, so that the compiled
/// descriptors need none (`source::compile`): prost-reflect holds two copies of a
/// file's source info, which were 40% of a compiled 200-field schema's memory.
#[derive(Debug, Default)]
struct Positions(HashMap<Box<[i32]>, (u32, u32), BuildHasherDefault<PathHasher>>);

impl Positions {
    fn of(file: &FileDescriptorProto) -> Self {
        let mut index = HashMap::default();
        let locations = file
            .source_code_info
            .as_ref()
            .map(|i| i.location.as_slice());
        for location in locations.unwrap_or_default() {
            let path = location.path.as_slice();
            if path.len() != 1 && path.len() % 2 != 0 {
                continue;
            }
            let (Some(&line), Some(&column)) = (location.span.first(), location.span.get(1)) else {
                continue;
            };
            let (Ok(line), Ok(column)) = (u32::try_from(line), u32::try_from(column)) else {
                continue;
            };
            // The first location of a path is the element itself.
            index
                .entry(Box::from(path))
                .or_insert((line.saturating_add(1), column.saturating_add(1)));
        }
        index.shrink_to_fit();
        Positions(index)
    }
}

/// A multiply-rotate hasher (FxHash's scheme) for the short integer paths of
/// [`Positions`]: the keys are the schema's own paths, not attacker-chosen bucket
/// floods worth SipHash's cost, which showed on every located finding.
#[derive(Default)]
struct PathHasher(u64);

impl Hasher for PathHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &byte in chunks.remainder() {
            self.add(u64::from(byte));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl PathHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl ProtobufSchema {
    /// The main file's descriptor, with source info when parsed from text.
    pub fn file(&self) -> &FileDescriptor {
        &self.file
    }

    /// Every file the schema needs (the main one, its references, built-ins).
    pub fn pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// The fingerprint of the printed text of the reference imported as `name`, when
    /// the schema imports such a reference (built-ins have none).
    pub fn reference(&self, name: &str) -> Option<Fingerprint> {
        self.references
            .get_or_init(|| {
                self.reference_names
                    .iter()
                    .filter_map(|name| {
                        let proto = self.pool.get_file_by_name(name)?;
                        let printed = print::print(&proto, &PrintOptions::default());
                        Some((
                            name.clone(),
                            Fingerprint::of(SchemaType::Protobuf, &printed),
                        ))
                    })
                    .collect()
            })
            .get(name)
            .copied()
    }

    /// Whether the main file was parsed from `.proto` text (so that line and column
    /// of [`Self::position`] are the author's), rather than from a descriptor.
    pub fn from_text(&self) -> bool {
        self.from_text
    }

    /// 1-based line and column of the element at `path` (a `SourceCodeInfo` path:
    /// `[4, 0, 2, 1]` is the second field of the first message), when known. Known
    /// for whole declarations and `package` (see [`Positions`]).
    pub fn position(&self, path: &[i32]) -> Option<(usize, usize)> {
        let &(line, column) = self.positions.0.get(path)?;
        Some((line as usize, column as usize))
    }

    /// The encoded size of every file it holds (the main one, references,
    /// built-ins), without source info: what its memory grows with.
    pub(crate) fn descriptor_len(&self) -> usize {
        self.descriptor_len
    }

    /// Its messages as the compatibility engine pairs them.
    pub(crate) fn tables(&self) -> &Tables {
        self.tables.get_or_init(|| Tables::new(self))
    }

    /// The main file's descriptor without source info, as `format=serialized` answers
    /// it: base64 of the encoded `FileDescriptorProto`, named [`MAIN_FILE`].
    /// Encoded from prost-reflect's copy, which keeps extension options
    /// (`[(confluent.field_meta) = ...]`) that prost-types' option structs drop.
    pub fn serialized(&self) -> String {
        let bytes = without_field(&self.file.encode_to_vec(), SOURCE_CODE_INFO);
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// The main file as `.proto` text.
    pub fn print(&self, options: &PrintOptions) -> String {
        print::print(&self.file, options)
    }
}

/// Parses a Protobuf schema given as `.proto` text or as a base64
/// `FileDescriptorProto`, with its references (each reference's text may be either).
pub(crate) fn parse(
    text: &str,
    references: &[Reference],
    options: &ParseOptions,
) -> Result<(ProtobufSchema, Texts), SchemaError> {
    let limits = &options.limits;
    limits::check_size(text, limits)?;
    let mut files = BTreeMap::new();
    for reference in references {
        if reference.name == MAIN_FILE {
            return Err(SchemaError::invalid(
                "",
                format!(
                    "a reference may not be named {MAIN_FILE:?}: Confluent gives that name to the schema itself; name it by its import path"
                ),
            ));
        }
        limits::check_size(&reference.text, limits)?;
        let read = source::read(&reference.name, &reference.text, limits)?;
        files.insert(reference.name.clone(), read);
    }
    let main = source::read(MAIN_FILE, text, limits)?;
    let from_text = main.from_text;
    let positions = Positions::of(main.file.file_descriptor_proto());
    files.insert(MAIN_FILE.to_owned(), main);
    let pool = source::compile(files)?;
    let descriptor_len = pool
        .files()
        .map(|f| f.file_descriptor_proto().encoded_len())
        .sum();
    let file = pool
        .get_file_by_name(MAIN_FILE)
        .expect("the compiled pool holds the main file");
    limits::check_shape(&file, limits)?;
    // The identity is Confluent's `canonicalString`: the file printed back from its
    // descriptor, so whitespace, comments and how an import or type is spelled do not
    // matter, and the same schema sent as text or as a descriptor is one schema.
    // With `normalize`, Confluent's `toNormalizedString` (options, imports sorted).
    let canonical = print::print(
        &file,
        &PrintOptions {
            normalize: options.normalize,
            ..PrintOptions::default()
        },
    );
    // A descriptor can hold what no `.proto` text can say (an empty name, say), and
    // the registry stores and re-parses the printed text: it must compile back.
    if !from_text && let Err(e) = parse(&canonical, references, options) {
        return Err(SchemaError::Protobuf {
            file: None,
            line: None,
            column: None,
            message: format!("the descriptor does not describe a valid .proto file ({e})"),
        });
    }
    let texts = Texts {
        registered: canonical.clone(),
        canonical,
    };
    let schema = ProtobufSchema {
        pool,
        file,
        reference_names: references.iter().map(|r| r.name.clone()).collect(),
        references: Arc::default(),
        from_text,
        positions: Arc::new(positions),
        descriptor_len,
        tables: Arc::default(),
    };
    Ok((schema, texts))
}

/// `FileDescriptorProto.name`.
const NAME: u64 = 1;
/// `FileDescriptorProto.source_code_info`.
const SOURCE_CODE_INFO: u64 = 9;

/// An encoded `FileDescriptorProto` named `name`: the name replaced at the wire
/// level, everything else (extension options included) byte for byte.
fn renamed_descriptor(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + name.len() + 2);
    prost::encoding::string::encode(NAME as u32, &name.to_owned(), &mut out);
    out.extend_from_slice(&without_field(bytes, NAME));
    out
}

/// An encoded message without top-level field `number`, cut at the wire level so
/// that every other field stays byte for byte. Bytes that do not scan as a message
/// are returned unchanged.
fn without_field(bytes: &[u8], number: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        let start = rest;
        let Ok(key) = prost::encoding::decode_varint(&mut rest) else {
            return bytes.to_vec();
        };
        let skipped = match key & 7 {
            0 => prost::encoding::decode_varint(&mut rest)
                .map(|_| ())
                .is_ok(),
            1 if rest.len() >= 8 => {
                rest = &rest[8..];
                true
            }
            2 => match prost::encoding::decode_varint(&mut rest) {
                Ok(len) if (len as usize) <= rest.len() => {
                    rest = &rest[len as usize..];
                    true
                }
                _ => false,
            },
            5 if rest.len() >= 4 => {
                rest = &rest[4..];
                true
            }
            _ => false,
        };
        if !skipped {
            return bytes.to_vec();
        }
        if key >> 3 != number {
            out.extend_from_slice(&start[..start.len() - rest.len()]);
        }
    }
    out
}

/// A descriptor decoded from base64, for callers that hold one (the CLI's
/// `validate`, tests).
pub fn decode_descriptor(base64_text: &str) -> Option<FileDescriptorProto> {
    source::decode_base64(base64_text)
}
