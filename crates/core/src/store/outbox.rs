//! The sync side of the `events` table: the outbox the engine pushes, the acknowledgements and
//! refusals it records, and the events pulled from the hub, applied to the local projection.
//!
//! Order on a device is the hub's order first, then local pending events: whenever a finding's
//! history changes under it (a pulled event, a refusal), the finding is rebuilt with
//! [`projection::replay`] over its events in that order, parked events left out. Every write here
//! is one transaction, and a pull's events and its cursor are committed together, so a crash can
//! never leave an event applied without its cursor or the reverse.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{ts, Store};
use crate::change::{self, Bounds, Change, Decoded};
use crate::error::{Error, Result};
use crate::model::{Event, Finding};
use crate::projection;
use crate::remote;
use crate::review;

pub(super) const CURSOR_KEY: &str = "sync.cursor";

/// An event the hub refused, with its reason: shown to the person who made the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParkedEvent {
    pub event: Event,
    pub code: String,
    pub message: String,
}

/// What applying one page of pulled events did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Events new to this device.
    pub new: usize,
    /// Events this device had made, now known to be at the hub.
    pub own: usize,
    /// Events this device could not decode or apply, set aside with their reasons.
    pub set_aside: usize,
}

/// A pulled event this device could not decode or apply: kept aside with the reason, never applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    pub hub_seq: Option<i64>,
    pub event_id: String,
    pub kind: String,
    /// The refusal's stable code (`malformed_event`, `time_out_of_bounds`, ...).
    pub code: String,
    /// The refusal in English, for logs and support.
    pub message: String,
    /// When this device set it aside.
    pub at: chrono::DateTime<chrono::Utc>,
}

use super::events::{from_row as event_from_row, COLUMNS};

impl Store {
    /// Marks the events that never travel (see [`remote::SYNCED_KINDS`]) as settled, so the
    /// outbox holds only what the hub takes. They keep no hub sequence number.
    pub fn settle_local_events(&mut self) -> Result<usize> {
        let kinds = remote::SYNCED_KINDS.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
        let n = self.conn.execute(
            &format!("UPDATE events SET sync_state = 'acked' WHERE sync_state = 'pending' AND kind NOT IN ({kinds})"),
            [],
        )?;
        Ok(n)
    }

    /// The outbox: pending events that travel, oldest first.
    pub fn outbox(&self, limit: usize) -> Result<Vec<Event>> {
        let kinds = remote::SYNCED_KINDS.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM events WHERE sync_state = 'pending' AND kind IN ({kinds}) ORDER BY seq LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit as i64], event_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records the hub's acknowledgements `(event id, hub sequence number)` in one durable commit.
    /// An event already acknowledged or refused is left as it is, so a repeated ack changes nothing.
    pub fn ack(&mut self, acks: &[(String, i64)]) -> Result<usize> {
        let tx = self.transaction()?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE events SET sync_state = 'acked', hub_seq = ?2 WHERE id = ?1 AND sync_state = 'pending'",
            )?;
            for (id, seq) in acks {
                n += stmt.execute(params![id, seq])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Parks a pending event the hub refused, with the hub's code and message, and rebuilds what it
    /// changed locally so the device shows the hub's truth. The event itself is kept.
    pub fn park(&mut self, id: &str, code: &str, message: &str) -> Result<bool> {
        let tx = self.transaction()?;
        let reason = serde_json::json!({"code": code, "message": message}).to_string();
        let n = tx.execute(
            "UPDATE events SET sync_state = 'parked', parked_reason = ?2 WHERE id = ?1 AND sync_state = 'pending'",
            params![id, reason],
        )?;
        let entity: Option<(String, String)> = tx
            .query_row("SELECT entity, entity_id FROM events WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((entity, entity_id)) = entity.filter(|_| n > 0) {
            rebuild(&tx, &entity, &entity_id)?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    /// Events the hub refused, oldest first, with the reasons.
    pub fn parked_events(&self) -> Result<Vec<ParkedEvent>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS}, parked_reason FROM events WHERE sync_state = 'parked' ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], |r| {
            let event = event_from_row(r)?;
            // A parked event without a readable reason is a broken row: an error, not "unknown".
            let text: Option<String> = r.get(10)?;
            let text = text.unwrap_or_default();
            let reason: serde_json::Value =
                serde_json::from_str(&text).map_err(|_| super::events::unreadable(10, "parked reason", &text))?;
            let field = |k: &str| {
                reason[k]
                    .as_str()
                    .map(String::from)
                    .ok_or_else(|| super::events::unreadable(10, "parked reason", &text))
            };
            Ok(ParkedEvent { event, code: field("code")?, message: field("message")? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The hub sequence number up to which this device has applied the hub's events.
    pub fn pull_cursor(&self) -> Result<i64> {
        // No cursor yet means from the start; an unreadable one is an error, not a silent restart.
        match self.setting(CURSOR_KEY)? {
            None => Ok(0),
            Some(v) => v.parse().map_err(|_| Error::Setting {
                key: CURSOR_KEY.to_string(),
                reason: format!("unreadable stored value {:?}", v.chars().take(64).collect::<String>()),
            }),
        }
    }

    /// Applies one page of pulled events (each with its `hub_seq`) and moves the cursor to
    /// `cursor`, in one transaction. Applying the same page again changes nothing: events are
    /// known by id. Each new event is decoded with [`change::decode`] (the hub's own decoder) and
    /// applied in its own savepoint; one this device cannot decode or apply is set aside with its
    /// reason ([`Store::set_aside_events`]) and touches nothing else, so no pull can break a read.
    pub fn apply_remote(&mut self, events: &[Event], cursor: i64) -> Result<Applied> {
        let now = self.now();
        let mut tx = self.transaction()?;
        let mut applied = Applied::default();
        let mut restamp = std::collections::BTreeSet::new();
        for event in events {
            // The hub's clock bounds what it accepted; this device's clock may lag behind it.
            let bounds = Bounds::at(event.accepted_at.map_or(now, |a| a.max(now)));
            let known: Option<(String, Option<i64>, String, Option<String>)> = tx
                .prepare_cached("SELECT sync_state, hub_seq, payload, accepted_at FROM events WHERE id = ?1")?
                .query_row([&event.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            match known {
                Some((state, seq, payload, accepted)) => {
                    // Our own event, come back in hub order: the hub has it, whatever this device
                    // recorded before a crash, and its version (with the deadline the hub derived)
                    // is the one that counts, if this device can read it.
                    let accepted_at = event.accepted_at.map(ts);
                    let same_place = state == "acked" && seq == event.hub_seq;
                    let hub_text = event.payload.to_string();
                    let same_payload = hub_text == payload;
                    if same_place && same_payload && (accepted_at.is_none() || accepted_at == accepted) {
                        continue;
                    }
                    let hub_version = if same_payload { None } else { change::decode(event, bounds).ok() };
                    tx.prepare_cached(
                        "UPDATE events SET sync_state = 'acked', hub_seq = ?2, parked_reason = NULL,
                            payload = coalesce(?3, payload), accepted_at = coalesce(?4, accepted_at)
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        event.id,
                        event.hub_seq,
                        hub_version.as_ref().map(|_| &hub_text),
                        accepted_at
                    ])?;
                    applied.own += 1;
                    // The hub's time (or order) for this change is new: the history counts it there.
                    // A report pulled back unchanged, its finding's only event, moves its one row to
                    // the hub's time; any other finding's rows are written again from its events.
                    if event.entity == "finding"
                        && !(same_place
                            && same_payload
                            && super::history::restamp_lone_report(&tx, &event.entity_id, event)?)
                    {
                        restamp.insert(event.entity_id.clone());
                    }
                    if !same_place {
                        rebuild(&tx, &event.entity, &event.entity_id)?;
                    } else if let Some(Decoded { change: Change::Reported(hub), .. }) = &hub_version {
                        // The hub's report differs from ours only by the deadline it derived (moves
                        // and edits never touch it): set that, without re-folding the finding.
                        let ours: Option<Finding> =
                            serde_json::from_str::<Finding>(&payload).ok().map(|f| Finding { due_at: hub.due_at, ..f });
                        match ours {
                            Some(ours) if ours == *hub => {
                                tx.prepare_cached("UPDATE findings SET due_at = ?2 WHERE id = ?1")?
                                    .execute(params![hub.id, hub.due_at.map(ts)])?;
                            }
                            _ => rebuild(&tx, &event.entity, &event.entity_id)?,
                        }
                    } else if hub_version.is_some() {
                        rebuild(&tx, &event.entity, &event.entity_id)?;
                    }
                }
                None => {
                    let outcome = match change::decode(event, bounds) {
                        Err(e) => Err(e),
                        Ok(decoded) => {
                            let sp = tx.savepoint()?;
                            match insert_pulled(&sp, event).and_then(|()| apply_new(&sp, event, &decoded)) {
                                Ok(()) => {
                                    sp.commit()?;
                                    Ok(())
                                }
                                // Dropping the savepoint rolls back what this event began.
                                Err(e) if is_about_the_event(&e) => Err(e),
                                Err(e) => return Err(e),
                            }
                        }
                    };
                    match outcome {
                        Ok(()) => applied.new += 1,
                        Err(e) => {
                            set_aside(&tx, event, &e, now)?;
                            applied.set_aside += 1;
                        }
                    }
                }
            }
        }
        for id in restamp {
            let exists: bool = tx
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM findings WHERE id = ?1)")?
                .query_row([&id], |r| r.get(0))?;
            if exists {
                super::history::rewrite_history(&tx, &id)?;
            }
        }
        put_setting(&tx, CURSOR_KEY, &cursor.to_string())?;
        tx.commit()?;
        Ok(applied)
    }

    /// How many pulled events this device set aside.
    pub fn set_aside_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM set_aside", [], |r| r.get(0))?)
    }

    /// The pulled events this device could not decode or apply, oldest first, with the reasons.
    pub fn set_aside_events(&self) -> Result<Vec<SetAside>> {
        let mut stmt = self.conn.prepare(
            "SELECT hub_seq, event_id, kind, code, message, at FROM set_aside ORDER BY hub_seq IS NULL, hub_seq, seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SetAside {
                hub_seq: r.get(0)?,
                event_id: r.get(1)?,
                kind: r.get(2)?,
                code: r.get(3)?,
                message: r.get(4)?,
                at: super::parse_ts(&r.get::<_, String>(5)?)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(super) fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }
}

pub(super) fn put_setting(tx: &rusqlite::Connection, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Records a pulled event in the event log, acknowledged, with the hub's number and time.
fn insert_pulled(tx: &Connection, event: &Event) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO events (id, entity, entity_id, actor, kind, payload, device_time, sync_state, hub_seq, accepted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'acked', ?8, ?9)",
    )?
    .execute(params![
        event.id,
        event.entity,
        event.entity_id,
        event.actor,
        event.kind,
        event.payload.to_string(),
        ts(event.device_time),
        event.hub_seq,
        event.accepted_at.map(ts)
    ])?;
    Ok(())
}

/// Whether an error applying a pulled event is the event's fault (it is set aside) rather than this
/// device's (a full disk, a broken file: the page fails and is pulled again later).
fn is_about_the_event(e: &Error) -> bool {
    match e {
        Error::Io(_) => false,
        Error::Db(rusqlite::Error::SqliteFailure(f, _)) => f.code == rusqlite::ErrorCode::ConstraintViolation,
        Error::Db(rusqlite::Error::FromSqlConversionFailure(..)) => true,
        Error::Db(_) => false,
        _ => true,
    }
}

/// Sets a pulled event aside with the reason it could not be applied.
fn set_aside(tx: &Connection, event: &Event, e: &Error, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let mut text = serde_json::to_string(event).unwrap_or_default();
    if text.len() > 4096 {
        let mut cut = 4096;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    tx.execute(
        "INSERT OR IGNORE INTO set_aside (hub_seq, event_id, kind, code, message, event, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            event.hub_seq,
            change::clip(&event.id),
            change::clip(&event.kind),
            e.code(),
            e.message(crate::Lang::En),
            text,
            ts(now)
        ],
    )?;
    Ok(())
}

/// Applies a decoded event new to this device to the projection.
fn apply_new(tx: &Connection, event: &Event, decoded: &Decoded) -> Result<()> {
    match &decoded.change {
        Change::Reported(finding) => {
            let exists: bool =
                tx.query_row("SELECT EXISTS(SELECT 1 FROM findings WHERE id = ?1)", [&finding.id], |r| r.get(0))?;
            if exists {
                rebuild_finding(tx, &finding.id)?;
            } else {
                insert_finding(tx, finding)?;
            }
        }
        Change::Moved { finding, .. }
        | Change::Edited { finding, .. }
        | Change::DeferralRequested { finding, .. }
        | Change::DeferralDecided { finding, .. } => rebuild_finding(tx, finding)?,
        Change::PatrolStarted(p) => {
            // The patrols table names its officer; a colleague this device has not met yet gets a row.
            tx.execute(
                "INSERT OR IGNORE INTO users (name, role, created_at) VALUES (?1, 'officer', ?2)",
                params![p.officer, ts(p.started_at)],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO patrols (id, officer, kind, started_at, ended_at, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![p.id, p.officer, p.kind.as_str(), ts(p.started_at), p.ended_at.map(ts), p.notes],
            )?;
            for code in &p.grids {
                tx.execute(
                    "INSERT OR IGNORE INTO patrol_grids (patrol_id, grid) SELECT ?1, code FROM grids WHERE code = ?2",
                    params![p.id, code],
                )?;
            }
        }
        Change::PatrolEnded { patrol, ended_at } => {
            tx.execute(
                "UPDATE patrols SET ended_at = ?1 WHERE id = ?2 AND ended_at IS NULL AND started_at <= ?1",
                params![ts(*ended_at), patrol],
            )?;
        }
        Change::Log { .. } => super::reviews::rebuild(tx, &event.entity_id)?,
    }
    Ok(())
}

/// Rebuilds what an event's entity shows, when the events under it changed (a refusal, an order).
fn rebuild(tx: &Connection, entity: &str, entity_id: &str) -> Result<()> {
    match entity {
        "finding" => rebuild_finding(tx, entity_id),
        review::ENTITY => super::reviews::rebuild(tx, entity_id),
        _ => Ok(()),
    }
}

/// Inserts a finding that arrived from the hub. A finding in a grid, category or unit this device
/// does not know is an error about the event (the caller sets it aside, and the person sees it in
/// the sync area and `gridpatrol status`), never a silent gap: the hub's reference data, which
/// the device fetches before it pulls, names every one. An unknown patrol is left out.
fn insert_finding(tx: &Connection, f: &Finding) -> Result<()> {
    let exists =
        |sql: &str, code: &str| -> Result<bool> { Ok(tx.prepare_cached(sql)?.query_row([code], |r| r.get(0))?) };
    if !exists("SELECT EXISTS(SELECT 1 FROM grids WHERE code = ?1)", &f.grid)? {
        return Err(Error::UnknownGrid(crate::validate::clip(&f.grid)));
    }
    if !exists("SELECT EXISTS(SELECT 1 FROM categories WHERE code = ?1)", &f.category)? {
        return Err(Error::UnknownCategory(crate::validate::clip(&f.category)));
    }
    if let Some(unit) = &f.unit {
        if !exists("SELECT EXISTS(SELECT 1 FROM units WHERE code = ?1)", unit)? {
            return Err(Error::UnknownUnit(crate::validate::clip(unit)));
        }
    }
    let patrol: Option<String> = match &f.patrol {
        Some(p) => tx.query_row("SELECT id FROM patrols WHERE id = ?1", [p], |r| r.get(0)).optional()?,
        None => None,
    };
    super::findings::insert_row(tx, f, patrol.as_deref())?;
    write_photos(tx, f)?;
    super::history::rewrite_history(tx, &f.id)?;
    Ok(())
}

/// Writes a pulled finding's photo records, and asks for the files this device may not have yet:
/// the sync driver fetches them from the hub after the round ([`Store::wanted_photos`]).
fn write_photos(tx: &Connection, f: &Finding) -> Result<()> {
    tx.execute("DELETE FROM finding_photos WHERE finding_id = ?1", [&f.id])?;
    for (i, p) in f.photos.iter().enumerate() {
        super::findings::insert_photo(tx, &f.id, p, i as i64)?;
        tx.prepare_cached("INSERT OR IGNORE INTO photos_wanted (sha256, file) VALUES (?1, ?2)")?
            .execute(params![p.sha256, p.file])?;
    }
    Ok(())
}

/// Re-folds a finding from its events in hub order, then local pending ones, refused ones left out,
/// and writes the result over the projection row. A finding whose report was refused keeps its row
/// as the person entered it (nothing is dropped; the refusal is shown beside it).
fn rebuild_finding(tx: &Connection, id: &str) -> Result<()> {
    let events: Vec<Event> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM events WHERE entity_id = ?1 AND entity = 'finding' AND sync_state != 'parked'
             ORDER BY hub_seq IS NULL, hub_seq, seq"
        ))?;
        let rows = stmt.query_map([id], event_from_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let Some(f) = projection::replay(&events) else {
        return Ok(());
    };
    let exists: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM findings WHERE id = ?1)", [id], |r| r.get(0))?;
    if !exists {
        return insert_finding(tx, &f);
    }
    tx.execute(
        "UPDATE findings SET grid = ?2, category = ?3, description = ?4, address = ?5, lat = ?6, lon = ?7,
            urgency = ?8, responsible_unit = ?9, status = ?10, author = ?11, observed_at = ?12,
            recorded_at = ?13, updated_at = ?14, due_at = ?15
         WHERE id = ?1",
        params![
            f.id,
            f.grid,
            f.category,
            f.description,
            f.address,
            f.point.map(|p| p.lat),
            f.point.map(|p| p.lon),
            f.urgency.as_str(),
            f.responsible_unit,
            f.status.as_str(),
            f.author,
            ts(f.observed_at),
            ts(f.recorded_at),
            ts(f.updated_at),
            f.due_at.map(ts),
        ],
    )?;
    super::findings::update_loop_columns(tx, &f)?;
    write_photos(tx, &f)?;
    super::history::rewrite_history_from(tx, id, &events)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, Utc};

    use crate::clock::{FixedClock, IdSource, SeededIds};
    use crate::model::{Event, PatrolKind, Role, SyncState};
    use crate::{NewFinding, Store};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn store(dir: &std::path::Path, seed: u64) -> Store {
        let clock = Arc::new(FixedClock::new(at("2026-11-25T02:00:00Z")));
        let mut s = Store::create(dir, clock, Arc::new(SeededIds::new(seed))).unwrap();
        s.import_sample_registry().unwrap();
        s.set_profile("李明", Role::Officer).unwrap();
        s
    }

    /// The pending events of `from` as the hub hands them out: numbered from `first`, stamped.
    fn pulled(from: &Store, first: i64) -> Vec<Event> {
        let mut seq = first;
        from.outbox(100)
            .unwrap()
            .into_iter()
            .map(|e| {
                seq += 1;
                let accepted = e.device_time;
                Event { sync: SyncState::Acked, hub_seq: Some(seq - 1), accepted_at: Some(accepted), ..e }
            })
            .collect()
    }

    #[test]
    fn a_pulled_event_that_cannot_be_read_is_set_aside_and_every_read_keeps_working() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut officer = store(a.path(), 1);
        let mut lead = store(b.path(), 2);
        lead.set_profile("王建国", Role::Lead).unwrap();
        let patrol = officer.start_patrol(&["37160200100101".into()], PatrolKind::Scheduled, "").unwrap();
        officer.add_finding(NewFinding::new("37160200100101", "10101", "井盖破损")).unwrap();
        let mut events = pulled(&officer, 1);
        let mut poison = events[0].clone();
        poison.id = SeededIds::new(9).next_id(at("2026-11-25T02:00:00Z")).to_string();
        poison.kind = "patrol.ended".into();
        poison.entity_id = patrol.id.clone();
        poison.payload = serde_json::json!({"ended_at": "not a time"});
        poison.hub_seq = Some(events.len() as i64 + 1);
        events.push(poison);
        let cursor = events.len() as i64;
        let applied = lead.apply_remote(&events, cursor).expect("a page with poison in it is applied");
        assert_eq!((applied.new, applied.set_aside), (events.len() - 1, 1), "the poison alone is set aside");
        let aside = lead.set_aside_events().unwrap();
        assert_eq!(aside[0].code, "malformed_event", "set aside with the decoder's reason");
        let patrols = lead.patrols(None).expect("patrol list still reads (the poison was not applied)");
        assert_eq!(patrols[0].ended_at, None, "the poisoned end changed nothing");
        assert_eq!(lead.findings(&Default::default()).unwrap().len(), 1, "the good finding arrived");
        assert_eq!(lead.pull_cursor().unwrap(), cursor, "the cursor moves past the poison");
        lead.apply_remote(&events, cursor).unwrap();
        assert_eq!(lead.set_aside_count().unwrap(), 1, "a page applied twice sets nothing aside twice");
    }

    #[test]
    fn own_events_pulled_back_leave_the_history_their_events_write_at_the_hubs_times() {
        let a = tempfile::tempdir().unwrap();
        let mut officer = store(a.path(), 1);
        let lone = officer.add_finding(NewFinding::new("37160200100101", "10101", "井盖破损")).unwrap();
        let edited = officer.add_finding(NewFinding::new("37160200100101", "10101", "路灯不亮")).unwrap();
        officer
            .edit_finding(
                &edited.id,
                crate::projection::Edit { description: Some("路灯不亮了".into()), ..Default::default() },
            )
            .unwrap();
        let mut events = pulled(&officer, 1);
        for (i, e) in events.iter_mut().enumerate() {
            // The hub accepted each a few minutes after the device recorded it.
            e.accepted_at = Some(e.device_time + chrono::Duration::minutes(5 + i as i64));
        }
        let acks: Vec<_> = events.iter().map(|e| (e.id.clone(), e.hub_seq.unwrap())).collect();
        officer.ack(&acks).unwrap();
        let cursor = events.len() as i64;
        assert_eq!(officer.apply_remote(&events, cursor).unwrap().own, events.len());
        let rows = |s: &Store| -> Vec<(String, i64, String, String)> {
            let mut stmt = s
                .connection()
                .prepare("SELECT finding_id, seq, counted_at, status FROM finding_history ORDER BY 1, 2")
                .unwrap();
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
            rows.collect::<rusqlite::Result<_>>().unwrap()
        };
        let applied = rows(&officer);
        let lone_row = applied.iter().find(|r| r.0 == lone.id).expect("the lone report's row");
        assert_eq!(lone_row.2, super::super::ts(events[0].accepted_at.unwrap()), "counted at the hub's time");
        for id in [&lone.id, &edited.id] {
            super::super::history::rewrite_history(officer.connection(), id).unwrap();
        }
        assert_eq!(applied, rows(&officer), "the rows are those the finding's events write");
    }

    #[test]
    fn an_own_report_pulled_back_takes_the_deadline_the_hub_derived() {
        let a = tempfile::tempdir().unwrap();
        let mut officer = store(a.path(), 1);
        let f = officer.add_finding(NewFinding::new("37160200100101", "10101", "井盖破损")).unwrap();
        let mut events = pulled(&officer, 1);
        officer.ack(&[(events[0].id.clone(), 1)]).unwrap();
        let hub_due = at("2026-11-27T02:00:00.500Z");
        assert_ne!(f.due_at, Some(hub_due));
        events[0].payload["due_at"] = serde_json::json!("2026-11-27T02:00:00.500Z");
        let applied = officer.apply_remote(&events, 1).unwrap();
        assert_eq!(applied.own, 1);
        assert_eq!(
            officer.finding(&f.id).unwrap().due_at,
            Some(hub_due),
            "the hub's deadline counts on the author's device"
        );
        assert_eq!(
            officer.history(&f.id).unwrap()[0].payload["due_at"],
            "2026-11-27T02:00:00.500Z",
            "and its event says so"
        );
    }
}
