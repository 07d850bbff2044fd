//! The vocabulary of a verification: named checks with an outcome and a message, the verdict
//! they add up to, and the report in openbadges-validator-core's shape.
//!
//! 1. Every step of [`super::run`] records one [`Finding`] for a [`Check`]: a typed name (so
//!    a typo cannot turn into a silent skip), an [`Outcome`] and a sentence for people. Each
//!    check belongs to a [`Phase`]: input → fetch → validate → verify.
//! 2. A failing check also says what its failure means for the badge ([`Effect`]): the badge
//!    is invalid, revoked or expired, or Emblem could not tell (`unverifiable`: network, host
//!    down, missing key), which is kept apart from "invalid".
//! 3. The [`Verdict`] is the most serious effect of any failed check, in the order
//!    invalid > unverifiable > revoked > expired; with no failure it is `valid`.
//! 4. [`Report`] restates the checks in validator-core's `report` block (`valid`,
//!    `errorCount`, `warningCount`, `messages`), so its clients can switch unchanged.

use serde::{Serialize, Serializer};

/// When a check runs: what was handed in, what was fetched, whether the documents are well
/// formed, and whether they prove what they claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Reading the input and its version.
    Input,
    /// Fetching the documents from their ids.
    Fetch,
    /// Required properties and types of each class.
    Validate,
    /// Scope, keys and signature, dates, revocation, recipient.
    Verify,
}

/// Every check of a verification, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// What was handed in could be read.
    Input,
    /// The Open Badges version (1.x documents are upgraded to 2.0).
    Version,
    /// The assertion was fetched from its id (hosted badges).
    Fetch,
    /// The assertion's id is where it was fetched from.
    Id,
    /// The Assertion's required properties and types.
    Assertion,
    /// The BadgeClass, fetched from its id.
    BadgeClass,
    /// The issuer Profile, fetched from its id.
    Issuer,
    /// The hosted verification policy of the fetched issuer.
    Scope,
    /// The signing key: listed by the fetched issuer and owned by it.
    Key,
    /// The JWS signature.
    Signature,
    /// An Open Badges 3.0 credential's `refreshService`, followed at most once.
    Refresh,
    /// `issuedOn` is not in the future.
    IssuedOn,
    /// `expires`.
    Expiry,
    /// Revocation: 410, `revoked: true`, or the fetched issuer's revocation list.
    Revocation,
    /// The claimed recipient.
    Recipient,
    /// The endorsements an Open Badges 3.0 credential carries (they never change its verdict).
    Endorsement,
    /// Image types.
    Image,
}

impl Check {
    /// Every check, in report order.
    pub const ALL: [Check; 17] = [
        Check::Input,
        Check::Version,
        Check::Fetch,
        Check::Id,
        Check::Assertion,
        Check::BadgeClass,
        Check::Issuer,
        Check::Scope,
        Check::Key,
        Check::Signature,
        Check::Refresh,
        Check::IssuedOn,
        Check::Expiry,
        Check::Revocation,
        Check::Recipient,
        Check::Endorsement,
        Check::Image,
    ];

    /// The stable name in answers and reports (`badgeclass`, `issuedOn`, …).
    pub fn name(self) -> &'static str {
        match self {
            Check::Input => "input",
            Check::Version => "version",
            Check::Fetch => "fetch",
            Check::Id => "id",
            Check::Assertion => "assertion",
            Check::BadgeClass => "badgeclass",
            Check::Issuer => "issuer",
            Check::Scope => "scope",
            Check::Key => "key",
            Check::Signature => "signature",
            Check::Refresh => "refresh",
            Check::IssuedOn => "issuedOn",
            Check::Expiry => "expiry",
            Check::Revocation => "revocation",
            Check::Recipient => "recipient",
            Check::Endorsement => "endorsement",
            Check::Image => "image",
        }
    }

    /// The check called `name`, if any.
    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The phase it belongs to.
    pub fn phase(self) -> Phase {
        match self {
            Check::Input | Check::Version => Phase::Input,
            Check::Fetch | Check::Id => Phase::Fetch,
            Check::Assertion | Check::BadgeClass | Check::Issuer | Check::Image => Phase::Validate,
            Check::Scope
            | Check::Key
            | Check::Signature
            | Check::Refresh
            | Check::IssuedOn
            | Check::Expiry
            | Check::Revocation
            | Check::Recipient
            | Check::Endorsement => Phase::Verify,
        }
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Check {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The rule holds.
    Pass,
    /// The rule does not hold; see the check's [`Effect`].
    Fail,
    /// Something is off but does not change the verdict.
    Warn,
    /// Not run: a prerequisite failed, or the rule does not apply.
    Skip,
}

/// What a failed check means for the badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// The badge is past its expiry date.
    Expired,
    /// The issuer revoked the badge.
    Revoked,
    /// Emblem could not complete the verification (network, host down, missing key).
    Unverifiable,
    /// The badge is not a valid Open Badge, or not what it claims.
    Invalid,
}

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every check passed (warnings allowed).
    Valid,
    /// Genuine, but past its expiry date.
    Expired,
    /// Revoked by its issuer.
    Revoked,
    /// Not a valid Open Badge, tampered with, or not issued to the given recipient.
    Invalid,
    /// Could not be verified (network, host down, missing key); says nothing about validity.
    Unverifiable,
}

impl Verdict {
    /// `valid`, `expired`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Invalid => "invalid",
            Self::Unverifiable => "unverifiable",
        }
    }

    /// A sentence for people.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::Valid => "This badge is valid: every check passed.",
            Self::Expired => "This badge is genuine but has expired.",
            Self::Revoked => "This badge was revoked by its issuer.",
            Self::Invalid => "This badge is not valid: see the failed check below.",
            Self::Unverifiable => {
                "This badge could not be verified right now: a document it depends on could not \
                 be fetched. This says nothing about whether it is valid; try again later."
            }
        }
    }
}

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which check.
    pub name: Check,
    /// What it found.
    pub outcome: Outcome,
    /// A sentence for people, quoting the offending value.
    pub message: String,
    /// What a failure means for the badge (failures only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
}

/// The findings recorded so far, in order. Only the verification flow records findings, so
/// a result cannot be made up elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checks(Vec<Finding>);

impl Checks {
    /// No findings yet.
    pub(super) fn new() -> Self {
        Self(Vec::new())
    }

    fn push(&mut self, name: Check, outcome: Outcome, message: impl Into<String>) {
        self.0.push(Finding {
            name,
            outcome,
            message: message.into(),
            effect: None,
        });
    }

    /// Record a passing check.
    pub(super) fn pass(&mut self, name: Check, message: impl Into<String>) {
        self.push(name, Outcome::Pass, message);
    }

    /// Record a warning.
    pub(super) fn warn(&mut self, name: Check, message: impl Into<String>) {
        self.push(name, Outcome::Warn, message);
    }

    /// Record a skipped check.
    pub(super) fn skip(&mut self, name: Check, message: impl Into<String>) {
        self.push(name, Outcome::Skip, message);
    }

    /// Record a failure and what it means.
    pub(super) fn fail(&mut self, name: Check, effect: Effect, message: impl Into<String>) {
        self.0.push(Finding {
            name,
            outcome: Outcome::Fail,
            message: message.into(),
            effect: Some(effect),
        });
    }

    /// Skip every check not yet recorded, saying why, and put them in report order.
    pub(super) fn finish(&mut self, why: &str) {
        for name in Check::ALL {
            if !self.0.iter().any(|c| c.name == name) {
                self.skip(name, why);
            }
        }
        self.0.sort_by_key(|c| c.name);
    }

    /// Whether `name` was recorded.
    pub fn has(&self, name: Check) -> bool {
        self.0.iter().any(|c| c.name == name)
    }

    /// The findings, in order.
    pub fn all(&self) -> &[Finding] {
        &self.0
    }

    /// The verdict (see the module docs).
    pub fn verdict(&self) -> Verdict {
        match self.0.iter().filter_map(|c| c.effect).max() {
            None => Verdict::Valid,
            Some(Effect::Invalid) => Verdict::Invalid,
            Some(Effect::Unverifiable) => Verdict::Unverifiable,
            Some(Effect::Revoked) => Verdict::Revoked,
            Some(Effect::Expired) => Verdict::Expired,
        }
    }

    /// The first failed check, if any.
    pub fn first_failure(&self) -> Option<&Finding> {
        self.0.iter().find(|c| c.outcome == Outcome::Fail)
    }

    /// The finding of `name`, if recorded.
    pub fn get(&self, name: Check) -> Option<&Finding> {
        self.0.iter().find(|c| c.name == name)
    }
}

/// One message of validator-core's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportMessage {
    /// The check, in validator-core's upper-case style (`SIGNATURE`).
    pub name: String,
    /// `ERROR` or `WARNING`.
    pub message_level: &'static str,
    /// Always false: only failures and warnings are listed, as validator-core does.
    pub success: bool,
    /// The human message.
    pub result: String,
}

/// validator-core's `report` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// True only for the `valid` verdict.
    pub valid: bool,
    /// Failed checks.
    pub error_count: usize,
    /// Warnings.
    pub warning_count: usize,
    /// Failures and warnings, in check order.
    pub messages: Vec<ReportMessage>,
    /// The assertion id verified, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_subject: Option<String>,
    /// `2.0` when the badge declared it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_badges_version: Option<&'static str>,
}

impl Report {
    /// The report of `checks`.
    pub fn new(checks: &Checks, subject: Option<String>, version: Option<&'static str>) -> Self {
        let messages: Vec<ReportMessage> = checks
            .0
            .iter()
            .filter_map(|c| {
                let level = match c.outcome {
                    Outcome::Fail => "ERROR",
                    Outcome::Warn => "WARNING",
                    Outcome::Pass | Outcome::Skip => return None,
                };
                Some(ReportMessage {
                    name: c.name.name().to_ascii_uppercase(),
                    message_level: level,
                    success: false,
                    result: c.message.clone(),
                })
            })
            .collect();
        Self {
            valid: checks.verdict() == Verdict::Valid,
            error_count: messages
                .iter()
                .filter(|m| m.message_level == "ERROR")
                .count(),
            warning_count: messages
                .iter()
                .filter(|m| m.message_level == "WARNING")
                .count(),
            messages,
            validation_subject: subject,
            open_badges_version: version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_failure_is_valid_even_with_warnings() {
        let mut c = Checks::new();
        c.pass(Check::Fetch, "ok");
        c.warn(Check::Image, "odd");
        assert_eq!(c.verdict(), Verdict::Valid);
        let r = Report::new(&c, None, Some("2.0"));
        assert!(r.valid);
        assert_eq!((r.error_count, r.warning_count), (0, 1));
        assert_eq!(r.messages[0].name, "IMAGE");
    }

    #[test]
    fn invalid_outranks_unverifiable_which_outranks_revoked_and_expired() {
        let mut c = Checks::new();
        c.fail(Check::Expiry, Effect::Expired, "x");
        assert_eq!(c.verdict(), Verdict::Expired);
        c.fail(Check::Revocation, Effect::Revoked, "x");
        assert_eq!(c.verdict(), Verdict::Revoked);
        c.fail(Check::Key, Effect::Unverifiable, "x");
        assert_eq!(c.verdict(), Verdict::Unverifiable);
        c.fail(Check::Signature, Effect::Invalid, "x");
        assert_eq!(c.verdict(), Verdict::Invalid);
        assert_eq!(c.first_failure().map(|f| f.name), Some(Check::Expiry));
    }

    #[test]
    fn the_report_has_validator_cores_field_names() {
        let mut c = Checks::new();
        c.fail(Check::Signature, Effect::Invalid, "bad");
        let v =
            serde_json::to_value(Report::new(&c, Some("urn:x".into()), Some("2.0"))).expect("json");
        assert_eq!(v["valid"], false);
        assert_eq!(v["errorCount"], 1);
        assert_eq!(v["warningCount"], 0);
        assert_eq!(v["messages"][0]["messageLevel"], "ERROR");
        assert_eq!(v["messages"][0]["success"], false);
        assert_eq!(v["messages"][0]["result"], "bad");
        assert_eq!(v["validationSubject"], "urn:x");
    }

    #[test]
    fn finish_fills_only_missing_checks_in_report_order() {
        let mut c = Checks::new();
        c.pass(Check::Fetch, "ok");
        c.pass(Check::Input, "ok");
        c.finish("no assertion");
        assert_eq!(c.0.len(), Check::ALL.len());
        assert_eq!(c.get(Check::Expiry).map(|d| d.outcome), Some(Outcome::Skip));
        assert_eq!(c.get(Check::Fetch).map(|d| d.outcome), Some(Outcome::Pass));
        let order: Vec<Check> = c.all().iter().map(|f| f.name).collect();
        assert_eq!(order, Check::ALL);
    }

    #[test]
    fn names_round_trip_and_serialise_as_the_stable_strings() {
        for c in Check::ALL {
            assert_eq!(Check::from_name(c.name()), Some(c));
        }
        assert_eq!(
            serde_json::to_value(Check::IssuedOn).expect("json"),
            "issuedOn"
        );
        assert_eq!(Check::BadgeClass.phase(), Phase::Validate);
    }
}
