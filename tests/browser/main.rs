//! Real-browser tests: the real app on the real host, driven by headless Chromium (Debian's
//! `chromium`) through playwright-core from one Node script per scenario
//! (`tests/browser/*.mjs`). `tests/browser/setup.sh` installs both (`cargo xtask test` runs it
//! first); without them the tests fail and say so. Screenshots go to
//! `target/browser-artifacts/`.

mod claim;
#[path = "../e2e/common.rs"]
#[allow(
    dead_code,
    reason = "shared with the e2e tests; each test binary uses a subset"
)]
mod common;
mod driver;
mod share;
