//! Share clicks, counted per badge and target.
//!
//! 1. A share redirect that is followed (GET, shareable badge) adds one to
//!    `shares/<assertion-id>/<target>` with the store's atomic increment, so concurrent clicks on
//!    one or many instances are never lost.
//! 2. The issuer reads all five counters in one batch read ([`read`]); absent counters are 0.

use serde::Serialize;

use crate::kv::{Kv, decode_counter};
use crate::store_keys;
use emblem_badges::error::Error;

/// Where a share link sends the earner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// LinkedIn "Add to profile" (`/share/linkedin/:id`).
    LinkedinProfile,
    /// LinkedIn feed post (`/share/linkedin/:id/post`).
    LinkedinPost,
    /// X / Twitter (`/share/x/:id`).
    X,
    /// Facebook (`/share/facebook/:id`).
    Facebook,
    /// E-mail (`/share/email/:id`, a `mailto:` link).
    Email,
}

impl Target {
    /// Every target, in the order of [`ShareCounts`].
    pub const ALL: [Target; 5] = [
        Self::LinkedinProfile,
        Self::LinkedinPost,
        Self::X,
        Self::Facebook,
        Self::Email,
    ];

    /// The target's name in keys and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LinkedinProfile => "linkedin_profile",
            Self::LinkedinPost => "linkedin_post",
            Self::X => "x",
            Self::Facebook => "facebook",
            Self::Email => "email",
        }
    }
}

/// Share clicks of one badge, per target (`GET /api/v1/assertions/:id/shares`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ShareCounts {
    /// LinkedIn "Add to profile".
    pub linkedin_profile: i64,
    /// LinkedIn feed post.
    pub linkedin_post: i64,
    /// X / Twitter.
    pub x: i64,
    /// Facebook.
    pub facebook: i64,
    /// E-mail.
    pub email: i64,
}

/// Count one click on `target` for `assertion_id`; returns the new count.
pub async fn record<K: Kv + ?Sized>(
    kv: &K,
    assertion_id: &str,
    target: Target,
) -> Result<i64, Error> {
    Ok(kv
        .increment(&store_keys::shares(assertion_id, target.as_str()), 1)
        .await?)
}

/// The counts of every target for `assertion_id` (one batch read).
pub async fn read<K: Kv + ?Sized>(kv: &K, assertion_id: &str) -> Result<ShareCounts, Error> {
    let keys: Vec<String> = Target::ALL
        .iter()
        .map(|t| store_keys::shares(assertion_id, t.as_str()))
        .collect();
    let values = kv.get_many(&keys).await?;
    let mut n = [0_i64; 5];
    for (i, (key, value)) in keys.iter().zip(values).enumerate() {
        if let Some(bytes) = value {
            n[i] = decode_counter(key, &bytes)?;
        }
    }
    Ok(ShareCounts {
        linkedin_profile: n[0],
        linkedin_post: n[1],
        x: n[2],
        facebook: n[3],
        email: n[4],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::MemoryKv;
    use futures::executor::block_on;
    use futures::future::join_all;

    #[test]
    fn clicks_are_counted_per_badge_and_target() {
        let kv = MemoryKv::new();
        block_on(async {
            for _ in 0..3 {
                record(&kv, "a", Target::LinkedinProfile).await.expect("r");
            }
            record(&kv, "a", Target::Email).await.expect("r");
            record(&kv, "b", Target::X).await.expect("r");
            assert_eq!(
                read(&kv, "a").await.expect("read"),
                ShareCounts {
                    linkedin_profile: 3,
                    email: 1,
                    ..ShareCounts::default()
                }
            );
            assert_eq!(read(&kv, "b").await.expect("read").x, 1);
            assert_eq!(read(&kv, "c").await.expect("read"), ShareCounts::default());
        });
        assert!(kv.keys().contains(&"shares/a/linkedin_profile".to_owned()));
    }

    #[test]
    fn concurrent_clicks_are_all_counted() {
        let kv = MemoryKv::contended();
        block_on(async {
            join_all((0..50).map(|_| record(&kv, "a", Target::Facebook))).await;
            assert_eq!(read(&kv, "a").await.expect("read").facebook, 50);
        });
    }

    #[test]
    fn a_corrupt_counter_is_an_internal_error() {
        let kv = MemoryKv::new();
        block_on(async {
            kv.set("shares/a/x", b"not8").await.expect("set");
            assert_eq!(read(&kv, "a").await.map_err(|e| e.status()), Err(500));
        });
    }

    #[test]
    fn counts_serialise_with_every_target_named() {
        let json = serde_json::to_value(ShareCounts::default()).expect("json");
        let names: Vec<&str> = Target::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(json.as_object().map(|o| o.len()), Some(5));
        for name in names {
            assert_eq!(json[name], 0, "{name}");
        }
    }
}
