//! Who may be sent on to share a badge, embed it or print it.
//!
//! Only an award its recipient accepted and keeps public, and its issuer has not revoked, has
//! anything to share. Expired awards may still be shared: LinkedIn records the expiry date and
//! our pages say "Expired". Every other state gets a friendly page:
//!
//! | award | status | page |
//! |---|---|---|
//! | unknown id | 404 | not found |
//! | revoked (any acceptance or visibility) | 410 | revoked, with the issuer's reason |
//! | rejected by the recipient | 404 | not found |
//! | pending (not yet accepted) | 404 | not yet accepted |
//! | private | 404 | not found (the same words as an unknown id) |
//!
//! Revocation wins as in [`Award::status`]: the issuer's revocation list is public anyway.

use time::OffsetDateTime;

use crate::model::award::{AcceptanceState, Award, Status, Visibility};

/// Why an award cannot be shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No award with this id, or one its recipient rejected or made private (404).
    NotFound,
    /// The recipient has not accepted it yet (404).
    NotYetAccepted,
    /// The issuer revoked it, for this reason (410).
    Revoked(String),
}

impl Refusal {
    /// The HTTP status of the page.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound | Self::NotYetAccepted => 404,
            Self::Revoked(_) => 410,
        }
    }

    /// The page's heading and message.
    pub fn words(&self) -> (&'static str, String) {
        match self {
            Self::NotFound => (
                "Badge not available",
                "There is no public badge at this address: it does not exist, or its recipient \
                 has not made it public. Check the link you followed."
                    .to_owned(),
            ),
            Self::NotYetAccepted => (
                "Not yet accepted",
                "This badge has not been accepted by its recipient yet. Once it is accepted \
                 from the link in the award e-mail, it can be shared."
                    .to_owned(),
            ),
            Self::Revoked(reason) => (
                "Badge revoked",
                format!(
                    "This badge was revoked by its issuer and can no longer be shared. \
                     Reason: {reason}"
                ),
            ),
        }
    }
}

/// Whether `award` may be shared at `now` (see the module docs).
pub fn decide(award: &Award, now: OffsetDateTime) -> Result<(), Refusal> {
    match award.status(now) {
        Status::Revoked => Err(Refusal::Revoked(
            award
                .revoked
                .as_ref()
                .map(|r| r.reason.clone())
                .unwrap_or_default(),
        )),
        Status::Rejected => Err(Refusal::NotFound),
        _ if award.acceptance.state == AcceptanceState::Pending => Err(Refusal::NotYetAccepted),
        _ if award.visibility == Visibility::Private => Err(Refusal::NotFound),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ob2::fixtures;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-01 00:00 UTC);

    #[test]
    fn only_accepted_public_unrevoked_awards_may_be_shared() {
        assert_eq!(decide(&fixtures::award(), NOW), Ok(()));

        let mut pending = fixtures::award();
        pending.acceptance.state = AcceptanceState::Pending;
        assert_eq!(decide(&pending, NOW), Err(Refusal::NotYetAccepted));

        let mut rejected = fixtures::award();
        rejected.acceptance.state = AcceptanceState::Rejected;
        assert_eq!(decide(&rejected, NOW), Err(Refusal::NotFound));

        let mut private = fixtures::award();
        private.visibility = Visibility::Private;
        assert_eq!(decide(&private, NOW), Err(Refusal::NotFound));

        let revoked = fixtures::revoked_award();
        assert_eq!(
            decide(&revoked, NOW),
            Err(Refusal::Revoked("Issued in error".into()))
        );
    }

    #[test]
    fn revocation_wins_over_every_other_state() {
        for (state, visibility) in [
            (AcceptanceState::Pending, Visibility::Public),
            (AcceptanceState::Rejected, Visibility::Public),
            (AcceptanceState::Accepted, Visibility::Private),
        ] {
            let mut award = fixtures::revoked_award();
            award.acceptance.state = state;
            award.visibility = visibility;
            assert_eq!(decide(&award, NOW).map_err(|r| r.status()), Err(410));
        }
    }

    #[test]
    fn a_pending_award_is_not_yet_accepted_whatever_its_visibility() {
        let mut award = fixtures::award();
        award.acceptance.state = AcceptanceState::Pending;
        award.visibility = Visibility::Private;
        assert_eq!(decide(&award, NOW), Err(Refusal::NotYetAccepted));
    }

    #[test]
    fn an_expired_award_may_still_be_shared() {
        let mut award = fixtures::award();
        award.expires = Some(datetime!(2026-11-30 00:00 UTC));
        assert_eq!(decide(&award, NOW), Ok(()));
    }

    #[test]
    fn refusals_have_statuses_and_words() {
        assert_eq!(Refusal::NotFound.status(), 404);
        assert_eq!(Refusal::NotYetAccepted.status(), 404);
        let (heading, message) = Refusal::Revoked("Fraud".into()).words();
        assert_eq!(heading, "Badge revoked");
        assert!(message.ends_with("Reason: Fraud"));
    }
}
