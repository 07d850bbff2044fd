//! The canon component: checks the Data Integrity proofs of Open Badges 3.0 documents for the
//! `verify` component. It holds the code that turns JSON-LD into canonical RDF (the pinned
//! contexts, `oxjsonld`, RDFC-1.0) and the Ed25519 check, so that `verify` does not: linked
//! there, that code took `verify` over 1.5 MB.
//!
//! One route, `POST /data-integrity/verify` (`emblem_web::verify::canon`), reached only over
//! Spin's service chaining at `http://canon.spin.internal`: spin.toml gives the component
//! `route = { private = true }`, and a request that did not come by chaining is refused
//! here as well (404). It reads no store and no variable, and sends nothing out.

use emblem_edge::{Response, body, request, respond};
use emblem_web::error::NotFound;
use emblem_web::verify::canon;
use emblem_web::{Error, Reply};
use spin_sdk::http::{Method, Request};

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    respond::result(serve(req).await)
}

async fn serve(req: Request) -> Result<Reply, Error> {
    let path = req.uri().path().to_owned();
    if !request::is_chained(req.headers()) || path != canon::PATH {
        return Err(Error::NotFound(NotFound::Route { path }));
    }
    if req.method() != Method::POST {
        return Err(Error::MethodNotAllowed { allow: &["POST"] });
    }
    let body = body::read(req, canon::MAX_REQUEST).await?;
    canon::answer(&body)
}
