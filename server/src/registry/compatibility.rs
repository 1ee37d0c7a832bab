//! Compatibility checks: a candidate against the versions a level names.

use super::*;
use schemagate_core::compat::confluent;

impl Registry {
    /// `cand` checked under `level` against `against`, the messages in Confluent 8's
    /// shape: for each incompatible version its findings
    /// (`{errorType:'…', description:'…', additionalInfo:'…'}`), then
    /// `{oldSchemaVersion: n}` and `{oldSchema: '…'}`; last, once,
    /// `{validateFields: 'false', compatibility: 'BACKWARD'}`.
    pub(super) fn report(
        &self,
        level: Level,
        validate_fields: bool,
        cand: &Candidate,
        against: &[VersionEntry],
    ) -> Result<CompatView> {
        let history = against
            .iter()
            .map(|v| self.parsed(&cand.context, v.id).map(|p| (*p).clone()))
            .collect::<Result<Vec<_>>>()?;
        let report = check_with(level, &cand.parsed, &history, &CheckOptions::default());
        let mut messages = Vec::new();
        for (i, entry) in against.iter().enumerate() {
            let found: Vec<&schemagate_core::Finding> = report
                .breaking()
                .filter(|f| f.against.unwrap_or(0) == i)
                .collect();
            if found.is_empty() {
                continue;
            }
            let name = format!("version {}", entry.version);
            // Protobuf's differences come in the shape and words of Confluent's
            // Protobuf provider, the others in Confluent 8's verbose shape.
            messages.extend(
                found
                    .iter()
                    .map(|f| confluent::verbose_message(f, Some(&name))),
            );
            messages.push(format!("{{oldSchemaVersion: {}}}", entry.version));
            messages.push(format!(
                "{{oldSchema: '{}'}}",
                self.stored(&cand.context, entry.id)?.schema
            ));
        }
        if !messages.is_empty() {
            messages.push(format!(
                "{{validateFields: '{validate_fields}', compatibility: '{level}'}}"
            ));
        }
        Ok(CompatView {
            is_compatible: report.compatible,
            messages: Some(messages),
        })
    }

    /// `POST /compatibility/subjects/{s}/versions[/{v}]` for `caller`.
    pub fn check_compatibility(
        &self,
        caller: Caller<'_>,
        subject: &Subject,
        version: Option<VersionSpec>,
        input: &SchemaInput,
        normalize: bool,
        verbose: bool,
    ) -> Result<CompatView> {
        // Validated at the edge; the store keys by the name.
        let subject = subject.as_str();
        caller.check_references(&context_of(subject), input.references.as_deref())?;
        let spec = version;
        let config = self.effective_config(subject)?;
        // As Confluent's CompatibilityResource: the config's `normalize` when the
        // request does not ask.
        let normalize = normalize || config.normalize == Some(true);
        let cand = match self.parse_input(subject, input, normalize) {
            Ok(c) => c,
            Err(e @ (Error::InvalidSchema(_) | Error::SchemaTooLarge(_))) if verbose => {
                return Ok(CompatView {
                    is_compatible: false,
                    messages: Some(vec![e.to_string()]),
                });
            }
            Err(e) => return Err(e),
        };
        let versions = self.store.versions(subject)?;
        let mut live: Vec<VersionEntry> = versions.iter().filter(|v| !v.deleted).copied().collect();
        let level = config.compatibility_level.unwrap_or(self.default_level);
        let group = config
            .compatibility_group
            .as_deref()
            .map(|g| (g, Metadata::group_value(cand.contract.metadata.as_ref(), g)));
        // As on registration, only versions of the candidate's compatibility group count.
        // Without a version, as Confluent passes every version and then filters: the
        // group's own latest (or all of it, transitively).
        if spec.is_none()
            && let Some((group, value)) = group
        {
            live = self.in_group(&cand.context, &live, group, value)?;
        }
        let against: Vec<VersionEntry> = match spec {
            None | Some(VersionSpec::Latest) if live.is_empty() => Vec::new(),
            None if level.is_transitive() => live,
            None | Some(VersionSpec::Latest) => live.last().copied().into_iter().collect(),
            // An unknown subject has no version `n` either: 40402, as Confluent answers.
            Some(VersionSpec::Number(n)) => {
                let entry = Self::find_version(&versions, VersionSpec::Number(n), false)
                    .ok_or_else(|| Error::VersionNotFound(n.to_string()))?;
                vec![entry]
            }
        };
        // With a version (`latest` or a number), Confluent filters the one chosen: a
        // version of another group leaves nothing to compare.
        let against = match group {
            Some((group, value)) if spec.is_some() => {
                self.in_group(&cand.context, &against, group, value)?
            }
            _ => against,
        };
        let mut view = if against.is_empty() {
            CompatView {
                is_compatible: true,
                messages: Some(Vec::new()),
            }
        } else {
            self.report(level, config.validate_fields == Some(true), &cand, &against)?
        };
        if !verbose {
            view.messages = None;
        }
        Ok(view)
    }
}
