// The Findings list against the dev mock with `?lead` (twelve weeks of findings in 黄河大网格):
// a new filter shows its first page at once and the whole count when the rest arrives.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/svelte";
import { app } from "$lib/app.svelte";
import { ipc, type FindingFilter, type FindingSummary } from "$lib/ipc";
import { installMock } from "$lib/ipc/mock";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { emptyFilters, toFindingFilter } from "./filters";
import { FIRST_PAGE } from "./loading";
import FindingList from "./FindingList.svelte";

const url = location.href;

beforeEach(async () => {
  history.replaceState(null, "", "/?lead");
  installMock();
  setCurrentLang("zh");
  app.info = await ipc.appInfo();
  await app.loadReference();
  app.findingsGrid = null;
  app.findingsOverdue = null;
  vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
});

afterEach(() => {
  history.replaceState(null, "", url);
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("the findings list", () => {
  it("shows a new filter's first page while the rest is on its way", async () => {
    const all = await ipc.findings(toFindingFilter(emptyFilters()));
    expect(all.length, "the sample holds more than a page").toBeGreaterThan(FIRST_PAGE);

    const real = ipc.findings;
    let release!: () => void;
    const rest = new Promise<void>((r) => (release = r));
    const asked: (number | null)[] = [];
    vi.spyOn(ipc, "findings").mockImplementation(async (f: FindingFilter): Promise<FindingSummary[]> => {
      asked.push(f.limit);
      if (f.limit !== FIRST_PAGE) await rest;
      return real(f);
    });

    render(FindingList, { active: true });
    const count = await screen.findByTestId("finding-count");
    await waitFor(() => expect(count.textContent).toBe(`已显示前 ${FIRST_PAGE} 条`));
    expect(screen.getByRole("grid").getAttribute("aria-rowcount")).toBe(String(FIRST_PAGE));

    release();
    await waitFor(() => expect(count.textContent).toBe(`共 ${all.length} 条`));
    expect(screen.getByRole("grid").getAttribute("aria-rowcount")).toBe(String(all.length));
    expect(asked, "a first page, then the whole list").toEqual([FIRST_PAGE, toFindingFilter(emptyFilters()).limit]);
  });
});
