import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { zh } from "$lib/i18n/zh";
import type { SyncView } from "$lib/ipc";
import SyncStatus from "./SyncStatus.svelte";

function signedIn(over: Partial<SyncView> = {}): SyncView {
  return {
    signed_in: true, hub_url: "http://127.0.0.1:8787", hub_user: "李明", online: true, syncing: false, pending: 0, parked: 0, set_aside: 0,
    last_success: "2026-11-25T02:00:00Z", last_attempt: "2026-11-25T02:00:00Z", last_error_code: null, last_error: null,
    upload: null, answered: 0, ...over,
  };
}

describe("sync status area", () => {
  it("says how many changes wait while offline, in the chosen language", () => {
    setCurrentLang("zh");
    const { unmount } = render(SyncStatus, { pending: 4 });
    expect(screen.getByTestId("sync-status").textContent, "Chinese first").toContain("离线，4 项更改待同步");
    unmount();
    setCurrentLang("en");
    render(SyncStatus, { pending: 4, parked: 1 });
    expect(screen.getByTestId("sync-status").textContent).toContain("Offline, 4 changes waiting");
    expect(screen.getByTestId("sync-status").textContent, "parked changes are shown").toContain("1 parked");
    setCurrentLang("zh");
  });

  it("shows a large photo's upload progress while it goes up", () => {
    setCurrentLang("zh");
    const view = {
      signed_in: true,
      hub_url: "http://127.0.0.1:8787",
      hub_user: "李明",
      online: true,
      syncing: true,
      pending: 2,
      parked: 0,
      set_aside: 0,
      last_success: null,
      last_attempt: null,
      last_error_code: null,
      last_error: null,
      upload: { sent: 3 * 1024 * 1024, total: 12 * 1024 * 1024 },
      answered: 0,
    };
    const { unmount } = render(SyncStatus, { pending: 2, view });
    expect(screen.getByTestId("sync-upload").textContent).toContain("正在上传照片：25%（3.0 / 12.0 MB）");
    unmount();
    render(SyncStatus, { pending: 2, view: { ...view, upload: null } });
    expect(screen.queryByTestId("sync-upload"), "no upload, no progress bar").toBeNull();
    expect(screen.queryByTestId("sync-set-aside"), "nothing set aside, nothing shown").toBeNull();
  });

  it("shows the changes pulled from the hub that could not be read", () => {
    setCurrentLang("zh");
    const view = {
      signed_in: true, hub_url: "http://127.0.0.1:8787", hub_user: "李明", online: true, syncing: false,
      pending: 0, parked: 0, set_aside: 2, last_success: null, last_attempt: null, last_error_code: null,
      last_error: null, upload: null, answered: 0,
    };
    render(SyncStatus, { pending: 0, view });
    expect(screen.getByTestId("sync-set-aside").textContent, "a set-aside change is shown, never hidden").toContain(
      "收到的 2 项更改无法读取",
    );
  });

  it("says the last error in words by its code, never the network library's English (issue 15 items 5, 6)", () => {
    setCurrentLang("zh");
    const view = signedIn({
      online: false, pending: 3, last_error_code: "hub_unreachable", last_error: "error sending request for url (http://127.0.0.1:8787/api/pull)",
    });
    render(SyncStatus, { pending: 3, view, onSyncNow: () => {} });
    const error = screen.getByTestId("sync-error").textContent!;
    expect(error, "the catalogue's sentence for the code").toContain(zh["errors.hub_unreachable"]);
    expect(error, "no raw English in the Chinese UI").not.toMatch(/error sending/);
    expect(screen.getByTestId("sync-state").textContent).toBe("离线，3 项更改待同步");
  });

  it("shows that sync now is working at once, then what it came to (issue 15 item 6)", () => {
    setCurrentLang("zh");
    const { unmount } = render(SyncStatus, { pending: 0, view: signedIn(), onSyncNow: () => {}, asking: true });
    const button = screen.getByTestId("sync-now") as HTMLButtonElement;
    expect(button.disabled, "one request at a time").toBe(true);
    expect(button.textContent).toBe(zh["sync.syncing"]);
    expect(screen.getByTestId("sync-state").textContent).toBe(zh["sync.checking"]);
    unmount();
    const offline = signedIn({ online: false, last_error_code: "hub_unreachable", last_error: "x" });
    const r = render(SyncStatus, { pending: 0, view: offline, onSyncNow: () => {}, result: "offline" });
    expect(screen.getByTestId("sync-result").textContent).toBe(zh["sync.nowOffline"]);
    r.unmount();
    render(SyncStatus, { pending: 0, view: signedIn(), onSyncNow: () => {}, result: "done" });
    expect(screen.getByTestId("sync-result").textContent).toBe(zh["sync.nowDone"]);
  });
});
