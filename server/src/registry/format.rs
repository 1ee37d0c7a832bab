//! `format` on the reads, lookups and registrations that answer a schema text, as
//! Confluent's `ParsedSchema.formattedString` gives it, and `fetchMaxId` on
//! `GET /schemas/ids/{id}`.

use schemagate_core::schema::protobuf::PrintOptions;

use super::read::qualify_references;
use super::*;

/// A `format` query parameter, read. What each value means depends on the schema's
/// type, as in Confluent, where every provider formats its own schemas and answers the
/// default text for a format it does not know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SchemaFormat {
    /// No format, `default`, or a format no provider knows: the text as registered
    /// (Confluent's `canonicalString`).
    #[default]
    AsRegistered,
    /// `resolved`: for Avro, the text with its references' named types written in full
    /// where first used; for JSON Schema and Protobuf, whose providers do not know it,
    /// the text as registered.
    Resolved,
    /// `serialized`: for Protobuf, the base64 `FileDescriptorProto` of the schema (what
    /// confluent-kafka-python's deserializer asks for); for Avro and JSON Schema, whose
    /// providers do not know it, the text as registered.
    Serialized,
    /// `ignore_extensions`: for Protobuf, the `.proto` text printed without extension
    /// options; for the other types the text as registered.
    IgnoreExtensions,
}

impl SchemaFormat {
    /// Reads the parameter as Confluent's providers do: any case; blank is the default.
    /// A value no provider knows is answered with the default text (Confluent logs it
    /// and keeps going, so that clients asking for newer formats still read), except
    /// `logical`, Confluent's logical-type conversion, which is refused rather than
    /// answered in a form the caller did not ask for.
    pub fn parse(raw: &str) -> Result<SchemaFormat> {
        if raw.trim().is_empty() {
            return Ok(SchemaFormat::AsRegistered);
        }
        // Confluent's lookup lower-cases the value and matches it exactly.
        match raw.to_ascii_lowercase().as_str() {
            "default" => Ok(SchemaFormat::AsRegistered),
            "resolved" => Ok(SchemaFormat::Resolved),
            "serialized" => Ok(SchemaFormat::Serialized),
            "ignore_extensions" => Ok(SchemaFormat::IgnoreExtensions),
            "logical" => Err(Error::UnsupportedFormat(format!(
                "{raw} (Confluent's logical types are not supported by this registry); send the schema in its native Avro, JSON Schema or Protobuf form, without format"
            ))),
            _ => {
                tracing::warn!(
                    format = raw,
                    "unsupported format; answering the default text"
                );
                Ok(SchemaFormat::AsRegistered)
            }
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
        match (stored.schema_type, format) {
            (_, SchemaFormat::AsRegistered) => Ok(None),
            (SchemaType::Avro, SchemaFormat::Resolved) => {
                if stored.references.is_empty() {
                    // Without references, Avro's resolved text is the text as registered.
                    return Ok(None);
                }
                let (_, texts) = self.reparse_texts(context, id, stored, false)?;
                let options = ParseOptions {
                    normalize: false,
                    limits: self.limits,
                };
                ParsedSchema::resolved_text(stored.schema_type, &stored.schema, &texts, &options)
                    .map_err(|e| {
                        Error::Store(StoreError(format!(
                            "stored schema {id} no longer parses: {e}"
                        )))
                    })
            }
            (SchemaType::Protobuf, SchemaFormat::Serialized | SchemaFormat::IgnoreExtensions) => {
                // The stored text beside its references, parsed once and cached: the
                // descriptor and the printing both come from the compiled file.
                let parsed = self.parsed(context, id)?;
                let Some(proto) = parsed.as_protobuf() else {
                    return Err(Error::Store(StoreError(format!(
                        "stored schema {id} is typed PROTOBUF but did not parse as Protobuf"
                    ))));
                };
                Ok(Some(if format == SchemaFormat::Serialized {
                    proto.serialized()
                } else {
                    proto.print(&PrintOptions {
                        ignore_extensions: true,
                        ..PrintOptions::default()
                    })
                }))
            }
            // Formats the type's provider does not know: the text as registered.
            _ => Ok(None),
        }
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

impl Registry {
    /// `GET /schemas/guids/{guid}?format=`: the schema with that GUID as
    /// [`Registry::schema_by_guid`] answers it, its text in `format` (Confluent's
    /// `getByGuid` formats as the id route does).
    pub fn schema_by_guid_formatted(
        &self,
        caller: Caller<'_>,
        guid: &str,
        format: SchemaFormat,
    ) -> Result<Bytes> {
        let doc = self.schema_by_guid(caller, guid)?;
        if format == SchemaFormat::AsRegistered {
            return Ok(doc.json.clone());
        }
        // The first context holding the GUID, as `schema_by_guid` picked.
        let (context, id) = self.ids_of_guid(guid)?.swap_remove(0);
        let stored = self.stored(&context, id)?;
        match self.formatted_text(&context, id, &stored, format)? {
            None => Ok(doc.json.clone()),
            Some(text) => {
                let bad = |e: serde_json::Error| Error::Store(StoreError(e.to_string()));
                let mut answer: serde_json::Value =
                    serde_json::from_slice(&doc.json).map_err(bad)?;
                answer["schema"] = serde_json::Value::String(text);
                render(&answer)
            }
        }
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
        for raw in ["", " ", "default", "DEFAULT"] {
            assert_eq!(
                SchemaFormat::parse(raw).unwrap(),
                SchemaFormat::AsRegistered
            );
        }
        assert_eq!(
            SchemaFormat::parse("Resolved").unwrap(),
            SchemaFormat::Resolved
        );
        assert_eq!(
            SchemaFormat::parse("SERIALIZED").unwrap(),
            SchemaFormat::Serialized
        );
        assert_eq!(
            SchemaFormat::parse("ignore_extensions").unwrap(),
            SchemaFormat::IgnoreExtensions
        );
        // Unknown formats answer the default, as Confluent's providers do; only
        // `logical`, which Confluent converts and this registry cannot, is refused.
        for unknown in ["pretty", "x", " serialized"] {
            assert_eq!(
                SchemaFormat::parse(unknown).unwrap(),
                SchemaFormat::AsRegistered,
                "{unknown}"
            );
        }
        assert!(matches!(
            SchemaFormat::parse("Logical"),
            Err(Error::UnsupportedFormat(_))
        ));
    }
}
