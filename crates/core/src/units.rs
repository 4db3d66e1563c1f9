//! Responsible units (责任单位): who a lead dispatches a case to, and whose liaison reports it
//! handled. Reference data like the category tree: loaded from data, never hard-coded.
//!
//! The bundled list, `data/units.json`, is a **sample** made up for the reference city (it says so
//! in the file): a city loads its own ([`load`] checks it whole first). Each unit names the minor
//! categories it normally handles; [`default_unit`] picks the unit a dispatch defaults to, so a
//! category may be listed under one unit at most. This module holds rules only; the store keeps the
//! `units` table and the hub its reference copy.

use std::collections::HashSet;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::Unit;
use crate::validate::clip;

/// The sample list that ships with Grid Patrol.
pub const BUNDLED: &str = include_str!("../data/units.json");

/// The longest unit code, in characters.
pub const MAX_UNIT_CODE_CHARS: usize = 32;
/// The longest unit name, in characters.
pub const MAX_UNIT_NAME_CHARS: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    #[serde(default)]
    note: String,
    /// Whether the list is sample data; shown by `units list`.
    #[allow(dead_code)]
    #[serde(default)]
    sample: bool,
    units: Vec<Unit>,
}

/// Whether `code` is written as a unit code may be: 1–32 ASCII letters, digits, `-` or `_`.
pub fn is_unit_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_UNIT_CODE_CHARS
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Refuses a unit code that is not written as one ([`is_unit_code`]), before it is looked up.
pub fn check_unit_code(code: &str) -> Result<()> {
    if is_unit_code(code) {
        Ok(())
    } else {
        Err(Error::UnknownUnit(clip(code)))
    }
}

/// Parses and checks a unit list in the bundled JSON format: codes well formed and unique, names
/// present and within their limit, each category code five digits (the kind's digit and the standard's MMmm) and under one unit at most.
pub fn load(json: &str) -> Result<Vec<Unit>> {
    let file: File = serde_json::from_str(json).map_err(|e| Error::UnitData(e.to_string()))?;
    let mut codes = HashSet::new();
    let mut categories = HashSet::new();
    for unit in &file.units {
        if !is_unit_code(&unit.code) {
            return Err(Error::UnitData(format!("unit code {} is not 1–32 letters, digits, - or _", clip(&unit.code))));
        }
        if !codes.insert(unit.code.clone()) {
            return Err(Error::UnitData(format!("unit {} appears twice", unit.code)));
        }
        for name in [&unit.name_zh, &unit.name_en] {
            if name.trim().is_empty() || name.trim() != name || name.chars().count() > MAX_UNIT_NAME_CHARS {
                return Err(Error::UnitData(format!("unit {} has an empty, untrimmed or over-long name", unit.code)));
            }
        }
        for c in &unit.categories {
            if c.len() != 5 || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::UnitData(format!(
                    "unit {}: category {} is not a five-digit code",
                    unit.code,
                    clip(c)
                )));
            }
            if !categories.insert(c.clone()) {
                return Err(Error::UnitData(format!(
                    "category {c} is listed under two units; the default unit of a category must be one"
                )));
            }
        }
    }
    Ok(file.units)
}

/// The bundled sample list. It is checked by a test, so loading it cannot fail at run time.
pub fn bundled() -> Vec<Unit> {
    load(BUNDLED).expect("the bundled unit list is checked by tests")
}

/// The unit a case of `category` is dispatched to unless the lead picks another: the one unit
/// that lists the category, if any.
pub fn default_unit<'a>(units: &'a [Unit], category: &str) -> Option<&'a Unit> {
    units.iter().find(|u| u.categories.iter().any(|c| c == category))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_sample_loads_and_says_it_is_a_sample() {
        let units = bundled();
        assert!(units.len() >= 10, "the sample has a unit for each kind of case");
        assert!(BUNDLED.contains("SAMPLE") && BUNDLED.contains("\"sample\": true"), "the file says it is a sample");
        assert!(!BUNDLED.contains('\''), "store migration 12 reads the file inside an SQL string: no quote");
        let tree = crate::categories::bundled();
        for u in &units {
            for c in &u.categories {
                assert!(
                    tree.majors.iter().flat_map(|m| &m.minors).any(|m| &m.code == c),
                    "unit {}: category {c} is a minor of the bundled tree (update units.json with the tree)",
                    u.code
                );
            }
        }
    }

    #[test]
    fn a_category_defaults_to_the_unit_that_lists_it() {
        let units = bundled();
        assert_eq!(default_unit(&units, "20505").map(|u| u.code.as_str()), Some("TRAFFIC"), "违停 → 交警");
        assert_eq!(default_unit(&units, "9999"), None, "a category no unit lists has no default");
    }

    #[test]
    fn bad_lists_are_refused_whole() {
        let cases = [
            ("not json", "{"),
            ("unknown field", r#"{"units": [], "x": 1}"#),
            ("bad code", r#"{"units": [{"code": "a b", "name_zh": "甲", "name_en": "A", "categories": []}]}"#),
            (
                "duplicate code",
                r#"{"units": [{"code": "A", "name_zh": "甲", "name_en": "A", "categories": []},
                               {"code": "A", "name_zh": "乙", "name_en": "B", "categories": []}]}"#,
            ),
            ("empty name", r#"{"units": [{"code": "A", "name_zh": "", "name_en": "A", "categories": []}]}"#),
            ("bad category", r#"{"units": [{"code": "A", "name_zh": "甲", "name_en": "A", "categories": ["1"]}]}"#),
            (
                "category twice",
                r#"{"units": [{"code": "A", "name_zh": "甲", "name_en": "A", "categories": ["10101"]},
                               {"code": "B", "name_zh": "乙", "name_en": "B", "categories": ["10101"]}]}"#,
            ),
        ];
        for (what, json) in cases {
            let err = load(json).expect_err(what);
            assert_eq!(err.code(), "unit_data", "{what}: refused as bad unit data");
        }
    }
}
