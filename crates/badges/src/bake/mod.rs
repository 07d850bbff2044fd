//! Baking: embedding an Open Badges credential in a PNG or SVG image, and reading it back
//! (docs/standards/baking.md §1, §2, §4).
//!
//! Baking ([`bake`]):
//!
//! 1. The image format is sniffed from the bytes ([`sniff`]): the PNG signature, or XML whose
//!    root is `<svg>` (however long the prolog). The input is capped by [`Limits::max_input`].
//! 2. The payload is classified ([`Payload::classify`]) as a URL, a JSON object or a compact
//!    JWS, and its Open Badges version is detected from the JSON `@context` (also inside a
//!    JWS payload); the caller may override the version.
//! 3. PNG ([`png`]): one uncompressed `iTXt` chunk right after IHDR, keyword `openbadges`
//!    (2.0) or `openbadgecredential` (3.0); every earlier chunk with that keyword (iTXt, tEXt
//!    or zTXt) is removed and reported; every other chunk is copied byte for byte.
//! 4. SVG ([`svg`]): `<openbadges:assertion>` (2.0) or `<openbadges:credential>` (3.0) as the
//!    first child of `<svg>`, any existing one replaced, scripts and event handlers removed.
//!
//! Unbaking ([`unbake`]) checks the whole container (PNG signature and every CRC; SVG
//! well-formedness, no DTD internal subset) and reports every credential found, first per
//! version, plus the duplicates it ignored.
//!
//! Everything here is pure: bytes in, bytes out, under a [`Limits`] budget.

pub mod fuzzing;
pub mod multipart;
pub mod png;
pub mod svg;

use base64::Engine as _;
use serde::Serialize;

use crate::error::{Error, FieldError};
use crate::image::ImageType;

pub use crate::context::{OB2_CONTEXT, OB3_CONTEXT_PREFIX, VC1_CONTEXT, VC2_CONTEXT};

/// Budgets for untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest image accepted, in bytes.
    pub max_input: usize,
    /// Most PNG chunks accepted.
    pub max_chunks: usize,
    /// Largest credential text, after inflating a compressed chunk.
    pub max_text: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input: 10 * 1024 * 1024,
            max_chunks: 4096,
            max_text: 1024 * 1024,
        }
    }
}

/// An Open Badges version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Version {
    /// Open Badges 2.0: PNG keyword `openbadges`, SVG `<assertion>` in `http://openbadges.org`.
    #[serde(rename = "2.0")]
    V2,
    /// Open Badges 3.0: PNG keyword `openbadgecredential`, SVG `<credential>` in
    /// `https://purl.imsglobal.org/ob/v3p0`.
    #[serde(rename = "3.0")]
    V3,
}

impl Version {
    /// Parse `"2.0"` / `"3.0"` (also `"2"` / `"3"`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "2.0" | "2" => Some(Self::V2),
            "3.0" | "3" => Some(Self::V3),
            _ => None,
        }
    }

    /// `"2.0"` or `"3.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2 => "2.0",
            Self::V3 => "3.0",
        }
    }
}

/// What a credential text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PayloadKind {
    /// An `http(s)` URL of a hosted assertion (or the legacy pre-2013 tEXt URL).
    Url,
    /// A JSON object: an assertion or a credential with an embedded proof.
    Json,
    /// A compact JWS: a signed assertion (2.0) or a VC-JWT (3.0).
    Jws,
    /// Anything else (only reported by unbaking; baking refuses it).
    Text,
}

/// A classified credential text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// The text, exactly as it is baked.
    pub text: String,
    /// What it is.
    pub kind: PayloadKind,
    /// The version its content declares, if it says.
    pub declared: Option<Version>,
}

impl Payload {
    /// Classify `text` (see the module docs). Surrounding whitespace is removed.
    pub fn classify(text: &str) -> Self {
        let text = text.trim();
        let (kind, declared) = if is_compact_jws(text) {
            (PayloadKind::Jws, jws_version(text))
        } else if text.starts_with('{') {
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) if v.is_object() => (PayloadKind::Json, json_version(&v)),
                _ => (PayloadKind::Text, None),
            }
        } else if is_http_url(text) {
            (PayloadKind::Url, None)
        } else {
            (PayloadKind::Text, None)
        };
        Self {
            text: text.to_owned(),
            kind,
            declared,
        }
    }

    /// Classify a credential read out of an image: the kind as [`Self::classify`] tells it,
    /// but no version read from the content (the PNG keyword or SVG element already says
    /// it), so a JSON payload is checked for syntax without building it.
    pub fn read(text: &str) -> Self {
        Self::read_owned(text.trim().to_owned())
    }

    /// [`Self::read`] of a text already owned (as an unbaked chunk's is), trimmed in place.
    pub fn read_owned(mut text: String) -> Self {
        text.truncate(text.trim_end().len());
        let lead = text.len() - text.trim_start().len();
        text.drain(..lead);
        // `{` cannot start a compact JWS (base64url only): JSON is settled first.
        let kind = if text.starts_with('{') {
            match serde_json::from_str::<serde::de::IgnoredAny>(&text) {
                Ok(_) => PayloadKind::Json,
                Err(_) => PayloadKind::Text,
            }
        } else if is_compact_jws(&text) {
            PayloadKind::Jws
        } else if is_http_url(&text) {
            PayloadKind::Url
        } else {
            PayloadKind::Text
        };
        Self {
            text,
            kind,
            declared: None,
        }
    }

    /// The version to bake as: the override, else the declared one; a bare URL is taken as a
    /// 2.0 hosted assertion (3.0 has no hosted verification).
    pub fn version(&self, requested: Option<Version>) -> Result<Version, BakeError> {
        if let Some(v) = requested {
            return Ok(v);
        }
        match (self.declared, self.kind) {
            (Some(v), _) => Ok(v),
            (None, PayloadKind::Url) => Ok(Version::V2),
            (None, _) => Err(BakeError::Payload(PayloadError::UnknownVersion)),
        }
    }
}

/// The compact JWS shape: three base64url segments, the middle one possibly empty.
pub fn is_compact_jws(s: &str) -> bool {
    let b64 = |p: &str| {
        p.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    };
    let mut parts = s.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(sig), None) => {
            !h.is_empty() && !sig.is_empty() && b64(h) && b64(p) && b64(sig)
        }
        _ => false,
    }
}

fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

/// The version a JSON document declares through its `@context`.
pub fn json_version(v: &serde_json::Value) -> Option<Version> {
    match crate::context::declared(v) {
        crate::context::Declared::Ob2 => Some(Version::V2),
        crate::context::Declared::Ob3 => Some(Version::V3),
        // A VC-JWT may carry the credential under the `vc` claim (VC-JWT 1.1 style).
        _ => v.get("vc").and_then(json_version),
    }
}

fn jws_version(jws: &str) -> Option<Version> {
    let payload = jws.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    json_version(&serde_json::from_slice(&bytes).ok()?)
}

/// Which container the bytes are.
pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
    if bytes.starts_with(&crate::image::png_check::SIGNATURE) {
        return Some(ImageType::Png);
    }
    // Look at the first 64 KiB (a long prolog or comment must not defeat the sniffing); a
    // cut in the middle of a UTF-8 sequence is fine: use the valid prefix.
    // Only the text up to the first `<svg` or `:svg` has to be valid UTF-8.
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let end = memchr::memmem::find_iter(head, b"svg")
        .find(|&at| at > 0 && matches!(head[at - 1], b'<' | b':'))?;
    let text = std::str::from_utf8(&head[..end + 3]).ok()?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('<').then_some(ImageType::Svg)
}

/// A chunk or element that baking removed, or that unbaking ignored as a duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// PNG chunk type (`iTXt`, `tEXt`, `zTXt`) or SVG element (`assertion`, `credential`).
    pub container: String,
    /// The PNG keyword or the SVG namespace.
    pub key: String,
}

/// A baked image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baked {
    /// PNG or SVG.
    pub format: ImageType,
    /// The version baked.
    pub version: Version,
    /// The payload kind baked.
    pub kind: PayloadKind,
    /// The image bytes.
    pub bytes: Vec<u8>,
    /// What was replaced.
    pub replaced: Vec<Removed>,
}

/// One credential found in an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// From the keyword or element.
    pub version: Version,
    /// What the text is.
    pub kind: PayloadKind,
    /// The text.
    pub payload: String,
    /// Where it was: `iTXt`, `tEXt`, `zTXt`, `assertion` or `credential`.
    pub container: String,
    /// Whether it had to be inflated (a compressed iTXt or a zTXt).
    pub compressed: bool,
}

/// What unbaking found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbaked {
    /// PNG or SVG.
    pub format: ImageType,
    /// The first credential of each version, in file order.
    pub found: Vec<Found>,
    /// Further chunks or elements with an Open Badges keyword, ignored.
    pub extra: Vec<Removed>,
}

/// Why baking or unbaking failed. Each variant says who is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BakeError {
    /// The image bytes are at fault.
    #[error("{0}")]
    Image(ImageFault),
    /// The payload is at fault.
    #[error("{0}")]
    Payload(PayloadError),
    /// A budget in [`Limits`] was exceeded.
    #[error("{0}")]
    Limit(LimitError),
    /// The image is fine but holds no credential (unbaking).
    #[error(
        "the image holds no Open Badges credential (no `openbadges` or `openbadgecredential` PNG text chunk, no <openbadges:assertion> or <openbadges:credential> SVG element)"
    )]
    NotBaked,
}

/// What is wrong with the image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageFault {
    /// Neither PNG nor SVG.
    #[error("is neither a PNG (no PNG signature) nor an SVG document")]
    Unknown,
    /// A broken PNG.
    #[error("is not a valid PNG: {0}")]
    Png(#[from] crate::image::png_check::PngError),
    /// A broken or unacceptable SVG.
    #[error("is not an acceptable SVG: {0}")]
    Svg(#[from] svg::SvgBakeError),
    /// A broken Open Badges text chunk.
    #[error("has a broken {chunk} chunk with keyword {keyword}: {reason} (PNG §11.3.3)")]
    TextChunk {
        /// `iTXt`, `tEXt` or `zTXt`.
        chunk: &'static str,
        /// The keyword.
        keyword: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
}

/// What is wrong with the payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// Not a URL, JSON object or JWS.
    #[error("must be an http(s) URL, a JSON object or a compact JWS")]
    Unrecognised,
    /// The version cannot be told from the content.
    #[error(
        "does not say its Open Badges version (no OB 2.0 or VC + OB 3.0 @context); send \"version\": \"2.0\" or \"3.0\""
    )]
    UnknownVersion,
    /// The text is empty.
    #[error("is empty")]
    Empty,
    /// A character XML 1.0 cannot hold (a C0 control other than tab, LF and CR, U+FFFE,
    /// U+FFFF), so the payload cannot be baked into an SVG.
    #[error("has the character U+{:04X}, which XML (and so an SVG) cannot hold", u32::from(*.0))]
    NotXml(char),
}

/// Which budget was exceeded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    /// The image is too large.
    #[error("the image is larger than {limit} bytes")]
    Input {
        /// The limit.
        limit: usize,
    },
    /// A credential text is too large (baked or after inflating).
    #[error("the credential text is larger than {limit} bytes")]
    Text {
        /// The limit.
        limit: usize,
    },
}

impl From<BakeError> for Error {
    fn from(e: BakeError) -> Self {
        match e {
            BakeError::Image(f) => Self::Invalid(vec![FieldError::new("image", f.to_string())]),
            BakeError::Payload(p) => Self::Invalid(vec![FieldError::new("payload", p.to_string())]),
            BakeError::Limit(LimitError::Input { limit }) => Self::PayloadTooLarge { limit },
            BakeError::Limit(l @ LimitError::Text { .. }) => {
                Self::Invalid(vec![FieldError::new("payload", l.to_string())])
            }
            BakeError::NotBaked => Self::Invalid(vec![FieldError::new("image", e.to_string())]),
        }
    }
}

/// Bake `payload` into `image` (see the module docs).
pub fn bake(
    image: &[u8],
    payload: &str,
    version: Option<Version>,
    limits: &Limits,
) -> Result<Baked, BakeError> {
    bake_image(image, payload, version, limits, false)
}

/// [`bake`] for a stored badge class image, which passed the upload check
/// ([`crate::image::svg_check::check`], [`crate::image::png_check::check`]) when it was stored: an SVG
/// is then copied after its root start tag without a scan when it cannot hold a credential
/// ([`svg::bake_stored`]). The result is the same as [`bake`]'s for such images.
pub fn bake_stored(
    image: &[u8],
    payload: &str,
    version: Option<Version>,
    limits: &Limits,
) -> Result<Baked, BakeError> {
    bake_image(image, payload, version, limits, true)
}

fn bake_image(
    image: &[u8],
    payload: &str,
    version: Option<Version>,
    limits: &Limits,
    stored: bool,
) -> Result<Baked, BakeError> {
    if image.len() > limits.max_input {
        return Err(BakeError::Limit(LimitError::Input {
            limit: limits.max_input,
        }));
    }
    // With the version given, nothing needs the JSON built (only checked).
    let payload = match version {
        Some(_) => Payload::read(payload),
        None => Payload::classify(payload),
    };
    if payload.text.is_empty() {
        return Err(BakeError::Payload(PayloadError::Empty));
    }
    if payload.kind == PayloadKind::Text {
        return Err(BakeError::Payload(PayloadError::Unrecognised));
    }
    if payload.text.len() > limits.max_text {
        return Err(BakeError::Limit(LimitError::Text {
            limit: limits.max_text,
        }));
    }
    let version = payload.version(version)?;
    let format = sniff(image).ok_or(BakeError::Image(ImageFault::Unknown))?;
    let (bytes, replaced) = match format {
        ImageType::Png => png::bake(image, version, &payload.text, limits)?,
        ImageType::Svg if stored => svg::bake_stored(image, version, &payload)?,
        ImageType::Svg => svg::bake(image, version, &payload)?,
    };
    Ok(Baked {
        format,
        version,
        kind: payload.kind,
        bytes,
        replaced,
    })
}

/// Read the credentials baked into `image` (see the module docs).
pub fn unbake(image: &[u8], limits: &Limits) -> Result<Unbaked, BakeError> {
    if image.len() > limits.max_input {
        return Err(BakeError::Limit(LimitError::Input {
            limit: limits.max_input,
        }));
    }
    let format = sniff(image).ok_or(BakeError::Image(ImageFault::Unknown))?;
    let (found, extra) = match format {
        ImageType::Png => png::unbake(image, limits)?,
        ImageType::Svg => svg::unbake(image)?,
    };
    if found.is_empty() {
        return Err(BakeError::NotBaked);
    }
    Ok(Unbaked {
        format,
        found,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWS: &str = "eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2lnbmF0dXJl";

    #[test]
    fn a_compact_jws_has_three_base64url_segments() {
        assert!(is_compact_jws(JWS));
        assert!(is_compact_jws("a..c"), "detached payload");
        assert!(!is_compact_jws("a.b"));
        assert!(!is_compact_jws("a.b.c.d"));
        assert!(!is_compact_jws(".b.c"));
        assert!(!is_compact_jws("a.b+.c"));
    }

    #[test]
    fn payloads_are_classified_as_url_json_or_jws() {
        assert_eq!(
            Payload::classify(" https://x.org/a/1 ").kind,
            PayloadKind::Url
        );
        assert_eq!(Payload::classify("{\"a\":1}").kind, PayloadKind::Json);
        assert_eq!(Payload::classify(JWS).kind, PayloadKind::Jws);
        assert_eq!(Payload::classify("hello").kind, PayloadKind::Text);
        assert_eq!(Payload::classify("[1]").kind, PayloadKind::Text);
        assert_eq!(Payload::classify("ftp://x.org/a").kind, PayloadKind::Text);
    }

    #[test]
    fn reading_tells_the_same_kind_as_classifying() {
        for text in [
            " https://x.org/a/1 ",
            "{\"a\":1}",
            "{\"a\":1",
            "{\"a\":1}x",
            JWS,
            "hello",
            "[1]",
            "ftp://x.org/a",
            "",
            " \n\t",
            "\r\n {\"a\":1} \n",
            "\u{3000}x\u{3000}",
        ] {
            let (read, classified) = (Payload::read(text), Payload::classify(text));
            assert_eq!(read.kind, classified.kind, "{text:?}");
            assert_eq!(read.text, classified.text, "{text:?}");
            assert_eq!(Payload::read_owned(text.to_owned()), read, "{text:?}");
        }
    }

    #[test]
    fn the_version_comes_from_the_json_context() {
        let ob2 = Payload::classify(r#"{"@context":"https://w3id.org/openbadges/v2"}"#);
        assert_eq!(ob2.declared, Some(Version::V2));
        let ob3 = Payload::classify(
            r#"{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]}"#,
        );
        assert_eq!(ob3.declared, Some(Version::V3));
        let vc_only = Payload::classify(r#"{"@context":["https://www.w3.org/ns/credentials/v2"]}"#);
        assert_eq!(vc_only.declared, None);
        assert_eq!(
            vc_only.version(None),
            Err(BakeError::Payload(PayloadError::UnknownVersion))
        );
        assert_eq!(vc_only.version(Some(Version::V3)), Ok(Version::V3));
    }

    #[test]
    fn the_version_of_a_jws_comes_from_its_payload() {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jws = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256"}"#),
            b64(
                r#"{"vc":{"@context":["https://www.w3.org/2018/credentials/v1","https://purl.imsglobal.org/spec/ob/v3p0/context.json"]}}"#
            )
        );
        assert_eq!(Payload::classify(&jws).declared, Some(Version::V3));
        let jws2 = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256"}"#),
            b64(r#"{"@context":"https://w3id.org/openbadges/v2"}"#)
        );
        assert_eq!(Payload::classify(&jws2).declared, Some(Version::V2));
    }

    #[test]
    fn a_bare_url_is_baked_as_a_hosted_2_0_assertion() {
        assert_eq!(
            Payload::classify("https://x.org/a").version(None),
            Ok(Version::V2)
        );
    }

    #[test]
    fn png_and_svg_are_sniffed_even_behind_a_long_prolog() {
        assert_eq!(
            sniff(&crate::image::fixtures::png_1x1()),
            Some(ImageType::Png)
        );
        let long = format!(
            "<?xml version=\"1.0\"?>\n<!--{}-->\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "x".repeat(1000)
        );
        assert_eq!(sniff(long.as_bytes()), Some(ImageType::Svg));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn an_image_over_the_input_limit_is_refused_before_parsing() {
        let limits = Limits {
            max_input: 10,
            ..Limits::default()
        };
        assert_eq!(
            unbake(&[0; 11], &limits),
            Err(BakeError::Limit(LimitError::Input { limit: 10 }))
        );
        let e: Error = BakeError::Limit(LimitError::Input { limit: 10 }).into();
        assert_eq!(e.status(), 413);
    }

    #[test]
    fn image_and_payload_faults_are_422_naming_the_field() {
        let e: Error = BakeError::Image(ImageFault::Unknown).into();
        assert_eq!(e.status(), 422);
        assert!(
            e.problem().detail.contains("`image`"),
            "{}",
            e.problem().detail
        );
        let e: Error = BakeError::Payload(PayloadError::Unrecognised).into();
        assert!(e.problem().detail.contains("`payload`"));
    }

    #[test]
    fn garbage_is_neither_png_nor_svg() {
        assert_eq!(
            bake(b"hello world", "https://x.org/a", None, &Limits::default()),
            Err(BakeError::Image(ImageFault::Unknown))
        );
    }

    #[test]
    fn a_text_payload_is_refused() {
        let png = crate::image::fixtures::png_1x1();
        assert_eq!(
            bake(&png, "not a badge", None, &Limits::default()),
            Err(BakeError::Payload(PayloadError::Unrecognised))
        );
        assert_eq!(
            bake(&png, "  ", None, &Limits::default()),
            Err(BakeError::Payload(PayloadError::Empty))
        );
    }
}
