import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { figuresOf } from "$lib/figures";
import type { ExportDone, LogEntry, LogReview, LogView, ReviewInput, SubmittedFigures, WeeklyLog, WeekRef } from "$lib/ipc";
import { weekBounds, weekDays } from "$lib/ipc/mockCalendar";

/** A week as core gives it (`recent_weeks`, a log's `week_start`). */
function weekRef(week: string): WeekRef {
  const { first, last } = weekDays(week)!;
  const { start, end } = weekBounds(week)!;
  return { week, first_day: first, last_day: last, start: start.toISOString(), end: end.toISOString() };
}
/** Core's weeks at the device's clock (Monday 30 November 2026 at the latest): this week first. */
const RECENT = ["2026-W48", "2026-W47", "2026-W46"].map(weekRef);

function weekly(officer: string, week: string): WeeklyLog {
  return {
    officer, week, week_start: weekDays(week)?.first ?? "", week_end: weekDays(week)?.last ?? "", patrols: 2, patrols_expected: 2, rhythm_days_patrolled: 2, grids_walked: 1,
    grids_owned: 1, findings_recorded: 4, by_category: {}, valid_reports: 4, on_the_spot: 0, due: 0, closed: 0, closed_on_time: 0,
    handled_on_time: 0, rework: 0, deferred: 0, overdue: 1, closure_rate: null, on_time_closure_rate: null, on_time_rate: null,
    rework_rate: null, deferral_rate: null, on_the_spot_rate: null, patrol_list: [], finding_list: [],
  };
}
function submitted(officer: string, week: string, reply = ""): LogReview {
  return {
    officer, week, state: "submitted", submitted_at: "2026-11-30T01:00:00Z", rounds: reply ? 2 : 1, reply,
    reviewer: null, reviewed_at: null, comment: "", updated_at: "2026-11-30T01:00:00Z",
  };
}

function figures(l: WeeklyLog): SubmittedFigures {
  return figuresOf(l);
}

// The hub-less device of a lead: two logs wait, and each decision takes one out of the queue.
let queue: LogEntry[] = [];
let reviewed: LogEntry[] = [];
const reviewLog = vi.fn(async (input: ReviewInput) => {
  const entry = queue.find((e) => e.log.officer === input.officer && e.log.week === input.week)!;
  queue = queue.filter((e) => e !== entry);
  const state = input.decision === "approve" ? "approved" : "returned";
  const review = { ...entry.review!, state, reviewer: "王建国", reviewed_at: "2026-11-30T03:00:00Z" } as LogReview;
  reviewed = [{ ...entry, review }, ...reviewed];
  return review;
});
let exportFolder: ExportDone["folder"] = "downloads";
const exportWeek = vi.fn(async (week: string, format: string): Promise<ExportDone> => ({
  path: exportFolder === "downloads" ? `/home/王建国/Downloads/周巡查日志-${week}.${format}` : `/home/王建国/.local/share/gp/exports/周巡查日志-${week}.${format}`,
  logs: 5,
  folder: exportFolder,
}));

vi.mock("$lib/ipc", async (importOriginal) => {
  const real = await importOriginal<typeof import("$lib/ipc")>();
  return {
    ...real,
    ipc: {
      recentWeeks: vi.fn(async () => RECENT),
      myLogs: vi.fn(async () => [{ log: weekly("王建国", "2026-W48"), review: null, submitted: null }, { log: weekly("王建国", "2026-W47"), review: null, submitted: null }]),
      reviewQueue: vi.fn(async () => queue),
      reviewedLogs: vi.fn(async () => reviewed),
      logView: vi.fn(async (officer: string, week: string): Promise<LogView> => {
        const entry = queue.find((e) => e.log.officer === officer && e.log.week === week);
        return {
          log: weekly(officer, week), review: entry?.review ?? null, submitted: entry?.submitted ?? null, history: [], findings: [], photos: [],
          can_submit: false, can_review: entry != null,
        };
      }),
      reviewLog: (input: ReviewInput) => reviewLog(input),
      exportWeek: (week: string, format: string) => exportWeek(week, format),
      gridStats: vi.fn(async () => []),
    },
  };
});

import { app } from "$lib/app.svelte";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { zh } from "$lib/i18n/zh";
import { toasts } from "$lib/toast.svelte";
import Logs from "./Logs.svelte";

beforeEach(() => {
  setCurrentLang("zh");
  // 张伟 submitted with 3 findings; one more was recorded in that week afterwards (the live log says 4).
  queue = [
    { log: weekly("张伟", "2026-W46"), review: submitted("张伟", "2026-W46", "周三参加培训，周四已补巡。"), submitted: { ...figures(weekly("张伟", "2026-W46")), findings_recorded: 3 } },
    { log: weekly("王芳", "2026-W47"), review: submitted("王芳", "2026-W47"), submitted: figures(weekly("王芳", "2026-W47")) },
  ];
  reviewed = [];
  exportFolder = "downloads";
  reviewLog.mockClear();
  toasts.list.splice(0);
});

function signIn(role: "officer" | "lead") {
  app.info = { version: "test", data_dir: "", profile: { name: "王建国", role }, sample_registry: false, lang: "zh", store_refusal: null };
}

describe("the weekly-logs screen", () => {
  it("shows a lead the queue oldest first, and opens the next log after each decision until none is left", async () => {
    signIn("lead");
    render(Logs, { active: true });
    const first = await screen.findByTestId("queue-item-张伟-2026-W46");
    const rows = screen.getByTestId("review-queue").querySelectorAll("tbody tr");
    expect([...rows].map((r) => r.getAttribute("data-testid")), "oldest week first").toEqual(["queue-item-张伟-2026-W46", "queue-item-王芳-2026-W47"]);
    expect(first.textContent, "with the officer's reply").toContain("周三参加培训");
    expect(first.textContent, "and the rates, a dash when there is none").toContain("—");
    const cells = [...first.querySelectorAll("td")].map((c) => c.textContent?.trim());
    expect(cells[3], "the queue shows the findings as submitted (3), not the live 4").toBe("3");
    expect(first.querySelector("[data-testid=log-changed]"), "and says the week changed since").toBeTruthy();
    expect(screen.getByTestId("queue-item-王芳-2026-W47").querySelector("[data-testid=log-changed]"), "an unchanged week says nothing").toBeNull();

    await fireEvent.click(first);
    expect((await screen.findByTestId("log-officer")).textContent).toBe("张伟");
    await fireEvent.click(await screen.findByTestId("review-approve"));
    expect(reviewLog, "the button asks first").not.toHaveBeenCalled();
    await fireEvent.click(await screen.findByTestId("approve-yes"));
    await waitFor(() => expect(screen.getByTestId("log-officer").textContent, "王芳's log opens next").toBe("王芳"));

    await fireEvent.keyDown(document.body, { key: "a" });
    await fireEvent.click(await screen.findByTestId("approve-yes"));
    expect((await screen.findByTestId("queue-empty")).textContent, "the queue says it is empty").toBe(zh["logs.queueEmpty"]);
    expect(screen.queryByTestId("log-view"), "no log stays open").toBeNull();
    expect(reviewLog.mock.calls.map((c) => c[0].officer)).toEqual(["张伟", "王芳"]);
    // Decided logs do not vanish: they are in the reviewed list, the latest first.
    const done = screen.getByTestId("reviewed-logs").querySelectorAll("tbody tr");
    expect([...done].map((r) => r.getAttribute("data-testid")), "the reviewed list holds both").toEqual(["reviewed-item-王芳-2026-W47", "reviewed-item-张伟-2026-W46"]);
    expect(done[0].textContent).toContain("已通过");
  });

  it("shows an officer their weeks without a queue", async () => {
    signIn("officer");
    render(Logs, { active: true });
    const row = await screen.findByTestId("log-week-2026-W48");
    expect(row.textContent).toContain("2026年第48周（11月23日–11月29日）");
    expect(row.textContent, "never submitted").toContain("未提交");
    expect(screen.getByTestId("log-week-2026-W47")).toBeTruthy();
    expect(screen.queryByTestId("review-queue"), "an officer reviews nothing").toBeNull();
  });

  it("exports last week by default and keeps the full path on the screen, naming the folder", async () => {
    signIn("lead");
    render(Logs, { active: true });
    const lastWeek = RECENT[1].week;
    await waitFor(() => expect((screen.getByTestId("log-export-week") as HTMLSelectElement).value, "last week (core's) is the default").toBe(lastWeek));
    await fireEvent.click(screen.getByTestId("log-export-csv"));
    await waitFor(() => expect(exportWeek).toHaveBeenCalledWith(lastWeek, "csv"));
    const path = await screen.findByTestId("log-export-path");
    expect(path.textContent, "the path stays on the screen, not only in a toast").toBe(`/home/王建国/Downloads/周巡查日志-${lastWeek}.csv`);
    expect(screen.getByTestId("log-export-done").textContent).toContain("下载文件夹");

    // No Downloads folder: the screen says the data folder, not 下载.
    exportFolder = "data_exports";
    await fireEvent.click(screen.getByTestId("log-export-xlsx"));
    await waitFor(() => expect(screen.getByTestId("log-export-path").textContent).toContain("/exports/"));
    expect(screen.getByTestId("log-export-done").textContent).toContain(zh["logs.exportedToData"].replace("{n}", "5"));
  });
});
