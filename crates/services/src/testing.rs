//! A test bench for the tests of this crate and of the crates above it (feature `fixtures`): an in-memory store, a fixed clock and seeded randomness.

use emblem_badges::image::ImageInput;
use emblem_badges::model::badge::Criteria;
use time::OffsetDateTime;

use crate::input::NewBadge;
use time::macros::datetime;

use crate::env::{Env, Policy};
use crate::kv::MemoryKv;
use emblem_badges::base_url::BaseUrl;
use emblem_badges::entropy::Seeded;

pub const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

#[derive(Debug)]
pub struct Bench {
    pub kv: MemoryKv,
    pub entropy: Seeded,
    pub base: BaseUrl,
    pub policy: Policy,
    pub now: OffsetDateTime,
    /// The `secrets` store (sealed private keys) and its key-encryption key.
    pub secrets: MemoryKv,
    pub kek: crate::vault::Kek,
}

impl Default for Bench {
    fn default() -> Self {
        Self::new()
    }
}

impl Bench {
    pub fn new() -> Self {
        Self::with_kv(MemoryKv::new())
    }

    pub fn contended() -> Self {
        Self::with_kv(MemoryKv::contended())
    }

    fn with_kv(kv: MemoryKv) -> Self {
        Self {
            kv,
            entropy: Seeded::new(42),
            base: BaseUrl::parse("https://badges.example.org").expect("base"),
            policy: Policy::default(),
            now: NOW,
            secrets: MemoryKv::new(),
            kek: crate::vault::Kek::parse(&"5e".repeat(32)).expect("kek"),
        }
    }

    pub fn env(&self) -> Env<'_, MemoryKv> {
        Env {
            kv: &self.kv,
            now: self.now,
            entropy: &self.entropy,
            base: &self.base,
            policy: &self.policy,
            vault: Some(crate::vault::Vault {
                kv: &self.secrets,
                kek: &self.kek,
                previous: None,
            }),
        }
    }
}

/// A valid new badge class.
pub fn badge_input() -> NewBadge {
    NewBadge {
        name: "Rust Basics".into(),
        description: "Knows ownership.".into(),
        image: ImageInput::Remote("https://cdn.example.org/rust.png".into()),
        criteria: Criteria {
            narrative: Some("Pass the exam.".into()),
            url: None,
        },
        tags: vec!["rust".into()],
        alignment: vec![],
        expires_after_days: Some(365),
        duplicate_policy: Default::default(),
    }
}

/// A valid new award of class `badge` to alice@example.org, issued at [`NOW`].
pub fn award_input(badge: &str) -> crate::input::NewAward {
    crate::input::NewAward {
        badgeclass: badge.to_owned(),
        email: "alice@example.org".into(),
        name: None,
        issued_on: NOW,
        expires: None,
        evidence: vec![],
        narrative: None,
    }
}
