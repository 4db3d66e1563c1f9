//! Geometry: a point picks its small grid, a point on no grid is refused, and a finding recorded
//! with only a point lands in the grid the point picks.

use geo::InteriorPoint;
use gridpatrol_core::registry;
use gridpatrol_core::{NewFinding, Point};

use super::{Env, GRID_01, GRID_02, IN_GRID_01, IN_GRID_02, IN_NO_GRID, MANHOLE};

#[test]
fn a_point_picks_its_small_grid() {
    let env = Env::sample();
    assert_eq!(env.store.grid_at(IN_GRID_01).unwrap(), GRID_01, "a point inside 黄河第01网格 picks it");
    assert_eq!(env.store.grid_at(IN_GRID_02).unwrap(), GRID_02, "a point inside 黄河第02网格 picks it");
    // Every small grid of the sample is picked by a point inside it, and by no other grid.
    for rec in registry::parse_geojson(registry::SAMPLE_GEOJSON).unwrap().iter().filter(|r| r.parent.is_some()) {
        let inside = rec.boundary.shape().interior_point().expect("a grid has an interior point");
        let p = Point { lat: inside.y(), lon: inside.x() };
        assert_eq!(env.store.grid_at(p).unwrap(), rec.code, "a point inside small grid {} picks it", rec.code);
        assert!(env.store.grid_contains(&rec.code, p).unwrap(), "small grid {} contains its interior point", rec.code);
    }
}

#[test]
fn a_point_on_no_grid_is_refused() {
    let env = Env::sample();
    let err = env.store.grid_at(IN_NO_GRID).expect_err("a point in the countryside lies in no grid");
    assert_eq!(err.code(), "point_in_no_grid", "a point outside every small grid is PointInNoGrid");
    super::assert_messages("a point in no grid", &err);
    let err = env.store.grid_at(Point { lat: 95.0, lon: 117.9 }).expect_err("latitude 95 is not on Earth");
    assert_eq!(err.code(), "invalid_point", "an impossible point is refused as such, not as outside");
    assert!(!env.store.grid_contains(GRID_01, IN_GRID_02).unwrap(), "grid 01 does not contain a point of grid 02");
}

#[test]
fn a_finding_with_only_a_point_lands_in_the_grid_the_point_picks() {
    let mut env = Env::sample();
    let f = env
        .store
        .add_finding(NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            grid: None,
            point: Some(IN_GRID_02),
            ..NewFinding::new("", MANHOLE, "井盖缺失")
        })
        .expect("a point alone is enough to place a finding");
    assert_eq!(f.grid, GRID_02, "the point picked the grid");
    assert_eq!(f.point, Some(IN_GRID_02), "the point is kept");
    assert_eq!(env.store.finding(&f.id).unwrap().grid, GRID_02, "the picked grid is stored");
}

#[test]
fn a_point_on_the_shared_edge_belongs_to_both_neighbours() {
    let mut env = Env::sample();
    // 黄河第01网格 and 第02网格 share the line lat 37.406: a finding on that street may name either.
    let edge = Point { lat: 37.406, lon: 117.9278 };
    for grid in [GRID_01, GRID_02] {
        let f = env
            .store
            .add_finding(NewFinding {
                on_the_spot: false,
                after_photos: Vec::new(),
                point: Some(edge),
                ..NewFinding::new(grid, MANHOLE, "井盖破损")
            })
            .unwrap_or_else(|e| panic!("a point on the edge of {grid} is in {grid}: {e}"));
        assert_eq!(f.grid, grid, "the named grid is kept for an edge point");
    }
    assert_eq!(env.store.grid_at(edge).unwrap(), GRID_01, "alone, an edge point picks the first grid by code");
}
