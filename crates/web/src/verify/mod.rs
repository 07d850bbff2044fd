//! The verifier's I/O around the pure procedure of [`emblem_badges::verify`] (re-exported
//! here): [`Fetcher`] answers this instance's own URLs from the store and sends the rest
//! out; [`memo`] remembers recent verdicts. The JSON answer
//! or the HTML page of `POST /verify` and `GET /verify`.

pub use emblem_badges::verify::*;

mod fetcher;
pub mod memo;

pub use fetcher::Fetcher;

#[cfg(test)]
mod signing_tests;
#[cfg(test)]
mod tests;
