//! A per-instance memo of verification answers for badges hosted by this instance.
//!
//! Verifying one of our own badges depends only on four stored records (the award, its badge
//! class, its issuer and the issuer's active signing key), the base URL, the recipient asked
//! about, and the clock through exactly two instants: `issuedOn` (not yet issued before it)
//! and `expires` (expired from it). So:
//!
//! 1. [`snapshot`] reads the four records (two store round trips) for a `url` input under the
//!    base URL; the store is always read, so a revocation shows on the very next request.
//! 2. [`Memo::lookup`] returns the answer kept for byte-equal records, the same base, input and
//!    recipient, while the clock is still between the time it was computed and the next of
//!    those two instants.
//! 3. [`Memo::store`] keeps an answer; the memo is bounded and starts over when full.
//!
//! Only JSON answers are kept (pages echo the form fields).

use std::collections::HashMap;

use serde::Deserialize;
use time::OffsetDateTime;

use super::flow::Verification;
use super::input::{Subject, VerifyRequest};
use crate::base_url::BaseUrl;
use crate::clock;
use crate::ids;
use crate::kv::Kv;
use crate::reply::Reply;
use crate::store_keys;

/// Entries kept before the memo starts over.
pub const MAX_ENTRIES: usize = 256;

/// The stored records a verification of our own badge depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    award_id: String,
    records: Vec<Option<Vec<u8>>>,
}

#[derive(Deserialize)]
struct Links {
    badge_id: String,
    issuer_id: String,
}

/// Read the records behind a `url` verification of one of this instance's assertions; None
/// for anything else (other hosts, other inputs, unknown awards).
pub async fn snapshot<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    req: &VerifyRequest,
) -> Option<Snapshot> {
    let Subject::Url(url) = &req.subject else {
        return None;
    };
    let id = url
        .strip_prefix(base.as_str())?
        .strip_prefix("/assertions/")?;
    if !ids::is_valid(id) {
        return None;
    }
    let award = kv.get(&store_keys::award(id)).await.ok()??;
    let links: Links = serde_json::from_slice(&award).ok()?;
    let rest = kv
        .get_many(&[
            store_keys::badge(&links.badge_id),
            store_keys::issuer(&links.issuer_id),
            store_keys::signing(&links.issuer_id),
        ])
        .await
        .ok()?;
    let mut records = vec![Some(award)];
    records.extend(rest);
    Some(Snapshot {
        award_id: id.to_owned(),
        records,
    })
}

type Key = (String, Option<(&'static str, String)>);

#[derive(Debug)]
struct Entry {
    base: String,
    records: Vec<Option<Vec<u8>>>,
    from: OffsetDateTime,
    until: Option<OffsetDateTime>,
    reply: Reply,
}

/// Kept answers (see the module docs).
#[derive(Debug, Default)]
pub struct Memo {
    entries: HashMap<Key, Entry>,
}

fn key(snap: &Snapshot, req: &VerifyRequest) -> Key {
    (
        snap.award_id.clone(),
        req.recipient
            .as_ref()
            .map(|c| (c.kind.as_str(), c.value.clone())),
    )
}

/// The next instant after `now` at which the verdict of `v` could change.
fn next_boundary(v: &Verification, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let doc = v.assertion.as_ref()?;
    ["issuedOn", "expires"]
        .iter()
        .filter_map(|k| doc.get(*k)?.as_str().and_then(|s| clock::parse(s).ok()))
        .filter(|t| *t > now)
        .min()
}

impl Memo {
    /// An empty memo.
    pub fn new() -> Self {
        Self::default()
    }

    /// The answer kept for this snapshot and request at `now`, if still valid.
    pub fn lookup(
        &self,
        snap: &Snapshot,
        req: &VerifyRequest,
        base: &BaseUrl,
        now: OffsetDateTime,
    ) -> Option<Reply> {
        let e = self.entries.get(&key(snap, req))?;
        let fresh = e.base == base.as_str()
            && e.records == snap.records
            && now >= e.from
            && e.until.is_none_or(|u| now < u);
        fresh.then(|| e.reply.clone())
    }

    /// Keep `reply`, the answer to `req` computed at `now` from `snap`.
    pub fn store(
        &mut self,
        snap: Snapshot,
        req: &VerifyRequest,
        base: &BaseUrl,
        now: OffsetDateTime,
        v: &Verification,
        reply: &Reply,
    ) {
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.clear();
        }
        let k = key(&snap, req);
        self.entries.insert(
            k,
            Entry {
                base: base.as_str().to_owned(),
                records: snap.records,
                from: now,
                until: next_boundary(v, now),
                reply: reply.clone(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::{MemoryKv, put_json};
    use crate::model::award::Revocation;
    use crate::ob2::fixtures::{self, AWARD_ID, BADGE_ID, ISSUER_ID};
    use crate::verify::input::{Claimant, IdentityKind};
    use futures::executor::block_on;
    use time::macros::datetime;

    fn store() -> MemoryKv {
        let kv = MemoryKv::new();
        block_on(async {
            put_json(&kv, &store_keys::issuer(ISSUER_ID), &fixtures::issuer()).await?;
            put_json(&kv, &store_keys::badge(BADGE_ID), &fixtures::badge()).await?;
            put_json(&kv, &store_keys::award(AWARD_ID), &fixtures::award()).await
        })
        .expect("store");
        kv
    }

    fn req(base: &BaseUrl, email: Option<&str>) -> VerifyRequest {
        VerifyRequest {
            subject: Subject::Url(base.assertion(AWARD_ID)),
            source: "url",
            recipient: email.map(|e| Claimant {
                kind: IdentityKind::Email,
                value: e.to_owned(),
            }),
        }
    }

    #[test]
    fn answers_are_reused_only_for_the_same_records_recipient_and_time_window() {
        let kv = store();
        let base = BaseUrl::parse("https://badges.example.org").expect("base");
        let now = datetime!(2026-12-01 00:00 UTC);
        let r = req(&base, None);
        let snap = block_on(snapshot(&kv, &base, &r)).expect("ours");
        let mut v = Verification::default_for_tests();
        v.assertion = Some(
            serde_json::json!({"issuedOn": "2026-11-22T10:00:00Z", "expires": "2027-11-22T10:00:00Z"}),
        );
        let mut memo = Memo::new();
        memo.store(snap.clone(), &r, &base, now, &v, &Reply::empty(200));
        assert!(memo.lookup(&snap, &r, &base, now).is_some());
        // Another recipient, a later time past expiry, an earlier time: not reused.
        assert!(
            memo.lookup(&snap, &req(&base, Some("a@x.org")), &base, now)
                .is_none()
        );
        assert!(
            memo.lookup(&snap, &r, &base, datetime!(2027-11-22 10:00 UTC))
                .is_none()
        );
        assert!(
            memo.lookup(&snap, &r, &base, datetime!(2026-11-30 00:00 UTC))
                .is_none()
        );
        // A changed record (revocation): not reused.
        let mut award = fixtures::award();
        award.revoked = Some(Revocation {
            reason: "x".into(),
            revoked_at: now,
        });
        block_on(put_json(&kv, &store_keys::award(AWARD_ID), &award)).expect("put");
        let changed = block_on(snapshot(&kv, &base, &r)).expect("ours");
        assert!(memo.lookup(&changed, &r, &base, now).is_none());
    }

    #[test]
    fn only_this_instances_assertion_urls_have_snapshots() {
        let kv = store();
        let base = BaseUrl::parse("https://badges.example.org").expect("base");
        let other = VerifyRequest {
            subject: Subject::Url(format!("https://elsewhere.org/assertions/{AWARD_ID}")),
            source: "url",
            recipient: None,
        };
        assert!(block_on(snapshot(&kv, &base, &other)).is_none());
        let missing = VerifyRequest {
            subject: Subject::Url(base.assertion("00000000-0000-4000-8000-000000000000")),
            source: "url",
            recipient: None,
        };
        assert!(block_on(snapshot(&kv, &base, &missing)).is_none());
    }
}
