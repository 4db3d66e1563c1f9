import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import type { FindingDetail } from "$lib/ipc";

const detail: FindingDetail = {
  finding: {
    id: "0193abcd", grid: "37160200100101", patrol: null, category: "10101", description: "井盖缺失",
    address: "黄河路 12 号", point: { lat: 37.408, lon: 117.928 }, urgency: "urgent", responsible_unit: "市政所",
    status: "rectifying", author: "李明", observed_at: "2026-11-26T06:05:00Z", recorded_at: "2026-11-26T06:06:00Z",
    updated_at: "2026-11-26T06:06:00Z", due_at: "2026-11-27T06:06:00Z", photos: [],
  },
  category: { code: "10101", minor: "01", source: "test", name_zh: "上水井盖", name_en: "Water supply manhole cover", deadline: { normal: { hours: 24 }, source: "test" } },
  grid_name: "黄河第01网格",
  overdue: false,
  moves: ["rectified"],
  can_edit: false,
  history: [
    { id: "e1", entity: "finding", entity_id: "0193abcd", actor: "李明", kind: "finding.reported", payload: null, device_time: "2026-11-26T06:06:00Z", sync: "pending", hub_seq: null },
    { id: "e2", entity: "finding", entity_id: "0193abcd", actor: "王建国", kind: "finding.moved", payload: { from: "accepted", to: "rectifying", note: "派市政所" }, device_time: "2026-11-26T07:00:00Z", sync: "pending", hub_seq: null },
    { id: "e3", entity: "finding", entity_id: "0193abcd", actor: "李明", kind: "finding.edited", payload: { description: "井盖丢失" }, device_time: "2026-11-26T07:10:00Z", sync: "acked", hub_seq: 7 },
    { id: "e4", entity: "finding", entity_id: "0193abcd", actor: "王建国", kind: "finding.edited", payload: { description: "井盖缺失", address: "", severity: "high", responsible_unit: "城管中队" }, device_time: "2026-11-26T07:05:00Z", sync: "acked", hub_seq: 8 },
  ],
};
const moveFinding = vi.fn();

vi.mock("$lib/ipc", async (importOriginal) => {
  const real = await importOriginal<typeof import("$lib/ipc")>();
  return { ...real, ipc: { finding: vi.fn(async () => detail), moveFinding: (i: unknown) => moveFinding(i), gridStats: vi.fn(async () => []) } };
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

  it("asks for an after photo before a move to rectified", async () => {
    render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    await fireEvent.click(await screen.findByTestId("move-rectified"));
    await fireEvent.click(screen.getByTestId("move-confirm"));
    expect((await screen.findByTestId("error-photos")).textContent).toContain("整改后照片");
    expect(moveFinding, "nothing is sent without the photo").not.toHaveBeenCalled();
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
