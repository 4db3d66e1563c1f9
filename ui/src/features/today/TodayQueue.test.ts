// A lead's Today is the lead's queue (issue 12 item 7), against the dev mock with `?lead`: a count card
// per item of core's queue (rules.ts), each opening the list it counted, and an officer's Today unchanged.
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { app } from "$lib/app.svelte";
import { ipc } from "$lib/ipc";
import { RULES } from "$lib/ipc/rules";
import { useLeadCity } from "$lib/testing/leadCity";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { zh } from "$lib/i18n/zh";
import { en } from "$lib/i18n/en";
import Today from "./Today.svelte";
import FindingList from "../findings/FindingList.svelte";

useLeadCity();

describe("a lead's Today", () => {
  it("shows a count card for every item of core's queue, in core's order, Chinese first", async () => {
    render(Today, { active: true });
    const panel = await screen.findByTestId("lead-queue");
    expect(screen.queryByTestId("my-grids"), "not the officer's list of 22 grids").toBeNull();
    const queue = await ipc.leadQueue();
    await waitFor(() => expect(panel.querySelectorAll("button.card").length).toBe(RULES.queue.length));
    const cards = [...panel.querySelectorAll("button.card")];
    expect(cards.map((c) => c.getAttribute("data-testid")), "core's order").toEqual(RULES.queue.map((q) => `queue-${q.key}`));
    for (const item of queue.items) {
      const card = screen.getByTestId(`queue-${item.key}`);
      expect(card.querySelector(".what")?.textContent, `${item.key}: its Chinese label`).toBe(zh[`queue.${item.key}` as keyof typeof zh]);
      expect(card.querySelector(".n")?.textContent, `${item.key}: its count`).toBe(String(item.count));
    }
    expect(queue.items.find((i) => i.key === "logs_to_review")?.count, "the mock's two submitted logs").toBe(2);
    expect(queue.items.some((i) => i.key !== "logs_to_review" && i.count > 0), "the lead's city has cases waiting").toBe(true);
  });

  it("has a label in both languages for every item of core's queue", () => {
    for (const { key } of RULES.queue) {
      expect(zh[`queue.${key}` as keyof typeof zh], `${key} in Chinese`).toBeTruthy();
      expect(en[`queue.${key}` as keyof typeof en], `${key} in English`).toBeTruthy();
    }
  });

  it("opens 待受理 as the Findings list of exactly the findings counted", async () => {
    // Two new reports in the lead's large grid and one outside it (渤海).
    for (const grid of ["37160200100101", "37160200100102", "37160200200101"]) {
      await ipc.addFinding({
        grid, category: "10101", description: "井盖破损", address: "", point: null, urgency: "normal",
        responsible_unit: "", observed_at: new Date().toISOString(), photos: [],
      });
    }
    render(Today, { active: true });
    const queue = await ipc.leadQueue();
    const item = queue.items.find((i) => i.key === "reported")!;
    expect(item.count, "the two reports in 黄河, not the one in 渤海").toBe(2);
    await fireEvent.click(await screen.findByTestId("queue-reported"));
    expect(app.screen).toBe("findings");
    expect(app.findingsFilter, "core's filter, untouched").toEqual(item.list.kind === "findings" ? item.list.filter : null);
    render(FindingList, { active: true });
    await waitFor(() => expect(screen.getByTestId("finding-count").textContent).toBe(`共 ${item.count} 条`));
    expect(screen.getByTestId("filter-scope").textContent, "the list says it is the lead's grids").toContain("只看我的网格");
    expect((screen.getByTestId("filter-status") as HTMLSelectElement).value).toBe("reported");
  });

  it("opens every findings item with its count's rows, and the logs item on the weekly logs", async () => {
    const queue = await ipc.leadQueue();
    for (const item of queue.items) {
      if (item.list.kind === "findings") {
        const rows = await ipc.findings(item.list.filter);
        expect(rows.length, `${item.key}: the count is the length of the list it opens`).toBe(item.count);
      }
    }
    render(Today, { active: true });
    await fireEvent.click(await screen.findByTestId("queue-logs_to_review"));
    expect(app.screen, "待审核日志 opens the review queue").toBe("logs");
  });

  it("reads in English", async () => {
    setCurrentLang("en");
    render(Today, { active: true });
    expect((await screen.findByTestId("queue-rectified")).textContent).toContain("To re-check");
  });
});

describe("an officer's Today", () => {
  it("stays the officer's grids, with no queue", async () => {
    await ipc.setProfile("李明", "officer", []);
    app.info = await ipc.appInfo();
    render(Today, { active: true });
    await screen.findByTestId("my-grids");
    expect(screen.queryByTestId("lead-queue")).toBeNull();
    await expect(ipc.leadQueue(), "core refuses an officer a queue").rejects.toMatchObject({ code: "queue_not_allowed" });
  });
});
