//! The rules of the Avro walk: Java's six `SchemaIncompatibilityType`s (the breaking
//! verdicts Confluent returns), Schemagate's own refusals where a check cannot finish,
//! and the additive and cosmetic changes reported so that `bump` can tell minor from
//! patch. Each rule is declared here once, with its severity, the sentence a person
//! reads, the fix and what it means; the walk only adds the names and places.

use crate::compat::report::{Finding, Severity};

rule_enum! {
    /// One rule of the Avro walk. Named `Rule`, not `Kind` as in the JSON engine,
    /// because the Avro model already has a `Kind` (of a type) that the walk uses.
    Rule {
        // Java's incompatibilities, the verdicts Confluent returns.
        READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH, MISSING_UNION_BRANCH,
        MISSING_ENUM_SYMBOLS, NAME_MISMATCH, FIXED_SIZE_MISMATCH,
        // Schemagate's refusals where Java would throw or the check cannot finish.
        AMBIGUOUS_READER_FIELD, NESTING_TOO_DEEP, TOO_MANY_FINDINGS,

        // Records and fields.
        READER_FIELD_DEFAULTED, WRITER_FIELD_IGNORED, FIELD_RENAMED_WITH_ALIAS,
        FIELD_DEFAULT_CHANGED, FIELD_ORDER_CHANGED,
        // Enums.
        ENUM_SYMBOLS_READ_AS_DEFAULT, ENUM_SYMBOLS_ADDED, ENUM_DEFAULT_CHANGED,
        ENUM_SYMBOL_ORDER_CHANGED,
        // Unions.
        TYPE_WIDENED_TO_UNION, UNION_BRANCH_ADDED,
        // Names and aliases.
        NAMESPACE_CHANGED, NAME_CHANGED_WITH_ALIAS, ALIASES_CHANGED, DOC_CHANGED,
        // Scalars, logical types and other attributes.
        TYPE_PROMOTED, LOGICAL_TYPE_CHANGED, ATTRIBUTE_CHANGED,
    }
}

impl Rule {
    /// Breaking for Java's verdicts and for checks that could not finish; additive for
    /// changes to what data may look like; cosmetic for what no reader sees.
    pub(crate) fn severity(self) -> Severity {
        use Rule::*;
        match self {
            READER_FIELD_MISSING_DEFAULT_VALUE
            | TYPE_MISMATCH
            | MISSING_UNION_BRANCH
            | MISSING_ENUM_SYMBOLS
            | NAME_MISMATCH
            | FIXED_SIZE_MISMATCH
            | AMBIGUOUS_READER_FIELD
            | NESTING_TOO_DEEP
            | TOO_MANY_FINDINGS => Severity::Breaking,
            READER_FIELD_DEFAULTED
            | WRITER_FIELD_IGNORED
            | FIELD_RENAMED_WITH_ALIAS
            | FIELD_DEFAULT_CHANGED
            | ENUM_SYMBOLS_READ_AS_DEFAULT
            | ENUM_SYMBOLS_ADDED
            | ENUM_DEFAULT_CHANGED
            | TYPE_WIDENED_TO_UNION
            | UNION_BRANCH_ADDED
            | NAMESPACE_CHANGED
            | NAME_CHANGED_WITH_ALIAS
            | TYPE_PROMOTED
            | LOGICAL_TYPE_CHANGED => Severity::Additive,
            FIELD_ORDER_CHANGED
            | ENUM_SYMBOL_ORDER_CHANGED
            | ALIASES_CHANGED
            | DOC_CHANGED
            | ATTRIBUTE_CHANGED => Severity::Cosmetic,
        }
    }

    /// What happened, in general; a finding's own message names the fields, types and
    /// symbols involved.
    pub(crate) fn message(self) -> &'static str {
        use Rule::*;
        match self {
            READER_FIELD_MISSING_DEFAULT_VALUE => {
                "a reader field is not in the writer and has no default"
            }
            TYPE_MISMATCH => "the writer's type cannot be read as the reader's type",
            MISSING_UNION_BRANCH => "the reader's union has no branch that reads a writer type",
            MISSING_ENUM_SYMBOLS => "the reader's enum lacks symbols the writer may write",
            NAME_MISMATCH => "a named type has another name in the writer and the reader",
            FIXED_SIZE_MISMATCH => "a fixed type has another size in the writer and the reader",
            AMBIGUOUS_READER_FIELD => {
                "a reader field matches several writer fields by name and alias"
            }
            NESTING_TOO_DEEP => {
                "types nest too deep (counting through named types) to check further"
            }
            TOO_MANY_FINDINGS => "the schemas differ in too many places to list",
            READER_FIELD_DEFAULTED => "reader fields not in the writer take their defaults",
            WRITER_FIELD_IGNORED => "writer fields not in the reader are skipped",
            FIELD_RENAMED_WITH_ALIAS => "a reader field reads a writer field through its alias",
            FIELD_DEFAULT_CHANGED => "a field's default changed",
            FIELD_ORDER_CHANGED => "fields are in a different order",
            ENUM_SYMBOLS_READ_AS_DEFAULT => {
                "writer symbols the reader lacks are read as the reader's enum default"
            }
            ENUM_SYMBOLS_ADDED => "the reader's enum has symbols the writer lacks",
            ENUM_DEFAULT_CHANGED => "an enum's default symbol changed",
            ENUM_SYMBOL_ORDER_CHANGED => "enum symbols are in a different order",
            TYPE_WIDENED_TO_UNION => "a writer type is read by a branch of a reader union",
            UNION_BRANCH_ADDED => "the reader's union has a branch the writer's lacks",
            NAMESPACE_CHANGED => "a named type moved to another namespace",
            NAME_CHANGED_WITH_ALIAS => "a named type was renamed and reads the old name by alias",
            ALIASES_CHANGED => "aliases changed",
            DOC_CHANGED => "a doc changed",
            TYPE_PROMOTED => "a writer type is promoted to a wider reader type",
            LOGICAL_TYPE_CHANGED => "a logical type, or a decimal's precision or scale, changed",
            ATTRIBUTE_CHANGED => "a custom attribute changed",
        }
    }

    /// The smallest change that would make a breaking finding compatible. A finding
    /// carries a sharper one when the walk knows the names (a rename, the nearest
    /// union branch); this is what holds whatever the names.
    pub(crate) fn hint(self) -> Option<&'static str> {
        use Rule::*;
        let hint = match self {
            READER_FIELD_MISSING_DEFAULT_VALUE => {
                "add a default to the field (for a nullable field: type [\"null\", ...] with \"default\": null), or, for a rename, add the old name to the field's aliases"
            }
            TYPE_MISMATCH => {
                "keep the writer's type; to change a field's type add a new field with a default and stop writing the old one"
            }
            MISSING_UNION_BRANCH => "add the writer's type to the reader's union",
            MISSING_ENUM_SYMBOLS => {
                "keep the symbols (deprecate them in the doc instead of removing), or give the reader's enum a \"default\" symbol"
            }
            NAME_MISMATCH => {
                "keep the writer's name, or add the writer's full name to the reader type's aliases"
            }
            FIXED_SIZE_MISMATCH => {
                "keep the size: fixed values carry no length, so another size cannot be read; use a new fixed type in a new field instead"
            }
            AMBIGUOUS_READER_FIELD => "drop the alias that names another writer field",
            NESTING_TOO_DEEP => {
                "flatten the schema: so deep a nesting is almost certainly unintended"
            }
            TOO_MANY_FINDINGS => "fix the findings listed and check again",
            _ => return None,
        };
        Some(hint)
    }

    /// What the rule means for data and for the people who own the schema.
    pub(crate) fn meaning(self) -> &'static str {
        use Rule::*;
        match self {
            READER_FIELD_MISSING_DEFAULT_VALUE => {
                "Avro resolves record fields by name. A field the reader expects but the writer never wrote can only be filled from the reader's default; without one, old data cannot be read. Java's SchemaCompatibility (what Confluent runs) reports it under this name."
            }
            TYPE_MISMATCH => {
                "The writer's type is neither the reader's type nor one Avro promotes to it (int -> long/float/double, long -> float/double, float -> double, string <-> bytes), so the reader cannot decode the bytes. Java's verdict of the same name."
            }
            MISSING_UNION_BRANCH => {
                "A reader union reads a writer value only if one of its branches reads the value's type. Java checks statically that every type the writer may write has such a branch; data of a missing type could not be read. Java's verdict of the same name."
            }
            MISSING_ENUM_SYMBOLS => {
                "Enums are resolved by symbol name. A symbol the writer may write but the reader lacks cannot be read unless the reader's enum declares a default symbol to read it as. Java's verdict of the same name."
            }
            NAME_MISMATCH => {
                "Records, enums and fixed types are matched by their unqualified name, or by a reader alias naming the writer's full name. Another name with no alias means Avro does not consider them the same type. Java's verdict of the same name."
            }
            FIXED_SIZE_MISMATCH => {
                "A fixed value is written as exactly `size` bytes with no length before it, so a reader expecting another size would read the wrong bytes. Java's verdict of the same name."
            }
            AMBIGUOUS_READER_FIELD => {
                "Through its name and its aliases, one reader field matches more than one writer field, so Avro cannot tell which one to read (Java refuses such a schema pair with an error). Schemagate reports it as breaking."
            }
            NESTING_TOO_DEEP => {
                "The walk descends through named types, so a chain of records each using the next can nest far deeper than the text does. Past 256 levels Schemagate stops rather than risk the stack, and cannot vouch for the pair: it is refused."
            }
            TOO_MANY_FINDINGS => {
                "The check stops recording findings after a bound, so that a schema reusing one type many times cannot multiply them without end. When the bound cut off every breaking finding, this one stands in for them: the verdict is still incompatible."
            }
            READER_FIELD_DEFAULTED => {
                "The reader has fields the writer lacks, each with a default: old data reads, and readers see the default. Compatible; a minor change."
            }
            WRITER_FIELD_IGNORED => {
                "The writer has fields the reader does not declare: their data is skipped when reading. Compatible; a minor change (the data is still written, just not read)."
            }
            FIELD_RENAMED_WITH_ALIAS => {
                "The reader field's name is not in the writer, but one of its aliases is, so the old field's data is read under the new name. Compatible."
            }
            FIELD_DEFAULT_CHANGED => {
                "Defaults are used only when a reader field is missing from the writer, so changing one changes what readers see for old data in that case. Compatible; reported so that the version bump reflects it."
            }
            FIELD_ORDER_CHANGED => {
                "Avro resolves fields by name, not position, so reordering fields changes nothing for data already written. Cosmetic (generated classes may change)."
            }
            ENUM_SYMBOLS_READ_AS_DEFAULT => {
                "The reader's enum lacks some writer symbols but declares a default symbol: such values are read as the default instead of failing. Compatible, though those values lose their meaning."
            }
            ENUM_SYMBOLS_ADDED => {
                "The reader knows symbols the writer never writes. Compatible in this direction; if the roles are ever reversed (FORWARD), the old reader will lack them."
            }
            ENUM_DEFAULT_CHANGED => {
                "The enum's default symbol, used for writer symbols the reader lacks, changed. Compatible; reported so that the version bump reflects it."
            }
            ENUM_SYMBOL_ORDER_CHANGED => {
                "Enums are resolved by symbol name, so the order of symbols does not matter to data already written. Cosmetic (sort order and generated code may change)."
            }
            TYPE_WIDENED_TO_UNION => {
                "The writer's type is now one branch of a reader union (for example string -> [\"null\", \"string\"]): old data reads through that branch. Compatible."
            }
            UNION_BRANCH_ADDED => {
                "The reader's union has a branch that no writer branch maps to. Compatible in this direction; an old reader would not read data of the new branch."
            }
            NAMESPACE_CHANGED => {
                "Avro's resolution compares unqualified names, so a type that only moved to another namespace still reads. Generated classes move to another package, though: a minor change."
            }
            NAME_CHANGED_WITH_ALIAS => {
                "The named type was renamed, and the reader lists the writer's full name among its aliases, so Avro still treats them as the same type. Compatible."
            }
            ALIASES_CHANGED => {
                "Aliases only help a reader find an old name; changing them without using them in this comparison changes nothing for the data. Cosmetic."
            }
            DOC_CHANGED => "Documentation only: no reader sees it in the data. Cosmetic.",
            TYPE_PROMOTED => {
                "The writer's type is one Avro promotes to the reader's (int -> long, float or double; long -> float or double; float -> double; string <-> bytes), so old data reads. Compatible; a minor change."
            }
            LOGICAL_TYPE_CHANGED => {
                "Avro's resolution ignores logical types, so the data still decodes, but what its values mean changes (timestamp-millis -> timestamp-micros, another decimal scale). Schemagate flags it, never refuses it, as Confluent does not."
            }
            ATTRIBUTE_CHANGED => {
                "A custom attribute (a key Avro does not define) changed. It is part of the schema's identity in the registry but not of the data. Cosmetic."
            }
        }
    }

    /// A finding of this rule at `path`, with the catalogue's hint (none for additive
    /// and cosmetic rules).
    pub(crate) fn finding(self, path: impl Into<String>, message: impl Into<String>) -> Finding {
        self.finding_with_hint(path, message, None)
    }

    /// A finding of this rule at `path` with the walk's sharper `hint` (naming the
    /// fields, types or symbols involved); `None` falls back to the catalogue's.
    pub(crate) fn finding_with_hint(
        self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Finding {
        let hint = hint.or_else(|| self.hint().map(str::to_owned));
        Finding::new(self.as_str(), self.severity(), path, message, hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Messages, meanings and unique ids are tested for every engine's rules at once, in
    // the catalogue's tests.
    #[test]
    fn every_breaking_rule_has_a_hint_and_others_have_none() {
        for rule in Rule::ALL {
            // A non-breaking finding must not grow a hint it never had.
            let breaking = rule.severity() == Severity::Breaking;
            assert_eq!(rule.hint().is_some(), breaking, "{rule:?}");
        }
    }
}
