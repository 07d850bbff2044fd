//! Emblem's side of `cargo xtask bench-bake`, which times Emblem and the two reference bakers
//! on the same files:
//!
//! - `bake_timing emit <dir>` writes the benchmark's inputs (`benches/support/bake_inputs.rs`):
//!   `assertion.json`, and per case `<case>.<ext>` plus `<case>.baked.<ext>` (baked by Emblem,
//!   the common input for unbaking).
//! - `bake_timing time <dir>` reads them back and prints
//!   `<case> <bake µs> <unbake µs> <copy µs> <read floor µs>` per case: best of 5 repeats of
//!   a loop that runs for at least 0.2 s (as Python's `timeit` autorange), in process. The
//!   last two are the floors of `benches/support/floors.rs`: no baker can beat a copy of the
//!   image, no reader that keeps Emblem's checks can beat the read floor.

#[path = "../benches/support/bake_inputs.rs"]
mod bake_inputs;
#[path = "../benches/support/floors.rs"]
mod floors;

use emblem_badges::bake::{Limits, Version, bake, unbake};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// The cases: name and file extension.
const CASES: [(&str, &str); 3] = [("png-512", "png"), ("png-2048", "png"), ("svg-100k", "svg")];

fn emit(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: String, bytes: &[u8]| {
        std::fs::write(dir.join(&name), bytes).map_err(|e| format!("{name}: {e}"))
    };
    let payload = bake_inputs::assertion();
    write("assertion.json".into(), payload.as_bytes())?;
    for ((case, ext), image) in CASES.into_iter().zip([
        bake_inputs::png(512),
        bake_inputs::png(2048),
        bake_inputs::svg(),
    ]) {
        let baked = bake(&image, &payload, Some(Version::V2), &Limits::default())
            .map_err(|e| format!("{case}: {e}"))?;
        write(format!("{case}.{ext}"), &image)?;
        write(format!("{case}.baked.{ext}"), &baked.bytes)?;
    }
    Ok(())
}

/// Microseconds per call: best of 5 repeats of a batch sized to run for at least 0.2 s.
fn best_us(mut f: impl FnMut()) -> f64 {
    let mut n = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        if start.elapsed() >= Duration::from_millis(200) {
            break;
        }
        n *= 2;
    }
    (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..n {
                f();
            }
            start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
        })
        .fold(f64::INFINITY, f64::min)
}

fn time(dir: &Path) -> Result<(), String> {
    let read = |name: String| std::fs::read(dir.join(&name)).map_err(|e| format!("{name}: {e}"));
    let payload = String::from_utf8(read("assertion.json".into())?)
        .map_err(|e| format!("assertion.json: {e}"))?;
    let limits = Limits::default();
    for (case, ext) in CASES {
        let image = read(format!("{case}.{ext}"))?;
        let baked = read(format!("{case}.baked.{ext}"))?;
        unbake(&baked, &limits).map_err(|e| format!("{case}: {e}"))?;
        let bake_us = best_us(|| {
            let _ = black_box(bake(
                black_box(&image),
                black_box(&payload),
                Some(Version::V2),
                &limits,
            ));
        });
        let unbake_us = best_us(|| {
            let _ = black_box(unbake(black_box(&baked), &limits));
        });
        let copy_us = best_us(|| {
            black_box(black_box(image.as_slice()).to_vec());
        });
        let floor_us = best_us(|| {
            black_box(floors::read_floor(black_box(&baked)));
        });
        println!("{case} {bake_us:.1} {unbake_us:.1} {copy_us:.2} {floor_us:.2}");
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match (args.first().map(String::as_str), args.get(1)) {
        (Some("emit"), Some(dir)) => emit(Path::new(dir)),
        (Some("time"), Some(dir)) => time(Path::new(dir)),
        _ => Err("usage: bake_timing <emit|time> <dir>".into()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bake_timing: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
