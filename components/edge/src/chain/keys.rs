//! The credentials component, the one component that holds the issuers' private keys, asked
//! to sign (`emblem_web::signed`) at `http://credentials.spin.internal` (spin.toml grants it
//! to `issuing`, `bake` and `verify`).

use emblem_web::error::Internal;
use emblem_web::kv::Kv;
use emblem_web::service::signing;
use emblem_web::signed::{SignedDocs, Signer, enable_signing_path, sign_award_path};
use emblem_web::{BaseUrl, Env, Error, Reply};

use super::call;

/// The origin that reaches the credentials component.
pub const KEY_HOLDER: &str = "http://credentials.spin.internal";

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
        // The body, if any, is a private key being handed over: it is zeroed once sent.
        let body = zeroize::Zeroizing::new(body.unwrap_or_default());
        let (status, content_type, retry_after, body) = call(
            KEY_HOLDER,
            &super::LIMITS,
            Some(&self.base),
            method,
            path,
            accept,
            &body,
        )
        .await
        .map_err(|why| {
            Error::Internal(Internal::Config(format!(
                "the credentials component (which holds the signing keys) did not \
                         answer {KEY_HOLDER}{path}: {why}"
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
