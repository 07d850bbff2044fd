//! The mail component, the one component that speaks SMTP (and the one that holds `smtp_url`,
//! its password included), at `http://mail.spin.internal`: `issuing` hands it each message.
//! The TLS stack and WebPKI roots an SMTP client needs are linked there, not into the
//! component that serves the issuer API.
//!
//! Two routes, JSON both ways:
//!
//! | route | answer |
//! |---|---|
//! | `GET /sender` | [`SenderAnswer`]: `mail_from` when delivery is configured, else null; a 500 problem when `smtp_url`, `mail_from` or `smtp_ca` does not parse |
//! | `POST /send` with a [`SendAsk`] | [`SendAnswer`]: sent, or why not and whether for good |

use std::cell::OnceCell;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use emblem_web::Error;
use emblem_web::error::Internal;
use emblem_web::service::mail::{Envelope, Mailer, SendError};
use serde::{Deserialize, Serialize};

use super::call;

/// The origin that reaches the mail component.
pub const MAIL: &str = "http://mail.spin.internal";

/// `GET /sender`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderAnswer {
    /// `mail_from`, normalised, when email delivery is configured.
    pub sender: Option<String>,
}

/// `POST /send`: one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendAsk {
    /// `MAIL FROM`.
    pub from: String,
    /// `RCPT TO`.
    pub to: String,
    /// The RFC 5322 message, base64.
    pub data: String,
}

impl SendAsk {
    /// The request for `envelope`.
    pub fn new(envelope: &Envelope) -> Self {
        Self {
            from: envelope.from.clone(),
            to: envelope.to.clone(),
            data: STANDARD.encode(&envelope.data),
        }
    }

    /// The envelope asked for, if `data` is base64.
    pub fn envelope(self) -> Option<Envelope> {
        Some(Envelope {
            from: self.from,
            to: self.to,
            data: STANDARD.decode(self.data).ok()?,
        })
    }
}

/// The answer to `POST /send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendAnswer {
    /// Whether the SMTP server took the message.
    pub sent: bool,
    /// Not sent: whether for good (an SMTP 5xx to the recipient or the message).
    #[serde(default)]
    pub permanent: bool,
    /// Not sent: why (never the SMTP password).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl SendAnswer {
    /// The answer for the outcome of one send.
    pub fn of(outcome: Result<(), SendError>) -> Self {
        match outcome {
            Ok(()) => Self {
                sent: true,
                permanent: false,
                reason: None,
            },
            Err(e) => Self {
                sent: false,
                permanent: e.permanent,
                reason: Some(e.reason),
            },
        }
    }

    /// The outcome it reports.
    pub fn outcome(self) -> Result<(), SendError> {
        if self.sent {
            return Ok(());
        }
        let reason = self.reason.unwrap_or_else(|| "not sent".to_owned());
        Err(if self.permanent {
            SendError {
                permanent: true,
                reason,
            }
        } else {
            SendError::transient(reason)
        })
    }
}

/// The message a `POST /send` body asks the mail component to send, if the body is one and
/// the message goes out as `sender` (the instance's `mail_from`): the component relays
/// nothing else. A 422 otherwise.
pub fn message_to_send(body: &[u8], sender: Option<&str>) -> Result<Envelope, Error> {
    let envelope = serde_json::from_slice::<SendAsk>(body)
        .ok()
        .and_then(SendAsk::envelope)
        .ok_or_else(|| Error::invalid("body", "not a message to send"))?;
    if sender != Some(envelope.from.as_str()) {
        return Err(Error::invalid("from", "is not this instance's mail_from"));
    }
    Ok(envelope)
}

thread_local! {
    /// The mail component's sender, asked once per instance of the caller.
    static SENDER: OnceCell<Option<String>> = const { OnceCell::new() };
}

/// Email as `issuing` sends it: through the mail component.
#[derive(Debug, Clone, Copy, Default)]
pub struct MailRelay;

impl Mailer for MailRelay {
    async fn sender(&self) -> Result<Option<String>, Error> {
        if let Some(known) = SENDER.with(|s| s.get().cloned()) {
            return Ok(known);
        }
        let failed = |why: String| {
            Error::Internal(Internal::Config(format!(
                "the mail component did not say whether email is on ({MAIL}/sender): {why}"
            )))
        };
        let (status, _, _, body) = call(
            MAIL,
            &super::MAIL_LIMITS,
            None,
            http::Method::GET,
            "/sender",
            "application/json",
            &[],
        )
        .await
        .map_err(failed)?;
        if status != 200 {
            return Err(failed(format!(
                "it answered {status}: {}",
                String::from_utf8_lossy(&body)
            )));
        }
        let answer: SenderAnswer =
            serde_json::from_slice(&body).map_err(|e| failed(e.to_string()))?;
        Ok(SENDER.with(|s| s.get_or_init(|| answer.sender).clone()))
    }

    async fn send(&self, envelope: &Envelope) -> Result<(), SendError> {
        let body = serde_json::to_vec(&SendAsk::new(envelope)).unwrap_or_default();
        let failed =
            |why: String| SendError::transient(format!("the mail component did not answer: {why}"));
        let (status, _, _, answer) = call(
            MAIL,
            &super::MAIL_LIMITS,
            None,
            http::Method::POST,
            "/send",
            "application/json",
            &body,
        )
        .await
        .map_err(failed)?;
        if status != 200 {
            return Err(failed(format!("status {status}")));
        }
        serde_json::from_slice::<SendAnswer>(&answer)
            .map_err(|e| failed(e.to_string()))?
            .outcome()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_crosses_unchanged() {
        let envelope = Envelope {
            from: "badges@emblem.test".into(),
            to: "earner@example.org".into(),
            data: b"Subject: hi\r\n\r\n\xff binary-safe\r\n".to_vec(),
        };
        let wire = serde_json::to_vec(&SendAsk::new(&envelope)).expect("json");
        let back: SendAsk = serde_json::from_slice(&wire).expect("json");
        assert_eq!(back.envelope(), Some(envelope));
    }

    #[test]
    fn each_outcome_crosses_unchanged() {
        for outcome in [
            Ok(()),
            Err(SendError::transient("TLS: the certificate is not trusted")),
            Err(SendError {
                permanent: true,
                reason: "550 no such user".into(),
            }),
        ] {
            let wire = serde_json::to_vec(&SendAnswer::of(outcome.clone())).expect("json");
            let back: SendAnswer = serde_json::from_slice(&wire).expect("json");
            assert_eq!(back.outcome(), outcome);
        }
    }

    #[test]
    fn only_a_well_formed_message_from_the_configured_sender_is_sent() {
        let ask = |from: &str, data: &str| {
            serde_json::to_vec(&serde_json::json!({"from": from, "to": "d@e.f", "data": data}))
                .expect("json")
        };
        let good = ask("badges@emblem.test", "aGk=");
        let sent = message_to_send(&good, Some("badges@emblem.test")).expect("sent");
        assert_eq!(sent.data, b"hi");
        for (body, sender) in [
            (good.clone(), None),
            (good.clone(), Some("other@emblem.test")),
            (
                ask("anyone@example.org", "aGk="),
                Some("badges@emblem.test"),
            ),
            (
                ask("badges@emblem.test", "not base64!"),
                Some("badges@emblem.test"),
            ),
            (b"not json".to_vec(), Some("badges@emblem.test")),
        ] {
            let e = message_to_send(&body, sender).expect_err("refused");
            assert_eq!(e.status(), 422, "{}", String::from_utf8_lossy(&body));
        }
    }

    #[test]
    fn a_request_that_is_not_base64_names_no_message() {
        let ask = SendAsk {
            from: "a@b.c".into(),
            to: "d@e.f".into(),
            data: "not base64!".into(),
        };
        assert_eq!(ask.envelope(), None);
    }
}
