//! Signed Open Badges 2.0 issuing (docs/standards/ob2.md §4.4, docs/standards/peers.md §1.2).
//!
//! 1. [`enable`]: an issuer turns signing on. Emblem generates an RSA-2048 key with the host's
//!    secure randomness ([`generate`], in the issuing component), seals its private half in
//!    the `secrets` store ([`install`], in the component that holds the keys,
//!    [`crate::vault`]), stores the public half under `keys/<issuer-id>/<kid>` and makes
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

use crate::env::Env;
use crate::kv::{self, Kv};
use crate::store_keys;
use crate::vault::{self, Vault};
use crate::{awards, issuers};
use emblem_badges::base_url::BaseUrl;
use emblem_badges::entropy::{self, Entropy};
use emblem_badges::error::{Conflict, Error, Gone, Internal};
use emblem_badges::model::V1;
use emblem_badges::model::signing_key::{ActiveKey, SigningKey};
use emblem_badges::ob2::AssertionDoc;
use emblem_badges::verify::jws;

/// Bits of the RSA keys Emblem generates.
pub const KEY_BITS: usize = 2048;

/// `<base>/issuers/<issuer-id>/keys/<kid>`
pub fn key_url(base: &BaseUrl, issuer_id: &str, kid: &str) -> String {
    base.join(&format!("/issuers/{issuer_id}/keys/{kid}"))
}

/// The host's randomness as the RNG the RSA key generator and blinded signing want.
pub(crate) struct EntropyRng<'a, E: ?Sized>(pub(crate) &'a E);

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
    pub fn new(key: &SigningKey, base: &BaseUrl) -> Self {
        Self {
            kid: key.kid.clone(),
            key_url: key_url(base, &key.issuer_id, &key.kid),
            public_key_pem: key.public_pem.clone(),
        }
    }
}

/// The issuer's active signing key, if signing is on.
pub async fn active<K: Kv + ?Sized>(kv: &K, issuer_id: &str) -> Result<Option<SigningKey>, Error> {
    let Some(active) = kv::get_json::<_, ActiveKey>(kv, &store_keys::signing(issuer_id)).await?
    else {
        return Ok(None);
    };
    Ok(kv::get_json(kv, &store_keys::signing_key(issuer_id, &active.kid)).await?)
}

/// A published key of an issuer (hosting).
pub async fn load<K: Kv + ?Sized>(
    kv: &K,
    issuer_id: &str,
    kid: &str,
) -> Result<Option<SigningKey>, Error> {
    Ok(kv::get_json(kv, &store_keys::signing_key(issuer_id, kid)).await?)
}

/// Turn signing on for `issuer_id` (see the module docs); returns the active key: a new key
/// ([`generate`]) handed to [`install`]. Calling it again returns the active key.
pub async fn enable<K: Kv + ?Sized>(env: &Env<'_, K>, issuer_id: &str) -> Result<KeyView, Error> {
    if let Some(key) = active(env.kv, issuer_id).await? {
        return Ok(KeyView::new(&key, env.base));
    }
    vault::required(env.vault)?;
    install(env, issuer_id, &generate(env.entropy)?).await
}

/// A new RSA-2048 private key from the host's secure randomness, as PKCS#8 PEM. The issuing
/// component makes it and hands it once to the component that holds the keys
/// ([`install`]), so the RSA key generator is linked where it is used and nowhere else.
pub fn generate(entropy: &dyn Entropy) -> Result<zeroize::Zeroizing<String>, Error> {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let internal = |detail: String| Error::Internal(Internal::Config(detail));
    let private = RsaPrivateKey::new(&mut EntropyRng(entropy), KEY_BITS)
        .map_err(|e| internal(format!("RSA key generation: {e}")))?;
    private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| internal(format!("PKCS#8 encoding: {e}")))
}

/// Makes `private_pem` (an RSA key of [`KEY_BITS`]) the issuer's signing key, unless it has
/// one: the private half is sealed in the `secrets` store ([`crate::vault`]) before the
/// public half is written; of two concurrent calls, one key wins and the other's sealed half
/// is deleted. Returns the active key.
pub async fn install<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    private_pem: &str,
) -> Result<KeyView, Error> {
    issuers::load(env.kv, issuer_id).await?;
    if let Some(key) = active(env.kv, issuer_id).await? {
        return Ok(KeyView::new(&key, env.base));
    }
    use rsa::traits::PublicKeyParts as _;
    let vault = vault::required(env.vault)?;
    let private = jws::private_key(private_pem)
        .ok()
        .filter(|k| k.size() * 8 == KEY_BITS)
        .ok_or_else(|| Error::invalid("private_key", "not a PKCS#8 PEM RSA-2048 private key"))?;
    let key = SigningKey {
        v: V1,
        kid: entropy::alphanumeric(env.entropy, 12),
        issuer_id: issuer_id.to_owned(),
        public_pem: jws::public_key_pem(&private),
        private_pem: String::new(),
        created_at: env.now,
    };
    let sealed = store_keys::sealed_signing_key(issuer_id, &key.kid);
    vault
        .put(env.entropy, &sealed, private_pem.trim().as_bytes())
        .await?;
    kv::put_json(env.kv, &store_keys::signing_key(issuer_id, &key.kid), &key).await?;
    let pointer = ActiveKey {
        v: V1,
        kid: key.kid.clone(),
    };
    if kv::insert_json(env.kv, &store_keys::signing(issuer_id), &pointer).await? {
        return Ok(KeyView::new(&key, env.base));
    }
    // Another request enabled signing first: use its key (once its pointer is written); ours
    // stays unreferenced, and its private half is deleted.
    vault.delete(&sealed).await?;
    let winner: ActiveKey = kv::created_by_another(env.kv, &store_keys::signing(issuer_id)).await?;
    let key = load(env.kv, issuer_id, &winner.kid).await?.ok_or_else(|| {
        Error::Internal(Internal::Corrupt {
            key: store_keys::signing(issuer_id),
            detail: format!("names the key {} that is not stored", winner.kid),
        })
    })?;
    Ok(KeyView::new(&key, env.base))
}

/// The private half of a stored signing key, from the `secrets` store (503 in a component
/// without it). A record from before sealing (the private half still in the public record) is
/// migrated ([`Vault::migrate`]), also if an earlier migration sealed it but stopped before
/// removing it from the public record.
pub(crate) async fn private_key<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    key: &SigningKey,
) -> Result<RsaPrivateKey, Error> {
    let vault: Vault<'_, K> = vault::required(env.vault)?;
    let record = store_keys::signing_key(&key.issuer_id, &key.kid);
    let sealed = store_keys::sealed_signing_key(&key.issuer_id, &key.kid);
    let corrupt = |detail: String| {
        Error::Internal(Internal::Corrupt {
            key: record.clone(),
            detail,
        })
    };
    let pem = match vault.get(env.entropy, &sealed).await? {
        Some(pem) => String::from_utf8(pem.to_vec())
            .map(zeroize::Zeroizing::new)
            .map_err(|_| corrupt("the sealed private key is not PEM".into()))?,
        None if !key.private_pem.is_empty() => zeroize::Zeroizing::new(key.private_pem.clone()),
        None => {
            return Err(corrupt(
                "its private half is not in the secrets store".into(),
            ));
        }
    };
    let private = jws::private_key(&pem).map_err(|e| corrupt(e.to_string()))?;
    if !key.private_pem.is_empty() {
        vault
            .migrate(
                env.kv,
                env.entropy,
                &record,
                &sealed,
                pem.as_bytes(),
                |k: &mut SigningKey| !std::mem::take(&mut k.private_pem).is_empty(),
            )
            .await?;
    }
    Ok(private)
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
    let private = private_key(env, &key).await?;
    let creator = key_url(env.base, issuer_id, &key.kid);
    let mut payload = serde_json::to_value(AssertionDoc::new(&award, env.base))
        .map_err(|e| Error::Internal(Internal::Render(e.to_string())))?;
    payload["verification"] = json!({"type": "SignedBadge", "creator": creator});
    let mut header = Map::new();
    header.insert("kid".into(), Value::from(creator.clone()));
    Ok(SignedView {
        jws: jws::sign_rs256_blinded(&private, &payload, &header, &mut EntropyRng(env.entropy))
            .map_err(|e| Error::Internal(Internal::Render(e.to_string())))?,
        key_url: creator,
        assertion: payload,
    })
}

/// The CryptographicKey document of a key.
pub fn key_doc(key: &SigningKey, base: &BaseUrl) -> Value {
    json!({
        "@context": emblem_badges::ob2::CONTEXT,
        "type": "CryptographicKey",
        "id": key_url(base, &key.issuer_id, &key.kid),
        "owner": base.issuer(&key.issuer_id),
        "publicKeyPem": key.public_pem,
    })
}
