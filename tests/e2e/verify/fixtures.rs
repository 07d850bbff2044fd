//! The fixture suite: badges from another issuer, served by a loopback HTTP server, each
//! with its expected verdict and the check that must fail first.

use super::server::FixtureServer;
use super::{outcome, verify_app, verify_json};
use base64::Engine as _;
use emblem_web::bake::{Limits, bake};
use emblem_web::recipient::identity_hash;
use emblem_web::verify::jws::{private_key, public_key_pem, sign_rs256};
use serde_json::{Map, Value, json};

const CONTEXT: &str = "https://w3id.org/openbadges/v2";
const SALT: &str = "0f1e2d3c";
const EMAIL: &str = "alice@example.org";

fn key_pem(name: &str) -> String {
    let path = emblem_tests::root()
        .join("tests/fixtures/verify")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sign(payload: &Value, key: &str) -> String {
    let key = private_key(&key_pem(key)).expect("test key");
    sign_rs256(&key, payload, &Map::new())
}

/// One issuer's documents under `/<case>/` on the fixture server.
struct World {
    prefix: String,
    issuer: Value,
    badge: Value,
    assertion: Value,
    assertion_status: u16,
    key: Value,
    list: Value,
}

impl World {
    fn new(srv: &FixtureServer, case: &str) -> World {
        let at = |p: &str| srv.url(&format!("/{case}/{p}"));
        let issuer = json!({"@context": CONTEXT, "type": "Issuer", "id": at("issuer"),
            "name": "Fixture Academy", "url": "https://fixture.example.org",
            "email": "badges@fixture.example.org", "publicKey": at("key"),
            "revocationList": at("revocations")});
        let badge = json!({"@context": CONTEXT, "type": "BadgeClass", "id": at("badge"),
            "name": "Fixture Badge", "description": "For tests.", "image": at("badge.png"),
            "criteria": {"narrative": "Pass."}, "issuer": at("issuer")});
        let assertion = json!({"@context": CONTEXT, "type": "Assertion", "id": at("assertion"),
            "recipient": {"type": "email", "hashed": true, "salt": SALT,
                          "identity": identity_hash(EMAIL, SALT)},
            "badge": at("badge"), "verification": {"type": "HostedBadge"},
            "issuedOn": "2025-01-01T00:00:00Z"});
        let key = json!({"@context": CONTEXT, "type": "CryptographicKey", "id": at("key"),
            "owner": at("issuer"),
            "publicKeyPem": public_key_pem(&private_key(&key_pem("key-a.pem")).expect("key"))});
        let list = json!({"@context": CONTEXT, "type": "RevocationList", "id": at("revocations"),
            "issuer": at("issuer"), "revokedAssertions": []});
        World {
            prefix: srv.url(&format!("/{case}/")),
            issuer,
            badge,
            assertion,
            assertion_status: 200,
            key,
            list,
        }
    }

    fn url(&self, p: &str) -> String {
        format!("{}{p}", self.prefix)
    }

    /// A signed version of the assertion (urn:uuid id, creator = the key).
    fn signed(&self) -> Value {
        let mut a = self.assertion.clone();
        a["id"] = json!("urn:uuid:6c4c6f3e-5d0e-4c9a-9a53-0d2f1e7b8a90");
        a["verification"] = json!({"type": "SignedBadge", "creator": self.url("key")});
        a
    }

    fn publish(&self, srv: &FixtureServer) {
        let path = |p: &str| self.url(p).trim_start_matches(&srv.base).to_owned();
        srv.json(&path("issuer"), 200, &self.issuer);
        srv.json(&path("badge"), 200, &self.badge);
        srv.json(&path("assertion"), self.assertion_status, &self.assertion);
        srv.json(&path("key"), 200, &self.key);
        srv.json(&path("revocations"), 200, &self.list);
    }
}

fn fixture_image(name: &str) -> Vec<u8> {
    let path = emblem_tests::root().join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One case: a world, a request, the expected verdict and first failing check.
struct Case {
    name: &'static str,
    verdict: &'static str,
    failed: Option<&'static str>,
}

#[test]
fn every_fixture_gets_its_expected_verdict_and_failing_check() {
    let app = verify_app();
    let srv = FixtureServer::start();
    let mut failures = Vec::new();
    let mut run = |case: Case, setup: &dyn Fn(&mut World) -> Request| {
        let mut w = World::new(&srv, case.name);
        let request = setup(&mut w);
        w.publish(&srv);
        let resp = match &request {
            Request::Json(body) => verify_json(app, body),
            Request::Image(ct, query, bytes) => app
                .request("POST", &format!("/verify{query}"))
                .header("content-type", ct)
                .header("accept", "application/json")
                .body(bytes.clone())
                .send(),
        };
        let got = outcome(&resp);
        let want = (case.verdict.to_owned(), case.failed.map(str::to_owned));
        if got != want {
            failures.push(format!(
                "{}: expected {want:?}, got {got:?}\n  {}",
                case.name,
                resp.json()["checks"]
            ));
        }
        let body = resp.json();
        // Every answer carries validator-core's report block, consistent with the verdict.
        assert_eq!(
            body["report"]["valid"],
            json!(case.verdict == "valid"),
            "{}",
            case.name
        );
        assert_eq!(
            body["report"]["errorCount"].as_u64().is_some_and(|n| n > 0),
            case.failed.is_some(),
            "{}: {body}",
            case.name
        );
    };
    let url = |w: &World| Request::Json(json!({"url": w.url("assertion")}));

    run(
        Case {
            name: "valid-hosted",
            verdict: "valid",
            failed: None,
        },
        &|w| url(w),
    );
    run(
        Case {
            name: "valid-signed",
            verdict: "valid",
            failed: None,
        },
        &|w| Request::Json(json!({"jws": sign(&w.signed(), "key-a.pem"), "email": EMAIL})),
    );
    run(
        Case {
            name: "revoked-by-410",
            verdict: "revoked",
            failed: Some("revocation"),
        },
        &|w| {
            w.assertion_status = 410;
            w.assertion = json!({"@context": CONTEXT, "type": "Assertion", "id": w.url("assertion"),
            "revoked": true, "revocationReason": "Issued in error"});
            url(w)
        },
    );
    run(
        Case {
            name: "revoked-by-body",
            verdict: "revoked",
            failed: Some("revocation"),
        },
        &|w| {
            w.assertion["revoked"] = json!(true);
            url(w)
        },
    );
    run(
        Case {
            name: "revoked-by-list",
            verdict: "revoked",
            failed: Some("revocation"),
        },
        &|w| {
            let signed = w.signed();
            w.list["revokedAssertions"] = json!([{"id": signed["id"], "revocationReason": "Lost"}]);
            Request::Json(json!({"jws": sign(&signed, "key-a.pem")}))
        },
    );
    run(
        Case {
            name: "expired",
            verdict: "expired",
            failed: Some("expiry"),
        },
        &|w| {
            w.assertion["expires"] = json!("2025-06-01T00:00:00Z");
            url(w)
        },
    );
    run(
        Case {
            name: "future-issued-on",
            verdict: "invalid",
            failed: Some("issuedOn"),
        },
        &|w| {
            w.assertion["issuedOn"] = json!("2099-01-01T00:00:00Z");
            url(w)
        },
    );
    run(
        Case {
            name: "wrong-origin",
            verdict: "invalid",
            failed: Some("scope"),
        },
        &|w| {
            w.issuer["verification"] =
                json!({"type": "VerificationObject", "allowedOrigins": "badges.example.org"});
            url(w)
        },
    );
    run(
        Case {
            // The declared id is the authority: it is fetched, and serves nothing.
            name: "id-mismatch",
            verdict: "invalid",
            failed: Some("fetch"),
        },
        &|w| {
            w.assertion["id"] = json!(w.url("other-assertion"));
            url(w)
        },
    );
    run(
        Case {
            name: "missing-creator",
            verdict: "valid",
            failed: None,
        },
        &|w| {
            let mut signed = w.signed();
            signed["verification"] = json!({"type": "SignedBadge"});
            w.issuer["publicKey"] = json!([w.url("key")]);
            Request::Json(json!({"jws": sign(&signed, "key-a.pem")}))
        },
    );
    run(
        Case {
            name: "tampered-signature",
            verdict: "invalid",
            failed: Some("signature"),
        },
        &|w| {
            let jws = sign(&w.signed(), "key-a.pem");
            let mut parts: Vec<String> = jws.split('.').map(str::to_owned).collect();
            let mut changed = w.signed();
            changed["issuedOn"] = json!("2024-01-01T00:00:00Z");
            parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(serde_json::to_vec(&changed).expect("json"));
            Request::Json(json!({"jws": parts.join(".")}))
        },
    );
    run(
        Case {
            name: "signed-by-another-key",
            verdict: "invalid",
            failed: Some("signature"),
        },
        &|w| Request::Json(json!({"jws": sign(&w.signed(), "key-b.pem")})),
    );
    run(
        Case {
            name: "alg-none",
            verdict: "invalid",
            failed: Some("signature"),
        },
        &|w| {
            let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
            let payload = serde_json::to_vec(&w.signed()).expect("json");
            Request::Json(
                json!({"jws": format!("{}.{}.{}", b64(br#"{"alg":"none"}"#), b64(&payload), b64(b"sig"))}),
            )
        },
    );
    run(
        Case {
            name: "key-host-down",
            verdict: "unverifiable",
            failed: Some("key"),
        },
        &|w| {
            let mut signed = w.signed();
            signed["verification"]["creator"] = json!("http://127.0.0.1:1/key");
            w.issuer["publicKey"] = json!("http://127.0.0.1:1/key");
            Request::Json(json!({"jws": sign(&signed, "key-a.pem")}))
        },
    );
    run(
        Case {
            name: "wrong-recipient",
            verdict: "invalid",
            failed: Some("recipient"),
        },
        &|w| Request::Json(json!({"url": w.url("assertion"), "email": "mallory@example.org"})),
    );
    run(
        Case {
            name: "email-other-case",
            verdict: "valid",
            failed: None,
        },
        &|w| {
            Request::Json(
                json!({"url": w.url("assertion"), "recipient": {"email": " Alice@EXAMPLE.org "}}),
            )
        },
    );
    run(
        Case {
            // 1.x is upgraded and checked: this one lacks a badge and an issue date.
            name: "version-1x",
            verdict: "invalid",
            failed: Some("assertion"),
        },
        &|w| {
            w.assertion = json!({"@context": "https://w3id.org/openbadges/v1", "uid": "1",
            "recipient": "sha256$abc", "verify": {"type": "hosted", "url": w.url("assertion")}});
            url(w)
        },
    );
    run(
        Case {
            name: "version-unknown",
            verdict: "invalid",
            failed: Some("version"),
        },
        &|w| {
            w.assertion = json!({"id": w.url("assertion"), "type": "Thing"});
            url(w)
        },
    );
    run(
        Case {
            name: "pasted-json-is-a-pointer",
            verdict: "expired",
            failed: Some("expiry"),
        },
        &|w| {
            let pasted = w.assertion.clone();
            w.assertion["expires"] = json!("2025-06-01T00:00:00Z");
            Request::Json(json!({"assertion": pasted}))
        },
    );
    // A redirect to the case's assertion (its World publishes the assertion it points at).
    srv.put(
        "/redirected/moved",
        302,
        &[("location", "/redirected/assertion")],
        Vec::new(),
    );
    run(
        Case {
            name: "redirected",
            verdict: "valid",
            failed: None,
        },
        &|w| Request::Json(json!({"url": w.url("moved")})),
    );
    run(
        Case {
            name: "baked-svg",
            verdict: "valid",
            failed: None,
        },
        &|w| {
            let baked = bake(
                &fixture_image("badge.svg"),
                &w.url("assertion"),
                None,
                &Limits::default(),
            )
            .expect("bake svg");
            Request::Image(
                "image/svg+xml",
                "?email=alice%40example.org".into(),
                baked.bytes,
            )
        },
    );
    run(
        Case {
            name: "baked-png",
            verdict: "valid",
            failed: None,
        },
        &|w| {
            let json = serde_json::to_string(&w.assertion).expect("json");
            let baked = bake(&fixture_image("badge.png"), &json, None, &Limits::default())
                .expect("bake png");
            Request::Image("image/png", String::new(), baked.bytes)
        },
    );
    run(
        Case {
            name: "baked-signed-png",
            verdict: "valid",
            failed: None,
        },
        &|w| {
            let jws = sign(&w.signed(), "key-a.pem");
            let baked = bake(&fixture_image("badge.png"), &jws, None, &Limits::default())
                .expect("bake png");
            Request::Image("image/png", String::new(), baked.bytes)
        },
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// How a case hands in its badge.
enum Request {
    Json(Value),
    Image(&'static str, String, Vec<u8>),
}

/// The runtime keeps outbound connections for reuse (Spin's default `connection_pooling`,
/// and `emblem-host` the same way): every document of a badge on one server that keeps
/// connections open comes over one connection, also across verifications.
#[test]
fn the_documents_of_a_badge_on_one_server_come_over_one_connection() {
    let app = verify_app();
    let srv = FixtureServer::start_keep_alive();
    let w = World::new(&srv, "kept");
    w.publish(&srv);
    let body = json!({"url": w.url("assertion"), "email": EMAIL});
    for _ in 0..3 {
        assert_eq!(outcome(&verify_json(app, &body)), ("valid".into(), None));
    }
    assert_eq!(srv.connections(), 1, "three verifications, one connection");
}
