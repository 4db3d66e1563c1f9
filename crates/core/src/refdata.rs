//! The city's reference data as the hub hands it to devices: one versioned [`Document`] holding the
//! grid registry (large and small grids, boundaries, owners), the category tree with its deadlines,
//! the responsible units, the holiday table, the office hours, the patrol rhythm and the roster
//! (names, roles and units: no secret).
//!
//! Each part travels in the very format its import file has, so a device checks it with the same
//! function the hub's `import` command ran on the file ([`crate::registry::read_geojson`] and
//! [`crate::registry::validate`], [`crate::categories::load`], [`crate::units::load`],
//! [`crate::deadline::Holidays::from_json`], [`crate::deadline::OfficeHours::parse`],
//! [`crate::calendar::PatrolRhythm::parse`], [`crate::validate::check_text`] and
//! [`crate::model::check_unit_for_role`] for the roster): one rule, one place. [`Document::check`]
//! checks the whole document before anything is written and names the part at fault
//! ([`Error::ReferenceData`]); [`crate::Store::apply_reference`] then writes it in one transaction.
//!
//! What it is not: a sync of administration. A device never changes reference data for others; it
//! takes the hub's whole, or keeps what it had.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendar::PatrolRhythm;
use crate::categories::{self, Tree};
use crate::deadline::{Holidays, OfficeHours};
use crate::error::{Error, Result};
use crate::model::{Unit, User};
use crate::registry::{self, GridRecord};

/// The longest version string taken (it travels as an HTTP `ETag`).
pub const MAX_VERSION_CHARS: usize = 128;

/// The reference data document, as `GET /api/v1/reference` serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The hub's name for this state of its reference data; it changes with every administrative
    /// change at the hub (and is the response's `ETag`).
    pub version: String,
    /// The grid registry: a GeoJSON FeatureCollection, as `gridpatrol-hub import registry` reads
    /// (with `"sample": true` when it is the SAMPLE registry, as the bundled file has).
    pub registry: Value,
    /// The category tree and deadlines, in the format of `data/categories.json`.
    pub categories: Value,
    /// The responsible units, in the format of `data/units.json`.
    pub units: Value,
    /// The holiday table, in the format of `data/holidays-2026.json`.
    pub holidays: Value,
    /// The office hours 工作时 deadlines count inside, e.g. `08:30-12:00,13:30-17:30`.
    pub office_hours: String,
    /// The days officers patrol, e.g. `wed,sat`.
    pub patrol_rhythm: String,
    /// The hub's users: names, roles, a liaison's unit. No password, no token.
    pub roster: Vec<User>,
}

/// A document checked whole, ready for [`crate::Store::apply_reference`].
#[derive(Debug, Clone)]
pub struct Checked {
    pub version: String,
    pub grids: Vec<GridRecord>,
    /// Whether the registry is the SAMPLE one (the hub's `init --sample`): its grids stay labelled.
    pub sample: bool,
    pub tree: Tree,
    /// The category file's text, kept so the store can hand the same file on.
    pub categories_text: String,
    pub units: Vec<Unit>,
    pub holidays: Holidays,
    pub holidays_text: String,
    pub office_hours: OfficeHours,
    pub patrol_rhythm: PatrolRhythm,
    pub roster: Vec<User>,
}

fn bad(part: &str, e: impl std::fmt::Display) -> Error {
    let reason: String = e.to_string().chars().take(400).collect();
    Error::ReferenceData { part: part.to_string(), reason }
}

/// Checks a version string: 1 to [`MAX_VERSION_CHARS`] visible ASCII characters, no quote.
pub fn check_version(version: &str) -> Result<()> {
    let ok = !version.is_empty()
        && version.len() <= MAX_VERSION_CHARS
        && version.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if ok {
        Ok(())
    } else {
        Err(bad(
            "version",
            format!(
                "{:?} is not a version (1–{MAX_VERSION_CHARS} visible ASCII characters)",
                crate::validate::clip(version)
            ),
        ))
    }
}

impl Document {
    /// Checks every part with the function its import file is checked with; the first fault
    /// refuses the whole document, naming its part. The registry is checked against the grids a
    /// store holds when it is applied (a code may not change level), by [`crate::Store::apply_reference`].
    pub fn check(&self) -> Result<Checked> {
        check_version(&self.version)?;
        let registry_text = serde_json::to_vec(&self.registry).map_err(|e| bad("registry", e))?;
        let grids = registry::read_geojson(registry_text.as_slice())
            .map_err(|e| bad("registry", e.message(crate::Lang::En)))?;
        registry::validate(&grids, &Default::default()).map_err(|e| bad("registry", e.message(crate::Lang::En)))?;
        let categories_text = self.categories.to_string();
        let tree = categories::load(&categories_text).map_err(|e| bad("categories", e))?;
        let units = crate::units::load(&self.units.to_string()).map_err(|e| bad("units", e))?;
        let holidays_text = self.holidays.to_string();
        let holidays = Holidays::from_json(&holidays_text).map_err(|e| bad("holidays", e))?;
        let office_hours = OfficeHours::parse(&self.office_hours).map_err(|e| bad("office_hours", e))?;
        let patrol_rhythm = PatrolRhythm::parse(&self.patrol_rhythm).map_err(|e| bad("patrol_rhythm", e))?;
        let unit_codes: HashSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
        let mut names = HashSet::new();
        let mut roster = Vec::with_capacity(self.roster.len());
        for user in &self.roster {
            let name = crate::validate::check_text("name", &user.name, crate::store::MAX_USER_NAME_CHARS, true)
                .map_err(|e| bad("roster", e))?;
            if !names.insert(name.clone()) {
                return Err(bad("roster", format!("{name} is listed twice")));
            }
            crate::model::check_unit_for_role(user.role, user.unit.as_deref()).map_err(|e| bad("roster", e))?;
            if let Some(unit) = user.unit.as_deref().filter(|u| !unit_codes.contains(u)) {
                return Err(bad("roster", format!("{name} belongs to unit {unit}, which the units lack")));
            }
            roster.push(User { name, role: user.role, unit: user.unit.clone() });
        }
        Ok(Checked {
            version: self.version.clone(),
            grids,
            sample: self.registry.get("sample").and_then(Value::as_bool).unwrap_or(false),
            tree,
            categories_text,
            units,
            holidays,
            holidays_text,
            office_hours,
            patrol_rhythm,
            roster,
        })
    }
}

/// A registry as the GeoJSON FeatureCollection the import reads (and [`Document::registry`] carries).
pub fn registry_geojson(grids: &[crate::model::Grid]) -> Value {
    let features: Vec<Value> = grids
        .iter()
        .map(|g| {
            serde_json::json!({
                "type": "Feature",
                "properties": {"code": g.code, "name": g.name, "parent": g.parent, "owners": g.owners},
                "geometry": g.boundary,
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// A unit list as the file [`crate::units::load`] reads.
pub fn units_file(units: &[Unit]) -> Value {
    serde_json::json!({ "units": units })
}
