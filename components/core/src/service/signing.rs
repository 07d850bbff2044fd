//! Signed Open Badges 2.0 issuing (docs/standards/ob2.md §4.4, docs/standards/peers.md §1.2).
//!
//! 1. [`enable`]: an issuer turns signing on. Emblem generates an RSA-2048 key with the host's
//!    secure randomness, stores it under `keys/<issuer-id>/<kid>` (insert-if-absent) and makes
//!    it the issuer's active key (`signing/<issuer-id>`, compare-and-swap from absent, so two
//!    concurrent calls agree on one key). Calling it again returns the active key.
//! 2. The issuer Profile then lists the key in `publicKey`, and hosting serves the
//!    CryptographicKey (`id`, `owner`, `publicKeyPem`) at `/issuers/<id>/keys/<kid>`.
//! 3. [`sign_award`]: the award's assertion with `verification: {type: SignedBadge,
//!    creator: <key URL>}`, as a compact RS256 JWS. Its id is the hosted assertion URL, so the
//!    issuer's revocation list (`/issuers/<id>/revocations`) names it when it is revoked.
//!    Revoked awards are not signed (410).

use rsa::RsaPrivateKey;
use rsa::rand_core::{CryptoRng, RngCore};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::base_url::BaseUrl;
use crate::entropy::{self, Entropy};
use crate::env::Env;
use crate::error::{Conflict, Error, Gone, Internal};
use crate::keys;
use crate::kv::{self, Kv};
use crate::model::V1;
use crate::model::signing_key::{ActiveKey, SigningKey};
use crate::ob2::AssertionDoc;
use crate::service::awards;
use emblem_badges::verify::jws;

/// Bits of the RSA keys Emblem generates.
pub const KEY_BITS: usize = 2048;

/// `<base>/issuers/<issuer-id>/keys/<kid>`
pub fn key_url(base: &BaseUrl, issuer_id: &str, kid: &str) -> String {
    base.join(&format!("/issuers/{issuer_id}/keys/{kid}"))
}

/// The host's randomness as the RNG the RSA key generator wants.
struct EntropyRng<'a, E: ?Sized>(&'a E);

impl<E: Entropy + ?Sized> RngCore for EntropyRng<'_, E> {
    fn next_u32(&mut self) -> u32 {
        u32::from_le_bytes(entropy::bytes::<4>(self.0))
    }
    fn next_u64(&mut self) -> u64 {
        u64::from_le_bytes(entropy::bytes::<8>(self.0))
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

// The entropy source is the host's CSPRNG (`wasi:random`).
impl<E: Entropy + ?Sized> CryptoRng for EntropyRng<'_, E> {}

/// What the API shows of a signing key (never the private half).
#[derive(Debug, Clone, Serialize)]
pub struct KeyView {
    /// The key id.
    pub kid: String,
    /// The CryptographicKey URL (`verification.creator` of signed assertions).
    pub key_url: String,
    /// The public key, SPKI PEM.
    pub public_key_pem: String,
}

impl KeyView {
    fn new(key: &SigningKey, base: &BaseUrl) -> Self {
        Self {
            kid: key.kid.clone(),
            key_url: key_url(base, &key.issuer_id, &key.kid),
            public_key_pem: key.public_pem.clone(),
        }
    }
}

/// The issuer's active signing key, if signing is on.
pub async fn active<K: Kv + ?Sized>(kv: &K, issuer_id: &str) -> Result<Option<SigningKey>, Error> {
    let Some(active) = kv::get_json::<_, ActiveKey>(kv, &keys::signing(issuer_id)).await? else {
        return Ok(None);
    };
    Ok(kv::get_json(kv, &keys::signing_key(issuer_id, &active.kid)).await?)
}

/// A published key of an issuer (hosting).
pub async fn load<K: Kv + ?Sized>(
    kv: &K,
    issuer_id: &str,
    kid: &str,
) -> Result<Option<SigningKey>, Error> {
    Ok(kv::get_json(kv, &keys::signing_key(issuer_id, kid)).await?)
}

/// Turn signing on for `issuer_id` (see the module docs); returns the active key.
pub async fn enable<K: Kv + ?Sized>(env: &Env<'_, K>, issuer_id: &str) -> Result<KeyView, Error> {
    if let Some(key) = active(env.kv, issuer_id).await? {
        return Ok(KeyView::new(&key, env.base));
    }
    let internal = |detail: String| Error::Internal(Internal::Config(detail));
    let private = RsaPrivateKey::new(&mut EntropyRng(env.entropy), KEY_BITS)
        .map_err(|e| internal(format!("RSA key generation: {e}")))?;
    let private_pem = {
        use rsa::pkcs8::{EncodePrivateKey, LineEnding};
        private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| internal(format!("PKCS#8 encoding: {e}")))?
            .to_string()
    };
    let key = SigningKey {
        v: V1,
        kid: entropy::alphanumeric(env.entropy, 12),
        issuer_id: issuer_id.to_owned(),
        public_pem: jws::public_key_pem(&private),
        private_pem,
        created_at: env.now,
    };
    kv::put_json(env.kv, &keys::signing_key(issuer_id, &key.kid), &key).await?;
    let pointer = ActiveKey {
        v: V1,
        kid: key.kid.clone(),
    };
    if kv::insert_json(env.kv, &keys::signing(issuer_id), &pointer).await? {
        return Ok(KeyView::new(&key, env.base));
    }
    // Another request enabled signing first: use its key; ours stays unreferenced. The winner
    // may be between its creation claim and its write, so read a few times.
    for _ in 0..kv::MAX_CAS_ATTEMPTS {
        if let Some(winner) = active(env.kv, issuer_id).await? {
            return Ok(KeyView::new(&winner, env.base));
        }
    }
    Err(Error::Internal(Internal::Corrupt {
        key: keys::signing(issuer_id),
        detail: "claimed by another request that never wrote its key".into(),
    }))
}

/// The signed assertion of the issuer's award `award_id`.
#[derive(Debug, Clone, Serialize)]
pub struct SignedView {
    /// The compact JWS (RS256).
    pub jws: String,
    /// The key it was signed with (`verification.creator`).
    pub key_url: String,
    /// The signed payload.
    pub assertion: Value,
}

/// Sign the award (see the module docs).
pub async fn sign_award<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    award_id: &str,
) -> Result<SignedView, Error> {
    let award = awards::get(env.kv, issuer_id, award_id).await?;
    if let Some(r) = &award.revoked {
        return Err(Error::Gone(Gone::Revoked {
            id: award.id.clone(),
            reason: r.reason.clone(),
        }));
    }
    let key = active(env.kv, issuer_id)
        .await?
        .ok_or(Error::Conflict(Conflict::SigningDisabled))?;
    let private = jws::private_key(&key.private_pem).map_err(|e| {
        Error::Internal(Internal::Corrupt {
            key: keys::signing_key(issuer_id, &key.kid),
            detail: e.to_string(),
        })
    })?;
    let creator = key_url(env.base, issuer_id, &key.kid);
    let mut payload = serde_json::to_value(AssertionDoc::new(&award, env.base))
        .map_err(|e| Error::Internal(Internal::Render(e.to_string())))?;
    payload["verification"] = json!({"type": "SignedBadge", "creator": creator});
    let mut header = Map::new();
    header.insert("kid".into(), Value::from(creator.clone()));
    Ok(SignedView {
        jws: jws::sign_rs256(&private, &payload, &header),
        key_url: creator,
        assertion: payload,
    })
}

/// The CryptographicKey document of a key.
pub fn key_doc(key: &SigningKey, base: &BaseUrl) -> Value {
    json!({
        "@context": crate::ob2::CONTEXT,
        "type": "CryptographicKey",
        "id": key_url(base, &key.issuer_id, &key.kid),
        "owner": base.issuer(&key.issuer_id),
        "publicKeyPem": key.public_pem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosting::{self, RenderCache};
    use crate::kv::put_json;
    use crate::negotiate::Representation;
    use crate::ob2::fixtures::{self, AWARD_ID, ISSUER_ID};
    use crate::service::input::Revoke;
    use crate::service::testing::Bench;
    use crate::verify::Fetcher;
    use crate::verify::fetch::{FetchError, Fetched, Hop, Rules};
    use crate::verify::input::{Subject, VerifyRequest};
    use crate::verify::{Verdict, run};
    use futures::executor::block_on;
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
            put_json(&b.kv, &keys::issuer(ISSUER_ID), &fixtures::issuer()).await?;
            put_json(&b.kv, &keys::badge(fixtures::BADGE_ID), &fixtures::badge()).await?;
            put_json(&b.kv, &keys::award(AWARD_ID), &fixtures::award()).await
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
}
