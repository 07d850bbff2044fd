//! Emblem's Open Badges 3.0 layer: W3C Verifiable Credentials secured with Data Integrity.
//!
//! - [`contexts`]: the JSON-LD contexts Emblem signs and verifies with, pinned copies bundled in
//!   the binary. Nothing is ever fetched: a document naming any other context is refused.
//! - [`canon`]: JSON-LD to RDF (oxjsonld) and canonical N-Quads; [`rdfc`]: RDFC-1.0, with a
//!   limit on the work a poisoned dataset can cause.
//! - [`jwt`] and [`jwk`]: the VC-JWT proof (`ES256`, `EdDSA`, `RS256`) and the issuer's keys
//!   as JWKs.
//! - [`multikey`]: Ed25519 keys as `Multikey` multibase strings.
//! - [`ob3`]: the Open Badges 3.0 documents of a stored award, badge class and issuer.
//! - [`verifier`]: the Data Integrity processor `/verify` uses for 3.0 credentials.
//! - [`di`]: the `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa §3.3): create and verify a
//!   `DataIntegrityProof`.
//!
//! See docs/open-badges-3.md for the procedures and why each choice was made.

pub mod canon;
pub mod contexts;
pub mod di;
pub mod jwk;
pub mod jwt;
pub mod multikey;
pub mod ob3;
pub mod rdfc;
pub mod verifier;
