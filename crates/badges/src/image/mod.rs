//! Issuer and badge class images: a data URI whose bytes really are PNG or SVG, or an
//! `https` URL.
//!
//! 1. A value starting with `data:` is parsed as an RFC 2397 data URI ([`data_uri`]); only
//!    `image/png` and `image/svg+xml` are accepted (OB 2.0 errata: every image must be PNG or
//!    SVG, docs/standards/ob2.md §1), base64 or percent-encoded, at most [`MAX_IMAGE_BYTES`] decoded.
//! 2. The decoded bytes must be what the media type says: a PNG with a valid signature, IHDR,
//!    chunk CRCs, an IDAT and a final IEND ([`png`]); or a well-formed SVG document whose root is
//!    `<svg>` in the SVG namespace, with no DTD, no entities and no active content ([`svg`]).
//!    Unsafe SVG is **rejected, not sanitised**: what we store and later bake is exactly what
//!    the issuer sent, and the error names the offending element or attribute.
//! 3. Any other value must be an absolute `https` URL; it is referenced, never fetched.
//!
//! Uploaded bytes are stored under `image/<owner-id>` and served by the hosting component at
//! `/issuers/<id>/image` or `/badges/<id>/image`.

pub mod data_uri;
pub mod png_check;
mod svg_attributes;
pub mod svg_check;

use serde::{Deserialize, Serialize};

use crate::validate::url::https_url;

/// Largest decoded image accepted: 512 KiB.
pub const MAX_IMAGE_BYTES: usize = 512 * 1024;

/// The two image formats Open Badges 2.0 allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageType {
    /// `image/png`
    #[serde(rename = "image/png")]
    Png,
    /// `image/svg+xml`
    #[serde(rename = "image/svg+xml")]
    Svg,
}

impl ImageType {
    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Svg => "image/svg+xml",
        }
    }
}

/// A validated image field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageInput {
    /// Uploaded bytes, checked to be of their declared type.
    Upload {
        /// PNG or SVG.
        kind: ImageType,
        /// The decoded bytes.
        bytes: Vec<u8>,
    },
    /// An `https` URL, referenced as is.
    Remote(String),
}

/// Why an image field was refused. The message completes "`image` …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The data URI is malformed, of the wrong type or too large.
    #[error(transparent)]
    DataUri(#[from] data_uri::DataUriError),
    /// The bytes claim to be PNG but are not a valid PNG.
    #[error("is not a valid PNG: {0}")]
    Png(#[from] png_check::PngError),
    /// The bytes claim to be SVG but are not a safe SVG document.
    #[error("is not an acceptable SVG: {0}")]
    Svg(#[from] svg_check::SvgError),
    /// Neither a data URI nor an https URL.
    #[error("must be a data:image/png or data:image/svg+xml data URI, or an https URL ({0})")]
    NotAnImage(String),
}

/// Validate an image field (see the module docs).
pub fn parse(value: &str) -> Result<ImageInput, ImageError> {
    let value = value.trim();
    if value
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("data:"))
    {
        let uri = data_uri::parse(value, MAX_IMAGE_BYTES)?;
        match uri.kind {
            ImageType::Png => {
                png_check::check(&uri.bytes)?;
            }
            ImageType::Svg => svg_check::check(&uri.bytes)?,
        }
        return Ok(ImageInput::Upload {
            kind: uri.kind,
            bytes: uri.bytes,
        });
    }
    https_url(value)
        .map(ImageInput::Remote)
        .map_err(ImageError::NotAnImage)
}

/// Test images shared by the tests of this crate and of the crates above it (feature
/// `fixtures`).
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures {
    /// A valid 1×1 RGBA PNG.
    pub fn png_1x1() -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut out, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
        // zlib stream of one scanline: filter 0 + 4 zero bytes (stored block).
        chunk(
            &mut out,
            b"IDAT",
            &[
                0x78, 0x01, 0x01, 0x05, 0x00, 0xfa, 0xff, 0, 0, 0, 0, 0, 0x00, 0x05, 0x00, 0x01,
            ],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    /// Append one chunk: length, type, data, CRC.
    pub fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut h = crc32fast::Hasher::new();
        h.update(kind);
        h.update(data);
        out.extend_from_slice(&h.finalize().to_be_bytes());
    }

    /// A minimal valid SVG.
    pub const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="4" fill="gold"/></svg>"#;

    /// `bytes` as a base64 data URI of `media_type`.
    pub fn data_uri(media_type: &str, bytes: &[u8]) -> String {
        use base64::Engine as _;
        format!(
            "data:{media_type};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn a_png_data_uri_becomes_an_upload() {
        let img = parse(&data_uri("image/png", &png_1x1())).expect("png");
        assert_eq!(
            img,
            ImageInput::Upload {
                kind: ImageType::Png,
                bytes: png_1x1()
            }
        );
    }

    #[test]
    fn an_svg_data_uri_becomes_an_upload() {
        let img = parse(&data_uri("image/svg+xml", SVG.as_bytes())).expect("svg");
        assert!(matches!(
            img,
            ImageInput::Upload {
                kind: ImageType::Svg,
                ..
            }
        ));
    }

    #[test]
    fn an_https_url_is_kept_as_a_reference() {
        assert_eq!(
            parse("https://cdn.example.org/badge.png"),
            Ok(ImageInput::Remote(
                "https://cdn.example.org/badge.png".into()
            ))
        );
    }

    #[test]
    fn plain_http_and_other_strings_are_refused() {
        for bad in [
            "http://example.org/a.png",
            "badge.png",
            "javascript:alert(1)",
        ] {
            assert!(
                matches!(parse(bad), Err(ImageError::NotAnImage(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn svg_bytes_declared_as_png_are_refused() {
        let e = parse(&data_uri("image/png", SVG.as_bytes())).expect_err("not png");
        assert!(e.to_string().starts_with("is not a valid PNG"), "{e}");
    }

    #[test]
    fn png_bytes_declared_as_svg_are_refused() {
        let e = parse(&data_uri("image/svg+xml", &png_1x1())).expect_err("not svg");
        assert!(matches!(e, ImageError::Svg(_)), "{e}");
    }

    #[test]
    fn a_png_signature_followed_by_garbage_is_refused() {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend_from_slice(b"this is not a chunk stream at all");
        assert!(matches!(
            parse(&data_uri("image/png", &bytes)),
            Err(ImageError::Png(_))
        ));
    }
}
