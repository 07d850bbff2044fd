//! Open Badges 2.0 JSON-LD documents (docs/standards/ob2.md §2), rendered from stored records.
//!
//! 1. Every document carries `"@context": "https://w3id.org/openbadges/v2"` and a `type`.
//! 2. Ids are the exact URLs the documents are served from, under the public base URL
//!    (`<base>/issuers/<id>`, `<base>/badges/<id>`, `<base>/assertions/<id>`,
//!    `<base>/issuers/<id>/revocations`), so hosted verification can re-fetch them (docs/standards/ob2.md §3).
//! 3. Timestamps are ISO 8601 in UTC with `Z`; optional fields that are absent are omitted,
//!    never `null`.
//! 4. The issuer Profile declares `verification.startsWith` = `<base>/assertions/`: only
//!    assertions served under this instance's assertion path are in its hosting scope. The
//!    origin rule is left to its default (the issuer id's authority), which every verifier,
//!    validator-core included, applies the same on any port; `allowedOrigins` is not used,
//!    because the spec defines it as host names without a port (RFC 3986 §3.2.2) while
//!    validator-core compares it with `host:port`. The Profile also links its
//!    `revocationList`.
//! 5. Assertions use `HostedBadge` verification and a salted, hashed email identity (docs/standards/ob2.md §6).
//!    A revoked assertion is the short form `{@context, type, id, revoked: true,
//!    revocationReason}`, served with 410 (docs/standards/ob2.md §3.3).

use serde::Serialize;

use crate::base_url::BaseUrl;
use crate::clock;
use crate::model::award::Award;
use crate::model::badge::BadgeClass;
use crate::model::image_url;
use crate::model::issuer::Issuer;
use crate::model::revocations::RevocationList;

/// The Open Badges 2.0 JSON-LD context.
pub const CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// An issuer Profile.
#[derive(Debug, Serialize)]
pub struct IssuerDoc<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    name: &'a str,
    url: &'a str,
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    verification: ProfileVerification,
    #[serde(rename = "revocationList")]
    revocation_list: String,
    #[serde(rename = "publicKey", skip_serializing_if = "Option::is_none")]
    public_key: Option<String>,
}

#[derive(Debug, Serialize)]
struct ProfileVerification {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "startsWith")]
    starts_with: String,
}

impl<'a> IssuerDoc<'a> {
    /// The Profile of `issuer`.
    pub fn new(issuer: &'a Issuer, base: &BaseUrl) -> Self {
        Self {
            context: CONTEXT,
            kind: "Issuer",
            id: base.issuer(&issuer.id),
            name: &issuer.name,
            url: &issuer.url,
            email: &issuer.email,
            description: issuer.description.as_deref(),
            image: issuer
                .image
                .as_ref()
                .map(|i| image_url(i, || base.issuer_image(&issuer.id))),
            verification: ProfileVerification {
                kind: "VerificationObject",
                starts_with: base.join("/assertions/"),
            },
            revocation_list: base.revocations(&issuer.id),
            public_key: None,
        }
    }

    /// List the issuer's signing key (`publicKey`), for signed badges.
    #[must_use]
    pub fn with_public_key(mut self, key_url: String) -> Self {
        self.public_key = Some(key_url);
        self
    }
}

/// A BadgeClass.
#[derive(Debug, Serialize)]
pub struct BadgeClassDoc<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    name: &'a str,
    description: &'a str,
    image: String,
    criteria: CriteriaDoc<'a>,
    issuer: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: &'a Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alignment: Vec<AlignmentDoc<'a>>,
}

#[derive(Debug, Serialize)]
struct CriteriaDoc<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    narrative: Option<&'a str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AlignmentDoc<'a> {
    target_name: &'a str,
    target_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_framework: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_code: Option<&'a str>,
}

impl<'a> BadgeClassDoc<'a> {
    /// The BadgeClass of `badge`.
    pub fn new(badge: &'a BadgeClass, base: &BaseUrl) -> Self {
        Self {
            context: CONTEXT,
            kind: "BadgeClass",
            id: base.badge(&badge.id),
            name: &badge.name,
            description: &badge.description,
            image: image_url(&badge.image, || base.badge_image(&badge.id)),
            criteria: CriteriaDoc {
                id: badge.criteria.url.as_deref(),
                narrative: badge.criteria.narrative.as_deref(),
            },
            issuer: base.issuer(&badge.issuer_id),
            tags: &badge.tags,
            alignment: badge
                .alignment
                .iter()
                .map(|a| AlignmentDoc {
                    target_name: &a.target_name,
                    target_url: &a.target_url,
                    target_description: a.target_description.as_deref(),
                    target_framework: a.target_framework.as_deref(),
                    target_code: a.target_code.as_deref(),
                })
                .collect(),
        }
    }
}

/// A hosted Assertion.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssertionDoc<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    recipient: IdentityDoc<'a>,
    badge: String,
    verification: HostedVerification,
    issued_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    evidence: Vec<EvidenceDoc<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    narrative: Option<&'a str>,
    #[serde(
        rename = "extensions:recipientProfile",
        skip_serializing_if = "Option::is_none"
    )]
    recipient_profile: Option<RecipientProfileDoc<'a>>,
}

/// The 1EdTech Recipient Profile extension: the earner's name beside the hashed identity.
#[derive(Debug, Serialize)]
struct RecipientProfileDoc<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "type")]
    kind: [&'static str; 2],
    name: &'a str,
}

/// The context of the Recipient Profile extension.
pub const RECIPIENT_PROFILE_CONTEXT: &str =
    "https://openbadgespec.org/extensions/recipientProfile/context.json";

#[derive(Debug, Serialize)]
struct IdentityDoc<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    hashed: bool,
    salt: &'a str,
    identity: &'a str,
}

#[derive(Debug, Serialize)]
struct HostedVerification {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct EvidenceDoc<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    narrative: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

impl<'a> AssertionDoc<'a> {
    /// The Assertion of `award` (not revoked; see [`RevokedAssertionDoc`]).
    pub fn new(award: &'a Award, base: &BaseUrl) -> Self {
        Self {
            context: CONTEXT,
            kind: "Assertion",
            id: base.assertion(&award.id),
            recipient: IdentityDoc {
                kind: "email",
                hashed: true,
                salt: &award.recipient.salt,
                identity: &award.recipient.identity,
            },
            badge: base.badge(&award.badge_id),
            verification: HostedVerification {
                kind: "HostedBadge",
            },
            issued_on: clock::format(award.issued_on),
            expires: award.expires.map(clock::format),
            evidence: award
                .evidence
                .iter()
                .map(|e| EvidenceDoc {
                    kind: "Evidence",
                    id: e.url.as_deref(),
                    narrative: e.narrative.as_deref(),
                    name: e.name.as_deref(),
                    description: e.description.as_deref(),
                })
                .collect(),
            narrative: award.narrative.as_deref(),
            recipient_profile: award
                .recipient
                .name
                .as_deref()
                .map(|name| RecipientProfileDoc {
                    context: RECIPIENT_PROFILE_CONTEXT,
                    kind: ["Extension", "extensions:RecipientProfile"],
                    name,
                }),
        }
    }
}

/// The body of a revoked assertion (served with 410).
#[derive(Debug, Serialize)]
pub struct RevokedAssertionDoc<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    revoked: bool,
    #[serde(rename = "revocationReason")]
    revocation_reason: &'a str,
}

impl<'a> RevokedAssertionDoc<'a> {
    /// The revoked form of `award` (its reason, or an empty string if not revoked).
    pub fn new(award: &'a Award, base: &BaseUrl) -> Self {
        Self {
            context: CONTEXT,
            kind: "Assertion",
            id: base.assertion(&award.id),
            revoked: true,
            revocation_reason: award.revoked.as_ref().map_or("", |r| r.reason.as_str()),
        }
    }
}

/// An issuer's RevocationList.
#[derive(Debug, Serialize)]
pub struct RevocationListDoc<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    issuer: String,
    #[serde(rename = "revokedAssertions")]
    revoked_assertions: Vec<RevokedRef<'a>>,
}

#[derive(Debug, Serialize)]
struct RevokedRef<'a> {
    id: String,
    #[serde(rename = "revocationReason")]
    revocation_reason: &'a str,
}

impl<'a> RevocationListDoc<'a> {
    /// The revocation list of issuer `issuer_id`.
    pub fn new(issuer_id: &str, list: &'a RevocationList, base: &BaseUrl) -> Self {
        Self {
            context: CONTEXT,
            kind: "RevocationList",
            id: base.revocations(issuer_id),
            issuer: base.issuer(issuer_id),
            revoked_assertions: list
                .entries
                .iter()
                .map(|e| RevokedRef {
                    id: base.assertion(&e.assertion_id),
                    revocation_reason: &e.reason,
                })
                .collect(),
        }
    }
}

/// Serialise a document as compact JSON.
pub fn to_vec<T: Serialize>(doc: &T) -> Vec<u8> {
    // The documents hold only strings, booleans and containers: serialising cannot fail.
    serde_json::to_vec(doc).unwrap_or_default()
}

/// Fixture records shared by the renderer tests and the benchmark.
pub mod fixtures {
    use time::macros::datetime;

    use crate::image::ImageType;
    use crate::model::award::{
        Acceptance, AcceptanceState, Award, Evidence, Revocation, Visibility,
    };
    use crate::model::badge::{Alignment, BadgeClass, Criteria};
    use crate::model::issuer::Issuer;
    use crate::model::revocations::{RevocationList, RevokedEntry};
    use crate::model::{ImageRef, V1};
    use crate::recipient::{Recipient, identity_hash};

    /// Issuer id of the fixtures.
    pub const ISSUER_ID: &str = "6f1c2f4e-8a5b-4c3d-9e2f-1a2b3c4d5e6f";
    /// Badge class id of the fixtures.
    pub const BADGE_ID: &str = "0b9e5a5c-1f5e-4b7b-9f4c-2e1a6a9b7c3d";
    /// Award id of the fixtures.
    pub const AWARD_ID: &str = "c0ffee00-1234-4abc-8def-0123456789ab";

    /// An issuer with an uploaded logo.
    pub fn issuer() -> Issuer {
        Issuer {
            v: V1,
            id: ISSUER_ID.into(),
            name: "Example Academy".into(),
            url: "https://academy.example.org".into(),
            email: "badges@academy.example.org".into(),
            description: Some("Short courses in systems programming.".into()),
            image: Some(ImageRef::Hosted {
                content_type: ImageType::Png,
            }),
            linkedin_organization_id: Some("1337".into()),
            webhook_url: None,
            webhook_secret: None,
            status_method: Default::default(),
            created_at: datetime!(2026-01-01 09:00 UTC),
        }
    }

    /// A badge class with criteria, tags and an alignment.
    pub fn badge() -> BadgeClass {
        BadgeClass {
            v: V1,
            id: BADGE_ID.into(),
            issuer_id: ISSUER_ID.into(),
            name: "Rust Basics".into(),
            description: "Understands ownership, borrowing and lifetimes.".into(),
            image: ImageRef::Hosted {
                content_type: ImageType::Svg,
            },
            criteria: Criteria {
                narrative: Some("Pass the **final exam** with 80% or more.".into()),
                url: Some("https://academy.example.org/rust/criteria".into()),
            },
            tags: vec!["rust".into(), "programming".into()],
            alignment: vec![Alignment {
                target_name: "Programming in Rust".into(),
                target_url: "https://skills.example.org/rust".into(),
                target_description: None,
                target_framework: Some("Example Skills".into()),
                target_code: Some("RS-1".into()),
            }],
            expires_after_days: Some(365),
            duplicate_policy: Default::default(),
            supersedes: None,
            superseded_by: None,
            created_at: datetime!(2026-01-02 09:00 UTC),
        }
    }

    /// An accepted award with evidence and an expiry.
    pub fn award() -> Award {
        let salt = "a1b2c3d4e5f60718293a4b5c6d7e8f90".to_owned();
        Award {
            v: V1,
            id: AWARD_ID.into(),
            issuer_id: ISSUER_ID.into(),
            badge_id: BADGE_ID.into(),
            recipient: Recipient {
                email: "alice@example.org".into(),
                identity: identity_hash("alice@example.org", &salt),
                salt,
                name: None,
            },
            issued_on: datetime!(2026-11-22 10:00 UTC),
            expires: Some(datetime!(2027-11-22 10:00 UTC)),
            evidence: vec![Evidence {
                url: Some("https://github.com/alice/parser".into()),
                narrative: None,
                name: Some("A parser".into()),
                description: None,
            }],
            narrative: Some("Built a JSON parser.".into()),
            acceptance: Acceptance {
                state: AcceptanceState::Accepted,
                changed_at: Some(datetime!(2026-11-23 08:00 UTC)),
            },
            visibility: Visibility::Public,
            revoked: None,
            recertifications: vec![],
            claim: None,
            status_index: None,
            created_at: datetime!(2026-11-22 10:00 UTC),
        }
    }

    /// The award, revoked.
    pub fn revoked_award() -> Award {
        let mut a = award();
        a.revoked = Some(Revocation {
            reason: "Issued in error".into(),
            revoked_at: datetime!(2026-12-01 12:00 UTC),
        });
        a
    }

    /// A revocation list with the revoked award.
    pub fn revocations() -> RevocationList {
        RevocationList {
            v: V1,
            entries: vec![RevokedEntry {
                assertion_id: AWARD_ID.into(),
                reason: "Issued in error".into(),
                revoked_at: datetime!(2026-12-01 12:00 UTC),
                status_index: None,
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use serde_json::{Value, json};

    fn base() -> BaseUrl {
        BaseUrl::parse("https://badges.example.org").expect("base")
    }

    fn render<T: Serialize>(doc: &T) -> Value {
        serde_json::from_slice(&to_vec(doc)).expect("json")
    }

    fn fixture(text: &str) -> Value {
        serde_json::from_str(text).expect("fixture JSON")
    }

    #[test]
    fn an_issuer_profile_matches_its_fixture() {
        let issuer = issuer();
        assert_eq!(
            render(&IssuerDoc::new(&issuer, &base())),
            fixture(include_str!("../tests/fixtures/issuer-profile.json"))
        );
    }

    #[test]
    fn a_badge_class_matches_its_fixture() {
        let badge = badge();
        assert_eq!(
            render(&BadgeClassDoc::new(&badge, &base())),
            fixture(include_str!("../tests/fixtures/badgeclass.json"))
        );
    }

    #[test]
    fn an_assertion_matches_its_fixture() {
        let award = award();
        assert_eq!(
            render(&AssertionDoc::new(&award, &base())),
            fixture(include_str!("../tests/fixtures/assertion.json"))
        );
    }

    #[test]
    fn a_revoked_assertion_matches_its_fixture() {
        let award = revoked_award();
        assert_eq!(
            render(&RevokedAssertionDoc::new(&award, &base())),
            fixture(include_str!("../tests/fixtures/assertion-revoked-410.json"))
        );
    }

    #[test]
    fn a_revocation_list_matches_its_fixture() {
        let list = revocations();
        assert_eq!(
            render(&RevocationListDoc::new(ISSUER_ID, &list, &base())),
            fixture(include_str!("../tests/fixtures/revocation-list.json"))
        );
    }

    #[test]
    fn an_empty_revocation_list_has_an_empty_array() {
        let list = RevocationList::default();
        let doc = render(&RevocationListDoc::new(ISSUER_ID, &list, &base()));
        assert_eq!(doc["revokedAssertions"], json!([]));
    }

    #[test]
    fn absent_optional_fields_are_omitted_never_null() {
        let mut issuer = issuer();
        issuer.description = None;
        issuer.image = None;
        let mut award = award();
        award.expires = None;
        award.evidence.clear();
        award.narrative = None;
        let mut badge = badge();
        badge.tags.clear();
        badge.alignment.clear();
        badge.criteria.url = None;
        for doc in [
            render(&IssuerDoc::new(&issuer, &base())),
            render(&AssertionDoc::new(&award, &base())),
            render(&BadgeClassDoc::new(&badge, &base())),
        ] {
            let text = doc.to_string();
            assert!(!text.contains("null"), "{text}");
        }
        let doc = render(&AssertionDoc::new(&award, &base()));
        for absent in ["expires", "evidence", "narrative"] {
            assert!(doc.get(absent).is_none(), "{absent}");
        }
    }

    #[test]
    fn remote_images_are_referenced_as_given() {
        let mut badge = badge();
        badge.image = crate::model::ImageRef::Remote {
            url: "https://cdn.example.org/rust.png".into(),
        };
        assert_eq!(
            render(&BadgeClassDoc::new(&badge, &base()))["image"],
            "https://cdn.example.org/rust.png"
        );
    }

    #[test]
    fn the_hosting_scope_is_this_instances_assertion_path_on_any_port() {
        let base = BaseUrl::parse("http://127.0.0.1:3000").expect("base");
        let issuer = issuer();
        let doc = render(&IssuerDoc::new(&issuer, &base));
        assert_eq!(
            doc["verification"],
            serde_json::json!({"type": "VerificationObject",
                "startsWith": "http://127.0.0.1:3000/assertions/"})
        );
        assert_eq!(
            doc["id"],
            format!("http://127.0.0.1:3000/issuers/{ISSUER_ID}")
        );
    }
}
