//! Runs a playwright-core script under Node against a running app.

use std::path::PathBuf;
use std::process::Command;

/// Where screenshots and PDFs go.
pub fn artifacts() -> PathBuf {
    let dir = emblem_tests::root()
        .join("target")
        .join("browser-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/browser-artifacts");
    dir
}

/// The playwright-core package installed by `tests/browser/setup.sh`; panics
/// with what to run when it, Chromium or Node is missing.
fn playwright() -> PathBuf {
    let install = std::env::var_os("EMBLEM_BROWSER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| emblem_tests::root().join("target").join("browser"));
    let package = install.join("node_modules").join("playwright-core");
    let advice = "run `bash tests/browser/setup.sh` (or `cargo xtask test`, which runs it)";
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: {advice}"
    );
    assert!(
        package.join("package.json").exists(),
        "playwright-core is missing from {}: {advice}",
        package.display()
    );
    assert!(
        Command::new("node").arg("--version").output().is_ok(),
        "node is not on PATH: install Node.js 18 or later, then {advice}"
    );
    package
}

/// Runs `tests/browser/<script>` with `env`; panics with its output unless it succeeds.
pub fn run(script: &str, env: &[(&str, String)]) -> String {
    let package = playwright();
    let path = emblem_tests::root()
        .join("tests")
        .join("browser")
        .join(script);
    let mut cmd = Command::new("node");
    cmd.arg(&path)
        .env("EMBLEM_PLAYWRIGHT", &package)
        .env("EMBLEM_ARTIFACTS", artifacts());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    println!("{stdout}");
    stdout
}
