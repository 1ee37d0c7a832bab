//! The store format upgrade: records written by an earlier format brought to
//! [`FORMAT`] once, at start, before anything is served.
//!
//! Format 1 kept the sorted canonical text, no data contract, no GUID index, and keyed
//! content by an identity that kept attributes Avro drops. The upgrade rewrites each
//! schema's record with the text as registered (what the current parse makes of the
//! stored text: for Avro, Avro's own key order; a JSON text keeps the sorted order
//! format 1 stored, since the registrant's order is gone), indexes its GUID, and adds
//! its key under the current identity (old keys stay: they still name the same id).
//! Nothing is deleted, ids and versions are untouched, and a record that no longer
//! parses is kept as it is, with only its GUID indexed. It runs in batches, each
//! committed and flushed, and marks the store upgraded last, so a crash midway just
//! runs it again.

use super::*;
use crate::store::FORMAT;

/// Schemas rewritten per commit: bounds one transaction's size on a large store.
const BATCH: usize = 512;

impl Registry {
    /// Upgrades the store to [`FORMAT`] if it is older; returns how many schema records
    /// it rewrote. Blocking; call before serving.
    pub fn upgrade_store(&self) -> Result<usize> {
        if self.store.format()? >= FORMAT {
            return Ok(0);
        }
        let ids = self.store.schema_ids()?;
        for batch in ids.chunks(BATCH) {
            let mut ops = Vec::with_capacity(batch.len());
            for &id in batch {
                ops.push(self.upgraded(id)?);
            }
            let writer = self.lock_writer()?;
            self.commit(writer, &ops)?;
            self.flush()?;
        }
        let writer = self.lock_writer()?;
        self.commit(writer, &[Op::SetFormat(FORMAT)])?;
        self.flush()?;
        tracing::info!(schemas = ids.len(), format = FORMAT, "upgraded the store");
        Ok(ids.len())
    }

    /// The rewrite of schema `id` in the current format.
    fn upgraded(&self, id: SchemaId) -> Result<Op> {
        let stored = self.stored(id)?;
        let contract = stored.contract();
        match self.reparse_texts(id, &stored, false) {
            Ok((parsed, texts)) => {
                let key = content_key(&parsed, &stored.references, &contract);
                let schema = StoredSchema {
                    schema: self.text_to_store(&parsed, &texts),
                    ..stored
                };
                Ok(Op::UpgradeSchema {
                    id,
                    key: Some(key),
                    guid: schema.guid(),
                    schema,
                })
            }
            Err(e) => {
                tracing::warn!(%id, error = %e, "kept a stored schema that no longer parses as it is");
                Ok(Op::UpgradeSchema {
                    id,
                    key: None,
                    guid: stored.guid(),
                    schema: stored,
                })
            }
        }
    }
}
