//! Real-browser tests: headless Chromium (Debian's `chromium`) driven by `playwright-core`
//! from a Node script per scenario, against the real host and components. Each scenario keeps
//! a screenshot of every page under `target/browser-artifacts/`.
//!
//! `tests/browser/setup.sh` installs both (`cargo xtask test` runs it first); without them the
//! tests fail and say so.

mod claim;
