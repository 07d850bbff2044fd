//! Unbaking arbitrary bytes as an SVG: never a panic, and the result must be consistent
//! (see `emblem_badges::bake::fuzzing::svg_unbake`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    emblem_badges::bake::fuzzing::svg_unbake(data);
});
