//! Interoperability with the two reference Open Badges bakers (docs/standards/baking.md §3): PyPI
//! `openbadges-bakery` (Python) and npm `openbadges-bakery` (Node, Mozilla). Both know only
//! Open Badges 2.0: the PNG keyword `openbadges` and the `http://openbadges.org` SVG element.
//!
//! Emblem is called in-process (`emblem_web::bake`); the reference bakers run as
//! subprocesses through `py_bakery.py` and `node_bakery.js`. They are installed into
//! `target/interop/` by `tests/interop/setup.sh`, which `cargo xtask test` runs first; a
//! missing baker fails the tests with that advice.
//!
//! Where a baker's documented behaviour differs from Emblem's, the test asserts the baker's
//! behaviour exactly and says so in its name.

mod bakers;
mod openapi;
mod validator_core;
mod vc_peers;

use bakers::{Baker, assertion_elements, openbadges_chunks, text_chunks, with_legacy_text};
use base64::Engine as _;
use emblem_web::bake::{Limits, PayloadKind, Removed, Unbaked, Version, bake, unbake};
use emblem_web::image::ImageType;

const URL: &str = "https://badges.example.org/assertions/7d9f1c2a";

/// A hosted assertion: its `id` is an http(s) URL, so SVG bakers write it to `verify`.
fn hosted() -> String {
    format!(
        r#"{{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"{URL}","recipient":{{"type":"email","hashed":true,"salt":"8c1d","identity":"sha256$2f0c5b7b9b1f8c3d0e4a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a"}},"badge":"https://badges.example.org/badges/3b2e","verification":{{"type":"HostedBadge"}},"issuedOn":"2026-11-01T00:00:00Z"}}"#
    )
}

/// An assertion whose `id` is not a URL (a signed assertion's body): no `verify` attribute.
fn urn_id() -> String {
    r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"urn:uuid:5b1f9b0e-6a52-4d8e-9a1c-2f3e4d5c6b7a","recipient":{"type":"email","hashed":false,"identity":"ada@example.org"},"badge":"https://badges.example.org/badges/3b2e","verification":{"type":"SignedBadge","creator":"https://badges.example.org/keys/1"},"issuedOn":"2026-11-01T00:00:00Z"}"#.to_owned()
}

/// A compact JWS over the hosted assertion (the signature bytes are not checked by anyone).
fn jws() -> String {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        b64(r#"{"alg":"RS256"}"#),
        b64(&urn_id()),
        b64("not a real signature")
    )
}

fn png() -> Vec<u8> {
    std::fs::read(emblem_tests::root().join("tests/fixtures/badge.png")).expect("badge.png")
}

/// `tests/fixtures/badge.svg` (253 bytes).
fn small_svg() -> Vec<u8> {
    std::fs::read(emblem_tests::root().join("tests/fixtures/badge.svg")).expect("badge.svg")
}

/// The fixture SVG with a `<title>`, so it passes 256 bytes: the Node baker decides the type
/// from the first 256 bytes and never answers for a smaller image (see the test below).
fn svg() -> Vec<u8> {
    let svg = String::from_utf8(small_svg()).expect("UTF-8");
    let (head, tail) = svg.split_at(svg.find("<circle").expect("a circle"));
    format!("{head}<title>Emblem interoperability test badge</title>{tail}").into_bytes()
}

fn emblem_bake(image: &[u8], payload: &str) -> Vec<u8> {
    bake(image, payload, Some(Version::V2), &Limits::default())
        .expect("Emblem bakes")
        .bytes
}

fn emblem_unbake(image: &[u8]) -> Unbaked {
    unbake(image, &Limits::default()).expect("Emblem unbakes")
}

/// Emblem finds exactly one 2.0 credential, `payload`, and nothing else.
fn assert_emblem_reads(image: &[u8], payload: &str, what: &str) {
    let u = emblem_unbake(image);
    assert_eq!(u.found.len(), 1, "{what}: {u:?}");
    assert_eq!(u.found[0].payload, payload, "{what}");
    assert_eq!(u.found[0].version, Version::V2, "{what}");
    assert!(u.extra.is_empty(), "{what}: {:?}", u.extra);
}

fn payloads() -> [(&'static str, String); 4] {
    [
        ("hosted-assertion URL", URL.to_owned()),
        ("hosted assertion JSON", hosted()),
        ("assertion JSON with a urn id", urn_id()),
        ("JWS", jws()),
    ]
}

// (a) Emblem bakes, the reference bakers read.

#[test]
fn both_reference_bakers_read_every_payload_emblem_bakes_into_a_png() {
    for (what, payload) in payloads() {
        let baked = emblem_bake(&png(), &payload);
        for baker in [Baker::Python, Baker::Node] {
            assert_eq!(baker.unbake(&baked, "png"), payload, "{baker:?}, {what}");
        }
    }
}

#[test]
fn node_reads_every_payload_emblem_bakes_into_an_svg() {
    for (what, payload) in payloads() {
        let baked = emblem_bake(&svg(), &payload);
        assert_eq!(Baker::Node.unbake(&baked, "svg"), payload, "{what}");
    }
}

#[test]
fn python_reads_emblem_svgs_returning_a_hosted_assertions_verify_url_not_its_json() {
    // Python prefers the `verify` attribute over the CDATA body (docs/standards/baking.md §3); Emblem,
    // like Mozilla, writes a hosted assertion's `id` there.
    for (what, payload, expected) in [
        ("URL", URL.to_owned(), URL.to_owned()),
        ("hosted assertion JSON", hosted(), URL.to_owned()),
        ("assertion JSON with a urn id", urn_id(), urn_id()),
        ("JWS", jws(), jws()),
    ] {
        let baked = emblem_bake(&svg(), &payload);
        assert_eq!(Baker::Python.unbake(&baked, "svg"), expected, "{what}");
    }
}

// (b) The reference bakers bake, Emblem reads.

#[test]
fn emblem_reads_every_payload_either_reference_baker_bakes_into_a_png() {
    for (what, payload) in payloads() {
        for baker in [Baker::Python, Baker::Node] {
            let baked = baker.bake(&png(), &payload, "png");
            assert_eq!(openbadges_chunks(&baked), 1, "{baker:?}, {what}");
            assert_emblem_reads(&baked, &payload, &format!("{baker:?}, {what}"));
            let u = emblem_unbake(&baked);
            assert_eq!(u.format, ImageType::Png);
            assert_eq!(u.found[0].container, "iTXt", "{baker:?}, {what}");
        }
    }
}

#[test]
fn emblem_reads_every_payload_python_bakes_into_an_svg() {
    for (what, payload) in payloads() {
        let baked = Baker::Python.bake(&svg(), &payload, "svg");
        assert_emblem_reads(&baked, &payload, what);
    }
}

#[test]
fn emblem_reads_every_payload_node_bakes_into_an_svg() {
    for (what, payload) in [
        ("URL", URL.to_owned()),
        ("hosted assertion JSON", hosted()),
        ("JWS", jws()),
    ] {
        let baked = Baker::Node.bake(&svg(), &payload, "svg");
        assert_emblem_reads(&baked, &payload, what);
    }
}

#[test]
fn node_refuses_to_bake_an_svg_from_an_assertion_with_no_url() {
    // mozilla/openbadges-bakery#20: the `verify` value must come from a URL.
    let err = Baker::Node
        .try_bake(&svg(), &urn_id(), "svg")
        .expect_err("Node refuses");
    assert!(
        err.contains("Must provide a valid assertion or URL"),
        "{err}"
    );
    // Emblem bakes it, without `verify`, and Node reads it back.
    let baked = emblem_bake(&svg(), &urn_id());
    assert!(!String::from_utf8_lossy(&baked).contains("verify="));
    assert_eq!(Baker::Node.unbake(&baked, "svg"), urn_id());
}

#[test]
fn node_never_answers_for_an_image_under_256_bytes_which_emblem_bakes() {
    assert!(small_svg().len() < 256);
    let err = Baker::Node
        .try_bake(&small_svg(), URL, "svg")
        .expect_err("Node gives up");
    assert!(err.contains("never called back"), "{err}");
    let baked = emblem_bake(&small_svg(), URL);
    assert_emblem_reads(&baked, URL, "Emblem on 253 bytes");
    assert_eq!(Baker::Python.unbake(&baked, "svg"), URL);
}

// (c) The corner cases of docs/standards/baking.md §3.

#[test]
fn emblem_rebaking_a_png_python_baked_leaves_exactly_one_openbadges_chunk() {
    let python = Baker::Python.bake(&png(), &hosted(), "png");
    let baked = bake(&python, &jws(), None, &Limits::default()).expect("Emblem re-bakes");
    assert_eq!(
        baked.replaced,
        [Removed {
            container: "iTXt".into(),
            key: "openbadges".into()
        }]
    );
    assert_eq!(openbadges_chunks(&baked.bytes), 1);
    assert_emblem_reads(&baked.bytes, &jws(), "Emblem over Python");
    for baker in [Baker::Python, Baker::Node] {
        assert_eq!(baker.unbake(&baked.bytes, "png"), jws(), "{baker:?}");
    }
}

#[test]
fn node_keeps_a_legacy_text_chunk_beside_its_new_itxt_and_emblem_reports_then_replaces_both() {
    let legacy = with_legacy_text(&png(), "https://old.example.org/assertion.json");
    let node = Baker::Node.bake(&legacy, &hosted(), "png");
    let kw = |k: &str, t: &str| (k.to_owned(), t.to_owned());
    assert_eq!(
        text_chunks(&node),
        [kw("iTXt", "openbadges"), kw("tEXt", "openbadges")],
        "Mozilla injects an iTXt after IHDR and leaves the tEXt"
    );

    // Reading: the first one (Node's new iTXt), the old tEXt reported as ignored.
    let u = emblem_unbake(&node);
    assert_eq!(u.found.len(), 1);
    assert_eq!(u.found[0].payload, hosted());
    assert_eq!(u.found[0].container, "iTXt");
    assert_eq!(u.found[0].kind, PayloadKind::Json);
    assert_eq!(
        u.extra,
        [Removed {
            container: "tEXt".into(),
            key: "openbadges".into()
        }]
    );
    // Node and Python read the same first chunk.
    for baker in [Baker::Python, Baker::Node] {
        assert_eq!(baker.unbake(&node, "png"), hosted(), "{baker:?}");
    }

    // Baking: both go, one new iTXt.
    let baked = bake(&node, URL, None, &Limits::default()).expect("Emblem re-bakes");
    let removed = |c: &str| Removed {
        container: c.into(),
        key: "openbadges".into(),
    };
    assert_eq!(baked.replaced, [removed("iTXt"), removed("tEXt")]);
    assert_eq!(text_chunks(&baked.bytes), [kw("iTXt", "openbadges")]);
    assert_emblem_reads(&baked.bytes, URL, "Emblem over Node");
}

#[test]
fn python_drops_a_legacy_text_chunk_and_emblem_reads_its_single_itxt() {
    let legacy = with_legacy_text(&png(), "https://old.example.org/assertion.json");
    let python = Baker::Python.bake(&legacy, &hosted(), "png");
    assert_eq!(openbadges_chunks(&python), 1);
    assert_emblem_reads(&python, &hosted(), "Python over a legacy tEXt");
}

#[test]
fn python_rebaking_an_svg_duplicates_the_element_emblem_reads_the_first_and_rebakes_to_one() {
    let once = Baker::Python.bake(&svg(), &hosted(), "svg");
    let twice = Baker::Python.bake(&once, URL, "svg");
    assert_eq!(
        assertion_elements(&twice),
        2,
        "Python does not remove the old one"
    );
    // Python inserts the new element first; everyone reads the first.
    let u = emblem_unbake(&twice);
    assert_eq!(u.found.len(), 1);
    assert_eq!(u.found[0].payload, URL);
    assert_eq!(
        u.extra,
        [Removed {
            container: "assertion".into(),
            key: "http://openbadges.org".into()
        }]
    );
    assert_eq!(Baker::Python.unbake(&twice, "svg"), URL);
    assert_eq!(Baker::Node.unbake(&twice, "svg"), URL);

    let baked = bake(&twice, &urn_id(), None, &Limits::default()).expect("Emblem re-bakes");
    assert_eq!(baked.replaced.len(), 2, "{:?}", baked.replaced);
    assert_eq!(assertion_elements(&baked.bytes), 1);
    assert_emblem_reads(&baked.bytes, &urn_id(), "Emblem over Python twice");
    assert_eq!(Baker::Python.unbake(&baked.bytes, "svg"), urn_id());
    assert_eq!(Baker::Node.unbake(&baked.bytes, "svg"), urn_id());
}
