//! The city's calendar: its time zone (Beijing time), ISO weeks in that zone, and the patrol rhythm
//! (the weekdays an officer is expected to patrol). Times are stored in UTC and shown in the city's zone.
//!
//! What it is not: it counts nothing. The weekly logs ([`crate::weekly`]) and the measures
//! ([`crate::measures`]) take their periods from here.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::error::{Error, Result};

/// The reference city's zone; every Chinese city keeps Beijing time.
pub const CITY_TZ: Tz = chrono_tz::Asia::Shanghai;

/// The days of the week on which an officer is expected to patrol (the city's rhythm, a setting of
/// the store: `gridpatrol config set patrol-days wed,sat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatrolRhythm {
    /// Bit `n` is the weekday `n` days from Monday.
    mask: u8,
}

/// The sample city's rhythm: Wednesday and Saturday.
pub const DEFAULT_RHYTHM: PatrolRhythm = PatrolRhythm { mask: (1 << 2) | (1 << 5) };

const DAY_NAMES: [(&str, &str); 7] = [
    ("mon", "周一"),
    ("tue", "周二"),
    ("wed", "周三"),
    ("thu", "周四"),
    ("fri", "周五"),
    ("sat", "周六"),
    ("sun", "周日"),
];

impl PatrolRhythm {
    pub fn contains(self, day: Weekday) -> bool {
        self.mask & (1 << day.num_days_from_monday()) != 0
    }

    /// How many patrol days a week has.
    pub fn len(self) -> u32 {
        self.mask.count_ones()
    }

    pub fn is_empty(self) -> bool {
        self.mask == 0
    }

    /// Reads `wed,sat` (or `周三,周六`, or `3,6`; commas, spaces or 、 between days).
    pub fn parse(text: &str) -> Result<PatrolRhythm> {
        let bad = |reason: String| Error::Setting { key: "patrol-days".into(), reason };
        let mut mask = 0u8;
        for word in text.split([',', ' ', '、', '，']).map(str::trim).filter(|w| !w.is_empty()) {
            let lower = word.to_ascii_lowercase();
            let n = DAY_NAMES
                .iter()
                .position(|(en, zh)| lower.starts_with(en) || word == *zh || word == zh.replace('周', "星期"))
                .or_else(|| lower.parse::<usize>().ok().filter(|n| (1..=7).contains(n)).map(|n| n - 1))
                .ok_or_else(|| bad(format!("{word} is not a day of the week (mon…sun, 周一…周日, 1…7)")))?;
            if mask & (1 << n) != 0 {
                return Err(bad(format!("{word} is named twice")));
            }
            mask |= 1 << n;
        }
        if mask == 0 {
            return Err(bad("name at least one day, e.g. wed,sat".into()));
        }
        Ok(PatrolRhythm { mask })
    }

    /// `wed,sat`: what [`PatrolRhythm::parse`] reads back.
    pub fn to_text(self) -> String {
        DAY_NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.mask & (1 << i) != 0)
            .map(|(_, (en, _))| *en)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// An ISO week: `2026-W48`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    pub year: i32,
    pub week: u32,
}

impl IsoWeek {
    /// Reads `2026-W48` (the `W` in either case); a week that does not exist is refused.
    pub fn parse(text: &str) -> Result<IsoWeek> {
        let bad = || Error::InvalidWeek(text.to_string());
        let t = text.trim();
        let (y, w) = t.split_once(['W', 'w']).ok_or_else(bad)?;
        let y = y.strip_suffix('-').unwrap_or(y);
        if y.len() != 4
            || w.len() != 2
            || !y.bytes().all(|b| b.is_ascii_digit())
            || !w.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let week = IsoWeek { year: y.parse().map_err(|_| bad())?, week: w.parse().map_err(|_| bad())? };
        NaiveDate::from_isoywd_opt(week.year, week.week, Weekday::Mon).ok_or_else(bad)?;
        Ok(week)
    }

    /// The week a moment falls in, in the city's zone.
    pub fn of(t: DateTime<Utc>) -> IsoWeek {
        let w = t.with_timezone(&CITY_TZ).iso_week();
        IsoWeek { year: w.year(), week: w.week() }
    }

    /// Its Monday.
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).expect("a parsed week exists")
    }

    /// Its Sunday.
    pub fn sunday(self) -> NaiveDate {
        self.monday() + Duration::days(6)
    }

    /// Monday 00:00 in the city's zone, as UTC (inclusive).
    pub fn start(self) -> DateTime<Utc> {
        local_midnight(self.monday())
    }

    /// The next Monday 00:00 in the city's zone, as UTC (exclusive).
    pub fn end(self) -> DateTime<Utc> {
        local_midnight(self.monday() + Duration::days(7))
    }

    /// The week `n` weeks before this one; a week before the calendar's start is refused.
    pub fn back(self, n: u32) -> Result<IsoWeek> {
        let monday = self
            .monday()
            .checked_sub_signed(Duration::weeks(i64::from(n)))
            .ok_or_else(|| Error::InvalidWeek(format!("{self} - {n}")))?;
        let w = monday.iso_week();
        Ok(IsoWeek { year: w.year(), week: w.week() })
    }
}

impl fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

pub(crate) fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    CITY_TZ.from_local_datetime(&naive).earliest().expect("Beijing time has no gaps").with_timezone(&Utc)
}

#[cfg(test)]
mod rhythm_tests {
    use super::*;

    #[test]
    fn patrol_days_read_in_english_chinese_and_numbers() {
        let wed_sat = PatrolRhythm::parse("wed,sat").unwrap();
        assert_eq!(wed_sat, DEFAULT_RHYTHM);
        assert_eq!(PatrolRhythm::parse("周三、周六").unwrap(), DEFAULT_RHYTHM);
        assert_eq!(PatrolRhythm::parse("星期三 星期六").unwrap(), DEFAULT_RHYTHM);
        assert_eq!(PatrolRhythm::parse("3, 6").unwrap(), DEFAULT_RHYTHM);
        assert_eq!(PatrolRhythm::parse("Saturday,Wednesday").unwrap().to_text(), "wed,sat");
        let every = PatrolRhythm::parse("1,2,3,4,5,6,7").unwrap();
        assert_eq!((every.len(), every.contains(Weekday::Sun)), (7, true));
        for bad in ["", " , ", "wed,wed", "funday", "0", "8"] {
            assert!(matches!(PatrolRhythm::parse(bad), Err(Error::Setting { .. })), "{bad:?} is refused");
        }
    }
}

#[cfg(test)]
mod week_tests {
    use super::*;

    #[test]
    fn weeks_parse_and_refuse() {
        let w = IsoWeek::parse("2026-W48").unwrap();
        assert_eq!((w.year, w.week), (2026, 48));
        assert_eq!(w.monday(), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(w.start(), DateTime::parse_from_rfc3339("2026-11-22T16:00:00Z").unwrap());
        let w53 = IsoWeek::parse("2026-w53").unwrap();
        assert_eq!(
            (w53.monday(), w53.sunday()),
            (NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(), NaiveDate::from_ymd_opt(2027, 1, 3).unwrap())
        );
        assert_eq!(IsoWeek::parse("2027-W01").unwrap().monday(), NaiveDate::from_ymd_opt(2027, 1, 4).unwrap());
        for bad in ["2027-W53", "2026-W00", "2026-48", "2026-W4", "W48", "", "2026-W48x", "abcd-W01"] {
            let e = IsoWeek::parse(bad).expect_err(bad);
            assert_eq!(e.code(), "invalid_week", "{bad}");
        }
    }
}
