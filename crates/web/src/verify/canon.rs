//! What `verify` and the `canon` component say to each other. Checking a Data Integrity proof
//! means turning JSON-LD into canonical RDF (the pinned contexts, `oxjsonld`, RDFC-1.0):
//! some 0.6 MB of code that would take `verify` over 1.5 MB. So it is linked into one small
//! component of its own, `canon`, which only service chaining reaches
//! (`route = { private = true }` in spin.toml). `verify` sends it the document and the key it
//! resolved ([`ask`]), `canon` checks the proof ([`answer`], with
//! [`emblem_vc::verifier::Verifier`]) and says what it found; `verify` reads that back into
//! a [`ProofFailure`] or a pass ([`read`]). Everything else of the 3.0 procedure (which key,
//! whose key, dates, status) stays in `verify`.
//!
//! The exchange is JSON: `{"key": "<64 hex digits>", "document": {…}}` in, and
//! `{"verified": true}` or `{"verified": false, "failure": "<kind>", "detail": "…"}` out, with
//! 200 either way; a request `canon` cannot read is a 422 problem.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ProofFailure;
use crate::error::Error;
use crate::reply::Reply;

/// The path `canon` answers.
pub const PATH: &str = "/data-integrity/verify";

/// The largest request `canon` reads: a document `verify` accepted (its bodies are capped at
/// 10 MiB) and the key, with room for re-serialisation.
pub const MAX_REQUEST: usize = 12 << 20;

#[derive(Serialize)]
struct Ask<'a> {
    key: String,
    document: &'a Value,
}

#[derive(Deserialize)]
struct Asked {
    key: String,
    document: Value,
}

#[derive(Serialize, Deserialize)]
struct Verdict {
    verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

/// The request body asking for the proof of `doc` to be checked with the Ed25519 key `key`.
pub fn ask(doc: &Value, key: &[u8; 32]) -> Vec<u8> {
    let ask = Ask {
        key: hex::encode(key),
        document: doc,
    };
    // A `Value` and a string: serialising cannot fail.
    serde_json::to_vec(&ask).unwrap_or_default()
}

/// `canon`'s answer to the request `body`: the verdict (200), or a 422 problem when the
/// request is not one [`ask`] makes.
pub fn answer(body: &[u8]) -> Result<Reply, Error> {
    let asked: Asked = serde_json::from_slice(body)
        .map_err(|e| Error::invalid("body", format!("not a proof check request: {e}")))?;
    let key: [u8; 32] = hex::decode(asked.key.trim())
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| Error::invalid("key", "must be 32 bytes in hex"))?;
    let verdict = match emblem_vc::verifier::Verifier::check(&asked.document, &key) {
        Ok(()) => Verdict {
            verified: true,
            failure: None,
            detail: None,
        },
        Err(failure) => {
            let (kind, detail) = match failure {
                ProofFailure::BadSignature => ("bad-signature", None),
                ProofFailure::UndefinedTerm(t) => ("undefined-term", Some(t)),
                ProofFailure::UnfitKey(why) => ("unfit-key", Some(why)),
                ProofFailure::Unprocessable(why) => ("unprocessable", Some(why)),
            };
            Verdict {
                verified: false,
                failure: Some(kind.to_owned()),
                detail,
            }
        }
    };
    Ok(Reply::json(200, &verdict))
}

/// What `verify` makes of `canon`'s answer (`status`, `body`): a pass, the failure it
/// reported, or unprocessable when the answer is not a verdict.
pub fn read(status: u16, body: &[u8]) -> Result<(), ProofFailure> {
    let unreadable = || {
        ProofFailure::Unprocessable(format!(
            "the canonicalisation component answered {status} without a verdict"
        ))
    };
    if status != 200 {
        return Err(unreadable());
    }
    let verdict: Verdict = serde_json::from_slice(body).map_err(|_| unreadable())?;
    if verdict.verified {
        return Ok(());
    }
    let detail = verdict.detail.unwrap_or_default();
    Err(match verdict.failure.as_deref() {
        Some("bad-signature") => ProofFailure::BadSignature,
        Some("undefined-term") => ProofFailure::UndefinedTerm(detail),
        Some("unfit-key") => ProofFailure::UnfitKey(detail),
        Some("unprocessable") => ProofFailure::Unprocessable(detail),
        _ => unreadable(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use emblem_badges::verify::DataIntegrity;

    /// The fixtures' award as a 3.0 credential, signed, and the Ed25519 public key.
    fn signed() -> (Value, [u8; 32]) {
        use crate::ob2::fixtures;
        use emblem_vc::{contexts, di, ob3};
        let base = crate::BaseUrl::parse("https://badges.example.org").expect("test data");
        let doc = ob3::credential(
            &fixtures::award(),
            &fixtures::badge(),
            &fixtures::issuer(),
            &base,
        );
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let options = di::ProofOptions {
            created: "2026-01-01T00:00:00Z".into(),
            verification_method: ob3::key_id(&base, fixtures::ISSUER_ID, "k1"),
            proof_purpose: "assertionMethod".into(),
        };
        let signed = di::sign(&doc, &options, &key, contexts::PINNED).expect("test data");
        (signed, key.verifying_key().to_bytes())
    }

    fn round_trip(doc: &Value, key: &[u8; 32]) -> Result<(), ProofFailure> {
        let reply = answer(&ask(doc, key)).expect("a readable request");
        read(reply.status, &reply.body)
    }

    #[test]
    fn a_valid_proof_passes_through_the_exchange() {
        let (doc, key) = signed();
        assert_eq!(round_trip(&doc, &key), Ok(()));
    }

    #[test]
    fn each_failure_comes_back_as_the_local_verifier_reports_it() {
        let (doc, key) = signed();
        let mut tampered = doc.clone();
        tampered["credentialSubject"]["achievement"]["name"] = "Forged".into();
        let mut undefined = doc.clone();
        undefined["notInAnyContext"] = "x".into();
        let mut unsupported = doc.clone();
        unsupported["proof"]["cryptosuite"] = "ecdsa-rdfc-2019".into();
        let other_key = [7u8; 32];
        for (case, key) in [
            (&tampered, &key),
            (&undefined, &key),
            (&unsupported, &key),
            (&doc, &other_key),
        ] {
            let local =
                futures::executor::block_on(emblem_vc::verifier::Verifier.verify(case, key));
            assert!(local.is_err(), "{case}");
            assert_eq!(round_trip(case, key), local, "{case}");
        }
    }

    #[test]
    fn a_request_canon_cannot_read_is_a_422_and_checks_nothing() {
        for body in [
            &b"not json"[..],
            br#"{"document": {}}"#,
            br#"{"key": "abcd", "document": {}}"#,
            br#"{"key": 7, "document": {}}"#,
        ] {
            let e = answer(body).expect_err("refused");
            assert_eq!(
                Reply::problem(&e).status,
                422,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn an_answer_that_is_not_a_verdict_is_unprocessable_never_a_pass() {
        for (status, body) in [
            (500, &br#"{"verified": true}"#[..]),
            (404, b""),
            (200, b"{}"),
            (200, b"<html>"),
            (200, br#"{"verified": false, "failure": "new-kind"}"#),
        ] {
            assert!(
                matches!(read(status, body), Err(ProofFailure::Unprocessable(_))),
                "{status} {}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
