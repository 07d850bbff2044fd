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
//!
//! Second figure, a badge hosted elsewhere (a loopback fixture server in this process): the
//! time of one verification, request after request, against its floor, the same three
//! documents (assertion, class, issuer) fetched by a plain HTTP client from the same server in
//! the same run. Target: within 1.5x of the floor. Beside it, when validator-core is installed
//! (`tests/interop/setup.sh`), validator-core verifying the same badge in-process; and the
//! runtime's own floor: its trivial component (`/hello/fetch`) fetching the same three
//! documents through the same outbound HTTP.

use emblem_tests::{ADMIN_TOKEN, App, AppConfig};
use serde_json::json;

#[path = "../e2e/verify/server.rs"]
#[allow(dead_code)]
mod server;
#[path = "support/award.rs"]
mod support_award;
#[path = "support/wrk.rs"]
mod support_wrk;
use support_wrk::{best, expect_valid, post_json_script, seconds_or_exit, wrk};

fn main() {
    let seconds = seconds_or_exit("verify_load");
    let app = AppConfig::fixture("verify", "bench-verify")
        .variable("admin_token", ADMIN_TOKEN)
        .start();
    let award = support_award::award(&app, "https://bench.example.org/b.png");
    let assertion_url = award.assertion_url.clone();
    let body = json!({"url": assertion_url, "email": "bench@example.org"});
    expect_valid(&app, &body);

    let script = post_json_script("bench-verify-wrk", &body);
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
    external(
        &app,
        seconds,
        server::FixtureServer::start(),
        "closes each connection",
    );
    external(
        &app,
        seconds,
        server::FixtureServer::start_keep_alive(),
        "keeps connections open",
    );
}

/// Mean time of `f` over as many calls as fit in `seconds` (at least 20).
fn mean_ms(seconds: u32, f: impl FnMut()) -> f64 {
    let (n, elapsed) = support_wrk::timed(seconds, f);
    elapsed.as_secs_f64() * 1000.0 / f64::from(n)
}

/// A badge hosted on a loopback fixture server `srv` (described by `kind`): Emblem's
/// verification against the floor of fetching its three documents, and validator-core beside
/// them.
fn external(app: &App, seconds: u32, srv: server::FixtureServer, kind: &str) {
    const CTX: &str = "https://w3id.org/openbadges/v2";
    let (issuer, badge, assertion) = (srv.url("/issuer"), srv.url("/badge"), srv.url("/assertion"));
    srv.json(
        "/issuer",
        200,
        &json!({"@context": CTX, "type": "Issuer", "id": issuer,
        "name": "Elsewhere Academy", "url": "https://elsewhere.example.org",
        "email": "badges@elsewhere.example.org"}),
    );
    srv.json(
        "/badge",
        200,
        &json!({"@context": CTX, "type": "BadgeClass", "id": badge,
        "name": "Elsewhere", "description": "Hosted elsewhere.", "image": srv.url("/badge.png"),
        "criteria": {"narrative": "Pass."}, "issuer": issuer}),
    );
    srv.json(
        "/assertion",
        200,
        &json!({"@context": CTX, "type": "Assertion", "id": assertion,
        "recipient": {"type": "email", "hashed": false, "identity": "bench@example.org"},
        "badge": badge, "verification": {"type": "HostedBadge"},
        "issuedOn": "2025-01-01T00:00:00Z"}),
    );
    let body = json!({"url": assertion, "email": "bench@example.org"});
    expect_valid(app, &body);
    let agent = ureq::Agent::new_with_defaults();
    let fetch = |url: &str| {
        let mut r = agent.get(url).call().expect("fixture fetch");
        r.body_mut().read_to_vec().expect("body");
    };
    // What asking Emblem costs before any fetch: a request whose URL is refused at once.
    let nothing = json!({"url": "http://127.0.0.1:1/nothing"});
    // What the runtime itself spends: its trivial component fetching the same three documents
    // through the same outbound HTTP, asked over the same kind of request.
    let trivial = format!("/hello/fetch?url={assertion}&url={badge}&url={issuer}");
    let (mut floor, mut emblem, mut fixed) = (Vec::new(), Vec::new(), Vec::new());
    let mut runtime = Vec::new();
    let per_round = seconds.div_ceil(2).max(1);
    let (mut verifications, mut connections) = (0u32, 0usize);
    for _ in 0..2 {
        floor.push(mean_ms(per_round, || {
            for u in [&assertion, &badge, &issuer] {
                fetch(u);
            }
        }));
        let opened = srv.connections();
        emblem.push(mean_ms(per_round, || {
            app.request("POST", "/verify")
                .json(&body)
                .send()
                .expect(200);
            verifications += 1;
        }));
        connections += srv.connections() - opened;
        fixed.push(mean_ms(per_round, || {
            app.request("POST", "/verify")
                .json(&nothing)
                .send()
                .expect(200);
        }));
        runtime.push(mean_ms(per_round, || {
            let r = app.get(&trivial);
            r.expect(200);
            assert_eq!(r.text(), "hello", "the trivial component's fetches failed");
        }));
    }
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let (f, e, z, t) = (best(&floor), best(&emblem), best(&fixed), best(&runtime));
    println!();
    println!("| badge hosted elsewhere, on a server that {kind} | ms per verification |");
    println!("|---|---:|");
    println!("| floor: GET assertion, class, issuer | {f:.2} |");
    println!("| Emblem POST /verify | {e:.2} |");
    println!("| Emblem POST /verify that fetches nothing (fixed cost of a request) | {z:.2} |");
    println!("| the runtime's trivial component GETting the same three documents | {t:.2} |");
    match validator_core_ms(&assertion) {
        Some(vc) => println!("| validator-core, in-process | {vc:.2} |"),
        None => println!("| validator-core | not installed (tests/interop/setup.sh) |"),
    }
    println!();
    println!("verify / floor: {:.2}x (target <= 1.5x)", e / f);
    println!(
        "(fixed cost + floor) / floor: {:.2}x, the least any verifier behind an HTTP request to \
         this host could reach; fetching: {:.2} ms per document against {:.2}",
        (z + f) / f,
        (e - z) / 3.0,
        f / 3.0
    );
    println!(
        "verify / the runtime's trivial component fetching the same documents: {:.2}x",
        e / t
    );
    println!(
        "connections Emblem opened per verification (three documents): {:.2}",
        connections as f64 / f64::from(verifications.max(1))
    );
}

/// validator-core's mean time per verification of `url`, timed in its own process (start-up
/// and the first, cold verification excluded), if it is installed.
fn validator_core_ms(url: &str) -> Option<f64> {
    let root = emblem_tests::root();
    let python = root.join("target/interop/vc/bin/python");
    let script = root.join("tests/interop/ob_validator.py");
    if !python.exists() || !script.exists() {
        return None;
    }
    let out = std::process::Command::new(python)
        .arg(script)
        .args(["--time", "20", url])
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    if v["valid"] != true {
        eprintln!("validator-core did not find the badge valid: {v}");
    }
    v["mean_ms"].as_f64()
}
