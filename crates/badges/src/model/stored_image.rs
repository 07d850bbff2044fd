//! `image/<owner-id>`: uploaded image bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::V1;
use crate::image::ImageType;

/// `image/<owner-id>`: uploaded image bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredImage {
    /// Schema version.
    pub v: V1,
    /// PNG or SVG.
    pub content_type: ImageType,
    /// The bytes, base64.
    pub data: String,
    /// The strong ETag of the bytes, computed once when stored (hashing an image on every
    /// request cost more than serving it). Absent in records written before it existed;
    /// those are hashed when served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

impl StoredImage {
    /// Wrap bytes for storage.
    pub fn new(content_type: ImageType, bytes: &[u8]) -> Self {
        Self {
            v: V1,
            content_type,
            data: STANDARD.encode(bytes),
            etag: Some(crate::digest::etag(bytes)),
        }
    }

    /// The bytes, or None if the stored base64 is damaged.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        STANDARD.decode(&self.data).ok()
    }
}
