// The grid map as a person uses it, against the dev mock: the whole city drawn, a grid coloured by
// its open findings, and a click listing them.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { app } from "$lib/app.svelte";
import { ipc } from "$lib/ipc";
import { installMock } from "$lib/ipc/mock";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import GridMap from "./GridMap.svelte";

beforeEach(async () => {
  // jsdom lays nothing out: the map's box gets a size, and the size observer does nothing.
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800);
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600);
  vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
  // jsdom has no PointerEvent; a mouse event with a pointer id stands in.
  vi.stubGlobal("PointerEvent", class extends MouseEvent {
    pointerId: number;
    constructor(type: string, init: PointerEventInit = {}) {
      super(type, init);
      this.pointerId = init.pointerId ?? 1;
    }
  });
  installMock();
  setCurrentLang("zh");
  await ipc.setProfile("李明", "officer", []);
  await ipc.loadSampleRegistry();
  await ipc.addFinding({
    grid: "37160200100101", category: "0101", description: "井盖破损", address: "", point: null, severity: "normal",
    responsible_unit: "", observed_at: new Date().toISOString(), photos: [],
  });
  app.info = await ipc.appInfo();
  await app.loadReference();
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("the grid map", () => {
  it("draws every small grid, colours the one with an open finding, and lists its findings on a click", async () => {
    render(GridMap, { active: true });
    const cells = await screen.findAllByTestId("map-grid");
    expect(cells.length, "the sample city's small grids").toBe(app.smallGrids.length);
    const cell = cells.find((c) => c.getAttribute("data-code") === "37160200100101")!;
    expect(cell.getAttribute("class"), "one open finding: coloured").toMatch(/\bb1\b/);
    expect(cells.find((c) => c.getAttribute("data-code") === "37160200100102")!.getAttribute("class")).toMatch(/\bb0\b/);
    expect(document.querySelectorAll("path.large").length, "the large grids outlined").toBe(11);

    await fireEvent.pointerDown(cell, { button: 0, clientX: 10, clientY: 10, pointerId: 1 });
    await fireEvent.pointerUp(cell, { button: 0, clientX: 10, clientY: 10, pointerId: 1 });
    expect((await screen.findByTestId("map-finding")).textContent).toContain("井盖破损");
  });
});
