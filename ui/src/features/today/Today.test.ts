// Today as an officer and a lead use it, against the dev mock: ending a patrol asks and summarises,
// and "show findings" beside a grid's open count shows those open findings (issue 15 items 11, 13).
import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { app } from "$lib/app.svelte";
import { ipc } from "$lib/ipc";
import { installMock } from "$lib/ipc/mock";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import Today from "./Today.svelte";

const GRID = "37160200100101";

beforeEach(async () => {
  installMock();
  setCurrentLang("zh");
  await ipc.setProfile("李明", "officer", [GRID, "37160200100102"]);
  await ipc.loadSampleRegistry();
  app.info = await ipc.appInfo();
  await app.loadReference();
});

describe("Today", () => {
  it("asks before ending a patrol and says what it did", async () => {
    await ipc.startPatrol([GRID]);
    await ipc.addFinding({
      grid: GRID, category: "10101", description: "井盖破损", address: "", point: null, urgency: "normal",
      responsible_unit: "", observed_at: new Date().toISOString(), photos: [],
    });
    render(Today, { active: true });
    await fireEvent.click(await screen.findByTestId("patrol-end"));
    const summary = await screen.findByTestId("patrol-end-summary");
    expect(summary.textContent, "the question says how many grids and findings").toMatch(/1 个网格，记录 1 个问题/);
    expect((await ipc.today()).patrol, "nothing is ended before the answer").not.toBeNull();

    await fireEvent.click(screen.getByTestId("patrol-end-yes"));
    await waitFor(async () => expect((await ipc.today()).patrol, "ended after the answer").toBeNull());
    expect((await screen.findByTestId("patrol-last-summary")).textContent, "the summary stays on Today").toContain("记录 1 个问题");
  });

  it("opens only a grid's open findings from beside its open count", async () => {
    render(Today, { active: true });
    await fireEvent.click(await screen.findByTestId(`today-findings-${GRID}`));
    expect(app.screen).toBe("findings");
    expect(app.findingsGrid).toBe(GRID);
    expect(app.findingsOpenOnly, "the list shows what the count counts: open findings").toBe(true);
  });

  it("offers only the grids in the hub's scope for a patrol (issue 15 item 9)", async () => {
    // As after sign-in: the hub's scope holds two grids.
    app.stats = app.stats.map((s) => ({ ...s, in_scope: s.code === GRID || s.code === "37160200100102" }));
    render(Today, { active: true });
    await screen.findByTestId("patrol-start");
    const offered = [...document.querySelectorAll(".chooser input[type=checkbox]")];
    expect(offered.length, "not all 239 grids: only the two in scope").toBe(2);
    expect(app.recordableGrids.map((g) => g.code), "the forms' grid list").toEqual([GRID, "37160200100102"]);
  });

  it("writes English with half-width punctuation", async () => {
    setCurrentLang("en");
    await ipc.startPatrol([GRID]);
    render(Today, { active: true });
    await waitFor(() => expect(document.body.textContent).toContain("Patrol grids: "));
    expect(document.body.textContent, "no full-width colon in English").not.toContain("：");
  });
});
