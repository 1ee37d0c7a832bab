//! The catalogue of the Protobuf engine: every rule id it can report, with severity,
//! message, fix and meaning. Confluent's `Difference.Type` names come first (the
//! registry's verdict); then the buf-style rules of the opt-in policies (`wire-json`,
//! `file`), named as buf names them, plus `RESERVED_NUMBER_REUSED`, our own.

use crate::compat::level::ProtobufPolicy;
use crate::compat::report::{Finding, Severity};

rule_enum! {
    /// One rule of the Protobuf engine.
    Rule {
        // Confluent's `Difference.Type`: compatible ones.
        MESSAGE_ADDED, MESSAGE_MOVED, ENUM_ADDED, ENUM_REMOVED, ENUM_CONST_ADDED,
        ENUM_CONST_CHANGED, ENUM_CONST_REMOVED, FIELD_ADDED, FIELD_REMOVED,
        FIELD_NAME_CHANGED, FIELD_STRING_OR_BYTES_LABEL_CHANGED, ONEOF_ADDED,
        ONEOF_REMOVED, ONEOF_FIELD_ADDED, ONEOF_FIELD_MOVED_TO_TOP_LEVEL,
        // Confluent's `Difference.Type`: incompatible ones.
        PACKAGE_CHANGED, MESSAGE_REMOVED, FIELD_KIND_CHANGED, FIELD_SCALAR_KIND_CHANGED,
        FIELD_NAMED_TYPE_CHANGED, FIELD_NUMERIC_LABEL_CHANGED, REQUIRED_FIELD_ADDED,
        REQUIRED_FIELD_REMOVED, ONEOF_FIELD_REMOVED, MULTIPLE_FIELDS_MOVED_TO_ONEOF,
        FIELD_MOVED_TO_EXISTING_ONEOF,
        // The `wire-json` policy (buf's WIRE_JSON), and our RESERVED_NUMBER_REUSED.
        FIELD_SAME_NAME, FIELD_SAME_JSON_NAME, ENUM_VALUE_SAME_NAME,
        FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED, FIELD_NO_DELETE_UNLESS_NAME_RESERVED,
        ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED, ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED,
        RESERVED_NUMBER_REUSED,
        // The `file` policy (buf's FILE), on top of `wire-json`.
        FILE_SAME_PACKAGE, MESSAGE_NO_DELETE, ENUM_NO_DELETE, FIELD_NO_DELETE,
        ENUM_VALUE_NO_DELETE, ONEOF_NO_DELETE, FIELD_SAME_TYPE, FIELD_SAME_LABEL,
        FIELD_SAME_ONEOF, FILE_SAME_SYNTAX,
        FILE_SAME_JAVA_PACKAGE, FILE_SAME_JAVA_OUTER_CLASSNAME, FILE_SAME_JAVA_MULTIPLE_FILES,
        FILE_SAME_JAVA_STRING_CHECK_UTF8, FILE_SAME_GO_PACKAGE, FILE_SAME_CSHARP_NAMESPACE,
        FILE_SAME_OBJC_CLASS_PREFIX, FILE_SAME_PHP_CLASS_PREFIX, FILE_SAME_PHP_NAMESPACE,
        FILE_SAME_PHP_METADATA_NAMESPACE, FILE_SAME_RUBY_PACKAGE, FILE_SAME_SWIFT_PREFIX,
        FILE_SAME_OPTIMIZE_FOR, FILE_SAME_CC_GENERIC_SERVICES, FILE_SAME_JAVA_GENERIC_SERVICES,
        FILE_SAME_PY_GENERIC_SERVICES, FILE_SAME_CC_ENABLE_ARENAS,
    }
}

impl Rule {
    /// The least strict policy that reports the rule: `Confluent` for Confluent's own
    /// types, else the opt-in policy that adds it.
    pub(crate) fn policy(self) -> ProtobufPolicy {
        use Rule::*;
        match self {
            FIELD_SAME_NAME
            | FIELD_SAME_JSON_NAME
            | ENUM_VALUE_SAME_NAME
            | FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED
            | FIELD_NO_DELETE_UNLESS_NAME_RESERVED
            | ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED
            | ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED
            | RESERVED_NUMBER_REUSED => ProtobufPolicy::WireJson,
            r if r.is_confluent() => ProtobufPolicy::Confluent,
            _ => ProtobufPolicy::File,
        }
    }

    /// Whether the rule is one of Confluent's `Difference.Type`s.
    pub(crate) fn is_confluent(self) -> bool {
        use Rule::*;
        self.is_compatible()
            || matches!(
                self,
                PACKAGE_CHANGED
                    | MESSAGE_REMOVED
                    | FIELD_KIND_CHANGED
                    | FIELD_SCALAR_KIND_CHANGED
                    | FIELD_NAMED_TYPE_CHANGED
                    | FIELD_NUMERIC_LABEL_CHANGED
                    | REQUIRED_FIELD_ADDED
                    | REQUIRED_FIELD_REMOVED
                    | ONEOF_FIELD_REMOVED
                    | MULTIPLE_FIELDS_MOVED_TO_ONEOF
                    | FIELD_MOVED_TO_EXISTING_ONEOF
            )
    }

    /// Whether Confluent's `SchemaDiff.COMPATIBLE_CHANGES` lists it.
    pub(crate) fn is_compatible(self) -> bool {
        use Rule::*;
        matches!(
            self,
            MESSAGE_ADDED
                | MESSAGE_MOVED
                | ENUM_ADDED
                | ENUM_REMOVED
                | ENUM_CONST_ADDED
                | ENUM_CONST_CHANGED
                | ENUM_CONST_REMOVED
                | FIELD_ADDED
                | FIELD_REMOVED
                | FIELD_NAME_CHANGED
                | FIELD_STRING_OR_BYTES_LABEL_CHANGED
                | ONEOF_ADDED
                | ONEOF_REMOVED
                | ONEOF_FIELD_ADDED
                | ONEOF_FIELD_MOVED_TO_TOP_LEVEL
        )
    }

    /// Breaking for Confluent's incompatible types and every policy rule; cosmetic
    /// for renames and moves, which change nothing in the binary encoding; additive
    /// for the other compatible changes.
    pub(crate) fn severity(self) -> Severity {
        use Rule::*;
        match self {
            MESSAGE_MOVED | FIELD_NAME_CHANGED | ENUM_CONST_CHANGED => Severity::Cosmetic,
            r if r.is_compatible() => Severity::Additive,
            _ => Severity::Breaking,
        }
    }

    /// What happened, in general; a finding's message names the parts involved.
    pub(crate) fn message(self) -> &'static str {
        use Rule::*;
        match self {
            MESSAGE_ADDED => "a message type was added",
            MESSAGE_MOVED => "a message type changed its position among its siblings",
            ENUM_ADDED => "an enum type was added",
            ENUM_REMOVED => "an enum type was removed",
            ENUM_CONST_ADDED => "an enum value was added",
            ENUM_CONST_CHANGED => "an enum value's number now has another name",
            ENUM_CONST_REMOVED => "an enum value was removed",
            FIELD_ADDED => "a field was added",
            FIELD_REMOVED => "a field was removed",
            FIELD_NAME_CHANGED => "a field number now has another name",
            FIELD_STRING_OR_BYTES_LABEL_CHANGED => {
                "a string or bytes field changed between singular and repeated"
            }
            ONEOF_ADDED => "a oneof was added",
            ONEOF_REMOVED => "a oneof was removed",
            ONEOF_FIELD_ADDED => "a field was added to a oneof",
            ONEOF_FIELD_MOVED_TO_TOP_LEVEL => "a oneof member became an ordinary field",
            PACKAGE_CHANGED => "the package changed",
            MESSAGE_REMOVED => "a message type was removed",
            FIELD_KIND_CHANGED => "a field changed between scalar, message and map",
            FIELD_SCALAR_KIND_CHANGED => {
                "a scalar field changed to a type that is not wire-compatible"
            }
            FIELD_NAMED_TYPE_CHANGED => {
                "a message field now has another message type, or its type changed incompatibly"
            }
            FIELD_NUMERIC_LABEL_CHANGED => {
                "a numeric field changed between singular, repeated and required"
            }
            REQUIRED_FIELD_ADDED => "a required field was added",
            REQUIRED_FIELD_REMOVED => "a required field was removed",
            ONEOF_FIELD_REMOVED => "a member of a surviving oneof was removed",
            MULTIPLE_FIELDS_MOVED_TO_ONEOF => {
                "several independent fields were moved into one oneof"
            }
            FIELD_MOVED_TO_EXISTING_ONEOF => {
                "a field was moved into a oneof holding fields it was independent of"
            }
            FIELD_SAME_NAME => "a field number now has another name (breaks JSON)",
            FIELD_SAME_JSON_NAME => "a field's JSON name changed",
            ENUM_VALUE_SAME_NAME => "an enum number now has another name (breaks JSON)",
            FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED => {
                "a field was deleted without reserving its number"
            }
            FIELD_NO_DELETE_UNLESS_NAME_RESERVED => {
                "a field was deleted without reserving its name"
            }
            ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED => {
                "an enum value was deleted without reserving its number"
            }
            ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED => {
                "an enum value was deleted without reserving its name"
            }
            RESERVED_NUMBER_REUSED => {
                "a field or enum value uses a number or name the old version reserved"
            }
            FILE_SAME_PACKAGE => "the file's package changed",
            MESSAGE_NO_DELETE => "a message type was deleted",
            ENUM_NO_DELETE => "an enum type was deleted",
            FIELD_NO_DELETE => "a field was deleted",
            ENUM_VALUE_NO_DELETE => "an enum value was deleted",
            ONEOF_NO_DELETE => "a oneof was deleted",
            FIELD_SAME_TYPE => "a field's declared type changed",
            FIELD_SAME_LABEL => "a field's label (optional, required, repeated) changed",
            FIELD_SAME_ONEOF => "a field moved into, out of or between oneofs",
            FILE_SAME_SYNTAX => "the file's syntax changed",
            _ => "a file option that shapes generated code changed",
        }
    }

    /// The smallest change that makes a breaking finding go away.
    pub(crate) fn hint(self) -> Option<&'static str> {
        use Rule::*;
        let hint = match self {
            PACKAGE_CHANGED | FILE_SAME_PACKAGE => {
                "keep the old package; to move types to a new package, register them under a new subject"
            }
            MESSAGE_REMOVED | MESSAGE_NO_DELETE => {
                "keep the message (mark it `option deprecated = true;`): records name it by its index in the schema they were written with"
            }
            FIELD_KIND_CHANGED
            | FIELD_SCALAR_KIND_CHANGED
            | FIELD_NAMED_TYPE_CHANGED
            | FIELD_SAME_TYPE => {
                "keep the field's type; add a new field with a new number for the new type and reserve nothing you still read"
            }
            FIELD_NUMERIC_LABEL_CHANGED | FIELD_SAME_LABEL => {
                "keep the field's label; add a new repeated (or singular) field under a new number instead"
            }
            REQUIRED_FIELD_ADDED => "make the new field `optional` (old data never has it)",
            REQUIRED_FIELD_REMOVED => {
                "keep the required field, or first make it optional in a version of its own"
            }
            ONEOF_FIELD_REMOVED => {
                "keep the member in its oneof, or delete the whole oneof at once"
            }
            MULTIPLE_FIELDS_MOVED_TO_ONEOF | FIELD_MOVED_TO_EXISTING_ONEOF | FIELD_SAME_ONEOF => {
                "keep fields that could be set together outside one oneof; put only new fields in it"
            }
            FIELD_SAME_NAME | FIELD_SAME_JSON_NAME => {
                "keep the field's name (JSON encodes fields by name); add a new field for the new name"
            }
            ENUM_VALUE_SAME_NAME => {
                "keep the value's name (JSON encodes enum values by name); add an alias with `allow_alias` if you need the new one"
            }
            FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED
            | ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED => {
                "add `reserved <number>;` for what you deleted, so that no later version reuses it"
            }
            FIELD_NO_DELETE_UNLESS_NAME_RESERVED | ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED => {
                "add `reserved \"<name>\";` for what you deleted, so that JSON readers never see it reused"
            }
            RESERVED_NUMBER_REUSED => {
                "use a number (and name) that no earlier version used; keep the reservation"
            }
            ENUM_NO_DELETE | FIELD_NO_DELETE | ENUM_VALUE_NO_DELETE | ONEOF_NO_DELETE => {
                "keep it and mark it deprecated: generated code refers to it"
            }
            FILE_SAME_SYNTAX => "keep the file's syntax",
            r if r.severity() == Severity::Breaking => {
                "keep the option's old value: it decides where and how code is generated"
            }
            _ => return None,
        };
        Some(hint)
    }

    /// What the rule means for data and for the people who own the schema.
    pub(crate) fn meaning(self) -> String {
        let origin = if self.is_confluent() {
            format!(
                "Confluent's Protobuf checker (SchemaDiff) reports this difference as {}; it {} under its rules.",
                self.as_str(),
                if self.is_compatible() {
                    "is compatible"
                } else {
                    "is incompatible"
                }
            )
        } else if self == Rule::RESERVED_NUMBER_REUSED {
            "Schemagate's own rule of the `wire-json` and `file` policies: Confluent does not read `reserved`, so a number retired in one version and reused with another type in the next passes its BACKWARD check.".to_owned()
        } else {
            format!(
                "buf's breaking rule of the same name, reported under the opt-in `{}` policy (Confluent does not check it); it judges the edit old -> new and breaks every level but NONE.",
                self.policy().as_str()
            )
        };
        let why = match self {
            Rule::MESSAGE_MOVED => {
                " Records carry message indexes relative to the schema id they were written with, so moving a message does not confuse readers."
            }
            Rule::FIELD_REMOVED | Rule::FIELD_ADDED | Rule::ONEOF_FIELD_ADDED => {
                " Protobuf readers skip unknown field numbers and give missing fields their default."
            }
            Rule::FIELD_SCALAR_KIND_CHANGED => {
                " Scalars read each other only within a group: {int32, int64, uint32, uint64, bool, enum}, {sint32, sint64}, {string, bytes}, {fixed32, sfixed32}, {fixed64, sfixed64}, {float}, {double}."
            }
            Rule::FIELD_NAME_CHANGED | Rule::ENUM_CONST_CHANGED => {
                " The binary encoding uses numbers only; the JSON encoding and generated code use names."
            }
            Rule::MULTIPLE_FIELDS_MOVED_TO_ONEOF | Rule::FIELD_MOVED_TO_EXISTING_ONEOF => {
                " Data written when the fields were independent may set several of them; a oneof keeps only the last one read."
            }
            _ => "",
        };
        format!("{origin}{why}")
    }

    /// A finding of this rule with the catalogue's hint.
    pub(crate) fn finding(self, path: String, message: String) -> Finding {
        Finding::new(
            self.as_str(),
            self.severity(),
            path,
            message,
            self.hint().map(str::to_owned),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confluents_types_are_the_first_26_and_split_15_to_11() {
        let confluent: Vec<_> = Rule::ALL.iter().filter(|r| r.is_confluent()).collect();
        assert_eq!(confluent.len(), 26);
        let compatible = confluent.iter().filter(|r| r.is_compatible()).count();
        assert_eq!(compatible, 15);
        for rule in Rule::ALL {
            let breaking = rule.severity() == Severity::Breaking;
            assert_eq!(rule.hint().is_some(), breaking, "{rule:?}");
            assert_eq!(breaking, !rule.is_compatible(), "{rule:?}");
        }
    }
}
