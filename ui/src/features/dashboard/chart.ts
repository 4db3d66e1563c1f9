// The dashboard's chart and sparklines as numbers, kept out of the components so they can be
// tested: findings per week stacked by major class, a y axis with round ticks, and a rate's line.
import type { CategoryKind, GridWeek, MajorCategory } from "$lib/ipc";

/** A major class in the chart: `component:01` is 公用设施, `event:01` is 市容环境 (事件). */
export type MajorGroup = {
  key: string;
  kind: CategoryKind;
  code: string;
  /** The class from the category tree; null for a code the tree does not know. */
  major: MajorCategory | null;
  colour: string;
};
/** One major class's part of a week's bar: `count` findings stacked from `from` to `to`. */
export type Segment = { key: string; count: number; from: number; to: number };
export type Bar = { week: string; total: number; segments: Segment[] };
export type Stacked = { groups: MajorGroup[]; bars: Bar[]; max: number };

/**
 * One colour per major class of GB/T 30428.2, in the tree's order (six component classes, then six
 * event classes), so a class keeps its colour whichever classes a large grid happens to have.
 */
export const PALETTE = [
  "#4e79a7", "#f28e2b", "#76b7b2", "#59a14f", "#9c755f", "#b07aa1",
  "#e15759", "#edc948", "#ff9da7", "#499894", "#d37295", "#86bcb6",
];
/** The colour of a class the category tree does not know. */
export const OTHER_COLOUR = "#bab0ac";

/**
 * The major class of a minor code when the category tree does not say. A code is the kind's digit
 * (1 部件, 2 事件) and the standard's MMmm (core's categories.rs), so component 01 公用设施 and event
 * 01 市容环境 are told apart by the first digit, and the major is the next two.
 */
export function majorKeyOf(minor: string): string {
  const kind: CategoryKind = minor.startsWith("2") ? "event" : "component";
  return `${kind}:${minor.slice(1, 3)}`;
}

/** Each week's findings added up by major class and stacked in the tree's order. */
export function stackWeeks(weeks: readonly GridWeek[], majors: readonly MajorCategory[]): Stacked {
  const order = majors.map((m) => `${m.kind}:${m.code}`);
  const majorOf = new Map(majors.map((m) => [`${m.kind}:${m.code}`, m]));
  const keyOfMinor = new Map(majors.flatMap((m) => m.minors.map((n) => [n.code, `${m.kind}:${m.code}`] as const)));
  const perWeek = weeks.map((w) => {
    const counts = new Map<string, number>();
    for (const [minor, n] of Object.entries(w.by_category)) {
      if (!(n > 0)) continue;
      const key = keyOfMinor.get(minor) ?? majorKeyOf(minor);
      counts.set(key, (counts.get(key) ?? 0) + n);
    }
    return counts;
  });
  const rank = (key: string) => {
    const i = order.indexOf(key);
    return i < 0 ? order.length : i;
  };
  const keys = [...new Set(perWeek.flatMap((c) => [...c.keys()]))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const groups = keys.map((key): MajorGroup => {
    const [kind, code] = key.split(":") as [CategoryKind, string];
    const i = order.indexOf(key);
    return { key, kind, code, major: majorOf.get(key) ?? null, colour: i >= 0 && i < PALETTE.length ? PALETTE[i] : OTHER_COLOUR };
  });
  const bars = weeks.map((w, i) => {
    let total = 0;
    const segments = keys
      .filter((k) => perWeek[i].has(k))
      .map((key) => {
        const count = perWeek[i].get(key)!;
        const s = { key, count, from: total, to: total + count };
        total += count;
        return s;
      });
    return { week: w.week, total, segments };
  });
  return { groups, bars, max: Math.max(0, ...bars.map((b) => b.total)) };
}

/**
 * The names of the classes in a legend: a class's own name, with its kind in front where two
 * classes shown share a name (部件 市容环境 and 事件 市容环境).
 */
export function groupLabels(
  groups: readonly MajorGroup[],
  name: (major: MajorCategory) => string,
  kindName: (kind: CategoryKind) => string,
): Map<string, string> {
  const plain = groups.map((g) => (g.major ? name(g.major) : g.code));
  const seen = new Map<string, number>();
  for (const p of plain) seen.set(p, (seen.get(p) ?? 0) + 1);
  return new Map(
    groups.map((g, i) => [g.key, !g.major || (seen.get(plain[i]) ?? 0) > 1 ? `${kindName(g.kind)} ${plain[i]}` : plain[i]]),
  );
}

/** A y axis from 0 with at most five round ticks (steps of 1, 2 or 5 times a power of ten) that reaches `max`. */
export function niceTicks(max: number): { top: number; ticks: number[] } {
  const m = Math.max(0, Math.ceil(max));
  let step = 1;
  for (let p = 1; ; p *= 10) {
    const found = [1, 2, 5].map((f) => f * p).find((s) => m / s <= 4);
    if (found) {
      step = found;
      break;
    }
  }
  const top = Math.max(step, Math.ceil(m / step) * step);
  return { top, ticks: Array.from({ length: top / step + 1 }, (_, i) => i * step) };
}

/**
 * A rate's line over the weeks, in a `width` × `height` box with `pad` all round: 0 at the bottom,
 * 1 at the top. A week without a rate breaks the line; every week with one gets a dot.
 */
export function sparkline(
  values: readonly (number | null)[],
  width: number,
  height: number,
  pad = 2,
): { d: string; dots: [number, number][] } {
  const n = values.length;
  const x = (i: number) => (n <= 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (n - 1));
  const y = (v: number) => height - pad - Math.min(1, Math.max(0, v)) * (height - 2 * pad);
  const r = (v: number) => Math.round(v * 10) / 10;
  let d = "";
  let drawing = false;
  const dots: [number, number][] = [];
  values.forEach((v, i) => {
    if (v == null || !Number.isFinite(v)) {
      drawing = false;
      return;
    }
    const p: [number, number] = [r(x(i)), r(y(v))];
    dots.push(p);
    d += `${drawing ? "L" : "M"}${p[0]} ${p[1]}`;
    drawing = true;
  });
  return { d, dots };
}
