/*!
Timestamps and durations as records store them.

A [`Timestamp`] is a UTC instant with second precision, written as RFC 3339 (`2026-11-21T10:00:00Z`)
in JSON and as a TOML datetime in records. Estimates are work durations (`90m`, `6h`, `2d`,
where a day is a working day of 8 hours); deadlines accept a date (end of that day, UTC) or an
RFC 3339 instant.
*/

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant, truncated to whole seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    pub fn from_datetime(dt: DateTime<Utc>) -> Timestamp {
        Timestamp(Utc.timestamp_opt(dt.timestamp(), 0).single().unwrap_or(dt))
    }

    pub fn from_unix(seconds: i64) -> Option<Timestamp> {
        Utc.timestamp_opt(seconds, 0).single().map(Timestamp)
    }

    pub fn unix(&self) -> i64 {
        self.0.timestamp()
    }

    pub fn datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// Parses RFC 3339 (any offset, converted to UTC), within the years 0000 to 9999.
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        DateTime::parse_from_rfc3339(s.trim())
            .ok()
            .map(|dt| Timestamp::from_datetime(dt.with_timezone(&Utc)))
            .filter(Timestamp::is_writable)
    }

    /// Whether the instant has a four-digit year in UTC: only those print as RFC 3339 and as
    /// TOML datetimes, so a record can store them (an offset can move `0000-01-01T00:00+01:00`
    /// into year -1, which the record writer would drop).
    fn is_writable(&self) -> bool {
        (0..=9999).contains(&self.0.year())
    }

    /// Parses a deadline: RFC 3339, or `YYYY-MM-DD` meaning the end of that day in UTC.
    pub fn parse_deadline(s: &str) -> Result<Timestamp, String> {
        if let Some(ts) = Timestamp::parse_rfc3339(s) {
            return Ok(ts);
        }
        let date = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            format!("{s:?} is not a date: use YYYY-MM-DD or RFC 3339 such as 2026-11-22T18:00:00Z")
        })?;
        let end = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default();
        Some(Timestamp(Utc.from_utc_datetime(&date.and_time(end))))
            .filter(Timestamp::is_writable)
            .ok_or_else(|| format!("{s:?} is out of range: use a year from 0000 to 9999"))
    }

    /// A human description of how long ago this was, relative to `now` (`3m ago`, `2h ago`).
    pub fn ago(&self, now: Timestamp) -> String {
        let secs = now.unix() - self.unix();
        if secs < 0 {
            return format!("in {}", human_seconds(-secs));
        }
        format!("{} ago", human_seconds(secs))
    }
}

fn human_seconds(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M:%SZ"))
    }
}

/// RFC 3339 in human-readable formats (JSON); seconds since the epoch in binary ones (the
/// index cache), where formatting and parsing dates would dominate the cost.
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_i64(self.unix())
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        if !d.is_human_readable() {
            let secs = i64::deserialize(d)?;
            return Timestamp::from_unix(secs)
                .ok_or_else(|| serde::de::Error::custom(format!("{secs} is out of range")));
        }
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Timestamp::parse_rfc3339(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not an RFC 3339 time")))
    }
}

/// Hours in a working day, used by `d` in estimates.
pub const HOURS_PER_DAY: f64 = 8.0;

/// Parses a work estimate into hours: `90m`, `6h`, `1.5h`, `2d` (8 h days), `1w` (5 days),
/// `1h30m`, or a bare number of hours.
pub fn parse_estimate(s: &str) -> Result<f64, String> {
    let err = || {
        format!(
            "{s:?} is not a duration: use a number with a unit, such as 90m, 6h, 1.5h, 2d (8-hour days) or 1w"
        )
    };
    let t = s.trim();
    if t.is_empty() {
        return Err(err());
    }
    if let Ok(hours) = t.parse::<f64>() {
        return check_hours(hours).ok_or_else(err);
    }
    let mut total = 0.0;
    let mut number = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let value: f64 = number.parse().map_err(|_| err())?;
        number.clear();
        total += value
            * match c {
                'm' => 1.0 / 60.0,
                'h' => 1.0,
                'd' => HOURS_PER_DAY,
                'w' => 5.0 * HOURS_PER_DAY,
                _ => return Err(err()),
            };
    }
    if !number.is_empty() {
        return Err(err());
    }
    check_hours(total).ok_or_else(err)
}

/// The largest estimate a task takes, in hours (50 working years): anything larger is a typo
/// or an overflow, and would print as `infh` and break the schedule's sums.
pub const MAX_ESTIMATE_HOURS: f64 = 100_000.0;

/// Whether `hours` is an estimate a task can hold: finite, 0 to [`MAX_ESTIMATE_HOURS`]. The
/// one rule for `--estimate`, records read from the branch and imported tasks.
pub fn is_valid_estimate(hours: f64) -> bool {
    (0.0..=MAX_ESTIMATE_HOURS).contains(&hours)
}

fn check_hours(hours: f64) -> Option<f64> {
    is_valid_estimate(hours).then_some(hours)
}

/// Parses a wall-clock duration (`90m`, `2h`, `1d` = 24 h, `1w` = 7 days, `30s`) into seconds.
pub fn parse_wall_duration(s: &str) -> Result<i64, String> {
    let err =
        || format!("{s:?} is not a duration: use a number with a unit, such as 30m, 2h or 1d");
    let t = s.trim();
    let (number, unit) = t.split_at(t.find(|c: char| c.is_ascii_alphabetic()).ok_or_else(err)?);
    let value: f64 = number.parse().map_err(|_| err())?;
    let seconds = value
        * match unit {
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            "w" => 604_800.0,
            _ => return Err(err()),
        };
    if !(0.0..=1e10).contains(&seconds) {
        return Err(err());
    }
    Ok(seconds.round() as i64)
}

/// How long ago an agent was last seen: `3h ago`, or `never` for one that has not acted.
pub fn seen_ago(seen: Option<Timestamp>, now: Timestamp) -> String {
    seen.map_or_else(|| "never".to_owned(), |t| t.ago(now))
}

/// Formats hours compactly: `6h`, `1.5h`, `45m`.
pub fn format_hours(hours: f64) -> String {
    // Under an hour, whole minutes, and a value that rounds to none is `0h`: what is shown
    // then reads back as a value shown the same way (`0m`, `60m` or `0.01h` would not).
    let minutes = (hours * 60.0).round();
    if hours > 0.0 && minutes < 60.0 {
        return if minutes < 1.0 {
            "0h".to_owned()
        } else {
            format!("{minutes}m")
        };
    }
    // `+ 0.0` turns -0.0 (an empty float sum) into 0.0, which prints without a sign.
    let mut rounded = (hours * 100.0).round() / 100.0 + 0.0;
    if minutes >= 60.0 {
        // 59.5 minutes or more is an hour, not `0.99h` (which reads back as 59 minutes).
        rounded = rounded.max(1.0);
    }
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}h")
    } else {
        format!("{rounded}h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_never_print_a_negative_zero() {
        assert_eq!(format_hours(-0.0), "0h");
        assert_eq!(format_hours(0.004), "0h");
        assert_eq!(format_hours(0.5), "30m");
        assert_eq!(format_hours(Vec::<f64>::new().into_iter().sum()), "0h");
        assert_eq!(format_hours(1.5), "1.5h");
        assert_eq!(format_hours(0.25), "15m");
    }

    #[test]
    fn estimates() {
        assert_eq!(parse_estimate("90m"), Ok(1.5));
        assert_eq!(parse_estimate("6h"), Ok(6.0));
        assert_eq!(parse_estimate("1.5h"), Ok(1.5));
        assert_eq!(parse_estimate("2d"), Ok(16.0));
        assert_eq!(parse_estimate("1h30m"), Ok(1.5));
        assert_eq!(parse_estimate("3"), Ok(3.0));
        for bad in ["", "h", "6x", "-1h", "6h5", "1e999", "NaN", "inf"] {
            assert!(parse_estimate(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn deadlines() {
        assert_eq!(
            Timestamp::parse_deadline("2026-11-22").unwrap().to_string(),
            "2026-11-22T23:59:59Z"
        );
        assert_eq!(
            Timestamp::parse_deadline("2026-11-22T20:00:00+02:00")
                .unwrap()
                .to_string(),
            "2026-11-22T18:00:00Z"
        );
        assert!(Timestamp::parse_deadline("tomorrow").is_err());
    }

    #[test]
    fn wall_durations() {
        assert_eq!(parse_wall_duration("2h"), Ok(7200));
        assert_eq!(parse_wall_duration("1d"), Ok(86_400));
        assert_eq!(parse_wall_duration("90m"), Ok(5400));
        for bad in ["", "2", "h", "2x", "-1h"] {
            assert!(parse_wall_duration(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn hours_format() {
        assert_eq!(format_hours(6.0), "6h");
        assert_eq!(format_hours(1.5), "1.5h");
        assert_eq!(format_hours(0.5), "30m");
    }
}
