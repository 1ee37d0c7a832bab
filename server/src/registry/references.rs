//! References and parsing: resolving what a schema imports, parsing a request, matching it to a stored version.

use super::*;

impl Registry {
    /// Adds the text of schema `id` of `context` (imported as `name`) and, first,
    /// everything it imports in turn, so core sees dependencies before dependents.
    pub(super) fn collect_reference(
        &self,
        context: &str,
        name: &str,
        id: SchemaId,
        out: &mut Vec<Reference>,
        seen: &mut HashSet<(String, SchemaId)>,
    ) -> Result<()> {
        if !seen.insert((context.to_owned(), id)) {
            return Ok(());
        }
        if seen.len() > self.limits.max_references {
            return Err(Error::InvalidSchema(format!(
                "more than {} references, directly or transitively",
                self.limits.max_references
            )));
        }
        let stored = self.stored(context, id)?;
        for r in &stored.references {
            let target = reference_target(context, &r.subject);
            let versions = self.store.versions(&target)?;
            let entry = Self::find_version(&versions, VersionSpec::Number(r.version), true)
                .ok_or_else(|| {
                    Error::InvalidSchema(format!(
                        "referenced schema {} version {} no longer exists",
                        r.subject, r.version
                    ))
                })?;
            self.collect_reference(&context_of(&target), &r.name, entry.id, out, seen)?;
        }
        out.push(Reference::new(name, stored.schema));
        Ok(())
    }

    /// Resolves client references made from a schema of `context` to concrete
    /// subject-versions, their ids and texts. An unqualified reference names a subject
    /// of the same context.
    pub(super) fn resolve_references(&self, context: &str, refs: &[RefInput]) -> Result<Resolved> {
        // Checked up front: repeats of one subject-version would otherwise pass the
        // transitive count below and be stored (and looked up) one by one.
        if refs.len() > self.limits.max_references {
            return Err(Error::InvalidSchema(format!(
                "{} references, over the limit of {}",
                refs.len(),
                self.limits.max_references
            )));
        }
        let mut concrete = Vec::with_capacity(refs.len());
        let mut ids = Vec::with_capacity(refs.len());
        let mut texts = Vec::new();
        let mut seen = HashSet::new();
        for r in refs {
            let not_found = || {
                Error::InvalidSchema(format!(
                    "reference {:?} names subject {:?} version {}, which is not registered",
                    r.name, r.subject, r.version
                ))
            };
            let spec = match r.version {
                -1 => VersionSpec::Latest,
                v if v >= 1 && v <= i64::from(i32::MAX) => VersionSpec::Number(v as i32),
                _ => return Err(not_found()),
            };
            let target = reference_target(context, &r.subject);
            let versions = self.store.versions(&target)?;
            let entry = Self::find_version(&versions, spec, false).ok_or_else(not_found)?;
            concrete.push(SchemaRef {
                name: r.name.clone(),
                subject: r.subject.clone(),
                version: entry.version,
            });
            ids.push(entry.id);
            self.collect_reference(
                &context_of(&target),
                &r.name,
                entry.id,
                &mut texts,
                &mut seen,
            )?;
        }
        Ok(Resolved {
            references: concrete,
            ids,
            texts,
        })
    }

    /// Under the writer lock: refuses `cand` unless every version it references is still
    /// live and holds the schema it was parsed against. References are resolved before
    /// the lock, since parsing is the slow part; a soft-then-permanent delete of a
    /// referenced version may run in between, and committing then would store a
    /// reference to a missing version (which re-registering that version would give
    /// another meaning). Deletes check referrers under the same lock, so from here on
    /// the versions stay. Direct references suffice: what a live version references is
    /// itself protected from deletion (42206).
    pub(super) fn recheck_references(&self, cand: &Candidate) -> Result<()> {
        for (r, id) in cand.references.iter().zip(&cand.pinned) {
            let target = reference_target(&cand.context, &r.subject);
            let current = self.store.version(&target, r.version)?;
            if !current.is_some_and(|e| !e.deleted && e.id == *id) {
                return Err(Error::InvalidSchema(format!(
                    "reference {:?} names subject {:?} version {}, which was deleted while this schema was being registered; register it against a version that exists",
                    r.name, r.subject, r.version
                )));
            }
        }
        Ok(())
    }

    /// Parses a request's schema for `subject`, whose context its references and its
    /// identity are read in.
    pub(super) fn parse_input(
        &self,
        subject: &str,
        input: &SchemaInput,
        normalize: bool,
    ) -> Result<Candidate> {
        self.parse_input_with(subject, input, contract_of(input)?, normalize)
    }

    /// [`Registry::parse_input`] with the data contract the use case decided on.
    pub(super) fn parse_input_with(
        &self,
        subject: &str,
        input: &SchemaInput,
        contract: Contract,
        normalize: bool,
    ) -> Result<Candidate> {
        let context = context_of(subject);
        let text = match input.schema.as_deref() {
            Some(t) if !t.trim().is_empty() => t,
            _ => return Err(Error::InvalidSchema("Empty schema".into())),
        };
        let schema_type = match input.schema_type.as_deref() {
            None => SchemaType::Avro,
            Some(t) => t.parse::<SchemaType>().map_err(schema_error)?,
        };
        let Resolved {
            references,
            ids: pinned,
            texts,
        } = self.resolve_references(&context, input.references.as_deref().unwrap_or(&[]))?;
        let options = ParseOptions {
            normalize,
            limits: self.limits,
        };
        let digest = input_digest(schema_type, normalize, text, &texts);
        // Parsed schemas never go stale: both caches use one constant tag.
        let parsed = match self.cache.inputs.get(&digest, 0) {
            Some(parsed) => parsed,
            None => {
                let parsed = Arc::new(
                    ParsedSchema::parse_with(schema_type, text, &texts, &options)
                        .map_err(schema_error)?,
                );
                if text.len() <= INPUT_CACHE_MAX_TEXT {
                    let bytes = parsed.approximate_memory();
                    self.cache
                        .inputs
                        .insert(digest, 0, Arc::clone(&parsed), bytes);
                }
                parsed
            }
        };
        let key = content_key(&parsed, &references, &contract, &context);
        Ok(Candidate {
            context,
            parsed,
            references,
            texts,
            contract,
            pinned,
            key,
        })
    }

    /// The text to store for `parsed` (imported with `texts`): the text as registered,
    /// Confluent's `canonicalString`, when it parses again beside the same references
    /// to the same schema; else the canonical text. Stored texts are parsed again for
    /// every later check, and a registered Avro text can inline a named type that a
    /// reference also defines (Confluent's writer only knows each reference's top-level
    /// name), which would then fail as defined twice.
    pub(super) fn text_to_store(&self, parsed: &ParsedSchema, texts: &[Reference]) -> String {
        let registered = parsed.registered();
        // Without references nothing can be defined twice, and a registered text parses
        // again to itself (core's fuzz target checks it): no second parse, which would
        // run under the writer lock.
        if texts.is_empty() || registered == parsed.canonical() {
            return registered.to_owned();
        }
        let options = ParseOptions {
            normalize: false,
            limits: self.limits,
        };
        match ParsedSchema::parse_with(parsed.schema_type(), registered, texts, &options) {
            Ok(again) if again.fingerprint() == parsed.fingerprint() => registered.to_owned(),
            _ => parsed.canonical().to_owned(),
        }
    }

    /// A stored schema parsed for comparison, cached under [`Registry::id_epoch`]: a
    /// stored schema never changes, but a permanent delete (here or through another
    /// instance) can free its id and the versions its references resolve to.
    pub(super) fn parsed(&self, context: &str, id: SchemaId) -> Result<Arc<ParsedSchema>> {
        let epoch = self.id_epoch();
        let key = (context.to_owned(), id);
        if let Some(p) = self.cache.parsed.get(&key, epoch) {
            return Ok(p);
        }
        let parsed = Arc::new(self.reparse(context, id, false)?);
        self.cache
            .parsed
            .insert(key, epoch, Arc::clone(&parsed), parsed.approximate_memory());
        Ok(parsed)
    }

    /// Schema `id` of `context` parsed again from the store.
    pub(super) fn reparse(
        &self,
        context: &str,
        id: SchemaId,
        normalize: bool,
    ) -> Result<ParsedSchema> {
        let stored = self.stored(context, id)?;
        self.reparse_texts(context, id, &stored, normalize)
            .map(|(parsed, _)| parsed)
    }

    /// [`Registry::reparse`] of `stored` (schema `id` of `context`), also giving the
    /// reference texts it parsed with.
    pub(super) fn reparse_texts(
        &self,
        context: &str,
        id: SchemaId,
        stored: &StoredSchema,
        normalize: bool,
    ) -> Result<(ParsedSchema, Vec<Reference>)> {
        let mut texts = Vec::new();
        let mut seen = HashSet::new();
        for r in &stored.references {
            let target = reference_target(context, &r.subject);
            let versions = self.store.versions(&target)?;
            if let Some(e) = Self::find_version(&versions, VersionSpec::Number(r.version), true) {
                self.collect_reference(&context_of(&target), &r.name, e.id, &mut texts, &mut seen)?;
            }
        }
        let options = ParseOptions {
            normalize,
            limits: self.limits,
        };
        ParsedSchema::parse_with(stored.schema_type, &stored.schema, &texts, &options)
            .map(|parsed| (parsed, texts))
            .map_err(|e| {
                Error::Store(StoreError(format!(
                    "stored schema {id} no longer parses: {e}"
                )))
            })
    }

    /// The version among `candidates` holding the same schema as `cand`: by content
    /// key, else by Confluent's `canLookup`: the same schema (with `normalize`, the same
    /// normalised form), references and rules, and the same metadata but for a
    /// `confluent:version` only one side has (which must then name the version found).
    pub(super) fn matching_version(
        &self,
        cand: &Candidate,
        candidates: &[VersionEntry],
        normalize: bool,
    ) -> Result<Option<VersionEntry>> {
        if let Some(id) = self.store.id_for_key(&cand.key)?
            && let Some(v) = candidates.iter().rev().find(|v| v.id == id)
        {
            return Ok(Some(*v));
        }
        let context = cand.context.as_str();
        for v in candidates.iter().rev() {
            let stored = self.stored(context, v.id)?;
            if stored.schema_type != cand.parsed.schema_type()
                || stored.references != cand.references
                || !can_lookup(&cand.contract, &stored, v.version)
            {
                continue;
            }
            let fingerprint = cand.parsed.fingerprint();
            if self.parsed(context, v.id)?.fingerprint() == fingerprint
                || (normalize
                    && self
                        .reparse(context, v.id, true)
                        .map(|p| p.fingerprint())
                        .ok()
                        == Some(fingerprint))
            {
                return Ok(Some(*v));
            }
        }
        Ok(None)
    }
}

/// Confluent's `canLookupIgnoringVersion` for the contract part: rules equal, and
/// metadata equal once a `confluent:version` that only one side has is set aside; when
/// only the candidate has one, it must name `version`, the stored version's number.
fn can_lookup(cand: &Contract, stored: &StoredSchema, version: i32) -> bool {
    if cand.rule_set != stored.rule_set {
        return false;
    }
    let number = |m: Option<&Metadata>| {
        m.and_then(Metadata::confluent_version)
            .and_then(|v| v.parse::<i32>().ok())
    };
    let unversioned = |m: Option<&Metadata>| {
        let mut m = m.cloned().unwrap_or_default();
        m.properties.remove(contract::CONFLUENT_VERSION);
        m
    };
    let (ours, theirs) = (cand.metadata.as_ref(), stored.metadata.as_ref());
    match (number(ours), number(theirs)) {
        (None, Some(_)) => ours.cloned().unwrap_or_default() == unversioned(theirs),
        (Some(n), None) => n == version && unversioned(ours) == theirs.cloned().unwrap_or_default(),
        _ => ours == theirs,
    }
}
