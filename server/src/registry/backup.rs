//! The online backup (`GET /v1/backup`): the whole state in the transfer format
//! (`docs/export-format.md`), consistent because it is read under the writer lock, so
//! no write interleaves. The records go to an unlinked temporary file while the lock is
//! held; writers wait only for that copy, and the answer is streamed from the file
//! afterwards, so memory stays bounded however large the registry.
//!
//! The lock is the registry's writer lock and the store's ([`Store::lock_writes`]): on
//! PostgreSQL that is the advisory lock every instance's writes take, so writers of
//! other instances wait too (up to the store's lock timeout, after which their write
//! fails and may be retried).

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};

use schemagate_core::date::utc_now;
use schemagate_core::transfer::{
    self, ContextRecord, Header, ModeRecord, Record, SchemaRecord, Trailer,
};

use super::*;

/// A snapshot written to an unlinked file, rewound, ready to be sent.
#[derive(Debug)]
pub struct Backup {
    /// The file, positioned at its start (already removed from the directory).
    pub file: File,
    /// Its length in bytes.
    pub len: u64,
    /// The counts of its `end` record.
    pub counts: Trailer,
}

fn io_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Store(StoreError(format!("backup: {what}: {e}")))
}

/// A JSON object of `value`'s serialisation.
fn object<T: Serialize>(value: &T) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(other) => Err(io_error("not an object", other)),
        Err(e) => Err(io_error("serialising a record", e)),
    }
}

/// A new file in the temporary directory, already unlinked: nothing is left behind,
/// whatever happens to the process.
fn anonymous_file() -> Result<File> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "schemagate-backup-{}-{}.ndjson",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| io_error(&format!("cannot create {}", path.display()), e))?;
    std::fs::remove_file(&path).map_err(|e| io_error("cannot unlink the temporary file", e))?;
    Ok(file)
}

impl Registry {
    /// `GET /v1/backup`: the whole registry, for an admin without subject prefixes
    /// (anyone with authentication off). `source` goes into the header. Blocking; the
    /// answer must still wait for durability ([`Registry::blocking`] does).
    pub fn backup(&self, caller: Caller<'_>, source: Option<String>) -> Result<Backup> {
        if !caller.is_global_admin() {
            return Err(caller.denied(Role::Admin, "the whole registry (backup)"));
        }
        let mut file = anonymous_file()?;
        let writer = self.lock_writer()?;
        let counts = self.snapshot(&file, source)?;
        drop(writer);
        let len = file
            .seek(SeekFrom::End(0))
            .map_err(|e| io_error("cannot size the snapshot", e))?;
        file.rewind()
            .map_err(|e| io_error("cannot rewind the snapshot", e))?;
        Ok(Backup { file, len, counts })
    }

    /// Writes every record to `file`: header, contexts, schema versions, configs,
    /// modes, KEKs, DEKs, then the `end` record with the counts.
    fn snapshot(&self, file: &File, source: Option<String>) -> Result<Trailer> {
        let mut out = BufWriter::with_capacity(256 * 1024, file);
        let mut counts = Trailer::default();
        let mut put = |record: Record| -> Result<()> {
            counts.count(&record);
            transfer::write_record(&mut out, &record)
                .map_err(|e| io_error("writing the snapshot", e))
        };
        put(Record::Header(Header::new(
            source,
            Some(utc_now()),
            &format!("schemagate-server {}", env!("CARGO_PKG_VERSION")),
        )))?;
        for context in self.store.contexts()? {
            put(Record::Context(ContextRecord {
                context: Context::of(&context).name().to_owned(),
            }))?;
        }
        // As `GET /subjects/{s}/versions/{v}?deleted=true` answers each version.
        for (subject, versions) in self.store.all_versions()? {
            for entry in &versions {
                let view = self.view(&subject, entry)?;
                let record: SchemaRecord = serde_json::to_value(&view)
                    .and_then(serde_json::from_value)
                    .map_err(|e| io_error("a version as a schema record", e))?;
                put(Record::Schema(record))?;
            }
        }
        // As `GET /config/{s}?defaultToGlobal=false` answers them: what is stored.
        let top = self.store.config(None)?.map(|c| (None, c));
        let scoped = self.store.configs()?.into_iter().map(|(k, c)| (Some(k), c));
        for (subject, config) in top.into_iter().chain(scoped) {
            put(Record::Config(transfer::ConfigRecord {
                subject,
                config: object(&config)?,
            }))?;
        }
        let top = self.store.mode(None)?.map(|m| (None, m));
        let mut modes: Vec<(Option<String>, Mode)> = top.into_iter().collect();
        for subject in self.store.mode_subjects()? {
            if let Some(mode) = self.store.mode(Some(&subject))? {
                modes.push((Some(subject), mode));
            }
        }
        for (subject, mode) in modes {
            put(Record::Mode(ModeRecord {
                subject,
                mode: mode.as_str().to_owned(),
            }))?;
        }
        // As the DEK registry answers them with `?deleted=true`: the stored records.
        let keks = self.store.keks()?;
        for kek in &keks {
            put(Record::Kek(object(kek)?))?;
        }
        for kek in &keks {
            for dek in self.store.deks(&kek.name)? {
                put(Record::Dek(object(&dek)?))?;
            }
        }
        // Each context's counter: it may be past every id in the file (the newest
        // schemas deleted for good), and a restore must not hand those ids out again.
        let mut prefixes = vec![String::new()];
        prefixes.extend(
            self.store
                .contexts()?
                .iter()
                .map(|c| Context::of(c).prefix()),
        );
        for prefix in prefixes {
            let next = self.store.next_id(&prefix)?;
            counts.next_ids.insert(prefix, next.0);
        }
        transfer::write_record(&mut out, &Record::End(counts.clone()))
            .map_err(|e| io_error("writing the snapshot", e))?;
        out.flush()
            .map_err(|e| io_error("writing the snapshot", e))?;
        Ok(counts)
    }
}
