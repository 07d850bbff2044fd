//! The inputs kept from fuzzing (`fuzz/regressions/<target>/`, see `fuzz/README.md`), run
//! through the same property checks as the fuzz targets (`emblem_badges::bake::fuzzing` for
//! baking, `emblem_badges::fuzzing` for the parsers `POST /verify` runs) on every `cargo test`:
//! a minimised corpus of each target plus any input that once crashed.

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no kept inputs in {}", dir.display());
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("read a kept input");
            (path.display().to_string(), bytes)
        })
        .collect()
}

fn run(target: &str, check: fn(&[u8])) {
    for (name, bytes) in inputs(target) {
        let outcome = std::panic::catch_unwind(|| check(&bytes));
        assert!(outcome.is_ok(), "{name} fails the {target} properties");
    }
}

#[test]
fn png_unbake_inputs_hold() {
    run("png_unbake", emblem_badges::bake::fuzzing::png_unbake);
}

#[test]
fn svg_unbake_inputs_hold() {
    run("svg_unbake", emblem_badges::bake::fuzzing::svg_unbake);
}

#[test]
fn bake_roundtrip_inputs_hold() {
    run("bake_roundtrip", emblem_badges::bake::fuzzing::roundtrip);
}

// The parsers `POST /verify` runs on untrusted input (`emblem_badges::fuzzing`).

#[test]
fn jws_parse_inputs_hold() {
    run("jws_parse", emblem_badges::fuzzing::jws_parse);
}

#[test]
fn verify_input_inputs_hold() {
    run("verify_input", emblem_badges::fuzzing::verify_input);
}

#[test]
fn multipart_inputs_hold() {
    run("multipart", emblem_badges::fuzzing::multipart);
}

#[test]
fn data_uri_inputs_hold() {
    run("data_uri", emblem_badges::fuzzing::data_uri);
}

/// The kept signed JWS verifies with the fuzzing key, so the targets reach a matching
/// signature (the key is the public half of tests/fixtures/verify/key-a.pem).
#[test]
fn the_signed_jws_input_verifies_with_the_fuzzing_key() {
    let (name, bytes) = inputs("jws_parse")
        .into_iter()
        .find(|(name, _)| name.ends_with("signed-with-key-a"))
        .expect("fuzz/regressions/jws_parse/signed-with-key-a");
    let text = std::str::from_utf8(&bytes).expect("ASCII");
    let jws = emblem_badges::verify::jws::Jws::parse(text).expect(&name);
    assert_eq!(
        jws.verify_rs256(emblem_badges::fuzzing::FUZZ_PUBLIC_KEY),
        Ok(())
    );
}
