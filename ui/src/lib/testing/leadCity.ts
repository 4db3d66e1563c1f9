// Test set-up shared by the screens tried as the team lead 王建国 sees them: the dev mock with `?lead`
// (twelve weeks of findings in 黄河大网格), Chinese, the reference data loaded, and nothing carried over
// from the previous test. Call `useLeadCity()` at the top of a test file.
import { afterEach, beforeEach, vi } from "vitest";
import { app } from "$lib/app.svelte";
import { ipc } from "$lib/ipc";
import { installMock } from "$lib/ipc/mock";
import { setCurrentLang } from "$lib/i18n/index.svelte";

export function useLeadCity(): void {
  const url = location.href;
  beforeEach(async () => {
    history.replaceState(null, "", "/?lead");
    installMock();
    setCurrentLang("zh");
    app.info = await ipc.appInfo();
    await app.loadReference();
    app.detailId = null;
    app.findingsGrid = null;
    app.findingsOverdue = null;
    app.findingsFilter = null;
    // The virtualised list measures its box; jsdom has no ResizeObserver.
    vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
  });
  afterEach(() => {
    history.replaceState(null, "", url);
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });
}
