//! [`HttpWebhooks`]: the core's [`Webhooks`] over Spin's outbound HTTP (`wasi:http` client).
//!
//! 1. The request is a POST of the JSON body with `Content-Type: application/json` and a
//!    `User-Agent` naming Emblem.
//! 2. Time is capped twice: per-phase request options (connect, first byte, between bytes)
//!    and an overall deadline on the monotonic clock ([`TOTAL`]), whichever comes first.
//! 3. Any failure (denied by `allowed_outbound_hosts`, refused, timed out, non-2xx) becomes a
//!    `Delivery` with `delivered: false` and a reason; nothing here can fail the caller.

use std::time::Duration;

use bytes::Bytes;
use emblem_web::webhook::{Delivery, Webhooks};
use futures::future::{Either, select};
use spin_sdk::http::FullBody;
use spin_sdk::wasip3::http::types::RequestOptions;
use spin_sdk::wasip3::http_compat::RequestOptionsExtension;

/// Connecting must take at most this long.
pub const CONNECT: Duration = Duration::from_secs(3);
/// The receiver must start answering within this long.
pub const FIRST_BYTE: Duration = Duration::from_secs(5);
/// The whole delivery must take at most this long.
pub const TOTAL: Duration = Duration::from_secs(8);

/// Outbound webhook deliveries from a component.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpWebhooks;

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn options() -> RequestOptions {
    let options = RequestOptions::new();
    // A host that does not support an option still gets the overall deadline below.
    let _ = options.set_connect_timeout(Some(nanos(CONNECT)));
    let _ = options.set_first_byte_timeout(Some(nanos(FIRST_BYTE)));
    let _ = options.set_between_bytes_timeout(Some(nanos(FIRST_BYTE)));
    options
}

impl Webhooks for HttpWebhooks {
    async fn post_json(&self, url: &str, body: Vec<u8>) -> Delivery {
        let request = match http::Request::post(url)
            .header("content-type", "application/json")
            .header("user-agent", "Emblem-Webhook/1")
            .extension(RequestOptionsExtension(options()))
            .body(FullBody::new(Bytes::from(body)))
        {
            Ok(request) => request,
            Err(e) => return Delivery::failed(url, format!("invalid request: {e}")),
        };
        let send = std::pin::pin!(spin_sdk::http::send(request));
        let deadline = std::pin::pin!(spin_sdk::wasip3::clocks::monotonic_clock::wait_for(nanos(
            TOTAL
        )));
        match select(send, deadline).await {
            Either::Left((Ok(response), _)) => Delivery::answered(url, response.status().as_u16()),
            Either::Left((Err(code), _)) => Delivery::failed(url, describe(&code)),
            Either::Right(((), _)) => {
                Delivery::failed(url, format!("no answer within {} seconds", TOTAL.as_secs()))
            }
        }
    }
}

fn describe(code: &spin_sdk::wasip3::http::types::ErrorCode) -> String {
    use spin_sdk::wasip3::http::types::ErrorCode as E;
    match code {
        E::HttpRequestDenied => {
            "the request was denied: the host is not in the component's allowed_outbound_hosts"
                .to_owned()
        }
        E::ConnectionRefused => "the connection was refused".to_owned(),
        E::ConnectionTimeout => format!("could not connect within {} seconds", CONNECT.as_secs()),
        E::ConnectionReadTimeout | E::ConnectionWriteTimeout | E::HttpResponseTimeout => {
            format!("no answer within {} seconds", FIRST_BYTE.as_secs())
        }
        E::DnsError(_) => "the host name could not be resolved".to_owned(),
        E::TlsCertificateError | E::TlsProtocolError | E::TlsAlertReceived(_) => {
            "the TLS handshake failed".to_owned()
        }
        other => format!("the request failed: {other:?}"),
    }
}
