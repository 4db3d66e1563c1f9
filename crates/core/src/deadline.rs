//! Rectification deadlines (整改时限): from the moment a finding is recorded, a number of hours or
//! of working days. Working days skip Saturdays and Sundays in the city's zone; the holiday table
//! that also skips public holidays comes with the weekly-log work.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};

use crate::model::Deadline;
use crate::zone::CITY_TZ;

pub fn due_at(deadline: Deadline, from: DateTime<Utc>) -> DateTime<Utc> {
    match deadline {
        Deadline::Hours(h) => from + Duration::hours(i64::from(h)),
        Deadline::WorkingDays(days) => {
            let mut local = from.with_timezone(&CITY_TZ);
            let mut left = days;
            while left > 0 {
                local += Duration::days(1);
                if !matches!(local.weekday(), Weekday::Sat | Weekday::Sun) {
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
}
