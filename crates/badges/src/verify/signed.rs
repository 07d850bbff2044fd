//! Signed badges (SignedBadge): a compact JWS whose payload is the assertion
//! (`docs/open-badges.md`, "Signed verification").
//!
//! The payload vouches for nothing until the signature is checked against a key the issuer
//! controls, so:
//! 1. the issuer Profile is the one served at the issuer's http(s) id, never the one embedded
//!    in the payload (an embedded Profile is exactly what a forger writes);
//! 2. a key is a candidate only if that fetched Profile lists it in `publicKey`
//!    (`verification.creator` picks one; it must be listed too);
//! 3. the key is used as served at its own id, and its `owner` must be that issuer;
//! 4. revocation is read from the fetched Profile's `revocationList`.

use serde_json::Value;
use time::OffsetDateTime;

use super::check::{Check, Effect};
use super::docs;
use super::fetch::Fetch;
use super::flow::{Verification, badge_and_issuer, check_assertion};
use super::input::Claimant;
use super::jws::{Jws, JwsError};
use super::load::{Failure, Loader, MAX_KEYS, Node};
use super::rules;

/// Verify a compact JWS whose payload `doc` (already upgraded when 1.x) was read from `jws`.
pub(super) async fn verify<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    jws: &Jws,
    doc: Value,
    era: docs::Era,
    recipient: Option<&Claimant>,
    now: OffsetDateTime,
    v: &mut Verification,
) {
    v.kind = Some("signed");
    v.checks.skip(
        Check::Scope,
        "Signed badge: the signature, not the hosting location, vouches for it.",
    );
    v.checks.pass(
        Check::Fetch,
        "Signed badge: the JWS itself is the source of truth; nothing to re-fetch.",
    );
    if let Err(e) = jws.algorithm() {
        v.checks.fail(
            Check::Signature,
            Effect::Invalid,
            format!("The signature {e}; it cannot vouch for the badge."),
        );
        return;
    }
    if docs::str_of(&doc, "id").is_some() {
        v.checks.pass(Check::Id, "The signed assertion has an id.");
    }
    v.assertion = Some(doc.clone());
    if docs::verification_kind(&doc) != Some("signed") {
        v.checks.fail(
            Check::Assertion,
            Effect::Invalid,
            "The signed payload does not declare SignedBadge verification.",
        );
        return;
    }
    if !check_assertion(&doc, era, v) {
        return;
    }
    let Some((badge, issuer)) = badge_and_issuer(load, &doc, era, v).await else {
        return;
    };
    if issuer.embedded {
        v.checks.fail(
            Check::Key,
            Effect::Invalid,
            format!(
                "The issuer {:?} has no http(s) id, so there is no Profile served by the \
                 issuer to list its keys; an embedded Profile can be written by anyone.",
                issuer.id
            ),
        );
        return;
    }
    if let Err(f) = key_and_signature(load, jws, &doc, &issuer, v).await {
        v.checks.fail(Check::Key, f.effect, f.message);
        return;
    }
    rules::dates(&doc, now, v);
    revocation_list(load, &doc, &issuer, v).await;
    rules::recipient(&doc, recipient, v);
    rules::images(&doc, &badge.doc, v);
}

/// The key ids the fetched issuer Profile lists in `publicKey`.
fn listed_keys(issuer: &Value) -> Vec<&str> {
    match issuer.get("publicKey") {
        Some(Value::Array(items)) => items.iter().filter_map(docs::ref_id).collect(),
        Some(one) => docs::ref_id(one).into_iter().collect(),
        None => Vec::new(),
    }
}

/// `key` and `signature`: Ok when a key the issuer lists and owns verified the signature
/// (both checks recorded); Err is the `key` failure.
async fn key_and_signature<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    jws: &Jws,
    doc: &Value,
    issuer: &Node,
    v: &mut Verification,
) -> Result<(), Failure> {
    let listed = listed_keys(&issuer.doc);
    let creator = doc
        .pointer("/verification/creator")
        .or_else(|| doc.pointer("/verify/creator"))
        .and_then(docs::ref_id);
    let candidates: Vec<&str> = match creator {
        Some(c) if listed.contains(&c) => vec![c],
        Some(c) => {
            return Err(Failure::invalid(format!(
                "The key {c} named by verification.creator is not listed in the publicKey of \
                 the issuer Profile served at {}; only keys the issuer lists can vouch for its \
                 badges.",
                issuer.id
            )));
        }
        None if listed.is_empty() => {
            return Err(Failure::invalid(format!(
                "The issuer Profile served at {} lists no publicKey, so no key can vouch for a \
                 signed badge of this issuer.",
                issuer.id
            )));
        }
        None => listed.iter().copied().take(MAX_KEYS).collect(),
    };
    let mut mismatch = false;
    let mut last = None;
    for key_id in candidates {
        let pem = match key_pem(load, key_id, issuer).await {
            Ok(pem) => pem,
            Err(f) => {
                last = Some(f);
                continue;
            }
        };
        match jws.verify_rs256(&pem) {
            Ok(()) => {
                let how = if creator.is_some() {
                    "named by verification.creator"
                } else {
                    "found in the issuer's publicKey list (no verification.creator)"
                };
                v.checks.pass(
                    Check::Key,
                    format!(
                        "Key {key_id}, {how}, is listed and owned by the issuer {}.",
                        issuer.id
                    ),
                );
                v.checks.pass(
                    Check::Signature,
                    "The RS256 signature matches the content and the issuer's key.",
                );
                return Ok(());
            }
            Err(JwsError::Mismatch) => mismatch = true,
            Err(e) => last = Some(Failure::invalid(format!("Key {key_id}: {e}."))),
        }
    }
    if mismatch {
        v.checks.pass(
            Check::Key,
            "The issuer's key was found and is owned by the issuer.",
        );
        v.checks.fail(
            Check::Signature,
            Effect::Invalid,
            "The signature does not match: the badge was changed after it was signed, or \
             signed with a key the issuer does not list.",
        );
        return Ok(());
    }
    Err(last.unwrap_or_else(|| Failure::unverifiable("No usable key was found.")))
}

/// The PEM of a listed key, as served at its id (or embedded in the fetched Profile when the
/// key has no http(s) id), after checking its `owner` is the issuer.
async fn key_pem<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    key_id: &str,
    issuer: &Node,
) -> Result<String, Failure> {
    let key = if docs::is_http_url(key_id) {
        let node = load.node(key_id, "key document").await?;
        if node.id != key_id {
            return Err(Failure::invalid(format!(
                "The key document at {key_id} declares its id as {}.",
                node.id
            )));
        }
        node.doc
    } else {
        // Written into the Profile the issuer serves, so the issuer controls it.
        let embedded = match issuer.doc.get("publicKey") {
            Some(Value::Array(items)) => items
                .iter()
                .find(|k| k.is_object() && docs::ref_id(k) == Some(key_id))
                .cloned(),
            Some(k) if k.is_object() && docs::ref_id(k) == Some(key_id) => Some(k.clone()),
            _ => None,
        };
        embedded.ok_or_else(|| {
            Failure::invalid(format!(
                "The key {key_id:?} is neither an http(s) URL nor written into the issuer's \
                 Profile."
            ))
        })?
    };
    match docs::str_of(&key, "owner") {
        Some(o) if o == issuer.id => {}
        Some(o) => {
            return Err(Failure::invalid(format!(
                "The key {key_id} belongs to {o}, not to the issuer {}.",
                issuer.id
            )));
        }
        None => {
            return Err(Failure::invalid(format!(
                "The key {key_id} does not name its owner, so it cannot be tied to the issuer \
                 {}.",
                issuer.id
            )));
        }
    }
    docs::str_of(&key, "publicKeyPem")
        .map(str::to_owned)
        .ok_or_else(|| Failure::invalid(format!("The key document {key_id} has no publicKeyPem.")))
}

/// `revocation` for signed badges: the RevocationList the fetched issuer Profile names.
async fn revocation_list<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    doc: &Value,
    issuer: &Node,
    v: &mut Verification,
) {
    let Some(list_url) = docs::str_of(&issuer.doc, "revocationList") else {
        v.checks.pass(
            Check::Revocation,
            "The issuer publishes no revocation list, so the badge is not revoked.",
        );
        return;
    };
    let list = match load.node(list_url, "issuer's revocation list").await {
        Ok(node) => node.doc,
        Err(f) => {
            // A list that cannot be read says nothing about the badge.
            v.checks
                .fail(Check::Revocation, Effect::Unverifiable, f.message);
            return;
        }
    };
    let id = docs::str_of(doc, "id").unwrap_or_default();
    let uid = docs::str_of(doc, "uid");
    let empty = Vec::new();
    let entries = list
        .get("revokedAssertions")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let hit = entries.iter().find(|e| match e {
        Value::String(s) => s == id,
        Value::Object(_) => {
            docs::str_of(e, "id") == Some(id) || (uid.is_some() && docs::str_of(e, "uid") == uid)
        }
        _ => false,
    });
    match hit {
        Some(e) => {
            let reason = docs::str_of(e, "revocationReason");
            v.checks.fail(
                Check::Revocation,
                Effect::Revoked,
                super::flow::revoked_message(reason, "listed in its revocation list"),
            );
        }
        None => v.checks.pass(
            Check::Revocation,
            format!("Not in the issuer's revocation list {list_url}."),
        ),
    }
}
