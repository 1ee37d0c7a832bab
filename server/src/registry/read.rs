//! Reading: schemas by id, listings, versions, what references a version.

use super::*;

impl Registry {
    /// Schema `id` of `context` (a prefix), 40403 when there is none.
    pub(super) fn stored(&self, context: &str, id: SchemaId) -> Result<StoredSchema> {
        self.store
            .schema(context, id)?
            .ok_or_else(|| Error::SchemaNotFound(id.to_string()))
    }

    pub(super) fn view(&self, subject: &str, entry: &VersionEntry) -> Result<SchemaView> {
        let stored = self.stored(&context_of(subject), entry.id)?;
        Ok(SchemaView::of(subject, entry, stored))
    }

    /// The subject versions of `context` whose id is `id`.
    pub(super) fn usages_in(
        &self,
        context: &str,
        id: SchemaId,
    ) -> Result<Vec<(String, VersionEntry)>> {
        let mut usages = self.store.usages(id)?;
        usages.retain(|(subject, _)| context_of(subject) == context);
        Ok(usages)
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

    /// Ids of schemas referencing `subject`/`version` that a live version still uses
    /// (each an id of its own context).
    pub(super) fn live_referrers(&self, subject: &str, version: i32) -> Result<Vec<SchemaId>> {
        let mut out = Vec::new();
        for (context, id) in self.store.referrers(subject, version)? {
            if self
                .usages_in(&context, id)?
                .iter()
                .any(|(_, e)| !e.deleted)
            {
                out.push(id);
            }
        }
        out.sort_unstable();
        out.dedup();
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
            .filter(|doc| caller.check_shown("", id, &doc.references).is_ok())
    }

    /// `GET /schemas/ids/{id}` (an id of the default context): served from a cache of
    /// rendered bodies. Any caller may read any id (deserializers resolve every id they
    /// meet), except that a caller limited to subject prefixes is refused a schema whose
    /// references name subjects outside them: the body would show those names.
    pub fn schema_by_id(&self, caller: Caller<'_>, id: SchemaId) -> Result<Arc<IdDoc>> {
        let epoch = self.id_epoch();
        if let Some(doc) = self.cache.id_docs.get(&id, epoch) {
            caller.check_shown("", id, &doc.references)?;
            return Ok(doc);
        }
        let stored = self.stored("", id)?;
        if self.usages_in("", id)?.is_empty() {
            return Err(Error::SchemaNotFound(id.to_string()));
        }
        let doc = Arc::new(id_doc(stored, None)?);
        let bytes = doc.json.len()
            + doc.raw.len()
            + references_size(&doc.references)
            + std::mem::size_of::<IdDoc>();
        self.cache
            .id_docs
            .insert(id, epoch, Arc::clone(&doc), bytes);
        caller.check_shown("", id, &doc.references)?;
        Ok(doc)
    }

    /// Where id `id` is read, as Confluent's `getSchemaKeyUsingContexts` finds it: with
    /// no subject, in the default context; with a context (`:.ctx:`), in it; with a
    /// qualified subject, only where that subject uses it; with an unqualified one,
    /// where it uses it in the default context, else in the first context where the
    /// subject of that name uses it, else anywhere in the default context. Gives the
    /// context's prefix and, when a subject was given, the subject version found.
    pub(super) fn locate_id(
        &self,
        id: SchemaId,
        subject: Option<&str>,
    ) -> Result<(String, Option<(String, VersionEntry)>)> {
        let not_found = || Error::SchemaNotFound(id.to_string());
        let any_in = |context: &str| -> Result<(String, Option<(String, VersionEntry)>)> {
            let first = self.usages_in(context, id)?.into_iter().next();
            let first = first.ok_or_else(not_found)?;
            Ok((context.to_owned(), subject.map(|_| first)))
        };
        let Some(raw) = subject else {
            return any_in("");
        };
        let named = match Subject::parse(raw) {
            Ok(named) => named,
            Err(SubjectError::ContextOnly(_)) => match Context::parse(raw) {
                Ok(context) => return any_in(&context.prefix()),
                Err(_) => return any_in(""),
            },
            // Confluent reads a name it cannot qualify in the default context.
            Err(_) => return any_in(""),
        };
        let used_by = |name: &str| -> Result<Option<(String, VersionEntry)>> {
            Ok(self.store.usages(id)?.into_iter().find(|(s, _)| s == name))
        };
        let context = named.context();
        if let Some(found) = used_by(named.as_str())? {
            return Ok((context.prefix(), Some(found)));
        }
        if !context.is_default() {
            return Err(not_found());
        }
        for other in self.store.contexts()? {
            if let Some(found) = used_by(&format!("{other}{}", named.as_str()))? {
                return Ok((other, Some(found)));
            }
        }
        any_in("")
    }

    /// The context and id of the schema with `guid`, 40403 when none (or it has no
    /// version left). Read in either case, as Java's `UUID.fromString` reads it.
    pub(super) fn ids_of_guid(&self, guid: &str) -> Result<Vec<(String, SchemaId)>> {
        let not_found = || Error::SchemaNotFound(guid.to_owned());
        let guid = guid.to_ascii_lowercase();
        let guid = guid.as_str();
        if !contract::is_guid(guid) {
            return Err(not_found());
        }
        let mut found = Vec::new();
        for (context, id) in self.store.ids_for_guid(guid)? {
            if !self.usages_in(&context, id)?.is_empty() {
                found.push((context, id));
            }
        }
        if found.is_empty() {
            return Err(not_found());
        }
        Ok(found)
    }

    /// `GET /schemas/guids/{guid}`: the same body as the schema's id answers (the
    /// default context's id first, as Confluent looks there first).
    pub fn schema_by_guid(&self, caller: Caller<'_>, guid: &str) -> Result<Arc<IdDoc>> {
        let (context, id) = self.ids_of_guid(guid)?.swap_remove(0);
        if context.is_empty() {
            return self.schema_by_id(caller, id);
        }
        let doc = id_doc(self.stored(&context, id)?, None)?;
        caller.check_shown(&context, id, &doc.references)?;
        Ok(Arc::new(doc))
    }

    /// `GET /schemas/guids/{guid}/ids`: the id in each context that has the schema, as
    /// (context name, id).
    pub fn ids_by_guid(&self, guid: &str) -> Result<Vec<(String, SchemaId)>> {
        Ok(self
            .ids_of_guid(guid)?
            .into_iter()
            .map(|(context, id)| (Context::of(&context).name().to_owned(), id))
            .collect())
    }

    /// The subject versions using id `id` of the context `subject` picks (see
    /// [`Registry::locate_id`]), soft-deleted ones with `deleted`.
    pub(super) fn id_usages(
        &self,
        id: SchemaId,
        subject: Option<&str>,
        deleted: bool,
    ) -> Result<Vec<(String, VersionEntry)>> {
        // Confluent names no id here (`schemaNotFoundException()`).
        let (context, _) = self.locate_id(id, subject).map_err(|e| match e {
            Error::SchemaNotFound(_) => Error::NoMatchingSchema,
            e => e,
        })?;
        if self.store.schema(&context, id)?.is_none() {
            return Err(Error::NoMatchingSchema);
        }
        Ok(self
            .usages_in(&context, id)?
            .into_iter()
            .filter(|(_, e)| deleted || !e.deleted)
            .collect())
    }

    /// `GET /schemas/ids/{id}/subjects`, in the context `subject` picks, paged
    /// (`offset`, then at most `limit`; no cap, as Confluent's default subject limits
    /// have none).
    pub fn id_subjects(
        &self,
        id: SchemaId,
        subject: Option<&str>,
        deleted: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<String>> {
        let mut subjects: Vec<String> = self
            .id_usages(id, subject, deleted)?
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        subjects.dedup();
        Ok(paginate(subjects, offset, limit))
    }

    /// `GET /schemas/ids/{id}/versions`, as [`Registry::id_subjects`].
    pub fn id_versions(
        &self,
        id: SchemaId,
        subject: Option<&str>,
        deleted: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<(String, i32)>> {
        let pairs = self
            .id_usages(id, subject, deleted)?
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
        if listing.associations == AssociationFilter::Associated {
            return Ok(out);
        }
        let prefix = SubjectPrefix::parse(&listing.prefix);
        // Confluent's `getAliases`: each subject an `alias` of the listing names (read in
        // the aliasing subject's context), with the subjects that name it.
        let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
        if listing.aliases {
            for (key, config) in self.store.configs()? {
                if let Some(alias) = config.alias.filter(|a| !a.is_empty())
                    && prefix.matches(&key)
                {
                    let target = Context::of(&key).qualify_reference(&alias);
                    aliases.entry(target).or_default().push(key);
                }
            }
        }
        for (subject, versions) in self.store.all_versions()? {
            if !prefix.matches(&subject) && !aliases.contains_key(&subject) {
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
                let mut view = self.view(&subject, v)?;
                view.aliases = aliases.get(&subject).cloned();
                if let Some(rule_type) = &listing.rule_type
                    && !view
                        .rule_set
                        .as_ref()
                        .is_some_and(|r| r.has_rule_type(rule_type))
                {
                    continue;
                }
                caller.check_shown(&context_of(&view.subject), view.id, &view.references)?;
                out.push(view);
            }
        }
        // Confluent's `normalizeSchemaLimit`.
        Ok(paginate(
            out,
            listing.offset,
            capped(listing.limit, SCHEMA_LIMIT),
        ))
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
        let prefix = SubjectPrefix::parse(prefix);
        let subjects = self
            .store
            .all_versions()?
            .into_iter()
            .filter(|(s, _)| prefix.matches(s))
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

    /// [`Registry::get_version`], refused to a prefix-limited `caller` when the
    /// version's references name subjects outside its prefixes.
    pub(super) fn shown_version(
        &self,
        caller: Caller<'_>,
        subject: &Subject,
        version: VersionSpec,
        deleted: bool,
    ) -> Result<SchemaView> {
        let view = self.get_version(subject, version, deleted)?;
        caller.check_shown(&context_of(&view.subject), view.id, &view.references)?;
        Ok(view)
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
            return render(&self.shown_version(caller, subject, version, deleted)?);
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
            let stored = self.stored(&context_of(subject), entry.id)?;
            let matches = stored.metadata.as_ref().is_some_and(|m| {
                wanted
                    .iter()
                    .all(|(k, v)| m.property(k) == Some(v.as_str()))
            });
            if matches {
                caller.check_shown(&context_of(subject), entry.id, &stored.references)?;
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
            for (context, id) in self.store.referrers(subject, entry.version)? {
                if !self.usages_in(&context, id)?.is_empty() {
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

/// Confluent's cap on listings of schemas (`schema.search.max.limit`, which is also
/// the default): `referencedby` and `GET /schemas` answer at most this many, so a
/// client paging with `offset` sees the pages it sees there.
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

/// The body of `GET /schemas/ids/{id}` for `stored`, with the subject version it was
/// found under when the request named a subject.
fn id_doc(stored: StoredSchema, found: Option<(&str, i32)>) -> Result<IdDoc> {
    let json = render(&IdBody {
        subject: found.map(|(s, _)| s),
        version: found.map(|(_, v)| v),
        schema: &stored.schema,
        schema_type: stored.schema_type,
        references: &stored.references,
        metadata: stored.metadata.as_ref(),
        rule_set: stored.rule_set.as_ref(),
        guid: &stored.guid(),
    })?;
    Ok(IdDoc {
        json,
        raw: exact(stored.schema.into_bytes()),
        references: stored.references,
    })
}

/// Confluent's `referenceFormat=qualified`: when `subject` is outside the default
/// context, each reference names the subject it resolves to, qualified.
pub(super) fn qualify_references(subject: &str, references: &mut [SchemaRef]) {
    let context = Context::of(subject);
    if context.is_default() {
        return;
    }
    for r in references {
        r.subject = context.qualify_reference(&r.subject);
    }
}
