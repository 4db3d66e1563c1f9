//! The SQL of the weekly logs and the lead's dashboard: a week's patrols and grids, and the findings of a
//! cohort with what the measures need from their history. The counting is [`crate::measures`]'s and the
//! assembly [`crate::weekly`]'s; this module only reads.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{awaits_rectification, ts_of, Store, COUNTED_TIME};
use crate::error::{Error, Result};
use crate::lifecycle::Status;
use crate::measures::{DueCase, Measures, COUNTING_VERSION};
use crate::weekly::{WeeklyFinding, WeeklyPatrol};

/// Which findings a cohort holds, besides their week: every officer's or one officer's (a large
/// grid's weeks are read by [`grid_history`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cohort<'a> {
    Everyone,
    Author(&'a str),
}

impl Cohort<'_> {
    /// The condition on `f` in SQL, and the value of its parameter `?3`.
    fn condition(&self) -> (&'static str, Option<&str>) {
        match *self {
            Cohort::Everyone => ("?3 IS NULL", None),
            Cohort::Author(name) => ("f.author = ?3", Some(name)),
        }
    }
}

/// A finding of a cohort: as a log lists it (as it stands now), with its author, and its status and
/// on-the-spot flag at the period's end (from `finding_history`; `None`: recorded after the end).
pub(crate) struct CohortFinding {
    pub author: String,
    pub finding: WeeklyFinding,
    pub status_at_end: Option<String>,
    pub on_the_spot: bool,
}

/// The moves a cohort needs from the event log, in the words of the `events_fixes` index's WHERE
/// clause (migration 5): SQLite uses a partial index only for a query that repeats its condition,
/// with literals rather than parameters. A test checks the plan.
const FIXES: &str = "e.kind = 'finding.moved' AND json_extract(e.payload, '$.to') IN ('rectified', 'rework')";

/// A finding's latest history row at or before the period's end `?2` (the rows of a finding are in
/// `seq` order and their counted times never go back), for the finding `{id}`.
fn at_end(id: &str) -> String {
    format!("(SELECT max(x.seq) FROM finding_history x WHERE x.finding_id = {id} AND x.counted_at < ?2)")
}

/// The cohort query for a filter condition on `f` (with `?3`): findings observed in `[?1, ?2)`, with
/// the first move to `rectified` (at its [`COUNTED_TIME`], through the `events_fixes` index) for the
/// list, and the status and on-the-spot flag at the period's end from the history.
fn cohort_sql(condition: &str) -> String {
    format!(
        "SELECT f.author, f.id, f.grid, f.category, f.status, f.observed_at, f.due_at,
            (SELECT min({COUNTED_TIME}) FROM events e WHERE e.entity_id = f.id AND {FIXES}
                AND json_extract(e.payload, '$.to') = 'rectified'),
            h.status, coalesce(h.on_the_spot, 0)
         FROM findings f
         LEFT JOIN finding_history h ON h.finding_id = f.id AND h.seq = {at_end}
         WHERE {condition} AND f.observed_at >= ?1 AND f.observed_at < ?2
         ORDER BY f.author, f.observed_at, f.seq",
        at_end = at_end("f.id")
    )
}

/// The findings of `filter` observed in `[from, to)`, by author, then in the order observed. Each
/// comes with its first move to `rectified` (at the [`COUNTED_TIME`] of its events), whether it is
/// overdue at the store's clock (the list shows findings as they stand now), and its state at `to`.
pub(crate) fn cohort(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    filter: Cohort<'_>,
) -> Result<Vec<CohortFinding>> {
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
            r.get::<_, Option<String>>(8)?,
            r.get::<_, bool>(9)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (author, id, grid, category, status, observed, due, rectified, status_at_end, on_the_spot) = row?;
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
        out.push(CohortFinding { author, finding, status_at_end, on_the_spot });
    }
    Ok(out)
}

/// A case observed in a period, as the measures alone need it (no list, no first fix): its grid,
/// category, and status and on-the-spot flag at the period's end.
pub(crate) struct ReportRow {
    pub grid: String,
    pub category: String,
    pub status_at_end: Option<String>,
    pub on_the_spot: bool,
}

/// The reports query for a filter condition on `f` (with `?3`): findings observed in `[?1, ?2)` with
/// their state at `?2` from the history; the lean form of [`cohort_sql`] for the measures alone.
fn reports_sql(condition: &str) -> String {
    format!(
        "SELECT f.grid, f.category, h.status, coalesce(h.on_the_spot, 0)
         FROM findings f
         LEFT JOIN finding_history h ON h.finding_id = f.id AND h.seq = {at_end}
         WHERE {condition} AND f.observed_at >= ?1 AND f.observed_at < ?2",
        at_end = at_end("f.id")
    )
}

/// The findings of `filter` observed in `[from, to)`, each with its state at `to` (the measures'
/// reports, for the dashboard and the groups, which list no findings).
pub(crate) fn reported_cases(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    filter: Cohort<'_>,
) -> Result<Vec<ReportRow>> {
    let (condition, value) = filter.condition();
    let mut stmt = store.connection().prepare_cached(&reports_sql(condition))?;
    let rows = stmt.query_map(params![ts_of(from), ts_of(to), value], |r| {
        Ok(ReportRow { grid: r.get(0)?, category: r.get(1)?, status_at_end: r.get(2)?, on_the_spot: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Which cases a due count holds: every case or one officer's (the condition on the history row `c`,
/// with `?3`).
fn due_condition(filter: Cohort<'_>) -> (&'static str, Option<&str>) {
    match filter {
        Cohort::Everyone => ("?3 IS NULL", None),
        Cohort::Author(name) => ("c.author = ?3", Some(name)),
    }
}

/// The due query: the cases with a history row due in `[?1, ?2)` (found through the history's due
/// index), then each one's row at the period's end, kept if its due time is still in the
/// period, with its status at its due time.
fn due_sql(condition: &str) -> String {
    format!(
        "SELECT e.author, e.grid, e.unit, e.status, e.deferred, e.on_the_spot, e.reworks,
            (SELECT d.status FROM finding_history d WHERE d.finding_id = e.finding_id AND d.counted_at <= e.due_at
                ORDER BY d.seq DESC LIMIT 1)
         FROM (SELECT DISTINCT c.finding_id AS id FROM finding_history c
               WHERE c.due_at >= ?1 AND c.due_at < ?2 AND {condition}) k
         JOIN finding_history e ON e.finding_id = k.id AND e.seq = {at_end}
         WHERE e.due_at >= ?1 AND e.due_at < ?2",
        at_end = at_end("k.id")
    )
}

/// The cases of `filter` whose due time, as it stood at `to`, falls in `[from, to)`, each with its
/// history row at `to` and its status at its due time (see [`crate::measures`]).
pub(crate) fn due_cases(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    filter: Cohort<'_>,
) -> Result<Vec<DueCase>> {
    let (condition, value) = due_condition(filter);
    let mut stmt = store.connection().prepare_cached(&due_sql(condition))?;
    let rows = stmt.query_map(params![ts_of(from), ts_of(to), value], |r| {
        Ok(DueCase {
            author: r.get(0)?,
            grid: r.get(1)?,
            unit: r.get(2)?,
            status_at_end: r.get(3)?,
            deferred: r.get(4)?,
            on_the_spot: r.get(5)?,
            reworks: r.get(6)?,
            status_at_due: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A small grid's cases over a run of weeks, as the lead's dashboard counts them: the findings
/// observed in the run, the due times their history gave in it, and each such finding's history up
/// to the run's end. Read from the covering indexes of migration 14, so that even from a cold cache
/// the reads lie together; the counting is [`crate::weekly::grid_weeks`]'s. Times are the store's
/// fixed-width texts (see [`ts_of`]), compared as the SQL compares them.
#[derive(Debug, Default)]
pub(crate) struct GridHistory {
    /// The findings observed in the run.
    pub reported: Vec<ReportedFinding>,
    /// Each history row due in the run, as (finding id, due time): a finding's row due in a week
    /// makes it a candidate for that week's due count.
    pub due: Vec<(String, String)>,
    /// Every history row up to the run's end of the findings above, by finding, in `seq` order.
    pub rows: HashMap<String, Vec<HistoryRow>>,
}

/// A finding observed in the run of a [`GridHistory`].
#[derive(Debug)]
pub(crate) struct ReportedFinding {
    pub id: String,
    pub observed_at: String,
    pub category: String,
}

/// One row of `finding_history` (migration 13).
#[derive(Debug)]
pub(crate) struct HistoryRow {
    pub counted_at: String,
    pub status: String,
    pub due_at: Option<String>,
    pub unit: Option<String>,
    pub deferred: bool,
    pub on_the_spot: bool,
    pub reworks: u32,
    pub author: String,
}

/// The findings of the small grid `?1` observed in `[?2, ?3)`, through `findings_grid_observed`.
const GRID_REPORTED: &str =
    "SELECT id, observed_at, category FROM findings WHERE grid = ?1 AND observed_at >= ?2 AND observed_at < ?3";

/// The history rows of the small grid `?1` due in `[?2, ?3)`, through `finding_history_grid`.
const GRID_DUE: &str =
    "SELECT finding_id, due_at FROM finding_history WHERE grid = ?1 AND due_at >= ?2 AND due_at < ?3";

/// The history up to `?3` of the findings of either query above, finding by finding (the ids in
/// order, then each one's rows from the covering index `finding_history_by_grid`).
fn grid_rows_sql() -> String {
    format!(
        "WITH ids(id) AS (SELECT id FROM ({GRID_REPORTED}) UNION SELECT finding_id FROM ({GRID_DUE}))
         SELECT h.finding_id, h.counted_at, h.status, h.due_at, h.unit, h.deferred, h.on_the_spot, h.reworks,
                h.author
         FROM ids CROSS JOIN finding_history h INDEXED BY finding_history_by_grid
              ON h.grid = ?1 AND h.finding_id = ids.id
         WHERE h.counted_at < ?3
         ORDER BY h.finding_id, h.seq"
    )
}

/// The cases of the small grid `grid` over `[from, to)`: see [`GridHistory`].
pub(crate) fn grid_history(store: &Store, grid: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<GridHistory> {
    let conn = store.connection();
    let (from, to) = (ts_of(from), ts_of(to));
    let args = params![grid, from, to];
    let mut out = GridHistory::default();
    for row in conn
        .prepare_cached(GRID_REPORTED)?
        .query_map(args, |r| Ok(ReportedFinding { id: r.get(0)?, observed_at: r.get(1)?, category: r.get(2)? }))?
    {
        out.reported.push(row?);
    }
    for row in conn.prepare_cached(GRID_DUE)?.query_map(args, |r| Ok((r.get(0)?, r.get(1)?)))? {
        out.due.push(row?);
    }
    let mut rows = conn.prepare_cached(&grid_rows_sql())?;
    let mut found = rows.query(args)?;
    while let Some(r) = found.next()? {
        let id: String = r.get(0)?;
        let row = HistoryRow {
            counted_at: r.get(1)?,
            status: r.get(2)?,
            due_at: r.get(3)?,
            unit: r.get(4)?,
            deferred: r.get(5)?,
            on_the_spot: r.get(6)?,
            reworks: r.get(7)?,
            author: r.get(8)?,
        };
        out.rows.entry(id).or_default().push(row);
    }
    Ok(out)
}

/// The counts kept for the small grids `grids` and the weeks ending at `ends` by this version of
/// the counting (`grid_week_counts`, migration 14), by (grid, week end). A kept row that does not
/// read as counts is an error: the table is written only by [`keep_grid_weeks`].
pub(crate) fn kept_grid_weeks(
    store: &Store,
    grids: &[String],
    ends: &[String],
) -> Result<HashMap<(String, String), Measures>> {
    let (first, last) = match (ends.first(), ends.last()) {
        (Some(first), Some(last)) => (first, last),
        _ => return Ok(HashMap::new()),
    };
    let mut stmt = store.connection().prepare_cached(
        "SELECT week_end, counts FROM grid_week_counts
         WHERE grid = ?1 AND week_end >= ?2 AND week_end <= ?3 AND version = ?4",
    )?;
    let mut out = HashMap::new();
    for grid in grids {
        let rows = stmt.query_map(params![grid, first, last, COUNTING_VERSION], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (end, text) = row?;
            let counts: Measures = serde_json::from_str(&text).map_err(|e| Error::StoreDamaged {
                detail: format!("the dashboard's kept counts of grid {grid}, week ending {end}, do not read: {e}"),
            })?;
            out.insert((grid.clone(), end), counts);
        }
    }
    Ok(out)
}

/// Keeps the counts of small grids' ended weeks, as (grid, week end, counts), replacing what was
/// kept (by any version of the counting).
pub(crate) fn keep_grid_weeks(store: &Store, rows: &[(&str, &str, &Measures)]) -> Result<()> {
    let mut stmt = store.connection().prepare_cached(
        "INSERT INTO grid_week_counts (grid, week_end, version, counts) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (grid, week_end) DO UPDATE SET version = excluded.version, counts = excluded.counts",
    )?;
    for (grid, end, counts) in rows {
        let text =
            serde_json::to_string(counts).map_err(|e| Error::InvalidValue { field: "counts", value: e.to_string() })?;
        stmt.execute(params![grid, end, COUNTING_VERSION, text])?;
    }
    Ok(())
}

/// A patrol that started in a week, with its officer.
pub(crate) struct OfficerPatrol {
    pub officer: String,
    pub patrol: WeeklyPatrol,
}

impl Store {
    /// The names of the users with the officer role.
    pub(crate) fn officer_names(&self) -> Result<Vec<String>> {
        let mut stmt = self.connection().prepare_cached("SELECT name FROM users WHERE role = 'officer'")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The patrols that started in `[from, to)` (one officer's, or everyone's), by officer, then start,
    /// with how many grids each walked.
    pub(crate) fn week_patrols(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        officer: Option<&str>,
    ) -> Result<Vec<OfficerPatrol>> {
        let officer_filter = if officer.is_some() { "p.officer = ?3 AND" } else { "?3 IS NULL AND" };
        let sql = format!(
            "SELECT p.officer, p.id, p.started_at, p.ended_at,
                    (SELECT count(*) FROM patrol_grids pg WHERE pg.patrol_id = p.id)
             FROM patrols p WHERE {officer_filter} p.started_at >= ?1 AND p.started_at < ?2
             ORDER BY p.officer, p.started_at"
        );
        let mut stmt = self.connection().prepare_cached(&sql)?;
        let rows = stmt.query_map(params![ts_of(from), ts_of(to), officer], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, u32>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (officer, id, started, ended, grids) = row?;
            let patrol = WeeklyPatrol {
                id,
                started_at: parse(&started)?,
                ended_at: ended.as_deref().map(parse).transpose()?,
                grids,
            };
            out.push(OfficerPatrol { officer, patrol });
        }
        Ok(out)
    }

    /// Distinct grids walked by each officer's patrols that started in `[from, to)`.
    pub(crate) fn grids_walked(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        officer: Option<&str>,
    ) -> Result<Vec<(String, u32)>> {
        let officer_filter = if officer.is_some() { "p.officer = ?3 AND" } else { "?3 IS NULL AND" };
        let sql = format!(
            "SELECT p.officer, count(DISTINCT pg.grid) FROM patrols p JOIN patrol_grids pg ON pg.patrol_id = p.id
             WHERE {officer_filter} p.started_at >= ?1 AND p.started_at < ?2 GROUP BY p.officer"
        );
        let mut stmt = self.connection().prepare_cached(&sql)?;
        let rows = stmt.query_map(params![ts_of(from), ts_of(to), officer], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For each name among the small grids' owners (a JSON list), how many small grids name it.
    pub(crate) fn small_grids_by_owner(&self) -> Result<Vec<(String, u32)>> {
        let mut stmt = self.connection().prepare_cached(
            "SELECT o.value, count(*) FROM grids g, json_each(g.owners) o WHERE g.level = 'small' GROUP BY o.value",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The level of a grid (`large`, `small`), if the code names one.
    pub(crate) fn grid_level_text(&self, code: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .connection()
            .prepare_cached("SELECT level FROM grids WHERE code = ?1")?
            .query_row([code], |r| r.get(0))
            .optional()?)
    }

    /// Chinese names of the minor categories, by code (for the exports).
    pub fn category_names_zh(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self.connection().prepare_cached("SELECT code, name_zh FROM categories")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn parse(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| Error::InvalidTime(s.to_string()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, Utc};
    use rusqlite::params;

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
        for filter in [Cohort::Everyone, Cohort::Author("李明")] {
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
                1,
                "{filter:?}: the first fix must be searched in the partial index of migration 5, not a finding's history:\n{plan}"
            );
            assert!(
                plan.contains("SEARCH x USING PRIMARY KEY (finding_id=?)"),
                "{filter:?}: the state at the period's end is a search of the finding's history rows:\n{plan}"
            );
        }
    }

    #[test]
    fn the_due_cases_are_found_through_the_history_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-25T02:00:00Z").unwrap().with_timezone(&Utc);
        let store =
            Store::create(dir.path(), Arc::new(FixedClock::new(now)), Arc::new(SeededIds::new(1))).expect("a store");
        for (filter, index) in
            [(Cohort::Everyone, "finding_history_due"), (Cohort::Author("李明"), "finding_history_due")]
        {
            let (condition, value) = due_condition(filter);
            let mut stmt = store.connection().prepare(&format!("EXPLAIN QUERY PLAN {}", due_sql(condition))).unwrap();
            let plan: Vec<String> = stmt
                .query_map(params!["2026-11-22T16:00:00.000Z", "2026-11-29T16:00:00.000Z", value], |r| r.get(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let plan = plan.join("\n");
            assert!(
                plan.contains(&format!("USING INDEX {index}")) || plan.contains(&format!("USING COVERING INDEX {index}")),
                "{filter:?}: the cases due in a period are found through {index}, not by reading the whole history:\n{plan}"
            );
            assert!(!plan.contains("SCAN c"), "{filter:?}: no scan of the history:\n{plan}");
        }
    }

    #[test]
    fn a_large_grids_weeks_are_read_from_the_covering_indexes_of_each_small_grid() {
        let dir = tempfile::tempdir().unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-25T02:00:00Z").unwrap().with_timezone(&Utc);
        let store =
            Store::create(dir.path(), Arc::new(FixedClock::new(now)), Arc::new(SeededIds::new(1))).expect("a store");
        let plan = |sql: &str| -> String {
            let mut stmt = store.connection().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let rows = stmt
                .query_map(params!["37160200100101", "2026-11-22T16:00:00.000Z", "2026-11-29T16:00:00.000Z"], |r| {
                    r.get::<_, String>(3)
                })
                .unwrap();
            rows.collect::<rusqlite::Result<Vec<_>>>().unwrap().join("\n")
        };
        let reported = plan(GRID_REPORTED);
        assert!(reported.contains("USING COVERING INDEX findings_grid_observed"), "{reported}");
        let due = plan(GRID_DUE);
        assert!(due.contains("USING COVERING INDEX finding_history_grid"), "{due}");
        let rows = plan(&grid_rows_sql());
        assert!(
            rows.contains("SEARCH h USING COVERING INDEX finding_history_by_grid (grid=? AND finding_id=?)"),
            "each finding's rows are one search of the grid's covering index:\n{rows}"
        );
        assert!(!rows.contains("SCAN h"), "no scan of the history:\n{rows}");
    }
}
