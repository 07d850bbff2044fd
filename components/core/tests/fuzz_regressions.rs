//! The inputs kept from fuzzing (`fuzz/regressions/<target>/`, see `fuzz/README.md`), run
//! through the same property checks as the fuzz targets (`emblem_core::bake::fuzzing`) on
//! every `cargo test`: a minimised corpus of each target plus any input that once crashed.

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
    run("png_unbake", emblem_core::bake::fuzzing::png_unbake);
}

#[test]
fn svg_unbake_inputs_hold() {
    run("svg_unbake", emblem_core::bake::fuzzing::svg_unbake);
}

#[test]
fn bake_roundtrip_inputs_hold() {
    run("bake_roundtrip", emblem_core::bake::fuzzing::roundtrip);
}
