// The Findings list's honesty (issue 15 items 11 and 13), against the dev mock with `?lead`: no
// "0 findings" before the first answer, a deadline column to go with sorting by deadline, and
// "show findings" beside a grid's open count showing its open findings only.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/svelte";
import { app } from "$lib/app.svelte";
import { ipc, type FindingFilter, type FindingSummary } from "$lib/ipc";
import { useLeadCity } from "$lib/testing/leadCity";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { zh } from "$lib/i18n/zh";
import FindingList from "./FindingList.svelte";

useLeadCity();

describe("the findings list tells the truth", () => {
  it("says it is loading, not 共 0 条, before the first answer", async () => {
    const real = ipc.findings;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const asked = vi.spyOn(ipc, "findings").mockImplementation(async (f: FindingFilter): Promise<FindingSummary[]> => {
      await held;
      return real(f);
    });
    render(FindingList, { active: true });
    const count = await screen.findByTestId("finding-count");
    // The query is under way and nothing has come back.
    await waitFor(() => expect(asked).toHaveBeenCalled());
    expect(count.textContent, "no count before the rows").toBe(zh["common.loading"]);
    expect(screen.queryByText(zh["findings.empty"]), "nor 'no finding matches'").toBeNull();
    release();
    await waitFor(() => expect(count.textContent).toMatch(/^(共|已显示前) \d+ 条$/));
  });

  it("has a deadline column, since it can be sorted by deadline", async () => {
    render(FindingList, { active: true });
    expect((await screen.findByTestId("col-due")).textContent).toBe(zh["findings.col.due"]);
    const rows = await screen.findAllByTestId("finding-row");
    expect(rows[0].querySelector("[data-testid=finding-due]"), "each row shows its deadline").toBeTruthy();
  });

  it("shows only a grid's open findings when asked from an open count", async () => {
    const grid = app.smallGrids[0].code;
    app.showGridFindings(grid, true);
    render(FindingList, { active: true });
    await waitFor(() => expect((screen.getByTestId("filter-status") as HTMLSelectElement).value, "open only").toBe("open"));
    expect((screen.getByTestId("filter-grid") as HTMLSelectElement).value).toBe(grid);
  });
});
