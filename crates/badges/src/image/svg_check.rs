//! SVG check: well-formed XML, an `<svg>` root in the SVG namespace, nothing active.
//!
//! 1. The bytes must be UTF-8 (a leading BOM is allowed), with only characters XML 1.0
//!    allows (§2.2 `Char`: no C0 control but tab, LF and CR, no U+FFFE or U+FFFF), written
//!    or referenced (`&#5;` is as ill-formed as the byte).
//! 2. The document must be well-formed XML (matching end tags, unique attributes, one root
//!    element, no text outside it), at most [`MAX_DEPTH`] elements deep.
//! 3. No DTD (`<!DOCTYPE …>`): DTDs define entities and can fetch external resources
//!    (XXE, "billion laughs"). No entity references other than XML's five predefined ones and
//!    character references. No processing instructions (e.g. `<?xml-stylesheet?>`).
//! 4. The root element is `svg` in the namespace `http://www.w3.org/2000/svg` (prefixed or
//!    default).
//! 5. No active content, anywhere: no `<script>` element, no element that embeds another
//!    document (`foreignObject`, `iframe`, `frame`, `embed`, `object`, and SVG Tiny's
//!    `handler` and `listener`), no `on*` event-handler attribute (nor an animation targeting
//!    one), no attribute value that is a `javascript:` or `vbscript:` URL (checked after
//!    unescaping and removing whitespace, so `java&#x73;cript:` and ` JavaScript:` are
//!    caught), nor an animation `values` list holding one.
//!
//! 6. Elements in the SVG namespace must be SVG elements ([`SVG_ELEMENTS`], SVG 1.1 and 2),
//!    and their unprefixed attributes SVG attributes ([`super::svg_attributes`]): anything
//!    else there is refused, so a new or misspelt element or attribute cannot slip past the
//!    checks above. Elements in the XHTML or MathML namespaces are refused wherever they
//!    appear; other namespaces (editor metadata, RDF, the `openbadges:assertion` of a baked
//!    image) are inert and allowed.
//!
//! Offending documents are rejected, not sanitised (see [`crate::image`]).

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use super::svg_attributes;

/// The SVG namespace.
pub const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 256;

/// Why a document is not an acceptable SVG. Messages complete "is not an acceptable SVG: …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SvgError {
    /// Not UTF-8.
    #[error("it is not UTF-8 text")]
    NotUtf8,
    /// Not well-formed XML.
    #[error("it is not well-formed XML ({0})")]
    Xml(String),
    /// No root element.
    #[error("it has no root element")]
    NoRoot,
    /// Content outside the root element.
    #[error("it has content outside the root <svg> element")]
    OutsideRoot,
    /// Nested too deeply.
    #[error("its elements are nested more than {MAX_DEPTH} deep")]
    TooDeep,
    /// The root is not `<svg>` in the SVG namespace.
    #[error("the root element must be <svg> in the namespace {SVG_NS}, found <{name}>{ns}")]
    Root {
        /// The root's local name.
        name: String,
        /// A description of its namespace.
        ns: String,
    },
    /// An element prefix with no namespace declaration in scope (Namespaces in XML §5,
    /// "Prefix Declared"); browsers refuse to render such a document.
    #[error("it uses the namespace prefix {0}: without declaring it (add xmlns:{0}=\"…\")")]
    UndeclaredPrefix(String),
    /// A DTD.
    #[error(
        "it has a DOCTYPE; DTDs are not allowed because they can define entities and load external files"
    )]
    Doctype,
    /// An entity reference.
    #[error(
        "it uses the entity &{0};; only &lt; &gt; &amp; &quot; &apos; and character references are allowed"
    )]
    Entity(String),
    /// A processing instruction.
    #[error("it has the processing instruction <?{0} …?>; processing instructions are not allowed")]
    ProcessingInstruction(String),
    /// A script element.
    #[error("it has a <script> element; scripts are not allowed in badge images")]
    Script,
    /// An element that embeds another document (HTML in `foreignObject`, frames, plug-ins).
    #[error(
        "it has a <{0}> element; embedded HTML, frames and objects are not allowed in badge images"
    )]
    Embedded(String),
    /// An element of the SVG namespace that SVG does not define.
    #[error("it has a <{0}> element, which is not an SVG element")]
    UnknownElement(String),
    /// An unprefixed attribute SVG does not define, on an element of the SVG namespace.
    #[error(
        "the <{element}> element has the attribute {attribute}=…, which is not an SVG attribute"
    )]
    UnknownAttribute {
        /// Element local name.
        element: String,
        /// Attribute name.
        attribute: String,
    },
    /// An event handler attribute.
    #[error(
        "the <{element}> element has the event handler {attribute}=…; event handlers are not allowed"
    )]
    EventHandler {
        /// Element local name.
        element: String,
        /// Attribute name.
        attribute: String,
    },
    /// A script URL.
    #[error(
        "the <{element}> element's {attribute} is a script URL; javascript: and vbscript: URLs are not allowed"
    )]
    ScriptUrl {
        /// Element local name.
        element: String,
        /// Attribute name.
        attribute: String,
    },
}

const PREDEFINED_ENTITIES: [&str; 5] = ["lt", "gt", "amp", "quot", "apos"];

/// The elements of the SVG namespace (SVG 1.1 and SVG 2, including filters, fonts and
/// animation); an element of that namespace not listed here is refused.
pub const SVG_ELEMENTS: [&str; 84] = [
    "a",
    "altGlyph",
    "altGlyphDef",
    "altGlyphItem",
    "animate",
    "animateColor",
    "animateMotion",
    "animateTransform",
    "circle",
    "clipPath",
    "color-profile",
    "cursor",
    "defs",
    "desc",
    "discard",
    "ellipse",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
    "filter",
    "font",
    "font-face",
    "font-face-format",
    "font-face-name",
    "font-face-src",
    "font-face-uri",
    "g",
    "glyph",
    "glyphRef",
    "hatch",
    "hatchpath",
    "hkern",
    "image",
    "line",
    "linearGradient",
    "marker",
    "mask",
    "meshgradient",
    "meshpatch",
    "meshrow",
    "metadata",
    "missing-glyph",
    "mpath",
    "path",
    "pattern",
    "polygon",
    "polyline",
    "radialGradient",
    "rect",
    "set",
    "solidcolor",
    "stop",
    "style",
    "svg",
    "switch",
    "symbol",
    "text",
    "textPath",
    "title",
    "tref",
    "tspan",
    "use",
];

/// Namespaces whose elements are refused anywhere in a badge image (documents, not drawing).
const REFUSED_NAMESPACES: [&str; 2] = [
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/1998/Math/MathML",
];

/// Whether XML 1.0 allows `c` (§2.2 `Char`; a `char` is never a surrogate).
pub fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// The byte offset and value of the first character in `text` that XML 1.0 does not allow
/// (see [`is_xml_char`]). Eight bytes at a time, without branching, a word is tested for a
/// byte below 0x20 or an 0xEF lead byte (U+FFFE and U+FFFF start with it). Tab, LF and CR
/// pass that test's stricter form ([`suspect_bytes`]), which only flagged words get (every
/// SVG has line breaks); only words it flags are looked at byte by byte.
pub fn non_xml_char(text: &str) -> Option<(usize, char)> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // May flag a byte next to a real hit, never misses one.
    let rough = |x: u64| {
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let y = x ^ (ONES * 0xEF);
        let lead_ef = y.wrapping_sub(ONES) & !y & HIGH;
        control | lead_ef != 0
    };
    let mut words = text.as_bytes().chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let x = u64::from_ne_bytes(word.try_into().unwrap_or([0; 8]));
        if rough(x)
            && suspect_bytes(x) != 0
            && let Some(hit) = non_xml_in(text, at, at + 8)
        {
            return Some(hit);
        }
        at += 8;
    }
    non_xml_in(text, at, text.len())
}

/// The high bit of each byte of `x` that is a control byte other than tab, LF and CR, or an
/// 0xEF lead byte: exact per byte (no borrow crosses bytes).
fn suspect_bytes(x: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const LOW: u64 = !HIGH;
    let zero = |y: u64| !(((y & LOW) + LOW) | y) & HIGH;
    let control = zero(x & (ONES * 0xE0));
    let allowed = zero(x ^ (ONES * u64::from(b'\t')))
        | zero(x ^ (ONES * u64::from(b'\n')))
        | zero(x ^ (ONES * u64::from(b'\r')));
    (control & !allowed) | zero(x ^ (ONES * 0xEF))
}

/// [`non_xml_char`] byte by byte over `text[from..to]` (`from` need not be a boundary).
fn non_xml_in(text: &str, from: usize, to: usize) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    (from..to).find_map(|i| match bytes[i] {
        b @ 0x00..=0x1f if !matches!(b, b'\t' | b'\n' | b'\r') => Some((i, char::from(b))),
        // A lead byte, so `i` starts a character.
        0xEF => text
            .get(i..)
            .and_then(|rest| rest.chars().next())
            .filter(|&c| !is_xml_char(c))
            .map(|c| (i, c)),
        _ => None,
    })
}

/// A character reference's character, when it is one XML allows; else why not.
pub fn char_ref(r: &quick_xml::events::BytesRef<'_>) -> Result<char, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) if is_xml_char(c) => Ok(c),
        Ok(Some(c)) => Err(format!(
            "&{};: U+{:04X} is not a character XML allows",
            &**r,
            u32::from(c)
        )),
        Ok(None) => Err(format!("&{};: not a character reference", &**r)),
        Err(e) => Err(format!("&{};: {e}", &**r)),
    }
}

/// Check that `bytes` are an acceptable SVG document (see the module docs).
pub fn check(bytes: &[u8]) -> Result<(), SvgError> {
    let text = std::str::from_utf8(bytes).map_err(|_| SvgError::NotUtf8)?;
    if let Some((at, c)) = non_xml_char(text) {
        return Err(SvgError::Xml(format!(
            "U+{:04X} at byte {at} is not a character XML allows",
            u32::from(c)
        )));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = NsReader::from_str(text);
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (describe_ns(&ns)?, event),
            Err(e) => {
                return Err(SvgError::Xml(format!(
                    "{e} at byte {}",
                    reader.error_position()
                )));
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if depth == 0 {
                    if seen_root {
                        return Err(SvgError::OutsideRoot);
                    }
                    seen_root = true;
                    check_root(e, ns.clone())?;
                }
                check_element(e)?;
                check_namespace(e, ns.as_deref())?;
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(SvgError::TooDeep);
                    }
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) => {
                if depth == 0 && !t.trim().is_empty() {
                    return Err(SvgError::OutsideRoot);
                }
            }
            Event::CData(_) => {
                if depth == 0 {
                    return Err(SvgError::OutsideRoot);
                }
            }
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    char_ref(&r).map_err(SvgError::Xml)?;
                } else if !PREDEFINED_ENTITIES.contains(&&*r) {
                    return Err(SvgError::Entity(r.to_string()));
                }
                if depth == 0 {
                    return Err(SvgError::OutsideRoot);
                }
            }
            Event::DocType(_) => return Err(SvgError::Doctype),
            Event::PI(pi) => {
                let target = pi.split_whitespace().next().unwrap_or_default().to_owned();
                return Err(SvgError::ProcessingInstruction(target));
            }
            Event::Decl(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !seen_root {
        return Err(SvgError::NoRoot);
    }
    if depth != 0 {
        return Err(SvgError::Xml("an element is never closed".to_owned()));
    }
    Ok(())
}

fn describe_ns(ns: &ResolveResult<'_>) -> Result<Option<String>, SvgError> {
    match ns {
        ResolveResult::Bound(Namespace(uri)) => Ok(Some((*uri).to_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => Err(SvgError::UndeclaredPrefix(prefix.clone())),
    }
}

fn check_root(e: &BytesStart<'_>, ns: Option<String>) -> Result<(), SvgError> {
    let name = e.local_name().into_inner().to_owned();
    if name == "svg" && ns.as_deref() == Some(SVG_NS) {
        return Ok(());
    }
    let ns = match ns {
        Some(ns) => format!(" in namespace {ns}"),
        None => " without a namespace (add xmlns=\"http://www.w3.org/2000/svg\")".to_owned(),
    };
    Err(SvgError::Root { name, ns })
}

fn check_namespace(e: &BytesStart<'_>, ns: Option<&str>) -> Result<(), SvgError> {
    let name = || e.local_name().into_inner().to_owned();
    match ns {
        Some(SVG_NS) => {
            let local = e.local_name().into_inner();
            if !SVG_ELEMENTS.contains(&local) {
                return Err(SvgError::UnknownElement(name()));
            }
            for attr in e.attributes() {
                let attr = attr.map_err(|err| SvgError::Xml(err.to_string()))?;
                // A prefix (`xml:`, `xlink:`, `xmlns`, an editor's namespace) puts the
                // attribute outside SVG's own set; `xmlns` declares the default namespace.
                let key = attr.key.0;
                let prefixed = key.contains(':') || key == "xmlns";
                if !prefixed && !svg_attributes::is_svg_attribute(key) {
                    return Err(SvgError::UnknownAttribute {
                        element: name(),
                        attribute: key.to_owned(),
                    });
                }
            }
            Ok(())
        }
        Some(ns) if REFUSED_NAMESPACES.contains(&ns) => Err(SvgError::Embedded(name())),
        _ => Ok(()),
    }
}

fn check_element(e: &BytesStart<'_>) -> Result<(), SvgError> {
    let element = e.local_name().into_inner();
    if element.eq_ignore_ascii_case("script") {
        return Err(SvgError::Script);
    }
    // Elements that carry another document: HTML (with its forms and scripts) through
    // `foreignObject`, and frames or plug-ins in any namespace; SVG Tiny's event listeners.
    const EMBEDDING: [&str; 7] = [
        "foreignObject",
        "iframe",
        "frame",
        "embed",
        "object",
        "handler",
        "listener",
    ];
    if let Some(name) = EMBEDDING
        .iter()
        .find(|name| element.eq_ignore_ascii_case(name))
    {
        return Err(SvgError::Embedded((*name).to_owned()));
    }
    for attr in e.attributes() {
        let attr = attr.map_err(|err| SvgError::Xml(err.to_string()))?;
        let attribute = attr.key.0;
        let local = attr.key.local_name().into_inner();
        let value =
            attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| match err {
                    quick_xml::Error::Escape(
                        quick_xml::escape::EscapeError::UnrecognizedEntity(_, name),
                    ) => SvgError::Entity(name),
                    other => SvgError::Xml(other.to_string()),
                })?;
        if let Some((_, c)) = non_xml_char(&value) {
            return Err(SvgError::Xml(format!(
                "the {attribute} attribute references U+{:04X}, not a character XML allows",
                u32::from(c)
            )));
        }
        let handler = |attribute: &str| SvgError::EventHandler {
            element: element.to_owned(),
            attribute: attribute.to_owned(),
        };
        if is_event_handler(local) {
            return Err(handler(attribute));
        }
        // <set attributeName="onclick" to="…"> would install a handler by animation.
        if local == "attributeName" && is_event_handler(value.trim()) {
            return Err(handler(value.trim()));
        }
        // An animation's `values` is a `;`-separated list: each item may become the value.
        let listed = local == "values" && value.split(';').any(is_script_url);
        if is_script_url(&value) || listed {
            return Err(SvgError::ScriptUrl {
                element: element.to_owned(),
                attribute: attribute.to_owned(),
            });
        }
    }
    Ok(())
}

fn is_event_handler(name: &str) -> bool {
    name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on"))
}

fn is_script_url(value: &str) -> bool {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    compact.starts_with("javascript:") || compact.starts_with("vbscript:")
}

#[cfg(test)]
mod allowlist_tests {
    use super::*;

    #[test]
    fn only_svg_elements_live_in_the_svg_namespace_and_html_is_refused_anywhere() {
        let ok = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org" xmlns:dc="http://purl.org/dc/elements/1.1/"><metadata><dc:title>x</dc:title></metadata><openbadges:assertion verify="https://x.example/a"/><linearGradient id="g"><stop offset="0"/></linearGradient><circle r="1" fill="url(#g)"/></svg>"#;
        assert_eq!(check(ok.as_bytes()), Ok(()));
        let unknown = r#"<svg xmlns="http://www.w3.org/2000/svg"><blink/></svg>"#;
        assert_eq!(
            check(unknown.as_bytes()),
            Err(SvgError::UnknownElement("blink".into()))
        );
        let html = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml"><h:form/></svg>"#;
        assert_eq!(
            check(html.as_bytes()),
            Err(SvgError::Embedded("form".into()))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_scan_finds_every_character_xml_cannot_hold_wherever_it_is() {
        let line = "<g a=\"\u{e9}\u{f8ff}\">\t x\r\n";
        assert_eq!(
            non_xml_char(&line.repeat(9)),
            None,
            "tab, CR, LF, U+F8FF pass"
        );
        for bad in ['\u{0}', '\u{5}', '\u{1f}', '\u{fffe}', '\u{ffff}'] {
            for at in 0..40 {
                let mut text = line.repeat(3);
                let at = (0..=at)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                text.insert(at, bad);
                assert_eq!(non_xml_char(&text), Some((at, bad)), "{bad:?} at {at}");
            }
        }
    }

    fn svg(inner: &str) -> String {
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{inner}</svg>"#)
    }

    #[test]
    fn a_plain_svg_is_accepted() {
        let doc = format!(
            "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- badge -->\n{}\n",
            svg(
                r#"<g><rect width="4" height="4" fill="&#x23;fc0"/><text>A &amp; B</text><style><![CDATA[rect{fill:red}]]></style></g>"#
            )
        );
        assert_eq!(check(doc.as_bytes()), Ok(()));
    }

    #[test]
    fn attributes_svg_does_not_define_are_refused_and_prefixed_ones_pass() {
        let rect = |attrs: &str| check(svg(&format!("<rect {attrs}/>")).as_bytes());
        assert!(rect(r#"width="1" fill="red" aria-label="x" data-name="Layer 1""#).is_ok());
        assert!(
            rect(r#"xml:space="preserve""#).is_ok(),
            "xml: is always declared"
        );
        let editor = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xmlns:xlink="http://www.w3.org/1999/xlink"><g inkscape:label="Layer" xml:space="preserve"><use xlink:href="#a"/></g></svg>"##;
        assert!(check(editor.as_bytes()).is_ok());
        assert_eq!(
            rect(r#"formaction="x""#),
            Err(SvgError::UnknownAttribute {
                element: "rect".into(),
                attribute: "formaction".into()
            })
        );
        assert!(matches!(
            rect(r#"ping="https://tracker.example/""#),
            Err(SvgError::UnknownAttribute { .. })
        ));
    }

    #[test]
    fn a_prefixed_svg_root_is_accepted() {
        let doc = r#"<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:rect/></s:svg>"#;
        assert_eq!(check(doc.as_bytes()), Ok(()));
    }

    #[test]
    fn links_to_http_urls_are_accepted() {
        let doc = svg(
            r##"<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="https://example.org"><use href="#x"/></a>"##,
        );
        assert_eq!(check(doc.as_bytes()), Ok(()));
    }

    #[test]
    fn a_script_element_is_refused() {
        assert_eq!(
            check(svg("<script>alert(1)</script>").as_bytes()),
            Err(SvgError::Script)
        );
        let prefixed = svg(r#"<h:script xmlns:h="http://www.w3.org/1999/xhtml"/>"#);
        assert_eq!(check(prefixed.as_bytes()), Err(SvgError::Script));
    }

    #[test]
    fn event_handler_attributes_are_refused_by_name() {
        let e = check(svg(r#"<rect ONLOAD="alert(1)"/>"#).as_bytes()).expect_err("handler");
        assert_eq!(
            e,
            SvgError::EventHandler {
                element: "rect".into(),
                attribute: "ONLOAD".into()
            }
        );
        let root = r#"<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>"#;
        assert!(matches!(
            check(root.as_bytes()),
            Err(SvgError::EventHandler { .. })
        ));
    }

    #[test]
    fn animations_that_install_handlers_are_refused() {
        let doc = svg(r#"<set attributeName="onmouseover" to="alert(1)"/>"#);
        assert!(matches!(
            check(doc.as_bytes()),
            Err(SvgError::EventHandler { .. })
        ));
    }

    #[test]
    fn embedded_documents_are_refused() {
        for body in [
            r#"<foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>"#,
            r#"<foreignobject/>"#,
            r#"<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="https://x.example"/>"#,
            r#"<h:embed xmlns:h="http://www.w3.org/1999/xhtml"/>"#,
            r#"<handler/>"#,
        ] {
            assert!(
                matches!(check(svg(body).as_bytes()), Err(SvgError::Embedded(_))),
                "{body}"
            );
        }
    }

    #[test]
    fn a_script_url_in_an_animation_values_list_is_refused() {
        let doc = svg(
            r#"<a><animate attributeName="href" values="https://ok.example; javascript:alert(1)"/></a>"#,
        );
        assert!(matches!(
            check(doc.as_bytes()),
            Err(SvgError::ScriptUrl { .. })
        ));
        let fine = svg(r#"<circle r="1"><animate attributeName="r" values="1;2;1"/></circle>"#);
        assert_eq!(check(fine.as_bytes()), Ok(()));
    }

    #[test]
    fn javascript_urls_are_refused_even_when_disguised() {
        for href in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java&#x73;cript:alert(1)",
            "java\tscript:alert(1)",
            "vbscript:msgbox",
        ] {
            let doc = svg(&format!(r#"<a href="{href}"><rect/></a>"#));
            assert!(
                matches!(check(doc.as_bytes()), Err(SvgError::ScriptUrl { .. })),
                "{href}"
            );
        }
        let anim = svg(r#"<a><set attributeName="href" to="javascript:alert(1)"/></a>"#);
        assert!(matches!(
            check(anim.as_bytes()),
            Err(SvgError::ScriptUrl { .. })
        ));
    }

    #[test]
    fn a_doctype_is_refused() {
        let doc = format!(
            "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">{}",
            svg("")
        );
        assert_eq!(check(doc.as_bytes()), Err(SvgError::Doctype));
    }

    #[test]
    fn entity_declarations_and_references_are_refused() {
        let xxe = format!(
            "<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}",
            svg("<text>&x;</text>")
        );
        assert_eq!(check(xxe.as_bytes()), Err(SvgError::Doctype));
        assert_eq!(
            check(svg("<text>&lol;</text>").as_bytes()),
            Err(SvgError::Entity("lol".into()))
        );
        assert_eq!(
            check(svg(r#"<text class="&lol;">x</text>"#).as_bytes()),
            Err(SvgError::Entity("lol".into()))
        );
    }

    #[test]
    fn processing_instructions_are_refused() {
        let doc = format!(
            "<?xml-stylesheet href=\"https://evil.example/x.css\"?>{}",
            svg("")
        );
        assert_eq!(
            check(doc.as_bytes()),
            Err(SvgError::ProcessingInstruction("xml-stylesheet".into()))
        );
    }

    #[test]
    fn xml_that_is_not_svg_is_refused() {
        let e = check(b"<html xmlns=\"http://www.w3.org/1999/xhtml\"/>").expect_err("html");
        assert!(
            matches!(e, SvgError::Root { ref name, .. } if name == "html"),
            "{e}"
        );
        let e = check(b"<svg width=\"1\"/>").expect_err("no namespace");
        assert!(e.to_string().contains("add xmlns"), "{e}");
        let e = check(b"<svg xmlns=\"http://example.org/svg\"/>").expect_err("wrong ns");
        assert!(e.to_string().contains("http://example.org/svg"), "{e}");
    }

    #[test]
    fn malformed_xml_is_refused() {
        for bad in [
            svg("<g>").replace("</svg>", ""),
            svg("<g></h>"),
            svg(r#"<rect a="1" a="2"/>"#),
            format!("{}{}", svg(""), svg("")),
            format!("{} trailing", svg("")),
            format!("text {}", svg("")),
            String::new(),
            "   ".to_owned(),
        ] {
            assert!(check(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_utf8_bytes_are_refused() {
        assert_eq!(check(b"<svg \xff/>"), Err(SvgError::NotUtf8));
    }

    #[test]
    fn absurd_nesting_is_refused() {
        let deep = svg(&"<g>".repeat(MAX_DEPTH + 1))
            .replace("</svg>", &format!("{}</svg>", "</g>".repeat(MAX_DEPTH + 1)));
        assert_eq!(check(deep.as_bytes()), Err(SvgError::TooDeep));
    }
}
