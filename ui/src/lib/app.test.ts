import { beforeEach, describe, expect, it, vi } from "vitest";
import { app, AppState } from "./app.svelte";
import { ipc } from "./ipc";
import { installMock } from "./ipc/mock";

describe("going to a finding and back", () => {
  it("goes back to the screen the finding was opened from", () => {
    app.go("logs");
    app.showFinding("f1");
    expect(app.screen).toBe("findings");
    expect(app.detailId).toBe("f1");
    app.closeFinding();
    expect(app.screen, "back to the weekly log it came from").toBe("logs");
    expect(app.detailId).toBeNull();
  });

  it("stays on the findings list when opened from it", () => {
    app.go("findings");
    app.showFinding("f2");
    app.closeFinding();
    expect(app.screen).toBe("findings");
    expect(app.detailId).toBeNull();
  });
});

describe("the first screen's requests", () => {
  beforeEach(() => {
    installMock();
  });

  it("go out once, before the first paint, and each answer is used once", async () => {
    await ipc.setProfile("李明", "officer", []);
    const appInfo = vi.spyOn(ipc, "appInfo");
    const today = vi.spyOn(ipc, "today");
    const state = new AppState();
    state.ask();
    state.ask();
    expect([appInfo.mock.calls.length, today.mock.calls.length], "asked once").toEqual([1, 1]);
    await state.start();
    expect(appInfo.mock.calls.length, "start uses the early answer").toBe(1);
    expect(state.info?.profile?.name).toBe("李明");
    expect((await state.earlyToday())?.profile?.name, "Today's first load uses the early answer").toBe("李明");
    expect(state.earlyToday(), "and only the first").toBeNull();
    await state.start();
    expect(appInfo.mock.calls.length, "a second start asks again").toBe(2);
    vi.restoreAllMocks();
  });

  it("give Today nothing when nobody had chosen who they are", async () => {
    const state = new AppState();
    state.ask();
    await state.start();
    expect(state.info?.profile).toBeNull();
    expect(state.earlyToday(), "Today shows after the first start and asks again").toBeNull();
  });
});
