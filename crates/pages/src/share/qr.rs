//! QR codes as inline SVG (the `qrcode` crate's SVG renderer).
//!
//! 1. Encode the text at error-correction level M (15% of the code may be damaged, enough for
//!    a printed page that gets folded or smudged).
//! 2. Render one SVG unit per module with the standard 4-module quiet zone, black on white
//!    (scanners need the contrast whatever the page's colour scheme).
//! 3. Drop the XML declaration (not allowed inside HTML) and give the `<svg>` an accessible
//!    name and a class; the size comes from CSS, the `viewBox` keeps it sharp.
//!
//! The output holds only numbers and fixed attribute text from the renderer plus the label,
//! which is escaped here, so a page may include it unescaped.
//!
//! Encoding costs milliseconds (the crate tries all eight masks), so each thread (a component
//! instance) keeps the last [`CACHE_ENTRIES`] codes it drew; a full cache starts over.

use std::cell::RefCell;
use std::collections::HashMap;

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::{Error, Internal};

/// Codes kept per thread before the cache starts over (a code is ~20 KB of SVG).
pub const CACHE_ENTRIES: usize = 64;

thread_local! {
    static DRAWN: RefCell<HashMap<(String, String), String>> = RefCell::new(HashMap::new());
}

/// An inline `<svg>` of the QR code of `text`, labelled `label` for screen readers.
pub fn svg(text: &str, label: &str) -> Result<String, Error> {
    let key = (text.to_owned(), label.to_owned());
    if let Some(hit) = DRAWN.with(|d| d.borrow().get(&key).cloned()) {
        return Ok(hit);
    }
    let drawn = draw(text, label)?;
    DRAWN.with(|d| {
        let mut d = d.borrow_mut();
        if d.len() >= CACHE_ENTRIES {
            d.clear();
        }
        d.insert(key, drawn.clone());
    });
    Ok(drawn)
}

fn draw(text: &str, label: &str) -> Result<String, Error> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| Error::Internal(Internal::Render(format!("QR code: {e}"))))?;
    let rendered = code
        .render::<svg::Color<'_>>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    let start = rendered.find("<svg").ok_or_else(|| {
        Error::Internal(Internal::Render(
            "QR code: the renderer made no <svg>".into(),
        ))
    })?;
    let label = crate::html::escape(label);
    Ok(rendered[start..].replacen(
        "<svg ",
        &format!("<svg class=\"qr\" role=\"img\" aria-label=\"{label}\" "),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_is_inline_and_labelled() {
        let s = svg(
            "https://badges.example.org/verify?url=https%3A%2F%2Fx",
            "QR code: \"verify\" <here>",
        )
        .expect("svg");
        assert!(s.starts_with("<svg class=\"qr\" role=\"img\" aria-label=\"QR code: &#34;verify&#34; &#60;here&#62;\" xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(!s.contains("<?xml"));
        assert!(s.ends_with("</svg>"));
        assert!(s.contains("viewBox=\"0 0 "));
        assert!(s.contains("<path fill=\"#000\" d=\"M"));
    }

    #[test]
    fn a_cached_code_is_the_one_drawn_and_the_cache_stays_bounded() {
        let first = svg("https://a.example/1", "x").expect("svg");
        assert_eq!(svg("https://a.example/1", "x").expect("svg"), first);
        assert_eq!(draw("https://a.example/1", "x").expect("svg"), first);
        assert_ne!(svg("https://a.example/1", "y").expect("svg"), first);
        for i in 0..CACHE_ENTRIES + 5 {
            svg(&i.to_string(), "x").expect("svg");
        }
        assert!(DRAWN.with(|d| d.borrow().len()) <= CACHE_ENTRIES);
    }

    #[test]
    fn longer_text_makes_a_larger_code() {
        let size = |s: &str| {
            let v = s.split("viewBox=\"0 0 ").nth(1).expect("viewBox");
            v.split(' ').next().expect("w").parse::<u32>().expect("n")
        };
        let short = svg("hello", "x").expect("svg");
        let long = svg(&"https://a.example/".repeat(10), "x").expect("svg");
        assert!(size(&long) > size(&short));
        // Version 1 is 21 modules, plus the 4-module quiet zone on each side.
        assert_eq!(size(&short), 29);
    }
}
