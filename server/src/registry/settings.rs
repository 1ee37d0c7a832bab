//! Compatibility levels and modes: reading, setting and clearing them, and what applies to a subject.
//!
//! Settings live at four levels, as in Confluent: a subject's own; its context's
//! (`:.ctx:`, for subjects outside the default context) or, in the default context, the
//! top level (`/config`, `/mode`); then `:.__GLOBAL:`, which applies in every context;
//! then the server's default.

use schemagate_core::subject::GLOBAL_CONTEXT;

use super::*;

/// What a `/config/{s}` or `/mode/{s}` path names besides the top level: a subject, or
/// a context's own setting (`:.ctx:`, and `:.__GLOBAL:` for every context).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A subject's setting.
    Subject(Subject),
    /// A context's setting.
    Context(Context),
}

impl Scope {
    /// Reads a path's name; `None` for the default context (`:.:`), which is the top
    /// level, as Confluent answers it.
    pub fn parse(raw: &str) -> std::result::Result<Option<Scope>, SubjectError> {
        match Subject::parse(raw) {
            Ok(subject) => Ok(Some(Scope::Subject(subject))),
            Err(SubjectError::ContextOnly(_)) => {
                let context = Context::parse(raw)?;
                Ok((!context.is_default()).then_some(Scope::Context(context)))
            }
            Err(e) => Err(e),
        }
    }

    /// The key its setting is stored under.
    pub fn key(&self) -> String {
        match self {
            Scope::Subject(s) => s.as_str().to_owned(),
            Scope::Context(c) => c.prefix(),
        }
    }
}

/// The key of the `.__GLOBAL` context's settings.
fn global_context_key() -> String {
    format!(":{GLOBAL_CONTEXT}:")
}

impl Registry {
    /// A setting for `key` (a subject, a context's prefix, or `None` for the top level)
    /// as Confluent's lookup cache finds it when it falls back: its own, else its
    /// context's (outside the default context) or the top level's (inside it), else
    /// `:.__GLOBAL:`'s.
    fn in_scope<T>(
        &self,
        key: Option<&str>,
        read: impl Fn(Option<&str>) -> std::result::Result<Option<T>, StoreError>,
    ) -> Result<Option<T>> {
        if let Some(own) = read(key)? {
            return Ok(Some(own));
        }
        if let Some(key) = key {
            let context = Context::of(key);
            let next = if context.is_default() {
                read(None)?
            } else if context.prefix() != key {
                read(Some(&context.prefix()))?
            } else {
                None
            };
            if next.is_some() {
                return Ok(next);
            }
        }
        Ok(read(Some(&global_context_key()))?)
    }

    /// The configuration that applies to `subject` (or a context's prefix), as
    /// Confluent's `getConfigInScope` merges it: the one in scope when the subject has
    /// none of its own; else the subject's, with the level, `normalize`, the
    /// validations and the compatibility group taken from the top level's where the
    /// subject's leaves them unset. The default and override metadata and rules are
    /// then the subject's alone, as in Confluent.
    pub(super) fn effective_config(&self, subject: &str) -> Result<ConfigRecord> {
        let Some(own) = self.store.config(Some(subject))? else {
            return Ok(self
                .in_scope(Some(subject), |k| self.store.config(k))?
                .unwrap_or_default());
        };
        let global = self.store.config(None)?.unwrap_or_default();
        Ok(ConfigRecord {
            compatibility_level: own.compatibility_level.or(global.compatibility_level),
            normalize: own.normalize.or(global.normalize),
            validate_fields: own.validate_fields.or(global.validate_fields),
            validate_rules: own.validate_rules.or(global.validate_rules),
            compatibility_group: own.compatibility_group.or(global.compatibility_group),
            ..own
        })
    }

    /// The mode that applies to `subject` (its own, else the one in scope); a
    /// READONLY_OVERRIDE at the top level or in `:.__GLOBAL:` beats every other mode.
    pub(super) fn effective_mode(&self, subject: &str) -> Result<Mode> {
        // The chain of `in_scope`, each key read once: this runs on every registration.
        let top = self.store.mode(None)?;
        let global = self.store.mode(Some(&global_context_key()))?;
        if top == Some(Mode::ReadOnlyOverride) || global == Some(Mode::ReadOnlyOverride) {
            return Ok(Mode::ReadOnlyOverride);
        }
        let context = Context::of(subject);
        let next = match self.store.mode(Some(subject))? {
            Some(own) => Some(own),
            None if context.is_default() => top,
            None if context.prefix() != subject => self.store.mode(Some(&context.prefix()))?,
            None => None,
        };
        Ok(next.or(global).unwrap_or(Mode::ReadWrite))
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
        scope: Option<&Scope>,
        default_to_global: bool,
    ) -> Result<ConfigRecord> {
        let Some(scope) = scope else {
            let top = self.in_scope(None, |k| self.store.config(k))?;
            return Ok(self.with_default_level(top.unwrap_or_default()));
        };
        let key = scope.key();
        if default_to_global {
            return Ok(self.with_default_level(self.effective_config(&key)?));
        }
        self.store
            .config(Some(&key))?
            .ok_or(Error::SubjectLevelNotConfigured(key))
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
        scope: Option<&Scope>,
        update: ConfigUpdate,
    ) -> Result<Written<ConfigRecord>> {
        let key = scope.map(Scope::key);
        let subject = key.as_deref();
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
    pub fn delete_config(&self, scope: Option<&Scope>) -> Result<Written<ConfigRecord>> {
        let key = scope.map(Scope::key);
        let subject = key.as_deref();
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
    pub fn get_mode(&self, scope: Option<&Scope>, default_to_global: bool) -> Result<Mode> {
        let key = scope.map(Scope::key);
        if let Some(key) = &key
            && !default_to_global
        {
            return self
                .store
                .mode(Some(key))?
                .ok_or_else(|| Error::SubjectModeNotConfigured(key.clone()));
        }
        Ok(self
            .in_scope(key.as_deref(), |k| self.store.mode(k))?
            .unwrap_or(Mode::ReadWrite))
    }

    /// `PUT /mode[/{s}]`. IMPORT over live data needs `force`, since imported ids
    /// could collide with ids already handed out.
    pub fn set_mode(
        &self,
        scope: Option<&Scope>,
        mode: Mode,
        force: bool,
    ) -> Result<Written<Mode>> {
        let key = scope.map(Scope::key);
        let subject = key.as_deref();
        if mode == Mode::Forward && subject.is_some() {
            return Err(Error::ForwardModeNotGlobal);
        }
        let writer = self.lock_writer()?;
        if mode == Mode::Import && !force {
            // The subjects the mode would reach: one, a context's, or every one.
            let reached = |s: &str| match scope {
                None => true,
                Some(Scope::Subject(own)) => own.as_str() == s,
                Some(Scope::Context(c)) => c.is_global() || Context::of(s) == *c,
            };
            let has_live = self
                .store
                .all_versions()?
                .iter()
                .any(|(s, vs)| reached(s) && vs.iter().any(|v| !v.deleted));
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
    /// answers the mode that was set (for the top level, and the default context `:.:`,
    /// READWRITE when none was). A subject or context without a mode of its own is
    /// 40401, unless `recursive`: then `None`. With `recursive`, deleting the top
    /// level's or a context's mode also clears the modes of every subject in that
    /// context (the top level's: the default context's subjects).
    pub fn delete_mode(
        &self,
        scope: Option<&Scope>,
        recursive: bool,
    ) -> Result<Written<Option<Mode>>> {
        let key = scope.map(Scope::key);
        let writer = self.lock_writer()?;
        let previous = match (&key, self.store.mode(key.as_deref())?) {
            (None, mode) => Some(mode.unwrap_or(Mode::ReadWrite)),
            (Some(_), Some(mode)) => Some(mode),
            (Some(_), None) if recursive => None,
            (Some(k), None) => return Err(Error::SubjectNotFound(k.clone())),
        };
        let mut ops = vec![Op::SetMode {
            subject: key.clone(),
            mode: None,
        }];
        if recursive && !matches!(scope, Some(Scope::Subject(_))) {
            let reach = SubjectPrefix::parse(key.as_deref().unwrap_or(""));
            ops.extend(
                self.store
                    .mode_subjects()?
                    .into_iter()
                    .filter(|s| Subject::parse(s).is_ok() && reach.matches(s))
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
