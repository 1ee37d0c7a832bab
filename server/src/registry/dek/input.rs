//! The DEK registry's requests as clients send them (Confluent's `CreateKekRequest`,
//! `UpdateKekRequest`, `CreateDekRequest`), and the checks Confluent's resource makes
//! on names, subjects and KMS key ids before anything is looked up.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::DekError;
use crate::store::keys::DekAlgorithm;

/// Longest KEK name, in UTF-16 units as Java counts (`NAME_MAX_LENGTH`).
const NAME_MAX_LENGTH: usize = 256;

/// `POST /dek-registry/v1/keks`: every field optional here, so that a missing one is
/// Confluent's 42271 rather than a malformed body.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateKekInput {
    /// The KEK's name.
    pub name: Option<String>,
    /// The KMS type.
    pub kms_type: Option<String>,
    /// The key's id in the KMS.
    pub kms_key_id: Option<String>,
    /// KMS properties.
    pub kms_props: Option<BTreeMap<String, String>>,
    /// Free text.
    pub doc: Option<String>,
    /// Whether the registry may use the KMS key (`null` is false, as in Java).
    pub shared: Option<bool>,
    /// Create it soft-deleted (how Confluent's create undeletes an unchanged KEK).
    pub deleted: Option<bool>,
}

/// `PUT /dek-registry/v1/keks/{name}`: each field left out keeps its value, `null`
/// clears `kmsProps` and `doc` (Confluent's `Optional` fields).
#[derive(Clone, Debug, Default)]
pub struct KekUpdate {
    /// `Some(None)`: cleared.
    pub kms_props: Option<Option<BTreeMap<String, String>>>,
    /// `Some(None)`: cleared.
    pub doc: Option<Option<String>>,
    /// `None` (absent or `null`): unchanged.
    pub shared: Option<bool>,
}

impl KekUpdate {
    /// Reads a body; a field of the wrong type is 42271 naming it.
    pub fn from_json(body: &Map<String, Value>) -> Result<KekUpdate, DekError> {
        let kms_props = match body.get("kmsProps") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(v) => Some(Some(serde_json::from_value(v.clone()).map_err(|_| {
                DekError::invalid_because("kmsProps", "expected an object of strings")
            })?)),
        };
        let doc = match body.get("doc") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(s)) => Some(Some(s.clone())),
            Some(_) => return Err(DekError::invalid_because("doc", "expected a string")),
        };
        let shared = match body.get("shared") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                return Err(DekError::invalid_because(
                    "shared",
                    "expected true or false",
                ));
            }
        };
        Ok(KekUpdate {
            kms_props,
            doc,
            shared,
        })
    }
}

/// `POST /dek-registry/v1/keks/{name}/deks[/{subject}]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDekInput {
    /// The subject (the path's wins when the route has one).
    pub subject: Option<String>,
    /// The version, 1 when absent.
    pub version: Option<i64>,
    /// The algorithm's name, `AES256_GCM` when absent.
    pub algorithm: Option<String>,
    /// The DEK wrapped by the KEK, base64. Required: Schemagate cannot generate one.
    pub encrypted_key_material: Option<String>,
    /// Create it soft-deleted.
    pub deleted: Option<bool>,
}

/// A KEK name as Confluent's `checkName` accepts it: 1 to 256 characters, a letter or
/// `_` first, then letters, digits, `_` and `-`.
pub fn kek_name(name: &str) -> Result<&str, DekError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if first_ok && rest_ok && name.encode_utf16().count() <= NAME_MAX_LENGTH {
        Ok(name)
    } else {
        Err(DekError::invalid_because(
            "name",
            format!(
                "a KEK name is 1 to {NAME_MAX_LENGTH} letters, digits, '_' or '-', starting with a letter or '_'"
            ),
        ))
    }
}

/// A DEK subject as Confluent's `checkSubject` accepts it: not empty, no control
/// characters.
pub fn dek_subject(subject: &str) -> Result<&str, DekError> {
    if subject.is_empty() || subject.chars().any(char::is_control) {
        Err(DekError::invalid_because(
            "subject",
            "a subject is not empty and has no control characters",
        ))
    } else {
        Ok(subject)
    }
}

/// The algorithm a query parameter names (`None` or empty: Confluent's default
/// applies where the use case says so).
pub fn algorithm_param(raw: Option<&str>) -> Result<Option<DekAlgorithm>, DekError> {
    match raw {
        None | Some("") => Ok(None),
        Some(name) => DekAlgorithm::parse(name)
            .map(Some)
            .ok_or_else(|| DekError::UnknownAlgorithmParam(name.to_owned())),
    }
}

/// The algorithm a body names; `AES256_GCM` when it names none.
pub fn algorithm_field(raw: Option<&str>) -> Result<DekAlgorithm, DekError> {
    match raw {
        None => Ok(DekAlgorithm::default()),
        Some(name) => {
            DekAlgorithm::parse(name).ok_or_else(|| DekError::UnknownAlgorithm(name.to_owned()))
        }
    }
}

/// Confluent's `CreateKekRequest.validate`: the KMS key id must look like one of the
/// KMS its (exact) type names.
pub fn check_kms_key_id(kms_type: &str, kms_key_id: &str) -> Result<(), DekError> {
    let (ok, expected) = match kms_type {
        "aws-kms" => (kms_key_id.starts_with("arn:aws:kms:"), "arn:aws:kms:"),
        "azure-kms" => (kms_key_id.starts_with("https://"), "https://"),
        "gcp-kms" => (kms_key_id.starts_with("projects/"), "projects/"),
        "hcvault" => (
            kms_key_id.starts_with("https://") || kms_key_id.starts_with("http://"),
            "http:// or https://",
        ),
        _ => (true, ""),
    };
    if ok {
        Ok(())
    } else {
        Err(DekError::invalid_because(
            "kmsKeyId",
            format!("a {kms_type} key id starts with {expected}"),
        ))
    }
}

/// Confluent's `normalizeKmsType`: any type starting with `aws`, `azure` or `gcp` (in
/// any case) is that cloud's KMS; others are kept as given.
pub fn normalize_kms_type(kms_type: &str) -> String {
    let lower = kms_type.to_lowercase();
    for (prefix, name) in [
        ("aws", "aws-kms"),
        ("azure", "azure-kms"),
        ("gcp", "gcp-kms"),
    ] {
        if lower.starts_with(prefix) {
            return name.to_owned();
        }
    }
    kms_type.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kek_names_as_confluent_checks_them() {
        for good in ["k", "_k", "kek-1_a", "Ümlaut", &"a".repeat(256)] {
            assert!(kek_name(good).is_ok(), "{good}");
        }
        for bad in ["", "1k", "-k", "k.1", "k/1", "k 1", &"a".repeat(257)] {
            let e = kek_name(bad).unwrap_err();
            assert_eq!(e.code(), 42271, "{bad}");
        }
    }

    #[test]
    fn subjects_algorithms_and_kms() {
        assert!(dek_subject("orders-value").is_ok());
        assert!(dek_subject(":.ctx:orders").is_ok());
        assert!(dek_subject("").is_err());
        assert!(dek_subject("a\nb").is_err());
        assert_eq!(algorithm_param(None).unwrap(), None);
        assert_eq!(algorithm_param(Some("")).unwrap(), None);
        assert_eq!(
            algorithm_param(Some("AES256_SIV")).unwrap(),
            Some(DekAlgorithm::Aes256Siv)
        );
        assert_eq!(algorithm_param(Some("aes256_siv")).unwrap_err().code(), 404);
        assert_eq!(algorithm_field(Some("DES")).unwrap_err().code(), 422);
        assert_eq!(algorithm_field(None).unwrap(), DekAlgorithm::Aes256Gcm);
        assert!(check_kms_key_id("aws-kms", "arn:aws:kms:eu-west-1:1:key/x").is_ok());
        assert!(check_kms_key_id("aws-kms", "key/x").is_err());
        assert!(check_kms_key_id("AWS", "key/x").is_ok());
        assert!(check_kms_key_id("local-kms", "anything").is_ok());
        assert_eq!(normalize_kms_type("AWS-whatever"), "aws-kms");
        assert_eq!(normalize_kms_type("local-kms"), "local-kms");
    }

    #[test]
    fn updates_keep_clear_or_set() {
        let body = serde_json::json!({"doc": null, "shared": true});
        let u = KekUpdate::from_json(body.as_object().unwrap()).unwrap();
        assert_eq!(u.doc, Some(None));
        assert_eq!(u.kms_props, None);
        assert_eq!(u.shared, Some(true));
        let bad = serde_json::json!({"kmsProps": {"a": 1}});
        assert_eq!(
            KekUpdate::from_json(bad.as_object().unwrap())
                .unwrap_err()
                .code(),
            42271
        );
    }
}
