//! SVG baking with a namespace-aware XML reader (docs/standards/baking.md §2, §4.3).
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
//! Characters (XML 1.0 §2.2, §4.1): a document with a character XML does not allow (a C0
//! control other than tab, LF and CR, U+FFFE, U+FFFF), written or as a character
//! reference, is refused both ways, and so is a payload holding one, as no reference can
//! write it. Tab, LF and CR in the `verify` attribute are written as references (a reader
//! normalises literal ones to spaces, §3.3.3), and a CR in CDATA as a reference between two
//! sections (§2.11 turns a literal one into LF).
//!
//! Unbaking returns the first `assertion` in `http://openbadges.org` and the first
//! `credential` in `https://purl.imsglobal.org/ob/v3p0`: the CDATA/text body when it is not
//! blank, else the `verify` attribute.
//!
//! The fast path. Most badge images have nothing after the root start tag that a rule
//! touches, so both directions avoid the per-event parse there:
//!
//! 1. The prolog and the root start tag are read by `quick-xml` exactly as above (the checks
//!    on the DOCTYPE, entities and root, and the new root start tag and element, when baking).
//! 2. The root's namespace declarations are collected: which prefixes (or the default
//!    namespace) it binds to an Open Badges namespace. Unusual declarations (an empty value,
//!    a reserved `xml…` prefix) end the fast path.
//! 3. Everything after the root start tag is scanned as raw bytes ([`scan`], in `scan.rs`): `memchr` jumps
//!    to each `<` or `&`, names are read byte by byte, attribute values and comment and CDATA
//!    bodies are skipped with `memchr`/`memmem`. The scan keeps a stack of open element names
//!    and accepts only a plain subset of XML that `quick-xml` reads identically: strictly
//!    formed ASCII tags and attributes, matching end tags, comments, CDATA inside the root,
//!    the five predefined entities and character references to characters XML allows, and
//!    only whitespace or comments after the root. It gives up on anything else: a namespace declaration below the root
//!    (a rebound prefix), a processing instruction or DOCTYPE, any other reference, and, when
//!    baking, a `script` element or an `on*` attribute (any case, any prefix, after any
//!    whitespace). Giving up is always safe: steps 1–2 have consumed nothing that the full
//!    parse needs again, so it simply carries on from the root, and gives the answer or the
//!    error it always did.
//! 4. Because nothing below the root declares a namespace, an element is an Open Badges one
//!    exactly when its prefix is one step 2 found; the scan reports each such element's span
//!    (not those nested in one, as the full parse ignores them too).
//! 5. Baking: with no element of the version being baked, the rest of the document is
//!    copied verbatim after the new element; otherwise the full parse replaces it.
//!    Unbaking: each reported element is read on its own by `quick-xml` (its `verify`
//!    attribute and its text, CDATA and references), the first of each version found and
//!    later ones reported as extra, exactly as the full parse does.
//!
//! The unit tests compare the fast path with the full parse on inputs built to trip the scan
//! and on every golden SVG cut at every byte and spliced with each of them.

use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use super::{BakeError, Found, ImageFault, Payload, PayloadError, PayloadKind, Removed, Version};
use crate::image::svg_check::{SVG_NS, char_ref, non_xml_char};

mod scan;
use scan::{Hit, Mode, root_bindings, scan};

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
    /// An element prefix with no namespace declaration in scope (Namespaces in XML §5).
    /// Refused rather than read as "no namespace": declaring the Open Badges prefix at the
    /// root would otherwise turn such an element into a credential.
    #[error("it uses the namespace prefix {0}: without declaring it")]
    UndeclaredPrefix(String),
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
            /// Only the `id`; the rest is skipped unbuilt.
            #[derive(serde::Deserialize)]
            struct Id {
                id: Option<serde_json::Value>,
            }
            serde_json::from_str::<Id>(&payload.text)
                .ok()
                .and_then(|v| v.id?.as_str().map(str::to_owned))
                .filter(|id| id.starts_with("https://") || id.starts_with("http://"))
        }
        PayloadKind::Json | PayloadKind::Text => None,
    };
    if let Some(verify) = verify {
        s.push_str(" verify=\"");
        s.push_str(&escape_attribute(&verify));
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

/// `text` as an attribute value between double quotes. Besides XML's five special
/// characters, tab, LF and CR are written as character references: a reader normalises a
/// literal one to a space (XML 1.0 §3.3.3, and §2.11 turns CR LF into LF first), so only a
/// reference brings it back as it was.
pub fn escape_attribute(text: &str) -> Cow<'_, str> {
    let escaped = quick_xml::escape::escape(text);
    if !escaped.contains(['\t', '\n', '\r']) {
        return escaped;
    }
    Cow::Owned(
        escaped
            .replace('\t', "&#9;")
            .replace('\n', "&#10;")
            .replace('\r', "&#13;"),
    )
}

/// `text` as CDATA; a `]]>` inside is split across two sections, and a CR is written as a
/// character reference between sections (a reader turns a literal CR LF or CR into LF,
/// XML 1.0 §2.11).
pub fn cdata(text: &str) -> String {
    format!(
        "<![CDATA[{}]]>",
        text.replace("]]>", "]]]]><![CDATA[>")
            .replace('\r', "]]>&#13;<![CDATA[")
    )
}

/// A payload to bake must hold only characters XML allows: no reference can write the
/// others (XML 1.0 §2.2, §4.1 "Legal Character").
fn check_payload(payload: &Payload) -> Result<(), BakeError> {
    match non_xml_char(&payload.text) {
        Some((_, c)) => Err(BakeError::Payload(PayloadError::NotXml(c))),
        None => Ok(()),
    }
}

fn xml_error(reader: &NsReader<&[u8]>, e: &quick_xml::Error) -> BakeError {
    fault(SvgBakeError::Xml(format!(
        "{e} at byte {}",
        reader.error_position()
    )))
}

fn text_of(bytes: &[u8]) -> Result<(&str, &str), BakeError> {
    let text = std::str::from_utf8(bytes).map_err(|_| fault(SvgBakeError::NotUtf8))?;
    if let Some((at, c)) = non_xml_char(text) {
        return Err(fault(SvgBakeError::Xml(format!(
            "U+{:04X} at byte {at} is not a character XML allows",
            u32::from(c)
        ))));
    }
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    })
}

/// An element's namespace URI, or None for no namespace; an undeclared prefix is an error.
fn bound(ns: &ResolveResult<'_>) -> Result<Option<String>, BakeError> {
    match ns {
        ResolveResult::Bound(Namespace(uri)) => Ok(Some((*uri).to_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => {
            Err(fault(SvgBakeError::UndeclaredPrefix(prefix.clone())))
        }
    }
}

/// A reference must be a predefined entity or a character reference to a character XML
/// allows (XML 1.0 §4.1 "Legal Character").
fn check_entity(r: &BytesRef<'_>) -> Result<(), BakeError> {
    if r.is_char_ref() {
        char_ref(r)
            .map(drop)
            .map_err(|e| fault(SvgBakeError::Xml(e)))
    } else if quick_xml::escape::resolve_predefined_entity(r).is_some() {
        Ok(())
    } else {
        Err(fault(SvgBakeError::Entity(r.to_string())))
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

/// Every attribute of a start tag well-formed (`name="value"`, no name twice): `quick-xml`
/// reads attributes only on demand, so the full parse asks, as the scan and the upload
/// check do, and baking and unbaking accept the same documents.
fn check_attributes(e: &BytesStart<'_>) -> Result<(), BakeError> {
    for attr in e.attributes() {
        attr.map_err(|err| fault(SvgBakeError::Xml(err.to_string())))?;
    }
    Ok(())
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
    check_payload(payload)?;
    bake_with(bytes, version, payload, true)
}

/// How far into a stored image [`bake_stored`] looks for the root start tag.
const STORED_HEAD: usize = 4 * 1024;

/// [`bake`] for an image that passed the upload check ([`crate::image::svg_check::check`]), as
/// stored badge class images have: well-formed UTF-8, no DTD internal subset, no script, no
/// event handler. Only an existing credential could need work after the root start tag, so:
///
/// 1. the root start tag is found by reading the first [`STORED_HEAD`] bytes only;
/// 2. when the root binds no Open Badges namespace and the rest of the document contains
///    neither namespace URI nor a character reference (which could spell one in a
///    declaration), it cannot hold a credential: the result is the head up to the root, the
///    rewritten root start tag and the new element (as [`bake`] writes them), then the rest
///    copied unread;
/// 3. anything else (a longer prolog, a possible credential) bakes as [`bake`] does.
///
/// For such images the result is the same as [`bake`]'s (unit-tested on the golden corpus
/// cut at every byte). Given an image that never passed the check, it may keep what [`bake`]
/// would drop; use [`bake`] for anything uploaded now.
pub fn bake_stored(
    bytes: &[u8],
    version: Version,
    payload: &Payload,
) -> Result<(Vec<u8>, Vec<Removed>), BakeError> {
    check_payload(payload)?;
    match stored_fast(bytes, version, payload) {
        Some(done) => Ok(done),
        None => bake(bytes, version, payload),
    }
}

/// Step 1–2 of [`bake_stored`]; `None` sends it to [`bake`].
fn stored_fast(
    bytes: &[u8],
    version: Version,
    payload: &Payload,
) -> Option<(Vec<u8>, Vec<Removed>)> {
    let cut = bytes.len().min(STORED_HEAD);
    let head = match std::str::from_utf8(&bytes[..cut]) {
        Ok(head) => head,
        // A character split by the cut.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    // Positions are counted after a byte order mark, as `quick-xml` skips it.
    let (bom, head) = text_of(head.as_bytes()).ok()?;
    let mut reader = NsReader::from_reader(head.as_bytes());
    let mut start = bom.len();
    loop {
        let (ns, event) = reader.read_resolved_event().ok()?;
        let ns = bound(&ns).ok()?;
        let end = bom.len() + usize::try_from(reader.buffer_position()).ok()?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let rest = &bytes[end..];
                let is_svg = e.local_name().into_inner() == "svg" && ns.as_deref() == Some(SVG_NS);
                if !is_svg
                    || !root_bindings(e).is_some_and(|b| b.credentials.is_empty())
                    || may_hold_credential(rest)
                {
                    return None;
                }
                let mut out = Vec::with_capacity(bytes.len() + payload.text.len() + 256);
                out.extend_from_slice(&bytes[..start]);
                out.extend_from_slice(
                    root_with_element(e, empty, version, payload)
                        .ok()?
                        .as_bytes(),
                );
                out.extend_from_slice(rest);
                return Some((out, Vec::new()));
            }
            Event::Eof => return None,
            _ => start = end,
        }
    }
}

/// Whether the document after the root start tag may hold an Open Badges element, when
/// nothing at the root binds one (see [`bake_stored`]).
/// One pass over the rest for `&` and `:`, both rare in drawing data: a `&#`, or a `:`
/// that is the one after `http` or `https` in either namespace URI.
fn may_hold_credential(rest: &[u8]) -> bool {
    memchr::memchr2_iter(b'&', b':', rest).any(|at| {
        if rest[at] == b'&' {
            return rest.get(at + 1) == Some(&b'#');
        }
        [OB2_NS, OB3_NS].into_iter().any(|ns| {
            let scheme = ns.find(':').unwrap_or(0);
            at.checked_sub(scheme)
                .is_some_and(|start| rest[start..].starts_with(ns.as_bytes()))
        })
    })
}

/// The root start tag `e` with the Open Badges prefix declared (unless bound already), then
/// the new element, then the root's end tag when it was empty.
fn root_with_element(
    e: &BytesStart<'_>,
    empty: bool,
    version: Version,
    payload: &Payload,
) -> Result<String, BakeError> {
    let ns_uri = element_name(version).0;
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
    let mut out = start_tag(e, false, &extra)?;
    out.push_str(&element(version, payload, declare));
    if empty {
        out.push_str(&format!("</{}>", e.name().0));
    }
    Ok(out)
}

/// [`bake`], with the fast path allowed or not.
fn bake_with(
    bytes: &[u8],
    version: Version,
    payload: &Payload,
    fast: bool,
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
            Ok((ns, event)) => (bound(&ns)?, event),
            Err(e) => return Err(xml_error(&reader, &e)),
        };
        let end = usize::try_from(reader.buffer_position()).unwrap_or(text.len());
        let raw = &text[pos..end];
        pos = end;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                check_attributes(e)?;
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
                    out.push_str(&root_with_element(e, empty, version, payload)?);
                    depth += usize::from(!empty);
                    // The fast path: nothing after the root start tag needs work.
                    let root = (!empty).then_some(e.name().0.as_bytes());
                    let rest = &text.as_bytes()[pos..];
                    if fast
                        && let Some(bound) = root_bindings(e)
                        && let Some(hits) = scan(rest, root, &bound, Mode::Bake)
                        && hits.iter().all(|h| h.version != version)
                    {
                        out.push_str(&text[pos..]);
                        return Ok((out.into_bytes(), removed));
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
                check_entity(r)?;
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

impl Open {
    fn new(e: &BytesStart<'_>, version: Version, depth: usize) -> Self {
        let verify = e
            .attributes()
            .flatten()
            .find(|a| a.key.0 == "verify")
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(Cow::into_owned)
            })
            // A reference to a character XML does not allow: as unreadable as an unknown
            // entity.
            .filter(|v| non_xml_char(v).is_none());
        Open {
            version,
            local: element_name(version).1,
            verify,
            body: String::new(),
            depth,
        }
    }

    /// A reference [`check_entity`] accepted.
    fn reference(&mut self, r: &BytesRef<'_>) {
        match char_ref(r) {
            Ok(c) => self.body.push(c),
            Err(_) => self
                .body
                .push_str(quick_xml::escape::resolve_predefined_entity(r).unwrap_or_default()),
        }
    }
}

/// Record a read element: the first of its version is found, later ones are extra.
fn finish(o: Open, found: &mut Vec<Found>, extra: &mut Vec<Removed>) {
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
    let payload = Payload::read_owned(text);
    found.push(Found {
        version: o.version,
        kind: payload.kind,
        payload: payload.text,
        container: o.local.to_owned(),
        compressed: false,
    });
}

/// Read one Open Badges element from its span (start tag to end tag), which the fast scan
/// has checked; `None` sends the document to the full parse.
fn read_element(span: &str, version: Version) -> Option<Open> {
    let mut reader = quick_xml::Reader::from_str(span);
    let mut open: Option<Open> = None;
    loop {
        match reader.read_event().ok()? {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if open.is_none() {
                    open = Some(Open::new(e, version, 0));
                }
            }
            Event::CData(ref c) => open.as_mut()?.body.push_str(c),
            Event::Text(ref t) => open.as_mut()?.body.push_str(t),
            Event::GeneralRef(ref r) => {
                check_entity(r).ok()?;
                open.as_mut()?.reference(r);
            }
            Event::Eof => return open,
            Event::End(_)
            | Event::Comment(_)
            | Event::PI(_)
            | Event::Decl(_)
            | Event::DocType(_) => {}
        }
    }
}

/// The fast path's answer from the elements the scan met in `rest`.
fn read_hits(rest: &str, hits: &[Hit]) -> Option<(Vec<Found>, Vec<Removed>)> {
    let (mut found, mut extra) = (Vec::new(), Vec::new());
    for hit in hits {
        let o = if found.iter().any(|f: &Found| f.version == hit.version) {
            Open {
                version: hit.version,
                local: element_name(hit.version).1,
                verify: None,
                body: String::new(),
                depth: 0,
            }
        } else {
            read_element(rest.get(hit.start..hit.end)?, hit.version)?
        };
        finish(o, &mut found, &mut extra);
    }
    Some((found, extra))
}

/// Read every Open Badges element (see the module docs).
pub fn unbake(bytes: &[u8]) -> Result<(Vec<Found>, Vec<Removed>), BakeError> {
    unbake_with(bytes, true)
}

/// [`unbake`], with the fast path allowed or not.
fn unbake_with(bytes: &[u8], fast: bool) -> Result<(Vec<Found>, Vec<Removed>), BakeError> {
    let (_, text) = text_of(bytes)?;
    let mut reader = NsReader::from_reader(text.as_bytes());
    let mut found: Vec<Found> = Vec::new();
    let mut extra = Vec::new();
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut open: Option<Open> = None;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (bound(&ns)?, event),
            Err(e) => return Err(xml_error(&reader, &e)),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                check_attributes(e)?;
                let local = e.local_name().into_inner();
                if depth == 0 {
                    if seen_root {
                        return Err(fault(SvgBakeError::OutsideRoot));
                    }
                    seen_root = true;
                    if local != "svg" || ns.as_deref() != Some(SVG_NS) {
                        return Err(fault(SvgBakeError::Root(e.name().0.to_owned())));
                    }
                    // The fast path: scan the rest, parse only Open Badges elements.
                    let end = usize::try_from(reader.buffer_position()).unwrap_or(text.len());
                    let root = (!empty).then_some(e.name().0.as_bytes());
                    if fast
                        && let Some(bound) = root_bindings(e)
                        && let Some(hits) =
                            scan(&text.as_bytes()[end..], root, &bound, Mode::Unbake)
                        && let Some(result) = read_hits(&text[end..], &hits)
                    {
                        return Ok(result);
                    }
                }
                if open.is_none()
                    && let Some(version) = version_of(ns.as_deref(), local)
                {
                    let o = Open::new(e, version, depth);
                    if empty {
                        finish(o, &mut found, &mut extra);
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
                    finish(o, &mut found, &mut extra);
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
                check_entity(r)?;
                if let Some(o) = open.as_mut() {
                    o.reference(r);
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
    if depth != 0 {
        return Err(fault(SvgBakeError::Xml(
            "an element is never closed".into(),
        )));
    }
    Ok((found, extra))
}

#[cfg(test)]
mod tests {
    use super::scan::*;
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
    fn the_word_at_a_time_searches_agree_with_byte_by_byte_ones() {
        // Every length up to past the 32-byte window, the sought byte (or a name's end) at
        // every position, with bytes around it that differ from it by one bit (borrows).
        for len in 0..48 {
            for at in 0..=len {
                let mut s: Vec<u8> = (0..len).map(|i| [b'a', b'"' ^ 1, b'-'][i % 3]).collect();
                if at < len {
                    s[at] = b'"';
                }
                let naive = s.iter().position(|&b| b == b'"');
                assert_eq!(find_byte(b'"', &s), naive, "len {len}, at {at}");
                let mut name: Vec<u8> = (0..len).map(|i| [b'a', b'-', b'9'][i % 3]).collect();
                if at < len {
                    name[at] = [b'=', b' ', b'>', b'/', 0xc3][at % 5];
                }
                let naive = match name.first() {
                    Some(&b) if is_name_start(b) => {
                        name.iter().position(|&b| !is_name(b)).unwrap_or(len)
                    }
                    _ => 0,
                };
                assert_eq!(name_len(&name), naive, "len {len}, at {at}");
            }
        }
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
        crate::image::svg_check::check(out.as_bytes()).expect("still acceptable");
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
        crate::image::svg_check::check(out.as_bytes()).expect("now acceptable");
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
    fn an_undeclared_prefix_is_refused_not_turned_into_a_credential() {
        // Found by fuzzing: declaring `openbadges` at the root used to bind this element.
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion verify="{URL}"/><g/></svg>"#
        );
        let want = fault(SvgBakeError::UndeclaredPrefix("openbadges".into()));
        assert_eq!(
            bake(svg.as_bytes(), Version::V2, &Payload::classify(URL)),
            Err(want.clone())
        );
        assert_eq!(unbake(svg.as_bytes()), Err(want));
        same_either_way(svg.as_bytes());
        same_either_way(svg.replace("<g/>", "<x:g/>").as_bytes());
    }

    #[test]
    fn a_broken_attribute_is_refused_both_ways() {
        // Found by fuzzing: a stray character after the root's last attribute.
        for svg in [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" x=\"1\"\u{feff}><g/></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><g a=\"1\" a=\"2\"/></svg>",
        ] {
            let baked = bake(svg.as_bytes(), Version::V2, &Payload::classify(URL));
            assert!(
                matches!(
                    baked,
                    Err(BakeError::Image(ImageFault::Svg(SvgBakeError::Xml(_))))
                ),
                "{svg}: {baked:?}"
            );
            assert!(unbake(svg.as_bytes()).is_err(), "{svg}");
            same_either_way(svg.as_bytes());
        }
    }

    #[test]
    fn an_unclosed_element_is_refused_when_unbaking_too() {
        // Found by fuzzing: unbake read this while bake refused it.
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="{URL}"/><circle r="3"/6</svg>"#
        );
        assert!(
            matches!(
                unbake(svg.as_bytes()),
                Err(BakeError::Image(ImageFault::Svg(SvgBakeError::Xml(_))))
            ),
            "{svg}"
        );
        same_either_way(svg.as_bytes());
        let unclosed = svg.replace("/6</svg>", "/><g>");
        assert_eq!(
            unbake(unclosed.as_bytes()),
            Err(fault(SvgBakeError::Xml(
                "an element is never closed".into()
            )))
        );
        same_either_way(unclosed.as_bytes());
    }

    #[test]
    fn whitespace_in_a_payload_survives_and_characters_xml_cannot_hold_are_refused() {
        // Found by fuzzing: a URL (the URL parser drops tabs and newlines) with CR LF and LF
        // in it came back with them normalised to spaces, as XML says an attribute value is.
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>"#;
        for payload in [
            "https://x.org/a\r\nb\nc\td\re",
            "{\"@context\":\"https://w3id.org/openbadges/v2\",\r\n\"id\":\t\"https://x.org/ab\"}",
        ] {
            let payload = Payload::classify(payload);
            assert_ne!(payload.kind, PayloadKind::Text);
            let (out, _) = bake(svg.as_bytes(), Version::V2, &payload).expect("bake");
            let out = String::from_utf8(out).expect("utf-8");
            assert!(!out.contains('\r'), "{out}");
            assert_eq!(unbake_str(&out)[0].payload, payload.text, "{out}");
            same_either_way(out.as_bytes());
        }
        for payload in ["https://x.org/a\u{5}b", "https://x.org/\u{fffe}"] {
            let c = payload
                .chars()
                .last()
                .filter(|&c| c != 'b')
                .unwrap_or('\u{5}');
            assert_eq!(
                bake(svg.as_bytes(), Version::V2, &Payload::classify(payload)),
                Err(BakeError::Payload(PayloadError::NotXml(c)))
            );
        }
        // Nor can a document hold them, written or referenced.
        for bad in [
            "\u{5}",
            "\u{ffff}",
            "&#5;",
            "&#x1F;",
            "&#0;",
            "&#xD800;",
            "&#x110000;",
        ] {
            for svg in [
                format!(r#"<svg xmlns="http://www.w3.org/2000/svg"><g>{bad}</g></svg>"#),
                format!(
                    r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org"><o:assertion>https://x.org/{bad}</o:assertion></svg>"#
                ),
            ] {
                assert!(
                    matches!(
                        unbake(svg.as_bytes()),
                        Err(BakeError::Image(ImageFault::Svg(SvgBakeError::Xml(_))))
                    ),
                    "{svg}"
                );
                assert!(
                    crate::image::svg_check::check(svg.as_bytes()).is_err(),
                    "{svg}"
                );
                same_either_way(svg.as_bytes());
            }
        }
        // A verify attribute referencing one is unreadable, like an unknown entity.
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org"><o:assertion verify="https://x.org/&#5;"/></svg>"#;
        assert_eq!(unbake_str(svg)[0].payload, "");
        same_either_way(svg.as_bytes());
    }

    #[test]
    fn a_stored_image_bakes_without_reading_past_its_root_tag_only_when_it_cannot_hold_one() {
        let plain = "<?xml version=\"1.0\"?>\n<!-- logo -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\"><circle r=\"1\"/></svg>\n";
        let payload = Payload::classify(JSON);
        for svg in [
            plain.to_owned(),
            format!("\u{feff}{plain}"),
            plain.replace("<circle r=\"1\"/>", &"<circle r=\"1\"/>".repeat(5000)),
        ] {
            assert!(crate::image::svg_check::check(svg.as_bytes()).is_ok());
            let fast = stored_fast(svg.as_bytes(), Version::V2, &payload).expect("fast path");
            assert_eq!(Ok(fast), bake(svg.as_bytes(), Version::V2, &payload));
        }
        for maybe in [
            plain.replace(
                "<circle",
                "<o:assertion xmlns:o=\"http://openbadges.org\"/><circle",
            ),
            plain.replace("<circle", "<text>&#65;</text><circle"),
            plain.replace(
                "width",
                "xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\" width",
            ),
        ] {
            assert_eq!(
                stored_fast(maybe.as_bytes(), Version::V2, &payload),
                None,
                "{maybe}"
            );
            assert_eq!(
                bake_stored(maybe.as_bytes(), Version::V2, &payload),
                bake(maybe.as_bytes(), Version::V2, &payload)
            );
        }
    }

    /// Bake and unbake `svg` with and without the fast paths: the answers must be equal
    /// (the stored-image path only for what passes the upload check, its precondition).
    fn same_either_way(svg: &[u8]) {
        let uploadable = crate::image::svg_check::check(svg).is_ok();
        for version in [Version::V2, Version::V3] {
            for payload in [URL, JSON] {
                let payload = Payload::classify(payload);
                let full = bake_with(svg, version, &payload, false);
                assert_eq!(
                    bake_with(svg, version, &payload, true),
                    full,
                    "bake {version:?} of {:?}",
                    String::from_utf8_lossy(svg)
                );
                if uploadable {
                    assert_eq!(
                        bake_stored(svg, version, &payload),
                        full,
                        "stored bake {version:?} of {:?}",
                        String::from_utf8_lossy(svg)
                    );
                }
            }
        }
        assert_eq!(
            unbake_with(svg, true),
            unbake_with(svg, false),
            "unbake of {:?}",
            String::from_utf8_lossy(svg)
        );
    }

    const HEAD: &str =
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org">"#;

    /// Inputs that the scan must hand to the full parse, or read exactly like it.
    const TRICKY: &[&str] = &[
        "<script>x()</script>",
        "<SCRIPT/>",
        "<s:script xmlns:s=\"http://www.w3.org/2000/svg\"/>",
        "<![CDATA[<script>x()</script>]]>",
        "<!-- <script>x()</script> onload=\"x\" -->",
        "<!---->",
        "<!-->-->",
        "<!--->-->",
        "<g onload=\"x()\"/>",
        "<g\nonload=\"x()\"/>",
        "<g\tOnClick='x()'></g>",
        "<g x:onclick=\"x()\" xmlns:x=\"urn:x\"/>",
        "<g id=\"a\"\r\n   onmouseover=\"x()\">t</g>",
        "<g title=\"onload=x()\"/>",
        "<o:assertion verify=\"https://x.org/old\"/>",
        "<o:assertion><![CDATA[{\"a\":1}]]></o:assertion><o:assertion/>",
        "<o:assertion verify=\"a&amp;b\">x&amp;y&#65;&#x42;<g>in</g></o:assertion>",
        "<o:assertion>&nbsp;</o:assertion>",
        "<g xmlns:o=\"urn:other\"><o:assertion/></g>",
        "<g xmlns:p=\"http://openbadges.org\"><p:assertion verify=\"https://x.org/p\"/></g>",
        "<c:credential xmlns:c=\"https://purl.imsglobal.org/ob/v3p0\" verify=\"a.b.c\"/>",
        "<assertion xmlns=\"http://openbadges.org\"/>",
        "<g>&amp;&lt;&gt;&quot;&apos;&#10;&#xA;</g>",
        "<g>&nbsp;</g>",
        "<g>&#;</g>",
        "<g>& </g>",
        "<g>&ent;</g>",
        "<?pi x?>",
        "<!DOCTYPE svg>",
        "<g></h>",
        "<g>",
        "</g>",
        "<g/ >",
        "<g a=b/>",
        "<g a=\"1\"b=\"2\"/>",
        "<g a=\"1\" a=\"2\"/>",
        "<g a = '1' />",
        "<g a=\"x>y\" b='\"'/>",
        "<g></g >",
        "<é/>",
        "< g/>",
        "<",
        "&",
        "text ]]> more",
    ];

    #[test]
    fn the_fast_path_answers_like_the_full_parse_on_tricky_inputs() {
        for tricky in TRICKY {
            for head in [HEAD, r#"<svg xmlns="http://www.w3.org/2000/svg">"#] {
                for svg in [
                    format!("{head}{tricky}</svg>"),
                    format!("{head}<g><rect/>{tricky}</g></svg>"),
                    format!("{head}<rect/></svg>{tricky}"),
                    format!("{head}</svg>\n{tricky}\n"),
                    format!("<?xml version=\"1.0\"?>\n{head}\n  {tricky}\n</svg>\n"),
                ] {
                    same_either_way(svg.as_bytes());
                }
            }
        }
    }

    #[test]
    fn the_scan_takes_plain_documents_and_leaves_tricky_ones() {
        let plain = b"\n  <g id=\"a\"><rect x='1' y=\"2\"/><!-- note --><text>a &amp; b &#x41;<![CDATA[<x>]]></text></g>\n</svg>\n<!-- end -->\n";
        assert_eq!(
            scan(plain, Some(b"svg"), &RootBindings::default(), Mode::Bake),
            Some(vec![])
        );
        for tricky in [
            &b"<script/>"[..],
            b"<g onload=\"x\"/>",
            b"<g xmlns:a=\"urn:a\"/>",
            b"&nbsp;",
            b"<?p?>",
        ] {
            let mut svg = tricky.to_vec();
            svg.extend_from_slice(b"</svg>");
            assert_eq!(
                scan(&svg, Some(b"svg"), &RootBindings::default(), Mode::Bake),
                None,
                "{tricky:?}"
            );
        }
        let bound = RootBindings {
            credentials: vec![(&b"o"[..], Version::V2)],
            declared: vec![&b"o"[..]],
        };
        let svg = b"<o:assertion verify=\"x\"/><g><o:assertion>a</o:assertion></g></svg>";
        let hits = scan(svg, Some(b"svg"), &bound, Mode::Unbake).expect("plain");
        assert_eq!(hits.len(), 2);
        assert_eq!(
            &svg[hits[1].start..hits[1].end],
            b"<o:assertion>a</o:assertion>"
        );
    }

    /// Every golden SVG, cut at every byte and with each tricky input spliced in before every
    /// `<`: the fast path and the full parse must answer the same.
    #[test]
    fn the_fast_path_answers_like_the_full_parse_on_the_golden_svgs() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bake");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "svg") {
                continue;
            }
            let svg = std::fs::read(&path).expect("read");
            n += 1;
            for cut in 0..=svg.len() {
                same_either_way(&svg[..cut]);
            }
            for (at, _) in svg.iter().enumerate().filter(|&(_, &b)| b == b'<') {
                for tricky in TRICKY {
                    let mut spliced = svg[..at].to_vec();
                    spliced.extend_from_slice(tricky.as_bytes());
                    spliced.extend_from_slice(&svg[at..]);
                    same_either_way(&spliced);
                }
            }
        }
        assert!(n >= 10, "found {n} golden SVGs");
    }

    #[test]
    fn a_second_assertion_is_reported_as_extra() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org"><o:assertion verify="https://x.org/1"/><o:assertion verify="https://x.org/2"/></svg>"#;
        let (found, extra) = unbake(svg.as_bytes()).expect("unbake");
        assert_eq!((found.len(), extra.len()), (1, 1));
        assert_eq!(found[0].payload, "https://x.org/1");
    }
}
