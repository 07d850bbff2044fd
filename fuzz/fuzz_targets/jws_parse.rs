//! Parsing arbitrary text as a compact JWS, then its algorithm and an RS256 check with a fixed key:
//! never a panic, bounded output (see `emblem_badges::fuzzing::jws_parse`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    emblem_badges::fuzzing::jws_parse(data);
});
