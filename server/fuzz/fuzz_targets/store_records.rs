//! cargo-fuzz target `store_records`; the body is shared with server/tests/server/hostile.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| schemagate_server_fuzz::store_records(data));
