// The sync area on Today against a stand-in for the Rust side: "sync now" always answers, and the
// hub's refusals are said in the catalogue's words.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { SyncView } from "$lib/ipc";

let status: SyncView;
let changed: (() => void) | null = null;
const syncNow = vi.fn(async () => 1);
const hubSignIn = vi.fn<(url: string, user: string, password: string) => Promise<SyncView>>();

vi.mock("$lib/ipc", async (importOriginal) => {
  const real = await importOriginal<typeof import("$lib/ipc")>();
  return {
    ...real,
    ipc: {
      syncStatus: async () => status,
      syncNow: () => syncNow(),
      hubSignIn: (url: string, user: string, password: string) => hubSignIn(url, user, password),
      hubSignOut: async () => status,
      onSyncChanged: async (handler: () => void) => {
        changed = handler;
        return () => {};
      },
    },
  };
});

import { IpcError } from "$lib/ipc";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { zh } from "$lib/i18n/zh";
import SyncArea from "./SyncArea.svelte";

function view(over: Partial<SyncView> = {}): SyncView {
  return {
    signed_in: true, hub_url: "http://127.0.0.1:8787", hub_user: "李明", online: true, syncing: false, pending: 0, parked: 0, set_aside: 0,
    last_success: "2026-11-25T02:00:00Z", last_attempt: "2026-11-25T02:00:00Z", last_error_code: null, last_error: null,
    upload: null, answered: 0, ...over,
  };
}

beforeEach(() => {
  setCurrentLang("zh");
  changed = null;
  syncNow.mockClear();
  hubSignIn.mockReset();
});

describe("the sync area", () => {
  it("reads the status again as soon as Today's counts change: a change recorded here is said to wait at once", async () => {
    status = view({ signed_in: false, online: false, pending: 0 });
    const { rerender } = render(SyncArea, { pending: 0 });
    await waitFor(() => expect(screen.getByTestId("sync-state").textContent).toBe(zh["sync.offlineNone"]));
    // A patrol is started on Today: the store now holds one change to sync, the area learns it
    // without waiting for the sync task's next report.
    status = view({ signed_in: false, online: false, pending: 1 });
    await rerender({ pending: 1 });
    await waitFor(() =>
      expect(screen.getByTestId("sync-state").textContent).toBe(zh["sync.offlinePending"].replace("{n}", "1")),
    );
  });

  it("answers 立即同步 with the hub down: working at once, then offline and why (issue 15 item 6)", async () => {
    status = view();
    render(SyncArea, { pending: 0 });
    await waitFor(() => expect(screen.getByTestId("sync-state").textContent).toBe(zh["sync.onlineSynced"]));

    await fireEvent.click(screen.getByTestId("sync-now"));
    await waitFor(() => expect(syncNow).toHaveBeenCalledTimes(1));
    expect(screen.getByTestId("sync-state").textContent, "feedback at once, before the task answers").toBe(zh["sync.checking"]);
    expect((screen.getByTestId("sync-now") as HTMLButtonElement).disabled).toBe(true);

    // The sync task probed the hub, found it gone and answered request 1.
    status = view({ online: false, answered: 1, last_error_code: "hub_unreachable", last_error: "The hub did not answer its health check.", last_attempt: "2026-11-25T02:05:00Z" });
    changed!();
    await waitFor(() => expect(screen.getByTestId("sync-result").textContent).toBe(zh["sync.nowOffline"]));
    expect(screen.getByTestId("sync-state").textContent).toBe(zh["sync.offlineNone"]);
    expect((screen.getByTestId("sync-now") as HTMLButtonElement).disabled, "and it can be asked again").toBe(false);

    // The hub came back and a round went through: the old outcome no longer describes the state.
    status = view({ online: true, answered: 1, last_attempt: "2026-11-25T02:05:05Z" });
    changed!();
    await waitFor(() => expect(screen.queryByTestId("sync-result")).toBeNull());
    expect(screen.getByTestId("sync-state").textContent).toBe(zh["sync.onlineSynced"]);
  });

  it("says a wrong password as such, not as an unexpected error (issue 15 item 5)", async () => {
    status = view({ signed_in: false, hub_url: null, hub_user: null, online: false });
    hubSignIn.mockRejectedValueOnce(new IpcError({ code: "bad_credentials", message: "用户名或密码不正确，中心端拒绝了登录。", field: null }));
    render(SyncArea, { pending: 0 });
    await fireEvent.click(await screen.findByTestId("hub-settings"));
    await fireEvent.input(screen.getByTestId("hub-user"), { target: { value: "李明" } });
    await fireEvent.input(screen.getByTestId("hub-password"), { target: { value: "wrong" } });
    await fireEvent.submit(screen.getByTestId("hub-form"));
    const error = await screen.findByTestId("error-hub");
    expect(error.textContent).toContain(zh["errors.bad_credentials"]);
    expect(error.textContent).not.toContain(zh["errors.generic"]);
  });
});
