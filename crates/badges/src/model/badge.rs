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
    /// What a second award of this class to the same email does (`allow` by default).
    #[serde(default)]
    pub duplicate_policy: DuplicatePolicy,
    /// The earlier version this class replaced (an edit of what was earned makes a new one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    /// The version that replaced this one; awards keep pointing at the version they were
    /// issued against, new awards must use the latest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
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

/// What a second award of a class to the same email does (Credly's names).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Award again.
    #[default]
    Allow,
    /// Refuse: the row is a duplicate (409 for a single award).
    Deny,
    /// Revoke the earlier award ("replaced by a new award") and award again.
    Replace,
}

impl DuplicatePolicy {
    /// Parse `allow`, `deny` or `replace`.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "allow" => Ok(Self::Allow),
            "deny" => Ok(Self::Deny),
            "replace" => Ok(Self::Replace),
            other => Err(format!("{other:?} is not allow, deny or replace")),
        }
    }
}
