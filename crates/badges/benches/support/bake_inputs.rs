//! The inputs of the bake benchmark, shared with `examples/bake_timing.rs` (which writes them
//! to files for the reference bakers): a ~1 KB Open Badges 2.0 assertion, RGB PNGs with a
//! realistic IDAT, and a ~100 KB SVG. Deterministic: the same bytes on every run.

use emblem_badges::bake::png::{IEND, IHDR, write_chunk};

/// A ~1 KB Open Badges 2.0 assertion.
pub fn assertion() -> String {
    let narrative = "Demonstrated safe lifting technique in the practical test. ".repeat(14);
    format!(
        r#"{{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://badges.example.org/assertions/7d9f1c2a","recipient":{{"type":"email","hashed":true,"salt":"8c1d","identity":"sha256$2f0c5b7b9b1f8c3d0e4a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a"}},"badge":"https://badges.example.org/badges/3b2e","verification":{{"type":"HostedBadge"}},"issuedOn":"2026-11-01T00:00:00Z","narrative":"{narrative}"}}"#
    )
}

/// An RGB PNG of side `n`: a gradient plus xorshift noise, rows filtered "none", deflated.
pub fn png(n: u32) -> Vec<u8> {
    let mut raw = Vec::with_capacity((n as usize * 3 + 1) * n as usize);
    let mut x: u32 = 0x9e37_79b9;
    for y in 0..n {
        raw.push(0);
        for col in 0..n {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let noise = (x & 0x1f) as u8;
            let base = ((col + y) * 255 / (2 * n)) as u8;
            raw.extend_from_slice(&[base.wrapping_add(noise), base, noise]);
        }
    }
    let mut out = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    let mut ihdr = n.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&n.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    write_chunk(&mut out, IHDR, &ihdr);
    let z = miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6);
    // Split the stream in 64 KiB IDAT chunks, as encoders do.
    for part in z.chunks(64 * 1024) {
        write_chunk(&mut out, *b"IDAT", part);
    }
    write_chunk(&mut out, IEND, &[]);
    out
}

/// A ~100 KB SVG of many small shapes.
pub fn svg() -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"512\" height=\"512\">\n",
    );
    let mut i = 0u32;
    while s.len() < 100 * 1024 {
        s.push_str(&format!(
            "  <circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#{:06x}\" stroke=\"black\"/>\n",
            i % 512,
            (i * 7) % 512,
            i % 13 + 1,
            (i * 2_654_435_761) & 0xff_ffff
        ));
        i += 1;
    }
    s.push_str("</svg>\n");
    s.into_bytes()
}
