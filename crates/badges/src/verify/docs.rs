//! Reading Open Badges documents as plain JSON: versions, types, required properties
//! (`docs/open-badges.md` §2.0 classes) and the small value shapes (one or many, IRI or
//! embedded object).
//!
//! Each `*_problems` function lists every rule a document breaks, as sentences; an empty list
//! means the document has the required properties with the right types. Documents upgraded
//! from 1.x ([`super::legacy`]) are held to the rules of the version they were issued under
//! ([`Era::Legacy`]): 1.x issuers needed no `email`, 0.5 classes had no `id`.

use serde_json::Value;

use crate::clock;
use crate::context::{self, Declared};
#[cfg(test)]
use crate::context::{OB2_CONTEXT, VC2_CONTEXT};

/// The Open Badges version a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocVersion {
    /// 2.0 (`https://w3id.org/openbadges/v2`).
    V2,
    /// 1.1 (the `…/openbadges/v1` context).
    V1_1,
    /// 1.0 (no context; a `recipient` IdentityObject or a `verify` object).
    V1_0,
    /// 0.5 (no context; a plain-string `recipient`).
    V0_5,
    /// 3.0 (a VC context with an OB 3.0 context).
    V3,
    /// Nothing recognisable.
    Unknown,
}

impl DocVersion {
    /// Whether this is a version before 2.0 (upgraded before it is checked).
    pub fn is_legacy(self) -> bool {
        matches!(self, DocVersion::V1_1 | DocVersion::V1_0 | DocVersion::V0_5)
    }

    /// `2.0`, `1.1`, …
    pub fn label(self) -> &'static str {
        match self {
            DocVersion::V2 => "2.0",
            DocVersion::V1_1 => "1.1",
            DocVersion::V1_0 => "1.0",
            DocVersion::V0_5 => "0.5",
            DocVersion::V3 => "3.0",
            DocVersion::Unknown => "unknown",
        }
    }
}

/// Which version's rules a document is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// Open Badges 2.0 as published.
    V2,
    /// A 1.x or 0.5 document upgraded to 2.0's shape.
    Legacy,
}

/// The version an assertion declares (see [`DocVersion`]), as validator-core tells them apart.
pub fn version(doc: &Value) -> DocVersion {
    match context::declared(doc) {
        Declared::Ob2 => DocVersion::V2,
        Declared::Ob3 => DocVersion::V3,
        Declared::Ob1 => DocVersion::V1_1,
        Declared::Other => DocVersion::Unknown,
        Declared::Nothing if doc.get("recipient").is_some_and(Value::is_string) => DocVersion::V0_5,
        Declared::Nothing
            if doc.get("verify").is_some_and(Value::is_object)
                || doc.get("recipient").is_some_and(Value::is_object) =>
        {
            DocVersion::V1_0
        }
        Declared::Nothing => DocVersion::Unknown,
    }
}

/// `type` as a list (a string or an array of strings).
pub fn types(doc: &Value) -> Vec<&str> {
    many_str(doc.get("type"))
}

/// A string or an array of strings, as a list.
pub fn many_str(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether `doc` has the type `name` (compact or as a full IRI).
pub fn has_type(doc: &Value, name: &str) -> bool {
    types(doc)
        .iter()
        .any(|t| *t == name || t.rsplit(['#', '/']).next() == Some(name))
}

/// A string property.
pub fn str_of<'a>(doc: &'a Value, key: &str) -> Option<&'a str> {
    doc.get(key).and_then(Value::as_str)
}

/// An IRI or an embedded object's `id`.
pub fn ref_id(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s.as_str()),
        Value::Object(_) => v.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Whether `s` is an absolute IRI we can work with (`http(s):`, `urn:`, `did:`, `data:`).
pub fn is_iri(s: &str) -> bool {
    url::Url::parse(s).is_ok()
}

/// Whether `s` is an `http(s)` URL with a host.
pub fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

/// The verification type of an assertion, lower-cased and without the IRI prefix:
/// `hostedbadge`/`hosted` → `"hosted"`, `signedbadge`/`signed` → `"signed"`.
pub fn verification_kind(doc: &Value) -> Option<&'static str> {
    let v = doc.get("verification").or_else(|| doc.get("verify"))?;
    let kind = match v {
        Value::Object(_) => types(v).first().copied()?,
        _ => return None,
    };
    match kind
        .rsplit(['#', '/'])
        .next()?
        .to_ascii_lowercase()
        .as_str()
    {
        "hostedbadge" | "hosted" => Some("hosted"),
        "signedbadge" | "signed" => Some("signed"),
        _ => None,
    }
}

fn check_date(doc: &Value, key: &str, required: bool, out: &mut Vec<String>) {
    match doc.get(key) {
        None if required => out.push(format!("`{key}` is missing")),
        None => {}
        Some(Value::String(s)) if clock::parse_iso8601(s).is_ok() => {}
        Some(v) => out.push(format!(
            "`{key}` is {v}, not an ISO 8601 date-time with a zone (e.g. 2026-11-22T10:00:00Z)"
        )),
    }
}

/// The rules an Assertion breaks (docs/standards/ob2.md §2).
pub fn assertion_problems(doc: &Value, era: Era) -> Vec<String> {
    let mut out = Vec::new();
    if !str_of(doc, "id").is_some_and(is_iri) {
        out.push("`id` is missing or not an IRI".to_owned());
    }
    if !has_type(doc, "Assertion") {
        out.push(format!(
            "`type` must include \"Assertion\" (found {:?})",
            types(doc)
        ));
    }
    match doc.get("recipient") {
        Some(r @ Value::Object(_)) => {
            if str_of(r, "identity").is_none_or(str::is_empty) {
                out.push("`recipient.identity` is missing".to_owned());
            }
            if str_of(r, "type").is_none() {
                out.push("`recipient.type` is missing (email, url or telephone)".to_owned());
            }
            match r.get("hashed") {
                Some(Value::Bool(hashed)) => {
                    let identity = str_of(r, "identity").unwrap_or_default();
                    if let Some(p) = identity_problem(identity, *hashed) {
                        out.push(p);
                    }
                }
                _ => out.push("`recipient.hashed` must be true or false".to_owned()),
            }
        }
        _ => out.push("`recipient` must be an IdentityObject".to_owned()),
    }
    let embedded_legacy = era == Era::Legacy && doc.get("badge").is_some_and(Value::is_object);
    if !embedded_legacy && !doc.get("badge").and_then(ref_id).is_some_and(is_iri) {
        out.push(
            "`badge` must be a BadgeClass IRI or an embedded BadgeClass with an id".to_owned(),
        );
    }
    if verification_kind(doc).is_none() {
        out.push("`verification.type` must be HostedBadge or SignedBadge".to_owned());
    }
    check_date(doc, "issuedOn", true, &mut out);
    check_date(doc, "expires", false, &mut out);
    out
}

/// The hash algorithms an IdentityHash may name (`<alg>$<hex>`), with their hex lengths.
pub const HASHES: [(&str, usize); 2] = [("sha256", 64), ("md5", 32)];

/// Why `identity` does not fit the `hashed` flag, if it does not: a hashed identity must be
/// `sha256$<64 hex>` or `md5$<32 hex>`; a plain one must not look like a hash.
pub fn identity_problem(identity: &str, hashed: bool) -> Option<String> {
    let shaped = identity.split_once('$').filter(|(alg, hex)| {
        !alg.is_empty()
            && alg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !hex.is_empty()
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
    });
    match (hashed, shaped) {
        (true, None) => Some(format!(
            "`recipient.hashed` is true but the identity {identity:?} is not a hash \
             (sha256$<hex> or md5$<hex>)"
        )),
        (true, Some((alg, hex))) => {
            match HASHES.iter().find(|(a, _)| alg.eq_ignore_ascii_case(a)) {
                None => Some(format!(
                    "the recipient is hashed with {alg:?}, which Open Badges does not define \
                 (sha256 or md5)"
                )),
                Some((a, len)) if hex.len() != *len => Some(format!(
                    "the recipient's {a} hash has {} hex digits, not {len}",
                    hex.len()
                )),
                Some(_) => None,
            }
        }
        (false, Some(_)) => Some(format!(
            "`recipient.hashed` is false but the identity {identity:?} is a hash"
        )),
        (false, None) => None,
    }
}

/// The rules a BadgeClass breaks (`docs/open-badges.md`, BadgeClass): `image` is required
/// (validator-core lets it pass; the spec does not).
pub fn badge_problems(doc: &Value, era: Era) -> Vec<String> {
    let mut out = Vec::new();
    match str_of(doc, "id") {
        Some(id) if is_iri(id) => {}
        None if era == Era::Legacy => {}
        _ => out.push("`id` is missing or not an IRI".to_owned()),
    }
    if !has_type(doc, "BadgeClass") {
        out.push(format!(
            "`type` must include \"BadgeClass\" (found {:?})",
            types(doc)
        ));
    }
    for key in ["name", "description"] {
        if str_of(doc, key).is_none_or(|s| s.trim().is_empty()) {
            out.push(format!("`{key}` is missing"));
        }
    }
    match doc.get("criteria") {
        Some(Value::String(s)) if is_iri(s) => {}
        Some(Value::Object(_)) => {}
        _ => out.push("`criteria` must be an IRI or a Criteria object".to_owned()),
    }
    if doc.get("image").and_then(ref_id).is_none_or(str::is_empty) {
        out.push("`image` is missing (a BadgeClass must have a PNG or SVG image)".to_owned());
    }
    match doc.get("issuer") {
        Some(Value::Object(_)) if era == Era::Legacy => {}
        Some(i) if ref_id(i).is_some_and(is_iri) => {}
        _ => {
            out.push("`issuer` must be a Profile IRI or an embedded Profile with an id".to_owned())
        }
    }
    out
}

/// The rules an issuer Profile breaks (`docs/open-badges.md`, Profile): `id`, `type` Issuer
/// or Profile, `name`, `url` and, in 2.0, `email` (validator-core lets a missing email pass;
/// the spec does not). 1.x issuers needed no email.
pub fn issuer_problems(doc: &Value, era: Era) -> Vec<String> {
    let mut out = Vec::new();
    match str_of(doc, "id") {
        Some(id) if is_iri(id) => {}
        None if era == Era::Legacy => {}
        _ => out.push("`id` is missing or not an IRI".to_owned()),
    }
    if !has_type(doc, "Issuer") && !has_type(doc, "Profile") {
        out.push(format!(
            "`type` must include \"Issuer\" or \"Profile\" (found {:?})",
            types(doc)
        ));
    }
    if str_of(doc, "name").is_none_or(|s| s.trim().is_empty()) {
        out.push("`name` is missing".to_owned());
    }
    if !str_of(doc, "url").is_some_and(is_iri) {
        out.push("`url` is missing or not an IRI".to_owned());
    }
    if era == Era::V2 && str_of(doc, "email").is_none_or(|e| !e.contains('@')) {
        out.push("`email` is missing (an issuer Profile must give a contact email)".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_are_told_from_the_context_and_legacy_shapes() {
        assert_eq!(version(&json!({"@context": OB2_CONTEXT})), DocVersion::V2);
        assert_eq!(
            version(&json!({"@context": [OB2_CONTEXT, {"x": "y"}]})),
            DocVersion::V2
        );
        assert_eq!(
            version(&json!({"@context": "https://w3id.org/openbadges/v1"})),
            DocVersion::V1_1
        );
        assert_eq!(
            version(&json!({"verify": {"type": "hosted", "url": "https://x.org/a"}})),
            DocVersion::V1_0
        );
        assert_eq!(
            version(&json!({"recipient": "sha256$abc"})),
            DocVersion::V0_5
        );
        assert_eq!(
            version(
                &json!({"@context": [VC2_CONTEXT, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]})
            ),
            DocVersion::V3
        );
        assert_eq!(version(&json!({"id": "x"})), DocVersion::Unknown);
    }

    #[test]
    fn a_minimal_assertion_has_no_problems_and_each_gap_is_named() {
        let good = json!({
            "id": "https://x.org/a/1", "type": "Assertion",
            "recipient": {"type": "email", "hashed": false, "identity": "a@x.org"},
            "badge": "https://x.org/b/1", "verification": {"type": "HostedBadge"},
            "issuedOn": "2026-01-01T00:00:00Z"
        });
        assert!(
            assertion_problems(&good, Era::V2).is_empty(),
            "{:?}",
            assertion_problems(&good, Era::V2)
        );
        let bad = json!({"id": "x", "type": ["Thing"], "issuedOn": 1_600_000_000,
                         "verification": {"type": "Other"}});
        let p = assertion_problems(&bad, Era::V2);
        assert_eq!(p.len(), 6, "{p:?}");
        assert!(p.iter().any(|m| m.contains("issuedOn")));
    }

    #[test]
    fn verification_aliases_and_full_iris_are_understood() {
        assert_eq!(
            verification_kind(&json!({"verification": {"type": "hosted"}})),
            Some("hosted")
        );
        assert_eq!(
            verification_kind(&json!({"verify": {"type": "signed"}})),
            Some("signed")
        );
        assert_eq!(
            verification_kind(
                &json!({"verification": {"type": "https://w3id.org/openbadges#SignedBadge"}})
            ),
            Some("signed")
        );
    }

    #[test]
    fn badge_and_issuer_rules() {
        let badge = json!({"id": "https://x.org/b", "type": "BadgeClass", "name": "n",
            "description": "d", "criteria": {"narrative": "do"}, "issuer": "https://x.org/i",
            "image": "https://x.org/b.png"});
        assert!(badge_problems(&badge, Era::V2).is_empty());
        assert_eq!(
            badge_problems(&json!({"type": "BadgeClass"}), Era::V2).len(),
            6
        );
        let issuer = json!({"id": "https://x.org/i", "type": "Profile", "name": "n",
            "url": "https://x.org", "email": "a@x.org"});
        assert!(issuer_problems(&issuer, Era::V2).is_empty());
        let mut no_email = issuer.clone();
        no_email.as_object_mut().map(|o| o.remove("email"));
        assert_eq!(issuer_problems(&no_email, Era::V2).len(), 1);
        assert!(issuer_problems(&no_email, Era::Legacy).is_empty());
    }

    #[test]
    fn the_hashed_flag_must_fit_the_identity() {
        let sha = crate::recipient::identity_hash("a@x.org", "s");
        assert_eq!(identity_problem(&sha, true), None);
        assert_eq!(
            identity_problem(&sha.to_uppercase().replace("SHA256", "sha256"), true),
            None
        );
        assert_eq!(
            identity_problem("md5$0cc175b9c0f1b6a831c399e269772661", true),
            None
        );
        assert_eq!(identity_problem("a@x.org", false), None);
        for (identity, hashed) in [
            (sha.as_str(), false),
            ("md5$0cc175b9c0f1b6a831c399e269772661", false),
            ("a@x.org", true),
            ("sha1$86f7e437faa5a7fce15d1ddcb9eaeaea377667b8", true),
            ("sha256$abc", true),
        ] {
            assert!(
                identity_problem(identity, hashed).is_some(),
                "{identity} {hashed}"
            );
        }
    }
}
