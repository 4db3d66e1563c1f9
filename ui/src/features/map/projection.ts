// The map's geometry, kept out of the component so it can be tested: an equirectangular
// projection with the longitude scaled by cos(latitude) at the registry's centre (good to well
// under 1% across a city), the view transform (zoom about a point, pan), and the inverse that
// turns a click back into latitude and longitude.
import type { Grid, JsonValue } from "$lib/ipc";

export type LonLat = [number, number];
export type Bounds = { minLon: number; minLat: number; maxLon: number; maxLat: number };
export type Projection = {
  bounds: Bounds;
  /** Map units per degree of latitude. */
  unit: number;
  /** cos(latitude) at the centre: how much shorter a degree of longitude is. */
  kx: number;
  width: number;
  height: number;
};
export type View = { scale: number; tx: number; ty: number };
export type ProjectedGrid = {
  code: string;
  name: string;
  level: Grid["level"];
  parent: string | null;
  /** SVG path data in map units. */
  path: string;
  /** A point inside (or at least near) the grid, for its label, in map units. */
  label: [number, number];
  /** Its bounding box in map units. */
  box: Box;
};
/** A box in map units: [minX, minY, maxX, maxY]. */
export type Box = [number, number, number, number];

export const MIN_SCALE = 0.5;
export const MAX_SCALE = 40;

/** The outer and inner rings of a GeoJSON Polygon or MultiPolygon; nothing for anything else. */
export function rings(geometry: JsonValue): LonLat[][] {
  if (!geometry || typeof geometry !== "object" || Array.isArray(geometry)) return [];
  const g = geometry as { type?: unknown; coordinates?: unknown };
  const ok = (r: unknown): r is LonLat[] =>
    Array.isArray(r) && r.every((p) => Array.isArray(p) && typeof p[0] === "number" && typeof p[1] === "number");
  if (g.type === "Polygon" && Array.isArray(g.coordinates)) return g.coordinates.filter(ok);
  if (g.type === "MultiPolygon" && Array.isArray(g.coordinates))
    return g.coordinates.flatMap((poly) => (Array.isArray(poly) ? poly.filter(ok) : []));
  return [];
}

export function boundsOf(allRings: LonLat[][]): Bounds | null {
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (const ring of allRings)
    for (const [lon, lat] of ring) {
      if (lon < minLon) minLon = lon;
      if (lon > maxLon) maxLon = lon;
      if (lat < minLat) minLat = lat;
      if (lat > maxLat) maxLat = lat;
    }
  return Number.isFinite(minLon) ? { minLon, minLat, maxLon, maxLat } : null;
}

/** A projection that fits `bounds` into `size` map units along its longer side. */
export function makeProjection(bounds: Bounds, size = 1000): Projection {
  const midLat = (bounds.minLat + bounds.maxLat) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180);
  const spanX = Math.max((bounds.maxLon - bounds.minLon) * kx, 1e-9);
  const spanY = Math.max(bounds.maxLat - bounds.minLat, 1e-9);
  const unit = size / Math.max(spanX, spanY);
  return { bounds, unit, kx, width: spanX * unit, height: spanY * unit };
}

/** Longitude/latitude → map units (y grows southwards, as on screen). */
export function project(p: Projection, lon: number, lat: number): [number, number] {
  return [(lon - p.bounds.minLon) * p.kx * p.unit, (p.bounds.maxLat - lat) * p.unit];
}

/** Map units → longitude/latitude. */
export function unproject(p: Projection, x: number, y: number): { lon: number; lat: number } {
  return { lon: p.bounds.minLon + x / (p.kx * p.unit), lat: p.bounds.maxLat - y / p.unit };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** SVG path data for a geometry. */
export function pathOf(p: Projection, allRings: LonLat[][]): string {
  return allRings
    .map((ring) => {
      const pts = ring.map(([lon, lat]) => project(p, lon, lat));
      return "M" + pts.map(([x, y]) => `${round(x)} ${round(y)}`).join("L") + "Z";
    })
    .join("");
}

/** The area-weighted centroid of the outer ring (falls back to the vertex mean). */
export function centroid(ring: [number, number][]): [number, number] {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j];
    const [x1, y1] = ring[i];
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (Math.abs(a) < 1e-12) {
    const n = ring.length || 1;
    return [ring.reduce((s, q) => s + q[0], 0) / n, ring.reduce((s, q) => s + q[1], 0) / n];
  }
  return [cx / (3 * a), cy / (3 * a)];
}

/** The bounding box of rings in map units. */
function boxOf(p: Projection, allRings: LonLat[][]): Box {
  const b = boundsOf(allRings)!;
  const [x0, y0] = project(p, b.minLon, b.maxLat);
  const [x1, y1] = project(p, b.maxLon, b.minLat);
  return [x0, y0, x1, y1];
}

/** The box around some grids; null when there are none. */
export function unionBox(grids: readonly { box: Box }[]): Box | null {
  if (!grids.length) return null;
  return grids.reduce<Box>(
    (u, { box: b }) => [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]), Math.max(u[3], b[3])],
    [Infinity, Infinity, -Infinity, -Infinity],
  );
}

/** An SVG viewBox showing `box` with a margin of `margin` of its longer side all round. */
export function viewBoxOf(box: Box, margin = 0.03): string {
  const m = Math.max(box[2] - box[0], box[3] - box[1], 1e-9) * margin;
  const r = (n: number) => Math.round(n * 100) / 100;
  return [box[0] - m, box[1] - m, box[2] - box[0] + 2 * m, box[3] - box[1] + 2 * m].map(r).join(" ");
}

export type ProjectedMap = { projection: Projection; grids: ProjectedGrid[] };

const memo = new WeakMap<readonly Grid[], ProjectedMap | null>();

/** Projects every grid once; the same array of grids gives back the same result. */
export function projectGrids(grids: readonly Grid[]): ProjectedMap | null {
  if (memo.has(grids)) return memo.get(grids) ?? null;
  const withRings = grids.map((g) => ({ g, r: rings(g.boundary) }));
  const b = boundsOf(withRings.flatMap((x) => x.r));
  let result: ProjectedMap | null = null;
  if (b) {
    const projection = makeProjection(b);
    result = {
      projection,
      grids: withRings
        .filter((x) => x.r.length > 0)
        .map(({ g, r }) => ({
          code: g.code,
          name: g.name,
          level: g.level,
          parent: g.parent ?? null,
          path: pathOf(projection, r),
          label: centroid(r[0].map(([lon, lat]) => project(projection, lon, lat))),
          box: boxOf(projection, r),
        })),
    };
  }
  memo.set(grids, result);
  return result;
}

/** Whether a lon/lat point lies inside a ring (even-odd rule). */
export function insideRing(ring: LonLat[], lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a point lies in a Polygon/MultiPolygon (holes respected by the even-odd rule). */
export function insideGeometry(geometry: JsonValue, lon: number, lat: number): boolean {
  return rings(geometry).reduce((acc, ring) => (insideRing(ring, lon, lat) ? !acc : acc), false);
}

// ---- the view: screen = map * scale + translate ----

/** The view that shows the whole map centred in a viewport of `vw` × `vh` pixels. */
export function fitView(p: Projection, vw: number, vh: number, margin = 16): View {
  const scale = Math.max(
    MIN_SCALE,
    Math.min((vw - 2 * margin) / Math.max(p.width, 1e-9), (vh - 2 * margin) / Math.max(p.height, 1e-9)),
  );
  return { scale, tx: (vw - p.width * scale) / 2, ty: (vh - p.height * scale) / 2 };
}

export function toScreen(v: View, x: number, y: number): [number, number] {
  return [x * v.scale + v.tx, y * v.scale + v.ty];
}

export function toMap(v: View, sx: number, sy: number): [number, number] {
  return [(sx - v.tx) / v.scale, (sy - v.ty) / v.scale];
}

/** Zooms by `factor` keeping the screen point (`sx`, `sy`) over the same spot of the map. */
export function zoomAt(v: View, factor: number, sx: number, sy: number, min = MIN_SCALE, max = MAX_SCALE): View {
  const scale = Math.min(max, Math.max(min, v.scale * factor));
  const [mx, my] = toMap(v, sx, sy);
  return { scale, tx: sx - mx * scale, ty: sy - my * scale };
}

export function pan(v: View, dx: number, dy: number): View {
  return { scale: v.scale, tx: v.tx + dx, ty: v.ty + dy };
}

/** Screen point → longitude/latitude. */
export function screenToLonLat(p: Projection, v: View, sx: number, sy: number): { lon: number; lat: number } {
  const [x, y] = toMap(v, sx, sy);
  return unproject(p, x, y);
}

/** The colour class of a grid by its open findings: 0 none, 1 for 1–2, 2 for 3–5, 3 for 6 or more. */
/**
 * The maps' colours, in one place for the grid map, the dashboard's map and their legend. The fill
 * is a blue ramp by open findings (none, 1–2, 3–5, 6 or more), so the red overdue outline stands
 * apart from every fill, and the selected grid's amber line apart from both.
 */
export const MAP_COLOURS = {
  open: ["#f7f9fb", "#c6dbef", "#6baed6", "#2f6fae"],
  late: "#d7191c",
  selected: "#f2a900",
} as const;

/** The colours as CSS custom properties (`--open-0` … `--late-line`), for a style attribute. */
export const MAP_COLOUR_VARS = [
  ...MAP_COLOURS.open.map((c, i) => `--open-${i}: ${c}`),
  `--late-line: ${MAP_COLOURS.late}`,
  `--selected-line: ${MAP_COLOURS.selected}`,
].join("; ");

export function openBucket(open: number): 0 | 1 | 2 | 3 {
  if (open <= 0) return 0;
  if (open <= 2) return 1;
  if (open <= 5) return 2;
  return 3;
}
