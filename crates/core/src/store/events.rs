//! The `events` table: append in the caller's transaction, read a history, read the outbox.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, Row};

use super::{parse_ts, ts, Store};
use crate::error::Result;
use crate::model::{Event, SyncState};

/// What a mutation says happened; the store adds the id, actor and time.
pub(crate) struct Draft<'a> {
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub kind: &'a str,
    pub payload: serde_json::Value,
}

/// Appends an event in the caller's transaction. An event of a kind that travels
/// ([`crate::remote::SYNCED_KINDS`]) is written pending, into the outbox; any other (the local
/// profile, a device setting, a registry import on this device) describes the device, never
/// travels, and is written settled (`acked` with no hub number), so nothing counts it as waiting
/// for the hub.
pub(crate) fn append(conn: &Connection, id: &str, actor: &str, now: DateTime<Utc>, draft: Draft<'_>) -> Result<Event> {
    let sync = if crate::remote::is_synced(draft.kind) { SyncState::Pending } else { SyncState::Acked };
    let event = Event {
        id: id.to_string(),
        entity: draft.entity.to_string(),
        entity_id: draft.entity_id.to_string(),
        actor: actor.to_string(),
        kind: draft.kind.to_string(),
        payload: draft.payload,
        device_time: now,
        sync,
        hub_seq: None,
        accepted_at: None,
    };
    conn.prepare_cached(
        "INSERT INTO events (id, entity, entity_id, actor, kind, payload, device_time, sync_state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        event.id,
        event.entity,
        event.entity_id,
        event.actor,
        event.kind,
        event.payload.to_string(),
        ts(now),
        sync.as_str()
    ])?;
    Ok(event)
}

/// A stored value this build cannot read: an error naming the column, never a default (an unknown
/// status read as `reported` would hide a broken row until it became a wrong figure).
pub(crate) fn unreadable(column: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unknown {what} {:?} in the store", value.chars().take(64).collect::<String>()).into(),
    )
}

/// The time an event counts at in the measures (the weekly log's and the dashboard's on-time test,
/// and every other time they read from an event): the time the hub accepted it (`accepted_at`) when
/// this device knows it, else the device's own time (an event still pending here, or pushed but not
/// yet pulled back with the hub's stamp). The device's clock is a claim: a wrong clock or a backdated
/// move must not make a late fix on time once the hub has it, so the hub's time wins wherever there is
/// one. A finding's week still follows its `observed_at` (the officer's real Wednesday observation).
///
/// An SQL expression over the `events` row in scope, written once: the `events_fixes` index
/// (migration 10) holds it word for word, so that SQLite finds it there (a test checks both).
pub(crate) const COUNTED_TIME: &str = "coalesce(accepted_at, device_time)";

pub(crate) const COLUMNS: &str =
    "id, entity, entity_id, actor, kind, payload, device_time, sync_state, hub_seq, accepted_at";

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    let payload: String = row.get(5)?;
    Ok(Event {
        id: row.get(0)?,
        entity: row.get(1)?,
        entity_id: row.get(2)?,
        actor: row.get(3)?,
        kind: row.get(4)?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e)))?,
        device_time: parse_ts(&row.get::<_, String>(6)?)?,
        sync: {
            let state: String = row.get(7)?;
            SyncState::parse(&state).ok_or_else(|| unreadable(7, "sync state", &state))?
        },
        hub_seq: row.get(8)?,
        accepted_at: super::parse_ts_opt(row.get(9)?)?,
    })
}

impl Store {
    /// Every event about one entity, oldest first.
    pub fn history(&self, entity_id: &str) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare(&format!("SELECT {COLUMNS} FROM events WHERE entity_id = ?1 ORDER BY seq"))?;
        let rows = stmt.query_map([entity_id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The sync outbox: events the hub has not acknowledged, oldest first.
    pub fn pending_events(&self, limit: usize) -> Result<Vec<Event>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM events WHERE sync_state = 'pending' ORDER BY seq LIMIT ?1"))?;
        let rows = stmt.query_map([limit as i64], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many events wait for the hub (the partial index makes this cheap on any store size).
    pub fn pending_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM events WHERE sync_state = 'pending'", [], |r| r.get(0))?)
    }

    /// How many events the hub refused and that wait, parked, for a person to look at.
    pub fn parked_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM events WHERE sync_state = 'parked'", [], |r| r.get(0))?)
    }
}
