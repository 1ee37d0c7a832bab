//! cargo-fuzz target `compat_protobuf`; the body is shared with core/tests/fuzz_corpus.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| schemagate_core_fuzz::compat_protobuf(data));
