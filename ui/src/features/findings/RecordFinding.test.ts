import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { Finding, FindingInput, PhotoPreview } from "$lib/ipc";

const addFinding = vi.fn<(input: FindingInput) => Promise<Finding>>();
const stagePhoto = vi.fn<(name: string, bytes: Uint8Array) => Promise<PhotoPreview>>();
const restagePhoto = vi.fn<(token: string) => Promise<PhotoPreview>>();
const unstagePhoto = vi.fn(async (_token: string) => undefined);
const gridAt = vi.fn(async (_lat: number, _lon: number) => "37160200100101");

vi.mock("$lib/ipc", async (importOriginal) => {
  const real = await importOriginal<typeof import("$lib/ipc")>();
  return {
    ...real,
    ipc: {
      activePatrol: vi.fn(async () => null),
      addFinding: (input: FindingInput) => addFinding(input),
      gridAt: (lat: number, lon: number) => gridAt(lat, lon),
      gridStats: vi.fn(async () => []),
      stagePhoto: (name: string, bytes: Uint8Array) => stagePhoto(name, bytes),
      restagePhoto: (token: string) => restagePhoto(token),
      unstagePhoto: (token: string) => unstagePhoto(token),
    },
  };
});

import { IpcError } from "$lib/ipc";
import { app } from "$lib/app.svelte";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { beijingParts } from "$lib/i18n/format";
import { zh } from "$lib/i18n/zh";
import { toasts } from "$lib/toast.svelte";
import RecordFinding from "./RecordFinding.svelte";
import { DRAFT_KEY } from "./draft";

/** A staged photo as the Rust side previews it; its EXIF time is a day before the test's now. */
function preview(token: string, exif_time: string | null = "2026-11-24T01:15:00Z", exif_point: { lat: number; lon: number } | null = null): PhotoPreview {
  return {
    token, name: `${token}.jpg`, sha256: token.padEnd(64, "0"), width: 32, height: 24, bytes: 1000,
    exif_time, exif_point, thumbnail: `data:image/jpeg;base64,${token}`,
  };
}

async function attach(token: string, exif_time?: string | null, exif_point: { lat: number; lon: number } | null = null, drop = "finding-photos") {
  stagePhoto.mockResolvedValueOnce(preview(token, exif_time, exif_point));
  const input = screen.getByTestId(`${drop}-input`) as HTMLInputElement;
  const file = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], `${token}.jpg`, { type: "image/jpeg" });
  Object.defineProperty(file, "arrayBuffer", { value: async () => new Uint8Array([0xff, 0xd8, 0xff, 0xe0]).buffer });
  await fireEvent.change(input, { target: { files: [file] } });
  await waitFor(() => expect(screen.getByAltText(`${token}.jpg`)).toBeTruthy());
}

beforeEach(() => {
  setCurrentLang("zh");
  app.grids = [
    { code: "371602001", name: "黄河大网格", level: "large", parent: null, owners: [], boundary: null },
    { code: "37160200100101", name: "黄河第01网格", level: "small", parent: "371602001", owners: ["李明"], boundary: null },
    { code: "37160200100102", name: "黄河第02网格", level: "small", parent: "371602001", owners: [], boundary: null },
  ];
  app.stats = [];
  app.recordRequest = null;
  app.categories = [
    { kind: "component", code: "01", name_zh: "公用设施", name_en: "Public utilities", minors: [
      { code: "10101", minor: "01", source: "test", name_zh: "上水井盖", name_en: "Water supply manhole cover", deadline: { normal: { hours: 24 }, source: "test" } },
      { code: "10102", minor: "02", source: "test", name_zh: "污水井盖", name_en: "Sewage manhole cover", deadline: null },
    ] },
  ];
  addFinding.mockReset();
  stagePhoto.mockReset();
  restagePhoto.mockReset();
  gridAt.mockReset();
  gridAt.mockResolvedValue("37160200100101");
  toasts.list.splice(0);
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
    expect(input.category, "Enter picked the first match of 污水").toBe("10102");
    expect(input.grid).toBe("37160200100101");
    expect(input.description).toBe("井盖缺失，行人易踩空");
    expect(input.point).toBeNull();
    expect(input.observed_at, "the time the form showed is always sent").toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await screen.findByTestId("finding-saved");
    expect((screen.getByTestId("finding-description") as HTMLTextAreaElement).value, "the form starts afresh").toBe("");
    expect(localStorage.getItem(DRAFT_KEY), "the draft is gone after saving").toBeNull();
    expect(JSON.parse(localStorage.getItem("gridpatrol.recentCategories")!)).toEqual(["10102"]);
  });

  it("accepts a code typed into the category box", async () => {
    render(RecordFinding);
    const category = screen.getByTestId("finding-category") as HTMLInputElement;
    await fireEvent.focus(category);
    await fireEvent.input(category, { target: { value: "10101" } });
    await fireEvent.keyDown(category, { key: "Enter" });
    expect(category.value).toBe("10101 上水井盖");
  });

  it("refuses an observed time in the future before asking the Rust side", async () => {
    render(RecordFinding);
    await fill();
    await fireEvent.input(screen.getByTestId("finding-observed-day"), { target: { value: "2999-01-01" } });
    await fireEvent.click(screen.getByTestId("finding-save"));
    const err = await screen.findByTestId("error-observed_at");
    expect(err.textContent).toContain(zh["record.futureTime"]);
    expect(addFinding, "nothing is sent").not.toHaveBeenCalled();
  });

  it("restores a draft left by an accidental close", async () => {
    localStorage.setItem(DRAFT_KEY, JSON.stringify({ description: "写了一半", category: "10101" }));
    render(RecordFinding);
    expect((screen.getByTestId("finding-description") as HTMLTextAreaElement).value).toBe("写了一半");
    expect(screen.getByText(zh["record.draftRestored"], { exact: false })).toBeTruthy();
  });

  it("records a case solved on the spot (当场处置) with before and after photos, and shows core's refusal beside the after photos", async () => {
    addFinding.mockRejectedValueOnce(
      new IpcError({ code: "after_photo_required", message: "请添加至少一张整改后照片。", field: "after_photos" }),
    );
    addFinding.mockResolvedValueOnce({ id: "0193-x", observed_at: "2026-11-25T02:00:00Z" } as Finding);
    render(RecordFinding);
    await fill();
    await attach("bb01");
    expect(screen.queryByTestId("finding-after-photos-input"), "after photos only on the spot").toBeNull();
    await fireEvent.click(screen.getByTestId("finding-on-the-spot"));
    await fireEvent.click(screen.getByTestId("finding-save"));
    const err = await screen.findByTestId("error-after_photos");
    expect(err.textContent, "core's after-photo rule, beside the after photos").toContain("整改后照片");
    expect(addFinding.mock.calls[0][0].on_the_spot, "sent as on the spot").toBe(true);
    await attach("cc02", null, null, "finding-after-photos");
    await fireEvent.click(screen.getByTestId("finding-save"));
    await waitFor(() => expect(addFinding).toHaveBeenCalledTimes(2));
    const input = addFinding.mock.calls[1][0];
    expect([input.photos, input.after_photos], "the before and the after photo").toEqual([["bb01"], ["cc02"]]);
  });

  it("keeps an attached photo through a refused save and sends it again with the fixed form (issue 15 item 1)", async () => {
    addFinding.mockRejectedValueOnce(new IpcError({ code: "empty_text", message: "问题描述不能为空。", field: "description" }));
    addFinding.mockResolvedValueOnce({ id: "0193-x", observed_at: "2026-11-25T02:00:00Z" } as Finding);
    render(RecordFinding);
    await fill();
    await attach("aa01");
    await fireEvent.input(screen.getByTestId("finding-description"), { target: { value: "" } });
    await fireEvent.click(screen.getByTestId("finding-save"));
    await screen.findByTestId("error-description");
    expect(screen.getByAltText("aa01.jpg"), "the thumbnail stays after the refusal").toBeTruthy();
    expect(unstagePhoto, "a refusal does not give the photo up").not.toHaveBeenCalled();
    expect(JSON.parse(localStorage.getItem(DRAFT_KEY)!).photos, "the draft names the photo").toEqual([{ token: "aa01", name: "aa01.jpg" }]);

    await fireEvent.input(screen.getByTestId("finding-description"), { target: { value: "井盖缺失" } });
    await fireEvent.click(screen.getByTestId("finding-save"));
    await waitFor(() => expect(addFinding).toHaveBeenCalledTimes(2));
    expect(addFinding.mock.calls[1][0].photos, "the second try sends the same staged photo").toEqual(["aa01"]);
  });

  it("saves the observed time the form shows, never the photo's EXIF time unless 使用照片时间 is pressed (issue 15 item 2)", async () => {
    addFinding.mockResolvedValue({ id: "0193-x", observed_at: "2026-11-25T02:00:00Z" } as Finding);
    render(RecordFinding);
    await fill();
    await attach("bb02", "2026-11-24T01:15:00Z");
    const day = (screen.getByTestId("finding-observed-day") as HTMLInputElement).value;
    const clock = (screen.getByTestId("finding-observed-clock") as HTMLInputElement).value;
    expect(day, "the day is shown as YYYY-MM-DD whatever the system locale").toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(clock, "the time as HH:MM").toMatch(/^\d{2}:\d{2}$/);
    await fireEvent.click(screen.getByTestId("finding-save"));
    await waitFor(() => expect(addFinding).toHaveBeenCalledTimes(1));
    const sent = addFinding.mock.calls[0][0].observed_at;
    expect(sent, "a time is always sent").not.toBeNull();
    expect(sent.startsWith("2026-11-24T01:15"), "the photo's EXIF time is not taken silently").toBe(false);
    const shown = beijingParts(sent);
    expect(`${shown.day} ${shown.clock}`, "what is sent is what the form showed").toBe(`${day} ${clock}`);

    await attach("bb03", "2026-11-24T01:15:00Z");
    await fireEvent.click(screen.getByTestId("use-photo-time"));
    expect((screen.getByTestId("finding-observed-day") as HTMLInputElement).value).toBe("2026-11-24");
    expect((screen.getByTestId("finding-observed-clock") as HTMLInputElement).value, "09:15 in Beijing").toBe("09:15");
    await fireEvent.input(screen.getByTestId("finding-description"), { target: { value: "路灯不亮" } });
    await fireEvent.click(screen.getByTestId("finding-save"));
    await waitFor(() => expect(addFinding).toHaveBeenCalledTimes(2));
    expect(addFinding.mock.calls[1][0].observed_at, "pressing 使用照片时间 sends the photo's time").toBe("2026-11-24T01:15:00.000Z");
  });

  it("keeps an untouched observed time on the clock while the form stays open, and sends that minute (issue 15 item 2)", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    try {
      vi.setSystemTime(new Date("2026-11-25T02:00:20Z"));
      addFinding.mockResolvedValueOnce({ id: "0193-x", observed_at: "2026-11-25T02:03:00Z" } as Finding);
      render(RecordFinding);
      const clock = screen.getByTestId("finding-observed-clock") as HTMLInputElement;
      expect(clock.value, "10:00 in Beijing").toBe("10:00");
      vi.setSystemTime(new Date("2026-11-25T02:03:05Z"));
      await vi.advanceTimersByTimeAsync(15_000);
      expect(clock.value, "the shown time follows the clock").toBe("10:03");
      expect(screen.getByTestId("observed-follows").textContent).toBe(zh["form.nowFollows"]);
      await fill();
      await fireEvent.click(screen.getByTestId("finding-save"));
      expect(addFinding).toHaveBeenCalledTimes(1);
      expect(beijingParts(addFinding.mock.calls[0][0].observed_at).clock, "the minute shown is the minute sent").toBe("10:03");
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses a typed time that is not one beside the field, in the app's language (issue 15 item 8)", async () => {
    render(RecordFinding);
    await fill();
    await fireEvent.input(screen.getByTestId("finding-observed-day"), { target: { value: "12/01/2026" } });
    await fireEvent.click(screen.getByTestId("finding-save"));
    const err = await screen.findByTestId("error-observed_at");
    expect(err.textContent).toContain(zh["form.badDay"]);
    expect(addFinding, "nothing is sent").not.toHaveBeenCalled();
    await fireEvent.input(screen.getByTestId("finding-observed-day"), { target: { value: "2026/11/3" } });
    await fireEvent.input(screen.getByTestId("finding-observed-clock"), { target: { value: "25:00" } });
    await fireEvent.click(screen.getByTestId("finding-save"));
    expect((await screen.findByTestId("error-observed_at")).textContent).toContain(zh["form.badClock"]);
    await fireEvent.input(screen.getByTestId("finding-observed-clock"), { target: { value: "930" } });
    addFinding.mockResolvedValueOnce({ id: "0193-x", observed_at: "2026-11-03T01:30:00Z" } as Finding);
    await fireEvent.click(screen.getByTestId("finding-save"));
    await waitFor(() => expect(addFinding).toHaveBeenCalledTimes(1));
    expect(addFinding.mock.calls[0][0].observed_at, "read leniently, sent as Beijing time").toBe("2026-11-03T01:30:00.000Z");
  });

  it("restores a draft's photos, or says plainly which could not be (issue 15 item 3)", async () => {
    localStorage.setItem(DRAFT_KEY, JSON.stringify({
      description: "写了一半", photos: [{ token: "cc01", name: "a.jpg" }, { token: "cc02", name: "b.jpg" }],
    }));
    restagePhoto.mockImplementation(async (token) => {
      if (token === "cc01") return preview("cc01");
      throw new IpcError({ code: "photo_token", message: "这张照片已不在本机保存，请重新添加。", field: "photos" });
    });
    render(RecordFinding);
    await waitFor(() => expect(screen.getByAltText("cc01.jpg"), "the photo kept by the Rust side is shown again").toBeTruthy());
    expect(restagePhoto.mock.calls.map((c) => c[0])).toEqual(["cc01", "cc02"]);
    expect(screen.getByTestId("draft-restored").textContent).toContain(zh["form.draftRestoredPhotos"].replace("{n}", "1"));
    expect(screen.getByTestId("draft-photos-lost").textContent, "the lost one is told, not dropped silently")
      .toContain(zh["form.photosLost"].replace("{n}", "1"));
    await waitFor(() =>
      expect(JSON.parse(localStorage.getItem(DRAFT_KEY)!).photos, "the draft now names what it holds").toEqual([{ token: "cc01", name: "cc01.jpg" }]));
  });

  it("takes away an old success when the next save is refused or the form is opened again (issue 15 item 4)", async () => {
    addFinding.mockResolvedValueOnce({ id: "0193-x", observed_at: "2026-11-25T02:00:00Z" } as Finding);
    addFinding.mockRejectedValueOnce(new IpcError({ code: "empty_text", message: "问题描述不能为空。", field: "description" }));
    const { rerender } = render(RecordFinding, { active: true });
    await fill();
    await fireEvent.click(screen.getByTestId("finding-save"));
    await screen.findByTestId("finding-saved");
    expect(toasts.list.map((t) => t.text)).toEqual([zh["record.saved"]]);

    await fireEvent.click(screen.getByTestId("finding-save"));
    await screen.findByTestId("error-description");
    expect(screen.queryByTestId("finding-saved"), "no success banner beside the next refusal").toBeNull();
    expect(toasts.list, "nor its toast").toEqual([]);

    addFinding.mockResolvedValueOnce({ id: "0193-y", observed_at: "2026-11-25T02:00:00Z" } as Finding);
    await fill();
    await fireEvent.click(screen.getByTestId("finding-save"));
    await screen.findByTestId("finding-saved");
    await rerender({ active: false });
    await rerender({ active: true });
    expect(screen.queryByTestId("finding-saved"), "reopening the form shows no old banner").toBeNull();
    expect(toasts.list, "and no old toast").toEqual([]);
  });

  it("offers a signed-in officer only the grids in the hub's scope (issue 15 item 9)", async () => {
    const stat = (code: string, in_scope: boolean) => ({ code, name: code, parent: "371602001", open: 0, overdue: 0, in_scope });
    app.stats = [stat("37160200100101", true), stat("37160200100102", false)];
    render(RecordFinding);
    const offered = [...(screen.getByTestId("finding-grid") as HTMLSelectElement).options].map((o) => o.value).filter(Boolean);
    expect(offered, "only the scope's grid; the hub would refuse the other").toEqual(["37160200100101"]);
    app.stats = [stat("37160200100101", true), stat("37160200100102", true)];
    await waitFor(() =>
      expect([...(screen.getByTestId("finding-grid") as HTMLSelectElement).options].map((o) => o.value).filter(Boolean),
        "without a scope limit every small grid is offered").toEqual(["37160200100101", "37160200100102"]));
  });

  it("shows coordinates with six decimals and grid names with the language's brackets (issue 15 item 13)", async () => {
    render(RecordFinding);
    const option = () => [...(screen.getByTestId("finding-grid") as HTMLSelectElement).options].find((o) => o.value === "37160200100101")!;
    expect(option().textContent, "full-width brackets in Chinese").toBe("黄河第01网格（37160200100101）");
    app.recordAt("37160200100101", { lat: 36.4, lon: 117.92800000000001 });
    await waitFor(() => expect((screen.getByTestId("finding-lon") as HTMLInputElement).value, "no float noise").toBe("117.928000"));
    expect((screen.getByTestId("finding-lat") as HTMLInputElement).value).toBe("36.400000");
    setCurrentLang("en");
    await waitFor(() => expect(option().textContent, "half-width brackets in English").toBe("黄河第01网格 (37160200100101)"));
  });

  it("lets a photo taken inside a grid pick that grid when none is chosen and no patrol runs, visibly and changeably (issue 15 item 9)", async () => {
    gridAt.mockResolvedValue("37160200100102");
    render(RecordFinding);
    const grid = screen.getByTestId("finding-grid") as HTMLSelectElement;
    expect(grid.value, "no grid chosen yet").toBe("");
    await attach("dd01", null, { lat: 36.41, lon: 117.93 });
    await waitFor(() => expect(grid.value, "the grid field shows the photo's grid").toBe("37160200100102"));
    expect(gridAt, "asked where the photo was taken").toHaveBeenCalledWith(36.41, 117.93);
    expect(screen.getByTestId("grid-from-photo").textContent, "and says where it came from").toBe(zh["record.gridFromPhoto"]);
    expect(JSON.parse(localStorage.getItem(DRAFT_KEY)!).grid, "the draft holds it").toBe("37160200100102");

    await fireEvent.change(grid, { target: { value: "37160200100101" } });
    expect(screen.queryByTestId("grid-from-photo"), "the person's choice replaces it").toBeNull();
    await attach("dd02", null, { lat: 36.41, lon: 117.93 });
    expect(grid.value, "a later photo does not overrule a chosen grid").toBe("37160200100101");
    addFinding.mockResolvedValueOnce({ id: "0193-z", observed_at: "2026-11-25T02:00:00Z" } as Finding);
    const category = screen.getByTestId("finding-category") as HTMLInputElement;
    await fireEvent.focus(category);
    await fireEvent.input(category, { target: { value: "污水" } });
    await fireEvent.keyDown(category, { key: "Enter" });
    await fireEvent.input(screen.getByTestId("finding-description"), { target: { value: "井盖缺失" } });
    await fireEvent.click(screen.getByTestId("finding-save"));
    await waitFor(() => expect(addFinding).toHaveBeenCalledTimes(1));
    expect(addFinding.mock.calls[0][0].grid, "the grid shown is the grid saved").toBe("37160200100101");
  });

  it("leaves the grid alone when the photo lies outside the offered grids", async () => {
    gridAt.mockResolvedValue("37160200100102");
    app.stats = [
      { code: "37160200100101", name: "", parent: "371602001", open: 0, overdue: 0, in_scope: true },
      { code: "37160200100102", name: "", parent: "371602001", open: 0, overdue: 0, in_scope: false },
    ];
    render(RecordFinding);
    await attach("ee01", null, { lat: 36.41, lon: 117.93 });
    await waitFor(() => expect(gridAt).toHaveBeenCalledTimes(1));
    await Promise.resolve();
    expect((screen.getByTestId("finding-grid") as HTMLSelectElement).value, "an out-of-scope grid is not picked").toBe("");
    expect(screen.queryByTestId("grid-from-photo")).toBeNull();
  });

  it("brings the person to a refused category without its list covering the reason (seen in the window)", async () => {
    addFinding.mockRejectedValueOnce(new IpcError({ code: "unknown_category", message: "请选择问题类别。", field: "category" }));
    render(RecordFinding);
    await fireEvent.input(screen.getByTestId("finding-description"), { target: { value: "井盖缺失" } });
    await fireEvent.click(screen.getByTestId("finding-save"));
    const err = await screen.findByTestId("error-category");
    const category = screen.getByTestId("finding-category");
    expect(document.activeElement, "the refused field has the focus").toBe(category);
    expect(err.textContent, "the reason is shown").toBeTruthy();
    expect(screen.queryByTestId("finding-category-list"), "the list does not open over the reason").toBeNull();
    await fireEvent.input(category, { target: { value: "污水" } });
    expect(screen.getByTestId("finding-category-list"), "typing opens it").toBeTruthy();
  });
});
