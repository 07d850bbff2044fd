//! Field-by-field validation of JSON request bodies.
//!
//! 1. The body is parsed as a [`serde_json::Value`] first ([`parse_json`]): syntax errors are the
//!    client's malformed request (400) and quote line and column.
//! 2. A [`Check`] then walks the object field by field, collecting every problem with its dotted
//!    path (`recipient.email`, `evidence[1].url`) instead of stopping at the first, so one
//!    round trip shows the client everything to fix (422).
//! 3. Unknown fields are ignored; `null` counts as absent; known fields are checked strictly
//!    (types, lengths, formats) and normalised (trimmed).
//!
//! Nothing is written to the store until a whole input has passed its [`Check`].

pub mod url;

use serde_json::{Map, Value};

use crate::error::{Error, FieldError, Malformed};

/// Parse a request body as JSON (400 on bad syntax, empty or non-UTF-8 bodies).
pub fn parse_json(body: &[u8]) -> Result<Value, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Malformed(Malformed::EmptyBody));
    }
    if std::str::from_utf8(body).is_err() {
        return Err(Error::Malformed(Malformed::NotUtf8));
    }
    serde_json::from_slice(body).map_err(|e| {
        Error::Malformed(Malformed::Json {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })
    })
}

/// serde_json appends " at line L column C"; the problem detail says that its own way.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// `parent.name`, or `name` at the top level.
pub fn path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// `parent[index]`.
pub fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// The value of `name`, treating `null` as absent.
pub fn field<'v>(obj: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    obj.get(name).filter(|v| !v.is_null())
}

/// Length and character rules for a text field.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    /// Most characters allowed (after trimming).
    pub max: usize,
    /// Whether line breaks and tabs are allowed.
    pub multiline: bool,
}

impl Text {
    /// A single-line text of at most `max` characters.
    pub const fn line(max: usize) -> Self {
        Self {
            max,
            multiline: false,
        }
    }

    /// A multi-line text (Markdown allowed, shown escaped) of at most `max` characters.
    pub const fn block(max: usize) -> Self {
        Self {
            max,
            multiline: true,
        }
    }

    /// Trim `s` and check it; Err carries the message.
    pub fn check(&self, s: &str) -> Result<String, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("must not be empty".to_owned());
        }
        let count = s.chars().count();
        if count > self.max {
            return Err(format!(
                "must be at most {} characters, got {count}",
                self.max
            ));
        }
        let bad = s
            .chars()
            .find(|&c| c.is_control() && !(self.multiline && matches!(c, '\n' | '\r' | '\t')));
        if let Some(c) = bad {
            return Err(format!("must not contain the control character {c:?}"));
        }
        Ok(s.to_owned())
    }
}

/// Collects field errors while reading a JSON object.
#[derive(Debug, Default)]
pub struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    /// A check with no errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record an error on `field`.
    pub fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Whether any error has been recorded.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// How many errors have been recorded so far.
    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    /// `Ok(value)` if no error was recorded, else 422 with every error.
    pub fn finish<T>(self, value: T) -> Result<T, Error> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(Error::Invalid(self.errors))
        }
    }

    /// `Ok(value)` if no error was recorded and the value could be built (required fields that
    /// are missing have recorded their own errors, so `None` never goes unexplained).
    pub fn done<T>(self, value: Option<T>) -> Result<T, Error> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ if self.errors.is_empty() => Err(Error::invalid("(body)", "is incomplete")),
            _ => Err(Error::Invalid(self.errors)),
        }
    }

    /// The body as an object (422 naming the body when it is another JSON type).
    pub fn body(value: &Value) -> Result<&Map<String, Value>, Error> {
        value.as_object().ok_or_else(|| {
            Error::invalid(
                "(body)",
                format!("must be a JSON object, got {}", kind(value)),
            )
        })
    }

    /// An optional nested object.
    pub fn object<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        parent: &str,
        name: &str,
    ) -> Option<&'v Map<String, Value>> {
        let value = field(obj, name)?;
        let object = value.as_object();
        if object.is_none() {
            self.error(
                path(parent, name),
                format!("must be an object, got {}", kind(value)),
            );
        }
        object
    }

    /// A required nested object.
    pub fn required_object<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        parent: &str,
        name: &str,
    ) -> Option<&'v Map<String, Value>> {
        if field(obj, name).is_none() {
            self.error(path(parent, name), "is required");
            return None;
        }
        self.object(obj, parent, name)
    }

    /// An optional string, as sent (not trimmed or checked).
    pub fn raw_str<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        parent: &str,
        name: &str,
    ) -> Option<&'v str> {
        let value = field(obj, name)?;
        let s = value.as_str();
        if s.is_none() {
            self.error(
                path(parent, name),
                format!("must be a string, got {}", kind(value)),
            );
        }
        s
    }

    /// A required string, as sent.
    pub fn required_raw_str<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        parent: &str,
        name: &str,
    ) -> Option<&'v str> {
        if field(obj, name).is_none() {
            self.error(path(parent, name), "is required");
            return None;
        }
        self.raw_str(obj, parent, name)
    }

    /// An optional text: trimmed and checked against `rule`. An empty string counts as absent.
    pub fn text(
        &mut self,
        obj: &Map<String, Value>,
        parent: &str,
        name: &str,
        rule: Text,
    ) -> Option<String> {
        let s = self.raw_str(obj, parent, name)?;
        if s.trim().is_empty() {
            return None;
        }
        self.apply(parent, name, s, |s| rule.check(s))
    }

    /// A required text: trimmed and checked against `rule`.
    pub fn required_text(
        &mut self,
        obj: &Map<String, Value>,
        parent: &str,
        name: &str,
        rule: Text,
    ) -> Option<String> {
        let s = self.required_raw_str(obj, parent, name)?;
        self.apply(parent, name, s, |s| rule.check(s))
    }

    /// Run `f` on a string field's value, recording its error against the field.
    pub fn apply<T>(
        &mut self,
        parent: &str,
        name: &str,
        value: &str,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match f(value) {
            Ok(v) => Some(v),
            Err(message) => {
                self.error(path(parent, name), message);
                None
            }
        }
    }

    /// An optional array.
    pub fn array<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        parent: &str,
        name: &str,
        max_items: usize,
    ) -> Option<&'v [Value]> {
        let value = field(obj, name)?;
        let Some(items) = value.as_array() else {
            self.error(
                path(parent, name),
                format!("must be an array, got {}", kind(value)),
            );
            return None;
        };
        if items.len() > max_items {
            self.error(
                path(parent, name),
                format!("must have at most {max_items} items, got {}", items.len()),
            );
            return None;
        }
        Some(items)
    }

    /// An optional integer within `range`.
    pub fn integer(
        &mut self,
        obj: &Map<String, Value>,
        parent: &str,
        name: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let value = field(obj, name)?;
        match value.as_i64() {
            Some(n) if range.contains(&n) => Some(n),
            _ => {
                self.error(
                    path(parent, name),
                    format!(
                        "must be a whole number from {} to {}, got {value}",
                        range.start(),
                        range.end()
                    ),
                );
                None
            }
        }
    }
}

/// The JSON type of `value`, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bad_json_syntax_is_a_malformed_request_with_its_position() {
        let e = parse_json(b"{\"name\": }").expect_err("bad");
        assert_eq!(e.status(), 400);
        let detail = e.problem().detail;
        assert!(detail.contains("line 1, column 10"), "{detail}");
    }

    #[test]
    fn empty_and_non_utf8_bodies_are_malformed() {
        assert!(matches!(
            parse_json(b"  \n"),
            Err(Error::Malformed(Malformed::EmptyBody))
        ));
        assert!(matches!(
            parse_json(b"{\"a\": \"\xff\"}"),
            Err(Error::Malformed(Malformed::NotUtf8))
        ));
    }

    #[test]
    fn a_body_that_is_not_an_object_is_invalid_input() {
        let e = Check::body(&json!([1, 2])).expect_err("array");
        assert_eq!(e.status(), 422);
        assert!(e.problem().detail.contains("an array"));
    }

    #[test]
    fn every_bad_field_is_reported_at_once_with_its_path() {
        let v = json!({"name": 5, "recipient": {"email": ["x"]}, "tags": "t"});
        let obj = Check::body(&v).expect("object");
        let mut c = Check::new();
        c.required_text(obj, "", "name", Text::line(10));
        let r = c.required_object(obj, "", "recipient").expect("object");
        c.required_text(r, "recipient", "email", Text::line(10));
        c.array(obj, "", "tags", 5);
        c.required_text(obj, "", "missing", Text::line(10));
        let Err(Error::Invalid(errors)) = c.finish(()) else {
            panic!("expected 422");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "recipient.email", "tags", "missing"]);
        assert_eq!(errors[0].message, "must be a string, got a number");
        assert_eq!(errors[3].message, "is required");
    }

    #[test]
    fn null_counts_as_absent() {
        let v = json!({"description": null});
        let mut c = Check::new();
        assert_eq!(
            c.text(
                Check::body(&v).expect("obj"),
                "",
                "description",
                Text::line(5)
            ),
            None
        );
        assert!(!c.has_errors());
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(Text::line(5).check("  hello "), Ok("hello".to_owned()));
        assert!(Text::line(4).check("hello").is_err());
        assert!(Text::line(5).check("   ").is_err());
        assert!(Text::line(50).check("a\nb").is_err());
        assert_eq!(Text::block(50).check("a\nb"), Ok("a\nb".to_owned()));
        assert!(Text::block(50).check("a\u{0}b").is_err());
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(Text::line(3).check("äöü").is_ok());
    }

    #[test]
    fn integers_must_be_whole_and_in_range() {
        let v = json!({"a": 3, "b": 3.5, "c": "3", "d": 0});
        let obj = Check::body(&v).expect("obj");
        let mut c = Check::new();
        assert_eq!(c.integer(obj, "", "a", 1..=10), Some(3));
        assert_eq!(c.integer(obj, "", "b", 1..=10), None);
        assert_eq!(c.integer(obj, "", "c", 1..=10), None);
        assert_eq!(c.integer(obj, "", "d", 1..=10), None);
        let Err(Error::Invalid(errors)) = c.finish(()) else {
            panic!("expected 422");
        };
        assert_eq!(errors.len(), 3);
        assert_eq!(
            errors[0].message,
            "must be a whole number from 1 to 10, got 3.5"
        );
    }
}
