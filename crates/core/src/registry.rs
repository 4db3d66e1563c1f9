//! The grid registry's import formats: GeoJSON and CSV, validated whole before anything is written.
//!
//! A registry file is read into [`GridRecord`]s and checked as a set by [`validate`]: every
//! problem is reported with the feature or row it is in, and one problem refuses the whole file.
//! Writing the checked records is the store's job (`store::grids`).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::error::{Error, ImportProblem, Location, Result};
use crate::geometry::{self, Boundary};
use crate::model::GridLevel;

/// The reference city's SAMPLE registry: 11 large grids and 239 small grids, made up for
/// demonstration (see `scripts/gen_sample_registry.py`).
pub const SAMPLE_GEOJSON: &str = include_str!("../data/sample-registry.geojson");

pub const MAX_CODE_CHARS: usize = 40;
pub const MAX_NAME_CHARS: usize = 100;
/// The largest registry file accepted: a city's grids with detailed boundaries fit in a few MB.
/// Checked from the file's size before a byte is read, so an oversized file is refused at once.
pub const MAX_IMPORT_BYTES: u64 = 32 * 1024 * 1024;
/// The most grids one file may hold (each import writes one event naming every code).
pub const MAX_GRIDS: usize = 20_000;

/// One grid as read from a registry file, with where it was read from.
#[derive(Debug, Clone)]
pub struct GridRecord {
    pub location: Location,
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

fn refuse(location: &Location, reason: ImportProblem) -> Error {
    Error::Import { location: location.clone(), reason }
}

/// Reads a registry file (CSV when its name ends in `.csv`, GeoJSON otherwise) within the limits:
/// at most [`MAX_IMPORT_BYTES`], [`MAX_GRIDS`] grids and [`geometry::MAX_POINTS`] points a grid.
/// The file is parsed as it is read, so memory stays in proportion to the limits, not the file.
pub fn read_file(path: &Path) -> Result<Vec<GridRecord>> {
    let name = path.display().to_string();
    let unreadable = |e: std::io::Error| Error::ImportUnreadable { name: name.clone(), detail: e.to_string() };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Error::ImportUnreadable { name, detail: "not a file".into() });
    }
    if meta.len() > MAX_IMPORT_BYTES {
        return Err(Error::ImportTooLarge { bytes: meta.len(), max: MAX_IMPORT_BYTES });
    }
    // The size limit holds even if the file grows while it is read.
    let file = std::fs::File::open(path).map_err(unreadable)?.take(MAX_IMPORT_BYTES);
    let reader = std::io::BufReader::new(file);
    let is_csv = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        read_csv(reader)
    } else {
        read_geojson(reader)
    }
}

/// Reads a GeoJSON FeatureCollection whose features carry `code`, `name`, `parent` (absent or
/// null for a large grid) and `owners` (a list, or one string separated by `;` or `、`).
pub fn parse_geojson(text: &str) -> Result<Vec<GridRecord>> {
    read_geojson(text.as_bytes())
}

/// [`parse_geojson`] from a reader, one feature at a time: a feature's boundary is refused as soon
/// as it passes [`geometry::MAX_POINTS`], and the collection as soon as it passes [`MAX_GRIDS`].
pub fn read_geojson(reader: impl Read) -> Result<Vec<GridRecord>> {
    let failure = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let parsed = CollectionSeed { failure: &failure }.deserialize(&mut de).and_then(|c| de.end().map(|_| c));
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    let (kind, features) = parsed.map_err(|e| Error::ImportFormat(ImportProblem::NotJson(e.to_string())))?;
    if kind.as_deref() != Some("FeatureCollection") {
        return Err(Error::ImportFormat(ImportProblem::NotFeatureCollection));
    }
    let records = features.ok_or(Error::ImportFormat(ImportProblem::NoFeaturesList))?;
    if records.is_empty() {
        return Err(Error::ImportFormat(ImportProblem::NoFeatures));
    }
    Ok(records)
}

/// What a feature's fields turn into a record.
fn feature_record(
    number: usize,
    props: Option<serde_json::Map<String, Value>>,
    geometry: Option<Value>,
) -> Result<GridRecord> {
    let code = props.as_ref().and_then(|p| p.get("code")).map(json_text).unwrap_or_default();
    let location = Location::Feature { number, code: Some(code.clone()).filter(|c| !c.is_empty()) };
    let props = props.ok_or_else(|| refuse(&location, ImportProblem::NoProperties))?;
    let name = props.get("name").map(json_text).unwrap_or_default();
    let parent = props.get("parent").map(json_text).filter(|p| !p.is_empty());
    let owners = match props.get("owners") {
        Some(Value::Array(items)) => items.iter().map(json_text).filter(|o| !o.is_empty()).collect(),
        Some(Value::String(s)) => split_owners(s),
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err(refuse(&location, ImportProblem::OwnersNotList)),
    };
    let geometry = geometry.filter(|g| !g.is_null()).ok_or_else(|| refuse(&location, ImportProblem::NoGeometry))?;
    let boundary = geometry::boundary_from_geojson(&geometry).map_err(|reason| refuse(&location, reason))?;
    Ok(GridRecord { location, code, name, parent, owners, boundary })
}

/// The streaming reader of a FeatureCollection: `type` and `features`, everything else skipped.
/// A refusal found inside (a feature's problem, too many points or grids) is kept in `failure`,
/// and serde is told only to stop.
struct CollectionSeed<'a> {
    failure: &'a RefCell<Option<Error>>,
}

type Collection = (Option<String>, Option<Vec<GridRecord>>);

impl<'de> DeserializeSeed<'de> for CollectionSeed<'_> {
    type Value = Collection;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Collection, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CollectionSeed<'_> {
    type Value = Collection;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GeoJSON FeatureCollection")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Collection, A::Error> {
        let (mut kind, mut features) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => kind = Some(map.next_value::<Value>()?).and_then(|v| v.as_str().map(String::from)),
                "features" => features = map.next_value_seed(FeaturesSeed { failure: self.failure })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((kind, features))
    }
    // Anything but an object is read whole and found not to be a FeatureCollection.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Collection, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok((None, None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Collection, E> {
        Ok((None, None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Collection, E> {
        Ok((None, None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Collection, E> {
        Ok((None, None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Collection, E> {
        Ok((None, None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Collection, E> {
        Ok((None, None))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Collection, E> {
        Ok((None, None))
    }
}

struct FeaturesSeed<'a> {
    failure: &'a RefCell<Option<Error>>,
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_> {
    type Value = Option<Vec<GridRecord>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_> {
    type Value = Option<Vec<GridRecord>>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
        let mut records = Vec::new();
        let stop = |e: Error| {
            *self.failure.borrow_mut() = Some(e);
            de::Error::custom("import refused")
        };
        loop {
            let number = records.len() + 1;
            if number > MAX_GRIDS {
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(stop(Error::ImportFormat(ImportProblem::TooManyGrids { max: MAX_GRIDS })));
                }
                break;
            }
            let Some((props, geometry)) = seq.next_element_seed(FeatureSeed { failure: self.failure, number })? else {
                break;
            };
            records.push(feature_record(number, props, geometry).map_err(stop)?);
        }
        Ok(Some(records))
    }
    // A `features` that is not a list is the same as none.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
}

/// One feature: its properties (small) and its geometry, whose numbers are counted as they arrive.
struct FeatureSeed<'a> {
    failure: &'a RefCell<Option<Error>>,
    number: usize,
}

type FeatureParts = (Option<serde_json::Map<String, Value>>, Option<Value>);

impl<'de> DeserializeSeed<'de> for FeatureSeed<'_> {
    type Value = FeatureParts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<FeatureParts, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FeatureSeed<'_> {
    type Value = FeatureParts;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GeoJSON Feature")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<FeatureParts, A::Error> {
        let (mut props, mut geometry): FeatureParts = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "properties" => props = map.next_value::<Option<serde_json::Map<String, Value>>>()?,
                "geometry" => {
                    let code = props.as_ref().and_then(|p| p.get("code")).map(json_text).filter(|c| !c.is_empty());
                    let budget = Cell::new(2 * (geometry::MAX_POINTS + 1));
                    match map.next_value_seed(CountedValue { budget: &budget }) {
                        Ok(v) => geometry = Some(v),
                        Err(e) if budget.get() == 0 => {
                            let location = Location::Feature { number: self.number, code };
                            let over = geometry::MAX_POINTS + 1;
                            *self.failure.borrow_mut() = Some(refuse(
                                &location,
                                ImportProblem::TooManyPoints { points: over, max: geometry::MAX_POINTS },
                            ));
                            return Err(e);
                        }
                        Err(e) => return Err(e),
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((props, geometry))
    }
    // A feature that is not an object has neither properties nor geometry.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<FeatureParts, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok((None, None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<FeatureParts, E> {
        Ok((None, None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<FeatureParts, E> {
        Ok((None, None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<FeatureParts, E> {
        Ok((None, None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<FeatureParts, E> {
        Ok((None, None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<FeatureParts, E> {
        Ok((None, None))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<FeatureParts, E> {
        Ok((None, None))
    }
}

/// A JSON value that may hold at most `budget` numbers: a geometry's coordinates are refused as
/// they arrive, before an oversized boundary is held in memory.
struct CountedValue<'a> {
    budget: &'a Cell<usize>,
}

impl CountedValue<'_> {
    fn spend<E: de::Error>(&self) -> std::result::Result<(), E> {
        match self.budget.get() {
            0 | 1 => {
                self.budget.set(0);
                Err(E::custom("too many points"))
            }
            n => {
                self.budget.set(n - 1);
                Ok(())
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for CountedValue<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CountedValue<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GeoJSON geometry")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Value, E> {
        self.spend()?;
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Value, E> {
        self.spend()?;
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        self.spend()?;
        Ok(Value::from(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(CountedValue { budget: self.budget })? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let v = map.next_value_seed(CountedValue { budget: self.budget })?;
            object.insert(key, v);
        }
        Ok(Value::Object(object))
    }
}

/// Reads CSV with a header row naming at least `code`, `name`, `parent`, `boundary`; `owners` is
/// optional (names separated by `;` or `、`). The boundary is WKT (`POLYGON((lon lat, ...))`) or a
/// GeoJSON geometry object.
pub fn parse_csv(text: &str) -> Result<Vec<GridRecord>> {
    read_csv(text.as_bytes())
}

/// [`parse_csv`] from a reader, one row at a time; a boundary's points are counted from its text
/// before it is parsed.
pub fn read_csv(reader: impl Read) -> Result<Vec<GridRecord>> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(SkipBom::new(reader));
    let headers = reader.headers().map_err(|e| Error::ImportFormat(ImportProblem::BadHeader(e.to_string())))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(code_col), Some(name_col), Some(boundary_col)) = (column("code"), column("name"), column("boundary"))
    else {
        return Err(Error::ImportFormat(ImportProblem::HeaderColumns));
    };
    let parent_col = column("parent");
    let owners_col = column("owners");
    let mut records = Vec::new();
    let mut row = csv::StringRecord::new();
    loop {
        // Row numbers count the header as row 1, as a spreadsheet shows them.
        let row_no = records.len() + 2;
        let more = reader
            .read_record(&mut row)
            .map_err(|e| refuse(&Location::Row { number: row_no, code: None }, ImportProblem::NotCsv(e.to_string())))?;
        if !more {
            break;
        }
        if records.len() >= MAX_GRIDS {
            return Err(Error::ImportFormat(ImportProblem::TooManyGrids { max: MAX_GRIDS }));
        }
        let cell = |col: Option<usize>| col.and_then(|c| row.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let code = cell(Some(code_col));
        let location = Location::Row { number: row_no, code: Some(code.clone()).filter(|c| !c.is_empty()) };
        let name = cell(Some(name_col));
        let parent = Some(cell(parent_col)).filter(|p| !p.is_empty());
        let owners = split_owners(&cell(owners_col));
        let raw = row.get(boundary_col).map(str::trim).unwrap_or_default();
        if raw.is_empty() {
            return Err(refuse(&location, ImportProblem::BoundaryEmpty));
        }
        let geojson = raw.starts_with('{');
        let points = geometry::points_at_most(raw, geojson);
        if points > geometry::MAX_POINTS {
            return Err(refuse(&location, ImportProblem::TooManyPoints { points, max: geometry::MAX_POINTS }));
        }
        let boundary = if geojson {
            let geometry: Value = serde_json::from_str(raw)
                .map_err(|e| refuse(&location, ImportProblem::BoundaryNotGeoJson(e.to_string())))?;
            geometry::boundary_from_geojson(&geometry)
        } else {
            geometry::boundary_from_wkt(raw)
        }
        .map_err(|reason| refuse(&location, reason))?;
        records.push(GridRecord { location, code, name, parent, owners, boundary });
    }
    if records.is_empty() {
        return Err(Error::ImportFormat(ImportProblem::NoRows));
    }
    Ok(records)
}

/// A reader that drops a UTF-8 byte-order mark at the start (Excel writes one).
struct SkipBom<R> {
    inner: R,
    start: Option<Vec<u8>>,
}

impl<R: Read> SkipBom<R> {
    fn new(inner: R) -> SkipBom<R> {
        SkipBom { inner, start: None }
    }
}

impl<R: Read> Read for SkipBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.start.is_none() {
            let mut head = Vec::with_capacity(3);
            let mut byte = [0u8; 1];
            while head.len() < 3 && self.inner.read(&mut byte)? == 1 {
                head.push(byte[0]);
            }
            if head == [0xEF, 0xBB, 0xBF] {
                head.clear();
            }
            self.start = Some(head);
        }
        if let Some(head) = self.start.as_mut().filter(|h| !h.is_empty()) {
            let n = head.len().min(buf.len());
            buf[..n].copy_from_slice(&head[..n]);
            head.drain(..n);
            return Ok(n);
        }
        self.inner.read(buf)
    }
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
            return Err(refuse(&rec.location, ImportProblem::NoCode));
        }
        if rec.code.chars().count() > MAX_CODE_CHARS || rec.code.chars().any(char::is_whitespace) {
            return Err(refuse(&rec.location, ImportProblem::BadCode { max: MAX_CODE_CHARS }));
        }
        if rec.name.is_empty() {
            return Err(refuse(&rec.location, ImportProblem::NoName));
        }
        if rec.name.chars().count() > MAX_NAME_CHARS {
            return Err(refuse(&rec.location, ImportProblem::NameTooLong { max: MAX_NAME_CHARS }));
        }
        if !seen.insert(rec.code.as_str()) {
            return Err(refuse(&rec.location, ImportProblem::DuplicateCode(rec.code.clone())));
        }
        if let Some(level) = existing.get(&rec.code) {
            if *level != rec.level() {
                return Err(refuse(&rec.location, ImportProblem::OtherLevel(rec.code.clone())));
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
                    return Err(refuse(&rec.location, ImportProblem::ParentIsSmall(parent.clone())))
                }
                None => return Err(refuse(&rec.location, ImportProblem::UnknownParent(parent.clone()))),
            }
        }
    }
    Ok(())
}
