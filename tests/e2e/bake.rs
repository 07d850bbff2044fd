//! Baking over HTTP: `GET /assertions/:id/image`, `POST /bake`, `POST /unbake`, through the
//! real host and the real `emblem_bake.wasm`.

use crate::common::{
    award, badge_class, data_uri, fixture, issuer, path_of, set_award_state, shared,
};
use base64::Engine as _;
use emblem_tests::{App, Resp};
use serde_json::json;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

const OB2_JSON: &str = r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://badges.example.org/assertions/x1","narrative":"tricky ]]> text"}"#;
const OB3_JSON: &str = r#"{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"type":["VerifiableCredential","OpenBadgeCredential"]}"#;
const JWS: &str = "eyJhbGciOiJSUzI1NiJ9.eyJAY29udGV4dCI6Imh0dHBzOi8vdzNpZC5vcmcvb3BlbmJhZGdlcy92MiJ9.c2lnbmF0dXJl";

fn unbake_raw(app: &App, content_type: &str, image: &[u8]) -> Resp {
    app.request("POST", "/unbake")
        .header("Content-Type", content_type)
        .body(image.to_vec())
        .send()
}

fn bake_json(app: &App, image: &[u8], payload: &str, version: Option<&str>) -> Resp {
    let mut body = json!({"image": B64.encode(image), "payload": payload});
    if let Some(v) = version {
        body["version"] = json!(v);
    }
    app.request("POST", "/bake").json(&body).send()
}

fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "emblem-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn bake_multipart(app: &App, image: &[u8], payload: &str, version: Option<&str>) -> Resp {
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("image", Some("badge"), image),
        ("payload", None, payload.as_bytes()),
    ];
    if let Some(v) = version {
        parts.push(("version", None, v.as_bytes()));
    }
    let (content_type, body) = multipart(&parts);
    app.request("POST", "/bake")
        .header("Content-Type", &content_type)
        .body(body)
        .send()
}

#[test]
fn a_downloaded_png_badge_unbakes_to_exactly_the_hosted_assertion() {
    let app = shared();
    let issuer = issuer(app, "Bakery Guild");
    let class = badge_class(app, &issuer, json!({"name": "Bread & Butter: Level 1"}));
    let awarded = award(app, &issuer, &class, "baker@example.org", json!({}));
    let path = path_of(awarded["assertion_url"].as_str().expect("url"));
    let hosted = app.get(&path).expect(200).text();

    let image = app.get(&format!("{path}/image"));
    image.expect(200);
    assert_eq!(image.header("content-type"), Some("image/png"));
    assert_eq!(
        image.header("content-disposition"),
        Some("attachment; filename=\"bread-butter-level-1.png\"")
    );

    let unbaked = unbake_raw(app, "image/png", &image.body).expect(200).json();
    assert_eq!(unbaked["format"], "png");
    assert_eq!(unbaked["version"], "2.0");
    assert_eq!(unbaked["kind"], "json");
    assert_eq!(unbaked["payload"], hosted.as_str());

    let core = emblem_web::bake::unbake(&image.body, &emblem_web::bake::Limits::default())
        .expect("core unbake");
    assert_eq!(core.found[0].payload, hosted);
}

#[test]
fn a_downloaded_svg_badge_verifies_by_its_assertion_url() {
    let app = shared();
    let issuer = issuer(app, "Vector Guild");
    let class = badge_class(
        app,
        &issuer,
        json!({"image": data_uri("image/svg+xml", &fixture("badge.svg"))}),
    );
    let awarded = award(app, &issuer, &class, "vera@example.org", json!({}));
    let url = awarded["assertion_url"].as_str().expect("url");
    let path = path_of(url);
    let hosted = app.get(&path).expect(200).text();

    let image = app.get(&format!("{path}/image"));
    image.expect(200);
    assert_eq!(image.header("content-type"), Some("image/svg+xml"));
    assert!(
        image
            .header("content-disposition")
            .is_some_and(|d| d.ends_with(".svg\""))
    );
    let text = image.text();
    assert!(text.contains(&format!("verify=\"{url}\"")), "{text}");
    assert!(text.starts_with("<?xml"), "prolog kept: {text}");

    let unbaked = unbake_raw(app, "image/svg+xml", &image.body)
        .expect(200)
        .json();
    assert_eq!(unbaked["format"], "svg");
    assert_eq!(unbaked["payload"], hosted.as_str());
    let core = emblem_web::bake::unbake(&image.body, &emblem_web::bake::Limits::default())
        .expect("core unbake");
    assert_eq!(core.found[0].payload, hosted);
}

#[test]
fn revoked_badges_are_410_and_rejected_ones_404() {
    let app = shared();
    let issuer = issuer(app, "Strict Bakery");
    let class = badge_class(app, &issuer, json!({}));
    let revoked = award(app, &issuer, &class, "rex@example.org", json!({}));
    let id = revoked["id"].as_str().expect("id");
    app.post(
        &format!("/api/v1/assertions/{id}/revoke"),
        &issuer.key,
        &json!({"reason": "Issued in error"}),
    )
    .expect(200);
    let problem = app
        .get(&format!("/assertions/{id}/image"))
        .expect_problem(410);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Issued in error")),
        "{problem}"
    );

    let rejected = award(app, &issuer, &class, "rita@example.org", json!({}));
    let rid = rejected["id"].as_str().expect("id");
    set_award_state(app, rid, |r| r["acceptance"]["state"] = json!("rejected"));
    app.get(&format!("/assertions/{rid}/image"))
        .expect_problem(404);
    app.get("/assertions/no-such-award/image")
        .expect_problem(404);
}

#[test]
fn a_class_with_an_external_image_has_nothing_to_bake() {
    let app = shared();
    let issuer = issuer(app, "Remote Bakery");
    let class = badge_class(
        app,
        &issuer,
        json!({"image": "https://cdn.example.org/badge.png"}),
    );
    let awarded = award(app, &issuer, &class, "remo@example.org", json!({}));
    let path = path_of(awarded["assertion_url"].as_str().expect("url"));
    let problem = app.get(&format!("{path}/image")).expect_problem(404);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("not hosted here")),
        "{problem}"
    );
}

#[test]
fn bake_then_unbake_round_trips_every_payload_version_format_and_body() {
    let app = shared();
    let images: [(&str, Vec<u8>); 2] =
        [("png", fixture("badge.png")), ("svg", fixture("badge.svg"))];
    let cases = [
        (
            "https://badges.example.org/assertions/u1",
            None,
            "url",
            "2.0",
        ),
        (
            "https://badges.example.org/assertions/u1",
            Some("3.0"),
            "url",
            "3.0",
        ),
        (OB2_JSON, None, "json", "2.0"),
        (OB3_JSON, None, "json", "3.0"),
        (JWS, None, "jws", "2.0"),
        (JWS, Some("3.0"), "jws", "3.0"),
    ];
    for (format, image) in &images {
        for (payload, version, kind, expected_version) in cases {
            for multipart in [false, true] {
                let what = format!("{format} {kind} {expected_version} multipart={multipart}");
                let baked = if multipart {
                    bake_multipart(app, image, payload, version)
                } else {
                    bake_json(app, image, payload, version)
                };
                baked.expect(200);
                assert_eq!(
                    baked.header("content-type"),
                    Some(if *format == "png" {
                        "image/png"
                    } else {
                        "image/svg+xml"
                    }),
                    "{what}"
                );
                assert_eq!(baked.header("emblem-replaced-chunks"), Some("0"), "{what}");
                // Unbake through all three body shapes.
                let raw_type = if *format == "png" {
                    "image/png"
                } else {
                    "image/svg+xml"
                };
                let by_raw = unbake_raw(app, raw_type, &baked.body).expect(200).json();
                let (ct, form) = multipart_image(&baked.body);
                let by_form = app
                    .request("POST", "/unbake")
                    .header("Content-Type", &ct)
                    .body(form)
                    .send()
                    .expect(200)
                    .json();
                let by_json = app
                    .request("POST", "/unbake")
                    .json(&json!({"image": B64.encode(&baked.body)}))
                    .send()
                    .expect(200)
                    .json();
                for unbaked in [&by_raw, &by_form, &by_json] {
                    assert_eq!(unbaked["format"], *format, "{what}");
                    assert_eq!(unbaked["kind"], kind, "{what}");
                    assert_eq!(unbaked["version"], expected_version, "{what}");
                    assert_eq!(unbaked["payload"], payload, "{what}");
                }
            }
        }
    }
}

fn multipart_image(image: &[u8]) -> (String, Vec<u8>) {
    multipart(&[("image", Some("badge"), image)])
}

#[test]
fn rebaking_replaces_the_credential_instead_of_adding_one() {
    let app = shared();
    for image in [fixture("badge.png"), fixture("badge.svg")] {
        let once = bake_json(app, &image, "https://x.example.org/a/1", None);
        once.expect(200);
        let twice = bake_json(app, &once.body, "https://x.example.org/a/2", None);
        twice.expect(200);
        assert_eq!(twice.header("emblem-replaced-chunks"), Some("1"));
        let unbaked = unbake_raw(app, "application/octet-stream", &twice.body)
            .expect(200)
            .json();
        assert_eq!(unbaked["payload"], "https://x.example.org/a/2");
        assert_eq!(unbaked["payloads"].as_array().map(Vec::len), Some(1));
        assert_eq!(unbaked["extra"], json!([]));
    }
}

#[test]
fn broken_images_are_client_errors_that_say_what_is_wrong() {
    let app = shared();
    let png = fixture("badge.png");

    let truncated = unbake_raw(app, "image/png", &png[..png.len() / 2]).expect_problem(422);
    assert!(truncated.to_string().contains("PNG"), "{truncated}");

    let mut bad_crc = png.clone();
    let at = bad_crc.len() - 1;
    bad_crc[at] ^= 0xff;
    let crc = unbake_raw(app, "image/png", &bad_crc).expect_problem(422);
    assert!(crc.to_string().contains("CRC"), "{crc}");
    bake_json(app, &bad_crc, "https://x.example.org/a", None).expect_problem(422);

    let garbage = unbake_raw(app, "image/png", b"definitely not an image").expect_problem(422);
    assert!(garbage.to_string().contains("neither a PNG"), "{garbage}");

    let entities = br#"<!DOCTYPE svg [<!ENTITY lol "lol">]><svg xmlns="http://www.w3.org/2000/svg">&lol;</svg>"#;
    let dtd = unbake_raw(app, "image/svg+xml", entities).expect_problem(422);
    assert!(dtd.to_string().contains("internal subset"), "{dtd}");
    bake_json(app, entities, "https://x.example.org/a", None).expect_problem(422);

    let not_baked = unbake_raw(app, "image/png", &png).expect_problem(422);
    assert!(
        not_baked.to_string().contains("no Open Badges credential"),
        "{not_baked}"
    );

    bake_json(app, &png, "not a credential", None).expect_problem(422);
    app.request("POST", "/bake")
        .header("Content-Type", "text/plain")
        .body(b"x".to_vec())
        .send()
        .expect_problem(415);
    app.get("/bake").expect_problem(405);

    // Over the 10 MiB cap: refused before it is read.
    let huge = vec![0u8; 10 * 1024 * 1024 + 1];
    let (status, text) = app.raw(
        &format!(
            "POST /unbake HTTP/1.1\r\nContent-Type: image/png\r\nContent-Length: {}",
            huge.len()
        ),
        &huge,
    );
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
}

#[test]
fn a_download_can_carry_the_open_badges_3_credential_or_both_and_verifies() {
    let app = shared();
    let issuer = issuer(app, "Three Oh Bakery");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "wren@example.org", json!({}));
    let path = path_of(awarded["assertion_url"].as_str().expect("url"));
    let credential = app
        .get(&path_of(awarded["credential_url"].as_str().expect("url")))
        .expect(200)
        .text();

    let image = app.get(&format!("{path}/image?version=3.0"));
    image.expect(200);
    let unbaked = unbake_raw(app, "image/png", &image.body).expect(200).json();
    assert_eq!(unbaked["version"], "3.0");
    assert_eq!(
        unbaked["payload"],
        credential.as_str(),
        "exactly what is hosted"
    );
    let verdict = app
        .request("POST", "/verify?email=wren@example.org")
        .header("content-type", "image/png")
        .header("accept", "application/json")
        .body(image.body.clone())
        .send()
        .expect(200)
        .json();
    assert_eq!(verdict["verdict"], "valid", "{verdict}");
    assert_eq!(verdict["kind"], "credential");

    let both = app.get(&format!("{path}/image?version=both"));
    both.expect(200);
    let core =
        emblem_web::bake::unbake(&both.body, &emblem_web::bake::Limits::default()).expect("unbake");
    let versions: Vec<_> = core.found.iter().map(|f| f.version).collect();
    assert!(
        versions.contains(&emblem_web::bake::Version::V2),
        "{versions:?}"
    );
    assert!(
        versions.contains(&emblem_web::bake::Version::V3),
        "{versions:?}"
    );

    app.get(&format!("{path}/image?version=4.0"))
        .expect_problem(422);
}
