//! Emblem's services layer: the operations behind the issuer API, the claim links, sharing
//! and the public pages, over the [`kv::Kv`] store. No HTTP and no Spin: the web layer
//! (`emblem-web`) calls these with time, randomness and the store passed in ([`env::Env`]).
//!
//! Rules every service follows:
//!
//! 1. Inputs arrive fully validated ([`input`]); the only checks left here are
//!    the ones that need the store (does the badge class belong to the caller?), and they run
//!    before the first write.
//! 2. Ids in paths that are not ids we issue answer 404 without a store read.
//! 3. Objects of another issuer answer 404, exactly as if absent.
//! 4. New records go under fresh random ids with insert-if-absent; shared records (indexes,
//!    revocation lists, award state) change only through `increment` or compare-and-swap.
//! 5. Writes are ordered so that a crash between two of them leaves nothing visible that is
//!    inconsistent: a record is written before the index entry that lists it, and a
//!    revocation lands on the award before the issuer's revocation list (re-running the
//!    revoke repairs the list).

//!
//! | module | what it holds |
//! |---|---|
//! | [`kv`] | the `Kv` trait, `MemoryKv`, creation claims and stamped compare-and-swap (`docs/storage.md`) |
//! | [`store_keys`] | the store's key names, one function per key family |
//! | [`env`] | what a request brings: store, clock, randomness, base URL, policy |
//! | [`auth`] | bearer tokens, the admin token, lockout |
//! | [`issuers`], [`apikeys`], [`badges`], [`awards`], [`signing`] | the objects an issuer manages |
//! | [`input`], [`paging`], [`listing`] | validated inputs and paged listings |
//! | [`claims`] | claim links: the token lookup |
//! | [`counters`] | share click counters |
//! | [`email`], [`webhook`] | the award email and its delivery to the issuer's webhook |

#![forbid(unsafe_code)]

pub mod apikeys;
pub mod auth;
pub mod awards;
pub mod badges;
pub mod claims;
pub mod cohorts;
pub mod counters;
pub mod credentials;
pub mod email;
pub mod env;
pub mod expiry;
pub mod idempotency;
pub mod input;
pub mod issuers;
pub mod kv;
pub mod listing;
pub mod mail;
pub mod paging;
pub mod signing;
pub mod store;
pub mod store_keys;
#[cfg(any(test, feature = "fixtures"))]
pub mod testing;
pub mod vault;
pub mod webhook;

pub use env::{Env, Policy};
