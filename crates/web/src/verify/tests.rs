//! The verification flow against fixture documents on a fake network, and against this
//! instance's own store through the hosting renderers.

use std::cell::RefCell;
use std::collections::HashMap;

use futures::executor::block_on;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use url::Url;

use super::Fetcher;
use super::check::{Check, Outcome, Verdict};
use super::fetch::{Fetch, FetchError, Fetched, Hop, Rules};
use super::flow::{Verification, run};
use super::input::{Claimant, IdentityKind, Subject, VerifyRequest};
use super::jws::sign_rs256;
use super::jws::test_keys::{other_key, public_pem, test_key};
use crate::base_url::BaseUrl;
use crate::hosting::RenderCache;
use crate::kv::{MemoryKv, put_json};
use crate::ob2::{CONTEXT, fixtures};
use crate::recipient::identity_hash;
use crate::store_keys;

const NOW: OffsetDateTime = datetime!(2026-12-01 00:00 UTC);
const ISSUER: &str = "https://issuer.example.org/issuer";
const BADGE: &str = "https://issuer.example.org/badge";
const ASSERTION: &str = "https://issuer.example.org/assertions/1";
const KEY: &str = "https://issuer.example.org/keys/1";
const LIST: &str = "https://issuer.example.org/revocations";
const SALT: &str = "s4lt";

/// A fake network: url → (status, body).
#[derive(Default)]
struct Net(HashMap<String, (u16, Value)>);

impl Net {
    fn put(&mut self, url: &str, status: u16, doc: Value) -> &mut Self {
        self.0.insert(url.to_owned(), (status, doc));
        self
    }
}

impl Fetch for Net {
    async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        let (status, doc) = self.0.get(url).cloned().ok_or(FetchError::Network {
            url: url.to_owned(),
            reason: "connection refused".into(),
        })?;
        let mut f = Fetched::ok(
            url,
            "application/ld+json",
            serde_json::to_vec(&doc).expect("json"),
        );
        f.status = status;
        Ok(f)
    }
}

fn issuer_doc() -> Value {
    json!({"@context": CONTEXT, "type": "Issuer", "id": ISSUER, "name": "Issuer",
           "url": "https://issuer.example.org", "email": "b@issuer.example.org",
           "publicKey": KEY, "revocationList": LIST})
}

fn badge_doc() -> Value {
    json!({"@context": CONTEXT, "type": "BadgeClass", "id": BADGE, "name": "Lifting",
           "description": "Lifts.", "image": "https://issuer.example.org/badge.png",
           "criteria": {"narrative": "Lift."}, "issuer": ISSUER})
}

fn assertion_doc(id: &str, kind: &str) -> Value {
    let mut verification = json!({"type": kind});
    if kind == "SignedBadge" {
        verification["creator"] = json!(KEY);
    }
    json!({"@context": CONTEXT, "type": "Assertion", "id": id,
           "recipient": {"type": "email", "hashed": true, "salt": SALT,
                         "identity": identity_hash("alice@example.org", SALT)},
           "badge": BADGE, "verification": verification,
           "issuedOn": "2026-11-01T00:00:00Z"})
}

fn net() -> Net {
    let mut n = Net::default();
    n.put(ISSUER, 200, issuer_doc())
        .put(BADGE, 200, badge_doc())
        .put(ASSERTION, 200, assertion_doc(ASSERTION, "HostedBadge"))
        .put(
            KEY,
            200,
            json!({"@context": CONTEXT, "type": "CryptographicKey", "id": KEY,
                              "owner": ISSUER, "publicKeyPem": public_pem(&test_key())}),
        )
        .put(
            LIST,
            200,
            json!({"@context": CONTEXT, "type": "RevocationList", "id": LIST,
                               "issuer": ISSUER, "revokedAssertions": []}),
        );
    n
}

fn url_req(url: &str) -> VerifyRequest {
    VerifyRequest {
        subject: Subject::Url(url.to_owned()),
        source: "url",
        recipient: None,
    }
}

fn jws_req(payload: &Value) -> VerifyRequest {
    VerifyRequest {
        subject: Subject::Jws(sign_rs256(&test_key(), payload, &Map::new())),
        source: "jws",
        recipient: None,
    }
}

fn verify(n: &Net, req: &VerifyRequest) -> Verification {
    block_on(run(n, req, NOW))
}

#[track_caller]
fn expect(v: &Verification, verdict: Verdict, failed: Option<&str>) {
    assert_eq!(v.checks.verdict(), verdict, "{:#?}", v.checks);
    assert_eq!(
        v.checks.first_failure().map(|c| c.name.name()),
        failed,
        "{:#?}",
        v.checks
    );
}

#[test]
fn a_valid_hosted_badge_passes_every_check_and_lists_all_in_order() {
    let v = verify(&net(), &url_req(ASSERTION));
    expect(&v, Verdict::Valid, None);
    let names: Vec<Check> = v.checks.all().iter().map(|c| c.name).collect();
    assert_eq!(names, Check::ALL);
    assert_eq!(
        v.checks.get(Check::Recipient).map(|c| c.outcome),
        Some(Outcome::Skip)
    );
    assert_eq!(v.kind, Some("hosted"));
}

#[test]
fn a_pasted_copy_is_only_a_pointer_to_the_hosted_original() {
    let mut forged = assertion_doc(ASSERTION, "HostedBadge");
    forged["expires"] = json!("2030-01-01T00:00:00Z");
    let mut n = net();
    let mut hosted = assertion_doc(ASSERTION, "HostedBadge");
    hosted["expires"] = json!("2026-11-15T00:00:00Z");
    n.put(ASSERTION, 200, hosted);
    let req = VerifyRequest {
        subject: Subject::Json(forged),
        source: "json",
        recipient: None,
    };
    expect(&verify(&n, &req), Verdict::Expired, Some("expiry"));
}

#[test]
fn hosted_revocation_by_410_or_by_body() {
    let mut n = net();
    n.put(
        ASSERTION,
        410,
        json!({"id": ASSERTION, "revoked": true, "revocationReason": "cheated"}),
    );
    let v = verify(&n, &url_req(ASSERTION));
    expect(&v, Verdict::Revoked, Some("revocation"));
    assert!(
        v.checks
            .get(Check::Revocation)
            .is_some_and(|c| c.message.contains("cheated"))
    );
    n.put(
        ASSERTION,
        200,
        json!({"@context": CONTEXT, "type": "Assertion", "id": ASSERTION, "revoked": true}),
    );
    expect(
        &verify(&n, &url_req(ASSERTION)),
        Verdict::Revoked,
        Some("revocation"),
    );
}

#[test]
fn dates_expired_and_issued_in_the_future() {
    let mut n = net();
    let mut a = assertion_doc(ASSERTION, "HostedBadge");
    a["expires"] = json!("2026-11-30T00:00:00Z");
    n.put(ASSERTION, 200, a.clone());
    expect(
        &verify(&n, &url_req(ASSERTION)),
        Verdict::Expired,
        Some("expiry"),
    );
    a["issuedOn"] = json!("2027-01-01T00:00:00Z");
    a.as_object_mut().map(|m| m.remove("expires"));
    n.put(ASSERTION, 200, a);
    expect(
        &verify(&n, &url_req(ASSERTION)),
        Verdict::Invalid,
        Some("issuedOn"),
    );
}

#[test]
fn scope_wrong_origin_and_prefixes() {
    let elsewhere = "https://copies.example.net/a/1";
    let mut n = net();
    n.put(elsewhere, 200, assertion_doc(elsewhere, "HostedBadge"));
    expect(
        &verify(&n, &url_req(elsewhere)),
        Verdict::Invalid,
        Some("scope"),
    );
    let mut issuer = issuer_doc();
    issuer["verification"] =
        json!({"type": "VerificationObject", "allowedOrigins": ["copies.example.net"]});
    n.put(ISSUER, 200, issuer.clone());
    expect(&verify(&n, &url_req(elsewhere)), Verdict::Valid, None);
    issuer["verification"] =
        json!({"type": "VerificationObject", "startsWith": "https://copies.example.net/b/"});
    n.put(ISSUER, 200, issuer);
    expect(
        &verify(&n, &url_req(elsewhere)),
        Verdict::Invalid,
        Some("scope"),
    );
}

#[test]
fn the_declared_id_is_the_authority_and_a_non_url_id_is_invalid() {
    let mut n = net();
    let other = "https://issuer.example.org/assertions/2";
    n.put(other, 200, assertion_doc(ASSERTION, "HostedBadge"));
    let v = verify(&n, &url_req(other));
    expect(&v, Verdict::Valid, None);
    assert_eq!(v.subject.as_deref(), Some(ASSERTION));
    assert_eq!(
        v.checks.get(Check::Id).map(|c| c.outcome),
        Some(Outcome::Warn)
    );
    n.put(other, 200, assertion_doc("urn:uuid:1", "HostedBadge"));
    expect(&verify(&n, &url_req(other)), Verdict::Invalid, Some("id"));
}

#[test]
fn network_failures_are_unverifiable_not_invalid() {
    let v = verify(&net(), &url_req("https://down.example.org/a/1"));
    expect(&v, Verdict::Unverifiable, Some("fetch"));
    let mut n = net();
    n.0.remove(BADGE);
    expect(
        &verify(&n, &url_req(ASSERTION)),
        Verdict::Unverifiable,
        Some("badgeclass"),
    );
    n = net();
    n.put(ASSERTION, 503, json!({}));
    expect(
        &verify(&n, &url_req(ASSERTION)),
        Verdict::Unverifiable,
        Some("fetch"),
    );
    n.put(ASSERTION, 404, json!({}));
    expect(
        &verify(&n, &url_req(ASSERTION)),
        Verdict::Invalid,
        Some("fetch"),
    );
}

#[test]
fn missing_properties_are_named() {
    let mut n = net();
    let mut b = badge_doc();
    b.as_object_mut().map(|m| m.remove("criteria"));
    n.put(BADGE, 200, b);
    let v = verify(&n, &url_req(ASSERTION));
    expect(&v, Verdict::Invalid, Some("badgeclass"));
    assert!(
        v.checks
            .get(Check::BadgeClass)
            .is_some_and(|c| c.message.contains("criteria"))
    );
}

#[test]
fn a_valid_signed_badge_with_creator_or_with_the_issuers_key_list() {
    let n = net();
    let signed = assertion_doc("urn:uuid:1", "SignedBadge");
    let v = verify(&n, &jws_req(&signed));
    expect(&v, Verdict::Valid, None);
    assert_eq!(v.kind, Some("signed"));
    let mut no_creator = signed.clone();
    no_creator["verification"] = json!({"type": "SignedBadge"});
    let v = verify(&n, &jws_req(&no_creator));
    expect(&v, Verdict::Valid, None);
    assert!(
        v.checks
            .get(Check::Key)
            .is_some_and(|c| c.message.contains("publicKey list"))
    );
}

#[test]
fn a_tampered_or_foreign_signature_is_invalid() {
    let n = net();
    let signed = assertion_doc("urn:uuid:1", "SignedBadge");
    let jws = sign_rs256(&test_key(), &signed, &Map::new());
    let mut parts: Vec<String> = jws.split('.').map(str::to_owned).collect();
    let mut changed = signed.clone();
    changed["issuedOn"] = json!("2026-01-01T00:00:00Z");
    use base64::Engine as _;
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&changed).expect("json"));
    let req = VerifyRequest {
        subject: Subject::Jws(parts.join(".")),
        source: "jws",
        recipient: None,
    };
    expect(&verify(&n, &req), Verdict::Invalid, Some("signature"));
    let foreign = VerifyRequest {
        subject: Subject::Jws(sign_rs256(&other_key(), &signed, &Map::new())),
        source: "jws",
        recipient: None,
    };
    expect(&verify(&n, &foreign), Verdict::Invalid, Some("signature"));
}

#[test]
fn alg_none_is_invalid_at_the_signature_check() {
    use base64::Engine as _;
    let e = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let payload = serde_json::to_vec(&assertion_doc("urn:uuid:1", "SignedBadge")).expect("json");
    let req = VerifyRequest {
        subject: Subject::Jws(format!(
            "{}.{}.{}",
            e(br#"{"alg":"none"}"#),
            e(&payload),
            e(b"x")
        )),
        source: "jws",
        recipient: None,
    };
    let v = verify(&net(), &req);
    expect(&v, Verdict::Invalid, Some("signature"));
    assert!(
        v.checks
            .get(Check::Signature)
            .is_some_and(|c| c.message.contains("\"none\""))
    );
}

#[test]
fn a_key_owned_by_someone_else_is_refused() {
    let mut n = net();
    n.put(KEY, 200, json!({"id": KEY, "owner": "https://evil.example.org/i", "publicKeyPem": public_pem(&test_key())}));
    let mut issuer = issuer_doc();
    issuer.as_object_mut().map(|m| m.remove("publicKey"));
    n.put(ISSUER, 200, issuer);
    let v = verify(&n, &jws_req(&assertion_doc("urn:uuid:1", "SignedBadge")));
    expect(&v, Verdict::Invalid, Some("key"));
}

#[test]
fn a_missing_key_is_unverifiable() {
    let mut n = net();
    n.0.remove(KEY);
    let v = verify(&n, &jws_req(&assertion_doc("urn:uuid:1", "SignedBadge")));
    expect(&v, Verdict::Unverifiable, Some("key"));
}

#[test]
fn signed_revocation_comes_from_the_issuers_list() {
    let mut n = net();
    n.put(
        LIST,
        200,
        json!({"type": "RevocationList", "revokedAssertions": [
        "urn:uuid:other", {"id": "urn:uuid:1", "revocationReason": "lost"}]}),
    );
    let v = verify(&n, &jws_req(&assertion_doc("urn:uuid:1", "SignedBadge")));
    expect(&v, Verdict::Revoked, Some("revocation"));
    assert!(
        v.checks
            .get(Check::Revocation)
            .is_some_and(|c| c.message.contains("lost"))
    );
}

fn with_recipient(email: &str) -> VerifyRequest {
    VerifyRequest {
        recipient: Some(Claimant {
            kind: IdentityKind::Email,
            value: email.to_owned(),
        }),
        ..url_req(ASSERTION)
    }
}

#[test]
fn recipients_match_by_salted_hash_tolerating_case_and_spaces() {
    let n = net();
    expect(
        &verify(&n, &with_recipient("alice@example.org")),
        Verdict::Valid,
        None,
    );
    expect(
        &verify(&n, &with_recipient("  Alice@Example.ORG ")),
        Verdict::Valid,
        None,
    );
    expect(
        &verify(&n, &with_recipient("bob@example.org")),
        Verdict::Invalid,
        Some("recipient"),
    );
    let mut upper = n.0.clone();
    let mut a = assertion_doc(ASSERTION, "HostedBadge");
    a["recipient"]["identity"] = json!(
        identity_hash("alice@example.org", SALT)
            .to_uppercase()
            .replace("SHA256", "sha256")
    );
    upper.insert(ASSERTION.into(), (200, a));
    expect(
        &verify(&Net(upper), &with_recipient("alice@example.org")),
        Verdict::Valid,
        None,
    );
}

#[test]
fn old_and_unknown_versions_are_named() {
    let mut n = net();
    n.put(
        ASSERTION,
        200,
        json!({"@context": "https://w3id.org/openbadges/v1", "id": ASSERTION}),
    );
    expect(
        &verify(&n, &url_req(ASSERTION)),
        Verdict::Invalid,
        Some("version"),
    );
    n.put(ASSERTION, 200, json!({"id": ASSERTION, "hello": "world"}));
    expect(
        &verify(&n, &url_req(ASSERTION)),
        Verdict::Invalid,
        Some("version"),
    );
    let pasted = VerifyRequest {
        subject: Subject::Json(json!({"recipient": "a@example.org", "badge": {}})),
        source: "json",
        recipient: None,
    };
    expect(&verify(&n, &pasted), Verdict::Unverifiable, Some("id"));
}

#[test]
fn image_types_must_be_png_or_svg() {
    let mut n = net();
    let mut b = badge_doc();
    b["image"] = json!("data:image/gif;base64,R0lGOD");
    n.put(BADGE, 200, b);
    expect(
        &verify(&n, &url_req(ASSERTION)),
        Verdict::Invalid,
        Some("image"),
    );
}

/// A network that must not be used.
struct NoNetwork;

impl Hop for NoNetwork {
    async fn hop(&self, url: &Url, _accept: &str) -> Result<Fetched, FetchError> {
        Err(FetchError::Network {
            url: url.to_string(),
            reason: "no network in this test".into(),
        })
    }
}

fn local_store(award: &crate::model::award::Award) -> MemoryKv {
    let kv = MemoryKv::new();
    block_on(async {
        put_json(
            &kv,
            &store_keys::issuer(fixtures::ISSUER_ID),
            &fixtures::issuer(),
        )
        .await?;
        put_json(
            &kv,
            &store_keys::badge(fixtures::BADGE_ID),
            &fixtures::badge(),
        )
        .await?;
        put_json(&kv, &store_keys::award(&award.id), award).await
    })
    .expect("store");
    kv
}

/// These tests verify 2.0 badges only: no 3.0 document is ever asked for.
struct NoSignedDocs;

impl crate::signed::SignedDocs for NoSignedDocs {
    async fn get(&self, path: &str) -> Result<crate::reply::Reply, crate::error::Error> {
        panic!("no signed document expected, asked for {path}")
    }
}

fn verify_local(kv: &MemoryKv, now: OffsetDateTime, email: Option<&str>) -> Verification {
    let base = BaseUrl::parse("https://badges.example.org").expect("base");
    let cache = RefCell::new(RenderCache::new());
    let fetcher = Fetcher {
        kv,
        signed: &NoSignedDocs,
        base: &base,
        now,
        cache: &cache,
        remote: &NoNetwork,
        rules: Rules::default(),
    };
    let req = VerifyRequest {
        subject: Subject::Url(base.assertion(fixtures::AWARD_ID)),
        source: "url",
        recipient: email.map(|e| Claimant {
            kind: IdentityKind::Email,
            value: e.to_owned(),
        }),
    };
    block_on(run(&fetcher, &req, now))
}

#[test]
fn this_instances_own_badges_are_read_from_the_store_with_the_same_rules() {
    let kv = local_store(&fixtures::award());
    let v = verify_local(&kv, NOW, Some("Alice@example.org"));
    expect(&v, Verdict::Valid, None);
    // The badge class image is hosted here; the issuer's allowedOrigins is this host.
    let later = datetime!(2028-01-01 00:00 UTC);
    expect(
        &verify_local(&kv, later, None),
        Verdict::Expired,
        Some("expiry"),
    );
    let revoked = local_store(&fixtures::revoked_award());
    let v = verify_local(&revoked, NOW, None);
    expect(&v, Verdict::Revoked, Some("revocation"));
    assert!(
        v.checks
            .get(Check::Revocation)
            .is_some_and(|c| c.message.contains("Issued in error"))
    );
    let missing = MemoryKv::new();
    expect(
        &verify_local(&missing, NOW, None),
        Verdict::Invalid,
        Some("fetch"),
    );
}
