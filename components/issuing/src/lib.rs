//! The issuing component: Emblem's issuer JSON API under `/api/v1`.
//!
//! 1. Route and authenticate (`emblem_web::api::handler::begin`): 404/405, then
//!    401/403/429/503, before the body is touched.
//! 2. Check the content type (415) and read the body under 1 MiB (413).
//! 3. Parse, validate and act (`emblem_web::api::handler::perform`): 400/422/404/409, or
//!    200/201/204 with the JSON views documented in `emblem_web::api::views`.
//! 4. Errors become problem+json (server faults are logged); nothing is cacheable.
//!
//! Routes (under `/api/v1`) and the service behind each (`emblem_services::…`):
//!
//! | route | who | service |
//! |---|---|---|
//! | `POST /issuers` | admin | `issuers::create` |
//! | `GET /issuers/:id`, `PATCH /issuers/:id` | admin or that issuer | `issuers::get`, `issuers::update` |
//! | `POST /issuers/:id/keys`, `GET /issuers/:id/keys` | admin | `apikeys::create`, `apikeys::list` |
//! | `DELETE /issuers/:id/keys/:key_id` | admin | `apikeys::delete` |
//! | `POST /issuers/:id/signing-key` | that issuer | `signing::enable` |
//! | `POST /badgeclasses`, `GET /badgeclasses`, `GET /badgeclasses/:id` | issuer | `badges::create`, `badges::list`, `badges::get` |
//! | `GET /badgeclasses/:id/assertions` | issuer | `awards::list_for_badge` |
//! | `POST /assertions`, `GET /assertions/:id` | issuer | `awards::create`, `awards::get` |
//! | `POST /assertions/:id/revoke`, `…/recertify`, `…/resend` | issuer | `awards::revoke`, `awards::recertify`, `awards::resend` |
//! | `GET /assertions/:id/shares` | issuer | `counters::read` |
//! | `GET /assertions/:id/signed` | issuer | `signing::sign_award` |
//! | `POST /badgeclasses/:id/awards` (JSON or CSV, ≤ 5,000 rows) | issuer | `cohorts::award_all` |
//! | `POST /assertions/:id/replace` | issuer | `awards::replace` |
//! | `POST /issuers/:id/webhook-secret` | admin or that issuer | `issuers::rotate_webhook_secret` |
//! | `POST /suppressions`, `POST /suppressions/remove` | issuer | `mail::suppression` |
//! | `POST /mail/flush` | admin | `mail::outbox::flush` |
//!
//! `GET /openapi.json` (no credentials) is the OpenAPI 3.1 document of all of the above
//! (`emblem_web::api::OPENAPI`).
//!
//! Every POST may carry `Idempotency-Key`: a retry gets the first answer
//! (`emblem_services::idempotency`).
//!
//! Award and resend responses carry the award email; with `smtp_url` and `mail_from` set,
//! Emblem queues it in the outbox and sends it over SMTP (`wasi:sockets`, `tcp://` in
//! `allowed_outbound_hosts`); when the issuer has a `webhook_url`, the email is also POSTed
//! there through outbound HTTP, with time caps. Both outcomes are reported in the response.
//!
//! Variables: `admin_token` (empty: admin routes answer 503), `public_base_url` (unset: every
//! route answers 503, unless `public_base_url_from_request` is `true`, for development: ids
//! then follow the request's origin),
//! `claim_ttl_days` (default 30), `trusted_proxies` (the reverse proxies whose
//! `X-Forwarded-For` names the client, for lockouts; default none); test manifests only: `webhook_allow_loopback_http` (`true`
//! lets issuers set `http://127.0.0.1:<port>` webhooks).

use emblem_edge::chain::{KeyHolder, MailRelay};
use emblem_edge::{HttpWebhooks, Network, Response, Site, body, request, respond, vars};
use emblem_web::Error;
use emblem_web::Policy;
use emblem_web::Reply;
use emblem_web::api::handler;
use emblem_web::auth::Attempt;
use spin_sdk::http::Request;

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    let result = serve(req).await;
    if let Err(e) = &result {
        respond::log(e);
    }
    respond::settle().await;
    respond::send(handler::finish(result))
}

async fn serve(req: Request) -> Result<Reply, Error> {
    if let Some(doc) = emblem_web::api::openapi(req.method().as_str(), req.uri().path()) {
        return Ok(doc);
    }
    if vars::get("public_base_url").await.is_none()
        && vars::get("public_base_url_from_request").await.as_deref() != Some("true")
    {
        return Err(Error::Unavailable(
            emblem_web::error::Unavailable::BaseUrlUnset,
        ));
    }
    let mut site = Site::load(req.headers()).await?;
    site.policy = Policy::with_claim_ttl_days(vars::get("claim_ttl_days").await.as_deref());
    site.policy = site
        .policy
        .with_claim_reminder_days(vars::get("claim_reminder_days").await.as_deref());
    site.policy.webhook_loopback_http =
        vars::get("webhook_allow_loopback_http").await.as_deref() == Some("true");
    let admin_token = vars::get("admin_token").await;
    let env = site.env();
    let headers = req.headers();
    let client = request::client(headers, &vars::trusted_proxies().await?);
    let attempt = Attempt {
        authorization: request::authorization(headers),
        client_addr: client.as_deref(),
    };
    let (method, path) = (req.method().as_str(), req.uri().path());
    let call = handler::begin(&env, admin_token.as_deref(), method, path, attempt).await?;
    let content_type = request::content_type(headers).map(str::to_owned);
    handler::check_content_type(&call.route, content_type.as_deref())?;
    let query = req.uri().query().map(str::to_owned);
    let idempotency_key = (method == "POST")
        .then(|| request::header(headers, "idempotency-key").map(str::to_owned))
        .flatten();
    let path = path.to_owned();
    let bytes = if call.route.has_body() {
        body::read(req, call.route.max_body()).await?
    } else {
        Vec::new()
    };
    handler::perform_idempotent(
        &env,
        call,
        idempotency_key.as_deref(),
        &path,
        query.as_deref(),
        content_type.as_deref(),
        &bytes,
        &Network {
            webhooks: HttpWebhooks,
            mailer: MailRelay,
            keys: KeyHolder {
                base: site.base.clone(),
            },
        },
    )
    .await
}
