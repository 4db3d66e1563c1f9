import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import type { FindingDetail } from "$lib/ipc";

const detail: FindingDetail = {
  finding: {
    id: "0193abcd", grid: "37160200100101", patrol: null, category: "0101", description: "井盖缺失",
    address: "黄河路 12 号", point: { lat: 37.408, lon: 117.928 }, severity: "high", responsible_unit: "市政所",
    status: "rectifying", author: "李明", observed_at: "2026-11-26T06:05:00Z", recorded_at: "2026-11-26T06:06:00Z",
    updated_at: "2026-11-26T06:06:00Z", due_at: "2026-11-27T06:06:00Z", photos: [],
  },
  category: { code: "0101", name_zh: "上水井盖", name_en: "Water supply manhole cover", deadline: { hours: 24 } },
  grid_name: "黄河第01网格",
  overdue: false,
  moves: ["rectified"],
  can_edit: false,
  history: [
    { id: "e1", entity: "finding", entity_id: "0193abcd", actor: "李明", kind: "finding.reported", payload: null, device_time: "2026-11-26T06:06:00Z", sync: "pending", hub_seq: null },
    { id: "e2", entity: "finding", entity_id: "0193abcd", actor: "王建国", kind: "finding.moved", payload: { from: "accepted", to: "rectifying", note: "派市政所" }, device_time: "2026-11-26T07:00:00Z", sync: "pending", hub_seq: null },
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
});
