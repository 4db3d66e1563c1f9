// Finding a category as people type it: by Chinese or English name, by code (the 5-digit code, the
// standard's 4-digit MMmm after the kind's digit, or a 2-digit major), with the ones used recently first. Recent use is remembered on this device.
import type { MajorCategory, MinorCategory } from "$lib/ipc";

export type CategoryOption = { minor: MinorCategory; major: MajorCategory };

export const RECENT_KEY = "gridpatrol.recentCategories";
const RECENT_MAX = 8;

export function flatten(majors: readonly MajorCategory[]): CategoryOption[] {
  return majors.flatMap((major) => major.minors.map((minor) => ({ minor, major })));
}

/** Options matching `query`, recent ones first, then code order. Empty query: recent, then all. */
export function searchCategories(
  options: readonly CategoryOption[],
  query: string,
  recent: readonly string[] = [],
): CategoryOption[] {
  const q = query.trim().toLowerCase();
  const terms = q.split(/\s+/).filter(Boolean);
  const matches = options.filter(({ minor, major }) => {
    if (!terms.length) return true;
    const hay = [minor.code, minor.name_zh, minor.name_en, major.code, major.name_zh, major.name_en]
      .join(" ")
      .toLowerCase();
    return terms.every((term) => (/^\d+$/.test(term) ? minor.code.startsWith(term) || minor.code.slice(1).startsWith(term) : hay.includes(term)));
  });
  const rank = (o: CategoryOption) => {
    const r = recent.indexOf(o.minor.code);
    // An exact code match beats everything; then recent use; then a name that starts with the query.
    if (q && o.minor.code === q) return -1000;
    if (r >= 0) return -100 + r;
    if (q && (o.minor.name_zh.startsWith(q) || o.minor.name_en.toLowerCase().startsWith(q))) return -1;
    return 0;
  };
  return matches
    .map((o, i) => ({ o, i, r: rank(o) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.o);
}

export function loadRecent(storage: Storage | undefined = globalThis.localStorage): string[] {
  try {
    const v = JSON.parse(storage?.getItem(RECENT_KEY) ?? "[]");
    return Array.isArray(v) ? v.filter((c) => typeof c === "string").slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

export function rememberRecent(code: string, storage: Storage | undefined = globalThis.localStorage): string[] {
  const next = [code, ...loadRecent(storage).filter((c) => c !== code)].slice(0, RECENT_MAX);
  try {
    storage?.setItem(RECENT_KEY, JSON.stringify(next));
  } catch {
    // A full or disabled storage only loses the ordering hint.
  }
  return next;
}
