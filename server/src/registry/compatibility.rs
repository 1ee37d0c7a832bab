//! Compatibility checks: a candidate against the versions a level names.

use super::*;
use schemagate_core::compat::{Direction, confluent};

/// A Protobuf finding as Confluent's Protobuf provider words a difference in a verbose
/// answer: `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"…"}`, double-quoted,
/// the description naming Confluent's path (`#/Order/3`) and which schema reads which
/// (the reader is the new schema under BACKWARD, the old one under FORWARD). The
/// sentence itself is ours.
fn protobuf_message(finding: &schemagate_core::Finding, path: &str) -> String {
    let (reader, writer) = match finding.direction {
        Some(Direction::Forward) => ("old", "new"),
        _ => ("new", "old"),
    };
    format!(
        "{{errorType:\"{}\", description:\"{} (path '{path}' in the {reader} schema, against the {writer} schema)\"}}",
        finding.rule,
        finding.message.trim_end_matches('.'),
    )
}

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
            messages.extend(found.iter().map(|f| match &f.confluent_path {
                // Protobuf's differences, in the shape Confluent's Protobuf provider
                // gives them.
                Some(path) => protobuf_message(f, path),
                None => confluent::verbose_message(f, Some(&name)),
            }));
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

#[cfg(test)]
mod tests {
    use super::*;
    use schemagate_core::compat::Severity;

    fn finding(direction: Direction) -> schemagate_core::Finding {
        let mut f = schemagate_core::Finding::new(
            "FIELD_SCALAR_KIND_CHANGED",
            Severity::Breaking,
            "/Order/quantity",
            "field quantity (4) changed from int32 to string.",
            Some("keep the type".to_owned()),
        );
        f.direction = Some(direction);
        f.confluent_path = Some("#/Order/4".to_owned());
        f
    }

    #[test]
    fn protobuf_differences_take_the_protobuf_providers_shape() {
        assert_eq!(
            protobuf_message(&finding(Direction::Backward), "#/Order/4"),
            "{errorType:\"FIELD_SCALAR_KIND_CHANGED\", description:\"field quantity (4) changed from int32 to string (path '#/Order/4' in the new schema, against the old schema)\"}"
        );
        // Under FORWARD the old schema reads: the roles swap, as Confluent formats them.
        assert!(
            protobuf_message(&finding(Direction::Forward), "#/Order/4")
                .ends_with("in the old schema, against the new schema)\"}")
        );
    }
}
