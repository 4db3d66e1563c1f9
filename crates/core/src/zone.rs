//! The city's time zone and ISO weeks. Times are stored in UTC and shown in the city's zone.

use chrono_tz::Tz;

/// The reference city's zone; every Chinese city keeps Beijing time.
pub const CITY_TZ: Tz = chrono_tz::Asia::Shanghai;
