//! [`Fetch`] for a component: this instance's own URLs answered from the store through the
//! hosting renderers (the same documents and status codes as over HTTP, without a network
//! round trip), its own signed 3.0 documents from the component that holds the keys
//! ([`SignedDocs`]), any other URL through a [`Hop`] with the outbound rules of
//! [`emblem_badges::verify::fetch`].

use std::cell::RefCell;

use time::OffsetDateTime;

use crate::base_url::BaseUrl;
use crate::credentials;
use crate::error::Error;
use crate::hosting::{self, RenderCache, Route};
use crate::kv::Kv;
use crate::negotiate::Representation;
use crate::service::credentials as service;
use crate::signed::SignedDocs;
use emblem_badges::verify::fetch::{Fetch, FetchError, Fetched, Hop, Rules, follow};

/// [`Fetch`] over this instance's store (for its own URLs) and a [`Hop`] (for the rest).
#[derive(Debug)]
pub struct Fetcher<'a, K: ?Sized, H, S> {
    /// The store.
    pub kv: &'a K,
    /// This instance's signed credentials and status lists.
    pub signed: &'a S,
    /// This instance's public base URL.
    pub base: &'a BaseUrl,
    /// The time of the request (for the hosting rules).
    pub now: OffsetDateTime,
    /// The hosting render cache of this instance.
    pub cache: &'a RefCell<RenderCache>,
    /// Outbound HTTP.
    pub remote: &'a H,
    /// The outbound policy.
    pub rules: Rules,
}

impl<K: Kv + ?Sized, H: Hop, S: SignedDocs> Fetcher<'_, K, H, S> {
    /// The path under the base URL, if `url` is one of this instance's.
    fn local_path<'u>(&self, url: &'u str) -> Option<&'u str> {
        let rest = url.strip_prefix(self.base.as_str())?;
        rest.starts_with('/').then_some(rest)
    }

    async fn local(&self, url: &str, path: &str) -> Fetched {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let rep = Representation::LdJson;
        let (kv, base) = (self.kv, self.base);
        let result = match hosting::route("GET", path) {
            Ok(Route::Assertion(id)) => {
                hosting::assertion(kv, base, self.now, &id, rep, self.cache).await
            }
            Ok(Route::Badge(id)) => hosting::badge(kv, base, &id, rep).await,
            Ok(Route::Issuer(id)) => hosting::issuer(kv, base, &id, rep).await,
            Ok(Route::Revocations(id)) => hosting::revocations(kv, base, &id, rep).await,
            Ok(Route::Key(id, kid)) => hosting::key(kv, base, &id, &kid, rep).await,
            Ok(Route::IssuerImage(id)) => {
                hosting::image(kv, hosting::ImageOwner::Issuer, &id).await
            }
            Ok(Route::BadgeImage(id)) => hosting::image(kv, hosting::ImageOwner::Badge, &id).await,
            Err(_) => self.local_credentials(path).await,
        };
        let reply = result.unwrap_or_else(|e: Error| crate::reply::Reply::problem(&e));
        Fetched {
            url: url.to_owned(),
            status: reply.status,
            content_type: reply.header("content-type").map(str::to_owned),
            body: reply.body,
            location: None,
        }
    }
}

impl<K: Kv + ?Sized, H: Hop, S: SignedDocs> Fetcher<'_, K, H, S> {
    /// The Open Badges 3.0 documents of this instance (a profile of an issuer that has no
    /// key yet is 404, as nothing was ever signed with it; credentials and status lists as the
    /// credentials component serves them).
    async fn local_credentials(&self, path: &str) -> Result<crate::reply::Reply, Error> {
        let (kv, base) = (self.kv, self.base);
        let doc = match credentials::route("GET", path)? {
            credentials::Route::Credential(_) | credentials::Route::StatusList(..) => {
                return self.signed.get(path).await;
            }
            credentials::Route::Achievement(id) => service::achievement(kv, base, &id).await?,
            credentials::Route::Profile(id) => service::profile_if_keyed(kv, base, &id).await?,
            credentials::Route::Revocations(id) => service::revocation_list(kv, base, &id).await?,
            credentials::Route::Key(id, kid) => service::published_key(kv, base, &id, &kid).await?,
            credentials::Route::Jwk(id, kid) => service::published_jwk(kv, base, &id, &kid).await?,
            credentials::Route::DidDocument(id) => {
                service::did_document_if_keyed(kv, base, &id).await?
            }
            credentials::Route::Jwks(id) => {
                return Err(Error::NotFound(crate::error::NotFound::Route {
                    path: format!("/profiles/{id}/jwks"),
                }));
            }
        };
        Ok(crate::reply::Reply::json(200, &doc))
    }
}

impl<K: Kv + ?Sized, H: Hop, S: SignedDocs> Fetch for Fetcher<'_, K, H, S> {
    async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        if let Some(path) = self.local_path(url) {
            return Ok(self.local(url, path).await);
        }
        follow(self.remote, url, self.rules).await
    }
}
