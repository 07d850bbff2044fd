//! The credentials component: public Open Badges 3.0 documents, signed on request with the
//! issuer's Ed25519 key (`eddsa-rdfc-2022`). JSON-LD processing and RDF canonicalisation live
//! here (to sign) and in `canon` (to check proofs for `verify`), so the others stay small.
//!
//! Routes (GET and HEAD), all `emblem_web::credentials::serve`:
//!
//! | route | document |
//! |---|---|
//! | `/credentials/:id` | OpenBadgeCredential of an award (`Accept: application/vc+jwt` or `?alg=`: the VC-JWT) |
//! | `/achievements/:id` | Achievement of a badge class |
//! | `/profiles/:id` | issuer Profile and controller document |
//! | `/profiles/:id/revocations` | 1EdTechRevocationList |
//! | `/profiles/:id/status/:n` | Bitstring status list credential, signed |
//! | `/profiles/:id/keys/:kid` | the issuer's key (a Multikey verification method) |
//! | `/profiles/:id/jwks`, `/profiles/:id/jwks/:kid` | the issuer's VC-JWT keys (JWK Set, JWK) |
//!
//! It is the one component that holds the issuers' private keys (the `secrets` store and
//! `key_encryption_key`, `emblem_web::vault`). The others ask it over service chaining
//! (`http://credentials.spin.internal`, `emblem_edge::chain`): they GET the signed documents
//! above, and `issuing` POSTs to two routes only chaining reaches
//! (`emblem_web::signed::internal`):
//!
//! | route | does |
//! |---|---|
//! | `POST /_internal/issuers/:id/signing-key` | turns Open Badges 2.0 signing on with the RSA key in the body, made by `issuing` (`signing::install`) |
//! | `POST /_internal/issuers/:id/assertions/:award/signed` | signs an award as a 2.0 JWS (`signing::sign_award`) |
//!
//! Variables: `public_base_url`, `key_encryption_key`.

use emblem_edge::{Response, Site, body, request, respond};
use emblem_web::negotiate::negotiate;
use emblem_web::{Error, Reply, credentials, hosting, signed};
use spin_sdk::http::{Method, Request};

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    let headers = req.headers();
    let rep = negotiate(request::accept(headers), request::user_agent(headers));
    if request::is_chained(headers) && req.uri().path().starts_with(signed::INTERNAL) {
        return respond::send(internal(req).await.unwrap_or_else(|e| {
            respond::log(&e);
            Reply::problem(&e)
        }));
    }
    let reply = match Site::load(headers).await {
        Ok(site) => {
            let served = match credentials::route(req.method().as_str(), req.uri().path()) {
                Ok(route) => {
                    match credentials::wants_jwt(request::accept(headers), req.uri().query()) {
                        Ok(jwt) => credentials::serve(&site.env(), &route, rep, jwt).await,
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            served.unwrap_or_else(|e| {
                respond::log(&e);
                Reply::problem(&e)
            })
        }
        Err(e) => {
            respond::log(&e);
            Reply::problem(&e)
        }
    };
    let head = req.method() == Method::HEAD;
    respond::settle().await;
    respond::send(hosting::finish(
        reply,
        request::if_none_match(headers),
        head,
    ))
}

/// A chaining-only route (`emblem_web::signed::internal`), its body read under a cap.
async fn internal(req: Request) -> Result<Reply, Error> {
    let site = Site::load(req.headers()).await?;
    let (method, path) = (
        req.method().as_str().to_owned(),
        req.uri().path().to_owned(),
    );
    let body = body::read(req, signed::MAX_INTERNAL_BODY).await?;
    let env = site.env();
    signed::internal(&env, &method, &path, &body)
        .await
        .unwrap_or_else(|| Ok(Reply::empty(404)))
}
