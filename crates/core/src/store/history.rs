//! `finding_history` (migration 13): a finding's state as the measures read it — status, due time,
//! responsible unit, deferred, on the spot, rework count —, one row each time a change of the
//! projection changes that state, stamped with the change's counted time (the hub's accepted time
//! when this device knows it, else the device time: [`super::COUNTED_TIME`]). The measures read
//! the latest row at or before a period's end, so a past week's figures do not drift when a case
//! is closed, reopened or deferred later.
//!
//! [`record_history`] is the one writer: every change of a finding's projection calls it with the
//! finding's new state (report, move, edit; the lead wires deferral, suspension and on-the-spot
//! events to it at merge). A pull that reorders or re-stamps a finding's events rewrites that
//! finding's rows from its events ([`rewrite_history`]) through the same function.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::events::{from_row as event_from_row, COLUMNS};
use super::{parse_ts, ts};
use crate::error::Result;
use crate::lifecycle::Status;
use crate::model::{Event, Finding};
use crate::projection;

/// A finding's state as the measures read it, after one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryState {
    pub status: Status,
    pub due_at: Option<DateTime<Utc>>,
    /// The responsible unit the case is dispatched to (a unit code); none until dispatch.
    pub unit: Option<String>,
    /// Whether a deferral (延期) was approved for the case.
    pub deferred: bool,
    /// Whether the case was solved on the spot (当场处置) by the officer who recorded it.
    pub on_the_spot: bool,
    /// The finding's grid and author, which never change: the measures group by them without
    /// reading the findings table.
    pub grid: String,
    pub author: String,
}

impl HistoryState {
    /// The state of a finding as the projection holds it: its status, due time, the unit it is
    /// dispatched to, whether a deferral was approved, whether it was solved on the spot.
    pub fn of(f: &Finding) -> HistoryState {
        HistoryState {
            status: f.status,
            due_at: f.due_at,
            unit: f.unit.clone(),
            deferred: f.deferrals > 0,
            on_the_spot: f.on_the_spot,
            grid: f.grid.clone(),
            author: f.author.clone(),
        }
    }
}

/// The last row of a finding's history.
struct Last {
    seq: i64,
    counted_at: DateTime<Utc>,
    state: (String, Option<String>, Option<String>, bool, bool),
    reworks: i64,
}

/// Records a finding's new state after a change counted at `counted_at`. A change that leaves the
/// measured state as it was (an edit of the description) writes nothing. The row's time is never
/// before the row it follows (a device clock behind the hub's must not put a later change first),
/// and the rework count goes up by one each time the case enters `rework`.
pub(crate) fn record_history(
    conn: &Connection,
    finding_id: &str,
    counted_at: DateTime<Utc>,
    state: &HistoryState,
) -> Result<()> {
    let last: Option<Last> = conn
        .prepare_cached(
            "SELECT seq, counted_at, status, due_at, unit, deferred, on_the_spot, reworks FROM finding_history
             WHERE finding_id = ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([finding_id], |r| {
            Ok(Last {
                seq: r.get(0)?,
                counted_at: parse_ts(&r.get::<_, String>(1)?)?,
                state: (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?),
                reworks: r.get(7)?,
            })
        })
        .optional()?;
    let now = (
        state.status.as_str().to_string(),
        state.due_at.map(ts),
        state.unit.clone(),
        state.deferred,
        state.on_the_spot,
    );
    let (seq, at, reworks) = match &last {
        Some(last) if last.state == now => return Ok(()),
        Some(last) => {
            let entered_rework = state.status == Status::Rework && last.state.0 != Status::Rework.as_str();
            (last.seq + 1, counted_at.max(last.counted_at), last.reworks + i64::from(entered_rework))
        }
        None => (1, counted_at, i64::from(state.status == Status::Rework)),
    };
    conn.prepare_cached(
        "INSERT INTO finding_history
            (finding_id, seq, counted_at, status, due_at, unit, deferred, on_the_spot, reworks, grid, author)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        finding_id,
        seq,
        ts(at),
        now.0,
        now.1,
        now.2,
        now.3,
        now.4,
        reworks,
        state.grid,
        state.author
    ])?;
    Ok(())
}

/// The time an event counts at: the hub's accepted time when known, else the device's
/// (the Rust form of [`super::COUNTED_TIME`]).
pub(crate) fn counted_time(event: &Event) -> DateTime<Utc> {
    event.accepted_at.unwrap_or(event.device_time)
}

/// Writes a finding's history again from its events in fold order (hub order, then local pending
/// ones; refused ones left out), each state through [`record_history`].
pub(crate) fn rewrite_history_from(conn: &Connection, finding_id: &str, events: &[Event]) -> Result<()> {
    conn.prepare_cached("DELETE FROM finding_history WHERE finding_id = ?1")?.execute([finding_id])?;
    let mut state: Option<Finding> = None;
    for event in events {
        state = projection::apply(state, event);
        if let Some(f) = &state {
            record_history(conn, finding_id, counted_time(event), &HistoryState::of(f))?;
        }
    }
    Ok(())
}

/// Moves the one history row of a finding whose only event is `report` to the report's counted
/// time, which is what [`rewrite_history`] writes for it, without reading and folding its events:
/// the device's own report come back from the hub with the hub's accepted time. Returns false and
/// changes nothing when the finding has other events or other rows.
pub(crate) fn restamp_lone_report(conn: &Connection, finding_id: &str, report: &Event) -> Result<bool> {
    if report.kind != projection::REPORTED {
        return Ok(false);
    }
    let lone: bool = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM events WHERE entity_id = ?1 AND entity = 'finding' AND sync_state != 'parked') = 1
                AND (SELECT max(seq) FROM finding_history WHERE finding_id = ?1) = 1",
        )?
        .query_row([finding_id], |r| r.get(0))?;
    if !lone {
        return Ok(false);
    }
    conn.prepare_cached("UPDATE finding_history SET counted_at = ?2 WHERE finding_id = ?1 AND seq = 1")?
        .execute(params![finding_id, ts(counted_time(report))])?;
    Ok(true)
}

/// Reads a finding's events in fold order and rewrites its history from them.
pub(crate) fn rewrite_history(conn: &Connection, finding_id: &str) -> Result<()> {
    let events: Vec<Event> = {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM events WHERE entity_id = ?1 AND entity = 'finding' AND sync_state != 'parked'
             ORDER BY hub_seq IS NULL, hub_seq, seq"
        ))?;
        let rows = stmt.query_map([finding_id], event_from_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    rewrite_history_from(conn, finding_id, &events)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::{FixedClock, SeededIds};
    use crate::model::Role;
    use crate::store::{MoveRequest, NewFinding, Store};

    /// An after photo whose bytes depend on `seed` (a time text).
    fn after_photo(seed: &str) -> crate::store::PhotoSource {
        let n = seed.bytes().fold(0u8, |a, b| a.wrapping_add(b));
        let img = image::RgbImage::from_fn(4, 4, |x, y| image::Rgb([n, x as u8, y as u8]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
        crate::store::PhotoSource::Bytes { name: "after.png".into(), bytes: bytes.into_inner() }
    }

    fn rows(store: &Store) -> Vec<(String, i64, String, String, Option<String>, i64, String)> {
        let mut stmt = store
            .connection()
            .prepare(
                "SELECT finding_id, seq, counted_at, status, due_at, reworks, grid FROM finding_history ORDER BY 1, 2",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
            .unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn the_migration_backfills_the_rows_the_store_writes() {
        let dir = tempfile::tempdir().unwrap();
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let clock = Arc::new(FixedClock::new(t("2026-11-23T02:00:00Z")));
        let mut store = Store::create(dir.path(), clock.clone(), Arc::new(SeededIds::new(13))).unwrap();
        store.import_sample_registry().unwrap();
        store.set_profile("李明", Role::Officer).unwrap();
        let a = store.add_finding(NewFinding::new("37160200100101", "10101", "井盖破损")).unwrap().id;
        let b = store.add_finding(NewFinding::new("37160200100101", "10118", "路灯不亮")).unwrap().id;
        store
            .edit_finding(&b, crate::projection::Edit { description: Some("路灯不亮了".into()), ..Default::default() })
            .unwrap();
        let go = |store: &mut Store, who: (&str, Role), to: Status, at: &str| {
            clock.set(t(at));
            store.set_profile(who.0, who.1).unwrap();
            let photos = if to == Status::Rectified { vec![after_photo(at)] } else { Vec::new() };
            let req = MoveRequest { id: a.clone(), to, note: "note".into(), photos, unit: None };
            store.move_finding(req).unwrap();
        };
        let lead = ("王建国", Role::Lead);
        go(&mut store, lead, Status::Accepted, "2026-11-23T03:00:00Z");
        go(&mut store, lead, Status::Rectifying, "2026-11-23T03:00:00Z");
        go(&mut store, lead, Status::Rectified, "2026-11-23T04:00:00Z");
        go(&mut store, lead, Status::Rework, "2026-11-23T05:00:00Z");
        go(&mut store, lead, Status::Rectified, "2026-11-23T06:00:00Z");
        go(&mut store, lead, Status::Rework, "2026-11-23T07:00:00Z");
        let written = rows(&store);
        assert_eq!(written.len(), 8, "a report each and six moves; the edit changed no measured state");
        assert_eq!(written[6].5, 2, "two entries into rework: {written:?}");
        store
            .connection()
            .execute_batch(
                // Back to before migration 13 (the history), and so before 14 (the dashboard's
                // indexes, its kept counts and their triggers, which would be made twice).
                "DROP TABLE finding_history; DROP INDEX findings_grid_observed; DROP TABLE grid_week_counts;
                 DROP TRIGGER grid_week_counts_findings_insert; DROP TRIGGER grid_week_counts_findings_delete;
                 DROP TRIGGER grid_week_counts_findings_update; PRAGMA user_version = 12;",
            )
            .unwrap();
        drop(store);
        let store = Store::open(dir.path(), clock, Arc::new(SeededIds::new(14))).unwrap();
        assert_eq!(rows(&store), written, "the migration writes from the events what the store wrote");
    }
}
