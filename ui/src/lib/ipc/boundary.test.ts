// ARCHITECTURE.md's invariant: only ui/src/lib/ipc imports @tauri-apps/* (tests included).
import { describe, expect, it } from "vitest";

const sources = import.meta.glob("/src/**/*.{ts,svelte}", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

describe("the IPC boundary", () => {
  it("is the only folder that imports @tauri-apps", () => {
    const files = Object.keys(sources);
    expect(files.length, "the scan sees the sources").toBeGreaterThan(50);
    const outside = files.filter((f) => !f.startsWith("/src/lib/ipc/") && /from\s+["']@tauri-apps\//.test(sources[f]));
    expect(outside).toEqual([]);
  });

  it("leaves ISO-week arithmetic to core: only the dev mock and tests use the mock's calendar", () => {
    const users = Object.keys(sources).filter((f) => /mockCalendar/.test(sources[f]) && !f.endsWith("/mockCalendar.ts"));
    const screens = users.filter((f) => !f.endsWith(".test.ts") && f !== "/src/lib/ipc/mock.ts");
    expect(users.length, "the scan sees the mock using it").toBeGreaterThan(0);
    expect(screens, "screens take their weeks from core (ipc.recentWeeks, week_start)").toEqual([]);
  });
});
