//! The baking routes (docs/standards/baking.md §5), called by the `bake` component.
//!
//! 1. [`route`]: `GET|HEAD /assertions/:id/image`, `POST /bake`, `POST /unbake`.
//! 2. [`assertion_image`]: the badge class image baked with the hosted assertion. The same
//!    visibility rules as the hosted JSON ([`crate::hosting`]): revoked → 410, rejected → 404,
//!    private or pending → served (a verifier holding the image must be able to check it). A
//!    class whose image is an external URL → 404 saying so. PNG gets the assertion JSON-LD in
//!    an `openbadges` iTXt; SVG gets `<openbadges:assertion verify="<assertion url>">` with the
//!    JSON in CDATA. The JSON is byte for byte what `GET /assertions/:id` serves.
//!    `?version=3.0` bakes the signed Open Badges 3.0 credential instead (PNG iTXt
//!    `openbadgecredential`, SVG `<openbadges:credential>`), exactly what
//!    `GET /credentials/:id` serves; `?version=both` bakes both.
//! 3. [`bake_request`]: a JSON body `{image: base64, payload: string | object, version?}` or a
//!    `multipart/form-data` body (parts `image`, `payload`, `version`) → the baked bytes, with
//!    `Emblem-Replaced-Chunks` (chunks or elements replaced), `Emblem-Badge-Version` and
//!    `Emblem-Payload-Kind`.
//! 4. [`unbake_request`]: a raw `image/png` or `image/svg+xml` body, a multipart part `image`
//!    or JSON `{image: base64}` → [`UnbakeView`].
//!
//! Nothing here writes to the store.

use base64::Engine as _;
use serde::Serialize;
use time::OffsetDateTime;

use super::{
    Found, Limits, PayloadKind, Removed, Unbaked, Version, bake, bake_stored, multipart, unbake,
};
use crate::base_url::BaseUrl;
use crate::error::{Error, Gone, Internal, Malformed, NotFound, ObjectKind};
use crate::hosting::CACHE;
use crate::image::ImageType;
use crate::kv::{self, Kv};
use crate::model::ImageRef;
use crate::model::award::Status;
use crate::model::badge::BadgeClass;
use crate::model::stored_image::StoredImage;
use crate::ob2::{self, AssertionDoc};
use crate::present::{self, Surface};
use crate::reply::Reply;
use crate::store_keys;

/// Largest request body: 10 MiB.
pub const MAX_BODY: usize = 10 * 1024 * 1024;

const BODY_TYPES: &str = "application/json or multipart/form-data";
const UNBAKE_TYPES: &str = "image/png, image/svg+xml, application/json or multipart/form-data";

/// A baking route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /assertions/:id/image`
    AssertionImage(String),
    /// `POST /bake`
    Bake,
    /// `POST /unbake`
    Unbake,
}

/// Match a method and path.
pub fn route(method: &str, path: &str) -> Result<Route, Error> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (route, allow): (_, &'static [&'static str]) = match segments.as_slice() {
        ["assertions", id, "image"] => (Route::AssertionImage((*id).to_owned()), &["GET", "HEAD"]),
        ["bake"] => (Route::Bake, &["POST"]),
        ["unbake"] => (Route::Unbake, &["POST"]),
        _ => {
            return Err(Error::NotFound(NotFound::Route {
                path: path.to_owned(),
            }));
        }
    };
    if !allow.contains(&method) {
        return Err(Error::MethodNotAllowed { allow });
    }
    Ok(route)
}

/// Which credentials a baked download carries (`?version=` of `GET /assertions/:id/image`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carries {
    /// The Open Badges 2.0 assertion (the default).
    V2,
    /// The Open Badges 3.0 credential, signed.
    V3,
    /// Both, each under its own keyword or element.
    Both,
}

impl Carries {
    /// From the query string: `version=2.0` (default), `3.0` or `both`.
    pub fn from_query(query: Option<&str>) -> Result<Self, Error> {
        let value = query
            .unwrap_or_default()
            .split('&')
            .find_map(|pair| pair.strip_prefix("version="));
        match value {
            None | Some("2.0" | "2") => Ok(Self::V2),
            Some("3.0" | "3") => Ok(Self::V3),
            Some("both") => Ok(Self::Both),
            Some(_) => Err(Error::invalid("version", "must be 2.0, 3.0 or both")),
        }
    }
}

/// `GET /assertions/:id/image` (see the module docs), the 2.0 assertion inside. Two store
/// round trips.
pub async fn assertion_image<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    now: OffsetDateTime,
    id: &str,
) -> Result<Reply, Error> {
    let (award, badge, image) = baking_inputs(kv, now, id).await?;
    let json = ob2_json(&award, base)?;
    baked_reply(&badge, &image, &[(json, Version::V2)])
}

/// `GET /assertions/:id/image?version=…`: the 2.0 assertion, the 3.0 credential (signed, as
/// `GET /credentials/:id` serves it) or both.
///
/// The credential comes from `signed` (the credentials component, which holds the keys); its
/// problem reply, if it has no credential to give, is the answer.
pub async fn assertion_image_carrying<K: Kv + ?Sized, S: crate::signed::SignedDocs>(
    env: &crate::env::Env<'_, K>,
    id: &str,
    carries: Carries,
    signed: &S,
) -> Result<Reply, Error> {
    let (award, badge, image) = baking_inputs(env.kv, env.now, id).await?;
    let mut payloads = Vec::new();
    if carries != Carries::V3 {
        payloads.push((ob2_json(&award, env.base)?, Version::V2));
    }
    if carries != Carries::V2 {
        let reply = signed.get(&format!("/credentials/{}", award.id)).await?;
        if reply.status != 200 {
            return Ok(reply);
        }
        let json = String::from_utf8(reply.body)
            .map_err(|e| Error::Internal(Internal::Render(e.to_string())))?;
        payloads.push((json, Version::V3));
    }
    baked_reply(&badge, &image, &payloads)
}

fn ob2_json(award: &crate::model::award::Award, base: &BaseUrl) -> Result<String, Error> {
    String::from_utf8(ob2::to_vec(&AssertionDoc::new(award, base)))
        .map_err(|e| Error::Internal(Internal::Render(e.to_string())))
}

/// The award (if it may be baked), its class and the class's stored image bytes.
async fn baking_inputs<K: Kv + ?Sized>(
    kv: &K,
    now: OffsetDateTime,
    id: &str,
) -> Result<(crate::model::award::Award, BadgeClass, Vec<u8>), Error> {
    let award = crate::service::awards::load(kv, id).await?;
    match award.status(now) {
        Status::Revoked => {
            let reason = award.revoked.as_ref().map_or("", |r| r.reason.as_str());
            return Err(Error::Gone(Gone::Revoked {
                id: id.to_owned(),
                reason: reason.to_owned(),
            }));
        }
        Status::Rejected => return Err(Error::not_found(ObjectKind::Assertion, id)),
        _ => {}
    }
    let keys = [
        store_keys::badge(&award.badge_id),
        store_keys::image(&award.badge_id),
    ];
    let mut values = kv.get_many(&keys).await?.into_iter();
    let badge: BadgeClass = match values.next().flatten() {
        Some(bytes) => kv::decode(&keys[0], &bytes)?,
        None => return Err(Error::not_found(ObjectKind::BadgeClass, &award.badge_id)),
    };
    if let ImageRef::Remote { url } = &badge.image {
        return Err(Error::NotFound(NotFound::ImageNotHosted {
            badge_id: badge.id.clone(),
            url: url.clone(),
        }));
    }
    let stored: StoredImage = match values.next().flatten() {
        Some(bytes) => kv::decode(&keys[1], &bytes)?,
        None => return Err(Error::not_found(ObjectKind::Image, &badge.id)),
    };
    let image = stored.bytes().ok_or_else(|| {
        Error::Internal(Internal::Corrupt {
            key: keys[1].clone(),
            detail: "image data is not valid base64".into(),
        })
    })?;
    Ok((award, badge, image))
}

/// The class image with each payload baked in, as a download.
fn baked_reply(
    badge: &BadgeClass,
    image: &[u8],
    payloads: &[(String, Version)],
) -> Result<Reply, Error> {
    let corrupt = |detail: String| {
        Error::Internal(Internal::Corrupt {
            key: store_keys::image(&badge.id),
            detail,
        })
    };
    let mut baked: Option<super::Baked> = None;
    for (json, version) in payloads {
        let next = match &baked {
            None => bake_stored(image, json, Some(*version), &Limits::default()),
            Some(b) => bake(&b.bytes, json, Some(*version), &Limits::default()),
        };
        baked = Some(next.map_err(|e| corrupt(format!("stored image cannot be baked: {e}")))?);
    }
    let baked = baked.ok_or_else(|| corrupt("nothing to bake".into()))?;
    let ext = match baked.format {
        ImageType::Png => "png",
        ImageType::Svg => "svg",
    };
    let reply = Reply::bytes(200, baked.format.content_type(), baked.bytes)
        .with_header(
            "content-disposition",
            format!("attachment; filename=\"{}.{ext}\"", slug(&badge.name)),
        )
        .with_header("access-control-allow-origin", "*")
        .with_header("cache-control", CACHE);
    Ok(present::secure(reply, Surface::Image))
}

/// A file-name-safe slug of a badge name: lowercase ASCII letters and digits joined by `-`,
/// at most 60 characters; `badge` when nothing is left.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "badge".to_owned()
    } else {
        out.to_owned()
    }
}

fn media_type(content_type: Option<&str>) -> String {
    content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn multipart_error(e: multipart::MultipartError) -> Error {
    Error::invalid(
        "body",
        format!("is not a valid multipart/form-data body: {e}"),
    )
}

fn json_body(body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Error::Malformed(Malformed::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    })?;
    match value {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(Error::invalid("body", "must be a JSON object")),
    }
}

fn base64_image(map: &serde_json::Map<String, serde_json::Value>) -> Result<Vec<u8>, Error> {
    let text = map
        .get("image")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| Error::invalid("image", "is required: the image as a base64 string"))?;
    // A data URI is accepted too: everything after the comma is the base64.
    let text = match text.split_once(',') {
        Some((head, rest)) if head.starts_with("data:") => rest,
        _ => text,
    };
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.trim_end_matches('=').as_bytes())
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact.trim_end_matches('='))
        })
        .map_err(|_| Error::invalid("image", "is not valid base64"))
}

fn parse_version(text: Option<&str>) -> Result<Option<Version>, Error> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Version::parse(t).map(Some).ok_or_else(|| {
            Error::invalid(
                "version",
                format!("must be \"2.0\" or \"3.0\", found {t:?}"),
            )
        }),
    }
}

fn utf8_part(part: &multipart::Part<'_>) -> Result<String, Error> {
    String::from_utf8(part.body.to_vec())
        .map_err(|_| Error::invalid(part.name.clone(), "is not UTF-8 text"))
}

/// `POST /bake` (see the module docs).
pub fn bake_request(content_type: Option<&str>, body: &[u8]) -> Result<Reply, Error> {
    if body.is_empty() {
        return Err(Error::Malformed(Malformed::EmptyBody));
    }
    let (image, payload, version) = match media_type(content_type).as_str() {
        "application/json" => {
            let map = json_body(body)?;
            let image = base64_image(&map)?;
            let payload = match map.get("payload") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(v @ serde_json::Value::Object(_)) => v.to_string(),
                _ => {
                    return Err(Error::invalid(
                        "payload",
                        "is required: a URL, a JWS or JSON text, or a JSON object",
                    ));
                }
            };
            let version = match map.get("version") {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => parse_version(Some(s))?,
                Some(_) => return Err(Error::invalid("version", "must be \"2.0\" or \"3.0\"")),
            };
            (image, payload, version)
        }
        "multipart/form-data" => {
            let boundary =
                multipart::boundary(content_type.unwrap_or_default()).map_err(multipart_error)?;
            let parts = multipart::parse(body, &boundary).map_err(multipart_error)?;
            let find = |name: &str| parts.iter().find(|p| p.name == name);
            let image = find("image")
                .ok_or_else(|| Error::invalid("image", "is required: a file part named image"))?
                .body
                .to_vec();
            let payload =
                utf8_part(find("payload").ok_or_else(|| {
                    Error::invalid("payload", "is required: a part named payload")
                })?)?;
            let version = find("version").map(utf8_part).transpose()?;
            (image, payload, parse_version(version.as_deref())?)
        }
        _ => {
            return Err(Error::UnsupportedMediaType {
                found: content_type.map(str::to_owned),
                expected: BODY_TYPES,
            });
        }
    };
    let baked = bake(&image, &payload, version, &Limits::default())?;
    let ext = match baked.format {
        ImageType::Png => "png",
        ImageType::Svg => "svg",
    };
    // A download, never a document to render in Emblem's origin.
    let reply = Reply::bytes(200, baked.format.content_type(), baked.bytes)
        .with_header(
            "content-disposition",
            format!("attachment; filename=\"baked-badge.{ext}\""),
        )
        .with_header("emblem-replaced-chunks", baked.replaced.len().to_string())
        .with_header("emblem-badge-version", baked.version.as_str())
        .with_header(
            "emblem-payload-kind",
            match baked.kind {
                PayloadKind::Url => "url",
                PayloadKind::Json => "json",
                PayloadKind::Jws => "jws",
                PayloadKind::Text => "text",
            },
        );
    Ok(present::secure(reply, Surface::Image))
}

/// The unbake response.
#[derive(Debug, Serialize)]
pub struct UnbakeView {
    /// `png` or `svg`.
    pub format: &'static str,
    /// The first credential's version.
    pub version: Version,
    /// The first credential's kind.
    pub kind: PayloadKind,
    /// The first credential's text.
    pub payload: String,
    /// Every credential found, first per version, in file order.
    pub payloads: Vec<Found>,
    /// Further Open Badges chunks or elements that were ignored.
    pub extra: Vec<Removed>,
}

impl UnbakeView {
    /// The view of an unbake result (which always holds at least one credential).
    pub fn new(u: Unbaked) -> Option<Self> {
        let first = u.found.first()?.clone();
        Some(Self {
            format: match u.format {
                ImageType::Png => "png",
                ImageType::Svg => "svg",
            },
            version: first.version,
            kind: first.kind,
            payload: first.payload,
            payloads: u.found,
            extra: u.extra,
        })
    }
}

/// `POST /unbake` (see the module docs).
pub fn unbake_request(content_type: Option<&str>, body: &[u8]) -> Result<Reply, Error> {
    if body.is_empty() {
        return Err(Error::Malformed(Malformed::EmptyBody));
    }
    let owned;
    let image: &[u8] = match media_type(content_type).as_str() {
        "image/png" | "image/svg+xml" | "application/octet-stream" => body,
        "application/json" => {
            owned = base64_image(&json_body(body)?)?;
            &owned
        }
        "multipart/form-data" => {
            let boundary =
                multipart::boundary(content_type.unwrap_or_default()).map_err(multipart_error)?;
            let parts = multipart::parse(body, &boundary).map_err(multipart_error)?;
            owned = parts
                .iter()
                .find(|p| p.name == "image")
                .ok_or_else(|| Error::invalid("image", "is required: a file part named image"))?
                .body
                .to_vec();
            &owned
        }
        _ => {
            return Err(Error::UnsupportedMediaType {
                found: content_type.map(str::to_owned),
                expected: UNBAKE_TYPES,
            });
        }
    };
    let view = UnbakeView::new(unbake(image, &Limits::default())?)
        .ok_or_else(|| Error::from(super::BakeError::NotBaked))?;
    Ok(Reply::json(200, &view).with_header("x-content-type-options", "nosniff"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosting::RenderCache;
    use crate::kv::{MemoryKv, put_json};
    use crate::model::award::Award;
    use crate::negotiate::Representation;
    use crate::ob2::fixtures::{self, AWARD_ID, BADGE_ID, ISSUER_ID};
    use futures::executor::block_on;
    use std::cell::RefCell;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-01 00:00 UTC);

    fn base() -> BaseUrl {
        BaseUrl::parse("https://badges.example.org").expect("base")
    }

    fn store(award: &Award, image: &StoredImage, kind: ImageType) -> MemoryKv {
        let kv = MemoryKv::new();
        let mut badge = fixtures::badge();
        badge.image = ImageRef::Hosted { content_type: kind };
        block_on(async {
            put_json(&kv, &store_keys::issuer(ISSUER_ID), &fixtures::issuer()).await?;
            put_json(&kv, &store_keys::badge(BADGE_ID), &badge).await?;
            put_json(&kv, &store_keys::image(BADGE_ID), image).await?;
            put_json(&kv, &store_keys::award(AWARD_ID), award).await
        })
        .expect("store");
        kv
    }

    fn hosted_json(kv: &MemoryKv) -> String {
        let r = block_on(crate::hosting::assertion(
            kv,
            &base(),
            NOW,
            AWARD_ID,
            Representation::LdJson,
            &RefCell::new(RenderCache::new()),
        ))
        .expect("hosted");
        String::from_utf8(r.body).expect("utf-8")
    }

    #[test]
    fn the_baked_png_holds_exactly_the_hosted_assertion() {
        let png = crate::image::fixtures::png_1x1();
        let kv = store(
            &fixtures::award(),
            &StoredImage::new(ImageType::Png, &png),
            ImageType::Png,
        );
        let r = block_on(assertion_image(&kv, &base(), NOW, AWARD_ID)).expect("image");
        assert_eq!(r.header("content-type"), Some("image/png"));
        assert!(
            r.header("content-disposition")
                .is_some_and(|d| d.starts_with("attachment; filename=\"") && d.ends_with(".png\""))
        );
        let u = unbake(&r.body, &Limits::default()).expect("unbake");
        assert_eq!(u.found[0].payload, hosted_json(&kv));
    }

    #[test]
    fn the_baked_svg_verifies_by_the_assertion_url() {
        let svg = crate::image::fixtures::SVG.as_bytes();
        let kv = store(
            &fixtures::award(),
            &StoredImage::new(ImageType::Svg, svg),
            ImageType::Svg,
        );
        let r = block_on(assertion_image(&kv, &base(), NOW, AWARD_ID)).expect("image");
        let text = String::from_utf8(r.body.clone()).expect("utf-8");
        assert!(text.contains(&format!(
            "verify=\"https://badges.example.org/assertions/{AWARD_ID}\""
        )));
        let u = unbake(&r.body, &Limits::default()).expect("unbake");
        assert_eq!(u.found[0].payload, hosted_json(&kv));
        assert_eq!(r.header("content-security-policy"), Surface::Image.csp());
    }

    #[test]
    fn a_revoked_assertion_has_no_baked_image() {
        let png = crate::image::fixtures::png_1x1();
        let kv = store(
            &fixtures::revoked_award(),
            &StoredImage::new(ImageType::Png, &png),
            ImageType::Png,
        );
        let e = block_on(assertion_image(&kv, &base(), NOW, AWARD_ID)).expect_err("gone");
        assert_eq!(e.status(), 410);
        assert_eq!(
            block_on(assertion_image(&kv, &base(), NOW, "nope")).map_err(|e| e.status()),
            Err(404)
        );
    }

    #[test]
    fn routes_and_methods() {
        assert_eq!(
            route("GET", "/assertions/abc/image"),
            Ok(Route::AssertionImage("abc".into()))
        );
        assert_eq!(route("POST", "/bake"), Ok(Route::Bake));
        assert_eq!(route("GET", "/bake").map_err(|e| e.status()), Err(405));
        assert_eq!(route("GET", "/x").map_err(|e| e.status()), Err(404));
    }

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(slug("Rust: Level 2 — Ünïcode!"), "rust-level-2-n-code");
        assert_eq!(slug("!!!"), "badge");
    }

    #[test]
    fn a_json_bake_request_round_trips_through_unbake() {
        use base64::engine::general_purpose::STANDARD;
        let png = crate::image::fixtures::png_1x1();
        let body = serde_json::json!({
            "image": STANDARD.encode(&png),
            "payload": {"@context": "https://w3id.org/openbadges/v2", "id": "https://x.org/1"},
        });
        let r = bake_request(Some("application/json"), body.to_string().as_bytes()).expect("bake");
        assert_eq!(r.header("emblem-replaced-chunks"), Some("0"));
        assert_eq!(r.header("emblem-payload-kind"), Some("json"));
        assert_eq!(
            r.header("content-disposition"),
            Some("attachment; filename=\"baked-badge.png\"")
        );
        let u = unbake_request(Some("image/png"), &r.body).expect("unbake");
        let v: serde_json::Value = serde_json::from_slice(&u.body).expect("json");
        assert_eq!(v["format"], "png");
        assert_eq!(v["version"], "2.0");
        assert_eq!(v["kind"], "json");
        assert_eq!(v["payloads"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn bad_bodies_are_client_errors() {
        assert_eq!(
            bake_request(Some("text/plain"), b"x").map_err(|e| e.status()),
            Err(415)
        );
        assert_eq!(
            bake_request(
                Some("application/json"),
                b"{\"image\":\"!!\",\"payload\":\"https://x.org\"}"
            )
            .map_err(|e| e.status()),
            Err(422)
        );
        assert_eq!(
            unbake_request(Some("image/png"), b"garbage").map_err(|e| e.status()),
            Err(422)
        );
        assert_eq!(
            unbake_request(Some("image/png"), &crate::image::fixtures::png_1x1())
                .map_err(|e| e.status()),
            Err(422),
            "not baked"
        );
    }
}
