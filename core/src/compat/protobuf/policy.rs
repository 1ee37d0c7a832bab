//! The opt-in policies: buf's breaking rules that Confluent does not check, judging the
//! edit old -> new. `wire-json` (buf's WIRE_JSON plus `RESERVED_NUMBER_REUSED`) guards
//! the JSON encoding and retired numbers and names; `file` (buf's FILE) adds what
//! breaks generated code. Types are matched by their package-stripped name, so that a
//! package change is one `FILE_SAME_PACKAGE` rather than every type deleted; fields and
//! enum values by number, oneofs by name. Every finding is breaking and points into
//! the new schema (at the element, or at the nearest one that still exists).

use std::collections::{BTreeMap, BTreeSet};

use prost_reflect::{EnumDescriptor, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor};
use prost_types::FileOptions;

use super::locate;
use super::rules::Rule;
use crate::compat::level::ProtobufPolicy;
use crate::compat::report::Finding;
use crate::schema::protobuf::{MAIN_FILE, ProtobufSchema};

/// The policy's own findings for the edit `old` -> `new` (none under `confluent`).
pub(crate) fn policy_findings(
    old: &ProtobufSchema,
    new: &ProtobufSchema,
    policy: ProtobufPolicy,
) -> Vec<Finding> {
    if policy == ProtobufPolicy::Confluent {
        return Vec::new();
    }
    let mut check = Check {
        new,
        file: policy == ProtobufPolicy::File,
        findings: Vec::new(),
    };
    let (of, nf) = (old.file(), new.file());
    if check.file {
        check.file_level(of, nf);
    }
    check.level(
        (of.messages().collect(), of.enums().collect()),
        (nf.messages().collect(), nf.enums().collect()),
        &[],
    );
    check.findings
}

struct Check<'a> {
    new: &'a ProtobufSchema,
    /// Whether the FILE rules apply too.
    file: bool,
    findings: Vec<Finding>,
}

type Level = (Vec<MessageDescriptor>, Vec<EnumDescriptor>);

impl Check<'_> {
    fn emit(&mut self, rule: Rule, place: &[i32], message: String) {
        let mut finding = rule.finding(locate::pointer(place), message);
        finding.position = locate::position(self.new, place);
        self.findings.push(finding);
    }

    fn emit_at(&mut self, rule: Rule, path: String, place: &[i32], message: String) {
        let mut finding = rule.finding(path, message);
        finding.position = locate::position(self.new, place);
        self.findings.push(finding);
    }

    fn file_level(&mut self, of: &FileDescriptor, nf: &FileDescriptor) {
        if of.package_name() != nf.package_name() {
            let message = format!(
                "the package changed from `{}` to `{}`",
                of.package_name(),
                nf.package_name()
            );
            self.emit(Rule::FILE_SAME_PACKAGE, &package_place(nf), message);
        }
        let syntax = |f: &FileDescriptor| {
            let s = f.file_descriptor_proto().syntax().to_owned();
            if s.is_empty() { "proto2".to_owned() } else { s }
        };
        if syntax(of) != syntax(nf) {
            let message = format!("the syntax changed from {} to {}", syntax(of), syntax(nf));
            let place: Vec<i32> = if nf.file_descriptor_proto().syntax.is_some() {
                vec![12]
            } else {
                Vec::new()
            };
            self.emit(Rule::FILE_SAME_SYNTAX, &place, message);
        }
        let default = FileOptions::default();
        let oo = of
            .file_descriptor_proto()
            .options
            .as_ref()
            .unwrap_or(&default);
        let no = nf
            .file_descriptor_proto()
            .options
            .as_ref()
            .unwrap_or(&default);
        for (rule, name, number, old, new) in file_options(oo, no) {
            if old != new {
                let message = format!("option {name} changed from {old} to {new}");
                self.emit_at(
                    rule,
                    format!("/options/{}", json_name(name)),
                    &[8, number],
                    message,
                );
            }
        }
    }

    /// Compares the types of one level, matched by name; `container` is the new
    /// schema's place for that level.
    fn level(&mut self, (om, oe): Level, (nm, ne): Level, container: &[i32]) {
        let nm: BTreeMap<String, MessageDescriptor> = nm
            .into_iter()
            .filter(|m| !m.is_map_entry())
            .map(|m| (m.name().to_owned(), m))
            .collect();
        for o in om.into_iter().filter(|m| !m.is_map_entry()) {
            match nm.get(o.name()) {
                Some(n) => self.message(&o, n),
                None if self.file => {
                    let message = format!("message `{}` was deleted", o.full_name());
                    self.emit(Rule::MESSAGE_NO_DELETE, container, message);
                }
                None => {}
            }
        }
        let ne: BTreeMap<String, EnumDescriptor> =
            ne.into_iter().map(|e| (e.name().to_owned(), e)).collect();
        for o in oe {
            match ne.get(o.name()) {
                Some(n) => self.enumeration(&o, n),
                None if self.file => {
                    let message = format!("enum `{}` was deleted", o.full_name());
                    self.emit(Rule::ENUM_NO_DELETE, container, message);
                }
                None => {}
            }
        }
    }

    fn message(&mut self, o: &MessageDescriptor, n: &MessageDescriptor) {
        let here = main_place(n);
        let old_fields: BTreeMap<u32, FieldDescriptor> =
            o.fields().map(|f| (f.number(), f)).collect();
        let new_fields: BTreeMap<u32, FieldDescriptor> =
            n.fields().map(|f| (f.number(), f)).collect();
        for (number, of) in &old_fields {
            match new_fields.get(number) {
                Some(nf) => self.field(n, of, nf),
                None => {
                    let what = format!("field `{}` = {number} of `{}`", of.name(), n.name());
                    if !n.reserved_ranges().any(|r| r.contains(number)) {
                        let message = format!("{what} was deleted and its number not reserved");
                        self.emit(Rule::FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED, &here, message);
                    }
                    if !n.reserved_names().any(|r| r == of.name()) {
                        let message = format!("{what} was deleted and its name not reserved");
                        self.emit(Rule::FIELD_NO_DELETE_UNLESS_NAME_RESERVED, &here, message);
                    }
                    if self.file {
                        self.emit(Rule::FIELD_NO_DELETE, &here, format!("{what} was deleted"));
                    }
                }
            }
        }
        for (number, nf) in &new_fields {
            if old_fields.contains_key(number) {
                continue;
            }
            let by_number = o.reserved_ranges().any(|r| r.contains(number));
            let by_name = o.reserved_names().any(|r| r == nf.name());
            if by_number || by_name {
                let what = if by_number {
                    format!("number {number}")
                } else {
                    format!("name `{}`", nf.name())
                };
                let message = format!(
                    "field `{}` = {number} of `{}` uses {what}, which the old version reserved",
                    nf.name(),
                    n.name()
                );
                self.emit(Rule::RESERVED_NUMBER_REUSED, &main_place(nf), message);
            }
        }
        if self.file {
            let new_oneofs: BTreeSet<String> = n
                .oneofs()
                .filter(|x| !x.is_synthetic())
                .map(|x| x.name().to_owned())
                .collect();
            for oneof in o.oneofs().filter(|x| !x.is_synthetic()) {
                if !new_oneofs.contains(oneof.name()) {
                    let message = format!("oneof `{}` of `{}` was deleted", oneof.name(), n.name());
                    self.emit(Rule::ONEOF_NO_DELETE, &here, message);
                }
            }
        }
        self.level(
            (o.child_messages().collect(), o.child_enums().collect()),
            (n.child_messages().collect(), n.child_enums().collect()),
            &here,
        );
    }

    fn field(&mut self, n: &MessageDescriptor, of: &FieldDescriptor, nf: &FieldDescriptor) {
        let place = main_place(nf);
        let what = format!("field {} of `{}`", nf.number(), n.name());
        if of.name() != nf.name() {
            let message = format!("{what} was renamed from `{}` to `{}`", of.name(), nf.name());
            self.emit(Rule::FIELD_SAME_NAME, &place, message);
        }
        if of.json_name() != nf.json_name() {
            let message = format!(
                "{what} changed its JSON name from `{}` to `{}`",
                of.json_name(),
                nf.json_name()
            );
            self.emit(Rule::FIELD_SAME_JSON_NAME, &place, message);
        }
        if !self.file {
            return;
        }
        let (ot, nt) = (type_name(of), type_name(nf));
        if ot != nt {
            let message = format!("{what} changed type from {ot} to {nt}");
            self.emit(Rule::FIELD_SAME_TYPE, &place, message);
        }
        let (ol, nl) = (label_word(of), label_word(nf));
        if ol != nl {
            let message = format!("{what} changed label from {ol} to {nl}");
            self.emit(Rule::FIELD_SAME_LABEL, &place, message);
        }
        let oneof = |f: &FieldDescriptor| {
            f.containing_oneof()
                .filter(|o| !o.is_synthetic())
                .map(|o| o.name().to_owned())
        };
        let (oo, no) = (oneof(of), oneof(nf));
        if oo != no {
            let shown = |o: &Option<String>| match o {
                Some(name) => format!("oneof `{name}`"),
                None => "no oneof".to_owned(),
            };
            let message = format!("{what} moved from {} to {}", shown(&oo), shown(&no));
            self.emit(Rule::FIELD_SAME_ONEOF, &place, message);
        }
    }

    fn enumeration(&mut self, o: &EnumDescriptor, n: &EnumDescriptor) {
        let here = main_place_enum(n);
        let old_values: BTreeMap<i32, String> = o
            .values()
            .map(|v| (v.number(), v.name().to_owned()))
            .collect();
        let new_values: BTreeMap<i32, (String, Vec<i32>)> = n
            .values()
            .map(|v| (v.number(), (v.name().to_owned(), v.path().to_vec())))
            .collect();
        let is_main = n.parent_file().name() == MAIN_FILE;
        for (number, name) in &old_values {
            match new_values.get(number) {
                Some((new_name, path)) if new_name != name => {
                    let place = if is_main { path.clone() } else { Vec::new() };
                    let message = format!(
                        "value {number} of enum `{}` was renamed from `{name}` to `{new_name}`",
                        n.name()
                    );
                    self.emit(Rule::ENUM_VALUE_SAME_NAME, &place, message);
                }
                Some(_) => {}
                None => {
                    let what = format!("value `{name}` = {number} of enum `{}`", n.name());
                    if !n.reserved_ranges().any(|r| r.contains(number)) {
                        let message = format!("{what} was deleted and its number not reserved");
                        self.emit(
                            Rule::ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED,
                            &here,
                            message,
                        );
                    }
                    if !n.reserved_names().any(|r| r == name.as_str()) {
                        let message = format!("{what} was deleted and its name not reserved");
                        self.emit(
                            Rule::ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED,
                            &here,
                            message,
                        );
                    }
                    if self.file {
                        self.emit(
                            Rule::ENUM_VALUE_NO_DELETE,
                            &here,
                            format!("{what} was deleted"),
                        );
                    }
                }
            }
        }
        for (number, (name, path)) in &new_values {
            if old_values.contains_key(number) {
                continue;
            }
            if o.reserved_ranges().any(|r| r.contains(number))
                || o.reserved_names().any(|r| r == name.as_str())
            {
                let place = if is_main { path.clone() } else { Vec::new() };
                let message = format!(
                    "value `{name}` = {number} of enum `{}` uses a number or name the old version reserved",
                    n.name()
                );
                self.emit(Rule::RESERVED_NUMBER_REUSED, &place, message);
            }
        }
    }
}

fn main_place(message_or_field: &impl HasPlace) -> Vec<i32> {
    message_or_field.place()
}

fn main_place_enum(e: &EnumDescriptor) -> Vec<i32> {
    if e.parent_file().name() == MAIN_FILE {
        e.path().to_vec()
    } else {
        Vec::new()
    }
}

/// The new schema's place of an element: its source path in the main file, the file
/// itself for an element of a referenced file.
trait HasPlace {
    fn place(&self) -> Vec<i32>;
}

impl HasPlace for MessageDescriptor {
    fn place(&self) -> Vec<i32> {
        if self.parent_file().name() == MAIN_FILE {
            self.path().to_vec()
        } else {
            Vec::new()
        }
    }
}

impl HasPlace for FieldDescriptor {
    fn place(&self) -> Vec<i32> {
        if self.parent_file().name() == MAIN_FILE {
            self.path().to_vec()
        } else {
            Vec::new()
        }
    }
}

fn package_place(file: &FileDescriptor) -> Vec<i32> {
    if file.package_name().is_empty() {
        Vec::new()
    } else {
        vec![2]
    }
}

/// The declared type as buf compares it: the scalar, or the package-stripped name of
/// the message or enum.
fn type_name(field: &FieldDescriptor) -> String {
    let strip = |full: &str, package: &str| {
        full.strip_prefix(package)
            .and_then(|r| r.strip_prefix('.'))
            .unwrap_or(full)
            .to_owned()
    };
    match field.kind() {
        Kind::Message(m) => strip(m.full_name(), m.package_name()),
        Kind::Enum(e) => strip(e.full_name(), e.package_name()),
        other => format!("{other:?}").to_lowercase(),
    }
}

fn label_word(field: &FieldDescriptor) -> &'static str {
    if field.field_descriptor_proto().proto3_optional() {
        return "optional";
    }
    match field.cardinality() {
        prost_reflect::Cardinality::Repeated => "repeated",
        prost_reflect::Cardinality::Required => "required",
        prost_reflect::Cardinality::Optional => "singular",
    }
}

/// `java_package` -> `javaPackage`.
fn json_name(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

type OptionRow = (Rule, &'static str, i32, String, String);

/// The language options buf's FILE category guards: rule, option name, its number in
/// `FileOptions`, old and new effective value.
fn file_options(o: &FileOptions, n: &FileOptions) -> Vec<OptionRow> {
    let s = |v: &str| format!("{v:?}");
    let b = |v: bool| v.to_string();
    vec![
        (
            Rule::FILE_SAME_JAVA_PACKAGE,
            "java_package",
            1,
            s(o.java_package()),
            s(n.java_package()),
        ),
        (
            Rule::FILE_SAME_JAVA_OUTER_CLASSNAME,
            "java_outer_classname",
            8,
            s(o.java_outer_classname()),
            s(n.java_outer_classname()),
        ),
        (
            Rule::FILE_SAME_JAVA_MULTIPLE_FILES,
            "java_multiple_files",
            10,
            b(o.java_multiple_files()),
            b(n.java_multiple_files()),
        ),
        (
            Rule::FILE_SAME_JAVA_STRING_CHECK_UTF8,
            "java_string_check_utf8",
            27,
            b(o.java_string_check_utf8()),
            b(n.java_string_check_utf8()),
        ),
        (
            Rule::FILE_SAME_GO_PACKAGE,
            "go_package",
            11,
            s(o.go_package()),
            s(n.go_package()),
        ),
        (
            Rule::FILE_SAME_CSHARP_NAMESPACE,
            "csharp_namespace",
            37,
            s(o.csharp_namespace()),
            s(n.csharp_namespace()),
        ),
        (
            Rule::FILE_SAME_OBJC_CLASS_PREFIX,
            "objc_class_prefix",
            36,
            s(o.objc_class_prefix()),
            s(n.objc_class_prefix()),
        ),
        (
            Rule::FILE_SAME_PHP_CLASS_PREFIX,
            "php_class_prefix",
            40,
            s(o.php_class_prefix()),
            s(n.php_class_prefix()),
        ),
        (
            Rule::FILE_SAME_PHP_NAMESPACE,
            "php_namespace",
            41,
            s(o.php_namespace()),
            s(n.php_namespace()),
        ),
        (
            Rule::FILE_SAME_PHP_METADATA_NAMESPACE,
            "php_metadata_namespace",
            44,
            s(o.php_metadata_namespace()),
            s(n.php_metadata_namespace()),
        ),
        (
            Rule::FILE_SAME_RUBY_PACKAGE,
            "ruby_package",
            45,
            s(o.ruby_package()),
            s(n.ruby_package()),
        ),
        (
            Rule::FILE_SAME_SWIFT_PREFIX,
            "swift_prefix",
            39,
            s(o.swift_prefix()),
            s(n.swift_prefix()),
        ),
        (
            Rule::FILE_SAME_OPTIMIZE_FOR,
            "optimize_for",
            9,
            format!("{:?}", o.optimize_for()),
            format!("{:?}", n.optimize_for()),
        ),
        (
            Rule::FILE_SAME_CC_GENERIC_SERVICES,
            "cc_generic_services",
            16,
            b(o.cc_generic_services()),
            b(n.cc_generic_services()),
        ),
        (
            Rule::FILE_SAME_JAVA_GENERIC_SERVICES,
            "java_generic_services",
            17,
            b(o.java_generic_services()),
            b(n.java_generic_services()),
        ),
        (
            Rule::FILE_SAME_PY_GENERIC_SERVICES,
            "py_generic_services",
            18,
            b(o.py_generic_services()),
            b(n.py_generic_services()),
        ),
        (
            Rule::FILE_SAME_CC_ENABLE_ARENAS,
            "cc_enable_arenas",
            31,
            b(o.cc_enable_arenas()),
            b(n.cc_enable_arenas()),
        ),
    ]
}
