//! Reading Open Badges 2.0 documents as plain JSON: versions, types, required properties
//! (SPEC-NOTES §1.2) and the small value shapes (one or many, IRI or embedded object).
//!
//! Each `*_problems` function lists every rule a document breaks, as sentences; an empty list
//! means the document has the required properties with the right types.

use serde_json::Value;

use crate::bake::{OB2_CONTEXT, OB3_CONTEXT_PREFIX, VC1_CONTEXT, VC2_CONTEXT};
use crate::clock;

/// The Open Badges version a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocVersion {
    /// 2.0 (`https://w3id.org/openbadges/v2`).
    V2,
    /// 1.0 / 1.1 (`…/openbadges/v1` context, or a `verify` object with a `url`), or 0.5
    /// (a plain-string `recipient` and no context).
    V1,
    /// 3.0 (a VC context with an OB 3.0 context).
    V3,
    /// Nothing recognisable.
    Unknown,
}

/// The contexts of `doc` (a string or an array of strings).
fn contexts(doc: &Value) -> Vec<&str> {
    match doc.get("@context") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The version `doc` declares (see [`DocVersion`]).
pub fn version(doc: &Value) -> DocVersion {
    let ctx = contexts(doc);
    let has = |f: &dyn Fn(&str) -> bool| ctx.iter().any(|c| f(c.trim_end_matches('/')));
    if has(&|c| c == OB2_CONTEXT) {
        DocVersion::V2
    } else if has(&|c| c == VC2_CONTEXT || c == VC1_CONTEXT)
        && has(&|c| c.starts_with(OB3_CONTEXT_PREFIX))
    {
        DocVersion::V3
    } else if has(&|c| c.contains("openbadges/v1") || c.contains("openbadges.org/v1"))
        || doc.pointer("/verify/url").is_some_and(Value::is_string)
        || (ctx.is_empty() && doc.get("recipient").is_some_and(Value::is_string))
    {
        DocVersion::V1
    } else {
        DocVersion::Unknown
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
        Some(Value::String(s)) if clock::parse(s).is_ok() => {}
        Some(v) => out.push(format!(
            "`{key}` is {v}, not an ISO 8601 date-time with a zone (e.g. 2026-11-22T10:00:00Z)"
        )),
    }
}

/// The rules an Assertion breaks (SPEC-NOTES §1.2).
pub fn assertion_problems(doc: &Value) -> Vec<String> {
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
            if !r.get("hashed").is_some_and(Value::is_boolean) {
                out.push("`recipient.hashed` must be true or false".to_owned());
            }
        }
        _ => out.push("`recipient` must be an IdentityObject".to_owned()),
    }
    if !doc.get("badge").and_then(ref_id).is_some_and(is_iri) {
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

/// The rules a BadgeClass breaks (SPEC-NOTES §1.2). A missing `image` is left to the image
/// check (a warning, as validator-core treats it).
pub fn badge_problems(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if !str_of(doc, "id").is_some_and(is_iri) {
        out.push("`id` is missing or not an IRI".to_owned());
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
    if !doc.get("issuer").and_then(ref_id).is_some_and(is_iri) {
        out.push("`issuer` must be a Profile IRI or an embedded Profile with an id".to_owned());
    }
    out
}

/// The rules an issuer Profile breaks (SPEC-NOTES §1.2): `id`, `type` Issuer or Profile,
/// `name` and `url`. A missing `email` is a warning ([`issuer_warnings`]).
pub fn issuer_problems(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if !str_of(doc, "id").is_some_and(is_iri) {
        out.push("`id` is missing or not an IRI".to_owned());
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
    out
}

/// What is off in an issuer Profile without making it invalid.
pub fn issuer_warnings(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if str_of(doc, "email").is_none() {
        out.push("the issuer Profile has no `email` (the spec requires one)".to_owned());
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
            DocVersion::V1
        );
        assert_eq!(
            version(&json!({"verify": {"type": "hosted", "url": "https://x.org/a"}})),
            DocVersion::V1
        );
        assert_eq!(version(&json!({"recipient": "sha256$abc"})), DocVersion::V1);
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
            assertion_problems(&good).is_empty(),
            "{:?}",
            assertion_problems(&good)
        );
        let bad = json!({"id": "x", "type": ["Thing"], "issuedOn": 1_600_000_000,
                         "verification": {"type": "Other"}});
        let p = assertion_problems(&bad);
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
            "description": "d", "criteria": {"narrative": "do"}, "issuer": "https://x.org/i"});
        assert!(badge_problems(&badge).is_empty());
        assert_eq!(badge_problems(&json!({"type": "BadgeClass"})).len(), 5);
        let issuer = json!({"id": "https://x.org/i", "type": "Profile", "name": "n", "url": "https://x.org"});
        assert!(issuer_problems(&issuer).is_empty());
        assert_eq!(issuer_warnings(&issuer).len(), 1);
    }
}
