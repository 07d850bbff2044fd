//! The baking load benchmark: requests/s and latency of `GET /assertions/:id/image` (the
//! class image with the hosted assertion baked in, component `bake`) against
//! `GET /badges/:id/image` (the same stored image as it was uploaded, component `hosting`),
//! for a ~100 KB SVG and a ~0.46 MB PNG, in one run on one host (`tests/apps/mixed`).
//!
//! The plain image is the floor: one store read and the bytes out. The baked one also reads
//! the award, its class and issuer to render the assertion, then bakes. This is what baking
//! costs an earner's download end to end, through the real `.wasm` components.
//!
//! Run with `cargo xtask bench-bake-http [seconds]` (builds first). Needs `wrk`. Plain and
//! baked are measured alternately, twice each; the ratios are the figures to compare.

use base64::Engine as _;
use emblem_tests::{ADMIN_TOKEN, AppConfig};

#[path = "../../crates/badges/benches/support/bake_inputs.rs"]
#[allow(
    dead_code,
    reason = "the assertion comes from the award, not the inputs"
)]
mod bake_inputs;
#[path = "support/award.rs"]
mod support_award;
#[path = "support/wrk.rs"]
mod support_wrk;
use support_wrk::{best, seconds_or_exit, wrk};

fn main() {
    let seconds = seconds_or_exit("bake_load");
    let app = AppConfig::fixture("mixed", "bench-bake")
        .variable("admin_token", ADMIN_TOKEN)
        .start();
    // Uploads are capped at 512 KiB: a 448² PNG is the largest of the benchmark's PNGs
    // under it.
    let cases = [
        ("100 KB SVG", "image/svg+xml", bake_inputs::svg()),
        ("0.46 MB PNG", "image/png", bake_inputs::png(448)),
    ];
    let mut rows = Vec::new();
    for (label, mime, image) in cases {
        let data = base64::engine::general_purpose::STANDARD.encode(&image);
        let award = support_award::award(&app, &format!("data:{mime};base64,{data}"));
        let plain = format!("{}{}/image", app.base, award.class_path());
        let baked = format!("{}{}/image", app.base, award.assertion_path());
        // Both answer, and the baked one holds the assertion.
        assert_eq!(
            app.get(&format!("{}/image", award.class_path()))
                .expect(200)
                .body,
            image
        );
        let got = app.get(&format!("{}/image", award.assertion_path()));
        let found = emblem_web::bake::unbake(&got.expect(200).body, &Default::default())
            .expect("the baked image unbakes");
        assert!(found.found[0].payload.contains(&award.assertion_url));
        let (mut floor, mut target) = (Vec::new(), Vec::new());
        for round in 0..2 {
            eprintln!(
                "{label}, round {}: plain, then baked ({seconds}s each)",
                round + 1
            );
            floor.push(wrk(&plain, None, seconds));
            target.push(wrk(&baked, None, seconds));
        }
        rows.push((label, floor, target));
    }
    println!();
    println!(
        "| image | plain req/s | plain p50 / p99 ms | baked req/s | baked p50 / p99 ms | plain ÷ baked |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, floor, target) in rows {
        let (f, t) = (best(&floor), best(&target));
        println!(
            "| {label} | {:.0} | {:.2} / {:.2} | {:.0} | {:.2} / {:.2} | {:.2}× |",
            f.rps,
            f.p50_ms,
            f.p99_ms,
            t.rps,
            t.p50_ms,
            t.p99_ms,
            f.rps / t.rps
        );
    }
}
