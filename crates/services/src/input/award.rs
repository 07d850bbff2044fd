//! `POST /api/v1/assertions` body.

use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use emblem_badges::clock;
use emblem_badges::error::Error;
use emblem_badges::model::award::Evidence;
use emblem_badges::recipient::normalize_email;
use emblem_badges::validate::url::http_url;
use emblem_badges::validate::{Check, Text, index, kind};

/// Most evidence items on an award.
pub const MAX_EVIDENCE: usize = 50;

/// A new award. The badge class is checked against the caller's issuer by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAward {
    /// The badge class id.
    pub badgeclass: String,
    /// The recipient's email, trimmed and lower-cased.
    pub email: String,
    /// The earner's name (`recipient.name`, ≤ 200 characters, one line).
    pub name: Option<String>,
    /// When it was issued (default: now; at most a few minutes in the future).
    pub issued_on: OffsetDateTime,
    /// Explicit expiry (after `issued_on`); None means the class default, if any.
    pub expires: Option<OffsetDateTime>,
    /// Evidence.
    pub evidence: Vec<Evidence>,
    /// Markdown narrative (≤ 10 000 characters).
    pub narrative: Option<String>,
}

impl NewAward {
    /// Validate the body at `now`, allowing `issued_on` up to `skew` in the future.
    pub fn parse(body: &Value, now: OffsetDateTime, skew: Duration) -> Result<Self, Error> {
        let obj = Check::body(body)?;
        let mut c = Check::new();
        let badgeclass = c.required_text(obj, "", "badgeclass", Text::line(100));
        let recipient = c.required_object(obj, "", "recipient");
        let email = recipient
            .and_then(|r| c.required_raw_str(r, "recipient", "email"))
            .and_then(|s| c.apply("recipient", "email", s, normalize_email));
        let name = recipient.and_then(|r| c.text(r, "recipient", "name", Text::line(200)));
        let issued_on = match c.raw_str(obj, "", "issued_on") {
            Some(s) => c.apply("", "issued_on", s, |s| {
                let t = clock::parse(s).map_err(str::to_owned)?;
                if t > now + skew {
                    return Err(format!(
                        "must not be in the future; {} is after now ({})",
                        clock::format(t),
                        clock::format(now)
                    ));
                }
                Ok(t)
            }),
            None => Some(clock::truncate(now)),
        };
        let expires = c
            .raw_str(obj, "", "expires")
            .and_then(|s| c.apply("", "expires", s, |s| clock::parse(s).map_err(str::to_owned)));
        if let (Some(issued_on), Some(expires)) = (issued_on, expires)
            && expires <= issued_on
        {
            c.error(
                "expires",
                format!(
                    "must be after issued_on; {} is not after {}",
                    clock::format(expires),
                    clock::format(issued_on)
                ),
            );
        }
        let evidence = parse_evidence(&mut c, obj);
        let narrative = c.text(obj, "", "narrative", Text::block(10_000));
        let built = (|| {
            Some(Self {
                badgeclass: badgeclass?,
                email: email?,
                name,
                issued_on: issued_on?,
                expires,
                evidence,
                narrative,
            })
        })();
        c.done(built)
    }
}

/// `evidence`: a URL string, or an array of URL strings and `{url, narrative, name,
/// description}` objects (each with a url or a narrative).
fn parse_evidence(c: &mut Check, obj: &Map<String, Value>) -> Vec<Evidence> {
    match obj.get("evidence") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(url)) => c
            .apply("", "evidence", url, http_url)
            .map(url_only)
            .into_iter()
            .collect(),
        Some(Value::Array(_)) => {
            let items = c
                .array(obj, "", "evidence", MAX_EVIDENCE)
                .unwrap_or_default();
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let at = index("evidence", i);
                match item {
                    Value::String(url) => {
                        if let Some(url) = c.apply("", &at, url, http_url) {
                            out.push(url_only(url));
                        }
                    }
                    Value::Object(e) => {
                        if let Some(e) = parse_evidence_item(c, e, &at) {
                            out.push(e);
                        }
                    }
                    other => c.error(
                        at,
                        format!("must be a URL string or an object, got {}", kind(other)),
                    ),
                }
            }
            out
        }
        Some(other) => {
            c.error(
                "evidence",
                format!("must be a URL string or an array, got {}", kind(other)),
            );
            Vec::new()
        }
    }
}

fn url_only(url: String) -> Evidence {
    Evidence {
        url: Some(url),
        narrative: None,
        name: None,
        description: None,
    }
}

fn parse_evidence_item(c: &mut Check, e: &Map<String, Value>, at: &str) -> Option<Evidence> {
    let before = c.error_count();
    let url = c
        .raw_str(e, at, "url")
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| c.apply(at, "url", s, http_url));
    let narrative = c.text(e, at, "narrative", Text::block(10_000));
    let name = c.text(e, at, "name", Text::line(200));
    let description = c.text(e, at, "description", Text::block(2000));
    if c.error_count() > before {
        return None;
    }
    if url.is_none() && narrative.is_none() {
        c.error(at, "needs a url, a narrative, or both");
        return None;
    }
    Some(Evidence {
        url,
        narrative,
        name,
        description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-22 10:00:30 UTC);
    const SKEW: Duration = Duration::minutes(5);

    fn parse(v: Value) -> Result<NewAward, Error> {
        NewAward::parse(&v, NOW, SKEW)
    }

    fn fields(v: Value) -> Vec<String> {
        parse(v)
            .expect_err("422")
            .problem()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn the_minimum_is_a_badge_class_and_an_email() {
        let a = parse(json!({"badgeclass": "b", "recipient": {"email": " Alice@Example.ORG "}}))
            .expect("valid");
        assert_eq!(a.email, "alice@example.org");
        assert_eq!(a.issued_on, datetime!(2026-11-22 10:00:30 UTC));
        assert_eq!(a.expires, None);
        assert!(a.evidence.is_empty());
    }

    #[test]
    fn missing_recipient_and_class_are_named() {
        assert_eq!(fields(json!({})), ["badgeclass", "recipient"]);
        assert_eq!(
            fields(json!({"badgeclass": "b", "recipient": {}})),
            ["recipient.email"]
        );
        assert_eq!(
            fields(json!({"badgeclass": "b", "recipient": {"email": "nope"}})),
            ["recipient.email"]
        );
    }

    #[test]
    fn issued_on_may_not_be_in_the_future_beyond_clock_skew() {
        let base = json!({"badgeclass": "b", "recipient": {"email": "a@b.example"}});
        let mut ok = base.clone();
        ok["issued_on"] = json!("2026-11-22T10:04:00Z");
        assert!(parse(ok).is_ok());
        let mut late = base.clone();
        late["issued_on"] = json!("2026-11-22T11:00:00Z");
        assert_eq!(fields(late), ["issued_on"]);
        let mut bad = base;
        bad["issued_on"] = json!("22/11/2026");
        assert_eq!(fields(bad), ["issued_on"]);
    }

    #[test]
    fn expires_must_follow_issued_on() {
        let v = json!({
            "badgeclass": "b", "recipient": {"email": "a@b.example"},
            "issued_on": "2026-01-01T00:00:00Z", "expires": "2025-01-01T00:00:00Z"
        });
        let e = parse(v).expect_err("422");
        let err = &e.problem().errors[0];
        assert_eq!(err.field, "expires");
        assert!(
            err.message.contains("2025-01-01T00:00:00Z"),
            "{}",
            err.message
        );
    }

    #[test]
    fn evidence_may_be_a_url_or_a_list() {
        let one = parse(json!({
            "badgeclass": "b", "recipient": {"email": "a@b.example"},
            "evidence": "https://example.org/work"
        }))
        .expect("valid");
        assert_eq!(
            one.evidence[0].url.as_deref(),
            Some("https://example.org/work")
        );
        let many = parse(json!({
            "badgeclass": "b", "recipient": {"email": "a@b.example"},
            "evidence": ["https://e.example/1", {"narrative": "Built a parser", "name": "Parser"}]
        }))
        .expect("valid");
        assert_eq!(many.evidence.len(), 2);
        assert_eq!(many.evidence[1].name.as_deref(), Some("Parser"));
    }

    #[test]
    fn bad_evidence_is_named_item_by_item() {
        let v = json!({
            "badgeclass": "b", "recipient": {"email": "a@b.example"},
            "evidence": ["ftp://x", {"name": "only a name"}, 3, {"url": "nope"}]
        });
        assert_eq!(
            fields(v),
            [
                "evidence[0]",
                "evidence[1]",
                "evidence[2]",
                "evidence[3].url"
            ]
        );
        let v = json!({"badgeclass": "b", "recipient": {"email": "a@b.example"}, "evidence": 5});
        assert_eq!(fields(v), ["evidence"]);
    }
}
