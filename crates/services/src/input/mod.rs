//! Request bodies of the issuer API, validated completely before anything is written.
//!
//! Each input type has a `parse` that takes the parsed JSON body and returns either the
//! normalised input or 422 with every field error (see [`emblem_badges::validate`]). Unknown fields
//! are ignored. Field names are snake_case.

mod award;
mod badge;
pub mod cohort;
mod issuer;

pub use award::NewAward;
pub use badge::NewBadge;
pub use issuer::{IssuerUpdate, NewIssuer};

use serde_json::Value;
use time::OffsetDateTime;

use emblem_badges::clock;
use emblem_badges::error::Error;
use emblem_badges::validate::{Check, Text};

/// Longest reason accepted when revoking.
pub const MAX_REASON: usize = 500;

/// `POST /issuers/:id/keys` body: `{label?}` (an empty body is `{}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    /// A label for people (≤ 100 characters).
    pub label: Option<String>,
}

impl NewKey {
    /// Validate the body.
    pub fn parse(body: &Value) -> Result<Self, Error> {
        let obj = Check::body(body)?;
        let mut c = Check::new();
        let label = c.text(obj, "", "label", Text::line(100));
        c.finish(Self { label })
    }
}

/// `POST /assertions/:id/revoke` body: `{reason}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoke {
    /// Why (1..=500 characters).
    pub reason: String,
}

impl Revoke {
    /// Validate the body.
    pub fn parse(body: &Value) -> Result<Self, Error> {
        let obj = Check::body(body)?;
        let mut c = Check::new();
        let reason = c.required_text(obj, "", "reason", Text::block(MAX_REASON));
        c.done(reason.map(|reason| Self { reason }))
    }
}

/// `{email}` bodies: `POST /suppressions`, `POST /suppressions/remove`, `POST /assertions/:id/replace`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailInput;

impl EmailInput {
    /// Validate the body; the normalised address.
    pub fn parse(body: &Value) -> Result<String, Error> {
        let obj = Check::body(body)?;
        let mut c = Check::new();
        let email = c
            .required_raw_str(obj, "", "email")
            .and_then(|s| c.apply("", "email", s, emblem_badges::recipient::normalize_email));
        c.done(email)
    }
}

/// `POST /assertions/:id/recertify` body: `{expires}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recertify {
    /// The new expiry (must be in the future and after `issued_on`; checked by the transition).
    pub expires: OffsetDateTime,
}

impl Recertify {
    /// Validate the body.
    pub fn parse(body: &Value) -> Result<Self, Error> {
        let obj = Check::body(body)?;
        let mut c = Check::new();
        let expires = c
            .required_raw_str(obj, "", "expires")
            .and_then(|s| c.apply("", "expires", s, |s| clock::parse(s).map_err(str::to_owned)));
        c.done(expires.map(|expires| Self { expires }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn a_key_label_is_optional() {
        assert_eq!(NewKey::parse(&json!({})), Ok(NewKey { label: None }));
        assert_eq!(
            NewKey::parse(&json!({"label": " CI "})),
            Ok(NewKey {
                label: Some("CI".into())
            })
        );
        assert_eq!(
            NewKey::parse(&json!({"label": 3})).map_err(|e| e.status()),
            Err(422)
        );
    }

    #[test]
    fn a_revocation_needs_a_reason_of_at_most_500_characters() {
        assert_eq!(
            Revoke::parse(&json!({"reason": "Issued in error"})),
            Ok(Revoke {
                reason: "Issued in error".into()
            })
        );
        for bad in [
            json!({}),
            json!({"reason": ""}),
            json!({"reason": "x".repeat(501)}),
        ] {
            let e = Revoke::parse(&bad).expect_err("422");
            assert_eq!(e.status(), 422);
            assert!(e.problem().errors[0].field == "reason");
        }
    }

    #[test]
    fn recertification_needs_an_rfc3339_expiry() {
        assert_eq!(
            Recertify::parse(&json!({"expires": "2030-01-01T00:00:00Z"})),
            Ok(Recertify {
                expires: datetime!(2030-01-01 00:00 UTC)
            })
        );
        for bad in [
            json!({}),
            json!({"expires": "2030-01-01"}),
            json!({"expires": 5}),
        ] {
            let e = Recertify::parse(&bad).expect_err("422");
            assert_eq!(e.problem().errors[0].field, "expires");
        }
    }
}
