//! Calls to other components of this app over Spin's service chaining: a request to
//! `http://<component>.spin.internal/<path>` goes straight to that component, never to the
//! network, and a component may make it only if its `allowed_outbound_hosts` lists that
//! origin. Three components are reached this way:
//!
//! - `credentials` ([`KeyHolder`], `keys.rs`): the one component that holds the issuers'
//!   private keys signs for `issuing`, `bake` and `verify` (`emblem_web::signed`);
//! - `canon` ([`Canon`], `canon.rs`): checks Data Integrity proofs for `verify`
//!   (`emblem_web::verify::canon`);
//! - `mail` ([`MailRelay`], `mail.rs`): the one component that speaks SMTP, and holds
//!   `smtp_url`, sends `issuing`'s email.
//!
//! The callee sees `spin-full-url` under `localhost` (Spin's fallback for a request without a
//! `Host` header), not the caller's origin, so a caller that needs its base URL known sends it
//! in [`BASE_HEADER`]; the callee uses it only for a chained request
//! ([`crate::request::is_chained`]) and only when `public_base_url` is unset
//! (`crate::Site::load`). A deployment sets `public_base_url`, and then the header changes
//! nothing.

mod canon;
mod keys;
mod mail;

use std::time::Duration;

use emblem_web::BaseUrl;
use spin_sdk::http::body::IncomingBodyExt;

use crate::outbound::{Failure, Limits, request, response_header, within};

pub use canon::{CANON, Canon};
pub use keys::{KEY_HOLDER, KeyHolder};
pub use mail::{MAIL, MailRelay, SendAnswer, SendAsk, SenderAnswer, message_to_send};

/// The header that carries the caller's base URL to the callee.
pub const BASE_HEADER: &str = "emblem-base-url";

/// The time budget of one call (RSA key generation, on enabling signing, takes a few
/// seconds).
pub(crate) const LIMITS: Limits = Limits {
    connect: Duration::from_secs(5),
    first_byte: Duration::from_secs(60),
    between_bytes: Duration::from_secs(10),
    total: Duration::from_secs(90),
};

/// The time budget of a call to the mail component: twice the longest SMTP session
/// (`smtp::SESSION_LIMIT`), so the caller does not give up on a message the mail component is
/// still sending. Should a session hang where the platform cannot time out a socket read,
/// the send is reported failed at this limit and retried by the outbox; if the stuck session
/// still delivers, the message's fixed `Message-ID` lets the receiving server drop the copy.
pub(crate) const MAIL_LIMITS: Limits = Limits {
    connect: Duration::from_secs(5),
    first_byte: Duration::from_secs(590),
    between_bytes: Duration::from_secs(10),
    total: Duration::from_secs(600),
};

/// The largest answer read (a credential is a few KiB; a status list with its proof ~25 KiB).
const MAX_ANSWER: usize = 4 << 20;

/// One answer: status, content type, `retry-after`, body.
type Answer = (u16, Option<String>, Option<String>, Vec<u8>);

/// One chained request to `origin` within `limits`: the status, content type, `retry-after`
/// and body of the answer, or why there is none.
pub(crate) async fn call(
    origin: &str,
    limits: &Limits,
    base: Option<&BaseUrl>,
    method: http::Method,
    path: &str,
    accept: &str,
    body: &[u8],
) -> Result<Answer, String> {
    let url = format!("{origin}{path}");
    within(limits, async {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(&url)
            .header("accept", accept);
        if let Some(base) = base {
            builder = builder.header(BASE_HEADER, base.as_str());
        }
        let req = request(
            builder,
            "Emblem/0.1 (service chaining)",
            limits,
            spin_sdk::http::FullBody::new(bytes::Bytes::copy_from_slice(body)),
        )?;
        let response = spin_sdk::http::send(req).await.map_err(Failure::Code)?;
        let status = response.status().as_u16();
        let header = |name: &str| response_header(&response, name);
        let (content_type, retry_after) = (header("content-type"), header("retry-after"));
        let declared = header("content-length").and_then(|v| v.parse::<u64>().ok());
        let body = crate::body::read_capped(response.into_body().stream(), declared, MAX_ANSWER)
            .await
            .map_err(|e| Failure::Invalid(e.to_string()))?;
        Ok((status, content_type, retry_after, body))
    })
    .await
    .map_err(|f| f.describe(limits))
}
