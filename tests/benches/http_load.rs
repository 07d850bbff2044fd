//! The load benchmark: requests/s and latency of Emblem's hot routes against the same runtime
//! serving trivial components as floors, in one run, plus every component's `.wasm` size.
//!
//! - runtime: `emblem-host`, or the real Spin CLI when `SPIN_BIN` names one;
//! - store: SQLite (default) or Redis with `EMBLEM_BENCH_STORE=redis` (a fresh
//!   `redis-server` on a free loopback port);
//! - instances: 1, or 2 with `EMBLEM_BENCH_INSTANCES=2` (Redis only: two processes on one
//!   store, each driven by its own `wrk` with half the connections; the figures are summed).
//!
//! Floors: `/hello` (a text, the runtime's own cost), `/hello/kv` (the same after one
//! store read through the same `wasi:keyvalue` call Emblem uses) and `/hello/kv?key=…`
//! (one read of the assertion's own record, served as it is stored), also with the headers
//! a hosted assertion carries (`&headers=assertion`). Routes: `GET
//! /assertions/:id`, `GET /static/emblem.css`, `POST /verify` of that assertion (an
//! Emblem-hosted badge: read from the store, every check run, no network). Each target is measured twice, alternating,
//! so drift on a shared machine hits all; the best run counts and the ratios are the figures
//! to compare. Run with `cargo xtask bench-http [seconds]`; needs `wrk` (Debian `wrk`).

use emblem_tests::{ADMIN_TOKEN, App, AppConfig, Redis};
use serde_json::json;

#[path = "support/award.rs"]
mod support_award;
#[path = "support/wrk.rs"]
mod support_wrk;
use support_wrk::{Run, best, expect_valid, post_json_script, seconds_or_exit, wrk_split};

fn main() {
    let seconds = seconds_or_exit("http_load");
    let redis = match std::env::var("EMBLEM_BENCH_STORE").as_deref() {
        Ok("redis") => Some(Redis::start("bench")),
        _ => None,
    };
    let instances: usize = std::env::var("EMBLEM_BENCH_INSTANCES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    assert!(
        instances == 1 || (instances == 2 && redis.is_some()),
        "two instances need a shared store: EMBLEM_BENCH_STORE=redis"
    );
    // One public origin for every instance, as behind a load balancer: each then verifies the
    // badge as its own (read from the store, no fetch).
    let mut config = AppConfig::fixture("mixed", "bench")
        .variable("admin_token", ADMIN_TOKEN)
        .variable("public_base_url", "https://badges.example.org");
    if let Some(redis) = &redis {
        config = config.redis(redis);
    }
    let apps: Vec<App> = (0..instances)
        .map(|_| config.another("bench").start())
        .collect();

    // One real award to fetch.
    let png = std::fs::read(emblem_tests::root().join("tests/fixtures/badge.png")).expect("png");
    let award = support_award::award(&apps[0], &format!("data:image/png;base64,{}", b64(&png)));
    let path = award.assertion_path().to_owned();
    let body = json!({"url": award.assertion_url, "email": "bench@example.org"});
    for app in &apps {
        app.get(&path).expect(200);
        app.get("/hello/kv").expect(200);
        expect_valid(app, &body);
    }
    let post = post_json_script("bench-http-wrk", &body);

    let record = format!(
        "/hello/kv?key=award/{}",
        path.rsplit('/').next().unwrap_or("")
    );
    let dressed = format!("{record}&headers=assertion");
    let targets = [
        ("GET /hello (floor)", "/hello", None),
        ("GET /hello/kv (floor + one store read)", "/hello/kv", None),
        (
            "GET /hello/kv?key=award/:id (serves the assertion's stored record)",
            record.as_str(),
            None,
        ),
        (
            "GET /hello/kv?key=award/:id&headers=assertion (the same, with an assertion's headers)",
            dressed.as_str(),
            None,
        ),
        ("GET /assertions/:id", path.as_str(), None),
        ("GET /static/emblem.css", "/static/emblem.css", None),
        (
            "POST /verify (that assertion)",
            "/verify",
            Some(post.as_path()),
        ),
    ];
    let mut runs: Vec<Vec<Run>> = targets.iter().map(|_| Vec::new()).collect();
    for round in 0..2 {
        eprintln!(
            "round {}: {} targets, {seconds}s each",
            round + 1,
            targets.len()
        );
        for ((_, p, script), runs) in targets.iter().zip(&mut runs) {
            let urls: Vec<String> = apps.iter().map(|a| format!("{}{p}", a.base)).collect();
            runs.push(wrk_split(&urls, *script, seconds));
        }
    }
    let bests: Vec<&Run> = runs.iter().map(|r| best(r)).collect();
    println!();
    println!(
        "runtime: {}; store: {}; instances: {instances}",
        emblem_tests::runtime_name(),
        if redis.is_some() { "redis" } else { "sqlite" }
    );
    println!();
    println!("| route | requests/s | p50 ms | p99 ms | floor / route |");
    println!("|---|---:|---:|---:|---:|");
    let floor = bests[0].rps;
    for ((name, _, _), run) in targets.iter().zip(&bests) {
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {:.2}x |",
            run.rps,
            run.p50_ms,
            run.p99_ms,
            floor / run.rps
        );
    }
    println!();
    println!(
        "assertion against the store-read floor: {:.2}x; against serving its stored record: \
         {:.2}x; against serving it with an assertion's headers: {:.2}x",
        bests[1].rps / bests[4].rps,
        bests[2].rps / bests[4].rps,
        bests[3].rps / bests[4].rps
    );
    println!();
    println!("| component | .wasm bytes |");
    println!("|---|---:|");
    let wasm = emblem_tests::root().join("target/wasm32-wasip2");
    let mut sizes: Vec<_> = ["release", "credentials"]
        .into_iter()
        .flat_map(|profile| std::fs::read_dir(wasm.join(profile)).into_iter().flatten())
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
