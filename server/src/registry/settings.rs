//! Compatibility levels and modes: reading, setting and clearing them, and what applies to a subject.

use super::*;

impl Registry {
    /// The configuration that applies to `subject`, as Confluent's `getConfigInScope`
    /// merges it: the global one when the subject has none; else the subject's, with
    /// the level, `normalize`, the validations and the compatibility group taken from
    /// the global one where the subject's leaves them unset. The default and override
    /// metadata and rules are then the subject's alone, as in Confluent.
    pub(super) fn effective_config(&self, subject: &str) -> Result<ConfigRecord> {
        let global = self.store.config(None)?.unwrap_or_default();
        let Some(own) = self.store.config(Some(subject))? else {
            return Ok(global);
        };
        Ok(ConfigRecord {
            compatibility_level: own.compatibility_level.or(global.compatibility_level),
            normalize: own.normalize.or(global.normalize),
            validate_fields: own.validate_fields.or(global.validate_fields),
            validate_rules: own.validate_rules.or(global.validate_rules),
            compatibility_group: own.compatibility_group.or(global.compatibility_group),
            ..own
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

    /// `GET /config` and `GET /config/{s}`: the stored configuration; the global one
    /// always has a level (the server's default when none was set); a subject's, with
    /// `defaultToGlobal`, is the merged one that applies to it.
    pub fn get_config(
        &self,
        subject: Option<&Subject>,
        default_to_global: bool,
    ) -> Result<ConfigRecord> {
        let Some(subject) = subject else {
            return Ok(self.with_default_level(self.store.config(None)?.unwrap_or_default()));
        };
        if default_to_global {
            return Ok(self.with_default_level(self.effective_config(subject.as_str())?));
        }
        self.store
            .config(Some(subject.as_str()))?
            .ok_or_else(|| Error::SubjectLevelNotConfigured(subject.as_str().to_owned()))
    }

    /// `config` with the server's default level where it sets none: how the global
    /// configuration, and one merged with it, are answered.
    fn with_default_level(&self, mut config: ConfigRecord) -> ConfigRecord {
        config.compatibility_level.get_or_insert(self.default_level);
        config
    }

    /// `PUT /config[/{s}]`: the fields `update` gives replace the stored ones (a `null`
    /// clears one), the others stay, as Confluent's `ConfigValue.update`. Answers the
    /// configuration now stored.
    pub fn set_config(
        &self,
        subject: Option<&Subject>,
        update: ConfigUpdate,
    ) -> Result<Written<ConfigRecord>> {
        let subject = subject.map(Subject::as_str);
        let writer = self.lock_writer()?;
        let config = update.apply(self.store.config(subject)?.unwrap_or_default());
        let seq = self.commit(
            writer,
            &[Op::SetConfig {
                subject: subject.map(str::to_owned),
                config: Some(config.clone()),
            }],
        )?;
        Ok(Written { value: config, seq })
    }

    /// `DELETE /config[/{s}]`: the configuration that was in force.
    pub fn delete_config(&self, subject: Option<&Subject>) -> Result<Written<ConfigRecord>> {
        let subject = subject.map(Subject::as_str);
        let writer = self.lock_writer()?;
        let previous = match (subject, self.store.config(subject)?) {
            (None, config) => self.with_default_level(config.unwrap_or_default()),
            (Some(_), Some(config)) => config,
            (Some(s), None) => return Err(Error::SubjectNotFound(s.to_owned())),
        };
        let seq = self.commit(
            writer,
            &[Op::SetConfig {
                subject: subject.map(str::to_owned),
                config: None,
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
        if mode == Mode::Forward && subject.is_some() {
            return Err(Error::ForwardModeNotGlobal);
        }
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

    /// `DELETE /mode` and `DELETE /mode/{s}`, as Confluent's `deleteSubjectMode`:
    /// answers the mode that was set (for the global one, READWRITE when none was).
    /// A subject without a mode of its own is 40401, unless `recursive`: then `None`.
    /// The global delete with `recursive` also clears every subject's own mode (all
    /// subjects are in the default context).
    pub fn delete_mode(
        &self,
        subject: Option<&Subject>,
        recursive: bool,
    ) -> Result<Written<Option<Mode>>> {
        let subject = subject.map(Subject::as_str);
        let writer = self.lock_writer()?;
        let previous = match (subject, self.store.mode(subject)?) {
            (None, mode) => Some(mode.unwrap_or(Mode::ReadWrite)),
            (Some(_), Some(mode)) => Some(mode),
            (Some(_), None) if recursive => None,
            (Some(s), None) => return Err(Error::SubjectNotFound(s.to_owned())),
        };
        let mut ops = vec![Op::SetMode {
            subject: subject.map(str::to_owned),
            mode: None,
        }];
        if subject.is_none() && recursive {
            ops.extend(
                self.store
                    .mode_subjects()?
                    .into_iter()
                    .map(|s| Op::SetMode {
                        subject: Some(s),
                        mode: None,
                    }),
            );
        }
        let seq = self.commit(writer, &ops)?;
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

/// A `PUT /config` body, read: for each field, absent (`None`: keep the stored value),
/// `null` (`Some(None)`: clear it) or a value.
#[derive(Clone, Debug, Default)]
pub struct ConfigUpdate {
    /// `compatibility` (or `compatibilityLevel`).
    pub level: Option<Option<Level>>,
    /// `alias`.
    pub alias: Option<Option<String>>,
    /// `normalize`.
    pub normalize: Option<Option<bool>>,
    /// `validateFields`.
    pub validate_fields: Option<Option<bool>>,
    /// `validateRules`.
    pub validate_rules: Option<Option<bool>>,
    /// `compatibilityGroup`.
    pub compatibility_group: Option<Option<String>>,
    /// `defaultMetadata`.
    pub default_metadata: Option<Option<Metadata>>,
    /// `overrideMetadata`.
    pub override_metadata: Option<Option<Metadata>>,
    /// `defaultRuleSet`.
    pub default_rule_set: Option<Option<RuleSet>>,
    /// `overrideRuleSet`.
    pub override_rule_set: Option<Option<RuleSet>>,
}

impl ConfigUpdate {
    /// Reads a body object: 42203 for an unknown level, 42210 for rules that do not
    /// validate, 42201 for metadata of the wrong shape; other fields of the wrong type
    /// are 42201 too, naming the field.
    pub fn from_json(body: &serde_json::Map<String, serde_json::Value>) -> Result<ConfigUpdate> {
        use serde_json::Value;
        fn field<T>(
            body: &serde_json::Map<String, Value>,
            key: &str,
            read: impl Fn(Value) -> Result<T>,
        ) -> Result<Option<Option<T>>> {
            match body.get(key) {
                None => Ok(None),
                Some(Value::Null) => Ok(Some(None)),
                Some(v) => read(v.clone()).map(|t| Some(Some(t))),
            }
        }
        let text = |key: &'static str| {
            move |v: Value| match v {
                Value::String(s) => Ok(s),
                other => Err(Error::InvalidSchema(format!(
                    "config field {key} must be a string, found {other}"
                ))),
            }
        };
        let flag = |key: &'static str| {
            move |v: Value| match v {
                Value::Bool(b) => Ok(b),
                other => Err(Error::InvalidSchema(format!(
                    "config field {key} must be true or false, found {other}"
                ))),
            }
        };
        let level_key = if body.contains_key("compatibility") {
            "compatibility"
        } else {
            "compatibilityLevel"
        };
        let level = |v: Value| {
            let raw = v
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string());
            raw.parse::<Level>().map_err(|_| Error::InvalidLevel(raw))
        };
        let metadata = |key: &'static str| {
            move |v: Value| {
                contract::metadata_from_json(Some(v))
                    .map_err(|e| Error::InvalidSchema(format!("{key}: {e}")))?
                    .ok_or_else(|| Error::InvalidSchema(format!("{key} is empty")))
            }
        };
        let rules = |key: &'static str| {
            move |v: Value| {
                contract::rule_set_from_json(Some(v), key)?
                    .ok_or_else(|| Error::InvalidRuleSet(format!("{key} is empty")))
            }
        };
        Ok(ConfigUpdate {
            level: field(body, level_key, level)?,
            alias: field(body, "alias", text("alias"))?,
            normalize: field(body, "normalize", flag("normalize"))?,
            validate_fields: field(body, "validateFields", flag("validateFields"))?,
            validate_rules: field(body, "validateRules", flag("validateRules"))?,
            compatibility_group: field(body, "compatibilityGroup", text("compatibilityGroup"))?,
            default_metadata: field(body, "defaultMetadata", metadata("defaultMetadata"))?,
            override_metadata: field(body, "overrideMetadata", metadata("overrideMetadata"))?,
            default_rule_set: field(body, "defaultRuleSet", rules("defaultRuleSet"))?,
            override_rule_set: field(body, "overrideRuleSet", rules("overrideRuleSet"))?,
        })
    }

    fn apply(self, mut config: ConfigRecord) -> ConfigRecord {
        fn set<T>(slot: &mut Option<T>, update: Option<Option<T>>) {
            if let Some(value) = update {
                *slot = value;
            }
        }
        set(&mut config.compatibility_level, self.level);
        set(&mut config.alias, self.alias);
        set(&mut config.normalize, self.normalize);
        set(&mut config.validate_fields, self.validate_fields);
        set(&mut config.validate_rules, self.validate_rules);
        set(&mut config.compatibility_group, self.compatibility_group);
        set(&mut config.default_metadata, self.default_metadata);
        set(&mut config.override_metadata, self.override_metadata);
        set(&mut config.default_rule_set, self.default_rule_set);
        set(&mut config.override_rule_set, self.override_rule_set);
        config
    }
}
