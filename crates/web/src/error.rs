//! The error vocabulary of [`emblem_badges::error`], re-exported for the routes. The store's
//! errors convert into it in `emblem_services::kv`.

pub use emblem_badges::error::*;
