//! The award record (`award/<id>`), served as an OB 2.0 Assertion, and its lifecycle.
//!
//! An award has three independent pieces of state, plus expiry:
//!
//! 1. **Acceptance** by the recipient: `pending → accepted | rejected` (via claim links).
//!    The earner cannot undo a rejection from the link, but the issuer can: resending the
//!    claim link ([`Award::reissue_claim`]) brings a rejected award back to pending (the
//!    seeds' "I accidentally rejected my badge", docs/standards/sharing.md §4.2, without a new award).
//! 2. **Revocation** by the issuer: `{reason, revoked_at}`; final, and the first reason stays.
//! 3. **Visibility** chosen by the recipient: `public | private`.
//! 4. **Expiry**: expired when `expires <= now`; the issuer may recertify with a new expiry,
//!    keeping the history.
//!
//! The derived [`Award::status`] ranks them: revoked > rejected > expired > pending > active.
//!
//! Transitions are pure functions on the record (`fn accept(&mut self, now)`), idempotent where
//! that makes sense (accepting twice is fine and changes nothing). Services apply them through
//! compare-and-swap (`emblem_web::kv::update_json`) so concurrent requests cannot lose one.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::V1;
use crate::clock::{self, ts, ts_opt};
use crate::recipient::Recipient;

/// An award of a badge class to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    /// Schema version.
    pub v: V1,
    /// Random id.
    pub id: String,
    /// The issuer (denormalised from the badge class, for scoping and revocation lists).
    pub issuer_id: String,
    /// The badge class.
    pub badge_id: String,
    /// The hashed recipient (plaintext email kept server-side only).
    pub recipient: Recipient,
    /// When it was issued.
    #[serde(with = "ts")]
    pub issued_on: OffsetDateTime,
    /// When it expires, if ever.
    #[serde(with = "ts_opt")]
    pub expires: Option<OffsetDateTime>,
    /// Evidence of the achievement.
    pub evidence: Vec<Evidence>,
    /// Markdown narrative of how it was earned.
    pub narrative: Option<String>,
    /// Acceptance by the recipient.
    pub acceptance: Acceptance,
    /// Visibility chosen by the recipient.
    pub visibility: Visibility,
    /// Revocation, if revoked.
    pub revoked: Option<Revocation>,
    /// Expiry changes, oldest first.
    pub recertifications: Vec<Recertification>,
    /// The live claim token (its hash only).
    pub claim: Option<ClaimRef>,
    /// The award's entry in its issuer's Bitstring status lists, given the first time its
    /// 3.0 credential is served with that status method (absent until then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_index: Option<u64>,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

/// One piece of evidence (OB 2.0 Evidence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// URL of the evidence.
    pub url: Option<String>,
    /// Markdown narrative.
    pub narrative: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// The recipient's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    /// Pending, accepted or rejected.
    pub state: AcceptanceState,
    /// When the state last changed (None while pending).
    #[serde(with = "ts_opt")]
    pub changed_at: Option<OffsetDateTime>,
}

/// Acceptance states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AcceptanceState {
    /// Not answered yet.
    Pending,
    /// Accepted.
    Accepted,
    /// Rejected (until the issuer resends the claim link).
    Rejected,
}

/// Who may see the public page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Anyone.
    #[default]
    Public,
    /// Only verifiers holding the URL get the JSON; no HTML page.
    Private,
}

/// A revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// The issuer's reason.
    pub reason: String,
    /// When.
    #[serde(with = "ts")]
    pub revoked_at: OffsetDateTime,
}

/// One change of expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recertification {
    /// The expiry before.
    #[serde(with = "ts_opt")]
    pub previous_expires: Option<OffsetDateTime>,
    /// The new expiry.
    #[serde(with = "ts")]
    pub expires: OffsetDateTime,
    /// When the change was made.
    #[serde(with = "ts")]
    pub at: OffsetDateTime,
}

/// The live claim token, by hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRef {
    /// SHA-256 hex of the token (key `claim/<hash>`).
    pub token_hash: String,
    /// When the link stops working.
    #[serde(with = "ts")]
    pub expires_at: OffsetDateTime,
}

/// The overall status, derived from the state and the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Accepted, not expired, not revoked.
    Active,
    /// Waiting for the recipient.
    Pending,
    /// Rejected by the recipient.
    Rejected,
    /// Past its expiry.
    Expired,
    /// Revoked by the issuer.
    Revoked,
}

/// Whether a transition changed the record.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// The record changed and must be written.
    Yes,
    /// The record already was in the requested state.
    No,
}

pub use crate::error::TransitionError;

impl Award {
    /// Whether the award has expired at `now` (expired when `expires <= now`).
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires.is_some_and(|e| e <= now)
    }

    /// The overall status at `now`: revoked > rejected > expired > pending > active.
    pub fn status(&self, now: OffsetDateTime) -> Status {
        if self.revoked.is_some() {
            Status::Revoked
        } else if self.acceptance.state == AcceptanceState::Rejected {
            Status::Rejected
        } else if self.is_expired(now) {
            Status::Expired
        } else if self.acceptance.state == AcceptanceState::Pending {
            Status::Pending
        } else {
            Status::Active
        }
    }

    fn revoked_error(&self) -> TransitionError {
        TransitionError::Revoked {
            id: self.id.clone(),
        }
    }

    fn rejected_error(&self) -> TransitionError {
        TransitionError::Rejected {
            id: self.id.clone(),
        }
    }

    /// The recipient accepts. Accepting twice changes nothing.
    pub fn accept(&mut self, now: OffsetDateTime) -> Result<Changed, TransitionError> {
        if self.revoked.is_some() {
            return Err(self.revoked_error());
        }
        match self.acceptance.state {
            AcceptanceState::Accepted => Ok(Changed::No),
            AcceptanceState::Rejected => Err(self.rejected_error()),
            AcceptanceState::Pending => {
                self.acceptance = Acceptance {
                    state: AcceptanceState::Accepted,
                    changed_at: Some(now),
                };
                Ok(Changed::Yes)
            }
        }
    }

    /// The recipient rejects. Rejecting twice changes nothing.
    pub fn reject(&mut self, now: OffsetDateTime) -> Result<Changed, TransitionError> {
        if self.revoked.is_some() {
            return Err(self.revoked_error());
        }
        match self.acceptance.state {
            AcceptanceState::Rejected => Ok(Changed::No),
            AcceptanceState::Accepted => Err(TransitionError::AlreadyAccepted {
                id: self.id.clone(),
            }),
            AcceptanceState::Pending => {
                self.acceptance = Acceptance {
                    state: AcceptanceState::Rejected,
                    changed_at: Some(now),
                };
                Ok(Changed::Yes)
            }
        }
    }

    /// The recipient makes the award public or private.
    pub fn set_visibility(&mut self, visibility: Visibility) -> Result<Changed, TransitionError> {
        if self.acceptance.state == AcceptanceState::Rejected {
            return Err(self.rejected_error());
        }
        if self.visibility == visibility {
            return Ok(Changed::No);
        }
        self.visibility = visibility;
        Ok(Changed::Yes)
    }

    /// The issuer resends the claim link: `claim` replaces the live token, and a rejected
    /// award is pending again. Returns the hash of the token it replaced (to delete). A
    /// revoked award cannot be claimed, so it gets no new link.
    pub fn reissue_claim(
        &mut self,
        claim: ClaimRef,
        now: OffsetDateTime,
    ) -> Result<Option<String>, TransitionError> {
        if self.revoked.is_some() {
            return Err(self.revoked_error());
        }
        if self.acceptance.state == AcceptanceState::Rejected {
            self.acceptance = Acceptance {
                state: AcceptanceState::Pending,
                changed_at: Some(now),
            };
        }
        let old = self.claim.replace(claim);
        Ok(old.map(|c| c.token_hash))
    }

    /// The issuer revokes. Revoking twice changes nothing and keeps the first reason.
    pub fn revoke(&mut self, reason: &str, now: OffsetDateTime) -> Changed {
        if self.revoked.is_some() {
            return Changed::No;
        }
        self.revoked = Some(Revocation {
            reason: reason.to_owned(),
            revoked_at: now,
        });
        Changed::Yes
    }

    /// The issuer sets a new expiry, recording the change. Setting the same expiry again
    /// changes nothing.
    pub fn recertify(
        &mut self,
        expires: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Changed, TransitionError> {
        if self.revoked.is_some() {
            return Err(self.revoked_error());
        }
        if self.acceptance.state == AcceptanceState::Rejected {
            return Err(self.rejected_error());
        }
        if expires <= now {
            return Err(TransitionError::ExpiresNotInFuture {
                expires: clock::format(expires),
                now: clock::format(now),
            });
        }
        if expires <= self.issued_on {
            return Err(TransitionError::ExpiresNotAfterIssued {
                expires: clock::format(expires),
                issued_on: clock::format(self.issued_on),
            });
        }
        if self.expires == Some(expires) {
            return Ok(Changed::No);
        }
        self.recertifications.push(Recertification {
            previous_expires: self.expires,
            expires,
            at: now,
        });
        self.expires = Some(expires);
        Ok(Changed::Yes)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::Error;
    use time::macros::datetime;

    pub(crate) const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

    pub(crate) fn award() -> Award {
        Award {
            v: V1,
            id: "a1".into(),
            issuer_id: "i1".into(),
            badge_id: "b1".into(),
            recipient: Recipient {
                email: "alice@example.org".into(),
                salt: "00".into(),
                identity: crate::recipient::identity_hash("alice@example.org", "00"),
                name: None,
            },
            issued_on: datetime!(2026-01-01 00:00 UTC),
            expires: Some(datetime!(2027-01-01 00:00 UTC)),
            evidence: vec![],
            narrative: None,
            acceptance: Acceptance {
                state: AcceptanceState::Pending,
                changed_at: None,
            },
            visibility: Visibility::Public,
            revoked: None,
            recertifications: vec![],
            claim: None,
            status_index: None,
            created_at: datetime!(2026-01-01 00:00 UTC),
        }
    }

    #[test]
    fn a_new_award_is_pending() {
        assert_eq!(award().status(NOW), Status::Pending);
    }

    #[test]
    fn accepting_makes_it_active_and_accepting_again_changes_nothing() {
        let mut a = award();
        assert_eq!(a.accept(NOW), Ok(Changed::Yes));
        assert_eq!(a.status(NOW), Status::Active);
        assert_eq!(a.acceptance.changed_at, Some(NOW));
        let later = NOW + time::Duration::hours(1);
        assert_eq!(a.accept(later), Ok(Changed::No));
        assert_eq!(a.acceptance.changed_at, Some(NOW));
    }

    #[test]
    fn rejecting_holds_until_the_issuer_resends() {
        let mut a = award();
        assert_eq!(a.reject(NOW), Ok(Changed::Yes));
        assert_eq!(a.reject(NOW), Ok(Changed::No));
        assert_eq!(a.status(NOW), Status::Rejected);
        assert!(matches!(
            a.accept(NOW),
            Err(TransitionError::Rejected { .. })
        ));
        assert!(matches!(
            a.set_visibility(Visibility::Private),
            Err(TransitionError::Rejected { .. })
        ));
    }

    fn claim_ref(hash: &str) -> ClaimRef {
        ClaimRef {
            token_hash: hash.into(),
            expires_at: NOW + time::Duration::days(30),
        }
    }

    #[test]
    fn resending_brings_a_rejected_award_back_to_pending_with_a_new_token() {
        let mut a = award();
        a.claim = Some(claim_ref("old"));
        let _ = a.reject(NOW);
        let later = NOW + time::Duration::hours(2);
        assert_eq!(
            a.reissue_claim(claim_ref("new"), later),
            Ok(Some("old".to_owned()))
        );
        assert_eq!(a.status(later), Status::Pending);
        assert_eq!(a.acceptance.changed_at, Some(later));
        assert_eq!(a.claim.as_ref().map(|c| c.token_hash.as_str()), Some("new"));
        assert_eq!(a.accept(later), Ok(Changed::Yes));
    }

    #[test]
    fn resending_keeps_an_accepted_award_accepted_and_refuses_a_revoked_one() {
        let mut a = award();
        let _ = a.accept(NOW);
        assert_eq!(a.reissue_claim(claim_ref("n1"), NOW), Ok(None));
        assert_eq!(a.acceptance.state, AcceptanceState::Accepted);
        let _ = a.revoke("fraud", NOW);
        assert!(matches!(
            a.reissue_claim(claim_ref("n2"), NOW),
            Err(TransitionError::Revoked { .. })
        ));
        assert_eq!(a.claim.as_ref().map(|c| c.token_hash.as_str()), Some("n1"));
    }

    #[test]
    fn an_accepted_award_cannot_be_rejected() {
        let mut a = award();
        let _ = a.accept(NOW);
        assert!(matches!(
            a.reject(NOW),
            Err(TransitionError::AlreadyAccepted { .. })
        ));
    }

    #[test]
    fn an_award_expires_exactly_at_its_expiry() {
        let mut a = award();
        let _ = a.accept(NOW);
        let at = datetime!(2027-01-01 00:00 UTC);
        assert_eq!(a.status(at - time::Duration::seconds(1)), Status::Active);
        assert_eq!(a.status(at), Status::Expired);
    }

    #[test]
    fn status_ranks_revoked_over_rejected_over_expired_over_pending() {
        let late = datetime!(2030-01-01 00:00 UTC);
        let pending = award();
        assert_eq!(pending.status(late), Status::Expired);
        let mut rejected = award();
        let _ = rejected.reject(NOW);
        assert_eq!(rejected.status(late), Status::Rejected);
        let _ = rejected.revoke("mistake", NOW);
        assert_eq!(rejected.status(late), Status::Revoked);
    }

    #[test]
    fn revoking_twice_keeps_the_first_reason() {
        let mut a = award();
        assert_eq!(a.revoke("fraud", NOW), Changed::Yes);
        assert_eq!(
            a.revoke("other", NOW + time::Duration::hours(1)),
            Changed::No
        );
        assert_eq!(
            a.revoked,
            Some(Revocation {
                reason: "fraud".into(),
                revoked_at: NOW
            })
        );
        assert!(matches!(
            a.accept(NOW),
            Err(TransitionError::Revoked { .. })
        ));
    }

    #[test]
    fn recertifying_sets_a_new_expiry_and_keeps_the_history() {
        let mut a = award();
        let new = datetime!(2028-01-01 00:00 UTC);
        assert_eq!(a.recertify(new, NOW), Ok(Changed::Yes));
        assert_eq!(a.expires, Some(new));
        assert_eq!(
            a.recertifications,
            vec![Recertification {
                previous_expires: Some(datetime!(2027-01-01 00:00 UTC)),
                expires: new,
                at: NOW
            }]
        );
        assert_eq!(a.recertify(new, NOW), Ok(Changed::No));
        assert_eq!(a.recertifications.len(), 1);
    }

    #[test]
    fn recertifying_into_the_past_is_invalid_input() {
        let mut a = award();
        let e = a
            .recertify(datetime!(2026-06-01 00:00 UTC), NOW)
            .expect_err("past");
        assert!(matches!(e, TransitionError::ExpiresNotInFuture { .. }));
        let err: Error = e.into();
        assert_eq!(err.status(), 422);
        assert!(a.recertifications.is_empty());
    }

    #[test]
    fn recertifying_before_issuance_is_invalid_input() {
        let mut a = award();
        a.issued_on = datetime!(2030-01-01 00:00 UTC);
        let e = a
            .recertify(datetime!(2029-01-01 00:00 UTC), NOW)
            .expect_err("before issue");
        assert!(matches!(e, TransitionError::ExpiresNotAfterIssued { .. }));
    }

    #[test]
    fn a_revoked_award_cannot_be_recertified() {
        let mut a = award();
        let _ = a.revoke("fraud", NOW);
        let e = a
            .recertify(datetime!(2028-01-01 00:00 UTC), NOW)
            .expect_err("revoked");
        let err: Error = e.into();
        assert_eq!(err.status(), 409);
    }

    #[test]
    fn visibility_changes_only_when_different() {
        let mut a = award();
        assert_eq!(a.set_visibility(Visibility::Public), Ok(Changed::No));
        assert_eq!(a.set_visibility(Visibility::Private), Ok(Changed::Yes));
        assert_eq!(a.visibility, Visibility::Private);
    }

    #[test]
    fn records_round_trip_through_json() {
        let mut a = award();
        let _ = a.revoke("r", NOW);
        let json = serde_json::to_string(&a).expect("ser");
        assert!(json.contains("\"v\":1"));
        assert!(json.contains("\"issued_on\":\"2026-01-01T00:00:00Z\""));
        let back: Award = serde_json::from_str(&json).expect("de");
        assert_eq!(back, a);
    }
}
