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
    let env = b.env();
    let fetcher = Fetcher {
        kv: &b.kv,
        signed: &crate::signed::SignHere { env: &env },
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

/// Every value under `prefix` in `kv`, as text.
fn texts(kv: &crate::service::kv::MemoryKv, prefix: &str) -> Vec<String> {
    kv.snapshot()
        .into_iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(_, v)| String::from_utf8_lossy(&v).into_owned())
        .collect()
}

#[test]
fn private_keys_are_sealed_in_the_secrets_store_never_in_the_public_one() {
    let b = bench();
    let env = b.env();
    block_on(enable(&env, ISSUER_ID)).expect("enable");
    let signed = block_on(sign_award(&env, ISSUER_ID, AWARD_ID)).expect("sign");
    assert_eq!(verify(&b, &signed.jws).checks.verdict(), Verdict::Valid);
    let vc = block_on(crate::service::credentials::credential(&env, AWARD_ID)).expect("vc");
    assert!(vc["proof"]["proofValue"].is_string());
    // The public store holds no private half: no PEM private key, no seed.
    for text in texts(&b.kv, "") {
        assert!(!text.contains("PRIVATE KEY"), "{text}");
        assert!(
            !text.contains("secret_hex") && !text.contains("private_pem"),
            "{text}"
        );
    }
    // The secrets store holds both, sealed (ciphertext, no PEM armour).
    let sealed = texts(&b.secrets, "sealed/");
    assert_eq!(sealed.len(), 2, "{sealed:?}");
    assert!(
        sealed
            .iter()
            .all(|t| t.contains("A256GCM") && !t.contains("PRIVATE"))
    );
}

#[test]
fn a_component_without_the_secrets_store_signs_nothing_and_writes_nothing() {
    let b = bench();
    let mut env = b.env();
    env.vault = None;
    let before = b.kv.snapshot();
    let unavailable = Err(Error::Unavailable(
        crate::error::Unavailable::SecretsUnavailable,
    ));
    assert_eq!(block_on(enable(&env, ISSUER_ID)).map(|_| ()), unavailable);
    let vc = block_on(crate::service::credentials::credential(&env, AWARD_ID));
    assert_eq!(vc.map(|_| ()), unavailable);
    assert_eq!(b.kv.snapshot(), before, "nothing written");
    assert_eq!(
        Error::Unavailable(crate::error::Unavailable::SecretsUnavailable).status(),
        503
    );
}

#[test]
fn keys_stored_before_sealing_are_sealed_and_removed_from_the_public_store_on_first_use() {
    let b = bench();
    let env = b.env();
    // Make both keys, then write them back as an earlier Emblem stored them: the private
    // half inside the public record, nothing in the secrets store.
    let view = block_on(enable(&env, ISSUER_ID)).expect("enable");
    let first = block_on(crate::service::credentials::credential(&env, AWARD_ID)).expect("vc");
    let vault = env.vault.expect("vault");
    let rsa_sealed = store_keys::sealed_signing_key(ISSUER_ID, &view.kid);
    let pem = block_on(vault.get(&b.entropy, &rsa_sealed))
        .expect("get")
        .expect("sealed pem");
    let mut rsa: Value =
        serde_json::from_slice(&b.kv.snapshot()[&store_keys::signing_key(ISSUER_ID, &view.kid)])
            .expect("json");
    rsa["private_pem"] = String::from_utf8(pem.to_vec()).expect("pem").into();
    let vckey = store_keys::credential_key(ISSUER_ID);
    let mut ed: Value = serde_json::from_slice(&b.kv.snapshot()[&vckey]).expect("json");
    let kid = ed["kid"].as_str().expect("kid").to_owned();
    let ed_sealed = store_keys::sealed_credential_key(ISSUER_ID, &kid);
    let seed = block_on(vault.get(&b.entropy, &ed_sealed))
        .expect("get")
        .expect("sealed seed");
    ed["secret_hex"] = hex::encode(seed.as_slice()).into();
    ed.as_object_mut().expect("object").remove("public_p256");
    block_on(async {
        put_json(&b.kv, &store_keys::signing_key(ISSUER_ID, &view.kid), &rsa).await?;
        put_json(&b.kv, &vckey, &ed).await?;
        vault.delete(&rsa_sealed).await.ok();
        vault.delete(&ed_sealed).await.ok();
        Ok::<_, crate::kv::KvError>(())
    })
    .expect("legacy records");
    // The JWK Set of a legacy record is served as before, before any migration.
    let jwks = block_on(crate::service::credentials::jwks(&env, ISSUER_ID)).expect("jwks");
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(3));

    // First use: the same signatures, and the private halves moved to the secrets store.
    let again = block_on(crate::service::credentials::credential(&env, AWARD_ID)).expect("vc");
    assert_eq!(again, first, "the same key signs");
    let signed = block_on(sign_award(&env, ISSUER_ID, AWARD_ID)).expect("sign");
    assert_eq!(verify(&b, &signed.jws).checks.verdict(), Verdict::Valid);
    for text in texts(&b.kv, "") {
        assert!(
            !text.contains("PRIVATE KEY") && !text.contains("secret_hex"),
            "{text}"
        );
    }
    assert!(
        block_on(vault.get(&b.entropy, &rsa_sealed))
            .expect("get")
            .is_some()
    );
    assert!(
        block_on(vault.get(&b.entropy, &ed_sealed))
            .expect("get")
            .is_some()
    );
    let migrated: Value = serde_json::from_slice(&b.kv.snapshot()[&vckey]).expect("json");
    assert!(migrated["public_p256"].is_string(), "{migrated}");
    assert_eq!(
        block_on(crate::service::credentials::jwks(&env, ISSUER_ID)).expect("jwks"),
        jwks,
        "the same public keys"
    );
}

#[test]
fn only_an_rsa_2048_key_is_installed_and_the_first_installed_stays() {
    let b = bench();
    let env = b.env();
    let before = b.kv.snapshot();
    for bad in [
        "",
        "not a key",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
    ] {
        let refused = block_on(install(&env, ISSUER_ID, bad));
        assert!(
            matches!(refused, Err(Error::Invalid(_))),
            "{bad:?}: {refused:?}"
        );
    }
    assert_eq!(b.kv.snapshot(), before, "nothing written");
    assert!(b.secrets.snapshot().is_empty());
    let first = block_on(install(
        &env,
        ISSUER_ID,
        &generate(env.entropy).expect("key"),
    ))
    .expect("install");
    let second = block_on(install(
        &env,
        ISSUER_ID,
        &generate(env.entropy).expect("key"),
    ))
    .expect("again");
    assert_eq!(
        first.kid, second.kid,
        "an issuer's signing key is never replaced"
    );
    assert_eq!(b.secrets.snapshot().len(), 1);
}

#[test]
fn a_migration_that_stopped_after_sealing_is_finished_on_the_next_use() {
    let b = bench();
    let env = b.env();
    let first = block_on(crate::service::credentials::credential(&env, AWARD_ID)).expect("vc");
    // The seed is sealed, but the public record still holds it, as if a migration had
    // stopped between its two steps.
    let vckey = store_keys::credential_key(ISSUER_ID);
    let mut ed: Value = serde_json::from_slice(&b.kv.snapshot()[&vckey]).expect("json");
    let kid = ed["kid"].as_str().expect("kid").to_owned();
    let vault = env.vault.expect("vault");
    let seed = block_on(vault.get(
        &b.entropy,
        &store_keys::sealed_credential_key(ISSUER_ID, &kid),
    ))
    .expect("get")
    .expect("sealed");
    ed["secret_hex"] = hex::encode(seed.as_slice()).into();
    block_on(put_json(&b.kv, &vckey, &ed)).expect("put");

    let again = block_on(crate::service::credentials::credential(&env, AWARD_ID)).expect("vc");
    assert_eq!(again, first);
    let stripped: Value = serde_json::from_slice(&b.kv.snapshot()[&vckey]).expect("json");
    assert!(stripped.get("secret_hex").is_none(), "{stripped}");
}
