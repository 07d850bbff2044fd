//! Awards (hosted OB 2.0 Assertions) and their lifecycle.
//!
//! Create:
//! 1. The badge class must exist and belong to the caller's issuer (else 422 on
//!    `badgeclass`, worded the same either way so other issuers' ids are not revealed).
//! 2. `expires` defaults to `issued_on + expires_after_days` of the class, if set.
//! 3. Draw the id, the recipient salt and a 256-bit claim token; hash the email with the salt.
//! 4. Store `claim/<sha256(token)>` → award id and expiry (`claim_ttl_days`), then insert
//!    `award/<id>` noting the token's hash, then append the id to the class's listing
//!    (`seq/awards/<badge>` + `idx/awards/<badge>/<n>`).
//! 5. Return the award with `claim_url = <base>/claim/<token>`; the token is never shown again.
//!
//! Changes (revoke, recertify, resend; accept, reject, visibility from claim pages) go through
//! [`transition`]: a pure function of the award applied by compare-and-swap. Revocation then
//! adds `{assertion id, reason}` to `revocations/<issuer>` by CAS; that step runs even when
//! the award was already revoked, so a retried revoke repairs an interrupted one.
//!
//! Resend ([`resend`]):
//! 1. Check the award is the caller's and not revoked (404 / 409) before writing anything.
//! 2. Draw a new token and insert `claim/<sha256(new)>`.
//! 3. By CAS on the award: point `claim` at the new token, and bring a rejected award back to
//!    pending. If that fails (revoked meanwhile), delete the new claim record again.
//! 4. Delete `claim/<old hash>`. The claim lookup also checks that a token is the award's live
//!    one, so a crash before this step still leaves the old link dead.

use time::Duration;

use crate::env::Env;
use crate::input::{NewAward, Recertify, Revoke};
use crate::kv::{self, Kv, Update, update_json};
use crate::paging::PageRequest;
use crate::store_keys;
use emblem_badges::digest::sha256_hex;
use emblem_badges::entropy;
use emblem_badges::error::{Conflict, Error, ObjectKind};
use emblem_badges::ids;
use emblem_badges::model::V1;
use emblem_badges::model::award::{
    Acceptance, AcceptanceState, Award, Changed, ClaimRef, TransitionError, Visibility,
};
use emblem_badges::model::badge::DuplicatePolicy;
use emblem_badges::model::claim::ClaimToken;
use emblem_badges::model::revocations::{RevocationList, RevokedEntry};
use emblem_badges::recipient::Recipient;

use crate::badges;
use crate::listing::{self, Listed};
use crate::store::{insert_new, load as load_record};

/// A new award and its claim token (shown once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The award.
    pub award: Award,
    /// The claim token for `<base>/claim/<token>`.
    pub claim_token: String,
}

/// Award a badge class of `issuer_id`.
pub async fn create<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    input: NewAward,
) -> Result<Created, Error> {
    create_against(env, issuer_id, input, false).await
}

/// [`create`]; `reissue` allows a superseded class version (a reissue keeps what was earned).
async fn create_against<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    input: NewAward,
    reissue: bool,
) -> Result<Created, Error> {
    let badge = badges::get(env.kv, issuer_id, &input.badgeclass)
        .await
        .map_err(|e| match e {
            Error::NotFound(_) => Error::invalid(
                "badgeclass",
                format!(
                    "no badge class with id {:?} belongs to this issuer",
                    input.badgeclass
                ),
            ),
            other => other,
        })?;
    let expires = input.expires.or_else(|| {
        badge
            .expires_after_days
            .map(|days| input.issued_on + Duration::days(i64::from(days)))
    });
    if let Some(latest) = badge.superseded_by.as_ref().filter(|_| !reissue) {
        return Err(Error::invalid(
            "badgeclass",
            format!("this badge class was superseded by {latest}; award that version"),
        ));
    }
    let awardee_key = store_keys::awardee(&badge.id, &sha256_hex(input.email.as_bytes()));
    let policy = badge.duplicate_policy;
    let mut observed = None;
    if policy != DuplicatePolicy::Allow {
        observed = kv::get_json::<_, String>(env.kv, &awardee_key).await?;
        if let Some(existing) = &observed {
            earlier_award(env, issuer_id, policy, existing).await?;
        }
    }
    let id = ids::new_id(env.entropy);
    let mut recipient = Recipient::new(input.email, env.entropy);
    recipient.name = input.name;
    let (claim_token, claim_ref) = new_claim(env, &id).await?;
    let award = Award {
        v: V1,
        id: id.clone(),
        issuer_id: issuer_id.to_owned(),
        badge_id: badge.id.clone(),
        recipient,
        issued_on: input.issued_on,
        expires,
        evidence: input.evidence,
        narrative: input.narrative,
        acceptance: Acceptance {
            state: AcceptanceState::Pending,
            changed_at: None,
        },
        visibility: Visibility::Public,
        revoked: None,
        recertifications: Vec::new(),
        claim: Some(claim_ref),
        status_index: None,
        created_at: env.now,
    };
    insert_new(env.kv, &store_keys::award(&id), &award).await?;
    if policy == DuplicatePolicy::Allow {
        kv::put_json(env.kv, &awardee_key, &id).await?;
    } else if let Err(e) = take_awardee(env, issuer_id, policy, &awardee_key, observed, &id).await {
        // Another award to this address won: this one was never acknowledged, so it goes.
        env.kv.delete(&store_keys::award(&id)).await?;
        if let Some(claim) = &award.claim {
            env.kv.delete(&store_keys::claim(&claim.token_hash)).await?;
        }
        return Err(e);
    }
    listing::append(
        env.kv,
        &store_keys::award_seq(&badge.id),
        |n| store_keys::award_idx(&badge.id, n),
        &id,
    )
    .await?;
    crate::expiry::watch(env.kv, &award, env.now).await?;
    Ok(Created { award, claim_token })
}

/// What the duplicate policy says of an earlier award `existing` to the same address: nothing
/// if it is gone or revoked; 409 under `deny`; under `replace`, it is revoked.
async fn earlier_award<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    policy: DuplicatePolicy,
    existing: &str,
) -> Result<(), Error> {
    let live = load(env.kv, existing)
        .await
        .is_ok_and(|earlier| earlier.revoked.is_none());
    if !live {
        return Ok(());
    }
    if policy == DuplicatePolicy::Deny {
        return Err(Error::Conflict(Conflict::Duplicate {
            existing: existing.to_owned(),
        }));
    }
    let reason = Revoke {
        reason: "Replaced by a new award".to_owned(),
    };
    revoke(env, issuer_id, existing, reason).await?;
    Ok(())
}

/// The pointer to the address's latest award changed under us: to this.
enum PointerMoved {
    To(Option<String>),
    Store(kv::KvError),
}

impl From<kv::KvError> for PointerMoved {
    fn from(e: kv::KvError) -> Self {
        Self::Store(e)
    }
}

/// Point the address's latest-award record at `id`, by compare-and-swap from what was read
/// (`observed`), so two awards to one address under `deny` or `replace` cannot both pass the
/// check: when another award moved the pointer first, the policy judges that award too
/// (`deny`: 409; `replace`: it is revoked) and the swap is tried again from it. Every award
/// the pointer names is already written, so its state can be read.
async fn take_awardee<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    policy: DuplicatePolicy,
    key: &str,
    observed: Option<String>,
    id: &str,
) -> Result<(), Error> {
    let mut expected = observed;
    for _ in 0..kv::MAX_CAS_ATTEMPTS {
        let swapped = update_json(env.kv, key, |current: Option<String>| {
            if current == expected {
                Ok(Update::Put(id.to_owned()))
            } else {
                Err(PointerMoved::To(current))
            }
        })
        .await;
        match swapped {
            Ok(_) => return Ok(()),
            Err(PointerMoved::Store(e)) => return Err(e.into()),
            Err(PointerMoved::To(current)) => {
                if let Some(winner) = &current {
                    earlier_award(env, issuer_id, policy, winner).await?;
                }
                expected = current;
            }
        }
    }
    Err(Error::Internal(emblem_badges::error::Internal::Corrupt {
        key: key.to_owned(),
        detail: "the address's latest award kept changing".into(),
    }))
}

/// Draw a claim token for award `id` and store `claim/<sha256(token)>`; returns the token
/// (shown once) and the reference the award keeps.
async fn new_claim<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    id: &str,
) -> Result<(String, ClaimRef), Error> {
    let token = entropy::token(env.entropy);
    let token_hash = sha256_hex(token.as_bytes());
    let expires_at = env.now + env.policy.claim_ttl;
    let record = ClaimToken {
        v: V1,
        award_id: id.to_owned(),
        expires_at,
    };
    insert_new(env.kv, &store_keys::claim(&token_hash), &record).await?;
    Ok((
        token,
        ClaimRef {
            token_hash,
            expires_at,
        },
    ))
}

/// Mint a new claim link for the issuer's award `id` (see the module docs): the old link stops
/// working and a rejected award is pending again. A revoked award is 409.
pub async fn resend<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    id: &str,
) -> Result<Created, Error> {
    let current = get(env.kv, issuer_id, id).await?;
    if current.revoked.is_some() {
        return Err(TransitionError::Revoked { id: id.to_owned() }.into());
    }
    with_new_claim(env, issuer_id, id, |_| Ok(())).await
}

/// Mint a new claim link for award `id` and, in the same compare-and-swap, apply `also`;
/// the old link is deleted once the award points at the new one (and the new one if the
/// swap fails).
async fn with_new_claim<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    id: &str,
    mut also: impl FnMut(&mut Award) -> Result<(), TransitionError>,
) -> Result<Created, Error> {
    let (claim_token, claim_ref) = new_claim(env, id).await?;
    let new_hash = claim_ref.token_hash.clone();
    let now = env.now;
    let mut replaced = None;
    let result = transition(env.kv, Some(issuer_id), id, |a| {
        also(a)?;
        replaced = a.reissue_claim(claim_ref.clone(), now)?;
        Ok(Changed::Yes)
    })
    .await;
    let award = match result {
        Ok(award) => award,
        Err(e) => {
            env.kv.delete(&store_keys::claim(&new_hash)).await?;
            return Err(e);
        }
    };
    if let Some(old) = replaced.filter(|old| *old != new_hash) {
        env.kv.delete(&store_keys::claim(&old)).await?;
    }
    Ok(Created { award, claim_token })
}

/// The reason an award revoked by [`replace`] carries.
pub const REISSUED: &str = "reissued";

/// Fix a mistyped address on the issuer's award `id`. Pending or rejected: the address is
/// swapped (a new salt and identity hash; the name stays) and a new claim link minted (the
/// old one stops working). Accepted: the award is revoked with reason [`REISSUED`] and the
/// badge awarded again to the new address, keeping its dates, evidence, narrative and name.
/// Revoked: 409.
pub async fn replace<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    id: &str,
    email: String,
) -> Result<Created, Error> {
    let current = get(env.kv, issuer_id, id).await?;
    if current.revoked.is_some() {
        return Err(TransitionError::Revoked { id: id.to_owned() }.into());
    }
    if current.acceptance.state == AcceptanceState::Accepted {
        let reason = Revoke {
            reason: REISSUED.to_owned(),
        };
        revoke(env, issuer_id, id, reason).await?;
        let again = NewAward {
            badgeclass: current.badge_id.clone(),
            email,
            name: current.recipient.name.clone(),
            issued_on: current.issued_on,
            expires: current.expires,
            evidence: current.evidence.clone(),
            narrative: current.narrative.clone(),
        };
        return create_against(env, issuer_id, again, true).await;
    }
    let mut recipient = Recipient::new(email, env.entropy);
    recipient.name = current.recipient.name.clone();
    let made = with_new_claim(env, issuer_id, id, |a| {
        if a.acceptance.state == AcceptanceState::Accepted {
            // Accepted meanwhile: the caller retries and takes the reissue path.
            return Err(TransitionError::AlreadyAccepted { id: a.id.clone() });
        }
        a.recipient = recipient.clone();
        Ok(())
    })
    .await?;
    let award = &made.award;
    let awardee = store_keys::awardee(
        &award.badge_id,
        &sha256_hex(award.recipient.email.as_bytes()),
    );
    kv::put_json(env.kv, &awardee, &award.id).await?;
    Ok(made)
}

/// Load an award, or 404.
pub async fn load<K: Kv + ?Sized>(kv: &K, id: &str) -> Result<Award, Error> {
    load_record(kv, ObjectKind::Assertion, id, store_keys::award).await
}

/// Read the issuer's award `id` (another issuer's is 404).
pub async fn get<K: Kv + ?Sized>(kv: &K, issuer_id: &str, id: &str) -> Result<Award, Error> {
    let award = load(kv, id).await?;
    if award.issuer_id != issuer_id {
        return Err(Error::not_found(ObjectKind::Assertion, id));
    }
    Ok(award)
}

/// One page of the awards of the issuer's badge class `badge_id`.
pub async fn list_for_badge<K: Kv + ?Sized>(
    kv: &K,
    issuer_id: &str,
    badge_id: &str,
    page: PageRequest,
) -> Result<Listed<Award>, Error> {
    badges::get(kv, issuer_id, badge_id).await?;
    listing::page(
        kv,
        &store_keys::award_seq(badge_id),
        |n| store_keys::award_idx(badge_id, n),
        store_keys::award,
        page,
    )
    .await
}

/// Apply `change` to award `id` atomically; returns the award after it. With `owner`, an
/// award of another issuer is 404 (claim pages, which hold a token instead, pass None).
pub async fn transition<K, F>(
    kv: &K,
    owner: Option<&str>,
    id: &str,
    mut change: F,
) -> Result<Award, Error>
where
    K: Kv + ?Sized,
    F: FnMut(&mut Award) -> Result<Changed, TransitionError>,
{
    let not_found = || Error::not_found(ObjectKind::Assertion, id);
    if !ids::is_valid(id) {
        return Err(not_found());
    }
    let updated = update_json(kv, &store_keys::award(id), |award: Option<Award>| {
        let mut award = award
            .filter(|a| owner.is_none_or(|o| a.issuer_id == o))
            .ok_or_else(not_found)?;
        Ok::<_, Error>(match change(&mut award)? {
            Changed::Yes => Update::Put(award),
            Changed::No => Update::Keep(Some(award)),
        })
    })
    .await?;
    updated.value.ok_or_else(not_found)
}

/// Revoke (idempotent: a second revoke keeps the first reason) and list the revocation.
pub async fn revoke<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    id: &str,
    input: Revoke,
) -> Result<Award, Error> {
    let now = env.now;
    let award = transition(env.kv, Some(issuer_id), id, |a| {
        Ok(a.revoke(&input.reason, now))
    })
    .await?;
    let Some(revocation) = award.revoked.clone() else {
        return Ok(award);
    };
    update_json(
        env.kv,
        &store_keys::revocations(issuer_id),
        |list: Option<RevocationList>| {
            let mut list = list.unwrap_or_default();
            if list.entries.iter().any(|e| e.assertion_id == award.id) {
                return Ok::<_, Error>(Update::Keep(Some(list)));
            }
            list.entries.push(RevokedEntry {
                assertion_id: award.id.clone(),
                reason: revocation.reason.clone(),
                revoked_at: revocation.revoked_at,
                status_index: award.status_index,
            });
            Ok(Update::Put(list))
        },
    )
    .await?;
    Ok(award)
}

/// Set a new expiry (must be in the future and after issuance; a revoked award is 409).
pub async fn recertify<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer_id: &str,
    id: &str,
    input: Recertify,
) -> Result<Award, Error> {
    let now = env.now;
    let award = transition(env.kv, Some(issuer_id), id, |a| {
        a.recertify(input.expires, now)
    })
    .await?;
    crate::expiry::watch(env.kv, &award, now).await?;
    Ok(award)
}

/// The issuer's revocation list (empty when nothing was revoked).
pub async fn revocations<K: Kv + ?Sized>(kv: &K, issuer_id: &str) -> Result<RevocationList, Error> {
    Ok(kv::get_json(kv, &store_keys::revocations(issuer_id))
        .await?
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::badge_input;
    use crate::testing::{Bench, NOW};
    use emblem_badges::recipient::identity_hash;
    use futures::executor::block_on;
    use futures::future::join_all;
    use time::macros::datetime;

    fn badge(b: &Bench, issuer: &str) -> String {
        block_on(badges::create(&b.env(), issuer, badge_input()))
            .expect("badge")
            .id
    }

    /// A new award of a new class of `issuer`; its id.
    fn awarded(b: &Bench, issuer: &str) -> String {
        let class = badge(b, issuer);
        block_on(create(&b.env(), issuer, award_input(&class)))
            .expect("award")
            .award
            .id
    }

    use crate::testing::award_input;

    #[test]
    fn a_new_award_is_pending_hashed_and_claimable() {
        let b = Bench::new();
        let class = badge(&b, "i1");
        let created = block_on(create(&b.env(), "i1", award_input(&class))).expect("award");
        let a = &created.award;
        assert_eq!(a.status(NOW), emblem_badges::model::award::Status::Pending);
        assert_eq!(
            a.recipient.identity,
            identity_hash("alice@example.org", &a.recipient.salt)
        );
        assert_eq!(
            a.expires,
            Some(datetime!(2027-11-22 10:00 UTC)),
            "class default"
        );
        let hash = sha256_hex(created.claim_token.as_bytes());
        let claim: ClaimToken = block_on(kv::get_json(&b.kv, &store_keys::claim(&hash)))
            .expect("read")
            .expect("stored");
        assert_eq!(claim.award_id, a.id);
        assert_eq!(claim.expires_at, NOW + Duration::days(30));
        assert!(
            !b.kv.keys().iter().any(|k| k.contains(&created.claim_token)),
            "the token itself is never stored"
        );
    }

    #[test]
    fn an_explicit_expiry_overrides_the_class_default() {
        let b = Bench::new();
        let class = badge(&b, "i1");
        let mut input = award_input(&class);
        input.expires = Some(datetime!(2030-01-01 00:00 UTC));
        let a = block_on(create(&b.env(), "i1", input))
            .expect("award")
            .award;
        assert_eq!(a.expires, Some(datetime!(2030-01-01 00:00 UTC)));
    }

    #[test]
    fn awarding_another_issuers_class_is_invalid_and_writes_nothing() {
        let b = Bench::new();
        let class = badge(&b, "i1");
        let before = b.kv.snapshot();
        let e = block_on(create(&b.env(), "i2", award_input(&class))).expect_err("422");
        assert_eq!(e.problem().errors[0].field, "badgeclass");
        assert_eq!(b.kv.snapshot(), before);
        let e = block_on(create(&b.env(), "i1", award_input("nope"))).expect_err("422");
        assert_eq!(e.status(), 422);
    }

    #[test]
    fn fifty_concurrent_awards_are_each_listed_exactly_once() {
        let b = Bench::contended();
        let class = badge(&b, "i1");
        let env = b.env();
        let creations = (0..50).map(|_| create(&env, "i1", award_input(&class)));
        let created: Vec<String> = block_on(join_all(creations))
            .into_iter()
            .map(|r| r.expect("award").award.id)
            .collect();
        let page = block_on(list_for_badge(
            &b.kv,
            "i1",
            &class,
            PageRequest {
                limit: 100,
                start: 1,
            },
        ))
        .expect("list");
        assert_eq!(page.total, 50);
        let mut listed: Vec<String> = page.items.into_iter().map(|a| a.id).collect();
        let mut expected = created;
        listed.sort();
        expected.sort();
        assert_eq!(listed, expected);
    }

    #[test]
    fn listing_another_issuers_class_is_404() {
        let b = Bench::new();
        let class = badge(&b, "i1");
        let e =
            block_on(list_for_badge(&b.kv, "i2", &class, PageRequest::default())).expect_err("404");
        assert_eq!(e.status(), 404);
    }

    #[test]
    fn revoking_twice_keeps_the_first_reason_and_lists_it_once() {
        let b = Bench::new();
        let id = awarded(&b, "i1");
        let first = Revoke {
            reason: "Issued in error".into(),
        };
        let a = block_on(revoke(&b.env(), "i1", &id, first)).expect("revoke");
        assert_eq!(
            a.revoked.as_ref().map(|r| r.reason.as_str()),
            Some("Issued in error")
        );
        let again = Revoke {
            reason: "Other".into(),
        };
        let a = block_on(revoke(&b.env(), "i1", &id, again)).expect("again");
        assert_eq!(
            a.revoked.as_ref().map(|r| r.reason.as_str()),
            Some("Issued in error")
        );
        let list = block_on(revocations(&b.kv, "i1")).expect("list");
        assert_eq!(list.entries.len(), 1);
        assert_eq!(list.entries[0].reason, "Issued in error");
    }

    #[test]
    fn concurrent_revocations_of_different_awards_all_land() {
        let b = Bench::contended();
        let class = badge(&b, "i1");
        let env = b.env();
        let ids: Vec<String> = (0..30)
            .map(|_| {
                block_on(create(&env, "i1", award_input(&class)))
                    .expect("a")
                    .award
                    .id
            })
            .collect();
        let revokes = ids.iter().map(|id| {
            revoke(
                &env,
                "i1",
                id,
                Revoke {
                    reason: format!("r-{id}"),
                },
            )
        });
        assert!(block_on(join_all(revokes)).iter().all(Result::is_ok));
        let list = block_on(revocations(&b.kv, "i1")).expect("list");
        assert_eq!(list.entries.len(), 30);
    }

    #[test]
    fn another_issuer_cannot_revoke_or_see_an_award() {
        let b = Bench::new();
        let id = awarded(&b, "i1");
        let before = b.kv.snapshot();
        let e =
            block_on(revoke(&b.env(), "i2", &id, Revoke { reason: "x".into() })).expect_err("404");
        assert_eq!(e.status(), 404);
        assert_eq!(b.kv.snapshot(), before);
        assert_eq!(
            block_on(get(&b.kv, "i2", &id)).expect_err("404").status(),
            404
        );
    }

    #[test]
    fn recertifying_a_revoked_award_is_a_conflict() {
        let b = Bench::new();
        let id = awarded(&b, "i1");
        let new = Recertify {
            expires: datetime!(2029-01-01 00:00 UTC),
        };
        let a = block_on(recertify(&b.env(), "i1", &id, new.clone())).expect("recertify");
        assert_eq!(a.recertifications.len(), 1);
        block_on(revoke(&b.env(), "i1", &id, Revoke { reason: "x".into() })).expect("revoke");
        let e = block_on(recertify(&b.env(), "i1", &id, new)).expect_err("409");
        assert_eq!(e.status(), 409);
    }

    #[test]
    fn accepting_through_a_transition_is_atomic_and_idempotent() {
        let b = Bench::contended();
        let id = awarded(&b, "i1");
        let accepts = (0..10).map(|_| transition(&b.kv, Some("i1"), &id, |a| a.accept(NOW)));
        assert!(block_on(join_all(accepts)).iter().all(Result::is_ok));
        let a = block_on(load(&b.kv, &id)).expect("load");
        assert_eq!(a.acceptance.state, AcceptanceState::Accepted);
    }

    #[test]
    fn resending_replaces_the_token_and_reopens_a_rejected_award() {
        let b = Bench::new();
        let class = badge(&b, "i1");
        let made = block_on(create(&b.env(), "i1", award_input(&class))).expect("award");
        let id = made.award.id.clone();
        let old_hash = sha256_hex(made.claim_token.as_bytes());
        block_on(transition(&b.kv, None, &id, |a| a.reject(NOW))).expect("reject");
        let again = block_on(resend(&b.env(), "i1", &id)).expect("resend");
        assert_ne!(again.claim_token, made.claim_token);
        assert_eq!(again.award.acceptance.state, AcceptanceState::Pending);
        let new_hash = sha256_hex(again.claim_token.as_bytes());
        assert_eq!(
            again.award.claim.as_ref().map(|c| c.token_hash.as_str()),
            Some(new_hash.as_str())
        );
        let keys = b.kv.keys();
        assert!(
            !keys.contains(&store_keys::claim(&old_hash)),
            "old token deleted"
        );
        assert!(keys.contains(&store_keys::claim(&new_hash)));
    }

    #[test]
    fn resending_a_revoked_or_foreign_award_changes_nothing() {
        let b = Bench::new();
        let id = awarded(&b, "i1");
        let before = b.kv.snapshot();
        let e = block_on(resend(&b.env(), "i2", &id)).expect_err("404");
        assert_eq!(e.status(), 404);
        assert_eq!(b.kv.snapshot(), before);
        block_on(revoke(&b.env(), "i1", &id, Revoke { reason: "x".into() })).expect("revoke");
        let before = b.kv.snapshot();
        let e = block_on(resend(&b.env(), "i1", &id)).expect_err("409");
        assert_eq!(e.status(), 409);
        assert_eq!(b.kv.snapshot(), before);
    }

    #[test]
    fn concurrent_resends_leave_exactly_one_live_token() {
        let b = Bench::contended();
        let id = awarded(&b, "i1");
        let env = b.env();
        let results = block_on(join_all((0..8).map(|_| resend(&env, "i1", &id))));
        assert!(results.iter().all(Result::is_ok));
        let claims: Vec<String> =
            b.kv.keys()
                .into_iter()
                .filter(|k| k.starts_with("claim/"))
                .collect();
        let live = block_on(load(&b.kv, &id))
            .expect("load")
            .claim
            .expect("claim");
        assert_eq!(claims, vec![store_keys::claim(&live.token_hash)]);
    }
}
