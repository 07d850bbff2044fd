//! `refreshService` of an Open Badges 3.0 credential (1EdTech `verification.md`, step 3):
//! after the credential's proof has passed, a `1EdTechCredentialRefresh` service is asked once
//! for a newer copy.
//!
//! - The answer (a credential as JSON, or a VC-JWT) must pass the same conformance, key and
//!   proof checks, come from the same issuer, and carry the same credential id; then it is
//!   the credential judged from there on (dates, status, recipient, endorsements).
//! - Its own `refreshService` is not followed: a refresh happens at most once.
//! - A refresh that fails for any reason (no answer, not a credential, another issuer, a bad
//!   proof) is a warning, and the credential is judged as it was handed in; the service's
//!   fetch counts against the verification's fetch budget like any other.

use serde_json::Value;

use super::check::{Check, Outcome};
use super::docs;
use super::fetch::Fetch;
use super::flow::Verification;
use super::jws::Jws;
use super::load::Loader;
use super::ob3::{self, DataIntegrity};

/// The refresh service's type that 1EdTech defines.
const REFRESH_TYPE: &str = "1EdTechCredentialRefresh";

/// Follow `doc`'s refresh service once (see the module docs); the newer credential, if it
/// passed.
pub(super) async fn refresh<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    doc: &Value,
    issuer_id: &str,
    di: &dyn DataIntegrity,
    v: &mut Verification,
) -> Option<Value> {
    let Some(service) = doc.get("refreshService") else {
        v.checks
            .skip(Check::Refresh, "The credential names no refresh service.");
        return None;
    };
    let url = docs::str_of(service, "id").filter(|u| docs::is_http_url(u));
    let (true, Some(url)) = (docs::has_type(service, REFRESH_TYPE), url) else {
        v.checks.warn(
            Check::Refresh,
            format!(
                "The refresh service {service} is not a {REFRESH_TYPE} with an http(s) id; the \
                 credential is judged as it was handed in."
            ),
        );
        return None;
    };
    match newer(load, url, doc, issuer_id, di).await {
        Ok(newer) => {
            v.checks.pass(
                Check::Refresh,
                format!(
                    "Refreshed once from {url}: the newer copy passed the same conformance, key \
                     and proof checks, from the same issuer; the checks below judge it."
                ),
            );
            Some(newer)
        }
        Err(why) => {
            v.checks.warn(
                Check::Refresh,
                format!(
                    "The refresh service at {url} gave no usable credential ({why}); the \
                     credential is judged as it was handed in."
                ),
            );
            None
        }
    }
}

/// The credential at `url`, if it passes as a newer copy of `doc` (see the module docs).
async fn newer<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    url: &str,
    doc: &Value,
    issuer_id: &str,
    di: &dyn DataIntegrity,
) -> Result<Value, String> {
    let got = load.get(url).await.map_err(|e| e.to_string())?;
    if got.status != 200 {
        return Err(format!("it answered HTTP {}", got.status));
    }
    let text = std::str::from_utf8(&got.body).map_err(|_| "the answer is not UTF-8".to_owned())?;
    let text = text.trim();
    let mut scratch = Verification::new("refresh");
    let passed = if text.starts_with('{') {
        let newer: Value =
            serde_json::from_str(text).map_err(|_| "the answer is not JSON".to_owned())?;
        ob3::proven(load, &newer, Some(url), di, &mut scratch)
            .await
            .map(|issuer| (newer, issuer))
    } else {
        let jws = Jws::parse(text)
            .map_err(|e| format!("the answer is neither a credential nor a VC-JWT: {e}"))?;
        ob3::proven_jwt(load, &jws, di, &mut scratch).await
    };
    let Some((newer, newer_issuer)) = passed else {
        let why = scratch
            .checks
            .all()
            .iter()
            .find(|f| f.outcome == Outcome::Fail)
            .map_or_else(String::new, |f| f.message.clone());
        return Err(format!("the answer did not pass: {why}"));
    };
    if newer_issuer != issuer_id {
        return Err(format!(
            "the answer is issued by {newer_issuer}, not by {issuer_id}"
        ));
    }
    let (id, newer_id) = (docs::str_of(doc, "id"), docs::str_of(&newer, "id"));
    if id != newer_id {
        return Err(format!(
            "the answer is another credential ({})",
            newer_id.unwrap_or("no id")
        ));
    }
    Ok(newer)
}
