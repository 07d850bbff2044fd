//! PNG baking at the chunk level (docs/standards/baking.md §1; PNG §5.3, §11.3.3).
//!
//! Baking:
//!
//! 1. Check the signature and walk every chunk's framing (length within the file, type) with
//!    the same walker as the upload check ([`crate::image::png_check`]); IHDR must come first, and
//!    only there (the credential goes right after it), and IEND last. The CRC is checked on every chunk whose bytes Emblem reads: IHDR, IEND and
//!    every text chunk. Image data and the other chunks pass through unread, byte for byte,
//!    CRC included, so a baked file is exactly as intact as its source: checking their CRCs
//!    would be a pass over every pixel byte (most of the cost of baking a large PNG) that
//!    protects nothing Emblem reads. Uploaded badge images are checked in full once, at
//!    upload ([`crate::image::png_check::check`]).
//! 2. Write the signature and IHDR, then one new uncompressed `iTXt` chunk
//!    ([`itxt_data`]) with the version's keyword.
//! 3. Copy every other chunk byte for byte, except text chunks (`iTXt`, `tEXt`, `zTXt`) with
//!    that keyword, which are dropped and reported. Chunks with the other version's keyword
//!    are kept, so one PNG can carry a 2.0 and a 3.0 credential.
//!
//! Unbaking walks the same way and decodes only the text chunks whose keyword is one of ours:
//! `iTXt` (compressed or not, any language tag), legacy `tEXt` (Latin-1) and `zTXt`. Compressed
//! text is inflated under [`Limits::max_text`]; no other chunk is ever inflated. Pixels are
//! never decoded.

#![expect(
    non_upper_case_globals,
    reason = "chunk types are spelled as in the PNG specification (iTXt, tEXt, zTXt)"
)]

use super::{BakeError, Found, ImageFault, LimitError, Limits, Payload, Removed, Version};
use crate::image::png_check::{Chunks, PngError, SIGNATURE, check_crc, name};

/// A PNG chunk type, spelled as in the PNG specification.
pub type ChunkType = [u8; 4];

/// Image header (PNG §11.2.2).
pub const IHDR: ChunkType = *b"IHDR";
/// Image trailer (PNG §11.2.5).
pub const IEND: ChunkType = *b"IEND";
/// International textual data (PNG §11.3.3.4).
pub const iTXt: ChunkType = *b"iTXt";
/// Textual data, Latin-1 (PNG §11.3.3.2).
pub const tEXt: ChunkType = *b"tEXt";
/// Compressed textual data, Latin-1 (PNG §11.3.3.3).
pub const zTXt: ChunkType = *b"zTXt";

/// The keyword of a version (docs/standards/baking.md §1).
pub fn keyword(version: Version) -> &'static str {
    match version {
        Version::V2 => "openbadges",
        Version::V3 => "openbadgecredential",
    }
}

fn version_of(keyword: &[u8]) -> Option<Version> {
    match keyword {
        b"openbadges" => Some(Version::V2),
        b"openbadgecredential" => Some(Version::V3),
        _ => None,
    }
}

/// Split a text chunk's data at the keyword's NUL separator. The keyword rule (1–79 bytes,
/// PNG §11.3.3.1) is checked here and only here; None when it does not hold.
fn split_keyword(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let nul = data.iter().take(80).position(|&b| b == 0)?;
    (1..=79)
        .contains(&nul)
        .then(|| (&data[..nul], &data[nul + 1..]))
}

/// The data of an uncompressed `iTXt` chunk: keyword, NUL, compression flag 0, method 0,
/// empty language tag + NUL, empty translated keyword + NUL, UTF-8 text.
pub fn itxt_data(keyword: &str, text: &str) -> Vec<u8> {
    let mut data = Vec::with_capacity(keyword.len() + 5 + text.len());
    data.extend_from_slice(keyword.as_bytes());
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(text.as_bytes());
    data
}

/// Append one chunk: length, type, data and the CRC over type + data. The one place chunks
/// are written.
pub fn write_chunk(out: &mut Vec<u8>, kind: ChunkType, data: &[u8]) {
    // Callers bound `data` by `Limits::max_text`, far below 2^31 (PNG §5.3).
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

fn png_error(e: PngError) -> BakeError {
    BakeError::Image(ImageFault::Png(e))
}

fn text_chunk_name(kind: ChunkType) -> Option<&'static str> {
    match kind {
        iTXt => Some("iTXt"),
        tEXt => Some("tEXt"),
        zTXt => Some("zTXt"),
        _ => None,
    }
}

/// Walk the chunk stream of a whole PNG, calling `each` with every chunk's type, data and raw
/// bytes; checks the signature, every chunk's framing, IHDR first and IEND last, and the CRC
/// of every chunk whose bytes Emblem reads (IHDR, IEND and the text chunks). Other chunks
/// (image data, palettes, …) are passed through unread, as a copy would pass them, so their
/// CRCs are left to the image decoder that interprets them: checking them would cost a pass
/// over every pixel byte and protect nothing Emblem reads.
fn walk<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    mut each: impl FnMut(ChunkType, &'a [u8], &'a [u8]) -> Result<(), BakeError>,
) -> Result<(), BakeError> {
    let rest = bytes
        .strip_prefix(&SIGNATURE)
        .ok_or(png_error(PngError::Signature))?;
    let mut chunks = Chunks::new(rest, limits.max_chunks);
    let mut first = true;
    while let Some((kind, data, raw)) = chunks.next_framed().map_err(png_error)? {
        if kind == IHDR || kind == IEND || text_chunk_name(kind).is_some() {
            check_crc(kind, data, raw).map_err(png_error)?;
        }
        if first && kind != IHDR {
            return Err(png_error(PngError::FirstNotIhdr(name(&kind))));
        }
        // PNG §5.6: one IHDR. Baking writes the credential after IHDR, so a second one
        // would get a second credential.
        if !first && kind == IHDR {
            return Err(png_error(PngError::IhdrTwice));
        }
        first = false;
        each(kind, data, raw)?;
        if kind == IEND {
            return if chunks.rest.is_empty() {
                Ok(())
            } else {
                Err(png_error(PngError::NoIend))
            };
        }
    }
    Err(png_error(if first {
        PngError::Truncated
    } else {
        PngError::NoIend
    }))
}

/// Bake `text` under `version`'s keyword (see the module docs). Returns the new bytes and the
/// chunks removed.
pub fn bake(
    bytes: &[u8],
    version: Version,
    text: &str,
    limits: &Limits,
) -> Result<(Vec<u8>, Vec<Removed>), BakeError> {
    let keyword = keyword(version);
    let mut out = Vec::with_capacity(bytes.len() + text.len() + 64);
    out.extend_from_slice(&SIGNATURE);
    let mut removed = Vec::new();
    walk(bytes, limits, |kind, data, raw| {
        if let Some(chunk) = text_chunk_name(kind)
            && split_keyword(data).is_some_and(|(k, _)| k == keyword.as_bytes())
        {
            removed.push(Removed {
                container: chunk.to_owned(),
                key: keyword.to_owned(),
            });
            return Ok(());
        }
        out.extend_from_slice(raw);
        if kind == IHDR {
            write_chunk(&mut out, iTXt, &itxt_data(keyword, text));
        }
        Ok(())
    })?;
    Ok((out, removed))
}

/// Read every Open Badges text chunk (see the module docs): the first per version, and the
/// ignored duplicates.
pub fn unbake(bytes: &[u8], limits: &Limits) -> Result<(Vec<Found>, Vec<Removed>), BakeError> {
    let mut found: Vec<Found> = Vec::new();
    let mut extra = Vec::new();
    walk(bytes, limits, |kind, data, _| {
        let Some(chunk) = text_chunk_name(kind) else {
            return Ok(());
        };
        let Some((key, rest)) = split_keyword(data) else {
            return Ok(());
        };
        let Some(version) = version_of(key) else {
            return Ok(());
        };
        let keyword = keyword(version);
        if found.iter().any(|f| f.version == version) {
            extra.push(Removed {
                container: chunk.to_owned(),
                key: keyword.to_owned(),
            });
            return Ok(());
        }
        let fault = |reason| {
            BakeError::Image(ImageFault::TextChunk {
                chunk,
                keyword,
                reason,
            })
        };
        let (text, compressed) = match kind {
            tEXt => (latin1(rest), false),
            zTXt => {
                let (&method, z) = rest
                    .split_first()
                    .ok_or_else(|| fault("no compression method"))?;
                if method != 0 {
                    return Err(fault("unknown compression method"));
                }
                (latin1(&inflate(z, limits)?), true)
            }
            _ => {
                let (text, compressed) = itxt_text(rest).map_err(fault)?;
                let text = if compressed {
                    inflate(text, limits)?
                } else {
                    text.to_vec()
                };
                let text = String::from_utf8(text).map_err(|_| fault("the text is not UTF-8"))?;
                (text, compressed)
            }
        };
        if text.len() > limits.max_text {
            return Err(BakeError::Limit(LimitError::Text {
                limit: limits.max_text,
            }));
        }
        let payload = Payload::read_owned(text);
        found.push(Found {
            version,
            kind: payload.kind,
            payload: payload.text,
            container: chunk.to_owned(),
            compressed,
        });
        Ok(())
    })?;
    Ok((found, extra))
}

/// The text of an `iTXt` after its keyword: (text bytes, compressed?). Language tag and
/// translated keyword are skipped whatever they hold.
fn itxt_text(rest: &[u8]) -> Result<(&[u8], bool), &'static str> {
    let [flag, method, rest @ ..] = rest else {
        return Err("it ends before the compression fields");
    };
    let compressed = match (flag, method) {
        (0, _) => false,
        (1, 0) => true,
        (1, _) => return Err("unknown compression method"),
        _ => return Err("the compression flag is neither 0 nor 1"),
    };
    let lang_end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or("the language tag is not terminated")?;
    let rest = &rest[lang_end + 1..];
    let translated_end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or("the translated keyword is not terminated")?;
    Ok((&rest[translated_end + 1..], compressed))
}

/// Inflate a zlib stream, refusing output over the text budget (a zip bomb stops at the cap).
fn inflate(z: &[u8], limits: &Limits) -> Result<Vec<u8>, BakeError> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};
    decompress_to_vec_zlib_with_limit(z, limits.max_text).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => BakeError::Limit(LimitError::Text {
            limit: limits.max_text,
        }),
        _ => BakeError::Image(ImageFault::TextChunk {
            chunk: "compressed text",
            keyword: "openbadges/openbadgecredential",
            reason: "the compressed text is not a valid zlib stream",
        }),
    })
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::fixtures::png_1x1;

    const URL: &str = "https://badges.example.org/assertions/abc";

    fn limits() -> Limits {
        Limits::default()
    }

    /// A 1×1 PNG with `extra` chunks inserted after IHDR.
    fn png_with(extra: &[(ChunkType, Vec<u8>)]) -> Vec<u8> {
        let base = png_1x1();
        let ihdr_end = 8 + 25;
        let mut out = base[..ihdr_end].to_vec();
        for (kind, data) in extra {
            write_chunk(&mut out, *kind, data);
        }
        out.extend_from_slice(&base[ihdr_end..]);
        out
    }

    fn chunk_types(png: &[u8]) -> Vec<String> {
        let mut chunks = Chunks::new(&png[8..], 100);
        let mut out = Vec::new();
        while let Some((kind, _)) = chunks.next_chunk().expect("valid") {
            out.push(name(&kind));
        }
        out
    }

    fn unbake_one(png: &[u8]) -> Found {
        let (found, _) = unbake(png, &limits()).expect("unbake");
        found.into_iter().next().expect("one credential")
    }

    #[test]
    fn baking_puts_one_uncompressed_itxt_right_after_ihdr() {
        let (out, removed) = bake(&png_1x1(), Version::V2, URL, &limits()).expect("bake");
        assert!(removed.is_empty());
        assert_eq!(chunk_types(&out), ["IHDR", "iTXt", "IDAT", "IEND"]);
        let at = 8 + 25;
        let len = u32::from_be_bytes(out[at..at + 4].try_into().expect("4")) as usize;
        let data = &out[at + 8..at + 8 + len];
        assert_eq!(&data[..15], b"openbadges\0\0\0\0\0");
        assert_eq!(&data[15..], URL.as_bytes());
        crate::image::png_check::check(&out).expect("still a valid PNG");
    }

    #[test]
    fn every_other_chunk_is_kept_byte_for_byte() {
        let input = png_with(&[
            (*b"gAMA", vec![0, 0, 0xb1, 0x8f]),
            (tEXt, b"Title\0x".to_vec()),
        ]);
        let (out, _) = bake(&input, Version::V2, URL, &limits()).expect("bake");
        let itxt_len = 12 + 15 + URL.len();
        assert_eq!(&out[..33], &input[..33]);
        assert_eq!(&out[33 + itxt_len..], &input[33..]);
    }

    #[test]
    fn the_3_0_keyword_is_openbadgecredential() {
        let (out, _) = bake(&png_1x1(), Version::V3, URL, &limits()).expect("bake");
        let found = unbake_one(&out);
        assert_eq!(found.version, Version::V3);
        assert!(
            out.windows(24)
                .any(|w| w == b"openbadgecredential\0\0\0\0\0")
        );
    }

    #[test]
    fn unbaking_returns_what_was_baked() {
        let json = r#"{"@context":"https://w3id.org/openbadges/v2","id":"https://x.org/a/1","type":"Assertion","name":"Ünïcødé"}"#;
        let (out, _) = bake(&png_1x1(), Version::V2, json, &limits()).expect("bake");
        let found = unbake_one(&out);
        assert_eq!(found.payload, json);
        assert_eq!(found.kind, super::super::PayloadKind::Json);
        assert_eq!(found.container, "iTXt");
        assert!(!found.compressed);
    }

    #[test]
    fn rebaking_replaces_the_chunk_instead_of_adding_one() {
        let (once, _) = bake(&png_1x1(), Version::V2, URL, &limits()).expect("bake");
        let (twice, removed) =
            bake(&once, Version::V2, "https://x.org/b", &limits()).expect("rebake");
        assert_eq!(removed.len(), 1);
        assert_eq!(chunk_types(&twice), ["IHDR", "iTXt", "IDAT", "IEND"]);
        assert_eq!(unbake_one(&twice).payload, "https://x.org/b");
    }

    #[test]
    fn an_existing_text_openbadges_is_removed_and_reported() {
        let input = png_with(&[(tEXt, format!("openbadges\0{URL}").into_bytes())]);
        let (out, removed) =
            bake(&input, Version::V2, "https://x.org/new", &limits()).expect("bake");
        assert_eq!(
            removed,
            [Removed {
                container: "tEXt".into(),
                key: "openbadges".into()
            }]
        );
        assert_eq!(chunk_types(&out), ["IHDR", "iTXt", "IDAT", "IEND"]);
    }

    #[test]
    fn two_openbadges_itxt_chunks_are_both_replaced() {
        let input = png_with(&[
            (iTXt, itxt_data("openbadges", URL)),
            (iTXt, itxt_data("openbadges", "https://x.org/2")),
        ]);
        let (found, extra) = unbake(&input, &limits()).expect("unbake");
        assert_eq!(found.len(), 1, "the first one wins");
        assert_eq!(found[0].payload, URL);
        assert_eq!(extra.len(), 1, "the second is reported");
        let (_, removed) = bake(&input, Version::V2, URL, &limits()).expect("bake");
        assert_eq!(removed.len(), 2);
    }

    #[test]
    fn the_other_versions_chunk_is_kept_and_both_are_reported() {
        let (v2, _) = bake(&png_1x1(), Version::V2, URL, &limits()).expect("bake");
        let (both, removed) = bake(&v2, Version::V3, "https://x.org/c", &limits()).expect("bake");
        assert!(removed.is_empty());
        let (found, _) = unbake(&both, &limits()).expect("unbake");
        let versions: Vec<_> = found.iter().map(|f| f.version).collect();
        assert_eq!(versions, [Version::V3, Version::V2]);
    }

    #[test]
    fn a_legacy_text_chunk_is_read_as_latin1() {
        let mut data = b"openbadges\0https://x.org/caf".to_vec();
        data.push(0xe9);
        let found = unbake_one(&png_with(&[(tEXt, data)]));
        assert_eq!(found.payload, "https://x.org/café");
        assert_eq!(found.container, "tEXt");
    }

    #[test]
    fn a_compressed_itxt_is_inflated() {
        let z = miniz_oxide::deflate::compress_to_vec_zlib(URL.as_bytes(), 6);
        let mut data = b"openbadges\0\x01\x00en\0Badge\0".to_vec();
        data.extend_from_slice(&z);
        let found = unbake_one(&png_with(&[(iTXt, data)]));
        assert_eq!(found.payload, URL);
        assert!(found.compressed);
    }

    #[test]
    fn a_ztxt_is_inflated() {
        let mut data = b"openbadges\0\0".to_vec();
        data.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(
            URL.as_bytes(),
            6,
        ));
        let found = unbake_one(&png_with(&[(zTXt, data)]));
        assert_eq!(
            (found.payload.as_str(), found.container.as_str()),
            (URL, "zTXt")
        );
    }

    #[test]
    fn compressed_text_over_the_cap_stops_at_the_cap() {
        let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![b'a'; 4 * 1024 * 1024], 9);
        assert!(bomb.len() < 10_000, "small on disk");
        let mut data = b"openbadges\0\x01\x00\0\0".to_vec();
        data.extend_from_slice(&bomb);
        assert_eq!(
            unbake(&png_with(&[(iTXt, data)]), &limits()),
            Err(BakeError::Limit(LimitError::Text { limit: 1024 * 1024 }))
        );
    }

    #[test]
    fn other_compressed_chunks_are_not_inflated() {
        // A broken zlib stream under a foreign keyword is never looked at.
        let input = png_with(&[(zTXt, b"Comment\0\0not zlib".to_vec())]);
        assert_eq!(unbake(&input, &limits()), Ok((Vec::new(), Vec::new())));
    }

    #[test]
    fn a_broken_compressed_openbadges_text_names_the_problem() {
        let input = png_with(&[(iTXt, b"openbadges\0\x01\x00\0\0not zlib".to_vec())]);
        let e = unbake(&input, &limits()).expect_err("broken");
        assert!(e.to_string().contains("zlib"), "{e}");
    }

    #[test]
    fn a_truncated_png_is_refused() {
        let png = png_1x1();
        for cut in [4, 8, 20, png.len() - 3] {
            let e = unbake(&png[..cut], &limits()).expect_err("truncated");
            assert!(
                matches!(e, BakeError::Image(ImageFault::Png(_))),
                "{cut}: {e}"
            );
        }
        assert_eq!(
            bake(&png[..png.len() - 12], Version::V2, URL, &limits()),
            Err(png_error(PngError::NoIend))
        );
    }

    #[test]
    fn a_bad_crc_on_a_chunk_emblem_reads_is_refused_naming_the_chunk() {
        let baked = bake(&png_1x1(), Version::V2, URL, &limits())
            .expect("bake")
            .0;
        // IHDR's CRC, then the baked iTXt's CRC (it ends 4 bytes before IDAT's length).
        let itxt_end = 8 + 25 + 12 + itxt_data("openbadges", URL).len();
        for (at, chunk) in [(8 + 24, "IHDR"), (itxt_end - 1, "iTXt")] {
            let mut png = baked.clone();
            png[at] ^= 0x55;
            let want = png_error(PngError::Crc {
                chunk: chunk.into(),
            });
            assert_eq!(unbake(&png, &limits()), Err(want.clone()), "{chunk}");
            assert_eq!(
                bake(&png, Version::V2, URL, &limits()),
                Err(want),
                "{chunk}"
            );
        }
    }

    #[test]
    fn image_data_passes_through_unread_crc_and_all() {
        let mut png = png_1x1();
        let at = png.len() - 13; // last byte of IDAT's CRC
        png[at] ^= 0x55;
        let (baked, _) = bake(&png, Version::V2, URL, &limits()).expect("bake");
        let tail = &png[8 + 25..];
        assert_eq!(
            &baked[baked.len() - tail.len()..],
            tail,
            "IDAT and IEND copied as they were"
        );
        assert_eq!(unbake(&baked, &limits()).expect("unbake").0[0].payload, URL);
    }

    #[test]
    fn a_chunk_length_past_the_end_is_truncation_not_a_panic() {
        let mut png = png_1x1();
        png[33..37].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(unbake(&png, &limits()), Err(png_error(PngError::Truncated)));
    }

    #[test]
    fn too_many_chunks_are_refused() {
        let many: Vec<_> = (0..20).map(|_| (*b"tIME", vec![0; 7])).collect();
        let tight = Limits {
            max_chunks: 10,
            ..limits()
        };
        assert_eq!(
            unbake(&png_with(&many), &tight),
            Err(png_error(PngError::TooManyChunks(10)))
        );
    }

    #[test]
    fn keywords_must_be_1_to_79_bytes() {
        assert_eq!(split_keyword(b"\0x"), None);
        assert_eq!(split_keyword(&[b'k'; 80]), None);
        let mut long = vec![b'k'; 79];
        long.push(0);
        assert!(split_keyword(&long).is_some());
    }

    #[test]
    fn a_second_ihdr_is_refused_both_ways() {
        // Found by fuzzing: baking wrote a credential after each IHDR, so two came back.
        let ihdr = vec![0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];
        let png = png_with(&[(IHDR, ihdr)]);
        let want = png_error(PngError::IhdrTwice);
        assert_eq!(
            bake(&png, Version::V2, "https://x.org/a", &limits()).map(drop),
            Err(want.clone())
        );
        assert_eq!(unbake(&png, &limits()).map(drop), Err(want));
        assert_eq!(
            crate::image::png_check::check(&png).map(drop),
            Err(PngError::IhdrTwice)
        );
    }

    #[test]
    fn the_first_chunk_must_be_ihdr() {
        let mut out = SIGNATURE.to_vec();
        write_chunk(&mut out, tEXt, b"a\0b");
        write_chunk(&mut out, IEND, b"");
        assert_eq!(
            unbake(&out, &limits()),
            Err(png_error(PngError::FirstNotIhdr("tEXt".into())))
        );
    }
}
