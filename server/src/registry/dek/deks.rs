//! DEKs: list, read, create, soft and permanent delete, undelete, of a subject's DEK
//! under a KEK (every version, or one), with Confluent's rules. A DEK is created only
//! with the key material the client wrapped: Schemagate has no KMS to generate one.

use super::input::{self, CreateDekInput};
use super::*;
use crate::registry::register::now_ms;
use crate::store::keys::{DekAlgorithm, DekRecord};

impl Registry {
    /// The versions of `subject`'s DEK with `algorithm` (soft-deleted ones only when
    /// `include_deleted`), ascending.
    fn dek_versions_of(
        &self,
        kek: &str,
        subject: &str,
        algorithm: DekAlgorithm,
        include_deleted: bool,
    ) -> Result<Vec<DekRecord>> {
        Ok(self
            .store
            .subject_deks(kek, subject)?
            .into_iter()
            .filter(|d| d.algorithm == algorithm && (include_deleted || !d.deleted))
            .collect())
    }

    /// One version (`latest`: the newest) of `subject`'s DEK; 40470 naming the subject.
    fn find_dek(
        &self,
        kek: &str,
        subject: &str,
        version: VersionSpec,
        algorithm: DekAlgorithm,
        include_deleted: bool,
    ) -> Result<DekRecord> {
        let mut versions = self.dek_versions_of(kek, subject, algorithm, include_deleted)?;
        let found = match version {
            VersionSpec::Latest => versions.pop(),
            VersionSpec::Number(n) => versions.into_iter().find(|d| d.version == n),
        };
        found.ok_or_else(|| DekError::KeyNotFound(subject.to_owned()).into())
    }

    /// `GET /dek-registry/v1/keks/{name}/deks`: the subjects with a DEK under the KEK.
    pub fn list_dek_subjects(
        &self,
        kek: &str,
        deleted: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<String>> {
        let kek = self.live_kek(input::kek_name(kek)?, deleted)?;
        let mut subjects: Vec<String> = self
            .store
            .deks(&kek.name)?
            .into_iter()
            .filter(|d| deleted || !d.deleted)
            .map(|d| d.subject)
            .collect();
        subjects.dedup();
        Ok(paginate(subjects, offset, limit))
    }

    /// `GET /dek-registry/v1/keks/{name}/deks/{s}[/versions/{v}]`: one version of the
    /// DEK (the path without a version names version 1, as Confluent's does), as stored:
    /// `encryptedKeyMaterial`, never `keyMaterial`.
    pub fn get_dek(
        &self,
        kek: &str,
        subject: &str,
        version: VersionSpec,
        algorithm: Option<DekAlgorithm>,
        deleted: bool,
    ) -> Result<DekRecord> {
        let kek = self.live_kek(input::kek_name(kek)?, deleted)?;
        let subject = input::dek_subject(subject)?;
        self.find_dek(
            &kek.name,
            subject,
            version,
            algorithm.unwrap_or_default(),
            deleted,
        )
    }

    /// `GET /dek-registry/v1/keks/{name}/deks/{s}/versions`.
    pub fn list_dek_versions(
        &self,
        kek: &str,
        subject: &str,
        algorithm: Option<DekAlgorithm>,
        deleted: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<i32>> {
        let kek = self.live_kek(input::kek_name(kek)?, deleted)?;
        let subject = input::dek_subject(subject)?;
        let versions = self
            .dek_versions_of(&kek.name, subject, algorithm.unwrap_or_default(), deleted)?
            .into_iter()
            .map(|d| d.version)
            .collect();
        Ok(paginate(versions, offset, limit))
    }

    /// `POST /dek-registry/v1/keks/{name}/deks[/{s}]`: stores the DEK the client wrapped
    /// with the KEK. The subject is the path's, else the body's (which the caller must
    /// be allowed to write: the route cannot name it). With `rewrap`, an existing
    /// version's wrapped material is replaced (a key re-wrapped under a rotated KMS key).
    pub fn create_dek(
        &self,
        caller: Caller<'_>,
        kek: &str,
        path_subject: Option<&str>,
        req: CreateDekInput,
        rewrap: bool,
    ) -> Result<Written<DekRecord>> {
        let kek_name = input::kek_name(kek)?.to_owned();
        let subject = match path_subject {
            Some(s) => s.to_owned(),
            None => req.subject.unwrap_or_default(),
        };
        input::dek_subject(&subject)?;
        if !caller.may_read(&subject) {
            return Err(caller.denied(Role::Write, &format!("Subject: {subject}")));
        }
        let algorithm = input::algorithm_field(req.algorithm.as_deref())?;
        let version = match req.version {
            None => 1,
            Some(v) => i32::try_from(v).ok().filter(|v| *v >= 1).ok_or_else(|| {
                DekError::invalid_because("version", "a DEK version is from 1 to 2^31-1")
            })?,
        };
        let deleted = req.deleted.unwrap_or(false);
        let material = req.encrypted_key_material.filter(|m| !m.is_empty());
        let writer = self.lock_writer()?;
        let kek = self.live_kek(&kek_name, deleted)?;
        if self.store.key_counts()?.deks >= self.dek_max_keys {
            return Err(DekError::TooManyKeys(self.dek_max_keys).into());
        }
        let old = self
            .dek_versions_of(&kek.name, &subject, algorithm, true)?
            .into_iter()
            .find(|d| d.version == version);
        let Some(material) = material else {
            return Err(if kek.shared {
                DekError::NoKms(format!(
                    "Schemagate holds no KMS credentials, so it cannot generate or wrap a DEK for shared KEK '{}': generate the DEK in the client, wrap it with the KEK's KMS key and send it as encryptedKeyMaterial (or use a KEK with shared=false)",
                    kek.name
                ))
            } else {
                DekError::invalid_because(
                    "encryptedKeyMaterial",
                    format!(
                        "KEK '{}' is not shared, so the client generates the DEK, wraps it with the KEK's KMS key and sends it"
                    , kek.name),
                )
            }
            .into());
        };
        let dek = DekRecord {
            kek_name: kek.name.clone(),
            subject,
            version,
            algorithm,
            encrypted_key_material: material,
            ts: now_ms(),
            deleted,
        };
        if let Some(old) = &old {
            let conflict = !rewrap && (old.deleted == deleted || !old.is_equivalent(&dek));
            // A shared KEK's DEK is re-wrapped by the registry in Confluent, never replaced.
            if conflict || kek.shared {
                return Err(DekError::AlreadyExists(dek.subject).into());
            }
        }
        let seq = self.commit(writer, &[Op::PutDek(dek.clone())])?;
        Ok(Written { value: dek, seq })
    }

    /// `DELETE /dek-registry/v1/keks/{name}/deks/{s}`: every version, soft, or with
    /// `permanent` once every version is soft-deleted.
    pub fn delete_dek(
        &self,
        kek: &str,
        subject: &str,
        algorithm: Option<DekAlgorithm>,
        permanent: bool,
    ) -> Result<Written<()>> {
        let (kek, subject) = (input::kek_name(kek)?, input::dek_subject(subject)?);
        let writer = self.lock_writer()?;
        self.live_kek(kek, true)?;
        let versions = self.dek_versions_of(kek, subject, algorithm.unwrap_or_default(), true)?;
        if versions.is_empty() {
            return Err(DekError::KeyNotFound(subject.to_owned()).into());
        }
        let ops = delete_ops(subject, versions, permanent)?;
        let seq = self.commit_keys(writer, &ops)?;
        Ok(Written { value: (), seq })
    }

    /// `DELETE /dek-registry/v1/keks/{name}/deks/{s}/versions/{v}`: one version, soft,
    /// or with `permanent` once soft-deleted (`latest` is the newest, soft-deleted or not).
    pub fn delete_dek_version(
        &self,
        kek: &str,
        subject: &str,
        version: VersionSpec,
        algorithm: Option<DekAlgorithm>,
        permanent: bool,
    ) -> Result<Written<()>> {
        let (kek, subject) = (input::kek_name(kek)?, input::dek_subject(subject)?);
        let writer = self.lock_writer()?;
        self.live_kek(kek, true)?;
        let dek = self.find_dek(kek, subject, version, algorithm.unwrap_or_default(), true)?;
        let ops = delete_ops(subject, vec![dek], permanent)?;
        let seq = self.commit_keys(writer, &ops)?;
        Ok(Written { value: (), seq })
    }

    /// `POST /dek-registry/v1/keks/{name}/deks/{s}/undelete`: every soft-deleted version;
    /// 40472 while the KEK itself is soft-deleted.
    pub fn undelete_dek(
        &self,
        kek: &str,
        subject: &str,
        algorithm: Option<DekAlgorithm>,
    ) -> Result<Written<()>> {
        let (kek, subject) = (input::kek_name(kek)?, input::dek_subject(subject)?);
        let writer = self.lock_writer()?;
        let kek_record = self.live_kek(kek, true)?;
        let versions = self.dek_versions_of(kek, subject, algorithm.unwrap_or_default(), true)?;
        if versions.is_empty() {
            return Err(DekError::KeyNotFound(subject.to_owned()).into());
        }
        if kek_record.deleted {
            return Err(DekError::KeySoftDeleted(kek.to_owned()).into());
        }
        let seq = self.commit_keys(writer, &soft(versions, false))?;
        Ok(Written { value: (), seq })
    }

    /// `POST /dek-registry/v1/keks/{name}/deks/{s}/versions/{v}/undelete`.
    pub fn undelete_dek_version(
        &self,
        kek: &str,
        subject: &str,
        version: VersionSpec,
        algorithm: Option<DekAlgorithm>,
    ) -> Result<Written<()>> {
        let (kek, subject) = (input::kek_name(kek)?, input::dek_subject(subject)?);
        let writer = self.lock_writer()?;
        let kek_record = self.live_kek(kek, true)?;
        let dek = self.find_dek(kek, subject, version, algorithm.unwrap_or_default(), true)?;
        if kek_record.deleted {
            return Err(DekError::KeySoftDeleted(kek.to_owned()).into());
        }
        let seq = self.commit_keys(writer, &soft(vec![dek], false))?;
        Ok(Written { value: (), seq })
    }
}

/// The writes that set `deleted` on each of `deks` whose flag differs (none when all
/// already have it), each with a new time.
fn soft(deks: Vec<DekRecord>, deleted: bool) -> Vec<Op> {
    let ts = now_ms();
    deks.into_iter()
        .filter(|d| d.deleted != deleted)
        .map(|d| Op::PutDek(DekRecord { deleted, ts, ..d }))
        .collect()
}

/// What deleting `versions` of `subject`'s DEK writes: soft deletes, or with
/// `permanent` their removal, which needs every one soft-deleted first (40471).
fn delete_ops(subject: &str, versions: Vec<DekRecord>, permanent: bool) -> Result<Vec<Op>> {
    if !permanent {
        return Ok(soft(versions, true));
    }
    if versions.iter().any(|d| !d.deleted) {
        return Err(DekError::KeyNotSoftDeleted(subject.to_owned()).into());
    }
    Ok(versions.iter().map(|d| Op::RemoveDek(d.id())).collect())
}
