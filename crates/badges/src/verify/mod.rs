//! Verification of Open Badges 2.0: any badge (URL, JSON, compact JWS or baked PNG/SVG image),
//! with a verdict and the reasons a person can read (docs/standards/ob2.md §3–§6, docs/standards/peers.md §1, §5).
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
//! 3. Documents come through the [`fetch::Fetch`] trait, implemented by the service layer
//!    (`emblem_web::verify::Fetcher`: this instance's own URLs from the store, others over
//!    outbound HTTP under the SSRF-safe policy of [`fetch::check_target`], redirects
//!    re-checked). This crate does no I/O itself.
//!    Open Badges 3.0 credentials with an embedded Data Integrity proof go through [`ob3`]
//!    (the same checks; the proof itself by the caller's [`DataIntegrity`]).
//! 4. The verdict: `valid | expired | revoked | invalid | unverifiable`; "unverifiable"
//!    (network, host down, missing key) is kept apart from "invalid".
//! 5. The JSON answer and the HTML page are the web layer's (`emblem_web::verify::routes`).

pub mod check;
pub mod docs;
mod endorse;
pub mod fetch;
pub mod flow;
mod hosted;
pub mod input;
pub mod jws;
pub mod legacy;
pub mod load;
pub mod ob3;
mod refresh;
mod rules;
mod signed;

pub use check::{Check, Checks, Finding, Outcome, Phase, Report, Verdict};
pub use fetch::{Fetch, FetchError, Fetched, Hop, Rules};
pub use flow::{Verification, run, run_with};
pub use input::VerifyRequest;
pub use ob3::{Checking, DataIntegrity, NoDataIntegrity, ProofFailure};
