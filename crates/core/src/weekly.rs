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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::lifecycle::Status;
use crate::store::{awaits_rectification, ts_of, Store, COUNTED_TIME};
use crate::zone::CITY_TZ;

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

fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    CITY_TZ.from_local_datetime(&naive).earliest().expect("Beijing time has no gaps").with_timezone(&Utc)
}

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
    pub findings_recorded: u32,
    /// Findings recorded, by minor category code.
    pub by_category: BTreeMap<String, u32>,
    pub findings_closed: u32,
    pub overdue: u32,
    pub due: u32,
    pub closed_due: u32,
    pub on_time: u32,
    pub rework: u32,
    /// 结案率: closed_due ÷ due; null when due is 0.
    pub closure_rate: Option<f64>,
    /// 按期处置率: on_time ÷ due; null when due is 0.
    pub on_time_rate: Option<f64>,
    /// 返工率: rework ÷ due; null when due is 0.
    pub rework_rate: Option<f64>,
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
            findings_recorded: 0,
            by_category: BTreeMap::new(),
            findings_closed: 0,
            overdue: 0,
            due: 0,
            closed_due: 0,
            on_time: 0,
            rework: 0,
            closure_rate: None,
            on_time_rate: None,
            rework_rate: None,
            patrol_list: Vec::new(),
            finding_list: Vec::new(),
        }
    }
}

fn ratio(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) / f64::from(d))
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
    let conn = store.connection();
    let (from, to) = (ts_of(week.start()), ts_of(week.end()));
    let mut logs: BTreeMap<String, WeeklyLog> = BTreeMap::new();
    if let Some(name) = officer {
        logs.insert(name.to_string(), WeeklyLog::empty(name, week, rhythm));
    } else {
        let mut stmt = conn.prepare_cached("SELECT name FROM users WHERE role = 'officer'")?;
        for name in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let name = name?;
            logs.insert(name.clone(), WeeklyLog::empty(&name, week, rhythm));
        }
    }
    // Patrols that started in the week, with how many grids each walked.
    let officer_filter = if officer.is_some() { "p.officer = ?3 AND" } else { "?3 IS NULL AND" };
    let sql = format!(
        "SELECT p.officer, p.id, p.started_at, p.ended_at,
                (SELECT count(*) FROM patrol_grids pg WHERE pg.patrol_id = p.id)
         FROM patrols p WHERE {officer_filter} p.started_at >= ?1 AND p.started_at < ?2
         ORDER BY p.officer, p.started_at"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![from, to, officer], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, u32>(4)?,
        ))
    })?;
    let mut rhythm_days: HashMap<String, BTreeSet<NaiveDate>> = HashMap::new();
    for row in rows {
        let (name, id, started, ended, grids) = row?;
        let started_at = parse(&started)?;
        let ended_at = ended.as_deref().map(parse).transpose()?;
        let log = logs.entry(name.clone()).or_insert_with(|| WeeklyLog::empty(&name, week, rhythm));
        log.patrols += 1;
        let day = started_at.with_timezone(&CITY_TZ).date_naive();
        if rhythm.contains(day.weekday()) {
            rhythm_days.entry(name.clone()).or_default().insert(day);
        }
        log.patrol_list.push(WeeklyPatrol { id, started_at, ended_at, grids });
    }
    for (name, days) in rhythm_days {
        if let Some(log) = logs.get_mut(&name) {
            log.rhythm_days_patrolled = days.len() as u32;
        }
    }

    // Grids walked: distinct grids over the week's patrols.
    let sql = format!(
        "SELECT p.officer, count(DISTINCT pg.grid) FROM patrols p JOIN patrol_grids pg ON pg.patrol_id = p.id
         WHERE {officer_filter} p.started_at >= ?1 AND p.started_at < ?2 GROUP BY p.officer"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    for row in stmt.query_map(params![from, to, officer], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))? {
        let (name, n) = row?;
        if let Some(log) = logs.get_mut(&name) {
            log.grids_walked = n;
        }
    }

    // The cohort: findings the officer observed in the week.
    let filter = officer.map_or(Cohort::Everyone, Cohort::Author);
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    for row in cohort(store, week.start(), week.end(), filter)? {
        let log = logs.entry(row.author.clone()).or_insert_with(|| WeeklyLog::empty(&row.author, week, rhythm));
        tallies.entry(row.author).or_default().count(&row.finding, row.reworked, week.end());
        log.finding_list.push(row.finding);
    }

    // Grids owned: small grids whose owners (a JSON list) name the officer.
    let mut stmt = conn.prepare_cached(
        "SELECT o.value, count(*) FROM grids g, json_each(g.owners) o WHERE g.level = 'small' GROUP BY o.value",
    )?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))? {
        let (name, n) = row?;
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
        log.take(tallies.remove(&log.officer).unwrap_or_default());
    }
    Ok(out)
}

/// Which findings a cohort holds, besides their week: every officer's, one officer's, or those of
/// a large grid's small grids.
#[derive(Debug, Clone, Copy)]
enum Cohort<'a> {
    Everyone,
    Author(&'a str),
    LargeGrid(&'a str),
}

impl Cohort<'_> {
    /// The condition on `f` in SQL, and the value of its parameter `?3`.
    fn condition(&self) -> (&'static str, Option<&str>) {
        match *self {
            Cohort::Everyone => ("?3 IS NULL", None),
            Cohort::Author(name) => ("f.author = ?3", Some(name)),
            Cohort::LargeGrid(code) => ("f.grid IN (SELECT g.code FROM grids g WHERE g.parent = ?3)", Some(code)),
        }
    }
}

/// A finding of a cohort: as a log lists it, with its author and whether it was ever sent back
/// for rework (from the event log).
struct CohortFinding {
    author: String,
    finding: WeeklyFinding,
    reworked: bool,
}

/// The moves a cohort needs from the event log, in the words of the `events_fixes` index's WHERE
/// clause (migration 5): SQLite uses a partial index only for a query that repeats its condition,
/// with literals rather than parameters. A test checks the plan.
const FIXES: &str = "e.kind = 'finding.moved' AND json_extract(e.payload, '$.to') IN ('rectified', 'rework')";

/// The cohort query for a filter condition on `f` (with `?3`): findings observed in `[?1, ?2)`, with
/// the first move to `rectified` (at its [`COUNTED_TIME`]: the hub's, else the device's) and whether
/// one was ever made to `rework`, both found through the `events_fixes` index, which holds only those
/// moves with that time (not through each finding's whole history).
fn cohort_sql(condition: &str) -> String {
    format!(
        "SELECT f.author, f.id, f.grid, f.category, f.status, f.observed_at, f.due_at,
            (SELECT min({COUNTED_TIME}) FROM events e WHERE e.entity_id = f.id AND {FIXES}
                AND json_extract(e.payload, '$.to') = 'rectified'),
            EXISTS (SELECT 1 FROM events e WHERE e.entity_id = f.id AND {FIXES}
                AND json_extract(e.payload, '$.to') = 'rework')
         FROM findings f WHERE {condition} AND f.observed_at >= ?1 AND f.observed_at < ?2
         ORDER BY f.author, f.observed_at, f.seq"
    )
}

/// The findings of `filter` observed in `[from, to)`, by author, then in the order observed. Each
/// comes with its first move to `rectified` (at the [`COUNTED_TIME`] of its events) and whether it
/// was ever moved to `rework`, and whether it is overdue at the store's clock.
fn cohort(store: &Store, from: DateTime<Utc>, to: DateTime<Utc>, filter: Cohort<'_>) -> Result<Vec<CohortFinding>> {
    let (condition, value) = filter.condition();
    let mut stmt = store.connection().prepare_cached(&cohort_sql(condition))?;
    let now = store.now();
    let rows = stmt.query_map(params![ts_of(from), ts_of(to), value], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, bool>(8)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (author, id, grid, category, status, observed, due, rectified, reworked) = row?;
        let status = Status::parse_field(&status)?;
        let due_at = due.as_deref().map(parse).transpose()?;
        let overdue = awaits_rectification(status) && due_at.is_some_and(|d| d < now);
        let finding = WeeklyFinding {
            id,
            grid,
            category,
            status,
            observed_at: parse(&observed)?,
            due_at,
            rectified_at: rectified.as_deref().map(parse).transpose()?,
            overdue,
        };
        out.push(CohortFinding { author, finding, reworked });
    }
    Ok(out)
}

/// The numbers over a cohort (see the module header): counted here once for the officer's log
/// and for the grid's week on the dashboard.
#[derive(Debug, Default)]
struct Tally {
    recorded: u32,
    by_category: BTreeMap<String, u32>,
    closed: u32,
    overdue: u32,
    due: u32,
    closed_due: u32,
    on_time: u32,
    rework: u32,
}

impl Tally {
    /// Counts a finding of the cohort of the week that ends (exclusive) at `week_end`.
    fn count(&mut self, f: &WeeklyFinding, reworked: bool, week_end: DateTime<Utc>) {
        self.recorded += 1;
        *self.by_category.entry(f.category.clone()).or_insert(0) += 1;
        let closed = f.status == Status::Closed;
        self.closed += u32::from(closed);
        self.overdue += u32::from(f.overdue);
        if let Some(d) = f.due_at.filter(|d| *d < week_end) {
            self.due += 1;
            self.closed_due += u32::from(closed);
            self.on_time += u32::from(f.rectified_at.is_some_and(|r| r <= d));
            self.rework += u32::from(reworked);
        }
    }

    /// 结案率, 按期处置率, 返工率.
    fn rates(&self) -> [Option<f64>; 3] {
        [ratio(self.closed_due, self.due), ratio(self.on_time, self.due), ratio(self.rework, self.due)]
    }
}

impl WeeklyLog {
    /// Takes the cohort's numbers.
    fn take(&mut self, t: Tally) {
        [self.closure_rate, self.on_time_rate, self.rework_rate] = t.rates();
        self.findings_recorded = t.recorded;
        self.by_category = t.by_category;
        self.findings_closed = t.closed;
        self.overdue = t.overdue;
        self.due = t.due;
        self.closed_due = t.closed_due;
        self.on_time = t.on_time;
        self.rework = t.rework;
    }
}

/// One week of a large grid on the team lead's dashboard: the numbers of the officer's log over
/// the findings observed in the week in the large grid's small grids, whoever recorded them (the
/// cohort is by grid instead of by author; every definition is the module header's).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GridWeek {
    /// `2026-W48`.
    pub week: String,
    pub week_start: NaiveDate,
    pub findings_recorded: u32,
    /// Findings recorded, by minor category code.
    pub by_category: BTreeMap<String, u32>,
    pub findings_closed: u32,
    pub overdue: u32,
    pub due: u32,
    pub closed_due: u32,
    pub on_time: u32,
    pub rework: u32,
    /// 结案率: closed_due ÷ due; null when due is 0.
    pub closure_rate: Option<f64>,
    /// 按期处置率: on_time ÷ due; null when due is 0.
    pub on_time_rate: Option<f64>,
    /// 返工率: rework ÷ due; null when due is 0.
    pub rework_rate: Option<f64>,
}

impl GridWeek {
    fn new(week: IsoWeek, t: Tally) -> GridWeek {
        let [closure_rate, on_time_rate, rework_rate] = t.rates();
        GridWeek {
            week: week.to_string(),
            week_start: week.monday(),
            findings_recorded: t.recorded,
            by_category: t.by_category,
            findings_closed: t.closed,
            overdue: t.overdue,
            due: t.due,
            closed_due: t.closed_due,
            on_time: t.on_time,
            rework: t.rework,
            closure_rate,
            on_time_rate,
            rework_rate,
        }
    }
}

/// The most weeks [`grid_weeks`] shows at once: ten years.
pub const MAX_GRID_WEEKS: u32 = 520;

/// The dashboard of a team lead's large grid: for each of the `count` ISO weeks that end with
/// `last`, oldest first, the numbers over the findings observed that week in its small grids.
/// A code that names no grid, or a small grid, is refused, and so is more than
/// [`MAX_GRID_WEEKS`] weeks.
pub fn grid_weeks(store: &Store, large_grid: &str, last: IsoWeek, count: u32) -> Result<Vec<GridWeek>> {
    let level: Option<String> = store
        .connection()
        .prepare_cached("SELECT level FROM grids WHERE code = ?1")?
        .query_row([large_grid], |r| r.get(0))
        .optional()?;
    match level.as_deref() {
        None => return Err(Error::UnknownGrid(large_grid.to_string())),
        Some("large") => {}
        Some(_) => return Err(Error::InvalidValue { field: "large_grid", value: large_grid.to_string() }),
    }
    if count > MAX_GRID_WEEKS {
        return Err(Error::InvalidValue { field: "weeks", value: count.to_string() });
    }
    let Some(first) = count.checked_sub(1) else { return Ok(Vec::new()) };
    let weeks: Vec<IsoWeek> = (0..=first).rev().map(|back| last.back(back)).collect::<Result<_>>()?;
    let mut tallies: Vec<Tally> = weeks.iter().map(|_| Tally::default()).collect();
    for row in cohort(store, weeks[0].start(), last.end(), Cohort::LargeGrid(large_grid))? {
        // Every finding read was observed within the weeks, so it falls in one of them.
        if let Ok(i) = weeks.binary_search(&IsoWeek::of(row.finding.observed_at)) {
            tallies[i].count(&row.finding, row.reworked, weeks[i].end());
        }
    }
    Ok(weeks.into_iter().zip(tallies).map(|(week, t)| GridWeek::new(week, t)).collect())
}

fn parse(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| Error::InvalidTime(s.to_string()))
}

/// Chinese names of the minor categories, by code (for the exports).
fn category_names(store: &Store) -> Result<HashMap<String, String>> {
    let mut stmt = store.connection().prepare_cached("SELECT code, name_zh FROM categories")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The summary columns, shared by the CSV and the XLSX summary sheet.
pub const SUMMARY_HEADERS: [&str; 19] = [
    "网格员",
    "周次",
    "周一",
    "周日",
    "巡查次数",
    "应巡查次数",
    "按节奏巡查天数",
    "巡查网格数",
    "负责网格数",
    "发现问题数",
    "已结案",
    "超期",
    "应办结",
    "应办结中已结案",
    "按期整改",
    "返工",
    "结案率",
    "按期处置率",
    "返工率",
];

fn counts(log: &WeeklyLog) -> [u32; 12] {
    [
        log.patrols,
        log.patrols_expected,
        log.rhythm_days_patrolled,
        log.grids_walked,
        log.grids_owned,
        log.findings_recorded,
        log.findings_closed,
        log.overdue,
        log.due,
        log.closed_due,
        log.on_time,
        log.rework,
    ]
}

fn rates(log: &WeeklyLog) -> [Option<f64>; 3] {
    [log.closure_rate, log.on_time_rate, log.rework_rate]
}

/// A ratio as text for the CSV: four decimals, empty when there is none.
pub fn rate_text(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.4}")).unwrap_or_default()
}

/// The logs as CSV in UTF-8 with a BOM (so Excel opens the Chinese headers correctly): one row per
/// log, the summary columns and then 分类统计 (`code 名称:count; …`).
pub fn write_csv(store: &Store, logs: &[WeeklyLog], mut out: impl Write) -> Result<()> {
    let names = category_names(store)?;
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| Error::Io(std::io::Error::other(e));
    let mut headers: Vec<&str> = SUMMARY_HEADERS.to_vec();
    headers.push("分类统计");
    w.write_record(&headers).map_err(io)?;
    for log in logs {
        let mut rec = vec![log.officer.clone(), log.week.clone(), log.week_start.to_string(), log.week_end.to_string()];
        rec.extend(counts(log).iter().map(|n| n.to_string()));
        rec.extend(rates(log).iter().map(|r| rate_text(*r)));
        rec.push(
            log.by_category
                .iter()
                .map(|(c, n)| format!("{c} {}:{n}", names.get(c).map(String::as_str).unwrap_or("")))
                .collect::<Vec<_>>()
                .join("; "),
        );
        w.write_record(&rec).map_err(io)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the logs as CSV to a file.
pub fn save_csv(store: &Store, logs: &[WeeklyLog], path: &Path) -> Result<()> {
    let file = std::fs::File::create(path)?;
    write_csv(store, logs, std::io::BufWriter::new(file))
}

/// The width a text takes in a spreadsheet column: CJK characters count twice.
fn text_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Column widths that fit: the widest cell of each column, within bounds.
struct Widths(Vec<usize>);

impl Widths {
    fn see(&mut self, col: u16, width: usize) {
        let col = usize::from(col);
        if self.0.len() <= col {
            self.0.resize(col + 1, 0);
        }
        self.0[col] = self.0[col].max(width);
    }

    fn apply(&self, sheet: &mut rust_xlsxwriter::Worksheet) -> Result<()> {
        for (col, w) in self.0.iter().enumerate() {
            sheet.set_column_width(col as u16, (*w + 2).clamp(8, 60) as f64).map_err(xlsx_err)?;
        }
        Ok(())
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Io(std::io::Error::other(e))
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in the book.
fn sheet_name(officer: &str, used: &mut BTreeSet<String>) -> String {
    let clean: String =
        officer.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).take(28).collect::<String>();
    let clean = if clean.trim().is_empty() || clean == "汇总" { "网格员".to_string() } else { clean };
    let mut name = clean.clone();
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{clean}{n}");
        n += 1;
    }
    name
}

fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&CITY_TZ).naive_local()
}

/// The logs as an XLSX workbook: a summary sheet (汇总) with one row per log, and one sheet per
/// officer with the log's numbers, its findings by category, its patrols and its findings. Dates
/// and times are real date cells in Beijing time; rates are numbers formatted as percentages.
pub fn xlsx_bytes(store: &Store, logs: &[WeeklyLog]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook};
    let names = category_names(store)?;
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_align(FormatAlign::Center);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let pct = Format::new().set_num_format("0.0%");

    let sheet = book.add_worksheet();
    sheet.set_name("汇总").map_err(xlsx_err)?;
    let mut widths = Widths(Vec::new());
    for (col, h) in SUMMARY_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold).map_err(xlsx_err)?;
        widths.see(col as u16, text_width(h));
    }
    for (i, log) in logs.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &log.officer).map_err(xlsx_err)?;
        widths.see(0, text_width(&log.officer));
        sheet.write_string(row, 1, &log.week).map_err(xlsx_err)?;
        sheet.write_datetime_with_format(row, 2, log.week_start, &date).map_err(xlsx_err)?;
        sheet.write_datetime_with_format(row, 3, log.week_end, &date).map_err(xlsx_err)?;
        widths.see(2, 10);
        widths.see(3, 10);
        for (j, n) in counts(log).iter().enumerate() {
            sheet.write_number(row, 4 + j as u16, f64::from(*n)).map_err(xlsx_err)?;
        }
        for (j, r) in rates(log).iter().enumerate() {
            if let Some(r) = r {
                sheet.write_number_with_format(row, 16 + j as u16, *r, &pct).map_err(xlsx_err)?;
            }
        }
    }
    widths.apply(sheet)?;
    sheet.set_freeze_panes(1, 1).map_err(xlsx_err)?;

    let mut used = BTreeSet::from(["汇总".to_string()]);
    for log in logs {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&log.officer, &mut used)).map_err(xlsx_err)?;
        let mut widths = Widths(Vec::new());
        let mut row = 0u32;
        // The log's numbers: a label and a value per row.
        let mut label = |sheet: &mut rust_xlsxwriter::Worksheet, row: u32, text: &str| -> Result<()> {
            sheet.write_string_with_format(row, 0, text, &bold).map_err(xlsx_err)?;
            widths.see(0, text_width(text));
            Ok(())
        };
        label(sheet, row, "网格员")?;
        sheet.write_string(row, 1, &log.officer).map_err(xlsx_err)?;
        row += 1;
        label(sheet, row, "周次")?;
        sheet.write_string(row, 1, &log.week).map_err(xlsx_err)?;
        row += 1;
        label(sheet, row, "周一")?;
        sheet.write_datetime_with_format(row, 1, log.week_start, &date).map_err(xlsx_err)?;
        row += 1;
        label(sheet, row, "周日")?;
        sheet.write_datetime_with_format(row, 1, log.week_end, &date).map_err(xlsx_err)?;
        row += 1;
        for (j, n) in counts(log).iter().enumerate() {
            label(sheet, row, SUMMARY_HEADERS[4 + j])?;
            sheet.write_number(row, 1, f64::from(*n)).map_err(xlsx_err)?;
            row += 1;
        }
        for (j, r) in rates(log).iter().enumerate() {
            label(sheet, row, SUMMARY_HEADERS[16 + j])?;
            if let Some(r) = r {
                sheet.write_number_with_format(row, 1, *r, &pct).map_err(xlsx_err)?;
            }
            row += 1;
        }

        row += 1;
        for (col, h) in ["类别编码", "类别名称", "问题数"].iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *h, &bold).map_err(xlsx_err)?;
            widths.see(col as u16, text_width(h));
        }
        row += 1;
        for (code, n) in &log.by_category {
            let name = names.get(code).map(String::as_str).unwrap_or("");
            sheet.write_string(row, 0, code).map_err(xlsx_err)?;
            sheet.write_string(row, 1, name).map_err(xlsx_err)?;
            sheet.write_number(row, 2, f64::from(*n)).map_err(xlsx_err)?;
            widths.see(1, text_width(name));
            row += 1;
        }

        row += 1;
        for (col, h) in ["巡查编号", "开始时间", "结束时间", "网格数"].iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *h, &bold).map_err(xlsx_err)?;
            widths.see(col as u16, text_width(h));
        }
        row += 1;
        for p in &log.patrol_list {
            sheet.write_string(row, 0, &p.id).map_err(xlsx_err)?;
            widths.see(0, p.id.len());
            sheet.write_datetime_with_format(row, 1, local(p.started_at), &time).map_err(xlsx_err)?;
            if let Some(end) = p.ended_at {
                sheet.write_datetime_with_format(row, 2, local(end), &time).map_err(xlsx_err)?;
            }
            sheet.write_number(row, 3, f64::from(p.grids)).map_err(xlsx_err)?;
            widths.see(1, 16);
            widths.see(2, 16);
            row += 1;
        }

        row += 1;
        let headers = ["问题编号", "网格", "类别", "状态", "发现时间", "整改期限", "整改时间", "超期"];
        for (col, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *h, &bold).map_err(xlsx_err)?;
            widths.see(col as u16, text_width(h));
        }
        row += 1;
        for f in &log.finding_list {
            let category = format!("{} {}", f.category, names.get(&f.category).map(String::as_str).unwrap_or(""));
            let status = f.status.label(crate::lang::Lang::Zh);
            sheet.write_string(row, 0, &f.id).map_err(xlsx_err)?;
            sheet.write_string(row, 1, &f.grid).map_err(xlsx_err)?;
            sheet.write_string(row, 2, &category).map_err(xlsx_err)?;
            sheet.write_string(row, 3, status).map_err(xlsx_err)?;
            sheet.write_datetime_with_format(row, 4, local(f.observed_at), &time).map_err(xlsx_err)?;
            for (col, t) in [(5u16, f.due_at), (6, f.rectified_at)] {
                if let Some(t) = t {
                    sheet.write_datetime_with_format(row, col, local(t), &time).map_err(xlsx_err)?;
                }
            }
            sheet.write_string(row, 7, if f.overdue { "是" } else { "否" }).map_err(xlsx_err)?;
            widths.see(0, f.id.len());
            widths.see(1, f.grid.len());
            widths.see(2, text_width(&category));
            widths.see(3, text_width(status));
            for col in 4..7 {
                widths.see(col, 16);
            }
            row += 1;
        }
        widths.apply(sheet)?;
    }
    book.save_to_buffer().map_err(xlsx_err)
}

/// Writes the logs as an XLSX workbook to a file.
pub fn save_xlsx(store: &Store, logs: &[WeeklyLog], path: &Path) -> Result<()> {
    let bytes = xlsx_bytes(store, logs)?;
    std::fs::write(path, bytes)?;
    Ok(())
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
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::{FixedClock, SeededIds};
    use crate::projection;

    #[test]
    fn the_cohort_finds_moves_through_the_fixes_index() {
        assert!(FIXES.contains(&format!("'{}'", projection::MOVED)), "the moves are the projection's kind");
        let indexed: String = {
            let dir = tempfile::tempdir().unwrap();
            let now = DateTime::parse_from_rfc3339("2026-11-25T02:00:00Z").unwrap().with_timezone(&Utc);
            let store = Store::create(dir.path(), Arc::new(FixedClock::new(now)), Arc::new(SeededIds::new(1))).unwrap();
            store
                .connection()
                .query_row("SELECT sql FROM sqlite_master WHERE name = 'events_fixes'", [], |r| r.get(0))
                .unwrap()
        };
        assert!(
            indexed.contains(COUNTED_TIME),
            "the index of fixes holds a move's counted time word for word (hub's time, else device's): {indexed}"
        );
        let dir = tempfile::tempdir().unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-25T02:00:00Z").unwrap().with_timezone(&Utc);
        let store =
            Store::create(dir.path(), Arc::new(FixedClock::new(now)), Arc::new(SeededIds::new(1))).expect("a store");
        for filter in [Cohort::Everyone, Cohort::Author("李明"), Cohort::LargeGrid("371602001")] {
            let (condition, value) = filter.condition();
            let mut stmt =
                store.connection().prepare(&format!("EXPLAIN QUERY PLAN {}", cohort_sql(condition))).unwrap();
            let plan: Vec<String> = stmt
                .query_map(params!["2026-11-22T16:00:00.000Z", "2026-11-29T16:00:00.000Z", value], |r| r.get(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let plan = plan.join("\n");
            assert_eq!(
                plan.matches("USING INDEX events_fixes").count(),
                2,
                "{filter:?}: both subqueries must search the partial index of migration 5, not a finding's history:\n{plan}"
            );
        }
    }

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
