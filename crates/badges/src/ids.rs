//! Object ids: random UUIDv4 strings, never sequential, so ids reveal nothing about volume
//! and cannot be guessed.

use crate::entropy::{self, Entropy};

/// A fresh random id (UUIDv4, lowercase hyphenated).
pub fn new_id(entropy: &(impl Entropy + ?Sized)) -> String {
    uuid::Builder::from_random_bytes(entropy::bytes::<16>(entropy))
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Whether `s` looks like an id we issue (lowercase hyphenated UUID). Paths with anything
/// else answer 404 without touching the store.
pub fn is_valid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::Seeded;

    #[test]
    fn new_ids_are_version_4_uuids() {
        let id = new_id(&Seeded::new(1));
        assert!(is_valid(&id), "{id}");
        assert_eq!(&id[14..15], "4");
    }

    #[test]
    fn consecutive_ids_differ() {
        let e = Seeded::new(1);
        assert_ne!(new_id(&e), new_id(&e));
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for bad in [
            "",
            "abc",
            "../../etc/passwd",
            "0B9E5A5C-1F5E-4B7B-9F4C-2E1A6A9B7C3D",
            "0b9e5a5c-1f5e-4b7b-9f4c-2e1a6a9b7c3d/x",
            "0b9e5a5c_1f5e_4b7b_9f4c_2e1a6a9b7c3d",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
        assert!(is_valid("0b9e5a5c-1f5e-4b7b-9f4c-2e1a6a9b7c3d"));
    }
}
