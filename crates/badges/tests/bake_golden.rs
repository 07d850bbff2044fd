//! Golden baking corpus: one harness for every file under `tests/fixtures/bake/`.
//!
//! 1. [`corpus`] generates each input (PNG colour types, bit depths, interlacing, text chunks;
//!    SVG prologs, doctypes, comments, old assertions, scripts) from code, so the corpus is
//!    reproducible. The committed inputs must equal what the generator makes.
//! 2. Each input is baked with [`PAYLOAD`]; the output must equal `<name>.baked.<ext>` byte for
//!    byte, and unbaking it must give back the payload.
//! 3. Each input is unbaked; the result must match `expected.json` (what was found, or the
//!    error).
//!
//! `EMBLEM_BLESS=1 cargo test --profile host -p emblem-badges --test bake_golden` rewrites the
//! files after a deliberate change; review the diff.

use std::collections::BTreeMap;
use std::path::PathBuf;

use emblem_badges::bake::png::{IEND, IHDR, iTXt, itxt_data, tEXt, write_chunk, zTXt};
use emblem_badges::bake::{Limits, Version, bake, unbake};
use serde_json::{Value, json};

const PAYLOAD: &str = "https://badges.example.org/assertions/golden-1";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bake")
}

/// A PNG of `width`×`height` with the given IHDR fields; `extra` chunks go after IHDR.
fn png(
    width: u32,
    height: u32,
    depth: u8,
    color: u8,
    interlace: u8,
    extra: &[([u8; 4], Vec<u8>)],
) -> Vec<u8> {
    let channels: u32 = match color {
        0 | 3 => 1,
        4 => 2,
        2 => 3,
        _ => 4,
    };
    let row = (width * channels * u32::from(depth)).div_ceil(8) as usize;
    let mut raw = Vec::new();
    for y in 0..height as usize {
        raw.push(0); // filter: none
        raw.extend((0..row).map(|x| ((x * 7 + y * 13) % 251) as u8));
    }
    let mut out = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[depth, color, 0, 0, interlace]);
    write_chunk(&mut out, IHDR, &ihdr);
    for (kind, data) in extra {
        write_chunk(&mut out, *kind, data);
    }
    if color == 3 {
        write_chunk(&mut out, *b"PLTE", &[255, 0, 0, 0, 255, 0, 0, 0, 255]);
    }
    write_chunk(
        &mut out,
        *b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 9),
    );
    write_chunk(&mut out, IEND, &[]);
    out
}

fn text(keyword: &str, value: &str) -> Vec<u8> {
    format!("{keyword}\0{value}").into_bytes()
}

const SVG_HEAD: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">"#;

/// Every corpus input, by file name.
fn corpus() -> BTreeMap<&'static str, Vec<u8>> {
    let mut many = Vec::new();
    for i in 0..40 {
        many.push((tEXt, text("Comment", &format!("note {i}"))));
    }
    many.push((iTXt, itxt_data("Description", "Ünïcode badge")));
    let mut z = b"Software\0\0".to_vec();
    z.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(
        b"emblem corpus generator",
        9,
    ));
    many.push((zTXt, z));
    let mut m = BTreeMap::new();
    m.insert("png-palette.png", png(4, 4, 2, 3, 0, &[]));
    m.insert("png-gray.png", png(4, 4, 8, 0, 0, &[]));
    m.insert("png-rgba-16bit.png", png(3, 3, 16, 6, 0, &[]));
    m.insert("png-interlaced.png", png(1, 1, 8, 2, 1, &[]));
    m.insert("png-many-text-chunks.png", png(2, 2, 8, 2, 0, &many));
    m.insert(
        "png-existing-text-openbadges.png",
        png(
            2,
            2,
            8,
            0,
            0,
            &[(tEXt, text("openbadges", "https://old.example.org/a/1"))],
        ),
    );
    m.insert(
        "png-two-openbadges-itxt.png",
        png(
            2,
            2,
            8,
            0,
            0,
            &[
                (iTXt, itxt_data("openbadges", "https://old.example.org/a/1")),
                (iTXt, itxt_data("openbadges", "https://old.example.org/a/2")),
            ],
        ),
    );
    let body = r#"<circle cx="4" cy="4" r="3" fill="gold"/></svg>"#;
    m.insert(
        "svg-prolog.svg",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n{SVG_HEAD}{body}\n")
            .into_bytes(),
    );
    m.insert(
        "svg-doctype.svg",
        format!("<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n{SVG_HEAD}{body}\n").into_bytes(),
    );
    m.insert(
        "svg-comments.svg",
        format!("<!-- before -->\n{SVG_HEAD}<!-- inside -->{body}<!-- after -->\n").into_bytes(),
    );
    m.insert(
        "svg-existing-assertion.svg",
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion verify=\"https://old.example.org/a/1\"><![CDATA[{{\"old\":true}}]]></openbadges:assertion>{body}"
        )
        .into_bytes(),
    );
    m.insert(
        "svg-scripts.svg",
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"steal()\"><script type=\"text/javascript\"><![CDATA[steal()]]></script><g onclick='x()'>{body}"
        )
        .replace("</svg>", "</g></svg>")
        .into_bytes(),
    );
    m.insert(
        "svg-dtd-entities.svg",
        br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"#.to_vec(),
    );
    m
}

fn baked_name(name: &str) -> String {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    format!("{stem}.baked.{ext}")
}

fn describe_unbake(bytes: &[u8]) -> Value {
    match unbake(bytes, &Limits::default()) {
        Ok(u) => json!({"found": u.found, "extra": u.extra}),
        Err(e) => json!({"error": e.to_string()}),
    }
}

#[test]
fn the_golden_corpus_bakes_and_unbakes_as_recorded() {
    let bless = std::env::var_os("EMBLEM_BLESS").is_some();
    let dir = dir();
    let mut expected = BTreeMap::new();
    for (name, input) in corpus() {
        let path = dir.join(name);
        if bless {
            std::fs::create_dir_all(&dir).expect("mkdir");
            std::fs::write(&path, &input).expect("write input");
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            committed, input,
            "{name}: the committed input differs from the generator"
        );

        let baked = bake(&input, PAYLOAD, None, &Limits::default());
        let mut record = json!({"unbake": describe_unbake(&input)});
        match baked {
            Ok(b) => {
                let golden = dir.join(baked_name(name));
                if bless {
                    std::fs::write(&golden, &b.bytes).expect("write golden");
                }
                let want = std::fs::read(&golden).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(
                    want == b.bytes,
                    "{name}: baked output differs from {}",
                    golden.display()
                );
                let back = unbake(&b.bytes, &Limits::default()).expect("unbake baked");
                assert_eq!(back.found[0].payload, PAYLOAD, "{name}");
                assert_eq!(back.found[0].version, Version::V2, "{name}");
                record["bake"] = json!({"replaced": b.replaced});
            }
            Err(e) => record["bake"] = json!({"error": e.to_string()}),
        }
        expected.insert(name.to_owned(), record);
    }
    let expected = serde_json::to_string_pretty(&expected).expect("json") + "\n";
    let path = dir.join("expected.json");
    if bless {
        std::fs::write(&path, &expected).expect("write expected");
    }
    let want = std::fs::read_to_string(&path).expect("expected.json");
    assert_eq!(
        want, expected,
        "expected.json differs (EMBLEM_BLESS=1 to rewrite)"
    );
}

#[test]
fn a_png_with_a_huge_idat_bakes_without_touching_the_pixels() {
    // 8 MiB of stored (incompressible-looking) IDAT, generated here, not committed.
    let mut data = Vec::with_capacity(8 << 20);
    let mut x: u32 = 0x1234_5678;
    while data.len() < 8 << 20 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data.extend_from_slice(&x.to_le_bytes());
    }
    let mut out = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    write_chunk(&mut out, IHDR, &[0, 0, 4, 0, 0, 0, 2, 0, 8, 6, 0, 0, 0]);
    write_chunk(&mut out, *b"IDAT", &data);
    write_chunk(&mut out, IEND, &[]);
    let baked = bake(&out, PAYLOAD, None, &Limits::default()).expect("bake");
    assert_eq!(baked.bytes.len(), out.len() + 12 + 15 + PAYLOAD.len());
    assert_eq!(
        &baked.bytes[baked.bytes.len() - data.len() - 24..],
        &out[out.len() - data.len() - 24..]
    );
    let u = unbake(&baked.bytes, &Limits::default()).expect("unbake");
    assert_eq!(u.found[0].payload, PAYLOAD);
}
