// The grid map as a person uses it, against the dev mock: the whole city drawn, a grid coloured by
// its open findings, and a click listing them.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { app } from "$lib/app.svelte";
import { ipc } from "$lib/ipc";
import { installMock } from "$lib/ipc/mock";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import GridMap from "./GridMap.svelte";
import { MAP_COLOURS } from "./projection";

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
    grid: "37160200100101", category: "10101", description: "井盖破损", address: "", point: null, urgency: "normal",
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

describe("the grid map by keyboard and at a glance (issue 15 item 10)", () => {
  it("makes every small grid a tab stop, and Enter on one lists its findings as the help line says", async () => {
    render(GridMap, { active: true });
    const cells = await screen.findAllByTestId("map-grid");
    expect(cells.every((c) => c.getAttribute("tabindex") === "0"), "each small grid, however small, is reached with Tab").toBe(true);
    const cell = cells.find((c) => c.getAttribute("data-code") === "37160200100101")!;
    cell.focus();
    await fireEvent.keyDown(cell, { key: "Enter" });
    expect((await screen.findByTestId("map-finding")).textContent, "Enter opens the focused grid").toContain("井盖破损");
    const overlay = await screen.findByTestId("map-grid-selected");
    const shapes = overlay.closest("g")!;
    expect(shapes.lastElementChild, "the selected grid is drawn last, over its neighbours").toBe(overlay);
  });

  it("marks the officer's own grids", async () => {
    await ipc.setProfile("李明", "officer", ["37160200100102"]);
    render(GridMap, { active: true });
    await waitFor(() => {
      const mine = document.querySelectorAll("path.mine");
      expect([...mine].map((p) => p.getAttribute("data-code")), "my grid is marked").toEqual(["37160200100102"]);
    });
  });

  it("draws the overdue outline in a colour far from every fill", () => {
    const rgb = (hex: string) => {
      const v = parseInt(hex.slice(1), 16);
      return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
    };
    const late = rgb(MAP_COLOURS.late);
    for (const [i, fill] of MAP_COLOURS.open.entries()) {
      const c = rgb(fill);
      const distance = Math.hypot(late[0] - c[0], late[1] - c[1], late[2] - c[2]);
      expect(distance, `the overdue outline must stand apart from fill ${i} (${fill})`).toBeGreaterThan(150);
    }
  });
});
