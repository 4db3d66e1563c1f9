//! The weekly inspection log (周巡查日志): for one officer and one ISO week, what a team lead brings
//! to the weekly meeting, and its exports (XLSX, CSV with a BOM).
//!
//! # Definitions (each number of a log, precisely)
//!
//! - **Week**: an ISO week, Monday 00:00 to the next Monday 00:00 in the city's zone
//!   ([`CITY_TZ`], Beijing time), written `2026-W48`. 2026 has 53 weeks: 2026-W53 runs from
//!   28 December 2026 to 3 January 2027.
//! - **Patrols** (`patrols`): the officer's patrols that *started* in the week; a patrol crossing
//!   midnight (or the week's end) counts once, in the week of its start. `patrols_expected` is the
//!   number of rhythm days in a week ([`PatrolRhythm`], the store's `patrol.days` setting; Wednesday
//!   and Saturday by default);
//!   `rhythm_days_patrolled` is how many of those days saw a patrol start.
//! - **Grids walked** (`grids_walked`): distinct grids of those patrols (`patrol_grids`);
//!   **grids owned** (`grids_owned`): small grids whose owners include the officer.
//! - **Findings recorded** (`findings_recorded`, `by_category`): findings the officer authored whose
//!   `observed_at` falls in the week (the week a finding counts in follows `observed_at`, not the
//!   time it was recorded or synced). This set is the log's *cohort*.
//! - **Closed** (`findings_closed`): cohort findings whose status is now `closed`.
//! - **Overdue** (`overdue`): cohort findings still awaiting rectification (reported, accepted,
//!   rectifying, rework, reopened) whose `due_at` is before the report's moment (the store's clock):
//!   the same rule as the app's overdue flag.
//! - **Due** (`due`): cohort findings that have a deadline and whose `due_at` falls in the week or
//!   earlier (before the week's end). Findings whose category has no deadline are never due.
//! - **结案率** `closure_rate` = `closed_due` ÷ `due`, where `closed_due` counts the due findings
//!   that are now closed.
//! - **按期处置率** `on_time_rate` = `on_time` ÷ `due`, where `on_time` counts the due findings whose
//!   first move to `rectified` (`rectified_at`) counts at or before their `due_at`.
//! - **返工率** `rework_rate` = `rework` ÷ `due`, where `rework` counts the due findings that were
//!   ever sent back for rework.
//! - Each ratio is `null` when `due` is 0.
//! - **A move's time** (`rectified_at`, and whichever time the measures read from an event): the time
//!   the hub accepted the event when this device has it, else (an event still pending on this device,
//!   or pushed and not yet pulled back) its device time ([`COUNTED_TIME`]). A move backdated by the
//!   device, or dated by a wrong clock, counts at the hub's time once synced. `due_at` is the one the
//!   hub derived from its own time of the report once the report is synced (the device's until then);
//!   only a finding's week follows the officer's `observed_at`, which is real (the Wednesday
//!   observation synced on Friday stays Wednesday's).
//!
//! The city-wide summary is every officer's log for the week ([`city_week`]): the officers are the
//! users with the officer role and anyone who patrolled or recorded a finding in the week.
//!
//! The team lead's dashboard ([`grid_weeks`]) gives, week by week, the numbers from *Findings
//! recorded* to the three ratios above over another cohort: the findings observed in the week in
//! the small grids of one large grid, whoever recorded them. Both are counted by the same code.

//!
//! The week's calendar is [`crate::calendar`], the counting [`crate::measures`], the SQL
//! `store::weekly`, and the files [`crate::export`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::calendar::{IsoWeek, PatrolRhythm, CITY_TZ};
use crate::error::{Error, Result};
use crate::lifecycle::Status;
use crate::measures::Measures;
use crate::store::weekly::{cohort, Cohort};
use crate::store::Store;

/// One patrol in a log.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WeeklyPatrol {
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub grids: u32,
}

/// One finding of a log's cohort.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WeeklyFinding {
    pub id: String,
    pub grid: String,
    pub category: String,
    pub status: Status,
    pub observed_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub rectified_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

/// The weekly inspection log of one officer (see the module header for each number).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WeeklyLog {
    pub officer: String,
    /// `2026-W48`.
    pub week: String,
    pub week_start: NaiveDate,
    pub week_end: NaiveDate,
    pub patrols: u32,
    pub patrols_expected: u32,
    pub rhythm_days_patrolled: u32,
    pub grids_walked: u32,
    pub grids_owned: u32,
    /// The measures over the officer's findings of the week (the same struct as a grid's week).
    #[serde(flatten)]
    pub measures: Measures,
    pub patrol_list: Vec<WeeklyPatrol>,
    pub finding_list: Vec<WeeklyFinding>,
}

impl WeeklyLog {
    fn empty(officer: &str, week: IsoWeek, rhythm: PatrolRhythm) -> WeeklyLog {
        WeeklyLog {
            officer: officer.to_string(),
            week: week.to_string(),
            week_start: week.monday(),
            week_end: week.sunday(),
            patrols: 0,
            patrols_expected: rhythm.len(),
            rhythm_days_patrolled: 0,
            grids_walked: 0,
            grids_owned: 0,
            measures: Measures::default(),
            patrol_list: Vec::new(),
            finding_list: Vec::new(),
        }
    }
}

/// One officer's log for a week, on the store's rhythm.
pub fn officer_week(store: &Store, officer: &str, week: IsoWeek) -> Result<WeeklyLog> {
    let rhythm = store.patrol_rhythm()?;
    let mut logs = build(store, week, Some(officer), rhythm)?;
    match logs.pop() {
        Some(log) => Ok(log),
        None => {
            let mut log = WeeklyLog::empty(officer, week, rhythm);
            if store.profile()?.is_some_and(|me| me.name == officer) {
                log.grids_owned = store.my_grid_codes()?.len() as u32;
            }
            Ok(log)
        }
    }
}

/// Every officer's log for a week (the city-wide summary), by officer name, on the store's rhythm.
pub fn city_week(store: &Store, week: IsoWeek) -> Result<Vec<WeeklyLog>> {
    build(store, week, None, store.patrol_rhythm()?)
}

/// The logs of one officer (or of all), on a given rhythm.
pub fn build(store: &Store, week: IsoWeek, officer: Option<&str>, rhythm: PatrolRhythm) -> Result<Vec<WeeklyLog>> {
    let (from, to) = (week.start(), week.end());
    let mut logs: BTreeMap<String, WeeklyLog> = BTreeMap::new();
    if let Some(name) = officer {
        logs.insert(name.to_string(), WeeklyLog::empty(name, week, rhythm));
    } else {
        for name in store.officer_names()? {
            logs.insert(name.clone(), WeeklyLog::empty(&name, week, rhythm));
        }
    }
    // Patrols that started in the week, with how many grids each walked.
    let mut rhythm_days: HashMap<String, BTreeSet<NaiveDate>> = HashMap::new();
    for row in store.week_patrols(from, to, officer)? {
        let name = row.officer;
        let log = logs.entry(name.clone()).or_insert_with(|| WeeklyLog::empty(&name, week, rhythm));
        log.patrols += 1;
        let day = row.patrol.started_at.with_timezone(&CITY_TZ).date_naive();
        if rhythm.contains(day.weekday()) {
            rhythm_days.entry(name.clone()).or_default().insert(day);
        }
        log.patrol_list.push(row.patrol);
    }
    for (name, days) in rhythm_days {
        if let Some(log) = logs.get_mut(&name) {
            log.rhythm_days_patrolled = days.len() as u32;
        }
    }

    // Grids walked: distinct grids over the week's patrols.
    for (name, n) in store.grids_walked(from, to, officer)? {
        if let Some(log) = logs.get_mut(&name) {
            log.grids_walked = n;
        }
    }

    // The cohort: findings the officer observed in the week.
    let filter = officer.map_or(Cohort::Everyone, Cohort::Author);
    let mut tallies: HashMap<String, Measures> = HashMap::new();
    for row in cohort(store, from, to, filter)? {
        let log = logs.entry(row.author.clone()).or_insert_with(|| WeeklyLog::empty(&row.author, week, rhythm));
        tallies.entry(row.author).or_default().count(&row.finding, row.reworked, to);
        log.finding_list.push(row.finding);
    }

    // Grids owned: small grids whose owners name the officer.
    for (name, n) in store.small_grids_by_owner()? {
        if let Some(log) = logs.get_mut(&name) {
            log.grids_owned = n;
        }
    }

    // The acting user's own log counts the grids they work in by the rule Today shows ("my grids":
    // chosen at first start, else the registry's owners, within the hub's scope), so the weekly log
    // and Today never disagree; other officers' logs go by the registry's owners.
    if let Some(me) = store.profile()? {
        if let Some(log) = logs.get_mut(&me.name) {
            log.grids_owned = store.my_grid_codes()?.len() as u32;
        }
    }

    let mut out: Vec<WeeklyLog> = logs.into_values().collect();
    for log in &mut out {
        log.measures = tallies.remove(&log.officer).unwrap_or_default().finish();
    }
    Ok(out)
}

/// One week of a large grid on the team lead's dashboard: the measures of the officer's log over
/// the findings observed in the week in the large grid's small grids, whoever recorded them (the
/// cohort is by grid instead of by author; every definition is the module header's).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GridWeek {
    /// `2026-W48`.
    pub week: String,
    pub week_start: NaiveDate,
    #[serde(flatten)]
    pub measures: Measures,
}

/// The most weeks [`grid_weeks`] shows at once: ten years.
pub const MAX_GRID_WEEKS: u32 = 520;

/// The dashboard of a team lead's large grid: for each of the `count` ISO weeks that end with
/// `last`, oldest first, the numbers over the findings observed that week in its small grids.
/// A code that names no grid, or a small grid, is refused, and so is more than
/// [`MAX_GRID_WEEKS`] weeks.
pub fn grid_weeks(store: &Store, large_grid: &str, last: IsoWeek, count: u32) -> Result<Vec<GridWeek>> {
    match store.grid_level_text(large_grid)?.as_deref() {
        None => return Err(Error::UnknownGrid(large_grid.to_string())),
        Some("large") => {}
        Some(_) => return Err(Error::InvalidValue { field: "large_grid", value: large_grid.to_string() }),
    }
    if count > MAX_GRID_WEEKS {
        return Err(Error::InvalidValue { field: "weeks", value: count.to_string() });
    }
    let Some(first) = count.checked_sub(1) else { return Ok(Vec::new()) };
    let weeks: Vec<IsoWeek> = (0..=first).rev().map(|back| last.back(back)).collect::<Result<_>>()?;
    let mut tallies: Vec<Measures> = weeks.iter().map(|_| Measures::default()).collect();
    for row in cohort(store, weeks[0].start(), last.end(), Cohort::LargeGrid(large_grid))? {
        // Every finding read was observed within the weeks, so it falls in one of them.
        if let Ok(i) = weeks.binary_search(&IsoWeek::of(row.finding.observed_at)) {
            tallies[i].count(&row.finding, row.reworked, weeks[i].end());
        }
    }
    Ok(weeks
        .into_iter()
        .zip(tallies)
        .map(|(week, m)| GridWeek { week: week.to_string(), week_start: week.monday(), measures: m.finish() })
        .collect())
}
