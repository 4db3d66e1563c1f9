// Dates and times as people in the city read them: in Asia/Shanghai, in Chinese or ISO-like form.
// Stored times are RFC 3339 UTC; China has kept UTC+8 without daylight saving since 1991, so the
// conversions for form fields use the fixed offset, while display goes through Intl.
import type { Lang } from "../ipc/bindings";

export const CITY_TZ = "Asia/Shanghai";
const OFFSET_MS = 8 * 3600 * 1000;

type Parts = { year: string; month: string; day: string; hour: string; minute: string };

const partsFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: CITY_TZ,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function parts(iso: string | Date): Parts | null {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return null;
  const out: Record<string, string> = {};
  for (const p of partsFormat.formatToParts(d)) out[p.type] = p.value;
  return { year: out.year, month: out.month, day: out.day, hour: out.hour, minute: out.minute };
}

/** 2026年11月26日 14:05 (zh) or 2026-11-26 14:05 (en); "—" for a missing or broken time. */
export function formatDateTime(iso: string | null | undefined, lang: Lang): string {
  if (iso == null) return "—";
  const p = parts(iso);
  if (!p) return "—";
  if (lang === "zh") return `${p.year}年${Number(p.month)}月${Number(p.day)}日 ${p.hour}:${p.minute}`;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** 2026年11月26日 (zh) or 2026-11-26 (en). */
export function formatDate(iso: string | null | undefined, lang: Lang): string {
  if (iso == null) return "—";
  const p = parts(iso);
  if (!p) return "—";
  if (lang === "zh") return `${p.year}年${Number(p.month)}月${Number(p.day)}日`;
  return `${p.year}-${p.month}-${p.day}`;
}

/** The value of a `datetime-local` field showing `iso` in Beijing time: 2026-11-26T14:05. */
export function toBeijingInput(iso: string | Date): string {
  const p = parts(iso);
  if (!p) return "";
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A `datetime-local` value read as Beijing time, as RFC 3339 UTC; null if it is not a time. */
export function fromBeijingInput(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, s ? +s : 0) - OFFSET_MS;
  const date = new Date(ms);
  return Number.isNaN(ms) ? null : date.toISOString();
}

// The app's own date and time fields are text fields in a fixed form, YYYY-MM-DD and HH:MM, so they
// read the same whatever the system's locale (a native date field shows 12/01/2026 on an English
// system even in the Chinese UI). What a person types is read leniently (2026/12/1, 20261201, 9:05,
// 0905) and shown back in the fixed form.

/** A calendar day typed by a person, as `YYYY-MM-DD`; null when it is not a real day. */
export function parseDay(text: string): string | null {
  const t = text.trim();
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${m[1]}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** A time of day typed by a person, as `HH:MM` (24-hour); null when it is not one. */
export function parseClock(text: string): string | null {
  const m = /^(\d{1,2})[:：.时\s]?(\d{2})分?$/.exec(text.trim());
  if (!m) return null;
  const [h, mi] = [Number(m[1]), Number(m[2])];
  if (h > 23 || mi > 59) return null;
  return `${String(h).padStart(2, "0")}:${m[2]}`;
}

/** The Beijing day and time of day of a moment: {day: "2026-11-26", clock: "14:05"}. */
export function beijingParts(iso: string | Date): { day: string; clock: string } {
  const v = toBeijingInput(iso);
  return { day: v.slice(0, 10), clock: v.slice(11, 16) };
}

/** A day and a time of day typed in Beijing time, as RFC 3339 UTC; null when either is not valid. */
export function fromBeijingParts(day: string, clock: string): string | null {
  const d = parseDay(day);
  const c = parseClock(clock);
  return d && c ? fromBeijingInput(`${d}T${c}`) : null;
}

/** The start of a Beijing calendar day (`YYYY-MM-DD`) as RFC 3339 UTC. */
export function beijingDayStart(day: string): string | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? fromBeijingInput(`${day}T00:00`) : null;
}

/** The start of the Beijing day after `day`: the exclusive end of a range that includes `day`. */
export function beijingDayEnd(day: string): string | null {
  const start = beijingDayStart(day);
  return start ? new Date(new Date(start).getTime() + 24 * 3600 * 1000).toISOString() : null;
}

/** `2026-W48` → {year: 2026, week: 48}. */
export function parseIsoWeek(week: string): { year: number; week: number } | null {
  const m = /^(\d{4})-W(\d{1,2})$/.exec(week);
  return m ? { year: Number(m[1]), week: Number(m[2]) } : null;
}

const DAY_MS = 24 * 3600 * 1000;

type Day = { year: number; month: number; day: number };

/** A calendar date `YYYY-MM-DD` as its parts; null when it is not one. */
function dayParts(date: string): { ms: number; day: Day } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  return Number.isNaN(ms) ? null : { ms, day: dayOf(ms) };
}

function dayOf(ms: number): Day {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * A week with its days: `2026年第48周（11月23日–11月29日）` or `2026-W48 (23–29 Nov)`. A year is
 * written only where the dates leave the week's own year, as in `2026-W53 (28 Dec 2026 – 3 Jan 2027)`.
 * The week and its Monday (`firstDay`, `YYYY-MM-DD`) are core's (`WeekRef`, a log's or a grid week's
 * `week_start`): the UI does no ISO-week arithmetic of its own. As written when either is not one.
 */
export function formatWeek(week: string, firstDay: string, lang: Lang): string {
  const w = parseIsoWeek(week);
  const monday = dayParts(firstDay);
  if (!w || !monday) return week;
  const a = monday.day;
  const b = dayOf(monday.ms + 6 * DAY_MS);
  if (lang === "zh") {
    const from = `${a.year !== w.year ? `${a.year}年` : ""}${a.month}月${a.day}日`;
    const to = `${b.year !== a.year ? `${b.year}年` : ""}${b.month}月${b.day}日`;
    return `${w.year}年第${w.week}周（${from}–${to}）`;
  }
  const name = `${w.year}-W${String(w.week).padStart(2, "0")}`;
  let range: string;
  if (a.year !== b.year) range = `${a.day} ${EN_MONTHS[a.month - 1]} ${a.year} – ${b.day} ${EN_MONTHS[b.month - 1]} ${b.year}`;
  else if (a.month !== b.month) range = `${a.day} ${EN_MONTHS[a.month - 1]} – ${b.day} ${EN_MONTHS[b.month - 1]}`;
  else range = `${a.day}–${b.day} ${EN_MONTHS[a.month - 1]}`;
  return `${name} (${range})`;
}

/** A rate of a weekly log as a percentage with at most one decimal (`66.7%`); "—" when there is none. */
export function formatRate(rate: number | null | undefined): string {
  if (rate == null || !Number.isFinite(rate)) return "—";
  return `${Math.round(rate * 1000) / 10}%`;
}

/** A week's short label for a chart axis: `第48周` (zh) or `W48` (en); the input itself if it is no week. */
export function formatWeekShort(week: string, lang: Lang): string {
  const w = parseIsoWeek(week);
  if (!w) return week;
  return lang === "zh" ? `第${w.week}周` : `W${String(w.week).padStart(2, "0")}`;
}

/**
 * How long a finding has been overdue at `now`: whole days once it is a day or more, else whole
 * hours (at least 1); null when it is not past its due time or either time is missing or broken.
 */
export function overdueSpan(dueAt: string | null | undefined, now: Date): { unit: "days" | "hours"; n: number } | null {
  if (dueAt == null) return null;
  const late = now.getTime() - Date.parse(dueAt);
  if (!Number.isFinite(late) || late <= 0) return null;
  if (late >= DAY_MS) return { unit: "days", n: Math.floor(late / DAY_MS) };
  return { unit: "hours", n: Math.max(1, Math.floor(late / 3_600_000)) };
}

/**
 * A WGS84 coordinate as people read it: six decimals (about 0.1 m), so a stored 117.92800000000001
 * shows as 117.928000, never with the float's noise; "—" for a missing or broken number.
 */
export function formatCoord(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "—";
  return value.toFixed(6);
}

/** A list as each language writes it: 甲、乙、丙 (zh) or A, B, C (en). */
export function formatList(items: readonly string[], lang: Lang): string {
  return items.join(lang === "zh" ? "、" : ", ");
}
