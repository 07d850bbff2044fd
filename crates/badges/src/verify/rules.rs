//! The verify phase's checks that need no fetch: hosting scope, dates, recipient and images
//! (`docs/open-badges.md`, "Verifying a 2.0 badge").

use md5::Digest as _;
use serde_json::Value;
use time::OffsetDateTime;

use super::check::{Check, Effect};
use super::docs;
use super::flow::Verification;
use super::input::{Claimant, IdentityKind};
use super::load::Node;
use crate::clock;
use crate::digest::sha256_hex;

/// `host[:port]` of a URL, lower-cased (the RFC 3986 authority without user info).
fn authority(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// The host of a URL, lower-cased.
fn host(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .host_str()
        .map(str::to_ascii_lowercase)
}

/// `scope`: the hosted verification policy of the issuer as fetched from its id
/// (`verification.startsWith`, `verification.allowedOrigins`, default the issuer id's
/// authority). `allowedOrigins` holds host names (RFC 3986 §3.2.2), so an assertion on any
/// port of an allowed host is in scope; an entry written with a port is held to it.
pub(super) fn scope(id: &str, issuer: &Node, v: &mut Verification) {
    if issuer.embedded {
        v.checks.warn(
            Check::Scope,
            format!(
                "The issuer {:?} has no http(s) id to fetch its profile from, so its hosting \
                 policy cannot be enforced.",
                issuer.id
            ),
        );
        return;
    }
    let policy = issuer.doc.get("verification").filter(|p| p.is_object());
    let starts = docs::many_str(policy.and_then(|p| p.get("startsWith")));
    let origins: Vec<String> = docs::many_str(policy.and_then(|p| p.get("allowedOrigins")))
        .iter()
        .map(|o| o.trim().to_ascii_lowercase())
        .collect();
    if !starts.is_empty() && !starts.iter().any(|s| id.starts_with(s)) {
        v.checks.fail(
            Check::Scope,
            Effect::Invalid,
            format!(
                "The assertion id {id} does not start with any prefix the issuer allows ({}).",
                starts.join(", ")
            ),
        );
        return;
    }
    let (here, allowed) = if origins.is_empty() {
        let Some(own) = authority(&issuer.id) else {
            v.checks.warn(
                Check::Scope,
                format!(
                    "The issuer id {:?} is not an http(s) URL, so the hosting scope cannot be \
                     enforced.",
                    issuer.id
                ),
            );
            return;
        };
        let here = authority(id).unwrap_or_default();
        let ok = here == own;
        (here, if ok { Ok(()) } else { Err(own) })
    } else {
        let (with_port, names) = (
            authority(id).unwrap_or_default(),
            host(id).unwrap_or_default(),
        );
        let ok = origins.iter().any(|o| *o == names || *o == with_port);
        (with_port, if ok { Ok(()) } else { Err(origins.join(", ")) })
    };
    match allowed {
        Ok(()) => v.checks.pass(
            Check::Scope,
            format!("Hosted at {here}, which the issuer allows."),
        ),
        Err(list) => v.checks.fail(
            Check::Scope,
            Effect::Invalid,
            format!(
                "The assertion is hosted at {here}, which the issuer does not allow (allowed: \
                 {list}). Anyone can host a copy of a badge; only the issuer's own hosts count."
            ),
        ),
    }
}

/// `issuedOn` and `expiry`.
pub(super) fn dates(doc: &Value, now: OffsetDateTime, v: &mut Verification) {
    let parse = |key| docs::str_of(doc, key).and_then(|s| clock::parse_iso8601(s).ok());
    let (issued, expires) = (parse("issuedOn"), parse("expires"));
    let Some(issued) = issued else {
        v.checks.fail(
            Check::IssuedOn,
            Effect::Invalid,
            "The assertion has no valid issuedOn.",
        );
        return;
    };
    if issued > now {
        v.checks.fail(
            Check::IssuedOn,
            Effect::Invalid,
            format!(
                "The assertion says it was issued on {}, which is in the future.",
                clock::format(issued)
            ),
        );
    } else {
        v.checks.pass(
            Check::IssuedOn,
            format!("Issued on {}.", clock::human_date(issued)),
        );
    }
    match expires {
        None => v.checks.pass(Check::Expiry, "The badge does not expire."),
        Some(e) if e < issued => v.checks.fail(
            Check::Expiry,
            Effect::Invalid,
            format!(
                "The badge expires ({}) before it was issued ({}).",
                clock::format(e),
                clock::format(issued)
            ),
        ),
        Some(e) if e <= now => v.checks.fail(
            Check::Expiry,
            Effect::Expired,
            format!("The badge expired on {}.", clock::human_date(e)),
        ),
        Some(e) => v.checks.pass(
            Check::Expiry,
            format!("Valid until {}.", clock::human_date(e)),
        ),
    }
}

/// `<alg>$<hex>` of `identity` + `salt` with the algorithm `alg` names (`sha256` or `md5`).
pub(super) fn hash_with(alg: &str, identity: &str, salt: &str) -> Option<String> {
    let input = format!("{identity}{salt}");
    if alg.eq_ignore_ascii_case("sha256") {
        Some(format!("sha256${}", sha256_hex(input.as_bytes())))
    } else if alg.eq_ignore_ascii_case("md5") {
        Some(format!(
            "md5${}",
            hex::encode(md5::Md5::digest(input.as_bytes()))
        ))
    } else {
        None
    }
}

/// `recipient`: the claimant against the IdentityObject (salted `sha256$` or `md5$`; an email
/// is also tried trimmed and in lower case).
pub(super) fn recipient(doc: &Value, claimant: Option<&Claimant>, v: &mut Verification) {
    let Some(c) = claimant else {
        v.checks.skip(
            Check::Recipient,
            "No recipient was given, so the badge was not checked against a person. Add an \
             email to check whom it was issued to.",
        );
        return;
    };
    let Some(r) = doc.get("recipient") else {
        return;
    };
    let kind = docs::str_of(r, "type").unwrap_or_default();
    let kind_name = kind.rsplit(['#', '/', ':']).next().unwrap_or(kind);
    if !kind_name.eq_ignore_ascii_case(c.kind.as_str()) {
        v.checks.fail(
            Check::Recipient,
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
        // The shape was checked with the assertion: `<sha256|md5>$<hex>`.
        let (alg, _) = identity.split_once('$').unwrap_or_default();
        let stored = identity.to_ascii_lowercase();
        candidates.iter().any(|cand| {
            hash_with(alg, cand, salt).is_some_and(|h| h.to_ascii_lowercase() == stored)
        })
    } else {
        candidates.iter().any(|cand| match c.kind {
            IdentityKind::Email => cand.trim().eq_ignore_ascii_case(identity.trim()),
            _ => cand.trim() == identity.trim(),
        })
    };
    let why = format!(
        "This badge was not issued to {kind} {value} (the {kind} does not match, also \
         trimmed and in lower case).",
        kind = c.kind.as_str(),
        value = c.value
    );
    record_recipient(v, c, matched, why);
}

/// The `recipient` finding: issued to the claimant, or `why` not.
pub(super) fn record_recipient(v: &mut Verification, c: &Claimant, matched: bool, why: String) {
    if matched {
        v.checks.pass(
            Check::Recipient,
            format!("Issued to {} {}.", c.kind.as_str(), c.value),
        );
    } else {
        v.checks.fail(Check::Recipient, Effect::Invalid, why);
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

/// `image`: the BadgeClass image (required, checked with the class; PNG or SVG) and any
/// Assertion image.
pub(super) fn images(doc: &Value, badge: &Value, v: &mut Verification) {
    if let Some(p) = badge
        .get("image")
        .and_then(docs::ref_id)
        .and_then(image_problem)
    {
        v.checks.fail(
            Check::Image,
            Effect::Invalid,
            format!("The BadgeClass image is {p}."),
        );
        return;
    }
    let mut warnings = Vec::new();
    if let Some(img) = doc.get("image").and_then(docs::ref_id) {
        if img.starts_with("data:") {
            warnings.push("the assertion image is a data URI; it should be a URL".to_owned());
        } else if let Some(p) = image_problem(img) {
            warnings.push(format!("the assertion image is {p}"));
        }
    }
    if warnings.is_empty() {
        v.checks.pass(
            Check::Image,
            "The badge image is a PNG or SVG (URLs are not downloaded).",
        );
    } else {
        v.checks
            .warn(Check::Image, format!("Image: {}.", warnings.join("; ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_and_sha256_hashes_are_computed_as_the_spec_says() {
        assert_eq!(
            hash_with("sha256", "mayze", "").as_deref(),
            Some("sha256$7a1a1b3f7d40552e4299180e346e3add12bf9a751a43d9c4ca4518febc2c60c6")
        );
        assert_eq!(
            hash_with("md5", "a", "").as_deref(),
            Some("md5$0cc175b9c0f1b6a831c399e269772661")
        );
        assert_eq!(hash_with("sha1", "a", ""), None);
    }
}
