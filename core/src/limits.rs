//! Bounds on what a schema may cost to parse and check. Every entry point that takes
//! schema text enforces them, so hostile input ends in an error rather than a stack
//! overflow, an out-of-memory kill or a hang.

/// Size, depth and count limits applied while parsing a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest schema text accepted, in bytes (Confluent answers 42209 past its own).
    pub max_schema_bytes: usize,
    /// Deepest nesting of JSON values (objects and arrays) in the schema text; the
    /// walkers recurse once per level, so this bounds their stack use.
    pub max_depth: usize,
    /// Most branches in one Avro union or one JSON Schema combinator (`oneOf` ...);
    /// union resolution is quadratic in branches.
    pub max_union_branches: usize,
    /// Most named types, fields, properties and enum symbols in one schema together.
    pub max_nodes: usize,
    /// Most referenced schemas one schema may import, directly or transitively.
    pub max_references: usize,
    /// Most in-place subschema expansions that `unevaluatedItems` and
    /// `unevaluatedProperties` may cost the validator's compiler, all such keywords of
    /// one schema together. The compiler (the `jsonschema` crate) expands the in-place
    /// subschemas (`$ref`, `allOf`, `anyOf`, `oneOf`, `if`/`then`/`else`) below each
    /// such keyword again at every use of a definition, so definitions that each refer
    /// to the next several times cost exponential time in their depth; past this
    /// count the schema is refused before compiling.
    pub max_in_place_expansions: usize,
}

impl Limits {
    /// The limits the server and CLI use unless configured otherwise.
    pub const DEFAULT: Limits = Limits {
        max_schema_bytes: 4 * 1024 * 1024,
        max_depth: 100,
        max_union_branches: 1_000,
        max_nodes: 200_000,
        max_references: 1_000,
        // 8 in-place `$ref`s per level over 4 levels cost about 9,400 (under 0.1 s to
        // compile in a release build); 5 levels cost 75,000 (seconds).
        max_in_place_expansions: 10_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
