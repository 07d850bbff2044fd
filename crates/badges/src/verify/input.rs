//! What the verifier was handed (docs/standards/ob2.md §5 step 1), read from a request.
//!
//! 1. JSON body: exactly one of `{"url": "…"}`, `{"assertion": {…}}` (an Open Badges 3.0
//!    credential may be sent as `{"credential": {…}}`) or `{"jws": "…"}`, plus an
//!    optional recipient: `email` or `telephone` at the top level, or
//!    `"recipient": {"email" | "url" | "telephone": "…"}` (a string means an email).
//! 2. `image/png`, `image/svg+xml` (or `application/octet-stream`) body: a baked image;
//!    the recipient may come from the query (`?email=…`).
//! 3. `multipart/form-data`: a file part `image`, or a text part `url`, `assertion` or `jws`;
//!    recipient parts `email`, `telephone` or `recipient_url`. Empty parts are ignored (HTML
//!    forms send every field).
//! 4. Query (`GET /verify?url=…&email=…`).
//! 5. Images are unbaked ([`crate::bake::unbake`]); the Open Badges 2.0 payload inside is
//!    then a URL, a JSON assertion or a JWS like any other input.
//!
//! Anything unreadable is a 4xx problem here, before any check runs.

use serde_json::Value;

use crate::bake::{self, Limits, PayloadKind, Version, multipart};
use crate::error::{Error, FieldError, Malformed};

/// The request body media types `POST /verify` accepts.
pub const ACCEPTED_TYPES: &str =
    "application/json, image/png, image/svg+xml or multipart/form-data";

/// The kind of recipient identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    /// An email address.
    Email,
    /// A URL.
    Url,
    /// A telephone number.
    Telephone,
}

impl IdentityKind {
    /// The IdentityObject `type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Url => "url",
            Self::Telephone => "telephone",
        }
    }
}

/// Who the verifier expects the badge to be issued to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimant {
    /// What kind of identifier.
    pub kind: IdentityKind,
    /// The identifier as given.
    pub value: String,
}

/// The badge to verify.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// A hosted assertion's URL.
    Url(String),
    /// An assertion as JSON (for hosted badges, only a pointer to its id).
    Json(Value),
    /// A compact JWS (a signed assertion).
    Jws(String),
    /// An image that holds no badge: why (e.g. "holds no Open Badges credential"). Verified
    /// as invalid at the `input` check, so a person gets a verdict, not an error.
    NoBadge(String),
}

/// A verification request.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyRequest {
    /// The badge.
    pub subject: Subject,
    /// How it was handed in: `url`, `json`, `jws`, `png` or `svg`.
    pub source: &'static str,
    /// The expected recipient, if given.
    pub recipient: Option<Claimant>,
}

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::Invalid(vec![FieldError::new(field, message)])
}

fn claimant(kind: IdentityKind, value: &str) -> Option<Claimant> {
    let value = value.trim();
    (!value.is_empty()).then(|| Claimant {
        kind,
        value: value.to_owned(),
    })
}

/// Classify a text payload (from an image, a form field or `jws`).
fn text_subject(text: &str, field: &str) -> Result<Subject, Error> {
    let payload = bake::Payload::classify(text);
    match payload.kind {
        PayloadKind::Url => Ok(Subject::Url(payload.text)),
        PayloadKind::Jws => Ok(Subject::Jws(payload.text)),
        PayloadKind::Json => serde_json::from_str(&payload.text)
            .map(Subject::Json)
            .map_err(|_| invalid(field, "is not a JSON object")),
        PayloadKind::Text => Err(invalid(
            field,
            "must be an https URL, a JSON assertion or a compact JWS",
        )),
    }
}

/// Unbake an image and take its Open Badges 2.0 payload.
pub fn image_subject(image: &[u8]) -> Result<(Subject, &'static str), Error> {
    let unbaked = match bake::unbake(image, &Limits::default()) {
        Ok(u) => u,
        Err(bake::BakeError::NotBaked) => {
            let source = match bake::sniff(image) {
                Some(crate::image::ImageType::Svg) => "svg",
                _ => "png",
            };
            return Ok((
                Subject::NoBadge(format!(
                    "is a {} image without an Open Badges credential baked into it",
                    source.to_ascii_uppercase()
                )),
                source,
            ));
        }
        Err(bake::BakeError::Limit(bake::LimitError::Input { limit })) => {
            return Err(Error::PayloadTooLarge { limit });
        }
        Err(other) => return Err(invalid("image", other.to_string())),
    };
    let source = match unbaked.format {
        crate::image::ImageType::Png => "png",
        crate::image::ImageType::Svg => "svg",
    };
    let found = unbaked
        .found
        .iter()
        .find(|f| f.version == Version::V2)
        .or_else(|| unbaked.found.first());
    match found {
        Some(found) => Ok((text_subject(&found.payload, "image")?, source)),
        None => Ok((
            Subject::NoBadge(format!(
                "is a {} image without an Open Badges credential baked into it",
                source.to_ascii_uppercase()
            )),
            source,
        )),
    }
}

fn json_request(body: &[u8]) -> Result<VerifyRequest, Error> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        Error::Malformed(Malformed::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    })?;
    let Value::Object(map) = &v else {
        return Err(invalid("", "the body must be a JSON object"));
    };
    let given: Vec<&str> = ["url", "assertion", "credential", "jws"]
        .into_iter()
        .filter(|k| map.contains_key(*k))
        .collect();
    let (subject, source) = match given.as_slice() {
        ["url"] => match map.get("url") {
            Some(Value::String(u)) if crate::verify::docs::is_http_url(u.trim()) => {
                (Subject::Url(u.trim().to_owned()), "url")
            }
            _ => {
                return Err(invalid(
                    "url",
                    "must be an http(s) URL of a hosted assertion",
                ));
            }
        },
        [field @ ("assertion" | "credential")] => match map.get(*field) {
            Some(a @ Value::Object(_)) => (Subject::Json(a.clone()), "json"),
            Some(Value::String(s)) => (text_subject(s, field)?, "json"),
            _ => return Err(invalid(field, "must be a JSON object")),
        },
        ["jws"] => match map.get("jws").and_then(Value::as_str) {
            Some(s) if bake::is_compact_jws(s.trim()) => (Subject::Jws(s.trim().to_owned()), "jws"),
            _ => {
                return Err(invalid(
                    "jws",
                    "must be a compact JWS (header.payload.signature)",
                ));
            }
        },
        [] => {
            return Err(invalid(
                "url",
                "send one of `url`, `assertion` or `jws` (or an image body)",
            ));
        }
        _ => {
            return Err(invalid(
                given[1],
                "send only one of `url`, `assertion` or `jws`",
            ));
        }
    };
    let recipient = match map.get("recipient") {
        Some(Value::String(email)) => claimant(IdentityKind::Email, email),
        Some(Value::Object(r)) => [
            ("email", IdentityKind::Email),
            ("url", IdentityKind::Url),
            ("telephone", IdentityKind::Telephone),
        ]
        .into_iter()
        .find_map(|(k, kind)| {
            r.get(k)
                .and_then(Value::as_str)
                .and_then(|s| claimant(kind, s))
        }),
        Some(Value::Null) | None => None,
        Some(_) => {
            return Err(invalid(
                "recipient",
                "must be an email or an object {email|url|telephone}",
            ));
        }
    }
    .or_else(|| {
        map.get("email")
            .and_then(Value::as_str)
            .and_then(|s| claimant(IdentityKind::Email, s))
    })
    .or_else(|| {
        map.get("telephone")
            .and_then(Value::as_str)
            .and_then(|s| claimant(IdentityKind::Telephone, s))
    });
    Ok(VerifyRequest {
        subject,
        source,
        recipient,
    })
}

/// The recipient named in query or form pairs.
fn pairs_recipient<'a>(
    pairs: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<Claimant> {
    let find = |name: &str| pairs.clone().find(|(k, _)| *k == name).map(|(_, v)| v);
    find("email")
        .and_then(|v| claimant(IdentityKind::Email, v))
        .or_else(|| find("recipient_url").and_then(|v| claimant(IdentityKind::Url, v)))
        .or_else(|| find("telephone").and_then(|v| claimant(IdentityKind::Telephone, v)))
}

/// The recipient named in a query string.
pub fn query_recipient(query: &str) -> Option<Claimant> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    pairs_recipient(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// `GET /verify?url=…`: None when there is no `url` (the page with an empty form).
pub fn from_query(query: &str) -> Result<Option<VerifyRequest>, Error> {
    let url = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    let Some(url) = url else {
        return Ok(None);
    };
    if !crate::verify::docs::is_http_url(&url) {
        return Err(Error::Malformed(Malformed::Query {
            parameter: "url",
            value: url,
            reason: "must be the http(s) URL of a hosted assertion",
        }));
    }
    Ok(Some(VerifyRequest {
        subject: Subject::Url(url),
        source: "url",
        recipient: query_recipient(query),
    }))
}

fn multipart_request(content_type: &str, body: &[u8]) -> Result<VerifyRequest, Error> {
    let bad = |e: multipart::MultipartError| invalid("body", e.to_string());
    let boundary = multipart::boundary(content_type).map_err(bad)?;
    let parts = multipart::parse(body, &boundary).map_err(bad)?;
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| std::str::from_utf8(p.body).ok())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let recipient = pairs_recipient(
        ["email", "recipient_url", "telephone"]
            .into_iter()
            .filter_map(|k| text(k).map(|v| (k, v))),
    );
    let image = parts
        .iter()
        .find(|p| p.name == "image" && !p.body.is_empty());
    let (subject, source) = if let Some(image) = image {
        image_subject(image.body)?
    } else if let Some(url) = text("url") {
        if !crate::verify::docs::is_http_url(url) {
            return Err(invalid(
                "url",
                "must be an http(s) URL of a hosted assertion",
            ));
        }
        (Subject::Url(url.to_owned()), "url")
    } else if let Some(a) = text("assertion") {
        (text_subject(a, "assertion")?, "json")
    } else if let Some(j) = text("jws") {
        (text_subject(j, "jws")?, "jws")
    } else {
        return Err(invalid(
            "image",
            "send a badge image (file part `image`) or a `url`, `assertion` or `jws` field",
        ));
    };
    Ok(VerifyRequest {
        subject,
        source,
        recipient,
    })
}

/// `POST /verify`: read the body by its media type (see the module docs).
pub fn from_body(
    content_type: Option<&str>,
    query: &str,
    body: &[u8],
) -> Result<VerifyRequest, Error> {
    if body.is_empty() {
        return Err(Error::Malformed(Malformed::EmptyBody));
    }
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/json" | "application/ld+json" => json_request(body),
        "image/png" | "image/svg+xml" | "application/octet-stream" => {
            let (subject, source) = image_subject(body)?;
            Ok(VerifyRequest {
                subject,
                source,
                recipient: query_recipient(query),
            })
        }
        "multipart/form-data" => multipart_request(content_type.unwrap_or_default(), body),
        _ => Err(Error::UnsupportedMediaType {
            found: content_type.map(str::to_owned),
            expected: ACCEPTED_TYPES,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Result<VerifyRequest, Error> {
        from_body(
            Some("application/json"),
            "",
            &serde_json::to_vec(&v).expect("json"),
        )
    }

    #[test]
    fn json_bodies_name_exactly_one_input() {
        let r = body(json!({"url": "https://x.org/a/1", "email": "A@x.org"})).expect("ok");
        assert_eq!(r.subject, Subject::Url("https://x.org/a/1".into()));
        assert_eq!(r.recipient.map(|c| c.value), Some("A@x.org".into()));
        let r = body(json!({"assertion": {"id": "https://x.org/a/1"}, "recipient": {"url": "https://me.org"}}))
            .expect("ok");
        assert_eq!(r.source, "json");
        assert_eq!(r.recipient.map(|c| c.kind), Some(IdentityKind::Url));
        assert_eq!(
            body(json!({"url": "x", "jws": "a.b.c"}))
                .map_err(|e| e.status())
                .err(),
            Some(422)
        );
        assert_eq!(body(json!({})).map_err(|e| e.status()).err(), Some(422));
        assert_eq!(
            body(json!({"url": "ftp://x"}))
                .map_err(|e| e.status())
                .err(),
            Some(422)
        );
        assert_eq!(
            body(json!({"jws": "not a jws"}))
                .map_err(|e| e.status())
                .err(),
            Some(422)
        );
    }

    #[test]
    fn garbage_bodies_are_4xx() {
        let e = |ct: Option<&str>, b: &[u8]| from_body(ct, "", b).map_err(|e| e.status()).err();
        assert_eq!(e(Some("application/json"), b"{nope"), Some(400));
        assert_eq!(e(Some("application/json"), b""), Some(400));
        assert_eq!(e(Some("text/plain"), b"hello"), Some(415));
        assert_eq!(e(None, b"hello"), Some(415));
        assert_eq!(e(Some("image/png"), b"\x89PNG garbage"), Some(422));
        assert_eq!(
            e(Some("multipart/form-data; boundary=x"), b"junk"),
            Some(422)
        );
    }

    #[test]
    fn the_query_gives_the_url_and_recipient() {
        let r = from_query("url=https%3A%2F%2Fx.org%2Fa%2F1&email=a%40x.org")
            .expect("ok")
            .expect("some");
        assert_eq!(r.subject, Subject::Url("https://x.org/a/1".into()));
        assert_eq!(r.recipient.map(|c| c.value), Some("a@x.org".into()));
        assert_eq!(from_query("").expect("ok"), None);
        assert_eq!(from_query("url=").expect("ok"), None);
        assert!(from_query("url=javascript:alert(1)").is_err());
    }

    #[test]
    fn multipart_forms_take_the_image_or_the_url() {
        let form = "--b\r\nContent-Disposition: form-data; name=\"url\"\r\n\r\nhttps://x.org/a/1\r\n\
                    --b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\"\r\n\
                    Content-Type: application/octet-stream\r\n\r\n\r\n\
                    --b\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n\r\n--b--\r\n";
        let r =
            from_body(Some("multipart/form-data; boundary=b"), "", form.as_bytes()).expect("ok");
        assert_eq!(r.subject, Subject::Url("https://x.org/a/1".into()));
        assert_eq!(r.recipient, None);
    }
}
