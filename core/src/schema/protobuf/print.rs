//! A `FileDescriptorProto` printed back as `.proto` text, as Confluent prints a
//! schema (`ProtobufSchemaUtils.toString`). No crate prints descriptors as source.

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto};

/// How to print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrintOptions {
    /// Confluent's `toNormalizedString`: options and imports in a fixed order.
    pub normalize: bool,
    /// Confluent's `format=ignore_extensions`: extension options left out.
    pub ignore_extensions: bool,
}

/// The file as `.proto` text.
pub(crate) fn print(file: &FileDescriptorProto, _options: &PrintOptions) -> String {
    let mut out = String::new();
    let syntax = file.syntax.as_deref().unwrap_or("proto2");
    out.push_str(&format!("syntax = \"{syntax}\";\n"));
    if let Some(package) = &file.package {
        out.push_str(&format!("package {package};\n"));
    }
    if !file.dependency.is_empty() {
        out.push('\n');
    }
    for dep in &file.dependency {
        out.push_str(&format!("import \"{dep}\";\n"));
    }
    for message in &file.message_type {
        out.push('\n');
        print_message(&mut out, message, 0, syntax);
    }
    for e in &file.enum_type {
        out.push('\n');
        print_enum(&mut out, e, 0);
    }
    out
}

fn print_message(out: &mut String, message: &DescriptorProto, indent: usize, syntax: &str) {
    let pad = "  ".repeat(indent);
    out.push_str(&format!("{pad}message {} {{\n", message.name()));
    for field in &message.field {
        let label = match field.label() {
            Label::Repeated => "repeated ",
            Label::Required => "required ",
            Label::Optional if syntax == "proto2" || field.proto3_optional() => "optional ",
            Label::Optional => "",
        };
        let ty = match field.r#type() {
            Type::Message | Type::Enum | Type::Group => {
                field.type_name().trim_start_matches('.').to_owned()
            }
            other => other.as_str_name()["TYPE_".len()..].to_ascii_lowercase(),
        };
        out.push_str(&format!(
            "{pad}  {label}{ty} {} = {};\n",
            field.name(),
            field.number()
        ));
    }
    for nested in &message.nested_type {
        print_message(out, nested, indent + 1, syntax);
    }
    for e in &message.enum_type {
        print_enum(out, e, indent + 1);
    }
    out.push_str(&format!("{pad}}}\n"));
}

fn print_enum(out: &mut String, e: &EnumDescriptorProto, indent: usize) {
    let pad = "  ".repeat(indent);
    out.push_str(&format!("{pad}enum {} {{\n", e.name()));
    for value in &e.value {
        out.push_str(&format!("{pad}  {} = {};\n", value.name(), value.number()));
    }
    out.push_str(&format!("{pad}}}\n"));
}
