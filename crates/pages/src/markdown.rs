//! Descriptions, criteria and narratives are Markdown (CommonMark, as Badgr and Credly
//! accept them); people see them as HTML that cannot carry anything active.
//!
//! - Raw HTML in the source (blocks and inline tags) is shown as text, escaped: nothing the
//!   issuer types becomes markup except through Markdown's own constructs.
//! - Links keep only `http`, `https` and `mailto` targets, or relative ones; any other scheme
//!   (`javascript:`, `data:`, `vbscript:` …) becomes `#`.
//! - Images become links to the image: a page never loads a third-party image (tracking)
//!   from an issuer's text.
//! - Text and attribute values are escaped by `pulldown-cmark`'s HTML writer.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// Whether `url` may be a link target.
fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let path_start = lower.find(['/', '?', '#']);
    match (scheme_end, path_start) {
        // No scheme at all (relative), or the colon comes after the path starts.
        (None, _) => true,
        (Some(c), Some(p)) if p < c => true,
        _ => ["http:", "https:", "mailto:"]
            .iter()
            .any(|s| lower.starts_with(s)),
    }
}

fn link<'a>(dest_url: CowStr<'a>, title: CowStr<'a>, id: CowStr<'a>) -> Tag<'a> {
    let dest_url = if safe_url(&dest_url) {
        dest_url
    } else {
        CowStr::Borrowed("#")
    };
    Tag::Link {
        link_type: pulldown_cmark::LinkType::Inline,
        dest_url,
        title,
        id,
    }
}

/// `src` (Markdown) as safe HTML.
pub fn to_html(src: &str) -> String {
    let parser = Parser::new_ext(src, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            dest_url,
            title,
            id,
            ..
        })
        | Event::Start(Tag::Image {
            dest_url,
            title,
            id,
            ..
        }) => Event::Start(link(dest_url, title, id)),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut out = String::with_capacity(src.len() + src.len() / 4);
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markdown_renders_and_nothing_active_survives() {
        assert_eq!(
            to_html("**Pass** the [exam](https://academy.example.org/exam)."),
            "<p><strong>Pass</strong> the <a href=\"https://academy.example.org/exam\">exam</a>.</p>\n"
        );
        let hostile = "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)> \
                       [x](javascript:alert(3)) [y](JaVaScRiPt:alert(4)) [z](data:text/html,hi) \
                       ![pixel](https://tracker.example/p.gif) <a href=\"javascript:alert(5)\">a</a>";
        let html = to_html(hostile);
        // Escaped text may mention anything; no tag or link target may be active.
        for bad in [
            "<script",
            "<img",
            "<a href=\"javascript",
            "<a href=\"JaVaScRiPt",
            "<a href=\"data:",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains("<a href=\"https://tracker.example/p.gif\">pixel</a>"),
            "{html}"
        );
        assert!(to_html("[rel](/badges/1) [mail](mailto:a@b.org)").contains("href=\"/badges/1\""));
    }
}
