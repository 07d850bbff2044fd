//! Randomness, passed in from the edge, and the secrets and salts made from it.
//!
//! The edge implements [`Entropy`] over the host's CSPRNG (`wasi:random`). Tests and
//! benchmarks use [`Seeded`], which is deterministic and must never be used for real secrets.

use std::cell::Cell;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A source of random bytes.
pub trait Entropy {
    /// Fill `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]);
}

impl<E: Entropy + ?Sized> Entropy for &E {
    fn fill(&self, buf: &mut [u8]) {
        (**self).fill(buf);
    }
}

/// Deterministic bytes from a seed (SplitMix64). For tests and benchmarks only.
#[derive(Debug)]
pub struct Seeded(Cell<u64>);

impl Seeded {
    /// A generator starting at `seed`.
    pub fn new(seed: u64) -> Self {
        Self(Cell::new(seed))
    }

    fn next_u64(&self) -> u64 {
        let mut z = self.0.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.0.set(z);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Entropy for Seeded {
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// `N` random bytes.
pub fn bytes<const N: usize>(entropy: &(impl Entropy + ?Sized)) -> [u8; N] {
    let mut buf = [0u8; N];
    entropy.fill(&mut buf);
    buf
}

/// A URL-safe secret token: 32 random bytes (256 bits), base64url without padding.
pub fn token(entropy: &(impl Entropy + ?Sized)) -> String {
    URL_SAFE_NO_PAD.encode(bytes::<32>(entropy))
}

/// A recipient salt: 16 random bytes as 32 lowercase hex characters.
pub fn salt(entropy: &(impl Entropy + ?Sized)) -> String {
    hex::encode(bytes::<16>(entropy))
}

/// `len` random characters from `[a-z0-9]`, uniformly (rejection sampling).
pub fn alphanumeric(entropy: &(impl Entropy + ?Sized), len: usize) -> String {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    // 252 = 7 × 36: bytes at or above it would bias the first letters.
    const LIMIT: u8 = 252;
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 32];
    while out.len() < len {
        entropy.fill(&mut buf);
        for &b in &buf {
            if b < LIMIT && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b % 36)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_entropy_is_deterministic() {
        assert_eq!(token(&Seeded::new(7)), token(&Seeded::new(7)));
        assert_ne!(token(&Seeded::new(7)), token(&Seeded::new(8)));
    }

    #[test]
    fn tokens_carry_256_bits_in_43_url_safe_characters() {
        let t = token(&Seeded::new(1));
        assert_eq!(t.len(), 43);
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn salts_are_32_hex_characters() {
        let s = salt(&Seeded::new(1));
        assert_eq!(s.len(), 32);
        assert!(s.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn alphanumeric_strings_use_only_lowercase_letters_and_digits() {
        let s = alphanumeric(&Seeded::new(3), 100);
        assert_eq!(s.len(), 100);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }
}
