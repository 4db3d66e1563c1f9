// The dev mock's stand-in for core's calendar (crates/core's `IsoWeek`): ISO weeks as the weekly logs
// count them, Monday 00:00 to the next Monday 00:00 in Beijing time. Only the mock (and tests that
// check it) use it: the screens take their weeks from core (`ipc.recentWeeks`, a log's `week_start`)
// and do no week arithmetic of their own (`boundary.test.ts` checks it).
import { parseIsoWeek } from "../i18n/format";

const OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** The ISO week of a calendar day given as UTC midnight, e.g. `2026-W48`. */
function weekOfDay(ms: number): string {
  const d = new Date(ms);
  const weekday = d.getUTCDay() || 7;
  // The Thursday of the same week decides the week's year.
  const thursday = ms + (4 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The Monday of an ISO week as UTC midnight of that date; null for a week that does not exist. */
function mondayOf(week: string): number | null {
  const w = parseIsoWeek(week);
  if (!w || w.week < 1) return null;
  // 4 January is always in week 1.
  const jan4 = Date.UTC(w.year, 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() || 7) - 1) * DAY_MS + (w.week - 1) * 7 * DAY_MS;
  return weekOfDay(monday) === `${w.year}-W${String(w.week).padStart(2, "0")}` ? monday : null;
}

/** The ISO week a moment falls in, in Beijing time. */
export function isoWeekOf(at: Date): string {
  const local = at.getTime() + OFFSET_MS;
  return weekOfDay(local - (((local % DAY_MS) + DAY_MS) % DAY_MS));
}

/** The week `n` weeks after `week` (before, for a negative `n`); the input itself if it is no week. */
export function shiftWeek(week: string, n: number): string {
  const monday = mondayOf(week);
  return monday == null ? week : weekOfDay(monday + n * 7 * DAY_MS);
}

/** Monday 00:00 Beijing time of `week` and the next Monday's, as UTC instants; null if no week. */
export function weekBounds(week: string): { start: Date; end: Date } | null {
  const monday = mondayOf(week);
  if (monday == null) return null;
  return { start: new Date(monday - OFFSET_MS), end: new Date(monday + 7 * DAY_MS - OFFSET_MS) };
}

/** The week's Monday and Sunday as calendar dates `YYYY-MM-DD`; null if no week. */
export function weekDays(week: string): { first: string; last: string } | null {
  const monday = mondayOf(week);
  if (monday == null) return null;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { first: day(monday), last: day(monday + 6 * DAY_MS) };
}
