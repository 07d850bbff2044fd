//! The operations behind the issuer API and the public pages, over the [`crate::kv::Kv`]
//! store.
//!
//! Rules every service follows:
//!
//! 1. Inputs arrive fully validated ([`crate::service::input`]); the only checks left here are
//!    the ones that need the store (does the badge class belong to the caller?), and they run
//!    before the first write.
//! 2. Ids in paths that are not ids we issue answer 404 without a store read.
//! 3. Objects of another issuer answer 404, exactly as if absent.
//! 4. New records go under fresh random ids with insert-if-absent; shared records (indexes,
//!    revocation lists, award state) change only through `increment` or compare-and-swap.
//! 5. Writes are ordered so that a crash between two of them leaves nothing visible that is
//!    inconsistent: a record is written before the index entry that lists it, and a
//!    revocation lands on the award before the issuer's revocation list (re-running the
//!    revoke repairs the list).

pub mod apikeys;
pub mod awards;
pub mod badges;
pub mod input;
pub mod issuers;
pub mod listing;
pub mod paging;
pub mod signing;

use serde::de::DeserializeOwned;

use crate::error::{Error, Internal, ObjectKind};
use crate::ids;
use crate::image::ImageInput;
use crate::keys;
use crate::kv::{self, Kv};
use crate::model::ImageRef;
use crate::model::stored_image::StoredImage;

/// Load the record of `kind` with `id` under `key`, or 404.
pub(crate) async fn load<K: Kv + ?Sized, T: DeserializeOwned>(
    kv: &K,
    kind: ObjectKind,
    id: &str,
    key: fn(&str) -> String,
) -> Result<T, Error> {
    if !ids::is_valid(id) {
        return Err(Error::not_found(kind, id));
    }
    kv::get_json(kv, &key(id))
        .await?
        .ok_or_else(|| Error::not_found(kind, id))
}

/// Store an uploaded image under `image/<owner>` and say where it lives.
pub(crate) async fn store_image<K: Kv + ?Sized>(
    kv: &K,
    owner_id: &str,
    image: ImageInput,
) -> Result<ImageRef, Error> {
    match image {
        ImageInput::Upload { kind, bytes } => {
            kv::put_json(kv, &keys::image(owner_id), &StoredImage::new(kind, &bytes)).await?;
            Ok(ImageRef::Hosted { content_type: kind })
        }
        ImageInput::Remote(url) => Ok(ImageRef::Remote { url }),
    }
}

/// Insert a record under a fresh random id. No other request can know the id, so a plain
/// write is enough; finding the key taken would mean a broken random source.
pub(crate) async fn insert_new<K: Kv + ?Sized, T: serde::Serialize>(
    kv: &K,
    key: &str,
    value: &T,
) -> Result<(), Error> {
    if kv.get(key).await?.is_none() {
        kv::put_json(kv, key, value).await?;
        Ok(())
    } else {
        Err(Error::Internal(Internal::Corrupt {
            key: key.to_owned(),
            detail: "a freshly generated id already exists; check the random source".into(),
        }))
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A test bench: an in-memory store, a fixed clock and seeded randomness.

    use time::OffsetDateTime;
    use time::macros::datetime;

    use crate::base_url::BaseUrl;
    use crate::entropy::Seeded;
    use crate::env::{Env, Policy};
    use crate::kv::MemoryKv;

    pub const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

    pub struct Bench {
        pub kv: MemoryKv,
        pub entropy: Seeded,
        pub base: BaseUrl,
        pub policy: Policy,
        pub now: OffsetDateTime,
    }

    impl Bench {
        pub fn new() -> Self {
            Self::with_kv(MemoryKv::new())
        }

        pub fn contended() -> Self {
            Self::with_kv(MemoryKv::contended())
        }

        fn with_kv(kv: MemoryKv) -> Self {
            Self {
                kv,
                entropy: Seeded::new(42),
                base: BaseUrl::parse("https://badges.example.org").expect("base"),
                policy: Policy::default(),
                now: NOW,
            }
        }

        pub fn env(&self) -> Env<'_, MemoryKv> {
            Env {
                kv: &self.kv,
                now: self.now,
                entropy: &self.entropy,
                base: &self.base,
                policy: &self.policy,
            }
        }
    }
}
