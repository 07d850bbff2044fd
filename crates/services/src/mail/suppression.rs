//! Per-issuer suppression list: addresses an issuer's email must not go to.
//!
//! - `suppress/<issuer-id>/<sha256(normalised email)>` → `{v, reason, at}`; the address itself
//!   is not stored (the hash is enough to check it).
//! - Reasons: `unsubscribed` (the earner followed the email's `List-Unsubscribe` link or
//!   one-click POST), `bounced` (the mail server refused the address for good), `manual`
//!   (the issuer added it through the API).
//! - Unsubscribe links carry a random token, stored only as `unsub/<sha256(token)>` →
//!   `{v, issuer_id, email_hash}`: the link names neither the issuer nor the address.
//! - Suppression stops email only; awards, claim links and webhooks go on as before.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::kv::{self, Kv};
use emblem_badges::clock::ts;
use emblem_badges::digest::sha256_hex;
use emblem_badges::entropy::{self, Entropy};
use emblem_badges::error::Error;
use emblem_badges::model::V1;
use emblem_badges::recipient::normalize_email;

/// Why an address is suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The earner unsubscribed.
    Unsubscribed,
    /// The server refused the address for good.
    Bounced,
    /// The issuer added it.
    Manual,
}

/// A suppression record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppressed {
    /// Schema version.
    pub v: V1,
    /// Why.
    pub reason: Reason,
    /// Since when.
    #[serde(with = "ts")]
    pub at: OffsetDateTime,
}

/// An unsubscribe token's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsubscribe {
    /// Schema version.
    pub v: V1,
    /// The issuer whose email it stops.
    pub issuer_id: String,
    /// The hashed address.
    pub email_hash: String,
}

/// The hash under which an address is suppressed (its normalised form, so `Alice@Example.org`
/// and `alice@example.org` are one address).
pub fn email_hash(email: &str) -> String {
    let normal = normalize_email(email).unwrap_or_else(|_| email.trim().to_ascii_lowercase());
    sha256_hex(normal.as_bytes())
}

fn key(issuer_id: &str, email_hash: &str) -> String {
    format!("suppress/{issuer_id}/{email_hash}")
}

fn token_key(token: &str) -> String {
    format!("unsub/{}", sha256_hex(token.as_bytes()))
}

/// Whether `email` is suppressed for `issuer_id`, and why.
pub async fn check<K: Kv + ?Sized>(
    kv: &K,
    issuer_id: &str,
    email: &str,
) -> Result<Option<Suppressed>, Error> {
    Ok(kv::get_json(kv, &key(issuer_id, &email_hash(email))).await?)
}

/// Suppress `email` for `issuer_id` (the first reason and time are kept).
pub async fn add<K: Kv + ?Sized>(
    kv: &K,
    issuer_id: &str,
    email_hash: &str,
    reason: Reason,
    now: OffsetDateTime,
) -> Result<Suppressed, Error> {
    let key = key(issuer_id, email_hash);
    if let Some(existing) = kv::get_json::<_, Suppressed>(kv, &key).await? {
        return Ok(existing);
    }
    let record = Suppressed {
        v: V1,
        reason,
        at: now,
    };
    kv::put_json(kv, &key, &record).await?;
    Ok(record)
}

/// Lift the suppression of `email` for `issuer_id`; Ok(false) if there was none.
pub async fn remove<K: Kv + ?Sized>(kv: &K, issuer_id: &str, email: &str) -> Result<bool, Error> {
    let key = key(issuer_id, &email_hash(email));
    let existed = kv.get(&key).await?.is_some();
    kv.delete(&key).await?;
    Ok(existed)
}

/// Mint an unsubscribe token for `email` and `issuer_id` (the link's last segment).
pub async fn mint_token<K: Kv + ?Sized>(
    kv: &K,
    entropy: &(impl Entropy + ?Sized),
    issuer_id: &str,
    email: &str,
) -> Result<String, Error> {
    let token = entropy::token(entropy);
    let record = Unsubscribe {
        v: V1,
        issuer_id: issuer_id.to_owned(),
        email_hash: email_hash(email),
    };
    kv::put_json(kv, &token_key(&token), &record).await?;
    Ok(token)
}

/// The record behind an unsubscribe token, if the token is one Emblem minted.
pub async fn lookup_token<K: Kv + ?Sized>(
    kv: &K,
    token: &str,
) -> Result<Option<Unsubscribe>, Error> {
    if token.is_empty()
        || token.len() > 128
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Ok(None);
    }
    Ok(kv::get_json(kv, &token_key(token)).await?)
}

/// Unsubscribe through a token: Ok(None) for an unknown token.
pub async fn unsubscribe<K: Kv + ?Sized>(
    kv: &K,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<Unsubscribe>, Error> {
    let Some(found) = lookup_token(kv, token).await? else {
        return Ok(None);
    };
    add(
        kv,
        &found.issuer_id,
        &found.email_hash,
        Reason::Unsubscribed,
        now,
    )
    .await?;
    Ok(Some(found))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::MemoryKv;
    use emblem_badges::entropy::Seeded;
    use futures::executor::block_on;

    #[test]
    fn an_unsubscribe_link_suppresses_the_address_for_that_issuer_only() {
        block_on(async {
            let kv = MemoryKv::new();
            let now = time::macros::datetime!(2026-11-28 10:00 UTC);
            let token = mint_token(&kv, &Seeded::new(7), "iss-a", "Alice@Example.org")
                .await
                .expect("mint");
            assert!(
                check(&kv, "iss-a", "alice@example.org")
                    .await
                    .expect("check")
                    .is_none()
            );
            let found = unsubscribe(&kv, &token, now)
                .await
                .expect("unsub")
                .expect("known");
            assert_eq!(found.issuer_id, "iss-a");
            let s = check(&kv, "iss-a", "alice@example.org")
                .await
                .expect("check");
            assert_eq!(s.map(|s| s.reason), Some(Reason::Unsubscribed));
            assert!(
                check(&kv, "iss-b", "alice@example.org")
                    .await
                    .expect("check")
                    .is_none()
            );
            assert!(
                unsubscribe(&kv, "not-a-token", now)
                    .await
                    .expect("unsub")
                    .is_none()
            );
            assert!(
                !kv.keys().iter().any(|k| k.contains(&token)),
                "token stored only hashed"
            );
            assert!(
                remove(&kv, "iss-a", "ALICE@example.org")
                    .await
                    .expect("remove")
            );
            assert!(
                check(&kv, "iss-a", "alice@example.org")
                    .await
                    .expect("check")
                    .is_none()
            );
        });
    }
}
