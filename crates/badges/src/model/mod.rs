//! Stored records. Every record is a JSON document with a schema version `"v": 1`
//! ([`V1`]); reading a record of another version fails loudly as a corrupt record instead of
//! being misread.

pub mod apikey;
pub mod award;
pub mod badge;
pub mod claim;
pub mod credential_key;
pub mod issuer;
pub mod lock;
pub mod revocations;
pub mod signing_key;
pub mod stored_image;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::image::ImageType;

/// The schema version marker `"v": 1`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct V1;

impl Serialize for V1 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(1)
    }
}

impl<'de> Deserialize<'de> for V1 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u64::deserialize(d)? {
            1 => Ok(V1),
            other => Err(serde::de::Error::custom(format!(
                "unsupported schema version {other} (this build reads version 1)"
            ))),
        }
    }
}

/// Where an issuer's or badge class's image lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImageRef {
    /// Uploaded bytes under `image/<owner-id>`, served at `<owner url>/image`.
    Hosted {
        /// PNG or SVG.
        content_type: ImageType,
    },
    /// An https URL given by the issuer.
    Remote {
        /// The URL.
        url: String,
    },
}

/// The public URL of an image: hosted bytes at `<owner url>/image`, or the issuer's URL.
pub fn image_url(image: &ImageRef, hosted_at: impl FnOnce() -> String) -> String {
    match image {
        ImageRef::Hosted { .. } => hosted_at(),
        ImageRef::Remote { url } => url.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_marker_is_written_as_one_and_other_versions_are_refused() {
        assert_eq!(serde_json::to_string(&V1).expect("ser"), "1");
        assert!(serde_json::from_str::<V1>("1").is_ok());
        let e = serde_json::from_str::<V1>("2").expect_err("v2");
        assert!(e.to_string().contains("unsupported schema version 2"));
    }

    #[test]
    fn image_refs_are_tagged_by_kind() {
        let hosted = ImageRef::Hosted {
            content_type: ImageType::Svg,
        };
        assert_eq!(
            serde_json::to_value(&hosted).expect("ser"),
            serde_json::json!({"kind": "hosted", "content_type": "image/svg+xml"})
        );
    }
}
