//! Sharing, as pure functions of the stored records: whether an award may be shared
//! ([`access::decide`]) and the links to the share sites, LinkedIn "Add to profile" first
//! ([`links`]; the parameters are in `docs/standards/sharing.md`). The routes that serve them
//! are `emblem_web::share`.

pub mod access;
pub mod links;
