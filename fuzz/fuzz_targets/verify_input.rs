//! Reading a `POST /verify` body (content type from a small set, or any) and a `GET /verify`
//! query: never a panic, 4xx errors, bounded output (see `emblem_badges::fuzzing::verify_input`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    emblem_badges::fuzzing::verify_input(data);
});
