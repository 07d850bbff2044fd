//! The verifier's I/O around the pure procedure of [`emblem_badges::verify`] (re-exported
//! here): [`Fetcher`] answers this instance's own URLs from the store and sends the rest
//! out; [`memo`] remembers recent verdicts. The JSON answer
//! or the HTML page of `POST /verify` and `GET /verify`.

pub use emblem_badges::verify::*;

pub mod canon;
mod fetcher;
pub mod memo;

pub use fetcher::Fetcher;

use time::OffsetDateTime;

/// Verify `req` at `now` with Emblem's Data Integrity processor for Open Badges 3.0
/// ([`emblem_vc::verifier::Verifier`]).
pub async fn run<F: Fetch + ?Sized>(
    fetch: &F,
    req: &VerifyRequest,
    now: OffsetDateTime,
) -> Verification {
    run_with(fetch, req, now, &emblem_vc::verifier::Verifier).await
}

#[cfg(test)]
mod signing_tests;
#[cfg(test)]
mod tests;
