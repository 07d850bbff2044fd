//! Benchmarks of the hot public path: rendering an assertion and the whole
//! negotiate → load → render → ETag path that the hosting component runs per request.

use criterion::{Criterion, criterion_group, criterion_main};
use emblem_web::base_url::BaseUrl;
use emblem_web::hosting::{self, Route};
use emblem_web::kv::{MemoryKv, put_json};
use emblem_web::negotiate::{self, Representation};
use emblem_web::ob2::{self, AssertionDoc, fixtures};
use emblem_web::store_keys;
use futures::executor::block_on;
use std::hint::black_box;
use time::macros::datetime;

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

fn store() -> MemoryKv {
    let kv = MemoryKv::new();
    block_on(async {
        put_json(
            &kv,
            &store_keys::issuer(fixtures::ISSUER_ID),
            &fixtures::issuer(),
        )
        .await?;
        put_json(
            &kv,
            &store_keys::badge(fixtures::BADGE_ID),
            &fixtures::badge(),
        )
        .await?;
        put_json(
            &kv,
            &store_keys::award(fixtures::AWARD_ID),
            &fixtures::award(),
        )
        .await
    })
    .expect("fixture store");
    kv
}

fn serve(kv: &MemoryKv, base: &BaseUrl, accept: &str) -> usize {
    let rep = negotiate::negotiate(Some(accept), None);
    let now = datetime!(2026-12-01 00:00 UTC);
    let path = format!("/assertions/{}", fixtures::AWARD_ID);
    let reply = block_on(async {
        match hosting::route("GET", &path) {
            Ok(Route::Assertion(id)) => {
                let cache = std::cell::RefCell::new(hosting::RenderCache::new());
                hosting::assertion(kv, base, now, &id, rep, &cache).await
            }
            _ => unreachable!("fixture route"),
        }
    })
    .expect("reply");
    hosting::finish(reply, None, false).body.len()
}

fn benches(c: &mut Criterion) {
    let base = BaseUrl::parse("https://badges.example.org").expect("base");
    let award = fixtures::award();
    c.bench_function("render assertion JSON-LD", |b| {
        b.iter(|| ob2::to_vec(&AssertionDoc::new(black_box(&award), &base)))
    });
    let kv = store();
    c.bench_function("negotiate + load + render assertion (JSON-LD)", |b| {
        b.iter(|| serve(&kv, &base, black_box("application/ld+json")))
    });
    c.bench_function("negotiate + load + render assertion (HTML page)", |b| {
        b.iter(|| serve(&kv, &base, black_box(BROWSER)))
    });
    c.bench_function("negotiate a browser Accept header", |b| {
        b.iter(|| {
            let rep = negotiate::negotiate(black_box(Some(BROWSER)), None);
            assert_eq!(rep, Representation::Html);
        })
    });
}

criterion_group!(render, benches);
criterion_main!(render);
