//! Two instances of the app sharing one real Redis (`type = "redis"`), as a scaled-out
//! deployment runs: the journeys alternate between them and the races are split across them.
//! The host answers with Spin's Redis semantics (`host/src/kv/redis.rs`): every
//! compare-and-swap reported as failed, counters as `INCRBY` decimals, no batch reads.

use crate::common::{award, badge_class, issuer, path_of};
use emblem_tests::{App, AppConfig, Redis};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Both instances publish the same origin, as behind one load balancer.
const ORIGIN: &str = "https://badges.example.org";

fn pair(name: &str) -> (Redis, App, App) {
    let redis = Redis::start(name);
    let config = AppConfig::emblem(name)
        .variable("public_base_url", ORIGIN)
        .redis(&redis);
    let second = config.another(name);
    (redis, config.start(), second.start())
}

fn accept(app: &App, claim_path: &str) -> u16 {
    app.request("POST", claim_path)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(b"action=accept".to_vec())
        .send()
        .status
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

#[test]
fn the_issuing_claim_share_and_revoke_journeys_alternate_between_instances() {
    let (_redis, a, b) = pair("journey");
    // Created on one, used on the other (before: 500 "a freshly generated id already exists").
    let who = issuer(&a, "Edge Academy");
    b.get(&path_of(&who.url)).expect(200);
    let class = badge_class(&b, &who, json!({"name": "Scaled Out"}));
    let made = award(&a, &who, &class, "earner@example.org", json!({}));
    let id = id_of(&made);
    let assertion = path_of(made["assertion_url"].as_str().expect("url"));
    let claim = path_of(made["claim_url"].as_str().expect("claim url"));
    assert_eq!(
        b.get(&assertion).expect(200).json()["id"],
        made["assertion_url"]
    );

    // Accept on one instance; the other shows the manage page.
    assert_eq!(accept(&b, &claim), 303);
    assert!(a.get(&claim).expect(200).text().contains("Make private"));

    // Share clicks on both are counted together.
    a.get(&format!("/share/linkedin/{id}")).expect(302);
    b.get(&format!("/share/linkedin/{id}")).expect(302);
    let counts = a
        .get_auth(&format!("/api/v1/assertions/{id}/shares"), &who.key)
        .expect(200)
        .json();
    assert_eq!(counts["linkedin_profile"], 2, "{counts}");

    // Revoked on one: gone on the other, and listed.
    b.post(
        &format!("/api/v1/assertions/{id}/revoke"),
        &who.key,
        &json!({"reason": "issued in error"}),
    )
    .expect(200);
    a.get(&assertion).expect(410);
    let list = a
        .get(&format!("{}/revocations", path_of(&who.url)))
        .expect(200)
        .json();
    assert_eq!(
        list["revokedAssertions"][0]["id"], made["assertion_url"],
        "{list}"
    );
}

#[test]
fn races_split_across_two_instances_lose_and_double_nothing() {
    let (_redis, a, b) = pair("races");
    let apps = [&a, &b];
    let who = issuer(&a, "Race Institute");
    let class = badge_class(&a, &who, json!({}));

    // 20 awards, then 20 revocations of those awards, each split across the instances.
    let made: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let (app, who, class) = (apps[i % 2], &who, &class);
                s.spawn(move || award(app, who, class, &format!("e{i}@example.org"), json!({})))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("award"))
            .collect()
    });
    std::thread::scope(|s| {
        for (i, m) in made.iter().enumerate() {
            let (app, who) = (apps[i % 2], &who);
            s.spawn(move || {
                app.post(
                    &format!("/api/v1/assertions/{}/revoke", id_of(m)),
                    &who.key,
                    &json!({"reason": "race"}),
                )
                .expect(200);
            });
        }
    });
    let list = b
        .get(&format!("{}/revocations", path_of(&who.url)))
        .expect(200)
        .json();
    let listed: BTreeSet<String> = list["revokedAssertions"]
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect();
    let wanted: BTreeSet<String> = made
        .iter()
        .map(|m| m["assertion_url"].as_str().expect("url").to_owned())
        .collect();
    assert_eq!(
        listed, wanted,
        "the list names exactly the 20 revoked awards"
    );

    // One claim accepted from both instances at once: no 5xx, accepted once.
    let fresh = award(&a, &who, &class, "both@example.org", json!({}));
    let claim = path_of(fresh["claim_url"].as_str().expect("claim url"));
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = apps
            .iter()
            .map(|app| {
                let claim = &claim;
                s.spawn(move || accept(app, claim))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("accept"))
            .collect()
    });
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let shown = a
        .get_auth(&format!("/api/v1/assertions/{}", id_of(&fresh)), &who.key)
        .expect(200)
        .json();
    assert_eq!(shown["state"], "accepted", "{shown}");

    // 30 share clicks split across the instances, counted 30.
    let id = id_of(&fresh);
    std::thread::scope(|s| {
        for i in 0..30 {
            let (app, id) = (apps[i % 2], &id);
            s.spawn(move || app.get(&format!("/share/linkedin/{id}")).expect(302).status);
        }
    });
    let counts = b
        .get_auth(&format!("/api/v1/assertions/{id}/shares"), &who.key)
        .expect(200)
        .json();
    assert_eq!(counts["linkedin_profile"], 30, "{counts}");
}

#[test]
fn failed_logins_on_either_instance_count_toward_one_lockout() {
    let (_redis, a, b) = pair("lockout");
    let who = issuer(&a, "Lockout Guild");
    let wrong = "emb_guessing_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for i in 0..10 {
        let app = if i % 2 == 0 { &a } else { &b };
        app.get_auth("/api/v1/badgeclasses", wrong)
            .expect_problem(401);
    }
    for app in [&a, &b] {
        app.get_auth("/api/v1/badgeclasses", &who.key)
            .expect_problem(429);
    }
}

#[test]
fn killing_an_instance_mid_burst_loses_no_acknowledged_award() {
    let (_redis, mut a, b) = pair("kill");
    let who = issuer(&a, "Crash Academy");
    let class = badge_class(&a, &who, json!({}));
    let acknowledged = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..4 {
            let (a, who, class, acknowledged) = (&a, &who, &class, &acknowledged);
            s.spawn(move || {
                for i in 0..200 {
                    let sent = a
                        .request("POST", "/api/v1/assertions")
                        .bearer(&who.key)
                        .json(&json!({
                            "badgeclass": class["id"],
                            "recipient": {"email": format!("t{t}-{i}@example.org")},
                        }))
                        .try_send();
                    // Cut by the kill: not acknowledged, so nothing is owed.
                    let Ok(r) = sent else { break };
                    assert_eq!(r.status, 201, "{}", r.text());
                    if let Ok(mut list) = acknowledged.lock() {
                        list.push(id_of(&r.json()));
                    }
                }
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(1500));
        // `a` is borrowed by the senders; kill it through its process id (on Spin, its
        // process group: the `spin trigger http` child is what serves) instead.
        let target = a.kill_target().expect("running");
        let _ = std::process::Command::new("kill")
            .args(["-9", "--", &target])
            .status();
    });
    // The kill reached what serves: within a few seconds `a` answers nothing at all.
    let gone = (0..50).any(|_| {
        let answered = a.request("GET", "/static/emblem.css").try_send().is_ok();
        if answered {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        !answered
    });
    assert!(gone, "the killed instance still answers");
    a.kill();
    let ids = acknowledged.into_inner().expect("ids");
    assert!(
        !ids.is_empty(),
        "the burst acknowledged nothing before the kill"
    );
    for id in &ids {
        b.get(&format!("/assertions/{id}")).expect(200);
    }
}
