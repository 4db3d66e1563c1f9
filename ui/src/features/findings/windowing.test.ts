import { describe, expect, it } from "vitest";
import { scrollToRow, visibleWindow } from "./windowing";

describe("list windowing", () => {
  it("renders only the rows in view plus the overscan", () => {
    const w = visibleWindow(0, 440, 44, 100_000, 5);
    expect(w.start).toBe(0);
    expect(w.end, "10 visible + 1 partial + 5 overscan").toBe(16);
    expect(w.total).toBe(4_400_000);
    expect(w.offset).toBe(0);
  });

  it("follows the scroll position", () => {
    const w = visibleWindow(44 * 5000 + 10, 440, 44, 100_000, 5);
    expect(w.start).toBe(4995);
    expect(w.end).toBe(5016);
    expect(w.offset, "the window sits at its first row").toBe(4995 * 44);
  });

  it("stays small whatever the list length", () => {
    for (const count of [10, 1_000, 100_000, 1_000_000]) {
      const w = visibleWindow(count * 22, 800, 44, count);
      expect(w.end - w.start, `rendered rows for ${count}`).toBeLessThanOrEqual(Math.ceil(800 / 44) + 1 + 12);
    }
  });

  it("clamps at the ends and copes with an empty list", () => {
    const w = visibleWindow(1e9, 440, 44, 50, 5);
    expect(w.end).toBe(50);
    expect(w.start, "the last 10 rows fill the view, 5 more above").toBe(50 - 10 - 5);
    expect(visibleWindow(-100, 440, 44, 50, 0).start).toBe(0);
    expect(visibleWindow(0, 440, 44, 0)).toEqual({ start: 0, end: 0, offset: 0, total: 0 });
  });

  it("scrolls as little as possible to show a row", () => {
    expect(scrollToRow(3, 0, 440, 44), "a row in view does not scroll").toBe(0);
    expect(scrollToRow(20, 0, 440, 44), "a row below aligns to the bottom").toBe(21 * 44 - 440);
    expect(scrollToRow(2, 400, 440, 44), "a row above aligns to the top").toBe(88);
  });
});
