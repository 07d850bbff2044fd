//! The verification flow: from what was handed in to a [`Verification`], as typed checks in
//! four phases (`docs/open-badges.md`, "Verifying a 2.0 badge"):
//!
//! 1. input: what was handed in, and its version (`input`, `version`). A pasted or baked
//!    hosted assertion is only a pointer to its URL.
//! 2. fetch: the hosted assertion from its id ([`super::hosted`]); every linked node (class,
//!    issuer, key, revocation list) from its own http(s) id ([`super::load`]), never as
//!    embedded.
//! 3. validate: the required properties and types of each class, by the rules of the
//!    version the badge was issued under ([`check_assertion`], [`badge_and_issuer`]).
//! 4. verify: scope ([`super::rules::scope`]) or key and signature ([`super::signed`]), dates,
//!    revocation, recipient, images.
//!
//! A check whose prerequisite failed is recorded as skipped, never crashed.

use serde_json::Value;
use time::OffsetDateTime;

use super::check::{Check, Checks, Effect};
use super::docs::{self, DocVersion, Era};
use super::fetch::Fetch;
use super::hosted;
use super::input::{Claimant, Subject, VerifyRequest};
use super::jws::Jws;
use super::legacy;
use super::load::{Failure, Loader, Node};
use super::ob3::{self, DataIntegrity, NoDataIntegrity};
use super::signed;

/// The result of a verification. Only [`run`] makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// The checks, in [`Check::ALL`] order.
    pub checks: Checks,
    /// `hosted` or `signed`, once known.
    pub kind: Option<&'static str>,
    /// The assertion id verified, once known.
    pub subject: Option<String>,
    /// How the badge was handed in.
    pub source: &'static str,
    /// The verified assertion (the fetched copy for hosted badges; upgraded when 1.x).
    pub assertion: Option<Value>,
    /// The badge class, once loaded.
    pub badge: Option<Value>,
    /// The issuer Profile, once loaded (as fetched from its id).
    pub issuer: Option<Value>,
}

impl Verification {
    pub(super) fn new(source: &'static str) -> Self {
        Self {
            checks: Checks::new(),
            kind: None,
            subject: None,
            source,
            assertion: None,
            badge: None,
            issuer: None,
        }
    }

    /// An empty verification (tests of code that keeps verifications).
    #[cfg(any(test, feature = "fixtures"))]
    pub fn default_for_tests() -> Self {
        Self::new("url")
    }
}

/// Verify `req` at `now`, fetching through `fetch`, without a Data Integrity processor (Open
/// Badges 3.0 proofs are then unverifiable; the app uses [`run_with`]).
pub async fn run<F: Fetch + ?Sized>(
    fetch: &F,
    req: &VerifyRequest,
    now: OffsetDateTime,
) -> Verification {
    run_with(fetch, req, now, &NoDataIntegrity).await
}

/// Verify `req` at `now`, fetching through `fetch`; Open Badges 3.0 proofs are checked by `di`.
pub async fn run_with<F: Fetch + ?Sized>(
    fetch: &F,
    req: &VerifyRequest,
    now: OffsetDateTime,
    di: &dyn DataIntegrity,
) -> Verification {
    let load = Loader::new(fetch);
    let mut v = Verification::new(req.source);
    let how = match req.source {
        "png" => "a baked PNG image",
        "svg" => "a baked SVG image",
        "url" => "a URL",
        "jws" => "a compact JWS",
        _ => "a JSON assertion",
    };
    let recipient = req.recipient.as_ref();
    match &req.subject {
        Subject::NoBadge(why) => {
            v.checks.fail(
                Check::Input,
                Effect::Invalid,
                format!("Read {how}, but it {why}: there is no badge to verify."),
            );
        }
        Subject::Jws(jws) => {
            v.checks.pass(
                Check::Input,
                format!("Read {how} holding a signed assertion (compact JWS)."),
            );
            signed_text(&load, jws, recipient, now, di, &mut v).await;
        }
        Subject::Url(url) => {
            v.checks.pass(
                Check::Input,
                format!("Read {how} pointing at a hosted assertion: {url}."),
            );
            hosted::verify(&load, url, recipient, now, di, &mut v).await;
        }
        Subject::Json(doc) if docs::version(doc) == DocVersion::V3 => {
            v.checks.pass(
                Check::Input,
                format!("Read {how} holding an Open Badges 3.0 credential."),
            );
            ob3::verify(&load, doc, None, recipient, now, di, &mut v).await;
        }
        Subject::Json(doc) => match pointer(doc) {
            Ok(url) => {
                v.checks.pass(
                    Check::Input,
                    format!(
                        "Read {how}. It is used only to find the hosted original at {url}, which \
                         is fetched and verified instead (Open Badges hosted verification)."
                    ),
                );
                hosted::verify(&load, &url, recipient, now, di, &mut v).await;
            }
            Err((check, f)) => {
                v.checks.pass(Check::Input, format!("Read {how}."));
                v.checks.fail(check, f.effect, f.message);
            }
        },
    }
    v.checks
        .finish("Not run: an earlier check failed or this check does not apply.");
    v
}

/// Verify a compact JWS: parse it, read its payload's version, then the signed procedure.
pub(super) async fn signed_text<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    text: &str,
    recipient: Option<&Claimant>,
    now: OffsetDateTime,
    di: &dyn DataIntegrity,
    v: &mut Verification,
) {
    v.kind = Some("signed");
    let jws = match Jws::parse(text) {
        Ok(j) => j,
        Err(e) => {
            v.checks.fail(
                Check::Signature,
                Effect::Invalid,
                format!("The signed assertion {e}."),
            );
            return;
        }
    };
    let payload = &jws.payload;
    let credential = payload
        .get("vc")
        .filter(|c| c.is_object())
        .unwrap_or(payload);
    if docs::version(credential) == DocVersion::V3 {
        ob3::verify_jwt(load, &jws, recipient, now, di, v).await;
        return;
    }
    v.subject = docs::str_of(payload, "id").map(str::to_owned);
    let (doc, era, version) = match as_2_0(payload, None) {
        Ok(read) => read,
        Err(f) => {
            v.checks.fail(Check::Version, f.effect, f.message);
            return;
        }
    };
    v.checks.pass(Check::Version, version_message(version));
    signed::verify(load, &jws, doc, era, recipient, now, v).await;
}

/// An assertion in 2.0's shape, its era and the version it declared: a 2.0 document as it is,
/// an older one upgraded ([`legacy::assertion`]; `fetched_from` is where it was served), or
/// why it cannot be read (the `version` check's failure).
pub(super) fn as_2_0(
    doc: &Value,
    fetched_from: Option<&str>,
) -> Result<(Value, Era, DocVersion), Failure> {
    match docs::version(doc) {
        DocVersion::V2 => Ok((doc.clone(), Era::V2, DocVersion::V2)),
        old if old.is_legacy() => legacy::assertion(doc, old, fetched_from)
            .map(|up| (up, Era::Legacy, old))
            .map_err(|why| {
                Failure::invalid(format!(
                    "This Open Badges {} assertion cannot be read: {why}.",
                    old.label()
                ))
            }),
        other => Err(version_failure(other)),
    }
}

/// The `version` check's message for a document read by [`as_2_0`].
pub(super) fn version_message(version: DocVersion) -> String {
    match version {
        DocVersion::V2 => "Open Badges 2.0.".to_owned(),
        old => format!(
            "Open Badges {}, upgraded to 2.0 as validator-core does.",
            old.label()
        ),
    }
}

/// The hosted URL a pasted or baked assertion points at, or the check that fails.
pub(super) fn pointer(doc: &Value) -> Result<String, (Check, Failure)> {
    let version = docs::version(doc);
    let url = match version {
        DocVersion::V2 => docs::str_of(doc, "id"),
        DocVersion::V1_1 | DocVersion::V1_0 => docs::str_of(doc, "id")
            .filter(|id| docs::is_http_url(id))
            .or_else(|| doc.pointer("/verify/url").and_then(Value::as_str)),
        DocVersion::V0_5 => {
            return Err((
                Check::Id,
                Failure::unverifiable(
                    "This is an Open Badges 0.5 assertion, which does not say where it is \
                     hosted. Verify it by the URL it is served from.",
                ),
            ));
        }
        other => return Err((Check::Version, version_failure(other))),
    };
    if docs::verification_kind(doc) == Some("signed") {
        return Err((
            Check::Signature,
            Failure::unverifiable(
                "This assertion declares SignedBadge verification but came without its \
                 signature. Send the compact JWS (or the baked image) instead.",
            ),
        ));
    }
    match url {
        Some(id) if docs::is_http_url(id) => Ok(id.to_owned()),
        Some(id) => Err((
            Check::Id,
            Failure::invalid(format!(
                "A hosted assertion's id must be the URL it is served from; found {id:?}."
            )),
        )),
        None => Err((
            Check::Id,
            Failure::invalid("The assertion has no id, so its hosted original cannot be found."),
        )),
    }
}

/// Why a document of this version is not verified here.
pub(super) fn version_failure(v: DocVersion) -> Failure {
    match v {
        DocVersion::V3 => Failure::invalid(
            "This is an Open Badges 3.0 credential where an Open Badges 2.0 assertion was \
             expected.",
        ),
        _ => Failure::invalid(
            "This is not an Open Badges document: its @context is not \
             https://w3id.org/openbadges/v2 (or v1), and it has no 1.x shape either.",
        ),
    }
}

/// A sentence for a revoked badge.
pub(super) fn revoked_message(reason: Option<&str>, how: &str) -> String {
    match reason.filter(|r| !r.trim().is_empty()) {
        Some(r) => format!("Revoked by the issuer ({how}). Reason: {r}"),
        None => format!("Revoked by the issuer ({how})."),
    }
}

/// `assertion`: the required properties and types; true when they hold.
pub(super) fn check_assertion(doc: &Value, era: Era, v: &mut Verification) -> bool {
    let problems = docs::assertion_problems(doc, era);
    if problems.is_empty() {
        v.checks.pass(
            Check::Assertion,
            "The assertion has every required property, with the right types.",
        );
        return true;
    }
    v.checks.fail(
        Check::Assertion,
        Effect::Invalid,
        format!("The assertion is not valid: {}.", problems.join("; ")),
    );
    false
}

fn record(v: &mut Verification, check: Check, passed: String, notes: &[String]) {
    if notes.is_empty() {
        v.checks.pass(check, passed);
    } else {
        v.checks
            .warn(check, format!("{passed} Note: {}.", notes.join("; ")));
    }
}

/// `badgeclass` and `issuer`: each loaded from its own id ([`Loader::linked`]), upgraded when
/// the badge is 1.x, and checked by its era's rules.
pub(super) async fn badge_and_issuer<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    doc: &Value,
    era: Era,
    v: &mut Verification,
) -> Option<(Node, Node)> {
    let mut badge = match load.linked(doc.get("badge"), "BadgeClass").await {
        Ok(node) => node,
        Err(f) => {
            v.checks.fail(Check::BadgeClass, f.effect, f.message);
            return None;
        }
    };
    if era == Era::Legacy && !badge.embedded {
        badge.doc = legacy::badge_class(&badge.doc, Some(&badge.id));
    }
    let problems = docs::badge_problems(&badge.doc, era);
    if !problems.is_empty() {
        v.checks.fail(
            Check::BadgeClass,
            Effect::Invalid,
            format!("The BadgeClass is not valid: {}.", problems.join("; ")),
        );
        return None;
    }
    let name = docs::str_of(&badge.doc, "name").unwrap_or_default();
    let described = if badge.id.is_empty() {
        format!("BadgeClass {name:?} (embedded).")
    } else {
        format!("BadgeClass {name:?} ({}).", badge.id)
    };
    record(v, Check::BadgeClass, described, &badge.notes);
    v.badge = Some(badge.doc.clone());
    let mut issuer = match load.linked(badge.doc.get("issuer"), "issuer Profile").await {
        Ok(node) => node,
        Err(f) => {
            v.checks.fail(Check::Issuer, f.effect, f.message);
            return None;
        }
    };
    if era == Era::Legacy && !issuer.embedded {
        issuer.doc = legacy::issuer_doc(&issuer.doc, Some(&issuer.id));
    }
    let problems = docs::issuer_problems(&issuer.doc, era);
    if !problems.is_empty() {
        v.checks.fail(
            Check::Issuer,
            Effect::Invalid,
            format!("The issuer Profile is not valid: {}.", problems.join("; ")),
        );
        return None;
    }
    let name = docs::str_of(&issuer.doc, "name").unwrap_or_default();
    record(
        v,
        Check::Issuer,
        format!("Issued by {name:?} ({}).", issuer.id),
        &issuer.notes,
    );
    v.issuer = Some(issuer.doc.clone());
    Some((badge, issuer))
}
