//! Asking the credentials component, the one component that holds the issuers' private keys,
//! to sign (`emblem_web::signed`), over Spin's service chaining: a request to
//! `http://credentials.spin.internal/<path>` goes straight to that component, never to the
//! network. A component may do it only if its `allowed_outbound_hosts` lists
//! `http://credentials.spin.internal` (spin.toml grants it to `issuing`, `bake` and `verify`).
//!
//! The callee sees `spin-full-url` under `localhost` (Spin's fallback for a request without a
//! `Host` header), not the caller's origin, so the caller sends its base URL in
//! [`BASE_HEADER`]; the callee uses it only for a chained request
//! ([`crate::request::is_chained`]) and only when `public_base_url` is unset
//! (`crate::Site::load`). A deployment sets `public_base_url`, and then the header changes
//! nothing.

use std::time::Duration;

use emblem_web::error::Internal;
use emblem_web::kv::Kv;
use emblem_web::service::signing;
use emblem_web::signed::{SignedDocs, Signer, enable_signing_path, sign_award_path};
use emblem_web::{BaseUrl, Env, Error, Reply};
use spin_sdk::http::body::IncomingBodyExt;

use crate::outbound::{Failure, Limits, request, response_header, within};

/// The origin that reaches the credentials component.
pub const KEY_HOLDER: &str = "http://credentials.spin.internal";

/// The header that carries the caller's base URL to the callee.
pub const BASE_HEADER: &str = "emblem-base-url";

/// The time budget of one call (RSA key generation, on enabling signing, takes a few seconds).
const LIMITS: Limits = Limits {
    connect: Duration::from_secs(5),
    first_byte: Duration::from_secs(60),
    between_bytes: Duration::from_secs(10),
    total: Duration::from_secs(90),
};

/// The largest answer read (a credential is a few KiB; a status list with its proof ~25 KiB).
const MAX_ANSWER: usize = 4 << 20;

/// The credentials component, as the other components reach it.
#[derive(Debug, Clone)]
pub struct KeyHolder {
    /// The caller's base URL.
    pub base: BaseUrl,
}

impl KeyHolder {
    async fn call(
        &self,
        method: http::Method,
        path: &str,
        accept: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Reply, Error> {
        let url = format!("{KEY_HOLDER}{path}");
        let answer = within(&LIMITS, async {
            // The body, if any, is a private key being handed over: it is zeroed once sent.
            let body = zeroize::Zeroizing::new(body.unwrap_or_default());
            let req = request(
                http::Request::builder()
                    .method(method)
                    .uri(&url)
                    .header("accept", accept)
                    .header(BASE_HEADER, self.base.as_str()),
                "Emblem/0.1 (service chaining)",
                &LIMITS,
                spin_sdk::http::FullBody::new(bytes::Bytes::copy_from_slice(&body)),
            )?;
            let response = spin_sdk::http::send(req).await.map_err(Failure::Code)?;
            let status = response.status().as_u16();
            let header = |name: &str| response_header(&response, name);
            let (content_type, retry_after) = (header("content-type"), header("retry-after"));
            let declared = header("content-length").and_then(|v| v.parse::<u64>().ok());
            let body =
                crate::body::read_capped(response.into_body().stream(), declared, MAX_ANSWER)
                    .await
                    .map_err(|e| Failure::Invalid(e.to_string()))?;
            Ok((status, content_type, retry_after, body))
        })
        .await;
        let (status, content_type, retry_after, body) = answer.map_err(|f| {
            Error::Internal(Internal::Config(format!(
                "the credentials component (which holds the signing keys) did not answer \
                 {url}: {}",
                f.describe(&LIMITS)
            )))
        })?;
        let mut reply = Reply::bytes(
            status,
            content_type
                .as_deref()
                .unwrap_or("application/octet-stream"),
            body,
        );
        if let Some(retry_after) = retry_after {
            reply = reply.with_header("retry-after", retry_after);
        }
        Ok(reply)
    }
}

impl SignedDocs for KeyHolder {
    async fn get(&self, path: &str) -> Result<Reply, Error> {
        self.call(http::Method::GET, path, "application/ld+json", None)
            .await
    }
}

impl Signer for KeyHolder {
    /// The issuer's active key if it has one; otherwise a new key made here
    /// ([`signing::generate`]) and handed to the credentials component to seal and install.
    async fn enable_signing<K: Kv + ?Sized>(
        &self,
        env: &Env<'_, K>,
        issuer_id: &str,
    ) -> Result<Reply, Error> {
        if let Some(key) = signing::active(env.kv, issuer_id).await? {
            return Ok(Reply::json(200, &signing::KeyView::new(&key, env.base)));
        }
        let pem = signing::generate(env.entropy)?;
        self.call(
            http::Method::POST,
            &enable_signing_path(issuer_id),
            "application/json",
            Some(pem.as_bytes().to_vec()),
        )
        .await
    }

    async fn sign_award<K: Kv + ?Sized>(
        &self,
        _env: &Env<'_, K>,
        issuer_id: &str,
        award_id: &str,
    ) -> Result<Reply, Error> {
        self.call(
            http::Method::POST,
            &sign_award_path(issuer_id, award_id),
            "application/json",
            None,
        )
        .await
    }
}
