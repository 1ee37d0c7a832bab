//! Reading: schemas by id, listings, versions, what references a version.

use super::*;

impl Registry {
    pub(super) fn stored(&self, id: SchemaId) -> Result<StoredSchema> {
        self.store
            .schema(id)?
            .ok_or_else(|| Error::SchemaNotFound(id.to_string()))
    }

    pub(super) fn view(&self, subject: &str, entry: &VersionEntry) -> Result<SchemaView> {
        Ok(SchemaView::of(subject, entry, self.stored(entry.id)?))
    }

    pub(super) fn find_version(
        versions: &[VersionEntry],
        spec: VersionSpec,
        include_deleted: bool,
    ) -> Option<VersionEntry> {
        match spec {
            VersionSpec::Latest => versions
                .iter()
                .rev()
                .find(|v| include_deleted || !v.deleted)
                .copied(),
            VersionSpec::Number(n) => versions
                .iter()
                .find(|v| v.version == n && (include_deleted || !v.deleted))
                .copied(),
        }
    }

    /// The versions of `subject`, or 40401 when it has none at all.
    pub(super) fn existing_versions(&self, subject: &str) -> Result<Vec<VersionEntry>> {
        let versions = self.store.versions(subject)?;
        if versions.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_owned()));
        }
        Ok(versions)
    }

    /// Ids of schemas referencing `subject`/`version` that a live version still uses.
    pub(super) fn live_referrers(&self, subject: &str, version: i32) -> Result<Vec<SchemaId>> {
        let mut out = Vec::new();
        for id in self.store.referrers(subject, version)? {
            if self.store.usages(id)?.iter().any(|(_, e)| !e.deleted) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// The cached body of `GET /schemas/ids/{id}`, if any and `caller` may see it: no
    /// store access, so callers may try it on a runtime thread before going to a
    /// networked store. A refusal comes from [`Registry::schema_by_id`]. `None` too
    /// while a commit is not yet durable, since the entry may show it.
    pub fn cached_schema_by_id(&self, caller: Caller<'_>, id: SchemaId) -> Option<Arc<IdDoc>> {
        if !self.settled() {
            return None;
        }
        self.cache
            .id_docs
            .get(&id, self.id_epoch())
            .filter(|doc| caller.check_shown(id, &doc.references).is_ok())
    }

    /// `GET /schemas/ids/{id}`: served from a cache of rendered bodies. Any caller may
    /// read any id (deserializers resolve every id they meet), except that a caller
    /// limited to subject prefixes is refused a schema whose references name subjects
    /// outside them: the body would show those names.
    pub fn schema_by_id(&self, caller: Caller<'_>, id: SchemaId) -> Result<Arc<IdDoc>> {
        let epoch = self.id_epoch();
        if let Some(doc) = self.cache.id_docs.get(&id, epoch) {
            caller.check_shown(id, &doc.references)?;
            return Ok(doc);
        }
        let stored = self.stored(id)?;
        if self.store.usages(id)?.is_empty() {
            return Err(Error::SchemaNotFound(id.to_string()));
        }
        let json = render(&IdBody {
            schema: &stored.schema,
            schema_type: stored.schema_type,
            references: &stored.references,
            metadata: stored.metadata.as_ref(),
            rule_set: stored.rule_set.as_ref(),
            guid: &stored.guid(),
        })?;
        let doc = Arc::new(IdDoc {
            json,
            raw: exact(stored.schema.into_bytes()),
            references: stored.references,
        });
        let bytes = doc.json.len()
            + doc.raw.len()
            + references_size(&doc.references)
            + std::mem::size_of::<IdDoc>();
        self.cache
            .id_docs
            .insert(id, epoch, Arc::clone(&doc), bytes);
        caller.check_shown(id, &doc.references)?;
        Ok(doc)
    }

    /// The id of the schema with `guid`, 40403 when none (or it has no version left).
    /// Read in either case, as Java's `UUID.fromString` reads it.
    fn id_of_guid(&self, guid: &str) -> Result<SchemaId> {
        let not_found = || Error::SchemaNotFound(guid.to_owned());
        let guid = guid.to_ascii_lowercase();
        let guid = guid.as_str();
        if !contract::is_guid(guid) {
            return Err(not_found());
        }
        let id = self.store.id_for_guid(guid)?.ok_or_else(not_found)?;
        if self.store.usages(id)?.is_empty() {
            return Err(not_found());
        }
        Ok(id)
    }

    /// `GET /schemas/guids/{guid}`: the same body as the schema's id answers.
    pub fn schema_by_guid(&self, caller: Caller<'_>, guid: &str) -> Result<Arc<IdDoc>> {
        let id = self.id_of_guid(guid)?;
        self.schema_by_id(caller, id)
    }

    /// `GET /schemas/guids/{guid}/ids`: the id in each context; one context here.
    pub fn ids_by_guid(&self, guid: &str) -> Result<Vec<SchemaId>> {
        Ok(vec![self.id_of_guid(guid)?])
    }

    pub(super) fn id_usages(
        &self,
        id: SchemaId,
        deleted: bool,
    ) -> Result<Vec<(String, VersionEntry)>> {
        let usages = self.store.usages(id)?;
        if usages.is_empty() || self.store.schema(id)?.is_none() {
            // Confluent names no id here (`schemaNotFoundException()`).
            return Err(Error::NoMatchingSchema);
        }
        Ok(usages
            .into_iter()
            .filter(|(_, e)| deleted || !e.deleted)
            .collect())
    }

    /// `GET /schemas/ids/{id}/subjects`, paged (`offset`, then at most `limit`; no cap,
    /// as Confluent's default subject limits have none).
    pub fn id_subjects(
        &self,
        id: SchemaId,
        deleted: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<String>> {
        let mut subjects: Vec<String> = self
            .id_usages(id, deleted)?
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        subjects.dedup();
        Ok(paginate(subjects, offset, limit))
    }

    /// `GET /schemas/ids/{id}/versions`, paged as [`Registry::id_subjects`].
    pub fn id_versions(
        &self,
        id: SchemaId,
        deleted: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<(String, i32)>> {
        let pairs = self
            .id_usages(id, deleted)?
            .into_iter()
            .map(|(s, e)| (s, e.version))
            .collect();
        Ok(paginate(pairs, offset, limit))
    }

    /// `GET /schemas`; refused to a prefix-limited `caller` when a listed schema's
    /// references name subjects outside its prefixes (see [`Registry::schema_by_id`]).
    pub fn list_schemas(
        &self,
        caller: Caller<'_>,
        listing: &SchemaListing,
    ) -> Result<Vec<SchemaView>> {
        let mut out = Vec::new();
        for (subject, versions) in self.store.all_versions()? {
            if !subject.starts_with(&listing.prefix) {
                continue;
            }
            let visible: Vec<&VersionEntry> = versions
                .iter()
                .filter(|v| listing.deleted || !v.deleted)
                .collect();
            let chosen: Vec<&VersionEntry> = if listing.latest_only {
                visible.last().copied().into_iter().collect()
            } else {
                visible
            };
            for v in chosen {
                let view = self.view(&subject, v)?;
                if let Some(rule_type) = &listing.rule_type
                    && !view
                        .rule_set
                        .as_ref()
                        .is_some_and(|r| r.has_rule_type(rule_type))
                {
                    continue;
                }
                caller.check_shown(view.id, &view.references)?;
                out.push(view);
            }
        }
        Ok(paginate(out, listing.offset, listing.limit))
    }

    /// `GET /subjects`: subjects with a live version; with `deleted` every subject;
    /// with `deleted_only` (which beats `deleted`) those whose every remaining version
    /// is soft-deleted, as Confluent's `extractUniqueSubjects` decides.
    pub fn list_subjects(
        &self,
        prefix: &str,
        deleted: bool,
        deleted_only: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<String>> {
        let subjects = self
            .store
            .all_versions()?
            .into_iter()
            .filter(|(s, _)| s.starts_with(prefix))
            .filter(|(_, versions)| {
                if deleted_only {
                    !versions.is_empty() && versions.iter().all(|v| v.deleted)
                } else {
                    deleted || versions.iter().any(|v| !v.deleted)
                }
            })
            .map(|(s, _)| s)
            .collect();
        Ok(paginate(subjects, offset, limit))
    }

    /// `GET /subjects/{s}/versions`, as Confluent filters it: live versions; with
    /// `deleted_as_negative` every version, a soft-deleted one as its negative number
    /// (it beats the other two); with `deleted_only` (which beats `deleted`) the
    /// soft-deleted ones; with `deleted` all. In version order. 40401 when the subject
    /// has no version at all, or only soft-deleted ones and neither `deleted` nor
    /// `deleted_only` asks for them.
    pub fn list_versions(
        &self,
        subject: &Subject,
        listing: VersionListing,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<i32>> {
        // Validated at the edge; the store keys by the name.
        let subject = subject.as_str();
        let versions = self.existing_versions(subject)?;
        let with_deleted = listing.deleted || listing.deleted_only;
        if !with_deleted && versions.iter().all(|v| v.deleted) {
            return Err(Error::SubjectNotFound(subject.to_owned()));
        }
        let listed: Vec<i32> = versions
            .iter()
            .filter_map(|v| {
                if listing.deleted_as_negative {
                    Some(if v.deleted { -v.version } else { v.version })
                } else if listing.deleted_only {
                    v.deleted.then_some(v.version)
                } else {
                    (listing.deleted || !v.deleted).then_some(v.version)
                }
            })
            .collect();
        Ok(paginate(listed, offset, limit))
    }

    /// `GET /subjects/{s}/versions/{v}`.
    pub fn get_version(
        &self,
        subject: &Subject,
        version: VersionSpec,
        deleted: bool,
    ) -> Result<SchemaView> {
        // Validated at the edge; the store keys by the name.
        let subject = subject.as_str();
        // The hot read: one or two keyed lookups, never a scan of every version.
        let found = match version {
            VersionSpec::Latest => self.store.latest_version(subject, deleted)?,
            VersionSpec::Number(n) => self
                .store
                .version(subject, n)?
                .filter(|e| deleted || !e.deleted),
        };
        match found {
            Some(entry) => self.view(subject, &entry),
            // A subject with nothing visible is "not found" as a whole, as Confluent says.
            None if self.store.latest_version(subject, deleted)?.is_none() => {
                Err(Error::SubjectNotFound(subject.to_owned()))
            }
            None => Err(Error::VersionNotFound(version.to_string())),
        }
    }

    /// Cache key of a version answer.
    pub(super) fn version_key(subject: &str, version: VersionSpec, deleted: bool) -> [u8; 32] {
        let number = match version {
            VersionSpec::Latest => -1,
            VersionSpec::Number(n) => n,
        };
        let mut h = Sha256::new();
        h.update((subject.len() as u64).to_be_bytes());
        h.update(subject.as_bytes());
        h.update(number.to_be_bytes());
        h.update([u8::from(deleted)]);
        <[u8; 32]>::from(h.finalize())
    }

    /// The cached answer of [`Registry::version_json`], if any, without store access.
    /// Never for a prefix-limited caller, whose answer must be checked. The subject is
    /// the path's name as sent, not parsed: only answers for valid names are cached, so
    /// any other name misses and the caller parses it on the way to the store, and the
    /// hottest read allocates nothing.
    pub fn cached_version_json(
        &self,
        caller: Caller<'_>,
        subject: &str,
        version: VersionSpec,
        deleted: bool,
    ) -> Option<Bytes> {
        if caller.is_limited() || !self.settled() {
            return None;
        }
        let epoch = self.epoch();
        let key = Self::version_key(subject, version, deleted);
        self.cache.version_docs.get(&key, epoch)
    }

    /// `GET /subjects/{s}/versions/{v}` rendered, from a cache tagged with
    /// [`Registry::epoch`]; refused to a prefix-limited `caller` when the version's
    /// references name subjects outside its prefixes (see [`Registry::schema_by_id`]).
    pub fn version_json(
        &self,
        caller: Caller<'_>,
        subject: &Subject,
        version: VersionSpec,
        deleted: bool,
    ) -> Result<Bytes> {
        if caller.is_limited() {
            // Cached bodies do not say what they reference: built and checked each time.
            let view = self.get_version(subject, version, deleted)?;
            caller.check_shown(view.id, &view.references)?;
            return render(&view);
        }
        let epoch = self.epoch();
        let key = Self::version_key(subject.as_str(), version, deleted);
        if let Some(body) = self.cache.version_docs.get(&key, epoch) {
            return Ok(body);
        }
        let body = render(&self.get_version(subject, version, deleted)?)?;
        self.cache
            .version_docs
            .insert(key, epoch, body.clone(), body.len());
        Ok(body)
    }

    /// `GET /subjects/{s}/metadata`: the newest version (soft-deleted ones too with
    /// `deleted`) whose metadata properties hold every pair of `wanted`, as Confluent's
    /// `getLatestWithMetadata`. 40401 for a subject without versions, 40403 when no
    /// version matches.
    pub fn latest_with_metadata(
        &self,
        caller: Caller<'_>,
        subject: &Subject,
        wanted: &[(String, String)],
        deleted: bool,
    ) -> Result<SchemaView> {
        let subject = subject.as_str();
        let versions = self.existing_versions(subject)?;
        if !versions.iter().any(|v| deleted || !v.deleted) {
            return Err(Error::SubjectNotFound(subject.to_owned()));
        }
        for entry in versions.iter().rev().filter(|v| deleted || !v.deleted) {
            let stored = self.stored(entry.id)?;
            let matches = stored.metadata.as_ref().is_some_and(|m| {
                wanted
                    .iter()
                    .all(|(k, v)| m.property(k) == Some(v.as_str()))
            });
            if matches {
                caller.check_shown(entry.id, &stored.references)?;
                return Ok(SchemaView::of(subject, entry, stored));
            }
        }
        Err(Error::NoMatchingSchema)
    }

    /// `GET /subjects/{s}/versions/{v}/referencedby`: the ids of the schemas that
    /// reference the version and that a live version uses (with `deleted`, a
    /// soft-deleted one too), ascending, paged as Confluent pages them (at most
    /// [`SCHEMA_LIMIT`]).
    pub fn referenced_by(
        &self,
        subject: &Subject,
        version: VersionSpec,
        deleted: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<SchemaId>> {
        // Validated at the edge; the store keys by the name.
        let subject = subject.as_str();
        let versions = self.existing_versions(subject)?;
        let entry = Self::find_version(&versions, version, true)
            .ok_or_else(|| Error::VersionNotFound(version.to_string()))?;
        let mut ids = if deleted {
            let mut all = Vec::new();
            for id in self.store.referrers(subject, entry.version)? {
                if !self.store.usages(id)?.is_empty() {
                    all.push(id);
                }
            }
            all
        } else {
            self.live_referrers(subject, entry.version)?
        };
        ids.sort_unstable();
        ids.dedup();
        Ok(paginate(ids, offset, capped(limit, SCHEMA_LIMIT)))
    }
}

/// What `GET /subjects/{s}/versions` lists (see [`Registry::list_versions`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct VersionListing {
    /// `deleted`: soft-deleted versions too.
    pub deleted: bool,
    /// `deletedOnly`: only soft-deleted versions.
    pub deleted_only: bool,
    /// `deletedAsNegative`: every version, soft-deleted ones negated.
    pub deleted_as_negative: bool,
}

/// Confluent's cap on listings of schema ids (`schema.search.max.limit`, which is also
/// the default): `referencedby` answers at most this many.
pub const SCHEMA_LIMIT: i64 = 1000;

/// A requested `limit` as Confluent's `normalizeLimit` reads it: one from 1 to `max`
/// stands, anything else is `max`.
fn capped(limit: i64, max: i64) -> i64 {
    if (1..=max).contains(&limit) {
        limit
    } else {
        max
    }
}
