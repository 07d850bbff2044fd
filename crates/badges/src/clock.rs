//! Timestamps: ISO 8601 / RFC 3339 in UTC with a `Z`, at whole seconds
//! (e.g. `2026-11-22T10:00:00Z`), as Open Badges 2.0 requires a time and a zone designator
//! (docs/standards/ob2.md §1).
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

/// Parse any ISO 8601 date-time that carries a zone designator, as Open Badges 2.0 allows: the
/// extended form (`2016-12-31T23:59:59+00:00`) or the basic one (`20161231T235959Z`), with
/// minute precision (`2016-12-31T23:59Z`) or a decimal fraction of the second or minute, and a
/// zone of `Z`, `±hh`, `±hhmm` or `±hh:mm`. The result is in UTC at whole seconds. API input
/// keeps to [`parse`]; this one is for documents from elsewhere (verification).
pub fn parse_iso8601(s: &str) -> Result<OffsetDateTime, &'static str> {
    const WHY: &str = "must be an ISO 8601 date-time with a zone, e.g. 2026-11-22T10:00:00Z";
    let s = s.trim();
    let (date, rest) = s.split_once(['T', 't']).ok_or(WHY)?;
    let date = iso_date(date).ok_or(WHY)?;
    let zone_at = rest.find(['Z', 'z', '+', '-']).ok_or(WHY)?;
    let (clock, zone) = rest.split_at(zone_at);
    let (h, m, sec, nanos) = iso_clock(clock).ok_or(WHY)?;
    let offset = iso_zone(zone).ok_or(WHY)?;
    let time = time::Time::from_hms_nano(h, m, sec, nanos).map_err(|_| WHY)?;
    Ok(truncate(
        time::PrimitiveDateTime::new(date, time).assume_offset(offset),
    ))
}

/// `YYYY-MM-DD` or `YYYYMMDD`.
fn iso_date(s: &str) -> Option<time::Date> {
    let digits: String = s.chars().filter(|c| *c != '-').collect();
    let extended = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    if !(extended || s.len() == 8)
        || digits.len() != 8
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let year: i32 = digits[..4].parse().ok()?;
    let month: u8 = digits[4..6].parse().ok()?;
    let day: u8 = digits[6..].parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// `hh:mm[:ss][.fff]` or `hhmm[ss][.fff]` (a comma may stand for the point).
fn iso_clock(s: &str) -> Option<(u8, u8, u8, u32)> {
    let (whole, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = if whole.contains(':') {
        whole.split(':').collect()
    } else if whole.len() % 2 == 0 && whole.len() <= 6 {
        (0..whole.len() / 2)
            .map(|i| &whole[2 * i..2 * i + 2])
            .collect()
    } else {
        return None;
    };
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let h: u8 = parts[0].parse().ok()?;
    let m: u8 = parts[1].parse().ok()?;
    let sec: u8 = parts.get(2).map_or(Some(0), |p| p.parse().ok())?;
    let nanos = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            let value: u64 = format!("{f:0<9}").parse().ok()?;
            if parts.len() == 2 {
                // A fraction of the minute: whole seconds are what matters here.
                return Some((h, m, (value * 60 / 1_000_000_000) as u8, 0));
            }
            u32::try_from(value).ok()?
        }
        Some(_) => return None,
    };
    Some((h, m, sec, nanos))
}

/// `Z`, `±hh`, `±hhmm` or `±hh:mm`.
fn iso_zone(s: &str) -> Option<UtcOffset> {
    if s.eq_ignore_ascii_case("z") {
        return Some(UtcOffset::UTC);
    }
    let sign: i8 = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    let colon_ok = !s[1..].contains(':') || (s.len() == 6 && s.as_bytes()[3] == b':');
    if !colon_ok
        || !(digits.len() == 2 || digits.len() == 4)
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let h: i8 = digits[..2].parse().ok()?;
    let m: i8 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
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
    fn every_iso8601_form_with_a_zone_parses() {
        let t = datetime!(2016-12-31 23:59:00 UTC);
        for s in [
            "2016-12-31T23:59Z",
            "2016-12-31T23:59:00Z",
            "2016-12-31T23:59:00.000Z",
            "2016-12-31T23:59:00,5Z",
            "2016-12-31T23:59:00+00:00",
            "2016-12-31T23:59:00+0000",
            "2016-12-31T23:59:00+00",
            "2017-01-01T00:59:00+01:00",
            "2016-12-31T18:59-05:00",
            "20161231T2359Z",
            "20161231T235900Z",
        ] {
            assert_eq!(parse_iso8601(s), Ok(t), "{s}");
        }
        for s in [
            "2016-12-31",
            "2016-12-31T23:59:00",
            "2016-12-31T23Z",
            "2016-12-31T24:61:00Z",
            "2016-13-01T00:00:00Z",
            "2016-12-31T23:59:00+5",
            "2016-12-31T23:59:00 Z",
            "1483228740",
            "",
        ] {
            assert!(parse_iso8601(s).is_err(), "{s} must be refused");
        }
    }

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
