//! The runtime itself: routing, Spin headers, isolation of a trapping
//! component, and the grants a component does or does not have.

use emblem_tests::{App, AppConfig};
use std::sync::OnceLock;

/// One host running the mixed app (real components + probe + hello).
fn mixed() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| AppConfig::fixture("mixed", "host").start())
}

/// Real Spin answers an unmatched route or a trap with an empty body; `emblem-host` with a
/// problem document (listed among the differences in docs/ARCHITECTURE.md).
fn on_spin() -> bool {
    emblem_tests::runtime_name() == "spin"
}

#[test]
fn an_unmatched_path_is_a_404_problem() {
    let resp = mixed().get("/no/such/route");
    if on_spin() {
        resp.expect(404);
        return;
    }
    let body = resp.expect_problem(404);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("route")));
}

#[test]
fn a_trapping_component_gets_a_bare_500_and_everything_else_keeps_serving() {
    let app = mixed();
    for _ in 0..3 {
        let resp = app.get("/probe/boom");
        if on_spin() {
            resp.expect(500);
        } else {
            resp.expect_problem(500);
        }
        assert!(!resp.text().contains("secret"), "leaked: {}", resp.text());
        // The same component and the others still answer.
        app.get("/probe/ok").expect(200);
        assert_eq!(app.get("/hello").expect(200).text(), "hello");
        app.get("/issuers/none").expect(404);
    }
}

#[test]
fn spin_request_headers_describe_the_route_and_cannot_be_forged() {
    let app = mixed();
    let resp = app
        .request("GET", "/probe/headers?x=1")
        .header("spin-client-addr", "6.6.6.6:666")
        .header("spin-path-info", "/forged")
        .send();
    let headers = resp.expect(200).json();
    assert_eq!(headers["spin-matched-route"], "/probe/...");
    assert_eq!(headers["spin-component-route"], "/probe");
    assert_eq!(headers["spin-path-info"], "/headers");
    assert_eq!(headers["spin-base-path"], "/");
    assert_eq!(
        headers["spin-full-url"],
        format!("{}/probe/headers?x=1", app.base)
    );
    let client = headers["spin-client-addr"].as_str().expect("client addr");
    // The real peer (this test's own loopback address), never the forged value.
    let mine = format!("{}:", emblem_tests::client_address::current());
    assert!(client.starts_with(&mine), "{client}");
}

#[test]
fn a_component_sees_only_its_own_variables_expanded_from_the_app() {
    let app = mixed();
    assert_eq!(app.get("/probe/variable/greeting").text(), "ok:hello 30");
    let other = app.get("/probe/variable/admin_token").text();
    assert!(other.contains("Undefined"), "{other}");
    let bad = app.get("/probe/variable/Bad-Name").text();
    assert!(bad.contains("InvalidName"), "{bad}");
}

#[test]
fn a_component_without_a_key_value_grant_is_denied_the_store() {
    let text = mixed().get("/probe/kv").text();
    assert!(
        text.starts_with("err:") && text.contains("AccessDenied"),
        "{text}"
    );
}

#[test]
fn outbound_http_outside_allowed_hosts_never_leaves_the_host() {
    let text = mixed()
        .get("/probe/fetch?url=http://127.0.0.2:9/")
        .expect(200)
        .text();
    assert!(text.contains("HttpRequestDenied"), "{text}");
}

#[test]
fn a_component_without_a_files_mount_reads_no_files() {
    // A real file on the host, outside every mount: the test reads it, the guest may not.
    let secret = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target")
        .join(format!("isolation-secret-{}.txt", std::process::id()));
    std::fs::write(&secret, "host secret").expect("write");
    let absolute = secret.canonicalize().expect("canonical");
    assert_eq!(
        std::fs::read_to_string(&absolute).expect("read"),
        "host secret"
    );
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spin.toml");
    let manifest = manifest.canonicalize().expect("canonical");
    for path in [
        absolute.to_string_lossy().into_owned(),
        manifest.to_string_lossy().into_owned(),
        "/etc/hostname".to_owned(),
        "../../target/isolation-secret.txt".to_owned(),
    ] {
        let text = mixed()
            .get(&format!("/probe/file?path={path}"))
            .expect(200)
            .text();
        assert!(text.starts_with("err:"), "{path}: {text}");
        assert!(!text.contains("host secret"), "{path}: {text}");
    }
    // The same reading code works where a mount exists: the static component serves its files.
    mixed().get("/static/emblem.css").expect(200);
    let _ = std::fs::remove_file(&secret);
}

#[test]
fn each_test_thread_reaches_the_app_from_its_own_address() {
    let seen = |app: &emblem_tests::App| {
        let headers = app.get("/probe/headers").expect(200).json();
        let addr = headers["spin-client-addr"]
            .as_str()
            .expect("client addr")
            .to_owned();
        let ip = addr
            .rsplit_once(':')
            .map_or(addr.as_str(), |(ip, _)| ip)
            .to_owned();
        (ip, emblem_tests::client_address::current().to_string())
    };
    let app = mixed();
    let (here, mine) = seen(app);
    assert_eq!(here, mine);
    let (there, theirs) = std::thread::scope(|s| s.spawn(|| seen(app)).join().expect("thread"));
    assert_eq!(there, theirs);
    assert_ne!(here, there, "two tests share a client address");
}
