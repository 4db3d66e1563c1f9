import { describe, expect, it } from "vitest";
import type { FindingFilter, FindingSummary } from "$lib/ipc";
import { emptyFilters, LIST_LIMIT, toFindingFilter } from "./filters";
import { FIRST_PAGE, loadFindings } from "./loading";

function rows(n: number): FindingSummary[] {
  return Array.from({ length: n }, (_, i) => ({ id: `f${i}` }) as FindingSummary);
}

/** A store of `total` findings that records the limits it was asked for. */
function store(total: number) {
  const asked: (number | null)[] = [];
  const fetch = async (f: FindingFilter) => {
    asked.push(f.limit);
    return rows(Math.min(total, f.limit ?? Infinity));
  };
  return { asked, fetch };
}

describe("loading the findings list", () => {
  const filter = toFindingFilter(emptyFilters());

  it("shows a first page, then the whole list", async () => {
    const s = store(5000);
    const shown: [number, boolean][] = [];
    await loadFindings(s.fetch, filter, false, (r, complete) => (shown.push([r.length, complete]), true));
    expect(s.asked).toEqual([FIRST_PAGE, LIST_LIMIT]);
    expect(shown).toEqual([[FIRST_PAGE, false], [5000, true]]);
  });

  it("asks once when the first page holds every match", async () => {
    const s = store(FIRST_PAGE - 1);
    const shown: [number, boolean][] = [];
    await loadFindings(s.fetch, filter, false, (r, complete) => (shown.push([r.length, complete]), true));
    expect(s.asked).toEqual([FIRST_PAGE]);
    expect(shown).toEqual([[FIRST_PAGE - 1, true]]);
  });

  it("asks for the rest when the first page is exactly full", async () => {
    const s = store(FIRST_PAGE);
    await loadFindings(s.fetch, filter, false, () => true);
    expect(s.asked).toEqual([FIRST_PAGE, LIST_LIMIT]);
  });

  it("refreshes a list already shown in one answer, so it never shrinks to a page", async () => {
    const s = store(5000);
    const shown: number[] = [];
    await loadFindings(s.fetch, filter, true, (r) => (shown.push(r.length), true));
    expect(s.asked).toEqual([LIST_LIMIT]);
    expect(shown).toEqual([5000]);
  });

  it("stops when the answer is no longer wanted", async () => {
    const s = store(5000);
    await loadFindings(s.fetch, filter, false, () => false);
    expect(s.asked).toEqual([FIRST_PAGE]);
  });

  it("keeps a caller's small limit as it is", async () => {
    const s = store(5000);
    await loadFindings(s.fetch, { ...filter, limit: 50 }, false, () => true);
    expect(s.asked).toEqual([50]);
  });
});
