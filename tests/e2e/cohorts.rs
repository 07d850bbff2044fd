//! Running a programme: a cohort awarded in one call (CSV and JSON), `Idempotency-Key` on
//! POSTs, the class's duplicate policy and the earner's name, on the real components and
//! store.

use std::fmt::Write as _;
use std::time::Instant;

use crate::common::{badge_class, issuer, kv_snapshot, path_of};
use emblem_tests::{App, AppConfig};
use serde_json::{Value, json};
use std::sync::OnceLock;

fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| AppConfig::emblem("cohorts").start())
}

fn post_csv(
    app: &App,
    key: &str,
    class_id: &str,
    csv: &str,
    idem: Option<&str>,
) -> (u16, Value, Option<String>) {
    let mut req = app
        .request("POST", &format!("/api/v1/badgeclasses/{class_id}/awards"))
        .bearer(key)
        .header("Content-Type", "text/csv")
        .body(csv.as_bytes().to_vec());
    if let Some(k) = idem {
        req = req.header("Idempotency-Key", k);
    }
    let resp = req.send();
    let replayed = resp.header("idempotent-replayed").map(str::to_owned);
    (resp.status, resp.json(), replayed)
}

/// 1,000 rows: every 10th repeats the email of the row before it, every 97th has a bad
/// email, row 500 a bad date. The expected answer of each row, computed independently.
fn cohort_csv() -> (String, Vec<&'static str>) {
    let mut csv = String::from("email,name,issued_on,evidence_url\n");
    let mut expected = Vec::new();
    for row in 1..=1000 {
        let (email, outcome) = if row % 97 == 0 {
            (format!("not-an-email-{row}"), "invalid")
        } else if row % 10 == 0 {
            // A duplicate of the row before, unless that row was refused (then this is the
            // first row with the address).
            let before = expected.last().copied();
            let outcome = if before == Some("created") {
                "duplicate"
            } else {
                "created"
            };
            (format!("learner{}@example.org", row - 1), outcome)
        } else {
            (format!("learner{row}@example.org"), "created")
        };
        let (date, outcome) = if row == 500 {
            ("2026-13-45", "invalid")
        } else {
            ("2026-06-01T09:00:00Z", outcome)
        };
        writeln!(
            csv,
            "{email},\"Learner {row}, Jr.\",{date},https://lms.example.org/{row}"
        )
        .expect("write");
        expected.push(outcome);
    }
    (csv, expected)
}

#[test]
fn a_csv_cohort_of_1000_rows_gets_the_exact_answer_per_row_and_a_retry_adds_nothing() {
    // Its own app: it counts the store's keys.
    let app = &AppConfig::emblem("cohort-csv").start();
    let iss = issuer(app, "Cohort Academy");
    let class = badge_class(app, &iss, json!({}));
    let class_id = class["id"].as_str().expect("id");
    let (csv, expected) = cohort_csv();

    let started = Instant::now();
    let (status, body, replayed) = post_csv(app, &iss.key, class_id, &csv, Some("cohort-2026-06"));
    let took = started.elapsed();
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(replayed, None);
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1000);
    for (i, (row, want)) in rows.iter().zip(&expected).enumerate() {
        assert_eq!(row["row"], i + 1, "{row}");
        assert_eq!(row["outcome"], *want, "row {}: {row}", i + 1);
    }
    let count = |o: &str| expected.iter().filter(|e| **e == o).count();
    assert_eq!(body["created"], count("created"));
    assert_eq!(body["duplicate"], count("duplicate"));
    assert_eq!(body["invalid"], count("invalid"));
    assert!(
        rows[9]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("row 9")),
        "{}",
        rows[9]
    );
    assert!(
        rows[499]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("issued_on")),
        "{}",
        rows[499]
    );
    assert!(
        rows[96]["errors"][0]["field"] == "recipient.email",
        "{}",
        rows[96]
    );
    eprintln!(
        "cohort: {} awards from a 1,000-row CSV in {took:?} ({:.0} awards/s)",
        count("created"),
        count("created") as f64 / took.as_secs_f64()
    );

    // A created row is a real award: hosted, with the name the issuer gave.
    let first = &rows[0];
    let doc = app
        .get(&path_of(first["assertion_url"].as_str().expect("url")))
        .json();
    assert_eq!(
        doc["extensions:recipientProfile"]["name"], "Learner 1, Jr.",
        "{doc:#}"
    );
    assert_eq!(doc["evidence"][0]["id"], "https://lms.example.org/1");

    // The same request again with its key: the same answer, and nothing new stored.
    let before = kv_snapshot(app).len();
    let (status, again, replayed) = post_csv(app, &iss.key, class_id, &csv, Some("cohort-2026-06"));
    assert_eq!(status, 200);
    assert_eq!(replayed.as_deref(), Some("true"));
    assert_eq!(again, body);
    assert_eq!(kv_snapshot(app).len(), before, "a replay writes nothing");

    // The key with another body is refused, and writes nothing either.
    let (status, problem, _) = post_csv(
        app,
        &iss.key,
        class_id,
        "email\nother@example.org\n",
        Some("cohort-2026-06"),
    );
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(kv_snapshot(app).len(), before);
}

#[test]
fn a_retried_single_award_with_its_key_awards_once() {
    let app = app();
    let iss = issuer(app, "Retry Academy");
    let class = badge_class(app, &iss, json!({}));
    let body = json!({"badgeclass": class["id"], "recipient": {"email": "once@example.org", "name": "Once"}});
    let send = || {
        app.request("POST", "/api/v1/assertions")
            .bearer(&iss.key)
            .header("Idempotency-Key", "award-once-1")
            .json(&body)
            .send()
    };
    let first = send();
    first.expect(201);
    let second = send();
    second.expect(201);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(first.json()["id"], second.json()["id"]);
    assert_eq!(first.header("location"), second.header("location"));
    let listed = app
        .get_auth(
            &format!(
                "/api/v1/badgeclasses/{}/assertions",
                class["id"].as_str().expect("id")
            ),
            &iss.key,
        )
        .json();
    assert_eq!(listed["total"], 1, "{listed:#}");
    assert_eq!(listed["items"][0]["recipient"]["name"], "Once");
    // A bad key is a 400, before anything is done.
    app.request("POST", "/api/v1/assertions")
        .bearer(&iss.key)
        .header("Idempotency-Key", "has space")
        .json(&body)
        .send()
        .expect_problem(400);
}

#[test]
fn the_duplicate_policy_decides_a_second_award_to_the_same_email() {
    let app = app();
    let iss = issuer(app, "Policy Academy");
    let award = |class: &Value| {
        app.request("POST", "/api/v1/assertions")
            .bearer(&iss.key)
            .json(&json!({"badgeclass": class["id"], "recipient": {"email": "Twice@Example.org"}}))
            .send()
    };
    let deny = badge_class(app, &iss, json!({"duplicate_policy": "deny"}));
    assert_eq!(deny["duplicate_policy"], "deny");
    let first = award(&deny);
    first.expect(201);
    let problem = award(&deny).expect_problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("duplicate_policy")),
        "{problem}"
    );

    let replace = badge_class(app, &iss, json!({"duplicate_policy": "replace"}));
    let old = award(&replace);
    old.expect(201);
    let new = award(&replace);
    new.expect(201);
    let old_id = old.json()["id"].as_str().expect("id").to_owned();
    let got = app
        .get_auth(&format!("/api/v1/assertions/{old_id}"), &iss.key)
        .json();
    assert_eq!(got["status"], "revoked", "{got:#}");
    assert_eq!(got["revoked"]["reason"], "Replaced by a new award");

    let allow = badge_class(app, &iss, json!({}));
    assert_eq!(allow["duplicate_policy"], "allow");
    award(&allow).expect(201);
    award(&allow).expect(201);

    let bad = app
        .request("POST", "/api/v1/badgeclasses")
        .bearer(&iss.key)
        .json(
            &json!({"name": "x", "description": "x", "image": "https://cdn.example.org/x.png",
                      "criteria": {"narrative": "x"}, "duplicate_policy": "sometimes"}),
        )
        .send()
        .expect_problem(422);
    assert_eq!(bad["errors"][0]["field"], "duplicate_policy");
}

#[test]
fn the_earners_name_shows_on_the_page_the_certificate_and_the_embed_card_escaped() {
    let app = app();
    let iss = issuer(app, "Named Academy");
    let class = badge_class(
        app,
        &iss,
        json!({"description": "**Lifts** safely. <script>alert(1)</script> [bad](javascript:alert(2))",
               "criteria": {"narrative": "1. Watch the video\n2. Pass the *test*"}}),
    );
    let body = app
        .request("POST", "/api/v1/assertions")
        .bearer(&iss.key)
        .json(&json!({"badgeclass": class["id"],
                      "recipient": {"email": "ada@example.org", "name": "Ada <b>Lovelace</b>"}}))
        .send();
    body.expect(201);
    let body = body.json();
    let id = body["id"].as_str().expect("id");
    // Accept, so the public pages show it.
    let claim = path_of(body["claim_url"].as_str().expect("claim"));
    app.request("POST", &claim)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(b"action=accept".to_vec())
        .send()
        .expect(303);
    for path in [
        format!("/assertions/{id}"),
        format!("/certificate/{id}"),
        format!("/embed/{id}"),
    ] {
        let page = app
            .request("GET", &path)
            .header("Accept", "text/html")
            .send();
        page.expect(200);
        let html = page.text();
        assert!(
            html.contains("Ada &#60;b&#62;Lovelace&#60;/b&#62;"),
            "{path}: {html}"
        );
        assert!(!html.contains("<b>Lovelace"), "{path} escapes the name");
    }
    // Descriptions and criteria are Markdown, rendered with nothing active.
    let badge_page = app
        .request(
            "GET",
            &path_of(class["badgeclass_url"].as_str().expect("url")),
        )
        .header("Accept", "text/html")
        .send()
        .text();
    assert!(
        badge_page.contains("<strong>Lifts</strong> safely."),
        "{badge_page}"
    );
    assert!(
        badge_page.contains("<ol>") && badge_page.contains("<em>test</em>"),
        "{badge_page}"
    );
    assert!(badge_page.contains("&lt;script&gt;"), "{badge_page}");
    assert!(!badge_page.contains("<script>alert") && !badge_page.contains("href=\"javascript"));
    let doc = app.get(&format!("/assertions/{id}")).json();
    assert_eq!(
        doc["extensions:recipientProfile"],
        json!({"@context": "https://openbadgespec.org/extensions/recipientProfile/context.json",
               "type": ["Extension", "extensions:RecipientProfile"], "name": "Ada <b>Lovelace</b>"})
    );
}

#[test]
fn a_mistyped_address_is_swapped_while_pending_and_reissued_once_accepted() {
    let app = app();
    let iss = issuer(app, "Typo Academy");
    let class = badge_class(app, &iss, json!({}));
    let made = app
        .request("POST", "/api/v1/assertions")
        .bearer(&iss.key)
        .json(
            &json!({"badgeclass": class["id"], "issued_on": "2026-03-01T00:00:00Z",
                      "recipient": {"email": "bob@exmaple.org", "name": "Bob"}}),
        )
        .send();
    made.expect(201);
    let made = made.json();
    let id = made["id"].as_str().expect("id");
    let replace = |id: &str, email: &str| {
        app.request("POST", &format!("/api/v1/assertions/{id}/replace"))
            .bearer(&iss.key)
            .json(&json!({"email": email}))
            .send()
    };
    // Pending: the same award, the new address, a new link; the old link is dead.
    let swapped = replace(id, "bob@example.org");
    swapped.expect(200);
    let swapped = swapped.json();
    assert_eq!(swapped["id"], id);
    assert_eq!(swapped["recipient"]["email"], "bob@example.org");
    assert_eq!(swapped["recipient"]["name"], "Bob");
    assert_ne!(
        swapped["recipient"]["identity"],
        made["recipient"]["identity"]
    );
    assert_eq!(swapped["email"]["to"], "bob@example.org");
    app.get(&path_of(made["claim_url"].as_str().expect("old")))
        .expect(404);
    // Accepted: revoked as reissued, and a new award with the same dates.
    let claim = path_of(swapped["claim_url"].as_str().expect("claim"));
    app.request("POST", &claim)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(b"action=accept".to_vec())
        .send()
        .expect(303);
    let reissued = replace(id, "robert@example.org");
    reissued.expect(200);
    let reissued = reissued.json();
    assert_ne!(reissued["id"], id);
    assert_eq!(reissued["issued_on"], "2026-03-01T00:00:00Z");
    assert_eq!(reissued["recipient"]["name"], "Bob");
    let old = app
        .get_auth(&format!("/api/v1/assertions/{id}"), &iss.key)
        .json();
    assert_eq!(old["revoked"]["reason"], "reissued", "{old:#}");
    // A revoked award cannot be replaced.
    let problem = replace(id, "x@example.org").expect_problem(409);
    assert!(problem["detail"].is_string());
}

#[test]
fn editing_what_was_earned_makes_a_new_class_version_and_old_awards_keep_theirs() {
    let app = app();
    let iss = issuer(app, "Versioned Academy");
    let class = badge_class(app, &iss, json!({}));
    let class_id = class["id"].as_str().expect("id");
    let award_of = |class_id: &str| {
        app.request("POST", "/api/v1/assertions")
            .bearer(&iss.key)
            .json(&json!({"badgeclass": class_id, "recipient": {"email": "v@example.org"}}))
            .send()
    };
    let old_award = award_of(class_id);
    old_award.expect(201);
    let patch = |id: &str, body: Value| {
        app.request("PATCH", &format!("/api/v1/badgeclasses/{id}"))
            .bearer(&iss.key)
            .json(&body)
            .send()
    };
    // Tags and policy change in place.
    let same = patch(
        class_id,
        json!({"tags": ["safety"], "duplicate_policy": "deny"}),
    );
    same.expect(200);
    assert_eq!(same.json()["id"], class_id);
    assert_eq!(same.json()["tags"], json!(["safety"]));
    // The criteria change what was earned: a new version.
    let v2 = patch(
        class_id,
        json!({"criteria": {"narrative": "Pass the new exam."}}),
    );
    v2.expect(201);
    let v2 = v2.json();
    let v2_id = v2["id"].as_str().expect("id");
    assert_ne!(v2_id, class_id);
    assert_eq!(v2["supersedes"], class_id);
    assert_eq!(v2["tags"], json!(["safety"]));
    let v1 = app
        .get_auth(&format!("/api/v1/badgeclasses/{class_id}"), &iss.key)
        .json();
    assert_eq!(v1["superseded_by"], v2_id);
    // The old award still points at what it was issued against.
    let old_doc = app
        .get(&path_of(
            old_award.json()["assertion_url"].as_str().expect("url"),
        ))
        .json();
    assert!(
        old_doc["badge"]
            .as_str()
            .is_some_and(|b| b.ends_with(class_id)),
        "{old_doc}"
    );
    let v1_doc = app.get(&format!("/badges/{class_id}")).json();
    assert_eq!(
        v1_doc["criteria"]["narrative"], class["criteria"]["narrative"],
        "{v1_doc}"
    );
    let v2_doc = app.get(&format!("/badges/{v2_id}")).json();
    assert_eq!(
        v2_doc["criteria"]["narrative"], "Pass the new exam.",
        "{v2_doc}"
    );
    // New awards must use the latest version; an old version cannot be edited.
    assert_eq!(
        award_of(class_id).expect_problem(422)["errors"][0]["field"],
        "badgeclass"
    );
    award_of(v2_id).expect(201);
    patch(class_id, json!({"name": "x"})).expect_problem(422);
    patch(v2_id, json!({"name": ""})).expect_problem(422);
}

#[test]
fn concurrent_awards_to_one_address_keep_the_duplicate_policy() {
    let app = app();
    let iss = issuer(app, "Racing Policy Academy");
    let send = |class: &Value| {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        // A 503 ("busy": the record kept changing under it) is an answer a
                        // client retries; it changed nothing.
                        let mut tries = 0;
                        loop {
                            let r = app
                                .request("POST", "/api/v1/assertions")
                                .bearer(&iss.key)
                                .json(&json!({"badgeclass": class["id"],
                                              "recipient": {"email": "same@example.org"}}))
                                .send();
                            tries += 1;
                            if r.status != 503 || tries == 5 {
                                return r;
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect::<Vec<_>>()
        })
    };

    // deny: one award, seven 409s naming it.
    let deny = badge_class(app, &iss, json!({"duplicate_policy": "deny"}));
    let answers = send(&deny);
    let made: Vec<String> = answers
        .iter()
        .filter(|r| r.status == 201)
        .map(|r| r.json()["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(
        made.len(),
        1,
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in answers.iter().filter(|r| r.status != 201) {
        let problem = r.expect_problem(409);
        assert!(problem.to_string().contains(&made[0]), "{problem}");
    }
    let listed = app
        .get_auth(
            &format!(
                "/api/v1/badgeclasses/{}/assertions",
                deny["id"].as_str().expect("id")
            ),
            &iss.key,
        )
        .json();
    assert_eq!(listed["total"], 1, "{listed}");

    // replace: eight awards, exactly one left standing.
    let replace = badge_class(app, &iss, json!({"duplicate_policy": "replace"}));
    let answers = send(&replace);
    assert!(
        answers.iter().all(|r| r.status == 201),
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let live: Vec<String> = answers
        .iter()
        .map(|r| r.json()["id"].as_str().expect("id").to_owned())
        .filter(|id| {
            app.get_auth(&format!("/api/v1/assertions/{id}"), &iss.key)
                .json()["status"]
                != "revoked"
        })
        .collect();
    assert_eq!(live.len(), 1, "{live:?}");
}
