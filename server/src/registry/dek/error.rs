//! What the DEK registry refuses, with Confluent's `dek-registry` error codes and
//! words (`DekRegistryErrors`), and the one refusal of its own: work that needs a KMS.

/// A refusal of a DEK registry use case.
#[derive(Debug, thiserror::Error)]
pub enum DekError {
    /// 40470: no such KEK or DEK (a soft-deleted one unless `deleted=true`).
    #[error("Key '{0}' not found")]
    KeyNotFound(String),
    /// 40471: a permanent delete of a key that was not soft-deleted first.
    #[error("Key '{0}' was not deleted first before being permanently deleted")]
    KeyNotSoftDeleted(String),
    /// 40472: undeleting a DEK whose KEK is soft-deleted.
    #[error("Key '{0}' must be undeleted first")]
    KeySoftDeleted(String),
    /// 40971: the key exists (creating it again, unless to undelete it unchanged).
    #[error("Key '{0}' already exists; use a different value")]
    AlreadyExists(String),
    /// 40972: the store holds the most keys of this kind it may.
    #[error("A maximum of {0} keys already exist")]
    TooManyKeys(u64),
    /// 42271: a field that is missing or not valid; `detail` says more where Confluent's
    /// words alone would not tell what to do.
    #[error("Invalid or missing value for field '{field}' of key{detail}")]
    InvalidKey {
        /// The field, by its JSON name.
        field: &'static str,
        /// Empty, or `: ` and an explanation.
        detail: String,
    },
    /// 42272: a KEK still wraps DEKs.
    #[error("One or more references exist to the key '{0}'")]
    ReferenceExists(String),
    /// 40370 (Confluent's "DEK generation forbidden"): the request needs the KMS, and
    /// Schemagate holds no KMS credentials by design.
    #[error("{0}")]
    NoKms(String),
    /// 422 (as Confluent's JSON mapping error): an `algorithm` in a body that names no
    /// algorithm.
    #[error(
        "Unknown algorithm '{0}' in the request body: expected one of AES128_GCM, AES256_GCM, AES256_SIV (exact case)"
    )]
    UnknownAlgorithm(String),
    /// 404 (as Confluent's, whose JAX-RS answers a query parameter it cannot convert with
    /// 404): an `algorithm` query parameter that names no algorithm.
    #[error(
        "Unknown algorithm '{0}' in the query: expected one of AES128_GCM, AES256_GCM, AES256_SIV (exact case)"
    )]
    UnknownAlgorithmParam(String),
}

impl DekError {
    /// Confluent's `error_code` (the HTTP status is its first three digits).
    pub fn code(&self) -> u32 {
        match self {
            DekError::KeyNotFound(_) => 40470,
            DekError::KeyNotSoftDeleted(_) => 40471,
            DekError::KeySoftDeleted(_) => 40472,
            DekError::AlreadyExists(_) => 40971,
            DekError::TooManyKeys(_) => 40972,
            DekError::InvalidKey { .. } => 42271,
            DekError::ReferenceExists(_) => 42272,
            DekError::NoKms(_) => 40370,
            DekError::UnknownAlgorithm(_) => 422,
            DekError::UnknownAlgorithmParam(_) => 404,
        }
    }

    /// 42271 for `field`, in Confluent's words only.
    pub(super) fn invalid(field: &'static str) -> DekError {
        DekError::InvalidKey {
            field,
            detail: String::new(),
        }
    }

    /// 42271 for `field`, with what to do about it.
    pub(super) fn invalid_because(field: &'static str, why: impl std::fmt::Display) -> DekError {
        DekError::InvalidKey {
            field,
            detail: format!(": {why}"),
        }
    }
}
