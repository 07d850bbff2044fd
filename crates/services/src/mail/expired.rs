//! The sweep of `assertion.expired` events (see `crate::expiry`, which lists the awards):
//! run by the mail flush, it queues each expired award's event in the outbox once.

use time::OffsetDateTime;

use crate::env::Env;
use crate::expiry::hour;
use crate::kv::{self, Kv, read_counter};
use crate::mail::outbox;
use crate::{issuers, store_keys, webhook};
use emblem_badges::error::Error;
use emblem_badges::model::award::Award;

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Swept {
    /// `assertion.expired` events queued.
    pub queued: u32,
    /// Listed awards that expired and were judged (queued, or without a webhook).
    pub expired: u32,
}

/// Queue the events of the listed awards that have expired by `env.now`, reading at most
/// `budget` hour counters and listing entries in all (see the module docs).
pub async fn sweep<K: Kv + ?Sized>(env: &Env<'_, K>, budget: u32) -> Result<Swept, Error> {
    let kv = env.kv;
    let mut done = Swept::default();
    let Some(mut low) = kv::get_json::<_, i64>(kv, store_keys::EXPIRY_LOW).await? else {
        return Ok(done);
    };
    let current = hour(env.now);
    let mut left = budget;
    // `low` moves past the hours finished in a row from it; later hours up to the current one
    // are walked all the same (their due entries go, the rest wait).
    let mut advancing = true;
    let mut at = low;
    while at <= current && left > 0 {
        left -= 1;
        let seq = store_keys::expiry_seq(at);
        let count = read_counter(kv, &seq).await?;
        let mut finished = true;
        for n in 1..=count {
            if left == 0 {
                finished = false;
                break;
            }
            left -= 1;
            let idx = store_keys::expiry_idx(at, n);
            let Some(id) = kv::get_json::<_, String>(kv, &idx).await? else {
                continue;
            };
            let award = kv::get_json::<_, Award>(kv, &store_keys::award(&id)).await?;
            let expires = award
                .as_ref()
                .filter(|a| a.revoked.is_none())
                .and_then(|a| a.expires)
                .filter(|e| hour(*e) == at);
            if let (Some(award), Some(expires)) = (&award, expires) {
                if expires > env.now {
                    finished = false;
                    continue;
                }
                done.expired += 1;
                if expired_event(env, award, expires).await? {
                    done.queued += 1;
                }
            }
            kv.delete(&idx).await?;
        }
        if advancing && finished && at < current - 1 {
            kv.delete(&seq).await?;
            low = at + 1;
            kv::put_json(kv, store_keys::EXPIRY_LOW, &low).await?;
        } else {
            advancing = false;
        }
        at += 1;
    }
    Ok(done)
}

/// Queue `award`'s `assertion.expired` event for `expires`, unless it was queued before or
/// the issuer has no webhook; whether it was queued now.
async fn expired_event<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    award: &Award,
    expires: OffsetDateTime,
) -> Result<bool, Error> {
    let issuer = issuers::load(env.kv, &award.issuer_id).await?;
    if issuer.webhook_url.is_none() {
        return Ok(false);
    }
    let once = store_keys::expired_event(&award.id, expires.unix_timestamp());
    if !kv::claim(env.kv, &once).await? {
        return Ok(false);
    }
    let event = "assertion.expired";
    let payload = webhook::event_payload(event, award, env.base, env.now, None);
    let queued = outbox::enqueue_hook(env.kv, &issuer, &award.id, event, payload, env.now).await?;
    Ok(queued.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Recertify, Revoke};
    use crate::testing::{Bench, NOW, award_input, badge_input};
    use crate::{awards, badges};
    use futures::executor::block_on;
    use time::Duration;

    /// An issuer with a webhook and one class.
    fn programme(b: &Bench) -> (String, String) {
        let input = crate::input::NewIssuer {
            name: "Expiry Academy".into(),
            url: "https://expiry.example".into(),
            email: "badges@expiry.example".into(),
            description: None,
            image: None,
            linkedin_organization_id: None,
            status_method: Default::default(),
        };
        let mut issuer = block_on(issuers::create(&b.env(), input)).expect("issuer");
        issuer.webhook_url = Some("https://hooks.expiry.example/emblem".into());
        block_on(kv::put_json(
            &b.kv,
            &store_keys::issuer(&issuer.id),
            &issuer,
        ))
        .expect("hook");
        let badge = block_on(badges::create(&b.env(), &issuer.id, badge_input())).expect("class");
        (issuer.id, badge.id)
    }

    fn award_expiring(
        b: &Bench,
        issuer: &str,
        badge: &str,
        email: &str,
        at: OffsetDateTime,
    ) -> Award {
        let mut input = award_input(badge);
        input.email = email.into();
        input.expires = Some(at);
        block_on(awards::create(&b.env(), issuer, input))
            .expect("award")
            .award
    }

    /// The `assertion.expired` events queued for `award_id`.
    fn expired_events(b: &Bench, award_id: &str) -> Vec<serde_json::Value> {
        let n = block_on(read_counter(&b.kv, &store_keys::mail_seq(award_id))).expect("seq");
        (1..=n)
            .filter_map(|i| block_on(outbox::load(&b.kv, &format!("{award_id}.{i}"))).ok()?)
            .filter_map(|m| m.hook)
            .filter(|h| h.event == "assertion.expired")
            .map(|h| h.payload)
            .collect()
    }

    fn sweep_at(b: &mut Bench, at: OffsetDateTime) -> Swept {
        b.now = at;
        block_on(sweep(&b.env(), 1000)).expect("sweep")
    }

    #[test]
    fn an_award_tells_the_webhook_once_when_it_expires_and_not_before() {
        let mut b = Bench::new();
        let (issuer, badge) = programme(&b);
        let soon = award_expiring(
            &b,
            &issuer,
            &badge,
            "soon@example.org",
            NOW + Duration::minutes(30),
        );
        let later = award_expiring(
            &b,
            &issuer,
            &badge,
            "later@example.org",
            NOW + Duration::hours(5),
        );
        assert_eq!(sweep_at(&mut b, NOW + Duration::minutes(29)).queued, 0);
        assert!(expired_events(&b, &soon.id).is_empty());

        let swept = sweep_at(&mut b, NOW + Duration::minutes(31));
        assert_eq!(swept.queued, 1, "{swept:?}");
        let events = expired_events(&b, &soon.id);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["event"], "assertion.expired");
        assert_eq!(events[0]["assertion_id"], soon.id.as_str());
        assert_eq!(events[0]["status"], "expired");
        // Later flushes do not repeat it; the other award is not due yet.
        assert_eq!(sweep_at(&mut b, NOW + Duration::hours(2)).queued, 0);
        assert_eq!(expired_events(&b, &soon.id).len(), 1);
        assert!(expired_events(&b, &later.id).is_empty());
        // Hours later, a flush that comes late still finds it, once.
        assert_eq!(sweep_at(&mut b, NOW + Duration::hours(30)).queued, 1);
        assert_eq!(sweep_at(&mut b, NOW + Duration::hours(31)).queued, 0);
        assert_eq!(expired_events(&b, &later.id).len(), 1);
        // Every finished hour's listing is gone.
        let left: Vec<String> =
            b.kv.keys()
                .into_iter()
                .filter(|k| k.starts_with("idx/expiry/"))
                .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn revoked_and_recertified_awards_tell_only_what_is_true() {
        let mut b = Bench::new();
        let (issuer, badge) = programme(&b);
        let revoked = award_expiring(
            &b,
            &issuer,
            &badge,
            "r@example.org",
            NOW + Duration::minutes(30),
        );
        let moved = award_expiring(
            &b,
            &issuer,
            &badge,
            "m@example.org",
            NOW + Duration::minutes(30),
        );
        let reason = Revoke {
            reason: "Issued in error".into(),
        };
        block_on(awards::revoke(&b.env(), &issuer, &revoked.id, reason)).expect("revoke");
        let until = NOW + Duration::days(3);
        block_on(awards::recertify(
            &b.env(),
            &issuer,
            &moved.id,
            Recertify { expires: until },
        ))
        .expect("recertify");
        assert_eq!(sweep_at(&mut b, NOW + Duration::hours(2)).queued, 0);
        assert!(
            expired_events(&b, &revoked.id).is_empty(),
            "a revoked award never expires"
        );
        assert!(
            expired_events(&b, &moved.id).is_empty(),
            "its old expiry is gone"
        );
        assert_eq!(sweep_at(&mut b, until + Duration::minutes(1)).queued, 1);
        let events = expired_events(&b, &moved.id);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["expires"], emblem_badges::clock::format(until));
    }

    #[test]
    fn an_award_created_already_expired_is_not_listed() {
        let mut b = Bench::new();
        let (issuer, badge) = programme(&b);
        let mut input = award_input(&badge);
        input.issued_on = NOW - Duration::days(400);
        input.expires = Some(NOW - Duration::days(30));
        let made = block_on(awards::create(&b.env(), &issuer, input)).expect("award");
        assert_eq!(sweep_at(&mut b, NOW + Duration::hours(3)).expired, 0);
        assert!(expired_events(&b, &made.award.id).is_empty());
    }
}
