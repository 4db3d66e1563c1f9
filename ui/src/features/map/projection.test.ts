import { describe, expect, it } from "vitest";
import type { Grid } from "$lib/ipc";
import {
  fitView, insideGeometry, makeProjection, MAX_SCALE, openBucket, pan, project, projectGrids, rings, screenToLonLat,
  toMap, toScreen, unionBox, unproject, viewBoxOf, zoomAt,
} from "./projection";

const square = (lon: number, lat: number, d: number) => ({
  type: "Polygon",
  coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]],
});
const grid = (code: string, level: "large" | "small", boundary: unknown, parent: string | null = null): Grid =>
  ({ code, name: code, level, parent, owners: [], boundary }) as Grid;

const bounds = { minLon: 117.925, minLat: 37.35, maxLon: 118.015, maxLat: 37.41 };

describe("projection", () => {
  it("shortens longitude by cos(latitude)", () => {
    const p = makeProjection(bounds, 1000);
    const [x0] = project(p, 117.925, 37.38);
    const [x1] = project(p, 117.935, 37.38);
    const [, y0] = project(p, 117.925, 37.38);
    const [, y1] = project(p, 117.925, 37.39);
    expect((x1 - x0) / (y0 - y1), "0.01° of longitude is cos(37.38°) of 0.01° of latitude").toBeCloseTo(Math.cos((37.38 * Math.PI) / 180), 6);
    expect(Math.max(p.width, p.height), "the longer side fills the size").toBeCloseTo(1000, 6);
  });

  it("puts north at the top", () => {
    const p = makeProjection(bounds);
    expect(project(p, 117.925, 37.41)).toEqual([0, 0]);
    expect(project(p, 117.925, 37.35)[1]).toBeGreaterThan(0);
  });

  it("inverts exactly", () => {
    const p = makeProjection(bounds);
    const [x, y] = project(p, 117.97, 37.377);
    const back = unproject(p, x, y);
    expect(back.lon).toBeCloseTo(117.97, 9);
    expect(back.lat).toBeCloseTo(37.377, 9);
  });

  it("projects grids once and reuses the result", () => {
    const grids = [grid("L", "large", square(117.925, 37.39, 0.02)), grid("S", "small", square(117.925, 37.40, 0.005), "L")];
    const a = projectGrids(grids);
    expect(a, "a registry with polygons gives a map").not.toBeNull();
    expect(projectGrids(grids), "the same grids are not projected twice").toBe(a);
    expect(a!.grids.map((g) => g.code)).toEqual(["L", "S"]);
    expect(a!.grids[1].path.startsWith("M")).toBe(true);
    expect(a!.grids[1].path.endsWith("Z")).toBe(true);
  });

  it("reads Polygon and MultiPolygon and skips anything else", () => {
    expect(rings(square(0, 0, 1))).toHaveLength(1);
    expect(rings({ type: "MultiPolygon", coordinates: [square(0, 0, 1).coordinates, square(2, 2, 1).coordinates] })).toHaveLength(2);
    expect(rings({ type: "Point", coordinates: [1, 2] })).toEqual([]);
    expect(rings(null)).toEqual([]);
    expect(projectGrids([grid("X", "small", null)]), "no polygons, no map").toBeNull();
  });

  it("tests points against polygons", () => {
    expect(insideGeometry(square(117.93, 37.40, 0.005), 117.932, 37.402)).toBe(true);
    expect(insideGeometry(square(117.93, 37.40, 0.005), 117.94, 37.402)).toBe(false);
  });
});

describe("view: zoom, pan and the way back to lat/lon", () => {
  const p = makeProjection(bounds, 1000);

  it("fits the map into the viewport, centred", () => {
    const v = fitView(p, 1200, 700, 16);
    const [x0, y0] = toScreen(v, 0, 0);
    const [x1, y1] = toScreen(v, p.width, p.height);
    expect(x0 + x1, "centred horizontally").toBeCloseTo(1200, 6);
    expect(y0 + y1, "centred vertically").toBeCloseTo(700, 6);
    expect(Math.min(x0, y0), "inside the margin").toBeGreaterThanOrEqual(16 - 1e-9);
  });

  it("keeps the point under the cursor while zooming", () => {
    const v = fitView(p, 1200, 700);
    const before = toMap(v, 300, 200);
    const z = zoomAt(v, 2, 300, 200);
    expect(z.scale).toBeCloseTo(v.scale * 2, 9);
    const after = toMap(z, 300, 200);
    expect(after[0]).toBeCloseTo(before[0], 9);
    expect(after[1]).toBeCloseTo(before[1], 9);
  });

  it("clamps the zoom", () => {
    const v = fitView(p, 1200, 700);
    expect(zoomAt(v, 1e6, 0, 0).scale).toBe(MAX_SCALE);
  });

  it("pans by screen pixels", () => {
    const v = pan({ scale: 2, tx: 10, ty: 20 }, 5, -5);
    expect(v).toEqual({ scale: 2, tx: 15, ty: 15 });
  });

  it("turns a click back into the latitude and longitude under it", () => {
    let v = fitView(p, 1280, 720);
    v = pan(zoomAt(v, 3.7, 400, 300), -120, 45);
    const [mx, my] = project(p, 117.9612, 37.3876);
    const [sx, sy] = toScreen(v, mx, my);
    const ll = screenToLonLat(p, v, sx, sy);
    expect(ll.lon).toBeCloseTo(117.9612, 9);
    expect(ll.lat).toBeCloseTo(37.3876, 9);
  });

  it("buckets open counts for the legend", () => {
    expect([0, 1, 2, 3, 5, 6, 40].map(openBucket)).toEqual([0, 1, 1, 2, 2, 3, 3]);
  });
});

describe("a part of the map", () => {
  const grids = [
    grid("L", "large", square(117.925, 37.39, 0.02)),
    grid("S1", "small", square(117.925, 37.40, 0.005), "L"),
    grid("S2", "small", square(117.935, 37.39, 0.005), "L"),
  ];

  it("boxes each grid in map units", () => {
    const m = projectGrids(grids)!;
    const [l, s1] = m.grids;
    expect(l.box.map((n) => Math.round(n)), "the large grid fills the map").toEqual([0, 0, Math.round(m.projection.width), Math.round(m.projection.height)]);
    const [x, y] = project(m.projection, 117.925, 37.405);
    expect(s1.box[0]).toBeCloseTo(x, 6);
    expect(s1.box[1], "north is the top").toBeCloseTo(y, 6);
    expect(s1.box[3]).toBeCloseTo(project(m.projection, 117.925, 37.40)[1], 6);
  });

  it("fits a viewBox around some grids with a margin", () => {
    const m = projectGrids(grids)!;
    const small = m.grids.filter((g) => g.level === "small");
    const u = unionBox(small)!;
    expect(u[0]).toBeCloseTo(small[0].box[0], 6);
    expect(u[2]).toBeCloseTo(small[1].box[2], 6);
    expect(u[1]).toBeCloseTo(small[0].box[1], 6);
    expect(u[3]).toBeCloseTo(small[1].box[3], 6);
    expect(unionBox([]), "no grids, no box").toBeNull();
    expect(viewBoxOf([0, 0, 100, 50], 0.1), "10% of the longer side all round").toBe("-10 -10 120 70");
  });
});
