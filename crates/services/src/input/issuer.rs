//! `POST /api/v1/issuers` body.

use serde_json::Value;

use emblem_badges::error::Error;
use emblem_badges::image::{self, ImageInput};
use emblem_badges::model::issuer::StatusMethod;
use emblem_badges::recipient::validate_email;
use emblem_badges::validate::url::http_url;
use emblem_badges::validate::{Check, Text};

/// A new issuer profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIssuer {
    /// 1..=200 characters.
    pub name: String,
    /// The issuer's website (http or https).
    pub url: String,
    /// Contact email.
    pub email: String,
    /// At most 2000 characters.
    pub description: Option<String>,
    /// A PNG/SVG data URI or an https URL.
    pub image: Option<ImageInput>,
    /// Digits only (LinkedIn organisation id).
    pub linkedin_organization_id: Option<String>,
    /// `credential_status`: how 3.0 credentials publish revocation (default
    /// `1EdTechRevocationList`).
    pub status_method: StatusMethod,
}

/// `credential_status`, if present: `1EdTechRevocationList` or `BitstringStatusList`.
fn status_method(c: &mut Check, obj: &serde_json::Map<String, Value>) -> Option<StatusMethod> {
    c.raw_str(obj, "", "credential_status").and_then(|s| {
        c.apply("", "credential_status", s, |s| {
            StatusMethod::parse(s)
                .ok_or_else(|| "must be 1EdTechRevocationList or BitstringStatusList".to_owned())
        })
    })
}

impl NewIssuer {
    /// Validate the body.
    pub fn parse(body: &Value) -> Result<Self, Error> {
        let obj = Check::body(body)?;
        let mut c = Check::new();
        let name = c.required_text(obj, "", "name", Text::line(200));
        let url = c
            .required_raw_str(obj, "", "url")
            .and_then(|s| c.apply("", "url", s, http_url));
        let email = c
            .required_raw_str(obj, "", "email")
            .and_then(|s| c.apply("", "email", s, contact_email));
        let description = c.text(obj, "", "description", Text::block(2000));
        let image = c.raw_str(obj, "", "image").and_then(|s| {
            c.apply("", "image", s, |s| {
                image::parse(s).map_err(|e| e.to_string())
            })
        });
        let linkedin_organization_id = c
            .raw_str(obj, "", "linkedin_organization_id")
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| c.apply("", "linkedin_organization_id", s, linkedin_id));
        let status_method = status_method(&mut c, obj).unwrap_or_default();
        let built = (|| {
            Some(Self {
                name: name?,
                url: url?,
                email: email?,
                description,
                image,
                linkedin_organization_id,
                status_method,
            })
        })();
        c.done(built)
    }
}

/// `PATCH /api/v1/issuers/:id` body: the fields to change; absent fields stay as they are.
/// The profile's fields follow the rules of [`NewIssuer`]; hosted documents show the change at
/// once (an issuer profile is fetched, not baked into assertions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssuerUpdate {
    /// `Some(Some(url))` sets the webhook, `Some(None)` (JSON `null` or `""`) removes it.
    pub webhook_url: Option<Option<String>>,
    /// A new name.
    pub name: Option<String>,
    /// A new website.
    pub url: Option<String>,
    /// A new contact email.
    pub email: Option<String>,
    /// A new description; `Some(None)` (null) removes it.
    pub description: Option<Option<String>>,
    /// A new LinkedIn organisation id; `Some(None)` (null) removes it.
    pub linkedin_organization_id: Option<Option<String>>,
    /// A new 3.0 status method (`credential_status`).
    pub status_method: Option<StatusMethod>,
    /// A new logo (a PNG/SVG data URI or an https URL, as for [`NewIssuer`]); `Some(None)`
    /// (null) removes it.
    pub image: Option<Option<ImageInput>>,
}

impl IssuerUpdate {
    /// Validate the body; `loopback_http` lets tests use `http://127.0.0.1:<port>` webhooks.
    pub fn parse(body: &Value, loopback_http: bool) -> Result<Self, Error> {
        let obj = Check::body(body)?;
        let mut c = Check::new();
        let webhook_url = match obj.get("webhook_url") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => c
                .raw_str(obj, "", "webhook_url")
                .map(|s| {
                    if s.trim().is_empty() {
                        Some(None)
                    } else {
                        c.apply("", "webhook_url", s, |s| {
                            crate::webhook::check_url(s, loopback_http)
                        })
                        .map(Some)
                    }
                })
                .unwrap_or(None),
        };
        let name = c.text(obj, "", "name", Text::line(200));
        if obj
            .get("name")
            .is_some_and(|v| v.as_str().is_some_and(|s| s.trim().is_empty()))
        {
            c.error("name", "must not be empty");
        }
        let url = c
            .raw_str(obj, "", "url")
            .and_then(|s| c.apply("", "url", s, http_url));
        let email = c
            .raw_str(obj, "", "email")
            .and_then(|s| c.apply("", "email", s, contact_email));
        let description = match obj.get("description") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => Some(c.text(obj, "", "description", Text::block(2000))),
        };
        let linkedin_organization_id = match obj.get("linkedin_organization_id") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => Some(
                c.raw_str(obj, "", "linkedin_organization_id")
                    .filter(|s| !s.trim().is_empty())
                    .and_then(|s| c.apply("", "linkedin_organization_id", s, linkedin_id)),
            ),
        };
        let status_method = status_method(&mut c, obj);
        let image = match obj.get("image") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => Some(c.raw_str(obj, "", "image").and_then(|s| {
                c.apply("", "image", s, |s| {
                    image::parse(s).map_err(|e| e.to_string())
                })
            })),
        };
        c.finish(Self {
            webhook_url,
            name,
            url,
            email,
            description,
            linkedin_organization_id,
            status_method,
            image,
        })
    }
}

/// An issuer's contact address, trimmed (its case kept: it is shown, not matched).
fn contact_email(s: &str) -> Result<String, String> {
    let s = s.trim();
    validate_email(s).map(|()| s.to_owned())
}

fn linkedin_id(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "must be the digits of a LinkedIn organisation id (e.g. \"1337\"), got {s:?}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emblem_badges::image::fixtures::{SVG, data_uri};
    use serde_json::json;

    fn fields(e: Error) -> Vec<String> {
        e.problem().errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_issuer_is_normalised() {
        let i = NewIssuer::parse(&json!({
            "name": "  Example Academy ",
            "url": "https://academy.example.org",
            "email": " badges@example.org ",
            "description": "We teach.",
            "image": data_uri("image/svg+xml", SVG.as_bytes()),
            "linkedin_organization_id": "1337",
            "unknown": "ignored"
        }))
        .expect("valid");
        assert_eq!(i.name, "Example Academy");
        assert_eq!(i.email, "badges@example.org");
        assert_eq!(i.linkedin_organization_id.as_deref(), Some("1337"));
        assert!(matches!(i.image, Some(ImageInput::Upload { .. })));
    }

    #[test]
    fn name_url_and_email_are_required() {
        let e = NewIssuer::parse(&json!({})).expect_err("422");
        assert_eq!(fields(e), ["name", "url", "email"]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = NewIssuer::parse(&json!({
            "name": "x".repeat(201),
            "url": "ftp://example.org",
            "email": "not-an-email",
            "description": "d".repeat(2001),
            "image": "http://example.org/logo.png",
            "linkedin_organization_id": "acme"
        }))
        .expect_err("422");
        assert_eq!(
            fields(e),
            [
                "name",
                "url",
                "email",
                "description",
                "image",
                "linkedin_organization_id"
            ]
        );
    }

    #[test]
    fn wrong_types_are_named_with_what_was_sent() {
        let e =
            NewIssuer::parse(&json!({"name": ["A"], "url": 1, "email": true})).expect_err("422");
        let errors = e.problem().errors;
        assert_eq!(errors[0].message, "must be a string, got an array");
        assert_eq!(errors[1].message, "must be a string, got a number");
        assert_eq!(errors[2].message, "must be a string, got a boolean");
    }

    #[test]
    fn a_webhook_url_can_be_set_or_removed() {
        let set = IssuerUpdate::parse(
            &json!({"webhook_url": "https://hooks.example.org/e"}),
            false,
        )
        .expect("valid");
        assert_eq!(
            set.webhook_url,
            Some(Some("https://hooks.example.org/e".into()))
        );
        for removal in [json!({"webhook_url": null}), json!({"webhook_url": ""})] {
            let u = IssuerUpdate::parse(&removal, false).expect("valid");
            assert_eq!(u.webhook_url, Some(None));
        }
        assert_eq!(
            IssuerUpdate::parse(&json!({}), false).map(|u| u.webhook_url),
            Ok(None)
        );
    }

    #[test]
    fn a_bad_webhook_url_is_named() {
        for bad in [
            json!({"webhook_url": "http://hooks.example.org/e"}),
            json!({"webhook_url": "https://10.0.0.1/e"}),
            json!({"webhook_url": 5}),
        ] {
            let e = IssuerUpdate::parse(&bad, false).expect_err("422");
            assert_eq!(fields(e), ["webhook_url"], "{bad}");
        }
    }

    #[test]
    fn a_fake_png_logo_is_refused() {
        let e = NewIssuer::parse(&json!({
            "name": "A", "url": "https://a.example", "email": "a@a.example",
            "image": data_uri("image/png", b"\x89PNG\r\n\x1a\ngarbage")
        }))
        .expect_err("422");
        let errors = e.problem().errors;
        assert_eq!(errors[0].field, "image");
        assert!(
            errors[0].message.starts_with("is not a valid PNG"),
            "{}",
            errors[0].message
        );
    }
}
