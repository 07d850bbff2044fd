//! Real-browser tests: the real app on the real host, driven by Chromium
//! through playwright-core (`tests/browser/*.mjs`). `tests/browser/setup.sh`
//! installs both (`cargo xtask test` runs it first); screenshots go to
//! `target/browser-artifacts/`.

#[path = "../e2e/common.rs"]
#[allow(
    dead_code,
    reason = "shared with the e2e tests; each test binary uses a subset"
)]
mod common;
mod driver;
mod share;
