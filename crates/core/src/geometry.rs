//! Grid boundaries as geometry: parsing GeoJSON and WKT polygons, checking they are valid, and
//! finding which grid a point falls in. The geometry itself is the `geo` crate's.

use geo::{BoundingRect, Intersects, MultiPolygon, Point as GeoPoint, Polygon, Rect, Validation};
use serde_json::Value;

use crate::model::Point;

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
pub fn boundary_from_geojson(geometry: &Value) -> Result<Boundary, String> {
    let kind = geometry.get("type").and_then(Value::as_str).ok_or("geometry has no type")?;
    let coords = geometry.get("coordinates").ok_or("geometry has no coordinates")?;
    let polygons = match kind {
        "Polygon" => vec![polygon_from_rings(coords)?],
        "MultiPolygon" => coords
            .as_array()
            .ok_or("MultiPolygon coordinates are not a list")?
            .iter()
            .map(polygon_from_rings)
            .collect::<Result<Vec<_>, _>>()?,
        other => return Err(format!("geometry type {other} is not a Polygon or MultiPolygon")),
    };
    finish(MultiPolygon(polygons))
}

/// Builds a boundary from WKT text (`POLYGON((lon lat, ...))` or `MULTIPOLYGON`), as CSV exports of
/// GIS tools write it.
pub fn boundary_from_wkt(text: &str) -> Result<Boundary, String> {
    use std::str::FromStr;
    let parsed = wkt::Wkt::<f64>::from_str(text.trim()).map_err(|e| format!("boundary is not valid WKT: {e}"))?;
    let geometry: geo::Geometry<f64> =
        parsed.try_into().map_err(|_| "boundary WKT could not be converted to a geometry".to_string())?;
    let shape = match geometry {
        geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
        geo::Geometry::MultiPolygon(m) => m,
        _ => return Err("boundary WKT is not a POLYGON or MULTIPOLYGON".into()),
    };
    finish(shape)
}

fn polygon_from_rings(rings: &Value) -> Result<Polygon<f64>, String> {
    let rings = rings.as_array().ok_or("polygon coordinates are not a list of rings")?;
    if rings.is_empty() {
        return Err("polygon is empty".into());
    }
    let mut parsed = Vec::with_capacity(rings.len());
    for ring in rings {
        let positions = ring.as_array().ok_or("a ring is not a list of positions")?;
        let mut coords = Vec::with_capacity(positions.len());
        for pos in positions {
            let pair = pos.as_array().ok_or("a position is not [lon, lat]")?;
            let (Some(x), Some(y)) = (pair.first().and_then(Value::as_f64), pair.get(1).and_then(Value::as_f64)) else {
                return Err("a position is not [lon, lat] numbers".into());
            };
            coords.push(geo::Coord { x, y });
        }
        parsed.push(geo::LineString(coords));
    }
    let exterior = parsed.remove(0);
    Ok(Polygon::new(exterior, parsed))
}

fn finish(shape: MultiPolygon<f64>) -> Result<Boundary, String> {
    if shape.0.is_empty() || shape.0.iter().any(|p| p.exterior().0.len() < 4) {
        return Err("polygon is empty or has fewer than 3 corners".into());
    }
    for p in &shape.0 {
        for c in p.exterior().0.iter().chain(p.interiors().iter().flat_map(|r| r.0.iter())) {
            if !(c.x.is_finite() && c.y.is_finite()) || c.x.abs() > 180.0 || c.y.abs() > 90.0 {
                return Err(format!("position [{}, {}] is not a WGS84 longitude and latitude", c.x, c.y));
            }
        }
    }
    if let Err(problem) = shape.check_validation() {
        return Err(format!("polygon is not valid (self-intersecting or degenerate): {problem}"));
    }
    let bbox = shape.bounding_rect().ok_or("polygon is empty")?;
    Ok(Boundary { shape, bbox })
}

/// Whether a point is a WGS84 latitude and longitude at all.
pub fn is_valid_point(p: Point) -> bool {
    p.lat.is_finite() && p.lon.is_finite() && p.lat.abs() <= 90.0 && p.lon.abs() <= 180.0
}
