//! The fast path's byte-level scanner (see the parent module's docs, "The fast path"): after
//! the root start tag, `memchr` jumps from markup to markup, names are read byte by byte, and
//! anything outside the plain subset of XML that `quick-xml` reads identically ends the scan,
//! so the caller falls back to the full parse.

use quick_xml::events::BytesStart;

use super::element_name;
use crate::bake::Version;

/// What the fast scan must refuse to skip over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Baking: scripts and `on*` attributes need rewriting, so they end the fast path.
    Bake,
    /// Unbaking: only the Open Badges elements matter.
    Unbake,
}

/// An Open Badges element the fast scan met: its version and the byte span of the whole
/// element (start tag to end tag) in the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hit {
    pub(super) version: Version,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// The first `<` or `&` in `s`. Runs between tags are mostly short, where a plain loop beats
/// the set-up of a vectorised search; long ones go to `memchr`.
pub(super) fn find_markup(s: &[u8]) -> Option<usize> {
    let head = s.len().min(32);
    match s[..head].iter().position(|&b| b == b'<' || b == b'&') {
        Some(p) => Some(p),
        None => memchr::memchr2(b'<', b'&', &s[head..]).map(|p| head + p),
    }
}

/// The first `byte` in `s`. Attribute values are mostly short, with lengths a branch cannot
/// predict: the first 32 bytes are tested eight at a time without branching per byte (the
/// lowest flagged byte of the zero-byte test is always a real match); long ones go to
/// `memchr`.
pub(super) fn find_byte(byte: u8, s: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let mut at = 0;
    while at < 32 {
        let Some(word) = s.get(at..at + 8) else {
            return s[at..].iter().position(|&b| b == byte).map(|p| at + p);
        };
        let y = u64::from_le_bytes(word.try_into().unwrap_or([0; 8])) ^ (ONES * u64::from(byte));
        let hits = y.wrapping_sub(ONES) & !y & HIGH;
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    memchr::memchr(byte, &s[at..]).map(|p| at + p)
}

/// XML's whitespace, as `quick-xml` defines it.
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Byte classes for names: bit 0 may start a name, bit 1 may continue one.
pub(super) const NAME_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphabetic() || c == b'_' {
            t[b] = 3;
        } else if c.is_ascii_digit() || matches!(c, b'-' | b'.' | b':') {
            t[b] = 2;
        }
        b += 1;
    }
    t
};

pub(super) fn is_name_start(b: u8) -> bool {
    NAME_CLASS[usize::from(b)] & 1 != 0
}

pub(super) fn is_name(b: u8) -> bool {
    NAME_CLASS[usize::from(b)] & 2 != 0
}

/// The length of the ASCII XML name at the start of `s` (0 when there is none). Names are
/// mostly short, of lengths a branch cannot predict: the first eight bytes are classified
/// without branching per byte and the first non-name byte found from the bit mask.
pub(super) fn name_len(s: &[u8]) -> usize {
    match s.first() {
        Some(&b) if is_name_start(b) => {}
        _ => return 0,
    }
    if let Some(word) = s.first_chunk::<8>() {
        let mut other = 0u32;
        for (i, &b) in word.iter().enumerate() {
            other |= u32::from(!is_name(b)) << i;
        }
        if other != 0 {
            return other.trailing_zeros() as usize;
        }
    }
    s.iter().position(|&b| !is_name(b)).unwrap_or(s.len())
}

/// Whether any `:`-separated part of `name` starts with `part` (ASCII case-insensitive), or,
/// with `whole`, is `part`.
pub(super) fn any_part(name: &[u8], part: &[u8], whole: bool) -> bool {
    // Most names have no prefix and do not start like `part`: settle those at once.
    if !name.contains(&b':') {
        return if whole {
            name.eq_ignore_ascii_case(part)
        } else {
            name.get(..part.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(part))
        };
    }
    name.split(|&b| b == b':').any(|p| {
        if whole {
            p.eq_ignore_ascii_case(part)
        } else {
            p.get(..part.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(part))
        }
    })
}

/// The length of a predefined entity or well-formed character reference at the start of
/// `s` (just after `&`), including the `;`.
pub(super) fn reference_len(s: &[u8]) -> Option<usize> {
    for name in [&b"amp;"[..], b"lt;", b"gt;", b"quot;", b"apos;"] {
        if s.starts_with(name) {
            return Some(name.len());
        }
    }
    let (digits, skip): (fn(&u8) -> bool, usize) = match s {
        [b'#', b'x', ..] => (u8::is_ascii_hexdigit, 2),
        [b'#', ..] => (u8::is_ascii_digit, 1),
        _ => return None,
    };
    let n = s[skip..].iter().take_while(|b| digits(b)).count();
    if n == 0 || n > 6 || s.get(skip + n) != Some(&b';') {
        return None;
    }
    // A character XML allows (else the full parse reports it).
    let digits = std::str::from_utf8(&s[skip..skip + n]).ok()?;
    let code = u32::from_str_radix(digits, if skip == 2 { 16 } else { 10 }).ok()?;
    char::from_u32(code)
        .filter(|&c| c != '\0' && crate::image::svg_check::is_xml_char(c))
        .map(|_| skip + n + 1)
}

/// The fast path's scan of everything after the root start tag (see the module docs).
///
/// `rest` follows the root start tag (`root` is its name; `None` when the root was
/// self-closing). `bound` lists the prefixes (`""` for the default namespace) the root binds
/// to an Open Badges namespace. Returns the Open Badges elements met, in document order
/// (nested ones skipped, like the full parse does), or `None` — *use the full parse* —
/// when anything falls outside a plain subset of XML that `quick-xml` reads identically:
/// a namespace declaration below the root, a processing instruction, a DOCTYPE, CDATA or
/// references outside the root, an unusual tag or name, an unclosed or mismatched element,
/// any entity but the five predefined and plain character references, text after the root
/// and, when baking, a script or an `on*` attribute. Refusing costs only time: the full
/// parse then gives the answer (or the error).
pub(super) fn scan(
    rest: &[u8],
    root: Option<&[u8]>,
    bound: &RootBindings<'_>,
    mode: Mode,
) -> Option<Vec<Hit>> {
    let RootBindings {
        credentials: bound,
        declared,
    } = bound;
    let mut stack: Vec<&[u8]> = root.into_iter().collect();
    let mut hits = Vec::new();
    // The Open Badges element being read: version, start, depth.
    let mut open: Option<(Version, usize, usize)> = None;
    let mut i = 0;
    while i < rest.len() {
        let Some(at) = find_markup(&rest[i..]).map(|p| i + p) else {
            // Trailing text: inside an element it would be unclosed; outside only blanks.
            if !stack.is_empty() || !rest[i..].iter().all(|&b| is_space(b)) {
                return None;
            }
            break;
        };
        if stack.is_empty() && !rest[i..at].iter().all(|&b| is_space(b)) {
            return None;
        }
        let tail = &rest[at + 1..];
        if rest[at] == b'&' {
            if stack.is_empty() {
                return None;
            }
            i = at + 1 + reference_len(tail)?;
            continue;
        }
        match *tail.first()? {
            b'/' => {
                let n = name_len(&tail[1..]);
                if n == 0 || tail.get(1 + n) != Some(&b'>') || stack.pop()? != &tail[1..=n] {
                    return None;
                }
                i = at + n + 3;
                if let Some((version, start, depth)) = open
                    && depth == stack.len()
                {
                    hits.push(Hit {
                        version,
                        start,
                        end: i,
                    });
                    open = None;
                }
            }
            b'!' if tail.starts_with(b"!--") => {
                // `<!-->` and `<!--->` are left to the full parse.
                if matches!(tail.get(3), Some(b'-' | b'>')) {
                    return None;
                }
                i = at + 4 + memchr::memmem::find(&tail[3..], b"-->")? + 3;
            }
            b'!' if tail.starts_with(b"![CDATA[") && !stack.is_empty() => {
                i = at + 9 + memchr::memmem::find(&tail[8..], b"]]>")? + 3;
            }
            _ => {
                let n = name_len(tail);
                if n == 0 || stack.is_empty() {
                    return None;
                }
                let name = &tail[..n];
                if mode == Mode::Bake && any_part(name, b"script", true) {
                    return None;
                }
                // An undeclared prefix is the full parse's error to report.
                if let Some(c) = name.iter().position(|&b| b == b':')
                    && !declared.contains(&&name[..c])
                {
                    return None;
                }
                let (end, empty) = attributes(tail, n, mode)?;
                i = at + 1 + end;
                if open.is_none() && !bound.is_empty() {
                    let (prefix, local) = match name.iter().position(|&b| b == b':') {
                        Some(c) => (&name[..c], &name[c + 1..]),
                        None => (&b""[..], name),
                    };
                    if let Some(&(_, version)) = bound
                        .iter()
                        .find(|&&(p, v)| p == prefix && local == element_name(v).1.as_bytes())
                    {
                        if empty {
                            hits.push(Hit {
                                version,
                                start: at,
                                end: i,
                            });
                        } else {
                            open = Some((version, at, stack.len()));
                        }
                    }
                }
                if !empty {
                    stack.push(name);
                }
            }
        }
    }
    stack.is_empty().then_some(hits)
}

/// Check the attributes of the start tag `tag` (after `<`) whose name is `n` bytes long;
/// the index just past its `>` and whether it is self-closing, or `None` for the full parse.
pub(super) fn attributes(tag: &[u8], n: usize, mode: Mode) -> Option<(usize, bool)> {
    // Names seen so far, to refuse a repeated one (a well-formedness error); a tag with more
    // attributes than this goes to the full parse.
    let mut seen: [&[u8]; 16] = [&[]; 16];
    let mut count = 0;
    let mut k = n;
    loop {
        // After the name or a value: `>`, `/>` or whitespace then more.
        match *tag.get(k)? {
            b'>' => return Some((k + 1, false)),
            b'/' => return (tag.get(k + 1) == Some(&b'>')).then_some((k + 2, true)),
            b if is_space(b) => {}
            _ => return None,
        }
        while is_space(*tag.get(k)?) {
            k += 1;
        }
        let m = name_len(&tag[k..]);
        if m == 0 {
            continue; // `>` or `/>` (anything else fails above)
        }
        let key = &tag[k..k + m];
        if key.starts_with(b"xmlns") || (mode == Mode::Bake && any_part(key, b"on", false)) {
            return None;
        }
        // Most repeats differ in length or in their last byte: settle those without a call.
        if seen[..count]
            .iter()
            .any(|s| s.len() == m && s[m - 1] == key[m - 1] && *s == key)
        {
            return None;
        }
        *seen.get_mut(count)? = key;
        count += 1;
        k += m;
        while is_space(*tag.get(k)?) {
            k += 1;
        }
        if tag.get(k) != Some(&b'=') {
            return None;
        }
        k += 1;
        while is_space(*tag.get(k)?) {
            k += 1;
        }
        let quote = *tag.get(k)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        k += 1 + find_byte(quote, &tag[k + 1..])? + 1;
    }
}

/// The namespace prefixes the root start tag declares.
#[derive(Debug, Default)]
pub(super) struct RootBindings<'a> {
    /// The prefixes (`""` for the default namespace) bound to an Open Badges namespace.
    pub(super) credentials: Vec<(&'a [u8], Version)>,
    /// Every prefix declared (not `""`).
    pub(super) declared: Vec<&'a [u8]>,
}

/// The root start tag `e`'s namespace declarations, or `None` (use the full parse) when
/// they are unusual.
pub(super) fn root_bindings<'a>(e: &'a BytesStart<'_>) -> Option<RootBindings<'a>> {
    let mut bound = Vec::new();
    let mut declared = Vec::new();
    for attr in e.attributes() {
        let attr = attr.ok()?;
        let key = attr.key.0.as_bytes();
        let prefix = match key.strip_prefix(b"xmlns") {
            Some([]) => &b""[..],
            Some([b':', prefix @ ..]) if !prefix.starts_with(b"xml") => prefix,
            Some(_) => return None,
            None => continue,
        };
        if attr.value.is_empty() {
            return None;
        }
        if !prefix.is_empty() {
            declared.push(prefix);
        }
        for version in [Version::V2, Version::V3] {
            if *attr.value == *element_name(version).0 {
                bound.push((prefix, version));
            }
        }
    }
    Some(RootBindings {
        credentials: bound,
        declared,
    })
}
