//! `Idempotency-Key` on the issuer API's POSTs: a retried request gets the first answer, and
//! nothing is done twice.
//!
//! 1. The key (1..=255 printable ASCII characters) is scoped to the caller (an issuer, or
//!    the admin) and stored only hashed: `idem/<scope>/<sha256(key)>`.
//! 2. The request is fingerprinted (method, path, content type, body). A key reused with
//!    another request is refused (422), as the IETF `Idempotency-Key` draft says.
//! 3. A request takes a key by an atomic increment of `idem/…#turn` (the request whose
//!    increment returns one more than the value it read owns it), marks it in flight, acts,
//!    and stores the answer (status, headers that matter, body). A second request with the
//!    key while the first is in flight gets 409 and may retry; after it, the stored answer
//!    with `Idempotent-Replayed: true`.
//! 4. An answer with a server error (5xx) is not stored: the key may be used again. An
//!    owner that died leaves the key in flight; after [`IN_FLIGHT`] it can be taken over.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::kv::{self, Kv, read_counter};
use emblem_badges::clock::ts;
use emblem_badges::digest::sha256_hex;
use emblem_badges::error::Error;
use emblem_badges::model::V1;

/// Longest key accepted.
pub const MAX_KEY: usize = 255;
/// How long a request may hold a key before another may take it over.
pub const IN_FLIGHT: Duration = Duration::minutes(2);

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Location`, if any.
    pub location: Option<String>,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum State {
    InFlight {
        turn: i64,
        #[serde(with = "ts")]
        since: OffsetDateTime,
    },
    Done {
        answer: Answer,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Record {
    v: V1,
    fingerprint: String,
    #[serde(flatten)]
    state: State,
}

/// A key this request owns until [`finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    key: String,
    fingerprint: String,
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// Act, then [`finish`] with the answer.
    Act(Ticket),
    /// Answer this (the first request's answer).
    Replay(Answer),
    /// Another request with this key is in flight (409).
    InFlight,
    /// The key was used for another request (422).
    Mismatch,
}

/// Check an `Idempotency-Key` header value.
pub fn check_key(key: &str) -> Result<(), &'static str> {
    if key.is_empty() || key.len() > MAX_KEY || !key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err("it must be 1 to 255 printable ASCII characters without spaces");
    }
    Ok(())
}

/// The fingerprint of a request.
pub fn fingerprint(method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> String {
    let mut data = Vec::with_capacity(body.len() + 128);
    for part in [method, path, content_type.unwrap_or_default()] {
        data.extend_from_slice(part.as_bytes());
        data.push(0);
    }
    data.extend_from_slice(body);
    sha256_hex(&data)
}

/// Look up the key `key` of `scope` for a request with `fingerprint`.
pub async fn begin<K: Kv + ?Sized>(
    kv: &K,
    scope: &str,
    key: &str,
    fingerprint: &str,
    now: OffsetDateTime,
) -> Result<Begin, Error> {
    let record_key = format!("idem/{scope}/{}", sha256_hex(key.as_bytes()));
    let turn_key = format!("{record_key}#turn");
    let record: Option<Record> = kv::get_json(kv, &record_key).await?;
    if let Some(r) = &record {
        if r.fingerprint != fingerprint {
            return Ok(Begin::Mismatch);
        }
        match &r.state {
            State::Done { answer } => return Ok(Begin::Replay(answer.clone())),
            State::InFlight { since, .. } if *since + IN_FLIGHT > now => {
                return Ok(Begin::InFlight);
            }
            State::InFlight { .. } => {}
        }
    }
    let turn = read_counter(kv, &turn_key).await?;
    if kv.increment(&turn_key, 1).await? != turn + 1 {
        return Ok(Begin::InFlight);
    }
    let mine = Record {
        v: V1,
        fingerprint: fingerprint.to_owned(),
        state: State::InFlight {
            turn: turn + 1,
            since: now,
        },
    };
    kv::put_json(kv, &record_key, &mine).await?;
    Ok(Begin::Act(Ticket {
        key: record_key,
        fingerprint: fingerprint.to_owned(),
    }))
}

/// Store the answer to the request that holds `ticket`. A server error is not stored: the
/// key is released for a retry.
pub async fn finish<K: Kv + ?Sized>(kv: &K, ticket: Ticket, answer: Answer) -> Result<(), Error> {
    if answer.status >= 500 {
        kv.delete(&ticket.key).await?;
        return Ok(());
    }
    let record = Record {
        v: V1,
        fingerprint: ticket.fingerprint,
        state: State::Done { answer },
    };
    Ok(kv::put_json(kv, &ticket.key, &record).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::MemoryKv;
    use futures::executor::block_on;
    use futures::future::join_all;

    const NOW: OffsetDateTime = time::macros::datetime!(2026-11-28 10:00 UTC);

    fn answer(status: u16) -> Answer {
        Answer {
            status,
            location: None,
            content_type: Some("application/json".into()),
            body: "{\"id\":\"a\"}".into(),
        }
    }

    #[test]
    fn a_retry_gets_the_first_answer_and_another_request_with_the_key_is_refused() {
        block_on(async {
            let kv = MemoryKv::new();
            let fp = fingerprint(
                "POST",
                "/api/v1/assertions",
                Some("application/json"),
                b"{}",
            );
            let Begin::Act(ticket) = begin(&kv, "iss", "k1", &fp, NOW).await.expect("begin") else {
                panic!("first request acts");
            };
            assert_eq!(begin(&kv, "iss", "k1", &fp, NOW).await, Ok(Begin::InFlight));
            finish(&kv, ticket, answer(201)).await.expect("finish");
            assert_eq!(
                begin(&kv, "iss", "k1", &fp, NOW).await,
                Ok(Begin::Replay(answer(201)))
            );
            let other = fingerprint(
                "POST",
                "/api/v1/assertions",
                Some("application/json"),
                b"[]",
            );
            assert_eq!(
                begin(&kv, "iss", "k1", &other, NOW).await,
                Ok(Begin::Mismatch)
            );
            // Keys are per caller.
            assert!(matches!(
                begin(&kv, "other-issuer", "k1", &other, NOW).await,
                Ok(Begin::Act(_))
            ));
            assert!(
                !kv.keys().iter().any(|k| k.contains("k1")),
                "keys stored hashed"
            );
        });
    }

    #[test]
    fn of_concurrent_requests_with_one_key_one_acts_and_a_server_error_frees_the_key() {
        block_on(async {
            let kv = MemoryKv::contended();
            let fp = fingerprint("POST", "/x", None, b"");
            let all = join_all((0..6).map(|_| begin(&kv, "iss", "k", &fp, NOW))).await;
            let acting: Vec<_> = all
                .into_iter()
                .filter_map(|b| match b {
                    Ok(Begin::Act(t)) => Some(t),
                    _ => None,
                })
                .collect();
            assert_eq!(acting.len(), 1);
            let ticket = acting.into_iter().next().expect("one");
            finish(&kv, ticket, answer(503)).await.expect("finish");
            assert!(matches!(
                begin(&kv, "iss", "k", &fp, NOW).await,
                Ok(Begin::Act(_))
            ));
            // A holder that died is taken over after the in-flight window.
            let later = NOW + IN_FLIGHT + Duration::seconds(1);
            assert!(matches!(
                begin(&kv, "iss", "k", &fp, later).await,
                Ok(Begin::Act(_))
            ));
        });
    }

    #[test]
    fn keys_are_printable_ascii_of_bounded_length() {
        assert!(check_key("8e03978e-40d5-43e8-bc93-6894a57f9324").is_ok());
        for bad in ["", "has space", "tab\t", &"x".repeat(256), "é"] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }
}
