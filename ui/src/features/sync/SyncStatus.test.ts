import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import SyncStatus from "./SyncStatus.svelte";

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
});
