//! Open Badges 3.0: every award is also an `OpenBadgeCredential`, signed with the issuer's
//! Ed25519 key as an `eddsa-rdfc-2022` Data Integrity proof (docs/open-badges-3.md).
//!
//! 1. [`key`]: each issuer has one Ed25519 key, made from the host's secure randomness the
//!    first time it is needed. Its seed is sealed in the `secrets` store ([`crate::vault`]);
//!    its public half is stored under `vckey/<issuer-id>` by insert-if-absent, so concurrent
//!    first requests agree on one key. The seed is never served or logged.
//! 2. [`credential`]: the award's credential ([`emblem_vc::ob3::credential`]) signed on request.
//!    Ed25519 signatures are deterministic and the proof's `created` is when the current version
//!    was issued ([`emblem_vc::ob3::issued_at`]), so the same award always serves the same
//!    bytes until it is re-certified: nothing signed is stored, nothing can go stale.
//! 3. [`credential_jwt`]: the same credential as a VC-JWT, `ES256` by default (a P-256 key
//!    derived from the Ed25519 seed, [`emblem_vc::jwk::p256_from_seed`]), `EdDSA`, or `RS256`
//!    with the issuer's Open Badges 2.0 signing key. Each JWT's `kid` is the URL of its bare
//!    JWK ([`published_jwk`]); the set is [`jwks`].
//! 4. Revocation is the issuer's `1EdTechRevocationList` ([`revocation_list`]), written by the
//!    same request that revokes the 2.0 assertion (one record, `revocations/<issuer-id>`, feeds
//!    both). A revoked credential is still served, signed: verifiers learn it is revoked
//!    from the list, as the standard has it. A credential the earner rejected is 404, as its
//!    2.0 assertion is.

use ed25519_dalek::SigningKey as Ed25519Key;
use serde_json::Value;

use crate::env::Env;
use crate::kv::{self, Kv};
use crate::vault;
use crate::{awards, badges, issuers, signing, store_keys};
use emblem_badges::base_url::BaseUrl;
use emblem_badges::clock;
use emblem_badges::entropy;
use emblem_badges::error::{Conflict, Error, Internal, ObjectKind};
use emblem_badges::model::V1;
use emblem_badges::model::award::{AcceptanceState, Award, Changed};
use emblem_badges::model::credential_key::CredentialKey;
use emblem_badges::model::issuer::{Issuer, StatusMethod};
use emblem_badges::model::signing_key::SigningKey;
use emblem_vc::contexts::ISSUED;
use emblem_vc::{di, jwk, multikey, ob3};
use zeroize::Zeroizing;

/// The proof purpose of every credential.
pub const PROOF_PURPOSE: &str = "assertionMethod";

/// The issuer's key (its public half), created on first use. The seed is sealed in the
/// `secrets` store before the public half is written, so a key anyone can see always has its
/// seed; of two requests creating it at once, the loser deletes its sealed seed.
pub async fn key<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
) -> Result<CredentialKey, Error> {
    let store_key = store_keys::credential_key(issuer_id);
    if let Some(key) = kv::get_json(env.kv, &store_key).await? {
        return Ok(key);
    }
    let vault = vault::required(env.vault)?;
    let secret = Ed25519Key::from_bytes(&entropy::bytes::<32>(env.entropy));
    let key = CredentialKey {
        v: V1,
        kid: format!("key-{}", entropy::alphanumeric(env.entropy, 8)),
        issuer_id: issuer_id.to_owned(),
        secret_hex: String::new(),
        public_multibase: multikey::encode_public(&secret.verifying_key()),
        public_p256: p256_hex(&secret.to_bytes()),
        created_at: env.now,
    };
    let sealed = store_keys::sealed_credential_key(issuer_id, &key.kid);
    vault.put(env.entropy, &sealed, &secret.to_bytes()).await?;
    if kv::insert_json(env.kv, &store_key, &key).await? {
        return Ok(key);
    }
    // Another request made the key first: use its, once written.
    vault.delete(&sealed).await?;
    Ok(kv::created_by_another(env.kv, &store_key).await?)
}

/// The seed of the issuer's key, from the `secrets` store (503 in a component without it).
/// A record from before sealing (the seed still in the public record) is migrated
/// ([`Vault::migrate`](crate::vault::Vault::migrate)), also if an earlier migration sealed it
/// but stopped before removing it from the public record.
async fn seed<K: Kv + ?Sized>(env: &Env<'_, K>, key: &CredentialKey) -> Result<Ed25519Key, Error> {
    let vault = vault::required(env.vault)?;
    let sealed = store_keys::sealed_credential_key(&key.issuer_id, &key.kid);
    let record = store_keys::credential_key(&key.issuer_id);
    let bytes: Zeroizing<Vec<u8>> = match vault.get(env.entropy, &sealed).await? {
        Some(bytes) => bytes,
        None if !key.secret_hex.is_empty() => legacy_seed(key)?,
        None => return Err(corrupt(key, "its seed is not in the secrets store")),
    };
    let seed: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| corrupt(key, "the seed is not 32 bytes"))?;
    if !key.secret_hex.is_empty() {
        let p256 = p256_hex(&seed);
        vault
            .migrate(
                env.kv,
                env.entropy,
                &record,
                &sealed,
                &seed,
                |k: &mut CredentialKey| {
                    if k.public_p256.is_empty() {
                        k.public_p256 = p256.clone();
                    }
                    !std::mem::take(&mut k.secret_hex).is_empty()
                },
            )
            .await?;
    }
    Ok(Ed25519Key::from_bytes(&seed))
}

fn corrupt(key: &CredentialKey, detail: &str) -> Error {
    Error::Internal(Internal::Corrupt {
        key: store_keys::credential_key(&key.issuer_id),
        detail: detail.to_owned(),
    })
}

/// The seed a record from before sealing holds.
fn legacy_seed(key: &CredentialKey) -> Result<Zeroizing<Vec<u8>>, Error> {
    hex::decode(&key.secret_hex)
        .map(Zeroizing::new)
        .map_err(|_| corrupt(key, "the secret is not hex"))
}

/// The stored form of the P-256 public key derived from `seed`.
fn p256_hex(seed: &[u8; 32]) -> String {
    hex::encode(jwk::p256_sec1(jwk::p256_from_seed(seed).verifying_key()))
}

/// The public P-256 key of the issuer's `ES256` VC-JWTs (stored; derived from the seed in a
/// record from before sealing, which still holds it).
fn p256_public(key: &CredentialKey) -> Result<p256::ecdsa::VerifyingKey, Error> {
    let stored = if key.public_p256.is_empty() {
        let seed: [u8; 32] = legacy_seed(key)?
            .as_slice()
            .try_into()
            .map_err(|_| corrupt(key, "the seed is not 32 bytes"))?;
        p256_hex(&seed)
    } else {
        key.public_p256.clone()
    };
    hex::decode(stored)
        .ok()
        .and_then(|b| jwk::p256_from_sec1(&b))
        .ok_or_else(|| corrupt(key, "no valid P-256 public key"))
}

/// The award's signed OpenBadgeCredential (the issuer's key is made if it has none yet, and
/// the award's Bitstring status index if its issuer publishes Bitstring lists).
pub async fn credential<K: Kv + ?Sized>(env: &Env<'_, K>, award_id: &str) -> Result<Value, Error> {
    let award = awards::load(env.kv, award_id).await?;
    let issuer = issuers::load(env.kv, &award.issuer_id).await?;
    let key = key(env, &award.issuer_id).await?;
    let seed = seed(env, &key).await?;
    let award = indexed(env, award, &issuer).await?;
    sign(env.kv, env.base, award, &issuer, &key, &seed).await
}

/// `award`, with its Bitstring status index given if its issuer publishes Bitstring lists and
/// it has none yet: the issuer's counter is incremented, and the index set on the award by
/// compare-and-swap (a concurrent request that set one first wins; ours is left unused).
async fn indexed<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    award: Award,
    issuer: &Issuer,
) -> Result<Award, Error> {
    if award.status_index.is_some() || issuer.status_method != StatusMethod::BitstringStatusList {
        return Ok(award);
    }
    let next = env
        .kv
        .increment(&store_keys::status_seq(&issuer.id), 1)
        .await?;
    let index = u64::try_from(next - 1).map_err(|_| {
        Error::Internal(Internal::Corrupt {
            key: store_keys::status_seq(&issuer.id),
            detail: format!("the counter is {next}"),
        })
    })?;
    awards::transition(env.kv, None, &award.id, |a| {
        if a.status_index.is_some() {
            return Ok(Changed::No);
        }
        a.status_index = Some(index);
        Ok(Changed::Yes)
    })
    .await
}

async fn sign<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    award: Award,
    issuer: &Issuer,
    key: &CredentialKey,
    seed: &Ed25519Key,
) -> Result<Value, Error> {
    if award.acceptance.state == AcceptanceState::Rejected {
        return Err(Error::not_found(ObjectKind::Assertion, &award.id));
    }
    let badge = badges::load(kv, &award.badge_id).await?;
    let doc = ob3::credential(&award, &badge, issuer, base);
    let options = di::ProofOptions {
        created: clock::format(ob3::issued_at(&award)),
        verification_method: ob3::key_id(base, &issuer.id, &key.kid),
        proof_purpose: PROOF_PURPOSE.into(),
    };
    di::sign(&doc, &options, seed, ISSUED)
        .map_err(|e| Error::Internal(Internal::Render(format!("signing the credential: {e}"))))
}

/// The most Bitstring status lists an issuer may have (`/profiles/:id/status/0` to
/// `…/1023`): 134 million awards.
pub const MAX_STATUS_LISTS: u64 = 1024;

/// The issuer's Bitstring status list `n`, signed with its key (made if it has none yet).
/// Served whatever the issuer's current method, so credentials issued under an earlier
/// choice keep their status.
pub async fn status_list<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    n: u64,
) -> Result<Value, Error> {
    let issuer = issuers::load(env.kv, issuer_id).await?;
    let key = key(env, issuer_id).await?;
    let seed = seed(env, &key).await?;
    render_status_list(env.kv, env.base, &issuer, &key, &seed, n).await
}

/// The list from the issuer's one revocation record (the same that feeds 2.0 and the
/// `1EdTechRevocationList`, so a revocation shows in every list in the same request). Its
/// `validFrom` and proof `created` are the last revocation's time, so the bytes change only
/// when the list does.
async fn render_status_list<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    issuer: &Issuer,
    key: &CredentialKey,
    seed: &Ed25519Key,
    n: u64,
) -> Result<Value, Error> {
    if n >= MAX_STATUS_LISTS {
        return Err(Error::NotFound(emblem_badges::error::NotFound::Route {
            path: format!("/profiles/{}/status/{n}", issuer.id),
        }));
    }
    let list = awards::revocations(kv, &issuer.id).await?;
    let mut revoked = Vec::new();
    let mut changed = issuer.created_at;
    for entry in &list.entries {
        changed = changed.max(entry.revoked_at);
        let index = match entry.status_index {
            Some(i) => Some(i),
            // Revoked before it had an index: it may have been given one since.
            None => kv::get_json::<_, Award>(kv, &store_keys::award(&entry.assertion_id))
                .await?
                .and_then(|a| a.status_index),
        };
        revoked.extend(index);
    }
    let doc = ob3::status_list(&issuer.id, n, &revoked, changed, base);
    let options = di::ProofOptions {
        created: clock::format(changed),
        verification_method: ob3::key_id(base, &issuer.id, &key.kid),
        proof_purpose: PROOF_PURPOSE.into(),
    };
    di::sign(&doc, &options, seed, ISSUED)
        .map_err(|e| Error::Internal(Internal::Render(format!("signing the status list: {e}"))))
}

/// The algorithm of a VC-JWT Emblem issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JwtAlg {
    /// ECDSA P-256 (the default: every OB 3.0 verifier accepts it).
    #[default]
    Es256,
    /// Ed25519, the key of the Data Integrity proof.
    EdDsa,
    /// RSA PKCS#1 v1.5, the issuer's Open Badges 2.0 signing key (only once signing is on).
    Rs256,
}

impl JwtAlg {
    /// From the JOSE name (`ES256`, `EdDSA`, `RS256`; case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Es256, Self::EdDsa, Self::Rs256]
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The JOSE name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
            Self::Rs256 => "RS256",
        }
    }
}

/// The award's credential as a VC-JWT signed with `alg`; `kid` is the URL of the key's JWK
/// ([`published_jwk`]). `RS256` needs the issuer's RSA signing key (409 until signing is on).
pub async fn credential_jwt<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    award_id: &str,
    alg: JwtAlg,
) -> Result<String, Error> {
    let award = awards::load(env.kv, award_id).await?;
    if award.acceptance.state == AcceptanceState::Rejected {
        return Err(Error::not_found(ObjectKind::Assertion, award_id));
    }
    let key = key(env, &award.issuer_id).await?;
    let issuer = issuers::load(env.kv, &award.issuer_id).await?;
    let award = indexed(env, award, &issuer).await?;
    let badge = badges::load(env.kv, &award.badge_id).await?;
    let doc = ob3::credential(&award, &badge, &issuer, env.base);
    let failed = |e: emblem_vc::jwt::JwtError| {
        Error::Internal(Internal::Render(format!("signing the VC-JWT: {e}")))
    };
    // The Ed25519 seed is opened only for the two algorithms it signs.
    match alg {
        JwtAlg::EdDsa => {
            let kid = ob3::jwk_url(env.base, &issuer.id, &key.kid);
            let seed = seed(env, &key).await?;
            emblem_vc::jwt::sign_eddsa(&doc, &kid, &seed).map_err(failed)
        }
        JwtAlg::Es256 => {
            let kid = ob3::jwk_url(env.base, &issuer.id, &p256_kid(&key));
            let ec = jwk::p256_from_seed(&seed(env, &key).await?.to_bytes());
            emblem_vc::jwt::sign_es256(&doc, &kid, &ec).map_err(failed)
        }
        JwtAlg::Rs256 => {
            let rsa = signing::active(env.kv, &issuer.id)
                .await?
                .ok_or(Error::Conflict(Conflict::SigningDisabled))?;
            let private = signing::private_key(env, &rsa).await?;
            let kid = ob3::jwk_url(env.base, &issuer.id, &rsa.kid);
            let mut rng = signing::EntropyRng(env.entropy);
            emblem_vc::jwt::sign_rs256(&doc, &kid, &private, &mut rng).map_err(failed)
        }
    }
}

fn p256_kid(key: &CredentialKey) -> String {
    format!("{}{}", key.kid, jwk::P256_SUFFIX)
}

/// Every public key of the issuer a VC-JWT may name, as JWKs whose `kid` is the URL a VC-JWT
/// header names ([`ob3::jwk_url`]): P-256 and Ed25519 always, the RSA signing key once signing
/// is on.
fn jwks_of(
    base: &BaseUrl,
    key: &CredentialKey,
    rsa: Option<&SigningKey>,
) -> Result<Vec<Value>, Error> {
    let url = |kid: &str| ob3::jwk_url(base, &key.issuer_id, kid);
    let ed25519 = multikey::decode_public(&key.public_multibase).map_err(|e| {
        Error::Internal(Internal::Corrupt {
            key: store_keys::credential_key(&key.issuer_id),
            detail: e.to_string(),
        })
    })?;
    let mut keys = vec![
        jwk::p256(&p256_public(key)?, &url(&p256_kid(key))),
        jwk::ed25519(&ed25519, &url(&key.kid)),
    ];
    if let Some(rsa) = rsa {
        // The stored public half: parsing it is far cheaper than the private key.
        let public = emblem_badges::verify::jws::public_key(&rsa.public_pem).map_err(|e| {
            Error::Internal(Internal::Corrupt {
                key: store_keys::signing_key(&rsa.issuer_id, &rsa.kid),
                detail: e.to_string(),
            })
        })?;
        keys.push(jwk::rsa(&public, &url(&rsa.kid)));
    }
    Ok(keys)
}

/// The issuer's JWK Set (`/profiles/:id/jwks`; the key is made if it has none yet).
pub async fn jwks<K: Kv + ?Sized>(env: &Env<'_, K>, issuer_id: &str) -> Result<Value, Error> {
    issuers::load(env.kv, issuer_id).await?;
    let key = key(env, issuer_id).await?;
    let rsa = signing::active(env.kv, issuer_id).await?;
    Ok(serde_json::json!({"keys": jwks_of(env.base, &key, rsa.as_ref())?}))
}

/// One key of the issuer as a bare JWK (`/profiles/:id/jwks/:kid`, what a VC-JWT's `kid`
/// names); 404 for any other kid. Writes nothing.
pub async fn published_jwk<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    issuer_id: &str,
    kid: &str,
) -> Result<Value, Error> {
    let path = format!("/profiles/{issuer_id}/jwks/{kid}");
    let key = stored_key(kv, issuer_id, &path)
        .await?
        .ok_or_else(|| route_not_found(&path))?;
    let rsa = signing::active(kv, issuer_id).await?;
    let wanted = ob3::jwk_url(base, issuer_id, kid);
    jwks_of(base, &key, rsa.as_ref())?
        .into_iter()
        .find(|jwk| jwk.get("kid").and_then(Value::as_str) == Some(wanted.as_str()))
        .ok_or_else(|| route_not_found(&path))
}

/// The issuer's published Profile with its key (made if it has none yet).
pub async fn profile<K: Kv + ?Sized>(env: &Env<'_, K>, issuer_id: &str) -> Result<Value, Error> {
    let issuer = issuers::load(env.kv, issuer_id).await?;
    let key = key(env, issuer_id).await?;
    Ok(ob3::published_profile(
        &issuer,
        env.base,
        &key.kid,
        &key.public_multibase,
    ))
}

/// The issuer's DID document (`did:web`), with its key (made if it has none yet).
pub async fn did_document<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
) -> Result<Value, Error> {
    issuers::load(env.kv, issuer_id).await?;
    let key = key(env, issuer_id).await?;
    Ok(ob3::did_document(
        env.base,
        issuer_id,
        &key.kid,
        &key.public_multibase,
    ))
}

/// The issuer's DID document if it has a key; 404 otherwise. Writes nothing.
pub async fn did_document_if_keyed<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    issuer_id: &str,
) -> Result<Value, Error> {
    let path = format!("/profiles/{issuer_id}/did.json");
    let key = stored_key(kv, issuer_id, &path)
        .await?
        .ok_or_else(|| route_not_found(&path))?;
    Ok(ob3::did_document(
        base,
        issuer_id,
        &key.kid,
        &key.public_multibase,
    ))
}

/// The issuer's published Profile if it has a key; 404 otherwise. Writes nothing.
pub async fn profile_if_keyed<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    issuer_id: &str,
) -> Result<Value, Error> {
    let issuer = issuers::load(kv, issuer_id).await?;
    let key = kv::get_json::<_, CredentialKey>(kv, &store_keys::credential_key(issuer_id))
        .await?
        .ok_or_else(|| Error::not_found(ObjectKind::Issuer, issuer_id))?;
    Ok(ob3::published_profile(
        &issuer,
        base,
        &key.kid,
        &key.public_multibase,
    ))
}

fn route_not_found(path: &str) -> Error {
    Error::NotFound(emblem_badges::error::NotFound::Route {
        path: path.to_owned(),
    })
}

/// The issuer's stored key, if it has one; a malformed issuer id is the 404 of `path`.
async fn stored_key<K: Kv + ?Sized>(
    kv: &K,
    issuer_id: &str,
    path: &str,
) -> Result<Option<CredentialKey>, Error> {
    if !emblem_badges::ids::is_valid(issuer_id) {
        return Err(route_not_found(path));
    }
    Ok(kv::get_json(kv, &store_keys::credential_key(issuer_id)).await?)
}

/// The issuer's key `kid` as its verification method document; 404 for any other kid or an
/// issuer without a key. Writes nothing.
pub async fn published_key<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    issuer_id: &str,
    kid: &str,
) -> Result<Value, Error> {
    let path = format!("/profiles/{issuer_id}/keys/{kid}");
    let key = stored_key(kv, issuer_id, &path)
        .await?
        .filter(|k| k.kid == kid)
        .ok_or_else(|| route_not_found(&path))?;
    Ok(ob3::published_key(
        base,
        issuer_id,
        kid,
        &key.public_multibase,
    ))
}

/// A badge class as a published Achievement.
pub async fn achievement<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    badge_id: &str,
) -> Result<Value, Error> {
    let badge = badges::load(kv, badge_id).await?;
    Ok(ob3::published_achievement(&badge, base))
}

/// The issuer's `1EdTechRevocationList`.
pub async fn revocation_list<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    issuer_id: &str,
) -> Result<Value, Error> {
    issuers::load(kv, issuer_id).await?;
    let list = awards::revocations(kv, issuer_id).await?;
    Ok(ob3::revocation_list(issuer_id, &list, base))
}
