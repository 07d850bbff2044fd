//! What every domain operation needs from the edge: the store, the clock, randomness, the
//! public base URL and the policy knobs.

use time::{Duration, OffsetDateTime};

use emblem_badges::base_url::BaseUrl;
use emblem_badges::entropy::Entropy;

/// Policy knobs, with the defaults Emblem ships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// How long a claim link stays valid (`claim_ttl_days`, default 30 days).
    pub claim_ttl: Duration,
    /// Failed authentications that lock a subject (default 10).
    pub lockout_threshold: i64,
    /// Wrong admin tokens, from all addresses together, that stop the admin token from
    /// authenticating anyone for [`Policy::lockout_duration`] (default 100 in the window):
    /// a distributed guess at the admin token runs out long before it could succeed.
    pub admin_failure_budget: i64,
    /// Length of one failure-counting bucket (default 5 minutes).
    pub lockout_bucket: Duration,
    /// Buckets summed for the window (default 3, i.e. 15 minutes).
    pub lockout_buckets: i64,
    /// How long a lock lasts (default 15 minutes).
    pub lockout_duration: Duration,
    /// How far in the future an `issued_on` may be, for clock skew (default 5 minutes).
    pub issued_on_skew: Duration,
    /// Whether issuers may set `http://` webhook URLs on a loopback address (tests only: the
    /// test manifest sets `webhook_allow_loopback_http`; Emblem's own spin.toml never does).
    pub webhook_loopback_http: bool,
    /// When a claim reminder is sent to an earner who has not answered (`claim_reminder_days`,
    /// default 7 days; `0` turns reminders off). Only when Emblem sends email itself, and only
    /// if the claim link still works then.
    pub claim_reminder: Option<Duration>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            claim_ttl: Duration::days(30),
            lockout_threshold: 10,
            admin_failure_budget: 100,
            lockout_bucket: Duration::minutes(5),
            lockout_buckets: 3,
            lockout_duration: Duration::minutes(15),
            issued_on_skew: Duration::minutes(5),
            webhook_loopback_http: false,
            claim_reminder: Some(Duration::days(7)),
        }
    }
}

impl Policy {
    /// The default policy with the claim TTL from the `claim_ttl_days` variable (1..=365);
    /// unset, empty or invalid values keep the default of 30 days.
    pub fn with_claim_ttl_days(days: Option<&str>) -> Self {
        let mut policy = Self::default();
        if let Some(days) = days
            .and_then(|d| d.trim().parse::<i64>().ok())
            .filter(|d| (1..=365).contains(d))
        {
            policy.claim_ttl = Duration::days(days);
        }
        policy
    }

    /// Set the reminder delay from the `claim_reminder_days` variable (0..=365; 0 = off);
    /// unset, empty or invalid values keep the default of 7 days.
    pub fn with_claim_reminder_days(mut self, days: Option<&str>) -> Self {
        match days.and_then(|d| d.trim().parse::<i64>().ok()) {
            Some(0) => self.claim_reminder = None,
            Some(d) if (1..=365).contains(&d) => self.claim_reminder = Some(Duration::days(d)),
            _ => {}
        }
        self
    }
}

/// The context of one request.
#[derive(Clone, Copy)]
pub struct Env<'a, K: ?Sized> {
    /// The key-value store.
    pub kv: &'a K,
    /// The time of the request.
    pub now: OffsetDateTime,
    /// Randomness for ids, salts and secrets.
    pub entropy: &'a dyn Entropy,
    /// The public base URL.
    pub base: &'a BaseUrl,
    /// Policy knobs.
    pub policy: &'a Policy,
    /// The sealed private keys: only in the components that sign ([`crate::vault`]).
    pub vault: Option<crate::vault::Vault<'a, K>>,
}

impl<K: ?Sized> std::fmt::Debug for Env<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("now", &self.now)
            .field("base", &self.base)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_ttl_days_overrides_the_default_only_when_sensible() {
        assert_eq!(
            Policy::with_claim_ttl_days(Some("7")).claim_ttl,
            Duration::days(7)
        );
        for fallback in [
            None,
            Some(""),
            Some("0"),
            Some("-3"),
            Some("x"),
            Some("9999"),
        ] {
            assert_eq!(
                Policy::with_claim_ttl_days(fallback).claim_ttl,
                Duration::days(30),
                "{fallback:?}"
            );
        }
    }
}
