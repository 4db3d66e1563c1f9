import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import type { FindingDetail } from "$lib/ipc";

const WATER = { code: "WATER", name_zh: "供水公司", name_en: "Water supply company", categories: ["0101"] };
const ROADS = { code: "ROADS", name_zh: "市政工程管理处", name_en: "Municipal roads office", categories: ["0201"] };
let detail: FindingDetail;
const base: FindingDetail = {
  finding: {
    id: "0193abcd", grid: "37160200100101", patrol: null, category: "10101", description: "井盖缺失",
    address: "黄河路 12 号", point: { lat: 37.408, lon: 117.928 }, urgency: "urgent", responsible_unit: "市政所",
    status: "rectifying", author: "李明", observed_at: "2026-11-26T06:05:00Z", recorded_at: "2026-11-26T06:06:00Z",
    updated_at: "2026-11-26T06:06:00Z", due_at: "2026-11-27T06:06:00Z", photos: [], unit: "WATER",
    dispatched_at: "2026-11-26T06:06:00Z", deferrals: 0, on_the_spot: false,
  },
  category: { code: "10101", minor: "01", source: "test", name_zh: "上水井盖", name_en: "Water supply manhole cover", deadline: { normal: { hours: 24 }, source: "test" } },
  grid_name: "黄河第01网格",
  overdue: false,
  moves: ["rectified"],
  steps: [],
  unit: WATER,
  units: [],
  default_unit: null,
  returned: false,
  can_edit: false,
  history: [
    { id: "e1", entity: "finding", entity_id: "0193abcd", actor: "李明", kind: "finding.reported", payload: null, device_time: "2026-11-26T06:06:00Z", sync: "pending", hub_seq: null },
    { id: "e2", entity: "finding", entity_id: "0193abcd", actor: "王建国", kind: "finding.moved", payload: { from: "accepted", to: "rectifying", note: "派市政所" }, device_time: "2026-11-26T07:00:00Z", sync: "pending", hub_seq: null },
    { id: "e3", entity: "finding", entity_id: "0193abcd", actor: "李明", kind: "finding.edited", payload: { description: "井盖丢失" }, device_time: "2026-11-26T07:10:00Z", sync: "acked", hub_seq: 7 },
    { id: "e4", entity: "finding", entity_id: "0193abcd", actor: "王建国", kind: "finding.edited", payload: { description: "井盖缺失", address: "", severity: "high", responsible_unit: "城管中队" }, device_time: "2026-11-26T07:05:00Z", sync: "acked", hub_seq: 8 },
  ],
};
detail = base;
const moveFinding = vi.fn();
const requestDeferral = vi.fn();
const decideDeferral = vi.fn();

vi.mock("$lib/ipc", async (importOriginal) => {
  const real = await importOriginal<typeof import("$lib/ipc")>();
  return {
    ...real,
    ipc: {
      finding: vi.fn(async () => detail),
      moveFinding: (i: unknown) => moveFinding(i),
      requestDeferral: (i: unknown) => requestDeferral(i),
      decideDeferral: (i: unknown) => decideDeferral(i),
      gridStats: vi.fn(async () => []),
    },
  };
});

import { setCurrentLang } from "$lib/i18n/index.svelte";
import FindingDetailView from "./FindingDetail.svelte";

describe("finding detail", () => {
  it("shows the fields and the history in Beijing time", async () => {
    setCurrentLang("zh");
    render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    expect((await screen.findByTestId("detail-description")).textContent).toBe("井盖缺失");
    expect(screen.getByTestId("detail-status").textContent).toBe("整改中");
    const history = screen.getByTestId("detail-history").textContent!;
    expect(history, "a move shows from → to in words").toContain("已受理 → 整改中");
    expect(history, "with its note and actor").toContain("派市政所");
    expect(history).toContain("王建国");
    expect(history, "times in Beijing").toContain("2026年11月26日 15:00");
  });

  it("shows core's after-photo refusal of a move to rectified beside the photos", async () => {
    // The rule is core's (lifecycle::check_after_photos): the screen sends the move and shows the refusal.
    moveFinding.mockRejectedValueOnce({ code: "after_photo_required", message: "需要整改后照片", field: "after_photos" });
    render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    await fireEvent.click(await screen.findByTestId("move-rectified"));
    await fireEvent.click(screen.getByTestId("move-confirm"));
    expect((await screen.findByTestId("error-photos")).textContent, "shown beside the after photos").toContain("整改后照片");
    expect(moveFinding, "the move went to core, which refused it").toHaveBeenCalledTimes(1);
  });

  it("dispatches to the category's default unit, or the one the lead picks", async () => {
    setCurrentLang("zh");
    moveFinding.mockReset();
    moveFinding.mockResolvedValue(base.finding);
    detail = { ...base, finding: { ...base.finding, status: "accepted", unit: null, dispatched_at: null, due_at: null },
      unit: null, moves: ["rectifying"], units: [WATER, ROADS], default_unit: "WATER" };
    render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    await fireEvent.click(await screen.findByTestId("move-rectifying"));
    const select = screen.getByTestId("move-unit") as HTMLSelectElement;
    expect(select.value, "the default unit is chosen").toBe("WATER");
    expect(select.textContent, "and said to be the category's default").toContain("按类别默认");
    await fireEvent.change(select, { target: { value: "ROADS" } });
    await fireEvent.click(screen.getByTestId("move-confirm"));
    expect(moveFinding).toHaveBeenCalledWith(expect.objectContaining({ to: "rectifying", unit: "ROADS" }));
    detail = base;
  });

  it("labels a liaison's return and a lead's resumption by where they start", async () => {
    setCurrentLang("zh");
    detail = { ...base, moves: ["rectified", "accepted"] };
    const { unmount } = render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    expect((await screen.findByTestId("move-accepted")).textContent, "rectifying → accepted is 回退").toContain("回退");
    unmount();
    detail = { ...base, finding: { ...base.finding, status: "suspended" }, moves: ["rectifying"] };
    render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    expect((await screen.findByTestId("move-rectifying")).textContent, "suspended → rectifying is 恢复").toContain("恢复");
    detail = base;
  });

  it("lets a lead approve or refuse a pending deferral", async () => {
    setCurrentLang("zh");
    decideDeferral.mockReset();
    decideDeferral.mockResolvedValue(base.finding);
    detail = { ...base, steps: ["decide_deferral"],
      finding: { ...base.finding, deferral: { until: "2026-11-30T06:06:00Z", reason: "管材未到货", by: "周联络", at: "2026-11-26T08:00:00Z" } } };
    render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    expect((await screen.findByTestId("deferral-asked")).textContent).toContain("管材未到货");
    await fireEvent.input(screen.getByTestId("deferral-note"), { target: { value: "同意" } });
    await fireEvent.click(screen.getByTestId("deferral-approve"));
    expect(decideDeferral).toHaveBeenCalledWith({ id: "0193abcd", approved: true, note: "同意" });
    detail = base;
  });

  it("lets a liaison ask for a deferral and shows core's refusal beside the date", async () => {
    setCurrentLang("zh");
    requestDeferral.mockReset();
    requestDeferral.mockRejectedValueOnce({ code: "deferral_too_early", message: "too early", field: "until" });
    detail = { ...base, steps: ["request_deferral"] };
    render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    await fireEvent.input(await screen.findByTestId("deferral-until"), { target: { value: "2026-11-27T10:00" } });
    await fireEvent.input(screen.getByTestId("deferral-reason"), { target: { value: "材料未到" } });
    await fireEvent.click(screen.getByTestId("deferral-send"));
    expect(requestDeferral).toHaveBeenCalledWith({ id: "0193abcd", until: "2026-11-27T02:00:00.000Z", reason: "材料未到" });
    expect((await screen.findByTestId("error-until")).textContent, "the refusal beside the date").toContain("晚于");
    detail = base;
  });

  it("has no edit button when the user may not edit", async () => {
    render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    await screen.findByTestId("detail-description");
    expect(screen.queryByTestId("finding-edit"), "can_edit is false in the fixture").toBeNull();
  });

  it.each([
    ["zh", ["修改了问题描述：「井盖丢失」", "修改了问题描述：「井盖缺失」", "清空了地址", "修改了紧急程度：紧急", "修改了责任单位：「城管中队」"]],
    ["en", ["Edited the description: “井盖丢失”", "Edited the description: “井盖缺失”", "Cleared the address", "Edited the urgency: Urgent", "Edited the responsible unit: “城管中队”"]],
  ] as const)("words edits in the history, one line per field, the earlier value kept, an old event's severity as its urgency (%s)", async (lang, lines) => {
    setCurrentLang(lang);
    render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    await screen.findByTestId("detail-description");
    const items = [...screen.getByTestId("detail-history").querySelectorAll("li")];
    const text = (li: Element) => [...li.querySelectorAll(".line")].map((l) => l.textContent);
    expect(text(items[2]), "the edit that lost (earlier in hub order) stays visible").toEqual([lines[0]]);
    expect(text(items[3]), "one line per changed field").toEqual(lines.slice(1));
    setCurrentLang("zh");
  });
});
