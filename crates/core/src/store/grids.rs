//! The `grids` table: importing a checked registry, listing it, and picking a point's grid.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::events::{append, Draft};
use super::Store;
use crate::error::{Error, Result};
use crate::geometry::{self, Boundary};
use crate::model::{Grid, GridLevel, Point};
use crate::registry::{self, GridRecord};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportSummary {
    pub large: usize,
    pub small: usize,
    /// Codes that were already in the store and were updated.
    pub updated: usize,
}

/// A stored grid level; anything else is an unreadable row, never a small grid by default.
fn read_level(column: usize, level: &str) -> rusqlite::Result<GridLevel> {
    match level {
        "large" => Ok(GridLevel::Large),
        "small" => Ok(GridLevel::Small),
        _ => Err(super::events::unreadable(column, "grid level", level)),
    }
}

fn grid_from_row(row: &Row<'_>) -> rusqlite::Result<Grid> {
    let level: String = row.get(2)?;
    let owners: String = row.get(4)?;
    let boundary: String = row.get(5)?;
    Ok(Grid {
        code: row.get(0)?,
        name: row.get(1)?,
        level: read_level(2, &level)?,
        parent: row.get(3)?,
        owners: serde_json::from_str(&owners).map_err(|_| super::events::unreadable(4, "owners", &owners))?,
        boundary: serde_json::from_str(&boundary).map_err(|_| super::events::unreadable(5, "boundary", &boundary))?,
    })
}

const GRID_COLUMNS: &str = "code, name, level, parent, owners, boundary";

/// Writes checked records in the caller's transaction: new codes added, known codes updated, large
/// grids first so a small grid's parent exists when it is written. Used by an import and by the
/// hub's reference data ([`Store::apply_reference`]).
pub(super) fn write_grids(tx: &rusqlite::Connection, records: &[GridRecord], sample: bool) -> Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO grids (code, name, level, parent, owners, boundary, min_lon, min_lat, max_lon, max_lat, sample)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(code) DO UPDATE SET name = excluded.name, parent = excluded.parent, owners = excluded.owners,
           boundary = excluded.boundary, min_lon = excluded.min_lon, min_lat = excluded.min_lat,
           max_lon = excluded.max_lon, max_lat = excluded.max_lat, sample = excluded.sample",
    )?;
    let ordered = records.iter().filter(|r| r.parent.is_none()).chain(records.iter().filter(|r| r.parent.is_some()));
    for rec in ordered {
        let bbox = rec.boundary.bbox();
        upsert.execute(params![
            rec.code,
            rec.name,
            if rec.parent.is_some() { "small" } else { "large" },
            rec.parent,
            serde_json::to_string(&rec.owners).unwrap_or_else(|_| "[]".into()),
            rec.boundary.to_geojson().to_string(),
            bbox.min().x,
            bbox.min().y,
            bbox.max().x,
            bbox.max().y,
            sample,
        ])?;
    }
    Ok(())
}

/// Every grid's code and level, as [`registry::validate`] checks new records against them.
pub(super) fn levels(conn: &rusqlite::Connection) -> Result<HashMap<String, GridLevel>> {
    Ok(conn
        .prepare("SELECT code, level FROM grids")?
        .query_map([], |r| {
            let level: String = r.get(1)?;
            Ok((r.get(0)?, read_level(1, &level)?))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Imports a registry: checks the whole set first, then writes it in one transaction
    /// (new codes are added, known codes updated). One bad grid refuses the whole file.
    pub fn import_registry(&mut self, records: &[GridRecord], sample: bool) -> Result<ImportSummary> {
        let existing = levels(&self.conn)?;
        registry::validate(records, &existing)?;
        // At first start the registry is loaded before anyone is named (the app's first screen, `init
        // --sample`): then the import is the device's own, with no actor. The event never travels.
        let actor = self.profile()?.map_or_else(String::new, |u| u.name);
        let now = self.now();
        let event_id = self.new_id(now);
        let updated = records.iter().filter(|r| existing.contains_key(&r.code)).count();
        let tx = self.transaction()?;
        write_grids(&tx, records, sample)?;
        let large = records.iter().filter(|r| r.parent.is_none()).count();
        let small = records.len() - large;
        append(
            &tx,
            &event_id,
            &actor,
            now,
            Draft {
                entity: "registry",
                entity_id: "registry",
                kind: "registry.imported",
                payload: json!({
                    "sample": sample,
                    "large": large,
                    "small": small,
                    "updated": updated,
                    "codes": records.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
                }),
            },
        )?;
        tx.commit()?;
        *self.boundaries.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(ImportSummary { large, small, updated })
    }

    /// Loads the bundled SAMPLE registry of the reference city (11 large, 239 small grids).
    pub fn import_sample_registry(&mut self) -> Result<ImportSummary> {
        let records = registry::parse_geojson(registry::SAMPLE_GEOJSON)?;
        self.import_registry(&records, true)
    }

    pub fn has_sample_registry(&self) -> Result<bool> {
        Ok(self.conn.query_row("SELECT EXISTS(SELECT 1 FROM grids WHERE sample = 1)", [], |r| r.get(0))?)
    }

    /// Every grid: large grids first, each level by code.
    pub fn grids(&self) -> Result<Vec<Grid>> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {GRID_COLUMNS} FROM grids ORDER BY level = 'small', code"))?;
        let rows = stmt.query_map([], grid_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn grid(&self, code: &str) -> Result<Grid> {
        self.conn
            .query_row(&format!("SELECT {GRID_COLUMNS} FROM grids WHERE code = ?1"), [code], grid_from_row)
            .optional()?
            .ok_or_else(|| Error::UnknownGrid(code.to_string()))
    }

    /// Checks that `code` names a small grid, as [`Store::small_grid`] does, reading only its level
    /// (not its owners or boundary): what judging each arriving report needs.
    pub fn check_small_grid(&self, code: &str) -> Result<()> {
        let level = self
            .conn
            .prepare_cached("SELECT level FROM grids WHERE code = ?1")?
            .query_row([code], |r| read_level(0, &r.get::<_, String>(0)?))
            .optional()?;
        match level {
            None => Err(Error::UnknownGrid(code.to_string())),
            Some(GridLevel::Small) => Ok(()),
            Some(GridLevel::Large) => Err(Error::NotASmallGrid(code.to_string())),
        }
    }

    /// A small grid by code: unknown codes and large grids are refused.
    pub fn small_grid(&self, code: &str) -> Result<Grid> {
        let grid = self.grid(code)?;
        if grid.level != GridLevel::Small {
            return Err(Error::NotASmallGrid(code.to_string()));
        }
        Ok(grid)
    }

    fn small_boundaries(&self) -> Result<Arc<Vec<(String, Boundary)>>> {
        let mut cache = self.boundaries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = cache.as_ref() {
            return Ok(b.clone());
        }
        let mut stmt = self.conn.prepare("SELECT code, boundary FROM grids WHERE level = 'small' ORDER BY code")?;
        let mut loaded = Vec::new();
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (code, text) = row?;
            // Stored boundaries were validated on import, so they parse again.
            if let Ok(b) =
                serde_json::from_str(&text).ok().and_then(|v| geometry::boundary_from_geojson(&v).ok()).ok_or(())
            {
                loaded.push((code, b));
            }
        }
        let loaded = Arc::new(loaded);
        *cache = Some(loaded.clone());
        Ok(loaded)
    }

    /// The small grid a point falls in (the first by code where it sits on a shared edge).
    pub fn grid_at(&self, point: Point) -> Result<String> {
        if !geometry::is_valid_point(point) {
            return Err(Error::InvalidPoint { lat: point.lat, lon: point.lon });
        }
        self.small_boundaries()?
            .iter()
            .find(|(_, b)| b.contains(point))
            .map(|(code, _)| code.clone())
            .ok_or(Error::PointInNoGrid { lat: point.lat, lon: point.lon })
    }

    /// Whether a point lies in the named small grid.
    pub fn grid_contains(&self, code: &str, point: Point) -> Result<bool> {
        Ok(self.small_boundaries()?.iter().any(|(c, b)| c == code && b.contains(point)))
    }
}
