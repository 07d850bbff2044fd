//! Open Badges 3.0 documents rendered from Emblem's stored records: the same award, badge class
//! and issuer the 2.0 documents come from (docs/open-badges-3.md).
//!
//! | Document | URL | From |
//! |---|---|---|
//! | `OpenBadgeCredential` | `<base>/credentials/<award>` | award + badge class + issuer |
//! | `Achievement` | `<base>/achievements/<badge>` | badge class |
//! | `Profile` (and controller document) | `<base>/profiles/<issuer>` | issuer + its Ed25519 key |
//! | `1EdTechRevocationList` | `<base>/profiles/<issuer>/revocations` | the issuer's revocations |
//! | `Multikey` (verification method) | `<base>/profiles/<issuer>/keys/<kid>` | the issuer's key |
//!
//! Rules:
//! 1. `@context` is VCDM 2.0, OB 3.0.3 and 1EdTech's extensions context (which alone defines
//!    `1EdTechRevocationList` and `1EdTechJsonSchemaValidator2019`); every term used is defined
//!    by them, which signing checks ([`crate::canon::Mode::Strict`]).
//! 2. The recipient is the 2.0 award's identity: `identifier` an `IdentityObject` with the same
//!    salted `sha256$…` hash, `identityType` `emailAddress`. The issuer-set name is the
//!    subject's `name`.
//! 3. `validFrom` is the award's issue date, `validUntil` its current expiry (re-certifying moves
//!    it, so the served credential is re-issued with a fresh proof `created`).
//! 4. The Achievement links the 2.0 BadgeClass through `related` (1EdTech's migration guide);
//!    the credential names both its 2.0 assertion and its status list.

use emblem_badges::base_url::BaseUrl;
use emblem_badges::clock;
use emblem_badges::model::award::Award;
use emblem_badges::model::badge::BadgeClass;
use emblem_badges::model::image_url;
use emblem_badges::model::issuer::{Issuer, StatusMethod};
use emblem_badges::model::revocations::RevocationList;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::contexts;

/// The `@context` of every document Emblem issues.
pub const CONTEXT: [&str; 3] = [
    contexts::CREDENTIALS_V2,
    contexts::OB_3_0_3,
    contexts::OB_EXTENSIONS,
];

/// The JSON Schema an OpenBadgeCredential conforms to.
pub const SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

/// The verification method of an issuer key: `<profile>/keys/<kid>`, a document of its own.
/// (A `<profile>#<kid>` fragment would be as valid, but common verifiers' document loaders
/// fetch the whole profile for it instead of the key: DCC's does.)
pub fn key_id(base: &BaseUrl, issuer_id: &str, kid: &str) -> String {
    format!("{}/keys/{kid}", base.profile(issuer_id))
}

/// `<base>/profiles/<issuer>/jwks/<kid>`: the issuer's key `kid` as a bare JWK, what a VC-JWT's
/// `kid` names.
pub fn jwk_url(base: &BaseUrl, issuer_id: &str, kid: &str) -> String {
    format!("{}/jwks/{kid}", base.profile(issuer_id))
}

/// The verification method document served at [`key_id`]: the `Multikey`, its controller the
/// issuer's profile (which lists it under `assertionMethod`).
pub fn published_key(
    base: &BaseUrl,
    issuer_id: &str,
    kid: &str,
    public_key_multibase: &str,
) -> Value {
    json!({
        "@context": [contexts::MULTIKEY_V1],
        "id": key_id(base, issuer_id, kid),
        "type": "Multikey",
        "controller": base.profile(issuer_id),
        "publicKeyMultibase": public_key_multibase,
    })
}

/// The issuer's `did:web` identifier: `did:web:<host>[%3A<port>][:<path>…]:profiles:<issuer>`,
/// which a did:web resolver maps to `https://<host>[:<port>]/<path…>/profiles/<issuer>/did.json`
/// (W3C did:web method §3.2). did:web presumes https; on a plain http base (local runs) the DID
/// names the https address of the same host.
pub fn did_web(base: &BaseUrl, issuer_id: &str) -> String {
    let url = base.as_str();
    let rest = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .trim_end_matches('/');
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut did = format!("did:web:{}", authority.replace(':', "%3A"));
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        did.push(':');
        did.push_str(segment);
    }
    format!("{did}:profiles:{issuer_id}")
}

/// The issuer's DID document, served at `<profile>/did.json`: the same Ed25519 key as the
/// Profile's, as a `Multikey` controlled by the DID and listed under `assertionMethod`, and the
/// Profile named in `alsoKnownAs`.
pub fn did_document(
    base: &BaseUrl,
    issuer_id: &str,
    kid: &str,
    public_key_multibase: &str,
) -> Value {
    let did = did_web(base, issuer_id);
    let method = format!("{did}#{kid}");
    json!({
        "@context": [contexts::DID_V1, contexts::MULTIKEY_V1],
        "id": did,
        "alsoKnownAs": [base.profile(issuer_id)],
        "verificationMethod": [{
            "id": method,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase,
        }],
        "assertionMethod": [method],
    })
}

/// `<base>/profiles/<issuer>/revocations`
pub fn revocation_list_url(base: &BaseUrl, issuer_id: &str) -> String {
    format!("{}/revocations", base.profile(issuer_id))
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        map.insert(key.into(), v.into());
    }
}

fn image(id: String) -> Value {
    json!({"id": id, "type": "Image"})
}

/// The issuer's Profile as embedded in a credential (no keys).
pub fn profile(issuer: &Issuer, base: &BaseUrl) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("id".into(), base.profile(&issuer.id).into());
    p.insert("type".into(), json!(["Profile"]));
    p.insert("name".into(), issuer.name.clone().into());
    put(&mut p, "url", Some(&issuer.url));
    put(&mut p, "email", Some(&issuer.email));
    put(&mut p, "description", issuer.description.as_deref());
    if let Some(img) = &issuer.image {
        p.insert(
            "image".into(),
            image(image_url(img, || base.issuer_image(&issuer.id))),
        );
    }
    p
}

/// The issuer's published Profile: [`profile`] with `@context`, and the controller-document
/// half that lets any verifier check key control (W3C Controlled Identifiers 1.0): the key as a
/// `Multikey` verification method, referenced from `assertionMethod`.
pub fn published_profile(
    issuer: &Issuer,
    base: &BaseUrl,
    kid: &str,
    public_key_multibase: &str,
) -> Value {
    let mut p = Map::new();
    p.insert(
        "@context".into(),
        json!([
            contexts::CREDENTIALS_V2,
            contexts::OB_3_0_3,
            contexts::DID_V1,
            contexts::MULTIKEY_V1
        ]),
    );
    p.extend(profile(issuer, base));
    let id = base.profile(&issuer.id);
    let method = key_id(base, &issuer.id, kid);
    p.insert(
        "verificationMethod".into(),
        json!([{
            "id": method,
            "type": "Multikey",
            "controller": id,
            "publicKeyMultibase": public_key_multibase,
        }]),
    );
    p.insert("assertionMethod".into(), json!([method]));
    Value::Object(p)
}

/// The Achievement of a badge class, embedded in credentials and served on its own.
pub fn achievement(badge: &BadgeClass, base: &BaseUrl) -> Map<String, Value> {
    let mut a = Map::new();
    a.insert("id".into(), base.achievement(&badge.id).into());
    a.insert("type".into(), json!(["Achievement"]));
    a.insert("achievementType".into(), "Badge".into());
    a.insert("name".into(), badge.name.clone().into());
    a.insert("description".into(), badge.description.clone().into());
    let mut criteria = Map::new();
    put(&mut criteria, "id", badge.criteria.url.as_deref());
    put(
        &mut criteria,
        "narrative",
        badge.criteria.narrative.as_deref(),
    );
    a.insert("criteria".into(), Value::Object(criteria));
    a.insert(
        "image".into(),
        image(image_url(&badge.image, || base.badge_image(&badge.id))),
    );
    if !badge.alignment.is_empty() {
        let alignment = badge.alignment.iter().map(|al| {
            let mut m = Map::new();
            m.insert("type".into(), json!(["Alignment"]));
            m.insert("targetName".into(), al.target_name.clone().into());
            m.insert("targetUrl".into(), al.target_url.clone().into());
            put(
                &mut m,
                "targetDescription",
                al.target_description.as_deref(),
            );
            put(&mut m, "targetFramework", al.target_framework.as_deref());
            put(&mut m, "targetCode", al.target_code.as_deref());
            Value::Object(m)
        });
        a.insert("alignment".into(), alignment.collect());
    }
    if !badge.tags.is_empty() {
        a.insert("tag".into(), json!(badge.tags));
    }
    a.insert(
        "creator".into(),
        json!({"id": base.profile(&badge.issuer_id), "type": ["Profile"]}),
    );
    a.insert(
        "related".into(),
        json!([{
            "id": base.badge(&badge.id),
            "type": ["Related"],
            "version": "Open Badges v2p0",
        }]),
    );
    a
}

/// The published Achievement (with `@context`).
pub fn published_achievement(badge: &BadgeClass, base: &BaseUrl) -> Value {
    let mut a = Map::new();
    a.insert("@context".into(), json!(CONTEXT));
    a.extend(achievement(badge, base));
    Value::Object(a)
}

/// When the credential's current version was issued: the award, or its last re-certification.
/// It is the proof's `created`, so the same version always signs to the same bytes.
pub fn issued_at(award: &Award) -> OffsetDateTime {
    award
        .recertifications
        .iter()
        .map(|r| r.at)
        .fold(award.created_at, OffsetDateTime::max)
}

/// Entries in one Bitstring status list: W3C's minimum, 16 KiB of bits (§6.1, "herd
/// privacy").
pub const STATUS_LIST_ENTRIES: u64 = 131_072;

/// `<base>/profiles/<issuer>/status/<n>`: the issuer's `n`th Bitstring status list.
pub fn status_list_url(base: &BaseUrl, issuer_id: &str, n: u64) -> String {
    format!("{}/status/{n}", base.profile(issuer_id))
}

/// The award's `credentialStatus`: a `BitstringStatusListEntry` when its issuer chose that
/// method and the award has its index; the issuer's `1EdTechRevocationList` otherwise.
fn status_entry(award: &Award, issuer: &Issuer, base: &BaseUrl) -> Value {
    match (issuer.status_method, award.status_index) {
        (StatusMethod::BitstringStatusList, Some(index)) => {
            let list = status_list_url(base, &issuer.id, index / STATUS_LIST_ENTRIES);
            let bit = index % STATUS_LIST_ENTRIES;
            json!({
                "id": format!("{list}#{bit}"),
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": bit.to_string(),
                "statusListCredential": list,
            })
        }
        _ => json!({
            "id": revocation_list_url(base, &issuer.id),
            "type": "1EdTechRevocationList",
        }),
    }
}

/// The unsigned `BitstringStatusListCredential` number `n` of an issuer (W3C Bitstring Status
/// List §2.2): bit `i` set (most significant bit of byte 0 first) when the award with index
/// `n * STATUS_LIST_ENTRIES + i` is revoked; `valid_from` is when the list last changed.
pub fn status_list(
    issuer_id: &str,
    n: u64,
    revoked: &[u64],
    valid_from: OffsetDateTime,
    base: &BaseUrl,
) -> Value {
    let mut bits = vec![0u8; (STATUS_LIST_ENTRIES / 8) as usize];
    for index in revoked {
        if index / STATUS_LIST_ENTRIES == n {
            let bit = (index % STATUS_LIST_ENTRIES) as usize;
            bits[bit / 8] |= 0x80 >> (bit % 8);
        }
    }
    let url = status_list_url(base, issuer_id, n);
    json!({
        "@context": [contexts::CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": base.profile(issuer_id),
        "validFrom": clock::format(valid_from),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bitstring(&bits),
        },
    })
}

/// `u` + base64url (multibase) of the GZIP (RFC 1952) of `bits`.
pub fn encode_bitstring(bits: &[u8]) -> String {
    use base64::Engine as _;
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    gz.extend(miniz_oxide::deflate::compress_to_vec(bits, 9));
    gz.extend(crc32fast::hash(bits).to_le_bytes());
    gz.extend(u32::try_from(bits.len()).unwrap_or(u32::MAX).to_le_bytes());
    format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(gz)
    )
}

/// The unsigned OpenBadgeCredential of an award.
pub fn credential(award: &Award, badge: &BadgeClass, issuer: &Issuer, base: &BaseUrl) -> Value {
    let mut subject = Map::new();
    subject.insert("type".into(), json!(["AchievementSubject"]));
    subject.insert(
        "identifier".into(),
        json!([{
            "type": "IdentityObject",
            "identityHash": award.recipient.identity,
            "identityType": "emailAddress",
            "hashed": true,
            "salt": award.recipient.salt,
        }]),
    );
    put(&mut subject, "name", award.recipient.name.as_deref());
    put(&mut subject, "narrative", award.narrative.as_deref());
    subject.insert(
        "achievement".into(),
        Value::Object(achievement(badge, base)),
    );

    let mut c = Map::new();
    c.insert("@context".into(), json!(CONTEXT));
    c.insert("id".into(), base.credential(&award.id).into());
    c.insert(
        "type".into(),
        json!(["VerifiableCredential", "OpenBadgeCredential"]),
    );
    c.insert("name".into(), badge.name.clone().into());
    c.insert("issuer".into(), Value::Object(profile(issuer, base)));
    c.insert("validFrom".into(), clock::format(award.issued_on).into());
    if let Some(expires) = award.expires {
        c.insert("validUntil".into(), clock::format(expires).into());
    }
    c.insert("awardedDate".into(), clock::format(award.issued_on).into());
    c.insert("credentialSubject".into(), Value::Object(subject));
    if !award.evidence.is_empty() {
        let evidence = award.evidence.iter().map(|e| {
            let mut m = Map::new();
            put(&mut m, "id", e.url.as_deref());
            m.insert("type".into(), json!(["Evidence"]));
            put(&mut m, "narrative", e.narrative.as_deref());
            put(&mut m, "name", e.name.as_deref());
            put(&mut m, "description", e.description.as_deref());
            Value::Object(m)
        });
        c.insert("evidence".into(), evidence.collect());
    }
    c.insert("credentialStatus".into(), status_entry(award, issuer, base));
    c.insert(
        "credentialSchema".into(),
        json!([{"id": SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}]),
    );
    Value::Object(c)
}

/// The issuer's `1EdTechRevocationList`: every revoked credential by id, with its reason.
pub fn revocation_list(issuer_id: &str, list: &RevocationList, base: &BaseUrl) -> Value {
    let revoked: Vec<Value> = list
        .entries
        .iter()
        .map(|e| {
            json!({
                "id": base.credential(&e.assertion_id),
                "revocationReason": e.reason,
            })
        })
        .collect();
    json!({
        "@context": CONTEXT,
        "id": revocation_list_url(base, issuer_id),
        "type": "1EdTechRevocationList",
        "issuer": base.profile(issuer_id),
        "revokedCredential": revoked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canon::{self, Mode};
    use crate::di;
    use emblem_badges::ob2::fixtures;

    fn base() -> BaseUrl {
        BaseUrl::parse("https://badges.example.org").expect("test data")
    }

    #[test]
    fn the_issuer_did_names_where_its_document_is_served() {
        let did = |base: &str| did_web(&BaseUrl::parse(base).expect("base"), "abc");
        assert_eq!(
            did("https://badges.example.org"),
            "did:web:badges.example.org:profiles:abc"
        );
        assert_eq!(
            did("http://127.0.0.1:3000"),
            "did:web:127.0.0.1%3A3000:profiles:abc"
        );
        assert_eq!(
            did("https://example.org/emblem/"),
            "did:web:example.org:emblem:profiles:abc"
        );
        let doc = did_document(&base(), "abc", "key-1", "z6MkTest");
        let did = "did:web:badges.example.org:profiles:abc";
        assert_eq!(doc["id"], did);
        assert_eq!(doc["verificationMethod"][0]["id"], format!("{did}#key-1"));
        assert_eq!(doc["verificationMethod"][0]["controller"], did);
        assert_eq!(
            doc["verificationMethod"][0]["publicKeyMultibase"],
            "z6MkTest"
        );
        assert_eq!(doc["assertionMethod"][0], format!("{did}#key-1"));
        assert_eq!(
            doc["alsoKnownAs"][0],
            "https://badges.example.org/profiles/abc"
        );
        // What canon accepts is what the contexts define: the document expands in strict mode.
        assert!(canon::nquads(&doc, contexts::PINNED, Mode::Strict).is_ok());
    }

    #[test]
    fn the_credential_uses_only_defined_terms_and_signs_and_verifies() {
        let doc = credential(
            &fixtures::award(),
            &fixtures::badge(),
            &fixtures::issuer(),
            &base(),
        );
        // Sign mode refuses any term the pinned contexts do not define.
        canon::nquads(&doc, contexts::PINNED, Mode::Strict).expect("test data");
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let options = di::ProofOptions {
            created: "2026-01-01T00:00:00Z".into(),
            verification_method: key_id(&base(), fixtures::ISSUER_ID, "k1"),
            proof_purpose: "assertionMethod".into(),
        };
        let signed = di::sign(&doc, &options, &key, contexts::PINNED).expect("test data");
        di::verify(&signed, &key.verifying_key(), contexts::PINNED).expect("test data");
        assert_eq!(
            signed["credentialSubject"]["identifier"][0]["identityHash"],
            fixtures::award().recipient.identity
        );
        assert_eq!(
            signed["credentialSubject"]["achievement"]["related"][0]["id"],
            base().badge(fixtures::BADGE_ID)
        );
    }

    #[test]
    fn the_profile_achievement_and_key_use_only_defined_terms() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let mk = crate::multikey::encode_public(&key.verifying_key());
        let published = published_key(&base(), fixtures::ISSUER_ID, "k1", &mk);
        canon::nquads(&published, contexts::PINNED, Mode::Strict).expect("test data");
        let profile = published_profile(&fixtures::issuer(), &base(), "k1", &mk);
        canon::nquads(&profile, contexts::PINNED, Mode::Strict).expect("test data");
        let achievement = published_achievement(&fixtures::badge(), &base());
        canon::nquads(&achievement, contexts::PINNED, Mode::Strict).expect("test data");
    }
}
