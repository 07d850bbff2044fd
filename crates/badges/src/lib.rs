//! Emblem's badges layer: the Open Badges model and its rules, with no store, no HTTP and no
//! Spin. Everything here is a pure function of its inputs (time and randomness are passed in),
//! builds for native targets and `wasm32-wasip2`, and is what the fuzz targets exercise.
//!
//! - [`model`]: the stored records (issuer, badge class, award, keys) and their schema version.
//! - [`ob2`]: the Open Badges 2.0 JSON-LD documents rendered from those records.
//! - [`recipient`]: recipient identity hashing and email normalisation.
//! - [`bake`]: baking a credential into PNG and SVG images and reading it back; [`image`]: the
//!   checks an uploaded image passes before it is stored.
//! - [`verify`]: the verification procedure (typed checks, the verdict), compact JWS, and the
//!   outbound rules a fetch must satisfy; fetching itself is behind the [`verify::Fetch`] trait.
//! - [`sharing`]: whether an award may be shared, and the share links (LinkedIn first).
//! - [`validate`]: the field-by-field JSON validation helpers; [`error`]: the error vocabulary
//!   every layer shares, with the RFC 9457 problem each error becomes.
//! - [`context`]: which standard a document declares through its `@context`.
//! - [`base_url`], [`clock`], [`digest`], [`entropy`], [`ids`]: small building blocks.
//!
//! The layers above: `emblem-web` (the store-backed services and the web routes) and the
//! components. See `docs/ARCHITECTURE.md` for the crate graph. The standards notes the code
//! cites live in `docs/standards/`.

#![forbid(unsafe_code)]

pub mod bake;
pub mod base_url;
pub mod clock;
pub mod context;
pub mod digest;
pub mod entropy;
pub mod error;
pub mod fuzzing;
pub mod ids;
pub mod image;
pub mod model;
pub mod ob2;
pub mod recipient;
pub mod sharing;
pub mod validate;
pub mod verify;

pub use base_url::BaseUrl;
pub use error::{Error, FieldError, Problem};
