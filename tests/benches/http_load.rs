//! The load benchmark: requests/s and latency of `GET /assertions/:id`
//! against the same host serving a trivial component (`/hello`) as the
//! floor, in one run, plus every component's `.wasm` size.
//!
//! Run with `cargo xtask bench-http [seconds]` (builds first). Needs `wrk`
//! (Debian package `wrk`) as the load generator on loopback. The two targets
//! are measured alternately, twice each, so drift on a shared machine hits
//! both; the ratio is the figure to compare, not the absolute numbers.

use emblem_tests::{ADMIN_TOKEN, AppConfig};

#[path = "support/award.rs"]
mod support_award;
#[path = "support/wrk.rs"]
mod support_wrk;
use support_wrk::{best, seconds_or_exit, wrk};

fn main() {
    let seconds = seconds_or_exit("http_load");
    let app = AppConfig::fixture("mixed", "bench")
        .variable("admin_token", ADMIN_TOKEN)
        .start();

    // One real award to fetch.
    let png = std::fs::read(emblem_tests::root().join("tests/fixtures/badge.png")).expect("png");
    let award = support_award::award(&app, &format!("data:image/png;base64,{}", b64(&png)));
    let assertion_url = award.assertion_url.clone();
    app.get(award.assertion_path()).expect(200);

    let hello = format!("{}/hello", app.base);
    let mut floor = Vec::new();
    let mut target = Vec::new();
    for round in 0..2 {
        eprintln!(
            "round {}: /hello, then /assertions/:id ({seconds}s each)",
            round + 1
        );
        floor.push(wrk(&hello, None, seconds));
        target.push(wrk(&assertion_url, None, seconds));
    }
    let (f, t) = (best(&floor), best(&target));
    println!();
    println!("| route | requests/s | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    println!(
        "| GET /hello (floor) | {:.0} | {:.2} | {:.2} |",
        f.rps, f.p50_ms, f.p99_ms
    );
    println!(
        "| GET /assertions/:id | {:.0} | {:.2} | {:.2} |",
        t.rps, t.p50_ms, t.p99_ms
    );
    println!();
    println!(
        "floor / assertion throughput ratio: {:.2}x (target <= 1.5x)",
        f.rps / t.rps
    );
    println!();
    println!("| component | .wasm bytes |");
    println!("|---|---:|");
    let dir = emblem_tests::root().join("target/wasm32-wasip2/release");
    let mut sizes: Vec<_> = std::fs::read_dir(&dir)
        .expect("wasm dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().map(|m| m.len()).unwrap_or(0),
            )
        })
        .collect();
    sizes.sort();
    for (name, size) in sizes {
        println!("| {name} | {size} |");
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
