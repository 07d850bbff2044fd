//! Whole-API flows over the in-memory store: route → auth → body → service → reply.

use serde_json::{Value, json};

use super::*;
use crate::image::fixtures::{SVG, data_uri, png_1x1};
use crate::service::testing::Bench;
use futures::executor::block_on;

const ADMIN: &str = "test-admin-token-for-unit-tests";

struct Api {
    bench: Bench,
    admin: Option<&'static str>,
}

impl Api {
    fn new() -> Self {
        Self {
            bench: Bench::new(),
            admin: Some(ADMIN),
        }
    }

    fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Reply {
        let bytes = body
            .map(|b| serde_json::to_vec(b).expect("json"))
            .unwrap_or_default();
        let content_type = body.map(|_| "application/json");
        self.raw(method, path, token, content_type, &bytes)
    }

    fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let env = self.bench.env();
        let header = token.map(|t| format!("Bearer {t}"));
        let attempt = Attempt {
            authorization: header.as_deref(),
            client_addr: Some("192.0.2.10:4000"),
        };
        let (path, query) = path
            .split_once('?')
            .map_or((path, None), |(p, q)| (p, Some(q)));
        let result = block_on(async {
            let call = begin(&env, self.admin, method, path, attempt).await?;
            check_content_type(&call.route, content_type)?;
            perform(&env, call, query, content_type, body).await
        });
        finish(result)
    }

    fn json(reply: &Reply) -> Value {
        serde_json::from_slice(&reply.body).expect("JSON body")
    }

    fn issuer(&self) -> Value {
        let r = self.call(
            "POST",
            "/api/v1/issuers",
            Some(ADMIN),
            Some(&json!({"name": "Example Academy", "url": "https://academy.example.org", "email": "badges@academy.example.org"})),
        );
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        Self::json(&r)
    }

    fn key(&self, issuer_id: &str) -> String {
        let r = self.call(
            "POST",
            &format!("/api/v1/issuers/{issuer_id}/keys"),
            Some(ADMIN),
            Some(&json!({"label": "tests"})),
        );
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        Self::json(&r)["key"].as_str().expect("key").to_owned()
    }

    fn badge(&self, key: &str) -> Value {
        let r = self.call(
            "POST",
            "/api/v1/badgeclasses",
            Some(key),
            Some(&badge_body()),
        );
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        Self::json(&r)
    }

    fn award(&self, key: &str, badge_id: &str) -> Value {
        let body = json!({"badgeclass": badge_id, "recipient": {"email": "Alice@Example.org"}});
        let r = self.call("POST", "/api/v1/assertions", Some(key), Some(&body));
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        Self::json(&r)
    }
}

fn badge_body() -> Value {
    json!({
        "name": "Rust Basics",
        "description": "Knows ownership.",
        "image": data_uri("image/svg+xml", SVG.as_bytes()),
        "criteria": {"narrative": "Pass the exam."},
        "tags": ["rust"],
        "expires_after_days": 365
    })
}

fn keys_of(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[test]
fn creating_an_issuer_returns_201_a_location_and_the_documented_shape() {
    let api = Api::new();
    let r = api.call(
        "POST",
        "/api/v1/issuers",
        Some(ADMIN),
        Some(&json!({"name": "A", "url": "https://a.example", "email": "a@a.example", "image": data_uri("image/png", &png_1x1())})),
    );
    assert_eq!(r.status, 201);
    let body = Api::json(&r);
    let id = body["id"].as_str().expect("id");
    assert_eq!(
        r.header("location"),
        Some(format!("https://badges.example.org/api/v1/issuers/{id}").as_str())
    );
    assert_eq!(
        keys_of(&body),
        [
            "created_at",
            "credential_status",
            "description",
            "email",
            "id",
            "image",
            "issuer_url",
            "linkedin_organization_id",
            "name",
            "url",
            "webhook_url"
        ]
    );
    assert_eq!(body["description"], Value::Null);
    assert_eq!(body["credential_status"], "1EdTechRevocationList");
    assert_eq!(
        body["image"],
        format!("https://badges.example.org/issuers/{id}/image")
    );
    assert_eq!(
        body["issuer_url"],
        format!("https://badges.example.org/issuers/{id}")
    );
    assert_eq!(body["created_at"], "2026-11-22T10:00:00Z");
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[test]
fn keys_are_shown_once_listed_without_secrets_and_deletable() {
    let api = Api::new();
    let issuer = api.issuer();
    let id = issuer["id"].as_str().expect("id");
    let r = api.call(
        "POST",
        &format!("/api/v1/issuers/{id}/keys"),
        Some(ADMIN),
        Some(&json!({})),
    );
    let created = Api::json(&r);
    assert_eq!(
        keys_of(&created),
        ["created_at", "issuer_id", "key", "key_id", "label"]
    );
    let key = created["key"].as_str().expect("key");
    let key_id = created["key_id"].as_str().expect("key id");
    let listed = api.call(
        "GET",
        &format!("/api/v1/issuers/{id}/keys"),
        Some(ADMIN),
        None,
    );
    assert_eq!(listed.status, 200);
    let listed = Api::json(&listed);
    assert_eq!(
        keys_of(&listed["items"][0]),
        ["created_at", "key_id", "label"]
    );
    assert!(!listed.to_string().contains(key));
    assert_eq!(
        api.call("GET", "/api/v1/badgeclasses", Some(key), None)
            .status,
        200
    );
    let deleted = api.call(
        "DELETE",
        &format!("/api/v1/issuers/{id}/keys/{key_id}"),
        Some(ADMIN),
        None,
    );
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    assert_eq!(
        api.call("GET", "/api/v1/badgeclasses", Some(key), None)
            .status,
        401
    );
}

#[test]
fn an_empty_body_creates_a_key_without_a_label() {
    let api = Api::new();
    let issuer = api.issuer();
    let path = format!(
        "/api/v1/issuers/{}/keys",
        issuer["id"].as_str().expect("id")
    );
    let r = api.raw("POST", &path, Some(ADMIN), None, b"");
    assert_eq!(r.status, 201);
    assert_eq!(Api::json(&r)["label"], Value::Null);
    let r = api.raw("POST", &path, Some(ADMIN), None, b"{\"label\":\"x\"}");
    assert_eq!(r.status, 415, "a body without a content type");
}

#[test]
fn the_whole_lifecycle_of_an_award_through_the_api() {
    let api = Api::new();
    let issuer = api.issuer();
    let key = api.key(issuer["id"].as_str().expect("id"));
    let badge = api.badge(&key);
    assert_eq!(
        keys_of(&badge),
        [
            "alignment",
            "badgeclass_url",
            "created_at",
            "criteria",
            "description",
            "duplicate_policy",
            "expires_after_days",
            "id",
            "image",
            "issuer_id",
            "name",
            "superseded_by",
            "supersedes",
            "tags"
        ]
    );
    assert_eq!(
        badge["criteria"],
        json!({"narrative": "Pass the exam.", "url": null})
    );
    let badge_id = badge["id"].as_str().expect("id");
    let award = api.award(&key, badge_id);
    assert_eq!(
        keys_of(&award),
        [
            "assertion_url",
            "badgeclass",
            "badgeclass_url",
            "claim_expires_at",
            "claim_url",
            "created_at",
            "credential_url",
            "email",
            "email_delivery",
            "evidence",
            "expires",
            "id",
            "issued_on",
            "issuer_id",
            "narrative",
            "recertifications",
            "recipient",
            "revoked",
            "state",
            "status",
            "visibility",
            "webhook"
        ]
    );
    assert_eq!(keys_of(&award["email"]), ["html", "subject", "text", "to"]);
    assert_eq!(award["webhook"], Value::Null, "no webhook configured");
    assert_eq!(
        keys_of(&award["recipient"]),
        ["email", "hashed", "identity", "name", "salt"]
    );
    assert_eq!(award["recipient"]["email"], "alice@example.org");
    assert_eq!(award["recipient"]["hashed"], true);
    assert_eq!(
        (award["state"].as_str(), award["status"].as_str()),
        (Some("pending"), Some("pending"))
    );
    assert_eq!(award["visibility"], "public");
    assert_eq!(award["expires"], "2027-11-22T10:00:00Z");
    assert_eq!(award["claim_expires_at"], "2026-12-22T10:00:00Z");
    assert!(
        award["claim_url"]
            .as_str()
            .expect("claim url")
            .starts_with("https://badges.example.org/claim/")
    );
    let id = award["id"].as_str().expect("id");

    let fetched =
        Api::json(&api.call("GET", &format!("/api/v1/assertions/{id}"), Some(&key), None));
    assert_eq!(
        fetched["claim_url"],
        Value::Null,
        "the token is shown only at creation"
    );
    assert_eq!(fetched["claim_expires_at"], "2026-12-22T10:00:00Z");

    let listed = Api::json(&api.call(
        "GET",
        &format!("/api/v1/badgeclasses/{badge_id}/assertions"),
        Some(&key),
        None,
    ));
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["next_cursor"], Value::Null);
    assert_eq!(listed["items"][0]["id"], id);

    let recert = api.call(
        "POST",
        &format!("/api/v1/assertions/{id}/recertify"),
        Some(&key),
        Some(&json!({"expires": "2030-01-01T00:00:00Z"})),
    );
    assert_eq!(recert.status, 200);
    let recert = Api::json(&recert);
    assert_eq!(recert["expires"], "2030-01-01T00:00:00Z");
    assert_eq!(
        recert["recertifications"],
        json!([{"previous_expires": "2027-11-22T10:00:00Z", "expires": "2030-01-01T00:00:00Z", "at": "2026-11-22T10:00:00Z"}])
    );

    let revoked = api.call(
        "POST",
        &format!("/api/v1/assertions/{id}/revoke"),
        Some(&key),
        Some(&json!({"reason": "Issued in error"})),
    );
    assert_eq!(revoked.status, 200);
    let revoked = Api::json(&revoked);
    assert_eq!(
        revoked["revoked"],
        json!({"reason": "Issued in error", "revoked_at": "2026-11-22T10:00:00Z"})
    );
    assert_eq!(revoked["status"], "revoked");
    let again = Api::json(&api.call(
        "POST",
        &format!("/api/v1/assertions/{id}/revoke"),
        Some(&key),
        Some(&json!({"reason": "Other"})),
    ));
    assert_eq!(again["revoked"]["reason"], "Issued in error");
    let conflict = api.call(
        "POST",
        &format!("/api/v1/assertions/{id}/recertify"),
        Some(&key),
        Some(&json!({"expires": "2031-01-01T00:00:00Z"})),
    );
    assert_eq!(conflict.status, 409);
}

#[test]
fn badge_classes_page_with_an_opaque_cursor() {
    let api = Api::new();
    let issuer = api.issuer();
    let key = api.key(issuer["id"].as_str().expect("id"));
    let ids: Vec<Value> = (0..3).map(|_| api.badge(&key)["id"].clone()).collect();
    let first = Api::json(&api.call("GET", "/api/v1/badgeclasses?limit=2", Some(&key), None));
    assert_eq!(first["total"], 3);
    assert_eq!(first["items"].as_array().expect("items").len(), 2);
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = Api::json(&api.call(
        "GET",
        &format!("/api/v1/badgeclasses?limit=2&cursor={cursor}"),
        Some(&key),
        None,
    ));
    assert_eq!(second["items"][0]["id"], ids[2]);
    assert_eq!(second["next_cursor"], Value::Null);
    let bad = api.call("GET", "/api/v1/badgeclasses?limit=500", Some(&key), None);
    assert_eq!(bad.status, 400);
    assert!(
        Api::json(&bad)["detail"]
            .as_str()
            .expect("detail")
            .contains("limit")
    );
}

#[test]
fn issuers_cannot_see_each_others_objects() {
    let api = Api::new();
    let a = api.issuer();
    let b = api.issuer();
    let key_a = api.key(a["id"].as_str().expect("id"));
    let key_b = api.key(b["id"].as_str().expect("id"));
    let badge = api.badge(&key_a);
    let badge_id = badge["id"].as_str().expect("id");
    let award = api.award(&key_a, badge_id);
    let award_id = award["id"].as_str().expect("id");
    for path in [
        format!("/api/v1/badgeclasses/{badge_id}"),
        format!("/api/v1/badgeclasses/{badge_id}/assertions"),
        format!("/api/v1/assertions/{award_id}"),
        format!("/api/v1/issuers/{}", a["id"].as_str().expect("id")),
    ] {
        assert_eq!(
            api.call("GET", &path, Some(&key_b), None).status,
            404,
            "{path}"
        );
    }
    let r = api.call(
        "POST",
        &format!("/api/v1/assertions/{award_id}/revoke"),
        Some(&key_b),
        Some(&json!({"reason": "x"})),
    );
    assert_eq!(r.status, 404);
    let r = api.call(
        "POST",
        "/api/v1/assertions",
        Some(&key_b),
        Some(&json!({"badgeclass": badge_id, "recipient": {"email": "x@y.example"}})),
    );
    assert_eq!(r.status, 422);
    assert_eq!(Api::json(&r)["errors"][0]["field"], "badgeclass");
    assert_eq!(
        api.call(
            "GET",
            &format!("/api/v1/issuers/{}", b["id"].as_str().expect("id")),
            Some(&key_b),
            None
        )
        .status,
        200
    );
}

#[test]
fn share_counts_are_read_by_the_awarding_issuer_only() {
    let api = Api::new();
    let a = api.issuer();
    let b = api.issuer();
    let key_a = api.key(a["id"].as_str().expect("id"));
    let key_b = api.key(b["id"].as_str().expect("id"));
    let badge = api.badge(&key_a);
    let award = api.award(&key_a, badge["id"].as_str().expect("id"));
    let award_id = award["id"].as_str().expect("id");
    let path = format!("/api/v1/assertions/{award_id}/shares");
    block_on(async {
        let kv = &api.bench.kv;
        for _ in 0..2 {
            crate::service::counters::record(
                kv,
                award_id,
                crate::service::counters::Target::LinkedinProfile,
            )
            .await
            .expect("count");
        }
        crate::service::counters::record(kv, award_id, crate::service::counters::Target::Email)
            .await
            .expect("count");
    });
    let r = api.call("GET", &path, Some(&key_a), None);
    assert_eq!(r.status, 200);
    assert_eq!(
        Api::json(&r),
        json!({"linkedin_profile": 2, "linkedin_post": 0, "x": 0, "facebook": 0, "email": 1})
    );
    assert_eq!(api.call("GET", &path, Some(&key_b), None).status, 404);
    assert_eq!(api.call("GET", &path, Some(ADMIN), None).status, 403);
    assert_eq!(api.call("GET", &path, None, None).status, 401);
    assert_eq!(api.call("POST", &path, Some(&key_a), None).status, 405);
}

#[test]
fn credentials_of_the_wrong_kind_are_403() {
    let api = Api::new();
    let issuer = api.issuer();
    let key = api.key(issuer["id"].as_str().expect("id"));
    let r = api.call("POST", "/api/v1/issuers", Some(&key), Some(&json!({})));
    assert_eq!(r.status, 403);
    let r = api.call("GET", "/api/v1/badgeclasses", Some(ADMIN), None);
    assert_eq!(r.status, 403);
    assert!(
        Api::json(&r)["detail"]
            .as_str()
            .expect("detail")
            .contains("issuer API key")
    );
}

#[test]
fn the_admin_api_answers_503_until_the_admin_token_is_set() {
    let mut api = Api::new();
    api.admin = None;
    let r = api.call(
        "POST",
        "/api/v1/issuers",
        Some("whatever"),
        Some(&json!({})),
    );
    assert_eq!(r.status, 503);
    assert!(
        Api::json(&r)["detail"]
            .as_str()
            .expect("detail")
            .contains("admin_token")
    );
}

#[test]
fn missing_credentials_are_401_with_a_challenge() {
    let api = Api::new();
    let r = api.call("GET", "/api/v1/badgeclasses", None, None);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate"),
        Some("Bearer realm=\"emblem\"")
    );
}

#[test]
fn unknown_routes_are_404_and_wrong_methods_405_before_authentication() {
    let api = Api::new();
    let r = api.call("GET", "/api/v1/nope", None, None);
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let r = api.call("PUT", "/api/v1/assertions", None, None);
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
}

#[test]
fn malformed_and_mistyped_bodies_are_400_and_415() {
    let api = Api::new();
    let r = api.raw(
        "POST",
        "/api/v1/issuers",
        Some(ADMIN),
        Some("application/json"),
        b"{\"name\": ",
    );
    assert_eq!(r.status, 400);
    let r = api.raw(
        "POST",
        "/api/v1/issuers",
        Some(ADMIN),
        Some("text/plain"),
        b"{}",
    );
    assert_eq!(r.status, 415);
    let r = api.raw("POST", "/api/v1/issuers", Some(ADMIN), None, b"{}");
    assert_eq!(r.status, 415);
    let r = api.raw(
        "POST",
        "/api/v1/issuers",
        Some(ADMIN),
        Some("application/json"),
        b"",
    );
    assert_eq!(r.status, 400);
}

#[test]
fn invalid_input_is_422_and_changes_nothing_in_the_store() {
    let api = Api::new();
    let issuer = api.issuer();
    let key = api.key(issuer["id"].as_str().expect("id"));
    let before = api.bench.kv.snapshot();
    let mut body = badge_body();
    body["image"] = json!(data_uri("image/png", b"\x89PNG\r\n\x1a\nnot really"));
    body["criteria"] = json!({});
    let r = api.call("POST", "/api/v1/badgeclasses", Some(&key), Some(&body));
    assert_eq!(r.status, 422);
    let problem = Api::json(&r);
    assert_eq!(problem["type"], "urn:emblem:problem:invalid-input");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, ["image", "criteria"]);
    let r = api.call(
        "POST",
        "/api/v1/assertions",
        Some(&key),
        Some(&json!({"badgeclass": 5, "recipient": "alice"})),
    );
    assert_eq!(r.status, 422);
    assert_eq!(api.bench.kv.snapshot(), before);
}

#[test]
fn resending_mints_a_new_link_reopens_a_rejection_and_carries_the_email() {
    let api = Api::new();
    let issuer = api.issuer();
    let key = api.key(issuer["id"].as_str().expect("id"));
    let badge = api.badge(&key);
    let award = api.award(&key, badge["id"].as_str().expect("id"));
    let id = award["id"].as_str().expect("id");
    let first = award["claim_url"].as_str().expect("claim_url").to_owned();
    assert!(
        award["email"]["text"]
            .as_str()
            .is_some_and(|t| t.contains(&first))
    );
    block_on(crate::service::awards::transition(
        &api.bench.kv,
        None,
        id,
        |a| a.reject(crate::service::testing::NOW),
    ))
    .expect("reject");
    let r = api.call(
        "POST",
        &format!("/api/v1/assertions/{id}/resend"),
        Some(&key),
        None,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let body = Api::json(&r);
    let second = body["claim_url"].as_str().expect("new claim_url");
    assert_ne!(second, first);
    assert_eq!(body["state"], "pending");
    assert!(
        body["email"]["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("Your new link"))
    );
    assert!(
        body["email"]["html"]
            .as_str()
            .is_some_and(|h| h.contains(second) && h.contains("Add to LinkedIn"))
    );
    let other = api.issuer();
    let other_key = api.key(other["id"].as_str().expect("id"));
    let r = api.call(
        "POST",
        &format!("/api/v1/assertions/{id}/resend"),
        Some(&other_key),
        None,
    );
    assert_eq!(r.status, 404);
}

#[test]
fn an_issuer_sets_its_webhook_and_deliveries_are_reported() {
    let api = Api::new();
    let issuer = api.issuer();
    let issuer_id = issuer["id"].as_str().expect("id");
    let key = api.key(issuer_id);
    let path = format!("/api/v1/issuers/{issuer_id}");
    let r = api.call(
        "PATCH",
        &path,
        Some(&key),
        Some(&json!({"webhook_url": "http://hooks.example.org/x"})),
    );
    assert_eq!(r.status, 422);
    let r = api.call(
        "PATCH",
        &path,
        Some(&key),
        Some(&json!({"webhook_url": "https://hooks.example.org/x"})),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(Api::json(&r)["webhook_url"], "https://hooks.example.org/x");
    let badge = api.badge(&key);
    let award = api.award(&key, badge["id"].as_str().expect("id"));
    // `perform` has no sender: the award stands and the failure is reported.
    assert_eq!(award["webhook"]["delivered"], false);
    assert_eq!(award["webhook"]["url"], "https://hooks.example.org/x");
    assert!(award["id"].is_string());
}
