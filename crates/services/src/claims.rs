//! Finding the award behind a claim token, by the token's hash.
//!
//! 1. A token that is not 43 URL-safe base64 characters (256 bits) cannot be ours: unknown,
//!    without a store read.
//! 2. Read `claim/<sha256(token)>`; absent: unknown.
//! 3. Read the award, its badge class and its issuer in one `get_many`. The token must still be
//!    the award's live one (`award.claim.token_hash`): a token replaced by a resend is unknown
//!    even if deleting its record was interrupted.
//! 4. Past `expires_at`: expired (the lookup still returns the award, for the page that names
//!    the issuer to ask for a new link).

use time::OffsetDateTime;

use crate::kv::{self, Kv};
use crate::store_keys;
use emblem_badges::digest::sha256_hex;
use emblem_badges::error::Error;
use emblem_badges::model::award::Award;
use emblem_badges::model::badge::BadgeClass;
use emblem_badges::model::claim::ClaimToken;
use emblem_badges::model::issuer::Issuer;

/// Length of a claim token: 32 bytes in unpadded URL-safe base64.
pub const TOKEN_LEN: usize = 43;

/// A claim token's award with what its pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// SHA-256 hex of the token.
    pub token_hash: String,
    /// When the link stops working.
    pub expires_at: OffsetDateTime,
    /// The award.
    pub award: Award,
    /// Its badge class.
    pub badge: BadgeClass,
    /// Its issuer.
    pub issuer: Issuer,
}

/// The outcome of a lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A live token.
    Found(Box<Found>),
    /// A genuine token past its expiry.
    Expired(Box<Found>),
    /// Not a token of a live claim link (malformed, unknown, or replaced by a resend).
    Unknown,
}

fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Look `token` up at `now` (see the module docs). Reads only.
pub async fn lookup<K: Kv + ?Sized>(
    kv: &K,
    now: OffsetDateTime,
    token: &str,
) -> Result<Lookup, Error> {
    if !well_formed(token) {
        return Ok(Lookup::Unknown);
    }
    let token_hash = sha256_hex(token.as_bytes());
    let Some(claim) = kv::get_json::<_, ClaimToken>(kv, &store_keys::claim(&token_hash)).await?
    else {
        return Ok(Lookup::Unknown);
    };
    let Some(award) = kv::get_json::<_, Award>(kv, &store_keys::award(&claim.award_id)).await?
    else {
        return Ok(Lookup::Unknown);
    };
    if award.claim.as_ref().map(|c| &c.token_hash) != Some(&token_hash) {
        return Ok(Lookup::Unknown);
    }
    let names = [
        store_keys::badge(&award.badge_id),
        store_keys::issuer(&award.issuer_id),
    ];
    let mut values = kv.get_many(&names).await?.into_iter();
    let (Some(badge), Some(issuer)) = (values.next().flatten(), values.next().flatten()) else {
        return Ok(Lookup::Unknown);
    };
    let found = Box::new(Found {
        token_hash,
        expires_at: claim.expires_at,
        badge: kv::decode(&names[0], &badge)?,
        issuer: kv::decode(&names[1], &issuer)?,
        award,
    });
    if claim.expires_at <= now {
        return Ok(Lookup::Expired(found));
    }
    Ok(Lookup::Found(found))
}
