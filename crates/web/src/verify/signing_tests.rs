//! Signed issuing end to end: what the services sign, the verifier accepts (through the
//! hosting renderers, offline).

use crate::error::{Conflict, Error};
use crate::hosting::{self, RenderCache};
use crate::kv::put_json;
use crate::negotiate::Representation;
use crate::ob2::fixtures::{self, AWARD_ID, ISSUER_ID};
use crate::service::awards;
use crate::service::input::Revoke;
use crate::service::testing::Bench;
use crate::store_keys;
use crate::verify::Fetcher;
use crate::verify::fetch::{FetchError, Fetched, Hop, Rules};
use crate::verify::input::{Subject, VerifyRequest};
use crate::verify::{Verdict, run};
use emblem_services::signing::*;
use futures::executor::block_on;
use serde_json::{Value, json};
use std::cell::RefCell;

struct NoNetwork;

impl Hop for NoNetwork {
    async fn hop(&self, url: &url::Url, _: &str) -> Result<Fetched, FetchError> {
        Err(FetchError::Network {
            url: url.to_string(),
            reason: "offline".into(),
        })
    }
}

fn bench() -> Bench {
    let b = Bench::new();
    block_on(async {
        put_json(&b.kv, &store_keys::issuer(ISSUER_ID), &fixtures::issuer()).await?;
        put_json(
            &b.kv,
            &store_keys::badge(fixtures::BADGE_ID),
            &fixtures::badge(),
        )
        .await?;
        put_json(&b.kv, &store_keys::award(AWARD_ID), &fixtures::award()).await
    })
    .expect("store");
    b
}

fn verify(b: &Bench, jws: &str) -> crate::verify::Verification {
    let cache = RefCell::new(RenderCache::new());
    let fetcher = Fetcher {
        kv: &b.kv,
        base: &b.base,
        now: b.now,
        cache: &cache,
        remote: &NoNetwork,
        rules: Rules::default(),
    };
    let req = VerifyRequest {
        subject: Subject::Jws(jws.to_owned()),
        source: "jws",
        recipient: None,
    };
    block_on(run(&fetcher, &req, b.now))
}

#[test]
fn signing_is_off_until_enabled_then_one_key_is_published() {
    let b = bench();
    let env = b.env();
    let off = block_on(sign_award(&env, ISSUER_ID, AWARD_ID));
    assert_eq!(
        off.map(|_| ()),
        Err(Error::Conflict(Conflict::SigningDisabled))
    );
    let key = block_on(enable(&env, ISSUER_ID)).expect("enable");
    let again = block_on(enable(&env, ISSUER_ID)).expect("enable again");
    assert_eq!(key.kid, again.kid, "enabling twice keeps one key");
    // The profile lists it; the key document has the public half only.
    let profile = block_on(hosting::issuer(
        &b.kv,
        &b.base,
        ISSUER_ID,
        Representation::LdJson,
    ))
    .expect("profile");
    let profile: Value = serde_json::from_slice(&profile.body).expect("json");
    assert_eq!(profile["publicKey"], json!(key.key_url));
    let doc = block_on(hosting::key(
        &b.kv,
        &b.base,
        ISSUER_ID,
        &key.kid,
        Representation::LdJson,
    ))
    .expect("key doc");
    let text = String::from_utf8(doc.body).expect("utf8");
    assert!(
        text.contains("PUBLIC KEY") && !text.contains("PRIVATE"),
        "{text}"
    );
    let doc: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(doc["owner"], json!(b.base.issuer(ISSUER_ID)));
    assert_eq!(doc["type"], "CryptographicKey");
    assert!(
        block_on(hosting::key(
            &b.kv,
            &b.base,
            ISSUER_ID,
            "nope",
            Representation::LdJson
        ))
        .is_err()
    );
}

#[test]
fn a_signed_award_verifies_and_shows_revocation_through_the_list() {
    let b = bench();
    let env = b.env();
    let key = block_on(enable(&env, ISSUER_ID)).expect("enable");
    let signed = block_on(sign_award(&env, ISSUER_ID, AWARD_ID)).expect("sign");
    assert_eq!(
        signed.assertion["verification"]["creator"],
        json!(key.key_url)
    );
    let v = verify(&b, &signed.jws);
    assert_eq!(v.checks.verdict(), Verdict::Valid, "{:#?}", v.checks);
    assert_eq!(v.kind, Some("signed"));
    block_on(awards::revoke(
        &env,
        ISSUER_ID,
        AWARD_ID,
        Revoke {
            reason: "Lost".into(),
        },
    ))
    .expect("revoke");
    let v = verify(&b, &signed.jws);
    assert_eq!(v.checks.verdict(), Verdict::Revoked, "{:#?}", v.checks);
    assert_eq!(
        v.checks.first_failure().map(|c| c.name),
        Some(crate::verify::Check::Revocation)
    );
    let again = block_on(sign_award(&env, ISSUER_ID, AWARD_ID));
    assert_eq!(again.map(|_| ()).map_err(|e| e.status()), Err(410));
}

#[test]
fn another_issuer_cannot_sign_this_issuers_award() {
    let b = bench();
    let env = b.env();
    block_on(enable(&env, ISSUER_ID)).expect("enable");
    let other = block_on(sign_award(
        &env,
        "00000000-0000-4000-8000-000000000000",
        AWARD_ID,
    ));
    assert_eq!(other.map(|_| ()).map_err(|e| e.status()), Err(404));
}

#[test]
fn debug_output_never_shows_the_private_key() {
    let b = bench();
    block_on(enable(&b.env(), ISSUER_ID)).expect("enable");
    let key = block_on(active(&b.kv, ISSUER_ID))
        .expect("read")
        .expect("key");
    assert!(!format!("{key:?}").contains("PRIVATE"));
}
