//! The hub's reference data in a store: the document a store's reference tables make (the hub's
//! `reference/` store serves it) and taking a checked document whole (a device, after sign-in and
//! whenever the hub's version changes). See [`crate::refdata`].

use rusqlite::params;
use serde::Serialize;

use super::outbox::{put_setting, CURSOR_KEY};
use super::users::{CATEGORIES_FILE_KEY, HOLIDAYS_KEY, OFFICE_HOURS_KEY, PATROL_DAYS_KEY};
use super::{ts, Store};
use crate::error::Result;
use crate::model::User;
use crate::refdata::{self, Checked, Document};

/// The version of the hub's reference data this device holds.
const REFERENCE_VERSION_KEY: &str = "reference.version";

/// What taking a reference document changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReferenceApplied {
    pub grids: usize,
    /// Grids this device held that the hub's registry lacks and nothing here names: removed.
    pub grids_removed: usize,
    pub categories: usize,
    pub units: usize,
    pub roster: usize,
    /// Pulled events set aside earlier that are pulled again now (the data they named may be here).
    pub retried: usize,
}

impl Store {
    /// The text of the category file the stored tree came from.
    pub fn categories_file(&self) -> Result<String> {
        Ok(self.setting(CATEGORIES_FILE_KEY)?.unwrap_or_else(|| crate::categories::BUNDLED.to_string()))
    }

    /// The text of the holiday table in force (the one set, else the bundled one).
    pub fn holidays_file(&self) -> Result<String> {
        Ok(self.setting(HOLIDAYS_KEY)?.unwrap_or_else(|| crate::deadline::HOLIDAYS_2026_JSON.to_string()))
    }

    /// This store's reference data as one document named `version`, with `roster` (the hub's
    /// users; a store knows no passwords either way).
    pub fn reference_document(&self, version: &str, roster: Vec<User>) -> Result<Document> {
        let text = |part: &str, text: String| -> Result<serde_json::Value> {
            serde_json::from_str(&text)
                .map_err(|e| crate::Error::ReferenceData { part: part.into(), reason: e.to_string() })
        };
        Ok(Document {
            version: version.to_string(),
            registry: refdata::registry_geojson(&self.grids()?),
            categories: text("categories", self.categories_file()?)?,
            units: refdata::units_file(&self.units()?),
            holidays: text("holidays", self.holidays_file()?)?,
            office_hours: self.office_hours()?.to_text(),
            patrol_rhythm: self.patrol_rhythm()?.to_text(),
            roster,
        })
    }

    /// The version of the hub's reference data this device took last, if any.
    pub fn reference_version(&self) -> Result<Option<String>> {
        self.setting(REFERENCE_VERSION_KEY)
    }

    /// Takes the hub's reference data, checked whole ([`Document::check`]), in one transaction:
    /// the registry (the hub's grids written over this device's, a code that would change level
    /// refused; grids the hub lacks removed unless a finding or patrol here names them), the category
    /// tree (refused whole if a finding here uses a code it lacks), the units, the holiday table, the
    /// office hours, the patrol rhythm, the roster (names, roles, units; the profile stays whose it
    /// is) and the version. Any fault changes nothing. Hub data, not this device's change: no event.
    ///
    /// Pulled events set aside before (a finding in a grid this device did not know) are pulled
    /// again: their rows go and the pull cursor moves back before the first of them.
    pub fn apply_reference(&mut self, doc: &Checked) -> Result<ReferenceApplied> {
        let existing = super::grids::levels(&self.conn)?;
        crate::registry::validate(&doc.grids, &existing)
            .map_err(|e| crate::Error::ReferenceData { part: "registry".into(), reason: e.message(crate::Lang::En) })?;
        let now = self.now();
        let tx = self.transaction()?;
        let codes: Vec<&str> = doc.grids.iter().map(|g| g.code.as_str()).collect();
        let codes = serde_json::to_string(&codes).unwrap_or_default();
        super::grids::write_grids(&tx, &doc.grids, false)?;
        let mut grids_removed = 0;
        for level in ["small", "large"] {
            grids_removed += tx.execute(
                "DELETE FROM grids WHERE level = ?2 AND code NOT IN (SELECT value FROM json_each(?1))
                   AND code NOT IN (SELECT grid FROM findings) AND code NOT IN (SELECT grid FROM patrol_grids)
                   AND code NOT IN (SELECT parent FROM grids WHERE parent IS NOT NULL)",
                params![codes, level],
            )?;
        }
        super::users::write_tree(&tx, &doc.tree)?;
        put_setting(&tx, CATEGORIES_FILE_KEY, &doc.categories_text)?;
        write_units(&tx, &doc.units)?;
        put_setting(&tx, HOLIDAYS_KEY, &doc.holidays_text)?;
        put_setting(&tx, OFFICE_HOURS_KEY, &doc.office_hours.to_text())?;
        put_setting(&tx, PATROL_DAYS_KEY, &doc.patrol_rhythm.to_text())?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO users (name, role, unit, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(name) DO UPDATE SET role = excluded.role, unit = excluded.unit",
            )?;
            for user in &doc.roster {
                upsert.execute(params![user.name, user.role.as_str(), user.unit, ts(now)])?;
            }
        }
        // Events set aside are pulled again from before the first of them.
        let first: Option<i64> = tx.query_row("SELECT min(hub_seq) FROM set_aside", [], |r| r.get(0))?;
        let retried = tx.execute("DELETE FROM set_aside WHERE hub_seq IS NOT NULL", [])?;
        if let Some(first) = first {
            let cursor: i64 = tx
                .query_row("SELECT value FROM settings WHERE key = ?1", [CURSOR_KEY], |r| r.get::<_, String>(0))
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            put_setting(&tx, CURSOR_KEY, &cursor.min(first - 1).max(0).to_string())?;
        }
        put_setting(&tx, REFERENCE_VERSION_KEY, &doc.version)?;
        tx.commit()?;
        *self.boundaries.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(ReferenceApplied {
            grids: doc.grids.len(),
            grids_removed,
            categories: doc.tree.majors.iter().map(|m| m.minors.len()).sum(),
            units: doc.units.len(),
            roster: doc.roster.len(),
            retried,
        })
    }
}

/// Writes the unit list over the stored one, in its order: units the list lacks are removed unless a
/// user or finding here names them.
fn write_units(tx: &rusqlite::Connection, units: &[crate::model::Unit]) -> Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO units (code, name_zh, name_en, categories, position) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
           categories = excluded.categories, position = excluded.position",
    )?;
    for (i, u) in units.iter().enumerate() {
        let categories = serde_json::to_string(&u.categories).unwrap_or_else(|_| "[]".into());
        upsert.execute(params![u.code, u.name_zh, u.name_en, categories, i as i64])?;
    }
    let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    tx.execute(
        "DELETE FROM units WHERE code NOT IN (SELECT value FROM json_each(?1))
           AND code NOT IN (SELECT unit FROM users WHERE unit IS NOT NULL)
           AND code NOT IN (SELECT unit FROM findings WHERE unit IS NOT NULL)",
        [serde_json::to_string(&codes).unwrap_or_default()],
    )?;
    Ok(())
}
