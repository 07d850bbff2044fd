//! The named badges of `tests/fixtures/verify/badges/`: one file a case, each with the
//! documents it serves, what is handed to `/verify`, and the verdict and failing check it must
//! get (`signed-embedded-issuer-foreign-key.json → invalid, key`). One harness loads them all.
//!
//! A case file:
//! - `expect`, `failed`: the verdict and the first failing check (`null` when valid);
//! - `input`: `{"url": …}`, `{"assertion": {…}}`, `{"jws": {"sign_with": "key-b.pem",
//!   "payload": {…}}}`, `{"image": "<file in tests/fixtures>"}` or `{"baked_png": "<payload>"}`
//!   (uploaded as a PNG body); `recipient`: an email;
//! - `serve`: URL → document, added to (or replacing) those of `_world.json`. A document is
//!   served as JSON with 200, except `{"$status": 410, "$body": …}` and
//!   `{"$baked_png": "<payload>"}` (the fixture badge PNG with the payload baked in), or
//!   `{"$png": true}` (the PNG with nothing baked in).
//!
//! `{victim}` and `{attacker}` stand for two different hosts (`127.0.0.1` and `127.0.0.2`,
//! each with its own fixture server; the test manifest lets the component reach both), under a
//! path of the case's own; `{"$pem": "key-a.pem"}` stands for that test key's public PEM.

use super::server::FixtureServer;
use super::{outcome, verify_app, verify_json};
use emblem_web::bake::{Limits, bake};
use emblem_web::verify::jws::{private_key, public_key_pem, sign_rs256};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

fn dir() -> PathBuf {
    emblem_tests::root().join("tests/fixtures/verify/badges")
}

fn key(name: &str) -> String {
    let path = emblem_tests::root()
        .join("tests/fixtures/verify")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Replace `{"$pem": file}` by the public PEM, everywhere in `v`.
fn resolve_pems(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(file)) = map.get("$pem") {
                let k = private_key(&key(file)).expect("test key");
                *v = json!(public_key_pem(&k));
                return;
            }
            map.values_mut().for_each(resolve_pems);
        }
        Value::Array(items) => items.iter_mut().for_each(resolve_pems),
        _ => {}
    }
}

/// A case file with its placeholders filled in.
fn load(name: &str, victim: &str, attacker: &str) -> Value {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text
        .replace("{victim}", victim)
        .replace("{attacker}", attacker);
    let mut v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    resolve_pems(&mut v);
    v
}

/// The fixture badge PNG, with nothing baked in.
fn plain_png() -> Vec<u8> {
    std::fs::read(emblem_tests::root().join("tests/fixtures/badge.png")).expect("png")
}

/// The fixture badge PNG with `payload` baked in.
fn baked_png(payload: &str) -> Vec<u8> {
    bake(&plain_png(), payload, None, &Limits::default())
        .expect("bake")
        .bytes
}

fn serve(url: &str, doc: &Value, servers: &[&FixtureServer]) {
    let srv = servers
        .iter()
        .find(|s| url.starts_with(&s.base))
        .unwrap_or_else(|| panic!("{url} is on neither fixture host"));
    let path = &url[srv.base.len()..];
    if let Some(payload) = doc.get("$baked_png").and_then(Value::as_str) {
        srv.put(
            path,
            200,
            &[("content-type", "image/png")],
            baked_png(payload),
        );
    } else if doc.get("$png").is_some() {
        srv.put(path, 200, &[("content-type", "image/png")], plain_png());
    } else if let Some(status) = doc.get("$status").and_then(Value::as_u64) {
        srv.json(path, status as u16, &doc["$body"]);
    } else {
        srv.json(path, 200, doc);
    }
}

#[test]
fn every_named_badge_gets_its_verdict_and_failing_check() {
    let app = verify_app();
    let victim = FixtureServer::start_on("127.0.0.1");
    let attacker = FixtureServer::start_on("127.0.0.2");
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("badges dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && !n.starts_with('_'))
        .collect();
    names.sort();
    assert!(names.len() >= 30, "only {} named badges", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let stem = name.trim_end_matches(".json");
        let (v, a) = (
            victim.url(&format!("/{stem}")),
            attacker.url(&format!("/{stem}")),
        );
        let world = load("_world.json", &v, &a);
        let case = load(name, &v, &a);
        let mut docs: Map<String, Value> = world["serve"].as_object().cloned().unwrap_or_default();
        if let Some(own) = case.get("serve").and_then(Value::as_object) {
            docs.extend(own.clone());
        }
        for (url, doc) in &docs {
            serve(url, doc, &[&victim, &attacker]);
        }
        let input = &case["input"];
        let mut body = match input
            .as_object()
            .and_then(|o| o.keys().next())
            .map(String::as_str)
        {
            Some("url") => json!({"url": input["url"]}),
            Some("assertion") => json!({"assertion": input["assertion"]}),
            Some("jws") => {
                let k = private_key(&key(input["jws"]["sign_with"].as_str().expect("key")))
                    .expect("key");
                json!({"jws": sign_rs256(&k, &input["jws"]["payload"], &Map::new())})
            }
            Some("image" | "baked_png") => Value::Null,
            other => panic!("{name}: unknown input {other:?}"),
        };
        let email = case.get("recipient").and_then(Value::as_str);
        let resp = if body.is_null() {
            let bytes = match (input["image"].as_str(), input["baked_png"].as_str()) {
                (Some(file), _) => {
                    std::fs::read(emblem_tests::root().join("tests/fixtures").join(file))
                        .expect("image")
                }
                (None, Some(payload)) => baked_png(payload),
                _ => panic!("{name}: no image"),
            };
            let query = email.map(|e| format!("?email={e}")).unwrap_or_default();
            app.request("POST", &format!("/verify{query}"))
                .header("content-type", "image/png")
                .header("accept", "application/json")
                .body(bytes)
                .send()
        } else {
            if let Some(e) = email {
                body["email"] = json!(e);
            }
            verify_json(app, &body)
        };
        // A 4xx is an outcome too (the case expects a verdict), not a crash of the harness.
        let got = if resp.status == 200 {
            outcome(&resp)
        } else {
            (format!("HTTP {}", resp.status), None)
        };
        let want = (
            case["expect"].as_str().expect("expect").to_owned(),
            case["failed"].as_str().map(str::to_owned),
        );
        if got != want {
            let detail = if resp.status == 200 {
                resp.json()["checks"].to_string()
            } else {
                resp.text()
            };
            failures.push(format!(
                "{stem}: expected {want:?}, got {got:?}\n  {detail}"
            ));
        }
    }
    println!(
        "named badges: {}/{} as expected",
        names.len() - failures.len(),
        names.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
