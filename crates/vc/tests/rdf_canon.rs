//! The W3C RDF Dataset Canonicalization test suite (`tests/vectors/rdf-canon/`, see its
//! README): every test of its manifest, each a test here named after it.
//!
//! - `…c` (evaluation): the canonical N-Quads of the input are the expected file, byte for byte.
//! - `…m` (map): the canonical labels issued to the input's blank nodes are the expected map.
//! - `test074n` (negative): the 10-node clique is refused by the work limit, quickly.
//!
//! The input is read with oxttl's N-Quads parser, and canonicalised by [`emblem_vc::rdfc`], the
//! code every proof goes through.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use emblem_vc::rdfc::{self, Hash};
use oxrdf::Quad;
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/rdf-canon")
}

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(dir().join("manifest.jsonld")).expect("manifest");
    let doc: Value = serde_json::from_str(&text).expect("manifest JSON");
    doc["entries"].as_array().expect("entries").clone()
}

fn entry(id: &str) -> Value {
    manifest()
        .into_iter()
        .find(|e| e["id"] == format!("#{id}"))
        .unwrap_or_else(|| panic!("{id} is not in the manifest"))
}

fn read(relative: &Value) -> String {
    let path = dir().join(relative.as_str().expect("path"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn quads(text: &str) -> Vec<Quad> {
    oxttl::NQuadsParser::new()
        .for_slice(text.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("N-Quads")
}

fn hash(entry: &Value) -> Hash {
    match entry["hashAlgorithm"].as_str() {
        Some("SHA384") => Hash::Sha384,
        None | Some("SHA256") => Hash::Sha256,
        Some(other) => panic!("unknown hash {other}"),
    }
}

fn run(id: &str) {
    let entry = entry(id);
    let input = quads(&read(&entry["action"]));
    match entry["type"].as_str().expect("type") {
        "rdfc:RDFC10EvalTest" => {
            let got = rdfc::nquads(input, hash(&entry)).expect("within the work limit");
            assert_eq!(got, read(&entry["result"]), "{id}");
        }
        "rdfc:RDFC10MapTest" => {
            let got = rdfc::canonicalize(input, hash(&entry))
                .expect("within the limit")
                .issued;
            let want: BTreeMap<String, String> =
                serde_json::from_str(&read(&entry["result"])).expect("map JSON");
            assert_eq!(got, want, "{id}");
        }
        "rdfc:RDFC10NegativeEvalTest" => {
            assert_eq!(
                rdfc::nquads(input, hash(&entry)),
                Err(rdfc::TooComplex),
                "{id}: a poison graph"
            );
        }
        other => panic!("{id}: unknown test type {other}"),
    }
}

macro_rules! suite {
    ($($id:ident),* $(,)?) => {
        $(
            #[test]
            fn $id() {
                run(stringify!($id));
            }
        )*

        /// Every test of the manifest has its test here, and no other.
        #[test]
        fn every_test_of_the_manifest_is_run() {
            let listed: Vec<&str> = vec![$(stringify!($id)),*];
            let manifest: Vec<String> = manifest()
                .iter()
                .map(|e| e["id"].as_str().expect("id").trim_start_matches('#').to_owned())
                .collect();
            assert_eq!(listed, manifest);
        }
    };
}

suite!(
    test001c, test002c, test003c, test003m, test004c, test004m, test005c, test005m, test006c,
    test008c, test009c, test010c, test011c, test013c, test014c, test016c, test016m, test017c,
    test017m, test018c, test018m, test019c, test020c, test020m, test021c, test022c, test023c,
    test024c, test025c, test026c, test027c, test028c, test029c, test030c, test030m, test033c,
    test034c, test035c, test036c, test038c, test039c, test040c, test043c, test044c, test045c,
    test046c, test047c, test047m, test048c, test048m, test053c, test053m, test054c, test055c,
    test055m, test056c, test056m, test057c, test057m, test058c, test059c, test060c, test060m,
    test061c, test062c, test063c, test063m, test064c, test065c, test066c, test067c, test068c,
    test069c, test070c, test070m, test071c, test071m, test072c, test072m, test073c, test073m,
    test074c, test075c, test075m, test076c, test077c,
);

/// The limit sits well above what the suite's "evil" graphs take.
#[test]
fn the_evil_graphs_take_a_tenth_of_the_limit_at_most() {
    for n in 44..=46 {
        let input = quads(&read(&Value::from(format!("rdfc10/test0{n}-in.nq"))));
        let steps = rdfc::canonicalize(input, Hash::Sha256)
            .expect("computable")
            .steps;
        assert!(steps * 10 <= rdfc::MAX_STEPS, "test0{n}: {steps} steps");
    }
}
