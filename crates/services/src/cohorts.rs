//! Awarding a cohort: `POST /api/v1/badgeclasses/:id/awards` with up to 5,000 recipients as
//! JSON or CSV ([`crate::input::cohort`]), answered row by row.
//!
//! 1. The class must be the caller's (404 otherwise); the body must parse as a whole (a CSV
//!    with an unknown column, or more than 5,000 rows, is refused before anything is written).
//! 2. Each row is checked by exactly the rules of a single award; a row that fails is
//!    `invalid` with every field error, and nothing of it is written.
//! 3. A row whose email already appeared earlier in the request is `duplicate` (naming the
//!    earlier row); one whose email already holds an award of the class is decided by the
//!    class's `duplicate_policy` (`deny`: `duplicate`; `replace`: the earlier award is revoked
//!    and the row awarded; `allow`: awarded).
//! 4. Valid rows are awarded one after the other through the single-award path, so each is
//!    whole or absent: a row the store fails is `failed` with the reason, and the rows after
//!    it go on.

use crate::awards::{self, Created};
use crate::env::Env;
use crate::input::NewAward;
use crate::input::cohort::CohortRow;
use crate::kv::Kv;
use emblem_badges::error::{Conflict, Error, FieldError};
use emblem_badges::recipient::normalize_email;
use std::collections::HashMap;

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Awarded.
    Created(Box<Created>),
    /// Not awarded: the same email earlier in the request, or (policy `deny`) already holding
    /// an award of the class.
    Duplicate(String),
    /// Not awarded: the row breaks these rules.
    Invalid(Vec<FieldError>),
    /// Not awarded: the store failed (the row may be sent again).
    Failed(String),
}

/// Award every row of `rows` of the caller's class `badge_id`.
pub async fn award_all<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    badge_id: &str,
    rows: Vec<CohortRow>,
) -> Result<Vec<(CohortRow, Outcome)>, Error> {
    crate::badges::get(env.kv, issuer_id, badge_id).await?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let input = match NewAward::parse(&row.body, env.now, env.policy.issued_on_skew) {
            Ok(input) => input,
            Err(Error::Invalid(errors)) => {
                out.push((row, Outcome::Invalid(errors)));
                continue;
            }
            Err(other) => {
                out.push((
                    row,
                    Outcome::Invalid(vec![FieldError::new("row", other.to_string())]),
                ));
                continue;
            }
        };
        let email = normalize_email(&input.email).unwrap_or_else(|_| input.email.clone());
        if let Some(first) = seen.get(&email) {
            let reason = format!("the same email as row {first} of this request");
            out.push((row, Outcome::Duplicate(reason)));
            continue;
        }
        seen.insert(email, row.row);
        let outcome = match awards::create(env, issuer_id, input).await {
            Ok(made) => Outcome::Created(Box::new(made)),
            Err(Error::Conflict(Conflict::Duplicate { existing })) => Outcome::Duplicate(format!(
                "already holds award {existing} of this badge class (duplicate_policy: deny)"
            )),
            Err(Error::Invalid(errors)) => Outcome::Invalid(errors),
            Err(e) => Outcome::Failed(e.to_string()),
        };
        out.push((row, outcome));
    }
    Ok(out)
}
