//! Calendar arithmetic, on the `time` crate: ISO dates and timestamps as
//! partition bounds are written, months and days added to dates for
//! generated partitions, the catalog's spelling of bound timestamps, and
//! RFC 3339 stamps for saved plans.
//!
//! Invariants:
//! - Dates are proleptic Gregorian (as PostgreSQL's), years within
//!   ±999,999 (`time`'s `large-dates`); anything outside, or any invalid
//!   date (`2025-02-30`), gives `None`, never a panic and never a date the
//!   text did not say.
//! - Dates print as `YYYY-MM-DD`, times as `HH:MM:SS[.ffffff]` with the
//!   fraction's trailing zeros cut, as PostgreSQL prints them.
//! - Pure: only [`rfc3339_utc`] reads a clock value, and only the one it
//!   is given.

use std::time::{SystemTime, UNIX_EPOCH};
pub(crate) use time::Date;
use time::Month;

/// The Julian day of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The date `year-month-day`, if there is one.
pub(crate) fn date(year: i64, month: u32, day: u32) -> Option<Date> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// The date at the start of `text` (`2025-01-01`, optionally followed by a
/// time, which is ignored).
pub(crate) fn parse_date_prefix(text: &str) -> Option<Date> {
    parse_ymd(text.get(..10)?)
}

/// `date` plus `days` (negative: earlier).
pub(crate) fn add_days(date: Date, days: i64) -> Option<Date> {
    from_days(to_days(date).checked_add(days)?)
}

/// `date` plus `months`; the day is clamped to the new month's length
/// (`2025-01-31` + 1 month = `2025-02-28`).
pub(crate) fn add_months(date: Date, months: i64) -> Option<Date> {
    let total = i64::from(date.year())
        .checked_mul(12)?
        .checked_add(i64::from(u8::from(date.month())) - 1)?
        .checked_add(months)?;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).ok()?).ok()?;
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

/// `date` plus `years`; 29 February becomes 28 February off leap years.
pub(crate) fn add_years(date: Date, years: i64) -> Option<Date> {
    add_months(date, years.checked_mul(12)?)
}

/// `YYYY-MM-DD`.
pub(crate) fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A date and a time of day with an optional UTC offset, as a partition
/// bound writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timestamp {
    pub date: Date,
    /// Microseconds since midnight; `24:00` and a leap second `:60` are
    /// kept as written until [`Timestamp::to_utc`] carries them over.
    pub micros: i64,
    pub offset_seconds: Option<i64>,
}

impl Timestamp {
    /// The same instant at offset zero (a timestamp without offset is
    /// taken as UTC, the TimeZone schemac pins).
    pub(crate) fn to_utc(self) -> Option<Timestamp> {
        let offset = self.offset_seconds.unwrap_or(0);
        let total = to_days(self.date)
            .checked_mul(MICROS_PER_DAY)?
            .checked_add(self.micros)?
            .checked_sub(offset.checked_mul(1_000_000)?)?;
        Some(Timestamp {
            date: from_days(total.div_euclid(MICROS_PER_DAY))?,
            micros: total.rem_euclid(MICROS_PER_DAY),
            offset_seconds: Some(0),
        })
    }

    /// `YYYY-MM-DD`.
    pub(crate) fn date_string(&self) -> String {
        format_date(self.date)
    }

    /// `HH:MM:SS`, with `.ffffff` (trailing zeros cut) when there is a
    /// fraction.
    pub(crate) fn time_string(&self) -> String {
        let seconds = self.micros / 1_000_000;
        let fraction = self.micros % 1_000_000;
        let mut res = format!(
            "{:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
        if fraction > 0 {
            let digits = format!("{fraction:06}");
            res.push('.');
            res.push_str(digits.trim_end_matches('0'));
        }
        res
    }
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|±HH[[:]MM]]`.
pub(crate) fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let (date_text, rest) = text.split_at(text.find([' ', 'T']).unwrap_or(text.len()));
    let date = parse_ymd(date_text)?;
    let rest = rest.trim_start_matches([' ', 'T']).trim();
    if rest.is_empty() {
        return Some(Timestamp {
            date,
            micros: 0,
            offset_seconds: None,
        });
    }
    let zone_start = rest.find(['+', '-', 'Z', 'z']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(zone_start);
    let micros = parse_time(time.trim())?;
    let offset_seconds = parse_offset(zone.trim())?;
    Some(Timestamp {
        date,
        micros,
        offset_seconds,
    })
}

/// `2025-01-31T12:34:56Z`: `time` in UTC to the second (a time before
/// 1970 prints as 1970-01-01T00:00:00Z). The format of saved plans'
/// `created_at`.
pub fn rfc3339_utc(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Past `time`'s last date (year 999,999) the stamp is clamped to it.
    let day = format_date(from_days(days).unwrap_or(Date::MAX));
    format!(
        "{day}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01.
fn to_days(date: Date) -> i64 {
    i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
}

/// The date `days` after 1970-01-01.
fn from_days(days: i64) -> Option<Date> {
    let julian = i32::try_from(days.checked_add(UNIX_EPOCH_JULIAN_DAY)?).ok()?;
    Date::from_julian_day(julian).ok()
}

/// `Y-M-D` with decimal parts (`2025-1-01` reads too, as PostgreSQL's
/// date input does).
fn parse_ymd(text: &str) -> Option<Date> {
    let mut parts = text.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    date(year, month, day)
}

fn parse_time(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, ':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let (seconds, fraction) = match parts.next() {
        Some(seconds) => match seconds.split_once('.') {
            Some((whole, fraction)) => (whole.parse::<i64>().ok()?, fraction),
            None => (seconds.parse::<i64>().ok()?, ""),
        },
        None => (0, ""),
    };
    if hours > 24 || minutes > 59 || seconds > 60 || fraction.len() > 6 {
        return None;
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let fraction_micros: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<6}").parse().ok()?
    };
    Some(((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + fraction_micros)
}

/// The offset of a zone suffix in seconds: `Some(None)` when there is no
/// suffix, `None` when the suffix does not read.
fn parse_offset(text: &str) -> Option<Option<i64>> {
    if text.is_empty() {
        return Some(None);
    }
    if text.eq_ignore_ascii_case("z") {
        return Some(Some(0));
    }
    let (sign, digits) = match text.split_at(1) {
        ("+", rest) => (1, rest),
        ("-", rest) => (-1, rest),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        1 | 2 => (digits.parse::<i64>().ok()?, 0),
        4 => (
            digits[..2].parse::<i64>().ok()?,
            digits[2..].parse::<i64>().ok()?,
        ),
        _ => return None,
    };
    Some(Some(sign * (hours * 3600 + minutes * 60)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ymd(year: i64, month: u32, day: u32) -> Date {
        date(year, month, day).expect("valid test date")
    }

    #[test]
    fn dates_are_validated() {
        assert_eq!(parse_date_prefix("2025-02-01"), Some(ymd(2025, 2, 1)));
        assert_eq!(
            parse_date_prefix("2025-02-01 00:00:00+00"),
            Some(ymd(2025, 2, 1))
        );
        assert_eq!(parse_date_prefix("2024-02-29"), Some(ymd(2024, 2, 29)));
        assert_eq!(parse_date_prefix("2025-02-29"), None);
        assert_eq!(parse_date_prefix("1900-02-29"), None);
        assert_eq!(parse_date_prefix("2000-02-29"), Some(ymd(2000, 2, 29)));
        assert_eq!(parse_date_prefix("2025-02-30"), None);
        assert_eq!(parse_date_prefix("2025-13-01"), None);
        assert_eq!(parse_date_prefix("2025-00-01"), None);
        assert_eq!(parse_date_prefix("soon"), None);
        assert_eq!(parse_date_prefix("2025-02"), None);
    }

    #[test]
    fn arithmetic() {
        let add_m = |d, n| add_months(d, n).map(format_date);
        assert_eq!(add_m(ymd(2025, 1, 31), 1).as_deref(), Some("2025-02-28"));
        assert_eq!(add_m(ymd(2024, 1, 31), 1).as_deref(), Some("2024-02-29"));
        assert_eq!(add_m(ymd(2024, 12, 1), 1).as_deref(), Some("2025-01-01"));
        assert_eq!(add_m(ymd(2025, 3, 15), -3).as_deref(), Some("2024-12-15"));
        assert_eq!(add_m(ymd(2025, 1, 1), 25).as_deref(), Some("2027-02-01"));
        assert_eq!(
            add_days(ymd(2024, 2, 28), 1).map(format_date).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(
            add_days(ymd(2024, 12, 30), 7).map(format_date).as_deref(),
            Some("2025-01-06")
        );
        assert_eq!(
            add_years(ymd(2024, 2, 29), 1).map(format_date).as_deref(),
            Some("2025-02-28")
        );
        assert_eq!(to_days(ymd(1970, 1, 1)), 0);
        assert_eq!(to_days(ymd(2025, 1, 1)), 20_089);
        assert_eq!(from_days(-1), Some(ymd(1969, 12, 31)));
        // Out of range: None, not a panic.
        assert_eq!(add_days(ymd(2025, 1, 1), i64::MAX), None);
        assert_eq!(add_months(ymd(2025, 1, 1), i64::MAX), None);
        assert_eq!(add_years(ymd(2025, 1, 1), 10_000_000), None);
    }

    #[test]
    fn timestamps() {
        let utc = |text: &str| {
            let stamp = parse_timestamp(text)?.to_utc()?;
            Some(format!("{} {}", stamp.date_string(), stamp.time_string()))
        };
        assert_eq!(
            utc("2025-02-01 00:00:00+02").as_deref(),
            Some("2025-01-31 22:00:00")
        );
        assert_eq!(
            utc("2025-01-01T05:30:00-03:30").as_deref(),
            Some("2025-01-01 09:00:00")
        );
        assert_eq!(
            utc("2024-12-31 23:59:59.5Z").as_deref(),
            Some("2024-12-31 23:59:59.5")
        );
        assert_eq!(
            utc("2024-03-01 01:00+0130").as_deref(),
            Some("2024-02-29 23:30:00")
        );
        assert_eq!(
            utc("2025-01-01 24:00").as_deref(),
            Some("2025-01-02 00:00:00")
        );
        assert_eq!(
            utc("2025-01-01 12:00:00.000120").as_deref(),
            Some("2025-01-01 12:00:00.00012")
        );
        let plain = parse_timestamp("2025-01-01 12:34").expect("reads");
        assert_eq!(plain.offset_seconds, None);
        assert_eq!(plain.time_string(), "12:34:00");
        assert_eq!(parse_timestamp("2025-01-01 25:00"), None);
        assert_eq!(
            parse_timestamp("2025-01-01 12:00+1"),
            parse_timestamp("2025-01-01 12:00+01")
        );
        assert_eq!(parse_timestamp("2025-01-01 12:00 CET"), None);
        assert_eq!(parse_timestamp("2025-01-01 12:00.1234567"), None);
        assert_eq!(
            parse_timestamp("12345-01-01")
                .map(|s| s.date_string())
                .as_deref(),
            Some("12345-01-01")
        );
    }

    #[test]
    fn rfc3339() {
        let at = |secs: u64| rfc3339_utc(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(1_738_326_896), "2025-01-31T12:34:56Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH - Duration::from_secs(5)),
            "1970-01-01T00:00:00Z"
        );
    }
}
