// The dev mock's weekly-log review follows core's rules (crates/core/src/review.rs), so what one
// tries in `npm run dev` behaves as the app does.
import { beforeEach, describe, expect, it } from "vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { ipc, IpcError } from ".";
import { installMock } from "./mock";
import { RULES } from "./rules";
import { isoWeekOf, shiftWeek } from "./mockCalendar";

async function refused(p: Promise<unknown>): Promise<IpcError> {
  try {
    await p;
  } catch (e) {
    return e as IpcError;
  }
  throw new Error("expected a refusal");
}

beforeEach(() => {
  clearMocks();
  installMock();
});

describe("mock weekly logs", () => {
  it("gives an officer the last weeks, this week first, and submits once", async () => {
    await ipc.setProfile("李明", "officer", []);
    const thisWeek = isoWeekOf(new Date());
    const logs = await ipc.myLogs(8);
    expect(logs.map((l) => l.log.week), "eight weeks, newest first").toEqual([...Array(8)].map((_, i) => shiftWeek(thisWeek, -i)));
    expect(logs[0].review, "never submitted").toBeNull();

    const r = await ipc.submitLog({ week: thisWeek, reply: "" });
    expect(r.state).toBe("submitted");
    expect((await refused(ipc.submitLog({ week: thisWeek, reply: "" }))).code, "a submitted log cannot be submitted again").toBe("illegal_review");
    expect((await refused(ipc.submitLog({ week: shiftWeek(thisWeek, 1), reply: "" }))).code).toBe("week_not_started");
    expect((await refused(ipc.reviewLog({ officer: "张伟", week: shiftWeek(thisWeek, -2), decision: "approve", comment: "" }))).code,
      "an officer does not review").toBe("review_not_allowed");
  });

  it("queues submitted logs for a lead, oldest first, and needs a comment to return and a reply to answer", async () => {
    await ipc.setProfile("王建国", "lead", []);
    const queue = await ipc.reviewQueue();
    expect(queue.map((e) => e.log.officer), "the older week first").toEqual(["张伟", "王芳"]);
    const { officer, week } = queue[0].log;

    const noComment = await refused(ipc.reviewLog({ officer, week, decision: "return", comment: "  " }));
    expect([noComment.code, noComment.field], "returning needs a comment").toEqual(["empty_text", "comment"]);
    await ipc.reviewLog({ officer, week, decision: "return", comment: "请补充周三的巡查。" });
    expect((await refused(ipc.reviewLog({ officer, week, decision: "approve", comment: "" }))).code,
      "a decided log cannot be decided again").toBe("illegal_review");
    expect((await ipc.reviewQueue()).map((e) => e.log.officer)).toEqual(["王芳"]);

    await ipc.setProfile("张伟", "officer", []);
    const view = await ipc.logView(officer, week);
    expect(view.can_submit, "a returned log can be submitted again").toBe(true);
    expect(view.review?.comment).toBe("请补充周三的巡查。");
    const noReply = await refused(ipc.submitLog({ week, reply: "" }));
    expect([noReply.code, noReply.field], "answering a return needs a reply").toEqual(["empty_text", "reply"]);
    const again = await ipc.submitLog({ week, reply: "周三参加培训，周四补巡。" });
    expect(again.rounds).toBe(3);
    expect((await ipc.logView(officer, week)).history.map((e) => e.kind)).toEqual([
      "log.submitted", "log.returned", "log.submitted", "log.returned", "log.submitted",
    ]);
  });
});

// Descriptive edits follow core's Store::edit_finding and remote::check_edited.
describe("mock finding edits", () => {
  async function reported(): Promise<string> {
    await ipc.setProfile("李明", "officer", []);
    await ipc.loadSampleRegistry();
    const grid = (await ipc.grids()).find((g) => g.level === "small")!.code;
    const category = (await ipc.categories())[0].minors[0].code;
    const f = await ipc.addFinding({
      grid, category, description: "井盖缺失", address: "黄河路 12 号", point: null, urgency: "normal",
      responsible_unit: "市政所", observed_at: new Date().toISOString(), photos: [],
    });
    return f.id;
  }

  it("lets the author edit, trims, leaves unchanged fields out and keeps the edit in the history", async () => {
    const id = await reported();
    expect((await ipc.finding(id)).can_edit, "the author may edit").toBe(true);
    const f = await ipc.editFinding(id, { description: "  井盖缺失，已设围挡  ", address: "黄河路 12 号", urgency: "urgent" });
    expect([f.description, f.address, f.urgency]).toEqual(["井盖缺失，已设围挡", "黄河路 12 号", "urgent"]);
    const edited = (await ipc.history(id)).filter((e) => e.kind === "finding.edited");
    expect(edited.map((e) => e.payload), "only the changed fields, trimmed").toEqual([{ description: "井盖缺失，已设围挡", urgency: "urgent" }]);
    await ipc.editFinding(id, { responsible_unit: "" });
    expect((await ipc.finding(id)).finding.responsible_unit, "an optional text may be cleared").toBe("");
    expect((await ipc.history(id)).filter((e) => e.kind === "finding.edited").length, "each edit is its own event").toBe(2);
  });

  it("refuses with core's codes", async () => {
    const id = await reported();
    const same = await refused(ipc.editFinding(id, { description: "井盖缺失 ", urgency: "normal" }));
    expect(same.code, "a field equal after trimming is no change").toBe("nothing_to_edit");
    expect((await refused(ipc.editFinding(id, {}))).code).toBe("nothing_to_edit");
    const empty = await refused(ipc.editFinding(id, { description: "   ", address: "新地址" }));
    expect([empty.code, empty.field]).toEqual(["empty_text", "description"]);
    const long = await refused(ipc.editFinding(id, { address: "路".repeat(201) }));
    expect([long.code, long.field]).toEqual(["text_too_long", "address"]);
    const unit = await refused(ipc.editFinding(id, { responsible_unit: "单".repeat(101) }));
    expect([unit.code, unit.field]).toEqual(["text_too_long", "responsible_unit"]);
    expect((await ipc.finding(id)).finding.address, "a refused edit changes nothing").toBe("黄河路 12 号");
    expect((await refused(ipc.editFinding("nope", { address: "x" }))).code).toBe("finding_not_found");

    await ipc.setProfile("张伟", "officer", []);
    expect((await ipc.finding(id)).can_edit, "another officer may not edit").toBe(false);
    expect((await refused(ipc.editFinding(id, { address: "x" }))).code).toBe("edit_not_allowed");

    await ipc.setProfile("王建国", "lead", []);
    expect((await ipc.finding(id)).can_edit, "a lead may edit").toBe(true);
    await ipc.editFinding(id, { address: "黄河路 14 号" });
    // A move to rectified carries an after photo (core's rule, which the mock mirrors).
    const after = await ipc.stagePhoto("after.jpg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0]));
    for (const to of ["accepted", "rectifying", "rectified", "closed"] as const)
      await ipc.moveFinding({ id, to, note: "", photos: to === "rectified" ? [after.token] : [] });
    expect((await ipc.finding(id)).can_edit, "a closed finding is not edited").toBe(false);
    expect((await refused(ipc.editFinding(id, { address: "x" }))).code).toBe("finding_closed");
  });
});

// The lead's dashboard follows core's Store::dashboard and weekly::grid_weeks.
describe("mock dashboard", () => {
  it("shows the lead's own large grid by default, twelve weeks oldest first, and refuses with core's codes", async () => {
    await ipc.setProfile("张伟", "officer", []);
    expect((await refused(ipc.dashboard(null, 12))).code, "an officer has no dashboard").toBe("dashboard_not_allowed");
    expect((await refused(ipc.reviewQueue())).code, "nor a review queue").toBe("review_not_allowed");
    await ipc.setProfile("王建国", "lead", []);
    await ipc.loadSampleRegistry();
    const grid = (await ipc.grids()).find((g) => g.parent === "371602001")!.code;
    const category = (await ipc.categories())[0].minors[0].code;
    const twoWeeksAgo = new Date(Date.now() - 14 * 86_400_000).toISOString();
    for (const observed_at of [twoWeeksAgo, twoWeeksAgo, new Date().toISOString()])
      await ipc.addFinding({ grid, category, description: "井盖缺失", address: "", point: null, urgency: "normal", responsible_unit: "", observed_at, photos: [] });

    const d = await ipc.dashboard(null, 12);
    expect(d.large_grid.code, "王建国 owns 黄河大网格").toBe("371602001");
    expect(d.large_grids[0].code, "the user's own first").toBe("371602001");
    expect(d.large_grids.length).toBe(11);
    const thisWeek = isoWeekOf(new Date());
    expect(d.weeks.map((w) => w.week), "oldest first, this week last").toEqual([...Array(12)].map((_, i) => shiftWeek(thisWeek, i - 11)));
    expect(d.weeks[11].findings_recorded).toBe(1);
    const earlier = d.weeks.find((w) => w.week === isoWeekOf(new Date(twoWeeksAgo)))!;
    expect(earlier.by_category, "counted by minor category").toEqual({ [category]: 2 });
    expect(d.grids.length, "the large grid's small grids").toBe(22);
    expect(d.grids.find((g) => g.code === grid)?.open).toBe(3);
    expect([d.overdue, d.overdue_total], "nothing is past its deadline yet").toEqual([[], 0]);

    expect((await ipc.dashboard("371602002", 4)).weeks.length, "another large grid may be chosen").toBe(4);
    expect((await refused(ipc.dashboard("999", 12))).code).toBe("unknown_grid");
    const small = await refused(ipc.dashboard(grid, 12));
    expect([small.code, small.field], "a small grid is no large grid").toEqual(["invalid_value", "large_grid"]);
    const many = await refused(ipc.dashboard(null, 521));
    expect([many.code, many.field]).toEqual(["invalid_value", "weeks"]);
  });

  it("gives `?lead` twelve weeks of findings, some overdue, the longest overdue first", async () => {
    const url = location.href;
    history.replaceState(null, "", "/?lead");
    try {
      clearMocks();
      installMock();
      const d = await ipc.dashboard(null, 12);
      const recorded = d.weeks.reduce((n, w) => n + w.findings_recorded, 0);
      expect(recorded, "findings in most weeks").toBeGreaterThan(40);
      for (const w of d.weeks) {
        expect(Object.values(w.by_category).reduce((a, b) => a + b, 0), `${w.week}: the categories add up`).toBe(w.findings_recorded);
        for (const rate of [w.closure_rate, w.on_time_rate, w.rework_rate]) if (rate != null) expect(rate).toBeGreaterThanOrEqual(0);
      }
      expect(d.weeks.some((w) => w.closure_rate != null && w.rework > 0), "rates to show, rework among them").toBe(true);
      expect(d.overdue.length, "some findings are overdue").toBeGreaterThan(0);
      expect(d.overdue_total).toBe(d.overdue.length);
      expect(d.overdue.every((f) => f.overdue)).toBe(true);
      const dues = d.overdue.map((f) => f.due_at!);
      expect(dues, "the longest overdue first").toEqual([...dues].sort());
      expect(d.grids.reduce((n, g) => n + g.overdue, 0), "the map counts the same overdue findings").toBe(d.overdue_total);
    } finally {
      history.replaceState(null, "", url);
    }
  });
});

describe("the mock answers with core's limits and tables (rules.ts, generated from core)", () => {
  const finding = (description: string) => ({
    grid: "37160200100101", category: "10101", description, address: "", point: null, urgency: "normal" as const,
    responsible_unit: "", observed_at: new Date(Date.now() - 60_000).toISOString(), photos: [],
  });

  it("takes a description up to core's limit and refuses one over it", async () => {
    await ipc.setProfile("李明", "officer", ["37160200100101"]);
    await ipc.loadSampleRegistry();
    expect(RULES.limits.description, "core's limit, not the 500 the mock once copied").toBe(2000);
    const saved = await ipc.addFinding(finding("井".repeat(RULES.limits.description)));
    expect([...saved.description].length).toBe(RULES.limits.description);
    const err = await refused(ipc.addFinding(finding("井".repeat(RULES.limits.description + 1))));
    expect([err.code, err.field]).toEqual(["text_too_long", "description"]);
  });

  it("offers each role the moves of core's table, and refuses the others with core's codes", async () => {
    await ipc.setProfile("李明", "officer", ["37160200100101"]);
    await ipc.loadSampleRegistry();
    const f = await ipc.addFinding(finding("井盖破损"));
    const officerMoves = RULES.moves.filter((m) => m.from === "reported" && m.roles.includes("officer")).map((m) => m.to);
    expect((await ipc.finding(f.id)).moves, "an officer accepts nothing").toEqual(officerMoves);
    expect((await refused(ipc.moveFinding({ id: f.id, to: "accepted", note: "", photos: [] }))).code).toBe("move_not_allowed");
    expect((await refused(ipc.moveFinding({ id: f.id, to: "closed", note: "", photos: [] }))).code).toBe("illegal_move");
    await ipc.setProfile("王建国", "lead", []);
    expect((await ipc.finding(f.id)).moves).toEqual(RULES.moves.filter((m) => m.from === "reported" && m.roles.includes("lead")).map((m) => m.to));
    expect((await refused(ipc.moveFinding({ id: f.id, to: "rejected", note: " ", photos: [] }))).code, "不予立案 needs a reason").toBe("reason_required");
  });
});
