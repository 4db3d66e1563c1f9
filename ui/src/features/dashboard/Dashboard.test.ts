// The lead's dashboard as a person sees it, against the dev mock with `?lead`: 王建国 and twelve
// weeks of findings in his large grid (黄河大网格).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { app } from "$lib/app.svelte";
import { ipc } from "$lib/ipc";
import { useLeadCity } from "$lib/testing/leadCity";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { formatWeekShort } from "$lib/i18n/format";
import { isoWeekOf, shiftWeek } from "$lib/ipc/mockCalendar";
import Dashboard from "./Dashboard.svelte";
import FindingList from "../findings/FindingList.svelte";

useLeadCity();

beforeEach(() => {
  app.screen = "dashboard";
});

const thisWeek = () => isoWeekOf(new Date());

describe("the lead's dashboard", () => {
  it("shows the lead's own large grid: the chart, the measures, the map and the overdue list", async () => {
    const expected = await ipc.dashboard(null, 12);
    render(Dashboard, { active: true });

    const chart = await screen.findByTestId("dashboard-chart");
    const select = screen.getByTestId("dashboard-grid") as HTMLSelectElement;
    expect(select.value, "his own large grid by default").toBe("371602001");
    expect(select.options.length, "every large grid to choose from").toBe(11);

    // The chart: twelve bars, oldest first, short week labels, a title and description, and a table of the same numbers.
    expect(chart.querySelector("title")?.textContent).toBe("黄河大网格近 12 周每周发现问题数，按大类");
    expect(chart.querySelector("desc")?.textContent).toContain(`共 ${expected.weeks.reduce((n, w) => n + w.findings_recorded, 0)} 个问题`);
    const bars = [...chart.querySelectorAll("g.bar")];
    expect(bars.map((b) => b.getAttribute("data-week"))).toEqual(expected.weeks.map((w) => w.week));
    expect(bars.map((b) => Number(b.getAttribute("data-total"))), "each bar is the week's findings").toEqual(expected.weeks.map((w) => w.findings_recorded));
    expect([...chart.querySelectorAll(".xtick")].at(-1)?.textContent).toBe(formatWeekShort(thisWeek(), "zh"));
    const seg = chart.querySelector("rect.seg")!;
    expect(seg.querySelector("title")?.textContent, "a part names its class and count on hover").toMatch(/^\d{4}年第\d+周（.+）：.+ \d+ 个（该周共 \d+ 个）$/);
    const table = screen.getByTestId("dashboard-chart-table");
    const rows = [...table.querySelectorAll("tbody tr")];
    expect(rows.length).toBe(12);
    expect(rows.map((r) => Number(r.lastElementChild!.textContent)), "the table's totals").toEqual(expected.weeks.map((w) => w.findings_recorded));
    const legend = screen.getByTestId("dashboard-legend");
    expect(legend.querySelectorAll("li").length, "a legend entry per class shown").toBe(table.querySelectorAll("thead th").length - 2);
    expect(legend.textContent, "names, not codes").toMatch(/公用设施|道路交通|市容环境|园林绿化/);

    // The measures, with rates as percentages or a dash, and a sparkline for each rate.
    const measures = screen.getByTestId("dashboard-measures");
    const mrows = [...measures.querySelectorAll("tbody tr")];
    expect(mrows.length).toBe(12);
    const heads = [...measures.querySelectorAll("thead th")].map((th) => th.textContent);
    expect(heads, "the standard's names, the headline 按期结案率 first among the rates").toEqual(
      ["周次", "发现问题", "应结案数", "结案数", "超期", "按期结案率", "结案率", "按期处置率", "返工率", "延期率", "自处置率"],
    );
    const last = within(screen.getByTestId(`dashboard-week-${thisWeek()}`));
    expect(last.getByText("（本周）")).toBeTruthy();
    for (const [i, w] of expected.weeks.entries()) {
      const cells = [...mrows[i].querySelectorAll("td")].map((td) => td.textContent);
      const pct = (r: number | null) => (r == null ? "—" : `${Math.round(r * 1000) / 10}%`);
      expect(cells.slice(0, 3).map(Number), `${w.week}'s counts`).toEqual([w.findings_recorded, w.due, w.closed]);
      expect(cells.slice(4), `${w.week}'s rates`).toEqual(
        [w.on_time_closure_rate, w.closure_rate, w.on_time_rate, w.rework_rate, w.deferral_rate, w.on_the_spot_rate].map(pct),
      );
    }
    const due = expected.weeks.find((w) => w.due > 0)!;
    expect(due, "a week with cases due, to read a rate's count from").toBeTruthy();
    const headline = screen.getByTestId(`dashboard-week-${due.week}`).querySelectorAll("td")[4];
    expect(headline.getAttribute("title"), "a rate names its count and its denominator, 应结案数").toContain(`${due.closed_on_time}/${due.due}`);
    expect(screen.getByTestId("dashboard-spark-on_time_closure_rate").querySelector("path")?.getAttribute("d")).toMatch(/^M/);
    expect(screen.getByTestId("dashboard-spark-closure_rate").querySelector("path")?.getAttribute("d")).toMatch(/^M/);

    // The map: this large grid's small grids only, coloured, the overdue ones counted.
    const map = screen.getByTestId("dashboard-map");
    const cells = within(map).getAllByTestId("dashboard-map-grid");
    expect(cells.length).toBe(22);
    expect(cells.every((c) => c.getAttribute("data-code")!.startsWith("371602001"))).toBe(true);
    const busiest = expected.grids.reduce((a, b) => (b.open > a.open ? b : a));
    const cell = cells.find((c) => c.getAttribute("data-code") === busiest.code)!;
    expect(cell.getAttribute("class"), "coloured by open findings").not.toMatch(/\bb0\b/);
    expect(cell.querySelector("title")?.textContent, "the grid's name on hover").toContain(busiest.name);
    expect(within(map).queryAllByTestId("dashboard-map-overdue").length).toBe(expected.grids.filter((g) => g.overdue > 0).length);

    // The overdue list, the longest overdue first, with names and how late.
    const items = within(screen.getByTestId("dashboard-overdue")).getAllByTestId("dashboard-overdue-item");
    expect(items.map((i) => i.getAttribute("data-id"))).toEqual(expected.overdue.map((f) => f.id));
    const first = expected.overdue[0];
    const minor = app.minorByCode.get(first.category)!.minor;
    expect(items[0].textContent).toContain(minor.name_zh);
    expect(items[0].textContent).toContain(expected.grids.find((g) => g.code === first.grid)!.name);
    expect(items[0].textContent).toContain(first.description);
    expect(items[0].textContent).toMatch(/超期 \d+ (天|小时)/);
    expect(items[0].textContent).toMatch(/整改期限 \d{4}年\d+月\d+日 \d\d:\d\d/);
    expect(screen.queryByTestId("dashboard-overdue-more"), "all are listed").toBeNull();

    await fireEvent.click(items[0]);
    expect([app.screen, app.detailId], "a row opens the finding").toEqual(["findings", first.id]);
  });

  it("opens the findings of a grid clicked on the map", async () => {
    render(Dashboard, { active: true });
    const cells = await screen.findAllByTestId("dashboard-map-grid");
    await fireEvent.click(cells[3]);
    expect([app.screen, app.findingsGrid]).toEqual(["findings", cells[3].getAttribute("data-code")]);
    await fireEvent.keyDown(cells[5], { key: "Enter" });
    expect(app.findingsGrid, "or reached with the keyboard").toBe(cells[5].getAttribute("data-code"));
  });

  it("lists every overdue finding of the large grid in the Findings screen", async () => {
    const expected = await ipc.dashboard(null, 12);
    expect(expected.overdue_total, "the sample has overdue findings").toBeGreaterThan(0);
    render(Dashboard, { active: true });
    await fireEvent.click(await screen.findByTestId("dashboard-overdue-all"));
    expect([app.screen, app.findingsOverdue]).toEqual(["findings", expected.large_grid.code]);

    vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
    render(FindingList, { active: true });
    await waitFor(() => expect(screen.getByTestId("finding-count").textContent).toContain(String(expected.overdue_total)));
    expect((screen.getByTestId("filter-large-grid") as HTMLSelectElement).value).toBe(expected.large_grid.code);
    expect((screen.getByTestId("filter-status") as HTMLSelectElement).value).toBe("overdue");
    expect((screen.getByTestId("filter-sort") as HTMLSelectElement).value, "the longest overdue first").toBe("due_asc");
    expect(app.findingsOverdue, "the request is taken once").toBeNull();
    const grids = [...(screen.getByTestId("filter-grid") as HTMLSelectElement).options].map((o) => o.value).filter(Boolean);
    expect(grids.length, "the grid choice narrows to the large grid's small grids").toBe(expected.grids.length);
  });

  it("shows another large grid when chosen", async () => {
    render(Dashboard, { active: true });
    const select = (await screen.findByTestId("dashboard-grid")) as HTMLSelectElement;
    await waitFor(() => expect(select.value).toBe("371602001"));
    await fireEvent.change(select, { target: { value: "371602002" } });
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 }).textContent).toContain("渤海大网格"));
    const cells = screen.getAllByTestId("dashboard-map-grid");
    expect(cells.every((c) => c.getAttribute("data-code")!.startsWith("371602002"))).toBe(true);
    expect(screen.getByTestId("dashboard-chart").querySelector("title")?.textContent).toContain("渤海大网格");
  });

  it("reloads when the store changes", async () => {
    render(Dashboard, { active: true });
    const chart = await screen.findByTestId("dashboard-chart");
    const bar = () => chart.querySelector(`g.bar[data-week="${thisWeek()}"]`)!;
    const before = Number(bar().getAttribute("data-total"));
    await ipc.addFinding({
      grid: "37160200100105", category: "10301", description: "暴露垃圾", address: "", point: null, urgency: "normal",
      responsible_unit: "", observed_at: new Date().toISOString(), photos: [],
    });
    app.changed();
    await waitFor(() => expect(Number(bar().getAttribute("data-total")), "the new finding counts this week").toBe(before + 1));
  });

  it("says how many are overdue in all when only the longest are listed", async () => {
    const real = ipc.dashboard;
    vi.spyOn(ipc, "dashboard").mockImplementation(async (grid, weeks) => ({ ...(await real(grid, weeks)), overdue_total: 250 }));
    render(Dashboard, { active: true });
    const more = await screen.findByTestId("dashboard-overdue-more");
    expect(more.textContent).toMatch(/^列出超期最久的 \d+ 条，共 250 条。$/);
  });

  it("speaks English", async () => {
    setCurrentLang("en");
    render(Dashboard, { active: true });
    const chart = await screen.findByTestId("dashboard-chart");
    expect([...chart.querySelectorAll(".xtick")].map((x) => x.textContent)).toEqual(
      [...Array(12)].map((_, i) => `W${shiftWeek(thisWeek(), i - 11).slice(-2)}`),
    );
    const item = within(screen.getByTestId("dashboard-overdue")).getAllByTestId("dashboard-overdue-item")[0];
    expect(item.textContent).toMatch(/\d+ (d|h) overdue/);
    expect(item.textContent).toMatch(/Due \d{4}-\d\d-\d\d \d\d:\d\d/);
    expect([...screen.getByTestId("dashboard-measures").querySelectorAll("thead th")].map((th) => th.textContent).slice(2))
      .toEqual([
        "Cases due", "Cases closed", "Overdue",
        "On-time closure rate", "Closure rate", "On-time handling rate", "Rework rate", "Deferral rate", "On-the-spot rate",
      ]);
    setCurrentLang("zh");
  });
});
