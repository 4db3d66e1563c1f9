// The Findings list against the dev mock with `?lead` (twelve weeks of findings in 黄河大网格):
// a new filter shows its first page at once and the whole count when the rest arrives.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { app } from "$lib/app.svelte";
import { ipc, type FindingFilter, type FindingSummary } from "$lib/ipc";
import { useLeadCity } from "$lib/testing/leadCity";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { zh } from "$lib/i18n/zh";
import { emptyFilters, toFindingFilter } from "./filters";
import { FIRST_PAGE } from "./loading";
import FindingList from "./FindingList.svelte";

useLeadCity();

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

  it("takes dates as YYYY-MM-DD text that looks empty when empty, and refuses a from after until beside the field (issue 15 item 8)", async () => {
    const spy = vi.spyOn(ipc, "findings");
    render(FindingList, { active: true });
    await screen.findByText(/共 \d+ 条/);
    const from = screen.getByTestId("filter-from") as HTMLInputElement;
    const until = screen.getByTestId("filter-until") as HTMLInputElement;
    expect(from.type, "the app's own field, not the system locale's date picker").toBe("text");
    expect(from.value, "an empty filter holds no date").toBe("");
    expect(from.placeholder, "and reads as no filter").toBe(zh["filter.any"]);

    await fireEvent.input(from, { target: { value: "12/01/2026" } });
    expect((await screen.findByTestId("filter-from-error")).textContent).toBe(zh["form.badDay"]);

    // The list waits 120 ms after a change before it asks; a fake clock runs that wait out.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    await fireEvent.input(from, { target: { value: "2026-12-05" } });
    await fireEvent.input(until, { target: { value: "2026/12/1" } });
    expect(screen.queryByTestId("filter-from-error"), "2026-12-05 is a day").toBeNull();
    expect((await screen.findByTestId("filter-until-error")).textContent, "a range the wrong way round is said, not run")
      .toBe(zh["filter.rangeReversed"]);
    await vi.advanceTimersByTimeAsync(1000);
    vi.useRealTimers();
    const asked = spy.mock.calls.map((c) => c[0]);
    expect(asked.some((f) => f.observed_from && f.observed_until && f.observed_from >= f.observed_until),
      "no query with from after until is sent").toBe(false);

    await fireEvent.input(until, { target: { value: "2026-12-31" } });
    expect(screen.queryByTestId("filter-until-error")).toBeNull();
    await waitFor(() => expect(spy.mock.calls.some((c) => c[0].observed_until === "2026-12-31T16:00:00.000Z"),
      "the corrected range is asked for, until the end of the Beijing day").toBe(true));
  });
});
