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
