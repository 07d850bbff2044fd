//! The JSON-LD contexts Emblem knows, bundled (crates/vc/contexts/README.md names each source
//! and licence).
//!
//! A Data Integrity proof signs the RDF a document expands to, so the contexts decide what is
//! signed. A verifier that fetched them could be made to expand the same bytes differently;
//! Emblem never fetches one. A context URL not in [`PINNED`] fails canonicalisation.

/// A context table: (URL, document) pairs. [`PINNED`] in production; tests add their own.
pub type Table = &'static [(&'static str, &'static str)];

/// VC Data Model 2.0.
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// VC Data Model 1.1 (Open Badges 3.0 credentials issued before VCDM 2.0).
pub const CREDENTIALS_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// Open Badges 3.0, the context Emblem issues with.
pub const OB_3_0_3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// 1EdTech's extensions context (`1EdTechRevocationList`, …).
pub const OB_EXTENSIONS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";
/// Data Integrity (proofs on VCDM 1.1 documents).
pub const DATA_INTEGRITY_V2: &str = "https://w3id.org/security/data-integrity/v2";
/// Data Integrity 1.0 (the draft `eddsa-2022` suite's proofs; verified, never signed).
pub const DATA_INTEGRITY_V1: &str = "https://w3id.org/security/data-integrity/v1";
/// The `Ed25519Signature2020` suite (verified, never signed).
pub const ED25519_2020_V1: &str = "https://w3id.org/security/suites/ed25519-2020/v1";
/// Multikey verification methods (controller documents).
pub const MULTIKEY_V1: &str = "https://w3id.org/security/multikey/v1";
/// DID Core 1.0: `verificationMethod` and `assertionMethod` of controller documents.
pub const DID_V1: &str = "https://www.w3.org/ns/did/v1";

const CREDENTIALS_V2_DOC: &str = include_str!("../contexts/credentials-v2.jsonld");
const OB_3_0_3_DOC: &str = include_str!("../contexts/ob-v3p0-context-3.0.3.jsonld");
const OB_EXTENSIONS_DOC: &str = include_str!("../contexts/ob-v3p0-extensions.jsonld");
const DATA_INTEGRITY_V2_DOC: &str = include_str!("../contexts/data-integrity-v2.jsonld");

/// Every context Emblem accepts.
pub const PINNED: Table = &[
    (CREDENTIALS_V2, CREDENTIALS_V2_DOC),
    (
        CREDENTIALS_V1,
        include_str!("../contexts/credentials-v1.jsonld"),
    ),
    (OB_3_0_3, OB_3_0_3_DOC),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        include_str!("../contexts/ob-v3p0-context-3.0.2.jsonld"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        include_str!("../contexts/ob-v3p0-context-3.0.1.jsonld"),
    ),
    (OB_EXTENSIONS, OB_EXTENSIONS_DOC),
    (DATA_INTEGRITY_V2, DATA_INTEGRITY_V2_DOC),
    (
        DATA_INTEGRITY_V1,
        include_str!("../contexts/data-integrity-v1.jsonld"),
    ),
    (
        ED25519_2020_V1,
        include_str!("../contexts/ed25519-signature-2020-v1.jsonld"),
    ),
    (MULTIKEY_V1, include_str!("../contexts/multikey-v1.jsonld")),
    (DID_V1, include_str!("../contexts/did-v1.jsonld")),
];

/// The contexts of what Emblem signs (its credentials and status lists), a subset of
/// [`PINNED`]: the component that signs links these alone, not the earlier versions and
/// suites only verification reads. A document naming any other context fails to sign.
pub const ISSUED: Table = &[
    (CREDENTIALS_V2, CREDENTIALS_V2_DOC),
    (OB_3_0_3, OB_3_0_3_DOC),
    (OB_EXTENSIONS, OB_EXTENSIONS_DOC),
    (DATA_INTEGRITY_V2, DATA_INTEGRITY_V2_DOC),
];

/// The document of a pinned context.
pub fn lookup(table: Table, url: &str) -> Option<&'static str> {
    table.iter().find(|(u, _)| *u == url).map(|(_, body)| *body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issued_contexts_are_pinned_ones() {
        for (url, body) in ISSUED {
            assert_eq!(lookup(PINNED, url), Some(*body), "{url}");
        }
    }

    #[test]
    fn every_pinned_context_is_a_json_ld_context() {
        for (url, body) in PINNED {
            let doc: serde_json::Value = serde_json::from_str(body).expect("test data");
            assert!(doc.get("@context").is_some_and(|c| c.is_object()), "{url}");
        }
    }
}
