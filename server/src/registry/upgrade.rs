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
//! parses is kept as it is, with only its GUID indexed.
//!
//! Format 3 gives every context its own ids. Before it, a qualified name such as
//! `:.team-a:orders` was an ordinary subject whose versions pointed at ids of the one
//! id space; the upgrade copies each schema such a subject uses, under the same id, into
//! its context, and starts the context's id counter past them, so every version keeps
//! showing what it showed.
//!
//! It runs in batches, each committed and flushed, and marks the store upgraded last,
//! so a crash midway just runs it again.

use super::*;
use crate::store::FORMAT;

/// Schemas rewritten per commit: bounds one transaction's size on a large store.
const BATCH: usize = 512;

impl Registry {
    /// Upgrades the store to [`FORMAT`] if it is older; returns how many schema records
    /// it rewrote. Blocking; call before serving.
    pub fn upgrade_store(&self) -> Result<usize> {
        let format = self.store.format()?;
        if format >= FORMAT {
            return Ok(0);
        }
        let mut rewritten = 0;
        if format < 2 {
            let ids = self.store.schema_ids()?;
            for batch in ids.chunks(BATCH) {
                let mut ops = Vec::with_capacity(batch.len());
                for &id in batch {
                    ops.push(self.upgraded(id)?);
                }
                self.commit_flushed(&ops)?;
            }
            rewritten += ids.len();
        }
        rewritten += self.split_contexts()?;
        self.commit_flushed(&[Op::SetFormat(FORMAT)])?;
        tracing::info!(schemas = rewritten, format = FORMAT, "upgraded the store");
        Ok(rewritten)
    }

    fn commit_flushed(&self, ops: &[Op]) -> Result<()> {
        let writer = self.lock_writer()?;
        self.commit(writer, ops)?;
        self.flush()
    }

    /// Format 3: copies the schemas that qualified subjects use into their contexts;
    /// returns how many it copied.
    fn split_contexts(&self) -> Result<usize> {
        let mut copied = 0;
        for (subject, versions) in self.store.all_versions()? {
            let context = context_of(&subject);
            if context.is_empty() {
                continue;
            }
            let mut ops = vec![Op::SetContext {
                context: context.clone(),
                present: true,
            }];
            let mut seen = HashSet::new();
            for v in &versions {
                if !seen.insert(v.id) || self.store.schema(&context, v.id)?.is_some() {
                    continue;
                }
                let stored = self.stored("", v.id)?;
                // Its references were resolved by their literal names when it was
                // registered, as the default context resolves them.
                let key = match self.reparse_texts("", v.id, &stored, false) {
                    Ok((parsed, _)) => {
                        content_key(&parsed, &stored.references, &stored.contract(), &context)
                    }
                    // A key no request can hash to: the copy is found by id only.
                    Err(_) => {
                        Sha256::digest(format!("unparsable {context} {}", v.id).as_bytes()).into()
                    }
                };
                ops.push(Op::PutSchema {
                    context: context.clone(),
                    id: v.id,
                    key,
                    guid: stored.guid(),
                    schema: stored,
                });
                ops.push(Op::SetNextId {
                    context: context.clone(),
                    next: v.id.next(),
                });
                copied += 1;
            }
            self.commit_flushed(&ops)?;
        }
        Ok(copied)
    }

    /// The rewrite of schema `id` in the current format.
    fn upgraded(&self, id: SchemaId) -> Result<Op> {
        let stored = self.stored("", id)?;
        let contract = stored.contract();
        match self.reparse_texts("", id, &stored, false) {
            Ok((parsed, texts)) => {
                let key = content_key(&parsed, &stored.references, &contract, "");
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
