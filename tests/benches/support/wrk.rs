//! Running `wrk` and reading its figures, shared by the load benchmarks.

#![allow(dead_code, reason = "each benchmark uses its own part of it")]

use std::process::Command;

/// The seconds per run (`EMBLEM_BENCH_SECONDS`, default 10); exits with status 2, naming
/// `bench`, when `wrk` is not installed.
pub fn seconds_or_exit(bench: &str) -> u32 {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("{bench}: `wrk` is not installed (apt-get install wrk)");
        std::process::exit(2);
    }
    std::env::var("EMBLEM_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
}

/// One wrk run: throughput and latency percentiles.
pub struct Run {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// `wrk` against `url` for `seconds` (one thread, 16 connections), with an optional Lua
/// `script`; panics on a non-2xx answer.
pub fn wrk(url: &str, script: Option<&std::path::Path>, seconds: u32) -> Run {
    wrk_with(url, script, seconds, 16)
}

/// One `wrk` per URL at the same time, the 16 connections shared among them: requests/s
/// summed, latencies the worst of them (several instances behind one imaginary balancer).
pub fn wrk_split(urls: &[String], script: Option<&std::path::Path>, seconds: u32) -> Run {
    let connections = 16 / u32::try_from(urls.len().max(1)).unwrap_or(1);
    let runs: Vec<Run> = std::thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|u| s.spawn(move || wrk_with(u, script, seconds, connections)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("wrk"))
            .collect()
    });
    Run {
        rps: runs.iter().map(|r| r.rps).sum(),
        p50_ms: runs.iter().map(|r| r.p50_ms).fold(0.0, f64::max),
        p99_ms: runs.iter().map(|r| r.p99_ms).fold(0.0, f64::max),
    }
}

fn wrk_with(url: &str, script: Option<&std::path::Path>, seconds: u32, connections: u32) -> Run {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t1",
        &format!("-c{connections}"),
        "--latency",
        &format!("-d{seconds}s"),
    ]);
    if let Some(script) = script {
        cmd.arg("-s").arg(script);
    }
    let out = cmd.arg(url).output().expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    let non_2xx = text.lines().find(|l| l.contains("Non-2xx"));
    assert!(non_2xx.is_none(), "{url}: {non_2xx:?}\n{text}");
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk output:\n{text}"));
    let pct = |p: &str| -> f64 {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(p).map(str::trim))
            .map(parse_duration_ms)
            .unwrap_or(f64::NAN)
    };
    Run {
        rps,
        p50_ms: pct("50%"),
        p99_ms: pct("99%"),
    }
}

fn parse_duration_ms(s: &str) -> f64 {
    let (num, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len()));
    let n: f64 = num.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        _ => f64::NAN,
    }
}

/// Of several runs of one target, the one with the most requests/s.
pub fn best(runs: &[Run]) -> &Run {
    runs.iter()
        .max_by(|a, b| a.rps.total_cmp(&b.rps))
        .expect("at least one run")
}

/// A `wrk` Lua script (in a scratch directory named after `name`) that POSTs `body` as JSON.
pub fn post_json_script(name: &str, body: &serde_json::Value) -> std::path::PathBuf {
    let script = emblem_tests::scratch_dir(name).join("post.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [[{body}]]\n"
        ),
    )
    .expect("write wrk script");
    script
}

/// Check that `POST /verify` of `body` on `app` answers `valid` before it is measured.
pub fn expect_valid(app: &emblem_tests::App, body: &serde_json::Value) {
    let check = app.request("POST", "/verify").json(body).send();
    assert_eq!(
        check.expect(200).json()["verdict"],
        "valid",
        "{}",
        check.text()
    );
}

/// Calls `f` for `seconds` (at least 20 times): how many calls, and how long they took.
pub fn timed(seconds: u32, mut f: impl FnMut()) -> (u32, std::time::Duration) {
    let budget = std::time::Duration::from_secs(u64::from(seconds));
    let started = std::time::Instant::now();
    let mut n = 0u32;
    while n < 20 || started.elapsed() < budget {
        f();
        n += 1;
    }
    (n, started.elapsed())
}
