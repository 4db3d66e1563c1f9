// The dev mock's weekly-log review follows core's rules (crates/core/src/review.rs), so what one
// tries in `npm run dev` behaves as the app does.
import { beforeEach, describe, expect, it } from "vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { ipc, IpcError } from ".";
import { installMock } from "./mock";
import { isoWeekOf, shiftWeek } from "../i18n/format";

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
      grid, category, description: "井盖缺失", address: "黄河路 12 号", point: null, severity: "normal",
      responsible_unit: "市政所", observed_at: null, photos: [],
    });
    return f.id;
  }

  it("lets the author edit, trims, leaves unchanged fields out and keeps the edit in the history", async () => {
    const id = await reported();
    expect((await ipc.finding(id)).can_edit, "the author may edit").toBe(true);
    const f = await ipc.editFinding(id, { description: "  井盖缺失，已设围挡  ", address: "黄河路 12 号", severity: "high" });
    expect([f.description, f.address, f.severity]).toEqual(["井盖缺失，已设围挡", "黄河路 12 号", "high"]);
    const edited = (await ipc.history(id)).filter((e) => e.kind === "finding.edited");
    expect(edited.map((e) => e.payload), "only the changed fields, trimmed").toEqual([{ description: "井盖缺失，已设围挡", severity: "high" }]);
    await ipc.editFinding(id, { responsible_unit: "" });
    expect((await ipc.finding(id)).finding.responsible_unit, "an optional text may be cleared").toBe("");
    expect((await ipc.history(id)).filter((e) => e.kind === "finding.edited").length, "each edit is its own event").toBe(2);
  });

  it("refuses with core's codes", async () => {
    const id = await reported();
    const same = await refused(ipc.editFinding(id, { description: "井盖缺失 ", severity: "normal" }));
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
    for (const to of ["accepted", "rectifying", "rectified", "closed"] as const) await ipc.moveFinding({ id, to, note: "", photos: [] });
    expect((await ipc.finding(id)).can_edit, "a closed finding is not edited").toBe(false);
    expect((await refused(ipc.editFinding(id, { address: "x" }))).code).toBe("finding_closed");
  });
});
