//! Baking a payload into arbitrary image bytes, then unbaking the result: what was baked must
//! come back exactly (see `emblem_badges::bake::fuzzing::roundtrip`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    emblem_badges::bake::fuzzing::roundtrip(data);
});
