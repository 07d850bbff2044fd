//! Verification of Open Badges 2.0: any badge (URL, JSON, compact JWS or baked PNG/SVG image),
//! with a verdict and the reasons a person can read (SPEC-NOTES §1.3–§1.6, §6, §7).
//!
//! A request to `POST /verify` or `GET /verify?url=…` goes through these steps:
//!
//! 1. [`input`]: read what was handed in (JSON, image, multipart form or query) and the
//!    optional recipient; unbake images. Unreadable input is a 4xx problem.
//! 2. [`flow::run`]: the ordered named checks (`input`, `version`, `fetch`, `id`, `assertion`,
//!    `badgeclass`, `issuer`, `scope`, `key`, `signature`, `issuedOn`, `expiry`, `revocation`,
//!    `recipient`, `image`), each `pass | fail | warn | skip` with a message ([`check`]).
//!    Hosted assertions are always re-fetched from their id; signed ones are checked with
//!    RS256 ([`jws`]) against a key the issuer owns.
//! 3. Documents come through [`fetch::Fetch`]: this instance's own URLs are read from the
//!    store through the hosting renderers, others over outbound HTTP under an SSRF-safe
//!    policy ([`fetch::check_target`], redirects re-checked).
//! 4. The verdict: `valid | expired | revoked | invalid | unverifiable`; "unverifiable"
//!    (network, host down, missing key) is kept apart from "invalid".
//! 5. [`api`]: the JSON answer (verdict, checks, and validator-core's `report` block) or the
//!    HTML page.

pub mod api;
pub mod check;
pub mod docs;
pub mod fetch;
pub mod flow;
mod hosted;
pub mod input;
pub mod jws;
pub mod legacy;
pub mod load;
pub mod memo;
mod rules;
mod signed;

pub use check::{Check, Checks, Finding, Outcome, Phase, Report, Verdict};
pub use fetch::{Fetch, FetchError, Fetched, Fetcher, Hop, Rules};
pub use flow::{Verification, run};
pub use input::VerifyRequest;

#[cfg(test)]
mod tests;
