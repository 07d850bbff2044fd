//! The two components only service chaining reaches, `canon` (Data Integrity proofs for
//! `verify`) and `mail` (SMTP for `issuing`): nothing outside the app reaches them, and each
//! is granted to the one component that needs it, with the grants only it needs.

use emblem_tests::AppConfig;

fn manifest() -> toml::Table {
    toml::from_str(
        &std::fs::read_to_string(emblem_tests::root().join("spin.toml")).expect("spin.toml"),
    )
    .expect("toml")
}

/// The components whose `allowed_outbound_hosts` list `host`.
fn callers(manifest: &toml::Table, host: &str) -> Vec<String> {
    let components = manifest["component"].as_table().expect("components");
    components
        .iter()
        .filter(|(_, c)| {
            c.get("allowed_outbound_hosts")
                .and_then(toml::Value::as_array)
                .is_some_and(|a| a.iter().any(|h| h.as_str() == Some(host)))
        })
        .map(|(id, _)| id.clone())
        .collect()
}

#[test]
fn canon_and_mail_have_no_public_route_and_one_caller_each() {
    let manifest = manifest();
    for component in ["canon", "mail"] {
        let routes: Vec<&toml::Value> = manifest["trigger"]["http"]
            .as_array()
            .expect("routes")
            .iter()
            .filter(|t| t["component"].as_str() == Some(component))
            .map(|t| &t["route"])
            .collect();
        assert_eq!(routes.len(), 1, "{component}");
        assert_eq!(routes[0]["private"].as_bool(), Some(true), "{component}");
    }
    assert_eq!(callers(&manifest, "http://canon.spin.internal"), ["verify"]);
    assert_eq!(callers(&manifest, "http://mail.spin.internal"), ["issuing"]);
    // The SMTP password and the raw sockets are the mail component's alone; canon reads and
    // sends nothing.
    let components = manifest["component"].as_table().expect("components");
    for (id, c) in components {
        let outbound: Vec<&str> = c
            .get("allowed_outbound_hosts")
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().filter_map(toml::Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            outbound.iter().any(|h| h.starts_with("tcp://")),
            id == "mail",
            "{id}: {outbound:?}"
        );
        let variables = c.get("variables").and_then(toml::Value::as_table);
        assert_eq!(
            variables.is_some_and(|v| v.contains_key("smtp_url")),
            id == "mail",
            "{id}"
        );
    }
    let canon = &components["canon"];
    for grant in [
        "key_value_stores",
        "allowed_outbound_hosts",
        "variables",
        "files",
    ] {
        assert!(canon.get(grant).is_none(), "canon has {grant}");
    }
}

#[test]
fn canon_and_mail_cannot_be_reached_from_outside() {
    // Email on, so that a request reaching `mail` could send.
    let app = AppConfig::emblem("chaining-outside")
        .variable("smtp_url", "smtp://127.0.0.1:9")
        .variable("mail_from", "badges@emblem.test")
        .start();
    let send = r#"{"from":"badges@emblem.test","to":"victim@example.org","data":"U3ViamVjdDogaGkNCg0KaGkNCg=="}"#;
    let forged_proof = r#"{"key":"00","document":{}}"#;
    for (method, path, body, host) in [
        (
            "POST",
            "/data-integrity/verify",
            forged_proof,
            "canon.spin.internal",
        ),
        ("GET", "/sender", "", "mail.spin.internal"),
        ("POST", "/send", send, "mail.spin.internal"),
    ] {
        for host in [None, Some(host)] {
            let mut req = app
                .request(method, path)
                .header("content-type", "application/json")
                .body(body);
            if let Some(host) = host {
                req = req.header("host", host);
            }
            match req.try_send() {
                // The catch-all static route answers: a 404 problem.
                Ok(resp) => assert_eq!(resp.status, 404, "{path} via {host:?}: {}", resp.text()),
                // Spin drops an outside request that names a chaining host.
                Err(e) => assert!(host.is_some(), "{path}: {e}"),
            }
        }
    }
}
