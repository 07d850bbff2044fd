//! The static component: files from `static/` with their content types,
//! and nothing outside that directory.

use crate::common::shared;

#[test]
fn the_stylesheet_is_served_as_css() {
    let resp = shared().get("/static/emblem.css");
    resp.expect(200);
    assert_eq!(resp.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(resp.header("x-content-type-options"), Some("nosniff"));
    let on_disk = std::fs::read(emblem_tests::root().join("static/emblem.css")).expect("css");
    assert_eq!(resp.body, on_disk);
}

#[test]
fn paths_outside_the_static_directory_are_not_found() {
    let app = shared();
    for path in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/",
        "/static/no-such-file.css",
    ] {
        let resp = app.get(path);
        assert!(
            resp.status == 404 || resp.status == 400,
            "{path}: {} {}",
            resp.status,
            resp.text()
        );
        assert!(!resp.text().contains("[workspace]"), "{path} leaked a file");
    }
}

#[test]
fn a_path_no_route_serves_is_a_404_problem_on_every_runtime() {
    let app = shared();
    for path in ["/no/such/page", "/", "/favicon.ico"] {
        let body = app.get(path).expect_problem(404);
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("nothing at")),
            "{path}: {body}"
        );
    }
}
