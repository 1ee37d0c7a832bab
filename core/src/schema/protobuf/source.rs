//! From what a client sends to compiled descriptors: reading a text as `.proto` or,
//! failing that, as a base64 `FileDescriptorProto` (Confluent's `toProtoFile` order),
//! resolving imports from references and built-ins, and turning protox's errors into
//! [`SchemaError`]s with a line and column.

use std::collections::BTreeMap;

use base64::Engine as _;
use miette::Diagnostic as _;
use prost::Message as _;
use prost_reflect::DescriptorPool;
use prost_types::FileDescriptorProto;
use protox::Compiler;
use protox::file::{File, FileResolver, GoogleFileResolver};

use super::MAIN_FILE;
use super::known;
use super::limits;
use crate::limits::Limits;
use crate::schema::error::SchemaError;

/// A file as read: protox's `File` (with its source when it was text).
pub(super) struct Read {
    pub(super) file: File,
    /// Whether it was `.proto` text rather than a descriptor.
    pub(super) from_text: bool,
}

/// Reads `text` as the file `name`: `.proto` text, or a base64 `FileDescriptorProto`
/// when it does not parse as text and decodes as one. A descriptor is renamed to
/// `name`, since the file is known by the name it is imported (or served) under.
pub(super) fn read(name: &str, text: &str, limits: &Limits) -> Result<Read, SchemaError> {
    let text_error = match limits::check_nesting(text, limits) {
        Ok(()) => match File::from_source(name, text) {
            Ok(file) => {
                return Ok(Read {
                    file,
                    from_text: true,
                });
            }
            Err(e) => e,
        },
        // Too deep for a text: it may still be base64, which has no braces.
        Err(deep) => {
            if let Some((bytes, proto)) = base64_descriptor(text) {
                return descriptor(name, proto, &bytes);
            }
            return Err(deep.in_file(name));
        }
    };
    if let Some((bytes, proto)) = base64_descriptor(text) {
        return descriptor(name, proto, &bytes);
    }
    if let Some(err) = edition_error(text) {
        return Err(err.in_file(name));
    }
    Err(convert(&text_error, name, text))
}

/// `proto` is `bytes` decoded.
fn descriptor(
    name: &str,
    mut proto: FileDescriptorProto,
    bytes: &[u8],
) -> Result<Read, SchemaError> {
    check_syntax(name, &proto)?;
    // From the encoded bytes, so that extension options (`confluent.field_meta`,
    // custom options) survive: prost-types' structs have no room for them. The name
    // is replaced at the wire level.
    let renamed = super::renamed_descriptor(bytes, name);
    if let Ok(file) = File::decode_file_descriptor_proto(renamed.as_slice()) {
        return Ok(Read {
            file,
            from_text: false,
        });
    }
    proto.name = Some(name.to_owned());
    Ok(Read {
        file: File::from_file_descriptor_proto(proto),
        from_text: false,
    })
}

/// A descriptor's `syntax` must be one this registry compiles. Checked here rather
/// than left to prost-reflect, whose report of an unknown syntax indexes a file it
/// has not stored yet and panics (prost-reflect 0.16.5, `build/names.rs`).
fn check_syntax(name: &str, proto: &FileDescriptorProto) -> Result<(), SchemaError> {
    let message = match proto.syntax.as_deref() {
        None | Some("proto2" | "proto3") => return Ok(()),
        Some("editions") => "the descriptor uses Protobuf editions, which are not supported yet; register it with `syntax = \"proto3\"` or `syntax = \"proto2\"`".to_owned(),
        Some(other) => format!(
            "the descriptor's syntax {other:?} is unknown; a FileDescriptorProto's `syntax` must be \"proto2\", \"proto3\" or absent"
        ),
    };
    Err(SchemaError::Protobuf {
        file: None,
        line: None,
        column: None,
        message,
    }
    .in_file(name))
}

/// A `FileDescriptorProto` from base64 text (standard alphabet, padding optional,
/// surrounding whitespace ignored), when it is one.
pub(super) fn decode_base64(text: &str) -> Option<FileDescriptorProto> {
    base64_descriptor(text).map(|(_, proto)| proto)
}

/// [`decode_base64`] with the decoded bytes, which keep what prost-types drops.
fn base64_descriptor(text: &str) -> Option<(Vec<u8>, FileDescriptorProto)> {
    let bytes = base64_bytes(text)?;
    let proto = FileDescriptorProto::decode(bytes.as_slice()).ok()?;
    Some((bytes, proto))
}

fn base64_bytes(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(trimmed)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
        .ok()
}

/// Editions files (`edition = "2023";`) are refused with a message saying so: protox
/// does not compile them yet (andrewhickman/protox#31).
fn edition_error(text: &str) -> Option<SchemaError> {
    let (line, row) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with("edition"))?;
    let rest = row.trim_start()["edition".len()..].trim_start();
    if !rest.starts_with('=') {
        return None;
    }
    Some(SchemaError::Protobuf {
        file: None,
        line: Some(line + 1),
        column: Some(row.len() - row.trim_start().len() + 1),
        message: "Protobuf editions (`edition = ...`) are not supported yet; write the file with `syntax = \"proto3\"` or `syntax = \"proto2\"`".into(),
    })
}

/// Compiles `files` (the main file and every reference, by name) with the built-ins
/// behind them.
///
/// Compiled without source info, which prost-reflect would keep twice for as long as
/// the schema lives (positions are taken from the main file as read, see
/// `Positions`). A schema that does not compile is compiled again with it, for the
/// error's line and column.
pub(super) fn compile(files: BTreeMap<String, Read>) -> Result<DescriptorPool, SchemaError> {
    let lean = files
        .iter()
        .map(|(name, read)| (name.clone(), without_source_info(&read.file)))
        .collect();
    if let Ok(pool) = build(lean, false) {
        return Ok(pool);
    }
    let sources: BTreeMap<String, String> = files
        .iter()
        .filter_map(|(name, read)| Some((name.clone(), read.file.source()?.to_owned())))
        .collect();
    let files = files.into_iter().map(|(n, r)| (n, r.file)).collect();
    build(files, true).map_err(|e| {
        let file = e.file().unwrap_or(MAIN_FILE).to_owned();
        let text = sources.get(&file).map(String::as_str).unwrap_or("");
        convert(&e, &file, text)
    })
}

/// The pool of the main file and everything it imports, `files` first, built-ins
/// with source info only when `located`.
fn build(files: BTreeMap<String, File>, located: bool) -> Result<DescriptorPool, protox::Error> {
    let resolver = Resolver {
        files,
        google: GoogleFileResolver::new(),
        located,
    };
    let mut compiler = Compiler::with_file_resolver(resolver);
    compiler.include_source_info(located).include_imports(true);
    compiler.open_file(MAIN_FILE)?;
    Ok(compiler.descriptor_pool())
}

/// `file` without its source info: a text's parsed descriptor as it is otherwise
/// (options still uninterpreted, resolved by the compiler as for the text). A
/// descriptor sent as such is kept as it came, byte for byte, so that its extension
/// options survive.
fn without_source_info(file: &File) -> File {
    if file.source().is_none() {
        return file.clone();
    }
    File::from_file_descriptor_proto(FileDescriptorProto {
        source_code_info: None,
        ..file.file_descriptor_proto().clone()
    })
}

/// Opens the schema's own files first (a reference shadows a built-in of the same
/// name), then the embedded built-ins, then protox's `google/protobuf/*`.
struct Resolver {
    files: BTreeMap<String, File>,
    google: GoogleFileResolver,
    /// Whether built-ins keep their source info.
    located: bool,
}

impl FileResolver for Resolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if let Some(file) = self.files.get(name) {
            return Ok(file.clone());
        }
        if let Some(text) = known::embedded(name) {
            let file = File::from_source(name, text)?;
            return Ok(if self.located {
                file
            } else {
                without_source_info(&file)
            });
        }
        if known::is_known(name) {
            return self.google.open_file(name);
        }
        Err(protox::Error::file_not_found(name))
    }
}

/// protox's error as a [`SchemaError`], with the line and column of its first label
/// in `text` (the text of the file `name` it occurred in).
fn convert(error: &protox::Error, name: &str, text: &str) -> SchemaError {
    let offset = error
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|label| label.offset());
    let (line, column) = match offset {
        Some(offset) if offset <= text.len() => {
            let (l, c) = line_column(text, offset);
            (Some(l), Some(c))
        }
        _ => (None, None),
    };
    let mut message = error.to_string();
    if error.is_file_not_found() {
        message.push_str(
            ": pass the imported file in `references` with `name` set to the import path (built-in imports: google/protobuf/*, google/type/*, confluent/*)",
        );
    }
    if let Some(help) = error.help() {
        message.push_str(&format!(" ({help})"));
    }
    SchemaError::Protobuf {
        file: (name != MAIN_FILE).then(|| name.to_owned()),
        line,
        column,
        message,
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

impl SchemaError {
    /// The same error placed in the file `name` (no file for the schema itself).
    pub(super) fn in_file(self, name: &str) -> Self {
        match self {
            SchemaError::Protobuf {
                line,
                column,
                message,
                ..
            } => SchemaError::Protobuf {
                file: (name != MAIN_FILE).then(|| name.to_owned()),
                line,
                column,
                message,
            },
            SchemaError::TooDeep {
                limit,
                line,
                column,
            } if name != MAIN_FILE => SchemaError::Protobuf {
                file: Some(name.to_owned()),
                line: Some(line),
                column: Some(column),
                message: format!("nests deeper than {limit} levels"),
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\ncdé f", 8), (2, 5));
        assert_eq!(line_column("x", 0), (1, 1));
    }
}
