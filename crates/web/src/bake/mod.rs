//! Baking routes over the pure baking of [`emblem_badges::bake`] (re-exported here):
//! [`routes`] serves `GET /assertions/:id/image`, `POST /bake` and `POST /unbake`.

pub use emblem_badges::bake::*;

pub mod routes;
