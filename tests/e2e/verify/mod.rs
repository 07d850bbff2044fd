//! Verification end to end: the real `verify` component on the real host.
//!
//! - `fixtures`: a suite of badges served by a loopback HTTP server in this process, each with
//!   its expected verdict and failing check (the test manifest `tests/apps/verify` lets the
//!   component reach `http://127.0.0.1:*`).
//! - `emblem`: badges issued by Emblem itself verify as valid, then revoked, then expired.
//! - `bad_input`: garbage, oversized bodies, `alg: none`, private addresses.

mod bad_input;
mod bitstring;
mod emblem;
mod fixtures;
mod named;
mod ob3;
mod refresh_endorse;
mod server;
mod signed;

use emblem_tests::{App, AppConfig, Resp};
use serde_json::Value;
use std::sync::OnceLock;

/// One host running `tests/apps/verify/spin.toml`.
pub fn verify_app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| {
        AppConfig::fixture("verify", "verify")
            .variable("admin_token", emblem_tests::ADMIN_TOKEN)
            .start()
    })
}

/// `POST /verify` with a JSON body.
pub fn verify_json(app: &App, body: &Value) -> Resp {
    app.request("POST", "/verify")
        .header("accept", "application/json")
        .json(body)
        .send()
}

/// The verdict and the first failing check of a verification answer.
pub fn outcome(resp: &Resp) -> (String, Option<String>) {
    resp.expect(200);
    let v = resp.json();
    (
        v["verdict"].as_str().unwrap_or("?").to_owned(),
        v["failed"].as_str().map(str::to_owned),
    )
}
