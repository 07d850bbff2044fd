//! The verification load benchmark: requests/s and latency of `POST /verify` for a badge
//! hosted by this instance, against `GET /assertions/:id` of the same badge as the floor, in
//! one run on one host (`tests/apps/verify`).
//!
//! Verifying an Emblem-hosted badge reads the assertion, its class and its issuer from the
//! store through the hosting renderers (no network), then runs every check; the floor is the
//! single read that serves the assertion. Target: within 2x of the floor.
//!
//! Run with `cargo xtask bench-verify [seconds]` (builds first). Needs `wrk`. The two targets
//! are measured alternately, twice each; the ratio is the figure to compare.

use emblem_tests::{ADMIN_TOKEN, AppConfig};
use serde_json::json;

#[path = "support/award.rs"]
mod support_award;
#[path = "support/wrk.rs"]
mod support_wrk;
use support_wrk::{best, seconds_or_exit, wrk};

fn main() {
    let seconds = seconds_or_exit("verify_load");
    let app = AppConfig::fixture("verify", "bench-verify")
        .variable("admin_token", ADMIN_TOKEN)
        .start();
    let award = support_award::award(&app, "https://bench.example.org/b.png");
    let assertion_url = award.assertion_url.clone();
    let body = json!({"url": assertion_url, "email": "bench@example.org"});
    let check = app.request("POST", "/verify").json(&body).send();
    assert_eq!(
        check.expect(200).json()["verdict"],
        "valid",
        "{}",
        check.text()
    );

    let script = emblem_tests::scratch_dir("bench-verify-wrk").join("post.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [[{body}]]\n"
        ),
    )
    .expect("write wrk script");
    let verify_url = format!("{}/verify", app.base);
    let mut floor = Vec::new();
    let mut target = Vec::new();
    for round in 0..2 {
        eprintln!(
            "round {}: GET /assertions/:id, then POST /verify ({seconds}s each)",
            round + 1
        );
        floor.push(wrk(&assertion_url, None, seconds));
        target.push(wrk(&verify_url, Some(&script), seconds));
    }
    let (f, t) = (best(&floor), best(&target));
    println!();
    println!("| route | requests/s | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    println!(
        "| GET /assertions/:id (floor) | {:.0} | {:.2} | {:.2} |",
        f.rps, f.p50_ms, f.p99_ms
    );
    println!(
        "| POST /verify (Emblem-hosted) | {:.0} | {:.2} | {:.2} |",
        t.rps, t.p50_ms, t.p99_ms
    );
    println!();
    println!(
        "floor / verify throughput ratio: {:.2}x (target <= 2x)",
        f.rps / t.rps
    );
}
