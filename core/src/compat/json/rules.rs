//! The change types of the JSON Schema walk: Confluent's `Difference.Type` names (plus
//! a few for keywords Confluent's checker does not look at), which of them each policy
//! accepts, and the words a person reads for each.

use crate::compat::level::Policy;
use crate::compat::report::Severity;

rule_enum! {
    /// One kind of difference between two JSON schemas.
    Kind {
        ID_CHANGED, DESCRIPTION_CHANGED, TITLE_CHANGED, DEFAULT_CHANGED,
        SCHEMA_ADDED, SCHEMA_REMOVED, TYPE_EXTENDED, TYPE_NARROWED, TYPE_CHANGED,

        MAX_LENGTH_ADDED, MAX_LENGTH_REMOVED, MAX_LENGTH_INCREASED, MAX_LENGTH_DECREASED,
        MIN_LENGTH_ADDED, MIN_LENGTH_REMOVED, MIN_LENGTH_INCREASED, MIN_LENGTH_DECREASED,
        PATTERN_ADDED, PATTERN_REMOVED, PATTERN_CHANGED,

        MAXIMUM_ADDED, MAXIMUM_REMOVED, MAXIMUM_INCREASED, MAXIMUM_DECREASED,
        MINIMUM_ADDED, MINIMUM_REMOVED, MINIMUM_INCREASED, MINIMUM_DECREASED,
        EXCLUSIVE_MAXIMUM_ADDED, EXCLUSIVE_MAXIMUM_REMOVED, EXCLUSIVE_MAXIMUM_INCREASED,
        EXCLUSIVE_MAXIMUM_DECREASED, EXCLUSIVE_MINIMUM_ADDED, EXCLUSIVE_MINIMUM_REMOVED,
        EXCLUSIVE_MINIMUM_INCREASED, EXCLUSIVE_MINIMUM_DECREASED,
        MULTIPLE_OF_ADDED, MULTIPLE_OF_REMOVED, MULTIPLE_OF_EXPANDED, MULTIPLE_OF_REDUCED,
        MULTIPLE_OF_CHANGED,

        REQUIRED_ATTRIBUTE_ADDED, REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, REQUIRED_ATTRIBUTE_REMOVED,
        MAX_PROPERTIES_ADDED, MAX_PROPERTIES_REMOVED, MAX_PROPERTIES_INCREASED,
        MAX_PROPERTIES_DECREASED, MIN_PROPERTIES_ADDED, MIN_PROPERTIES_REMOVED,
        MIN_PROPERTIES_INCREASED, MIN_PROPERTIES_DECREASED,
        ADDITIONAL_PROPERTIES_ADDED, ADDITIONAL_PROPERTIES_REMOVED,
        ADDITIONAL_PROPERTIES_EXTENDED, ADDITIONAL_PROPERTIES_NARROWED,
        UNEVALUATED_PROPERTIES_ADDED, UNEVALUATED_PROPERTIES_REMOVED,
        UNEVALUATED_PROPERTIES_EXTENDED, UNEVALUATED_PROPERTIES_NARROWED,
        DEPENDENCY_ARRAY_ADDED, DEPENDENCY_ARRAY_REMOVED, DEPENDENCY_ARRAY_EXTENDED,
        DEPENDENCY_ARRAY_NARROWED, DEPENDENCY_ARRAY_CHANGED,
        DEPENDENCY_SCHEMA_ADDED, DEPENDENCY_SCHEMA_REMOVED,
        PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
        OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
        REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
        REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL,
        REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
        REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL,
        OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
        PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
        PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
        PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
        PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        PATTERN_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
        PATTERN_PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL,
        PATTERN_PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
        PATTERN_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
        PATTERN_PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        PATTERN_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        PATTERN_PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        PATTERN_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,

        MAX_ITEMS_ADDED, MAX_ITEMS_REMOVED, MAX_ITEMS_INCREASED, MAX_ITEMS_DECREASED,
        MIN_ITEMS_ADDED, MIN_ITEMS_REMOVED, MIN_ITEMS_INCREASED, MIN_ITEMS_DECREASED,
        MAX_CONTAINS_ADDED, MAX_CONTAINS_REMOVED, MAX_CONTAINS_INCREASED, MAX_CONTAINS_DECREASED,
        MIN_CONTAINS_ADDED, MIN_CONTAINS_REMOVED, MIN_CONTAINS_INCREASED, MIN_CONTAINS_DECREASED,
        UNIQUE_ITEMS_ADDED, UNIQUE_ITEMS_REMOVED,
        ADDITIONAL_ITEMS_ADDED, ADDITIONAL_ITEMS_REMOVED,
        ADDITIONAL_ITEMS_EXTENDED, ADDITIONAL_ITEMS_NARROWED,
        UNEVALUATED_ITEMS_ADDED, UNEVALUATED_ITEMS_REMOVED,
        UNEVALUATED_ITEMS_EXTENDED, UNEVALUATED_ITEMS_NARROWED,
        ITEM_ADDED_TO_OPEN_CONTENT_MODEL, ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
        ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
        ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL,
        ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,

        ENUM_ARRAY_EXTENDED, ENUM_ARRAY_NARROWED, ENUM_ARRAY_CHANGED,

        COMBINED_TYPE_EXTENDED, COMBINED_TYPE_CHANGED,
        PRODUCT_TYPE_EXTENDED, PRODUCT_TYPE_NARROWED, SUM_TYPE_EXTENDED,
        SUM_TYPE_NARROWED, COMBINED_TYPE_SUBSCHEMAS_CHANGED,
        NOT_TYPE_EXTENDED, NOT_TYPE_NARROWED,

        CONDITIONAL_ADDED, CONDITIONAL_REMOVED, CONDITIONAL_CHANGED,

        REFERENCE_UNRESOLVED, COMPARISON_TOO_COMPLEX,
    }
}

impl Kind {
    /// Whether `policy` accepts this change (Confluent's STRICT and LENIENT sets, with
    /// Schemagate's extra keywords sorted the same way as their Confluent siblings).
    pub(crate) fn is_compatible(self, policy: Policy) -> bool {
        use Kind::*;
        let strict = matches!(
            self,
            ID_CHANGED
                | DESCRIPTION_CHANGED
                | TITLE_CHANGED
                | DEFAULT_CHANGED
                | SCHEMA_REMOVED
                | TYPE_EXTENDED
                | MAX_LENGTH_INCREASED
                | MAX_LENGTH_REMOVED
                | MIN_LENGTH_DECREASED
                | MIN_LENGTH_REMOVED
                | PATTERN_REMOVED
                | MAXIMUM_INCREASED
                | MAXIMUM_REMOVED
                | MINIMUM_DECREASED
                | MINIMUM_REMOVED
                | EXCLUSIVE_MAXIMUM_INCREASED
                | EXCLUSIVE_MAXIMUM_REMOVED
                | EXCLUSIVE_MINIMUM_DECREASED
                | EXCLUSIVE_MINIMUM_REMOVED
                | MULTIPLE_OF_REDUCED
                | MULTIPLE_OF_REMOVED
                | REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                | REQUIRED_ATTRIBUTE_REMOVED
                | DEPENDENCY_ARRAY_NARROWED
                | DEPENDENCY_ARRAY_REMOVED
                | DEPENDENCY_SCHEMA_REMOVED
                | MAX_PROPERTIES_INCREASED
                | MAX_PROPERTIES_REMOVED
                | MIN_PROPERTIES_DECREASED
                | MIN_PROPERTIES_REMOVED
                | ADDITIONAL_PROPERTIES_ADDED
                | ADDITIONAL_PROPERTIES_EXTENDED
                | UNEVALUATED_PROPERTIES_ADDED
                | UNEVALUATED_PROPERTIES_EXTENDED
                | PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                | REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL
                | OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
                | PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
                | PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL
                | PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                | PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                | PATTERN_PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL
                | PATTERN_PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL
                | PATTERN_PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                | PATTERN_PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                | MAX_ITEMS_INCREASED
                | MAX_ITEMS_REMOVED
                | MIN_ITEMS_DECREASED
                | MIN_ITEMS_REMOVED
                | MAX_CONTAINS_INCREASED
                | MAX_CONTAINS_REMOVED
                | MIN_CONTAINS_DECREASED
                | MIN_CONTAINS_REMOVED
                | UNIQUE_ITEMS_REMOVED
                | ADDITIONAL_ITEMS_ADDED
                | ADDITIONAL_ITEMS_EXTENDED
                | UNEVALUATED_ITEMS_ADDED
                | UNEVALUATED_ITEMS_EXTENDED
                | ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                | ITEM_ADDED_TO_CLOSED_CONTENT_MODEL
                | ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
                | ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL
                | ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                | ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                | ENUM_ARRAY_EXTENDED
                | COMBINED_TYPE_EXTENDED
                | PRODUCT_TYPE_NARROWED
                | SUM_TYPE_EXTENDED
                | NOT_TYPE_NARROWED
                | CONDITIONAL_REMOVED
        );
        strict
            || (policy == Policy::Lenient
                && matches!(
                    self,
                    ADDITIONAL_PROPERTIES_NARROWED
                        | ADDITIONAL_PROPERTIES_REMOVED
                        | UNEVALUATED_PROPERTIES_NARROWED
                        | UNEVALUATED_PROPERTIES_REMOVED
                        | OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
                        | REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
                        | PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL
                        | PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        | PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        | PATTERN_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
                        | PATTERN_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL
                        | PATTERN_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        | PATTERN_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                ))
    }

    /// Breaking when the policy refuses it; otherwise cosmetic for annotations that no
    /// reader sees, additive for everything that changes what data may look like.
    pub(crate) fn severity(self, policy: Policy) -> Severity {
        use Kind::*;
        if !self.is_compatible(policy) {
            Severity::Breaking
        } else if matches!(
            self,
            ID_CHANGED | DESCRIPTION_CHANGED | TITLE_CHANGED | DEFAULT_CHANGED
        ) {
            Severity::Cosmetic
        } else {
            Severity::Additive
        }
    }

    /// What happened, as a sentence fragment; `detail` (old -> new values) is appended
    /// by the caller when known.
    pub(crate) fn message(self) -> &'static str {
        use Kind::*;
        match self {
            ID_CHANGED => "$id changed",
            DESCRIPTION_CHANGED => "description changed",
            TITLE_CHANGED => "title changed",
            DEFAULT_CHANGED => "default changed",
            SCHEMA_ADDED => "a constraint schema was added where there was none",
            SCHEMA_REMOVED => "a constraint schema was removed",
            TYPE_EXTENDED => "type widened (integer -> number)",
            TYPE_NARROWED => "type narrowed (number -> integer)",
            TYPE_CHANGED => "type changed",
            MAX_LENGTH_ADDED
            | MIN_LENGTH_ADDED
            | MAXIMUM_ADDED
            | MINIMUM_ADDED
            | EXCLUSIVE_MAXIMUM_ADDED
            | EXCLUSIVE_MINIMUM_ADDED
            | MAX_PROPERTIES_ADDED
            | MIN_PROPERTIES_ADDED
            | MAX_ITEMS_ADDED
            | MIN_ITEMS_ADDED
            | MAX_CONTAINS_ADDED
            | MIN_CONTAINS_ADDED => "a bound was added",
            MAX_LENGTH_REMOVED
            | MIN_LENGTH_REMOVED
            | MAXIMUM_REMOVED
            | MINIMUM_REMOVED
            | EXCLUSIVE_MAXIMUM_REMOVED
            | EXCLUSIVE_MINIMUM_REMOVED
            | MAX_PROPERTIES_REMOVED
            | MIN_PROPERTIES_REMOVED
            | MAX_ITEMS_REMOVED
            | MIN_ITEMS_REMOVED
            | MAX_CONTAINS_REMOVED
            | MIN_CONTAINS_REMOVED => "a bound was removed",
            MAX_LENGTH_INCREASED
            | MIN_LENGTH_INCREASED
            | MAXIMUM_INCREASED
            | MINIMUM_INCREASED
            | EXCLUSIVE_MAXIMUM_INCREASED
            | EXCLUSIVE_MINIMUM_INCREASED
            | MAX_PROPERTIES_INCREASED
            | MIN_PROPERTIES_INCREASED
            | MAX_ITEMS_INCREASED
            | MIN_ITEMS_INCREASED
            | MAX_CONTAINS_INCREASED
            | MIN_CONTAINS_INCREASED => "a bound was increased",
            MAX_LENGTH_DECREASED
            | MIN_LENGTH_DECREASED
            | MAXIMUM_DECREASED
            | MINIMUM_DECREASED
            | EXCLUSIVE_MAXIMUM_DECREASED
            | EXCLUSIVE_MINIMUM_DECREASED
            | MAX_PROPERTIES_DECREASED
            | MIN_PROPERTIES_DECREASED
            | MAX_ITEMS_DECREASED
            | MIN_ITEMS_DECREASED
            | MAX_CONTAINS_DECREASED
            | MIN_CONTAINS_DECREASED => "a bound was decreased",
            PATTERN_ADDED => "a pattern was added",
            PATTERN_REMOVED => "the pattern was removed",
            PATTERN_CHANGED => "the pattern changed",
            MULTIPLE_OF_ADDED => "multipleOf was added",
            MULTIPLE_OF_REMOVED => "multipleOf was removed",
            MULTIPLE_OF_EXPANDED => "multipleOf became a multiple of the old value",
            MULTIPLE_OF_REDUCED => "multipleOf became a divisor of the old value",
            MULTIPLE_OF_CHANGED => "multipleOf changed to a value that is not a divisor",
            REQUIRED_ATTRIBUTE_ADDED => "an existing property became required",
            REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED => {
                "an existing property with a default became required"
            }
            REQUIRED_ATTRIBUTE_REMOVED => "a property is no longer required",
            ADDITIONAL_PROPERTIES_ADDED => "additional properties are now allowed",
            ADDITIONAL_PROPERTIES_REMOVED => "additional properties are no longer allowed",
            ADDITIONAL_PROPERTIES_EXTENDED => {
                "the additionalProperties schema was removed: any additional property is allowed"
            }
            ADDITIONAL_PROPERTIES_NARROWED => {
                "additionalProperties now constrains properties that were free before"
            }
            UNEVALUATED_PROPERTIES_ADDED => "unevaluated properties are now allowed",
            UNEVALUATED_PROPERTIES_REMOVED => "unevaluated properties are no longer allowed",
            UNEVALUATED_PROPERTIES_EXTENDED => "the unevaluatedProperties schema was removed",
            UNEVALUATED_PROPERTIES_NARROWED => {
                "unevaluatedProperties now constrains properties that were free before"
            }
            DEPENDENCY_ARRAY_ADDED => "a property dependency was added",
            DEPENDENCY_ARRAY_REMOVED => "a property dependency was removed",
            DEPENDENCY_ARRAY_EXTENDED => "a property dependency now requires more properties",
            DEPENDENCY_ARRAY_NARROWED => "a property dependency now requires fewer properties",
            DEPENDENCY_ARRAY_CHANGED => "a property dependency requires other properties",
            DEPENDENCY_SCHEMA_ADDED => "a schema dependency was added",
            DEPENDENCY_SCHEMA_REMOVED => "a schema dependency was removed",
            PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a property that accepts anything was added to an open content model"
            }
            OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL => {
                "an optional property was added to an open content model: data written before may already carry this name with another shape"
            }
            REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a required property was added to an open content model"
            }
            REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a required property with a default was added to an open content model"
            }
            REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL => {
                "a required property was added: data written before lacks it"
            }
            REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL => {
                "a required property with a default was added to a closed content model"
            }
            OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL => {
                "an optional property was added to a closed content model"
            }
            PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL => {
                "a property was removed; the open content model still accepts it"
            }
            PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "a forbidden (false) property was removed from a closed content model"
            }
            PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "a property was removed from a closed content model: data that carries it is now rejected"
            }
            PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a property was removed; the partially open content model still accepts its values"
            }
            PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a property was removed and the partially open content model does not accept its old values"
            }
            PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a property was added; its schema accepts what the partially open content model accepted"
            }
            PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a property was added whose schema rejects values the partially open content model accepted"
            }
            PATTERN_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was added to an open content model"
            }
            PATTERN_PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL => {
                "a patternProperties entry was added to a closed content model"
            }
            PATTERN_PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was removed; the open content model accepts its names"
            }
            PATTERN_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "a patternProperties entry was removed from a closed content model"
            }
            PATTERN_PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was added that accepts what additionalProperties accepted"
            }
            PATTERN_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was added that rejects values additionalProperties accepted"
            }
            PATTERN_PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was removed; additionalProperties accepts its values"
            }
            PATTERN_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was removed and additionalProperties rejects its old values"
            }
            UNIQUE_ITEMS_ADDED => "uniqueItems was added",
            UNIQUE_ITEMS_REMOVED => "uniqueItems was removed",
            ADDITIONAL_ITEMS_ADDED => "additional items are now allowed",
            ADDITIONAL_ITEMS_REMOVED => "additional items are no longer allowed",
            ADDITIONAL_ITEMS_EXTENDED => "the additional-items schema was removed",
            ADDITIONAL_ITEMS_NARROWED => "additional items are now constrained by a schema",
            UNEVALUATED_ITEMS_ADDED => "unevaluated items are now allowed",
            UNEVALUATED_ITEMS_REMOVED => "unevaluated items are no longer allowed",
            UNEVALUATED_ITEMS_EXTENDED => "the unevaluatedItems schema was removed",
            UNEVALUATED_ITEMS_NARROWED => "unevaluated items are now constrained by a schema",
            ITEM_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a tuple item was added to an array that allowed any additional item"
            }
            ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a tuple item that accepts anything was added"
            }
            ITEM_ADDED_TO_CLOSED_CONTENT_MODEL => {
                "a tuple item was added to an array that allowed no additional item"
            }
            ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL => {
                "a tuple item was removed; additional items are still allowed"
            }
            ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "a forbidden (false) tuple item was removed"
            }
            ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "a tuple item was removed from an array that allows no additional item"
            }
            ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a tuple item was removed; the additional-items schema accepts its values"
            }
            ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a tuple item was removed and the additional-items schema rejects its old values"
            }
            ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a tuple item was added that accepts what the additional-items schema accepted"
            }
            ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a tuple item was added that rejects values the additional-items schema accepted"
            }
            ENUM_ARRAY_EXTENDED => "enum values were added",
            ENUM_ARRAY_NARROWED => "enum values were removed",
            ENUM_ARRAY_CHANGED => "enum/const values changed",
            COMBINED_TYPE_EXTENDED => "the combinator was relaxed",
            COMBINED_TYPE_CHANGED => "the combinator changed (oneOf/anyOf/allOf)",
            PRODUCT_TYPE_EXTENDED => {
                "allOf gained subschemas: values must now meet more constraints"
            }
            PRODUCT_TYPE_NARROWED => "allOf lost subschemas: fewer constraints apply",
            SUM_TYPE_EXTENDED => "alternatives were added (oneOf/anyOf or a type list)",
            SUM_TYPE_NARROWED => "alternatives were removed (oneOf/anyOf or a type list)",
            COMBINED_TYPE_SUBSCHEMAS_CHANGED => {
                "the subschemas of a combinator changed: some old alternative has no compatible counterpart"
            }
            NOT_TYPE_EXTENDED => "`not` now excludes values it allowed before",
            NOT_TYPE_NARROWED => "`not` excludes fewer values",
            CONDITIONAL_ADDED => "an if/then/else condition was added",
            CONDITIONAL_REMOVED => "the if/then/else condition was removed",
            CONDITIONAL_CHANGED => "the if/then/else condition changed",
            REFERENCE_UNRESOLVED => "a $ref could not be followed",
            COMPARISON_TOO_COMPLEX => {
                "the schemas are too large or too deeply combined to compare within the work limit"
            }
        }
    }

    /// The smallest change that would make a breaking difference compatible.
    pub(crate) fn hint(self) -> Option<&'static str> {
        use Kind::*;
        let hint = match self {
            TYPE_CHANGED | TYPE_NARROWED => {
                "keep the old type, or widen to a type list / anyOf that includes it"
            }
            SCHEMA_ADDED => "leave the new constraint out, or add it under a new optional property",
            MAX_LENGTH_ADDED
            | MAX_LENGTH_DECREASED
            | MAXIMUM_ADDED
            | MAXIMUM_DECREASED
            | EXCLUSIVE_MAXIMUM_ADDED
            | EXCLUSIVE_MAXIMUM_DECREASED
            | MAX_PROPERTIES_ADDED
            | MAX_PROPERTIES_DECREASED
            | MAX_ITEMS_ADDED
            | MAX_ITEMS_DECREASED
            | MAX_CONTAINS_ADDED
            | MAX_CONTAINS_DECREASED => "keep the old upper bound (or a larger one)",
            MIN_LENGTH_ADDED
            | MIN_LENGTH_INCREASED
            | MINIMUM_ADDED
            | MINIMUM_INCREASED
            | EXCLUSIVE_MINIMUM_ADDED
            | EXCLUSIVE_MINIMUM_INCREASED
            | MIN_PROPERTIES_ADDED
            | MIN_PROPERTIES_INCREASED
            | MIN_ITEMS_ADDED
            | MIN_ITEMS_INCREASED
            | MIN_CONTAINS_ADDED
            | MIN_CONTAINS_INCREASED => "keep the old lower bound (or a smaller one)",
            PATTERN_ADDED | PATTERN_CHANGED => {
                "keep the old pattern; a new format belongs in a new optional property"
            }
            MULTIPLE_OF_ADDED | MULTIPLE_OF_EXPANDED | MULTIPLE_OF_CHANGED => {
                "use a divisor of the old multipleOf, or drop it"
            }
            REQUIRED_ATTRIBUTE_ADDED | REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL => {
                "keep the property optional, or give it a default"
            }
            REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL => {
                "an open content model cannot gain a property under STRICT: close it first (\"additionalProperties\": false, a FORWARD-compatible step) and add the property as optional; under LENIENT, a default makes a required property acceptable"
            }
            ADDITIONAL_PROPERTIES_REMOVED
            | ADDITIONAL_PROPERTIES_NARROWED
            | UNEVALUATED_PROPERTIES_REMOVED
            | UNEVALUATED_PROPERTIES_NARROWED => {
                "keep the content model open, or declare every property old data may carry"
            }
            DEPENDENCY_ARRAY_ADDED
            | DEPENDENCY_ARRAY_EXTENDED
            | DEPENDENCY_ARRAY_CHANGED
            | DEPENDENCY_SCHEMA_ADDED => "keep the old dependencies; add no new ones",
            OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            | REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
            | PATTERN_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL => {
                "close the content model first (\"additionalProperties\": false, a FORWARD-compatible step), then add optional properties; or give the property an empty schema; or check under the LENIENT policy"
            }
            PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL
            | PATTERN_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "keep the property (it may be deprecated in its description), or open the content model"
            }
            PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            | PATTERN_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            | ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "keep it, or widen the additional schema so that it accepts the old values"
            }
            PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            | PATTERN_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            | ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "give it a schema that accepts everything the additional schema accepted"
            }
            UNIQUE_ITEMS_ADDED => "leave uniqueItems out",
            ADDITIONAL_ITEMS_REMOVED
            | ADDITIONAL_ITEMS_NARROWED
            | UNEVALUATED_ITEMS_REMOVED
            | UNEVALUATED_ITEMS_NARROWED => "keep additional items allowed",
            ITEM_ADDED_TO_OPEN_CONTENT_MODEL => "give the new tuple item an empty schema",
            ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL => "keep the tuple item",
            ENUM_ARRAY_NARROWED | ENUM_ARRAY_CHANGED => {
                "keep every old value and add new ones: extend the enum instead of renaming"
            }
            COMBINED_TYPE_CHANGED => "keep the old combinator (anyOf accepts the most)",
            PRODUCT_TYPE_EXTENDED => "add no new allOf subschema",
            SUM_TYPE_NARROWED => "keep every old alternative",
            COMBINED_TYPE_SUBSCHEMAS_CHANGED => {
                "keep each old alternative, possibly widened, and add new ones beside it"
            }
            NOT_TYPE_EXTENDED => "exclude no more than before",
            CONDITIONAL_ADDED | CONDITIONAL_CHANGED => {
                "keep the old condition; Schemagate does not prove one condition weaker than another, so any change to it is treated as breaking"
            }
            REFERENCE_UNRESOLVED => "register the referenced schema and pass it in references",
            COMPARISON_TOO_COMPLEX => {
                "split the schema with $ref into smaller named parts, or reduce nested oneOf/anyOf"
            }
            _ => return None,
        };
        Some(hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Messages are tested for every engine's rules at once, in the catalogue's tests.
    #[test]
    fn every_refusable_change_has_a_hint() {
        let refusable = Kind::ALL
            .iter()
            .filter(|k| !k.is_compatible(Policy::Strict));
        for kind in refusable {
            assert!(kind.hint().is_some(), "{kind:?} can break but has no hint");
        }
    }

    #[test]
    fn lenient_is_a_superset_of_strict() {
        for kind in Kind::ALL {
            if kind.is_compatible(Policy::Strict) {
                assert!(kind.is_compatible(Policy::Lenient), "{kind:?}");
            }
        }
        assert!(Kind::OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL.is_compatible(Policy::Lenient));
        assert!(!Kind::OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL.is_compatible(Policy::Strict));
        assert!(!Kind::TYPE_CHANGED.is_compatible(Policy::Lenient));
    }

    #[test]
    fn annotations_are_cosmetic_and_extensions_additive() {
        assert_eq!(
            Kind::TITLE_CHANGED.severity(Policy::Strict),
            Severity::Cosmetic
        );
        assert_eq!(
            Kind::ENUM_ARRAY_EXTENDED.severity(Policy::Strict),
            Severity::Additive
        );
        assert_eq!(
            Kind::ENUM_ARRAY_NARROWED.severity(Policy::Strict),
            Severity::Breaking
        );
    }
}
