//! The error vocabulary of [`emblem_badges::error`] (re-exported here), and the conversions
//! from this layer's failures into it: the store's [`crate::kv::KvError`] (in [`crate::kv`])
//! and a template that failed to render ([`render_failed`]).

pub use emblem_badges::error::*;

/// A template that failed to render: an internal error, logged, never shown.
pub fn render_failed(e: askama::Error) -> Error {
    Error::Internal(Internal::Render(e.to_string()))
}
