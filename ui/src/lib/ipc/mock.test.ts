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
