//! One field present on both sides (Confluent's `FieldSchemaDiff`): its name, its kind
//! (scalar, message or map; an enum counts as a scalar number), the scalar group, the
//! label, a map's key and value through its entry, and a message type by its local
//! name, compared in depth unless both sides hold the very same reference.

use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor, Syntax};

use super::messages::describe;
use super::rules::Rule;
use super::{Ctx, Walk};
use crate::schema::protobuf::MAIN_FILE;

/// A field's label as Confluent's parser (Wire) reads the text: none for a proto3
/// singular field without `optional` and for oneof members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Label {
    Optional,
    Required,
    Repeated,
}

impl Label {
    fn word(label: Option<Label>) -> &'static str {
        match label {
            None => "singular",
            Some(Label::Optional) => "optional",
            Some(Label::Required) => "required",
            Some(Label::Repeated) => "repeated",
        }
    }
}

pub(super) fn label(field: &FieldDescriptor) -> Option<Label> {
    let proto = field.field_descriptor_proto();
    if proto.proto3_optional() {
        return Some(Label::Optional);
    }
    if field.containing_oneof().is_some() {
        return None;
    }
    let proto3 = field.parent_file().syntax() == Syntax::Proto3;
    match field.cardinality() {
        Cardinality::Repeated => Some(Label::Repeated),
        Cardinality::Required if !proto3 => Some(Label::Required),
        Cardinality::Optional if !proto3 => Some(Label::Optional),
        _ => None,
    }
}

/// What a field (or a map's key or value) holds.
#[derive(Clone)]
enum Type {
    Scalar(Kind),
    Message(MessageDescriptor),
    Map(Box<Type>, Box<Type>),
}

impl Type {
    fn of(field: &FieldDescriptor) -> Type {
        if field.is_map()
            && let Kind::Message(entry) = field.kind()
        {
            return Type::Map(
                Box::new(Type::of(&entry.map_entry_key_field())),
                Box::new(Type::of(&entry.map_entry_value_field())),
            );
        }
        match field.kind() {
            Kind::Message(m) => Type::Message(m),
            other => Type::Scalar(other),
        }
    }

    /// Confluent's field kind.
    fn kind(&self) -> &'static str {
        match self {
            Type::Scalar(_) => "scalar",
            Type::Message(_) => "message",
            Type::Map(..) => "map",
        }
    }

    /// As written in a `.proto` file.
    fn name(&self) -> String {
        match self {
            Type::Scalar(Kind::Enum(e)) => e.full_name().to_owned(),
            Type::Scalar(k) => scalar_name(k).to_owned(),
            Type::Message(m) => m.full_name().to_owned(),
            Type::Map(k, v) => format!("map<{}, {}>", k.name(), v.name()),
        }
    }
}

fn scalar_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Double => "double",
        Kind::Float => "float",
        Kind::Int32 => "int32",
        Kind::Int64 => "int64",
        Kind::Uint32 => "uint32",
        Kind::Uint64 => "uint64",
        Kind::Sint32 => "sint32",
        Kind::Sint64 => "sint64",
        Kind::Fixed32 => "fixed32",
        Kind::Fixed64 => "fixed64",
        Kind::Sfixed32 => "sfixed32",
        Kind::Sfixed64 => "sfixed64",
        Kind::Bool => "bool",
        Kind::String => "string",
        Kind::Bytes => "bytes",
        Kind::Enum(_) => "enum",
        Kind::Message(_) => "message",
    }
}

/// The groups of scalars that read each other's encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    GeneralNumber,
    SignedNumber,
    StringOrBytes,
    Fixed32,
    Fixed64,
    Float,
    Double,
}

fn group(kind: &Kind) -> Group {
    match kind {
        Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64 | Kind::Bool | Kind::Enum(_) => {
            Group::GeneralNumber
        }
        Kind::Sint32 | Kind::Sint64 => Group::SignedNumber,
        Kind::String | Kind::Bytes | Kind::Message(_) => Group::StringOrBytes,
        Kind::Fixed32 | Kind::Sfixed32 => Group::Fixed32,
        Kind::Fixed64 | Kind::Sfixed64 => Group::Fixed64,
        Kind::Float => Group::Float,
        Kind::Double => Group::Double,
    }
}

/// The name of a message type without its file's package (Confluent's local name).
/// Borrowed: compared for every message-typed field, reported rarely.
pub(super) fn local_name(message: &MessageDescriptor) -> &str {
    let package = message.package_name();
    let full = message.full_name();
    if package.is_empty() {
        return full;
    }
    full.strip_prefix(package)
        .and_then(|rest| rest.strip_prefix('.'))
        .unwrap_or(full)
}

impl Walk<'_> {
    /// Compares a field present on both sides, at the path already in `ctx`; `place`
    /// is the reader's field.
    pub(super) fn field(
        &mut self,
        ctx: &mut Ctx,
        o: &FieldDescriptor,
        u: &FieldDescriptor,
        place: Vec<i32>,
    ) {
        if o.name() != u.name() {
            let message = format!(
                "field {} was renamed from `{}` to `{}`",
                o.number(),
                self.old_of(o, u).name(),
                self.new_of(o, u).name()
            );
            self.emit(ctx, Rule::FIELD_NAME_CHANGED, &[], &place, message);
        }
        // Described only when something is reported: most fields are unchanged.
        let newer = self.new_of(o, u).clone();
        let what = || describe(&newer);
        self.labels_and_types(
            ctx,
            &what,
            (label(o), label(u)),
            (Type::of(o), Type::of(u)),
            &place,
        );
    }

    fn labels_and_types(
        &mut self,
        ctx: &mut Ctx,
        what: &dyn Fn() -> String,
        (ol, ul): (Option<Label>, Option<Label>),
        (ot, ut): (Type, Type),
        place: &[i32],
    ) {
        match (&ot, &ut) {
            (Type::Scalar(ok), Type::Scalar(uk)) => {
                if group(ok) != group(uk) {
                    let message = format!(
                        "{} changed type from {} to {}, which do not read each other's encoding",
                        what(),
                        self.old_of(&ot, &ut).name(),
                        self.new_of(&ot, &ut).name()
                    );
                    self.emit(ctx, Rule::FIELD_SCALAR_KIND_CHANGED, &[], place, message);
                } else if let (Some(ol), Some(ul)) = (ol, ul)
                    && ol != ul
                {
                    let rule = if group(ok) == Group::StringOrBytes {
                        Rule::FIELD_STRING_OR_BYTES_LABEL_CHANGED
                    } else {
                        Rule::FIELD_NUMERIC_LABEL_CHANGED
                    };
                    let message = format!(
                        "{} changed from {} to {}",
                        what(),
                        Label::word(*self.old_of(&Some(ol), &Some(ul))),
                        Label::word(*self.new_of(&Some(ol), &Some(ul)))
                    );
                    self.emit(ctx, rule, &[], place, message);
                }
            }
            (Type::Message(om), Type::Message(um)) => self.message_types(ctx, what, om, um, place),
            (Type::Map(ok, ov), Type::Map(uk, uv)) => {
                let key = || format!("the key of {}", what());
                self.labels_and_types(
                    ctx,
                    &key,
                    (None, None),
                    ((**ok).clone(), (**uk).clone()),
                    place,
                );
                let value = || format!("the value of {}", what());
                self.labels_and_types(
                    ctx,
                    &value,
                    (None, None),
                    ((**ov).clone(), (**uv).clone()),
                    place,
                );
            }
            _ => {
                let message = format!(
                    "{} changed from a {} ({}) to a {} ({})",
                    what(),
                    self.old_of(&ot, &ut).kind(),
                    self.old_of(&ot, &ut).name(),
                    self.new_of(&ot, &ut).kind(),
                    self.new_of(&ot, &ut).name()
                );
                self.emit(ctx, Rule::FIELD_KIND_CHANGED, &[], place, message);
            }
        }
    }

    fn message_types(
        &mut self,
        ctx: &mut Ctx,
        what: &dyn Fn() -> String,
        om: &MessageDescriptor,
        um: &MessageDescriptor,
        place: &[i32],
    ) {
        let (ol, ul) = (local_name(om), local_name(um));
        if ol != ul {
            let message = format!(
                "{} changed type from message `{}` to `{}`",
                what(),
                self.old_of(om, um).full_name(),
                self.new_of(om, um).full_name()
            );
            self.emit(ctx, Rule::FIELD_NAMED_TYPE_CHANGED, &[], place, message);
            return;
        }
        if self.same_source(om, um) {
            return;
        }
        let key = (om.full_name().to_owned(), um.full_name().to_owned());
        let breaking = match self.seen.get(&key) {
            Some(&breaking) => breaking,
            None => {
                // Confluent's subcontext: the path restarts at the type's local name.
                let mut sub = Ctx {
                    path: ul.split('.').map(str::to_owned).collect(),
                    visiting: ctx.visiting.clone(),
                    anchor: if place.is_empty() {
                        ctx.anchor.clone()
                    } else {
                        place.to_vec()
                    },
                    findings: Vec::new(),
                };
                self.seen.insert(key.clone(), false);
                self.message(&mut sub, om, um);
                let breaking = sub.findings.iter().any(|f| f.is_breaking());
                self.seen.insert(key, breaking);
                ctx.findings.extend(sub.findings);
                breaking
            }
        };
        if breaking {
            let message = format!(
                "{} has message type `{ul}`, which changed incompatibly (see the findings under #/{})",
                what(),
                ul.replace('.', "/")
            );
            self.emit(ctx, Rule::FIELD_NAMED_TYPE_CHANGED, &[], place, message);
        }
    }

    /// Whether both types come from the same place, so Confluent does not compare
    /// them: both from the schema itself (its own types are compared level by level),
    /// or both from the same reference with the same content.
    fn same_source(&self, om: &MessageDescriptor, um: &MessageDescriptor) -> bool {
        let (of, uf) = (om.parent_file(), um.parent_file());
        if of.name() == MAIN_FILE || uf.name() == MAIN_FILE {
            return of.name() == uf.name();
        }
        of.name() == uf.name()
            && match (
                self.original.reference(of.name()),
                self.update.reference(uf.name()),
            ) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            }
    }
}
