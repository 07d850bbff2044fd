//! Issuer webhooks: Emblem POSTs the rendered award email to the issuer's `webhook_url` on
//! award and on resend, so the issuer's own mailer can send it.
//!
//! 1. The URL is checked when the issuer sets it ([`check_url`]): `https` on the default port,
//!    no credentials or fragment, and never a loopback, private, link-local or otherwise
//!    internal address or name (a webhook must not become a way into our network). Test
//!    manifests may allow `http` to a loopback address ([`crate::Policy::webhook_loopback_http`]).
//! 2. The body is [`Payload`]: the event, the assertion, the recipient's address, the claim
//!    link and the email `{subject, text, html}`.
//! 3. Each delivery is signed: `Emblem-Signature: t=<unix time>,v1=<hex HMAC-SHA256 over
//!    "<t>.<body>">` with the issuer's webhook secret ([`signature`]), so the issuer's mailer
//!    can refuse a POST that did not come from Emblem. The secret is made when the webhook is
//!    first set, shown once in that answer, and replaced by
//!    `POST /api/v1/issuers/:id/webhook-secret`.
//! 4. Every event is queued in the outbox (`crate::mail::outbox`, [`Kind::Webhook`]) and
//!    delivered from there through [`Webhooks`] (outbound HTTP, with time caps; see
//!    `emblem-edge`): at once for award, resend, revoke and re-certify (the award and resend
//!    answers report the [`Delivery`]), by the next flush for the earner's answers, email
//!    outcomes and expiries (`crate::expiry`). Failures are retried with backoff; none fails
//!    the call.
//!
//! [`Kind::Webhook`]: crate::mail::outbox::Kind::Webhook
//!
//! The host's `allowed_outbound_hosts` (`https://*:443` for `issuing`) is the second fence.
//! A name that resolves to an internal address is not caught here: the component cannot see
//! resolution. `emblem-host` refuses it and connects only to the address it checked (no
//! rebinding); on Spin, set `block_networks`, or put an egress proxy in front.

use emblem_net::is_public_ip;

use serde::Serialize;
use time::OffsetDateTime;

use crate::email::AwardEmail;
use emblem_badges::clock::ts_opt;
use emblem_badges::validate::url::MAX_URL_LEN;

/// What happened, as named in the payload's `event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Event {
    /// A new award.
    #[serde(rename = "assertion.awarded")]
    Awarded,
    /// A new claim link for an existing award.
    #[serde(rename = "assertion.claim_resent")]
    Resent,
}

/// The JSON body POSTed to the webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payload<'a> {
    /// `assertion.awarded` or `assertion.claim_resent`.
    pub event: Event,
    /// The assertion id.
    pub assertion_id: &'a str,
    /// The hosted assertion URL.
    pub assertion_url: String,
    /// The issuer id.
    pub issuer_id: &'a str,
    /// The recipient's email address (the `To:` of the email).
    pub to: &'a str,
    /// The claim link.
    pub claim_url: &'a str,
    /// When the claim link stops working.
    #[serde(with = "ts_opt")]
    pub claim_expires_at: Option<OffsetDateTime>,
    /// The email to send.
    pub email: &'a AwardEmail,
}

/// The outcome of one delivery attempt, reported in the API response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The URL it was sent to.
    pub url: String,
    /// Whether the receiver answered 2xx.
    pub delivered: bool,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why it was not delivered (timeout, refused, denied, non-2xx), or null.
    pub error: Option<String>,
}

impl Delivery {
    /// The outcome of a request that got an HTTP answer.
    pub fn answered(url: &str, status: u16) -> Self {
        let delivered = (200..300).contains(&status);
        Self {
            url: url.to_owned(),
            delivered,
            status: Some(status),
            error: (!delivered).then(|| format!("the webhook answered HTTP {status}")),
        }
    }

    /// The outcome of a request that got no answer.
    pub fn failed(url: &str, error: impl Into<String>) -> Self {
        Self {
            url: url.to_owned(),
            delivered: false,
            status: None,
            error: Some(error.into()),
        }
    }
}

/// Sends webhook bodies. Implemented over outbound HTTP in `emblem-edge`; [`NoWebhooks`]
/// stands in where nothing may leave (tests of other flows).
#[expect(
    async_fn_in_trait,
    reason = "components are single-threaded WebAssembly; no Send bound is wanted"
)]
pub trait Webhooks {
    /// POST `body` (JSON) to `url`, with `Emblem-Signature: <signature>` when given, and
    /// report what happened. Never fails: every problem is a [`Delivery`] with
    /// `delivered: false`.
    async fn post_json(&self, url: &str, body: Vec<u8>, signature: Option<String>) -> Delivery;
}

/// A [`Webhooks`] that never sends and says so.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoWebhooks;

impl Webhooks for NoWebhooks {
    async fn post_json(&self, url: &str, _body: Vec<u8>, _signature: Option<String>) -> Delivery {
        Delivery::failed(url, "webhooks are not available in this component")
    }
}

/// Check a webhook URL (see the module docs); returns it trimmed.
pub fn check_url(s: &str, loopback_http: bool) -> Result<String, String> {
    let s = s.trim();
    if s.len() > MAX_URL_LEN {
        return Err(format!("must be a URL of at most {MAX_URL_LEN} characters"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("must be an https URL without spaces, got {s:?}"));
    }
    let url =
        url::Url::parse(s).map_err(|_| format!("must be an absolute https URL, got {s:?}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "must not contain a user name or password, got {s:?}"
        ));
    }
    if url.fragment().is_some() {
        return Err(format!("must not have a #fragment, got {s:?}"));
    }
    let host = url.host();
    let loopback = match &host {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback_http && loopback => return Ok(s.to_owned()),
        _ => return Err(format!("must be an https URL, got {s:?}")),
    }
    if url.port().is_some_and(|p| p != 443) {
        return Err(format!(
            "must use the default https port 443 (the only one Emblem may call), got {s:?}"
        ));
    }
    let internal = match host {
        Some(url::Host::Domain(name)) => internal_name(name),
        Some(url::Host::Ipv4(ip)) => !is_public_ip(ip.into()),
        Some(url::Host::Ipv6(ip)) => !is_public_ip(ip.into()),
        None => return Err(format!("must be an https URL with a host, got {s:?}")),
    };
    if internal {
        return Err(format!(
            "must be a public address; loopback, private, link-local and internal hosts are \
             refused, got {s:?}"
        ));
    }
    Ok(s.to_owned())
}

fn internal_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    !name.contains('.')
        || [".localhost", ".local", ".internal", ".home.arpa", ".lan"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
        || name == "localhost"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_https_urls_are_accepted_as_sent() {
        for ok in [
            "https://hooks.example.org/emblem",
            " https://hooks.example.org:443/x?y=1 ",
            "https://93.184.216.34/hook",
        ] {
            assert_eq!(check_url(ok, false), Ok(ok.trim().to_owned()), "{ok}");
        }
    }

    #[test]
    fn plain_http_and_other_schemes_are_refused() {
        for bad in [
            "http://hooks.example.org/x",
            "ftp://hooks.example.org/x",
            "javascript:alert(1)",
            "hooks.example.org/x",
            "",
        ] {
            let e = check_url(bad, false).expect_err(bad);
            assert!(e.contains("https"), "{bad}: {e}");
        }
    }

    #[test]
    fn internal_targets_are_refused() {
        for bad in [
            "https://localhost/x",
            "https://api.localhost/x",
            "https://intranet/x",
            "https://printer.local/x",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://172.16.0.1/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/x",
            "https://0.0.0.0/x",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[fe80::1]/x",
            "https://[::ffff:10.0.0.1]/x",
        ] {
            let e = check_url(bad, false).expect_err(bad);
            assert!(e.contains("public address"), "{bad}: {e}");
        }
    }

    #[test]
    fn credentials_fragments_and_other_ports_are_refused() {
        for bad in [
            "https://user:pw@hooks.example.org/x",
            "https://hooks.example.org/x#frag",
            "https://hooks.example.org:8443/x",
            "https://hooks.example.org/a b",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_http_is_allowed_only_when_the_test_switch_is_on() {
        let url = "http://127.0.0.1:40123/hook";
        assert!(check_url(url, false).is_err());
        assert_eq!(check_url(url, true), Ok(url.to_owned()));
        assert!(check_url("http://10.0.0.1:80/hook", true).is_err());
        assert!(check_url("http://hooks.example.org/x", true).is_err());
    }

    #[test]
    fn deliveries_count_only_2xx_as_delivered() {
        assert!(Delivery::answered("u", 204).delivered);
        let d = Delivery::answered("u", 500);
        assert!(!d.delivered);
        assert_eq!(d.error.as_deref(), Some("the webhook answered HTTP 500"));
        assert_eq!(Delivery::failed("u", "timeout").status, None);
    }
}

/// The body of a lifecycle event (`assertion.accepted`, `assertion.revoked`, `email.sent`, …):
/// `{event, assertion_id, assertion_url, issuer_id, occurred_at, state, status, visibility,
/// expires, revoked}` and, for email events, `email`.
pub fn event_payload(
    event: &str,
    award: &emblem_badges::model::award::Award,
    base: &emblem_badges::base_url::BaseUrl,
    now: OffsetDateTime,
    extra: Option<serde_json::Value>,
) -> serde_json::Value {
    use emblem_badges::clock::format;
    let mut v = serde_json::json!({
        "event": event,
        "assertion_id": award.id,
        "assertion_url": base.assertion(&award.id),
        "issuer_id": award.issuer_id,
        "occurred_at": format(now),
        "state": award.acceptance.state,
        "status": award.status(now),
        "visibility": award.visibility,
        "expires": award.expires.map(format),
        "revoked": award.revoked,
    });
    if let (Some(obj), Some(serde_json::Value::Object(extra))) = (v.as_object_mut(), extra) {
        obj.extend(extra);
    }
    v
}

/// The `Emblem-Signature` header value for `body` sent at `timestamp` (Unix seconds):
/// `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. A receiver recomputes
/// the HMAC over the timestamp it got and the raw body, compares in constant time, and
/// refuses a timestamp more than a few minutes old (replays).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod signature_tests {
    use super::signature;

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
        // Checked against an independent computation:
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_k
        assert_eq!(
            signature("whsec_k", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=a252a4340d8bbbdbac8643a2812cc7d628ad79bfba544bff054ac2fa10f795a2"
        );
    }
}
