//! The badge class record (`badge/<id>`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ImageRef, V1};
use crate::clock::ts;

/// A badge class: what is awarded (OB 2.0 BadgeClass, docs/standards/ob2.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeClass {
    /// Schema version.
    pub v: V1,
    /// Random id.
    pub id: String,
    /// The owning issuer.
    pub issuer_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Image (required by the spec).
    pub image: ImageRef,
    /// Criteria: a narrative, a URL, or both.
    pub criteria: Criteria,
    /// Tags.
    pub tags: Vec<String>,
    /// Alignments to external frameworks.
    pub alignment: Vec<Alignment>,
    /// Default validity of awards, in days.
    pub expires_after_days: Option<u32>,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

/// How the badge is earned. At least one of the two is present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria {
    /// Markdown narrative.
    pub narrative: Option<String>,
    /// URL of a human-readable criteria page.
    pub url: Option<String>,
}

/// An alignment to an educational framework (OB 2.0 AlignmentObject).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alignment {
    /// Name of the target.
    pub target_name: String,
    /// URL of the target.
    pub target_url: String,
    /// Description.
    pub target_description: Option<String>,
    /// Framework name.
    pub target_framework: Option<String>,
    /// Code within the framework.
    pub target_code: Option<String>,
}
