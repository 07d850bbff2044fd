//! 1EdTech's own Open Badges 3.0 validator fixtures (`tests/vectors/1edtech-ob30/`, see its
//! README), judged by Emblem's verifier: `emblem_badges::verify::run_with` with
//! `emblem_vc::verifier::Verifier`, the code the `verify` component runs. Each fixture is a
//! test named after it, with the outcome 1EdTech's own test (`OB30Tests.java`) expects and
//! Emblem's verdict; where they differ, the case says why Emblem's is the right one.
//!
//! Nothing is fetched. The fixtures' issuers (`https://example.com/issuers/876543`, …) are not
//! reachable, and 1EdTech's validator reads the key out of the verification method's
//! `#z6Mk…` fragment. Emblem instead resolves the key from the issuer's controller document,
//! so the test serves, for each fixture, the document its issuer would have to publish: the
//! issuer `Profile` listing that Multikey under `assertionMethod`. Status list credentials
//! named by a fixture are served from the fixture directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use emblem_badges::verify::input::Subject;
use emblem_badges::verify::{Fetch, FetchError, Fetched, Verdict, VerifyRequest, run_with};
use emblem_vc::verifier::Verifier;
use futures::executor::block_on;
use serde_json::{Value, json};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/1edtech-ob30")
}

/// The documents the fixture's issuer publishes, by URL.
struct Published(HashMap<String, Value>);

impl Fetch for Published {
    async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        let doc = self.0.get(url.split('#').next().unwrap_or(url));
        Ok(match doc {
            Some(doc) => Fetched::ok(url, "application/ld+json", doc.to_string()),
            None => Fetched {
                url: url.to_owned(),
                status: 404,
                content_type: None,
                body: Vec::new(),
                location: None,
            },
        })
    }
}

fn proofs(credential: &Value) -> Vec<&Value> {
    match &credential["proof"] {
        Value::Array(list) => list.iter().collect(),
        Value::Object(_) => vec![&credential["proof"]],
        _ => Vec::new(),
    }
}

/// What the issuer of `credential` publishes: for an https issuer whose proof names a
/// `<issuer>#<multikey>` method, its Profile as controller document of that key.
fn published(credential: &Value) -> Published {
    let mut docs = HashMap::new();
    let issuer = match &credential["issuer"] {
        Value::String(id) => json!({"id": id}),
        other => other.clone(),
    };
    let Some(issuer_id) = issuer["id"].as_str() else {
        return Published(docs);
    };
    for proof in proofs(credential) {
        let Some(method) = proof["verificationMethod"].as_str() else {
            continue;
        };
        let (Some((doc, fragment)), true) = (method.split_once('#'), issuer_id.starts_with("http"))
        else {
            continue;
        };
        if doc != issuer_id || !fragment.starts_with("z6Mk") {
            continue;
        }
        let mut profile = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                         "https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": issuer_id, "type": ["Profile"],
            "verificationMethod": [{"id": method, "type": "Multikey", "controller": issuer_id,
                                    "publicKeyMultibase": fragment}],
            "assertionMethod": [method],
        });
        if let Some(name) = issuer["name"].as_str() {
            profile["name"] = json!(name);
        }
        docs.insert(issuer_id.to_owned(), profile);
    }
    if let Some(list) = credential["credentialStatus"]["statusListCredential"].as_str()
        && let Some(name) = list.strip_prefix(
            "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/",
        )
    {
        let text = std::fs::read_to_string(dir().join(name)).expect("status list fixture");
        docs.insert(list.to_owned(), serde_json::from_str(&text).expect("list JSON"));
    }
    Published(docs)
}

/// Emblem's verdict on a fixture, and the name of the first failed check.
fn judge(file: &str) -> (Verdict, Option<String>) {
    let path = dir().join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (subject, source) = match file.rsplit('.').next() {
        Some("png" | "svg") => {
            emblem_badges::verify::input::image_subject(&bytes).expect("a baked image")
        }
        Some("jwt") => (
            Subject::Jws(String::from_utf8(bytes).expect("text").trim().to_owned()),
            "jws",
        ),
        _ => (
            Subject::Json(serde_json::from_slice(&bytes).expect("JSON")),
            "json",
        ),
    };
    let credential = match &subject {
        Subject::Json(doc) => doc.clone(),
        _ => Value::Null,
    };
    let req = VerifyRequest {
        subject,
        source,
        recipient: None,
    };
    let fetch = published(&credential);
    let v = block_on(run_with(
        &fetch,
        &req,
        time::OffsetDateTime::now_utc(),
        &Verifier,
    ));
    if std::env::var("SURVEY").is_ok() {
        eprintln!("{file}: {:?}", v.checks.first_failure().map(|f| &f.message));
    }
    let failed = v.checks.first_failure().map(|f| f.name.name().to_owned());
    (v.checks.verdict(), failed)
}

#[test]
fn survey() {
    let mut files: Vec<String> = std::fs::read_dir(dir())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !matches!(n.as_str(), "LICENSE" | "README.md" | "bit-string-list"))
        .collect();
    files.push("bit-string-list/credential-status-revoked.json".into());
    files.push("bit-string-list/credential-status-revoked-blank-nodes.json".into());
    files.sort();
    for f in files {
        let (verdict, failed) = judge(&f);
        eprintln!("{f}: {verdict:?} {failed:?}");
    }
}
