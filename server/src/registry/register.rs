//! Registration: a new version of a subject, or the one that already holds the schema.

use super::*;

impl Registry {
    /// `POST /subjects/{s}/versions` for `caller`: returns the schema's global id.
    pub fn register(
        &self,
        caller: Caller<'_>,
        subject: &Subject,
        input: &SchemaInput,
        requested_id: Option<i64>,
        requested_version: Option<i64>,
        normalize: bool,
    ) -> Result<Written<SchemaId>> {
        // Validated at the edge; the store keys by the name.
        let subject = subject.as_str();
        caller.check_references(input.references.as_deref())?;
        // Parse outside the writer lock: it is the expensive part and needs no consistency.
        let cand = self.parse_input(input, normalize)?;
        // Serializers re-register on every start: answer a schema the subject already
        // holds without queueing behind writers. Versions only appear under the lock,
        // so a hit seen here stays a hit.
        if requested_id.is_none()
            && requested_version.is_none()
            && let Some(id) = self.store.id_for_key(&cand.key)?
            && self
                .store
                .versions(subject)?
                .iter()
                .any(|v| v.id == id && !v.deleted)
        {
            self.ensure_writable(subject)?;
            return Ok(Written {
                value: id,
                seq: self.current_seq(),
            });
        }
        let writer = self.lock_writer()?;
        let mode = self.ensure_writable(subject)?;
        self.recheck_references(&cand)?;
        let import = mode == Mode::Import;
        let versions = self.store.versions(subject)?;
        let live: Vec<VersionEntry> = versions.iter().filter(|v| !v.deleted).copied().collect();

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
                value: hit.id,
                seq: self.current_seq(),
            });
        }

        let existing_id = self.store.id_for_key(&cand.key)?;
        let id = match requested_id {
            None => match existing_id {
                Some(id) => id,
                None => self.store.next_id()?,
            },
            Some(req) if !import => match existing_id {
                Some(id) if i64::from(id) == req => id,
                _ => {
                    return Err(Error::NotPermitted(
                        "a schema id can only be given in IMPORT mode".into(),
                    ));
                }
            },
            Some(req) => {
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
                self.check_import_id(caller, id)?;
                if id.0 > MAX_IMPORT_ID {
                    return Err(invalid());
                }
                if let Some(stored) = self.store.schema(id)?
                    && (stored.schema_type != cand.parsed.schema_type()
                        || stored.schema != cand.parsed.canonical()
                        || stored.references != cand.references)
                {
                    return Err(Error::IdMismatch(format!(
                        "Overwrite new schema with id {id} is not permitted: a different schema has that id"
                    )));
                }
                id
            }
        };
        if id.0 > i32::MAX as u32 {
            return Err(Error::Store(StoreError("schema ids exhausted".into())));
        }

        let max_version = versions.iter().map(|v| v.version).max().unwrap_or(0);
        let version = match requested_version {
            None | Some(-1) | Some(0) => max_version
                .checked_add(1)
                .ok_or_else(|| Error::InvalidVersion("2^31".into()))?,
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
            Some(v) if v == i64::from(max_version) + 1 => v as i32,
            Some(v) => return Err(Error::InvalidVersion(v.to_string())),
        };

        if !import {
            self.check_against_history(subject, &cand, &live)?;
        }

        let mut ops = Vec::with_capacity(3);
        if self.store.schema(id)?.is_none() {
            ops.push(Op::PutSchema {
                id,
                key: cand.key,
                schema: StoredSchema {
                    schema_type: cand.parsed.schema_type(),
                    schema: cand.parsed.canonical().to_owned(),
                    references: cand.references.clone(),
                },
            });
        }
        ops.push(Op::PutVersion {
            subject: subject.to_owned(),
            entry: VersionEntry {
                version,
                id,
                deleted: false,
            },
        });
        ops.push(Op::SetNextId(id.next()));
        let seq = self.commit(writer, &ops)?;
        Ok(Written { value: id, seq })
    }

    /// An imported id at or above the id counter raises the counter, and so moves the id
    /// space of every subject: only an admin without subject prefixes may give one. Ids
    /// below it are free slots an earlier import skipped (or schemas already stored,
    /// checked by the caller), and taking one changes nothing for anyone else.
    pub(super) fn check_import_id(&self, caller: Caller<'_>, id: SchemaId) -> Result<()> {
        let next = self.store.next_id()?;
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
    pub(super) fn check_against_history(
        &self,
        subject: &str,
        cand: &Candidate,
        live: &[VersionEntry],
    ) -> Result<()> {
        let level = self.effective_level(subject)?;
        let against: &[VersionEntry] = match (level, live.len()) {
            (Level::None, _) | (_, 0) => return Ok(()),
            (l, _) if l.is_transitive() => live,
            (_, n) => &live[n - 1..],
        };
        let report = self.report(level, cand, against)?;
        if report.is_compatible {
            Ok(())
        } else {
            Err(Error::Incompatible {
                subject: subject.to_owned(),
                messages: report.messages.unwrap_or_default(),
            })
        }
    }
}
