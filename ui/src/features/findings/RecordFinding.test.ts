import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { Finding, FindingInput } from "$lib/ipc";

const addFinding = vi.fn<(input: FindingInput) => Promise<Finding>>();

vi.mock("$lib/ipc", async (importOriginal) => {
  const real = await importOriginal<typeof import("$lib/ipc")>();
  return {
    ...real,
    ipc: {
      activePatrol: vi.fn(async () => null),
      addFinding: (input: FindingInput) => addFinding(input),
      gridAt: vi.fn(async () => "37160200100101"),
      gridStats: vi.fn(async () => []),
      stagePhoto: vi.fn(),
      unstagePhoto: vi.fn(async () => undefined),
    },
  };
});

import { IpcError } from "$lib/ipc";
import { app } from "$lib/app.svelte";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { zh } from "$lib/i18n/zh";
import RecordFinding from "./RecordFinding.svelte";
import { DRAFT_KEY } from "./draft";

beforeEach(() => {
  setCurrentLang("zh");
  app.grids = [
    { code: "371602001", name: "黄河大网格", level: "large", parent: null, owners: [], boundary: null },
    { code: "37160200100101", name: "黄河第01网格", level: "small", parent: "371602001", owners: ["李明"], boundary: null },
  ];
  app.categories = [
    { kind: "component", code: "01", name_zh: "公用设施", name_en: "Public utilities", minors: [
      { code: "0101", name_zh: "上水井盖", name_en: "Water supply manhole cover", deadline: { hours: 24 } },
      { code: "0102", name_zh: "污水井盖", name_en: "Sewage manhole cover", deadline: null },
    ] },
  ];
  addFinding.mockReset();
});

afterEach(() => {
  vi.clearAllMocks();
});

async function fill() {
  await fireEvent.change(screen.getByTestId("finding-grid"), { target: { value: "37160200100101" } });
  const category = screen.getByTestId("finding-category") as HTMLInputElement;
  await fireEvent.focus(category);
  await fireEvent.input(category, { target: { value: "污水" } });
  await fireEvent.keyDown(category, { key: "Enter" });
  await fireEvent.input(screen.getByTestId("finding-description"), { target: { value: "井盖缺失，行人易踩空" } });
  await fireEvent.input(screen.getByTestId("finding-address"), { target: { value: "黄河路 12 号" } });
}

describe("Record a finding", () => {
  it("shows a refused field's reason beside that field and keeps what was typed", async () => {
    addFinding.mockRejectedValueOnce(
      new IpcError({ code: "text_too_long", message: "问题描述过长：600 个字，最多 500 个字。", field: "description" }),
    );
    render(RecordFinding);
    await fill();
    await fireEvent.click(screen.getByTestId("finding-save"));

    const err = await screen.findByTestId("error-description");
    expect(err.textContent, "the reason is the translated sentence").toContain(zh["errors.text_too_long"]);
    expect(err.textContent, "with the Rust side's detail").toContain("最多 500 个字");
    const description = screen.getByTestId("finding-description") as HTMLTextAreaElement;
    expect(description.value, "nothing typed is lost").toBe("井盖缺失，行人易踩空");
    expect((screen.getByTestId("finding-address") as HTMLInputElement).value).toBe("黄河路 12 号");
    expect(description.closest("[data-field]")?.contains(err), "the error sits beside its field").toBe(true);
    expect(JSON.parse(localStorage.getItem(DRAFT_KEY)!).description, "the draft still holds the text").toBe("井盖缺失，行人易踩空");
  });

  it("picks the first category match with Enter, saves with Ctrl+Enter and resets", async () => {
    addFinding.mockResolvedValueOnce({ id: "0193-x" } as Finding);
    render(RecordFinding);
    await fill();
    await fireEvent.keyDown(screen.getByTestId("finding-description"), { key: "Enter", ctrlKey: true });

    await waitFor(() => expect(addFinding, "Ctrl+Enter saves").toHaveBeenCalledTimes(1));
    const input = addFinding.mock.calls[0][0];
    expect(input.category, "Enter picked the first match of 污水").toBe("0102");
    expect(input.grid).toBe("37160200100101");
    expect(input.description).toBe("井盖缺失，行人易踩空");
    expect(input.point).toBeNull();
    expect(input.observed_at, "an untouched time means now, decided by the Rust side").toBeNull();
    await screen.findByTestId("finding-saved");
    expect((screen.getByTestId("finding-description") as HTMLTextAreaElement).value, "the form starts afresh").toBe("");
    expect(localStorage.getItem(DRAFT_KEY), "the draft is gone after saving").toBeNull();
    expect(JSON.parse(localStorage.getItem("gridpatrol.recentCategories")!)).toEqual(["0102"]);
  });

  it("accepts a 4-digit code typed into the category box", async () => {
    render(RecordFinding);
    const category = screen.getByTestId("finding-category") as HTMLInputElement;
    await fireEvent.focus(category);
    await fireEvent.input(category, { target: { value: "0101" } });
    await fireEvent.keyDown(category, { key: "Enter" });
    expect(category.value).toBe("0101 上水井盖");
  });

  it("refuses an observed time in the future before asking the Rust side", async () => {
    render(RecordFinding);
    await fill();
    await fireEvent.input(screen.getByTestId("finding-observed"), { target: { value: "2999-01-01T08:00" } });
    await fireEvent.click(screen.getByTestId("finding-save"));
    const err = await screen.findByTestId("error-observed_at");
    expect(err.textContent).toContain(zh["record.futureTime"]);
    expect(addFinding, "nothing is sent").not.toHaveBeenCalled();
  });

  it("restores a draft left by an accidental close", async () => {
    localStorage.setItem(DRAFT_KEY, JSON.stringify({ description: "写了一半", category: "0101" }));
    render(RecordFinding);
    expect((screen.getByTestId("finding-description") as HTMLTextAreaElement).value).toBe("写了一半");
    expect(screen.getByText(zh["record.draftRestored"], { exact: false })).toBeTruthy();
  });
});
