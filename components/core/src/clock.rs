//! Timestamps: ISO 8601 / RFC 3339 in UTC with a `Z`, at whole seconds
//! (e.g. `2026-11-22T10:00:00Z`), as Open Badges 2.0 requires a time and a zone designator
//! (SPEC-NOTES §1.1).
//!
//! Records store timestamps in the same form, through the serde helpers [`ts`] and
//! [`ts_opt`].

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

/// `t` in UTC, truncated to whole seconds.
pub fn truncate(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
}

/// The instant `seconds` (+ `nanos`) after the Unix epoch, in UTC. Out-of-range input clamps to
/// the epoch (the host clock is trusted to be sane).
pub fn from_unix(seconds: i64, nanos: u32) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map(|t| t + Duration::nanoseconds(i64::from(nanos)))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Format as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format(t: OffsetDateTime) -> String {
    // Rfc3339 formatting fails only for years outside 0..=9999, which parse() never yields.
    truncate(t)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// Parse an RFC 3339 timestamp that includes a zone (`Z` or `±hh:mm`); the result is in UTC
/// at whole seconds.
pub fn parse(s: &str) -> Result<OffsetDateTime, &'static str> {
    OffsetDateTime::parse(s.trim(), &Rfc3339)
        .map(truncate)
        .map_err(|_| "must be an RFC 3339 date-time with a zone, e.g. 2026-11-22T10:00:00Z")
}

/// A date for people: `22 November 2026`.
pub fn human_date(t: OffsetDateTime) -> String {
    let t = truncate(t);
    format!("{} {} {}", t.day(), t.month(), t.year())
}

/// Serde helpers for an `OffsetDateTime` stored as RFC 3339.
pub mod ts {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    /// Serialise as `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format(*t))
    }

    /// Parse an RFC 3339 string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Serde helpers for an `Option<OffsetDateTime>` stored as RFC 3339 or null.
pub mod ts_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    /// Serialise as `YYYY-MM-DDTHH:MM:SSZ` or null.
    pub fn serialize<S: Serializer>(t: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::format(*t)),
            None => s.serialize_none(),
        }
    }

    /// Parse an RFC 3339 string or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        let s = <Option<std::borrow::Cow<'de, str>>>::deserialize(d)?;
        s.map(|s| super::parse(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_are_formatted_in_utc_with_a_z() {
        assert_eq!(
            format(datetime!(2026-11-22 11:00:00.75 +01:00)),
            "2026-11-22T10:00:00Z"
        );
    }

    #[test]
    fn offsets_are_converted_to_utc_when_parsing() {
        assert_eq!(
            parse("2026-11-22T12:30:00+02:30"),
            Ok(datetime!(2026-11-22 10:00:00 UTC))
        );
    }

    #[test]
    fn timestamps_without_a_zone_or_time_are_rejected() {
        for bad in [
            "2026-11-22T10:00:00",
            "2026-11-22",
            "1700000000",
            "yesterday",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn human_dates_spell_the_month() {
        assert_eq!(
            human_date(datetime!(2026-11-02 10:00 UTC)),
            "2 November 2026"
        );
    }

    #[test]
    fn unix_time_converts_to_utc() {
        assert_eq!(from_unix(0, 0), OffsetDateTime::UNIX_EPOCH);
        assert_eq!(format(from_unix(1_795_341_600, 5)), "2026-11-22T10:00:00Z");
    }
}
