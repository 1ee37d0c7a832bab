//! The records of the DEK registry (client-side field-level encryption): key encryption
//! keys (KEKs), which only name a key held in a KMS, and data encryption keys (DEKs),
//! which are kept only as the KMS wrapped them (`encryptedKeyMaterial`). No record has
//! room for a plaintext key: the registry never holds one.
//!
//! Each record is stored as JSON in the shape Confluent's `Kek` and `Dek` entities are
//! answered in (camelCase, `ts`, `deleted` only when true), so the stored form and the
//! answer are one and the same.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A DEK's algorithm: Confluent's `DekFormat`, by its exact (case-sensitive) name.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum DekAlgorithm {
    /// AES-GCM with a 128-bit key.
    #[serde(rename = "AES128_GCM")]
    Aes128Gcm,
    /// AES-GCM with a 256-bit key: what a client uses unless told otherwise.
    #[default]
    #[serde(rename = "AES256_GCM")]
    Aes256Gcm,
    /// Deterministic AES-SIV with two 256-bit keys.
    #[serde(rename = "AES256_SIV")]
    Aes256Siv,
}

impl DekAlgorithm {
    /// Every algorithm, in Confluent's declaration order (which is also the key order).
    pub const ALL: [DekAlgorithm; 3] = [
        DekAlgorithm::Aes128Gcm,
        DekAlgorithm::Aes256Gcm,
        DekAlgorithm::Aes256Siv,
    ];

    /// Confluent's name.
    pub fn as_str(self) -> &'static str {
        match self {
            DekAlgorithm::Aes128Gcm => "AES128_GCM",
            DekAlgorithm::Aes256Gcm => "AES256_GCM",
            DekAlgorithm::Aes256Siv => "AES256_SIV",
        }
    }

    /// The algorithm with exactly this name (Java's `valueOf`: case matters).
    pub fn parse(name: &str) -> Option<DekAlgorithm> {
        DekAlgorithm::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// Its position in [`DekAlgorithm::ALL`], as stores key it.
    pub fn ordinal(self) -> u8 {
        self as u8
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A key encryption key: a name for a key held in a KMS, which clients use to wrap and
/// unwrap DEKs (Confluent's `Kek`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KekRecord {
    /// Unique name.
    pub name: String,
    /// The KMS (`aws-kms`, `azure-kms`, `gcp-kms`, `hcvault`, `local-kms`, ...).
    pub kms_type: String,
    /// The key's id in that KMS.
    pub kms_key_id: String,
    /// KMS properties, sorted by key as Confluent answers them.
    #[serde(default)]
    pub kms_props: BTreeMap<String, String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Whether the registry itself may use the KMS key (Schemagate never can).
    #[serde(default)]
    pub shared: bool,
    /// When it was last written, in milliseconds since the Unix epoch.
    pub ts: i64,
    /// Soft-deleted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
}

impl KekRecord {
    /// Confluent's `isEquivalent`: the same key, whatever its time and deletion.
    pub fn is_equivalent(&self, other: &KekRecord) -> bool {
        self.name == other.name
            && self.kms_type == other.kms_type
            && self.kms_key_id == other.kms_key_id
            && self.kms_props == other.kms_props
            && self.doc == other.doc
            && self.shared == other.shared
    }
}

/// Where a DEK is stored: KEK, subject, algorithm and version.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DekId {
    /// The KEK that wraps it.
    pub kek_name: String,
    /// The subject it encrypts fields of.
    pub subject: String,
    /// Its algorithm.
    pub algorithm: DekAlgorithm,
    /// From 1.
    pub version: i32,
}

/// A data encryption key, as the KMS wrapped it (Confluent's `Dek` without
/// `keyMaterial`, which is never stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DekRecord {
    /// The KEK that wraps it.
    pub kek_name: String,
    /// The subject it encrypts fields of.
    pub subject: String,
    /// From 1; a new version is a rotated key.
    pub version: i32,
    /// Its algorithm.
    pub algorithm: DekAlgorithm,
    /// The key wrapped by the KEK, base64, exactly as the client sent it.
    pub encrypted_key_material: String,
    /// When it was last written, in milliseconds since the Unix epoch.
    pub ts: i64,
    /// Soft-deleted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
}

impl DekRecord {
    /// Where it is stored.
    pub fn id(&self) -> DekId {
        DekId {
            kek_name: self.kek_name.clone(),
            subject: self.subject.clone(),
            algorithm: self.algorithm,
            version: self.version,
        }
    }

    /// Confluent's `isEquivalent`: the same key, whatever its time and deletion.
    pub fn is_equivalent(&self, other: &DekRecord) -> bool {
        self.id() == other.id() && self.encrypted_key_material == other.encrypted_key_material
    }
}

/// How many keys are stored, soft-deleted ones included (the bound on new keys).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyCounts {
    /// KEKs.
    pub keks: u64,
    /// DEKs, every version counted.
    pub deks: u64,
}

/// A stored record read back (`what` names it in the error for a corrupt one).
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
) -> super::StoreResult<T> {
    serde_json::from_slice(bytes).map_err(|e| super::StoreError(format!("corrupt {what}: {e}")))
}

/// The stored form of a record.
pub(crate) fn encode<T: Serialize>(record: &T) -> String {
    // Strings, numbers, booleans and a map of strings always serialise.
    serde_json::to_string(record).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_confluents_entities() {
        let kek = KekRecord {
            name: "k".into(),
            kms_type: "local-kms".into(),
            kms_key_id: "id".into(),
            kms_props: BTreeMap::from([("b".into(), "2".into()), ("a".into(), "1".into())]),
            doc: None,
            shared: false,
            ts: 7,
            deleted: false,
        };
        assert_eq!(
            encode(&kek),
            r#"{"name":"k","kmsType":"local-kms","kmsKeyId":"id","kmsProps":{"a":"1","b":"2"},"shared":false,"ts":7}"#
        );
        let dek = DekRecord {
            kek_name: "k".into(),
            subject: "s".into(),
            version: 1,
            algorithm: DekAlgorithm::default(),
            encrypted_key_material: "AAAA".into(),
            ts: 8,
            deleted: true,
        };
        let text = encode(&dek);
        assert_eq!(
            text,
            r#"{"kekName":"k","subject":"s","version":1,"algorithm":"AES256_GCM","encryptedKeyMaterial":"AAAA","ts":8,"deleted":true}"#
        );
        assert_eq!(decode::<DekRecord>(text.as_bytes(), "dek").unwrap(), dek);
    }

    #[test]
    fn algorithms_by_exact_name() {
        for a in DekAlgorithm::ALL {
            assert_eq!(DekAlgorithm::parse(a.as_str()), Some(a));
        }
        assert_eq!(DekAlgorithm::parse("aes256_gcm"), None);
        assert_eq!(DekAlgorithm::parse("AES512_GCM"), None);
        assert!(DekAlgorithm::Aes128Gcm.ordinal() < DekAlgorithm::Aes256Siv.ordinal());
    }
}
