//! A trivial HTTP component: the floors the load benchmark measures Emblem's routes against.
//!
//! - `/hello`: a short text and nothing else (the runtime's own cost);
//! - `/hello/kv`: the same after one read of the `default` store, through the same
//!   `wasi:keyvalue` call Emblem reads with (the least any store-backed page can cost);
//!   `/hello/kv?key=<key>` reads that key and answers with its bytes (the least a page that
//!   serves one stored record can cost).

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
    if req.uri().path().ends_with("/kv") {
        let bucket = BUCKET.with(|b| {
            b.get_or_init(|| store::open("default").ok().map(Rc::new))
                .clone()
        });
        let key = req
            .uri()
            .query()
            .and_then(|q| q.strip_prefix("key="))
            .unwrap_or("hello/floor");
        return match bucket.map(|b| b.get(key)) {
            Some(Ok(Some(bytes))) => body(bytes::Bytes::from(bytes)),
            Some(Ok(None)) => text("hello"),
            _ => text("store unavailable"),
        };
    }
    text("hello")
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
