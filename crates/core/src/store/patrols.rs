//! The `patrols` and `patrol_grids` tables: starting and ending a patrol, listing patrols.

use rusqlite::{params, OptionalExtension, Row};
use serde_json::json;

use super::events::{append, Draft};
use super::{parse_ts, parse_ts_opt, ts, Store};
use crate::error::{Error, Result};
use crate::model::{Patrol, PatrolKind};
use crate::validate::{check_text, MAX_NOTE_CHARS};

const COLUMNS: &str = "p.id, p.officer, p.kind, p.started_at, p.ended_at, p.notes,
    (SELECT group_concat(grid, ',') FROM (SELECT grid FROM patrol_grids WHERE patrol_id = p.id ORDER BY grid))";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Patrol> {
    let kind: String = row.get(2)?;
    let grids: Option<String> = row.get(6)?;
    Ok(Patrol {
        id: row.get(0)?,
        officer: row.get(1)?,
        kind: PatrolKind::parse_field(&kind).map_err(|_| super::events::unreadable(2, "patrol kind", &kind))?,
        started_at: parse_ts(&row.get::<_, String>(3)?)?,
        ended_at: parse_ts_opt(row.get(4)?)?,
        notes: row.get(5)?,
        grids: grids.map(|g| g.split(',').map(String::from).collect()).unwrap_or_default(),
    })
}

impl Store {
    /// Starts a patrol of the acting user over `grids` (small grid codes).
    pub fn start_patrol(&mut self, grids: &[String], kind: PatrolKind, notes: &str) -> Result<Patrol> {
        self.writable()?;
        let actor = self.actor()?;
        self.check_clock(self.now(), &actor.name)?;
        let notes = check_text("notes", notes, MAX_NOTE_CHARS, false)?;
        let mut codes: Vec<String> = Vec::new();
        for code in grids {
            let grid = self.small_grid(code.trim())?;
            self.check_scope(&grid.code)?;
            if !codes.contains(&grid.code) {
                codes.push(grid.code);
            }
        }
        if codes.is_empty() {
            return Err(Error::PatrolWithoutGrids);
        }
        codes.sort();
        if let Some(active) = self.active_patrol()? {
            return Err(Error::PatrolUnderWay(ts(active.started_at)));
        }
        let now = self.now();
        let patrol = Patrol {
            id: self.new_id(now),
            officer: actor.name.clone(),
            kind,
            grids: codes,
            started_at: now,
            ended_at: None,
            notes,
        };
        let event_id = self.new_id(now);
        let tx = self.transaction()?;
        tx.execute(
            "INSERT INTO patrols (id, officer, kind, started_at, notes) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![patrol.id, patrol.officer, kind.as_str(), ts(now), patrol.notes],
        )?;
        for code in &patrol.grids {
            tx.execute("INSERT INTO patrol_grids (patrol_id, grid) VALUES (?1, ?2)", params![patrol.id, code])?;
        }
        append(
            &tx,
            &event_id,
            &actor.name,
            now,
            Draft {
                entity: "patrol",
                entity_id: &patrol.id,
                kind: "patrol.started",
                payload: json!({"patrol": &patrol}),
            },
        )?;
        tx.commit()?;
        Ok(patrol)
    }

    /// Ends the acting user's patrol under way.
    pub fn end_patrol(&mut self) -> Result<Patrol> {
        self.writable()?;
        let actor = self.actor()?;
        self.check_clock(self.now(), &actor.name)?;
        let mut patrol = self.active_patrol()?.ok_or(Error::NoPatrolUnderWay)?;
        let now = self.now().max(patrol.started_at);
        let event_id = self.new_id(now);
        let tx = self.transaction()?;
        tx.execute("UPDATE patrols SET ended_at = ?1 WHERE id = ?2", params![ts(now), patrol.id])?;
        append(
            &tx,
            &event_id,
            &actor.name,
            now,
            Draft {
                entity: "patrol",
                entity_id: &patrol.id,
                kind: "patrol.ended",
                payload: json!({"ended_at": ts(now)}),
            },
        )?;
        tx.commit()?;
        patrol.ended_at = Some(now);
        Ok(patrol)
    }

    /// The acting user's patrol under way, if any.
    pub fn active_patrol(&self) -> Result<Option<Patrol>> {
        let Some(actor) = self.profile()? else {
            return Ok(None);
        };
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM patrols p WHERE p.officer = ?1 AND p.ended_at IS NULL ORDER BY p.started_at DESC LIMIT 1"),
                [actor.name],
                from_row,
            )
            .optional()?)
    }

    /// Patrols, newest first; only `officer`'s when given.
    pub fn patrols(&self, officer: Option<&str>) -> Result<Vec<Patrol>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM patrols p WHERE ?1 IS NULL OR p.officer = ?1 ORDER BY p.started_at DESC"
        ))?;
        let rows = stmt.query_map([officer], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The findings recorded during a patrol, most recent first.
    pub fn patrol_findings(&self, patrol_id: &str) -> Result<Vec<crate::store::FindingSummary>> {
        self.findings(&crate::store::FindingQuery { patrol: Some(patrol_id.to_string()), ..Default::default() })
    }
}
