//! Where Confluent's conformance data is read from: `shared/` beside the checkout,
//! or the directory `SCHEMAGATE_SHARED_DIR` names. One definition for the
//! integration tests and the library's unit tests (included by `#[path]`).

use std::path::PathBuf;

/// `conformance/<part>` under the shared directory.
pub fn conformance(part: &str) -> PathBuf {
    match std::env::var_os("SCHEMAGATE_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
    }
    .join("conformance")
    .join(part)
}
