//! Deletes: soft, then permanent, of subjects and versions.

use super::*;

impl Registry {
    /// `DELETE /subjects/{s}`: the versions deleted.
    pub fn delete_subject(&self, subject: &Subject, permanent: bool) -> Result<Written<Vec<i32>>> {
        // Validated at the edge; the store keys by the name.
        let subject = subject.as_str();
        let writer = self.lock_writer()?;
        self.ensure_writable(subject)?;
        let versions = self.existing_versions(subject)?;
        let live: Vec<VersionEntry> = versions.iter().filter(|v| !v.deleted).copied().collect();
        if !permanent && live.is_empty() {
            return Err(Error::SubjectSoftDeleted(subject.to_owned()));
        }
        if permanent && !live.is_empty() {
            return Err(Error::SubjectNotSoftDeleted(subject.to_owned()));
        }
        let targets = if permanent { &versions } else { &live };
        for v in targets {
            if !self.live_referrers(subject, v.version)?.is_empty() {
                return Err(Error::ReferenceExists {
                    subject: subject.to_owned(),
                    version: v.version,
                });
            }
        }
        let mut ops: Vec<Op> = targets
            .iter()
            .map(|v| {
                if permanent {
                    Op::RemoveVersion {
                        subject: subject.to_owned(),
                        version: v.version,
                    }
                } else {
                    Op::PutVersion {
                        subject: subject.to_owned(),
                        entry: VersionEntry {
                            deleted: true,
                            ts: Some(register::now_ms()),
                            ..*v
                        },
                    }
                }
            })
            .collect();
        if permanent {
            ops.extend(Self::forget_subject_settings(subject));
        }
        let seq = self.commit(writer, &ops)?;
        if permanent {
            self.forget_ids();
        }
        Ok(Written {
            value: targets.iter().map(|v| v.version).collect(),
            seq,
        })
    }

    pub(super) fn forget_subject_settings(subject: &str) -> [Op; 2] {
        [
            Op::SetConfig {
                subject: Some(subject.to_owned()),
                config: None,
            },
            Op::SetMode {
                subject: Some(subject.to_owned()),
                mode: None,
            },
        ]
    }

    /// `DELETE /subjects/{s}/versions/{v}`: the version deleted.
    pub fn delete_version(
        &self,
        subject: &Subject,
        version: VersionSpec,
        permanent: bool,
    ) -> Result<Written<i32>> {
        // Validated at the edge; the store keys by the name.
        let subject = subject.as_str();
        let spec = version;
        let writer = self.lock_writer()?;
        self.ensure_writable(subject)?;
        let versions = self.existing_versions(subject)?;
        // A numbered version is found even when soft-deleted, to answer 40406 rather
        // than 40402; `latest` means the newest live one unless deleting permanently.
        let include_deleted = permanent || matches!(spec, VersionSpec::Number(_));
        let entry = Self::find_version(&versions, spec, include_deleted)
            .ok_or_else(|| Error::VersionNotFound(version.to_string()))?;
        if !permanent && entry.deleted {
            return Err(Error::VersionSoftDeleted {
                subject: subject.to_owned(),
                version: entry.version,
            });
        }
        if permanent && !entry.deleted {
            return Err(Error::VersionNotSoftDeleted {
                subject: subject.to_owned(),
                version: entry.version,
            });
        }
        if !self.live_referrers(subject, entry.version)?.is_empty() {
            return Err(Error::ReferenceExists {
                subject: subject.to_owned(),
                version: entry.version,
            });
        }
        let mut ops = Vec::new();
        if permanent {
            ops.push(Op::RemoveVersion {
                subject: subject.to_owned(),
                version: entry.version,
            });
            if versions.len() == 1 {
                ops.extend(Self::forget_subject_settings(subject));
            }
        } else {
            ops.push(Op::PutVersion {
                subject: subject.to_owned(),
                entry: VersionEntry {
                    deleted: true,
                    ts: Some(register::now_ms()),
                    ..entry
                },
            });
        }
        let seq = self.commit(writer, &ops)?;
        if permanent {
            self.forget_ids();
        }
        Ok(Written {
            value: entry.version,
            seq,
        })
    }
}
