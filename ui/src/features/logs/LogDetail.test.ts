import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { LogReview, LogView, ReviewInput, SubmitInput } from "$lib/ipc";

const logView = vi.fn<(officer: string, week: string) => Promise<LogView>>();
const submitLog = vi.fn<(input: SubmitInput) => Promise<LogReview>>();
const reviewLog = vi.fn<(input: ReviewInput) => Promise<LogReview>>();

vi.mock("$lib/ipc", async (importOriginal) => {
  const real = await importOriginal<typeof import("$lib/ipc")>();
  return {
    ...real,
    ipc: {
      logView: (officer: string, week: string) => logView(officer, week),
      submitLog: (input: SubmitInput) => submitLog(input),
      reviewLog: (input: ReviewInput) => reviewLog(input),
      gridStats: vi.fn(async () => []),
    },
  };
});

import { IpcError } from "$lib/ipc";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { zh } from "$lib/i18n/zh";
import LogDetail from "./LogDetail.svelte";

const returnedReview: LogReview = {
  officer: "李明", week: "2026-W48", state: "returned", submitted_at: "2026-11-30T01:00:00Z", rounds: 1, reply: "",
  reviewer: "王建国", reviewed_at: "2026-11-30T02:00:00Z", comment: "周三没有巡查，请说明原因。", updated_at: "2026-11-30T02:00:00Z",
};

function view(over: Partial<LogView> = {}): LogView {
  return {
    log: {
      officer: "李明", week: "2026-W48", week_start: "2026-11-23", week_end: "2026-11-29", patrols: 1, patrols_expected: 2,
      rhythm_days_patrolled: 1, grids_walked: 2, grids_owned: 3, findings_recorded: 3, by_category: { "10101": 2, "10102": 1 },
      valid_reports: 3, on_the_spot: 0, due: 3, closed: 2, closed_on_time: 1, handled_on_time: 2, rework: 1, deferred: 0, overdue: 0,
      closure_rate: 2 / 3, on_time_closure_rate: 1 / 3, on_time_rate: 2 / 3, rework_rate: 1 / 3, deferral_rate: 0, on_the_spot_rate: 0,
      patrol_list: [], finding_list: [],
    },
    review: returnedReview,
    submitted: null,
    history: [],
    findings: [],
    photos: [],
    can_submit: true,
    can_review: false,
    ...over,
  };
}

beforeEach(() => {
  setCurrentLang("zh");
  logView.mockReset();
  submitLog.mockReset();
  reviewLog.mockReset();
});

afterEach(() => {
  vi.clearAllMocks();
});

describe("an officer's returned log", () => {
  it("shows the lead's comment and the figures", async () => {
    logView.mockResolvedValue(view());
    render(LogDetail, { officer: "李明", week: "2026-W48", onback: () => {} });
    expect((await screen.findByTestId("log-comment")).textContent).toBe("周三没有巡查，请说明原因。");
    expect(screen.getByTestId("log-state").textContent, "the badge speaks the state").toBe("已退回");
    expect(screen.getByTestId("log-week").textContent).toBe("2026年第48周（11月23日–11月29日）");
    expect(screen.getByTestId("log-fig-closure-rate").textContent, "a rate with what it is made of").toBe("66.7%（2/3）");
  });

  it("opens with its findings' photos beside them", async () => {
    const finding = {
      id: "f1", grid: "37160200100101", category: "10101", description: "井盖破损", address: "", status: "reported" as const,
      urgency: "normal" as const, author: "李明", observed_at: "2026-11-25T02:00:00Z", recorded_at: "2026-11-25T02:00:00Z",
      due_at: null, overdue: false,
    };
    const photo = (sha: string, role: "before" | "after") => ({
      sha256: sha, role, file: `${sha}.jpg`, thumbnail: `thumbs/${sha}.jpg`, bytes: 1000, width: 640, height: 480,
      exif_time: null, exif_point: null,
    });
    logView.mockResolvedValue(
      view({ findings: [finding], photos: [{ finding: "f1", photo: photo("aa", "before") }, { finding: "f1", photo: photo("bb", "after") }] }),
    );
    render(LogDetail, { officer: "李明", week: "2026-W48", onback: () => {} });
    const shown = await screen.findAllByTestId("log-photo");
    expect(shown.map((img) => img.getAttribute("src"))).toEqual(["photo://localhost/thumbs/aa.jpg", "photo://localhost/thumbs/bb.jpg"]);
  });

  it("shows core's refusal of an empty reply beside the field and keeps what was typed", async () => {
    logView.mockResolvedValue(view());
    submitLog.mockRejectedValueOnce(new IpcError({ code: "empty_text", message: "回复不能为空。", field: "reply" }));
    render(LogDetail, { officer: "李明", week: "2026-W48", onback: () => {} });
    const reply = (await screen.findByTestId("log-reply")) as HTMLTextAreaElement;
    await fireEvent.input(reply, { target: { value: "   " } });
    await fireEvent.click(screen.getByTestId("log-submit"));

    const err = await screen.findByTestId("error-reply");
    expect(err.textContent, "the reason is the translated sentence").toContain(zh["errors.empty_text"]);
    expect(err.textContent, "with core's own sentence naming the field").toContain("回复不能为空");
    expect(reply.closest("[data-field]")?.contains(err), "the error sits beside the reply box").toBe(true);
    expect(reply.value, "nothing typed is lost").toBe("   ");
    expect(submitLog).toHaveBeenCalledWith({ week: "2026-W48", reply: "   " });
  });

  it("keeps a typed reply when the submission fails for another reason, and on the device until it is sent", async () => {
    logView.mockResolvedValue(view());
    submitLog.mockRejectedValueOnce(new IpcError({ code: "illegal_review", message: "周巡查日志不能从“待审核”变为“待审核”。", field: null }));
    const first = render(LogDetail, { officer: "李明", week: "2026-W48", onback: () => {} });
    const reply = (await screen.findByTestId("log-reply")) as HTMLTextAreaElement;
    await fireEvent.input(reply, { target: { value: "周三参加区里的培训，周四已补巡。" } });
    await fireEvent.keyDown(reply, { key: "Enter", ctrlKey: true });

    expect((await screen.findByTestId("log-error")).textContent, "a refusal about the log shows above it").toContain(zh["errors.illegal_review"]);
    expect(reply.value, "the reply stays in the box").toBe("周三参加区里的培训，周四已补巡。");
    first.unmount();

    render(LogDetail, { officer: "李明", week: "2026-W48", onback: () => {} });
    const again = (await screen.findByTestId("log-reply")) as HTMLTextAreaElement;
    expect(again.value, "leaving the log and coming back finds the reply").toBe("周三参加区里的培训，周四已补巡。");
  });
});

describe("a lead's review", () => {
  const submitted = view({
    review: { ...returnedReview, officer: "张伟", state: "submitted", rounds: 2, reply: "已补巡。" },
    log: { ...view().log, officer: "张伟" },
    can_submit: false,
    can_review: true,
  });

  it("asks before approving with a (Esc steps back), and not while the comment box is being typed in", async () => {
    logView.mockResolvedValue(submitted);
    reviewLog.mockResolvedValue({ ...submitted.review!, state: "approved" });
    const ondecided = vi.fn();
    const onback = vi.fn();
    render(LogDetail, { officer: "张伟", week: "2026-W48", onback, ondecided });
    const comment = (await screen.findByTestId("review-comment")) as HTMLTextAreaElement;

    await fireEvent.keyDown(comment, { key: "a" });
    await fireEvent.keyDown(comment, { key: "r" });
    expect(reviewLog, "letters typed into the comment are text, not shortcuts").not.toHaveBeenCalled();
    expect(screen.queryByTestId("approve-confirm")).toBeNull();

    expect(screen.getByTestId("review-approve").getAttribute("aria-keyshortcuts")).toBe("A");
    await fireEvent.keyDown(document.body, { key: "a" });
    const confirm = await screen.findByTestId("approve-confirm");
    expect(confirm.textContent, "the question names whose log and which week").toContain("张伟");
    expect(reviewLog, "one key alone approves nothing: an approval is final").not.toHaveBeenCalled();
    expect(document.activeElement, "the confirm button has the focus, so Enter approves").toBe(screen.getByTestId("approve-yes"));

    await fireEvent.keyDown(document.body, { key: "Escape" });
    expect(screen.queryByTestId("approve-confirm"), "Esc takes the question back").toBeNull();
    expect(onback, "the first Esc only closes the question").not.toHaveBeenCalled();
    expect(reviewLog).not.toHaveBeenCalled();

    await fireEvent.keyDown(document.body, { key: "a" });
    await fireEvent.click(await screen.findByTestId("approve-yes"));
    await waitFor(() => expect(reviewLog, "confirmed: approved").toHaveBeenCalledWith({ officer: "张伟", week: "2026-W48", decision: "approve", comment: "" }));
    await waitFor(() => expect(ondecided, "the next log is asked for").toHaveBeenCalled());
  });

  it("closes with Esc", async () => {
    logView.mockResolvedValue(submitted);
    const onback = vi.fn();
    render(LogDetail, { officer: "张伟", week: "2026-W48", onback });
    await screen.findByTestId("review-comment");
    await fireEvent.keyDown(document.body, { key: "Escape" });
    expect(onback, "Esc leaves the detail view for the list").toHaveBeenCalledTimes(1);
  });

  it("shows the figures as submitted, and the figure now where the week changed since", async () => {
    const sent = {
      patrols: 1, patrols_expected: 2, rhythm_days_patrolled: 1, grids_walked: 2, grids_owned: 3, findings_recorded: 2,
      findings_closed: 2, overdue: 0, due: 3, closed_due: 2, on_time: 2, rework: 1,
      closure_rate: 2 / 3, on_time_rate: 2 / 3, rework_rate: 1 / 3,
    };
    logView.mockResolvedValue({ ...submitted, submitted: sent });
    render(LogDetail, { officer: "张伟", week: "2026-W48", onback: () => {} });
    expect((await screen.findByTestId("log-fig-findings")).textContent, "the lead reviews what was submitted").toBe("2");
    expect(screen.getByTestId("log-fig-now-findings").textContent, "and sees the figure now beside it").toContain("3");
    expect(screen.queryByTestId("log-fig-now-closed"), "an unchanged figure says nothing more").toBeNull();
    expect(screen.getByTestId("log-figures-as-submitted")).toBeTruthy();
  });

  it("goes to the comment with r and returns with Ctrl+Enter; an empty comment is refused beside the box", async () => {
    logView.mockResolvedValue(submitted);
    reviewLog.mockRejectedValueOnce(new IpcError({ code: "empty_text", message: "审核意见不能为空。", field: "comment" }));
    reviewLog.mockResolvedValueOnce({ ...submitted.review!, state: "returned" });
    render(LogDetail, { officer: "张伟", week: "2026-W48", onback: () => {} });
    const comment = (await screen.findByTestId("review-comment")) as HTMLTextAreaElement;

    await fireEvent.keyDown(document.body, { key: "r" });
    expect(document.activeElement, "r puts the focus in the comment box").toBe(comment);
    await fireEvent.keyDown(comment, { key: "Enter", ctrlKey: true });
    const err = await screen.findByTestId("error-comment");
    expect(err.textContent).toContain(zh["errors.empty_text"]);
    expect(comment.closest("[data-field]")?.contains(err), "beside the comment box").toBe(true);

    await fireEvent.input(comment, { target: { value: "请补充周三的巡查照片。" } });
    await fireEvent.keyDown(comment, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(reviewLog).toHaveBeenLastCalledWith({ officer: "张伟", week: "2026-W48", decision: "return", comment: "请补充周三的巡查照片。" }));
  });
});
