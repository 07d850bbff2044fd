//! The one outbound HTTP client of every component: `wasi:http` through Spin's SDK, with
//! per-phase timeouts, an overall deadline, a `User-Agent` that names Emblem, and failures
//! described in words an issuer or a verifier can act on. Two users:
//!
//! - [`SpinHop`]: one hop of a verification fetch (`GET`, no redirects followed here; the
//!   verifier follows them and re-checks every hop), the body read under
//!   [`MAX_DOCUMENT`] within the deadline.
//! - [`crate::webhook::HttpWebhooks`]: one webhook delivery (`POST` JSON; the body of the
//!   answer is not read).
//!
//! Where a request may go is not decided here: the guest checks the URL first (the verifier's
//! outbound rules, the webhook URL rules), and the runtime refuses hosts outside the
//! component's `allowed_outbound_hosts` and, after DNS resolution, addresses in
//! `block_networks` (`emblem-host` the same way, `host/src/outbound.rs`).

use std::future::Future;
use std::time::Duration;

use emblem_web::verify::fetch::{FetchError, Fetched, Hop, MAX_DOCUMENT};
use futures::future::{Either, select};
use spin_sdk::http::body::IncomingBodyExt;
use spin_sdk::wasip3::http::types::{ErrorCode, RequestOptions};
use spin_sdk::wasip3::http_compat::RequestOptionsExtension;
use url::Url;

/// The time budget of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connecting.
    pub connect: Duration,
    /// From the request sent to the first byte of the answer.
    pub first_byte: Duration,
    /// Between two bytes of the answer.
    pub between_bytes: Duration,
    /// Everything, reading the body included where the caller reads it.
    pub total: Duration,
}

/// Why a request got no usable answer.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The request could not be built (a URL or header the HTTP types refuse).
    Invalid(String),
    /// The runtime or the network refused or failed it.
    Code(ErrorCode),
    /// The whole request took longer than [`Limits::total`].
    Deadline(Duration),
}

impl Failure {
    /// The failure in words, naming the limit that was hit.
    pub fn describe(&self, limits: &Limits) -> String {
        match self {
            Self::Invalid(reason) => format!("invalid request: {reason}"),
            Self::Deadline(total) => format!("no complete answer within {} s", total.as_secs()),
            Self::Code(code) => describe(code, limits),
        }
    }
}

fn describe(code: &ErrorCode, limits: &Limits) -> String {
    match code {
        ErrorCode::HttpRequestDenied => {
            "the request was denied by this server's network policy (allowed_outbound_hosts)"
                .to_owned()
        }
        ErrorCode::ConnectionRefused => "the connection was refused".to_owned(),
        ErrorCode::ConnectionTimeout => {
            format!("could not connect within {} s", limits.connect.as_secs())
        }
        ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout => {
            format!("no answer within {} s", limits.first_byte.as_secs())
        }
        ErrorCode::DnsError(_) => "the host name could not be resolved".to_owned(),
        ErrorCode::TlsCertificateError
        | ErrorCode::TlsProtocolError
        | ErrorCode::TlsAlertReceived(_) => "the TLS handshake failed".to_owned(),
        other => format!("the request failed: {other:?}"),
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Build a request with Emblem's `User-Agent` and the per-phase timeouts of `limits`.
pub fn request<B>(
    builder: http::request::Builder,
    user_agent: &str,
    limits: &Limits,
    body: B,
) -> Result<http::Request<B>, Failure> {
    let options = RequestOptions::new();
    // A runtime that does not support an option refuses it; the overall deadline still holds.
    let _ = options.set_connect_timeout(Some(nanos(limits.connect)));
    let _ = options.set_first_byte_timeout(Some(nanos(limits.first_byte)));
    let _ = options.set_between_bytes_timeout(Some(nanos(limits.between_bytes)));
    builder
        .header("user-agent", user_agent)
        .extension(RequestOptionsExtension(options))
        .body(body)
        .map_err(|e| Failure::Invalid(e.to_string()))
}

/// Run `work` (sending, and reading what the caller reads) within `limits.total`.
pub async fn within<T>(
    limits: &Limits,
    work: impl Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    let work = std::pin::pin!(work);
    let deadline = std::pin::pin!(spin_sdk::time::sleep(limits.total));
    match select(work, deadline).await {
        Either::Left((result, _)) => result,
        Either::Right(((), _)) => Err(Failure::Deadline(limits.total)),
    }
}

/// The budget of one verification hop.
pub const FETCH_LIMITS: Limits = Limits {
    connect: Duration::from_secs(5),
    first_byte: Duration::from_secs(10),
    between_bytes: Duration::from_secs(10),
    total: Duration::from_secs(20),
};

/// One hop of a verification fetch over `wasi:http` (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct SpinHop;

impl Hop for SpinHop {
    async fn hop(&self, url: &Url, accept: &str) -> Result<Fetched, FetchError> {
        let network = |reason: String| FetchError::Network {
            url: url.to_string(),
            reason,
        };
        let fetched = within(&FETCH_LIMITS, async {
            let request = request(
                http::Request::get(url.as_str()).header("accept", accept),
                "Emblem-Verify/0.1 (+Open Badges verifier)",
                &FETCH_LIMITS,
                spin_sdk::http::EmptyBody::new(),
            )?;
            let response = spin_sdk::http::send(request).await.map_err(Failure::Code)?;
            Ok(read(url, response).await)
        })
        .await;
        match fetched {
            Ok(result) => result,
            Err(failure) => Err(network(failure.describe(&FETCH_LIMITS))),
        }
    }
}

/// The answer of a hop: status, the headers the verifier uses, the body under its cap.
async fn read(url: &Url, response: spin_sdk::http::Response) -> Result<Fetched, FetchError> {
    let status = response.status().as_u16();
    let header = |name: &str| response_header(&response, name);
    let content_type = header("content-type");
    let location = header("location");
    let declared = header("content-length").and_then(|v| v.parse::<u64>().ok());
    let body = if (300..400).contains(&status) {
        Vec::new()
    } else {
        crate::body::read_capped(response.into_body().stream(), declared, MAX_DOCUMENT)
            .await
            .map_err(|e| match e {
                emblem_web::Error::PayloadTooLarge { limit } => FetchError::TooLarge {
                    url: url.to_string(),
                    limit,
                },
                other => FetchError::Network {
                    url: url.to_string(),
                    reason: other.to_string(),
                },
            })?
    };
    Ok(Fetched {
        url: url.to_string(),
        status,
        content_type,
        body,
        location,
    })
}

/// A header of an answer, if it is there and text.
pub fn response_header(response: &spin_sdk::http::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
