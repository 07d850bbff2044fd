//! The HTML snippets an earner copies from the manage page: an email signature and an embed.
//!
//! They are HTML the earner pastes elsewhere, so every value inside them is escaped here; the
//! page then shows the snippet as text (askama escapes it again inside `<textarea>`).

use crate::base_url::BaseUrl;
use crate::html::escape;

/// An email-signature line: the badge image and name, linking to the public badge page.
pub fn signature(
    assertion_url: &str,
    image_url: &str,
    badge_name: &str,
    issuer_name: &str,
) -> String {
    format!(
        "<a href=\"{url}\" style=\"text-decoration:none;color:inherit\">\
         <img src=\"{img}\" alt=\"{alt} badge\" width=\"48\" height=\"48\" \
         style=\"vertical-align:middle;border:0;margin-right:8px\">\
         {name} — {issuer}</a>",
        url = escape(assertion_url),
        img = escape(image_url),
        alt = escape(badge_name),
        name = escape(badge_name),
        issuer = escape(issuer_name),
    )
}

/// An `<iframe>` of the embeddable badge card (`/embed/:id`).
pub fn embed(base: &BaseUrl, assertion_id: &str, badge_name: &str) -> String {
    format!(
        "<iframe src=\"{src}\" title=\"{title} badge\" width=\"360\" height=\"420\" \
         style=\"border:0\" loading=\"lazy\"></iframe>",
        src = escape(&base.join(&format!("/embed/{assertion_id}"))),
        title = escape(badge_name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_values_are_escaped() {
        let s = signature(
            "https://b.example/assertions/a",
            "https://b.example/i.png",
            "<b>\"x\"",
            "A & B",
        );
        assert!(s.contains("alt=\"&#60;b&#62;&#34;x&#34; badge\""), "{s}");
        assert!(s.contains("&#60;b&#62;&#34;x&#34; — A &#38; B</a>"), "{s}");
        let base = BaseUrl::parse("https://b.example").expect("base");
        let e = embed(&base, "id-1", "it's");
        assert_eq!(
            e,
            "<iframe src=\"https://b.example/embed/id-1\" title=\"it&#39;s badge\" width=\"360\" \
             height=\"420\" style=\"border:0\" loading=\"lazy\"></iframe>"
        );
    }
}
