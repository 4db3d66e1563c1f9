import { describe, expect, it } from "vitest";
import { RULES } from "$lib/ipc/rules";
import { emptyFilters, fromFindingFilter, isFiltered, LIST_LIMIT, STATUSES, toFindingFilter } from "./filters";

describe("filters → FindingFilter", () => {
  it("asks for everything, newest first, when nothing is chosen", () => {
    expect(toFindingFilter(emptyFilters())).toEqual({
      grid: null, large_grid: null, grids: null, status: null, open_only: false, overdue_only: false, deferral_pending: false, returned_only: false, unit: null, category: null, search: null,
      observed_from: null, observed_until: null, sort: "observed_desc", limit: LIST_LIMIT,
    });
    expect(isFiltered(emptyFilters())).toBe(false);
  });

  it("maps each control", () => {
    const f = toFindingFilter({
      largeGrid: "371602001", grids: null, unit: null, grid: "37160200100101", status: "rectifying", category: "10101", from: "2026-11-01", until: "2026-11-26",
      search: "  井盖 ", sort: "due_asc",
    });
    expect(f.grid).toBe("37160200100101");
    expect(f.large_grid).toBe("371602001");
    expect(f.status).toBe("rectifying");
    expect(f.open_only).toBe(false);
    expect(f.category).toBe("10101");
    expect(f.search, "the search text is trimmed").toBe("井盖");
    expect(f.observed_from, "from is the start of the Beijing day").toBe("2026-10-31T16:00:00.000Z");
    expect(f.observed_until, "until includes the whole Beijing day (exclusive bound)").toBe("2026-11-26T16:00:00.000Z");
    expect(f.sort).toBe("due_asc");
  });

  it("maps 'open' to open_only, not to a status", () => {
    const f = toFindingFilter({ ...emptyFilters(), status: "open" });
    expect(f.status).toBeNull();
    expect(f.open_only).toBe(true);
  });

  it("maps 'overdue' to overdue_only, and a large grid alone filters", () => {
    const f = toFindingFilter({ ...emptyFilters(), largeGrid: "371602001", status: "overdue" });
    expect([f.status, f.open_only, f.overdue_only, f.large_grid, f.grid]).toEqual([null, false, true, "371602001", null]);
    expect(isFiltered({ ...emptyFilters(), largeGrid: "371602001" })).toBe(true);
  });

  it("sends no search for blank text", () => {
    expect(toFindingFilter({ ...emptyFilters(), search: "   " }).search).toBeNull();
    expect(isFiltered({ ...emptyFilters(), search: "   " })).toBe(false);
  });
});

describe("a filter core made (the lead's queue) → the controls", () => {
  it("shows every queue item's filter so that the list asked for is the one counted", () => {
    const scope = ["37160200100101", "37160200100102"];
    for (const { key, list } of RULES.queue) {
      if (list.kind !== "findings") continue;
      for (const grids of [scope, null]) {
        const made = { ...list.filter, grids };
        const shown = fromFindingFilter(made);
        expect({ ...toFindingFilter(shown), limit: null }, `${key}: the controls ask for the list the count counted`)
          .toEqual({ ...made, limit: null });
        expect(isFiltered(shown), `${key}: a filtered list says so`).toBe(true);
      }
    }
  });

  it("keeps a range of days and says the statuses in core's order", () => {
    const made = { ...toFindingFilter({ ...emptyFilters(), from: "2026-11-01", until: "2026-11-26" }) };
    expect(fromFindingFilter(made), "the exclusive end is shown as the day before it").toMatchObject({ from: "2026-11-01", until: "2026-11-26" });
    expect(STATUSES, "core's Status::ALL").toEqual(RULES.statuses.map((s) => s.status));
  });
});
