//! Schemagate's pure core: schema parsing, canonical forms, fingerprints and the
//! compatibility engines for Avro, JSON Schema and Protobuf, and the data contracts (metadata,
//! rules) Confluent keeps beside a schema. No async, no network, no disk, so
//! the server and the CLI reach the same verdict for the same pair of schemas.

pub mod bump;
pub mod compat;
pub mod contract;
pub mod counterexample;
pub mod date;
pub mod limits;
pub mod pointer;
pub mod schema;
pub mod subject;
pub mod transfer;
pub mod validate;
mod violation;

pub use bump::{Bump, bump, bump_at};
pub use compat::{
    CheckOptions, Direction, Finding, Level, Policy, Position, ProtobufPolicy, Report, Severity,
    check, check_with,
};
pub use limits::Limits;
pub use schema::{Fingerprint, ParseOptions, ParsedSchema, Reference, SchemaError, SchemaType};
pub use subject::{Context, NamingStrategy, Subject, SubjectError, SubjectPrefix};
pub use validate::{Violation, validate};
