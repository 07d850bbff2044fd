//! Reading a `multipart/form-data` body with the boundary of an arbitrary content type: never a
//! panic, parts bounded and inside the body (see `emblem_badges::fuzzing::multipart`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    emblem_badges::fuzzing::multipart(data);
});
