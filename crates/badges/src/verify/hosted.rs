//! Hosted badges (HostedBadge): the assertion served at its id is the badge
//! (`docs/open-badges.md`, "Hosted verification").
//!
//! 1. The assertion is always fetched from its URL; a pasted or baked copy is only a pointer.
//!    410 → revoked; 404 → invalid; a network failure or another status → unverifiable.
//! 2. A URL that serves a baked image is read through the image: the badge inside is verified
//!    (its hosted original fetched from its own id, or its signature checked).
//! 3. The `id` is the authority: a document that declares another http(s) id is fetched again
//!    from there, with a warning, and that copy is verified.
//! 4. 1.x and 0.5 assertions are upgraded ([`super::legacy`]) and checked by their era's rules.

use serde_json::Value;
use time::OffsetDateTime;

use super::check::{Check, Effect};
use super::docs::{self, DocVersion};
use super::fetch::{Fetch, Fetched};
use super::flow::{self, Verification, badge_and_issuer, check_assertion};
use super::input::Claimant;
use super::load::{Failure, Loader};
use super::ob3::{self, DataIntegrity};
use super::rules;
use crate::bake::{self, Limits, Version};

/// Most hops from the URL given to the document verified: an image, then its badge's id, then
/// the id that document declares.
const MAX_HOPS: usize = 3;

/// What a fetched answer turned out to be.
enum Answer {
    /// An assertion document.
    Doc(Value),
    /// A baked image holding a URL.
    ImageUrl(String),
    /// A baked image holding a compact JWS.
    ImageJws(String),
    /// A baked image holding an assertion as JSON.
    ImageJson(Value),
}

fn read(got: &Fetched) -> Result<Answer, Failure> {
    if got.is_image() {
        let unbaked = bake::unbake(&got.body, &Limits::default()).map_err(|e| {
            Failure::invalid(format!("{} answered with an image that {e}", got.url))
        })?;
        let found = unbaked
            .found
            .iter()
            .find(|f| f.version == Version::V2)
            .or_else(|| unbaked.found.first())
            .ok_or_else(|| {
                Failure::invalid(format!(
                    "{} answered with an image that holds no badge.",
                    got.url
                ))
            })?;
        let payload = bake::Payload::classify(&found.payload);
        let answer = match payload.kind {
            bake::PayloadKind::Url => Answer::ImageUrl(payload.text),
            bake::PayloadKind::Jws => Answer::ImageJws(payload.text),
            bake::PayloadKind::Json => serde_json::from_str::<Value>(&payload.text)
                .ok()
                .filter(Value::is_object)
                .map(Answer::ImageJson)
                .ok_or_else(|| {
                    Failure::invalid(format!(
                        "{} answered with an image whose badge is not a JSON object.",
                        got.url
                    ))
                })?,
            bake::PayloadKind::Text => {
                return Err(Failure::invalid(format!(
                    "{} answered with an image whose payload is neither a URL, JSON nor a JWS.",
                    got.url
                )));
            }
        };
        return Ok(answer);
    }
    serde_json::from_slice::<Value>(&got.body)
        .ok()
        .filter(Value::is_object)
        .map(Answer::Doc)
        .ok_or_else(|| {
            Failure::invalid(format!(
                "{} answered {} with a body that is not a JSON object (Content-Type {:?}).",
                got.url,
                got.status,
                got.content_type.as_deref().unwrap_or("none")
            ))
        })
}

/// Verify the hosted assertion at `url`.
pub(super) async fn verify<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    url: &str,
    recipient: Option<&Claimant>,
    now: OffsetDateTime,
    di: &dyn DataIntegrity,
    v: &mut Verification,
) {
    v.kind = Some("hosted");
    let mut url = url.to_owned();
    let mut notes: Vec<String> = Vec::new();
    let mut hops = 0;
    let (doc, era, version) = loop {
        v.subject = Some(url.clone());
        let got = match load.get(&url).await {
            Ok(got) => got,
            Err(e) => {
                let f = Failure::fetch(&e);
                v.checks.fail(Check::Fetch, f.effect, f.message);
                return;
            }
        };
        match got.status {
            200 => {}
            410 => {
                v.checks
                    .pass(Check::Fetch, format!("Fetched {url}: 410 Gone."));
                let reason = serde_json::from_slice::<Value>(&got.body)
                    .ok()
                    .and_then(|d| docs::str_of(&d, "revocationReason").map(str::to_owned));
                v.checks.fail(
                    Check::Revocation,
                    Effect::Revoked,
                    flow::revoked_message(reason.as_deref(), "its server answers 410 Gone"),
                );
                return;
            }
            404 => {
                v.checks.fail(
                    Check::Fetch,
                    Effect::Invalid,
                    format!(
                        "{url} answered 404 Not Found: the issuer's server has no such assertion."
                    ),
                );
                return;
            }
            status => {
                v.checks.fail(
                    Check::Fetch,
                    Effect::Unverifiable,
                    format!("{url} answered {status}; the assertion could not be fetched."),
                );
                return;
            }
        }
        hops += 1;
        let next = match read(&got) {
            Err(f) => {
                v.checks.fail(Check::Fetch, f.effect, f.message);
                return;
            }
            Ok(Answer::ImageJws(text)) => {
                v.checks.pass(
                    Check::Fetch,
                    format!("{url} serves a baked image holding a signed badge, verified below."),
                );
                flow::signed_text(load, &text, recipient, now, di, v).await;
                return;
            }
            Ok(Answer::ImageUrl(next)) => {
                notes.push(format!("{url} serves a baked image of the badge at {next}"));
                next
            }
            Ok(Answer::ImageJson(d)) if docs::version(&d) == DocVersion::V3 => {
                v.checks.pass(
                    Check::Fetch,
                    format!("{url} serves a baked image holding an Open Badges 3.0 credential."),
                );
                ob3::verify(load, &d, None, recipient, now, di, v).await;
                return;
            }
            Ok(Answer::ImageJson(d)) => match flow::pointer(&d) {
                Ok(next) => {
                    notes.push(format!("{url} serves a baked image of the badge at {next}"));
                    next
                }
                Err((check, f)) => {
                    v.checks.pass(
                        Check::Fetch,
                        format!("{url} serves a baked image; its badge is read below."),
                    );
                    v.checks.fail(check, f.effect, f.message);
                    return;
                }
            },
            Ok(Answer::Doc(doc)) => {
                if let Some(kind) = ["BadgeClass", "Issuer", "Profile"]
                    .into_iter()
                    .find(|k| docs::has_type(&doc, k) && !docs::has_type(&doc, "Assertion"))
                {
                    v.checks.pass(Check::Fetch, format!("Fetched {url}."));
                    v.checks.fail(
                        Check::Assertion,
                        Effect::Invalid,
                        format!(
                            "{url} is an Open Badges {kind}, not an Assertion: it describes a \
                             badge or an issuer but awards nothing to anyone. Verify an \
                             assertion (an awarded badge)."
                        ),
                    );
                    return;
                }
                if docs::version(&doc) == DocVersion::V3 {
                    v.checks.pass(
                        Check::Fetch,
                        format!("Fetched {url}: an Open Badges 3.0 credential."),
                    );
                    ob3::verify(load, &doc, Some(&url), recipient, now, di, v).await;
                    return;
                }
                let (doc, era, version) = match flow::as_2_0(&doc, Some(&url)) {
                    Ok(read) => read,
                    Err(f) => {
                        v.checks.pass(Check::Fetch, format!("Fetched {url}."));
                        v.checks.fail(Check::Version, f.effect, f.message);
                        return;
                    }
                };
                let declared = docs::str_of(&doc, "id").unwrap_or_default().to_owned();
                if declared == url || declared == got.url {
                    break (doc, era, version);
                }
                if !docs::is_http_url(&declared) || hops >= MAX_HOPS {
                    v.checks.pass(Check::Fetch, format!("Fetched {url}."));
                    v.checks
                        .pass(Check::Version, flow::version_message(version));
                    v.checks.fail(
                        Check::Id,
                        Effect::Invalid,
                        format!(
                            "The document at {url} declares its id as {declared:?}. A hosted \
                             assertion's id must be the URL it is served from."
                        ),
                    );
                    return;
                }
                notes.push(format!(
                    "the document at {url} declares its id as {declared}; the id is \
                     authoritative, so the assertion was fetched again from there"
                ));
                declared
            }
        };
        if hops >= MAX_HOPS {
            v.checks.fail(
                Check::Fetch,
                Effect::Invalid,
                format!("{url}: too many hops (images and ids) before an assertion."),
            );
            return;
        }
        url = next;
    };
    v.checks.pass(
        Check::Fetch,
        format!("Fetched the assertion from its id {url}; only this copy is trusted."),
    );
    v.checks
        .pass(Check::Version, flow::version_message(version));
    if notes.is_empty() {
        v.checks.pass(
            Check::Id,
            "The assertion's id is the URL it was fetched from.",
        );
    } else {
        v.checks
            .warn(Check::Id, format!("Note: {}.", notes.join("; ")));
    }
    if doc.get("revoked") == Some(&Value::Bool(true)) {
        let reason = docs::str_of(&doc, "revocationReason").map(str::to_owned);
        v.checks.fail(
            Check::Revocation,
            Effect::Revoked,
            flow::revoked_message(reason.as_deref(), "the assertion says revoked: true"),
        );
        return;
    }
    v.assertion = Some(doc.clone());
    v.checks
        .skip(Check::Key, "Hosted badge: there is no signature key.");
    v.checks.skip(
        Check::Signature,
        "Hosted badge: nothing is signed; the issuer's server vouches for it.",
    );
    if docs::verification_kind(&doc) == Some("signed") {
        v.checks.fail(
            Check::Assertion,
            Effect::Invalid,
            "The hosted document declares SignedBadge verification; verify its JWS instead.",
        );
        return;
    }
    if !check_assertion(&doc, era, v) {
        return;
    }
    let Some((badge, issuer)) = badge_and_issuer(load, &doc, era, v).await else {
        return;
    };
    rules::scope(&url, &issuer, v);
    rules::dates(&doc, now, v);
    v.checks.pass(
        Check::Revocation,
        "Not revoked: the issuer's server serves the assertion (200) without revoked: true.",
    );
    rules::recipient(&doc, recipient, v);
    rules::images(&doc, &badge.doc, v);
}
