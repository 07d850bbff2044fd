//! A trivial HTTP component: answers every request with a short text.
//! It is the floor the load benchmark measures Emblem's routes against.

use spin_sdk::http::{IntoResponse, Request};
use spin_sdk::http_service;

#[http_service]
async fn hello(_req: Request) -> impl IntoResponse {
    "hello"
}
