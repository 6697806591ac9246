//! Business days (SPEC §4): a calendar of weekends plus configured holidays in a configured
//! time zone, and spans of business or calendar days counted on it. Which deadline runs for
//! how long is the deadline policy's ([`super::deadlines`]).
//!
//! Business-day rule: from an instant on a business day, N business days later is the same
//! local wall-clock time on the Nth business day after it (Monday 10:00 + 5 = next Monday
//! 10:00). From an instant on a weekend or holiday, the clock starts at the next business day,
//! so the deadline is the end of the Nth business day (local midnight after it). Calendar days
//! keep the wall-clock time too, so "7 days" is 7 local days across a DST change. A local time
//! that does not exist (a DST gap) moves forward by the gap; an ambiguous one takes the earlier.

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

pub use super::config::ConfigError;

/// Weekends (Saturday, Sunday) and a holiday list, in one time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    tz: Tz,
    holidays: BTreeSet<NaiveDate>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self::new(Tz::UTC, [])
    }
}

impl BusinessCalendar {
    pub fn new(tz: Tz, holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            tz,
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Parses an IANA zone name (`Europe/Madrid`) and a comma- or whitespace-separated list of
    /// ISO dates (`2026-12-25, 2027-01-01`). Empty strings mean UTC and no holidays.
    pub fn parse(tz: &str, holidays: &str) -> Result<Self, ConfigError> {
        let tz = match tz.trim() {
            "" => Tz::UTC,
            name => Tz::from_str(name).map_err(|_| {
                ConfigError::new("CPOR_TIME_ZONE", format!("unknown time zone {name:?}"))
            })?,
        };
        let holidays = holidays
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|s| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                    ConfigError::new(
                        "CPOR_HOLIDAYS",
                        format!("{s:?} is not a date like 2026-12-25"),
                    )
                })
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        Ok(Self { tz, holidays })
    }

    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    /// The first business day strictly after `date`.
    pub fn next_business_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        loop {
            // Dates near chrono's maximum do not occur in this domain; stay put rather than panic.
            d = match d.succ_opt() {
                Some(next) => next,
                None => return d,
            };
            if self.is_business_day(d) {
                return d;
            }
        }
    }

    /// `start` plus `n` business days (see the module docs for the rule).
    pub fn add_business_days(&self, start: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        if n == 0 {
            return start;
        }
        let local = start.with_timezone(&self.tz);
        let start_date = local.date_naive();
        let mut d = start_date;
        for _ in 0..n {
            d = self.next_business_day(d);
        }
        if self.is_business_day(start_date) {
            self.resolve(d.and_time(local.time()))
        } else {
            let end_of_day = d.succ_opt().unwrap_or(d);
            self.resolve(end_of_day.and_time(NaiveTime::MIN))
        }
    }

    /// The instant `n` business days before `end`: the same local wall-clock time on the Nth
    /// business day before `end`'s date (a reminder "two business days before" a Wednesday
    /// 10:00 deadline is Monday 10:00; before a Monday's, the Thursday before).
    pub fn business_days_before(&self, end: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let local = end.with_timezone(&self.tz);
        let mut d = local.date_naive();
        let mut counted = 0;
        while counted < n {
            d = match d.pred_opt() {
                Some(p) => p,
                None => break,
            };
            if self.is_business_day(d) {
                counted += 1;
            }
        }
        self.resolve(d.and_time(local.time()))
    }

    /// `start` plus `n` calendar days at the same local wall-clock time.
    pub fn add_calendar_days(&self, start: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let local = start.with_timezone(&self.tz);
        let date = local
            .date_naive()
            .checked_add_days(Days::new(u64::from(n)))
            .unwrap_or(local.date_naive());
        self.resolve(date.and_time(local.time()))
    }

    /// Business days in the half-open local date range `(from, to]`.
    pub fn business_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut count = 0;
        let mut d = from;
        while d < to {
            d = match d.succ_opt() {
                Some(n) => n,
                None => break,
            };
            if self.is_business_day(d) {
                count += 1;
            }
        }
        count
    }

    /// A local wall-clock time as an instant: the earlier of an ambiguous pair, and a time in a
    /// DST gap moved forward by the gap (interpreted with the offset in force before it).
    fn resolve(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
            LocalResult::None => {
                let before = local - chrono::Duration::days(1);
                let offset = self
                    .tz
                    .offset_from_local_datetime(&before)
                    .earliest()
                    .map(|o| chrono::Offset::fix(&o))
                    .unwrap_or_else(|| chrono::Offset::fix(&Utc));
                Utc.from_utc_datetime(&(local - offset))
            }
        }
    }
}

/// A duration in business or calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "unit", content = "days")]
pub enum Span {
    BusinessDays(u32),
    CalendarDays(u32),
}

impl Span {
    /// Parses `7d` (calendar days) or `5bd` (business days).
    pub fn parse(setting: &'static str, raw: &str) -> Result<Self, ConfigError> {
        let s = raw.trim();
        let err = || ConfigError::new(setting, format!("{s:?} is not a span like 7d or 5bd"));
        let (digits, business) = match s.strip_suffix("bd") {
            Some(d) => (d, true),
            None => (s.strip_suffix('d').ok_or_else(err)?, false),
        };
        let n: u32 = digits.parse().map_err(|_| err())?;
        if n == 0 || n > 366 {
            return Err(ConfigError::new(setting, "must be between 1 and 366 days"));
        }
        Ok(if business {
            Self::BusinessDays(n)
        } else {
            Self::CalendarDays(n)
        })
    }

    pub fn after(self, cal: &BusinessCalendar, start: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Self::BusinessDays(n) => cal.add_business_days(start, n),
            Self::CalendarDays(n) => cal.add_calendar_days(start, n),
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BusinessDays(n) => write!(f, "{n}bd"),
            Self::CalendarDays(n) => write!(f, "{n}d"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn five_business_days_from_a_monday_is_the_next_monday_same_time() {
        let cal = BusinessCalendar::default();
        // 2026-11-23 is a Monday.
        assert_eq!(
            cal.add_business_days(utc("2026-11-23T10:00:00Z"), 5),
            utc("2026-11-30T10:00:00Z")
        );
        // From a Thursday the weekend is skipped: Fri, Mon, Tue, Wed, Thu.
        assert_eq!(
            cal.add_business_days(utc("2026-11-26T16:30:00Z"), 5),
            utc("2026-12-03T16:30:00Z")
        );
    }

    #[test]
    fn two_business_days_before_skips_weekends_and_holidays_and_keeps_the_time() {
        // 2026-12-02 is a Wednesday: Monday the 30th at the same time.
        let cal = BusinessCalendar::default();
        assert_eq!(
            cal.business_days_before(utc("2026-12-02T10:00:00Z"), 2),
            utc("2026-11-30T10:00:00Z")
        );
        // before a Monday: Thursday and Friday of the week before
        assert_eq!(
            cal.business_days_before(utc("2026-12-07T10:00:00Z"), 2),
            utc("2026-12-03T10:00:00Z")
        );
        // a holiday on the Friday pushes it to Wednesday
        let cal = BusinessCalendar::new(chrono_tz::UTC, [date("2026-12-04")]);
        assert_eq!(
            cal.business_days_before(utc("2026-12-07T10:00:00Z"), 2),
            utc("2026-12-02T10:00:00Z")
        );
        assert_eq!(
            cal.business_days_before(utc("2026-12-07T10:00:00Z"), 0),
            utc("2026-12-07T10:00:00Z")
        );
    }

    #[test]
    fn a_weekend_start_runs_to_the_end_of_the_nth_business_day() {
        let cal = BusinessCalendar::default();
        // Saturday 2026-11-28: Mon..Fri are the five days, due at the end of Friday 12-04.
        assert_eq!(
            cal.add_business_days(utc("2026-11-28T09:00:00Z"), 5),
            utc("2026-12-05T00:00:00Z")
        );
        assert_eq!(
            cal.add_business_days(utc("2026-11-29T23:59:00Z"), 1),
            utc("2026-12-01T00:00:00Z")
        );
    }

    #[test]
    fn holidays_are_skipped_across_month_and_year_ends() {
        let cal = BusinessCalendar::parse("UTC", "2026-12-25, 2027-01-01").unwrap();
        // Thu 2026-12-24 + 1 → Fri 25 is a holiday → Mon 28.
        assert_eq!(
            cal.add_business_days(utc("2026-12-24T12:00:00Z"), 1),
            utc("2026-12-28T12:00:00Z")
        );
        // Wed 2026-12-30 + 3 → Thu 31, (Fri 1 holiday), Mon 4, Tue 5.
        assert_eq!(
            cal.add_business_days(utc("2026-12-30T08:00:00Z"), 3),
            utc("2027-01-05T08:00:00Z")
        );
        // Month end without holidays: Fri 2026-10-30 + 1 → Mon 2026-11-02.
        assert_eq!(
            cal.add_business_days(utc("2026-10-30T08:00:00Z"), 1),
            utc("2026-11-02T08:00:00Z")
        );
        // A holiday start counts like a weekend start.
        assert_eq!(
            cal.add_business_days(utc("2026-12-25T15:00:00Z"), 1),
            utc("2026-12-29T00:00:00Z")
        );
    }

    #[test]
    fn business_days_keep_local_wall_time_across_spring_and_autumn_dst() {
        let cal = BusinessCalendar::parse("Europe/Madrid", "").unwrap();
        // Madrid springs forward on Sunday 2027-03-28. Fri 26 10:00 CET (09:00Z) + 1 bd =
        // Mon 29 10:00 CEST (08:00Z): 71 hours of real time.
        let due = cal.add_business_days(utc("2027-03-26T09:00:00Z"), 1);
        assert_eq!(due, utc("2027-03-29T08:00:00Z"));
        assert_eq!((due - utc("2027-03-26T09:00:00Z")).num_hours(), 71);
        // And falls back on Sunday 2026-10-25: Fri 23 10:00 CEST + 1 bd = Mon 26 10:00 CET, 73 h.
        let due = cal.add_business_days(utc("2026-10-23T08:00:00Z"), 1);
        assert_eq!(due, utc("2026-10-26T09:00:00Z"));
        assert_eq!((due - utc("2026-10-23T08:00:00Z")).num_hours(), 73);
    }

    #[test]
    fn the_local_date_decides_the_business_day_not_the_utc_date() {
        let cal = BusinessCalendar::parse("America/New_York", "").unwrap();
        // Saturday 2026-11-28 02:00Z is still Friday 21:00 in New York: a business day.
        assert_eq!(
            cal.add_business_days(utc("2026-11-28T02:00:00Z"), 1),
            utc("2026-12-01T02:00:00Z")
        );
        let tokyo = BusinessCalendar::parse("Asia/Tokyo", "").unwrap();
        // Friday 2026-11-27 16:00Z is Saturday 01:00 in Tokyo: a weekend start.
        assert_eq!(
            tokyo.add_business_days(utc("2026-11-27T16:00:00Z"), 1),
            utc("2026-11-30T15:00:00Z")
        );
    }

    #[test]
    fn calendar_days_keep_wall_time_and_step_over_a_dst_gap() {
        let cal = BusinessCalendar::parse("Europe/Madrid", "").unwrap();
        // Approved Sat 2027-03-27 12:00 CET; 7 days later is Sat 04-03 12:00 CEST: 167 h.
        let due = cal.add_calendar_days(utc("2027-03-27T11:00:00Z"), 7);
        assert_eq!(due, utc("2027-04-03T10:00:00Z"));
        // São Paulo skipped 00:00–01:00 on 2018-11-04: a midnight start a day earlier lands at
        // 01:00 -02 (03:00Z), after the gap, not an hour before.
        let sp = BusinessCalendar::parse("America/Sao_Paulo", "").unwrap();
        assert_eq!(
            sp.add_calendar_days(utc("2018-11-03T03:30:00Z"), 1),
            utc("2018-11-04T03:30:00Z")
        );
        assert_eq!(
            sp.add_calendar_days(utc("2018-11-03T03:00:00Z"), 1),
            utc("2018-11-04T03:00:00Z")
        );
    }

    #[test]
    fn config_parsing_names_the_bad_setting() {
        assert_eq!(
            BusinessCalendar::parse("Mars/Olympus", "")
                .unwrap_err()
                .setting,
            "CPOR_TIME_ZONE"
        );
        assert_eq!(
            BusinessCalendar::parse("UTC", "2026-13-01")
                .unwrap_err()
                .setting,
            "CPOR_HOLIDAYS"
        );
        assert_eq!(Span::parse("X", "5bd"), Ok(Span::BusinessDays(5)));
        assert_eq!(Span::parse("X", "7d"), Ok(Span::CalendarDays(7)));
        assert!(Span::parse("X", "0d").is_err());
        assert!(Span::parse("X", "seven").is_err());
    }

    /// Zones with DST on both hemispheres, one without, and one far from UTC.
    const ZONES: [&str; 5] = [
        "UTC",
        "Europe/Madrid",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Kolkata",
    ];

    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        // 2024-01-01 .. 2030-01-01, minute resolution.
        (1_704_067_200i64..1_893_456_000i64).prop_map(|s| Utc.timestamp_opt(s - s % 60, 0).unwrap())
    }

    fn calendar() -> impl Strategy<Value = BusinessCalendar> {
        (
            0..ZONES.len(),
            proptest::collection::btree_set(0u64..2200, 0..40),
        )
            .prop_map(|(z, offs)| {
                let base = date("2024-01-01");
                BusinessCalendar::new(
                    Tz::from_str(ZONES[z]).unwrap(),
                    offs.into_iter().map(|o| base + Days::new(o)),
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn business_day_arithmetic_counts_exactly_n_business_days(
            cal in calendar(), start in instant(), n in 1u32..15
        ) {
            let due = cal.add_business_days(start, n);
            let tz = cal.time_zone();
            let s = start.with_timezone(&tz);
            let d = due.with_timezone(&tz);
            prop_assert!(due > start);
            if cal.is_business_day(s.date_naive()) {
                // Lands on a business day, n business days after the start date.
                prop_assert!(cal.is_business_day(d.date_naive()));
                prop_assert_eq!(cal.business_days_between(s.date_naive(), d.date_naive()), n);
                // Same wall-clock time unless that time fell into a DST gap on the due date.
                if tz.from_local_datetime(&d.date_naive().and_time(s.time())).single().is_some() {
                    prop_assert_eq!(d.time(), s.time());
                }
            } else {
                // Ends at local midnight after the nth business day.
                let last = d.date_naive().pred_opt().unwrap();
                prop_assert!(cal.is_business_day(last));
                prop_assert_eq!(cal.business_days_between(s.date_naive(), last), n);
                prop_assert_eq!(d.time(), NaiveTime::MIN);
            }
        }

        #[test]
        fn business_deadlines_are_monotonic_in_start_and_length(
            cal in calendar(), a in instant(), b in instant(), n in 1u32..10
        ) {
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(cal.add_business_days(early, n) <= cal.add_business_days(late, n));
            prop_assert!(cal.add_business_days(early, n) < cal.add_business_days(early, n + 1));
        }

        #[test]
        fn calendar_days_move_by_whole_local_days(cal in calendar(), start in instant(), n in 1u32..40) {
            let due = cal.add_calendar_days(start, n);
            let tz = cal.time_zone();
            let elapsed = (due - start).num_minutes();
            // n days of 24 h, give or take the DST shifts in between (at most 1 h each way here).
            prop_assert!((elapsed - i64::from(n) * 1440).abs() <= 60, "{elapsed}");
            let local_days = (due.with_timezone(&tz).date_naive() - start.with_timezone(&tz).date_naive()).num_days();
            prop_assert!((local_days - i64::from(n)).abs() <= 1);
        }
    }
}
