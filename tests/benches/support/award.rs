//! One real award for the load benchmarks: an issuer, an API key, a badge class with the
//! given `image` (an https URL or a data URI) and an award of it to bench@example.org.

#![allow(dead_code, reason = "each benchmark uses its own part of it")]

use emblem_tests::{ADMIN_TOKEN, App};
use serde_json::json;

/// What the benchmarks fetch.
pub struct Award {
    /// The badge class's absolute URL (`…/badges/:id`; its image is at `…/image`).
    pub class_url: String,
    /// The hosted assertion's absolute URL.
    pub assertion_url: String,
}

impl Award {
    /// The assertion's path (`/assertions/:id`).
    pub fn assertion_path(&self) -> &str {
        path_of(&self.assertion_url)
    }

    /// The badge class's path (`/badges/:id`).
    pub fn class_path(&self) -> &str {
        path_of(&self.class_url)
    }
}

/// The path of an absolute `http://host:port/…` URL.
fn path_of(url: &str) -> &str {
    let host = url.find("://").map_or(0, |at| at + 3);
    url[host..].find('/').map_or("/", |at| &url[host + at..])
}

/// Create the issuer, key, class and award.
pub fn award(app: &App, image: &str) -> Award {
    let issuer = app
        .post(
            "/api/v1/issuers",
            ADMIN_TOKEN,
            &json!({"name": "Bench Academy", "url": "https://bench.example.org", "email": "b@bench.example.org"}),
        )
        .expect(201)
        .json();
    let id = issuer["id"].as_str().expect("id");
    let key = app
        .post(
            &format!("/api/v1/issuers/{id}/keys"),
            ADMIN_TOKEN,
            &json!({}),
        )
        .expect(201)
        .json()["key"]
        .as_str()
        .expect("key")
        .to_string();
    let class = app
        .post(
            "/api/v1/badgeclasses",
            &key,
            &json!({"name": "Bench", "description": "d", "image": image, "criteria": {"narrative": "n"}}),
        )
        .expect(201)
        .json();
    let award = app
        .post(
            "/api/v1/assertions",
            &key,
            &json!({"badgeclass": class["id"], "recipient": {"email": "bench@example.org"}}),
        )
        .expect(201)
        .json();
    Award {
        class_url: class["badgeclass_url"]
            .as_str()
            .expect("badgeclass url")
            .to_string(),
        assertion_url: award["assertion_url"]
            .as_str()
            .expect("assertion url")
            .to_string(),
    }
}
