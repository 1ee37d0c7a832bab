//! The DEK registry (`/dek-registry/v1`), the server half of Confluent's client-side
//! field-level encryption: clients keep their KEKs (names of keys in a KMS) and DEKs
//! (data keys, wrapped by a KEK) here, so that producers and consumers find the same
//! DEK for a subject.
//!
//! Schemagate holds no KMS credentials, by design: it stores DEKs only as the client
//! wrapped them (`encryptedKeyMaterial`) and never sees a plaintext key. What Confluent's
//! registry does with a KMS for a *shared* KEK (generate and wrap a DEK, unwrap one into
//! `keyMaterial`, test the key) is refused with 40370 and what to do instead; a DEK the
//! client wrapped itself is kept for a shared KEK as for any other.
//!
//! Writes take the writer lock and commit like every other write, so an acknowledged
//! key is durable ([`Registry::write`]). The rooms: `keks` and `deks` (the use cases),
//! `input` (requests and the checks on names), `error` (Confluent's error codes).

mod deks;
mod error;
mod input;
mod keks;

pub use error::DekError;
pub use input::{CreateDekInput, CreateKekInput, KekUpdate, algorithm_param};

use super::*;
use crate::store::keys::KekRecord;

/// The most keys of each kind (KEKs, DEK versions) a store holds: Confluent's
/// `dek.registry.max.keys` default. A create past it is 40972.
pub const MAX_KEYS: u64 = 20_000;

impl From<DekError> for Error {
    fn from(e: DekError) -> Error {
        Error::Dek(e)
    }
}

impl Registry {
    /// The KEK `name`, soft-deleted only when `include_deleted`; 40470 otherwise.
    fn live_kek(&self, name: &str, include_deleted: bool) -> Result<KekRecord> {
        self.store
            .kek(name)?
            .filter(|k| include_deleted || !k.deleted)
            .ok_or_else(|| DekError::KeyNotFound(name.to_owned()).into())
    }

    /// Commits `ops`, or, when the request changes nothing, releases the lock and
    /// answers once what was read is durable.
    fn commit_keys(&self, writer: WriterGuard<'_>, ops: &[Op]) -> Result<u64> {
        if ops.is_empty() {
            drop(writer);
            return Ok(self.current_seq());
        }
        self.commit(writer, ops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sled::SledStore;

    fn kek(name: &str) -> CreateKekInput {
        CreateKekInput {
            name: Some(name.into()),
            kms_type: Some("local-kms".into()),
            kms_key_id: Some("key".into()),
            ..CreateKekInput::default()
        }
    }

    fn dek(subject: &str) -> CreateDekInput {
        CreateDekInput {
            subject: Some(subject.into()),
            encrypted_key_material: Some("d3JhcHBlZA==".into()),
            ..CreateDekInput::default()
        }
    }

    /// Past the bound on keys of a kind, a create is 40972; the other kind is counted
    /// on its own.
    #[test]
    fn creates_stop_at_the_most_keys_of_each_kind() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SledStore::open(dir.path()).unwrap());
        let mut registry = Registry::new(store, Level::Backward, Limits::default());
        registry.dek_max_keys = 2;
        registry.create_kek(kek("a"), false).unwrap();
        registry.create_kek(kek("b"), false).unwrap();
        let refused = registry.create_kek(kek("c"), false).unwrap_err();
        assert!(
            matches!(refused, Error::Dek(DekError::TooManyKeys(2))),
            "{refused}"
        );
        assert_eq!(refused.to_string(), "A maximum of 2 keys already exist");
        for s in ["s1", "s2"] {
            registry
                .create_dek(Caller::ANYONE, "a", None, dek(s), false)
                .unwrap();
        }
        let refused = registry
            .create_dek(Caller::ANYONE, "a", None, dek("s3"), false)
            .unwrap_err();
        assert!(
            matches!(refused, Error::Dek(DekError::TooManyKeys(2))),
            "{refused}"
        );
    }
}
