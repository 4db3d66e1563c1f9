// The Patrols screen against the dev mock: an ongoing patrol reads right in English, and a finding
// recorded on a patrol but observed before it began is listed apart (issue 15 item 13).
import { beforeEach, describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import { app } from "$lib/app.svelte";
import { ipc } from "$lib/ipc";
import { installMock } from "$lib/ipc/mock";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import Patrols from "./Patrols.svelte";

const GRID = "37160200100101";
// The app always sends the observed time the form shows (issue 15 item 2).
const finding = (description: string, observed_at: string = new Date().toISOString()) => ({
  grid: GRID, category: "10101", description, address: "", point: null, urgency: "normal" as const,
  responsible_unit: "", observed_at, photos: [],
});

beforeEach(async () => {
  installMock();
  await ipc.setProfile("李明", "officer", [GRID]);
  await ipc.loadSampleRegistry();
  app.info = await ipc.appInfo();
  await app.loadReference();
});

describe("the Patrols screen", () => {
  it("lists a finding observed before the patrol began apart from what the patrol found", async () => {
    setCurrentLang("zh");
    await ipc.startPatrol([GRID]);
    await ipc.addFinding(finding("巡查中发现"));
    await ipc.addFinding(finding("纸质记录补录", new Date(Date.now() - 2 * 86_400_000).toISOString()));
    render(Patrols, { active: true });
    const during = await screen.findAllByTestId("patrol-finding");
    expect(during.map((li) => li.textContent), "what the patrol found").toEqual([expect.stringContaining("巡查中发现")]);
    const before = screen.getAllByTestId("patrol-finding-before");
    expect(before.map((li) => li.textContent), "observed before it began: listed apart").toEqual([expect.stringContaining("纸质记录补录")]);
  });

  it("says an ongoing patrol is under way without 'to under way'", async () => {
    setCurrentLang("en");
    await ipc.startPatrol([GRID, "37160200100102"]);
    render(Patrols, { active: true });
    const time = await screen.findByTestId("patrol-time");
    expect(time.textContent, "an ongoing patrol has no end time").toMatch(/^\s*since .*, under way\s*$/);
    expect(time.textContent).not.toContain("to under way");
    expect(document.body.textContent, "an English list is separated by commas, not 、").not.toContain("、");
    setCurrentLang("zh");
  });
});
