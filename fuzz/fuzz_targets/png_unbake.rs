//! Unbaking arbitrary bytes as a PNG: never a panic, and the result must be consistent
//! (see `emblem_badges::bake::fuzzing::png_unbake`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    emblem_badges::bake::fuzzing::png_unbake(data);
});
