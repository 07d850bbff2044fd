//! The properties the `cargo fuzz` targets for `POST /verify`'s parsers of untrusted input
//! check (`fuzz/fuzz_targets/{jws_parse,verify_input,multipart,data_uri}.rs`); the bakers'
//! are in [`crate::bake::fuzzing`]. Kept here so the inputs under `fuzz/regressions/` run
//! through exactly the same checks in the normal test suite (`tests/fuzz_regressions.rs`).
//! Each function panics when a property fails, which is what the fuzzer reports as a crash.
//!
//! - [`jws_parse`]: [`Jws::parse`], then [`Jws::algorithm`] and [`Jws::verify_rs256`] with a
//!   fixed key: no panic; what parses is bounded by the input, `verify` only passes RS256.
//! - [`verify_input`]: [`input::from_body`] with a content type from a small set (or any) and
//!   any body, and [`input::from_query`]: no panic, errors are 4xx problems, what is read is
//!   bounded by what was sent.
//! - [`multipart`]: [`multipart::boundary`] and [`multipart::parse`]: no panic; at most
//!   [`multipart::MAX_PARTS`] parts, each body a slice of the request body, in order, without
//!   the delimiter inside.
//! - [`data_uri`]: [`data_uri::parse`]: no panic; no more than the cap; base64 data re-encodes
//!   to what was sent (padding and white space aside) and percent-encoded data has only
//!   well-formed `%XX` escapes; re-encoding the bytes parses to the same bytes.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use crate::bake::{Limits, multipart};
use crate::image::{ImageType, MAX_IMAGE_BYTES, data_uri};
use crate::verify::input::{self, Subject, VerifyRequest};
use crate::verify::jws::Jws;

/// The public half of `tests/fixtures/verify/key-a.pem` (test only): the fixed key
/// [`jws_parse`] verifies with, so a seed signed with key-a reaches a matching signature.
pub const FUZZ_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtEIrxvQb6VQkt+7E/iUo
NYn04CYEUhW9QJ2Lyt4UY3Pl7VYFWm0R+dyXdY5J2rCqjHcr5af5Akgp9LKSIUww
rCj9iMLL7qr584SoywPraATo+FyEYwJ2+sqYVpa1WX4+CNMf3+tGt2dGmlfRotFP
2ySoxE7gUvDOzRWKDzPswDzofEGXodp8w2dkpClh0F4HNugZW2wwY52rHkniXHiC
5uRGyd3gf4CDdmWSiW4k4/p5bvEw4tDfXbGyuF5Yfb0IX0+EtBBz2IUPQh7D8LwW
QtiWAutr2MFx5LdUR7NIqJX1eBQ7R21xRxl37Hv5A1jUT+Eh8LcEBasc56t17Tuo
oQIDAQAB
-----END PUBLIC KEY-----
";

/// How much larger re-serialised JSON may be than the text it came from: a number such as
/// `1e15` is written back as `1000000000000000.0`.
fn json_bound(input_len: usize) -> usize {
    8 * input_len + 64
}

fn json_len(v: &impl serde::Serialize) -> usize {
    serde_json::to_vec(v).map_or(0, |b| b.len())
}

/// Splits `n` bytes (the first one giving the length, at most 255) off `data`.
fn take(data: &[u8]) -> (&[u8], &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return (&[], &[]);
    };
    rest.split_at(rest.len().min(usize::from(n)))
}

/// `data` as a compact JWS (see the module docs).
pub fn jws_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(jws) = Jws::parse(&text) else {
        return;
    };
    assert!(jws.payload.is_object(), "a payload that is not an object");
    assert!(
        json_len(&jws.header) + json_len(&jws.payload) <= json_bound(text.len()),
        "header and payload larger than the JWS allows"
    );
    assert_eq!(
        Jws::parse(&format!(" \n{text}\t")).as_ref(),
        Ok(&jws),
        "surrounding white space changes the parse"
    );
    let algorithm = jws.algorithm();
    if let Ok(alg) = algorithm {
        assert_eq!(alg, "RS256");
        assert_eq!(
            jws.header.get("alg").and_then(serde_json::Value::as_str),
            Some("RS256")
        );
    }
    if jws.verify_rs256(FUZZ_PUBLIC_KEY).is_ok() {
        assert!(
            algorithm.is_ok(),
            "a signature verified with another algorithm"
        );
    }
}

/// The content types [`verify_input`] chooses from (index = first byte modulo the length);
/// `None` stands for a missing header, and the last two are completed from the input.
const CONTENT_TYPES: [Option<&str>; 10] = [
    Some("application/json"),
    Some("application/ld+json; charset=utf-8"),
    Some("image/png"),
    Some("image/svg+xml"),
    Some("application/octet-stream"),
    Some("text/plain"),
    None,
    Some("Application/JSON"),
    Some("multipart/form-data; boundary="),
    Some(""),
];

/// `POST /verify` and `GET /verify` input (see the module docs). `data` is: a selector byte
/// for the content type, a length-prefixed query, a length-prefixed boundary (for
/// `multipart/form-data`) or whole content type (for the last choice), then the body.
pub fn verify_input(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (query, rest) = take(rest);
    let (extra, body) = take(rest);
    let query = String::from_utf8_lossy(query);
    let extra = String::from_utf8_lossy(extra);
    let content_type =
        CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()].map(|c| format!("{c}{extra}"));

    // What an image holds may be compressed: its text is capped instead.
    let read_bound = body.len().max(query.len()).max(Limits::default().max_text);
    match input::from_body(content_type.as_deref(), &query, body) {
        Ok(request) => check_request(&request, read_bound, body.len().max(query.len())),
        Err(e) => check_error(&e),
    }
    match input::from_query(&query) {
        Ok(Some(request)) => {
            assert_eq!(request.source, "url");
            check_request(&request, query.len(), query.len());
        }
        Ok(None) => {}
        Err(e) => check_error(&e),
    }
}

fn check_request(request: &VerifyRequest, subject_bound: usize, recipient_bound: usize) {
    assert!(
        ["url", "json", "jws", "png", "svg"].contains(&request.source),
        "source {:?}",
        request.source
    );
    match &request.subject {
        Subject::Url(url) => assert!(url.len() <= subject_bound, "URL longer than the input"),
        Subject::Jws(jws) => {
            assert!(jws.len() <= subject_bound, "JWS longer than the input");
            // What the flow does next with it.
            let _ = Jws::parse(jws);
        }
        Subject::Json(json) => {
            assert!(
                json_len(json) <= json_bound(subject_bound),
                "JSON larger than the input"
            );
        }
        Subject::NoBadge(why) => assert!(why.len() <= 256, "a long reason: {why:?}"),
    }
    if let Some(recipient) = &request.recipient {
        assert!(!recipient.value.is_empty(), "an empty recipient");
        assert_eq!(
            recipient.value,
            recipient.value.trim(),
            "an untrimmed recipient"
        );
        assert!(
            recipient.value.len() <= recipient_bound,
            "recipient longer than the input"
        );
    }
}

fn check_error(e: &crate::Error) {
    let problem = e.problem();
    assert!(
        (400..500).contains(&problem.status),
        "untrusted input gave a {} ({e:?})",
        problem.status
    );
}

/// A `multipart/form-data` body (see the module docs). `data` is a length-prefixed
/// `Content-Type` value, then the body.
pub fn multipart(data: &[u8]) {
    let (content_type, body) = take(data);
    let content_type = String::from_utf8_lossy(content_type);
    let Ok(boundary) = multipart::boundary(&content_type) else {
        return;
    };
    assert!((1..=70).contains(&boundary.len()), "boundary {boundary:?}");
    let Ok(parts) = multipart::parse(body, &boundary) else {
        return;
    };
    assert!(parts.len() <= multipart::MAX_PARTS, "{} parts", parts.len());
    let closing = format!("\r\n--{boundary}");
    let range = body.as_ptr_range();
    let mut after = range.start;
    let mut total = 0;
    for part in &parts {
        let p = part.body.as_ptr_range();
        assert!(
            range.start <= p.start && p.end <= range.end,
            "a part body outside the request body"
        );
        assert!(after <= p.start, "part bodies out of order or overlapping");
        after = p.end;
        total += part.body.len();
        assert!(
            !part
                .body
                .windows(closing.len())
                .any(|w| w == closing.as_bytes()),
            "a delimiter inside a part body"
        );
        for text in [
            Some(&part.name),
            part.filename.as_ref(),
            part.content_type.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            assert!(
                text.len() <= multipart::MAX_HEADER_BYTES,
                "a header over the cap"
            );
            assert!(!text.contains("\r\n"), "a header value across lines");
        }
    }
    assert!(total <= body.len());
}

/// The decoded-size caps [`data_uri`] chooses from (first byte modulo the length).
const CAPS: [usize; 5] = [0, 1, 100, 4096, MAX_IMAGE_BYTES];

/// A `data:` URI (see the module docs). `data` is a cap selector byte, then the URI.
pub fn data_uri(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let max = CAPS[usize::from(selector) % CAPS.len()];
    let text = String::from_utf8_lossy(rest);
    let Ok(uri) = data_uri::parse(&text, max) else {
        return;
    };
    assert!(
        uri.bytes.len() <= max,
        "{} bytes over the cap {max}",
        uri.bytes.len()
    );
    // The same reading of the URI as the parser's (RFC 2397).
    let (header, encoded) = text
        .get(5..)
        .and_then(|rest| rest.split_once(','))
        .expect("a data URI that parsed has a comma");
    let mut params = header.split(';').map(str::trim);
    let media_type = params.next().unwrap_or_default().to_ascii_lowercase();
    let base64 = params.any(|p| p.eq_ignore_ascii_case("base64"));
    let kind = match media_type.as_str() {
        "image/png" => ImageType::Png,
        "image/svg+xml" => ImageType::Svg,
        other => panic!("media type {other:?} accepted"),
    };
    assert_eq!(uri.kind, kind);
    if encoded.contains('%') {
        assert!(
            well_formed_escapes(encoded),
            "a malformed %-escape accepted in {encoded:?}"
        );
    }
    let canonical = if base64 {
        if !encoded.contains('%') {
            let sent: String = encoded
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            assert_eq!(
                STANDARD_NO_PAD.encode(&uri.bytes),
                sent.trim_end_matches('='),
                "base64 that does not re-encode to what was sent"
            );
        }
        format!("data:{media_type};base64,{}", STANDARD.encode(&uri.bytes))
    } else {
        assert_eq!(
            encoded.len().checked_sub(2 * encoded.matches('%').count()),
            Some(uri.bytes.len()),
            "percent-decoding did not take three characters for each escape"
        );
        let escaped: String = uri.bytes.iter().map(|b| format!("%{b:02X}")).collect();
        format!("data:{media_type},{escaped}")
    };
    assert_eq!(
        data_uri::parse(&canonical, max),
        Ok(uri),
        "the re-encoded URI reads differently"
    );
}

/// Whether every `%` in `s` starts a `%XX` escape of two hex digits (RFC 3986 §2.1).
fn well_formed_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter()
        .enumerate()
        .filter(|(_, c)| **c == b'%')
        .all(|(i, _)| {
            b.get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
        })
}
