// The map's grid drawing, shared by the grid map and the lead's dashboard.
import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import type { Grid } from "$lib/ipc";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { projectGrids } from "./projection";
import GridShapes from "./GridShapes.svelte";

const square = (lon: number, lat: number, d: number) => ({
  type: "Polygon",
  coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]],
});
const grid = (code: string, name: string, level: "large" | "small", boundary: unknown, parent: string | null = null): Grid =>
  ({ code, name, level, parent, owners: [], boundary }) as Grid;

const map = projectGrids([
  grid("L", "黄河大网格", "large", square(117.925, 37.39, 0.02)),
  grid("S1", "黄河第01网格", "small", square(117.925, 37.40, 0.005), "L"),
  grid("S2", "黄河第02网格", "small", square(117.935, 37.39, 0.005), "L"),
])!;
const small = map.grids.filter((g) => g.level === "small");
const large = map.grids.filter((g) => g.level === "large");
const counts = new Map([["S1", { open: 4, overdue: 1 }]]);

describe("the grids drawn on a map", () => {
  it("colours each small grid by its open findings, outlines the overdue and names it on hover", () => {
    setCurrentLang("zh");
    render(GridShapes, { grids: small, outlines: large, counts, testid: "cells", selected: "S2" });
    const [s1, s2] = screen.getAllByTestId("cells");
    expect(s1.namespaceURI, "drawn as SVG").toBe("http://www.w3.org/2000/svg");
    expect([s1.getAttribute("data-code"), s2.getAttribute("data-code")]).toEqual(["S1", "S2"]);
    expect(s1.getAttribute("class"), "3–5 open, some overdue").toMatch(/\bb2\b.*\blate\b|\blate\b.*\bb2\b/);
    expect(s2.getAttribute("class"), "nothing open; the selected one").toMatch(/\bb0\b/);
    expect(s2.classList.contains("selected")).toBe(true);
    expect(s1.querySelector("title")?.textContent).toBe("黄河第01网格（S1）：4 个待办，1 个超期");
    expect(s1.getAttribute("role"), "no button without something to do").toBeNull();
    expect(document.querySelectorAll("path.large").length, "the large grid's outline").toBe(1);
  });

  it("picks a grid by click, Enter or Space when asked to", async () => {
    const onpick = vi.fn();
    render(GridShapes, { grids: small, counts, testid: "cells", onpick });
    const [s1, s2] = screen.getAllByTestId("cells");
    expect([s1.getAttribute("role"), s1.getAttribute("tabindex")]).toEqual(["button", "0"]);
    expect(s1.getAttribute("aria-label")).toContain("黄河第01网格");
    await fireEvent.click(s1);
    await fireEvent.keyDown(s2, { key: "Enter" });
    await fireEvent.keyDown(s2, { key: " " });
    await fireEvent.keyDown(s2, { key: "a" });
    expect(onpick.mock.calls).toEqual([["S1"], ["S2"], ["S2"]]);
  });
});
