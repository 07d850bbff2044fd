//! The presentation layer: the one place a route's result becomes the reply a client sees.
//!
//! Every route names the [`Surface`] it answers on, and [`respond`] does the rest:
//!
//! 1. A failure becomes a problem document (RFC 9457) on the machine surfaces ([`Surface::Api`],
//!    [`Surface::Document`], [`Surface::Image`]) and an HTML notice on the human ones
//!    ([`Surface::Page`], [`Surface::Embed`], [`Surface::Form`]) when the route can render
//!    one; the status and the headers the status needs (`Allow`, `Retry-After`,
//!    `WWW-Authenticate`) are the problem's either way.
//! 2. The surface's security headers are set, replacing whatever the route wrote:
//!    `X-Content-Type-Options: nosniff` everywhere, and on HTML and images the
//!    Content-Security-Policy of [`Surface::csp`] (no surface runs scripts) and
//!    `X-Frame-Options: DENY` unless the surface may be framed.
//! 3. HEAD gets the GET reply without its body ([`head`]).
//!
//! The policies are spelled out once, here; the tests spell them out again, literally.

use crate::error::Error;
use crate::reply::Reply;

/// Who reads the reply, which decides its security headers and how failures look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The issuer API (`/api/v1/…`): JSON.
    Api,
    /// Open Badges documents and other JSON for machines (`/assertions/:id`, `/verify` JSON,
    /// `/bake`, `/unbake`).
    Document,
    /// Images served as they are stored or baked. An SVG opened on its own is a document, so
    /// it gets no sources but inline style and a `sandbox` (no scripts, forms, popups or
    /// navigation, an opaque origin), whatever got past the upload check.
    Image,
    /// HTML pages for people: badge, issuer and assertion pages, the certificate, notices.
    Page,
    /// The embeddable badge card: a page any site may frame.
    Embed,
    /// HTML pages with a form that posts back to Emblem: the claim pages, the verify page.
    Form,
}

impl Surface {
    /// The Content-Security-Policy of the surface, or none for JSON.
    pub const fn csp(self) -> Option<&'static str> {
        match self {
            Self::Api | Self::Document => None,
            Self::Image => Some("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
            Self::Page => Some(
                "default-src 'none'; img-src 'self' https: data:; style-src 'self'; \
                 form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
            ),
            Self::Embed => Some(
                "default-src 'none'; img-src 'self' https: data:; style-src 'self'; \
                 form-action 'none'; base-uri 'none'; frame-ancestors *",
            ),
            Self::Form => Some(
                "default-src 'none'; img-src 'self' https: data:; style-src 'self'; \
                 form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        }
    }

    /// Whether failures on this surface are shown to a person as an HTML notice.
    pub const fn is_human(self) -> bool {
        matches!(self, Self::Page | Self::Embed | Self::Form)
    }

    /// Whether other sites may frame the reply.
    const fn may_be_framed(self) -> bool {
        matches!(self, Self::Embed)
    }
}

/// Set the surface's security headers on `reply`, replacing any the route set.
pub fn secure(mut reply: Reply, surface: Surface) -> Reply {
    reply.set_header("x-content-type-options", "nosniff");
    if let Some(csp) = surface.csp() {
        reply.set_header("content-security-policy", csp);
    }
    if surface.is_human() && !surface.may_be_framed() {
        reply.set_header("x-frame-options", "DENY");
    }
    reply
}

/// An HTML page on `surface`.
pub fn page(surface: Surface, status: u16, body: Vec<u8>) -> Reply {
    secure(
        Reply::bytes(status, "text/html; charset=utf-8", body),
        surface,
    )
}

/// The reply to a HEAD request: the GET reply without its body.
pub fn head(mut reply: Reply, is_head: bool) -> Reply {
    if is_head {
        reply.body.clear();
    }
    reply
}

/// The reply for `result` on `surface` (see the module docs). `notice` renders the HTML
/// notice for a failure on a human surface; it may decline (`None`), and then the failure is a
/// problem document there too.
pub fn respond(
    surface: Surface,
    is_head: bool,
    result: Result<Reply, Error>,
    notice: impl FnOnce(&Error) -> Option<Vec<u8>>,
) -> Reply {
    let reply = match result {
        Ok(reply) => reply,
        Err(error) => failure(surface, &error, notice),
    };
    head(secure(reply, surface), is_head)
}

/// The reply for a failure on `surface` (before the security headers).
pub fn failure(
    surface: Surface,
    error: &Error,
    notice: impl FnOnce(&Error) -> Option<Vec<u8>>,
) -> Reply {
    let problem = Reply::problem(error);
    if !surface.is_human() {
        return problem;
    }
    match notice(error) {
        Some(body) => {
            let mut reply = Reply::bytes(problem.status, "text/html; charset=utf-8", body);
            reply.headers.extend(
                problem
                    .headers
                    .into_iter()
                    .filter(|(name, _)| *name != "content-type"),
            );
            reply
        }
        None => problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{NotFound, Unavailable};

    const ALL: [Surface; 6] = [
        Surface::Api,
        Surface::Document,
        Surface::Image,
        Surface::Page,
        Surface::Embed,
        Surface::Form,
    ];

    // The policies, written out: a change to any of them must change this test too.
    #[test]
    fn each_surface_has_its_written_policy() {
        let want = [
            (Surface::Api, None),
            (Surface::Document, None),
            (
                Surface::Image,
                Some("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
            ),
            (
                Surface::Page,
                Some(
                    "default-src 'none'; img-src 'self' https: data:; style-src 'self'; \
                     form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
                ),
            ),
            (
                Surface::Embed,
                Some(
                    "default-src 'none'; img-src 'self' https: data:; style-src 'self'; \
                     form-action 'none'; base-uri 'none'; frame-ancestors *",
                ),
            ),
            (
                Surface::Form,
                Some(
                    "default-src 'none'; img-src 'self' https: data:; style-src 'self'; \
                     form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
                ),
            ),
        ];
        for (surface, csp) in want {
            let r = secure(Reply::bytes(200, "text/html", b"x".to_vec()), surface);
            assert_eq!(r.header("content-security-policy"), csp, "{surface:?}");
            assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        }
    }

    #[test]
    fn no_surface_allows_scripts_and_only_the_embed_may_be_framed() {
        for surface in ALL {
            let r = secure(Reply::empty(200), surface);
            let csp = r.header("content-security-policy").unwrap_or_default();
            assert!(!csp.contains("script-src"), "{surface:?}: {csp}");
            assert!(!csp.contains("unsafe-eval"), "{surface:?}: {csp}");
            let framed =
                !csp.contains("frame-ancestors 'none'") && r.header("x-frame-options").is_none();
            assert_eq!(
                framed,
                matches!(
                    surface,
                    Surface::Embed | Surface::Api | Surface::Document | Surface::Image
                ),
                "{surface:?}"
            );
        }
    }

    #[test]
    fn a_route_cannot_loosen_its_surface() {
        let loose = Reply::bytes(200, "text/html", b"x".to_vec())
            .with_header("content-security-policy", "default-src *")
            .with_header("x-frame-options", "ALLOWALL");
        let r = secure(loose, Surface::Page);
        assert_eq!(
            r.headers
                .iter()
                .filter(|(n, _)| *n == "content-security-policy")
                .count(),
            1
        );
        assert!(
            r.header("content-security-policy")
                .is_some_and(|c| c.starts_with("default-src 'none'"))
        );
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
    }

    #[test]
    fn failures_are_problems_for_machines_and_notices_for_people() {
        let error = || Error::NotFound(NotFound::Route { path: "/x".into() });
        let api = respond(Surface::Api, false, Err(error()), |_| {
            Some(b"<p>never</p>".to_vec())
        });
        assert_eq!(api.status, 404);
        assert_eq!(api.header("content-type"), Some("application/problem+json"));

        let page = respond(Surface::Page, false, Err(error()), |_| {
            Some(b"<p>Not found</p>".to_vec())
        });
        assert_eq!(page.status, 404);
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(page.body, b"<p>Not found</p>");

        let declined = respond(Surface::Form, false, Err(error()), |_| None);
        assert_eq!(
            declined.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(declined.header("x-frame-options"), Some("DENY"));
    }

    #[test]
    fn a_notice_keeps_the_headers_its_status_needs() {
        let error = Error::Unavailable(Unavailable::AdminTokenUnset);
        let want = Reply::problem(&error);
        let page = respond(Surface::Page, false, Err(error), |_| Some(b"busy".to_vec()));
        assert_eq!(page.status, want.status);
        for (name, value) in want.headers.iter().filter(|(n, _)| *n != "content-type") {
            assert_eq!(page.header(name), Some(value.as_str()), "{name}");
        }
    }

    #[test]
    fn head_answers_carry_no_body() {
        let r = respond(Surface::Document, true, Ok(Reply::json(200, &[1])), |_| {
            None
        });
        assert_eq!(r.status, 200);
        assert!(r.body.is_empty());
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
}
