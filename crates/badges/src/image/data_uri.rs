//! RFC 2397 `data:` URIs for images: `data:<media type>[;params][;base64],<data>`.

use base64::Engine as _;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::ImageType;

/// Standard base64, padding optional (issuers' tools differ).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A decoded image data URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataUri {
    /// PNG or SVG, from the media type.
    pub kind: ImageType,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// Why a data URI was refused. Messages complete "`image` …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataUriError {
    /// No comma between header and data.
    #[error("is not a valid data URI: it has no comma between the media type and the data")]
    NoComma,
    /// A media type other than PNG or SVG.
    #[error(
        "has media type {0:?}; only image/png and image/svg+xml are allowed (Open Badges 2.0 errata)"
    )]
    UnsupportedType(String),
    /// The base64 data does not decode.
    #[error("has data that is not valid base64")]
    BadBase64,
    /// The percent-encoded data does not decode.
    #[error("has a malformed percent-escape in its data")]
    BadPercent,
    /// PNG data must be base64.
    #[error("declares image/png without ;base64; PNG data URIs must be base64-encoded")]
    PngNotBase64,
    /// More than the cap once decoded.
    #[error("is larger than {max} bytes once decoded ({size} bytes)")]
    TooLarge {
        /// Decoded (or estimated) size.
        size: usize,
        /// The cap.
        max: usize,
    },
    /// Nothing after the comma.
    #[error("is an empty data URI")]
    Empty,
}

/// Parse and decode an image data URI, refusing more than `max` decoded bytes.
pub fn parse(s: &str, max: usize) -> Result<DataUri, DataUriError> {
    let rest = s.get(5..).unwrap_or_default();
    let (header, data) = rest.split_once(',').ok_or(DataUriError::NoComma)?;
    let mut params = header.split(';').map(str::trim);
    let media_type = params.next().unwrap_or_default().to_ascii_lowercase();
    let base64 = params.any(|p| p.eq_ignore_ascii_case("base64"));
    let kind = match media_type.as_str() {
        "image/png" => ImageType::Png,
        "image/svg+xml" => ImageType::Svg,
        _ => return Err(DataUriError::UnsupportedType(media_type)),
    };
    if data.is_empty() {
        return Err(DataUriError::Empty);
    }
    let bytes = if base64 {
        let estimate = data.len() / 4 * 3;
        if estimate > max + 3 {
            return Err(DataUriError::TooLarge {
                size: estimate,
                max,
            });
        }
        let compact: Vec<u8> = if data.contains('%') {
            percent_decode(data)?
        } else {
            data.as_bytes().to_vec()
        }
        .into_iter()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
        BASE64
            .decode(&compact)
            .map_err(|_| DataUriError::BadBase64)?
    } else {
        if kind == ImageType::Png {
            return Err(DataUriError::PngNotBase64);
        }
        percent_decode(data)?
    };
    // Data of only white space (or escaped white space) decodes to nothing.
    if bytes.is_empty() {
        return Err(DataUriError::Empty);
    }
    if bytes.len() > max {
        return Err(DataUriError::TooLarge {
            size: bytes.len(),
            max,
        });
    }
    Ok(DataUri { kind, bytes })
}

fn percent_decode(s: &str) -> Result<Vec<u8>, DataUriError> {
    crate::validate::url::percent_decode(s).ok_or(DataUriError::BadPercent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_data_is_decoded_with_or_without_padding() {
        let a = parse("data:image/svg+xml;base64,PHN2Zz4=", 100).expect("padded");
        let b = parse("data:image/svg+xml;base64,PHN2Zz4", 100).expect("unpadded");
        assert_eq!(a.bytes, b"<svg>");
        assert_eq!(b.bytes, b"<svg>");
    }

    #[test]
    fn percent_encoded_svg_is_decoded() {
        let uri = parse("data:image/svg+xml;charset=utf-8,%3Csvg%3E%3C/svg%3E", 100).expect("ok");
        assert_eq!(uri.kind, ImageType::Svg);
        assert_eq!(uri.bytes, b"<svg></svg>");
        let utf8 = parse("data:image/svg+xml;utf8,<svg></svg>", 100).expect("ok");
        assert_eq!(utf8.bytes, b"<svg></svg>");
    }

    #[test]
    fn media_types_are_case_insensitive() {
        let uri = parse("data:Image/PNG;BASE64,iVBORw0KGgo=", 100).expect("ok");
        assert_eq!(uri.kind, ImageType::Png);
    }

    #[test]
    fn other_media_types_are_refused_by_name() {
        assert_eq!(
            parse("data:image/jpeg;base64,/9j/", 100),
            Err(DataUriError::UnsupportedType("image/jpeg".into()))
        );
        assert_eq!(
            parse("data:,hello", 100),
            Err(DataUriError::UnsupportedType(String::new()))
        );
    }

    #[test]
    fn malformed_data_uris_are_refused() {
        assert_eq!(
            parse("data:image/png;base64", 100),
            Err(DataUriError::NoComma)
        );
        assert_eq!(
            parse("data:image/png;base64,***", 100),
            Err(DataUriError::BadBase64)
        );
        assert_eq!(
            parse("data:image/svg+xml,%3", 100),
            Err(DataUriError::BadPercent)
        );
        assert_eq!(
            parse("data:image/png,abc", 100),
            Err(DataUriError::PngNotBase64)
        );
        assert_eq!(
            parse("data:image/png;base64,", 100),
            Err(DataUriError::Empty)
        );
    }

    #[test]
    fn a_percent_escape_is_two_hex_digits() {
        // `%+A` was read as 0x0A (found by the data_uri fuzz target).
        for uri in [
            "data:image/svg+xml,%+A",
            "data:image/svg+xml,%-1",
            "data:image/png;base64,%+AdQ",
            "data:image/svg+xml,% A",
        ] {
            assert_eq!(parse(uri, 100), Err(DataUriError::BadPercent), "{uri:?}");
        }
        assert_eq!(
            parse("data:image/svg+xml,%3c%3E", 100).map(|u| u.bytes),
            Ok(b"<>".to_vec())
        );
    }

    #[test]
    fn data_that_decodes_to_nothing_is_empty() {
        // Found by the data_uri fuzz target (fuzz/regressions/data_uri/).
        for uri in [
            "data:image/png;base64,\n",
            "data:image/png;base64, %20\t",
            "data:image/svg+xml;base64,%0A",
        ] {
            assert_eq!(parse(uri, 100), Err(DataUriError::Empty), "{uri:?}");
        }
    }

    #[test]
    fn oversized_images_are_refused_before_and_after_decoding() {
        let big = format!("data:image/png;base64,{}", "A".repeat(4000));
        assert!(matches!(
            parse(&big, 1000),
            Err(DataUriError::TooLarge { max: 1000, .. })
        ));
        let svg = format!("data:image/svg+xml,{}", "a".repeat(1001));
        assert_eq!(
            parse(&svg, 1000),
            Err(DataUriError::TooLarge {
                size: 1001,
                max: 1000
            })
        );
    }
}
