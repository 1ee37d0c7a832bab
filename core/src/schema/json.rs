//! JSON Schema: parsing under limits, metaschema validation for drafts 4, 6, 7, 2019-09
//! and 2020-12, `$ref` resolution (local pointers, anchors and Confluent references),
//! the canonical form, and payload validation of sample events.
//!
//! The parsed documents are kept as `serde_json` values: the compatibility walk
//! (`compat::json`) classifies them on the fly, the way Confluent's everit-based loader
//! does, so no second tree has to be kept in sync with the text.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use jsonschema::{PatternOptions, Retrieve, Uri, Validator};
use serde_json::Value;

use super::Texts;
use super::error::SchemaError;
use super::jackson::{self, Numbers};
use super::options::{ParseOptions, Reference};
use super::text::parse_json_text;
use crate::pointer::escape;
use crate::violation::Violation;

/// Backtracking budget of `pattern` regexes that need a backtracking engine
/// (lookarounds, backreferences); the others run on the linear-time `regex` engine. A
/// pattern over budget fails the event instead of hanging the validator.
const REGEX_BACKTRACK_LIMIT: usize = 100_000;
/// Largest compiled regex accepted, in bytes: `a{1000}{1000}` is refused at parse time.
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Most `$ref` hops followed from one place before a chain of references is declared a
/// loop (`a -> b -> a` never reaches a schema).
pub(crate) const MAX_REF_HOPS: usize = 64;

/// The JSON Schema drafts Schemagate understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Draft {
    /// Draft 4 (`exclusiveMaximum` is a boolean, `id` names a schema).
    Draft4,
    /// Draft 6.
    Draft6,
    /// Draft 7, assumed when `$schema` is absent (as Confluent does).
    Draft7,
    /// Draft 2019-09 (`$ref` siblings apply, `dependentRequired`, `unevaluated*`).
    Draft201909,
    /// Draft 2020-12 (`prefixItems`, `items` for the rest of the array).
    Draft202012,
}

impl Draft {
    /// The draft a `$schema` URI names, if it names one Schemagate knows.
    pub fn from_uri(uri: &str) -> Option<Draft> {
        let uri = uri.trim_end_matches('#');
        let uri = uri
            .strip_prefix("https://")
            .or_else(|| uri.strip_prefix("http://"))?;
        match uri {
            "json-schema.org/draft-04/schema" => Some(Draft::Draft4),
            "json-schema.org/draft-06/schema" => Some(Draft::Draft6),
            "json-schema.org/draft-07/schema" => Some(Draft::Draft7),
            "json-schema.org/draft/2019-09/schema" => Some(Draft::Draft201909),
            "json-schema.org/draft/2020-12/schema" => Some(Draft::Draft202012),
            _ => None,
        }
    }

    /// The draft of a schema document: its `$schema`, or draft 7 when absent.
    fn of(value: &Value, path: &str) -> Result<Draft, SchemaError> {
        match value.get("$schema") {
            None => Ok(Draft::Draft7),
            Some(Value::String(uri)) => Draft::from_uri(uri).ok_or_else(|| {
                SchemaError::invalid(
                    format!("{path}/$schema"),
                    format!(
                        "unknown $schema {uri:?}: use draft-04, draft-06, draft-07, 2019-09 or 2020-12 (for example \"http://json-schema.org/draft-07/schema#\")"
                    ),
                )
            }),
            Some(_) => Err(SchemaError::invalid(
                format!("{path}/$schema"),
                "$schema must be a string URI",
            )),
        }
    }

    /// Whether `$ref` replaces its sibling keywords (drafts up to 7) rather than
    /// applying alongside them (2019-09 and later).
    pub(crate) fn ref_overrides_siblings(self) -> bool {
        self <= Draft::Draft7
    }

    fn to_jsonschema(self) -> jsonschema::Draft {
        match self {
            Draft::Draft4 => jsonschema::Draft::Draft4,
            Draft::Draft6 => jsonschema::Draft::Draft6,
            Draft::Draft7 => jsonschema::Draft::Draft7,
            Draft::Draft201909 => jsonschema::Draft::Draft201909,
            Draft::Draft202012 => jsonschema::Draft::Draft202012,
        }
    }

    fn meta_validator(self) -> jsonschema::meta::MetaValidator<'static> {
        match self {
            Draft::Draft4 => jsonschema::draft4::meta::validator(),
            Draft::Draft6 => jsonschema::draft6::meta::validator(),
            Draft::Draft7 => jsonschema::draft7::meta::validator(),
            Draft::Draft201909 => jsonschema::draft201909::meta::validator(),
            Draft::Draft202012 => jsonschema::draft202012::meta::validator(),
        }
    }
}

/// One parsed document: the root schema or a referenced one.
#[derive(Debug)]
pub(crate) struct Doc {
    /// The reference name (`"address.json"`), empty for the root.
    pub(crate) name: String,
    /// The document's own `$id`, used to match absolute `$ref`s.
    pub(crate) id: Option<String>,
    /// Which draft's rules apply inside this document.
    pub(crate) draft: Draft,
    /// The schema itself.
    pub(crate) value: Value,
}

/// The documents a schema spans: index 0 is the root, the rest its references.
#[derive(Debug)]
pub(crate) struct Docs {
    pub(crate) docs: Vec<Doc>,
}

/// Where a `$ref` leads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target<'a> {
    /// Index of the document holding the target.
    pub(crate) doc: usize,
    /// The target schema.
    pub(crate) value: &'a Value,
}

impl Docs {
    /// The document that a `$ref`'s URI part (before `#`) names, seen from `from`.
    fn doc_for(&self, from: usize, uri: &str) -> Option<usize> {
        if uri.is_empty() {
            return Some(from);
        }
        let exact = self
            .docs
            .iter()
            .position(|d| d.name == uri || d.id.as_deref() == Some(uri));
        if exact.is_some() {
            return exact;
        }
        // A relative `$ref` resolved against an `$id` base ("https://x/y/address.json")
        // still names the reference registered as "address.json": match by last segment.
        let last = |s: &str| s.rsplit('/').next().map(str::to_owned);
        let wanted = last(uri)?;
        self.docs
            .iter()
            .position(|d| !d.name.is_empty() && (last(&d.name).as_deref() == Some(wanted.as_str())))
    }

    /// Resolves one `$ref` string written in document `from`.
    pub(crate) fn resolve(&self, from: usize, reference: &str) -> Option<Target<'_>> {
        let (uri, fragment) = match reference.split_once('#') {
            Some((u, f)) => (u, f),
            None => (reference, ""),
        };
        let doc = self.doc_for(from, uri)?;
        let root = &self.docs.get(doc)?.value;
        let fragment = percent_decode(fragment);
        let value = if fragment.is_empty() {
            root
        } else if fragment.starts_with('/') {
            root.pointer(&fragment)?
        } else {
            find_anchor(root, &fragment, 0)?
        };
        Some(Target { doc, value })
    }

    /// The draft in force in document `doc`.
    pub(crate) fn draft(&self, doc: usize) -> Draft {
        self.docs.get(doc).map_or(Draft::Draft7, |d| d.draft)
    }
}

/// Finds `$anchor: name` (2019-09+), `$dynamicAnchor: name` or a draft-6/7 `$id: "#name"`.
fn find_anchor<'a>(value: &'a Value, name: &str, depth: usize) -> Option<&'a Value> {
    // Parsed texts are depth-limited already; the guard keeps this safe on its own.
    if depth > 1_000 {
        return None;
    }
    match value {
        Value::Object(map) => {
            let hit = |k: &str| map.get(k).and_then(Value::as_str);
            if hit("$anchor") == Some(name)
                || hit("$dynamicAnchor") == Some(name)
                || hit("$id").and_then(|id| id.strip_prefix('#')) == Some(name)
                || hit("id").and_then(|id| id.strip_prefix('#')) == Some(name)
            {
                return Some(value);
            }
            map.values().find_map(|v| find_anchor(v, name, depth + 1))
        }
        Value::Array(items) => items.iter().find_map(|v| find_anchor(v, name, depth + 1)),
        _ => None,
    }
}

/// Decodes `%XX` escapes of a URI fragment (JSON pointers in `$ref` are URI-encoded).
/// A `%` not followed by two hex digits stays as it is, and bytes that do not form
/// UTF-8 become U+FFFD: a fragment that decodes to nothing valid then simply resolves
/// to nothing, which the parse reports as an unresolved reference.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A parsed JSON Schema as the compatibility engine walks it.
#[derive(Clone)]
pub struct JsonSchema {
    pub(crate) docs: Arc<Docs>,
    pub(crate) digests: Arc<Digests>,
    /// Compiled once at parse time: the CLI validates many events per schema.
    validator: Arc<Validator>,
}

impl fmt::Debug for JsonSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonSchema")
            .field("draft", &self.draft())
            .field("value", self.value())
            .field("references", &(self.docs.docs.len() - 1))
            .finish()
    }
}

impl JsonSchema {
    /// The root schema document.
    pub fn value(&self) -> &Value {
        &self.docs.docs[0].value
    }

    /// The draft the root document is written in.
    pub fn draft(&self) -> Draft {
        self.docs.docs[0].draft
    }

    /// Violations of `event` against this schema, each at a JSON pointer into the event.
    pub fn validate_event(&self, event: &Value) -> Vec<Violation> {
        self.validator
            .iter_errors(event)
            .map(|e| Violation {
                path: e.instance_path().as_str().to_owned(),
                message: e.to_string(),
            })
            .collect()
    }
}

/// Hands the validator the referenced documents by name, and nothing else: no file or
/// network access ever happens while validating.
struct ReferenceRetriever {
    docs: HashMap<String, Value>,
}

impl Retrieve for ReferenceRetriever {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let uri = uri.split_once('#').map_or(uri, |(u, _)| u);
        if let Some(v) = self.docs.get(uri) {
            return Ok(v.clone());
        }
        let last = uri.rsplit('/').next().unwrap_or(uri);
        self.docs
            .iter()
            .find(|(name, _)| name.rsplit('/').next() == Some(last))
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                format!("{uri} is not among the schema's references; register it and pass it in `references`")
                    .into()
            })
    }
}

/// Parses `text` with its `references` into the model, its canonical text and its
/// registered text.
pub(crate) fn parse(
    text: &str,
    references: &[Reference],
    options: &ParseOptions,
) -> Result<(JsonSchema, Texts), SchemaError> {
    let limits = &options.limits;
    let root = parse_json_text(text, limits)?;
    let mut budget = NodeBudget {
        count: 0,
        limits: *limits,
    };
    let mut docs = vec![load_doc(String::new(), root, "", &mut budget)?];
    for reference in references {
        let value = parse_json_text(&reference.text, limits)
            .map_err(|e| e.in_text_of(&format!("in reference {:?}", reference.name)))?;
        let label = format!("(reference {:?})", reference.name);
        docs.push(load_doc(
            reference.name.clone(),
            value,
            &label,
            &mut budget,
        )?);
    }
    let docs = Docs { docs };
    check_refs(&docs)?;
    check_in_place_expansions(&docs, limits)?;
    let validator = compile(&docs)?;
    let canonical = canonical_json(&docs.docs[0].value);
    let registered = registered_json(text, options.normalize)?;
    let docs = Arc::new(docs);
    // Digested after the move into the Arc: they are keyed by the values' addresses.
    let digests = Arc::new(Digests::of(&docs));
    Ok((
        JsonSchema {
            docs,
            digests,
            validator: Arc::new(validator),
        },
        Texts {
            canonical,
            registered,
        },
    ))
}

/// The text Confluent stores for a JSON schema: Jackson's `writeValueAsString` of the
/// tree its mapper read, so the registrant's keys in their order, no whitespace, and
/// numbers as exact `BigDecimal`s (Confluent's mapper sets `USE_BIG_DECIMAL_FOR_FLOATS`
/// and `withExactBigDecimals`). Normalising reads it again into a sorting tree.
fn registered_json(text: &str, normalize: bool) -> Result<String, SchemaError> {
    let tree = jackson::parse(text)?;
    let mut out = String::with_capacity(text.len());
    jackson::write(&tree, Numbers::BigDecimal, normalize, &mut out);
    Ok(out)
}

/// What the walk needs to skip an unchanged subtree in constant time: a 128-bit
/// structural hash of every object and array node (key order does not matter), and
/// whether a `$ref` occurs below it (then equal text may still mean different schemas).
#[derive(Debug, Default)]
pub(crate) struct Digests {
    nodes: HashMap<usize, Digest, BuildHasherDefault<AddressHasher>>,
}

/// The digest of one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Digest {
    /// Structural hash of the subtree.
    pub(crate) hash: u128,
    /// Whether a `$ref`, `$dynamicRef` or `$recursiveRef` occurs in the subtree.
    pub(crate) has_ref: bool,
}

impl Digests {
    fn of(docs: &Docs) -> Self {
        let mut digests = Digests::default();
        for doc in &docs.docs {
            digests.visit(&doc.value, 0);
        }
        digests
    }

    /// The digest of the node at `value`'s address, if it is an object or array of a
    /// parsed document.
    pub(crate) fn get(&self, value: &Value) -> Option<Digest> {
        self.nodes
            .get(&(std::ptr::from_ref(value) as usize))
            .copied()
    }

    fn visit(&mut self, value: &Value, depth: usize) -> Digest {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut h1 = DefaultHasher::new();
        let mut h2 = DefaultHasher::new();
        0x5eed_u64.hash(&mut h2);
        let mut has_ref = depth > 1_000;
        let mut feed = |bytes: &[u8]| {
            h1.write(bytes);
            h2.write(bytes);
        };
        match value {
            Value::Object(map) => {
                feed(b"{");
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                for key in keys {
                    has_ref |= matches!(key.as_str(), "$ref" | "$dynamicRef" | "$recursiveRef");
                    feed(&(key.len() as u64).to_le_bytes());
                    feed(key.as_bytes());
                    if let Some(child) = map.get(key) {
                        let d = self.visit(child, depth + 1);
                        has_ref |= d.has_ref;
                        feed(&d.hash.to_le_bytes());
                    }
                }
            }
            Value::Array(items) => {
                feed(b"[");
                for child in items {
                    let d = self.visit(child, depth + 1);
                    has_ref |= d.has_ref;
                    feed(&d.hash.to_le_bytes());
                }
            }
            scalar => {
                let text = scalar.to_string();
                feed(&(text.len() as u64).to_le_bytes());
                feed(text.as_bytes());
            }
        }
        let digest = Digest {
            hash: (u128::from(h1.finish()) << 64) | u128::from(h2.finish()),
            has_ref,
        };
        if value.is_object() || value.is_array() {
            self.nodes
                .insert(std::ptr::from_ref(value) as usize, digest);
        }
        digest
    }
}

/// Hashes a node address: addresses are aligned, so mix the bits before the table
/// uses the low ones.
#[derive(Default)]
pub(crate) struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

/// Counts values across the root and its references against `max_nodes`, and
/// combinator branches against `max_union_branches`.
struct NodeBudget {
    count: usize,
    limits: crate::limits::Limits,
}

impl NodeBudget {
    fn visit(&mut self, value: &Value) -> Result<(), SchemaError> {
        // Iterative, so that a deep document cannot overflow the stack here either.
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            self.count += 1;
            if self.count > self.limits.max_nodes {
                return Err(SchemaError::TooMany {
                    what: "schema nodes",
                    count: self.count,
                    limit: self.limits.max_nodes,
                });
            }
            match v {
                Value::Object(map) => {
                    for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
                        if let Some(Value::Array(branches)) = map.get(key)
                            && branches.len() > self.limits.max_union_branches
                        {
                            return Err(SchemaError::TooMany {
                                what: "combinator branches",
                                count: branches.len(),
                                limit: self.limits.max_union_branches,
                            });
                        }
                    }
                    stack.extend(map.values());
                }
                Value::Array(items) => stack.extend(items.iter()),
                _ => {}
            }
        }
        Ok(())
    }
}

fn load_doc(
    name: String,
    value: Value,
    label: &str,
    budget: &mut NodeBudget,
) -> Result<Doc, SchemaError> {
    if !matches!(value, Value::Object(_) | Value::Bool(_)) {
        return Err(SchemaError::invalid(
            label.to_owned(),
            "a JSON Schema must be an object or a boolean",
        ));
    }
    budget.visit(&value)?;
    let draft = Draft::of(&value, label)?;
    let meta = draft.meta_validator();
    if let Some(error) = meta.iter_errors(&value).next() {
        return Err(SchemaError::invalid(
            format!("{label}{}", error.instance_path().as_str()),
            format!("not a valid {draft:?} schema: {error}"),
        ));
    }
    let id_key = if draft == Draft::Draft4 { "id" } else { "$id" };
    let id = value
        .get(id_key)
        .and_then(Value::as_str)
        .map(|s| s.trim_end_matches('#').to_owned())
        .filter(|s| !s.is_empty());
    Ok(Doc {
        name,
        id,
        draft,
        value,
    })
}

/// Every `$ref` must lead somewhere this schema or its references define: refused at
/// registration, not discovered later by a consumer.
fn check_refs(docs: &Docs) -> Result<(), SchemaError> {
    for (index, doc) in docs.docs.iter().enumerate() {
        let mut stack: Vec<(&Value, String)> = vec![(&doc.value, String::new())];
        while let Some((value, path)) = stack.pop() {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref")
                        && docs.resolve(index, r).is_none()
                    {
                        let path = if doc.name.is_empty() {
                            format!("{path}/$ref")
                        } else {
                            format!("(reference {:?}){path}/$ref", doc.name)
                        };
                        return Err(SchemaError::UnresolvedReference {
                            name: r.clone(),
                            path,
                        });
                    }
                    for (k, v) in map {
                        // `enum`, `const`, `default` and `examples` hold data, not schemas.
                        if matches!(k.as_str(), "enum" | "const" | "default" | "examples") {
                            continue;
                        }
                        stack.push((v, format!("{path}/{}", escape(k))));
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        stack.push((v, format!("{path}/{i}")));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Keywords whose schemas apply in place, to the same instance location: what the
/// validator's compiler expands below an `unevaluatedItems` or `unevaluatedProperties`.
const IN_PLACE: &[&str] = &[
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
    "allOf",
    "anyOf",
    "oneOf",
    "if",
    "then",
    "else",
    "dependentSchemas",
];

/// Refuses a schema whose `unevaluatedItems` / `unevaluatedProperties` would cost the
/// validator's compiler more than `max_in_place_expansions` in-place subschema
/// expansions, or make it compile more than `max_nodes` schema nodes again.
///
/// Why here and not a fix where the cost arises: the `jsonschema` crate compiles, for
/// each of those keywords, every in-place subschema below it, following `$ref`s; it
/// caches a target only while it is being compiled (to cut cycles), so a definition
/// used eight times is compiled eight times, and definitions that each use the next
/// eight times cost 8^depth (8 per level over 5 levels: about a minute in a debug
/// build). That compiler is not ours to memoise, and the validator must be built at
/// parse time (it is what refuses bad patterns and unresolvable references), so the
/// work it would do is counted first, by the same walk without the compiling: each
/// expansion counts one, a target already on the current path is not entered again
/// (as the compiler does), and the count is shared by all such keywords of the schema
/// and stops at the limit, so this check itself costs at most that many steps plus one
/// pass over the documents. The compiler also compiles each `allOf`/`anyOf`/`oneOf`
/// branch, `if`, `then` and `else` it expands in full (nothing but `$ref` targets is
/// cached), so a few expansions of large inline branches cost as much as many small
/// ones: their nodes are counted too, against `max_nodes` (the most the schema itself
/// may have), each branch's size counted once and remembered.
fn check_in_place_expansions(
    docs: &Docs,
    limits: &crate::limits::Limits,
) -> Result<(), SchemaError> {
    /// One step of the iterative walk (iterative: an in-place `$ref` chain may be as
    /// long as the schema has definitions, too deep to recurse on a thread's stack).
    enum Step<'a> {
        /// A node to expand, and whether the compiler compiles it in full there (an
        /// inline branch) rather than reaching it through a cached `$ref`.
        Enter(usize, &'a Value, bool),
        Leave(usize),
    }
    let limit = limits.max_in_place_expansions;
    let mut count = 0usize;
    let mut compiled = 0usize;
    let mut sizes: HashMap<usize, usize, BuildHasherDefault<AddressHasher>> = HashMap::default();
    for (index, doc) in docs.docs.iter().enumerate() {
        if doc.draft < Draft::Draft201909 {
            // The keywords are unknown before 2019-09: nothing is compiled for them.
            continue;
        }
        let mut nodes: Vec<(&Value, String)> = vec![(&doc.value, String::new())];
        while let Some((value, path)) = nodes.pop() {
            match value {
                Value::Object(map) => {
                    for keyword in ["unevaluatedItems", "unevaluatedProperties"] {
                        if !map.contains_key(keyword) {
                            continue;
                        }
                        let mut on_path: std::collections::HashSet<usize> =
                            std::collections::HashSet::new();
                        let mut steps = vec![Step::Enter(index, value, false)];
                        while let Some(step) = steps.pop() {
                            let (doc, node) = match step {
                                Step::Leave(address) => {
                                    on_path.remove(&address);
                                    continue;
                                }
                                Step::Enter(doc, node, inline) => {
                                    if inline {
                                        compiled += subtree_size(node, &mut sizes);
                                    }
                                    (doc, node)
                                }
                            };
                            let Value::Object(node_map) = node else {
                                continue;
                            };
                            let address = std::ptr::from_ref(node) as usize;
                            if !on_path.insert(address) {
                                continue;
                            }
                            count += 1;
                            if count > limit || compiled > limits.max_nodes {
                                let label = if doc_name_is_root(docs, index) {
                                    String::new()
                                } else {
                                    format!("(reference {:?})", docs.docs[index].name)
                                };
                                let cost = if count > limit {
                                    format!("more than {limit} subschemas")
                                } else {
                                    format!(
                                        "more than {} schema nodes to compile",
                                        limits.max_nodes
                                    )
                                };
                                return Err(SchemaError::invalid(
                                    format!("{label}{path}/{keyword}"),
                                    format!(
                                        "the subschemas that {keyword} must look through ($ref, allOf, anyOf, oneOf, if/then/else applied in place) expand to {cost}, because definitions are applied several times at every level; refer to each definition once per level (or merge the repeated references and branches) so that the expansion stays under the limit"
                                    ),
                                ));
                            }
                            steps.push(Step::Leave(address));
                            for key in IN_PLACE {
                                let Some(child) = node_map.get(*key) else {
                                    continue;
                                };
                                match (*key, child) {
                                    ("$ref" | "$dynamicRef", Value::String(r)) => {
                                        if let Some(t) = docs.resolve(doc, r) {
                                            steps.push(Step::Enter(t.doc, t.value, false));
                                        }
                                    }
                                    ("$recursiveRef", _) => {
                                        if let Some(t) = docs.resolve(doc, "#") {
                                            steps.push(Step::Enter(t.doc, t.value, false));
                                        }
                                    }
                                    ("allOf" | "anyOf" | "oneOf", Value::Array(items)) => {
                                        steps.extend(
                                            items.iter().map(|v| Step::Enter(doc, v, true)),
                                        );
                                    }
                                    ("dependentSchemas", Value::Object(schemas)) => {
                                        steps.extend(
                                            schemas.values().map(|v| Step::Enter(doc, v, true)),
                                        );
                                    }
                                    ("if" | "then" | "else", _) => {
                                        steps.push(Step::Enter(doc, child, true));
                                    }
                                    _ => {}
                                }
                            }
                        }
                    }
                    for (k, v) in map {
                        // `enum`, `const`, `default` and `examples` hold data, not schemas.
                        if matches!(k.as_str(), "enum" | "const" | "default" | "examples") {
                            continue;
                        }
                        nodes.push((v, format!("{path}/{}", escape(k))));
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        nodes.push((v, format!("{path}/{i}")));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// How many JSON values `value` holds, itself included; remembered by address, so
/// that a branch expanded many times is counted through once.
fn subtree_size(
    value: &Value,
    sizes: &mut HashMap<usize, usize, BuildHasherDefault<AddressHasher>>,
) -> usize {
    let address = std::ptr::from_ref(value) as usize;
    if let Some(size) = sizes.get(&address) {
        return *size;
    }
    let mut size = 0;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        size += 1;
        match v {
            Value::Object(map) => stack.extend(map.values()),
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    sizes.insert(address, size);
    size
}

/// Whether document `index` is the root schema (its pointers need no label).
fn doc_name_is_root(docs: &Docs, index: usize) -> bool {
    docs.docs.get(index).is_none_or(|d| d.name.is_empty())
}

fn compile(docs: &Docs) -> Result<Validator, SchemaError> {
    let root = &docs.docs[0];
    let retriever = ReferenceRetriever {
        docs: docs
            .docs
            .iter()
            .skip(1)
            .map(|d| (d.name.clone(), d.value.clone()))
            .collect(),
    };
    jsonschema::options()
        .with_draft(root.draft.to_jsonschema())
        .with_retriever(retriever)
        .with_pattern_options(
            PatternOptions::fancy_regex()
                .backtrack_limit(REGEX_BACKTRACK_LIMIT)
                .size_limit(REGEX_SIZE_LIMIT),
        )
        .build(&root.value)
        .map_err(|e| {
            SchemaError::invalid(
                e.instance_path().as_str().to_owned(),
                format!("the schema cannot be compiled: {e}"),
            )
        })
}

/// Compact JSON with object keys sorted at every level: the same schema written with
/// other whitespace or key order has the same canonical text.
pub(crate) fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            out.push('{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    // serde_json's string escaping is the reference; a String never fails to serialise.
    out.push_str(&Value::String(s.to_owned()).to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ParsedSchema, SchemaType};

    fn parse_ok(text: &str) -> ParsedSchema {
        ParsedSchema::parse(SchemaType::Json, text, &[]).expect("valid schema")
    }

    #[test]
    fn canonical_form_ignores_key_order_and_whitespace() {
        let a = parse_ok(r#"{"type": "object", "properties": {"a": {"type": "string"}}}"#);
        let b = parse_ok("{\"properties\":{\"a\":{\"type\":\"string\"}},\n \"type\":\"object\"}");
        assert_eq!(a.canonical(), b.canonical());
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(
            a.canonical(),
            r#"{"properties":{"a":{"type":"string"}},"type":"object"}"#
        );
    }

    #[test]
    fn draft_defaults_to_seven_and_follows_schema() {
        let s = parse_ok("{}");
        assert_eq!(s.as_json().unwrap().draft(), Draft::Draft7);
        let s = parse_ok(r#"{"$schema": "https://json-schema.org/draft/2020-12/schema"}"#);
        assert_eq!(s.as_json().unwrap().draft(), Draft::Draft202012);
        let err = ParsedSchema::parse(
            SchemaType::Json,
            r#"{"$schema": "https://example.com/my-meta"}"#,
            &[],
        )
        .unwrap_err();
        assert!(matches!(err, SchemaError::Invalid { ref path, .. } if path == "/$schema"));
    }

    #[test]
    fn metaschema_errors_name_the_pointer() {
        let err = ParsedSchema::parse(
            SchemaType::Json,
            r#"{"properties": {"a": {"type": "strin"}}}"#,
            &[],
        )
        .unwrap_err();
        match err {
            SchemaError::Invalid { path, .. } => assert_eq!(path, "/properties/a/type"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unresolved_refs_are_refused_with_their_location() {
        let err = ParsedSchema::parse(
            SchemaType::Json,
            r##"{"properties": {"a": {"$ref": "#/definitions/missing"}}}"##,
            &[],
        )
        .unwrap_err();
        assert_eq!(
            err,
            SchemaError::UnresolvedReference {
                name: "#/definitions/missing".into(),
                path: "/properties/a/$ref".into()
            }
        );
    }

    #[test]
    fn references_resolve_by_name_with_and_without_pointer() {
        let address = Reference::new(
            "address.json",
            r#"{"type": "object", "properties": {"street": {"type": "string"}}, "definitions": {"zip": {"type": "string"}}}"#,
        );
        let s = ParsedSchema::parse(
            SchemaType::Json,
            r#"{"properties": {"home": {"$ref": "address.json"}, "zip": {"$ref": "address.json#/definitions/zip"}}}"#,
            &[address],
        )
        .unwrap();
        let json = s.as_json().unwrap();
        assert!(
            json.validate_event(&serde_json::json!({"home": {"street": "x"}, "zip": "1"}))
                .is_empty()
        );
        let v = json.validate_event(&serde_json::json!({"home": {"street": 1}, "zip": 2}));
        let paths: Vec<_> = v.iter().map(|v| v.path.as_str()).collect();
        assert!(
            paths.contains(&"/home/street") && paths.contains(&"/zip"),
            "{v:?}"
        );
    }

    #[test]
    fn percent_decoding_of_fragments() {
        assert_eq!(percent_decode("/definitions/a%20b"), "/definitions/a b");
        assert_eq!(percent_decode("/x%2"), "/x%2");
        assert_eq!(percent_decode("%"), "%");
    }

    #[test]
    fn invalid_pattern_is_refused_with_its_pointer() {
        let err = ParsedSchema::parse(
            SchemaType::Json,
            r#"{"properties": {"code": {"type": "string", "pattern": "(unclosed"}}}"#,
            &[],
        )
        .unwrap_err();
        match err {
            SchemaError::Invalid { path, message } => {
                assert_eq!(path, "/properties/code/pattern", "{message}")
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
