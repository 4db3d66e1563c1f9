//! The grid registry's import formats: GeoJSON and CSV, validated whole before anything is written.
//!
//! A registry file is read into [`GridRecord`]s and checked as a set by [`validate`]: every
//! problem is reported with the feature or row it is in, and one problem refuses the whole file.
//! Writing the checked records is the store's job (`store::grids`).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::geometry::{self, Boundary};
use crate::model::GridLevel;

/// The reference city's SAMPLE registry: 11 large grids and 239 small grids, made up for
/// demonstration (see `scripts/gen_sample_registry.py`).
pub const SAMPLE_GEOJSON: &str = include_str!("../data/sample-registry.geojson");

pub const MAX_CODE_CHARS: usize = 40;
pub const MAX_NAME_CHARS: usize = 100;

/// One grid as read from a registry file, with where it was read from.
#[derive(Debug, Clone)]
pub struct GridRecord {
    pub location: String,
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    pub owners: Vec<String>,
    pub boundary: Boundary,
}

impl GridRecord {
    pub fn level(&self) -> GridLevel {
        if self.parent.is_some() {
            GridLevel::Small
        } else {
            GridLevel::Large
        }
    }
}

fn refuse(location: &str, reason: impl Into<String>) -> Error {
    Error::Import { location: location.to_string(), reason: reason.into() }
}

/// Reads a GeoJSON FeatureCollection whose features carry `code`, `name`, `parent` (absent or
/// null for a large grid) and `owners` (a list, or one string separated by `;` or `、`).
pub fn parse_geojson(text: &str) -> Result<Vec<GridRecord>> {
    let doc: Value = serde_json::from_str(text).map_err(|e| Error::ImportFormat(format!("not valid JSON: {e}")))?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(Error::ImportFormat("not a GeoJSON FeatureCollection".into()));
    }
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::ImportFormat("the FeatureCollection has no features list".into()))?;
    if features.is_empty() {
        return Err(Error::ImportFormat("the FeatureCollection has no features".into()));
    }
    let mut records = Vec::with_capacity(features.len());
    for (i, feature) in features.iter().enumerate() {
        let props = feature.get("properties").and_then(Value::as_object);
        let code = props.and_then(|p| p.get("code")).map(json_text).unwrap_or_default();
        let location =
            if code.is_empty() { format!("feature {}", i + 1) } else { format!("feature {} (code {code})", i + 1) };
        let props = props.ok_or_else(|| refuse(&location, "the feature has no properties"))?;
        let name = props.get("name").map(json_text).unwrap_or_default();
        let parent = props.get("parent").map(json_text).filter(|p| !p.is_empty());
        let owners = match props.get("owners") {
            Some(Value::Array(items)) => items.iter().map(json_text).filter(|o| !o.is_empty()).collect(),
            Some(Value::String(s)) => split_owners(s),
            Some(Value::Null) | None => Vec::new(),
            Some(_) => return Err(refuse(&location, "owners is not a list of names")),
        };
        let geometry = feature
            .get("geometry")
            .filter(|g| !g.is_null())
            .ok_or_else(|| refuse(&location, "the feature has no geometry"))?;
        let boundary = geometry::boundary_from_geojson(geometry).map_err(|reason| refuse(&location, reason))?;
        records.push(GridRecord { location, code, name, parent, owners, boundary });
    }
    Ok(records)
}

/// Reads CSV with a header row naming at least `code`, `name`, `parent`, `boundary`; `owners` is
/// optional (names separated by `;` or `、`). The boundary is WKT (`POLYGON((lon lat, ...))`) or a
/// GeoJSON geometry object.
pub fn parse_csv(text: &str) -> Result<Vec<GridRecord>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers =
        reader.headers().map_err(|e| Error::ImportFormat(format!("cannot read the header row: {e}")))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(code_col), Some(name_col), Some(boundary_col)) = (column("code"), column("name"), column("boundary"))
    else {
        return Err(Error::ImportFormat(
            "the header row must name the columns code, name, parent, owners, boundary".into(),
        ));
    };
    let parent_col = column("parent");
    let owners_col = column("owners");
    let mut records = Vec::new();
    for (i, row) in reader.records().enumerate() {
        // Row numbers count the header as row 1, as a spreadsheet shows them.
        let row_no = i + 2;
        let row = row.map_err(|e| refuse(&format!("row {row_no}"), format!("not valid CSV: {e}")))?;
        let cell = |col: Option<usize>| col.and_then(|c| row.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let code = cell(Some(code_col));
        let location = if code.is_empty() { format!("row {row_no}") } else { format!("row {row_no} (code {code})") };
        let name = cell(Some(name_col));
        let parent = Some(cell(parent_col)).filter(|p| !p.is_empty());
        let owners = split_owners(&cell(owners_col));
        let raw = cell(Some(boundary_col));
        if raw.is_empty() {
            return Err(refuse(&location, "the boundary is empty"));
        }
        let boundary = if raw.starts_with('{') {
            let geometry: Value = serde_json::from_str(&raw)
                .map_err(|e| refuse(&location, format!("boundary is not valid GeoJSON: {e}")))?;
            geometry::boundary_from_geojson(&geometry)
        } else {
            geometry::boundary_from_wkt(&raw)
        }
        .map_err(|reason| refuse(&location, reason))?;
        records.push(GridRecord { location, code, name, parent, owners, boundary });
    }
    if records.is_empty() {
        return Err(Error::ImportFormat("the file has no rows".into()));
    }
    Ok(records)
}

fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn split_owners(s: &str) -> Vec<String> {
    s.split([';', '；', '、', '|']).map(str::trim).filter(|o| !o.is_empty()).map(String::from).collect()
}

/// Checks a set of records against each other and against the grids already stored
/// (`existing`: code → level). Returns the first problem, naming its feature or row.
pub fn validate(records: &[GridRecord], existing: &HashMap<String, GridLevel>) -> Result<()> {
    let mut seen = HashSet::new();
    for rec in records {
        if rec.code.is_empty() {
            return Err(refuse(&rec.location, "the grid has no code"));
        }
        if rec.code.chars().count() > MAX_CODE_CHARS || rec.code.chars().any(char::is_whitespace) {
            return Err(refuse(
                &rec.location,
                format!("the code must be at most {MAX_CODE_CHARS} characters without spaces"),
            ));
        }
        if rec.name.is_empty() {
            return Err(refuse(&rec.location, "the grid has no name"));
        }
        if rec.name.chars().count() > MAX_NAME_CHARS {
            return Err(refuse(&rec.location, format!("the name is longer than {MAX_NAME_CHARS} characters")));
        }
        if !seen.insert(rec.code.as_str()) {
            return Err(refuse(&rec.location, format!("the code {} appears more than once", rec.code)));
        }
        if let Some(level) = existing.get(&rec.code) {
            if *level != rec.level() {
                return Err(refuse(
                    &rec.location,
                    format!("the code {} is already a grid of the other level", rec.code),
                ));
            }
        }
    }
    let file_levels: HashMap<&str, GridLevel> = records.iter().map(|r| (r.code.as_str(), r.level())).collect();
    for rec in records {
        if let Some(parent) = &rec.parent {
            let level = file_levels.get(parent.as_str()).copied().or_else(|| existing.get(parent).copied());
            match level {
                Some(GridLevel::Large) => {}
                Some(GridLevel::Small) => {
                    return Err(refuse(&rec.location, format!("the parent {parent} is a small grid")))
                }
                None => return Err(refuse(&rec.location, format!("the parent {parent} is not a known large grid"))),
            }
        }
    }
    Ok(())
}
