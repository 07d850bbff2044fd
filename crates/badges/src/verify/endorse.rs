//! Endorsements carried by an Open Badges 3.0 credential (1EdTech `verification.md`, step 6):
//! each `EndorsementCredential` in `endorsement` (JSON, embedded proof) or `endorsementJwt`
//! (VC-JWT) of the credential, its achievement and its embedded issuer profile is verified
//! like a credential: its shape, its key (published by its controller, who must be the
//! endorser), its proof and its dates. Its subject must be the thing that carries it, so an
//! endorsement of something else cannot be pasted in.
//!
//! An endorsement is a third party's statement about the credential, not part of it: one
//! that fails is reported as a warning and set aside, and never changes the verdict. At most
//! [`MAX_ENDORSEMENTS`] are checked per verification (each may cost fetches, which count
//! against the verification's fetch budget, and a canonicalisation).

use serde_json::Value;
use time::OffsetDateTime;

use super::check::Check;
use super::docs;
use super::fetch::Fetch;
use super::flow::Verification;
use super::jws::Jws;
use super::load::Loader;
use super::ob3::{self, DataIntegrity, ProofFailure};
use crate::clock;
use crate::context::{OB3_CONTEXT_PREFIX, VC1_CONTEXT, VC2_CONTEXT};

/// Endorsements checked per verification, at most.
pub const MAX_ENDORSEMENTS: usize = 8;

/// One endorsement as carried.
enum Carried<'a> {
    /// An `EndorsementCredential` with an embedded proof.
    Json(&'a Value),
    /// A VC-JWT.
    Jwt(&'a str),
}

/// The endorsements of `doc`: where each is carried, the id it must be about, and itself.
fn carried(doc: &Value) -> Vec<(&'static str, Option<&str>, Carried<'_>)> {
    let mut found = Vec::new();
    let issuer = doc.get("issuer").filter(|i| i.is_object());
    let achievement = doc
        .get("credentialSubject")
        .and_then(|s| s.get("achievement"))
        .filter(|a| a.is_object());
    let holders = [
        ("credential", Some(doc)),
        ("achievement", achievement),
        ("issuer", issuer),
    ];
    for (place, holder) in holders {
        let Some(holder) = holder else { continue };
        let about = docs::str_of(holder, "id");
        match holder.get("endorsement") {
            Some(Value::Array(list)) => {
                found.extend(list.iter().map(|e| (place, about, Carried::Json(e))));
            }
            Some(one @ Value::Object(_)) => found.push((place, about, Carried::Json(one))),
            _ => {}
        }
        if let Some(list) = holder.get("endorsementJwt").and_then(Value::as_array) {
            found.extend(
                list.iter()
                    .filter_map(Value::as_str)
                    .map(|jwt| (place, about, Carried::Jwt(jwt))),
            );
        }
    }
    found
}

/// Verify the endorsements `doc` carries and record what they say (see the module docs).
pub(super) async fn endorsements<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    doc: &Value,
    now: OffsetDateTime,
    di: &dyn DataIntegrity,
    v: &mut Verification,
) {
    let found = carried(doc);
    if found.is_empty() {
        v.checks.skip(
            Check::Endorsement,
            "The credential carries no endorsements.",
        );
        return;
    }
    let mut endorsed_by = Vec::new();
    for (place, about, endorsement) in found.iter().take(MAX_ENDORSEMENTS) {
        match endorsement_of(load, endorsement, *about, now, di).await {
            Ok(endorser) => endorsed_by.push(format!("{endorser} (of the {place})")),
            Err(why) => v.checks.warn(
                Check::Endorsement,
                format!(
                    "An endorsement of the {place} was set aside: {why}. Endorsements never \
                     change the verdict."
                ),
            ),
        }
    }
    if found.len() > MAX_ENDORSEMENTS {
        v.checks.warn(
            Check::Endorsement,
            format!(
                "{} more endorsements were not checked (at most {MAX_ENDORSEMENTS} per \
                 verification).",
                found.len() - MAX_ENDORSEMENTS
            ),
        );
    }
    if !endorsed_by.is_empty() {
        v.checks.pass(
            Check::Endorsement,
            format!(
                "Endorsed, with a valid proof, by {}.",
                endorsed_by.join("; ")
            ),
        );
    }
}

/// The endorser (name and id) of a valid endorsement about `about`, or why it is not one.
async fn endorsement_of<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    endorsement: &Carried<'_>,
    about: Option<&str>,
    now: OffsetDateTime,
    di: &dyn DataIntegrity,
) -> Result<String, String> {
    match endorsement {
        Carried::Json(doc) => {
            let endorser = shape(doc, about, now)?;
            let (key, _) = ob3::resolve_key(load, doc, &endorser, di)
                .await
                .map_err(|f| f.message)?;
            di.verify(doc, &key).await.map_err(|f| proof_words(&f))?;
            Ok(label(doc, &endorser))
        }
        Carried::Jwt(text) => {
            let jws = Jws::parse(text).map_err(|e| format!("not a VC-JWT: {e}"))?;
            let claims = &jws.payload;
            let doc =
                ob3::jwt_credential(&jws).map_err(|problem| format!("not a VC-JWT: {problem}"))?;
            let endorser = shape(doc, about, now)?;
            if let Some(problem) = ob3::claim_mismatch(claims, doc, &endorser) {
                return Err(problem);
            }
            let alg = ob3::jwt_alg(&jws).map_err(|problem| format!("its {problem}"))?;
            let kid = jws
                .header
                .get("kid")
                .and_then(Value::as_str)
                .ok_or("it names no key (kid)")?;
            let (key, _) = ob3::jwt_key(load, kid, &endorser, di)
                .await
                .map_err(|f| f.message)?;
            di.jws(alg, jws.signing_input().as_bytes(), jws.signature(), &key)
                .map_err(|f| proof_words(&f))?;
            Ok(label(doc, &endorser))
        }
    }
}

/// The endorser as named in a report: its name and id.
fn label(doc: &Value, endorser: &str) -> String {
    let name = doc["issuer"]["name"]
        .as_str()
        .unwrap_or("an unnamed endorser");
    format!("{name:?} ({endorser})")
}

/// The shape of an `EndorsementCredential` about `about`, valid at `now`; its issuer id.
fn shape(doc: &Value, about: Option<&str>, now: OffsetDateTime) -> Result<String, String> {
    let contexts = ob3::context_list(doc);
    let vcdm1 = contexts.first() == Some(&VC1_CONTEXT);
    if contexts.first() != Some(&VC2_CONTEXT) && !vcdm1 {
        return Err(format!("its first @context is not {VC2_CONTEXT}"));
    }
    if !contexts.iter().any(|c| c.starts_with(OB3_CONTEXT_PREFIX)) {
        return Err("it names no Open Badges 3.0 context".to_owned());
    }
    if !docs::has_type(doc, "VerifiableCredential") || !docs::has_type(doc, "EndorsementCredential")
    {
        return Err("its type is not VerifiableCredential and EndorsementCredential".to_owned());
    }
    let endorser = ob3::id_of(doc.get("issuer"))
        .filter(|i| !i.is_empty())
        .ok_or("it names no issuer")?
        .to_owned();
    let subject = docs::str_of(&doc["credentialSubject"], "id").ok_or("its subject has no id")?;
    if about != Some(subject) {
        return Err(format!(
            "it is about {subject}, not about {}",
            about.unwrap_or("(something without an id)")
        ));
    }
    let (from_key, until_key) = if vcdm1 {
        ("issuanceDate", "expirationDate")
    } else {
        ("validFrom", "validUntil")
    };
    match docs::str_of(doc, from_key).map(clock::parse_iso8601) {
        Some(Ok(t)) if t > now + time::Duration::minutes(5) => {
            return Err(format!("it is not valid before {}", clock::format(t)));
        }
        Some(Ok(_)) => {}
        _ => return Err(format!("its {from_key} is missing or not a date-time")),
    }
    match docs::str_of(doc, until_key).map(clock::parse_iso8601) {
        Some(Ok(t)) if t < now => Err(format!("it expired on {}", clock::format(t))),
        Some(Err(_)) => Err(format!("its {until_key} is not a date-time")),
        _ => Ok(endorser),
    }
}

fn proof_words(failure: &ProofFailure) -> String {
    match failure {
        ProofFailure::BadSignature => {
            "its proof does not match it (changed after signing, or another key)".to_owned()
        }
        ProofFailure::UndefinedTerm(term) => {
            format!("it has a property, {term:?}, that its @context does not define")
        }
        ProofFailure::UnfitKey(why) => format!("its key cannot have made the proof: {why}"),
        ProofFailure::Unprocessable(why) => format!("its proof could not be checked: {why}"),
    }
}
