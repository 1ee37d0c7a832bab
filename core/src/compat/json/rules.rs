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
        // `propertyNames`, which Confluent's checker does not compare at all (its
        // `ObjectSchemaDiff` never reads it). Schemagate refuses a change only on
        // proof: a name the old schema allowed that the new `propertyNames` rejects
        // (NARROWED, breaking under both policies). Any other change is accepted, as
        // Confluent accepts it (CHANGED): a pattern every name matches (`a*`) narrows
        // nothing, and a `propertyNames` Schemagate cannot evaluate on a name is not
        // refused on suspicion. See `object.rs`, `property_names`.
        PROPERTY_NAMES_NARROWED, PROPERTY_NAMES_CHANGED,

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
                | PROPERTY_NAMES_CHANGED
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
            PROPERTY_NAMES_NARROWED => {
                "propertyNames rejects a property name the old version allowed: data that uses it is rejected"
            }
            PROPERTY_NAMES_CHANGED => {
                "propertyNames changed; no property name was found that the old version allowed and the new one rejects (Confluent does not check propertyNames)"
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

    /// The kind that names the same pair of schemas walked the other way round.
    ///
    /// A forward check walks the new schema as the original and the old one as the
    /// update, so the kind it reports names the edit new -> old; the user made the
    /// inverse edit, old -> new. The inverse is chosen by what each side holds, not by
    /// whether the change breaks: `_ADDED` <-> `_REMOVED`, `_INCREASED` <->
    /// `_DECREASED`, `_EXTENDED` <-> `_NARROWED`, `MULTIPLE_OF_EXPANDED` <->
    /// `_REDUCED`; a property or item the original lacks and the update has ("added
    /// to a model whose original is open/unopen") inverts to the one removed from a
    /// model whose update is open/closed, and the partially open ones swap ADDED and
    /// REMOVED keeping IS/NOT_COVERED. Where the walk's kind carries facts the inverse
    /// cannot (a required property "with a default", a property "with an empty
    /// schema"), the nearest kind without them is chosen; where the change is the same
    /// both ways (`_CHANGED`, annotations, refusals), the kind is its own inverse.
    pub(crate) fn inverse(self) -> Kind {
        use Kind::*;
        macro_rules! swap {
            ($k:expr; $($a:ident <-> $b:ident),* $(,)?) => {
                match $k {
                    $($a => return $b, $b => return $a,)*
                    _ => {}
                }
            };
        }
        swap!(self;
            SCHEMA_ADDED <-> SCHEMA_REMOVED, TYPE_EXTENDED <-> TYPE_NARROWED,
            MAX_LENGTH_ADDED <-> MAX_LENGTH_REMOVED, MAX_LENGTH_INCREASED <-> MAX_LENGTH_DECREASED,
            MIN_LENGTH_ADDED <-> MIN_LENGTH_REMOVED, MIN_LENGTH_INCREASED <-> MIN_LENGTH_DECREASED,
            PATTERN_ADDED <-> PATTERN_REMOVED,
            MAXIMUM_ADDED <-> MAXIMUM_REMOVED, MAXIMUM_INCREASED <-> MAXIMUM_DECREASED,
            MINIMUM_ADDED <-> MINIMUM_REMOVED, MINIMUM_INCREASED <-> MINIMUM_DECREASED,
            EXCLUSIVE_MAXIMUM_ADDED <-> EXCLUSIVE_MAXIMUM_REMOVED,
            EXCLUSIVE_MAXIMUM_INCREASED <-> EXCLUSIVE_MAXIMUM_DECREASED,
            EXCLUSIVE_MINIMUM_ADDED <-> EXCLUSIVE_MINIMUM_REMOVED,
            EXCLUSIVE_MINIMUM_INCREASED <-> EXCLUSIVE_MINIMUM_DECREASED,
            MULTIPLE_OF_ADDED <-> MULTIPLE_OF_REMOVED, MULTIPLE_OF_EXPANDED <-> MULTIPLE_OF_REDUCED,
            REQUIRED_ATTRIBUTE_ADDED <-> REQUIRED_ATTRIBUTE_REMOVED,
            MAX_PROPERTIES_ADDED <-> MAX_PROPERTIES_REMOVED,
            MAX_PROPERTIES_INCREASED <-> MAX_PROPERTIES_DECREASED,
            MIN_PROPERTIES_ADDED <-> MIN_PROPERTIES_REMOVED,
            MIN_PROPERTIES_INCREASED <-> MIN_PROPERTIES_DECREASED,
            ADDITIONAL_PROPERTIES_ADDED <-> ADDITIONAL_PROPERTIES_REMOVED,
            ADDITIONAL_PROPERTIES_EXTENDED <-> ADDITIONAL_PROPERTIES_NARROWED,
            UNEVALUATED_PROPERTIES_ADDED <-> UNEVALUATED_PROPERTIES_REMOVED,
            UNEVALUATED_PROPERTIES_EXTENDED <-> UNEVALUATED_PROPERTIES_NARROWED,
            DEPENDENCY_ARRAY_ADDED <-> DEPENDENCY_ARRAY_REMOVED,
            DEPENDENCY_ARRAY_EXTENDED <-> DEPENDENCY_ARRAY_NARROWED,
            DEPENDENCY_SCHEMA_ADDED <-> DEPENDENCY_SCHEMA_REMOVED,
            OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL <-> PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
            OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL <-> PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
            PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                <-> PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                <-> PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            PATTERN_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL <-> PATTERN_PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
            PATTERN_PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL <-> PATTERN_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
            PATTERN_PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                <-> PATTERN_PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            PATTERN_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                <-> PATTERN_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            MAX_ITEMS_ADDED <-> MAX_ITEMS_REMOVED, MAX_ITEMS_INCREASED <-> MAX_ITEMS_DECREASED,
            MIN_ITEMS_ADDED <-> MIN_ITEMS_REMOVED, MIN_ITEMS_INCREASED <-> MIN_ITEMS_DECREASED,
            MAX_CONTAINS_ADDED <-> MAX_CONTAINS_REMOVED,
            MAX_CONTAINS_INCREASED <-> MAX_CONTAINS_DECREASED,
            MIN_CONTAINS_ADDED <-> MIN_CONTAINS_REMOVED,
            MIN_CONTAINS_INCREASED <-> MIN_CONTAINS_DECREASED,
            UNIQUE_ITEMS_ADDED <-> UNIQUE_ITEMS_REMOVED,
            ADDITIONAL_ITEMS_ADDED <-> ADDITIONAL_ITEMS_REMOVED,
            ADDITIONAL_ITEMS_EXTENDED <-> ADDITIONAL_ITEMS_NARROWED,
            UNEVALUATED_ITEMS_ADDED <-> UNEVALUATED_ITEMS_REMOVED,
            UNEVALUATED_ITEMS_EXTENDED <-> UNEVALUATED_ITEMS_NARROWED,
            ITEM_ADDED_TO_OPEN_CONTENT_MODEL <-> ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
            ITEM_ADDED_TO_CLOSED_CONTENT_MODEL <-> ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL,
            ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                <-> ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                <-> ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
            ENUM_ARRAY_EXTENDED <-> ENUM_ARRAY_NARROWED,
            PRODUCT_TYPE_EXTENDED <-> PRODUCT_TYPE_NARROWED,
            SUM_TYPE_EXTENDED <-> SUM_TYPE_NARROWED,
            NOT_TYPE_EXTENDED <-> NOT_TYPE_NARROWED,
            CONDITIONAL_ADDED <-> CONDITIONAL_REMOVED,
        );
        match self {
            // Facts only the walk's side carries are dropped (see above).
            REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED => REQUIRED_ATTRIBUTE_REMOVED,
            PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
            | REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            | REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL => {
                PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL
            }
            REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
            | REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL => {
                PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL
            }
            PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
            }
            ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL => {
                ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL
            }
            ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL => ITEM_ADDED_TO_CLOSED_CONTENT_MODEL,
            // An extension of the combinator one way is a change of it the other.
            COMBINED_TYPE_EXTENDED => COMBINED_TYPE_CHANGED,
            other => other,
        }
    }

    /// The user's edit, old -> new, when a forward check (the old schema reading data
    /// of the new one) reports this kind; `keyword` is the keyword the difference sits
    /// at (the last token of its path), which names the bound that moved.
    ///
    /// Mostly the inverse kind's own words (see [`Kind::inverse`]). Bounds name their
    /// keyword. The content-model kinds are worded here because their backward words
    /// speak of "data written before", which a forward check turns round, and because
    /// the inverse loses which side's model is open.
    pub(crate) fn forward_edit(self, keyword: &str) -> String {
        use Kind::*;
        let moved = match self.inverse().as_str().rsplit('_').next() {
            _ if !self.is_bound() => None,
            Some("ADDED") => Some("added"),
            Some("REMOVED") => Some("removed"),
            Some("INCREASED") => Some("raised"),
            Some("DECREASED") => Some("lowered"),
            _ => None,
        };
        if let Some(moved) = moved {
            return format!("{keyword} {moved}");
        }
        let words = match self {
            // Properties in the old version (the update) but not the new one: removed.
            PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a property that accepted anything was removed; the new content model is open"
            }
            OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL => {
                "an optional property was removed from an open content model"
            }
            REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a required property was removed from an open content model"
            }
            REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a required property with a default was removed from an open content model"
            }
            REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL => "a required property was removed",
            REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL => {
                "a required property with a default was removed"
            }
            OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL => "an optional property was removed",
            PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a property was removed; the old version's schema for it accepts what the new additionalProperties allows"
            }
            PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a property was removed; the new additionalProperties allows values under its name that the old version's schema for it rejects"
            }
            // Properties in the new version but not the old one: added.
            PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL => {
                "a property was added; the old content model is open"
            }
            PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "a forbidden (false) property was added to a closed content model"
            }
            PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "a property was added to a closed content model"
            }
            PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a property was added whose values the old version's additionalProperties accepts"
            }
            PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a property was added whose values the old version's additionalProperties rejects"
            }
            PATTERN_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was removed from an open content model"
            }
            PATTERN_PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL => {
                "a patternProperties entry was removed from a closed content model"
            }
            PATTERN_PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was removed; its old schema accepts what the new additionalProperties allows"
            }
            PATTERN_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was removed; the new additionalProperties allows values its old schema rejects"
            }
            PATTERN_PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was added; the old content model is open"
            }
            PATTERN_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "a patternProperties entry was added to a closed content model"
            }
            PATTERN_PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was added whose values the old version's additionalProperties accepts"
            }
            PATTERN_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a patternProperties entry was added whose values the old version's additionalProperties rejects"
            }
            // The old version's propertyNames (the update) rejects a name the new
            // one allows.
            PROPERTY_NAMES_NARROWED => {
                "propertyNames was widened: the new version allows a property name the old version rejects"
            }
            PROPERTY_NAMES_CHANGED => {
                "propertyNames changed; no property name was found that the new version allows and the old version rejects (Confluent does not check propertyNames)"
            }
            // Tuple items in the old version but not the new one: removed.
            ITEM_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a tuple item was removed; the new array allows any additional item"
            }
            ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL => {
                "a tuple item that accepted anything was removed"
            }
            ITEM_ADDED_TO_CLOSED_CONTENT_MODEL => {
                "a tuple item was removed; the new array allows no additional item"
            }
            ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a tuple item was removed; its old schema accepts what the new additional-items schema allows"
            }
            ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a tuple item was removed; the new additional-items schema allows values its old schema rejects"
            }
            // Tuple items in the new version but not the old one: added.
            ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL => {
                "a tuple item was added; the old array allows any additional item"
            }
            ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "a forbidden (false) tuple item was added"
            }
            ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "a tuple item was added to an array whose old version allows no additional item"
            }
            ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a tuple item was added whose values the old version's additional-items schema accepts"
            }
            ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "a tuple item was added whose values the old version's additional-items schema rejects"
            }
            COMBINED_TYPE_SUBSCHEMAS_CHANGED => {
                "the subschemas of a combinator changed: some new alternative has no counterpart in the old version"
            }
            other => other.inverse().message(),
        };
        words.to_owned()
    }

    /// Whether the kind is one of the numeric bounds (`maxLength`, `minimum`, ...).
    fn is_bound(self) -> bool {
        let id = self.as_str();
        ["MAX_", "MIN_", "MAXIMUM_", "MINIMUM_", "EXCLUSIVE_"]
            .iter()
            .any(|p| id.starts_with(p))
    }

    /// What readers of the old version meet when this kind breaks a forward check.
    pub(crate) fn forward_consequence(self) -> &'static str {
        use Kind::*;
        match self {
            REQUIRED_ATTRIBUTE_ADDED | REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED => {
                "readers of the old version require it, and new data may lack it"
            }
            REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            | REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
            | REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL => {
                "readers of the old version require it, and new data lacks it"
            }
            OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            | PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            | PATTERN_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            | PATTERN_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "new data may carry that name with values readers of the old version reject"
            }
            PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL
            | PATTERN_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL
            | PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            | PATTERN_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "readers of the old version reject data that carries it"
            }
            ADDITIONAL_PROPERTIES_REMOVED
            | ADDITIONAL_PROPERTIES_NARROWED
            | UNEVALUATED_PROPERTIES_REMOVED
            | UNEVALUATED_PROPERTIES_NARROWED => {
                "readers of the old version reject the additional properties new data may carry"
            }
            ADDITIONAL_ITEMS_REMOVED
            | ADDITIONAL_ITEMS_NARROWED
            | UNEVALUATED_ITEMS_REMOVED
            | UNEVALUATED_ITEMS_NARROWED => {
                "readers of the old version reject the additional items new data may carry"
            }
            ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL
            | ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "readers of the old version reject arrays that hold it"
            }
            PROPERTY_NAMES_NARROWED => "readers of the old version reject data that uses it",
            ITEM_ADDED_TO_OPEN_CONTENT_MODEL
            | ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "new data may hold values there that readers of the old version reject"
            }
            REFERENCE_UNRESOLVED | COMPARISON_TOO_COMPLEX => "the check could not finish",
            _ => "readers of the old version reject values the new version allows",
        }
    }

    /// The smallest change to the new version that would make a breaking forward
    /// difference compatible: the old version is registered and cannot change.
    pub(crate) fn forward_hint(self) -> Option<&'static str> {
        use Kind::*;
        let hint = match self {
            TYPE_CHANGED | TYPE_NARROWED => {
                "keep the old type: readers of the old version accept only it"
            }
            SCHEMA_ADDED => "keep the old constraint schema",
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
            | MAX_CONTAINS_DECREASED => "keep the old upper bound (or a lower one)",
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
            | MIN_CONTAINS_INCREASED => "keep the old lower bound (or a higher one)",
            PATTERN_ADDED | PATTERN_CHANGED => {
                "keep the old pattern; a new format belongs in a new optional property"
            }
            MULTIPLE_OF_ADDED | MULTIPLE_OF_EXPANDED | MULTIPLE_OF_CHANGED => {
                "keep the old multipleOf, or use a multiple of it"
            }
            REQUIRED_ATTRIBUTE_ADDED
            | REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
            | REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL => {
                "keep the property, and keep it required, while readers of the old version remain"
            }
            ADDITIONAL_PROPERTIES_REMOVED
            | ADDITIONAL_PROPERTIES_NARROWED
            | UNEVALUATED_PROPERTIES_REMOVED
            | UNEVALUATED_PROPERTIES_NARROWED => {
                "keep the old content model: readers of the old version accept no more than it"
            }
            DEPENDENCY_ARRAY_ADDED
            | DEPENDENCY_ARRAY_EXTENDED
            | DEPENDENCY_ARRAY_CHANGED
            | DEPENDENCY_SCHEMA_ADDED => "keep the old dependencies",
            OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
            | REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
            | PATTERN_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL => {
                "keep the property (it may be deprecated in its description); or check under the LENIENT policy"
            }
            PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL
            | PATTERN_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "leave the property out, or first register a version whose content model accepts it, then add it"
            }
            PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            | PATTERN_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            | ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "give it a schema that accepts no more than the old version's additional schema"
            }
            PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            | PATTERN_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            | ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL => {
                "keep it, or narrow the new additional schema to what its old schema accepted"
            }
            PROPERTY_NAMES_NARROWED => {
                "allow no property name the old version's propertyNames rejects"
            }
            UNIQUE_ITEMS_ADDED => "keep uniqueItems",
            ADDITIONAL_ITEMS_REMOVED
            | ADDITIONAL_ITEMS_NARROWED
            | UNEVALUATED_ITEMS_REMOVED
            | UNEVALUATED_ITEMS_NARROWED => "keep additional items as constrained as before",
            ITEM_ADDED_TO_OPEN_CONTENT_MODEL => "keep the tuple item",
            ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL => {
                "leave the tuple item out, or first register a version that allows additional items, then add it"
            }
            ENUM_ARRAY_NARROWED | ENUM_ARRAY_CHANGED => {
                "add no values the old version lacks; keep every old value"
            }
            COMBINED_TYPE_CHANGED => "keep the old combinator",
            PRODUCT_TYPE_EXTENDED => "keep every old allOf subschema",
            SUM_TYPE_NARROWED => "add no alternative the old version lacks",
            COMBINED_TYPE_SUBSCHEMAS_CHANGED => {
                "keep each new alternative within one of the old ones"
            }
            NOT_TYPE_EXTENDED => "exclude no fewer values than before",
            CONDITIONAL_ADDED | CONDITIONAL_CHANGED => {
                "keep the old condition; Schemagate does not prove one condition weaker than another, so any change to it is treated as breaking"
            }
            REFERENCE_UNRESOLVED | COMPARISON_TOO_COMPLEX => return self.hint(),
            _ => return None,
        };
        Some(hint)
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
            PROPERTY_NAMES_NARROWED => {
                "let propertyNames accept every name the old version allowed, declared properties included (the finding names one it rejects), or leave it out"
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
    fn the_inverse_of_the_inverse_keeps_the_change_and_forward_words_exist() {
        for &kind in Kind::ALL {
            // Kinds that drop facts map onto one that round-trips to itself's family.
            let back = kind.inverse().inverse();
            assert_eq!(back.inverse(), kind.inverse(), "{kind:?}");
            assert!(!kind.forward_edit("maxLength").is_empty(), "{kind:?}");
            if !kind.is_compatible(Policy::Lenient) || !kind.is_compatible(Policy::Strict) {
                assert!(
                    kind.forward_hint().is_some(),
                    "{kind:?} can break but has no forward hint"
                );
            }
        }
        assert_eq!(
            Kind::MAX_LENGTH_INCREASED.forward_edit("maxLength"),
            "maxLength lowered"
        );
        assert_eq!(
            Kind::MAXIMUM_ADDED.forward_edit("maximum"),
            "maximum removed"
        );
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
    fn property_names_refuse_only_a_witnessed_narrowing_under_either_policy() {
        for policy in [Policy::Strict, Policy::Lenient] {
            assert_eq!(
                Kind::PROPERTY_NAMES_NARROWED.severity(policy),
                Severity::Breaking
            );
            // Accepted as Confluent accepts every propertyNames change, but not
            // cosmetic: which names data may use did change.
            assert_eq!(
                Kind::PROPERTY_NAMES_CHANGED.severity(policy),
                Severity::Additive
            );
        }
        assert!(
            Kind::PROPERTY_NAMES_NARROWED
                .forward_edit("propertyNames")
                .contains("widened")
        );
        assert!(
            Kind::PROPERTY_NAMES_CHANGED
                .forward_edit("propertyNames")
                .contains("the new version allows")
        );
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
