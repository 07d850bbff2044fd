//! The `/verify` routes, called by the `verify` component.
//!
//! 1. [`route`]: `GET|HEAD /verify` (the page, or a verification when `?url=` is given) and
//!    `POST /verify` (JSON, image or multipart body, at most [`MAX_BODY`] bytes).
//! 2. [`answer`]: a verification as JSON ([`VerifyView`]: verdict, summary, checks and
//!    validator-core's `report` block) or as the HTML page, by `Accept`. A verification is
//!    always a 200, whatever its verdict: the request succeeded, the badge may not have.
//! 3. [`page`]: the page with an empty form, or with the reason the input could not be read.
//!
//! Nothing here writes to the store.

use serde::Serialize;

use crate::base_url::BaseUrl;
use crate::error::{Error, NotFound};
use crate::html::{self, Head};
use crate::present::{self, Surface};
use crate::reply::Reply;
use crate::verify::check::{Check, Finding, Outcome, Report, Verdict};
use crate::verify::docs;
use crate::verify::flow::Verification;

/// Largest `POST /verify` body (a badge image, a JSON assertion or a form).
pub const MAX_BODY: usize = 10 * 1024 * 1024;
/// Methods `/verify` accepts.
pub const ALLOW: &[&str] = &["GET", "HEAD", "POST"];

/// A `/verify` route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET|HEAD /verify[?url=…]`
    Get,
    /// `POST /verify`
    Post,
}

/// Match a method and path.
pub fn route(method: &str, path: &str) -> Result<Route, Error> {
    if path.trim_end_matches('/') != "/verify" {
        return Err(Error::NotFound(NotFound::Route {
            path: path.to_owned(),
        }));
    }
    match method {
        "GET" | "HEAD" => Ok(Route::Get),
        "POST" => Ok(Route::Post),
        _ => Err(Error::MethodNotAllowed { allow: ALLOW }),
    }
}

/// A named thing in the answer.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    /// Its id.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
}

impl Named {
    fn of(doc: Option<&serde_json::Value>) -> Option<Self> {
        let doc = doc?;
        Some(Self {
            id: docs::str_of(doc, "id").map(str::to_owned),
            name: docs::str_of(doc, "name").map(str::to_owned),
        })
    }
}

/// The JSON answer of a verification.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyView {
    /// `valid | expired | revoked | invalid | unverifiable`.
    pub verdict: Verdict,
    /// True only for `valid`.
    pub valid: bool,
    /// A sentence for people.
    pub summary: String,
    /// The assertion id verified, once known.
    pub subject: Option<String>,
    /// `hosted` or `signed`, once known.
    pub kind: Option<&'static str>,
    /// How it was handed in: `url`, `json`, `jws`, `png`, `svg`.
    pub input: &'static str,
    /// The first failed check's name, if any.
    pub failed: Option<Check>,
    /// Every check, in order.
    pub checks: Vec<Finding>,
    /// The badge class, once loaded.
    pub badge: Option<Named>,
    /// The issuer, once loaded.
    pub issuer: Option<Named>,
    /// The verified assertion (the fetched copy for hosted badges).
    pub assertion: Option<serde_json::Value>,
    /// validator-core's report block.
    pub report: Report,
}

impl VerifyView {
    /// The view of a verification.
    pub fn new(v: &Verification) -> Self {
        let verdict = v.checks.verdict();
        let failed = v.checks.first_failure();
        let summary = match failed {
            Some(f) if verdict != Verdict::Valid => format!("{} {}", verdict.sentence(), f.message),
            _ => verdict.sentence().to_owned(),
        };
        Self {
            verdict,
            valid: verdict == Verdict::Valid,
            summary,
            subject: v.subject.clone(),
            kind: v.kind,
            input: v.source,
            failed: failed.map(|f| f.name),
            checks: v.checks.all().to_vec(),
            badge: Named::of(v.badge.as_ref()),
            issuer: Named::of(v.issuer.as_ref()),
            assertion: v.assertion.clone(),
            report: Report::new(&v.checks, v.subject.clone(), v.kind.map(|_| "2.0")),
        }
    }
}

/// One check on the page.
#[derive(Debug, Clone)]
pub struct PageCheck {
    /// Its name.
    pub name: &'static str,
    /// `pass`, `fail`, `warn` or `skip`.
    pub outcome: &'static str,
    /// The message.
    pub message: String,
}

/// The verdict block of the page.
#[derive(Debug, Clone)]
pub struct PageResult {
    /// CSS modifier: `valid`, `expired` or `revoked`.
    pub css: &'static str,
    /// Heading.
    pub title: &'static str,
    /// The summary sentence.
    pub sentence: String,
    /// The badge's name.
    pub badge_name: Option<String>,
    /// The issuer's name.
    pub issuer_name: Option<String>,
    /// The assertion id.
    pub subject: Option<String>,
    /// The checks.
    pub checks: Vec<PageCheck>,
}

/// The verify page.
#[derive(Debug, askama::Template)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    head: Head,
    action: String,
    url: String,
    email: String,
    error: Option<String>,
    result: Option<PageResult>,
}

impl VerifyPage {
    fn new(base: &BaseUrl) -> Self {
        Self {
            head: Head {
                title: "Verify a badge — Emblem".to_owned(),
                description: "Check an Open Badge: paste its address or upload the badge image."
                    .to_owned(),
                url: base.join("/verify"),
                image: None,
                json_url: None,
                css_url: base.asset("emblem.css"),
                icon_url: base.asset("favicon.svg"),
            },
            action: base.join("/verify"),
            url: String::new(),
            email: String::new(),
            error: None,
            result: None,
        }
    }
}

fn outcome_str(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Warn => "warn",
        Outcome::Skip => "skip",
    }
}

fn html_reply(status: u16, page: &VerifyPage) -> Result<Reply, Error> {
    Ok(present::page(Surface::Form, status, html::render(page)?)
        .with_header("cache-control", "no-store")
        .with_header("vary", "Accept"))
}

/// The page with an empty form (`url` and `email` prefilled when given), or with `error`.
pub fn page(base: &BaseUrl, error: Option<&Error>) -> Result<Reply, Error> {
    let mut page = VerifyPage::new(base);
    let status = match error {
        Some(e) => {
            let p = e.problem();
            let mut text = p.detail.clone();
            for fe in &p.errors {
                text.push_str(&format!(" {}: {}.", fe.field, fe.message));
            }
            page.error = Some(text);
            p.status
        }
        None => 200,
    };
    html_reply(status, &page)
}

/// The answer to a verification: JSON, or the page when `html`.
pub fn answer(
    v: &Verification,
    html: bool,
    base: &BaseUrl,
    url: Option<&str>,
    email: Option<&str>,
) -> Result<Reply, Error> {
    let view = VerifyView::new(v);
    if !html {
        return Ok(Reply::json(200, &view)
            .with_header("cache-control", "no-store")
            .with_header("access-control-allow-origin", "*")
            .with_header("vary", "Accept"));
    }
    let mut page = VerifyPage::new(base);
    page.url = url.unwrap_or_default().to_owned();
    page.email = email.unwrap_or_default().to_owned();
    page.result = Some(PageResult {
        css: match view.verdict {
            Verdict::Valid => "valid",
            Verdict::Expired | Verdict::Unverifiable => "expired",
            Verdict::Revoked | Verdict::Invalid => "revoked",
        },
        title: match view.verdict {
            Verdict::Valid => "Valid",
            Verdict::Expired => "Expired",
            Verdict::Revoked => "Revoked",
            Verdict::Invalid => "Not valid",
            Verdict::Unverifiable => "Could not verify",
        },
        sentence: view.summary.clone(),
        badge_name: view.badge.as_ref().and_then(|b| b.name.clone()),
        issuer_name: view.issuer.as_ref().and_then(|i| i.name.clone()),
        subject: view.subject.clone(),
        checks: view
            .checks
            .iter()
            .map(|c| PageCheck {
                name: c.name.name(),
                outcome: outcome_str(c.outcome),
                message: c.message.clone(),
            })
            .collect(),
    });
    html_reply(200, &page)
}
