//! A compiled file printed back as `.proto` text the way Confluent Schema Registry
//! prints a Protobuf schema: `ProtobufSchemaUtils.toString` (the default and the
//! identity), `toNormalizedString` (`normalize=true`) and `toFormattedString` with
//! `format=ignore_extensions`.
//!
//! Which of Confluent's two readings we follow: Confluent keeps a schema registered as
//! text as Wire's parse tree (type names as the author spelled them, `map<K, V>`,
//! groups) and a schema registered as a base64 descriptor (what confluent-kafka-python
//! sends) as the tree `ProtobufSchema.toProtoFile(FileDescriptorProto)` builds. Our
//! input is always a compiled descriptor, where the author's spelling is gone, so we
//! print what Confluent prints for the descriptor: fully qualified type names with a
//! leading dot (`.pkg.Msg`), map fields as `repeated .pkg.Msg.FooEntry foo` plus the
//! synthetic `FooEntry` message with `option map_entry = true;`, fields before
//! oneofs, each reserved range or name on its own line, built-in options in
//! Confluent's fixed order, then `confluent.*_meta`, then custom options by number.
//!
//! Where Confluent's descriptor reading loses or garbles something, we print what
//! compiles back to the same descriptor instead (each is marked `Divergence` below):
//! groups are printed as `group` blocks (Confluent turns them into message fields,
//! which changes the wire format); custom options of user-defined extensions are kept
//! (Confluent parses the descriptor with only its own extensions registered and drops
//! the rest); weak imports are printed; bytes defaults and bytes option values are
//! quoted; unsigned option values are printed unsigned; enum option values are printed
//! by simple name; infinities and NaN as `inf`/`-inf`/`nan`; built-in options
//! Confluent does not know (`lazy`, `message_set_wire_format`, ...) follow the known
//! ones; `json_name` is printed when it differs from the default camel-case name
//! (the descriptor we hold has it filled in for every field, so "explicitly set" is
//! no longer known); normalized numbers keep all their digits (Confluent's
//! `DecimalFormat` keeps three).

use std::fmt::Write as _;

use prost_reflect::{
    DynamicMessage, EnumDescriptor, ExtensionDescriptor, FieldDescriptor, FileDescriptor, Kind,
    MapKey, MessageDescriptor, MethodDescriptor, ServiceDescriptor, Value,
};
use prost_types::FieldDescriptorProto;
use prost_types::field_descriptor_proto::{Label, Type};

/// How to print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrintOptions {
    /// Confluent's `toNormalizedString`: options, imports, fields, reserved ranges and
    /// enum values in a fixed order, type names fully qualified, maps as `map<K, V>`.
    pub normalize: bool,
    /// Confluent's `format=ignore_extensions`: custom options (except Confluent's
    /// own `confluent.*`), extension ranges and `extend` blocks left out.
    pub ignore_extensions: bool,
}

/// The largest field number; a range reaching it prints as `max`.
const MAX_TAG: u32 = 536_870_911;

/// Confluent's prefix of its own options, kept by `ignore_extensions`.
const CONFLUENT_PREFIX: &str = "confluent.";

/// The file as `.proto` text.
pub(crate) fn print(file: &FileDescriptor, options: &PrintOptions) -> String {
    let printer = Printer {
        opts: *options,
        file: file.clone(),
        shadowed: std::cell::OnceCell::new(),
    };
    let mut out = String::with_capacity(1024);
    printer.file(&mut out, file);
    out
}

/// An option as Confluent's `OptionElement`: a name (parenthesized for an extension)
/// and a value.
#[derive(Clone, Debug, PartialEq)]
struct Opt {
    name: String,
    parenthesized: bool,
    value: OptValue,
}

/// An option's value, already formatted where it is a scalar.
#[derive(Clone, Debug, PartialEq)]
enum OptValue {
    /// Printed quoted and escaped.
    Str(String),
    /// Printed quoted, already escaped (bytes).
    Escaped(String),
    /// A boolean, enum name or number, printed as is.
    Raw(String),
    /// A number that normalizing may reformat (Confluent's `Kind.NUMBER`).
    Num(Number),
    /// A float default: the descriptor's text, or its value when normalizing.
    FloatDefault(String, f64),
    /// A message literal: field name (or `[extension]`) to value.
    Map(Vec<(String, OptValue)>),
    /// The values of a repeated field inside a message literal.
    List(Vec<OptValue>),
}

/// A number as Java holds it, for printing as `toString` does and as
/// `DecimalFormat` does when normalizing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Number {
    Int(i128),
    F32(f32),
    F64(f64),
}

struct Printer {
    opts: PrintOptions,
    file: FileDescriptor,
    /// First name components that a name in the file's package would shadow,
    /// worked out on the first custom option (it walks the whole pool).
    shadowed: std::cell::OnceCell<Vec<String>>,
}

/// For each proper scope `P` of the file's package, the names `n` for which
/// `P.n` is a package, a package prefix or a top-level type in the pool: an option
/// name starting with such an `n` would resolve inside the package, not from the
/// root, so it needs a leading dot.
fn shadowing_scopes(file: &FileDescriptor) -> Vec<String> {
    let package = file.package_name();
    if package.is_empty() {
        return Vec::new();
    }
    let mut scopes = Vec::new();
    let mut end = Some(package.len());
    while let Some(e) = end {
        scopes.push(&package[..e]);
        end = package[..e].rfind('.');
    }
    let mut names = Vec::new();
    let mut note = |full: &str| {
        for scope in &scopes {
            if let Some(rest) = full.strip_prefix(scope).and_then(|r| r.strip_prefix('.')) {
                let first = rest.split('.').next().unwrap_or(rest);
                if !first.is_empty() && !names.iter().any(|n: &String| n == first) {
                    names.push(first.to_owned());
                }
            }
        }
    };
    let pool = file.parent_pool();
    for f in pool.files() {
        note(f.package_name());
    }
    for m in pool.all_messages() {
        note(m.full_name());
    }
    for e in pool.all_enums() {
        note(e.full_name());
    }
    for x in pool.all_extensions() {
        note(x.full_name());
    }
    names
}

impl Printer {
    fn file(&self, out: &mut String, file: &FileDescriptor) {
        let proto = file.file_descriptor_proto();
        // A proto2 descriptor from protoc leaves `syntax` unset, and Confluent then
        // prints no syntax line; normalized text keeps it only for proto3.
        match proto.syntax() {
            "proto3" => out.push_str("syntax = \"proto3\";\n"),
            "proto2" if !self.opts.normalize => out.push_str("syntax = \"proto2\";\n"),
            _ => {}
        }
        if !proto.package().is_empty() {
            let _ = writeln!(out, "package {};", proto.package());
        }
        let mut imports = Vec::new();
        let mut public = Vec::new();
        let mut weak = Vec::new();
        for (i, dep) in proto.dependency.iter().enumerate() {
            let i = i as i32;
            if proto.public_dependency.contains(&i) {
                public.push(dep.as_str());
            } else if proto.weak_dependency.contains(&i) {
                weak.push(dep.as_str());
            } else {
                imports.push(dep.as_str());
            }
        }
        if !proto.dependency.is_empty() {
            out.push('\n');
            for (list, keyword) in [
                (&mut imports, "import"),
                (&mut public, "import public"),
                // Divergence: Confluent never prints weak imports.
                (&mut weak, "import weak"),
            ] {
                if self.opts.normalize {
                    list.sort_unstable();
                    list.dedup();
                }
                for dep in list.iter() {
                    let _ = writeln!(out, "{keyword} \"{}\";", escape(dep));
                }
            }
        }
        let options = self.filter(file_options(file));
        if !options.is_empty() {
            out.push('\n');
            for option in &options {
                self.option_statement(out, option);
            }
        }
        if file.messages().len() + file.enums().len() > 0 {
            out.push('\n');
            for message in file.messages() {
                self.message(out, &message);
            }
            for e in file.enums() {
                self.enumeration(out, &e);
            }
        }
        let extensions: Vec<ExtensionDescriptor> = file.extensions().collect();
        if !self.opts.ignore_extensions && !extensions.is_empty() {
            out.push('\n');
            self.extends(out, &extensions);
        }
        if file.services().len() > 0 {
            out.push('\n');
            for service in file.services() {
                self.service(out, &service);
            }
        }
    }

    fn service(&self, out: &mut String, service: &ServiceDescriptor) {
        let _ = write!(out, "service {} {{", service.name());
        let options = self.filter(element_options(
            &service.options(),
            &["deprecated", "features"],
            None,
        ));
        if !options.is_empty() {
            out.push('\n');
            for option in &options {
                let mut line = String::new();
                self.option_statement(&mut line, option);
                indent_into(out, &line);
            }
        }
        if service.methods().len() > 0 {
            out.push('\n');
            for method in service.methods() {
                let mut text = String::new();
                self.method(&mut text, &method);
                indent_into(out, &text);
            }
        }
        out.push_str("}\n");
    }

    fn method(&self, out: &mut String, method: &MethodDescriptor) {
        let proto = method.method_descriptor_proto();
        let stream = |on: bool| if on { "stream " } else { "" };
        let _ = write!(
            out,
            "rpc {} ({}{}) returns ({}{})",
            method.name(),
            stream(method.is_client_streaming()),
            proto.input_type(),
            stream(method.is_server_streaming()),
            proto.output_type(),
        );
        let options = self.filter(element_options(
            &method.options(),
            &["deprecated", "idempotency_level", "features"],
            None,
        ));
        if !options.is_empty() {
            out.push_str(" {\n");
            for option in &options {
                let mut line = String::new();
                self.option_statement(&mut line, option);
                indent_into(out, &line);
            }
            out.push('}');
        }
        out.push_str(";\n");
    }

    fn enumeration(&self, out: &mut String, e: &EnumDescriptor) {
        let proto = e.enum_descriptor_proto();
        let _ = write!(out, "enum {} {{", e.name());
        let mut reserved: Vec<Reserved> = proto
            .reserved_range
            .iter()
            .map(|r| Reserved::Range(r.start(), r.end()))
            .chain(
                proto
                    .reserved_name
                    .iter()
                    .map(|n| Reserved::Name(n.clone())),
            )
            .collect();
        let options = self.filter(element_options(
            &e.options(),
            &["allow_alias", "deprecated", "features"],
            Some("confluent.enum_meta"),
        ));
        if !reserved.is_empty() {
            out.push('\n');
            self.sort_reserved(&mut reserved);
            for r in &reserved {
                indent_into(out, &self.reserved(r, true));
            }
        } else if !options.is_empty() || e.values().len() > 0 {
            out.push('\n');
        }
        for option in &options {
            let mut line = String::new();
            self.option_statement(&mut line, option);
            indent_into(out, &line);
        }
        // In declaration order: `values()` goes by number, which reorders aliases.
        let mut values: Vec<_> = proto
            .value
            .iter()
            .filter_map(|v| e.get_value_by_name(v.name()))
            .collect();
        // Normalised: by number then name, as Confluent sorts; but the first value must
        // keep the first declared value's number, which is the enum's default (proto2)
        // and must be 0 (proto3): a negative value sorted ahead of it, as Confluent's
        // sort would put it, prints a file that does not compile.
        if self.opts.normalize && values.len() > 1 {
            let first = values[0].number();
            values.sort_by(|a, b| a.number().cmp(&b.number()).then(a.name().cmp(b.name())));
            if let Some(at) = values.iter().position(|v| v.number() == first) {
                values[..=at].rotate_right(1);
            }
        }
        for value in values {
            let mut line = format!("{} = {}", value.name(), value.number());
            let options = self.filter(element_options(
                &value.options(),
                &["deprecated", "debug_redact", "features", "feature_support"],
                Some("confluent.enum_value_meta"),
            ));
            if !options.is_empty() {
                line.push(' ');
                self.bracketed(&mut line, &options);
            }
            line.push_str(";\n");
            indent_into(out, &line);
        }
        out.push_str("}\n");
    }

    fn message(&self, out: &mut String, message: &MessageDescriptor) {
        let _ = write!(out, "message {} {{", message.name());
        self.message_body(out, message);
        out.push_str("}\n");
    }

    /// Everything between a message's braces (also a group's body).
    fn message_body(&self, out: &mut String, message: &MessageDescriptor) {
        let proto = message.descriptor_proto();
        let mut reserved: Vec<Reserved> = proto
            .reserved_range
            .iter()
            .map(|r| Reserved::Range(r.start(), r.end() - 1))
            .chain(
                proto
                    .reserved_name
                    .iter()
                    .map(|n| Reserved::Name(n.clone())),
            )
            .collect();
        if !reserved.is_empty() {
            out.push('\n');
            self.sort_reserved(&mut reserved);
            for r in &reserved {
                indent_into(out, &self.reserved(r, false));
            }
        }
        let options = self.filter(element_options(
            &message.options(),
            &[
                "no_standard_descriptor_accessor",
                "deprecated",
                "map_entry",
                "features",
            ],
            Some("confluent.message_meta"),
        ));
        if !options.is_empty() {
            out.push('\n');
            for option in &options {
                let mut line = String::new();
                self.option_statement(&mut line, option);
                indent_into(out, &line);
            }
        }
        let layout = Layout::of(message);
        if !layout.fields.is_empty() {
            out.push('\n');
            let mut fields = layout.fields.clone();
            if self.opts.normalize {
                fields.sort_by_key(|f| f.number());
            }
            for field in &fields {
                let mut text = String::new();
                self.field(&mut text, message, field, false);
                indent_into(out, &text);
            }
        }
        if !layout.oneofs.is_empty() {
            out.push('\n');
            let mut oneofs = layout.oneofs.clone();
            if self.opts.normalize {
                for (_, fields) in &mut oneofs {
                    fields.sort_by_key(|f| f.number());
                }
                oneofs.sort_by_key(|(_, fields)| fields[0].number());
            }
            for (oneof, fields) in &oneofs {
                let mut text = format!("oneof {} {{", oneof.name());
                let options = self.filter(element_options(&oneof.options(), &["features"], None));
                if !options.is_empty() {
                    text.push('\n');
                    for option in &options {
                        let mut line = String::new();
                        self.option_statement(&mut line, option);
                        indent_into(&mut text, &line);
                    }
                }
                let (plain, groups): (Vec<_>, Vec<_>) = fields.iter().partition(|f| !f.is_group());
                if !plain.is_empty() {
                    text.push('\n');
                    for field in plain {
                        let mut line = String::new();
                        self.field(&mut line, message, field, true);
                        indent_into(&mut text, &line);
                    }
                }
                if !groups.is_empty() {
                    text.push('\n');
                    for field in groups {
                        let mut line = String::new();
                        self.field(&mut line, message, field, true);
                        indent_into(&mut text, &line);
                    }
                }
                text.push_str("}\n");
                indent_into(out, &text);
            }
        }
        if !layout.groups.is_empty() {
            out.push('\n');
            let mut groups = layout.groups.clone();
            if self.opts.normalize {
                groups.sort_by_key(|f| f.number());
            }
            for field in &groups {
                let mut text = String::new();
                self.field(&mut text, message, field, false);
                indent_into(out, &text);
            }
        }
        if !self.opts.ignore_extensions && !proto.extension_range.is_empty() {
            out.push('\n');
            let mut ranges: Vec<(i32, i32)> = proto
                .extension_range
                .iter()
                .map(|r| (r.start(), r.end() - 1))
                .collect();
            if self.opts.normalize {
                ranges.sort_by_key(|r| r.0);
            }
            for (start, end) in ranges {
                let line = format!("extensions {};\n", self.range(start, end, MAX_TAG as i32));
                indent_into(out, &line);
            }
        }
        let extensions: Vec<ExtensionDescriptor> = message.child_extensions().collect();
        if !self.opts.ignore_extensions && !extensions.is_empty() {
            out.push('\n');
            let mut text = String::new();
            self.extends(&mut text, &extensions);
            indent_into(out, &text);
        }
        let nested: Vec<MessageDescriptor> = message
            .child_messages()
            // Normalized text leaves out the synthetic map entries (the fields say
            // `map<K, V>`); group bodies are printed with their field.
            .filter(|m| !(layout.is_group_type(m) || (self.opts.normalize && m.is_map_entry())))
            .collect();
        if !nested.is_empty() || message.child_enums().len() > 0 {
            out.push('\n');
            for m in &nested {
                let mut text = String::new();
                self.message(&mut text, m);
                indent_into(out, &text);
            }
            for e in message.child_enums() {
                let mut text = String::new();
                self.enumeration(&mut text, &e);
                indent_into(out, &text);
            }
        }
    }

    /// `extend` blocks, one per extendee in order of first use.
    fn extends(&self, out: &mut String, extensions: &[ExtensionDescriptor]) {
        let mut blocks: Vec<(&str, Vec<&ExtensionDescriptor>)> = Vec::new();
        for ext in extensions {
            let extendee = ext.field_descriptor_proto().extendee();
            match blocks.iter_mut().find(|(name, _)| *name == extendee) {
                Some((_, list)) => list.push(ext),
                None => blocks.push((extendee, vec![ext])),
            }
        }
        for (extendee, mut fields) in blocks {
            let _ = write!(out, "extend {extendee} {{");
            if self.opts.normalize {
                fields.sort_by_key(|f| f.number());
            }
            out.push('\n');
            for ext in fields {
                let mut line = String::new();
                self.extension_field(&mut line, ext);
                indent_into(out, &line);
            }
            out.push_str("}\n");
        }
    }

    fn extension_field(&self, out: &mut String, ext: &ExtensionDescriptor) {
        let proto = ext.field_descriptor_proto();
        let options = element_options(&ext.options(), FIELD_OPTIONS, Some("confluent.field_meta"));
        let syntax = ext
            .parent_file()
            .file_descriptor_proto()
            .syntax()
            .to_owned();
        let map_entry = match ext.kind() {
            Kind::Message(m) if m.is_map_entry() => Some(m),
            _ => None,
        };
        self.field_line(
            out,
            proto,
            &syntax,
            false,
            map_entry.as_ref(),
            options,
            None,
        );
    }

    fn field(
        &self,
        out: &mut String,
        message: &MessageDescriptor,
        field: &FieldDescriptor,
        in_oneof: bool,
    ) {
        let proto = field.field_descriptor_proto();
        let options = element_options(
            &field.options(),
            FIELD_OPTIONS,
            Some("confluent.field_meta"),
        );
        let syntax = message
            .parent_file()
            .file_descriptor_proto()
            .syntax()
            .to_owned();
        let map_entry = match field.kind() {
            Kind::Message(m) if m.is_map_entry() => Some(m),
            _ => None,
        };
        let group = if field.is_group() {
            match field.kind() {
                Kind::Message(m) => Some(m),
                _ => None,
            }
        } else {
            None
        };
        self.field_line(
            out,
            proto,
            &syntax,
            in_oneof,
            map_entry.as_ref(),
            options,
            group.as_ref(),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn field_line(
        &self,
        out: &mut String,
        proto: &FieldDescriptorProto,
        syntax: &str,
        in_oneof: bool,
        map_entry: Option<&MessageDescriptor>,
        mut options: Vec<Opt>,
        group: Option<&MessageDescriptor>,
    ) {
        let proto3 = syntax == "proto3";
        let mut label = if in_oneof {
            None
        } else if proto.proto3_optional() {
            Some("optional")
        } else {
            match proto.label() {
                Label::Repeated => Some("repeated"),
                Label::Required if !proto3 => Some("required"),
                Label::Optional if !proto3 => Some("optional"),
                _ => None,
            }
        };
        let mut ty = match proto.r#type() {
            Type::Message | Type::Enum | Type::Group => proto.type_name().to_owned(),
            other => scalar_name(other).to_owned(),
        };
        if self.opts.normalize
            && let Some(entry) = map_entry
        {
            let key = entry.map_entry_key_field();
            let value = entry.map_entry_value_field();
            ty = format!(
                "map<{}, {}>",
                type_of(key.field_descriptor_proto()),
                type_of(value.field_descriptor_proto())
            );
            label = None;
        }
        // Divergence: a group stays a group (Confluent's descriptor reading turns it
        // into a message field, which a re-parse encodes differently on the wire).
        if let Some(group_type) = group {
            if let Some(label) = label {
                out.push_str(label);
                out.push(' ');
            }
            let _ = write!(out, "group {} = {}", group_type.name(), proto.number());
            let options = self.filter(options);
            if !options.is_empty() {
                out.push(' ');
                self.bracketed(out, &options);
            }
            out.push_str(" {");
            self.message_body(out, group_type);
            out.push_str("}\n");
            return;
        }
        if let Some(label) = label {
            out.push_str(label);
            out.push(' ');
        }
        let _ = write!(out, "{ty} {} = {}", proto.name(), proto.number());
        if !proto3 && let Some(default) = &proto.default_value {
            options.push(Opt {
                name: "default".to_owned(),
                parenthesized: false,
                value: default_value(proto.r#type(), default),
            });
        }
        if let Some(json) = &proto.json_name
            && *json != default_json_name(proto.name())
        {
            options.push(Opt {
                name: "json_name".to_owned(),
                parenthesized: false,
                value: OptValue::Str(json.clone()),
            });
        }
        let options = self.filter(options);
        if !options.is_empty() {
            out.push(' ');
            self.bracketed(out, &options);
        }
        out.push_str(";\n");
    }

    /// Confluent's `FormatContext.filterOptions`.
    fn filter(&self, mut options: Vec<Opt>) -> Vec<Opt> {
        if self.opts.ignore_extensions {
            options.retain(|o| !o.parenthesized || o.name.starts_with(CONFLUENT_PREFIX));
        }
        if self.opts.normalize {
            // Names are already fully qualified; a non-repeated option occurs once in
            // a descriptor, so there is nothing to merge. The sort is stable, so the
            // values of a repeated option keep their order.
            options.sort_by(|a, b| a.name.cmp(&b.name));
        }
        options
    }

    fn option_statement(&self, out: &mut String, option: &Opt) {
        out.push_str("option ");
        self.option(out, option);
        out.push_str(";\n");
    }

    /// `name = value` (Confluent's `toString(OptionElement)`).
    fn option(&self, out: &mut String, option: &Opt) {
        if option.parenthesized {
            let first = option.name.split('.').next().unwrap_or_default();
            // Divergence: Confluent prints the name without a leading dot, which
            // resolves to the wrong symbol (or none) when the package has a
            // component of the same name (`io.confluent` and `confluent.field_meta`).
            let shadowed = self.shadowed.get_or_init(|| shadowing_scopes(&self.file));
            let dot = if shadowed.iter().any(|n| n == first) {
                "."
            } else {
                ""
            };
            let _ = write!(out, "({dot}{})", option.name);
        } else {
            out.push_str(&option.name);
        }
        out.push_str(" = ");
        match &option.value {
            OptValue::Map(entries) => {
                out.push_str("{\n");
                self.option_map(out, entries);
                out.push('}');
            }
            OptValue::List(values) => self.bracketed_values(out, values),
            value => self.value(out, value),
        }
    }

    /// `[a = 1]` or, for more than one, one per line (Confluent's `appendOptions`).
    fn bracketed(&self, out: &mut String, options: &[Opt]) {
        if let [only] = options {
            out.push('[');
            self.option(out, only);
            out.push(']');
            return;
        }
        out.push_str("[\n");
        let last = options.len() - 1;
        for (i, option) in options.iter().enumerate() {
            let mut text = String::new();
            self.option(&mut text, option);
            if i != last {
                text.push(',');
            }
            indent_into(out, &text);
        }
        out.push(']');
    }

    fn bracketed_values(&self, out: &mut String, values: &[OptValue]) {
        if let [only] = values {
            out.push('[');
            self.value(out, only);
            out.push(']');
            return;
        }
        self.list_lines(out, values);
    }

    /// `[`, one value a line (comma-separated, indented), `]`: Confluent's layout of a
    /// list of more than one value, in brackets and in message literals alike.
    fn list_lines(&self, out: &mut String, values: &[OptValue]) {
        out.push_str("[\n");
        let last = values.len().saturating_sub(1);
        for (i, value) in values.iter().enumerate() {
            let mut text = String::new();
            self.value(&mut text, value);
            if i != last {
                text.push(',');
            }
            indent_into(out, &text);
        }
        out.push(']');
    }

    /// The entries of a message literal, one per line (Confluent's `formatOptionMap`).
    fn option_map(&self, out: &mut String, entries: &[(String, OptValue)]) {
        let sorted;
        let entries = if self.opts.normalize {
            let mut kept: Vec<&(String, OptValue)> = entries
                .iter()
                .filter(|(_, v)| !matches!(v, OptValue::List(l) if l.is_empty()))
                .collect();
            kept.sort_by(|a, b| a.0.cmp(&b.0));
            kept.dedup_by(|a, b| a.0 == b.0);
            sorted = kept;
            sorted.as_slice()
        } else {
            sorted = entries.iter().collect();
            sorted.as_slice()
        };
        let last = entries.len().saturating_sub(1);
        for (i, (key, value)) in entries.iter().enumerate() {
            let mut text = format!("{key}: ");
            self.value(&mut text, value);
            if i != last {
                text.push(',');
            }
            indent_into(out, &text);
        }
    }

    /// A value inside a message literal or list (`formatOptionMapOrListValue`).
    fn value(&self, out: &mut String, value: &OptValue) {
        match value {
            OptValue::Str(s) => {
                out.push('"');
                out.push_str(&escape(s));
                out.push('"');
            }
            OptValue::Escaped(s) => {
                out.push('"');
                out.push_str(s);
                out.push('"');
            }
            OptValue::Raw(s) => out.push_str(s),
            OptValue::Num(n) => out.push_str(&self.number(n)),
            OptValue::FloatDefault(text, f) => {
                if self.opts.normalize {
                    out.push_str(&f.to_string());
                } else {
                    out.push_str(text);
                }
            }
            OptValue::Map(entries) => {
                out.push_str("{\n");
                self.option_map(out, entries);
                out.push('}');
            }
            OptValue::List(values) => {
                if self.opts.normalize && values.len() == 1 {
                    self.value(out, &values[0]);
                    return;
                }
                self.list_lines(out, values);
            }
        }
    }

    /// A number as Java's `toString` prints it, or normalized as `DecimalFormat`
    /// without grouping does (all digits kept, no exponent).
    fn number(&self, n: &Number) -> String {
        match *n {
            Number::Int(i) => i.to_string(),
            Number::F32(f) if !f.is_finite() => non_finite(f64::from(f)),
            Number::F64(f) if !f.is_finite() => non_finite(f),
            // Rust's `Display` is plain decimal without exponent, like `DecimalFormat`.
            Number::F32(f) if self.opts.normalize => f.to_string(),
            Number::F64(f) if self.opts.normalize => f.to_string(),
            Number::F32(f) => java_float(format!("{f:e}"), f.abs() as f64, f.is_sign_negative()),
            Number::F64(f) => java_float(format!("{f:e}"), f.abs(), f.is_sign_negative()),
        }
    }

    fn sort_reserved(&self, reserved: &mut [Reserved]) {
        if self.opts.normalize {
            reserved.sort_by(|a, b| {
                a.sort_key()
                    .cmp(&b.sort_key())
                    .then_with(|| a.java_string().cmp(&b.java_string()))
            });
        }
    }

    fn reserved(&self, r: &Reserved, in_enum: bool) -> String {
        match r {
            Reserved::Name(name) => format!("reserved \"{name}\";\n"),
            Reserved::Range(start, end) => {
                // Divergence: Confluent compares an enum range with the field limit
                // too and prints `max` for any end past 536870911.
                let max = if in_enum { i32::MAX } else { MAX_TAG as i32 };
                format!("reserved {};\n", self.range(*start, *end, max))
            }
        }
    }

    /// `start`, or `start to end` (`max` at the largest number).
    fn range(&self, start: i32, end: i32, max: i32) -> String {
        if start == end {
            // Confluent turns a one-number range into a single number when reading
            // the descriptor, so it never prints `5 to 5`.
            start.to_string()
        } else if end >= max {
            format!("{start} to max")
        } else {
            format!("{start} to {end}")
        }
    }
}

/// Field options Confluent knows, in the order it prints them.
const FIELD_OPTIONS: &[&str] = &[
    "ctype",
    "packed",
    "jstype",
    "deprecated",
    "debug_redact",
    "retention",
    "targets",
    "edition_defaults",
    "features",
    "feature_support",
];

/// Where a message's fields go in the text: plain fields, oneofs with their fields,
/// then groups (Confluent's section order).
struct Layout {
    fields: Vec<FieldDescriptor>,
    oneofs: Vec<(prost_reflect::OneofDescriptor, Vec<FieldDescriptor>)>,
    groups: Vec<FieldDescriptor>,
    /// Full names of the messages that are group bodies.
    group_types: Vec<String>,
}

impl Layout {
    fn of(message: &MessageDescriptor) -> Self {
        let mut fields = Vec::new();
        let mut groups = Vec::new();
        let mut oneofs: Vec<(prost_reflect::OneofDescriptor, Vec<FieldDescriptor>)> = message
            .oneofs()
            .filter(|o| !o.is_synthetic())
            .map(|o| (o, Vec::new()))
            .collect();
        let mut group_types = Vec::new();
        // In declaration order: `fields()` goes by number.
        let declared = message
            .descriptor_proto()
            .field
            .iter()
            .filter_map(|f| message.get_field(f.number() as u32));
        for field in declared {
            if field.is_group()
                && let Kind::Message(m) = field.kind()
            {
                group_types.push(m.full_name().to_owned());
            }
            let oneof = field
                .containing_oneof()
                .filter(|_| !field.field_descriptor_proto().proto3_optional());
            match oneof {
                Some(o) => {
                    if let Some((_, list)) = oneofs.iter_mut().find(|(d, _)| *d == o) {
                        list.push(field);
                    }
                }
                None if field.is_group() => groups.push(field),
                None => fields.push(field),
            }
        }
        oneofs.retain(|(_, fields)| !fields.is_empty());
        Layout {
            fields,
            oneofs,
            groups,
            group_types,
        }
    }

    fn is_group_type(&self, message: &MessageDescriptor) -> bool {
        self.group_types.iter().any(|n| n == message.full_name())
    }
}

/// A reserved range (inclusive) or name.
enum Reserved {
    Range(i32, i32),
    Name(String),
}

impl Reserved {
    /// Confluent's normalized order: ranges and numbers by start, names last.
    fn sort_key(&self) -> i32 {
        match self {
            Reserved::Range(start, _) => *start,
            Reserved::Name(_) => i32::MAX,
        }
    }

    /// The tie-breaker Confluent uses: the value's Java `toString`
    /// (`IntRange` prints `9..11`).
    fn java_string(&self) -> String {
        match self {
            Reserved::Range(s, e) if s == e => s.to_string(),
            Reserved::Range(s, e) => format!("{s}..{e}"),
            Reserved::Name(n) => n.clone(),
        }
    }
}

/// The options of the file, in Confluent's order.
fn file_options(file: &FileDescriptor) -> Vec<Opt> {
    element_options(
        &file.options(),
        &[
            "java_package",
            "java_outer_classname",
            "java_multiple_files",
            "java_generate_equals_and_hash",
            "java_string_check_utf8",
            "optimize_for",
            "go_package",
            "cc_generic_services",
            "java_generic_services",
            "py_generic_services",
            "deprecated",
            "cc_enable_arenas",
            "objc_class_prefix",
            "csharp_namespace",
            "swift_prefix",
            "php_class_prefix",
            "php_namespace",
            "php_metadata_namespace",
            "ruby_package",
            "features",
        ],
        Some("confluent.file_meta"),
    )
}

/// An element's options as Confluent lists them: the built-in ones it knows in
/// `known` order, then (divergence) built-in ones it does not know by number, then
/// the element's `confluent.*_meta`, then custom options by number. A repeated
/// option gives one entry per value.
fn element_options(options: &DynamicMessage, known: &[&str], meta: Option<&str>) -> Vec<Opt> {
    let mut out = Vec::new();
    let set: Vec<(FieldDescriptor, &Value)> = options
        .fields()
        .filter(|(f, _)| f.name() != "uninterpreted_option")
        .collect();
    for name in known {
        if let Some((field, value)) = set.iter().find(|(f, _)| f.name() == *name) {
            push_option(&mut out, field.name(), false, &field.kind(), value);
        }
    }
    for (field, value) in &set {
        if !known.contains(&field.name()) {
            push_option(&mut out, field.name(), false, &field.kind(), value);
        }
    }
    let extensions: Vec<(ExtensionDescriptor, &Value)> = options.extensions().collect();
    if let Some(meta) = meta
        && let Some((_, Value::Message(m))) = extensions.iter().find(|(e, _)| e.full_name() == meta)
        && let Some(value) = meta_value(m)
    {
        out.push(Opt {
            name: meta.to_owned(),
            parenthesized: true,
            value,
        });
    }
    for (ext, value) in &extensions {
        // Confluent prints its own options only through the `*_meta` above.
        if ext.full_name().starts_with(CONFLUENT_PREFIX) {
            continue;
        }
        push_option(&mut out, ext.full_name(), true, &ext.kind(), value);
    }
    out
}

fn push_option(out: &mut Vec<Opt>, name: &str, parenthesized: bool, kind: &Kind, value: &Value) {
    match value {
        Value::List(values) => {
            for v in values {
                out.push(Opt {
                    name: name.to_owned(),
                    parenthesized,
                    value: option_value(kind, v),
                });
            }
        }
        v => out.push(Opt {
            name: name.to_owned(),
            parenthesized,
            value: option_value(kind, v),
        }),
    }
}

/// Confluent's `toOption(name, Meta)`: doc, params as a list of `{key, value}`
/// (value first for `precision` and `scale`, as Confluent does for backward
/// compatibility), tags, rules; nothing when all are empty.
fn meta_value(meta: &DynamicMessage) -> Option<OptValue> {
    let mut map = Vec::new();
    let text = |m: &DynamicMessage, name: &str| -> String {
        m.get_field_by_name(name)
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let doc = text(meta, "doc");
    if !doc.is_empty() {
        map.push(("doc".to_owned(), OptValue::Str(doc)));
    }
    if let Some(params) = meta.get_field_by_name("params")
        && let Some(params) = params.as_map()
        && !params.is_empty()
    {
        // A map has no order once decoded; Confluent keeps the wire order. Sorting
        // by key at least makes the text a function of the schema.
        let mut entries: Vec<(&str, &str)> = params
            .iter()
            .filter_map(|(k, v)| match (k, v) {
                (MapKey::String(k), Value::String(v)) => Some((k.as_str(), v.as_str())),
                _ => None,
            })
            .collect();
        entries.sort_unstable();
        let list = entries
            .into_iter()
            .map(|(k, v)| {
                let key = ("key".to_owned(), OptValue::Str(k.to_owned()));
                let value = ("value".to_owned(), OptValue::Str(v.to_owned()));
                if k == "precision" || k == "scale" {
                    OptValue::Map(vec![value, key])
                } else {
                    OptValue::Map(vec![key, value])
                }
            })
            .collect();
        map.push(("params".to_owned(), OptValue::List(list)));
    }
    if let Some(tags) = meta.get_field_by_name("tags")
        && let Some(tags) = tags.as_list()
        && !tags.is_empty()
    {
        let list = tags
            .iter()
            .filter_map(|t| t.as_str().map(|s| OptValue::Str(s.to_owned())))
            .collect();
        map.push(("tags".to_owned(), OptValue::List(list)));
    }
    if let Some(rules) = meta.get_field_by_name("rules")
        && let Some(rules) = rules.as_list()
        && !rules.is_empty()
    {
        let list: Vec<OptValue> = rules
            .iter()
            .filter_map(|r| r.as_message())
            .map(|r| {
                ["name", "doc", "expr", "sql"]
                    .into_iter()
                    .map(|k| (k.to_owned(), text(r, k)))
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (k, OptValue::Str(v)))
                    .collect::<Vec<_>>()
            })
            .filter(|entry| !entry.is_empty())
            .map(OptValue::Map)
            .collect();
        if !list.is_empty() {
            map.push(("rules".to_owned(), OptValue::List(list)));
        }
    }
    (!map.is_empty()).then_some(OptValue::Map(map))
}

/// An option value (`toOptionValue`): messages become literals in field-number
/// order, with extension fields as `[full.name]`.
fn option_value(kind: &Kind, value: &Value) -> OptValue {
    match value {
        Value::Bool(b) => OptValue::Raw(b.to_string()),
        Value::I32(i) => OptValue::Num(Number::Int(i128::from(*i))),
        Value::I64(i) => OptValue::Num(Number::Int(i128::from(*i))),
        // Divergence: Java holds these as signed and would print `-1`.
        Value::U32(i) => OptValue::Num(Number::Int(i128::from(*i))),
        Value::U64(i) => OptValue::Num(Number::Int(i128::from(*i))),
        Value::F32(f) => OptValue::Num(Number::F32(*f)),
        Value::F64(f) => OptValue::Num(Number::F64(*f)),
        Value::String(s) => OptValue::Str(s.clone()),
        // Divergence: Confluent cannot print bytes options at all.
        Value::Bytes(b) => OptValue::Escaped(escape_bytes(b)),
        // Divergence: Java prints an enum value's full name here, which no parser
        // reads back; the simple name is what `.proto` text needs.
        Value::EnumNumber(n) => match kind {
            Kind::Enum(e) => match e.get_value(*n) {
                Some(v) => OptValue::Raw(v.name().to_owned()),
                None => OptValue::Num(Number::Int(i128::from(*n))),
            },
            _ => OptValue::Num(Number::Int(i128::from(*n))),
        },
        Value::Message(m) => OptValue::Map(message_literal(m)),
        Value::List(values) => {
            OptValue::List(values.iter().map(|v| option_value(kind, v)).collect())
        }
        Value::Map(entries) => {
            // A map field inside an option message: its entries as `{key, value}`
            // literals, sorted by key (the decoded map has no order).
            let Kind::Message(entry) = kind else {
                return OptValue::List(Vec::new());
            };
            let value_kind = entry.map_entry_value_field().kind();
            let mut list: Vec<(String, OptValue)> = entries
                .iter()
                .map(|(k, v)| {
                    let key = map_key(k);
                    let literal = OptValue::Map(vec![
                        ("key".to_owned(), key.clone()),
                        ("value".to_owned(), option_value(&value_kind, v)),
                    ]);
                    (format!("{key:?}"), literal)
                })
                .collect();
            list.sort_by(|a, b| a.0.cmp(&b.0));
            OptValue::List(list.into_iter().map(|(_, v)| v).collect())
        }
    }
}

fn map_key(key: &MapKey) -> OptValue {
    match key {
        MapKey::Bool(b) => OptValue::Raw(b.to_string()),
        MapKey::I32(i) => OptValue::Num(Number::Int(i128::from(*i))),
        MapKey::I64(i) => OptValue::Num(Number::Int(i128::from(*i))),
        MapKey::U32(i) => OptValue::Num(Number::Int(i128::from(*i))),
        MapKey::U64(i) => OptValue::Num(Number::Int(i128::from(*i))),
        MapKey::String(s) => OptValue::Str(s.clone()),
    }
}

fn message_literal(message: &DynamicMessage) -> Vec<(String, OptValue)> {
    let mut entries: Vec<(u32, String, OptValue)> = message
        .fields()
        .map(|(f, v)| (f.number(), f.name().to_owned(), option_value(&f.kind(), v)))
        .chain(message.extensions().map(|(e, v)| {
            (
                e.number(),
                format!("[{}]", e.full_name()),
                option_value(&e.kind(), v),
            )
        }))
        .collect();
    entries.sort_by_key(|e| e.0);
    entries.into_iter().map(|(_, k, v)| (k, v)).collect()
}

/// A proto2 default as Confluent prints it (`toKind` of the field's type).
fn default_value(ty: Type, text: &str) -> OptValue {
    match ty {
        Type::String => OptValue::Str(text.to_owned()),
        // Divergence: Confluent prints a bytes default unquoted (its kind is NUMBER),
        // which does not parse. The descriptor holds it C-escaped already.
        Type::Bytes => OptValue::Escaped(text.to_owned()),
        Type::Bool | Type::Enum | Type::Message | Type::Group => OptValue::Raw(text.to_owned()),
        Type::Double | Type::Float => match text.parse::<f64>() {
            Ok(f) if f.is_finite() => OptValue::FloatDefault(text.to_owned(), f),
            _ => OptValue::Raw(text.to_owned()),
        },
        _ => match text.parse::<i128>() {
            Ok(i) => OptValue::Num(Number::Int(i)),
            Err(_) => OptValue::Raw(text.to_owned()),
        },
    }
}

fn non_finite(f: f64) -> String {
    if f.is_nan() {
        "nan".to_owned()
    } else if f > 0.0 {
        "inf".to_owned()
    } else {
        "-inf".to_owned()
    }
}

/// Java's `Double.toString`/`Float.toString` from the shortest digits in `sci`
/// (Rust's `{:e}`, e.g. `1.5e-7`): plain between 10^-3 and 10^7, else `d.dddE±n`.
fn java_float(sci: String, abs: f64, negative: bool) -> String {
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mantissa = mantissa.trim_start_matches('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if abs == 0.0 {
        return format!("{sign}0.0");
    }
    if (1e-3..1e7).contains(&abs) {
        let point = exp + 1;
        let s = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        return format!("{sign}{s}");
    }
    let (head, tail) = digits.split_at(1);
    let tail = if tail.is_empty() { "0" } else { tail };
    format!("{sign}{head}.{tail}E{exp}")
}

/// A scalar type's keyword.
fn scalar_name(ty: Type) -> &'static str {
    match ty {
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Group => "group",
        Type::Message => "message",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Enum => "enum",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
    }
}

fn type_of(proto: &FieldDescriptorProto) -> String {
    match proto.r#type() {
        Type::Message | Type::Enum | Type::Group => proto.type_name().to_owned(),
        other => scalar_name(other).to_owned(),
    }
}

/// protoc's default JSON name: `foo_bar` → `fooBar`.
fn default_json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Confluent's `escapeChars`, plus octal escapes for the other control characters
/// (divergence: Confluent writes them raw, which a parser may reject).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Bytes as a C-escaped string body: printable ASCII as is, the rest octal.
fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\'' => out.push_str("\\'"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out
}

/// Appends `text` with every line indented by two spaces (Confluent's
/// `appendIndented`; an empty line becomes two spaces, a trailing newline does not
/// make an extra line).
fn indent_into(out: &mut String, text: &str) {
    let body = text.trim_end_matches('\n');
    for line in body.split('\n') {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests;
