//! Each message of a schema as the engine pairs it (Confluent's `MessageSchemaDiff`
//! index: fields by number, real oneofs, nested types), built once per schema and
//! kept with it.
//!
//! A transitive check compares one schema with every version, twice under FULL; built
//! per comparison, these tables (and the names, pointers and positions of the fields
//! in them) were most of the cost of checking a long history. A row also says, in a
//! few comparable values, everything the engine judges about a field that holds no
//! message from elsewhere, so that an unchanged field is passed over with a handful of
//! compares.

use std::collections::HashMap;
use std::mem::Discriminant;
use std::sync::OnceLock;

use prost_reflect::{
    EnumDescriptor, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor, OneofDescriptor,
};

use super::fields::{self, Label};
use super::locate;
use super::messages::describe;
use crate::compat::report::Position;
use crate::schema::protobuf::{MAIN_FILE, ProtobufSchema};

/// The tables of the messages of one schema (its main file, references and
/// built-ins) by full name, each built the first time a comparison reaches it: most
/// of a built-in file's messages never are.
pub(crate) struct Tables {
    by_name: HashMap<String, usize>,
    messages: Vec<(MessageDescriptor, OnceLock<Table>)>,
    /// The types the main file declares.
    pub(super) file: Children,
}

impl Tables {
    /// The (yet empty) tables of the messages in `schema`'s pool. Map entries have
    /// none: the engine compares a map through its field, never as a message.
    pub(crate) fn new(schema: &ProtobufSchema) -> Self {
        let mut by_name = HashMap::new();
        let mut messages = Vec::new();
        for message in schema.pool().all_messages() {
            if message.is_map_entry() {
                continue;
            }
            by_name.insert(message.full_name().to_owned(), messages.len());
            messages.push((message, OnceLock::new()));
        }
        Tables {
            by_name,
            messages,
            file: Children::of_file(schema.file()),
        }
    }

    /// The table of the message named as `message` is, in `schema`, the schema these
    /// tables belong to.
    pub(super) fn get(
        &self,
        schema: &ProtobufSchema,
        message: &MessageDescriptor,
    ) -> Option<&Table> {
        let (known, table) = &self.messages[*self.by_name.get(message.full_name())?];
        Some(table.get_or_init(|| Table::build(schema, known)))
    }
}

impl std::fmt::Debug for Tables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tables")
            .field("messages", &self.messages.len())
            .finish()
    }
}

/// Where findings point at an element of the main file: its JSON pointer and its
/// position, worked out once per schema rather than once per finding.
#[derive(Clone)]
pub(super) struct Located {
    pub(super) pointer: String,
    pub(super) position: Option<Position>,
}

impl Located {
    /// The place at source path `path` of `schema`'s main file.
    pub(super) fn at(schema: &ProtobufSchema, path: &[i32]) -> Located {
        Located {
            pointer: locate::pointer(path),
            position: locate::position(schema, path),
        }
    }

    /// The element of `schema` in `file` at source path `path`; `None` outside the
    /// main file, where a finding points at the field that led the walk there.
    fn of(schema: &ProtobufSchema, file: &str, path: &[i32]) -> Option<Located> {
        (file == MAIN_FILE).then(|| Located::at(schema, path))
    }
}

/// The message and enum types declared at one level (a file or a message). Map entry
/// messages are left out: Confluent parses `.proto` text, where `map<K, V>` declares
/// no message, so the same schema sent as a descriptor must not grow one.
///
/// Both lists are sorted by name, so that two levels pair up in one merge, in the
/// order Confluent's sorted maps give, without building maps per comparison.
#[derive(Clone)]
pub(super) struct Children {
    /// Messages with their index among the level's messages.
    pub(super) messages: Vec<(usize, MessageDescriptor)>,
    /// Enums.
    pub(super) enums: Vec<EnumDescriptor>,
}

impl Children {
    pub(super) fn of_file(file: &FileDescriptor) -> Self {
        Self::new(file.messages(), file.enums())
    }

    pub(super) fn of_message(message: &MessageDescriptor) -> Self {
        Self::new(message.child_messages(), message.child_enums())
    }

    fn new(
        messages: impl Iterator<Item = MessageDescriptor>,
        enums: impl Iterator<Item = EnumDescriptor>,
    ) -> Self {
        let mut messages: Vec<(usize, MessageDescriptor)> =
            messages.filter(|m| !m.is_map_entry()).enumerate().collect();
        messages.sort_by(|a, b| a.1.name().cmp(b.1.name()));
        let mut enums: Vec<EnumDescriptor> = enums.collect();
        enums.sort_by(|a, b| a.name().cmp(b.name()));
        Children { messages, enums }
    }
}

/// One message: its fields by number, its real oneofs and its nested types.
#[derive(Clone)]
pub(super) struct Table {
    /// By number (prost-reflect yields fields in number order).
    pub(super) fields: Vec<Row>,
    /// Real oneofs in declaration order. A proto3 `optional` field sits in a
    /// synthetic oneof that the text never declares: Confluent sees an ordinary
    /// optional field.
    pub(super) oneofs: Vec<OneofDescriptor>,
    /// Where the message is, when it is in the main file.
    pub(super) located: Option<Located>,
    /// The types it declares.
    pub(super) children: Children,
}

impl Table {
    /// The table of `message`, one of `schema`'s.
    pub(super) fn build(schema: &ProtobufSchema, message: &MessageDescriptor) -> Self {
        let file = message.parent_file();
        let oneofs: Vec<OneofDescriptor> = message.oneofs().filter(|o| !o.is_synthetic()).collect();
        let fields = message
            .fields()
            .map(|field| {
                let oneof = field
                    .containing_oneof()
                    .and_then(|o| oneofs.iter().position(|x| *x == o));
                Row {
                    tag: field.number(),
                    name: field.name().to_owned(),
                    number: field.number().to_string(),
                    described: describe(&field),
                    oneof,
                    label: fields::label(&field),
                    plain: Plain::of(&field),
                    located: Located::of(schema, file.name(), field.path()),
                    field,
                }
            })
            .collect();
        Table {
            fields,
            oneofs,
            located: Located::of(schema, file.name(), message.path()),
            children: Children::of_message(message),
        }
    }

    /// The field numbered `tag`.
    pub(super) fn get(&self, tag: u32) -> Option<&Row> {
        self.fields
            .binary_search_by_key(&tag, |r| r.tag)
            .ok()
            .map(|i| &self.fields[i])
    }

    /// The name of the real oneof `row` belongs to.
    pub(super) fn oneof_name(&self, row: &Row) -> Option<&str> {
        row.oneof.map(|i| self.oneofs[i].name())
    }

    /// Whether a real oneof is named `name`.
    pub(super) fn has_oneof(&self, name: &str) -> bool {
        self.oneofs.iter().any(|x| x.name() == name)
    }
}

/// One field of a message.
#[derive(Clone)]
pub(super) struct Row {
    /// Its number.
    pub(super) tag: u32,
    /// Its name.
    pub(super) name: String,
    /// Its number as Confluent's path writes it.
    pub(super) number: String,
    /// "field `name` = 3", as findings describe it.
    pub(super) described: String,
    /// Its real oneof, by index into [`Table::oneofs`].
    pub(super) oneof: Option<usize>,
    /// Its label as Confluent reads the text.
    pub(super) label: Option<Label>,
    /// What it holds, when nothing deeper needs comparing.
    pub(super) plain: Option<Plain>,
    /// Where it is, when it is in the main file.
    pub(super) located: Option<Located>,
    /// The field itself.
    pub(super) field: FieldDescriptor,
}

impl Row {
    /// Whether Confluent sees the field as `required`.
    pub(super) fn is_required(&self) -> bool {
        self.label == Some(Label::Required)
    }

    /// Whether the engine has nothing to report between `self` and `other`, the same
    /// number in the same oneof (or none) on both sides: same name, label and kind,
    /// and no message type from elsewhere whose own fields could differ.
    pub(super) fn unchanged(&self, other: &Row) -> bool {
        self.plain.is_some()
            && self.plain == other.plain
            && self.label == other.label
            && self.name == other.name
    }
}

/// What a field holds when nothing deeper needs comparing: a scalar, a message type
/// the main file declares, or a map of those. Two sides with equal values have the
/// same kind, scalar group and message type for the engine.
#[derive(Clone, PartialEq, Eq)]
pub(super) enum Plain {
    One(Held),
    Map(Held, Held),
}

/// A scalar by its kind (every enum is one kind here: the engine reads an enum as a
/// number, whichever enum it is), or a message type declared in the main file by its
/// local name: the engine compares the main file's own types level by level, not
/// through the fields that use them.
#[derive(Clone, PartialEq, Eq)]
pub(super) enum Held {
    Scalar(Discriminant<Kind>),
    Own(String),
}

impl Plain {
    fn of(field: &FieldDescriptor) -> Option<Plain> {
        match field.kind() {
            Kind::Message(entry) if field.is_map() => Some(Plain::Map(
                Held::of(&entry.map_entry_key_field().kind())?,
                Held::of(&entry.map_entry_value_field().kind())?,
            )),
            kind => Held::of(&kind).map(Plain::One),
        }
    }
}

impl Held {
    fn of(kind: &Kind) -> Option<Held> {
        match kind {
            Kind::Message(m) if m.parent_file().name() == MAIN_FILE => {
                Some(Held::Own(fields::local_name(m).to_owned()))
            }
            Kind::Message(_) => None,
            other => Some(Held::Scalar(std::mem::discriminant(other))),
        }
    }
}
