// A finding's detail view (issue 15 item 13): Esc closes it, and English brackets are half-width.
import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import type { FindingDetail } from "$lib/ipc";

const detail: FindingDetail = {
  finding: {
    id: "0193abcd", grid: "37160200100101", patrol: null, category: "10101", description: "井盖缺失",
    address: "", point: { lat: 37.408, lon: 117.92800000000001 }, urgency: "normal", responsible_unit: "",
    status: "reported", author: "李明", observed_at: "2026-11-26T06:05:00Z", recorded_at: "2026-11-26T06:06:00Z",
    updated_at: "2026-11-26T06:06:00Z", due_at: null, photos: [], deferrals: 0, on_the_spot: false,
  },
  category: { code: "10101", minor: "01", source: "test", name_zh: "上水井盖", name_en: "Water supply manhole cover", deadline: { normal: { hours: 24 }, source: "test" } },
  grid_name: "黄河第01网格", overdue: false, moves: [], steps: [], units: [], returned: false, can_edit: false, history: [],
};

vi.mock("$lib/ipc", async (importOriginal) => {
  const real = await importOriginal<typeof import("$lib/ipc")>();
  return { ...real, ipc: { finding: vi.fn(async () => detail), gridStats: vi.fn(async () => []) } };
});

import { app } from "$lib/app.svelte";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import FindingDetailView from "./FindingDetail.svelte";

describe("a finding's detail view", () => {
  it("closes with Esc while it is shown", async () => {
    setCurrentLang("zh");
    app.screen = "findings";
    const onback = vi.fn();
    render(FindingDetailView, { id: "0193abcd", onback });
    await screen.findByTestId("detail-description");
    await fireEvent.keyDown(document.body, { key: "Escape" });
    expect(onback, "Esc leaves the detail view").toHaveBeenCalledTimes(1);

    app.screen = "map";
    await fireEvent.keyDown(document.body, { key: "Escape" });
    expect(onback, "not while another screen is shown").toHaveBeenCalledTimes(1);
  });

  it("writes the category's kind in half-width brackets in English, and the point to six decimals", async () => {
    setCurrentLang("en");
    app.screen = "findings";
    app.categories = [{ kind: "component", code: "01", name_zh: "公用设施", name_en: "Public utilities", minors: [detail.category] }];
    render(FindingDetailView, { id: "0193abcd", onback: () => {} });
    await screen.findByTestId("detail-description");
    expect((await screen.findByTestId("detail-major")).textContent, "the kind and major class, in brackets").toBe(" (component · Public utilities)");
    const body = document.body.textContent ?? "";
    expect(body, "no full-width brackets in English").not.toMatch(/[（）]/);
    expect(body).toContain("117.928000");
    expect(body).not.toContain("117.92800000000001");
    setCurrentLang("zh");
  });
});
