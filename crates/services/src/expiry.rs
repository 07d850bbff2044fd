//! `assertion.expired` webhook events: an award that reaches its expiry tells the issuer's
//! webhook once, from the flush a scheduler calls (`POST /api/v1/mail/flush`), without a
//! human and without scanning every award.
//!
//! 1. When an award is created or re-certified with an expiry in the future, its id is listed
//!    under the Unix hour of that expiry (`seq/expiry/<hour>`, [`watch`]). An award created
//!    already expired is not listed: nothing happens to it later.
//! 2. The sweep (`crate::mail::expired::sweep`) walks the hours from the first one it has not
//!    finished (`expiry/low`) up to the current one. Each listed award that is still there, not revoked, and still expires at
//!    that hour is judged: expired by now, its event is queued in the outbox (once per award
//!    and expiry: a creation claim decides between racing sweeps) and the entry deleted; not
//!    yet, the entry stays for a later flush. Entries of revoked, deleted or re-certified
//!    awards are dropped (a re-certified award is listed again under its new hour).
//! 3. An hour is finished, and `expiry/low` moves past it, once its entries are all gone and
//!    it ended more than an hour ago, so an award listed by an instance whose clock is a little
//!    behind still lands in an hour the sweep visits.
//!
//! The event reaches the webhook with the next delivery attempt of the outbox (the same flush
//! runs it right after the sweep), so it arrives within one flush interval of the expiry.
//!
//! This module lists (it is what awarding calls); the sweep is `crate::mail::expired`, beside
//! the outbox it queues into.

use time::OffsetDateTime;

use crate::kv::{self, Kv};
use crate::{listing, store_keys};
use emblem_badges::error::Error;
use emblem_badges::model::award::Award;

/// Seconds in an hour bucket.
const HOUR: i64 = 3600;

/// The Unix hour of `t` (the listing's bucket).
pub fn hour(t: OffsetDateTime) -> i64 {
    t.unix_timestamp().div_euclid(HOUR)
}

/// List `award` for its expiry event, if it expires after `now`.
pub async fn watch<K: Kv + ?Sized>(
    kv: &K,
    award: &Award,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let Some(expires) = award.expires.filter(|e| *e > now) else {
        return Ok(());
    };
    if kv.get(store_keys::EXPIRY_LOW).await?.is_none() {
        // The sweep starts at the hour the first award was listed in.
        kv::put_json(kv, store_keys::EXPIRY_LOW, &hour(now)).await?;
    }
    let at = hour(expires);
    listing::append(
        kv,
        &store_keys::expiry_seq(at),
        |n| store_keys::expiry_idx(at, n),
        &award.id,
    )
    .await?;
    Ok(())
}
