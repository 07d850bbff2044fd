//! Lockout after repeated failed authentications.
//!
//! 1. Before any secret is checked, the subject's lock (`lock/<scope>/<subject>`) is read; while
//!    it holds, the request is refused with 429 and `Retry-After` ([`check`]).
//! 2. Each failure increments the counter of the current time bucket
//!    (`fail/<scope>/<subject>/<bucket>`, 5-minute buckets by default) with atomic
//!    `increment`, then sums it with the previous buckets (3 buckets = the 15-minute window) in
//!    one `get_many` ([`record_failure`]).
//! 3. When the sum reaches the threshold (10), the lock is set to `now + 15 minutes` with a
//!    plain write unless a longer lock is already there (racing writers all write about the
//!    same `until`; the last one wins).
//! 4. The bucket that just left the window is deleted, so a subject keeps at most a few keys.
//!
//! Scopes are the client address and the API key id named in the presented token, so neither
//! many keys from one address nor many addresses against one key get unlimited guesses. Only
//! counts are stored, never the secrets tried. A successful login does not reset the counts.

use time::OffsetDateTime;

use crate::env::Policy;
use crate::kv::{self, Kv, decode_counter};
use crate::store_keys;
use emblem_badges::error::{Error, LockSubject};
use emblem_badges::model::V1;
use emblem_badges::model::lock::Lock;

/// What a lockout counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A client address (see [`super::client::client_subject`]).
    Address,
    /// An API key id.
    KeyId,
    /// A client address looking up claim links (counted apart from API logins, so an earner
    /// mistyping a link never locks an issuer's integration out, and the reverse).
    ClaimAddress,
    /// Wrong admin tokens from every address together (subject `global`), against the admin
    /// token's own budget ([`Policy::admin_failure_budget`]).
    AdminToken,
}

impl Scope {
    fn key_part(self) -> &'static str {
        match self {
            Self::Address => "addr",
            Self::KeyId => "key",
            Self::ClaimAddress => "claimaddr",
            Self::AdminToken => "admin",
        }
    }

    fn subject(self) -> LockSubject {
        match self {
            Self::Address => LockSubject::Address,
            Self::KeyId => LockSubject::KeyId,
            Self::ClaimAddress => LockSubject::ClaimAddress,
            Self::AdminToken => LockSubject::AdminToken,
        }
    }
}

fn bucket(policy: &Policy, now: OffsetDateTime) -> i64 {
    let len = policy.lockout_bucket.whole_seconds().max(1);
    now.unix_timestamp().div_euclid(len)
}

/// 429 if `subject` is locked at `now`.
pub async fn check<K: Kv + ?Sized>(
    kv: &K,
    now: OffsetDateTime,
    scope: Scope,
    subject: &str,
) -> Result<(), Error> {
    let lock: Option<Lock> = kv::get_json(kv, &store_keys::lock(scope.key_part(), subject)).await?;
    match lock {
        Some(lock) if lock.until > now => {
            let remaining = (lock.until - now).whole_seconds();
            Err(Error::LockedOut {
                retry_after: u64::try_from(remaining).unwrap_or(1).max(1),
                subject: scope.subject(),
            })
        }
        _ => Ok(()),
    }
}

/// Count one failure against `subject` and say whether the window now holds the threshold,
/// without locking anything (key ids: counted to alert, see `auth`).
pub async fn count_failure<K: Kv + ?Sized>(
    kv: &K,
    policy: &Policy,
    now: OffsetDateTime,
    scope: Scope,
    subject: &str,
) -> Result<bool, Error> {
    let part = scope.key_part();
    let current = bucket(policy, now);
    let mut total = kv
        .increment(&store_keys::fail(part, subject, current), 1)
        .await?;
    let previous: Vec<String> = (1..policy.lockout_buckets)
        .map(|i| store_keys::fail(part, subject, current - i))
        .collect();
    for (key, value) in previous.iter().zip(kv.get_many(&previous).await?) {
        if let Some(bytes) = value {
            total += decode_counter(key, &bytes)?;
        }
    }
    // Housekeeping: the bucket just outside the window will never be read again.
    kv.delete(&store_keys::fail(
        part,
        subject,
        current - policy.lockout_buckets,
    ))
    .await?;
    Ok(total >= policy.lockout_threshold)
}

/// Count one failure for `subject`, locking it when the window's total reaches the threshold.
/// Returns whether the subject is now locked.
pub async fn record_failure<K: Kv + ?Sized>(
    kv: &K,
    policy: &Policy,
    now: OffsetDateTime,
    scope: Scope,
    subject: &str,
) -> Result<bool, Error> {
    if !count_failure(kv, policy, now, scope, subject).await? {
        return Ok(false);
    }
    let part = scope.key_part();
    let until = now + policy.lockout_duration;
    // A plain write, not a read-modify-write: requests racing here all write "now + duration",
    // so the last writer wins with an `until` at most the race's width earlier, and no
    // creation claim is left behind for every address that ever locked.
    let key = store_keys::lock(part, subject);
    let current: Option<Lock> = kv::get_json(kv, &key).await?;
    if current.is_none_or(|lock| lock.until < until) {
        kv::put_json(kv, &key, &Lock { v: V1, until }).await?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::MemoryKv;
    use futures::executor::block_on;
    use time::Duration;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

    fn fail_times(kv: &MemoryKv, times: usize, at: OffsetDateTime, subject: &str) -> bool {
        let policy = Policy::default();
        let mut locked = false;
        for i in 0..times {
            let when = at + Duration::seconds(i64::try_from(i).unwrap_or(0));
            locked = block_on(record_failure(kv, &policy, when, Scope::Address, subject))
                .expect("record");
        }
        locked
    }

    #[test]
    fn the_tenth_failure_locks_and_the_ninth_does_not() {
        let kv = MemoryKv::new();
        assert!(!fail_times(&kv, 9, T0, "10.0.0.1"));
        assert_eq!(
            block_on(check(
                &kv,
                T0 + Duration::minutes(1),
                Scope::Address,
                "10.0.0.1"
            ))
            .ok(),
            Some(())
        );
        assert!(fail_times(&kv, 1, T0 + Duration::minutes(1), "10.0.0.1"));
        let e = block_on(check(
            &kv,
            T0 + Duration::minutes(1),
            Scope::Address,
            "10.0.0.1",
        ))
        .expect_err("locked");
        let Error::LockedOut { retry_after, .. } = e else {
            panic!("expected 429, got {e:?}");
        };
        assert_eq!(retry_after, 15 * 60);
    }

    #[test]
    fn the_lock_lifts_after_fifteen_minutes() {
        let kv = MemoryKv::new();
        assert!(fail_times(&kv, 10, T0, "10.0.0.1"));
        let unlock = T0 + Duration::seconds(9) + Duration::minutes(15);
        assert!(
            block_on(check(
                &kv,
                unlock - Duration::seconds(1),
                Scope::Address,
                "10.0.0.1"
            ))
            .is_err()
        );
        assert!(block_on(check(&kv, unlock, Scope::Address, "10.0.0.1")).is_ok());
        // Old failures have left the window: one more failure does not lock again.
        assert!(!fail_times(&kv, 1, unlock, "10.0.0.1"));
    }

    #[test]
    fn claim_lookups_are_counted_apart_from_api_logins() {
        let kv = MemoryKv::new();
        let policy = Policy::default();
        for _ in 0..10 {
            block_on(record_failure(
                &kv,
                &policy,
                T0,
                Scope::ClaimAddress,
                "10.0.0.1",
            ))
            .expect("record");
        }
        assert!(block_on(check(&kv, T0, Scope::ClaimAddress, "10.0.0.1")).is_err());
        assert!(block_on(check(&kv, T0, Scope::Address, "10.0.0.1")).is_ok());
        assert!(kv.keys().contains(&"lock/claimaddr/10.0.0.1".to_owned()));
    }

    #[test]
    fn another_address_is_unaffected() {
        let kv = MemoryKv::new();
        assert!(fail_times(&kv, 10, T0, "10.0.0.1"));
        assert!(block_on(check(&kv, T0, Scope::Address, "10.0.0.2")).is_ok());
        assert!(block_on(check(&kv, T0, Scope::KeyId, "10.0.0.1")).is_ok());
    }

    #[test]
    fn failures_spread_over_more_than_the_window_do_not_lock() {
        let kv = MemoryKv::new();
        for i in 0..30 {
            let at = T0 + Duration::minutes(2 * i);
            assert!(!fail_times(&kv, 1, at, "10.0.0.1"), "failure {i}");
        }
    }

    #[test]
    fn failures_in_one_window_across_buckets_add_up() {
        let kv = MemoryKv::new();
        assert!(!fail_times(&kv, 4, T0, "k"));
        assert!(!fail_times(&kv, 4, T0 + Duration::minutes(5), "k"));
        assert!(fail_times(&kv, 2, T0 + Duration::minutes(10), "k"));
    }

    #[test]
    fn only_a_handful_of_keys_are_kept_per_subject() {
        let kv = MemoryKv::new();
        for i in 0..20 {
            fail_times(&kv, 1, T0 + Duration::minutes(5 * i), "10.0.0.1");
        }
        let fail_keys = kv
            .keys()
            .into_iter()
            .filter(|k| k.starts_with("fail/"))
            .count();
        assert!(fail_keys <= 3, "{fail_keys}");
    }

    #[test]
    fn concurrent_failures_are_all_counted() {
        let kv = MemoryKv::contended();
        let policy = Policy::default();
        let attempts = (0..10).map(|_| record_failure(&kv, &policy, T0, Scope::KeyId, "abcdefgh"));
        let results = block_on(futures::future::join_all(attempts));
        assert!(results.iter().all(Result::is_ok));
        assert!(block_on(check(&kv, T0, Scope::KeyId, "abcdefgh")).is_err());
    }
}
