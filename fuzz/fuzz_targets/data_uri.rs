//! Parsing an arbitrary `data:` URI under a chosen cap: never a panic, no more than the cap,
//! decoded bytes that re-encode consistently (see `emblem_badges::fuzzing::data_uri`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    emblem_badges::fuzzing::data_uri(data);
});
