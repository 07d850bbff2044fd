//! Open Badges 0.5, 1.0 and 1.1 documents, upgraded to the 2.0 shape before they are checked,
//! as validator-core does (`docs/open-badges.md`, "Older versions").
//!
//! 1. 1.0 and 0.5 documents carry no `id`: the URL they were fetched from is their id, and a
//!    1.0 assertion's `verify.url` names its hosted URL.
//! 2. `verify` becomes `verification` (`hosted` → `HostedBadge`, `signed` → `SignedBadge`
//!    with `verify.url` as its `creator`), and every node gets its 2.0 `type`.
//! 3. `issuedOn` / `expires` given as Unix timestamps (numbers or digit strings), as dates
//!    without a time, or as date-times without a zone are read as UTC and rewritten as
//!    ISO 8601 date-times.
//! 4. 0.5: the plain-string `recipient` (an email, or `sha256$…` with a top-level `salt`)
//!    becomes an email IdentityObject; `issued_on` is `issuedOn`; the embedded issuer's
//!    `origin` is its `url` and `contact` its `email`.
//! 5. 1.x alignments: `url`, `name`, `description` are `targetUrl`, `targetName`,
//!    `targetDescription`.
//!
//! The upgraded documents are then checked by the 2.0 rules of their era ([`Era::Legacy`]).
//!
//! [`Era::Legacy`]: super::docs::Era::Legacy

use serde_json::{Map, Value, json};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::docs::{self, DocVersion};
use crate::clock;

/// An upgraded assertion, or why it could not be upgraded.
pub fn assertion(
    doc: &Value,
    version: DocVersion,
    fetched_from: Option<&str>,
) -> Result<Value, String> {
    let mut out = as_map(doc);
    out.remove("@context");
    // `verification` is a 2.0 term: the v1 context does not define it, so a JSON-LD processor
    // drops it from a 1.x document. Only `verify` counts.
    out.remove("verification");
    out.insert("type".into(), json!("Assertion"));
    if version == DocVersion::V0_5 && !out.get("badge").is_some_and(Value::is_object) {
        return Err(
            "an Open Badges 0.5 assertion embeds its BadgeClass, but `badge` is not an object"
                .to_owned(),
        );
    }
    if version == DocVersion::V0_5 {
        if let Some(Value::String(r)) = out.get("recipient").cloned() {
            let mut id = Map::new();
            id.insert("type".into(), json!("email"));
            id.insert("hashed".into(), json!(!r.contains('@')));
            id.insert("identity".into(), json!(r));
            if let Some(salt) = out.remove("salt") {
                id.insert("salt".into(), salt);
            }
            out.insert("recipient".into(), Value::Object(id));
        }
        if let Some(issued) = out.remove("issued_on") {
            out.entry("issuedOn").or_insert(issued);
        }
        out.insert("verification".into(), json!({"type": "HostedBadge"}));
        if let Some(Value::Object(badge)) = out.get_mut("badge") {
            badge.insert("type".into(), json!("BadgeClass"));
            if let Some(issuer) = badge.get("issuer").cloned() {
                badge.insert("issuer".into(), issuer_doc(&issuer, None));
            }
        }
    }
    let verify = out.remove("verify");
    if !out.contains_key("verification") {
        let kind = verify.as_ref().and_then(|v| docs::str_of(v, "type"));
        let url = verify.as_ref().and_then(|v| docs::str_of(v, "url"));
        let verification = match kind.map(str::to_ascii_lowercase).as_deref() {
            Some("hosted" | "hostedbadge") => json!({"type": "HostedBadge"}),
            Some("signed" | "signedbadge") => match url {
                Some(u) => json!({"type": "SignedBadge", "creator": u}),
                None => json!({"type": "SignedBadge"}),
            },
            _ => return Err("its `verify.type` is neither hosted nor signed".to_owned()),
        };
        if !out.contains_key("id") {
            let hosted = verification["type"] == "HostedBadge";
            match (hosted.then_some(url).flatten(), fetched_from) {
                (Some(u), _) | (None, Some(u)) => {
                    out.insert("id".into(), json!(u));
                }
                (None, None) => {}
            }
        }
        out.insert("verification".into(), verification);
    }
    if !out.contains_key("id")
        && let Some(u) = fetched_from
    {
        out.insert("id".into(), json!(u));
    }
    for key in ["issuedOn", "expires"] {
        if let Some(v) = out.get(key) {
            let t = date(v).ok_or_else(|| format!("its `{key}` {v} is not a date"))?;
            out.insert(key.into(), json!(clock::format(t)));
        }
    }
    Ok(Value::Object(out))
}

/// An upgraded BadgeClass fetched from `fetched_from`.
pub fn badge_class(doc: &Value, fetched_from: Option<&str>) -> Value {
    let mut out = as_map(doc);
    out.remove("@context");
    out.insert("type".into(), json!("BadgeClass"));
    if let (false, Some(u)) = (out.contains_key("id"), fetched_from) {
        out.insert("id".into(), json!(u));
    }
    if let Some(Value::Array(items)) = out.get_mut("alignment") {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            for (old, new) in [
                ("url", "targetUrl"),
                ("name", "targetName"),
                ("description", "targetDescription"),
            ] {
                if !item.contains_key(new)
                    && let Some(v) = item.remove(old)
                {
                    item.insert(new.into(), v);
                }
            }
        }
    }
    Value::Object(out)
}

/// An upgraded issuer organisation fetched from `fetched_from` (or embedded, in 0.5).
pub fn issuer_doc(doc: &Value, fetched_from: Option<&str>) -> Value {
    let mut out = as_map(doc);
    out.remove("@context");
    out.insert("type".into(), json!("Issuer"));
    for (old, new) in [("origin", "url"), ("contact", "email")] {
        if !out.contains_key(new)
            && let Some(v) = out.remove(old)
        {
            out.insert(new.into(), v);
        }
    }
    if let (false, Some(u)) = (out.contains_key("id"), fetched_from) {
        out.insert("id".into(), json!(u));
    }
    Value::Object(out)
}

fn as_map(doc: &Value) -> Map<String, Value> {
    doc.as_object().cloned().unwrap_or_default()
}

/// A 1.x date: a Unix timestamp (number or digits), a date, or a date-time with or without a
/// zone (UTC when it has none).
pub fn date(v: &Value) -> Option<OffsetDateTime> {
    let unix = |secs: f64| {
        (secs.is_finite() && secs.abs() < 1e11).then(|| clock::from_unix(secs.trunc() as i64, 0))
    };
    match v {
        Value::Number(n) => unix(n.as_f64()?),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(secs) = s.parse::<f64>() {
                return unix(secs);
            }
            if let Ok(t) = clock::parse_iso8601(s) {
                return Some(t);
            }
            let naive = |fmt: &[time::format_description::FormatItem<'_>]| {
                PrimitiveDateTime::parse(s, fmt).ok()
            };
            use time::macros::format_description as f;
            naive(f!("[year]-[month]-[day]T[hour]:[minute]:[second]"))
                .or_else(|| naive(f!("[year]-[month]-[day]T[hour]:[minute]")))
                .or_else(|| {
                    time::Date::parse(s, f!("[year]-[month]-[day]"))
                        .ok()
                        .map(|d| d.midnight())
                })
                .map(|t| t.assume_offset(UtcOffset::UTC))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn legacy_dates_are_read_as_utc() {
        let t = datetime!(2015-04-30 00:00 UTC);
        assert_eq!(date(&json!("2015-04-30")), Some(t));
        assert_eq!(date(&json!(t.unix_timestamp())), Some(t));
        assert_eq!(date(&json!(t.unix_timestamp().to_string())), Some(t));
        assert_eq!(date(&json!("2015-04-30T00:00:00")), Some(t));
        assert_eq!(date(&json!("2015-04-30T02:00:00+02:00")), Some(t));
        assert_eq!(date(&json!("yesterday")), None);
        assert_eq!(date(&json!(true)), None);
    }

    #[test]
    fn a_1_0_hosted_assertion_takes_its_id_from_verify_url() {
        let doc = json!({"uid": "123abc",
            "recipient": {"identity": "test@example.com", "hashed": false, "type": "email"},
            "badge": "http://a.com/badgeclass", "issuedOn": "2015-04-30",
            "verify": {"type": "hosted", "url": "http://a.com/instance"}});
        let up = assertion(&doc, DocVersion::V1_0, Some("http://a.com/fetched")).expect("upgrade");
        assert_eq!(up["id"], "http://a.com/instance");
        assert_eq!(up["type"], "Assertion");
        assert_eq!(up["verification"], json!({"type": "HostedBadge"}));
        assert_eq!(up["issuedOn"], "2015-04-30T00:00:00Z");
        let era = docs::Era::Legacy;
        assert!(
            docs::assertion_problems(&up, era).is_empty(),
            "{:?}",
            docs::assertion_problems(&up, era)
        );
    }

    #[test]
    fn a_0_5_assertion_gets_an_identity_object_and_an_issuer_url() {
        let doc = json!({"recipient": "sha256$85c4196c5516561cef673642157499b70066cb1070852b2a37fdbf3cc599b087",
            "salt": "sel gris", "issued_on": "2011-06-01",
            "badge": {"version": "0.5.0", "name": "Basic", "image": "http://o.com/i/2",
                "description": "A basic badge.", "criteria": "http://o.com/c/2",
                "issuer": {"origin": "http://o.com", "name": "Basic Issuer"}}});
        let up = assertion(&doc, DocVersion::V0_5, Some("http://o.com/a/1")).expect("upgrade");
        assert_eq!(up["id"], "http://o.com/a/1");
        assert_eq!(up["recipient"]["hashed"], true);
        assert_eq!(up["recipient"]["salt"], "sel gris");
        assert_eq!(up["issuedOn"], "2011-06-01T00:00:00Z");
        assert_eq!(up["badge"]["issuer"]["url"], "http://o.com");
        assert_eq!(up["badge"]["issuer"]["type"], "Issuer");
    }

    #[test]
    fn only_1_x_terms_count_in_1_x_documents() {
        let doc = json!({"@context": "https://w3id.org/openbadges/v1",
            "recipient": {"identity": "a@x.org", "hashed": false, "type": "email"},
            "badge": "http://a.com/b", "issuedOn": "2016-12-31T23:59:59Z",
            "verification": {"type": "hosted"}});
        assert!(assertion(&doc, DocVersion::V1_1, Some("http://a.com/a")).is_err());
        let string_badge = json!({"recipient": "a@x.org", "badge": "http://a.com/b"});
        assert!(assertion(&string_badge, DocVersion::V0_5, Some("http://a.com/a")).is_err());
    }

    #[test]
    fn alignments_get_their_2_0_names() {
        let up = badge_class(
            &json!({"name": "b", "alignment": [{"url": "http://x.org", "name": "X"}]}),
            Some("http://a.com/b"),
        );
        assert_eq!(up["id"], "http://a.com/b");
        assert_eq!(up["alignment"][0]["targetUrl"], "http://x.org");
        assert_eq!(up["alignment"][0]["targetName"], "X");
    }
}
