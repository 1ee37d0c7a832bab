//! What can go wrong talking to a registry. Every variant names the URL it concerns,
//! because "connection refused" without an address is the message people hate most.

use schemagate_core::SchemaError;

/// An error from the registry client.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The base URL is not an `http://` or `https://` URL.
    #[error("invalid registry URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// No connection could be made (after retries).
    #[error("cannot reach the schema registry at {url}: {reason}")]
    Unreachable {
        /// The URL requested.
        url: String,
        /// The transport's explanation.
        reason: String,
    },
    /// The registry did not answer in time (after retries).
    #[error("the schema registry at {url} did not answer within {seconds:.1} s")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The timeout in force.
        seconds: f64,
    },
    /// HTTP 401 or 403: the credentials are missing or wrong.
    #[error("the schema registry at {url} refused the credentials (HTTP {status}): {message}")]
    Unauthorized {
        /// The URL requested.
        url: String,
        /// 401 or 403.
        status: u16,
        /// What the registry said, if anything.
        message: String,
    },
    /// The registry answered with a Confluent error body (or another HTTP error).
    #[error("{message} (error {error_code}, HTTP {status} from {url})")]
    Registry {
        /// The URL requested.
        url: String,
        /// HTTP status.
        status: u16,
        /// Confluent's `error_code` (the HTTP status when the body had none).
        error_code: i64,
        /// Confluent's `message`.
        message: String,
    },
    /// A success answer that is not what the API promises.
    #[error("unexpected answer from {url}: {reason}")]
    Decode {
        /// The URL requested.
        url: String,
        /// What did not fit.
        reason: String,
    },
    /// A registered schema that the core cannot parse (startup helper).
    #[error("subject {subject:?}: the registered schema does not parse: {source}")]
    Schema {
        /// The subject whose schema failed.
        subject: String,
        /// The parse error.
        #[source]
        source: SchemaError,
    },
    /// A subject a producer needs is not registered (startup helper).
    #[error(
        "subject {subject:?} is not registered in the schema registry at {url}; register it before starting"
    )]
    MissingSubject {
        /// The subject.
        subject: String,
        /// The registry's base URL.
        url: String,
    },
}

impl Error {
    /// Confluent's `error_code`, when the registry answered with one.
    pub fn error_code(&self) -> Option<i64> {
        match self {
            Error::Registry { error_code, .. } => Some(*error_code),
            _ => None,
        }
    }

    /// Whether the registry said the subject, version or schema does not exist
    /// (40401, 40402, 40403, or a bare 404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Registry { status: 404, .. })
    }

    /// Whether the registry refused the schema as incompatible: HTTP 409, whose
    /// `error_code` is 409 from Confluent 7 and 40901 from Confluent 8 and Schemagate.
    pub fn is_incompatible(&self) -> bool {
        matches!(self, Error::Registry { status: 409, .. })
            || matches!(self.error_code(), Some(409 | 40901))
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    fn refusal(status: u16, error_code: i64) -> Error {
        Error::Registry {
            url: "http://registry/subjects/s/versions".into(),
            status,
            error_code,
            message: "incompatible".into(),
        }
    }

    #[test]
    fn confluent_7_and_8_incompatibility_codes_are_recognised() {
        assert!(refusal(409, 409).is_incompatible());
        assert!(refusal(409, 40901).is_incompatible());
        assert!(!refusal(422, 42201).is_incompatible());
    }
}
