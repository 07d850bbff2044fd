//! The issuer API's OpenAPI 3.1 document (`crates/web/src/api/openapi.json`, served at
//! `/api/v1/openapi.json`) judged by PyPI `openapi-spec-validator`, installed into
//! `target/interop/openapi` by `tests/interop/setup.sh`. That every route is documented, and
//! the README calls only documented routes, is checked in `emblem_web::api`'s tests.

use std::process::Command;

#[test]
fn the_openapi_document_is_valid_openapi_3_1() {
    let root = emblem_tests::root();
    let lib = root.join("target/interop/openapi");
    assert!(
        lib.is_dir(),
        "openapi-spec-validator is not installed: run tests/interop/setup.sh (cargo xtask test does)"
    );
    let doc = std::env::temp_dir().join(format!("emblem-openapi-{}.json", std::process::id()));
    std::fs::write(&doc, emblem_web::api::OPENAPI).expect("write");
    let out = Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&doc)
        .env("PYTHONPATH", &lib)
        .output()
        .expect("run openapi-spec-validator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && text.contains(": OK"), "{text}");
    // The validator does refuse a broken document (so this test can fail).
    let mut broken: serde_json::Value =
        serde_json::from_str(emblem_web::api::OPENAPI).expect("json");
    broken["paths"]["/assertions"]["post"]["parameters"] =
        serde_json::json!([{"name": "x", "in": "nowhere"}]);
    std::fs::write(&doc, broken.to_string()).expect("write");
    let refused = Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&doc)
        .env("PYTHONPATH", &lib)
        .status()
        .expect("run");
    let _ = std::fs::remove_file(&doc);
    assert!(!refused.success(), "a broken document must not validate");
}
