//! A trivial HTTP component: the floors the load benchmark measures Emblem's routes against.
//!
//! - `/hello`: a short text and nothing else (the runtime's own cost);
//! - `/hello/kv`: the same after one read of the `default` store, through the same
//!   `wasi:keyvalue` call Emblem reads with, and the same yields before answering (the least
//!   any store-backed page can cost); `/hello/kv?key=<key>` reads that key and answers with
//!   its bytes (the least a page that serves one stored record can cost), and
//!   `&headers=assertion` adds the headers a hosted assertion carries;
//! - `/hello/fetch?url=<url>&url=<url>…`: GETs each URL in turn through the runtime's outbound
//!   HTTP and reads each body whole, then answers `hello` (the least a verifier running on the
//!   same runtime can spend fetching those documents; the URLs must be plain, unescaped).

use spin_sdk::experimental::wasi::keyvalue::store;
use spin_sdk::http::{FullBody, IntoResponse, Request};
use spin_sdk::http_service;
use std::cell::OnceCell;
use std::rc::Rc;

thread_local! {
    /// The store handle, opened once per instance (as Emblem's components do).
    static BUCKET: OnceCell<Option<Rc<store::Bucket>>> = const { OnceCell::new() };
}

#[http_service]
async fn hello(req: Request) -> impl IntoResponse {
    if req.uri().path().ends_with("/fetch") {
        return fetch(req.uri().query().unwrap_or_default()).await;
    }
    if req.uri().path().ends_with("/kv") {
        let bucket = BUCKET.with(|b| {
            b.get_or_init(|| store::open("default").ok().map(Rc::new))
                .clone()
        });
        let query = req.uri().query().unwrap_or_default();
        let key = query
            .strip_prefix("key=")
            .map(|k| k.split('&').next().unwrap_or(k))
            .unwrap_or("hello/floor");
        let dressed = query.split('&').any(|p| p == "headers=assertion");
        let read = bucket.map(|b| b.get(key));
        // As Emblem's components do after their store reads (`emblem_edge::respond::settle`):
        // without these yields Spin often sends the head alone and the body waits 40 ms.
        for _ in 0..3 {
            spin_sdk::wit_bindgen::yield_async().await;
        }
        return match read {
            Some(Ok(Some(bytes))) if dressed => assertion_headers(body(bytes::Bytes::from(bytes))),
            Some(Ok(Some(bytes))) => body(bytes::Bytes::from(bytes)),
            Some(Ok(None)) => text("hello"),
            _ => text("store unavailable"),
        };
    }
    text("hello")
}

/// The headers a hosted assertion carries besides its length (content type, the security
/// and cross-origin headers, caching, the ETag), with values of the same size.
fn assertion_headers(
    mut response: http::Response<FullBody<bytes::Bytes>>,
) -> http::Response<FullBody<bytes::Bytes>> {
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-type", "application/ld+json"),
        ("x-content-type-options", "nosniff"),
        ("access-control-allow-origin", "*"),
        ("cache-control", "public, max-age=30"),
        ("vary", "Accept, User-Agent"),
        ("etag", "\"0123456789abcdef0123456789abcdef\""),
    ] {
        headers.insert(name, spin_sdk::http::HeaderValue::from_static(value));
    }
    response
}

fn body(bytes: bytes::Bytes) -> http::Response<FullBody<bytes::Bytes>> {
    let length = spin_sdk::http::HeaderValue::from(bytes.len());
    let mut response = http::Response::new(FullBody::new(bytes));
    response.headers_mut().insert("content-length", length);
    response
}

/// A text response with its length (as Emblem's are: no chunked framing, whose separate
/// closing write Spin's Nagle holds back for the client's delayed ACK).
fn text(text: &'static str) -> http::Response<FullBody<bytes::Bytes>> {
    body(bytes::Bytes::from(text))
}

/// GET each `url=` of `query` in turn and read its body; `hello` when all answered 200.
async fn fetch(query: &str) -> http::Response<FullBody<bytes::Bytes>> {
    use spin_sdk::http::body::IncomingBodyExt;
    for url in query.split('&').filter_map(|p| p.strip_prefix("url=")) {
        let Ok(request) = http::Request::get(url).body(spin_sdk::http::EmptyBody::new()) else {
            return text("bad url");
        };
        let Ok(response) = spin_sdk::http::send(request).await else {
            return text("fetch failed");
        };
        if response.status() != 200 || response.into_body().bytes().await.is_err() {
            return text("fetch failed");
        }
    }
    text("hello")
}
