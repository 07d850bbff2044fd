//! SVG baking with a namespace-aware XML reader (SPEC-NOTES §3.2, §3.4).
//!
//! The document is read with `quick-xml`, which never loads a DTD nor expands entities. Every
//! event's source span is copied to the output unchanged unless a rule below touches it, so
//! formatting, comments and the prolog survive.
//!
//! Baking:
//!
//! 1. Before the root: an XML declaration, comments, processing instructions and a DOCTYPE
//!    *without* an internal subset are kept; a DOCTYPE with an internal subset (`[ … ]`, which
//!    can declare entities) is refused, and so is any entity reference other than XML's five
//!    and character references.
//! 2. The root must be `svg` in the SVG namespace. Its start tag gets
//!    `xmlns:openbadges="<namespace>"` unless the prefix is already bound to it; if the prefix
//!    is bound to the *other* version's namespace, the new element declares it locally.
//! 3. The new element ([`element`]) is written right after the root's start tag.
//! 4. Elsewhere, existing elements of this version (matched by namespace URI and local name,
//!    never by prefix) are dropped with their content and reported; `<script>` elements are
//!    dropped; `on*` attributes are removed from every start tag.
//!
//! Unbaking returns the first `assertion` in `http://openbadges.org` and the first
//! `credential` in `https://purl.imsglobal.org/ob/v3p0`: the CDATA/text body when it is not
//! blank, else the `verify` attribute.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use super::{BakeError, Found, ImageFault, Payload, PayloadKind, Removed, Version};
use crate::image::svg::SVG_NS;

/// The Open Badges 2.0 baking namespace.
pub const OB2_NS: &str = "http://openbadges.org";
/// The Open Badges 3.0 baking namespace.
pub const OB3_NS: &str = "https://purl.imsglobal.org/ob/v3p0";
/// The prefix Emblem writes.
pub const PREFIX: &str = "openbadges";

/// Why an SVG cannot be baked or read. Messages complete "is not an acceptable SVG: …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SvgBakeError {
    /// Not UTF-8.
    #[error("it is not UTF-8 text")]
    NotUtf8,
    /// Not well-formed XML.
    #[error("it is not well-formed XML ({0})")]
    Xml(String),
    /// No root element.
    #[error("it has no root element")]
    NoRoot,
    /// Elements or text after the root.
    #[error("it has content outside the root <svg> element")]
    OutsideRoot,
    /// The root is not `<svg>` in the SVG namespace.
    #[error("the root element must be <svg> in the namespace {SVG_NS}, found <{0}>")]
    Root(String),
    /// A DOCTYPE with an internal subset.
    #[error("its DOCTYPE has an internal subset ([…]); it can declare entities, so it is refused")]
    InternalSubset,
    /// An entity reference that is not predefined.
    #[error(
        "it uses the entity &{0};; only XML's five predefined entities and character references are allowed"
    )]
    Entity(String),
}

fn fault(e: SvgBakeError) -> BakeError {
    BakeError::Image(ImageFault::Svg(e))
}

/// Namespace and local name of a version's element.
pub fn element_name(version: Version) -> (&'static str, &'static str) {
    match version {
        Version::V2 => (OB2_NS, "assertion"),
        Version::V3 => (OB3_NS, "credential"),
    }
}

fn version_of(ns: Option<&str>, local: &str) -> Option<Version> {
    [Version::V2, Version::V3]
        .into_iter()
        .find(|&v| element_name(v) == (ns.unwrap_or_default(), local))
}

/// The element to bake: `verify` holds a URL or JWS (and, for 2.0 JSON, the assertion `id`
/// when it is an http(s) URL); JSON goes in CDATA. `declare` adds a local namespace
/// declaration.
pub fn element(version: Version, payload: &Payload, declare: bool) -> String {
    let (ns, local) = element_name(version);
    let mut s = format!("<{PREFIX}:{local}");
    if declare {
        s.push_str(&format!(" xmlns:{PREFIX}=\"{ns}\""));
    }
    let verify = match payload.kind {
        PayloadKind::Url | PayloadKind::Jws => Some(payload.text.clone()),
        PayloadKind::Json if version == Version::V2 => {
            serde_json::from_str::<serde_json::Value>(&payload.text)
                .ok()
                .and_then(|v| v.get("id")?.as_str().map(str::to_owned))
                .filter(|id| id.starts_with("https://") || id.starts_with("http://"))
        }
        PayloadKind::Json | PayloadKind::Text => None,
    };
    if let Some(verify) = verify {
        s.push_str(" verify=\"");
        s.push_str(&quick_xml::escape::escape(verify.as_str()));
        s.push('"');
    }
    if payload.kind == PayloadKind::Json {
        s.push('>');
        s.push_str(&cdata(&payload.text));
        s.push_str(&format!("</{PREFIX}:{local}>"));
    } else {
        s.push_str("/>");
    }
    s
}

/// `text` as CDATA; a `]]>` inside is split across two sections.
pub fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

fn xml_error(reader: &NsReader<&[u8]>, e: &quick_xml::Error) -> BakeError {
    fault(SvgBakeError::Xml(format!(
        "{e} at byte {}",
        reader.error_position()
    )))
}

fn text_of(bytes: &[u8]) -> Result<(&str, &str), BakeError> {
    let text = std::str::from_utf8(bytes).map_err(|_| fault(SvgBakeError::NotUtf8))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    })
}

fn bound(ns: &ResolveResult<'_>) -> Option<String> {
    match ns {
        ResolveResult::Bound(Namespace(uri)) => Some((*uri).to_owned()),
        _ => None,
    }
}

fn check_entity(name: &str, is_char_ref: bool) -> Result<(), BakeError> {
    if is_char_ref || quick_xml::escape::resolve_predefined_entity(name).is_some() {
        Ok(())
    } else {
        Err(fault(SvgBakeError::Entity(name.to_owned())))
    }
}

fn is_event_handler(name: &str) -> bool {
    name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on"))
}

/// Rewrite a start tag without its `on*` attributes, plus `extra` attributes.
fn start_tag(e: &BytesStart<'_>, empty: bool, extra: &str) -> Result<String, BakeError> {
    let mut s = format!("<{}", e.name().0);
    for attr in e.attributes() {
        let attr = attr.map_err(|err| fault(SvgBakeError::Xml(err.to_string())))?;
        if is_event_handler(attr.key.local_name().into_inner()) {
            continue;
        }
        // The raw (still escaped) value; it cannot contain its own quote character.
        let quote = if attr.value.contains('"') { '\'' } else { '"' };
        s.push_str(&format!(" {}={quote}{}{quote}", attr.key.0, attr.value));
    }
    s.push_str(extra);
    s.push_str(if empty { "/>" } else { ">" });
    Ok(s)
}

fn has_event_handler(e: &BytesStart<'_>) -> bool {
    e.attributes()
        .flatten()
        .any(|a| is_event_handler(a.key.local_name().into_inner()))
}

/// Bake `payload` as `version` into an SVG (see the module docs).
pub fn bake(
    bytes: &[u8],
    version: Version,
    payload: &Payload,
) -> Result<(Vec<u8>, Vec<Removed>), BakeError> {
    let (bom, text) = text_of(bytes)?;
    let (ns_uri, local_name) = element_name(version);
    let mut reader = NsReader::from_reader(text.as_bytes());
    let mut out = String::with_capacity(bytes.len() + payload.text.len() + 256);
    out.push_str(bom);
    let mut removed = Vec::new();
    let mut pos = 0usize;
    let mut depth = 0usize;
    let mut seen_root = false;
    // Depth at which a dropped element (script or old credential) started.
    let mut skipping: Option<usize> = None;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (bound(&ns), event),
            Err(e) => return Err(xml_error(&reader, &e)),
        };
        let end = usize::try_from(reader.buffer_position()).unwrap_or(text.len());
        let raw = &text[pos..end];
        pos = end;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if skipping.is_some() {
                    depth += usize::from(!empty);
                    continue;
                }
                if depth == 0 {
                    if seen_root {
                        return Err(fault(SvgBakeError::OutsideRoot));
                    }
                    seen_root = true;
                    let local = e.local_name().into_inner();
                    if local != "svg" || ns.as_deref() != Some(SVG_NS) {
                        return Err(fault(SvgBakeError::Root(e.name().0.to_owned())));
                    }
                    let existing = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.0 == "xmlns:openbadges")
                        .map(|a| a.value.into_owned());
                    let (extra, declare) = match existing.as_deref() {
                        None => (format!(" xmlns:{PREFIX}=\"{ns_uri}\""), false),
                        Some(v) if v == ns_uri => (String::new(), false),
                        Some(_) => (String::new(), true),
                    };
                    out.push_str(&start_tag(e, false, &extra)?);
                    out.push_str(&element(version, payload, declare));
                    if empty {
                        out.push_str(&format!("</{}>", e.name().0));
                    } else {
                        depth += 1;
                    }
                    continue;
                }
                let local = e.local_name().into_inner();
                let old = (ns.as_deref(), local) == (Some(ns_uri), local_name);
                if old || local.eq_ignore_ascii_case("script") {
                    if old {
                        removed.push(Removed {
                            container: local_name.to_owned(),
                            key: ns_uri.to_owned(),
                        });
                    }
                    if !empty {
                        skipping = Some(depth);
                        depth += 1;
                    }
                    continue;
                }
                if has_event_handler(e) {
                    out.push_str(&start_tag(e, empty, "")?);
                } else {
                    out.push_str(raw);
                }
                depth += usize::from(!empty);
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if let Some(at) = skipping {
                    if depth == at {
                        skipping = None;
                    }
                    continue;
                }
                out.push_str(raw);
            }
            Event::GeneralRef(ref r) => {
                check_entity(r, r.is_char_ref())?;
                if depth == 0 {
                    return Err(fault(SvgBakeError::OutsideRoot));
                }
                if skipping.is_none() {
                    out.push_str(raw);
                }
            }
            Event::Text(ref t) => {
                if depth == 0 && !t.trim().is_empty() {
                    return Err(fault(SvgBakeError::OutsideRoot));
                }
                if skipping.is_none() {
                    out.push_str(raw);
                }
            }
            Event::DocType(ref d) => {
                if d.contains('[') {
                    return Err(fault(SvgBakeError::InternalSubset));
                }
                out.push_str(raw);
            }
            Event::CData(_) | Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {
                if skipping.is_none() {
                    out.push_str(raw);
                }
            }
            Event::Eof => break,
        }
    }
    if !seen_root {
        return Err(fault(SvgBakeError::NoRoot));
    }
    if depth != 0 {
        return Err(fault(SvgBakeError::Xml(
            "an element is never closed".into(),
        )));
    }
    Ok((out.into_bytes(), removed))
}

/// An element being read.
struct Open {
    version: Version,
    local: &'static str,
    verify: Option<String>,
    body: String,
    depth: usize,
}

/// Read every Open Badges element (see the module docs).
pub fn unbake(bytes: &[u8]) -> Result<(Vec<Found>, Vec<Removed>), BakeError> {
    let (_, text) = text_of(bytes)?;
    let mut reader = NsReader::from_reader(text.as_bytes());
    let mut found: Vec<Found> = Vec::new();
    let mut extra = Vec::new();
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut open: Option<Open> = None;
    let mut finish = |o: Open, found: &mut Vec<Found>| {
        if found.iter().any(|f| f.version == o.version) {
            extra.push(Removed {
                container: o.local.to_owned(),
                key: element_name(o.version).0.to_owned(),
            });
            return;
        }
        let body = o.body.trim();
        let text = if body.is_empty() {
            o.verify.unwrap_or_default()
        } else {
            body.to_owned()
        };
        let payload = Payload::classify(&text);
        found.push(Found {
            version: o.version,
            kind: payload.kind,
            payload: payload.text,
            container: o.local.to_owned(),
            compressed: false,
        });
    };
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (bound(&ns), event),
            Err(e) => return Err(xml_error(&reader, &e)),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let local = e.local_name().into_inner();
                if depth == 0 {
                    if seen_root {
                        return Err(fault(SvgBakeError::OutsideRoot));
                    }
                    seen_root = true;
                    if local != "svg" || ns.as_deref() != Some(SVG_NS) {
                        return Err(fault(SvgBakeError::Root(e.name().0.to_owned())));
                    }
                }
                if open.is_none()
                    && let Some(version) = version_of(ns.as_deref(), local)
                {
                    let verify = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.0 == "verify")
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(Cow::into_owned)
                        });
                    let o = Open {
                        version,
                        local: element_name(version).1,
                        verify,
                        body: String::new(),
                        depth,
                    };
                    if empty {
                        finish(o, &mut found);
                    } else {
                        open = Some(o);
                    }
                }
                depth += usize::from(!empty);
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if open.as_ref().is_some_and(|o| o.depth == depth)
                    && let Some(o) = open.take()
                {
                    finish(o, &mut found);
                }
            }
            Event::CData(ref c) => {
                if let Some(o) = open.as_mut() {
                    o.body.push_str(c);
                }
            }
            Event::Text(ref t) => {
                if depth == 0 && !t.trim().is_empty() {
                    return Err(fault(SvgBakeError::OutsideRoot));
                }
                if let Some(o) = open.as_mut() {
                    o.body.push_str(t);
                }
            }
            Event::GeneralRef(ref r) => {
                check_entity(r, r.is_char_ref())?;
                if let Some(o) = open.as_mut() {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => quick_xml::escape::resolve_predefined_entity(r)
                            .unwrap_or_default()
                            .to_owned(),
                    };
                    o.body.push_str(&c);
                }
            }
            Event::DocType(ref d) => {
                if d.contains('[') {
                    return Err(fault(SvgBakeError::InternalSubset));
                }
            }
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            Event::Eof => break,
        }
    }
    if !seen_root {
        return Err(fault(SvgBakeError::NoRoot));
    }
    Ok((found, extra))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::fixtures::SVG;

    const URL: &str = "https://badges.example.org/assertions/abc";
    const JSON: &str = r#"{"@context":"https://w3id.org/openbadges/v2","id":"https://badges.example.org/assertions/abc","type":"Assertion"}"#;

    fn bake_str(svg: &str, version: Version, payload: &str) -> (String, Vec<Removed>) {
        let (out, removed) =
            bake(svg.as_bytes(), version, &Payload::classify(payload)).expect("bake");
        (String::from_utf8(out).expect("utf-8"), removed)
    }

    fn unbake_str(svg: &str) -> Vec<Found> {
        unbake(svg.as_bytes()).expect("unbake").0
    }

    #[test]
    fn the_element_is_the_first_child_and_the_namespace_is_declared_on_the_root() {
        let (out, removed) = bake_str(SVG, Version::V2, URL);
        assert!(removed.is_empty());
        assert_eq!(
            out,
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="{URL}"/><circle cx="5" cy="5" r="4" fill="gold"/></svg>"#
            )
        );
        crate::image::svg::check(out.as_bytes()).expect("still acceptable");
    }

    #[test]
    fn hosted_json_goes_in_cdata_with_the_id_as_verify() {
        let (out, _) = bake_str(SVG, Version::V2, JSON);
        assert!(out.contains(&format!(
            r#"<openbadges:assertion verify="{URL}"><![CDATA[{JSON}]]></openbadges:assertion>"#
        )));
        let found = unbake_str(&out);
        assert_eq!(found[0].payload, JSON, "the CDATA body is preferred");
        assert_eq!(found[0].kind, PayloadKind::Json);
    }

    #[test]
    fn a_3_0_credential_uses_its_own_element_and_namespace() {
        let (out, _) = bake_str(SVG, Version::V3, "a.b.c");
        assert!(out.contains(r#"xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0""#));
        assert!(out.contains(r#"<openbadges:credential verify="a.b.c"/>"#));
        let found = unbake_str(&out);
        assert_eq!(
            (found[0].version, found[0].kind),
            (Version::V3, PayloadKind::Jws)
        );
    }

    #[test]
    fn json_containing_the_cdata_end_is_split_and_read_back_whole() {
        let json = r#"{"@context":"https://w3id.org/openbadges/v2","narrative":"a]]>b"}"#;
        let (out, _) = bake_str(SVG, Version::V2, json);
        assert!(out.contains("a]]]]><![CDATA[>b"));
        assert_eq!(unbake_str(&out)[0].payload, json);
    }

    #[test]
    fn attribute_values_are_escaped() {
        let url = "https://x.org/a?b=1&c=\"2\"<";
        let (out, _) = bake_str(SVG, Version::V2, url);
        assert!(
            out.contains(r#"verify="https://x.org/a?b=1&amp;c=&quot;2&quot;&lt;""#),
            "{out}"
        );
        assert_eq!(unbake_str(&out)[0].payload, url);
    }

    #[test]
    fn scripts_and_event_handlers_are_removed() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" onload="evil()"><script>alert(1)</script><g onclick='x()' id="g"><script/><rect width="1"/></g></svg>"#;
        let (out, _) = bake_str(svg, Version::V2, URL);
        assert!(
            !out.contains("script") && !out.contains("onload") && !out.contains("onclick"),
            "{out}"
        );
        assert!(out.contains(r#"<g id="g"><rect width="1"/></g>"#), "{out}");
        crate::image::svg::check(out.as_bytes()).expect("now acceptable");
    }

    #[test]
    fn an_existing_assertion_is_replaced_never_duplicated() {
        let (once, _) = bake_str(SVG, Version::V2, URL);
        let (twice, removed) = bake_str(&once, Version::V2, "https://x.org/new");
        assert_eq!(removed.len(), 1);
        assert_eq!(twice.matches("<openbadges:assertion").count(), 1);
        assert_eq!(twice.matches("xmlns:openbadges").count(), 1);
        assert_eq!(unbake_str(&twice)[0].payload, "https://x.org/new");
    }

    #[test]
    fn elements_are_matched_by_namespace_not_prefix() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="http://openbadges.org" xmlns:openbadges="urn:other"><openbadges:assertion verify="https://x.org/no"/><ob:assertion verify="https://x.org/yes"/></svg>"#;
        let found = unbake_str(svg);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].payload, "https://x.org/yes");
        let (out, removed) = bake_str(svg, Version::V2, URL);
        assert_eq!(removed.len(), 1, "ob:assertion is ours");
        assert!(out.contains("<openbadges:assertion verify=\"https://x.org/no\"/>"));
        assert!(
            out.contains(
                r#"<openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="#
            )
        );
        assert_eq!(unbake_str(&out)[0].payload, URL);
    }

    #[test]
    fn a_2_0_and_a_3_0_credential_can_live_side_by_side() {
        let (v2, _) = bake_str(SVG, Version::V2, URL);
        let (both, removed) = bake_str(&v2, Version::V3, "https://x.org/c");
        assert!(removed.is_empty());
        let found = unbake_str(&both);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].version, Version::V3);
        assert_eq!(found[1].payload, URL);
    }

    #[test]
    fn a_prolog_comments_and_a_plain_doctype_are_kept() {
        let svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<svg xmlns=\"http://www.w3.org/2000/svg\"><!-- inner --></svg>\n";
        let (out, _) = bake_str(svg, Version::V2, URL);
        assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC"));
        assert!(out.ends_with("<!-- inner --></svg>\n"));
        assert_eq!(unbake_str(&out)[0].payload, URL);
    }

    #[test]
    fn a_doctype_with_entities_is_refused() {
        let svg = r#"<!DOCTYPE svg [<!ENTITY x "boom">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>"#;
        let e = bake(svg.as_bytes(), Version::V2, &Payload::classify(URL)).expect_err("dtd");
        assert_eq!(e, fault(SvgBakeError::InternalSubset));
        assert_eq!(
            unbake(svg.as_bytes()),
            Err(fault(SvgBakeError::InternalSubset))
        );
    }

    #[test]
    fn an_undeclared_entity_is_refused() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg"><text>&nbsp;&amp;&#65;</text></svg>"#;
        assert_eq!(
            unbake(svg.as_bytes()),
            Err(fault(SvgBakeError::Entity("nbsp".into())))
        );
    }

    #[test]
    fn xml_that_is_not_svg_is_refused() {
        let e =
            bake(b"<html><svg/></html>", Version::V2, &Payload::classify(URL)).expect_err("html");
        assert_eq!(e, fault(SvgBakeError::Root("html".into())));
        let e = unbake(br#"<svg xmlns="urn:x"/>"#).expect_err("wrong ns");
        assert_eq!(e, fault(SvgBakeError::Root("svg".into())));
    }

    #[test]
    fn malformed_xml_is_refused() {
        let e = unbake(br#"<svg xmlns="http://www.w3.org/2000/svg"><g></svg>"#).expect_err("bad");
        assert!(
            matches!(e, BakeError::Image(ImageFault::Svg(SvgBakeError::Xml(_)))),
            "{e}"
        );
        let e = bake(
            br#"<svg xmlns="http://www.w3.org/2000/svg"><g>"#,
            Version::V2,
            &Payload::classify(URL),
        );
        assert!(e.is_err());
    }

    #[test]
    fn a_self_closing_root_is_opened_to_hold_the_element() {
        let (out, _) = bake_str(
            r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#,
            Version::V2,
            URL,
        );
        assert_eq!(
            out,
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="{URL}"/></svg>"#
            )
        );
    }

    #[test]
    fn a_body_less_element_falls_back_to_verify() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg"><a:assertion xmlns:a="http://openbadges.org" verify="x.y.z">  </a:assertion></svg>"#;
        let found = unbake_str(svg);
        assert_eq!(
            (found[0].payload.as_str(), found[0].kind),
            ("x.y.z", PayloadKind::Jws)
        );
    }

    #[test]
    fn a_second_assertion_is_reported_as_extra() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org"><o:assertion verify="https://x.org/1"/><o:assertion verify="https://x.org/2"/></svg>"#;
        let (found, extra) = unbake(svg.as_bytes()).expect("unbake");
        assert_eq!((found.len(), extra.len()), (1, 1));
        assert_eq!(found[0].payload, "https://x.org/1");
    }
}
