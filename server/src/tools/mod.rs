//! The helper commands of the `schemagate-server` binary that talk to a running
//! server: `healthcheck` and `backup`. They live beside `main.rs`, not in the library,
//! since only the binary runs them.

pub mod backup;
pub mod healthcheck;
