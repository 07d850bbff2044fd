//! Errors, modelled by who is at fault, and the one total function that turns them into
//! RFC 9457 problem documents ([`Error::problem`]).
//!
//! 1. Every fallible operation in the crate returns [`Error`]. Its variants are categories
//!    (the client sent bad bytes, bad fields, no credentials, …); the fine detail lives in small
//!    sub-enums that carry the evidence (the field, the value, the limit).
//! 2. [`Error::problem`] maps each category to an HTTP status, a stable problem `type`
//!    (`urn:emblem:problem:<slug>`), a title, a detail sentence a person can act on, the field
//!    errors (validation only) and any headers the status needs (`Allow`, `Retry-After`,
//!    `WWW-Authenticate`).
//! 3. The store's errors become [`Internal::Storage`], [`Internal::Corrupt`] or
//!    [`Unavailable::Contention`] in the service layer (`emblem_web::kv`).
//! 4. Internal failures (storage, corrupt records, configuration) keep their detail for the log
//!    ([`Error::log_detail`]); the client only learns that something went wrong on our side.

use serde::Serialize;

/// Everything that can go wrong while handling a request.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request itself is malformed (400): bad JSON syntax, an empty or unreadable body, a
    /// bad query parameter.
    #[error("malformed request: {0}")]
    Malformed(Malformed),
    /// The JSON is well formed but fields are missing or invalid (422).
    #[error("invalid input: {} field error(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// No credentials, or credentials we do not recognise (401).
    #[error("not authenticated: {0}")]
    Unauthenticated(Unauthenticated),
    /// Valid credentials of the wrong kind for this route (403).
    #[error("forbidden: {0}")]
    Forbidden(Forbidden),
    /// The object does not exist, or belongs to another issuer (404).
    #[error("not found: {0}")]
    NotFound(NotFound),
    /// The path exists but not with this method (405).
    #[error("method not allowed; allowed: {}", .allow.join(", "))]
    MethodNotAllowed {
        /// The methods the path accepts, for the `Allow` header.
        allow: &'static [&'static str],
    },
    /// The object's state forbids the operation (409).
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The object existed but is permanently gone (410).
    #[error("gone: {0}")]
    Gone(Gone),
    /// The request body is larger than the cap (413).
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The request body has the wrong media type (415).
    #[error("unsupported media type {found:?}")]
    UnsupportedMediaType {
        /// The `Content-Type` the client sent, if any.
        found: Option<String>,
        /// The media type this route accepts.
        expected: &'static str,
    },
    /// Too many failed authentication attempts (429).
    #[error("locked out for {retry_after} s")]
    LockedOut {
        /// Seconds until the lock lifts, for the `Retry-After` header.
        retry_after: u64,
        /// What is locked.
        subject: LockSubject,
    },
    /// The service cannot answer right now (503).
    #[error("unavailable: {0}")]
    Unavailable(Unavailable),
    /// Our fault (500). The detail goes to the log, never to the client.
    #[error("internal error: {0}")]
    Internal(Internal),
}

/// Why a request is malformed (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Malformed {
    /// The body is not valid JSON.
    #[error("body is not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the syntax error.
        line: usize,
        /// 1-based column of the syntax error.
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// The body is empty but the route needs one.
    #[error("the request body is empty")]
    EmptyBody,
    /// The body is not UTF-8 text.
    #[error("the request body is not UTF-8")]
    NotUtf8,
    /// A query parameter has a bad value.
    #[error("query parameter {parameter}={value:?}: {reason}")]
    Query {
        /// The parameter name.
        parameter: &'static str,
        /// The value as sent.
        value: String,
        /// What a valid value looks like.
        reason: &'static str,
    },
    /// The body could not be read to the end (the client went away or sent a broken stream).
    #[error("the request body could not be read: {0}")]
    Unreadable(String),
    /// A request header has a bad value.
    #[error("header {name}: {reason}")]
    Header {
        /// The header name.
        name: &'static str,
        /// What a valid value looks like.
        reason: &'static str,
    },
}

/// One invalid field in a request body (422).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `recipient.email` or `evidence[1].url`.
    pub field: String,
    /// What is wrong and what a valid value looks like.
    pub message: String,
}

impl FieldError {
    /// A field error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why the credentials were not accepted (401).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unauthenticated {
    /// No `Authorization` header.
    #[error("no Authorization header")]
    Missing,
    /// An `Authorization` header that is not `Bearer <token>`.
    #[error("Authorization header is not a bearer token")]
    NotBearer,
    /// A bearer token that is neither a live API key nor the admin token.
    #[error("unknown bearer token")]
    UnknownToken,
}

/// Why valid credentials may not use this route (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Forbidden {
    /// An issuer API key on an admin-only route.
    #[error("issuer API key on an admin route")]
    IssuerKeyOnAdminRoute,
    /// The admin token on an issuer route.
    #[error("admin token on an issuer route")]
    AdminOnIssuerRoute,
}

/// What was not found (404).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotFound {
    /// No route matches the path.
    #[error("no route for {path}")]
    Route {
        /// The request path.
        path: String,
    },
    /// No object of this kind with this id (or it belongs to another issuer).
    #[error("no {kind} with id {id}")]
    Object {
        /// The kind of object.
        kind: ObjectKind,
        /// The id as requested.
        id: String,
    },
    /// The badge class image is an external URL, so there are no bytes here to bake.
    #[error("badge class {badge_id} uses the external image {url}")]
    ImageNotHosted {
        /// The badge class id.
        badge_id: String,
        /// The image URL.
        url: String,
    },
    /// The assertion exists but its recipient has not accepted it, so it has no public page.
    #[error("assertion {id} is not yet accepted by its recipient")]
    NotYetAccepted {
        /// The assertion id.
        id: String,
    },
}

/// Kinds of stored objects, as named in problem details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// An issuer profile.
    Issuer,
    /// A badge class.
    BadgeClass,
    /// An assertion (award).
    Assertion,
    /// An API key.
    ApiKey,
    /// An uploaded image.
    Image,
    /// A static file.
    File,
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Issuer => "issuer",
            Self::BadgeClass => "badge class",
            Self::Assertion => "assertion",
            Self::ApiKey => "API key",
            Self::Image => "image",
            Self::File => "file",
        })
    }
}

/// Why the object's state forbids the operation (409).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Conflict {
    /// An award lifecycle transition that its current state forbids.
    #[error(transparent)]
    Transition(TransitionError),
    /// The issuer already holds the maximum number of API keys.
    #[error("issuer already has {max} API keys")]
    TooManyKeys {
        /// The maximum.
        max: usize,
    },
    /// Signed badges were asked for, but the issuer has no signing key.
    #[error("signing is not enabled for this issuer")]
    SigningDisabled,
    /// A request with the same `Idempotency-Key` is still being answered.
    #[error("a request with this Idempotency-Key is in progress")]
    InFlight,
    /// The class's duplicate policy is `deny` and the email already holds an award of it.
    #[error("this email already has award {existing} of this badge class")]
    Duplicate {
        /// The earlier award.
        existing: String,
    },
}

/// Why an object is gone (410).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Gone {
    /// The issuer revoked the assertion.
    #[error("assertion {id} was revoked: {reason}")]
    Revoked {
        /// The assertion id.
        id: String,
        /// The issuer's reason.
        reason: String,
    },
}

/// What a lockout applies to (429).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockSubject {
    /// The client address.
    Address,
    /// The API key id named in the presented token.
    KeyId,
    /// The client address, for unknown claim links.
    ClaimAddress,
    /// The admin token, for everyone: its global failure budget is spent.
    AdminToken,
}

/// Why the service cannot answer (503).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unavailable {
    /// The `admin_token` variable is not set, so the admin API is off.
    #[error("the admin_token variable is not set")]
    AdminTokenUnset,
    /// `public_base_url` is not set, and ids may not follow the request's `Host`.
    #[error("the public_base_url variable is not set")]
    BaseUrlUnset,
    /// The `admin_token` variable is too short to be a secret, so the admin API is off.
    #[error("the admin_token variable is shorter than {min} characters")]
    AdminTokenTooShort {
        /// The least length accepted.
        min: usize,
    },
    /// This component holds no signing keys: it is not granted the `secrets` store, or the
    /// `key_encryption_key` variable is not set.
    #[error("signing keys are unavailable: no `secrets` store or no key_encryption_key")]
    SecretsUnavailable,
    /// Too many concurrent writers on one record; retrying later will work.
    #[error("gave up updating {key} after {attempts} conflicting writes")]
    Contention {
        /// The contended key.
        key: String,
        /// How many compare-and-swap attempts were made.
        attempts: u32,
    },
}

/// Our fault (500). Never shown to clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Internal {
    /// The key-value store failed.
    #[error("key-value store: {0}")]
    Storage(String),
    /// A stored record could not be read back.
    #[error("corrupt record under {key}: {detail}")]
    Corrupt {
        /// The key.
        key: String,
        /// What was wrong with it.
        detail: String,
    },
    /// The application is misconfigured.
    #[error("configuration: {0}")]
    Config(String),
    /// Rendering a template or document failed.
    #[error("render: {0}")]
    Render(String),
}

/// A transition the award's state forbids (`model::award`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The award is revoked.
    #[error("The assertion {id} is revoked; a revoked assertion cannot change")]
    Revoked {
        /// The award id.
        id: String,
    },
    /// The recipient rejected the award.
    #[error(
        "The recipient rejected the assertion {id}; resend the claim link (POST /api/v1/assertions/{id}/resend) to let them accept it"
    )]
    Rejected {
        /// The award id.
        id: String,
    },
    /// The recipient already accepted; rejecting is no longer possible.
    #[error("The assertion {id} was already accepted; make it private instead of rejecting it")]
    AlreadyAccepted {
        /// The award id.
        id: String,
    },
    /// A new expiry that is not in the future.
    #[error("must be in the future; {expires} is not after now ({now})")]
    ExpiresNotInFuture {
        /// Requested expiry (formatted).
        expires: String,
        /// The current time (formatted).
        now: String,
    },
    /// A new expiry that is not after issuance.
    #[error("must be after issued_on; {expires} is not after {issued_on}")]
    ExpiresNotAfterIssued {
        /// Requested expiry (formatted).
        expires: String,
        /// Issue time (formatted).
        issued_on: String,
    },
}

impl From<TransitionError> for Error {
    /// Expiry mistakes are the client's input (422 on `expires`); the rest are state
    /// conflicts (409).
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::ExpiresNotInFuture { .. }
            | TransitionError::ExpiresNotAfterIssued { .. } => {
                Error::invalid("expires", e.to_string())
            }
            other => Error::Conflict(Conflict::Transition(other)),
        }
    }
}

impl Error {
    /// A 404 for an object of `kind` with `id`.
    pub fn not_found(kind: ObjectKind, id: impl Into<String>) -> Self {
        Self::NotFound(NotFound::Object {
            kind,
            id: id.into(),
        })
    }

    /// A template or document that failed to render: internal, logged, never shown.
    pub fn render_failed(e: impl std::fmt::Display) -> Self {
        Self::Internal(Internal::Render(e.to_string()))
    }

    /// A 422 with a single field error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> u16 {
        self.problem().status
    }

    /// The detail worth logging: the full error for server faults, nothing for client faults.
    pub fn log_detail(&self) -> Option<String> {
        match self {
            Self::Internal(_)
            | Self::Unavailable(Unavailable::Contention { .. })
            | Self::Unavailable(Unavailable::SecretsUnavailable) => Some(self.to_string()),
            _ => None,
        }
    }

    /// The problem document for this error: the one place errors meet the wire.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Malformed(m) => Problem::new(400, "malformed-request", "Malformed request")
                .detail(match m {
                    Malformed::Json {
                        line,
                        column,
                        message,
                    } => format!(
                        "The request body is not valid JSON (line {line}, column {column}: \
                         {message}). Send a JSON object."
                    ),
                    Malformed::EmptyBody => {
                        "The request body is empty. Send a JSON object.".to_owned()
                    }
                    Malformed::Query {
                        parameter,
                        value,
                        reason,
                    } => format!("The query parameter `{parameter}={value}` is invalid: {reason}."),
                    Malformed::Unreadable(_) => {
                        "The request body could not be read to the end. Send it again.".to_owned()
                    }
                    Malformed::Header { name, reason } => {
                        format!("The header `{name}` is invalid: {reason}.")
                    }
                    Malformed::NotUtf8 => {
                        "The request body is not UTF-8 text. Send a JSON object encoded as UTF-8."
                            .to_owned()
                    }
                }),
            Self::Invalid(errors) => {
                let detail = match errors.as_slice() {
                    [one] => format!("The field `{}` is invalid: {}.", one.field, one.message),
                    many => format!(
                        "{} fields are invalid; see `errors` for each field and what it needs.",
                        many.len()
                    ),
                };
                let mut p = Problem::new(422, "invalid-input", "Invalid input").detail(detail);
                p.errors = errors.clone();
                p
            }
            Self::Unauthenticated(u) => {
                Problem::new(401, "unauthenticated", "Authentication required")
                    .detail(match u {
                        Unauthenticated::Missing => {
                            "This route needs an `Authorization: Bearer <token>` header with an \
                             issuer API key or the admin token."
                        }
                        Unauthenticated::NotBearer => {
                            "The Authorization header must be `Bearer <token>` with an issuer \
                             API key or the admin token."
                        }
                        Unauthenticated::UnknownToken => {
                            "The bearer token is not a valid API key or admin token. Check it, \
                             or ask the administrator for a new API key."
                        }
                    })
                    .header("www-authenticate", "Bearer realm=\"emblem\"")
            }
            Self::Forbidden(f) => Problem::new(403, "forbidden", "Forbidden").detail(match f {
                Forbidden::IssuerKeyOnAdminRoute => {
                    "This route is for the administrator; an issuer API key cannot use it. \
                     Use the admin token."
                }
                Forbidden::AdminOnIssuerRoute => {
                    "This route acts on behalf of an issuer; the admin token cannot use it. \
                     Use an issuer API key (create one with POST /api/v1/issuers/{id}/keys)."
                }
            }),
            Self::NotFound(n) => Problem::new(404, "not-found", "Not found").detail(match n {
                NotFound::Route { path } => {
                    format!("There is nothing at `{path}`. Check the path against the API docs.")
                }
                NotFound::Object { kind, id } => format!("No {kind} with id `{id}` exists here."),
                NotFound::ImageNotHosted { badge_id, url } => format!(
                    "The badge class `{badge_id}` uses the image at {url}, which is not hosted \
                     here, so it cannot be baked here. Download it and send it to POST /bake."
                ),
                NotFound::NotYetAccepted { id } => format!(
                    "The assertion `{id}` has no public page yet: it is not yet accepted by its \
                     recipient."
                ),
            }),
            Self::MethodNotAllowed { allow } => {
                Problem::new(405, "method-not-allowed", "Method not allowed")
                    .detail(format!(
                        "This path does not accept this method. Allowed: {}.",
                        allow.join(", ")
                    ))
                    .header("allow", allow.join(", "))
            }
            Self::Conflict(c) => Problem::new(409, "conflict", "Conflict").detail(match c {
                Conflict::Transition(t) => format!("{t}."),
                Conflict::TooManyKeys { max } => format!(
                    "This issuer already has {max} API keys. Delete one before creating another."
                ),
                Conflict::SigningDisabled => "This issuer has no signing key yet. Turn signed \
                    badges on with POST /api/v1/issuers/{id}/signing-key, then ask again."
                    .to_owned(),
                Conflict::InFlight => "A request with this Idempotency-Key is still being \
                    answered. Retry in a moment to get its answer."
                    .to_owned(),
                Conflict::Duplicate { existing } => format!(
                    "This email already has award {existing} of this badge class, and the \
                     class's duplicate_policy is deny. Revoke that award first, or use a class \
                     whose policy is allow or replace."
                ),
            }),
            Self::Gone(Gone::Revoked { id, reason }) => Problem::new(410, "revoked", "Revoked")
                .detail(format!(
                    "The assertion `{id}` was revoked by its issuer (reason: {reason}), so no \
                     baked image or signed copy is offered."
                )),
            Self::PayloadTooLarge { limit } => {
                Problem::new(413, "payload-too-large", "Request body too large").detail(format!(
                    "The request body is larger than {limit} bytes. Send a smaller body \
                     (images count towards the limit)."
                ))
            }
            Self::UnsupportedMediaType { found, expected } => Problem::new(
                415,
                "unsupported-media-type",
                "Unsupported media type",
            )
            .detail(match found {
                Some(found) => format!("The body's Content-Type is `{found}`; send `{expected}`."),
                None => format!("The body has no Content-Type; send `{expected}`."),
            }),
            Self::LockedOut {
                retry_after,
                subject,
            } => Problem::new(429, "locked-out", "Too many failed attempts")
                .detail(format!(
                    "Too many failed {}; try again in {retry_after} seconds.",
                    match subject {
                        LockSubject::Address => "authentication attempts from this address",
                        LockSubject::KeyId => "authentication attempts with this API key",
                        LockSubject::ClaimAddress => "claim links tried from this address",
                        LockSubject::AdminToken => {
                            "admin token attempts from all addresses (the admin token is \
                             refused for a while; issuer API keys still work)"
                        }
                    }
                ))
                .header("retry-after", retry_after.to_string()),
            Self::Unavailable(Unavailable::BaseUrlUnset) => {
                Problem::new(503, "base-url-unset", "Public base URL not set").detail(
                    "The issuer API is off because the `public_base_url` variable is not set, \
                     and every id Emblem issues would otherwise follow the request's Host \
                     header. Set it to the public origin, e.g. `--variable \
                     public_base_url=https://badges.example.org`; for local development only, \
                     `--variable public_base_url_from_request=true` lets ids follow the request.",
                )
            }
            Self::Unavailable(Unavailable::AdminTokenUnset) => {
                Problem::new(503, "admin-disabled", "Admin API disabled").detail(
                    "The admin API is off because the `admin_token` variable is not set. Set it, \
                     e.g. `spin up --variable admin_token=...` or the environment variable \
                     `SPIN_VARIABLE_ADMIN_TOKEN`, and restart.",
                )
            }
            Self::Unavailable(Unavailable::AdminTokenTooShort { min }) => {
                Problem::new(503, "admin-disabled", "Admin API disabled").detail(format!(
                    "The admin API is off because the `admin_token` variable is shorter than \
                     {min} characters, too short to resist guessing. Set a longer random \
                     secret (e.g. the output of `openssl rand -hex 24`) and restart."
                ))
            }
            Self::Unavailable(Unavailable::SecretsUnavailable) => {
                Problem::new(503, "signing-disabled", "Signing keys unavailable").detail(
                    "Nothing can be signed: the issuers' private keys are sealed in the \
                     `secrets` store under the `key_encryption_key` variable, and this \
                     deployment does not give this route both. Set `key_encryption_key` to 64 \
                     hex digits (e.g. the output of `openssl rand -hex 32`) and define the \
                     `secrets` store in the runtime config (docs/operations.md).",
                )
            }
            Self::Unavailable(Unavailable::Contention { .. }) => Problem::new(503, "busy", "Busy")
                .detail("Too many concurrent changes to the same record. Retry in a moment.")
                .header("retry-after", "1"),
            Self::Internal(_) => Problem::new(500, "internal", "Internal error").detail(
                "Something went wrong on our side. The request may not have been applied; it is \
                 safe to retry.",
            ),
        }
    }
}

/// An RFC 9457 problem document plus the headers its status needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// HTTP status.
    pub status: u16,
    /// Stable slug; the `type` is `urn:emblem:problem:<slug>`.
    pub slug: &'static str,
    /// Short, stable summary of the problem type.
    pub title: &'static str,
    /// A sentence a person can act on, quoting the offending value.
    pub detail: String,
    /// Field errors (validation problems only).
    pub errors: Vec<FieldError>,
    /// Extra response headers (`allow`, `retry-after`, `www-authenticate`).
    pub headers: Vec<(&'static str, String)>,
}

/// Media type of problem documents.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

impl Problem {
    fn new(status: u16, slug: &'static str, title: &'static str) -> Self {
        Self {
            status,
            slug,
            title,
            detail: String::new(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The problem `type` URI.
    pub fn type_uri(&self) -> String {
        format!("urn:emblem:problem:{}", self.slug)
    }

    /// The JSON body: `{type, title, status, detail, errors?}`.
    pub fn to_json(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "type")]
            kind: String,
            title: &'a str,
            status: u16,
            detail: &'a str,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            errors: &'a [FieldError],
        }
        let body = Body {
            kind: self.type_uri(),
            title: self.title,
            status: self.status,
            detail: &self.detail,
            errors: &self.errors,
        };
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn body(e: &Error) -> Value {
        serde_json::from_slice(&e.problem().to_json()).expect("problem JSON")
    }

    #[test]
    fn validation_errors_become_422_with_each_field_listed() {
        let e = Error::Invalid(vec![
            FieldError::new("name", "is required"),
            FieldError::new("recipient.email", "is not an email address: \"x\""),
        ]);
        let b = body(&e);
        assert_eq!(b["status"], 422);
        assert_eq!(b["type"], "urn:emblem:problem:invalid-input");
        assert_eq!(b["errors"][1]["field"], "recipient.email");
    }

    #[test]
    fn a_single_field_error_is_quoted_in_the_detail() {
        let e = Error::invalid("url", "must be an http or https URL, got \"ftp://x\"");
        assert!(e.problem().detail.contains("`url`"));
        assert!(e.problem().detail.contains("ftp://x"));
    }

    #[test]
    fn non_validation_problems_have_no_errors_member() {
        let b = body(&Error::Malformed(Malformed::EmptyBody));
        assert_eq!(b["status"], 400);
        assert!(b.get("errors").is_none());
    }

    #[test]
    fn unauthenticated_carries_a_bearer_challenge() {
        let p = Error::Unauthenticated(Unauthenticated::Missing).problem();
        assert_eq!(p.status, 401);
        assert_eq!(
            p.headers,
            vec![("www-authenticate", "Bearer realm=\"emblem\"".to_owned())]
        );
    }

    #[test]
    fn method_not_allowed_lists_the_allowed_methods() {
        let p = Error::MethodNotAllowed {
            allow: &["GET", "HEAD"],
        }
        .problem();
        assert_eq!(p.status, 405);
        assert_eq!(p.headers, vec![("allow", "GET, HEAD".to_owned())]);
    }

    #[test]
    fn lockout_says_when_to_retry() {
        let p = Error::LockedOut {
            retry_after: 900,
            subject: LockSubject::Address,
        }
        .problem();
        assert_eq!(p.status, 429);
        assert_eq!(p.headers, vec![("retry-after", "900".to_owned())]);
        assert!(p.detail.contains("900 seconds"));
    }

    #[test]
    fn an_unset_admin_token_explains_how_to_set_it() {
        let p = Error::Unavailable(Unavailable::AdminTokenUnset).problem();
        assert_eq!(p.status, 503);
        assert!(p.detail.contains("--variable admin_token="));
        assert!(p.detail.contains("SPIN_VARIABLE_ADMIN_TOKEN"));
    }

    #[test]
    fn internal_details_never_reach_the_client() {
        let e = Error::Internal(Internal::Storage("sqlite: disk I/O error at /srv".into()));
        let b = body(&e);
        assert_eq!(b["status"], 500);
        assert!(!b.to_string().contains("sqlite"));
        assert!(e.log_detail().expect("logged").contains("sqlite"));
    }

    #[test]
    fn every_category_has_the_documented_status() {
        let cases: Vec<(Error, u16)> = vec![
            (Error::Malformed(Malformed::NotUtf8), 400),
            (Error::Forbidden(Forbidden::AdminOnIssuerRoute), 403),
            (Error::not_found(ObjectKind::Assertion, "x"), 404),
            (Error::Conflict(Conflict::TooManyKeys { max: 100 }), 409),
            (Error::PayloadTooLarge { limit: 10 }, 413),
            (
                Error::UnsupportedMediaType {
                    found: Some("text/plain".into()),
                    expected: "application/json",
                },
                415,
            ),
        ];
        for (e, status) in cases {
            assert_eq!(e.status(), status, "{e}");
            assert_eq!(body(&e)["status"], json!(status));
        }
    }
}
