//! Structural PNG check: is this byte string really a PNG?
//!
//! 1. The 8-byte signature (PNG §5.2).
//! 2. The chunk stream (PNG §5.3): every chunk's length fits in the data, its type is four ASCII
//!    letters and its CRC-32 over type + data matches.
//! 3. The first chunk, and no other, is IHDR of 13 bytes with a non-zero size, an allowed bit depth for its
//!    colour type, and methods compression 0, filter 0, interlace 0 or 1 (PNG §11.2.2).
//! 4. At least one IDAT, and IEND last with nothing after it (PNG §5.6).
//!
//! Pixel data is not inflated: we store and serve the bytes, we never decode the image.
//! Written by hand because it is a few dozen lines over `crc32fast` and a full decoder (the
//! `png` crate) would inflate data we never need.

/// The PNG signature.
pub const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Most chunks accepted in one image; real badges have a handful.
pub const MAX_CHUNKS: usize = 4096;

/// Width and height from IHDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PngInfo {
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// Why bytes are not a valid PNG. Messages complete "is not a valid PNG: …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PngError {
    /// Wrong first 8 bytes.
    #[error("it does not start with the PNG signature (PNG §5.2)")]
    Signature,
    /// The data ends inside a chunk.
    #[error("it ends in the middle of a chunk (PNG §5.3)")]
    Truncated,
    /// A chunk type is not four ASCII letters.
    #[error("a chunk type is not four ASCII letters (PNG §5.3)")]
    ChunkType,
    /// A chunk's CRC does not match.
    #[error("the {chunk} chunk's CRC does not match its contents (PNG §5.3)")]
    Crc {
        /// The chunk type.
        chunk: String,
    },
    /// The first chunk is not IHDR.
    #[error("the first chunk must be IHDR, found {0} (PNG §5.6)")]
    FirstNotIhdr(String),
    /// A second IHDR.
    #[error("it has a second IHDR chunk; IHDR comes once, first (PNG §5.6)")]
    IhdrTwice,
    /// IHDR of the wrong length.
    #[error("IHDR must hold 13 bytes, found {0} (PNG §11.2.2)")]
    IhdrLength(u32),
    /// Zero or out-of-range dimensions.
    #[error(
        "width and height must be 1 to 2147483647 pixels, found {width}×{height} (PNG §11.2.2)"
    )]
    Dimensions {
        /// IHDR width.
        width: u32,
        /// IHDR height.
        height: u32,
    },
    /// Bit depth not allowed for the colour type.
    #[error("bit depth {depth} is not allowed with colour type {color} (PNG §11.2.2)")]
    DepthForColor {
        /// IHDR bit depth.
        depth: u8,
        /// IHDR colour type.
        color: u8,
    },
    /// Unknown compression, filter or interlace method.
    #[error("compression, filter and interlace methods must be 0, 0 and 0 or 1 (PNG §11.2.2)")]
    Methods,
    /// No image data.
    #[error("it has no IDAT chunk (PNG §5.6)")]
    NoIdat,
    /// No IEND, or data after it.
    #[error("it does not end with an IEND chunk (PNG §5.6)")]
    NoIend,
    /// Too many chunks (the limit is carried).
    #[error("it has more than {0} chunks")]
    TooManyChunks(usize),
}

/// Check that `bytes` are a structurally valid PNG (see the module docs).
pub fn check(bytes: &[u8]) -> Result<PngInfo, PngError> {
    let rest = bytes.strip_prefix(&SIGNATURE).ok_or(PngError::Signature)?;
    let mut chunks = Chunks::new(rest, MAX_CHUNKS);
    let (kind, ihdr) = chunks.next_chunk()?.ok_or(PngError::Truncated)?;
    if &kind != b"IHDR" {
        return Err(PngError::FirstNotIhdr(name(&kind)));
    }
    let info = check_ihdr(ihdr)?;
    let mut idat = false;
    while let Some((kind, _)) = chunks.next_chunk()? {
        match &kind {
            b"IDAT" => idat = true,
            b"IHDR" => return Err(PngError::IhdrTwice),
            b"IEND" => {
                if !idat {
                    return Err(PngError::NoIdat);
                }
                if !chunks.rest.is_empty() {
                    return Err(PngError::NoIend);
                }
                return Ok(info);
            }
            _ => {}
        }
    }
    Err(if idat {
        PngError::NoIend
    } else {
        PngError::NoIdat
    })
}

fn check_ihdr(data: &[u8]) -> Result<PngInfo, PngError> {
    let d: &[u8; 13] = data
        .try_into()
        .map_err(|_| PngError::IhdrLength(u32::try_from(data.len()).unwrap_or(u32::MAX)))?;
    let width = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
    let height = u32::from_be_bytes([d[4], d[5], d[6], d[7]]);
    let max = 1u32 << 31;
    if width == 0 || height == 0 || width >= max || height >= max {
        return Err(PngError::Dimensions { width, height });
    }
    let (depth, color) = (d[8], d[9]);
    let allowed: &[u8] = match color {
        0 => &[1, 2, 4, 8, 16],
        3 => &[1, 2, 4, 8],
        2 | 4 | 6 => &[8, 16],
        _ => &[],
    };
    if !allowed.contains(&depth) {
        return Err(PngError::DepthForColor { depth, color });
    }
    if d[10] != 0 || d[11] != 0 || d[12] > 1 {
        return Err(PngError::Methods);
    }
    Ok(PngInfo { width, height })
}

pub(crate) fn name(kind: &[u8; 4]) -> String {
    String::from_utf8_lossy(kind).into_owned()
}

/// A chunk's type and data.
type Chunk<'a> = ([u8; 4], &'a [u8]);

/// A chunk's type, data and whole bytes (length, type, data, CRC).
pub(crate) type RawChunk<'a> = ([u8; 4], &'a [u8], &'a [u8]);

/// Walks the chunk stream after the signature (shared with [`crate::bake::png`]).
#[derive(Debug)]
pub(crate) struct Chunks<'a> {
    /// The bytes not yet walked.
    pub(crate) rest: &'a [u8],
    count: usize,
    max: usize,
}

impl<'a> Chunks<'a> {
    /// Walk `rest` (the bytes after the signature), refusing more than `max` chunks.
    pub(crate) fn new(rest: &'a [u8], max: usize) -> Self {
        Self {
            rest,
            count: 0,
            max,
        }
    }

    /// The next chunk's type and data, with its length and CRC checked; None at the end.
    pub(crate) fn next_chunk(&mut self) -> Result<Option<Chunk<'a>>, PngError> {
        Ok(self.next_raw()?.map(|(kind, data, _)| (kind, data)))
    }

    /// Like [`Self::next_chunk`], plus the whole chunk as it appears in the file
    /// (length, type, data and CRC), for copying it byte for byte.
    pub(crate) fn next_raw(&mut self) -> Result<Option<RawChunk<'a>>, PngError> {
        let chunk = self.next_framed()?;
        if let Some((kind, data, raw)) = chunk {
            check_crc(kind, data, raw)?;
        }
        Ok(chunk)
    }

    /// The next chunk with its framing checked (length within the file, type made of
    /// letters, the chunk budget) but not its CRC: for chunks passed through unread, whose
    /// CRC the caller checks only when it interprets their bytes ([`check_crc`]).
    pub(crate) fn next_framed(&mut self) -> Result<Option<RawChunk<'a>>, PngError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        self.count += 1;
        if self.count > self.max {
            return Err(PngError::TooManyChunks(self.max));
        }
        let header = self.rest.get(..8).ok_or(PngError::Truncated)?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = [header[4], header[5], header[6], header[7]];
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(PngError::ChunkType);
        }
        let len = usize::try_from(len).map_err(|_| PngError::Truncated)?;
        let end = len.checked_add(12).ok_or(PngError::Truncated)?;
        let chunk = self.rest.get(..end).ok_or(PngError::Truncated)?;
        self.rest = &self.rest[end..];
        Ok(Some((kind, &chunk[8..8 + len], chunk)))
    }
}

/// Check a chunk's CRC (over its type and data) against the one stored after the data.
pub(crate) fn check_crc(kind: [u8; 4], data: &[u8], raw: &[u8]) -> Result<(), PngError> {
    let stored = raw
        .last_chunk::<4>()
        .map(|b| u32::from_be_bytes(*b))
        .ok_or(PngError::Truncated)?;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&kind);
    crc.update(data);
    if crc.finalize() == stored {
        Ok(())
    } else {
        Err(PngError::Crc { chunk: name(&kind) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::fixtures::{chunk, png_1x1};

    fn png_with_ihdr(ihdr: &[u8]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        chunk(&mut out, b"IHDR", ihdr);
        chunk(&mut out, b"IDAT", &[0]);
        chunk(&mut out, b"IEND", &[]);
        out
    }

    #[test]
    fn a_minimal_png_passes_and_reports_its_size() {
        assert_eq!(
            check(&png_1x1()),
            Ok(PngInfo {
                width: 1,
                height: 1
            })
        );
    }

    #[test]
    fn a_wrong_signature_is_refused() {
        let mut bytes = png_1x1();
        bytes[1] = b'J';
        assert_eq!(check(&bytes), Err(PngError::Signature));
        assert_eq!(check(b""), Err(PngError::Signature));
    }

    #[test]
    fn a_signature_alone_is_truncated() {
        assert_eq!(check(&SIGNATURE), Err(PngError::Truncated));
    }

    #[test]
    fn a_corrupted_ihdr_crc_is_refused() {
        let mut bytes = png_1x1();
        bytes[8 + 8 + 3] ^= 0xff; // a width byte inside IHDR
        assert_eq!(
            check(&bytes),
            Err(PngError::Crc {
                chunk: "IHDR".into()
            })
        );
    }

    #[test]
    fn zero_dimensions_are_refused() {
        let bytes = png_with_ihdr(&[0, 0, 0, 0, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
        assert_eq!(
            check(&bytes),
            Err(PngError::Dimensions {
                width: 0,
                height: 1
            })
        );
    }

    #[test]
    fn bit_depths_must_suit_the_colour_type() {
        let bytes = png_with_ihdr(&[0, 0, 0, 1, 0, 0, 0, 1, 4, 6, 0, 0, 0]);
        assert_eq!(
            check(&bytes),
            Err(PngError::DepthForColor { depth: 4, color: 6 })
        );
        let bytes = png_with_ihdr(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 5, 0, 0, 0]);
        assert!(matches!(check(&bytes), Err(PngError::DepthForColor { .. })));
    }

    #[test]
    fn unknown_methods_are_refused() {
        let bytes = png_with_ihdr(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 2]);
        assert_eq!(check(&bytes), Err(PngError::Methods));
    }

    #[test]
    fn ihdr_must_be_first_and_thirteen_bytes() {
        let mut out = SIGNATURE.to_vec();
        chunk(&mut out, b"tEXt", b"a\0b");
        assert_eq!(check(&out), Err(PngError::FirstNotIhdr("tEXt".into())));
        let bytes = png_with_ihdr(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0]);
        assert_eq!(check(&bytes), Err(PngError::IhdrLength(12)));
    }

    #[test]
    fn a_png_without_image_data_or_end_is_refused() {
        let mut out = SIGNATURE.to_vec();
        chunk(&mut out, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
        let mut no_idat = out.clone();
        chunk(&mut no_idat, b"IEND", &[]);
        assert_eq!(check(&no_idat), Err(PngError::NoIdat));
        chunk(&mut out, b"IDAT", &[0]);
        assert_eq!(check(&out), Err(PngError::NoIend));
    }

    #[test]
    fn data_after_iend_is_refused() {
        let mut bytes = png_1x1();
        bytes.extend_from_slice(b"trailing");
        assert_eq!(check(&bytes), Err(PngError::NoIend));
    }

    #[test]
    fn a_chunk_claiming_more_bytes_than_exist_is_truncated() {
        let mut bytes = png_1x1();
        let at = 8 + 25; // the IDAT length field
        bytes[at..at + 4].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
        assert_eq!(check(&bytes), Err(PngError::Truncated));
    }

    #[test]
    fn a_bad_crc_in_a_later_chunk_is_refused() {
        let mut bytes = png_1x1();
        let last = bytes.len() - 1;
        bytes[last] ^= 1; // IEND's CRC
        assert_eq!(
            check(&bytes),
            Err(PngError::Crc {
                chunk: "IEND".into()
            })
        );
    }
}
