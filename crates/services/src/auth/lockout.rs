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
//! 5. Failure records expire even for subjects that never come back: the first failure of a
//!    subject in a bucket lists it under that bucket (`seq/failsweep/<bucket>`), and
//!    [`sweep`] (run by the issuing component's flush) walks the buckets that have left the
//!    window, deleting their counters and the subjects' locks that lapsed, then the listing.
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
    if total == 1 {
        // The sweep starts at the first bucket anything was listed in.
        if kv.get(store_keys::FAIL_SWEEP_LOW).await?.is_none() {
            kv::put_json(kv, store_keys::FAIL_SWEEP_LOW, &current).await?;
        }
        crate::listing::append(
            kv,
            &store_keys::fail_sweep_seq(current),
            |n| store_keys::fail_sweep_idx(current, n),
            &format!("{part}/{subject}"),
        )
        .await?;
    }
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

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Swept {
    /// Buckets finished.
    pub buckets: u32,
    /// Failure counters and lapsed locks deleted.
    pub records: u32,
}

/// Delete the failure records of buckets that have left the window (and whose locks have
/// lapsed), at most `budget` listed subjects per call; see the module docs.
///
/// A lock is deleted only when it lapsed and its subject has no failure in the current window.
/// Failures that reach the threshold between that read and the delete write a lock the delete
/// may take; their counts are in the window before their lock is written, so the window is
/// counted again after the delete and the lock put back when it holds the threshold.
pub async fn sweep<K: Kv + ?Sized>(
    kv: &K,
    policy: &Policy,
    now: OffsetDateTime,
    budget: u32,
) -> Result<Swept, Error> {
    let len = policy.lockout_bucket.whole_seconds().max(1);
    let current = bucket(policy, now);
    // Buckets wholly out of the window, whose locks have all lapsed too.
    let last = (current - policy.lockout_buckets - 1).min(
        (now - policy.lockout_duration)
            .unix_timestamp()
            .div_euclid(len)
            - 1,
    );
    let mut low: i64 = kv::get_json(kv, store_keys::FAIL_SWEEP_LOW)
        .await?
        .unwrap_or(last);
    let mut done = Swept::default();
    let mut left = budget;
    while low <= last && left > 0 {
        let seq = store_keys::fail_sweep_seq(low);
        let count = kv::read_counter(kv, &seq).await?;
        let mut finished = true;
        for n in 1..=count {
            let idx = store_keys::fail_sweep_idx(low, n);
            let Some(entry) = kv::get_json::<_, String>(kv, &idx).await? else {
                continue;
            };
            if left == 0 {
                finished = false;
                break;
            }
            left -= 1;
            if let Some((part, subject)) = entry.split_once('/') {
                kv.delete(&store_keys::fail(part, subject, low)).await?;
                done.records += 1;
                let lock_key = store_keys::lock(part, subject);
                let lock: Option<Lock> = kv::get_json(kv, &lock_key).await?;
                if lock.is_some_and(|l| l.until <= now)
                    && window_total(kv, policy, current, part, subject).await? == 0
                {
                    kv.delete(&lock_key).await?;
                    if window_total(kv, policy, current, part, subject).await?
                        >= policy.lockout_threshold
                    {
                        let until = now + policy.lockout_duration;
                        kv::put_json(kv, &lock_key, &Lock { v: V1, until }).await?;
                    } else {
                        done.records += 1;
                    }
                }
            }
            kv.delete(&idx).await?;
        }
        if !finished {
            break;
        }
        kv.delete(&seq).await?;
        done.buckets += 1;
        low += 1;
        kv::put_json(kv, store_keys::FAIL_SWEEP_LOW, &low).await?;
    }
    Ok(done)
}

/// The failures of `subject` counted in the current window.
async fn window_total<K: Kv + ?Sized>(
    kv: &K,
    policy: &Policy,
    current: i64,
    part: &str,
    subject: &str,
) -> Result<i64, Error> {
    let keys: Vec<String> = (0..policy.lockout_buckets)
        .map(|i| store_keys::fail(part, subject, current - i))
        .collect();
    let mut total = 0;
    for (key, value) in keys.iter().zip(kv.get_many(&keys).await?) {
        if let Some(bytes) = value {
            total += decode_counter(key, &bytes)?;
        }
    }
    Ok(total)
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

    #[test]
    fn the_sweep_deletes_the_records_of_subjects_that_never_came_back() {
        futures::executor::block_on(async {
            let kv = crate::kv::MemoryKv::new();
            let policy = Policy::default();
            let t0 = time::macros::datetime!(2026-11-28 10:00 UTC);
            for i in 0..12 {
                record_failure(&kv, &policy, t0, Scope::Address, "203.0.113.9")
                    .await
                    .expect("count");
                if i < 3 {
                    record_failure(&kv, &policy, t0, Scope::Address, "198.51.100.1")
                        .await
                        .expect("count");
                }
            }
            assert!(
                kv.keys()
                    .iter()
                    .any(|k| k.starts_with("lock/addr/203.0.113.9"))
            );
            // Within the window (or the lock): nothing goes.
            let soon = t0 + time::Duration::minutes(10);
            assert_eq!(
                sweep(&kv, &policy, soon, 100).await.expect("sweep").records,
                0
            );
            assert!(
                check(&kv, soon, Scope::Address, "203.0.113.9")
                    .await
                    .is_err()
            );
            // Long after: every failure record and the lapsed lock are gone.
            let later = t0 + time::Duration::hours(1);
            let swept = sweep(&kv, &policy, later, 100).await.expect("sweep");
            assert_eq!(swept.records, 3, "two counters and one lock: {swept:?}");
            let left: Vec<String> = kv
                .keys()
                .into_iter()
                .filter(|k| {
                    k.starts_with("fail/")
                        || k.starts_with("lock/")
                        || (k.contains("failsweep/") && k != store_keys::FAIL_SWEEP_LOW)
                })
                .collect();
            assert!(left.is_empty(), "{left:?}");
        });
    }
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

    /// A store on which a subject's failures reach the threshold just before the sweep's
    /// delete of its lapsed lock lands (the race the sweep must not lose a lock to).
    struct RacingKv {
        inner: MemoryKv,
        lock_key: String,
        subject: &'static str,
        at: OffsetDateTime,
        raced: std::cell::Cell<bool>,
    }

    impl Kv for RacingKv {
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, crate::kv::KvError> {
            self.inner.get(key).await
        }
        async fn set(&self, key: &str, value: &[u8]) -> Result<(), crate::kv::KvError> {
            self.inner.set(key, value).await
        }
        async fn delete(&self, key: &str) -> Result<(), crate::kv::KvError> {
            if key == self.lock_key && !self.raced.replace(true) {
                let policy = Policy::default();
                for _ in 0..policy.lockout_threshold {
                    Box::pin(record_failure(
                        self,
                        &policy,
                        self.at,
                        Scope::Address,
                        self.subject,
                    ))
                    .await
                    .map_err(|e| crate::kv::KvError::Store(e.to_string()))?;
                }
            }
            self.inner.delete(key).await
        }
        async fn increment(&self, key: &str, delta: i64) -> Result<i64, crate::kv::KvError> {
            self.inner.increment(key, delta).await
        }
        async fn compare_and_swap(
            &self,
            key: &str,
            expected: Option<&[u8]>,
            new: &[u8],
        ) -> Result<bool, crate::kv::KvError> {
            self.inner.compare_and_swap(key, expected, new).await
        }
        async fn get_many(
            &self,
            keys: &[String],
        ) -> Result<Vec<Option<Vec<u8>>>, crate::kv::KvError> {
            self.inner.get_many(keys).await
        }
        fn stamp(&self) -> u64 {
            self.inner.stamp()
        }
    }

    #[test]
    fn a_lock_written_while_the_sweep_deletes_a_lapsed_one_stands() {
        let subject = "192.0.2.77";
        let kv = RacingKv {
            inner: MemoryKv::new(),
            lock_key: store_keys::lock("addr", subject),
            subject,
            at: T0 + Duration::hours(1),
            raced: std::cell::Cell::new(false),
        };
        let policy = Policy::default();
        for i in 0..policy.lockout_threshold {
            let when = T0 + Duration::seconds(i);
            block_on(record_failure(
                &kv.inner,
                &policy,
                when,
                Scope::Address,
                subject,
            ))
            .expect("record");
        }
        let later = T0 + Duration::hours(1);
        block_on(sweep(&kv, &policy, later, 100)).expect("sweep");
        assert!(kv.raced.get(), "the sweep deleted the lapsed lock");
        let locked = block_on(check(
            &kv,
            later + Duration::minutes(1),
            Scope::Address,
            subject,
        ));
        assert!(
            matches!(locked, Err(Error::LockedOut { .. })),
            "the new lock stands: {locked:?}"
        );
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
