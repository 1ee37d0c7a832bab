//! KEKs: list, read, create, update, soft and permanent delete, undelete, test; with
//! Confluent's rules (a KEK that still wraps DEKs cannot be deleted; a create of an
//! unchanged soft-deleted KEK undeletes it).

use super::input::{self, CreateKekInput, KekUpdate};
use super::*;
use crate::registry::register::now_ms;

impl Registry {
    /// `GET /dek-registry/v1/keks`: KEK names, sorted; with `subjectPrefix`es, the KEKs
    /// that wrap a DEK of a subject starting with one of them. Each prefix must be within
    /// the caller's own (the auth layer checks only the first).
    pub fn list_keks(
        &self,
        caller: Caller<'_>,
        prefixes: &[String],
        deleted: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<String>> {
        if let Some(p) = prefixes.iter().find(|p| !caller.may_read(p)) {
            return Err(caller.denied(Role::Read, &format!("subjects starting with {p}")));
        }
        let keks = self.store.keks()?;
        let names = if prefixes.is_empty() {
            keks.into_iter()
                .filter(|k| deleted || !k.deleted)
                .map(|k| k.name)
                .collect()
        } else {
            let mut names = Vec::new();
            for kek in keks {
                let wraps = self.store.deks(&kek.name)?.iter().any(|d| {
                    (deleted || !d.deleted) && prefixes.iter().any(|p| d.subject.starts_with(p))
                });
                if wraps {
                    names.push(kek.name);
                }
            }
            names
        };
        Ok(paginate(names, offset, limit))
    }

    /// `GET /dek-registry/v1/keks/{name}`.
    pub fn get_kek(&self, name: &str, deleted: bool) -> Result<KekRecord> {
        self.live_kek(input::kek_name(name)?, deleted)
    }

    /// `POST /dek-registry/v1/keks`: the KEK created (or undeleted, when the request
    /// names a soft-deleted KEK unchanged).
    pub fn create_kek(
        &self,
        req: CreateKekInput,
        test_sharing: bool,
    ) -> Result<Written<KekRecord>> {
        let name = input::kek_name(req.name.as_deref().unwrap_or_default())?.to_owned();
        let kms_key_id = req
            .kms_key_id
            .filter(|id| !id.is_empty())
            .ok_or(DekError::invalid("kmsKeyId"))?;
        let kms_type = req.kms_type.ok_or(DekError::invalid("kmsType"))?;
        input::check_kms_key_id(&kms_type, &kms_key_id)?;
        let (shared, deleted) = (req.shared.unwrap_or(false), req.deleted.unwrap_or(false));
        if shared && test_sharing {
            return Err(cannot_test_sharing(&name).into());
        }
        let writer = self.lock_writer()?;
        if self.store.key_counts()?.keks >= self.dek_max_keys {
            return Err(DekError::TooManyKeys(self.dek_max_keys).into());
        }
        let kek = KekRecord {
            name,
            kms_type: input::normalize_kms_type(&kms_type),
            kms_key_id,
            kms_props: req.kms_props.unwrap_or_default(),
            doc: req.doc,
            shared,
            ts: now_ms(),
            deleted,
        };
        if let Some(old) = self.store.kek(&kek.name)?
            && (old.deleted == deleted || !old.is_equivalent(&kek))
        {
            return Err(DekError::AlreadyExists(kek.name).into());
        }
        let seq = self.commit(writer, &[Op::PutKek(kek.clone())])?;
        Ok(Written { value: kek, seq })
    }

    /// `PUT /dek-registry/v1/keks/{name}`: `kmsProps`, `doc` and `shared` change; the
    /// KMS type and key id never do. Answers the KEK as it now is.
    pub fn update_kek(
        &self,
        name: &str,
        update: KekUpdate,
        test_sharing: bool,
    ) -> Result<Written<KekRecord>> {
        let name = input::kek_name(name)?;
        let writer = self.lock_writer()?;
        let old = self.live_kek(name, false)?;
        let shared = update.shared.unwrap_or(old.shared);
        if shared && test_sharing {
            return Err(cannot_test_sharing(name).into());
        }
        let kek = KekRecord {
            kms_props: match update.kms_props {
                None => old.kms_props.clone(),
                Some(props) => props.unwrap_or_default(),
            },
            doc: update.doc.unwrap_or_else(|| old.doc.clone()),
            shared,
            ts: now_ms(),
            ..old.clone()
        };
        if kek.is_equivalent(&old) {
            let seq = self.commit_keys(writer, &[])?;
            return Ok(Written { value: old, seq });
        }
        let seq = self.commit(writer, &[Op::PutKek(kek.clone())])?;
        Ok(Written { value: kek, seq })
    }

    /// `DELETE /dek-registry/v1/keks/{name}`: soft (refused while the KEK wraps a live
    /// DEK), or with `permanent` after a soft delete (refused while it wraps any DEK,
    /// soft-deleted ones included). A soft delete of a soft-deleted KEK changes nothing.
    pub fn delete_kek(&self, name: &str, permanent: bool) -> Result<Written<()>> {
        let name = input::kek_name(name)?;
        let writer = self.lock_writer()?;
        let old = self.live_kek(name, true)?;
        if self
            .store
            .deks(name)?
            .iter()
            .any(|d| permanent || !d.deleted)
        {
            return Err(DekError::ReferenceExists(name.to_owned()).into());
        }
        let ops = if permanent {
            if !old.deleted {
                return Err(DekError::KeyNotSoftDeleted(name.to_owned()).into());
            }
            vec![Op::RemoveKek {
                name: name.to_owned(),
            }]
        } else if old.deleted {
            Vec::new()
        } else {
            vec![Op::PutKek(KekRecord {
                deleted: true,
                ts: now_ms(),
                ..old
            })]
        };
        let seq = self.commit_keys(writer, &ops)?;
        Ok(Written { value: (), seq })
    }

    /// `POST /dek-registry/v1/keks/{name}/undelete`; a live KEK stays as it is.
    pub fn undelete_kek(&self, name: &str) -> Result<Written<()>> {
        let name = input::kek_name(name)?;
        let writer = self.lock_writer()?;
        let old = self.live_kek(name, true)?;
        let ops = if old.deleted {
            vec![Op::PutKek(KekRecord {
                deleted: false,
                ts: now_ms(),
                ..old
            })]
        } else {
            Vec::new()
        };
        let seq = self.commit_keys(writer, &ops)?;
        Ok(Written { value: (), seq })
    }

    /// `POST /dek-registry/v1/keks/{name}/test`: Confluent wraps a test DEK with a shared
    /// KEK's KMS key, and refuses to test one that is not shared (42271 `shared`).
    /// Schemagate holds no KMS credentials, so a shared KEK cannot be tested (40370).
    pub fn test_kek(&self, name: &str) -> Result<KekRecord> {
        let kek = self.live_kek(input::kek_name(name)?, false)?;
        if !kek.shared {
            return Err(DekError::invalid_because(
                "shared",
                format!("only a shared KEK is tested, by the registry's own KMS access; '{}' is not shared", kek.name),
            )
            .into());
        }
        Err(DekError::NoKms(format!(
            "Schemagate holds no KMS credentials, so it cannot test shared KEK '{}' against its KMS: test the key with the KMS directly",
            kek.name
        ))
        .into())
    }
}

/// 40370 for `testSharing=true` on a shared KEK.
fn cannot_test_sharing(name: &str) -> DekError {
    DekError::NoKms(format!(
        "Schemagate holds no KMS credentials, so it cannot test sharing of KEK '{name}' (testSharing=true): send the request without testSharing"
    ))
}
