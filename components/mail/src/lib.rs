//! The mail component: sends the email `issuing` queues, over SMTP submission
//! (`emblem_edge::smtp`: `wasi:sockets`, STARTTLS on 587 or TLS on 465, rustls with the
//! WebPKI roots and `smtp_ca`). It is the one component granted `tcp://` outbound and the
//! SMTP variables, `smtp_url` (with its password) among them, so the component that parses
//! the issuer API's requests holds neither, nor links a TLS stack.
//!
//! Reached only over Spin's service chaining at `http://mail.spin.internal` (spin.toml gives
//! it `route = { private = true }` and grants that origin to `issuing` alone); a request that
//! did not come by chaining is refused here as well (404). Routes and their JSON:
//! `emblem_edge::chain::MailRelay`, the caller's side.
//!
//! | route | does |
//! |---|---|
//! | `GET /sender` | says whether email is on, and its sender (`mail_from`); 500 when `smtp_url`, `mail_from` or `smtp_ca` does not parse |
//! | `POST /send` | sends one message; answers whether it was sent, or why not and whether for good |
//!
//! Variables: `smtp_url`, `mail_from`, `smtp_ca`.

use emblem_edge::chain::{SendAnswer, SenderAnswer, message_to_send};
use emblem_edge::{Response, body, request, respond, vars};
use emblem_web::error::NotFound;
use emblem_web::service::mail::Mailer;
use emblem_web::{Error, Reply};
use spin_sdk::http::{Method, Request};

/// The largest message taken: an award email is some 20 KiB; this leaves room for any
/// template an issuer might write.
const MAX_MESSAGE: usize = 1 << 20;

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    respond::result(serve(req).await)
}

async fn serve(req: Request) -> Result<Reply, Error> {
    let path = req.uri().path().to_owned();
    if !request::is_chained(req.headers()) {
        return Err(Error::NotFound(NotFound::Route { path }));
    }
    let allow: &'static [&'static str] = match path.as_str() {
        "/sender" => &["GET"],
        "/send" => &["POST"],
        _ => return Err(Error::NotFound(NotFound::Route { path })),
    };
    if req.method().as_str() != allow[0] {
        return Err(Error::MethodNotAllowed { allow });
    }
    let mailer = vars::mailer().await?;
    let sender = mailer.sender().await?;
    if req.method() == Method::GET {
        return Ok(Reply::json(200, &SenderAnswer { sender }));
    }
    let bytes = body::read(req, MAX_MESSAGE).await?;
    // Only as the configured sender: the component relays nothing else.
    let envelope = message_to_send(&bytes, sender.as_deref())?;
    Ok(Reply::json(
        200,
        &SendAnswer::of(mailer.send(&envelope).await),
    ))
}
