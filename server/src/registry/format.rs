//! `format` on the reads, lookups and registrations that answer a schema text, as
//! Confluent's `ParsedSchema.formattedString` gives it, and `fetchMaxId` on
//! `GET /schemas/ids/{id}`.

use super::*;

/// A `format` query parameter, read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaFormat {
    /// No format, `default`, or `serialized` (Protobuf's; Confluent's Avro and JSON
    /// Schema providers answer the text as registered for it): the text as registered.
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
    /// The text of schema `stored` (id `id`) in `format`; `None` when that is the text
    /// as registered.
    pub(super) fn formatted_text(
        &self,
        id: SchemaId,
        stored: &StoredSchema,
        format: SchemaFormat,
    ) -> Result<Option<String>> {
        if format == SchemaFormat::AsRegistered || stored.references.is_empty() {
            // Without references, Avro's resolved text is the text as registered.
            return Ok(None);
        }
        let (_, texts) = self.reparse_texts(id, stored, false)?;
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

    /// The text of schema `id` in `format` (`GET /schemas/ids/{id}/schema?format=`).
    pub fn schema_text(&self, id: SchemaId, format: SchemaFormat) -> Result<String> {
        let stored = self.stored(id)?;
        if self.store.usages(id)?.is_empty() {
            return Err(Error::SchemaNotFound(id.to_string()));
        }
        Ok(self
            .formatted_text(id, &stored, format)?
            .unwrap_or(stored.schema))
    }

    /// `view` with its schema text in `format` (version reads, lookups, registrations).
    pub fn format_view(&self, mut view: SchemaView, format: SchemaFormat) -> Result<SchemaView> {
        if format == SchemaFormat::AsRegistered {
            return Ok(view);
        }
        let stored = self.stored(view.id)?;
        if let Some(text) = self.formatted_text(view.id, &stored, format)? {
            view.schema = text;
        }
        Ok(view)
    }

    /// `GET /subjects/{s}/versions/{v}?format=`: the version's answer with its text in
    /// `format`, refused to a prefix-limited `caller` as [`Registry::version_json`].
    pub fn version_formatted(
        &self,
        caller: Caller<'_>,
        subject: &Subject,
        version: VersionSpec,
        deleted: bool,
        format: SchemaFormat,
    ) -> Result<SchemaView> {
        let view = self.get_version(subject, version, deleted)?;
        caller.check_shown(view.id, &view.references)?;
        self.format_view(view, format)
    }

    /// A rendered schema answer (a lookup's) with its `schema` in `format`.
    pub fn format_rendered_view(&self, body: &[u8], format: SchemaFormat) -> Result<Bytes> {
        let bad = |e: serde_json::Error| Error::Store(StoreError(e.to_string()));
        let mut answer: serde_json::Value = serde_json::from_slice(body).map_err(bad)?;
        let id = answer
            .get("id")
            .and_then(serde_json::Value::as_u64)
            .and_then(|id| u32::try_from(id).ok())
            .map(SchemaId);
        if let Some(id) = id {
            let stored = self.stored(id)?;
            if let Some(text) = self.formatted_text(id, &stored, format)? {
                answer["schema"] = serde_json::Value::String(text);
            }
        }
        render(&answer)
    }

    /// The largest schema id handed out so far (Confluent's `maxId`, at least 1).
    pub fn max_id(&self) -> Result<SchemaId> {
        let next = self.store.next_id()?;
        Ok(SchemaId(next.0.saturating_sub(1).max(1)))
    }

    /// `GET /schemas/ids/{id}` with `format` or `fetchMaxId`: rendered for this request,
    /// not cached; refused to a prefix-limited `caller` as [`Registry::schema_by_id`].
    pub fn schema_by_id_with(
        &self,
        caller: Caller<'_>,
        id: SchemaId,
        format: SchemaFormat,
        fetch_max_id: bool,
    ) -> Result<Bytes> {
        let stored = self.stored(id)?;
        if self.store.usages(id)?.is_empty() {
            return Err(Error::SchemaNotFound(id.to_string()));
        }
        caller.check_shown(id, &stored.references)?;
        let text = self.formatted_text(id, &stored, format)?;
        let max_id = if fetch_max_id {
            Some(self.max_id()?)
        } else {
            None
        };
        render(&IdBodyWithMax {
            body: IdBody {
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
