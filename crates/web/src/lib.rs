//! Emblem's web layer: the routes every component serves, the HTML pages, content
//! negotiation and the replies (documents, pages, problem documents), over the services of
//! `emblem-services` and the rules of `emblem-badges`. It has no Spin dependency; it builds
//! for native targets and for `wasm32-wasip2`, and every route is unit-tested natively.
//!
//! The layers below are re-exported under the names the routes use (`crate::service`,
//! `crate::kv`, `crate::model`, …), so a path reads the same in every crate.
//!
//! How a request flows through Emblem:
//!
//! 1. A Spin component (`components/issuing`, `components/hosting`, …) receives the request.
//!    The shared adapter `emblem-edge` reads variables, the clock, randomness and the body
//!    (under a cap) and wraps Spin's key-value store in the [`kv::Kv`] trait.
//! 2. The component matches the route with [`api::route`], [`hosting::route`] or
//!    [`claim::route`] (the earner's claim pages, [`claim`]).
//! 3. For the issuer API, [`auth::authenticate`] checks the bearer token (lockout first, then
//!    the secret), and [`api::input`] validates the JSON body completely before anything is
//!    written.
//! 4. A service in [`service`] (`emblem-services`) reads and writes the store. Every read-modify-write of shared
//!    state goes through atomic increment or compare-and-swap ([`kv::update_json`]), so
//!    concurrent requests never lose an update.
//! 5. The typed result becomes a [`reply::Reply`]: an API view ([`api::views`]), an Open Badges
//!    document ([`ob2`]) or a page ([`html`]). Errors become RFC 9457 problem documents through
//!    one total function, [`Error::problem`].
//!
//! Time ([`time::OffsetDateTime`]) and randomness ([`entropy::Entropy`]) are always passed in,
//! so the logic is pure and testable with fixed clocks.
//!
//! The standard is Open Badges 2.0 (IMS Final, 2018; see `docs/standards/ob2.md`), with the design
//! choices recorded in `docs/ARCHITECTURE.md`.

#![forbid(unsafe_code)]

/// The services layer, under the name the routes use.
pub use emblem_services as service;
pub use emblem_services::{auth, email, env, kv, store_keys, vault, webhook};
pub use emblem_vc as vc;

pub use emblem_badges::{
    base_url, clock, digest, entropy, ids, image, model, ob2, recipient, validate,
};

pub mod api;
pub mod bake;
pub mod credentials;
pub mod error;
pub mod files;
pub mod hosting;
pub mod negotiate;
pub mod present;
pub mod reply;
pub mod signed;
pub mod verify;

pub use base_url::BaseUrl;
pub use env::{Env, Policy};
pub use error::{Error, FieldError, Problem};
pub use reply::Reply;
