//! The one shape of an event's violation of its schema. It lives apart from
//! `validate` so that the schema models, which produce violations, need not import the
//! module that dispatches to them.

use serde::{Deserialize, Serialize};

/// One way an event breaks its schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// JSON pointer into the event.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}
