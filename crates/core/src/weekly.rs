//! The weekly inspection log (周巡查日志): for one officer and one ISO week, what a team lead brings
//! to the weekly meeting; the same week for each large grid (the lead's dashboard), for each
//! responsible unit and for the whole city. The week's calendar is [`crate::calendar`], the
//! figures [`crate::measures`] (every formula with its source is in its header), the SQL
//! `store::weekly`, and the files [`crate::export`].
//!
//! # What a log holds besides the measures
//!
//! - **Week**: an ISO week, Monday 00:00 to the next Monday 00:00 in the city's zone
//!   ([`CITY_TZ`], Beijing time), written `2026-W48`. 2026 has 53 weeks: 2026-W53 runs from
//!   28 December 2026 to 3 January 2027.
//! - **Patrols** (`patrols`): the officer's patrols that *started* in the week; a patrol crossing
//!   midnight (or the week's end) counts once, in the week of its start. `patrols_expected` is the
//!   number of rhythm days in a week ([`PatrolRhythm`], the store's `patrol.days` setting; Wednesday
//!   and Saturday by default); `rhythm_days_patrolled` is how many of those days saw a patrol start.
//! - **Grids walked** (`grids_walked`): distinct grids of those patrols (`patrol_grids`);
//!   **grids owned** (`grids_owned`): small grids whose owners include the officer.
//! - **The officer's findings** (`finding_list`): the findings the officer authored whose
//!   `observed_at` falls in the week (the week a finding counts in follows `observed_at`, not the
//!   time it was recorded or synced), listed as they stand now (status, overdue at the store's clock,
//!   first move to `rectified`); the measures count them as they stood at the week's end.
//! - **The officer's cases** in the measures: 上报数, 有效上报数 and 自处置数 over the findings above;
//!   应结案数 and the rates over the cases the officer recorded whose due time falls in the week.
//! - **A change's time**: the time the hub accepted the event when this device has it, else (an event
//!   still pending on this device, or pushed and not yet pulled back) its device time
//!   ([`crate::store`]'s `COUNTED_TIME`). A move backdated by the device, or dated by a wrong clock,
//!   counts at the hub's time once synced. `due_at` is the one the hub derived from its own time of
//!   the report once the report is synced (the device's until then).
//!
//! The city-wide summary is every officer's log for the week ([`city_week`]): the officers are the
//! users with the officer role and anyone who patrolled or recorded a finding in the week. The team
//! lead's dashboard ([`grid_weeks`]) gives the measures week by week over a large grid's cases,
//! whoever recorded them; [`large_grid_week`] and [`unit_week`] give one week for every large grid
//! and every responsible unit; [`city_measures`] the city's. All are counted by the same code.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::calendar::{IsoWeek, PatrolRhythm, CITY_TZ};
use crate::error::{Error, Result};
use crate::lifecycle::Status;
use crate::measures::{DueCase, Measures, ReportedCase};
use crate::store::weekly::{
    cohort, due_cases, grid_history, keep_grid_weeks, kept_grid_weeks, reported_cases, Cohort, CohortFinding,
    HistoryRow, ReportRow,
};
use crate::store::{ts_of, Store};

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

    // The officer's reports: findings observed in the week; the officer's cases: due in the week.
    let filter = officer.map_or(Cohort::Everyone, Cohort::Author);
    let mut tallies: HashMap<String, Measures> = HashMap::new();
    for row in cohort(store, from, to, filter)? {
        let log = logs.entry(row.author.clone()).or_insert_with(|| WeeklyLog::empty(&row.author, week, rhythm));
        tallies.entry(row.author.clone()).or_default().count_reported(&reported(&row));
        log.finding_list.push(row.finding);
    }
    for case in due_cases(store, from, to, filter)? {
        logs.entry(case.author.clone()).or_insert_with(|| WeeklyLog::empty(&case.author, week, rhythm));
        tallies.entry(case.author.clone()).or_default().count_due(&case);
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
    let bounds: Vec<(String, String)> = weeks.iter().map(|w| (ts_of(w.start()), ts_of(w.end()))).collect();
    let ends: Vec<String> = bounds.iter().map(|(_, end)| end.clone()).collect();
    let small: Vec<String> =
        store.grids()?.into_iter().filter(|g| g.parent.as_deref() == Some(large_grid)).map(|g| g.code).collect();
    let now = ts_of(store.now());
    // What is kept is read, and what is counted again kept, in one read transaction: if another
    // writer commits in between, keeping fails (SQLite refuses to write from an old snapshot) and
    // nothing is kept this time, so nothing kept was counted before a change it does not show.
    let tx = store.connection().is_autocommit().then(|| store.connection().unchecked_transaction()).transpose()?;
    let kept = kept_grid_weeks(store, &small, &ends)?;
    let mut totals = vec![Measures::default(); weeks.len()];
    let mut to_keep: Vec<(&str, &str, Measures)> = Vec::new();
    for grid in &small {
        let kept_of = |w: usize| kept.get(&(grid.clone(), ends[w].clone()));
        for (w, total) in totals.iter_mut().enumerate() {
            if let Some(counts) = kept_of(w) {
                total.add(counts);
            }
        }
        // The weeks not kept are counted from the first of them on, as of each one's end.
        let Some(from) = (0..weeks.len()).find(|&w| kept_of(w).is_none()) else { continue };
        let counted = count_grid_weeks(store, grid, &weeks[from..], &bounds[from..])?;
        for (w, counts) in (from..).zip(counted) {
            if kept_of(w).is_some() {
                continue;
            }
            totals[w].add(&counts);
            if ends[w] <= now {
                to_keep.push((grid, &ends[w], counts));
            }
        }
    }
    if let Some(tx) = tx {
        let rows: Vec<(&str, &str, &Measures)> = to_keep.iter().map(|(g, e, m)| (*g, *e, m)).collect();
        match keep_grid_weeks(store, &rows) {
            Ok(()) => tx.commit()?,
            // Kept another time: the figures shown are counted all the same.
            Err(Error::StoreBusy { .. } | Error::StoreReadOnly { .. } | Error::DiskFull { .. }) => drop(tx),
            Err(e) => return Err(e),
        }
    }
    Ok(weeks
        .iter()
        .zip(totals)
        .map(|(week, m)| GridWeek { week: week.to_string(), week_start: week.monday(), measures: m.finish() })
        .collect())
}

/// The counts of one small grid for each of the consecutive `weeks` (`bounds`: their start and end
/// texts), each as of its own end, exactly as `measures_of` counts one week in SQL (the tests hold
/// the two together): one read of the grid's cases over all the weeks.
fn count_grid_weeks(
    store: &Store,
    grid: &str,
    weeks: &[IsoWeek],
    bounds: &[(String, String)],
) -> Result<Vec<Measures>> {
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else { return Ok(Vec::new()) };
    let history = grid_history(store, grid, first.start(), last.end())?;
    let week_of = |t: &str| bounds.iter().position(|(start, end)| start.as_str() <= t && t < end.as_str());
    let rows_of = |id: &str| history.rows.get(id).map(Vec::as_slice).unwrap_or_default();
    let mut measures = vec![Measures::default(); bounds.len()];
    for f in &history.reported {
        // Always a week of the run: the query's bounds are the run's.
        let Some(w) = week_of(&f.observed_at) else { continue };
        let at_end = row_before(rows_of(&f.id), &bounds[w].1);
        measures[w].count_reported(&ReportedCase {
            category: &f.category,
            status_at_end: at_end.map(|r| r.status.as_str()),
            on_the_spot: at_end.is_some_and(|r| r.on_the_spot),
        });
    }
    // A case is a candidate in each week one of its rows fell due in; it counts there if its row at
    // the week's end is due in the week.
    let candidates: BTreeSet<(usize, &str)> =
        history.due.iter().filter_map(|(id, due)| Some((week_of(due)?, id.as_str()))).collect();
    for (w, id) in candidates {
        let (start, end) = (&bounds[w].0, &bounds[w].1);
        let rows = rows_of(id);
        let Some(e) = row_before(rows, end) else { continue };
        let Some(due) = e.due_at.as_deref().filter(|d| start.as_str() <= *d && *d < end.as_str()) else { continue };
        let at_due = rows[..rows.partition_point(|r| r.counted_at.as_str() <= due)].last();
        measures[w].count_due(&DueCase {
            author: e.author.clone(),
            grid: grid.to_string(),
            unit: e.unit.clone(),
            status_at_end: e.status.clone(),
            deferred: e.deferred,
            on_the_spot: e.on_the_spot,
            reworks: e.reworks,
            status_at_due: at_due.map(|r| r.status.clone()),
        });
    }
    Ok(measures)
}

/// A finding's latest history row counted before `end` (its rows are in `seq` order, and their
/// counted times never go back).
fn row_before<'a>(rows: &'a [HistoryRow], end: &str) -> Option<&'a HistoryRow> {
    rows[..rows.partition_point(|r| r.counted_at.as_str() < end)].last()
}

/// A finding of a cohort as the measures count it.
fn reported(row: &CohortFinding) -> ReportedCase<'_> {
    ReportedCase {
        category: &row.finding.category,
        status_at_end: row.status_at_end.as_deref(),
        on_the_spot: row.on_the_spot,
    }
}

/// A report as the measures count it.
fn report(row: &ReportRow) -> ReportedCase<'_> {
    ReportedCase { category: &row.category, status_at_end: row.status_at_end.as_deref(), on_the_spot: row.on_the_spot }
}

/// The measures of one week over one set of cases.
fn measures_of(store: &Store, week: IsoWeek, filter: Cohort<'_>) -> Result<Measures> {
    let (from, to) = (week.start(), week.end());
    let mut m = Measures::default();
    for row in reported_cases(store, from, to, filter)? {
        m.count_reported(&report(&row));
    }
    for case in due_cases(store, from, to, filter)? {
        m.count_due(&case);
    }
    Ok(m.finish())
}

/// The city's measures for a week: every case.
pub fn city_measures(store: &Store, week: IsoWeek) -> Result<Measures> {
    measures_of(store, week, Cohort::Everyone)
}

/// One group's week: a large grid's or a responsible unit's.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GroupWeek {
    /// The large grid's code, or the unit's code (empty: cases not dispatched to a unit).
    pub code: String,
    /// The large grid's name (the unit's code until units carry names).
    pub name: String,
    /// `2026-W48`.
    pub week: String,
    #[serde(flatten)]
    pub measures: Measures,
}

/// Every large grid's week: the cases of its small grids (reports and due cases), by code.
pub fn large_grid_week(store: &Store, week: IsoWeek) -> Result<Vec<GroupWeek>> {
    let (from, to) = (week.start(), week.end());
    let grids = store.grids()?;
    let parent: HashMap<&str, &str> =
        grids.iter().filter_map(|g| g.parent.as_deref().map(|p| (g.code.as_str(), p))).collect();
    let mut groups: BTreeMap<String, Measures> = grids
        .iter()
        .filter(|g| g.level == crate::model::GridLevel::Large)
        .map(|g| (g.code.clone(), Measures::default()))
        .collect();
    for row in reported_cases(store, from, to, Cohort::Everyone)? {
        if let Some(p) = parent.get(row.grid.as_str()) {
            groups.entry(p.to_string()).or_default().count_reported(&report(&row));
        }
    }
    for case in due_cases(store, from, to, Cohort::Everyone)? {
        if let Some(p) = parent.get(case.grid.as_str()) {
            groups.entry(p.to_string()).or_default().count_due(&case);
        }
    }
    let names: HashMap<&str, &str> = grids.iter().map(|g| (g.code.as_str(), g.name.as_str())).collect();
    Ok(groups
        .into_iter()
        .map(|(code, m)| GroupWeek {
            name: names.get(code.as_str()).map_or_else(|| code.clone(), |n| n.to_string()),
            code,
            week: week.to_string(),
            measures: m.finish(),
        })
        .collect())
}

/// Every responsible unit's week: the cases dispatched to it (as of the week's end) whose due time
/// falls in the week. Reports have no unit, so only the due figures and their rates are filled.
pub fn unit_week(store: &Store, week: IsoWeek) -> Result<Vec<GroupWeek>> {
    let mut groups: BTreeMap<String, Measures> = BTreeMap::new();
    for case in due_cases(store, week.start(), week.end(), Cohort::Everyone)? {
        groups.entry(case.unit.clone().unwrap_or_default()).or_default().count_due(&case);
    }
    Ok(groups
        .into_iter()
        .map(|(code, m)| GroupWeek { name: code.clone(), code, week: week.to_string(), measures: m.finish() })
        .collect())
}
