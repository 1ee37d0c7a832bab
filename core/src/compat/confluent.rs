//! The names Confluent's registry gives the incompatibilities our rules find, so that a
//! registry answer can say `errorType:'TYPE_MISMATCH'` as Confluent's does: Avro's six
//! `SchemaIncompatibilityType`s, the JSON Schema `Difference.Type`s and the Protobuf
//! ones. A rule without a Confluent counterpart (a check Schemagate makes and Confluent
//! does not, or one that could not finish) has none, and is named by its own id.

use super::report::{Direction, Finding};

/// Avro's `SchemaCompatibility.SchemaIncompatibilityType` (Java), every one of which
/// the Avro engine emits under the same name.
const AVRO: &[&str] = &[
    "NAME_MISMATCH",
    "FIXED_SIZE_MISMATCH",
    "MISSING_ENUM_SYMBOLS",
    "READER_FIELD_MISSING_DEFAULT_VALUE",
    "TYPE_MISMATCH",
    "MISSING_UNION_BRANCH",
];

/// Confluent's JSON Schema `Difference.Type` (json-schema-provider), as of Confluent 8.
const JSON: &[&str] = &[
    "ID_CHANGED",
    "DESCRIPTION_CHANGED",
    "TITLE_CHANGED",
    "DEFAULT_CHANGED",
    "SCHEMA_ADDED",
    "SCHEMA_REMOVED",
    "TYPE_EXTENDED",
    "TYPE_NARROWED",
    "TYPE_CHANGED",
    "MAX_LENGTH_ADDED",
    "MAX_LENGTH_REMOVED",
    "MAX_LENGTH_INCREASED",
    "MAX_LENGTH_DECREASED",
    "MIN_LENGTH_ADDED",
    "MIN_LENGTH_REMOVED",
    "MIN_LENGTH_INCREASED",
    "MIN_LENGTH_DECREASED",
    "PATTERN_ADDED",
    "PATTERN_REMOVED",
    "PATTERN_CHANGED",
    "MAXIMUM_ADDED",
    "MAXIMUM_REMOVED",
    "MAXIMUM_INCREASED",
    "MAXIMUM_DECREASED",
    "MINIMUM_ADDED",
    "MINIMUM_REMOVED",
    "MINIMUM_INCREASED",
    "MINIMUM_DECREASED",
    "EXCLUSIVE_MAXIMUM_ADDED",
    "EXCLUSIVE_MAXIMUM_REMOVED",
    "EXCLUSIVE_MAXIMUM_INCREASED",
    "EXCLUSIVE_MAXIMUM_DECREASED",
    "EXCLUSIVE_MINIMUM_ADDED",
    "EXCLUSIVE_MINIMUM_REMOVED",
    "EXCLUSIVE_MINIMUM_INCREASED",
    "EXCLUSIVE_MINIMUM_DECREASED",
    "MULTIPLE_OF_ADDED",
    "MULTIPLE_OF_REMOVED",
    "MULTIPLE_OF_EXPANDED",
    "MULTIPLE_OF_REDUCED",
    "MULTIPLE_OF_CHANGED",
    "REQUIRED_ATTRIBUTE_ADDED",
    "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
    "REQUIRED_ATTRIBUTE_REMOVED",
    "MAX_PROPERTIES_ADDED",
    "MAX_PROPERTIES_REMOVED",
    "MAX_PROPERTIES_INCREASED",
    "MAX_PROPERTIES_DECREASED",
    "MIN_PROPERTIES_ADDED",
    "MIN_PROPERTIES_REMOVED",
    "MIN_PROPERTIES_INCREASED",
    "MIN_PROPERTIES_DECREASED",
    "ADDITIONAL_PROPERTIES_ADDED",
    "ADDITIONAL_PROPERTIES_REMOVED",
    "ADDITIONAL_PROPERTIES_EXTENDED",
    "ADDITIONAL_PROPERTIES_NARROWED",
    "DEPENDENCY_ARRAY_ADDED",
    "DEPENDENCY_ARRAY_REMOVED",
    "DEPENDENCY_ARRAY_EXTENDED",
    "DEPENDENCY_ARRAY_NARROWED",
    "DEPENDENCY_ARRAY_CHANGED",
    "DEPENDENCY_SCHEMA_ADDED",
    "DEPENDENCY_SCHEMA_REMOVED",
    "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
    "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
    "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
    "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
    "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "RESERVED_PROPERTY_REMOVED",
    "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY",
    "UNEVALUATED_PROPERTIES_ADDED",
    "UNEVALUATED_PROPERTIES_REMOVED",
    "UNEVALUATED_PROPERTIES_EXTENDED",
    "UNEVALUATED_PROPERTIES_NARROWED",
    "MAX_ITEMS_ADDED",
    "MAX_ITEMS_REMOVED",
    "MAX_ITEMS_INCREASED",
    "MAX_ITEMS_DECREASED",
    "MIN_ITEMS_ADDED",
    "MIN_ITEMS_REMOVED",
    "MIN_ITEMS_INCREASED",
    "MIN_ITEMS_DECREASED",
    "MAX_CONTAINS_ADDED",
    "MAX_CONTAINS_REMOVED",
    "MAX_CONTAINS_INCREASED",
    "MAX_CONTAINS_DECREASED",
    "MIN_CONTAINS_ADDED",
    "MIN_CONTAINS_REMOVED",
    "MIN_CONTAINS_INCREASED",
    "MIN_CONTAINS_DECREASED",
    "UNIQUE_ITEMS_ADDED",
    "UNIQUE_ITEMS_REMOVED",
    "ADDITIONAL_ITEMS_ADDED",
    "ADDITIONAL_ITEMS_REMOVED",
    "ADDITIONAL_ITEMS_EXTENDED",
    "ADDITIONAL_ITEMS_NARROWED",
    "UNEVALUATED_ITEMS_ADDED",
    "UNEVALUATED_ITEMS_REMOVED",
    "UNEVALUATED_ITEMS_EXTENDED",
    "UNEVALUATED_ITEMS_NARROWED",
    "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
    "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
    "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
    "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
    "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "ENUM_ARRAY_EXTENDED",
    "ENUM_ARRAY_NARROWED",
    "ENUM_ARRAY_CHANGED",
    "COMBINED_TYPE_EXTENDED",
    "COMBINED_TYPE_CHANGED",
    "PRODUCT_TYPE_EXTENDED",
    "PRODUCT_TYPE_NARROWED",
    "SUM_TYPE_EXTENDED",
    "SUM_TYPE_NARROWED",
    "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
    "NOT_TYPE_EXTENDED",
    "NOT_TYPE_NARROWED",
];

/// Confluent's Protobuf `Difference.Type` (protobuf-provider), every one of which the
/// Protobuf engine reports under the same name.
const PROTOBUF: &[&str] = &[
    "PACKAGE_CHANGED",
    "MESSAGE_ADDED",
    "MESSAGE_REMOVED",
    "MESSAGE_MOVED",
    "ENUM_ADDED",
    "ENUM_REMOVED",
    "ENUM_CONST_ADDED",
    "ENUM_CONST_CHANGED",
    "ENUM_CONST_REMOVED",
    "FIELD_ADDED",
    "FIELD_REMOVED",
    "FIELD_NAME_CHANGED",
    "FIELD_KIND_CHANGED",
    "FIELD_SCALAR_KIND_CHANGED",
    "FIELD_NAMED_TYPE_CHANGED",
    "FIELD_NUMERIC_LABEL_CHANGED",
    "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
    "REQUIRED_FIELD_ADDED",
    "REQUIRED_FIELD_REMOVED",
    "ONEOF_ADDED",
    "ONEOF_REMOVED",
    "ONEOF_FIELD_ADDED",
    "ONEOF_FIELD_REMOVED",
    "ONEOF_FIELD_MOVED_TO_TOP_LEVEL",
    "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
    "FIELD_MOVED_TO_EXISTING_ONEOF",
];

/// Confluent's name for the incompatibility `rule` (a rule id of any engine), or
/// `None` when Confluent has no such type.
pub fn error_type(rule: &str) -> Option<&'static str> {
    AVRO.iter()
        .chain(JSON)
        .chain(PROTOBUF)
        .copied()
        .find(|name| *name == rule)
}

/// Confluent's description of a Protobuf difference of type `rule` at `path`, with
/// the two schemas named by their role: `reader` and `writer` are "new" and "old"
/// (a backward check) or the reverse (a forward one), as Confluent's validator fills
/// them in. Empty for the types Confluent gives no words (the compatible ones).
fn protobuf_description(rule: &str, path: &str, reader: &str, writer: &str) -> String {
    // These sentences are Confluent's output, kept word for word (a doubled space
    // included) because clients and people compare registry answers.
    match rule {
        "PACKAGE_CHANGED" => format!(
            "The package at '{path}' in the {reader} schema does not match the package in the {writer} schema"
        ),
        "MESSAGE_REMOVED" => format!(
            "The {reader} schema is missing a MESSAGE type at path '{path}' in the {writer} schema"
        ),
        "FIELD_KIND_CHANGED" => format!(
            "The type of a field at path '{path}' in the {reader} schema does not match the {writer} schema"
        ),
        "FIELD_SCALAR_KIND_CHANGED" => format!(
            "The kind of a SCALAR field at path '{path}' in the {reader} schema does not match its kind in the {writer} schema"
        ),
        "FIELD_NAMED_TYPE_CHANGED" => format!(
            "The type of a MESSAGE field at path '{path}' in the {reader} schema does not match its type in the {writer} schema"
        ),
        "FIELD_NUMERIC_LABEL_CHANGED" => format!(
            "The label for a NUMERIC field at path '{path}' in the {reader} schema does not match its label in the {writer} schema"
        ),
        "REQUIRED_FIELD_ADDED" => format!(
            "A required field  at path '{path}' in the {reader} schema is missing in the {writer} schema"
        ),
        "REQUIRED_FIELD_REMOVED" => format!(
            "The {reader} schema is missing a required field at path: '{path}' in the {writer} schema"
        ),
        "ONEOF_FIELD_REMOVED" => format!(
            "The {reader} schema is missing a oneof field at path '{path}' in the {writer} schema"
        ),
        "ONEOF_FIELD_MOVED_TO_TOP_LEVEL" => format!(
            "The oneof field at path '{path}' in the {reader} schema was moved out of its oneof to a top-level field in the {writer} schema"
        ),
        "MULTIPLE_FIELDS_MOVED_TO_ONEOF" => format!(
            "Multiple fields in the oneof at path '{path}' in the {reader} schema are outside a oneof in the {writer} schema"
        ),
        "FIELD_MOVED_TO_EXISTING_ONEOF" => format!(
            "A field in the oneof at path '{path}' in the {reader} schema is outside an existing oneof in the {writer} schema"
        ),
        _ => String::new(),
    }
}

/// `finding` as one entry of Confluent's verbose compatibility messages,
/// `{errorType:'…', description:'…', additionalInfo:'…'}`: the error type is
/// Confluent's name when the rule has one, else the rule's own id; the description is
/// ours (what changed, where, and for which version, in `version`'s words); the
/// additional information is the fix. Quotes are left as they are, as Confluent does.
///
/// A finding of Confluent's Protobuf checker (one that carries Confluent's
/// `#/Msg/3` path) is rendered exactly as Confluent renders it,
/// `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at
/// path '#/Msg/3' in the new schema does not match its kind in the old schema"}`.
pub fn verbose_message(finding: &Finding, version: Option<&str>) -> String {
    if let (Some(path), Some(name)) = (&finding.confluent_path, error_type(&finding.rule))
        && PROTOBUF.contains(&name)
    {
        let (reader, writer) = match finding.direction {
            Some(Direction::Forward) => ("old", "new"),
            _ => ("new", "old"),
        };
        let description = protobuf_description(name, path, reader, writer);
        return format!("{{errorType:\"{name}\", description:\"{description}\"}}");
    }
    let error_type = error_type(&finding.rule).unwrap_or(&finding.rule);
    let mut description = finding.render(version);
    // `render` starts with the rule id, which `errorType` already gives.
    if let Some(rest) = description.strip_prefix(&format!("{} at ", finding.rule)) {
        description = format!("at {rest}");
    }
    if let Some(hint) = &finding.hint
        && let Some(cut) = description.rfind(&format!(" Fix: {hint}"))
    {
        description.truncate(cut);
    }
    format!(
        "{{errorType:'{error_type}', description:'{description}', additionalInfo:'{}'}}",
        finding.hint.as_deref().unwrap_or("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::catalog;

    #[test]
    fn avro_incompatibilities_are_breaking_rules_of_ours() {
        for name in AVRO {
            assert_eq!(error_type(name), Some(*name));
            let rule = catalog::rule(name).expect("the Avro engine emits every Java type");
            assert!(rule.hint.is_some(), "{name} breaks, so it has a fix");
        }
        assert_eq!(error_type("AMBIGUOUS_READER_FIELD"), None);
    }

    #[test]
    fn most_json_rules_carry_confluents_names() {
        // The JSON engine's catalogue follows Confluent's `Difference.Type`; a rule of
        // its own (conditionals, unresolved references) has no Confluent name.
        let json: Vec<_> = catalog::rules()
            .into_iter()
            .filter(|r| r.engine == catalog::Engine::Json)
            .collect();
        let named = json.iter().filter(|r| error_type(r.id).is_some()).count();
        assert!(named * 10 >= json.len() * 8, "{named} of {}", json.len());
        assert_eq!(error_type("CONDITIONAL_ADDED"), None);
    }

    #[test]
    fn protobuf_types_are_rules_of_ours_and_render_as_confluent_does() {
        for name in PROTOBUF {
            assert_eq!(error_type(name), Some(*name));
            let rule = catalog::rule(name).expect("the Protobuf engine has every type");
            assert_eq!(rule.engine, catalog::Engine::Protobuf);
            let described = !protobuf_description(name, "#/M/1", "new", "old").is_empty();
            assert!(
                described || rule.hint.is_none(),
                "{name} breaks but has no words"
            );
        }
        let mut finding = Finding::breaking(
            "FIELD_SCALAR_KIND_CHANGED",
            "/messageType/0/field/0",
            "field `a` = 3 changed type from int32 to string",
            Some("keep the type".into()),
        );
        finding.confluent_path = Some("#/Msg/3".into());
        finding.direction = Some(Direction::Backward);
        assert_eq!(
            verbose_message(&finding, Some("version 1")),
            "{errorType:\"FIELD_SCALAR_KIND_CHANGED\", description:\"The kind of a SCALAR field at path '#/Msg/3' in the new schema does not match its kind in the old schema\"}"
        );
        finding.direction = Some(Direction::Forward);
        assert!(
            verbose_message(&finding, None)
                .contains("in the old schema does not match its kind in the new schema")
        );
        // A policy finding has no Confluent counterpart: our own shape.
        let policy =
            Finding::breaking("FIELD_SAME_NAME", "/messageType/0/field/0", "renamed", None);
        assert!(verbose_message(&policy, None).starts_with("{errorType:'FIELD_SAME_NAME'"));
    }

    #[test]
    fn verbose_message_has_confluents_shape() {
        let finding = Finding::breaking(
            "TYPE_MISMATCH",
            "/fields/0/type",
            "type changed from int to string",
            Some("keep the old type".into()),
        );
        assert_eq!(
            verbose_message(&finding, Some("version 1")),
            "{errorType:'TYPE_MISMATCH', description:'at /fields/0/type: type changed from int to string (new schema reading data of version 1)', additionalInfo:'keep the old type'}"
        );
        let own = Finding::breaking("NESTING_TOO_DEEP", "", "too deep", None);
        assert!(verbose_message(&own, None).starts_with("{errorType:'NESTING_TOO_DEEP'"));
    }
}
