//! `lock/<scope>/<subject>`: a lockout after repeated failed authentications.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::V1;
use crate::clock::ts;

/// `lock/<scope>/<subject>`: a lockout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Schema version.
    pub v: V1,
    /// Locked until this time.
    #[serde(with = "ts")]
    pub until: OffsetDateTime,
}
