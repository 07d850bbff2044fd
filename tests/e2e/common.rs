//! Shared steps for the end-to-end tests: an issuer with a key, a badge
//! class, an award; fixture images as data URIs.

use base64::Engine as _;
use emblem_tests::{ADMIN_TOKEN, App, AppConfig};
use serde_json::{Value, json};
use std::sync::OnceLock;

/// One host running the real `spin.toml`, shared by tests that each work
/// under their own issuer (so they cannot see each other's data).
pub fn shared() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| AppConfig::emblem("shared").start())
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = emblem_tests::root()
        .join("tests")
        .join("fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn data_uri(mime: &str, bytes: &[u8]) -> String {
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

pub fn png_data_uri() -> String {
    data_uri("image/png", &fixture("badge.png"))
}

/// An issuer and one of its API keys.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub id: String,
    pub url: String,
    pub key: String,
    pub key_id: String,
    pub body: Value,
}

pub fn issuer(app: &App, name: &str) -> Issuer {
    let body = app
        .post(
            "/api/v1/issuers",
            ADMIN_TOKEN,
            &json!({
                "name": name,
                "url": "https://academy.example.org",
                "email": "badges@academy.example.org",
                "description": "Trains people.",
                "image": png_data_uri(),
                "linkedin_organization_id": "1337",
            }),
        )
        .expect(201)
        .json();
    let id = body["id"].as_str().expect("issuer id").to_string();
    let key = app
        .post(
            &format!("/api/v1/issuers/{id}/keys"),
            ADMIN_TOKEN,
            &json!({"label": "tests"}),
        )
        .expect(201)
        .json();
    Issuer {
        url: body["issuer_url"].as_str().expect("issuer_url").to_string(),
        id,
        key: key["key"].as_str().expect("key").to_string(),
        key_id: key["key_id"].as_str().expect("key_id").to_string(),
        body,
    }
}

pub fn badge_class(app: &App, issuer: &Issuer, extra: Value) -> Value {
    let mut body = json!({
        "name": "Safe Lifting",
        "description": "Lifts heavy things safely.",
        "image": png_data_uri(),
        "criteria": {"narrative": "Pass the **practical** test.", "url": "https://academy.example.org/criteria"},
        "tags": ["safety", "lifting"],
    });
    merge(&mut body, extra);
    app.post("/api/v1/badgeclasses", &issuer.key, &body)
        .expect(201)
        .json()
}

pub fn award(app: &App, issuer: &Issuer, badge_class: &Value, email: &str, extra: Value) -> Value {
    let mut body = json!({
        "badgeclass": badge_class["id"],
        "recipient": {"email": email},
    });
    merge(&mut body, extra);
    app.post("/api/v1/assertions", &issuer.key, &body)
        .expect(201)
        .json()
}

pub fn merge(into: &mut Value, extra: Value) {
    if let (Some(into), Value::Object(extra)) = (into.as_object_mut(), extra) {
        for (k, v) in extra {
            into.insert(k, v);
        }
    }
}

/// The path part of a hosted URL.
pub fn path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].to_string(),
        None => "/".to_string(),
    }
}

/// Rewrites an award record in the app's store (Spin's SQLite table), the way
/// the earner-facing claim component changes acceptance and visibility.
pub fn set_award_state(app: &emblem_tests::App, award_id: &str, change: impl Fn(&mut Value)) {
    rewrite_record(app, &format!("award/{award_id}"), change);
}

fn open_kv(app: &emblem_tests::App) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(app.kv_path()).expect("open kv");
    db.busy_timeout(std::time::Duration::from_secs(10))
        .expect("timeout");
    db
}

/// Rewrites the JSON record under `key` in the app's store.
pub fn rewrite_record(app: &emblem_tests::App, key: &str, change: impl Fn(&mut Value)) {
    let db = open_kv(app);
    let mut record = read_record(app, key).unwrap_or_else(|| panic!("no record under {key}"));
    change(&mut record);
    db.execute(
        "UPDATE spin_key_value SET value = ?1 WHERE store = 'default' AND key = ?2",
        rusqlite::params![serde_json::to_vec(&record).expect("json"), key],
    )
    .expect("update");
}

/// The JSON record under `key`, if any.
pub fn read_record(app: &emblem_tests::App, key: &str) -> Option<Value> {
    use rusqlite::OptionalExtension;
    let raw: Option<Vec<u8>> = open_kv(app)
        .query_row(
            "SELECT value FROM spin_key_value WHERE store = 'default' AND key = ?1",
            [key],
            |row| row.get(0),
        )
        .optional()
        .expect("read");
    raw.map(|raw| serde_json::from_slice(&raw).expect("json record"))
}

/// Every key and value of the app's store, in key order.
pub fn kv_snapshot(app: &emblem_tests::App) -> Vec<(String, Vec<u8>)> {
    let db = open_kv(app);
    let mut stmt = db
        .prepare("SELECT key, value FROM spin_key_value WHERE store = 'default' ORDER BY key")
        .expect("prepare");
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

/// `POST /api/v1/issuers/:id/signing-key` (turn 2.0 signing on) with `bearer`'s key.
pub fn request_signing_key(app: &App, issuer_id: &str, bearer: &str) -> emblem_tests::Resp {
    app.request("POST", &format!("/api/v1/issuers/{issuer_id}/signing-key"))
        .bearer(bearer)
        .send()
}

/// Revoke the issuer's award `award_id` through the API, with `reason`.
pub fn revoke(app: &App, issuer: &Issuer, award_id: &str, reason: &str) {
    app.post(
        &format!("/api/v1/assertions/{award_id}/revoke"),
        &issuer.key,
        &json!({"reason": reason}),
    )
    .expect(200);
}
