//! Rectification deadlines (整改时限): from the moment a finding is recorded, a number of hours or
//! of working days. Working days are judged in the city's zone: Saturdays, Sundays and the public
//! holidays of a [`Holidays`] table are skipped, and the table's make-up working days (调休上班)
//! count even on a weekend. The table for the current year ships in `data/holidays-2026.json` and
//! can be replaced in a store by an edited file ([`crate::Store::set_holidays`], `gridpatrol config
//! set holidays FILE`), checked whole first ([`Holidays::from_json`]).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::Deserialize;

use crate::calendar::CITY_TZ;
use crate::error::{Error, Result};
use crate::model::Deadline;

/// The bundled holiday table (China, 2026).
pub const HOLIDAYS_2026_JSON: &str = include_str!("../data/holidays-2026.json");

/// Public holidays and make-up working days, by date in the city's zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    pub off: BTreeSet<NaiveDate>,
    pub workdays: BTreeSet<NaiveDate>,
}

#[derive(Deserialize)]
struct HolidayFile {
    holidays: Vec<HolidayRange>,
    #[serde(default)]
    workdays: Vec<NaiveDate>,
}

#[derive(Deserialize)]
struct HolidayRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl Holidays {
    /// Reads a table in the format of `data/holidays-2026.json`.
    pub fn from_json(text: &str) -> Result<Holidays> {
        let file: HolidayFile =
            serde_json::from_str(text).map_err(|e| Error::CategoryData(format!("holiday table: {e}")))?;
        let mut off = BTreeSet::new();
        for range in file.holidays {
            if range.to < range.from || (range.to - range.from).num_days() > 31 {
                return Err(Error::CategoryData(format!("holiday table: bad range {} – {}", range.from, range.to)));
            }
            let mut day = range.from;
            while day <= range.to {
                off.insert(day);
                day += Duration::days(1);
            }
        }
        Ok(Holidays { off, workdays: file.workdays.into_iter().collect() })
    }

    /// The table that ships with the app.
    pub fn bundled() -> &'static Holidays {
        static BUNDLED: OnceLock<Holidays> = OnceLock::new();
        BUNDLED.get_or_init(|| Holidays::from_json(HOLIDAYS_2026_JSON).expect("the bundled holiday table is valid"))
    }

    /// Whether `day` (a date in the city's zone) is a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.off.contains(&day)
    }
}

/// The due time of a deadline counted from `from`, over the bundled holiday table.
pub fn due_at(deadline: Deadline, from: DateTime<Utc>) -> DateTime<Utc> {
    due_at_with(deadline, from, Holidays::bundled())
}

/// The due time of a deadline counted from `from`: hours straight through, or working days over
/// `holidays` (the same time of day on the n-th following working day, in the city's zone).
pub fn due_at_with(deadline: Deadline, from: DateTime<Utc>, holidays: &Holidays) -> DateTime<Utc> {
    match deadline {
        Deadline::Hours(h) => from + Duration::hours(i64::from(h)),
        Deadline::WorkingDays(days) => {
            let mut local = from.with_timezone(&CITY_TZ);
            let mut left = days;
            while left > 0 {
                local += Duration::days(1);
                if holidays.is_working_day(local.date_naive()) {
                    left -= 1;
                }
            }
            local.with_timezone(&Utc)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn hours_count_straight_through() {
        assert_eq!(due_at(Deadline::Hours(24), at("2026-11-27T10:00:00+08:00")), at("2026-11-28T10:00:00+08:00"));
    }

    #[test]
    fn working_days_skip_the_weekend_in_the_city_zone() {
        // Friday 10:00 Beijing + 1 working day = Monday 10:00,
        assert_eq!(
            due_at(Deadline::WorkingDays(1), at("2026-11-27T10:00:00+08:00")),
            at("2026-11-30T10:00:00+08:00"),
            "a working-day deadline from a Friday lands on Monday"
        );
        // Saturday 07:00 Beijing is Friday 23:00 UTC: the weekend is judged in Beijing time.
        assert_eq!(
            due_at(Deadline::WorkingDays(1), at("2026-11-28T07:00:00+08:00")),
            at("2026-11-30T07:00:00+08:00"),
            "the weekend is judged in the city's zone, not in UTC"
        );
        assert_eq!(due_at(Deadline::WorkingDays(3), at("2026-11-25T09:00:00+08:00")), at("2026-11-30T09:00:00+08:00"));
    }

    #[test]
    fn working_days_skip_holidays_and_count_make_up_days() {
        // Wednesday 30 Sep + 1 working day: 1–7 Oct are 国庆 holidays, Thursday 8 Oct is the next working day.
        assert_eq!(due_at(Deadline::WorkingDays(1), at("2026-09-30T10:00:00+08:00")), at("2026-10-08T10:00:00+08:00"));
        // Friday 9 Oct + 1: Saturday 10 Oct is a make-up working day.
        assert_eq!(due_at(Deadline::WorkingDays(1), at("2026-10-09T10:00:00+08:00")), at("2026-10-10T10:00:00+08:00"));
        // Without a table the same deadline lands on Thursday 1 Oct.
        assert_eq!(
            due_at_with(Deadline::WorkingDays(1), at("2026-09-30T10:00:00+08:00"), &Holidays::default()),
            at("2026-10-01T10:00:00+08:00")
        );
        let h = Holidays::bundled();
        assert_eq!(h.off.len(), 3 + 9 + 3 + 5 + 3 + 3 + 7, "every holiday day of 2026 is in the table");
        assert!(h.is_working_day(NaiveDate::from_ymd_opt(2026, 2, 14).unwrap()), "a make-up Saturday");
        assert!(!h.is_working_day(NaiveDate::from_ymd_opt(2026, 2, 16).unwrap()), "a Spring Festival Monday");
    }
}
