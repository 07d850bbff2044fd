//! Outbound HTTP for verification: one request per hop, no redirects followed here (the core
//! follows them and re-checks every hop), with time and size caps.
//!
//! 1. `Accept` as the core asks; a `User-Agent` that names Emblem.
//! 2. Timeouts through `wasi:http` request options: connect 5 s, first byte 10 s, between
//!    bytes 10 s; and the whole hop (headers and body) within 20 s.
//! 3. The body is read under `MAX_DOCUMENT`; more is an error, not a truncation.
//!
//! The host refuses connections to private, loopback and link-local addresses after DNS
//! resolution (`host/src/outbound.rs`); Spin does the same with its `block_networks` setting.

use std::time::Duration;

use emblem_web::verify::fetch::{FetchError, Fetched, Hop, MAX_DOCUMENT};
use spin_sdk::http::EmptyBody;
use spin_sdk::http::body::IncomingBodyExt;
use spin_sdk::wasip3::http::types::RequestOptions;
use spin_sdk::wasip3::http_compat::RequestOptionsExtension;
use url::Url;

const CONNECT: Duration = Duration::from_secs(5);
const FIRST_BYTE: Duration = Duration::from_secs(10);
const BETWEEN_BYTES: Duration = Duration::from_secs(10);
const WHOLE_HOP: Duration = Duration::from_secs(20);

/// Outbound HTTP through `wasi:http`.
#[derive(Debug, Clone, Copy)]
pub struct SpinHop;

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn network(url: &Url, reason: impl std::fmt::Display) -> FetchError {
    FetchError::Network {
        url: url.to_string(),
        reason: reason.to_string(),
    }
}

async fn hop_once(url: &Url, accept: &str) -> Result<Fetched, FetchError> {
    let mut request = http::Request::get(url.as_str())
        .header("accept", accept)
        .header(
            "user-agent",
            "Emblem-Verify/0.1 (+Open Badges 2.0 verifier)",
        )
        .body(EmptyBody::new())
        .map_err(|e| network(url, e))?;
    let options = RequestOptions::new();
    // Hosts that do not support an option refuse it; the overall deadline still applies.
    let _ = options.set_connect_timeout(Some(nanos(CONNECT)));
    let _ = options.set_first_byte_timeout(Some(nanos(FIRST_BYTE)));
    let _ = options.set_between_bytes_timeout(Some(nanos(BETWEEN_BYTES)));
    request
        .extensions_mut()
        .insert(RequestOptionsExtension(options));
    let response = spin_sdk::http::send(request).await.map_err(|e| {
        let reason = format!("{e:?}");
        if reason.contains("Denied") {
            network(
                url,
                "the outbound request was denied by this server's network policy",
            )
        } else {
            network(url, reason)
        }
    })?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type");
    let location = header("location");
    let declared = header("content-length").and_then(|v| v.parse::<u64>().ok());
    let body = if (300..400).contains(&status) {
        Vec::new()
    } else {
        emblem_edge::body::read_capped(response.into_body().stream(), declared, MAX_DOCUMENT)
            .await
            .map_err(|e| match e {
                emblem_web::Error::PayloadTooLarge { limit } => FetchError::TooLarge {
                    url: url.to_string(),
                    limit,
                },
                other => network(url, other),
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

impl Hop for SpinHop {
    async fn hop(&self, url: &Url, accept: &str) -> Result<Fetched, FetchError> {
        let fetch = std::pin::pin!(hop_once(url, accept));
        let deadline = std::pin::pin!(spin_sdk::time::sleep(WHOLE_HOP));
        match futures::future::select(fetch, deadline).await {
            futures::future::Either::Left((result, _)) => result,
            futures::future::Either::Right(((), _)) => Err(network(
                url,
                format!("no complete answer within {} s", WHOLE_HOP.as_secs()),
            )),
        }
    }
}
