//! The vocabulary of a verification: named checks with an outcome and a message, the verdict
//! they add up to, and the report in openbadges-validator-core's shape.
//!
//! 1. Every step of [`super::run`] records one [`Check`]: its stable `name` (`fetch`,
//!    `signature`, …), an [`Outcome`] and a sentence for people.
//! 2. A failing check also says what its failure means for the badge ([`Effect`]): the badge
//!    is invalid, revoked or expired, or Emblem could not tell (`unverifiable`: network, host
//!    down, missing key), which is kept apart from "invalid".
//! 3. The [`Verdict`] is the most serious effect of any failed check, in the order
//!    invalid > unverifiable > revoked > expired; with no failure it is `valid`.
//! 4. [`Report`] restates the checks in validator-core's `report` block (`valid`,
//!    `errorCount`, `warningCount`, `messages`), so its clients can switch unchanged.

use serde::Serialize;

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

/// One named check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable name, e.g. `signature`.
    pub name: &'static str,
    /// What it found.
    pub outcome: Outcome,
    /// A sentence for people, quoting the offending value.
    pub message: String,
    /// What a failure means for the badge (failures only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
}

/// The checks recorded so far, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks(pub Vec<Check>);

impl Checks {
    fn push(&mut self, name: &'static str, outcome: Outcome, message: impl Into<String>) {
        self.0.push(Check {
            name,
            outcome,
            message: message.into(),
            effect: None,
        });
    }

    /// Record a passing check.
    pub fn pass(&mut self, name: &'static str, message: impl Into<String>) {
        self.push(name, Outcome::Pass, message);
    }

    /// Record a warning.
    pub fn warn(&mut self, name: &'static str, message: impl Into<String>) {
        self.push(name, Outcome::Warn, message);
    }

    /// Record a skipped check.
    pub fn skip(&mut self, name: &'static str, message: impl Into<String>) {
        self.push(name, Outcome::Skip, message);
    }

    /// Record a failure and what it means.
    pub fn fail(&mut self, name: &'static str, effect: Effect, message: impl Into<String>) {
        self.0.push(Check {
            name,
            outcome: Outcome::Fail,
            message: message.into(),
            effect: Some(effect),
        });
    }

    /// Skip every named check not yet recorded, saying why.
    pub fn skip_rest(&mut self, names: &[&'static str], why: &str) {
        for name in names {
            if !self.0.iter().any(|c| c.name == *name) {
                self.skip(name, why);
            }
        }
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
    pub fn first_failure(&self) -> Option<&Check> {
        self.0.iter().find(|c| c.outcome == Outcome::Fail)
    }

    /// The check called `name`, if recorded.
    pub fn get(&self, name: &str) -> Option<&Check> {
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
                    name: c.name.to_ascii_uppercase(),
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
        let mut c = Checks::default();
        c.pass("fetch", "ok");
        c.warn("image", "odd");
        assert_eq!(c.verdict(), Verdict::Valid);
        let r = Report::new(&c, None, Some("2.0"));
        assert!(r.valid);
        assert_eq!((r.error_count, r.warning_count), (0, 1));
        assert_eq!(r.messages[0].name, "IMAGE");
    }

    #[test]
    fn invalid_outranks_unverifiable_which_outranks_revoked_and_expired() {
        let mut c = Checks::default();
        c.fail("expiry", Effect::Expired, "x");
        assert_eq!(c.verdict(), Verdict::Expired);
        c.fail("revocation", Effect::Revoked, "x");
        assert_eq!(c.verdict(), Verdict::Revoked);
        c.fail("key", Effect::Unverifiable, "x");
        assert_eq!(c.verdict(), Verdict::Unverifiable);
        c.fail("signature", Effect::Invalid, "x");
        assert_eq!(c.verdict(), Verdict::Invalid);
        assert_eq!(c.first_failure().map(|f| f.name), Some("expiry"));
    }

    #[test]
    fn the_report_has_validator_cores_field_names() {
        let mut c = Checks::default();
        c.fail("signature", Effect::Invalid, "bad");
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
    fn skip_rest_fills_only_missing_checks() {
        let mut c = Checks::default();
        c.pass("fetch", "ok");
        c.skip_rest(&["fetch", "dates"], "no assertion");
        assert_eq!(c.0.len(), 2);
        assert_eq!(c.get("dates").map(|d| d.outcome), Some(Outcome::Skip));
    }
}
