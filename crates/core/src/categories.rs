//! The two-level category tree (部件/事件 → major → minor), loaded from data, not hard-coded.
//!
//! The bundled tree is `data/categories.json`; [`load`] checks any tree before it is used: majors
//! are two digits, minors are `MMmm` under their major, and every minor code is unique across
//! both kinds, because a finding names its category by that code alone.

use std::collections::HashSet;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::MajorCategory;

/// The tree that ships with Grid Patrol.
pub const BUNDLED: &str = include_str!("../data/categories.json");

#[derive(Deserialize)]
struct File {
    majors: Vec<MajorCategory>,
}

/// Parses and checks a category tree in the bundled JSON format.
pub fn load(json: &str) -> Result<Vec<MajorCategory>> {
    let file: File = serde_json::from_str(json).map_err(|e| Error::CategoryData(e.to_string()))?;
    let mut majors_seen = HashSet::new();
    let mut minors_seen = HashSet::new();
    for major in &file.majors {
        if major.code.len() != 2 || !major.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::CategoryData(format!("major code {} is not two digits", major.code)));
        }
        if !majors_seen.insert((major.kind, major.code.clone())) {
            return Err(Error::CategoryData(format!("major {} {} appears twice", major.kind.as_str(), major.code)));
        }
        for minor in &major.minors {
            let digits = minor.code.len() == 4 && minor.code.bytes().all(|b| b.is_ascii_digit());
            if !digits || !minor.code.starts_with(&major.code) {
                return Err(Error::CategoryData(format!(
                    "minor code {} is not four digits starting with its major {}",
                    minor.code, major.code
                )));
            }
            if !minors_seen.insert(minor.code.clone()) {
                return Err(Error::CategoryData(format!("minor code {} appears twice", minor.code)));
            }
            if minor.name_zh.trim().is_empty() || minor.name_en.trim().is_empty() {
                return Err(Error::CategoryData(format!("minor {} has no name", minor.code)));
            }
        }
    }
    Ok(file.majors)
}

/// The bundled tree. It is checked by a test, so loading it cannot fail at run time.
pub fn bundled() -> Vec<MajorCategory> {
    load(BUNDLED).expect("the bundled category tree is checked by tests")
}
