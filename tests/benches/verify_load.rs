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
use std::process::Command;

#[path = "support/wrk.rs"]
mod support_wrk;
use support_wrk::{Run, wrk};

fn main() {
    let seconds: u32 = std::env::var("EMBLEM_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("verify_load: `wrk` is not installed (apt-get install wrk)");
        std::process::exit(2);
    }
    let app = AppConfig::fixture("verify", "bench-verify")
        .variable("admin_token", ADMIN_TOKEN)
        .start();
    let issuer = app
        .post(
            "/api/v1/issuers",
            ADMIN_TOKEN,
            &json!({"name": "Bench Academy", "url": "https://bench.example.org", "email": "b@bench.example.org"}),
        )
        .expect(201)
        .json();
    let id = issuer["id"].as_str().expect("id");
    let key = app
        .post(
            &format!("/api/v1/issuers/{id}/keys"),
            ADMIN_TOKEN,
            &json!({}),
        )
        .expect(201)
        .json()["key"]
        .as_str()
        .expect("key")
        .to_string();
    let class = app
        .post(
            "/api/v1/badgeclasses",
            &key,
            &json!({"name": "Bench", "description": "d", "image": "https://bench.example.org/b.png", "criteria": {"narrative": "n"}}),
        )
        .expect(201)
        .json();
    let award = app
        .post(
            "/api/v1/assertions",
            &key,
            &json!({"badgeclass": class["id"], "recipient": {"email": "bench@example.org"}}),
        )
        .expect(201)
        .json();
    let assertion_url = award["assertion_url"].as_str().expect("url").to_string();
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
    let best = |runs: &[Run]| -> (f64, f64, f64) {
        let r = runs
            .iter()
            .max_by(|a, b| a.rps.total_cmp(&b.rps))
            .expect("runs");
        (r.rps, r.p50_ms, r.p99_ms)
    };
    let (f, t) = (best(&floor), best(&target));
    println!();
    println!("| route | requests/s | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    println!(
        "| GET /assertions/:id (floor) | {:.0} | {:.2} | {:.2} |",
        f.0, f.1, f.2
    );
    println!(
        "| POST /verify (Emblem-hosted) | {:.0} | {:.2} | {:.2} |",
        t.0, t.1, t.2
    );
    println!();
    println!(
        "floor / verify throughput ratio: {:.2}x (target <= 2x)",
        f.0 / t.0
    );
}
