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
            registry: {
                let mut registry = refdata::registry_geojson(&self.grids()?);
                // The SAMPLE registry is labelled as such wherever it goes (every grid the sample's).
                let sample: bool = self.conn.query_row(
                    "SELECT EXISTS(SELECT 1 FROM grids) AND NOT EXISTS(SELECT 1 FROM grids WHERE sample = 0)",
                    [],
                    |r| r.get(0),
                )?;
                if sample {
                    registry["sample"] = true.into();
                }
                registry
            },
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
        super::grids::write_grids(&tx, &doc.grids, doc.sample)?;
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

impl Store {
    /// Replaces the responsible units with a unit list (the format of `data/units.json`), checked
    /// whole by [`crate::units::load`] and against this store's category tree (every category a
    /// unit lists must be a minor of it): one bad unit refuses the list and nothing changes. Units
    /// the list lacks are removed unless a user or finding here names them. Returns the unit count.
    pub fn load_units(&mut self, json_text: &str) -> Result<usize> {
        let units = crate::units::load(json_text)?;
        let tree = crate::categories::load(&self.categories_file()?)?;
        let minors: std::collections::HashSet<&str> =
            tree.majors.iter().flat_map(|m| m.minors.iter().map(|c| c.code.as_str())).collect();
        for unit in &units {
            if let Some(c) = unit.categories.iter().find(|c| !minors.contains(c.as_str())) {
                return Err(crate::Error::UnitData(format!(
                    "unit {}: category {c} is not a minor category of the category tree in force",
                    unit.code
                )));
            }
        }
        let tx = self.transaction()?;
        write_units(&tx, &units)?;
        tx.commit()?;
        Ok(units.len())
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::clock::{FixedClock, SeededIds};
    use crate::model::{Role, User};
    use crate::Store;

    fn store(dir: &std::path::Path, seed: u64) -> Store {
        let clock = Arc::new(FixedClock::new("2026-11-25T02:00:00Z".parse().unwrap()));
        Store::create(dir, clock, Arc::new(SeededIds::new(seed))).unwrap()
    }

    fn hub_document(dir: &std::path::Path) -> crate::refdata::Document {
        let mut hub = store(dir, 1);
        hub.import_sample_registry().unwrap();
        hub.reference_document("e-7", vec![User::new("李明", Role::Officer), User::new("王建国", Role::Lead)]).unwrap()
    }

    #[test]
    fn a_bare_store_takes_the_hubs_document_whole_and_makes_the_same_one() {
        let (h, d) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let doc = hub_document(h.path());
        let mut device = store(d.path(), 2);
        assert_eq!(device.counts().unwrap().grids, 0);
        let applied = device.apply_reference(&doc.check().unwrap()).unwrap();
        assert_eq!((applied.grids, applied.roster), (250, 2), "the sample city's 11 + 239 grids and the roster");
        assert_eq!(device.reference_version().unwrap().as_deref(), Some("e-7"));
        assert_eq!(device.counts().unwrap().pending_events, 0, "hub data is no change of this device's");
        let again = device.reference_document("e-7", doc.roster.clone()).unwrap();
        assert_eq!(again, doc, "the device holds what the hub sent, part for part");
    }

    #[test]
    fn a_bad_part_refuses_the_document_and_changes_nothing() {
        let (h, d) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let doc = hub_document(h.path());
        let mut device = store(d.path(), 2);
        device.apply_reference(&doc.check().unwrap()).unwrap();
        let before = device.reference_document("e-7", doc.roster.clone()).unwrap();
        for (part, broken) in [
            ("holidays", {
                let mut b = doc.clone();
                b.holidays = serde_json::json!({"holidays": "no"});
                b
            }),
            ("registry", {
                let mut b = doc.clone();
                b.registry["features"][20]["properties"]["parent"] = "nowhere".into();
                b
            }),
            ("categories", {
                let mut b = doc.clone();
                b.categories["majors"][0]["minors"][0]["minor"] = "x".into();
                b
            }),
            ("units", {
                let mut b = doc.clone();
                b.units["units"][0]["code"] = "no spaces allowed".into();
                b
            }),
            ("patrol_rhythm", {
                let mut b = doc.clone();
                b.patrol_rhythm = "someday".into();
                b
            }),
            ("roster", {
                let mut b = doc.clone();
                b.roster.push(User::new("李明", Role::Lead));
                b
            }),
            ("version", {
                let mut b = doc.clone();
                b.version = "a\"b".into();
                b
            }),
        ] {
            let broken = crate::refdata::Document { version: format!("{}x", broken.version), ..broken };
            let e = broken.check().map(|_| ()).unwrap_err();
            assert!(
                matches!(&e, crate::Error::ReferenceData { part: p, .. } if p == part),
                "a broken {part} is refused, naming its part: {e:?}"
            );
        }
        let after = device.reference_document("e-7", doc.roster.clone()).unwrap();
        assert_eq!(after, before, "nothing changed");
    }

    #[test]
    fn a_pulled_finding_in_an_unknown_grid_is_set_aside_and_pulled_again_once_the_grid_arrives() {
        let (h, d, o) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let doc = hub_document(h.path());
        // An officer's report, as the hub hands it out.
        let mut officer = store(o.path(), 3);
        officer.import_sample_registry().unwrap();
        officer.set_profile("李明", Role::Officer).unwrap();
        officer.add_finding(crate::NewFinding::new("37160200100101", "10101", "井盖破损")).unwrap();
        let pulled: Vec<crate::model::Event> = officer
            .outbox(10)
            .unwrap()
            .into_iter()
            .map(|e| crate::model::Event {
                sync: crate::model::SyncState::Acked,
                hub_seq: Some(5),
                accepted_at: Some(e.device_time),
                ..e
            })
            .collect();
        let mut device = store(d.path(), 2);
        let applied = device.apply_remote(&pulled, 5).unwrap();
        assert_eq!(applied.set_aside, 1, "a finding in a grid this device does not know is set aside, not dropped");
        assert_eq!(device.set_aside_events().unwrap()[0].code, "unknown_grid", "with the reason a person reads");
        let taken = device.apply_reference(&doc.check().unwrap()).unwrap();
        assert_eq!(taken.retried, 1);
        assert_eq!(device.pull_cursor().unwrap(), 4, "the cursor moved back before the event set aside");
        let applied = device.apply_remote(&pulled, 5).unwrap();
        assert_eq!((applied.new, applied.set_aside), (1, 0), "pulled again, it applies");
        assert_eq!(device.counts().unwrap().findings, 1);
    }
}
