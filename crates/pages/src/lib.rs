//! Emblem's pages: the HTML people see, and the routes that serve it. The templates live here
//! (`crates/pages/templates/`), so editing a page rebuilds only this crate and the components
//! that serve pages (`hosting`, `claim`, `share`, `verify`), never `issuing`, `bake` or
//! `static`.
//!
//! - [`html`]: the public pages of hosted objects and notices, the one HTML escaper.
//! - [`hosting`]: the HTML side of the hosting routes (badge, issuer and assertion pages, and
//!   the notices for failures), over `emblem_web::hosting` for everything else.
//! - [`claim`]: the earner's claim and manage pages at `/claim/:token`.
//! - [`share`]: share redirects, the embeddable card, the certificate (`/share`, `/embed`,
//!   `/certificate`).
//! - [`verify_page`]: the `/verify` routes: the JSON answer and the page.
//!
//! Security headers, HEAD and the problem-or-notice choice are `emblem_web::present`'s.

#![forbid(unsafe_code)]

pub use emblem_web::{
    BaseUrl, Error, Reply, auth, base_url, clock, digest, entropy, env, error,
    hosting as documents, ids, image, kv, model, negotiate, ob2, present, recipient, reply,
    service, store_keys, validate, verify,
};

pub mod claim;
pub mod hosting;
pub mod html;
pub mod markdown;
pub mod share;
pub mod unsubscribe;
pub mod verify_page;
