//! The bake component: badge images with the credential inside, and reading them back.
//!
//! 1. Match the route (`emblem_web::bake::routes::route`): `GET|HEAD /assertions/:id/image`,
//!    `POST /bake`, `POST /unbake`.
//! 2. For the assertion image, load the award and its class image and bake the hosted
//!    assertion into it (same visibility rules as the hosted JSON); the 3.0 credential comes
//!    signed from the credentials component, over service chaining (`emblem_edge::chain`).
//! 3. For `/bake` and `/unbake`, read the body under a 10 MiB cap (413 beyond) and hand it to
//!    the core; nothing is stored.
//! 4. Errors become problem+json (`emblem_edge::respond`).
//!
//! Variables: `public_base_url`.

use emblem_edge::{Response, Site, body, request, respond};
use emblem_web::bake::routes::{self, Route};
use emblem_web::present;
use emblem_web::{Error, Reply};
use spin_sdk::http::{Method, Request};

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    let head = req.method() == Method::HEAD;
    let served = serve(req).await;
    respond::settle().await;
    match served {
        Ok(reply) => respond::send(present::head(reply, head)),
        Err(e) => respond::error(&e),
    }
}

async fn serve(req: Request) -> Result<Reply, Error> {
    match routes::route(req.method().as_str(), req.uri().path())? {
        Route::AssertionImage(id) => {
            let carries = routes::Carries::from_query(req.uri().query())?;
            let site = Site::load(req.headers()).await?;
            let keys = emblem_edge::chain::KeyHolder {
                base: site.base.clone(),
            };
            routes::assertion_image_carrying(&site.env(), &id, carries, &keys).await
        }
        Route::Bake => {
            let content_type = request::content_type(req.headers()).map(str::to_owned);
            let bytes = body::read(req, routes::MAX_BODY).await?;
            routes::bake_request(content_type.as_deref(), &bytes)
        }
        Route::Unbake => {
            let content_type = request::content_type(req.headers()).map(str::to_owned);
            let bytes = body::read(req, routes::MAX_BODY).await?;
            routes::unbake_request(content_type.as_deref(), &bytes)
        }
    }
}
