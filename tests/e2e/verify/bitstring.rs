//! An issuer that publishes Bitstring status lists (`credential_status: BitstringStatusList`):
//! each credential carries a `BitstringStatusListEntry`, its index given the first time it is
//! served, once even under concurrent first requests; the signed list at
//! `/profiles/:id/status/0` sets the award's bit in the request that revokes it; `/verify`
//! reads the bit.

use base64::Engine as _;
use serde_json::{Value, json};

use super::{outcome, verify_json};
use crate::common::{award, badge_class, issuer, path_of, revoke, shared};

/// The bits of an `encodedList` (`u` + base64url of GZIP).
fn bits(encoded: &str) -> Vec<u8> {
    let gz = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u').expect("multibase u"))
        .expect("base64url");
    assert_eq!(&gz[..3], &[0x1f, 0x8b, 8], "GZIP");
    miniz_oxide::inflate::decompress_to_vec(&gz[10..gz.len() - 8]).expect("deflate")
}

fn set(bits: &[u8], index: usize) -> bool {
    bits[index / 8] & (0x80 >> (index % 8)) != 0
}

#[test]
fn a_bitstring_issuer_s_credentials_carry_an_entry_and_revoking_sets_its_bit() {
    let app = shared();
    let issuer = issuer(app, "Bitstring Institute");
    let bad = app
        .request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
        .bearer(&issuer.key)
        .json(&json!({"credential_status": "StatusList2021"}))
        .send()
        .expect_problem(422);
    assert!(bad.to_string().contains("credential_status"), "{bad}");
    let changed = app
        .request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
        .bearer(&issuer.key)
        .json(&json!({"credential_status": "BitstringStatusList"}))
        .send()
        .expect(200)
        .json();
    assert_eq!(changed["credential_status"], "BitstringStatusList");

    let class = badge_class(app, &issuer, json!({}));
    let awards: Vec<Value> = ["bo@example.org", "bea@example.org"]
        .iter()
        .map(|email| award(app, &issuer, &class, email, json!({})))
        .collect();
    let credentials: Vec<Value> = awards
        .iter()
        .map(|a| {
            app.get(&path_of(a["credential_url"].as_str().expect("url")))
                .json()
        })
        .collect();
    let mut indexes = Vec::new();
    for c in &credentials {
        let status = &c["credentialStatus"];
        assert_eq!(status["type"], "BitstringStatusListEntry", "{c}");
        assert_eq!(status["statusPurpose"], "revocation");
        let list = status["statusListCredential"].as_str().expect("list");
        assert!(list.ends_with("/status/0"), "{list}");
        let index: usize = status["statusListIndex"]
            .as_str()
            .expect("the index is a string")
            .parse()
            .expect("digits");
        assert_eq!(status["id"], format!("{list}#{index}"));
        indexes.push(index);
    }
    assert_ne!(indexes[0], indexes[1]);
    // Served again, the same index (and the same bytes).
    let again = app
        .get(&path_of(awards[0]["credential_url"].as_str().expect("url")))
        .json();
    assert_eq!(again, credentials[0]);

    let list_url = credentials[0]["credentialStatus"]["statusListCredential"]
        .as_str()
        .expect("list")
        .to_owned();
    let resp = app.get(&path_of(&list_url));
    assert_eq!(resp.header("content-type"), Some("application/vc+ld+json"));
    let list = resp.json();
    assert_eq!(list["type"][1], "BitstringStatusListCredential");
    assert_eq!(list["issuer"], credentials[0]["issuer"]["id"]);
    assert_eq!(list["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    let before = bits(
        list["credentialSubject"]["encodedList"]
            .as_str()
            .expect("list"),
    );
    assert_eq!(before.len(), 131_072 / 8, "W3C's minimum length");
    assert!(before.iter().all(|b| *b == 0));

    for c in &credentials {
        let body = verify_json(app, &json!({"credential": c})).json();
        assert_eq!(body["verdict"], "valid", "{body}");
    }
    revoke(
        app,
        &issuer,
        awards[1]["id"].as_str().expect("id"),
        "Withdrawn",
    );
    let after = app.get(&path_of(&list_url)).json();
    let after = bits(
        after["credentialSubject"]["encodedList"]
            .as_str()
            .expect("list"),
    );
    assert!(
        set(&after, indexes[1]),
        "the revoked award's bit, most significant first"
    );
    assert!(!set(&after, indexes[0]));
    assert_eq!(after.iter().map(|b| b.count_ones()).sum::<u32>(), 1);
    assert_eq!(
        outcome(&verify_json(app, &json!({"credential": credentials[1]}))),
        ("revoked".into(), Some("revocation".into()))
    );
    assert_eq!(
        outcome(&verify_json(app, &json!({"credential": credentials[0]}))),
        ("valid".into(), None)
    );
    app.get(&format!(
        "{}/status/1024",
        path_of(&list_url).trim_end_matches("/status/0")
    ))
    .expect_problem(404);
}

#[test]
fn concurrent_first_requests_give_a_credential_one_status_index() {
    let app = shared();
    let issuer = issuer(app, "Race Bitstring College");
    app.request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
        .bearer(&issuer.key)
        .json(&json!({"credential_status": "BitstringStatusList"}))
        .send()
        .expect(200);
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "rae@example.org", json!({}));
    let path = path_of(awarded["credential_url"].as_str().expect("url"));
    // Under this contention a request may answer 503 ("busy, retry"; it changed nothing), as
    // a client retries it; every other answer must be the credential.
    let get = || {
        for _ in 0..5 {
            let r = app.get(&path);
            if r.status != 503 {
                r.expect(200);
                return r.json();
            }
        }
        panic!("still busy after 5 tries");
    };
    let served: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(get)).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let index = &served[0]["credentialStatus"]["statusListIndex"];
    assert!(index.is_string(), "{}", served[0]);
    for c in &served {
        assert_eq!(&c["credentialStatus"]["statusListIndex"], index);
    }
    assert_eq!(
        &app.get(&path).json()["credentialStatus"]["statusListIndex"],
        index
    );
}
