//! Baking cost against the floor of copying the same bytes (`to_vec`), in one run:
//! a ~1 KB assertion baked into and read from 512×512 and 2048×2048 RGB PNGs (pixels with
//! noise, deflated, so the IDAT is realistic) and a ~100 KB SVG. `bake-stored` is the path of
//! `GET /assertions/:id/image`, whose class image passed the upload check when it was stored.
//! `read-floor` is the least any reader keeping Emblem's checks must do (`support/floors.rs`):
//! every chunk header of a PNG, every tag of an SVG.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use emblem_badges::bake::{Limits, Version, bake, bake_stored, unbake};
use std::hint::black_box;

#[path = "support/bake_inputs.rs"]
mod bake_inputs;
#[path = "support/floors.rs"]
mod floors;

use bake_inputs::{assertion, png, svg};

fn bench(c: &mut Criterion) {
    let payload = assertion();
    let limits = Limits::default();
    let inputs = [
        ("png-512", png(512)),
        ("png-2048", png(2048)),
        ("svg-100k", svg()),
    ];
    let mut group = c.benchmark_group("bake");
    for (name, image) in &inputs {
        let baked = bake(image, &payload, Some(Version::V2), &limits)
            .expect("bake")
            .bytes;
        eprintln!("{name}: {} bytes", image.len());
        group.throughput(Throughput::Bytes(image.len() as u64));
        group.bench_with_input(BenchmarkId::new("copy", name), image, |b, i| {
            b.iter(|| black_box(black_box(i.as_slice()).to_vec()));
        });
        group.bench_with_input(BenchmarkId::new("bake", name), image, |b, i| {
            b.iter(|| {
                bake(
                    black_box(i),
                    black_box(&payload),
                    Some(Version::V2),
                    &limits,
                )
            });
        });
        group.bench_with_input(BenchmarkId::new("bake-stored", name), image, |b, i| {
            b.iter(|| {
                bake_stored(
                    black_box(i),
                    black_box(&payload),
                    Some(Version::V2),
                    &limits,
                )
            });
        });
        group.bench_with_input(BenchmarkId::new("unbake", name), &baked, |b, i| {
            b.iter(|| unbake(black_box(i), &limits));
        });
        group.bench_with_input(BenchmarkId::new("read-floor", name), &baked, |b, i| {
            b.iter(|| floors::read_floor(black_box(i)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
