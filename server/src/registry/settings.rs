//! Compatibility levels and modes: reading, setting and clearing them, and what applies to a subject.

use super::*;

impl Registry {
    /// The level that applies to `subject`: its own, else the global one, else the default.
    pub(super) fn effective_level(&self, subject: &str) -> Result<Level> {
        Ok(match self.store.config(Some(subject))? {
            Some(l) => l,
            None => self.store.config(None)?.unwrap_or(self.default_level),
        })
    }

    /// The mode that applies to `subject`; a global READONLY_OVERRIDE beats subject modes.
    pub(super) fn effective_mode(&self, subject: &str) -> Result<Mode> {
        let global = self.store.mode(None)?.unwrap_or(Mode::ReadWrite);
        if global == Mode::ReadOnlyOverride {
            return Ok(global);
        }
        Ok(self.store.mode(Some(subject))?.unwrap_or(global))
    }

    pub(super) fn ensure_writable(&self, subject: &str) -> Result<Mode> {
        let mode = self.effective_mode(subject)?;
        if mode.is_read_only() {
            return Err(Error::NotPermitted(format!(
                "Subject {subject} is in read-only mode"
            )));
        }
        Ok(mode)
    }

    /// `GET /config` and `GET /config/{s}`.
    pub fn get_config(&self, subject: Option<&Subject>, default_to_global: bool) -> Result<Level> {
        scoped(
            subject,
            default_to_global,
            |s| self.store.config(s),
            self.default_level,
            Error::SubjectLevelNotConfigured,
        )
    }

    /// `PUT /config[/{s}]`.
    pub fn set_config(&self, subject: Option<&Subject>, level: Level) -> Result<Written<Level>> {
        let writer = self.lock_writer()?;
        let seq = self.commit(
            writer,
            &[Op::SetConfig {
                subject: subject.map(|s| s.as_str().to_owned()),
                level: Some(level),
            }],
        )?;
        Ok(Written { value: level, seq })
    }

    /// `DELETE /config[/{s}]`: the level that was in force.
    pub fn delete_config(&self, subject: Option<&Subject>) -> Result<Written<Level>> {
        let subject = subject.map(Subject::as_str);
        let writer = self.lock_writer()?;
        let previous = match (subject, self.store.config(subject)?) {
            (_, Some(l)) => l,
            (None, None) => self.default_level,
            (Some(s), None) => return Err(Error::SubjectNotFound(s.to_owned())),
        };
        let seq = self.commit(
            writer,
            &[Op::SetConfig {
                subject: subject.map(str::to_owned),
                level: None,
            }],
        )?;
        Ok(Written {
            value: previous,
            seq,
        })
    }

    /// `GET /mode` and `GET /mode/{s}`.
    pub fn get_mode(&self, subject: Option<&Subject>, default_to_global: bool) -> Result<Mode> {
        scoped(
            subject,
            default_to_global,
            |s| self.store.mode(s),
            Mode::ReadWrite,
            Error::SubjectModeNotConfigured,
        )
    }

    /// `PUT /mode[/{s}]`. IMPORT over live data needs `force`, since imported ids
    /// could collide with ids already handed out.
    pub fn set_mode(
        &self,
        subject: Option<&Subject>,
        mode: Mode,
        force: bool,
    ) -> Result<Written<Mode>> {
        let subject = subject.map(Subject::as_str);
        let writer = self.lock_writer()?;
        if mode == Mode::Import && !force {
            let has_live = match subject {
                None => self
                    .store
                    .all_versions()?
                    .iter()
                    .any(|(_, vs)| vs.iter().any(|v| !v.deleted)),
                Some(s) => self.store.versions(s)?.iter().any(|v| !v.deleted),
            };
            if has_live {
                return Err(Error::NotPermitted(
                    "Cannot import since found existing subjects; use force=true to override"
                        .into(),
                ));
            }
        }
        let seq = self.commit(
            writer,
            &[Op::SetMode {
                subject: subject.map(str::to_owned),
                mode: Some(mode),
            }],
        )?;
        Ok(Written { value: mode, seq })
    }

    /// `DELETE /mode/{s}`: the mode that was set.
    pub fn delete_mode(&self, subject: &Subject) -> Result<Written<Mode>> {
        // Validated at the edge; the store keys by the name.
        let subject = subject.as_str();
        let writer = self.lock_writer()?;
        let previous = self
            .store
            .mode(Some(subject))?
            .ok_or_else(|| Error::SubjectNotFound(subject.to_owned()))?;
        let seq = self.commit(
            writer,
            &[Op::SetMode {
                subject: Some(subject.to_owned()),
                mode: None,
            }],
        )?;
        Ok(Written {
            value: previous,
            seq,
        })
    }
}

/// A setting as `GET /config` and `GET /mode` answer it: the global one (or `default`)
/// without a subject; with one, the subject's own, else the global one when
/// `default_to_global`, else `unset` (40408, 40409).
fn scoped<T>(
    subject: Option<&Subject>,
    default_to_global: bool,
    read: impl Fn(Option<&str>) -> std::result::Result<Option<T>, StoreError>,
    default: T,
    unset: fn(String) -> Error,
) -> Result<T> {
    let global = || -> Result<T> { Ok(read(None)?.unwrap_or(default)) };
    let Some(subject) = subject else {
        return global();
    };
    match read(Some(subject.as_str()))? {
        Some(own) => Ok(own),
        None if default_to_global => global(),
        None => Err(unset(subject.as_str().to_owned())),
    }
}
