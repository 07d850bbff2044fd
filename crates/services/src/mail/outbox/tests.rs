use std::cell::RefCell;

use futures::executor::block_on;
use futures::future::join_all;
use time::Duration;

use super::*;
use crate::mail::{Envelope, SendError};
use crate::testing::{Bench, NOW, badge_input};

/// A transport that records what it is asked to send and answers from a script.
#[derive(Default)]
struct Recorder {
    sent: RefCell<Vec<Envelope>>,
    fail: RefCell<Option<SendError>>,
}

impl Mailer for Recorder {
    async fn sender(&self) -> Result<Option<String>, emblem_badges::error::Error> {
        Ok(Some("badges@emblem.test".to_owned()))
    }

    async fn send(&self, envelope: &Envelope) -> Result<(), SendError> {
        // Yield once, so concurrent attempts interleave.
        futures::future::ready(()).await;
        if let Some(e) = self.fail.borrow().clone() {
            return Err(e);
        }
        self.sent.borrow_mut().push(envelope.clone());
        Ok(())
    }
}

impl Transports for Recorder {
    type M = Self;
    type W = crate::webhook::NoWebhooks;
    fn mailer(&self) -> &Self {
        self
    }
    fn webhooks(&self) -> &crate::webhook::NoWebhooks {
        &crate::webhook::NoWebhooks
    }
}

fn award(b: &Bench) -> Award {
    let env = b.env();
    let class = block_on(crate::badges::create(&env, "iss", badge_input())).expect("badge");
    let input = crate::testing::award_input(&class.id);
    block_on(crate::awards::create(&env, "iss", input))
        .expect("award")
        .award
}

fn draft(award: &Award, kind: Kind, not_before: OffsetDateTime) -> Draft {
    Draft {
        kind,
        award_id: award.id.clone(),
        issuer_id: award.issuer_id.clone(),
        to: award.recipient.email.clone(),
        claim_hash: award.claim.as_ref().map(|c| c.token_hash.clone()),
        not_before,
        body: Some(Body {
            from_name: "Academy".into(),
            reply_to: None,
            subject: "You earned it".into(),
            text: "text".into(),
            html: "<p>html</p>".into(),
            unsubscribe_url: "https://badges.example.org/unsubscribe/U".into(),
        }),
        hook: None,
    }
}

fn at(b: &mut Bench, t: OffsetDateTime) {
    b.now = t;
}

#[test]
fn of_many_concurrent_attempts_exactly_one_sends() {
    let b = Bench::contended();
    let a = award(&b);
    let m = block_on(enqueue(&b.kv, draft(&a, Kind::Awarded, NOW), NOW)).expect("queued");
    let mailer = Recorder::default();
    let env = b.env();
    let results = block_on(join_all((0..8).map(|_| attempt(&env, &mailer, &m.id))));
    let done = results
        .iter()
        .filter(|r| matches!(r, Ok(Attempted::Done(_))))
        .count();
    assert_eq!(done, 1, "{results:?}");
    assert_eq!(mailer.sent.borrow().len(), 1);
    let after = block_on(load(&b.kv, &m.id)).expect("load").expect("record");
    assert_eq!(after.status, Status::Sent);
    assert!(
        after.body.is_none(),
        "the message (with its claim link) is dropped once sent"
    );
    // Sent is final: nothing more happens however often it is flushed.
    block_on(flush(&env, &mailer, 10, When::RetryNow)).expect("flush");
    assert_eq!(mailer.sent.borrow().len(), 1);
}

#[test]
fn a_failed_send_backs_off_then_is_retried_and_given_up_after_the_last_delay() {
    let mut b = Bench::new();
    let a = award(&b);
    let m = block_on(enqueue(&b.kv, draft(&a, Kind::Awarded, NOW), NOW)).expect("queued");
    let mailer = Recorder::default();
    *mailer.fail.borrow_mut() = Some(SendError::transient("connection refused"));
    let mut t = NOW;
    for (i, delay) in BACKOFF.iter().enumerate() {
        at(&mut b, t);
        let Attempted::Done(r) = block_on(attempt(&b.env(), &mailer, &m.id)).expect("attempt")
        else {
            panic!("attempt {i} not made");
        };
        assert_eq!(r.status, Status::Failed);
        assert_eq!(r.attempts as usize, i + 1);
        assert_eq!(r.next_attempt_at, Some(t + *delay));
        // Not due a second before.
        at(&mut b, t + *delay - Duration::seconds(1));
        assert!(matches!(
            block_on(attempt(&b.env(), &mailer, &m.id)).expect("attempt"),
            Attempted::Left(_)
        ));
        t += *delay;
    }
    at(&mut b, t);
    let Attempted::Done(r) = block_on(attempt(&b.env(), &mailer, &m.id)).expect("attempt") else {
        panic!("last attempt not made");
    };
    assert_eq!(
        (r.status, r.next_attempt_at),
        (Status::Failed, None),
        "given up"
    );
    assert!(r.body.is_none());
    assert_eq!(r.last_error.as_deref(), Some("connection refused"));
}

#[test]
fn a_permanent_refusal_suppresses_the_address_for_the_issuer() {
    let b = Bench::new();
    let a = award(&b);
    let m = block_on(enqueue(&b.kv, draft(&a, Kind::Awarded, NOW), NOW)).expect("queued");
    let mailer = Recorder::default();
    *mailer.fail.borrow_mut() = Some(SendError::permanent("RCPT TO: 550 no such mailbox"));
    let Attempted::Done(r) = block_on(attempt(&b.env(), &mailer, &m.id)).expect("attempt") else {
        panic!("not attempted");
    };
    assert_eq!((r.status, r.next_attempt_at), (Status::Failed, None));
    let s = block_on(suppression::check(&b.kv, "iss", "alice@example.org")).expect("check");
    assert_eq!(s.map(|s| s.reason), Some(Reason::Bounced));
    // The next email to that address is not sent.
    *mailer.fail.borrow_mut() = None;
    let m2 = block_on(enqueue(&b.kv, draft(&a, Kind::Resent, NOW), NOW)).expect("queued");
    let Attempted::Done(r) = block_on(attempt(&b.env(), &mailer, &m2.id)).expect("attempt") else {
        panic!("not attempted");
    };
    assert_eq!(r.status, Status::Suppressed);
    assert!(mailer.sent.borrow().is_empty());
}

#[test]
fn a_reminder_waits_for_its_date_and_is_skipped_once_the_earner_answered() {
    let mut b = Bench::new();
    let a = award(&b);
    let mailer = Recorder::default();
    let due = NOW + Duration::days(7);
    let r1 = block_on(enqueue(&b.kv, draft(&a, Kind::Reminder, due), NOW)).expect("queued");
    let report = block_on(flush(&b.env(), &mailer, 10, When::RetryNow)).expect("flush");
    assert_eq!((report.sent, report.waiting), (0, 1), "{report:?}");
    assert!(
        mailer.sent.borrow().is_empty(),
        "not before its date, even with retry=now"
    );

    at(&mut b, due);
    let report = block_on(flush(&b.env(), &mailer, 10, When::Due)).expect("flush");
    assert_eq!(report.sent, 1, "{report:?}");

    // A second award's reminder, but the earner accepts first.
    let a2 = award(&b);
    let r2 = block_on(enqueue(&b.kv, draft(&a2, Kind::Reminder, due), NOW)).expect("queued");
    block_on(crate::kv::update_json::<_, Award, Error, _>(
        &b.kv,
        &crate::store_keys::award(&a2.id),
        |award| {
            let mut award = award.expect("award");
            award.acceptance.state = AcceptanceState::Accepted;
            Ok(crate::kv::Update::Put(award))
        },
    ))
    .expect("accept");
    let report = block_on(flush(&b.env(), &mailer, 10, When::Due)).expect("flush");
    assert_eq!((report.sent, report.not_sent), (0, 1), "{report:?}");
    let skipped = block_on(load(&b.kv, &r2.id))
        .expect("load")
        .expect("record");
    assert_eq!(skipped.status, Status::Skipped);
    assert_eq!(mailer.sent.borrow().len(), 1);
    // Both reminders are final: the next flush starts after them.
    let low: i64 = block_on(crate::kv::get_json(
        &b.kv,
        &crate::store_keys::mail_queue_low("later"),
    ))
    .expect("low")
    .expect("set");
    assert_eq!(low, 3, "{r1:?}");
}

#[test]
fn an_email_whose_claim_link_was_replaced_is_not_sent() {
    let b = Bench::new();
    let a = award(&b);
    let mut d = draft(&a, Kind::Awarded, NOW);
    d.claim_hash = Some("an-older-link".into());
    let m = block_on(enqueue(&b.kv, d, NOW)).expect("queued");
    let mailer = Recorder::default();
    let Attempted::Done(r) = block_on(attempt(&b.env(), &mailer, &m.id)).expect("attempt") else {
        panic!("not attempted");
    };
    assert_eq!(r.status, Status::Skipped);
    assert!(mailer.sent.borrow().is_empty());
}
