import { describe, expect, it } from "vitest";
import type { GridWeek, MajorCategory } from "$lib/ipc";
import categoryData from "$lib/ipc/categories.generated.json";
import { groupLabels, majorKeyOf, niceTicks, OTHER_COLOUR, PALETTE, sparkline, stackWeeks } from "./chart";

const majors = (categoryData as unknown as { majors: MajorCategory[] }).majors;

function week(week: string, by_category: Record<string, number>): GridWeek {
  const n = Object.values(by_category).reduce((a, b) => a + b, 0);
  return {
    week, week_start: "", findings_recorded: n, by_category, valid_reports: 0, on_the_spot: 0, due: 0, closed: 0, closed_on_time: 0, handled_on_time: 0, rework: 0, deferred: 0, overdue: 0, closure_rate: null, on_time_closure_rate: null, on_time_rate: null, rework_rate: null, deferral_rate: null, on_the_spot_rate: null,
  };
}

describe("findings per week stacked by major class", () => {
  it("adds the minor classes up by their major, in the tree's order", () => {
    const s = stackWeeks(
      [week("2026-W47", { "10101": 2, "10103": 1, "20590": 4 }), week("2026-W48", {}), week("2026-W49", { "20102": 3, "10102": 1 })],
      majors,
    );
    expect(s.groups.map((g) => g.key), "only the classes that occur, components first").toEqual(["component:01", "event:01", "event:05"]);
    expect(s.groups.map((g) => g.major?.name_zh)).toEqual(["公用设施", "市容环境", "街面秩序"]);
    expect(s.bars.map((b) => b.total)).toEqual([7, 0, 4]);
    expect(s.bars[0].segments, "stacked bottom up").toEqual([
      { key: "component:01", count: 3, from: 0, to: 3 },
      { key: "event:05", count: 4, from: 3, to: 7 },
    ]);
    expect(s.bars[1].segments, "an empty week is an empty bar").toEqual([]);
    expect(s.bars[2].segments.map((x) => [x.key, x.count])).toEqual([["component:01", 1], ["event:01", 3]]);
    expect(s.max).toBe(7);
  });

  it("tells component 01 (公用设施) from event 01 (市容环境), which share their first two digits", () => {
    expect(majorKeyOf("10101")).toBe("component:01");
    expect(majorKeyOf("20102")).toBe("event:01");
    expect(majorKeyOf("20699")).toBe("event:06");
    for (const m of majors) for (const n of m.minors) expect(majorKeyOf(n.code), n.code).toBe(`${m.kind}:${m.code}`);
  });

  it("keeps one colour per class, and groups a code the tree does not know by its digits", () => {
    const s = stackWeeks([week("2026-W48", { "10401": 1, "20799": 2, "20798": 1 })], majors);
    expect(s.groups.map((g) => [g.key, g.colour])).toEqual([
      ["component:04", PALETTE[3]],
      ["event:07", OTHER_COLOUR],
    ]);
    expect(s.groups[1].major, "unknown to the tree").toBeNull();
    expect(s.bars[0].segments[1].count).toBe(3);
    expect(majors.length, "a colour for each class of the tree").toBeLessThanOrEqual(PALETTE.length);
  });

  it("adds the kind to a name only where two classes shown share it", () => {
    const s = stackWeeks([week("2026-W48", { "10301": 1, "20102": 1, "10201": 1, "20799": 1 })], majors);
    const labels = groupLabels(s.groups, (m) => m.name_zh, (k) => (k === "event" ? "事件" : "部件"));
    expect([...labels.values()]).toEqual(["道路交通", "部件 市容环境", "事件 市容环境", "事件 07"]);
  });

  it("has nothing to stack without weeks", () => {
    expect(stackWeeks([], majors)).toEqual({ groups: [], bars: [], max: 0 });
  });
});

describe("the chart's y axis", () => {
  it.each([
    [0, 1, [0, 1]],
    [1, 1, [0, 1]],
    [4, 4, [0, 1, 2, 3, 4]],
    [7, 8, [0, 2, 4, 6, 8]],
    [14, 15, [0, 5, 10, 15]],
    [23, 30, [0, 10, 20, 30]],
    [180, 200, [0, 50, 100, 150, 200]],
  ])("reaches %i with round ticks up to %i", (max, top, ticks) => {
    expect(niceTicks(max)).toEqual({ top, ticks });
  });
});

describe("a rate's sparkline", () => {
  it("runs left to right, 0 at the bottom and 1 at the top, broken where a week has no rate", () => {
    const s = sparkline([0, 1, null, 0.5, 0.5], 42, 22, 1);
    expect(s.dots).toEqual([[1, 21], [11, 1], [31, 11], [41, 11]]);
    expect(s.d, "no line across the week without a rate").toBe("M1 21L11 1M31 11L41 11");
  });

  it("draws nothing without rates, and a lone week in the middle", () => {
    expect(sparkline([null, null], 40, 20)).toEqual({ d: "", dots: [] });
    expect(sparkline([0.5], 40, 20, 0).dots).toEqual([[20, 10]]);
  });
});
