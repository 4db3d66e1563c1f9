//! Rectification deadlines (处置时限) as city standards publish them, and the one place due times
//! are computed. A minor category's [`Deadline`] has a limit for a normal (一般) case and, where
//! the source gives one, for an urgent (紧急) case; each [`Limit`] is in one of three units:
//!
//! - **小时** ([`Limit::Hours`]): hours straight through, night and holiday included.
//! - **工作日** ([`Limit::WorkingDays`]): the same time of day on the n-th following working day.
//! - **工作时** ([`Limit::WorkingHours`]): hours counted only inside the city's [`OfficeHours`] on
//!   working days; the lunch break, nights, weekends and holidays do not count. A case dispatched
//!   outside office hours starts counting at the next opening.
//!
//! Working days are judged in the city's zone: Saturdays, Sundays and the public holidays of a
//! [`Holidays`] table are skipped, and the table's make-up working days (调休上班) count even on a
//! weekend. The table for 2026 ships in `data/holidays-2026.json` and can be replaced in a store by
//! an edited file ([`crate::Store::set_holidays`], `gridpatrol config set holidays FILE`), checked
//! whole first ([`Holidays::from_json`]). The office hours are a store setting
//! ([`crate::Store::set_office_hours`], `gridpatrol config set office-hours 08:30-12:00,13:30-17:30`).
//!
//! A count that reaches a year the holiday table does not cover cannot know that year's holidays:
//! it counts weekends only for those days and says so in [`Due::warning`]
//! ([`DueWarning::HolidaysNotCovered`]), which the app and the CLI show next to the due time.
//!
//! The functions the case loop calls: [`due`] (a due time from a start instant for a deadline and
//! an urgency), [`resume`] (the due time after a suspension, pushed by the suspended time counted
//! in the limit's unit) and [`remaining`] (the time left, or overdue, on the limit's clock). Time
//! is passed in; nothing here reads a clock.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar::CITY_TZ;
use crate::error::{Error, Result};
use crate::model::{Deadline, Limit, Urgency};

/// The bundled holiday table (China, 2026).
pub const HOLIDAYS_2026_JSON: &str = include_str!("../data/holidays-2026.json");

/// Public holidays and make-up working days, by date in the city's zone, and the years the table
/// covers (a date of another year is judged by the weekend alone, with a [`DueWarning`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    pub off: BTreeSet<NaiveDate>,
    pub workdays: BTreeSet<NaiveDate>,
    pub years: BTreeSet<i32>,
}

#[derive(Deserialize)]
struct HolidayFile {
    #[serde(default, rename = "_note")]
    _note: Option<String>,
    /// The year the table covers; a table of several years lists them in `years`.
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    years: Vec<i32>,
    holidays: Vec<HolidayRange>,
    #[serde(default)]
    workdays: Vec<NaiveDate>,
}

#[derive(Deserialize)]
struct HolidayRange {
    #[serde(default)]
    #[allow(dead_code)]
    name: Option<String>,
    from: NaiveDate,
    to: NaiveDate,
}

impl Holidays {
    /// Reads a table in the format of `data/holidays-2026.json`. The years it covers are its `year`
    /// (or `years`); a table that names none covers the years its dates fall in.
    pub fn from_json(text: &str) -> Result<Holidays> {
        let file: HolidayFile =
            serde_json::from_str(text).map_err(|e| Error::CategoryData(format!("holiday table: {e}")))?;
        let mut off = BTreeSet::new();
        for range in &file.holidays {
            if range.to < range.from || (range.to - range.from).num_days() > 31 {
                return Err(Error::CategoryData(format!("holiday table: bad range {} – {}", range.from, range.to)));
            }
            let mut day = range.from;
            while day <= range.to {
                off.insert(day);
                day += Duration::days(1);
            }
        }
        let workdays: BTreeSet<NaiveDate> = file.workdays.into_iter().collect();
        let mut years: BTreeSet<i32> = file.years.into_iter().chain(file.year).collect();
        if years.is_empty() {
            years = off.iter().chain(workdays.iter()).map(|d| d.year()).collect();
        }
        Ok(Holidays { off, workdays, years })
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

    /// Whether the table knows the holidays of `day`'s year.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.years.contains(&day.year())
    }
}

/// The city's office hours on a working day: one or more periods, in order, not overlapping (the
/// lunch break is the gap between two). 工作时 deadlines count only inside them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OfficeHours {
    pub periods: Vec<(NaiveTime, NaiveTime)>,
}

/// The default office hours, 08:30–12:00 and 13:30–17:30 (7.5 hours, a lunch break of 1.5 hours).
/// A SAMPLE, not taken from a published source: no city standard found defines the clock of its
/// 工作时, so each city sets its own office hours (the setting `deadline.office_hours`).
pub const DEFAULT_OFFICE_HOURS: &str = "08:30-12:00,13:30-17:30";

impl Default for OfficeHours {
    fn default() -> OfficeHours {
        OfficeHours::parse(DEFAULT_OFFICE_HOURS).expect("the default office hours parse")
    }
}

impl OfficeHours {
    /// Reads `08:30-12:00,13:30-17:30`: periods in order, each start before its end, none
    /// overlapping the next. Anything else is refused whole.
    pub fn parse(text: &str) -> Result<OfficeHours> {
        let bad = |reason: String| Error::Setting { key: "office_hours".into(), reason };
        let mut periods: Vec<(NaiveTime, NaiveTime)> = Vec::new();
        for part in text.split(',').map(str::trim) {
            let (a, b) = part.split_once('-').ok_or_else(|| bad(format!("{part:?} is not HH:MM-HH:MM")))?;
            let t = |s: &str| {
                NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad(format!("{s:?} is not a time HH:MM")))
            };
            let (from, to) = (t(a)?, t(b)?);
            if from >= to {
                return Err(bad(format!("{part} ends before it starts")));
            }
            if periods.last().is_some_and(|&(_, end)| end > from) {
                return Err(bad(format!("{part} overlaps or precedes the period before it")));
            }
            periods.push((from, to));
        }
        if periods.is_empty() {
            return Err(bad("no period given".into()));
        }
        Ok(OfficeHours { periods })
    }

    pub fn to_text(&self) -> String {
        self.periods
            .iter()
            .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Minutes of work in one working day.
    pub fn minutes_per_day(&self) -> i64 {
        self.periods.iter().map(|(a, b)| (*b - *a).num_minutes()).sum()
    }
}

/// Why a due time may be wrong: the app and the CLI show it next to the due time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DueWarning {
    /// The count reached days of these years, which the holiday table does not cover: their
    /// holidays are unknown, and only their weekends were skipped.
    HolidaysNotCovered { years: Vec<i32> },
}

impl DueWarning {
    pub fn message(&self, lang: crate::lang::Lang) -> String {
        match (self, lang) {
            (DueWarning::HolidaysNotCovered { years }, crate::lang::Lang::Zh) => format!(
                "节假日表不含 {} 年：期限只跳过了周末，请导入该年的节假日安排（gridpatrol config set holidays FILE）",
                join_years(years)
            ),
            (DueWarning::HolidaysNotCovered { years }, crate::lang::Lang::En) => format!(
                "the holiday table does not cover {}: the deadline skipped weekends only; load that year's holidays (gridpatrol config set holidays FILE)",
                join_years(years)
            ),
        }
    }
}

fn join_years(years: &[i32]) -> String {
    years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
}

/// A due time, and a warning when the holiday table could not tell all the days it counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Due {
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub warning: Option<DueWarning>,
}

/// The calendar a deadline counts over: the holidays and the office hours.
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    pub holidays: &'a Holidays,
    pub office: &'a OfficeHours,
}

/// Collects the uncovered years a count met.
#[derive(Default)]
struct Uncovered(BTreeSet<i32>);

impl Uncovered {
    fn working(&mut self, cal: Calendar<'_>, day: NaiveDate) -> bool {
        if !cal.holidays.covers(day) {
            self.0.insert(day.year());
        }
        cal.holidays.is_working_day(day)
    }

    fn into_due(self, at: DateTime<Utc>) -> Due {
        let warning =
            (!self.0.is_empty()).then(|| DueWarning::HolidaysNotCovered { years: self.0.into_iter().collect() });
        Due { at, warning }
    }
}

/// A local date and time in the city's zone as an instant. Chinese time has no DST, so every local
/// time exists once; `earliest` keeps this total all the same.
fn instant(day: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
    CITY_TZ
        .from_local_datetime(&day.and_time(t))
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(t)))
}

/// The warning for a due time `due_at` counted under `limit` from `from`, for a view that shows a
/// stored due time: the years between the two that the holiday table does not cover (none for 小时).
pub fn span_warning(
    limit: Limit,
    from: DateTime<Utc>,
    due_at: DateTime<Utc>,
    holidays: &Holidays,
) -> Option<DueWarning> {
    if matches!(limit, Limit::Hours(_)) || due_at < from {
        return None;
    }
    let (a, b) = (from.with_timezone(&CITY_TZ).year(), due_at.with_timezone(&CITY_TZ).year());
    let years: Vec<i32> = (a..=b).filter(|y| !holidays.years.contains(y)).collect();
    (!years.is_empty()).then_some(DueWarning::HolidaysNotCovered { years })
}

/// The due time of `limit` counted from `from`.
pub fn due_for(limit: Limit, from: DateTime<Utc>, cal: Calendar<'_>) -> Due {
    let mut seen = Uncovered::default();
    let at = match limit {
        Limit::Hours(h) => from + Duration::hours(i64::from(h)),
        Limit::WorkingDays(days) => add_working_days(from, days, cal, &mut seen),
        Limit::WorkingHours(h) => add_working_minutes(from, i64::from(h) * 60, cal, &mut seen),
    };
    seen.into_due(at)
}

/// The due time of a case of `urgency` under `deadline`, counted from `from` (the dispatch).
pub fn due(deadline: &Deadline, urgency: Urgency, from: DateTime<Utc>, cal: Calendar<'_>) -> Due {
    due_for(deadline.limit(urgency), from, cal)
}

/// The due time after a suspension (缓办) from `suspended_at` to `resumed_at`: the old due time
/// pushed by the suspended time, counted in the limit's unit — calendar time for 小时, the working
/// time inside office hours for 工作时, the working days the suspension crossed for 工作日.
pub fn resume(
    limit: Limit,
    due_at: DateTime<Utc>,
    suspended_at: DateTime<Utc>,
    resumed_at: DateTime<Utc>,
    cal: Calendar<'_>,
) -> Due {
    let mut seen = Uncovered::default();
    if resumed_at <= suspended_at {
        return seen.into_due(due_at);
    }
    let at = match limit {
        Limit::Hours(_) => due_at + (resumed_at - suspended_at),
        Limit::WorkingHours(_) => {
            let spent = working_minutes(suspended_at, resumed_at, cal, &mut seen);
            add_working_minutes(due_at, spent, cal, &mut seen)
        }
        Limit::WorkingDays(_) => {
            let (a, b) =
                (suspended_at.with_timezone(&CITY_TZ).date_naive(), resumed_at.with_timezone(&CITY_TZ).date_naive());
            let mut crossed = 0u32;
            let mut day = a;
            while day < b {
                day += Duration::days(1);
                if seen.working(cal, day) {
                    crossed += 1;
                }
            }
            add_working_days(due_at, crossed, cal, &mut seen)
        }
    };
    seen.into_due(at)
}

/// The time left until `due_at` at `now` on the limit's clock, in minutes (negative when overdue):
/// working minutes inside office hours for 工作时, calendar minutes for 小时 and 工作日.
pub fn remaining(limit: Limit, now: DateTime<Utc>, due_at: DateTime<Utc>, cal: Calendar<'_>) -> i64 {
    match limit {
        Limit::WorkingHours(_) => {
            let mut seen = Uncovered::default();
            if now <= due_at {
                working_minutes(now, due_at, cal, &mut seen)
            } else {
                -working_minutes(due_at, now, cal, &mut seen)
            }
        }
        Limit::Hours(_) | Limit::WorkingDays(_) => (due_at - now).num_minutes(),
    }
}

/// The same time of day on the `days`-th following working day, in the city's zone.
fn add_working_days(from: DateTime<Utc>, days: u32, cal: Calendar<'_>, seen: &mut Uncovered) -> DateTime<Utc> {
    let mut local = from.with_timezone(&CITY_TZ);
    let mut left = days;
    while left > 0 {
        local += Duration::days(1);
        if seen.working(cal, local.date_naive()) {
            left -= 1;
        }
    }
    local.with_timezone(&Utc)
}

/// The instant at which `minutes` of office time have passed since `from`. Zero minutes is `from`.
fn add_working_minutes(from: DateTime<Utc>, minutes: i64, cal: Calendar<'_>, seen: &mut Uncovered) -> DateTime<Utc> {
    if minutes <= 0 {
        return from;
    }
    let mut left = minutes;
    let mut day = from.with_timezone(&CITY_TZ).date_naive();
    let mut cursor = from;
    loop {
        if seen.working(cal, day) {
            for &(open, close) in &cal.office.periods {
                let (start, end) = (instant(day, open), instant(day, close));
                if end <= cursor {
                    continue;
                }
                let start = start.max(cursor);
                let available = (end - start).num_minutes();
                if left <= available {
                    return start + Duration::minutes(left);
                }
                left -= available;
                cursor = end;
            }
        }
        day += Duration::days(1);
    }
}

/// The office minutes between `a` and `b` (`a` ≤ `b`).
fn working_minutes(a: DateTime<Utc>, b: DateTime<Utc>, cal: Calendar<'_>, seen: &mut Uncovered) -> i64 {
    let mut total = 0;
    let mut day = a.with_timezone(&CITY_TZ).date_naive();
    let last = b.with_timezone(&CITY_TZ).date_naive();
    while day <= last {
        if seen.working(cal, day) {
            for &(open, close) in &cal.office.periods {
                let start = instant(day, open).max(a);
                let end = instant(day, close).min(b);
                if end > start {
                    total += (end - start).num_minutes();
                }
            }
        }
        day += Duration::days(1);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn office() -> OfficeHours {
        OfficeHours::default()
    }

    fn check(limit: Limit, from: &str, expected: &str, rule: &str) {
        let office = office();
        let cal = Calendar { holidays: Holidays::bundled(), office: &office };
        let due = due_for(limit, at(from), cal);
        assert_eq!(due.at, at(expected), "{rule}");
        assert_eq!(due.warning, None, "{rule}: 2026 is covered, no warning");
    }

    #[test]
    fn due_times_by_hand() {
        // (limit, start, due, the rule) — every row counted by hand against the 2026 notice.
        let rows: &[(Limit, &str, &str, &str)] = &[
            (
                Limit::Hours(24),
                "2026-11-27T10:00:00+08:00",
                "2026-11-28T10:00:00+08:00",
                "hours run through the weekend",
            ),
            (
                Limit::WorkingDays(1),
                "2026-11-27T10:00:00+08:00",
                "2026-11-30T10:00:00+08:00",
                "Friday + 1 working day is Monday",
            ),
            (
                Limit::WorkingDays(1),
                "2026-11-28T07:00:00+08:00",
                "2026-11-30T07:00:00+08:00",
                "the weekend is judged in Beijing time",
            ),
            (
                Limit::WorkingDays(3),
                "2026-11-25T09:00:00+08:00",
                "2026-11-30T09:00:00+08:00",
                "Wed + 3 skips Sat and Sun",
            ),
            (
                Limit::WorkingDays(1),
                "2026-09-30T10:00:00+08:00",
                "2026-10-08T10:00:00+08:00",
                "国庆 1–7 Oct is skipped",
            ),
            (
                Limit::WorkingDays(1),
                "2026-10-09T10:00:00+08:00",
                "2026-10-10T10:00:00+08:00",
                "Saturday 10 Oct is a make-up working day",
            ),
            // 工作时: Tue 10:00 + 4 h = 2 h to 12:00, lunch 12:00–13:30 does not count, 2 h more → 15:30.
            (
                Limit::WorkingHours(4),
                "2026-11-24T10:00:00+08:00",
                "2026-11-24T15:30:00+08:00",
                "a working-hours deadline skips the lunch break",
            ),
            // Ending exactly at the lunch break: 08:30 + 3.5 h = 12:00.
            (
                Limit::WorkingHours(3),
                "2026-11-24T08:30:00+08:00",
                "2026-11-24T11:30:00+08:00",
                "three office hours from the opening",
            ),
            // Started during lunch: counting begins at 13:30.
            (
                Limit::WorkingHours(2),
                "2026-11-24T12:15:00+08:00",
                "2026-11-24T15:30:00+08:00",
                "a start in the lunch break counts from 13:30",
            ),
            // Started in the evening: counting begins next morning.
            (
                Limit::WorkingHours(1),
                "2026-11-24T19:00:00+08:00",
                "2026-11-25T09:30:00+08:00",
                "an evening start counts from the next opening",
            ),
            // Fri 16:00 + 4 h: 1.5 h Friday, Sat/Sun off, Mon 08:30 + 2.5 h = 11:00.
            (
                Limit::WorkingHours(4),
                "2026-11-27T16:00:00+08:00",
                "2026-11-30T11:00:00+08:00",
                "working hours skip the weekend",
            ),
            // Wed 30 Sep 16:00 + 5 h: 1.5 h that day, 1–7 Oct holidays, Thu 8 Oct 08:30 + 3.5 h = 12:00.
            (
                Limit::WorkingHours(5),
                "2026-09-30T16:00:00+08:00",
                "2026-10-08T12:00:00+08:00",
                "working hours cross a lunch-free holiday and end at the lunch break",
            ),
            // Fri 9 Oct 17:00 + 2 h: 0.5 h Friday, Saturday 10 Oct is a make-up working day: 08:30 + 1.5 h = 10:00.
            (
                Limit::WorkingHours(2),
                "2026-10-09T17:00:00+08:00",
                "2026-10-10T10:00:00+08:00",
                "a make-up Saturday counts as working hours",
            ),
            // Wed 30 Sep 11:00 + 3 h: 1 h to 12:00, lunch, 13:30–15:30 = 3 h → 15:30 the same day.
            (
                Limit::WorkingHours(3),
                "2026-09-30T11:00:00+08:00",
                "2026-09-30T15:30:00+08:00",
                "lunch break inside the eve of a holiday",
            ),
            // Wed 30 Sep 15:00 + 4 h: 2.5 h to 17:30, the holiday, Thu 8 Oct 08:30 + 1.5 h = 10:00.
            (
                Limit::WorkingHours(4),
                "2026-09-30T15:00:00+08:00",
                "2026-10-08T10:00:00+08:00",
                "working hours cross the 国庆 holiday",
            ),
        ];
        for (limit, from, expected, rule) in rows {
            check(*limit, from, expected, rule);
        }
    }

    #[test]
    fn urgency_picks_the_limit() {
        let office = office();
        let cal = Calendar { holidays: Holidays::bundled(), office: &office };
        let d = Deadline { normal: Limit::WorkingDays(2), urgent: Some(Limit::WorkingHours(2)), source: "test".into() };
        let from = at("2026-11-24T10:00:00+08:00");
        assert_eq!(
            due(&d, Urgency::Normal, from, cal).at,
            at("2026-11-26T10:00:00+08:00"),
            "a normal case has the normal limit"
        );
        assert_eq!(
            due(&d, Urgency::Urgent, from, cal).at,
            at("2026-11-24T12:00:00+08:00"),
            "an urgent case has the urgent limit"
        );
        let only_normal = Deadline { urgent: None, ..d };
        assert_eq!(
            due(&only_normal, Urgency::Urgent, from, cal).at,
            at("2026-11-26T10:00:00+08:00"),
            "an urgent case of a category with no urgent limit has the normal one"
        );
    }

    #[test]
    fn a_year_the_table_does_not_cover_warns() {
        let office = office();
        let cal = Calendar { holidays: Holidays::bundled(), office: &office };
        let due = due_for(Limit::WorkingDays(3), at("2026-12-30T10:00:00+08:00"), cal);
        assert_eq!(due.at, at("2027-01-04T10:00:00+08:00"), "weekends are still skipped in 2027");
        assert_eq!(
            due.warning,
            Some(DueWarning::HolidaysNotCovered { years: vec![2027] }),
            "a count into 2027, which the table does not cover, warns instead of silently counting weekends only"
        );
        let due = due_for(Limit::WorkingHours(2), at("2026-12-31T17:00:00+08:00"), cal);
        assert!(due.warning.is_some(), "working hours into 2027 warn too");
        assert_eq!(
            due_for(Limit::Hours(48), at("2026-12-31T17:00:00+08:00"), cal).warning,
            None,
            "hours need no table"
        );
        assert!(due.warning.unwrap().message(crate::lang::Lang::Zh).contains("2027"), "the message names the year");
    }

    #[test]
    fn a_suspension_pushes_the_due_time_in_the_limits_unit() {
        let office = office();
        let cal = Calendar { holidays: Holidays::bundled(), office: &office };
        // Due Tue 24 Nov 15:30; suspended Tue 10:00 – Tue 14:00 = 2 h + 0.5 h = 2.5 office hours.
        let due = resume(
            Limit::WorkingHours(4),
            at("2026-11-24T15:30:00+08:00"),
            at("2026-11-24T10:00:00+08:00"),
            at("2026-11-24T14:00:00+08:00"),
            cal,
        );
        assert_eq!(
            due.at,
            at("2026-11-25T09:00:00+08:00"),
            "2.5 office hours added back: 2 h to 17:30, 0.5 h the next morning"
        );
        let due = resume(
            Limit::Hours(24),
            at("2026-11-25T10:00:00+08:00"),
            at("2026-11-24T10:00:00+08:00"),
            at("2026-11-24T16:00:00+08:00"),
            cal,
        );
        assert_eq!(due.at, at("2026-11-25T16:00:00+08:00"), "six calendar hours added back");
        // Suspended Fri 27 Nov – Tue 1 Dec: crossed Sat, Sun (off), Mon, Tue → 2 working days.
        let due = resume(
            Limit::WorkingDays(5),
            at("2026-12-02T10:00:00+08:00"),
            at("2026-11-27T10:00:00+08:00"),
            at("2026-12-01T10:00:00+08:00"),
            cal,
        );
        assert_eq!(due.at, at("2026-12-04T10:00:00+08:00"), "two working days added back");
    }

    #[test]
    fn remaining_time_runs_on_the_limits_clock() {
        let office = office();
        let cal = Calendar { holidays: Holidays::bundled(), office: &office };
        let due = at("2026-11-30T11:00:00+08:00");
        assert_eq!(
            remaining(Limit::WorkingHours(4), at("2026-11-27T16:00:00+08:00"), due, cal),
            240,
            "four office hours left over a weekend"
        );
        assert_eq!(
            remaining(Limit::WorkingHours(4), at("2026-11-30T13:30:00+08:00"), due, cal),
            -60,
            "an hour overdue"
        );
        assert_eq!(
            remaining(Limit::Hours(1), at("2026-11-30T10:00:00+08:00"), due, cal),
            60,
            "calendar minutes for hours"
        );
    }

    #[test]
    fn office_hours_parse_or_are_refused() {
        assert_eq!(OfficeHours::default().minutes_per_day(), 450, "08:30–12:00 and 13:30–17:30 are 7.5 hours");
        assert_eq!(OfficeHours::default().to_text(), DEFAULT_OFFICE_HOURS);
        for bad in ["", "08:30", "12:00-08:30", "08:30-12:00,11:00-17:30", "8h-12h"] {
            assert!(OfficeHours::parse(bad).is_err(), "{bad:?} is refused");
        }
    }

    #[test]
    fn holiday_table_covers_its_year() {
        let h = Holidays::bundled();
        assert_eq!(h.off.len(), 3 + 9 + 3 + 5 + 3 + 3 + 7, "every holiday day of 2026 is in the table");
        assert!(h.is_working_day(NaiveDate::from_ymd_opt(2026, 2, 14).unwrap()), "a make-up Saturday");
        assert!(!h.is_working_day(NaiveDate::from_ymd_opt(2026, 2, 16).unwrap()), "a Spring Festival Monday");
        assert_eq!(h.years.iter().copied().collect::<Vec<_>>(), vec![2026], "the bundled table covers 2026");
    }
}
