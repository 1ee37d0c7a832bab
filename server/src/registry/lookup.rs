//! Lookup: which version of a subject holds a schema, answered from caches when the same request was answered before.

use super::*;

impl Registry {
    /// `POST /subjects/{s}` rendered. An answer cached for this input at the current
    /// [`Registry::epoch`] is served on the runtime thread (hashing the input is all it
    /// costs); anything else runs on the blocking pool, since it may parse.
    pub(super) async fn lookup_json(
        self: &Arc<Self>,
        subject: &Subject,
        input: SchemaInput,
        normalize: bool,
        deleted: bool,
    ) -> Result<Bytes> {
        // With references, the key needs store reads: those belong off the runtime.
        let inline = input.references.as_deref().is_none_or(<[_]>::is_empty)
            && input
                .schema
                .as_ref()
                .is_some_and(|t| t.len() <= INPUT_CACHE_MAX_TEXT);
        if inline {
            let epoch = self.epoch();
            if let Some(key) = self.lookup_key(subject.as_str(), &input, normalize, deleted)
                && let Some(body) = self.cache.lookup_docs.get(&key, epoch)
            {
                return Ok(body);
            }
        }
        let subject = subject.clone();
        // The caller settles the answer ([`Registry::lookup_by_body`]).
        self.on_blocking_pool(move |r| r.lookup_body(&subject, &input, normalize, deleted))
            .await
    }

    /// `POST /subjects/{s}` for `caller` from the request body as sent: answered from
    /// the cache when the same bytes were answered at the current state (and name no
    /// subject the caller may not read), else decoded with `decode` and looked up.
    ///
    /// The subject is the path's name as sent: only answers for valid names are cached,
    /// so a hit needs no parse (as in [`Registry::cached_version_json`]); a miss parses
    /// it after the body (42208 after a malformed body's 400).
    pub async fn lookup_by_body<E: From<Error>>(
        self: &Arc<Self>,
        caller: Caller<'_>,
        subject: &str,
        body: Bytes,
        normalize: bool,
        deleted: bool,
        decode: impl FnOnce(&[u8]) -> std::result::Result<SchemaInput, E>,
    ) -> std::result::Result<Bytes, E> {
        let flags = u8::from(normalize) | (u8::from(deleted) << 1);
        // Larger bodies are not kept, so not hashed either.
        let key = (body.len() <= INPUT_CACHE_MAX_TEXT).then(|| {
            hash_parts(
                self.cache.body_lookup_seed,
                &[subject.as_bytes(), &[flags], &body],
            )
        });
        // Read before the store, as for every epoch-tagged cache.
        let epoch = self.epoch();
        if let Some(key) = key
            && let Some(hit) = self.cache.body_lookups.get(&key, epoch)
            && *hit.subject == *subject
            && hit.flags == flags
            && hit.body == body
            && hit.referenced.iter().all(|s| caller.may_read(s))
        {
            self.settle().await?;
            return Ok(hit.answer.clone());
        }
        let input = decode(&body)?;
        let context = context_of(subject);
        caller.check_references(&context, input.references.as_deref())?;
        // As they resolve, which is what a hit is checked against.
        let referenced: Box<[Box<str>]> = input
            .references
            .iter()
            .flatten()
            .map(|r| reference_target(&context, &r.subject).into())
            .collect();
        let parsed = Subject::parse(subject).map_err(Error::from)?;
        let answer = self.lookup_json(&parsed, input, normalize, deleted).await?;
        self.settle().await?;
        if let Some(key) = key {
            let bytes = subject.len()
                + body.len()
                + answer.len()
                + referenced
                    .iter()
                    .map(|s| s.len() + std::mem::size_of::<Box<str>>())
                    .sum::<usize>()
                + std::mem::size_of::<BodyLookup>();
            let entry = BodyLookup {
                subject: subject.into(),
                flags,
                body: Bytes::copy_from_slice(&body),
                answer: answer.clone(),
                referenced,
            };
            self.cache
                .body_lookups
                .insert(key, epoch, Arc::new(entry), bytes);
        }
        Ok(answer)
    }

    pub(super) fn lookup_body(
        &self,
        subject: &Subject,
        input: &SchemaInput,
        normalize: bool,
        deleted: bool,
    ) -> Result<Bytes> {
        let epoch = self.epoch();
        let key = self.lookup_key(subject.as_str(), input, normalize, deleted);
        if let Some(key) = &key
            && let Some(body) = self.cache.lookup_docs.get(key, epoch)
        {
            return Ok(body);
        }
        let body = render(&self.lookup(subject, input, normalize, deleted)?)?;
        if let Some(key) = key {
            self.cache
                .lookup_docs
                .insert(key, epoch, body.clone(), body.len());
        }
        Ok(body)
    }

    /// What a lookup answer depends on besides the registry's state: the input digest
    /// the parse cache uses, the concrete references (equal texts may sit under other
    /// subjects, which changes the content key), the subject and the flags. `None` when
    /// the input fails before matching; [`Registry::lookup`] then gives the error.
    pub(super) fn lookup_key(
        &self,
        subject: &str,
        input: &SchemaInput,
        normalize: bool,
        deleted: bool,
    ) -> Option<[u8; 32]> {
        let text = input.schema.as_deref()?;
        let schema_type = match input.schema_type.as_deref() {
            None => SchemaType::Avro,
            Some(t) => t.parse::<SchemaType>().ok()?,
        };
        let resolved = self
            .resolve_references(
                &context_of(subject),
                input.references.as_deref().unwrap_or(&[]),
            )
            .ok()?;
        let mut h = Sha256::new();
        h.update(input_digest(schema_type, normalize, text, &resolved.texts));
        for r in &resolved.references {
            for part in [&r.name, &r.subject] {
                h.update((part.len() as u64).to_be_bytes());
                h.update(part.as_bytes());
            }
            h.update(r.version.to_be_bytes());
        }
        // The contract as sent: it decides the match as much as the text.
        for part in [&input.metadata, &input.rule_set] {
            let json = part.as_ref().map(|v| v.to_string()).unwrap_or_default();
            h.update((json.len() as u64).to_be_bytes());
            h.update(json.as_bytes());
        }
        h.update((subject.len() as u64).to_be_bytes());
        h.update(subject.as_bytes());
        h.update([u8::from(normalize), u8::from(deleted)]);
        Some(h.finalize().into())
    }

    /// `POST /subjects/{s}`: the version of `subject` holding this schema, as
    /// Confluent's `lookUpSchemaUnderSubject` finds it: the schema with the contract
    /// the request gives, else with the contract a registration would give it now
    /// (inherited from the latest version, merged with the config's).
    pub fn lookup(
        &self,
        subject: &Subject,
        input: &SchemaInput,
        normalize: bool,
        deleted: bool,
    ) -> Result<SchemaView> {
        // Validated at the edge; the store keys by the name.
        let subject = subject.as_str();
        let versions = self.existing_versions(subject)?;
        let candidates: Vec<VersionEntry> = versions
            .iter()
            .filter(|v| deleted || !v.deleted)
            .copied()
            .collect();
        if candidates.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_owned()));
        }
        let config = self.effective_config(subject)?;
        let normalize = normalize || config.normalize == Some(true);
        let cand = self.parse_input(subject, input, normalize)?;
        if let Some(hit) = self.matching_version(&cand, &candidates, normalize)? {
            return self.view(subject, &hit);
        }
        if let Some(latest) = versions.iter().rev().find(|v| !v.deleted) {
            let previous = self.stored(&cand.context, latest.id)?;
            let inherited =
                register::inherit(&config, cand.contract.clone(), Some(&previous), None, false);
            if inherited != cand.contract {
                let cand = self.parse_input_with(subject, input, inherited, normalize)?;
                if let Some(hit) = self.matching_version(&cand, &candidates, normalize)? {
                    return self.view(subject, &hit);
                }
            }
        }
        Err(Error::NoMatchingSchema)
    }
}
