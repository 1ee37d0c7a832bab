//! cargo-fuzz target `request_parse`; the body is shared with server/tests/server/hostile.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| schemagate_server_fuzz::request_parse(data));
