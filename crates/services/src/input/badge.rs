//! `POST /api/v1/badgeclasses` body.

use serde_json::{Map, Value};

use emblem_badges::error::Error;
use emblem_badges::image::{self, ImageInput};
use emblem_badges::model::badge::DuplicatePolicy;
use emblem_badges::model::badge::{Alignment, Criteria};
use emblem_badges::validate::url::http_url;
use emblem_badges::validate::{Check, Text, index, kind};

/// Most tags on a badge class.
pub const MAX_TAGS: usize = 50;
/// Most alignments on a badge class.
pub const MAX_ALIGNMENTS: usize = 50;

/// A new badge class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBadge {
    /// 1..=200 characters.
    pub name: String,
    /// 1..=5000 characters.
    pub description: String,
    /// A PNG/SVG data URI (checked) or an https URL.
    pub image: ImageInput,
    /// Narrative, URL, or both.
    pub criteria: Criteria,
    /// At most 50 tags of 1..=100 characters, duplicates dropped.
    pub tags: Vec<String>,
    /// At most 50 alignments.
    pub alignment: Vec<Alignment>,
    /// Default validity of awards, 1..=36500 days.
    pub expires_after_days: Option<u32>,
    /// `allow` (default), `deny` or `replace`: what a second award to the same email does.
    pub duplicate_policy: DuplicatePolicy,
}

impl NewBadge {
    /// Validate the body.
    pub fn parse(body: &Value) -> Result<Self, Error> {
        let obj = Check::body(body)?;
        let mut c = Check::new();
        let name = c.required_text(obj, "", "name", Text::line(200));
        let description = c.required_text(obj, "", "description", Text::block(5000));
        let image = c.required_raw_str(obj, "", "image").and_then(|s| {
            c.apply("", "image", s, |s| {
                image::parse(s).map_err(|e| e.to_string())
            })
        });
        let criteria = c
            .required_object(obj, "", "criteria")
            .and_then(|criteria| parse_criteria(&mut c, criteria));
        let tags = parse_tags(&mut c, obj);
        let alignment = parse_alignments(&mut c, obj);
        let expires_after_days = c
            .integer(obj, "", "expires_after_days", 1..=36500)
            .and_then(|d| u32::try_from(d).ok());
        let duplicate_policy = match c.raw_str(obj, "", "duplicate_policy") {
            Some(s) => c.apply("", "duplicate_policy", s, DuplicatePolicy::parse),
            None => Some(DuplicatePolicy::Allow),
        };
        let built = (|| {
            Some(Self {
                name: name?,
                description: description?,
                image: image?,
                criteria: criteria?,
                tags,
                alignment,
                expires_after_days,
                duplicate_policy: duplicate_policy?,
            })
        })();
        c.done(built)
    }
}

fn parse_criteria(c: &mut Check, obj: &Map<String, Value>) -> Option<Criteria> {
    let before = c.error_count();
    let narrative = c.text(obj, "criteria", "narrative", Text::block(10_000));
    let url = c
        .raw_str(obj, "criteria", "url")
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| c.apply("criteria", "url", s, http_url));
    if narrative.is_none() && url.is_none() {
        if c.error_count() == before {
            c.error(
                "criteria",
                "needs a narrative (how to earn the badge), a url of a criteria page, or both",
            );
        }
        return None;
    }
    Some(Criteria { narrative, url })
}

fn parse_tags(c: &mut Check, obj: &Map<String, Value>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for (i, item) in c
        .array(obj, "", "tags", MAX_TAGS)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let field = index("tags", i);
        match item.as_str().map(|s| Text::line(100).check(s)) {
            Some(Ok(tag)) => {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            Some(Err(message)) => c.error(field, message),
            None => c.error(field, format!("must be a string, got {}", kind(item))),
        }
    }
    tags
}

fn parse_alignments(c: &mut Check, obj: &Map<String, Value>) -> Vec<Alignment> {
    let items = c
        .array(obj, "", "alignment", MAX_ALIGNMENTS)
        .unwrap_or_default();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = index("alignment", i);
        let Some(a) = item.as_object() else {
            c.error(at, format!("must be an object, got {}", kind(item)));
            continue;
        };
        let target_name = c.required_text(a, &at, "target_name", Text::line(200));
        let target_url = c
            .required_raw_str(a, &at, "target_url")
            .and_then(|s| c.apply(&at, "target_url", s, http_url));
        let target_description = c.text(a, &at, "target_description", Text::block(2000));
        let target_framework = c.text(a, &at, "target_framework", Text::line(200));
        let target_code = c.text(a, &at, "target_code", Text::line(200));
        if let (Some(target_name), Some(target_url)) = (target_name, target_url) {
            out.push(Alignment {
                target_name,
                target_url,
                target_description,
                target_framework,
                target_code,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use emblem_badges::image::fixtures::{SVG, data_uri, png_1x1};
    use serde_json::json;

    fn valid() -> Value {
        json!({
            "name": "Rust Basics",
            "description": "Knows ownership.",
            "image": data_uri("image/png", &png_1x1()),
            "criteria": {"narrative": "Pass the **exam**.", "url": "https://example.org/criteria"},
            "tags": ["rust", "rust", "  systems "],
            "alignment": [{"target_name": "ESCO", "target_url": "https://esco.ec.europa.eu/x", "target_code": "S1"}],
            "expires_after_days": 365
        })
    }

    fn errors(v: &Value) -> Vec<(String, String)> {
        let e = NewBadge::parse(v).expect_err("422");
        assert_eq!(e.status(), 422);
        e.problem()
            .errors
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn a_complete_badge_class_is_normalised() {
        let b = NewBadge::parse(&valid()).expect("valid");
        assert_eq!(b.tags, ["rust", "systems"]);
        assert_eq!(b.alignment[0].target_code.as_deref(), Some("S1"));
        assert_eq!(b.expires_after_days, Some(365));
        assert_eq!(
            b.criteria.url.as_deref(),
            Some("https://example.org/criteria")
        );
    }

    #[test]
    fn an_svg_image_is_accepted() {
        let mut v = valid();
        v["image"] = json!(data_uri("image/svg+xml", SVG.as_bytes()));
        assert!(NewBadge::parse(&v).is_ok());
    }

    #[test]
    fn name_description_image_and_criteria_are_required() {
        let fields: Vec<String> = errors(&json!({})).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["name", "description", "image", "criteria"]);
    }

    #[test]
    fn criteria_need_a_narrative_or_a_url() {
        let mut v = valid();
        v["criteria"] = json!({});
        assert_eq!(errors(&v)[0].0, "criteria");
        v["name"] = json!("");
        assert_eq!(
            errors(&v)[1].0,
            "criteria",
            "reported even after other errors"
        );
        v["name"] = json!("Rust");
        v["criteria"] = json!({"url": "not a url"});
        assert_eq!(errors(&v)[0].0, "criteria.url");
        v["criteria"] = json!("Pass the exam");
        assert_eq!(errors(&v)[0].1, "must be an object, got a string");
    }

    #[test]
    fn an_svg_with_a_script_is_refused_with_the_reason() {
        let mut v = valid();
        let evil = r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        v["image"] = json!(data_uri("image/svg+xml", evil.as_bytes()));
        let e = errors(&v);
        assert_eq!(e[0].0, "image");
        assert!(e[0].1.contains("<script>"), "{}", e[0].1);
    }

    #[test]
    fn a_png_with_a_bad_crc_is_refused() {
        let mut png = png_1x1();
        png[20] ^= 0xff;
        let mut v = valid();
        v["image"] = json!(data_uri("image/png", &png));
        assert!(errors(&v)[0].1.contains("CRC"));
    }

    #[test]
    fn a_jpeg_is_refused() {
        let mut v = valid();
        v["image"] = json!("data:image/jpeg;base64,/9j/4AAQ");
        assert!(errors(&v)[0].1.contains("image/jpeg"));
    }

    #[test]
    fn tags_and_alignments_are_checked_item_by_item() {
        let mut v = valid();
        v["tags"] = json!(["ok", 5, ""]);
        v["alignment"] = json!([{"target_name": "A"}, "x", {"target_name": "B", "target_url": "https://b.example"}]);
        let fields: Vec<String> = errors(&v).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "tags[1]",
                "tags[2]",
                "alignment[0].target_url",
                "alignment[1]"
            ]
        );
    }

    #[test]
    fn too_many_tags_are_refused() {
        let mut v = valid();
        v["tags"] = json!((0..51).map(|i| format!("t{i}")).collect::<Vec<_>>());
        assert_eq!(errors(&v)[0].1, "must have at most 50 items, got 51");
    }

    #[test]
    fn expiry_days_must_be_between_one_and_36500() {
        for bad in [json!(0), json!(36501), json!("30"), json!(1.5)] {
            let mut v = valid();
            v["expires_after_days"] = bad;
            assert_eq!(errors(&v)[0].0, "expires_after_days");
        }
    }
}
