//! The canon component, which checks Data Integrity proofs for `verify`, at
//! `http://canon.spin.internal`.

use emblem_web::vc::verifier::Verifier;
use emblem_web::verify::canon;
use emblem_web::verify::{Checking, DataIntegrity, ProofFailure};
use serde_json::Value;

use super::call;

/// The origin that reaches the `canon` component (`route = { private = true }`: nothing but
/// chaining reaches it).
pub const CANON: &str = "http://canon.spin.internal";

/// The proof processors of the `verify` component: Data Integrity proofs are checked by the
/// `canon` component, where the JSON-LD and RDFC-1.0 code is linked
/// (`emblem_web::verify::canon`); JWS signatures and multikeys, which need no JSON-LD, here.
#[derive(Debug, Clone, Copy, Default)]
pub struct Canon;

impl DataIntegrity for Canon {
    fn verify<'a>(&'a self, doc: &'a Value, key: &'a [u8; 32]) -> Checking<'a> {
        Box::pin(async move {
            let path = canon::PATH;
            let body = canon::ask(doc, key);
            match call(
                CANON,
                &super::LIMITS,
                None,
                http::Method::POST,
                path,
                "application/json",
                &body,
            )
            .await
            {
                Ok((status, _, _, answer)) => canon::read(status, &answer),
                Err(why) => Err(ProofFailure::Unprocessable(format!(
                    "the canonicalisation component did not answer {CANON}{path}: {why}"
                ))),
            }
        })
    }

    fn jws(
        &self,
        alg: &str,
        input: &[u8],
        signature: &[u8],
        key: &Value,
    ) -> Result<(), ProofFailure> {
        Verifier.jws(alg, input, signature, key)
    }

    fn multikey(&self, multibase: &str) -> Option<[u8; 32]> {
        Verifier.multikey(multibase)
    }
}
