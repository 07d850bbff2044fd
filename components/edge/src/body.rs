//! Reading request bodies under a cap.
//!
//! 1. If `Content-Length` announces more than the cap, refuse with 413 without reading.
//! 2. Otherwise stream the body chunk by chunk and stop with 413 as soon as the total would
//!    pass the cap, so an unbounded (chunked) body never fills memory.

use bytes::Bytes;
use emblem_web::Error;
use emblem_web::error::Malformed;
use futures::{Stream, StreamExt};
use spin_sdk::http::Request;
use spin_sdk::http::body::IncomingBodyExt;

/// Read the request body, at most `cap` bytes.
pub async fn read(req: Request, cap: usize) -> Result<Vec<u8>, Error> {
    let declared = super::request::content_length(req.headers());
    read_capped(req.into_body().stream(), declared, cap).await
}

/// Read `stream` to the end, refusing more than `cap` bytes (see the module docs).
pub async fn read_capped<S, E>(
    stream: S,
    declared: Option<u64>,
    cap: usize,
) -> Result<Vec<u8>, Error>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Debug,
{
    let too_large = Error::PayloadTooLarge { limit: cap };
    if declared.is_some_and(|n| n > u64::try_from(cap).unwrap_or(u64::MAX)) {
        return Err(too_large);
    }
    let capacity = declared
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0)
        .min(cap);
    let mut body = Vec::with_capacity(capacity);
    let mut stream = std::pin::pin!(stream);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Error::Malformed(Malformed::Unreadable(format!("{e:?}"))))?;
        if body.len() + chunk.len() > cap {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use futures::stream;

    fn chunks(parts: &[&'static [u8]]) -> impl Stream<Item = Result<Bytes, String>> {
        stream::iter(
            parts
                .iter()
                .map(|p| Ok(Bytes::from_static(p)))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn a_body_within_the_cap_is_read_whole() {
        let body = block_on(read_capped(chunks(&[b"{\"a\":", b"1}"]), Some(7), 10));
        assert_eq!(body, Ok(b"{\"a\":1}".to_vec()));
    }

    #[test]
    fn a_declared_length_over_the_cap_is_refused_before_reading() {
        let stream = stream::poll_fn(|_| -> std::task::Poll<Option<Result<Bytes, String>>> {
            panic!("the body must not be read")
        });
        let r = block_on(read_capped(stream, Some(11), 10));
        assert_eq!(r, Err(Error::PayloadTooLarge { limit: 10 }));
    }

    #[test]
    fn an_undeclared_body_stops_at_the_cap() {
        let r = block_on(read_capped(chunks(&[b"123456", b"789012"]), None, 10));
        assert_eq!(r.map_err(|e| e.status()), Err(413));
        let exact = block_on(read_capped(chunks(&[b"12345", b"67890"]), None, 10));
        assert_eq!(exact.map(|b| b.len()), Ok(10));
    }

    #[test]
    fn a_lying_content_length_does_not_help() {
        let r = block_on(read_capped(chunks(&[b"123456", b"789012"]), Some(3), 10));
        assert_eq!(r.map_err(|e| e.status()), Err(413));
    }

    #[test]
    fn a_broken_stream_is_a_malformed_request() {
        let broken = stream::iter(vec![Ok(Bytes::from_static(b"x")), Err("reset".to_owned())]);
        let r = block_on(read_capped(broken, None, 10));
        assert_eq!(r.map_err(|e| e.status()), Err(400));
    }
}
