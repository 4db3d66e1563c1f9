import { describe, expect, it, vi } from "vitest";
import { en } from "./en";
import { zh } from "./zh";
import { catalogues, currentLang, hasKey, interpolate, setCurrentLang, t } from "./index.svelte";
import {
  beijingDayEnd, beijingDayStart, formatDate, formatDateTime, formatRate, formatWeek, formatWeekShort, fromBeijingInput,
  formatCoord, overdueSpan, parseIsoWeek, toBeijingInput,
  beijingParts, fromBeijingParts, parseClock, parseDay,
} from "./format";
import { errorSentence, showError } from "./errors";
import { isoWeekOf, shiftWeek, weekBounds, weekDays } from "../ipc/mockCalendar";
import { IpcError } from "../ipc";

// The generated bindings and the Rust error enum, read as text so the tests follow them.
const bindings = Object.values(import.meta.glob("../ipc/bindings.ts", { query: "?raw", import: "default", eager: true }))[0] as string;
const errorRs = Object.values(
  import.meta.glob("../../../../crates/core/src/error.rs", { query: "?raw", import: "default", eager: true }),
)[0] as string | undefined;

/** The members of a string-union type in bindings.ts, e.g. `Status`. */
function union(name: string): string[] {
  const m = new RegExp(`export type ${name} = ([^;]+);`).exec(bindings);
  if (!m) throw new Error(`bindings.ts has no type ${name}`);
  return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}

describe("message catalogue", () => {
  it("has the same keys in Chinese and English", () => {
    expect(Object.keys(en).sort(), "en must have exactly the zh keys").toEqual(Object.keys(zh).sort());
  });

  it("has no empty message in either language", () => {
    for (const [lang, cat] of Object.entries(catalogues))
      for (const [key, value] of Object.entries(cat))
        expect(value.trim(), `${lang}:${key} must not be empty`).not.toBe("");
  });

  it("uses the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(zh) as (keyof typeof zh)[])
      expect(names(en[key]), `placeholders of ${key} must match`).toEqual(names(zh[key]));
  });

  it.each([
    ["Status", "status."],
    ["Status", "move."],
    ["Role", "role."],
    ["Urgency", "urgency."],
    ["CategoryKind", "kind."],
    ["PatrolKind", "patrolKind."],
    ["FindingSort", "findings.sort."],
    ["ReviewState", "logState."],
  ])("translates every %s of the bindings under %s", (type, prefix) => {
    for (const value of union(type)) expect(hasKey(prefix + value), `${prefix}${value} must be in the catalogue`).toBe(true);
  });

  it("translates every error code of gridpatrol-core", () => {
    expect(errorRs, "crates/core/src/error.rs must be readable from the tests").toBeTruthy();
    const block = errorRs!.slice(errorRs!.indexOf("fn code("), errorRs!.indexOf("fn message("));
    const codes = [...block.matchAll(/=> "([a-z_]+)"/g)].map((m) => m[1]);
    expect(codes.length, "the code() match must be found").toBeGreaterThan(20);
    for (const code of [...codes, "internal"])
      expect(hasKey(`errors.${code}`), `errors.${code} must be translated`).toBe(true);
  });

  it("switches language for every later call of t", () => {
    setCurrentLang("en");
    expect(currentLang()).toBe("en");
    expect(t("sync.offlinePending", { n: 3 }), "the sync area speaks English after the switch").toBe("Offline, 3 changes waiting");
    setCurrentLang("zh");
    expect(t("sync.offlinePending", { n: 3 }), "the sync area speaks Chinese by default").toBe("离线，3 项更改待同步");
  });

  it("keeps an unfilled placeholder visible", () => {
    expect(interpolate("{a} and {b}", { a: 1 })).toBe("1 and {b}");
  });
});

describe("errors shown to people", () => {
  it("translates a known code and keeps the Rust sentence as detail", () => {
    setCurrentLang("zh");
    const s = showError(new IpcError({ code: "empty_text", message: "问题描述不能为空。", field: "description" }));
    expect(s.text, "the sentence comes from the catalogue").toBe(zh["errors.empty_text"]);
    expect(s.field).toBe("description");
    expect(s.detail).toContain("问题描述不能为空");
  });

  it("never shows a raw exception string", () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const s = showError(new TypeError("x is undefined"));
    expect(s.text, "an unknown failure gets the translated internal sentence").toBe(zh["errors.internal"]);
    expect(s.detail, "a JS error text is not shown").toBeNull();
    const unknown = showError({ code: "brand_new_code", message: "raw" });
    expect(unknown.text, "an unknown code falls back to the generic sentence").toBe(zh["errors.generic"]);
    expect(unknown.detail).toBeNull();
    expect(log, "the raw failure goes to the console for whoever debugs").toHaveBeenCalled();
    log.mockRestore();
  });
});

describe("dates and times in Asia/Shanghai", () => {
  it("formats in Chinese and ISO-like forms in Beijing time", () => {
    expect(formatDateTime("2026-11-26T06:05:00Z", "zh"), "UTC 06:05 is 14:05 in Beijing").toBe("2026年11月26日 14:05");
    expect(formatDateTime("2026-11-26T06:05:00Z", "en")).toBe("2026-11-26 14:05");
    expect(formatDateTime("2026-12-31T16:30:00.000Z", "zh"), "the day rolls over at UTC 16:00").toBe("2027年1月1日 00:30");
    expect(formatDate("2026-03-01T20:00:00Z", "zh")).toBe("2026年3月2日");
    expect(formatDateTime(null, "zh")).toBe("—");
    expect(formatDateTime("not a time", "en")).toBe("—");
  });

  it("reads and writes datetime-local fields as Beijing time", () => {
    expect(toBeijingInput("2026-11-26T06:05:00Z")).toBe("2026-11-26T14:05");
    expect(fromBeijingInput("2026-11-26T14:05")).toBe("2026-11-26T06:05:00.000Z");
    expect(fromBeijingInput("2026-11-26")).toBeNull();
    expect(fromBeijingInput(toBeijingInput("2026-01-01T00:00:00Z")!), "round trip").toBe("2026-01-01T00:00:00.000Z");
  });

  it("turns a calendar day into a Beijing day range", () => {
    expect(beijingDayStart("2026-11-26")).toBe("2026-11-25T16:00:00.000Z");
    expect(beijingDayEnd("2026-11-26"), "the end is the next day's start (exclusive)").toBe("2026-11-26T16:00:00.000Z");
    expect(beijingDayStart("26/11/2026")).toBeNull();
  });

  it("reads ISO weeks", () => {
    expect(parseIsoWeek("2026-W48")).toEqual({ year: 2026, week: 48 });
    expect(parseIsoWeek("W48")).toBeNull();
  });

  // The week and its Monday come from core (WeekRef, a log's week_start); formatWeek only writes them.
  it.each([
    ["2026-W48", "2026-11-23", "zh", "2026年第48周（11月23日–11月29日）"],
    ["2026-W48", "2026-11-23", "en", "2026-W48 (23–29 Nov)"],
    ["2026-W49", "2026-11-30", "en", "2026-W49 (30 Nov – 6 Dec)"],
    ["2026-W53", "2026-12-28", "zh", "2026年第53周（12月28日–2027年1月3日）"],
    ["2026-W53", "2026-12-28", "en", "2026-W53 (28 Dec 2026 – 3 Jan 2027)"],
    ["2026-W01", "2025-12-29", "zh", "2026年第1周（2025年12月29日–2026年1月4日）"],
    ["2026-W01", "2025-12-29", "en", "2026-W01 (29 Dec 2025 – 4 Jan 2026)"],
  ] as const)("labels %s (Monday %s) in %s as %s", (week, monday, lang, label) => {
    expect(formatWeek(week, monday, lang), "a week shows with its Monday and Sunday").toBe(label);
  });

  it("leaves a week without a readable week or Monday as it was written", () => {
    expect(formatWeek("2026-W00x", "2026-11-23", "zh")).toBe("2026-W00x");
    expect(formatWeek("2026-W48", "", "en"), "no Monday from core: the name alone").toBe("2026-W48");
  });

  it("the dev mock's calendar agrees with core's week boundaries", () => {
    expect(weekDays("2026-W53"), "Monday and Sunday of the 53rd week").toEqual({ first: "2026-12-28", last: "2027-01-03" });
    expect(isoWeekOf(new Date("2026-11-22T15:59:59Z")), "Sunday 23:59 in Beijing is still W47").toBe("2026-W47");
    expect(isoWeekOf(new Date("2026-11-22T16:00:00Z")), "Monday 00:00 in Beijing starts W48").toBe("2026-W48");
    expect(isoWeekOf(new Date("2027-01-03T12:00:00Z")), "3 January 2027 belongs to 2026-W53").toBe("2026-W53");
    expect(shiftWeek("2026-W53", 1)).toBe("2027-W01");
    expect(shiftWeek("2026-W01", -1)).toBe("2025-W52");
    expect(weekBounds("2026-W48")?.start.toISOString(), "the week starts at Monday 00:00 Beijing time").toBe("2026-11-22T16:00:00.000Z");
    expect(weekBounds("2026-W48")?.end.toISOString()).toBe("2026-11-29T16:00:00.000Z");
  });
});

describe("rates of a weekly log", () => {
  it("shows a percentage with at most one decimal, and a dash when there is no rate", () => {
    expect(formatRate(null), "no due findings: no rate").toBe("—");
    expect(formatRate(undefined)).toBe("—");
    expect(formatRate(1)).toBe("100%");
    expect(formatRate(0)).toBe("0%");
    expect(formatRate(2 / 3)).toBe("66.7%");
    expect(formatRate(0.125)).toBe("12.5%");
  });
});

describe("the dashboard's short weeks and overdue spans", () => {
  it("labels a week on a chart axis briefly", () => {
    expect(formatWeekShort("2026-W48", "zh")).toBe("第48周");
    expect(formatWeekShort("2026-W48", "en")).toBe("W48");
    expect(formatWeekShort("2027-W01", "zh")).toBe("第1周");
    expect(formatWeekShort("2027-W01", "en"), "two digits, as in 2027-W01").toBe("W01");
    expect(formatWeekShort("soon", "en"), "no week: as written").toBe("soon");
  });

  it("says how long a finding has been overdue, in days once it is a day", () => {
    const now = new Date("2026-11-26T08:00:00Z");
    expect(overdueSpan("2026-11-23T07:00:00Z", now)).toEqual({ unit: "days", n: 3 });
    expect(overdueSpan("2026-11-25T08:00:00Z", now), "exactly a day").toEqual({ unit: "days", n: 1 });
    expect(overdueSpan("2026-11-26T02:30:00Z", now)).toEqual({ unit: "hours", n: 5 });
    expect(overdueSpan("2026-11-26T07:59:00Z", now), "a minute late is an hour's mention").toEqual({ unit: "hours", n: 1 });
    expect(overdueSpan("2026-11-26T09:00:00Z", now), "not yet due").toBeNull();
    expect(overdueSpan(null, now)).toBeNull();
    expect(overdueSpan("not a time", now)).toBeNull();
  });
});

describe("the app's own date and time fields (issue 15 item 8)", () => {
  it("reads a day leniently and writes it as YYYY-MM-DD, refusing what is no day", () => {
    for (const [typed, day] of [
      ["2026-12-01", "2026-12-01"], ["2026/12/1", "2026-12-01"], ["20261201", "2026-12-01"], [" 2026.1.5 ", "2026-01-05"],
      ["2026年12月1日", "2026-12-01"], ["2028-02-29", "2028-02-29"],
    ]) expect(parseDay(typed), typed).toBe(day);
    for (const typed of ["12/01/2026", "2026-02-30", "2026-13-01", "2026-12", "", "tomorrow"])
      expect(parseDay(typed), `${typed} is no day`).toBeNull();
  });

  it("reads a time of day as 24-hour HH:MM", () => {
    for (const [typed, clock] of [["09:30", "09:30"], ["9:30", "09:30"], ["930", "09:30"], ["2359", "23:59"], ["14：05", "14:05"]])
      expect(parseClock(typed), typed).toBe(clock);
    for (const typed of ["24:00", "12:60", "9", "9:3", "noon", ""]) expect(parseClock(typed), `${typed} is no time`).toBeNull();
  });

  it("turns a Beijing day and time into UTC and back", () => {
    expect(fromBeijingParts("2026-11-26", "08:05")).toBe("2026-11-26T00:05:00.000Z");
    expect(fromBeijingParts("2026-11-26", "8")).toBeNull();
    expect(beijingParts("2026-11-25T16:30:00Z"), "after 16:00 UTC it is the next day in Beijing").toEqual({ day: "2026-11-26", clock: "00:30" });
  });
});

describe("the hub's and the sync driver's errors (issue 15 item 5)", () => {
  it("has a sentence for every code the hub or the driver gives the app", () => {
    for (const code of ["bad_credentials", "unauthorized", "hub_unreachable", "hub_error", "payload_too_large", "not_found", "photo_token"])
      expect(errorSentence(code), code).toBe(zh[`errors.${code}` as keyof typeof zh]);
    expect(errorSentence("http_502"), "a proxy's 5xx is the hub failing").toBe(zh["errors.hub_error"]);
    expect(errorSentence("http_418")).toBe("中心端拒绝了请求（代码 http_418）。");
  });

  it("leaves an English cause out of a Chinese detail", () => {
    setCurrentLang("zh");
    const s = showError(new IpcError({ code: "photo_unreadable", message: "无法读取照片 a.jpg：Format error decoding Jpeg。", field: "photos" }));
    expect(s.text).toBe(zh["errors.photo_unreadable"]);
    expect(s.detail, "no raw English under a Chinese sentence").toBeNull();
    const kept = showError(new IpcError({ code: "point_outside_grid", message: "位置（37.1, 117.9）不在网格 37160200100101 内。", field: "point" }));
    expect(kept.detail, "a Chinese detail stays").toContain("不在网格 37160200100101 内");
    const again = showError(new IpcError({ code: "bad_credentials", message: "用户名或密码不正确，中心端拒绝了登录。", field: null }));
    expect(again.detail, "a detail that only repeats the sentence is not shown twice").toBeNull();
    setCurrentLang("en");
    const en = showError(new IpcError({ code: "photo_unreadable", message: "Cannot read the photo a.jpg: Format error decoding Jpeg.", field: "photos" }));
    expect(en.detail, "English details stay in English").toContain("Format error");
    setCurrentLang("zh");
  });
});

describe("wording (issue 15 item 13)", () => {
  it("chooses the singular in English when a count is 1", () => {
    setCurrentLang("en");
    expect(t("findings.count", { n: 1 }), "plural-aware entry").toBe("1 finding");
    expect(t("findings.count", { n: 2 })).toBe("2 findings");
    expect(t("log.patrolGrids", { n: 1 })).toBe("1 grid");
    expect(interpolate("{n} {n|grid|grids}", { n: 0 }), "zero is plural in English").toBe("0 grids");
    // Every English entry with a count reads right for 1: no "1 findings", "1 grids", "1 changes".
    for (const [key, template] of Object.entries(en)) {
      if (!template.includes("{n}")) continue;
      const one = interpolate(template, { n: 1, h: 1, m: 1, grids: 1, total: 1, shown: 1, name: "X", week: "W1", path: "p", rate: "1%", d: 1, duration: "1 min" });
      expect(one, `en:${key} with n = 1 must not use a plural noun`).not.toMatch(/\b1 (?:small |working )?[a-z]+s\b/);
    }
    setCurrentLang("zh");
  });

  it("uses half-width punctuation in English and full-width brackets in Chinese", () => {
    for (const [key, value] of Object.entries(en))
      expect(value, `en:${key} must not carry full-width punctuation`).not.toMatch(/[（）：，；。、]/);
    for (const [key, value] of Object.entries(zh))
      expect(value, `zh:${key} must not mix half-width brackets into Chinese`).not.toMatch(/[()]/);
    expect(formatWeek("2026-W48", "2026-11-23", "zh"), "the Chinese week uses full-width brackets").toBe("2026年第48周（11月23日–11月29日）");
    setCurrentLang("en");
    expect(t("common.gridName", { name: "黄河第01网格", code: "37160200100101" })).toBe("黄河第01网格 (37160200100101)");
    setCurrentLang("zh");
    expect(t("common.gridName", { name: "黄河第01网格", code: "37160200100101" })).toBe("黄河第01网格（37160200100101）");
  });

  it("formats coordinates to six decimals", () => {
    expect(formatCoord(117.92800000000001), "no float noise").toBe("117.928000");
    expect(formatCoord(37.3812345678)).toBe("37.381235");
    expect(formatCoord(null)).toBe("—");
  });
});
