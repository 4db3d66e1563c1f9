//! Grid boundaries as geometry: parsing GeoJSON and WKT polygons, checking they are valid, and
//! finding which grid a point falls in. The geometry itself is the `geo` crate's.
//!
//! Validity is checked with `geo`'s sweep-line segment intersection (`geo::algorithm::sweep`), not
//! with `geo::Validation`, whose ring check compares every edge with every other (40,000 points took
//! 6.5 s, 330,000 never finished). A boundary also has at most [`MAX_POINTS`] points, counted before
//! anything is built from them.

use geo::algorithm::sweep::{Cross, Intersections};
use geo::line_intersection::LineIntersection;
use geo::{BoundingRect, Contains, Intersects, Line, MultiPolygon, Point as GeoPoint, Polygon, Rect};
use serde_json::Value;

use crate::error::ImportProblem;
use crate::model::Point;

/// The most points one grid's boundary may have (all rings of all parts). A city's small grid is
/// drawn with tens to a few thousand; more is a survey trace that should be simplified first.
pub const MAX_POINTS: usize = 20_000;

/// A grid boundary ready for point queries, with its bounding box for a cheap first test.
#[derive(Debug, Clone)]
pub struct Boundary {
    shape: MultiPolygon<f64>,
    bbox: Rect<f64>,
}

impl Boundary {
    pub fn contains(&self, point: Point) -> bool {
        let p = GeoPoint::new(point.lon, point.lat);
        // Points on the edge count as inside: a finding on a boundary street belongs to the grid it names.
        self.bbox.intersects(&p) && self.shape.intersects(&p)
    }

    pub fn bbox(&self) -> Rect<f64> {
        self.bbox
    }

    pub fn shape(&self) -> &MultiPolygon<f64> {
        &self.shape
    }

    /// The boundary as a GeoJSON geometry value.
    pub fn to_geojson(&self) -> Value {
        let polys: Vec<Value> = self.shape.0.iter().map(polygon_coords).collect();
        if polys.len() == 1 {
            serde_json::json!({"type": "Polygon", "coordinates": polys[0]})
        } else {
            serde_json::json!({"type": "MultiPolygon", "coordinates": polys})
        }
    }
}

fn polygon_coords(p: &Polygon<f64>) -> Value {
    let ring = |r: &geo::LineString<f64>| -> Value { r.0.iter().map(|c| serde_json::json!([c.x, c.y])).collect() };
    let mut rings = vec![ring(p.exterior())];
    rings.extend(p.interiors().iter().map(ring));
    Value::Array(rings)
}

/// Builds a boundary from a GeoJSON geometry (Polygon or MultiPolygon), refusing empty,
/// malformed, out-of-range and self-intersecting shapes with a reason a person can act on.
pub fn boundary_from_geojson(geometry: &Value) -> Result<Boundary, ImportProblem> {
    let kind = geometry.get("type").and_then(Value::as_str).ok_or(ImportProblem::GeometryNoType)?;
    let coords = geometry.get("coordinates").ok_or(ImportProblem::GeometryNoCoordinates)?;
    let polygons = match kind {
        "Polygon" => vec![polygon_from_rings(coords)?],
        "MultiPolygon" => coords
            .as_array()
            .ok_or(ImportProblem::NotAList("MultiPolygon coordinates"))?
            .iter()
            .map(polygon_from_rings)
            .collect::<Result<Vec<_>, _>>()?,
        other => return Err(ImportProblem::GeometryKind(other.to_string())),
    };
    finish(MultiPolygon(polygons))
}

/// How many points a boundary's text holds at most, counted without parsing it: each point has at
/// least one separator (`,` between numbers in GeoJSON, between points in WKT) after it but the last.
/// Used to refuse an oversized boundary before its text is turned into anything.
pub fn points_at_most(text: &str, geojson: bool) -> usize {
    let commas = text.bytes().filter(|b| *b == b',').count();
    if geojson {
        // `[x, y]` and the comma that follows it: two commas a point.
        commas / 2 + 1
    } else {
        commas + 1
    }
}

/// Builds a boundary from WKT text (`POLYGON((lon lat, ...))` or `MULTIPOLYGON`), as CSV exports of
/// GIS tools write it.
pub fn boundary_from_wkt(text: &str) -> Result<Boundary, ImportProblem> {
    use std::str::FromStr;
    let points = points_at_most(text, false);
    if points > MAX_POINTS {
        return Err(ImportProblem::TooManyPoints { points, max: MAX_POINTS });
    }
    let parsed = wkt::Wkt::<f64>::from_str(text.trim()).map_err(|e| ImportProblem::BoundaryNotWkt(e.to_string()))?;
    let geometry: geo::Geometry<f64> = parsed.try_into().map_err(|_| ImportProblem::WktNotPolygon)?;
    let shape = match geometry {
        geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
        geo::Geometry::MultiPolygon(m) => m,
        _ => return Err(ImportProblem::WktNotPolygon),
    };
    finish(shape)
}

fn polygon_from_rings(rings: &Value) -> Result<Polygon<f64>, ImportProblem> {
    let rings = rings.as_array().ok_or(ImportProblem::NotAList("polygon coordinates"))?;
    if rings.is_empty() {
        return Err(ImportProblem::PolygonEmpty);
    }
    let mut parsed = Vec::with_capacity(rings.len());
    for ring in rings {
        let positions = ring.as_array().ok_or(ImportProblem::NotAList("ring"))?;
        let mut coords = Vec::with_capacity(positions.len());
        for pos in positions {
            let pair = pos.as_array().ok_or(ImportProblem::PositionNotNumbers)?;
            let (Some(x), Some(y)) = (pair.first().and_then(Value::as_f64), pair.get(1).and_then(Value::as_f64)) else {
                return Err(ImportProblem::PositionNotNumbers);
            };
            coords.push(geo::Coord { x, y });
        }
        parsed.push(geo::LineString(coords));
    }
    let exterior = parsed.remove(0);
    Ok(Polygon::new(exterior, parsed))
}

fn finish(shape: MultiPolygon<f64>) -> Result<Boundary, ImportProblem> {
    let points: usize =
        shape.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum();
    if points > MAX_POINTS {
        return Err(ImportProblem::TooManyPoints { points, max: MAX_POINTS });
    }
    let rings = || shape.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors().iter()));
    if shape.0.is_empty() || rings().any(|r| distinct_corners(r) < 3) {
        return Err(ImportProblem::PolygonEmpty);
    }
    for c in rings().flat_map(|r| r.0.iter()) {
        if !(c.x.is_finite() && c.y.is_finite()) || c.x.abs() > 180.0 || c.y.abs() > 90.0 {
            return Err(ImportProblem::NotWgs84 { lon: c.x.to_string(), lat: c.y.to_string() });
        }
    }
    check_simple(&shape)?;
    let bbox = shape.bounding_rect().ok_or(ImportProblem::PolygonEmpty)?;
    Ok(Boundary { shape, bbox })
}

/// How many distinct corners a (closed) ring has: a ring needs three to enclose anything.
fn distinct_corners(ring: &geo::LineString<f64>) -> usize {
    let mut n = 0;
    let mut last: Option<geo::Coord<f64>> = None;
    for c in ring.0.iter().take(ring.0.len().saturating_sub(1)) {
        if last != Some(*c) {
            n += 1;
        }
        last = Some(*c);
    }
    n
}

/// One edge of a boundary, named by its part, ring and place in the ring.
#[derive(Debug, Clone, Copy)]
struct Edge {
    line: Line<f64>,
    part: usize,
    ring: usize,
    index: usize,
    ring_len: usize,
}

impl Cross for Edge {
    type Scalar = f64;
    fn line(&self) -> Line<f64> {
        self.line
    }
}

/// The OGC rules a grid boundary must keep, checked in O((n + m) log n) by a sweep over its edges
/// (m: pairs of edges whose x-ranges overlap) instead of comparing every edge with every other:
/// a ring never crosses or touches itself except where consecutive edges meet; two rings (of one part,
/// or of two parts) never cross and never share an edge, though they may touch at a corner; every
/// hole lies inside its exterior; no part lies inside another part. Repeated consecutive points are
/// tolerated (they make zero-length edges, which are skipped).
fn check_simple(shape: &MultiPolygon<f64>) -> Result<(), ImportProblem> {
    let mut edges = Vec::new();
    for (part, polygon) in shape.0.iter().enumerate() {
        for (ring, r) in std::iter::once(polygon.exterior()).chain(polygon.interiors().iter()).enumerate() {
            let lines: Vec<Line<f64>> = r.lines().filter(|l| l.start != l.end).collect();
            let ring_len = lines.len();
            edges.extend(lines.into_iter().enumerate().map(|(index, line)| Edge { line, part, ring, index, ring_len }));
        }
    }
    for (a, b, meet) in Intersections::from_iter(edges) {
        let same_ring = a.part == b.part && a.ring == b.ring;
        match meet {
            LineIntersection::Collinear { .. } => return Err(ImportProblem::SelfIntersecting),
            LineIntersection::SinglePoint { intersection, is_proper } => {
                if is_proper {
                    return Err(ImportProblem::SelfIntersecting);
                }
                if same_ring {
                    let next = |i: usize| (i + 1) % a.ring_len;
                    let consecutive = next(a.index) == b.index || next(b.index) == a.index;
                    let shared = [a.line.start, a.line.end].contains(&intersection)
                        && [b.line.start, b.line.end].contains(&intersection);
                    if !(consecutive && shared) {
                        return Err(ImportProblem::SelfIntersecting);
                    }
                } else {
                    // Two rings may touch at a corner of both, never where one passes through the other.
                    let corner_of = |l: &Line<f64>| l.start == intersection || l.end == intersection;
                    if !(corner_of(&a.line) && corner_of(&b.line)) {
                        return Err(ImportProblem::SelfIntersecting);
                    }
                }
            }
        }
    }
    // With no crossings, a ring lies wholly inside or outside another: one corner tells which.
    let outline = |p: &Polygon<f64>| Polygon::new(p.exterior().clone(), vec![]);
    for polygon in &shape.0 {
        let outer = outline(polygon);
        for hole in polygon.interiors() {
            if !hole.0.iter().any(|c| outer.contains(c)) {
                return Err(ImportProblem::HoleOutside);
            }
        }
    }
    if shape.0.len() > 1 {
        // A part may sit in another part's hole (an island in a lake), never in its area.
        let boxes: Vec<Option<Rect<f64>>> = shape.0.iter().map(|p| p.bounding_rect()).collect();
        for (i, a) in shape.0.iter().enumerate() {
            for (j, b) in shape.0.iter().enumerate() {
                let (Some(a_box), Some(b_box)) = (boxes[i], boxes[j]) else { continue };
                if i == j || !a_box.intersects(&b_box) {
                    continue;
                }
                if b.exterior().0.iter().any(|c| a.contains(c)) {
                    return Err(ImportProblem::PartsOverlap);
                }
            }
        }
    }
    Ok(())
}

/// Whether a point is a WGS84 latitude and longitude at all.
pub fn is_valid_point(p: Point) -> bool {
    p.lat.is_finite() && p.lon.is_finite() && p.lat.abs() <= 90.0 && p.lon.abs() <= 180.0
}
