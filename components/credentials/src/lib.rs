//! The credentials component: public Open Badges 3.0 documents, signed on request with the
//! issuer's Ed25519 key (`eddsa-rdfc-2022`). JSON-LD processing and RDF canonicalisation live
//! here and in `verify`, so the other components stay small.
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
//! Variables: `public_base_url`.

use emblem_edge::{Response, Site, request, respond};
use emblem_web::negotiate::negotiate;
use emblem_web::{Reply, credentials, hosting};
use spin_sdk::http::{Method, Request};

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    let headers = req.headers();
    let rep = negotiate(request::accept(headers), request::user_agent(headers));
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
    respond::send(hosting::finish(
        reply,
        request::if_none_match(headers),
        head,
    ))
}
