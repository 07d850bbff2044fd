//! Signing where the keys are. Only the credentials component holds the issuers' private keys
//! (the `secrets` store and `key_encryption_key`, `emblem_services::vault`); the components
//! that need something signed ask it:
//!
//! - [`SignedDocs`]: this instance's own signed documents (a 3.0 credential, a status list),
//!   as `GET /credentials/:id` and `GET /profiles/:id/status/:n` serve them (`verify` for its
//!   own URLs, `bake` for the 3.0 payload);
//! - [`Signer`]: the issuer API's signing operations (`issuing`: turn 2.0 signing on, sign an
//!   award), run in the credentials component under [`internal`] routes that only service
//!   chaining reaches (no public route of the app leads to `/_internal/`). The issuing
//!   component makes a new RSA key itself and hands it over once (the key generator is linked
//!   there, not in the component that holds the keys).
//!
//! [`SignHere`] and [`Here`] do these in the calling component, with the vault of its [`Env`]:
//! the credentials component itself, and the native tests. The other components use the
//! edge's chaining client (`emblem_edge::chain`).

use crate::credentials::{self, Route};
use crate::env::Env;
use crate::error::{Error, NotFound};
use crate::kv::Kv;
use crate::negotiate::Representation;
use crate::reply::Reply;
use crate::service::signing;

/// The path prefix of the credentials component's chaining-only routes.
pub const INTERNAL: &str = "/_internal/";

/// This instance's own signed documents.
#[expect(
    async_fn_in_trait,
    reason = "components are single-threaded WebAssembly; no Send bound is wanted"
)]
pub trait SignedDocs {
    /// `path` (`/credentials/:id` or `/profiles/:id/status/:n`) as the credentials component
    /// serves it as JSON-LD: the document, or the problem reply.
    async fn get(&self, path: &str) -> Result<Reply, Error>;
}

/// The issuer API's signing operations.
#[expect(
    async_fn_in_trait,
    reason = "components are single-threaded WebAssembly; no Send bound is wanted"
)]
pub trait Signer {
    /// `POST /api/v1/issuers/:id/signing-key` (the caller has checked it is that issuer).
    async fn enable_signing<K: Kv + ?Sized>(
        &self,
        env: &Env<'_, K>,
        issuer_id: &str,
    ) -> Result<Reply, Error>;
    /// `GET /api/v1/assertions/:id/signed` of the authenticated issuer.
    async fn sign_award<K: Kv + ?Sized>(
        &self,
        env: &Env<'_, K>,
        issuer_id: &str,
        award_id: &str,
    ) -> Result<Reply, Error>;
}

/// Signed in this component, with the vault of `env` (503 without one).
#[derive(Debug)]
pub struct SignHere<'e, 'a, K: ?Sized> {
    /// The request's environment.
    pub env: &'e Env<'a, K>,
}

impl<K: Kv + ?Sized> SignedDocs for SignHere<'_, '_, K> {
    async fn get(&self, path: &str) -> Result<Reply, Error> {
        let route = credentials::route("GET", path)?;
        if !matches!(route, Route::Credential(_) | Route::StatusList(..)) {
            return Err(Error::NotFound(NotFound::Route {
                path: path.to_owned(),
            }));
        }
        credentials::serve(self.env, &route, Representation::LdJson, None).await
    }
}

/// Signing where the vault is: the credentials component, and native tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Here;

impl Signer for Here {
    async fn enable_signing<K: Kv + ?Sized>(
        &self,
        env: &Env<'_, K>,
        issuer_id: &str,
    ) -> Result<Reply, Error> {
        Ok(Reply::json(200, &signing::enable(env, issuer_id).await?))
    }

    async fn sign_award<K: Kv + ?Sized>(
        &self,
        env: &Env<'_, K>,
        issuer_id: &str,
        award_id: &str,
    ) -> Result<Reply, Error> {
        Ok(Reply::json(
            200,
            &signing::sign_award(env, issuer_id, award_id).await?,
        ))
    }
}

/// The most bytes of a chained request's body (a PKCS#8 PEM RSA-2048 key is about 1.7 KB).
pub const MAX_INTERNAL_BODY: usize = 16 * 1024;

/// The chaining-only routes of the credentials component, if `path` is one:
/// `POST /_internal/issuers/:issuer/signing-key` with the new key's PKCS#8 PEM as the body
/// (made by the issuing component, [`signing::generate`]; installed unless the issuer has a
/// key, [`signing::install`]) and `POST /_internal/issuers/:issuer/assertions/:award/signed`
/// (the caller authenticated the issuer). A path under [`INTERNAL`] that is neither is 404.
pub async fn internal<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    method: &str,
    path: &str,
    body: &[u8],
) -> Option<Result<Reply, Error>> {
    let rest = path.strip_prefix(INTERNAL)?;
    if method != "POST" {
        return Some(Err(Error::MethodNotAllowed { allow: &["POST"] }));
    }
    let parts: Vec<&str> = rest.split('/').collect();
    Some(match parts.as_slice() {
        ["issuers", issuer, "signing-key"] => match std::str::from_utf8(body) {
            Ok(pem) => signing::install(env, issuer, pem)
                .await
                .map(|view| Reply::json(200, &view)),
            Err(_) => Err(Error::invalid("private_key", "not UTF-8")),
        },
        ["issuers", issuer, "assertions", award, "signed"] => {
            Here.sign_award(env, issuer, award).await
        }
        _ => Err(Error::NotFound(NotFound::Route {
            path: path.to_owned(),
        })),
    })
}

/// The path of [`Signer::enable_signing`] under [`internal`].
pub fn enable_signing_path(issuer_id: &str) -> String {
    format!("{INTERNAL}issuers/{issuer_id}/signing-key")
}

/// The path of [`Signer::sign_award`] under [`internal`].
pub fn sign_award_path(issuer_id: &str, award_id: &str) -> String {
    format!("{INTERNAL}issuers/{issuer_id}/assertions/{award_id}/signed")
}
