//! `format` on the reads, lookups and registrations that answer a schema text, as
//! Confluent's `ParsedSchema.formattedString` gives it, and `fetchMaxId` on
//! `GET /schemas/ids/{id}`.

use super::read::qualify_references;
use super::*;

/// A `format` query parameter, read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SchemaFormat {
    /// No format, `default`, or `serialized` (Protobuf's; Confluent's Avro and JSON
    /// Schema providers answer the text as registered for it): the text as registered.
    #[default]
    AsRegistered,
    /// `resolved`: for Avro, the text with its references' named types written in full
    /// where first used; for JSON Schema, whose provider formats nothing, the text as
    /// registered.
    Resolved,
}

impl SchemaFormat {
    /// Reads the parameter (any case, surrounding blanks ignored). `logical` and every
    /// other value are refused rather than answered unformatted.
    pub fn parse(raw: &str) -> Result<SchemaFormat> {
        let format = raw.trim();
        if format.is_empty()
            || format.eq_ignore_ascii_case("default")
            || format.eq_ignore_ascii_case("serialized")
        {
            Ok(SchemaFormat::AsRegistered)
        } else if format.eq_ignore_ascii_case("resolved") {
            Ok(SchemaFormat::Resolved)
        } else if format.eq_ignore_ascii_case("logical") {
            Err(Error::UnsupportedFormat(format!(
                "{format} (Confluent's logical types are not supported by this registry); send the schema in its native Avro or JSON Schema form, without format"
            )))
        } else {
            Err(Error::UnsupportedFormat(format!(
                "{format}. This registry answers format=resolved (Avro: references written in full), default and serialized (Protobuf's; the text as registered here); leave format out for the text as registered"
            )))
        }
    }
}

/// `GET /schemas/ids/{id}` with `fetchMaxId` or `format`: Confluent's `SchemaString`
/// with `maxId` when asked for.
#[derive(Serialize)]
struct IdBodyWithMax<'a> {
    #[serde(flatten)]
    body: IdBody<'a>,
    #[serde(rename = "maxId", skip_serializing_if = "Option::is_none")]
    max_id: Option<SchemaId>,
}

impl Registry {
    /// The text of schema `stored` (id `id` of `context`) in `format`; `None` when that
    /// is the text as registered.
    pub(super) fn formatted_text(
        &self,
        context: &str,
        id: SchemaId,
        stored: &StoredSchema,
        format: SchemaFormat,
    ) -> Result<Option<String>> {
        if format == SchemaFormat::AsRegistered || stored.references.is_empty() {
            // Without references, Avro's resolved text is the text as registered.
            return Ok(None);
        }
        let (_, texts) = self.reparse_texts(context, id, stored, false)?;
        let options = ParseOptions {
            normalize: false,
            limits: self.limits,
        };
        ParsedSchema::resolved_text(stored.schema_type, &stored.schema, &texts, &options).map_err(
            |e| {
                Error::Store(StoreError(format!(
                    "stored schema {id} no longer parses: {e}"
                )))
            },
        )
    }

    /// The text of schema `id`, in the context `subject` picks (see
    /// [`Registry::locate_id`]), in `format` (`GET /schemas/ids/{id}/schema`).
    pub fn schema_text(
        &self,
        id: SchemaId,
        subject: Option<&str>,
        format: SchemaFormat,
    ) -> Result<String> {
        let (context, _) = self.locate_id(id, subject)?;
        let stored = self.stored(&context, id)?;
        Ok(self
            .formatted_text(&context, id, &stored, format)?
            .unwrap_or(stored.schema))
    }

    /// `view` (a version of `subject`) with its schema text in `format` (version reads,
    /// lookups, registrations, whose view may leave the subject out).
    pub fn format_view(
        &self,
        subject: &Subject,
        mut view: SchemaView,
        format: SchemaFormat,
    ) -> Result<SchemaView> {
        if format == SchemaFormat::AsRegistered {
            return Ok(view);
        }
        let context = context_of(subject.as_str());
        let stored = self.stored(&context, view.id)?;
        if let Some(text) = self.formatted_text(&context, view.id, &stored, format)? {
            view.schema = text;
        }
        Ok(view)
    }

    /// `GET /subjects/{s}/versions/{v}?format=&referenceFormat=`: the version's answer
    /// with its text in `format` and, with `qualified_refs`, its references' subjects
    /// qualified by the subject's context; refused to a prefix-limited `caller` as
    /// [`Registry::version_json`].
    pub fn version_formatted(
        &self,
        caller: Caller<'_>,
        subject: &Subject,
        version: VersionSpec,
        deleted: bool,
        format: SchemaFormat,
        qualified_refs: bool,
    ) -> Result<SchemaView> {
        let mut view = self.shown_version(caller, subject, version, deleted)?;
        view = self.format_view(subject, view, format)?;
        if qualified_refs {
            qualify_references(subject.as_str(), &mut view.references);
        }
        Ok(view)
    }

    /// A rendered schema answer (a lookup's, for `subject`) with its `schema` in
    /// `format`.
    pub fn format_rendered_view(
        &self,
        subject: &Subject,
        body: &[u8],
        format: SchemaFormat,
    ) -> Result<Bytes> {
        let context = context_of(subject.as_str());
        let bad = |e: serde_json::Error| Error::Store(StoreError(e.to_string()));
        let mut answer: serde_json::Value = serde_json::from_slice(body).map_err(bad)?;
        let id = answer
            .get("id")
            .and_then(serde_json::Value::as_u64)
            .and_then(|id| u32::try_from(id).ok())
            .map(SchemaId);
        if let Some(id) = id {
            let stored = self.stored(&context, id)?;
            if let Some(text) = self.formatted_text(&context, id, &stored, format)? {
                answer["schema"] = serde_json::Value::String(text);
            }
        }
        render(&answer)
    }

    /// The largest schema id handed out so far in `context` (Confluent's `maxId`, at
    /// least 1).
    pub fn max_id(&self, context: &str) -> Result<SchemaId> {
        let next = self.store.next_id(context)?;
        Ok(SchemaId(next.0.saturating_sub(1).max(1)))
    }

    /// `GET /schemas/ids/{id}` with any of `subject`, `format`, `fetchMaxId` and
    /// `referenceFormat`: rendered for this request, not cached; refused to a
    /// prefix-limited `caller` as [`Registry::schema_by_id`]. `subject` picks the
    /// context ([`Registry::locate_id`]) and adds the subject version found, as
    /// Confluent 8 answers; with `qualified_refs` (`referenceFormat=qualified`), the
    /// references of a schema found under a subject outside the default context name
    /// their subjects qualified.
    pub fn schema_by_id_with(
        &self,
        caller: Caller<'_>,
        id: SchemaId,
        ask: &IdRequest,
    ) -> Result<Bytes> {
        let (context, found) = self.locate_id(id, ask.subject.as_deref())?;
        let mut stored = self.stored(&context, id)?;
        caller.check_shown(&context, id, &stored.references)?;
        let text = self.formatted_text(&context, id, &stored, ask.format)?;
        if ask.qualified_refs
            && let Some((subject, _)) = &found
        {
            qualify_references(subject, &mut stored.references);
        }
        let max_id = if ask.fetch_max_id {
            Some(self.max_id(&context)?)
        } else {
            None
        };
        render(&IdBodyWithMax {
            body: IdBody {
                subject: found.as_ref().map(|(s, _)| s.as_str()),
                version: found.as_ref().map(|(_, e)| e.version),
                schema: text.as_deref().unwrap_or(&stored.schema),
                schema_type: stored.schema_type,
                references: &stored.references,
                metadata: stored.metadata.as_ref(),
                rule_set: stored.rule_set.as_ref(),
                guid: &stored.guid(),
            },
            max_id,
        })
    }
}

/// What a `GET /schemas/ids/{id}` asks beyond the id; the default answers from the
/// cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdRequest {
    /// `subject`: picks the context and adds the subject version found.
    pub subject: Option<String>,
    /// `format`.
    pub format: SchemaFormat,
    /// `fetchMaxId`: adds `maxId`.
    pub fetch_max_id: bool,
    /// `referenceFormat=qualified`.
    pub qualified_refs: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_confluent_reads_them() {
        for raw in ["", " ", "default", "SERIALIZED", "serialized"] {
            assert_eq!(
                SchemaFormat::parse(raw).unwrap(),
                SchemaFormat::AsRegistered
            );
        }
        assert_eq!(
            SchemaFormat::parse("Resolved").unwrap(),
            SchemaFormat::Resolved
        );
        for refused in ["logical", "pretty", "x"] {
            assert!(matches!(
                SchemaFormat::parse(refused),
                Err(Error::UnsupportedFormat(_))
            ));
        }
    }
}
