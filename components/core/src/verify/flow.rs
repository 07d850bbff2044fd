//! The verification flow for Open Badges 2.0 (SPEC-NOTES §1.3–§1.6), as ordered named checks.
//!
//! Hosted badges ([`hosted`]):
//! 1. `input`: what was handed in; the hosted id is taken from it (a pasted or baked copy is
//!    only a pointer, §1.3 step 4). `version`: 1.x and 3.0 are refused by name.
//! 2. `fetch`: the assertion is always re-fetched from its id. 410 → revoked; 404 → invalid;
//!    a network failure or 5xx → unverifiable. An image answer is unbaked.
//! 3. `id`: the fetched `id` must be the URL it came from (no silent switch, validator-core
//!    issue #249). `revoked: true` in a 200 body → revoked.
//! 4. `assertion`, `badgeclass`, `issuer`: required properties and types; the class and the
//!    profile are fetched when given as IRIs.
//! 5. `scope`: the issuer's `verification` policy (`startsWith`, `allowedOrigins`; default the
//!    issuer id's authority).
//! 6. `issuedOn` (not in the future), `expiry` (`expires` after `issuedOn`, not past).
//! 7. `revocation`, `recipient` (salted hash; email trimmed and lower-cased as a second try),
//!    `image` (PNG or SVG).
//!
//! Signed badges ([`signed`]) replace `fetch`/`scope` with `key` (from `verification.creator`,
//! else the issuer's `publicKey` list; owned by the issuer) and `signature` (RS256 only), and
//! check revocation against the issuer's `revocationList`.
//!
//! A check whose prerequisite failed is recorded as skipped, never crashed.

use serde_json::Value;
use time::OffsetDateTime;

use super::check::{Checks, Effect};
use super::docs::{self, DocVersion};
use super::fetch::{Fetch, FetchError, Fetched};
use super::input::{Claimant, IdentityKind, Subject, VerifyRequest};
use super::jws::Jws;
use crate::bake::{self, Limits, Version};
use crate::clock;
use crate::recipient::identity_hash;

/// Every check, in report order.
pub const CHECKS: [&str; 15] = [
    "input",
    "version",
    "fetch",
    "id",
    "assertion",
    "badgeclass",
    "issuer",
    "scope",
    "key",
    "signature",
    "issuedOn",
    "expiry",
    "revocation",
    "recipient",
    "image",
];

/// The result of a verification.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// The checks, in [`CHECKS`] order.
    pub checks: Checks,
    /// `hosted` or `signed`, once known.
    pub kind: Option<&'static str>,
    /// The assertion id verified, once known.
    pub subject: Option<String>,
    /// How the badge was handed in.
    pub source: &'static str,
    /// The verified assertion (the fetched copy for hosted badges).
    pub assertion: Option<Value>,
    /// The badge class, once loaded.
    pub badge: Option<Value>,
    /// The issuer Profile, once loaded.
    pub issuer: Option<Value>,
}

impl Verification {
    fn new(source: &'static str) -> Self {
        Self {
            checks: Checks::default(),
            kind: None,
            subject: None,
            source,
            assertion: None,
            badge: None,
            issuer: None,
        }
    }

    /// An empty verification (tests of code that keeps verifications).
    #[cfg(test)]
    pub(crate) fn default_for_tests() -> Self {
        Self::new("url")
    }

    /// Put the checks in report order and skip those never reached.
    fn finish(mut self, why: &str) -> Self {
        self.checks.skip_rest(&CHECKS, why);
        self.checks
            .0
            .sort_by_key(|c| CHECKS.iter().position(|n| *n == c.name));
        self
    }
}

fn fetch_failure(e: &FetchError) -> String {
    format!("{e}. This is a network or policy problem, not a fault of the badge.")
}

/// Verify `req` at `now`, fetching through `fetch`.
pub async fn run<F: Fetch>(fetch: &F, req: &VerifyRequest, now: OffsetDateTime) -> Verification {
    let mut v = Verification::new(req.source);
    let how = match req.source {
        "png" => "a baked PNG image",
        "svg" => "a baked SVG image",
        "url" => "a URL",
        "jws" => "a compact JWS",
        _ => "a JSON assertion",
    };
    match &req.subject {
        Subject::Jws(jws) => {
            v.checks.pass(
                "input",
                format!("Read {how} holding a signed assertion (compact JWS)."),
            );
            signed(fetch, jws, req.recipient.as_ref(), now, &mut v).await;
        }
        Subject::Url(url) => {
            v.checks.pass(
                "input",
                format!("Read {how} pointing at a hosted assertion: {url}."),
            );
            hosted(fetch, url, req.recipient.as_ref(), now, &mut v).await;
        }
        Subject::Json(doc) => match pointer(doc) {
            Ok(url) => {
                v.checks.pass(
                    "input",
                    format!(
                        "Read {how}. It is used only to find the hosted original at {url}, which \
                         is fetched and verified instead (Open Badges 2.0 hosted verification)."
                    ),
                );
                hosted(fetch, &url, req.recipient.as_ref(), now, &mut v).await;
            }
            Err((effect, name, message)) => {
                v.checks.pass("input", format!("Read {how}."));
                v.checks.fail(name, effect, message);
            }
        },
    }
    v.finish("Not run: an earlier check failed or this check does not apply.")
}

/// The hosted URL a pasted or baked assertion points at.
fn pointer(doc: &Value) -> Result<String, (Effect, &'static str, String)> {
    match docs::version(doc) {
        DocVersion::V2 => {}
        other => return Err(version_failure(other)),
    }
    if docs::verification_kind(doc) == Some("signed") {
        return Err((
            Effect::Unverifiable,
            "signature",
            "This assertion declares SignedBadge verification but came without its signature. \
             Send the compact JWS (or the baked image) instead."
                .to_owned(),
        ));
    }
    match docs::str_of(doc, "id") {
        Some(id) if docs::is_http_url(id) => Ok(id.to_owned()),
        Some(id) => Err((
            Effect::Invalid,
            "id",
            format!("A hosted assertion's id must be the URL it is served from; found {id:?}."),
        )),
        None => Err((
            Effect::Invalid,
            "id",
            "The assertion has no id, so its hosted original cannot be found.".to_owned(),
        )),
    }
}

fn version_failure(v: DocVersion) -> (Effect, &'static str, String) {
    match v {
        DocVersion::V1 => (
            Effect::Unverifiable,
            "version",
            "This is an Open Badges 1.x (or 0.5) badge. Emblem verifies Open Badges 2.0; ask the \
             issuer for a 2.0 version of this badge."
                .to_owned(),
        ),
        DocVersion::V3 => (
            Effect::Unverifiable,
            "version",
            "This is an Open Badges 3.0 credential. This endpoint verifies Open Badges 2.0; 3.0 \
             verification is not available here yet."
                .to_owned(),
        ),
        _ => (
            Effect::Invalid,
            "version",
            "This is not an Open Badges 2.0 document: its @context is not \
             https://w3id.org/openbadges/v2."
                .to_owned(),
        ),
    }
}

fn check_version(doc: &Value, v: &mut Verification) -> bool {
    match docs::version(doc) {
        DocVersion::V2 => {
            v.checks.pass("version", "Open Badges 2.0.");
            true
        }
        other => {
            let (effect, name, message) = version_failure(other);
            v.checks.fail(name, effect, message);
            false
        }
    }
}

/// Parse a fetched body as a JSON object (or unbake an image answer).
fn parse_document(got: &Fetched) -> Result<Value, String> {
    if got.is_image() {
        let unbaked = bake::unbake(&got.body, &Limits::default())
            .map_err(|e| format!("{} answered with an image that {e}", got.url))?;
        let found = unbaked
            .found
            .iter()
            .find(|f| f.version == Version::V2)
            .ok_or_else(|| format!("{} answered with an image without a 2.0 badge", got.url))?;
        return serde_json::from_str::<Value>(&found.payload)
            .ok()
            .filter(Value::is_object)
            .ok_or_else(|| {
                format!(
                    "{} answered with an image whose badge is not a JSON assertion",
                    got.url
                )
            });
    }
    serde_json::from_slice::<Value>(&got.body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| {
            format!(
                "{} answered {} with a body that is not a JSON object (Content-Type {:?})",
                got.url,
                got.status,
                got.content_type.as_deref().unwrap_or("none")
            )
        })
}

async fn hosted<F: Fetch>(
    fetch: &F,
    url: &str,
    recipient: Option<&Claimant>,
    now: OffsetDateTime,
    v: &mut Verification,
) {
    v.kind = Some("hosted");
    v.subject = Some(url.to_owned());
    v.checks
        .skip("key", "Hosted badge: there is no signature key.");
    v.checks.skip(
        "signature",
        "Hosted badge: nothing is signed; the issuer's server vouches for it.",
    );
    let got = match fetch.get(url).await {
        Ok(got) => got,
        Err(e) => {
            v.checks
                .fail("fetch", Effect::Unverifiable, fetch_failure(&e));
            return;
        }
    };
    match got.status {
        200 => {}
        410 => {
            v.checks.pass("fetch", format!("Fetched {url}: 410 Gone."));
            let reason = serde_json::from_slice::<Value>(&got.body)
                .ok()
                .and_then(|d| docs::str_of(&d, "revocationReason").map(str::to_owned));
            v.checks.fail(
                "revocation",
                Effect::Revoked,
                revoked_message(reason.as_deref(), "its server answers 410 Gone"),
            );
            return;
        }
        404 => {
            v.checks.fail(
                "fetch",
                Effect::Invalid,
                format!("{url} answered 404 Not Found: the issuer's server has no such assertion."),
            );
            return;
        }
        status => {
            v.checks.fail(
                "fetch",
                Effect::Unverifiable,
                format!("{url} answered {status}; the assertion could not be fetched."),
            );
            return;
        }
    }
    let doc = match parse_document(&got) {
        Ok(doc) => doc,
        Err(message) => {
            v.checks.fail("fetch", Effect::Invalid, message);
            return;
        }
    };
    v.checks.pass(
        "fetch",
        format!("Fetched the assertion from its id {url}; only this copy is trusted."),
    );
    if !check_version(&doc, v) {
        return;
    }
    let declared = docs::str_of(&doc, "id").unwrap_or_default().to_owned();
    if declared != url && declared != got.url {
        v.checks.fail(
            "id",
            Effect::Invalid,
            format!(
                "The document at {url} declares its id as {declared:?}. A hosted assertion's id \
                 must be the URL it is served from; verify {declared:?} itself if that is the \
                 badge you mean."
            ),
        );
        return;
    }
    v.checks
        .pass("id", "The assertion's id is the URL it was fetched from.");
    if doc.get("revoked") == Some(&Value::Bool(true)) {
        let reason = docs::str_of(&doc, "revocationReason").map(str::to_owned);
        v.checks.fail(
            "revocation",
            Effect::Revoked,
            revoked_message(reason.as_deref(), "the assertion says revoked: true"),
        );
        return;
    }
    v.assertion = Some(doc.clone());
    if docs::verification_kind(&doc) == Some("signed") {
        v.checks.fail(
            "assertion",
            Effect::Invalid,
            "The hosted document declares SignedBadge verification; verify its JWS instead.",
        );
        return;
    }
    let Some((badge, issuer)) = common(fetch, &doc, v).await else {
        return;
    };
    scope(url, &issuer, v);
    dates(&doc, now, v);
    v.checks.pass(
        "revocation",
        "Not revoked: the issuer's server serves the assertion (200) without revoked: true.",
    );
    recipient_check(&doc, recipient, v);
    images(&doc, &badge, v);
}

fn revoked_message(reason: Option<&str>, how: &str) -> String {
    match reason.filter(|r| !r.trim().is_empty()) {
        Some(r) => format!("Revoked by the issuer ({how}). Reason: {r}"),
        None => format!("Revoked by the issuer ({how})."),
    }
}

/// Load a linked document: an embedded object, or fetched by IRI.
async fn linked<F: Fetch>(
    fetch: &F,
    value: Option<&Value>,
    name: &'static str,
    what: &str,
    v: &mut Verification,
) -> Option<Value> {
    match value {
        Some(obj @ Value::Object(map)) if map.len() > 1 => Some(obj.clone()),
        Some(other) => {
            let iri = docs::ref_id(other)?;
            let got = match fetch.get(iri).await {
                Ok(got) => got,
                Err(e) => {
                    v.checks.fail(name, Effect::Unverifiable, fetch_failure(&e));
                    return None;
                }
            };
            if got.status != 200 {
                let effect = if got.status == 404 || got.status == 410 {
                    Effect::Invalid
                } else {
                    Effect::Unverifiable
                };
                v.checks.fail(
                    name,
                    effect,
                    format!(
                        "The {what} at {iri} could not be loaded: the server answered {}.",
                        got.status
                    ),
                );
                return None;
            }
            match serde_json::from_slice::<Value>(&got.body) {
                Ok(doc) if doc.is_object() => Some(doc),
                _ => {
                    v.checks.fail(
                        name,
                        Effect::Invalid,
                        format!("The {what} at {iri} is not a JSON object."),
                    );
                    None
                }
            }
        }
        None => None,
    }
}

/// `assertion`, `badgeclass`, `issuer`: the required properties, loading the class and profile.
async fn common<F: Fetch>(fetch: &F, doc: &Value, v: &mut Verification) -> Option<(Value, Value)> {
    let problems = docs::assertion_problems(doc);
    if !problems.is_empty() {
        v.checks.fail(
            "assertion",
            Effect::Invalid,
            format!("The assertion is not valid: {}.", problems.join("; ")),
        );
        return None;
    }
    v.checks.pass(
        "assertion",
        "The assertion has every required property, with the right types.",
    );
    let badge = linked(fetch, doc.get("badge"), "badgeclass", "BadgeClass", v).await?;
    let problems = docs::badge_problems(&badge);
    if !problems.is_empty() {
        v.checks.fail(
            "badgeclass",
            Effect::Invalid,
            format!("The BadgeClass is not valid: {}.", problems.join("; ")),
        );
        return None;
    }
    let badge_id = docs::str_of(&badge, "id").unwrap_or_default();
    if docs::ref_id(doc.get("badge")?) != Some(badge_id) {
        v.checks.fail("badgeclass", Effect::Invalid, format!("The BadgeClass fetched declares the id {badge_id:?}, not the one the assertion names."));
        return None;
    }
    v.checks.pass(
        "badgeclass",
        format!(
            "BadgeClass {:?} ({badge_id}).",
            docs::str_of(&badge, "name").unwrap_or_default()
        ),
    );
    v.badge = Some(badge.clone());
    let issuer = linked(fetch, badge.get("issuer"), "issuer", "issuer Profile", v).await?;
    let problems = docs::issuer_problems(&issuer);
    let issuer_id = docs::str_of(&issuer, "id").unwrap_or_default();
    if !problems.is_empty() {
        v.checks.fail(
            "issuer",
            Effect::Invalid,
            format!("The issuer Profile is not valid: {}.", problems.join("; ")),
        );
        return None;
    }
    if docs::ref_id(badge.get("issuer")?) != Some(issuer_id) {
        v.checks.fail("issuer", Effect::Invalid, format!("The issuer Profile fetched declares the id {issuer_id:?}, not the one the BadgeClass names."));
        return None;
    }
    let name = docs::str_of(&issuer, "name").unwrap_or_default();
    let warnings = docs::issuer_warnings(&issuer);
    if warnings.is_empty() {
        v.checks
            .pass("issuer", format!("Issued by {name:?} ({issuer_id})."));
    } else {
        v.checks.warn(
            "issuer",
            format!(
                "Issued by {name:?} ({issuer_id}), but {}.",
                warnings.join("; ")
            ),
        );
    }
    v.issuer = Some(issuer.clone());
    Some((badge, issuer))
}

/// `host[:port]` of a URL, lower-cased.
fn authority(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// `scope`: the hosted verification policy (SPEC-NOTES §1.3 step 2).
fn scope(id: &str, issuer: &Value, v: &mut Verification) {
    let policy = issuer.get("verification").filter(|p| p.is_object());
    let starts = docs::many_str(policy.and_then(|p| p.get("startsWith")));
    let mut origins: Vec<String> = docs::many_str(policy.and_then(|p| p.get("allowedOrigins")))
        .iter()
        .map(|o| o.trim().to_ascii_lowercase())
        .collect();
    let issuer_id = docs::str_of(issuer, "id").unwrap_or_default();
    if origins.is_empty() && starts.is_empty() {
        match authority(issuer_id).filter(|_| docs::is_http_url(issuer_id)) {
            Some(a) => origins.push(a),
            None => {
                v.checks.warn("scope", format!("The issuer id {issuer_id:?} is not an HTTP URL, so the hosting scope cannot be enforced."));
                return;
            }
        }
    }
    if !starts.is_empty() && !starts.iter().any(|s| id.starts_with(s)) {
        v.checks.fail(
            "scope",
            Effect::Invalid,
            format!(
                "The assertion id {id} does not start with any prefix the issuer allows ({}).",
                starts.join(", ")
            ),
        );
        return;
    }
    let host = authority(id).unwrap_or_default();
    if !origins.is_empty() && !origins.contains(&host) {
        v.checks.fail(
            "scope",
            Effect::Invalid,
            format!(
                "The assertion is hosted at {host}, which the issuer does not allow (allowed: {}). \
                 Anyone can host a copy of a badge; only the issuer's own hosts count.",
                origins.join(", ")
            ),
        );
        return;
    }
    v.checks.pass(
        "scope",
        format!("Hosted at {host}, which the issuer allows."),
    );
}

/// `issuedOn` and `expiry`.
fn dates(doc: &Value, now: OffsetDateTime, v: &mut Verification) {
    let issued = docs::str_of(doc, "issuedOn").and_then(|s| clock::parse(s).ok());
    let expires = docs::str_of(doc, "expires").and_then(|s| clock::parse(s).ok());
    let Some(issued) = issued else {
        v.checks.fail(
            "issuedOn",
            Effect::Invalid,
            "The assertion has no valid issuedOn.",
        );
        return;
    };
    if issued > now {
        v.checks.fail(
            "issuedOn",
            Effect::Invalid,
            format!(
                "The assertion says it was issued on {}, which is in the future.",
                clock::format(issued)
            ),
        );
    } else {
        v.checks.pass(
            "issuedOn",
            format!("Issued on {}.", clock::human_date(issued)),
        );
    }
    match expires {
        None => v.checks.pass("expiry", "The badge does not expire."),
        Some(e) if e < issued => v.checks.fail(
            "expiry",
            Effect::Invalid,
            format!(
                "The badge expires ({}) before it was issued ({}).",
                clock::format(e),
                clock::format(issued)
            ),
        ),
        Some(e) if e <= now => v.checks.fail(
            "expiry",
            Effect::Expired,
            format!("The badge expired on {}.", clock::human_date(e)),
        ),
        Some(e) => v
            .checks
            .pass("expiry", format!("Valid until {}.", clock::human_date(e))),
    }
}

/// `recipient`: the claimant against the IdentityObject (SPEC-NOTES §1.6).
fn recipient_check(doc: &Value, claimant: Option<&Claimant>, v: &mut Verification) {
    let Some(c) = claimant else {
        v.checks.skip("recipient", "No recipient was given, so the badge was not checked against a person. Add an email to check whom it was issued to.");
        return;
    };
    let Some(r) = doc.get("recipient") else {
        return;
    };
    let kind = docs::str_of(r, "type").unwrap_or_default();
    let kind_name = kind.rsplit(['#', '/', ':']).next().unwrap_or(kind);
    if !kind_name.eq_ignore_ascii_case(c.kind.as_str()) {
        v.checks.fail(
            "recipient",
            Effect::Invalid,
            format!(
                "The badge was issued to a recipient of type {kind:?}, not {}.",
                c.kind.as_str()
            ),
        );
        return;
    }
    let identity = docs::str_of(r, "identity").unwrap_or_default();
    let salt = docs::str_of(r, "salt").unwrap_or_default();
    let mut candidates = vec![c.value.clone()];
    let normalised = match c.kind {
        IdentityKind::Email => c.value.trim().to_lowercase(),
        IdentityKind::Telephone => c.value.chars().filter(|ch| !ch.is_whitespace()).collect(),
        IdentityKind::Url => c.value.trim().to_owned(),
    };
    if normalised != c.value {
        candidates.push(normalised);
    }
    let matched = if r.get("hashed") == Some(&Value::Bool(true)) {
        let Some((alg, _)) = identity.split_once('$') else {
            v.checks.fail(
                "recipient",
                Effect::Invalid,
                "The recipient hash is not of the form sha256$<hex>.",
            );
            return;
        };
        if !alg.eq_ignore_ascii_case("sha256") {
            v.checks.fail(
                "recipient",
                Effect::Unverifiable,
                format!("The recipient is hashed with {alg}; only sha256 is checked here."),
            );
            return;
        }
        let stored = identity.to_ascii_lowercase();
        candidates
            .iter()
            .any(|cand| identity_hash(cand, salt) == stored)
    } else {
        candidates.iter().any(|cand| match c.kind {
            IdentityKind::Email => cand.trim().eq_ignore_ascii_case(identity.trim()),
            _ => cand.trim() == identity.trim(),
        })
    };
    if matched {
        v.checks.pass(
            "recipient",
            format!("Issued to {} {}.", c.kind.as_str(), c.value),
        );
    } else {
        v.checks.fail("recipient", Effect::Invalid, format!("This badge was not issued to {} {} (the {} does not match, also trimmed and in lower case).", c.kind.as_str(), c.value, c.kind.as_str()));
    }
}

fn image_problem(image: &str) -> Option<String> {
    if let Some(rest) = image.strip_prefix("data:") {
        let mime = rest
            .split([';', ','])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        return (mime != "image/png" && mime != "image/svg+xml").then(|| {
            format!("an embedded image of type {mime:?}; Open Badges images must be PNG or SVG")
        });
    }
    (!docs::is_http_url(image)).then(|| format!("{image:?} is not an image URL"))
}

/// `image`: the BadgeClass image (required; PNG or SVG) and any Assertion image.
fn images(doc: &Value, badge: &Value, v: &mut Verification) {
    let mut warnings = Vec::new();
    match badge.get("image").and_then(docs::ref_id) {
        None => warnings.push("the BadgeClass has no image (the spec requires one)".to_owned()),
        Some(img) => {
            if let Some(p) = image_problem(img) {
                v.checks.fail(
                    "image",
                    Effect::Invalid,
                    format!("The BadgeClass image is {p}."),
                );
                return;
            }
        }
    }
    if let Some(img) = doc.get("image").and_then(docs::ref_id) {
        if img.starts_with("data:") {
            warnings.push("the assertion image is a data URI; it should be a URL".to_owned());
        } else if let Some(p) = image_problem(img) {
            warnings.push(format!("the assertion image is {p}"));
        }
    }
    if warnings.is_empty() {
        v.checks.pass(
            "image",
            "The badge image is a PNG or SVG (URLs are not downloaded).",
        );
    } else {
        v.checks
            .warn("image", format!("Image: {}.", warnings.join("; ")));
    }
}

async fn signed<F: Fetch>(
    fetch: &F,
    text: &str,
    recipient: Option<&Claimant>,
    now: OffsetDateTime,
    v: &mut Verification,
) {
    v.kind = Some("signed");
    v.checks.skip(
        "scope",
        "Signed badge: the signature, not the hosting location, vouches for it.",
    );
    let jws = match Jws::parse(text) {
        Ok(j) => j,
        Err(e) => {
            v.checks.fail(
                "signature",
                Effect::Invalid,
                format!("The signed assertion {e}."),
            );
            return;
        }
    };
    let doc = jws.payload.clone();
    v.subject = docs::str_of(&doc, "id").map(str::to_owned);
    if !check_version(&doc, v) {
        return;
    }
    v.checks.pass(
        "fetch",
        "Signed badge: the JWS itself is the source of truth; nothing to re-fetch.",
    );
    if let Err(e) = jws.algorithm() {
        v.checks.fail(
            "signature",
            Effect::Invalid,
            format!("The signature {e}; it cannot vouch for the badge."),
        );
        return;
    }
    if docs::str_of(&doc, "id").is_some() {
        v.checks.pass("id", "The signed assertion has an id.");
    }
    v.assertion = Some(doc.clone());
    if docs::verification_kind(&doc) != Some("signed") {
        v.checks.fail(
            "assertion",
            Effect::Invalid,
            "The signed payload does not declare SignedBadge verification.",
        );
        return;
    }
    let Some((badge, issuer)) = common(fetch, &doc, v).await else {
        return;
    };
    if !key_and_signature(fetch, &jws, &doc, &issuer, v).await {
        return;
    }
    dates(&doc, now, v);
    revocation_list(fetch, &doc, &issuer, v).await;
    recipient_check(&doc, recipient, v);
    images(&doc, &badge, v);
}

/// `key` and `signature` (SPEC-NOTES §1.4): true when the signature verified.
async fn key_and_signature<F: Fetch>(
    fetch: &F,
    jws: &Jws,
    doc: &Value,
    issuer: &Value,
    v: &mut Verification,
) -> bool {
    let issuer_id = docs::str_of(issuer, "id").unwrap_or_default();
    let listed: Vec<&Value> = match issuer.get("publicKey") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let listed_ids: Vec<&str> = listed.iter().filter_map(|k| docs::ref_id(k)).collect();
    let creator = doc
        .pointer("/verification/creator")
        .or_else(|| doc.pointer("/verify/creator"))
        .and_then(docs::ref_id);
    let candidates: Vec<&str> = match creator {
        Some(c) => vec![c],
        None if listed_ids.is_empty() => {
            v.checks.fail("key", Effect::Unverifiable, "The assertion names no verification.creator and the issuer lists no publicKey, so there is no key to check the signature with.");
            return false;
        }
        None => listed_ids.clone(),
    };
    let mut last_error = None;
    for key_id in &candidates {
        let embedded = listed
            .iter()
            .find(|k| {
                k.is_object() && docs::ref_id(k) == Some(key_id) && k.get("publicKeyPem").is_some()
            })
            .map(|k| (*k).clone());
        let key = match embedded {
            Some(k) => k,
            None => match fetch.get(key_id).await {
                Ok(got) if got.status == 200 => match serde_json::from_slice::<Value>(&got.body) {
                    Ok(k) if k.is_object() => k,
                    _ => {
                        last_error = Some((
                            Effect::Invalid,
                            format!("The key document at {key_id} is not JSON."),
                        ));
                        continue;
                    }
                },
                Ok(got) => {
                    last_error = Some((
                        Effect::Unverifiable,
                        format!(
                            "The key {key_id} could not be fetched: the server answered {}.",
                            got.status
                        ),
                    ));
                    continue;
                }
                Err(e) => {
                    last_error = Some((Effect::Unverifiable, fetch_failure(&e)));
                    continue;
                }
            },
        };
        let owner = docs::str_of(&key, "owner");
        let owned = listed_ids.contains(key_id) || owner == Some(issuer_id);
        if let Some(o) = owner.filter(|o| *o != issuer_id) {
            last_error = Some((
                Effect::Invalid,
                format!("The key {key_id} belongs to {o}, not to the issuer {issuer_id}."),
            ));
            continue;
        }
        if !owned {
            last_error = Some((
                Effect::Invalid,
                format!(
                    "The key {key_id} is neither listed in the issuer's publicKey nor owned by the issuer."
                ),
            ));
            continue;
        }
        let Some(pem) = docs::str_of(&key, "publicKeyPem") else {
            last_error = Some((
                Effect::Invalid,
                format!("The key document {key_id} has no publicKeyPem."),
            ));
            continue;
        };
        match jws.verify_rs256(pem) {
            Ok(()) => {
                let how = if creator.is_some() {
                    "named by verification.creator"
                } else {
                    "found in the issuer's publicKey list (no verification.creator)"
                };
                v.checks.pass(
                    "key",
                    format!("Key {key_id}, {how}, belongs to the issuer."),
                );
                v.checks.pass(
                    "signature",
                    "The RS256 signature matches the content and the issuer's key.",
                );
                return true;
            }
            Err(super::jws::JwsError::Mismatch) => {
                last_error = Some((Effect::Invalid, String::new()));
            }
            Err(e) => {
                last_error = Some((Effect::Invalid, format!("Key {key_id}: {e}.")));
            }
        }
    }
    match last_error {
        Some((effect, m)) if m.is_empty() => {
            v.checks.pass("key", "The issuer's key was found.");
            v.checks.fail("signature", effect, "The signature does not match: the badge was changed after it was signed, or signed with another key.");
        }
        Some((effect, m)) => v.checks.fail("key", effect, m),
        None => v
            .checks
            .fail("key", Effect::Unverifiable, "No usable key was found."),
    }
    false
}

/// `revocation` for signed badges: the issuer's RevocationList.
async fn revocation_list<F: Fetch>(fetch: &F, doc: &Value, issuer: &Value, v: &mut Verification) {
    let Some(list_url) = docs::str_of(issuer, "revocationList") else {
        v.checks.pass(
            "revocation",
            "The issuer publishes no revocation list, so the badge is not revoked.",
        );
        return;
    };
    let got = match fetch.get(list_url).await {
        Ok(got) if got.status == 200 => got,
        Ok(got) => {
            v.checks.fail(
                "revocation",
                Effect::Unverifiable,
                format!(
                    "The issuer's revocation list {list_url} answered {}.",
                    got.status
                ),
            );
            return;
        }
        Err(e) => {
            v.checks
                .fail("revocation", Effect::Unverifiable, fetch_failure(&e));
            return;
        }
    };
    let Ok(list) = serde_json::from_slice::<Value>(&got.body) else {
        v.checks.fail(
            "revocation",
            Effect::Unverifiable,
            format!("The issuer's revocation list {list_url} is not JSON."),
        );
        return;
    };
    let id = docs::str_of(doc, "id").unwrap_or_default();
    let uid = docs::str_of(doc, "uid");
    let entries = list
        .get("revokedAssertions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let hit = entries.iter().find(|e| match e {
        Value::String(s) => s == id,
        Value::Object(_) => {
            docs::str_of(e, "id") == Some(id) || (uid.is_some() && docs::str_of(e, "uid") == uid)
        }
        _ => false,
    });
    match hit {
        Some(e) => {
            let reason = docs::str_of(e, "revocationReason");
            v.checks.fail(
                "revocation",
                Effect::Revoked,
                revoked_message(reason, "listed in its revocation list"),
            );
        }
        None => v.checks.pass(
            "revocation",
            format!("Not in the issuer's revocation list {list_url}."),
        ),
    }
}
