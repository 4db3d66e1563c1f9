//! The grid registry: the bundled sample (11 large grids, 239 small ones, non-overlapping, over the
//! reference city, labelled as sample), and imports from GeoJSON and CSV that are checked whole and
//! refused with the feature or row at fault, writing nothing.

use std::collections::HashMap;

use geo::{Area, BooleanOps, BoundingRect, Intersects, Relate};
use gridpatrol_core::registry::{self, GridRecord};
use gridpatrol_core::GridLevel;

use super::Env;

#[test]
fn the_sample_registry_has_11_large_and_239_small_grids_that_do_not_overlap() {
    let records = registry::parse_geojson(registry::SAMPLE_GEOJSON).expect("the sample parses");
    let large: Vec<&GridRecord> = records.iter().filter(|r| r.level() == GridLevel::Large).collect();
    let small: Vec<&GridRecord> = records.iter().filter(|r| r.level() == GridLevel::Small).collect();
    assert_eq!(large.len(), 11, "the reference city has 11 large grids");
    assert_eq!(small.len(), 239, "the reference city has 239 small grids");
    registry::validate(&records, &HashMap::new()).expect("the sample passes the import checks");

    let by_code: HashMap<&str, &GridRecord> = records.iter().map(|r| (r.code.as_str(), r)).collect();
    for s in &small {
        let parent = s.parent.as_deref().unwrap();
        let p = by_code.get(parent).unwrap_or_else(|| panic!("small grid {} names an unknown parent {parent}", s.code));
        assert_eq!(p.level(), GridLevel::Large, "small grid {}'s parent {parent} is a large grid", s.code);
        assert!(
            s.boundary.shape().relate(p.boundary.shape()).is_coveredby(),
            "small grid {} lies within its large grid {parent}",
            s.code
        );
        assert!(!s.owners.is_empty(), "small grid {} has at least one owner", s.code);
    }
    for l in &large {
        assert!(!l.owners.is_empty(), "large grid {} has an owner (a senior cadre)", l.code);
    }

    for (i, a) in small.iter().enumerate() {
        for b in &small[i + 1..] {
            if !a.boundary.bbox().intersects(&b.boundary.bbox()) {
                continue;
            }
            let overlap = a.boundary.shape().intersection(b.boundary.shape()).unsigned_area();
            // Neighbours share edges; any shared area, even a sliver, is an overlap.
            assert!(overlap < 1e-12, "small grids {} and {} overlap by {overlap} square degrees", a.code, b.code);
            assert!(
                !a.boundary.shape().relate(b.boundary.shape()).is_overlaps(),
                "small grids {} and {} overlap",
                a.code,
                b.code
            );
        }
    }

    for r in &records {
        let rect = r.boundary.shape().bounding_rect().unwrap();
        let (c, size) = (rect.center(), (rect.width(), rect.height()));
        assert!(
            (c.y - 37.38).abs() < 0.15 && (c.x - 117.97).abs() < 0.15,
            "grid {} lies around 37.38°N 117.97°E, its centre is ({}, {})",
            r.code,
            c.y,
            c.x
        );
        assert!(
            size.0 > 0.0 && size.1 > 0.0 && size.0 < 0.2 && size.1 < 0.2,
            "grid {} has a city-sized boundary",
            r.code
        );
    }
}

#[test]
fn the_sample_is_labelled_as_sample_and_a_real_import_is_not() {
    let mut env = Env::empty();
    assert!(!env.store.has_sample_registry().unwrap(), "an empty store has no sample registry");
    let summary = env.store.import_sample_registry().unwrap();
    assert_eq!((summary.large, summary.small, summary.updated), (11, 239, 0), "the sample adds 11 + 239 grids");
    assert!(env.store.has_sample_registry().unwrap(), "the sample registry is labelled as sample data");
    assert!(registry::SAMPLE_GEOJSON.contains("SAMPLE"), "the sample file says it is sample data");
    let grids = env.store.grids().unwrap();
    assert_eq!(grids.iter().filter(|g| g.level == GridLevel::Large).count(), 11, "11 large grids stored");
    assert_eq!(grids.iter().filter(|g| g.level == GridLevel::Small).count(), 239, "239 small grids stored");
    assert_eq!(env.store.counts().unwrap().grids, 250, "250 grids in all");

    // A real import over it (here: the same codes, not as sample) is no longer sample data.
    let records = registry::parse_geojson(registry::SAMPLE_GEOJSON).unwrap();
    let summary = env.store.import_registry(&records, false).unwrap();
    assert_eq!(summary.updated, 250, "re-importing known codes updates them");
    assert!(!env.store.has_sample_registry().unwrap(), "a real registry is not labelled sample");
}

fn feature(code: &str, name: &str, parent: Option<&str>, geometry: &str) -> String {
    let parent = parent.map(|p| format!("\"{p}\"")).unwrap_or_else(|| "null".into());
    format!(
        r#"{{"type":"Feature","properties":{{"code":"{code}","name":"{name}","parent":{parent},"owners":["王建国"]}},"geometry":{geometry}}}"#
    )
}

fn square(lon: f64, lat: f64, size: f64) -> String {
    let (x1, y1) = (lon + size, lat + size);
    format!(
        r#"{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{x1},{lat}],[{x1},{y1}],[{lon},{y1}],[{lon},{lat}]]]}}"#
    )
}

fn collection(features: &[String]) -> String {
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

/// A valid little registry: one large grid and two small ones side by side.
fn valid_features() -> Vec<String> {
    vec![
        feature("L9", "测试大网格", None, &square(117.9, 37.3, 0.02)),
        feature("L9-01", "测试第01网格", Some("L9"), &square(117.9, 37.3, 0.01)),
        feature("L9-02", "测试第02网格", Some("L9"), &square(117.91, 37.3, 0.01)),
    ]
}

/// Parses and imports `text` with `parse`; the import must be refused with `code`, changing
/// nothing, and its error must mention `location` (the feature or row at fault).
fn check_refused(
    env: &mut Env,
    what: &str,
    code: &str,
    location: &str,
    parse: fn(&str) -> gridpatrol_core::Result<Vec<GridRecord>>,
    text: &str,
) {
    let err = env.assert_refused(what, code, |s| {
        let records = parse(text)?;
        s.import_registry(&records, false)
    });
    for lang in [gridpatrol_core::Lang::Zh, gridpatrol_core::Lang::En] {
        let message = err.message(lang);
        let location = if lang == gridpatrol_core::Lang::Zh { in_chinese(location) } else { location.to_string() };
        assert!(message.contains(&location), "{what}: the {lang:?} message names {location:?}: {message}");
    }
}

/// How a Chinese message names a feature or row: "feature 4 (code L9-01)" is "第 4 个要素（编码 L9-01）".
fn in_chinese(location: &str) -> String {
    let (head, code) = match location.split_once(" (code ") {
        Some((head, rest)) => (head, Some(rest.trim_end_matches(')'))),
        None => (location, None),
    };
    let named = |n: &str, what: &str| match code {
        Some(c) => format!("第 {n} {what}（编码 {c}）"),
        None => format!("第 {n} {what}"),
    };
    if let Some(n) = head.strip_prefix("feature ") {
        named(n, "个要素")
    } else if let Some(n) = head.strip_prefix("row ") {
        named(n, "行")
    } else {
        location.to_string()
    }
}

#[test]
fn a_valid_geojson_registry_imports_and_a_second_import_updates() {
    let mut env = Env::empty();
    let text = collection(&valid_features());
    let summary = env.store.import_registry(&registry::parse_geojson(&text).unwrap(), false).unwrap();
    assert_eq!((summary.large, summary.small, summary.updated), (1, 2, 0), "three new grids");
    let again = env.store.import_registry(&registry::parse_geojson(&text).unwrap(), false).unwrap();
    assert_eq!(again.updated, 3, "a re-import of the same codes updates them, it does not duplicate them");
    assert_eq!(env.store.counts().unwrap().grids, 3, "still three grids");
    let g = env.store.grid("L9-02").unwrap();
    assert_eq!((g.level, g.parent.as_deref()), (GridLevel::Small, Some("L9")), "a small grid keeps its parent");
}

#[test]
fn malformed_geojson_is_refused_naming_the_feature() {
    let mut env = Env::sample();
    let geojson = registry::parse_geojson;
    check_refused(
        &mut env,
        "malformed JSON",
        "import_malformed",
        "JSON",
        geojson,
        r#"{"type":"FeatureCollection","features":[}"#,
    );
    check_refused(
        &mut env,
        "not a FeatureCollection",
        "import_malformed",
        "FeatureCollection",
        geojson,
        &square(117.9, 37.3, 0.01),
    );
    check_refused(
        &mut env,
        "a FeatureCollection with no features",
        "import_malformed",
        "features",
        geojson,
        &collection(&[]),
    );

    let mut dup = valid_features();
    dup.push(feature("L9-01", "重复的网格", Some("L9"), &square(117.92, 37.3, 0.01)));
    check_refused(&mut env, "a duplicate code", "import_invalid", "feature 4 (code L9-01)", geojson, &collection(&dup));

    let mut orphan = valid_features();
    orphan.push(feature("L8-01", "无主网格", Some("L8"), &square(117.92, 37.3, 0.01)));
    check_refused(
        &mut env,
        "an unknown parent",
        "import_invalid",
        "feature 4 (code L8-01)",
        geojson,
        &collection(&orphan),
    );

    let mut under_small = valid_features();
    under_small.push(feature("L9-01-01", "网格下的网格", Some("L9-01"), &square(117.92, 37.3, 0.01)));
    check_refused(
        &mut env,
        "a parent that is a small grid",
        "import_invalid",
        "feature 4 (code L9-01-01)",
        geojson,
        &collection(&under_small),
    );

    let mut empty = valid_features();
    empty[1] = feature("L9-01", "空多边形", Some("L9"), r#"{"type":"Polygon","coordinates":[]}"#);
    check_refused(
        &mut env,
        "an empty polygon",
        "import_invalid",
        "feature 2 (code L9-01)",
        geojson,
        &collection(&empty),
    );

    let mut empty_ring = valid_features();
    empty_ring[1] = feature("L9-01", "空环", Some("L9"), r#"{"type":"Polygon","coordinates":[[]]}"#);
    check_refused(
        &mut env,
        "a polygon with an empty ring",
        "import_invalid",
        "feature 2 (code L9-01)",
        geojson,
        &collection(&empty_ring),
    );

    let mut bow_tie = valid_features();
    bow_tie[2] = feature(
        "L9-02",
        "蝴蝶结",
        Some("L9"),
        r#"{"type":"Polygon","coordinates":[[[117.91,37.3],[117.92,37.31],[117.92,37.3],[117.91,37.31],[117.91,37.3]]]}"#,
    );
    check_refused(
        &mut env,
        "a self-intersecting bow-tie polygon",
        "import_invalid",
        "feature 3 (code L9-02)",
        geojson,
        &collection(&bow_tie),
    );

    let mut no_geometry = valid_features();
    no_geometry[2] = r#"{"type":"Feature","properties":{"code":"L9-02","name":"无边界","parent":"L9"}}"#.into();
    check_refused(
        &mut env,
        "a feature without geometry",
        "import_invalid",
        "feature 3 (code L9-02)",
        geojson,
        &collection(&no_geometry),
    );

    let mut null_geometry = valid_features();
    null_geometry[2] = feature("L9-02", "空边界", Some("L9"), "null");
    check_refused(
        &mut env,
        "a feature with a null geometry",
        "import_invalid",
        "feature 3 (code L9-02)",
        geojson,
        &collection(&null_geometry),
    );

    let mut point = valid_features();
    point[2] = feature("L9-02", "点", Some("L9"), r#"{"type":"Point","coordinates":[117.91,37.3]}"#);
    check_refused(
        &mut env,
        "a point instead of a polygon",
        "import_invalid",
        "feature 3 (code L9-02)",
        geojson,
        &collection(&point),
    );

    let mut off_earth = valid_features();
    off_earth[2] = feature("L9-02", "越界", Some("L9"), &square(181.0, 37.3, 0.01));
    check_refused(
        &mut env,
        "coordinates that are not WGS84",
        "import_invalid",
        "feature 3 (code L9-02)",
        geojson,
        &collection(&off_earth),
    );

    let mut no_code = valid_features();
    no_code[2] = feature("", "无编码", Some("L9"), &square(117.91, 37.3, 0.01));
    check_refused(&mut env, "a feature without a code", "import_invalid", "feature 3", geojson, &collection(&no_code));

    let mut no_name = valid_features();
    no_name[2] = feature("L9-02", "", Some("L9"), &square(117.91, 37.3, 0.01));
    check_refused(
        &mut env,
        "a feature without a name",
        "import_invalid",
        "feature 3 (code L9-02)",
        geojson,
        &collection(&no_name),
    );

    // A sample small grid imported as a large one would change its level under its findings.
    let relevel = collection(&[feature(super::GRID_01, "改为大网格", None, &square(117.9, 37.3, 0.01))]);
    check_refused(
        &mut env,
        "a known small grid re-imported as large",
        "import_invalid",
        super::GRID_01,
        geojson,
        &relevel,
    );
}

const CSV_HEADER: &str = "code,name,parent,owners,boundary";

fn csv_row(code: &str, name: &str, parent: &str, wkt: &str) -> String {
    format!("{code},{name},{parent},王建国;李明,\"{wkt}\"")
}

fn wkt_square(lon: f64, lat: f64, size: f64) -> String {
    let (x1, y1) = (lon + size, lat + size);
    format!("POLYGON(({lon} {lat}, {x1} {lat}, {x1} {y1}, {lon} {y1}, {lon} {lat}))")
}

fn valid_rows() -> Vec<String> {
    vec![
        csv_row("C1", "城区大网格", "", &wkt_square(117.9, 37.3, 0.02)),
        csv_row("C1-01", "城区第01网格", "C1", &wkt_square(117.9, 37.3, 0.01)),
        csv_row("C1-02", "城区第02网格", "C1", &wkt_square(117.91, 37.3, 0.01)),
    ]
}

fn csv(rows: &[String]) -> String {
    format!("{CSV_HEADER}\n{}\n", rows.join("\n"))
}

#[test]
fn a_valid_csv_registry_imports_and_a_second_import_updates() {
    let mut env = Env::empty();
    let text = csv(&valid_rows());
    let records = registry::parse_csv(&text).expect("a valid CSV parses");
    assert_eq!(records[1].owners, vec!["王建国", "李明"], "owners are split on ;");
    let summary = env.store.import_registry(&records, false).unwrap();
    assert_eq!((summary.large, summary.small, summary.updated), (1, 2, 0), "three new grids from CSV");
    assert_eq!(env.store.grid("C1-01").unwrap().parent.as_deref(), Some("C1"), "the parent column is kept");

    // A spreadsheet's byte-order mark and a renamed grid: the re-import updates in place.
    let mut renamed = valid_rows();
    renamed[2] = csv_row("C1-02", "城区第02网格（新）", "C1", &wkt_square(117.91, 37.3, 0.01));
    let again =
        env.store.import_registry(&registry::parse_csv(&format!("\u{feff}{}", csv(&renamed))).unwrap(), false).unwrap();
    assert_eq!(again.updated, 3, "a valid re-import updates the known codes");
    assert_eq!(env.store.grid("C1-02").unwrap().name, "城区第02网格（新）", "the update is stored");
    assert_eq!(env.store.counts().unwrap().grids, 3, "and adds no grid");
}

#[test]
fn malformed_csv_is_refused_naming_the_row() {
    let mut env = Env::sample();
    let parse = registry::parse_csv;

    let mut dup = valid_rows();
    dup.push(csv_row("C1-01", "重复", "C1", &wkt_square(117.92, 37.3, 0.01)));
    check_refused(&mut env, "CSV: a duplicate code", "import_invalid", "row 5 (code C1-01)", parse, &csv(&dup));

    let mut orphan = valid_rows();
    orphan.push(csv_row("C2-01", "无主", "C2", &wkt_square(117.92, 37.3, 0.01)));
    check_refused(&mut env, "CSV: an unknown parent", "import_invalid", "row 5 (code C2-01)", parse, &csv(&orphan));

    let mut bad_wkt = valid_rows();
    bad_wkt[1] = csv_row("C1-01", "坏WKT", "C1", "POLYGON((117.9 37.3, 117.91");
    check_refused(&mut env, "CSV: bad WKT", "import_invalid", "row 3 (code C1-01)", parse, &csv(&bad_wkt));

    let mut not_polygon = valid_rows();
    not_polygon[1] = csv_row("C1-01", "点", "C1", "POINT(117.9 37.3)");
    check_refused(
        &mut env,
        "CSV: a point instead of a polygon",
        "import_invalid",
        "row 3 (code C1-01)",
        parse,
        &csv(&not_polygon),
    );

    let mut bow_tie = valid_rows();
    bow_tie[2] = csv_row(
        "C1-02",
        "蝴蝶结",
        "C1",
        "POLYGON((117.91 37.3, 117.92 37.31, 117.92 37.3, 117.91 37.31, 117.91 37.3))",
    );
    check_refused(
        &mut env,
        "CSV: a self-intersecting polygon",
        "import_invalid",
        "row 4 (code C1-02)",
        parse,
        &csv(&bow_tie),
    );

    let mut empty_boundary = valid_rows();
    empty_boundary[2] = "C1-02,空边界,C1,王建国,".into();
    check_refused(
        &mut env,
        "CSV: an empty boundary",
        "import_invalid",
        "row 4 (code C1-02)",
        parse,
        &csv(&empty_boundary),
    );

    let mut short_row = valid_rows();
    short_row[1] = format!("C1-01,少一列,\"{}\"", wkt_square(117.9, 37.3, 0.01));
    check_refused(&mut env, "CSV: a row missing columns", "import_invalid", "row 3", parse, &csv(&short_row));

    let no_boundary_column = "code,name,parent,owners\nC1,城区大网格,,王建国\n";
    check_refused(
        &mut env,
        "CSV: a header without the boundary column",
        "import_malformed",
        "boundary",
        parse,
        no_boundary_column,
    );
    check_refused(&mut env, "CSV: a header only", "import_malformed", "rows", parse, &format!("{CSV_HEADER}\n"));
}
