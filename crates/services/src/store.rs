//! Store helpers the services share: load a record or 404, store an uploaded image, insert
//! under a fresh random id.

use serde::de::DeserializeOwned;

use crate::kv::{self, Kv};
use crate::store_keys;
use emblem_badges::error::{Error, Internal, ObjectKind};
use emblem_badges::ids;
use emblem_badges::image::ImageInput;
use emblem_badges::model::ImageRef;
use emblem_badges::model::stored_image::StoredImage;

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
            kv::put_json(
                kv,
                &store_keys::image(owner_id),
                &StoredImage::new(kind, &bytes),
            )
            .await?;
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
