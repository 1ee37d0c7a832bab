//! cargo-fuzz target `app_requests`; the body is shared with server/tests/server/hostile.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| schemagate_server_fuzz::app_requests(data));
