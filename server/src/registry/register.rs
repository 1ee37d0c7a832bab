//! Registration: a new version of a subject, or the one that already holds the schema,
//! with the data contract Confluent 8 would give it (inherited from the previous
//! version, merged with the config's defaults and overrides, `confluent:version`).

use super::*;

/// The current time as Confluent's `ts`: milliseconds since the Unix epoch.
pub(super) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Registry {
    /// `POST /subjects/{s}/versions` for `caller`: the version that holds the schema,
    /// new or existing, as Confluent's register answers it.
    pub fn register(
        &self,
        caller: Caller<'_>,
        subject: &Subject,
        input: &SchemaInput,
        requested_id: Option<i64>,
        requested_version: Option<i64>,
        normalize: bool,
    ) -> Result<Written<SchemaView>> {
        self.register_with(
            caller,
            subject,
            input,
            requested_id,
            requested_version,
            normalize,
            false,
        )
    }

    /// [`Registry::register`], with `force` (`POST /subjects/{s}/versions?force=true`):
    /// no compatibility check, as Confluent's `force` skips it outside IMPORT mode.
    /// Since it bypasses the level an admin set, it needs the admin role (the route
    /// itself needs only write); Confluent's open-source registry has no roles.
    #[allow(clippy::too_many_arguments)]
    pub fn register_with(
        &self,
        caller: Caller<'_>,
        subject: &Subject,
        input: &SchemaInput,
        requested_id: Option<i64>,
        requested_version: Option<i64>,
        normalize: bool,
        force: bool,
    ) -> Result<Written<SchemaView>> {
        // Validated at the edge; the store keys by the name.
        let subject = subject.as_str();
        // Ids, content keys and references are the context's own.
        let context = context_of(subject);
        let context = context.as_str();
        if force && !caller.is_admin() {
            return Err(caller.denied(
                Role::Admin,
                &format!("Subject: {subject} (force=true skips the compatibility check, which needs the admin role)"),
            ));
        }
        caller.check_references(context, input.references.as_deref())?;
        let given = contract_of(input)?;
        let config = self.effective_config(subject)?;
        let normalize = normalize || config.normalize == Some(true);
        let has_text = input
            .schema
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        // Parse outside the writer lock: it is the expensive part and needs no
        // consistency; under the lock the candidate is re-used unless the contract or
        // the text turn out to be inherited.
        let early = if has_text {
            Some(self.parse_input_with(subject, input, given.clone(), normalize)?)
        } else {
            None
        };
        // Serializers re-register on every start: answer a schema the subject already
        // holds without queueing behind writers, as Confluent's `registerOrForward`
        // looks up first when the config adds nothing to a registration. Versions only
        // appear under the lock, so a hit seen here stays a hit.
        if let Some(cand) = &early
            && requested_id.is_none()
            && matches!(requested_version, None | Some(0) | Some(-1))
            && !config.has_defaults_or_overrides()
        {
            let mut live: Vec<VersionEntry> = self
                .store
                .versions(subject)?
                .into_iter()
                .filter(|v| !v.deleted)
                .collect();
            // Version -1 asks for the latest: only it can answer (`lookupLatestOnly`).
            if requested_version == Some(-1) {
                live = live.split_off(live.len().saturating_sub(1));
            }
            if let Some(hit) = self.matching_version(cand, &live, normalize)? {
                self.ensure_writable(subject)?;
                return Ok(Written {
                    value: SchemaView::of("", &hit, self.stored(context, hit.id)?),
                    seq: self.current_seq(),
                });
            }
        }
        let writer = self.lock_writer()?;
        let mode = self.ensure_writable(subject)?;
        let import = mode.is_import_or_forward();
        let versions = self.store.versions(subject)?;
        let live: Vec<VersionEntry> = versions.iter().filter(|v| !v.deleted).copied().collect();
        let max_version = versions.iter().map(|v| v.version).max().unwrap_or(0);
        let next_version = max_version
            .checked_add(1)
            .ok_or_else(|| Error::InvalidVersion("2^31".into()))?;

        // Confluent's `maybePopulateFromPrevious`, skipped in IMPORT mode: a request
        // without a schema re-uses the latest version's, and the contract is inherited
        // and merged with the config's.
        let previous = match live.last() {
            Some(v) if !import => Some((v.id, self.stored(context, v.id)?)),
            _ => None,
        };
        let filled;
        let input = match (has_text, &previous) {
            (true, _) => input,
            (false, Some((id, prev))) => {
                // The previous version's references become this request's: the caller
                // may only pin and see subjects it may read, and a refusal names the
                // schema, as a read of it would, never the subjects.
                caller.check_shown(context, *id, &prev.references)?;
                filled = SchemaInput {
                    schema: Some(prev.schema.clone()),
                    schema_type: Some(prev.schema_type.as_str().to_owned()),
                    references: Some(prev.references.iter().map(RefInput::from).collect()),
                    ..input.clone()
                };
                &filled
            }
            (false, None) => return Err(Error::InvalidSchema("Empty schema".into())),
        };
        let contract = if import {
            given
        } else {
            let asked = matches!(requested_version, Some(v) if v != 0);
            let previous = previous.as_ref().map(|(_, p)| p);
            inherit(&config, given, previous, Some(next_version), asked)
        };
        let cand = match early {
            Some(cand) if cand.contract == contract => cand,
            _ => self.parse_input_with(subject, input, contract, normalize)?,
        };
        self.recheck_references(&cand)?;

        if let Some(hit) = self.matching_version(&cand, &live, normalize)? {
            if let Some(req) = requested_id
                && req != i64::from(hit.id)
            {
                return Err(Error::IdMismatch(format!(
                    "Schema already registered with id {} instead of input id {req}",
                    hit.id
                )));
            }
            // Possibly committed by a writer whose flush is still running: wait for it too.
            return Ok(Written {
                value: SchemaView::of("", &hit, self.stored(context, hit.id)?),
                seq: self.current_seq(),
            });
        }

        let existing_id = self.store.id_for_key(&cand.key)?;
        let id = match requested_id {
            None => match existing_id {
                Some(id) => id,
                None => self.store.next_id(context)?,
            },
            Some(req) if !import => match existing_id {
                Some(id) if i64::from(id) == req => id,
                _ => {
                    return Err(Error::NotPermitted(
                        "a schema id can only be given in IMPORT mode".into(),
                    ));
                }
            },
            Some(req) => self.import_id(caller, req, &cand)?,
        };
        if id.0 > i32::MAX as u32 {
            return Err(Error::Store(StoreError("schema ids exhausted".into())));
        }

        let version = match requested_version {
            None | Some(-1) | Some(0) => next_version,
            Some(v) if v < 1 || v > i64::from(i32::MAX) => {
                return Err(Error::InvalidVersion(v.to_string()));
            }
            Some(v) if import => {
                let v = v as i32;
                if let Some(existing) = versions.iter().find(|e| e.version == v)
                    && (existing.id != id || !existing.deleted)
                {
                    return Err(Error::InvalidVersion(format!(
                        "{v} (already holds schema id {})",
                        existing.id
                    )));
                }
                v
            }
            Some(v) if v == i64::from(next_version) => v as i32,
            // Confluent's words and code (42201) for a version that is not the next one.
            Some(v) => {
                return Err(Error::InvalidSchema(format!(
                    "Version is not one more than previous version: {v} given, the next version of {subject} is {next_version}"
                )));
            }
        };

        if !import && !force {
            self.check_against_history(subject, &cand, &live, &config)?;
        }

        let mut ops = Vec::with_capacity(3);
        let stored = match self.store.schema(context, id)? {
            Some(stored) => stored,
            None => {
                let schema = StoredSchema {
                    schema_type: cand.parsed.schema_type(),
                    schema: self.text_to_store(&cand.parsed, &cand.texts),
                    references: cand.references,
                    metadata: cand.contract.metadata,
                    rule_set: cand.contract.rule_set,
                };
                ops.push(Op::PutSchema {
                    context: context.to_owned(),
                    id,
                    key: cand.key,
                    guid: schema.guid(),
                    schema: schema.clone(),
                });
                schema
            }
        };
        let entry = VersionEntry {
            version,
            id,
            deleted: false,
            ts: Some(now_ms()),
        };
        ops.push(Op::PutVersion {
            subject: subject.to_owned(),
            entry,
        });
        ops.push(Op::SetNextId {
            context: context.to_owned(),
            next: id.next(),
        });
        // A context is listed from its first registration until `DELETE /contexts`.
        if !context.is_empty() && !self.store.contexts()?.iter().any(|c| c == context) {
            ops.push(Op::SetContext {
                context: context.to_owned(),
                present: true,
            });
        }
        let seq = self.commit(writer, &ops)?;
        // Answered from what was just decided, without reading it back.
        Ok(Written {
            value: SchemaView::of("", &entry, stored),
            seq,
        })
    }

    /// The id an IMPORT registration asks for, checked: in range, allowed to the
    /// caller, and free in the candidate's context or already holding this very schema
    /// there.
    fn import_id(&self, caller: Caller<'_>, req: i64, cand: &Candidate) -> Result<SchemaId> {
        let invalid = || {
            Error::IdMismatch(format!(
                "invalid schema id {req}: an imported id must be between 1 and {MAX_IMPORT_ID}, so that ids remain for the registrations after an import"
            ))
        };
        let id = u32::try_from(req)
            .ok()
            .filter(|id| *id >= 1 && *id <= i32::MAX as u32)
            .map(SchemaId)
            .ok_or_else(invalid)?;
        // Who may move the counter first: a refusal says what to ask for.
        self.check_import_id(caller, &cand.context, id)?;
        if id.0 > MAX_IMPORT_ID {
            return Err(invalid());
        }
        if let Some(stored) = self.store.schema(&cand.context, id)?
            && (stored.schema_type != cand.parsed.schema_type()
                || self.parsed(&cand.context, id)?.fingerprint() != cand.parsed.fingerprint()
                || stored.references != cand.references
                || stored.metadata != cand.contract.metadata
                || stored.rule_set != cand.contract.rule_set)
        {
            return Err(Error::IdMismatch(format!(
                "Overwrite new schema with id {id} is not permitted: a different schema has that id"
            )));
        }
        Ok(id)
    }

    /// An imported id at or above the id counter raises the counter, and so moves the id
    /// space of every subject: only an admin without subject prefixes may give one. Ids
    /// below it are free slots an earlier import skipped (or schemas already stored,
    /// checked by the caller), and taking one changes nothing for anyone else.
    pub(super) fn check_import_id(
        &self,
        caller: Caller<'_>,
        context: &str,
        id: SchemaId,
    ) -> Result<()> {
        let next = self.store.next_id(context)?;
        if id < next || caller.is_global_admin() {
            return Ok(());
        }
        Err(caller.denied(
            Role::Admin,
            &format!(
                "this server: schema id {id} is at or above the next id ({next}), and only an admin without subject prefixes may import ids that move the id counter"
            ),
        ))
    }

    /// Refuses `cand` when the subject's level finds a breaking change against `live`.
    /// With a `compatibilityGroup`, only versions whose metadata gives that property
    /// the candidate's value (or, like it, none) are compared, as in Confluent.
    pub(super) fn check_against_history(
        &self,
        subject: &str,
        cand: &Candidate,
        live: &[VersionEntry],
        config: &ConfigRecord,
    ) -> Result<()> {
        let level = config.compatibility_level.unwrap_or(self.default_level);
        let grouped;
        let live = match &config.compatibility_group {
            None => live,
            Some(group) => {
                let value = Metadata::group_value(cand.contract.metadata.as_ref(), group);
                grouped = self.in_group(&cand.context, live, group, value)?;
                &grouped[..]
            }
        };
        let against: &[VersionEntry] = match (level, live.len()) {
            (Level::None, _) | (_, 0) => return Ok(()),
            (l, _) if l.is_transitive() => live,
            (_, n) => &live[n - 1..],
        };
        let report = self.report(level, config.validate_fields == Some(true), cand, against)?;
        if report.is_compatible {
            Ok(())
        } else {
            Err(Error::Incompatible {
                subject: subject.to_owned(),
                messages: report.messages.unwrap_or_default(),
            })
        }
    }

    /// The versions among `live` (of a subject of `context`) whose metadata property
    /// `group` is `value`.
    pub(super) fn in_group(
        &self,
        context: &str,
        live: &[VersionEntry],
        group: &str,
        value: Option<&str>,
    ) -> Result<Vec<VersionEntry>> {
        let mut out = Vec::with_capacity(live.len());
        for v in live {
            let stored = self.stored(context, v.id)?;
            if Metadata::group_value(stored.metadata.as_ref(), group) == value {
                out.push(*v);
            }
        }
        Ok(out)
    }
}

/// Confluent's `maybeSetMetadataRuleSet`: the registration's own metadata and rules, or
/// else the previous version's; under the config's defaults and over its overrides
/// ([`Contract::inherit`]). With a `new_version` (registration, not lookup),
/// `confluent:version` is set to it when a version was `asked` for or the merged
/// metadata already carries one.
pub(super) fn inherit(
    config: &ConfigRecord,
    given: Contract,
    previous: Option<&StoredSchema>,
    new_version: Option<i32>,
    asked: bool,
) -> Contract {
    let previous = previous.map(StoredSchema::contract);
    let mut merged = given.inherit(previous.as_ref(), &config.defaults(), &config.overrides());
    if let Some(version) = new_version
        && (asked
            || merged
                .metadata
                .as_ref()
                .is_some_and(|m| m.confluent_version().is_some()))
    {
        merged.metadata = Some(Metadata::with_confluent_version(
            merged.metadata.as_ref(),
            version,
        ));
    }
    merged
}
