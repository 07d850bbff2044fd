//! A small, bounded `multipart/form-data` reader (RFC 7578) for the bake and unbake routes.
//!
//! 1. The boundary comes from the `Content-Type` parameter (quoted or not, 1–70 characters).
//! 2. The body is split at `--boundary` lines; the preamble and epilogue are ignored.
//! 3. Each part's headers (at most [`MAX_HEADER_BYTES`]) give its `name`, optional `filename`
//!    and `Content-Type`; the part body is borrowed from the request body, never copied.
//! 4. At most [`MAX_PARTS`] parts; anything malformed is a typed error.
//!
//! Written by hand because the crates that do this are async/stream based and bring an HTTP
//! stack; the body is already in memory under the request cap.

/// Most parts accepted.
pub const MAX_PARTS: usize = 16;
/// Largest header block of one part.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The form field name.
    pub name: String,
    /// The file name, for file parts.
    pub filename: Option<String>,
    /// The part's `Content-Type`, if given.
    pub content_type: Option<String>,
    /// The bytes.
    pub body: &'a [u8],
}

/// Why a multipart body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MultipartError {
    /// No usable `boundary` parameter.
    #[error("the Content-Type has no valid boundary parameter")]
    NoBoundary,
    /// The first boundary line is missing.
    #[error("the body does not start with the boundary line")]
    NoFirstBoundary,
    /// A part has no end.
    #[error("a part is not closed by a boundary line")]
    Unterminated,
    /// A header block is too long or never ends.
    #[error("a part's headers are longer than {MAX_HEADER_BYTES} bytes or do not end")]
    Headers,
    /// A part has no `Content-Disposition: form-data; name=…`.
    #[error("a part has no Content-Disposition: form-data; name=\"…\" header")]
    NoName,
    /// Too many parts.
    #[error("the form has more than {MAX_PARTS} parts")]
    TooManyParts,
}

/// The boundary of a `multipart/form-data` content type, or None if it is not one.
pub fn boundary(content_type: &str) -> Result<String, MultipartError> {
    let mut params = content_type.split(';');
    let media = params.next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return Err(MultipartError::NoBoundary);
    }
    params
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| (1..=70).contains(&b.len()))
        .ok_or(MultipartError::NoBoundary)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Split `body` into its parts (see the module docs).
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, MultipartError> {
    let delimiter = format!("--{boundary}");
    let start = if body.starts_with(delimiter.as_bytes()) {
        0
    } else {
        find(body, format!("\r\n{delimiter}").as_bytes()).ok_or(MultipartError::NoFirstBoundary)?
            + 2
    };
    let mut rest = &body[start + delimiter.len()..];
    let closing = format!("\r\n{delimiter}");
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or(MultipartError::Unterminated)?;
        let header_end = find(&rest[..rest.len().min(MAX_HEADER_BYTES + 4)], b"\r\n\r\n")
            .ok_or(MultipartError::Headers)?;
        let headers =
            std::str::from_utf8(&rest[..header_end]).map_err(|_| MultipartError::Headers)?;
        let content = &rest[header_end + 4..];
        let end = find(content, closing.as_bytes()).ok_or(MultipartError::Unterminated)?;
        if parts.len() == MAX_PARTS {
            return Err(MultipartError::TooManyParts);
        }
        parts.push(part(headers, &content[..end])?);
        rest = &content[end + closing.len()..];
    }
}

fn part<'a>(headers: &str, body: &'a [u8]) -> Result<Part<'a>, MultipartError> {
    let mut name = None;
    let mut filename = None;
    let mut content_type = None;
    for line in headers.split("\r\n") {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        if key.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_owned());
        } else if key.eq_ignore_ascii_case("content-disposition") {
            let mut params = value.split(';');
            if !params
                .next()
                .is_some_and(|d| d.trim().eq_ignore_ascii_case("form-data"))
            {
                return Err(MultipartError::NoName);
            }
            for p in params {
                if let Some((k, v)) = p.split_once('=') {
                    let v = v.trim().trim_matches('"').to_owned();
                    match k.trim().to_ascii_lowercase().as_str() {
                        "name" => name = Some(v),
                        "filename" => filename = Some(v),
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(Part {
        name: name.ok_or(MultipartError::NoName)?,
        filename,
        content_type,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=\"XyZ\"";

    fn form() -> Vec<u8> {
        let mut b = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
        b.extend_from_slice(b"\x89PNG\r\n--Xy not the end");
        b.extend_from_slice(b"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\nhttps://x.org/a\r\n--XyZ--\r\n");
        b
    }

    #[test]
    fn the_boundary_is_read_from_the_content_type() {
        assert_eq!(boundary(CT), Ok("XyZ".into()));
        assert_eq!(
            boundary("multipart/form-data;boundary=abc"),
            Ok("abc".into())
        );
        assert_eq!(
            boundary("application/json"),
            Err(MultipartError::NoBoundary)
        );
        assert_eq!(
            boundary("multipart/form-data"),
            Err(MultipartError::NoBoundary)
        );
    }

    #[test]
    fn parts_are_split_with_their_names_and_types() {
        let body = form();
        let parts = parse(&body, "XyZ").expect("parts");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "image");
        assert_eq!(parts[0].filename.as_deref(), Some("a.png"));
        assert_eq!(parts[0].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[0].body, b"\x89PNG\r\n--Xy not the end");
        assert_eq!(parts[1].body, b"https://x.org/a");
    }

    #[test]
    fn a_part_without_an_end_is_refused() {
        let body = form();
        assert_eq!(
            parse(&body[..body.len() - 12], "XyZ"),
            Err(MultipartError::Unterminated)
        );
        assert_eq!(parse(b"hello", "XyZ"), Err(MultipartError::NoFirstBoundary));
    }

    #[test]
    fn too_many_parts_are_refused() {
        let mut body = Vec::new();
        for _ in 0..=MAX_PARTS {
            body.extend_from_slice(
                b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n",
            );
        }
        body.extend_from_slice(b"--b--");
        assert_eq!(parse(&body, "b"), Err(MultipartError::TooManyParts));
    }

    #[test]
    fn a_part_without_a_name_is_refused() {
        let body = b"--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--";
        assert_eq!(parse(body, "b"), Err(MultipartError::NoName));
    }
}
