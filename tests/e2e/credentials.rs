//! Open Badges 3.0 end to end: an award is hosted as an OpenBadgeCredential signed with the
//! issuer's key; the key is found through the issuer's Profile as any verifier would find it;
//! a changed copy fails; revoking lists the credential in the issuer's 1EdTechRevocationList.

use crate::common::{award, badge_class, issuer, path_of, revoke, shared};
use emblem_vc::contexts::PINNED;
use emblem_vc::{di, multikey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The key that verifies `credential`, found as an independent verifier finds it: the proof
/// names a verification method, a document of its own whose controller must be the
/// credential's issuer; the issuer's Profile (the controller document) must list it under
/// `assertionMethod`.
fn issuer_key(credential: &Value) -> ed25519_dalek::VerifyingKey {
    let app = shared();
    let method = credential["proof"]["verificationMethod"]
        .as_str()
        .expect("verificationMethod");
    let vm = app.get(&path_of(method));
    vm.expect(200);
    let vm = vm.json();
    assert_eq!(vm["id"], method);
    assert_eq!(vm["type"], "Multikey");
    let controller = vm["controller"].as_str().expect("controller");
    assert_eq!(
        controller, credential["issuer"]["id"],
        "key controller = issuer"
    );
    let profile = app.get(&path_of(controller));
    profile.expect(200);
    let profile = profile.json();
    assert_eq!(profile["id"], controller);
    assert!(
        profile["assertionMethod"]
            .as_array()
            .expect("assertionMethod")
            .contains(&json!(method))
    );
    multikey::decode_public(vm["publicKeyMultibase"].as_str().expect("key")).expect("Ed25519")
}

#[test]
fn an_award_is_an_open_badge_credential_that_verifies_and_a_changed_copy_does_not() {
    let app = shared();
    let issuer = issuer(app, "Credential Institute");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(
        app,
        &issuer,
        &class,
        " Dana@Example.org ",
        json!({"recipient": {"email": "Dana@Example.org", "name": "Dana Scully"},
               "issued_on": "2026-02-01T09:00:00Z", "expires": "2030-02-01T09:00:00Z"}),
    );
    let url = awarded["credential_url"].as_str().expect("credential_url");
    let id = awarded["id"].as_str().expect("id");
    assert_eq!(url, format!("{}/credentials/{id}", app.base));

    let resp = app.get(&path_of(url));
    resp.expect(200);
    assert_eq!(resp.header("content-type"), Some("application/vc+ld+json"));
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
    let credential = resp.json();
    assert_eq!(credential["id"], url);
    assert_eq!(
        credential["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(credential["validFrom"], "2026-02-01T09:00:00Z");
    assert_eq!(credential["validUntil"], "2030-02-01T09:00:00Z");
    assert_eq!(credential["issuer"]["name"], "Credential Institute");
    let subject = &credential["credentialSubject"];
    assert_eq!(subject["name"], "Dana Scully");
    let identity = &subject["identifier"][0];
    let salt = identity["salt"].as_str().expect("salt");
    let hash = hex::encode(Sha256::digest(format!("dana@example.org{salt}")));
    assert_eq!(identity["identityHash"], format!("sha256${hash}"));
    assert_eq!(identity["hashed"], true);
    assert_eq!(identity["identityType"], "emailAddress");
    assert_eq!(
        subject["achievement"]["related"][0]["id"],
        class["badgeclass_url"]
    );
    assert_eq!(credential["proof"]["cryptosuite"], "eddsa-rdfc-2022");

    let key = issuer_key(&credential);
    di::verify(&credential, &key, PINNED).expect("the credential verifies");

    // Signed on request, deterministically: the same bytes every time (cacheable, ETag).
    let again = app.get(&path_of(url));
    assert_eq!(again.body, resp.body);
    assert_eq!(again.header("etag"), resp.header("etag"));

    for (path, forged) in [
        ("/credentialSubject/name", json!("Fox Mulder")),
        ("/validUntil", json!("2099-01-01T00:00:00Z")),
        (
            "/credentialSubject/achievement/name",
            json!("Brain Surgery"),
        ),
        ("/issuer/id", json!("https://attacker.example/issuer")),
    ] {
        let mut copy = credential.clone();
        *copy.pointer_mut(path).expect(path) = forged;
        assert_eq!(
            di::verify(&copy, &key, PINNED),
            Err(di::ProofError::BadSignature),
            "{path}"
        );
    }
}

#[test]
fn the_achievement_and_profile_are_hosted_and_browsers_are_sent_to_the_pages() {
    let app = shared();
    let issuer = issuer(app, "Achievement School");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "eve@example.org", json!({}));
    let credential = app
        .get(&path_of(awarded["credential_url"].as_str().expect("url")))
        .json();
    let achievement_url = credential["credentialSubject"]["achievement"]["id"]
        .as_str()
        .expect("achievement id");
    let resp = app.get(&path_of(achievement_url));
    resp.expect(200);
    let achievement = resp.json();
    assert_eq!(achievement["type"], json!(["Achievement"]));
    assert_eq!(achievement["name"], "Safe Lifting");
    assert_eq!(
        achievement["criteria"]["narrative"],
        "Pass the **practical** test."
    );

    let html = app
        .request(
            "GET",
            &path_of(awarded["credential_url"].as_str().expect("url")),
        )
        .header("accept", "text/html")
        .send();
    html.expect(303);
    assert_eq!(html.header("location"), awarded["assertion_url"].as_str());

    app.get("/credentials/no-such-award").expect_problem(404);
    app.get("/profiles/no-such-issuer").expect_problem(404);
    app.request("POST", &path_of(achievement_url))
        .send()
        .expect_problem(405);
    // The profile never shows the secret half of the key.
    let profile = app.get(&format!("/profiles/{}", issuer.id)).text();
    assert!(!profile.contains("secret"), "{profile}");
}

#[test]
fn revoking_an_award_lists_its_credential_in_the_revocation_list() {
    let app = shared();
    let issuer = issuer(app, "Revoking Guild");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "frank@example.org", json!({}));
    let kept = award(app, &issuer, &class, "grace@example.org", json!({}));
    let id = awarded["id"].as_str().expect("id");
    let credential = app
        .get(&path_of(awarded["credential_url"].as_str().expect("url")))
        .json();
    let list_url = credential["credentialStatus"]["id"]
        .as_str()
        .expect("status id");
    assert_eq!(
        credential["credentialStatus"]["type"],
        "1EdTechRevocationList"
    );
    let before = app.get(&path_of(list_url)).json();
    assert_eq!(before["revokedCredential"], json!([]));

    revoke(app, &issuer, id, "Cheated");
    let after = app.get(&path_of(list_url)).json();
    assert_eq!(
        after["revokedCredential"],
        json!([{"id": awarded["credential_url"], "revocationReason": "Cheated"}])
    );
    assert_eq!(after["issuer"], credential["issuer"]["id"]);
    // The same request revoked the 2.0 assertion.
    app.get(&path_of(awarded["assertion_url"].as_str().expect("url")))
        .expect(410);
    // The credential itself is still served and still verifies: its status says revoked.
    let still = app
        .get(&path_of(awarded["credential_url"].as_str().expect("url")))
        .json();
    di::verify(&still, &issuer_key(&still), PINNED).expect("verifies");
    assert!(
        !after.to_string().contains(kept["id"].as_str().expect("id")),
        "only the revoked award is listed"
    );
}

#[test]
fn the_issuer_s_did_web_document_publishes_the_same_key_as_its_profile() {
    let app = shared();
    let issuer = issuer(app, "DID Academy");
    let profile = app.get(&format!("/profiles/{}", issuer.id)).json();
    let resp = app.get(&format!("/profiles/{}/did.json", issuer.id));
    resp.expect(200);
    assert_eq!(resp.header("content-type"), Some("application/did+json"));
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
    let doc = resp.json();
    // did:web:<host>%3A<port>:profiles:<id> is what a did:web resolver maps to this URL.
    let authority = app.base.trim_start_matches("http://").replace(':', "%3A");
    let did = format!("did:web:{authority}:profiles:{}", issuer.id);
    assert_eq!(doc["id"], did.as_str());
    assert_eq!(doc["alsoKnownAs"][0], profile["id"]);
    let method = &doc["verificationMethod"][0];
    assert_eq!(method["controller"], did.as_str());
    assert_eq!(method["type"], "Multikey");
    assert_eq!(
        method["publicKeyMultibase"], profile["verificationMethod"][0]["publicKeyMultibase"],
        "one key, two identifiers"
    );
    assert_eq!(doc["assertionMethod"][0], method["id"]);
    assert!(!resp.text().contains("secret"));
    // Browsers go to the issuer page; another issuer id is 404.
    let html = app
        .request("GET", &format!("/profiles/{}/did.json", issuer.id))
        .header("accept", "text/html")
        .send();
    html.expect(303);
    app.get("/profiles/no-such-issuer/did.json")
        .expect_problem(404);
}
