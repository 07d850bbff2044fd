//! The properties the `cargo fuzz` targets check (`fuzz/fuzz_targets/*.rs`), kept here so the
//! kept inputs under `fuzz/regressions/` run through exactly the same checks in the normal test
//! suite (`tests/fuzz_regressions.rs`). Each function panics when a property fails, which is
//! what the fuzzer reports as a crash.
//!
//! - [`png_unbake`]: any bytes (the PNG signature put in front when missing) unbake without a
//!   panic; what is found is consistent, and baking it back in and unbaking again gives it back.
//! - [`svg_unbake`]: the same for SVG documents.
//! - [`roundtrip`]: a payload baked into any image that bakes comes back exactly; baking twice
//!   gives the same bytes; a PNG keeps every other chunk byte for byte.

use super::png::{iTXt, keyword};
use super::{Found, Limits, Payload, PayloadKind, Version, bake, unbake};
use crate::image::ImageType;
use crate::image::png_check::{Chunks, SIGNATURE};

fn limits() -> Limits {
    Limits {
        max_input: 1 << 20,
        max_chunks: 512,
        max_text: 64 * 1024,
    }
}

/// PNG unbaking of `data` (see the module docs).
pub fn png_unbake(data: &[u8]) {
    let bytes = if data.starts_with(&SIGNATURE) {
        data.to_vec()
    } else {
        [&SIGNATURE[..], data].concat()
    };
    check_unbake(&bytes, ImageType::Png);
}

/// SVG unbaking of `data` (see the module docs).
pub fn svg_unbake(data: &[u8]) {
    check_unbake(data, ImageType::Svg);
}

/// Unbake `bytes`; when that works, every credential found must survive a bake→unbake cycle.
fn check_unbake(bytes: &[u8], expected: ImageType) {
    let limits = limits();
    let Ok(unbaked) = unbake(bytes, &limits) else {
        return;
    };
    assert_eq!(unbaked.format, expected, "format");
    assert!(!unbaked.found.is_empty(), "Ok without a credential");
    for (i, f) in unbaked.found.iter().enumerate() {
        assert!(
            unbaked.found[..i].iter().all(|g| g.version != f.version),
            "two credentials reported for {:?}",
            f.version
        );
        assert!(f.payload.len() <= limits.max_text, "text over the cap");
        rebake(bytes, f);
    }
}

/// Bake `found` back into `bytes` and read it again.
fn rebake(bytes: &[u8], found: &Found) {
    if found.kind == PayloadKind::Text || found.payload.is_empty() {
        return;
    }
    let baked = bake(bytes, &found.payload, Some(found.version), &limits())
        .unwrap_or_else(|e| panic!("a readable credential cannot be baked back: {e}"));
    expect_payload(&baked.bytes, found.version, &found.payload, found.kind);
}

/// `bytes` must unbake to exactly `payload` for `version`, with no duplicate of it left.
fn expect_payload(bytes: &[u8], version: Version, payload: &str, kind: PayloadKind) {
    let again =
        unbake(bytes, &limits()).unwrap_or_else(|e| panic!("a baked image does not unbake: {e}"));
    let f = again
        .found
        .iter()
        .find(|f| f.version == version)
        .unwrap_or_else(|| panic!("the baked {version:?} credential is missing"));
    assert_eq!(f.payload, payload, "payload changed");
    assert_eq!(f.kind, kind, "kind changed");
    let twins = again
        .extra
        .iter()
        .filter(|r| r.key == version_key(version))
        .count();
    assert_eq!(twins, 0, "a duplicate {version:?} credential is left");
}

fn version_key(version: Version) -> &'static str {
    match version {
        Version::V2 => "openbadges",
        Version::V3 => "openbadgecredential",
    }
}

/// Bake→unbake of fuzzer bytes (see the module docs). Layout of `data`: one mode byte (low
/// two bits: image as is, PNG signature added, wrapped in `<svg>`; next two bits: version
/// from the payload, 2.0 or 3.0), a length byte, that many payload bytes, then the image.
pub fn roundtrip(data: &[u8]) {
    let [mode, len, rest @ ..] = data else {
        return;
    };
    let (payload, image) = rest.split_at(usize::from(*len).min(rest.len()));
    let payload = String::from_utf8_lossy(payload);
    let image = match mode & 3 {
        1 => [&SIGNATURE[..], image].concat(),
        2 => [
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\">"[..],
            image,
            &b"</svg>"[..],
        ]
        .concat(),
        _ => image.to_vec(),
    };
    let version = match (mode >> 2) & 3 {
        1 => Some(Version::V2),
        2 => Some(Version::V3),
        _ => None,
    };
    let limits = limits();
    let Ok(baked) = bake(&image, &payload, version, &limits) else {
        return;
    };
    let expected = Payload::classify(&payload);
    expect_payload(&baked.bytes, baked.version, &expected.text, expected.kind);
    let twice = bake(&baked.bytes, &payload, Some(baked.version), &limits)
        .unwrap_or_else(|e| panic!("a baked image cannot be baked again: {e}"));
    assert!(twice.bytes == baked.bytes, "baking twice changed the bytes");
    if baked.format == ImageType::Png {
        assert_eq!(
            other_chunks(&image, baked.version),
            other_chunks(&baked.bytes, baked.version),
            "a chunk other than the credential changed"
        );
    }
}

/// The raw bytes of every chunk that is not a text chunk with `version`'s keyword.
fn other_chunks(png: &[u8], version: Version) -> Vec<Vec<u8>> {
    let key = keyword(version).as_bytes();
    let mut chunks = Chunks::new(&png[SIGNATURE.len()..], usize::MAX);
    let mut out = Vec::new();
    while let Ok(Some((kind, data, raw))) = chunks.next_raw() {
        let text = kind == iTXt || kind == *b"tEXt" || kind == *b"zTXt";
        let credential = text && data.split(|&b| b == 0).next() == Some(key);
        if !credential {
            out.push(raw.to_vec());
        }
    }
    out
}
