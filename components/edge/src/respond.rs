//! Turning core replies and errors into Spin responses.

use bytes::Bytes;
use emblem_web::{Error, Reply};
use spin_sdk::http::{FullBody, HeaderName, HeaderValue, StatusCode};

/// The response type every component returns.
pub type Response = http::Response<FullBody<Bytes>>;

/// Convert a [`Reply`]. Header values that are not valid HTTP are dropped (and logged);
/// the core never produces them, so this only guards against bugs.
pub fn send(reply: Reply) -> Response {
    // The length up front: the server then sends the body as it is, with no chunked framing
    // whose closing `0\r\n\r\n` goes out as a separate small write. On Spin, which leaves
    // Nagle's algorithm on, that write waited for the client's delayed ACK: 40 ms a response.
    let length = (!reply.body.is_empty()).then(|| HeaderValue::from(reply.body.len()));
    let mut response = http::Response::new(FullBody::new(Bytes::from(reply.body)));
    if let Some(length) = length {
        response
            .headers_mut()
            .insert(http::header::CONTENT_LENGTH, length);
    }
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in reply.headers {
        match HeaderValue::from_str(&value) {
            Ok(value) => {
                headers.append(HeaderName::from_static(name), value);
            }
            Err(_) => eprintln!("emblem: dropped invalid value for header {name}"),
        }
    }
    response
}

/// How many times [`settle`] yields.
pub const SETTLE_YIELDS: usize = 3;

/// Yield to the host a few times before returning a response.
///
/// A workaround for Spin 4.1, which leaves Nagle's algorithm on: a response's head and body
/// reach its HTTP server separately, and after a store read the head often leaves alone, so
/// the body waits for the client's delayed ACK, 40 ms (docs/operations.md, "Spin's 40 ms
/// stall"). Yielding first makes that rare. Measured on Spin with its SQLite store, in A/B runs
/// of `cargo xtask bench-http`: `GET /assertions/:id` 7,189 → 15,865 requests/s and `POST
/// /verify` 1,631 → 9,274; no difference beyond the noise on Redis or on `emblem-host`. One
/// yield gave part of the gain, three all of it, five no more.
pub async fn settle() {
    for _ in 0..SETTLE_YIELDS {
        spin_sdk::wit_bindgen::yield_async().await;
    }
}

/// The problem+json response for `error`; server faults are logged first.
pub fn error(error: &Error) -> Response {
    log(error);
    send(Reply::problem(error))
}

/// Log a server fault to stderr (client faults are not logged).
pub fn log(error: &Error) {
    if let Some(detail) = error.log_detail() {
        eprintln!("emblem: {detail}");
    }
}

/// A `Result` of a reply, as a response.
pub fn result(result: Result<Reply, Error>) -> Response {
    match result {
        Ok(reply) => send(reply),
        Err(e) => error(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emblem_web::error::{Internal, Unauthenticated};

    #[test]
    fn replies_keep_status_headers_and_body() {
        let reply = Reply::json(201, &[1, 2]).with_header("location", "https://x/1");
        let r = send(reply);
        assert_eq!(r.status(), 201);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.headers()["location"], "https://x/1");
    }

    #[test]
    fn errors_become_problem_documents_with_their_headers() {
        let r = error(&Error::Unauthenticated(Unauthenticated::Missing));
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"emblem\"");
    }

    #[test]
    fn internal_errors_answer_500_without_detail() {
        let r = error(&Error::Internal(Internal::Config(
            "secret path /srv".into(),
        )));
        assert_eq!(r.status(), 500);
    }

    #[test]
    fn invalid_header_values_are_dropped_not_fatal() {
        let r = send(Reply::empty(200).with_header("x-bad", "a\nb"));
        assert_eq!(r.status(), 200);
        assert!(r.headers().get("x-bad").is_none());
    }
}
