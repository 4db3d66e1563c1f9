// Editing a finding's descriptive fields from its detail, against the dev mock (which follows core's
// rules and codes for edit_finding), so the form and the refusals are seen as a person sees them.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import { app } from "$lib/app.svelte";
import { ipc } from "$lib/ipc";
import { installMock } from "$lib/ipc/mock";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import { toasts } from "$lib/toast.svelte";
import FindingDetailView from "./FindingDetail.svelte";

let id = "";

beforeEach(async () => {
  installMock();
  setCurrentLang("zh");
  toasts.list.length = 0;
  await ipc.setProfile("李明", "officer", []);
  await ipc.loadSampleRegistry();
  const grid = (await ipc.grids()).find((g) => g.level === "small")!.code;
  const category = (await ipc.categories())[0].minors[0].code;
  id = (await ipc.addFinding({
    grid, category, description: "井盖缺失", address: "黄河路 12 号", point: null, urgency: "normal",
    responsible_unit: "市政所", observed_at: new Date().toISOString(), photos: [],
  })).id;
});

async function openForm() {
  render(FindingDetailView, { id, onback: () => {} });
  await fireEvent.click(await screen.findByTestId("finding-edit"));
  return {
    description: screen.getByTestId("edit-description") as HTMLTextAreaElement,
    address: screen.getByTestId("edit-address") as HTMLInputElement,
    urgency: screen.getByTestId("edit-urgency") as HTMLSelectElement,
    unit: screen.getByTestId("edit-unit") as HTMLInputElement,
  };
}

describe("editing a finding", () => {
  it("sends only the changed field, reloads and shows the edit in the history", async () => {
    const spy = vi.spyOn(ipc, "editFinding");
    const form = await openForm();
    expect([form.description.value, form.address.value, form.urgency.value, form.unit.value], "the form starts from the finding as shown")
      .toEqual(["井盖缺失", "黄河路 12 号", "normal", "市政所"]);
    expect(document.activeElement, "the description is ready for typing").toBe(form.description);
    await fireEvent.input(form.description, { target: { value: "井盖缺失，已设围挡" } });
    await fireEvent.click(screen.getByTestId("edit-save"));

    expect(spy).toHaveBeenCalledWith(id, { description: "井盖缺失，已设围挡" });
    expect((await screen.findByTestId("detail-description")).textContent).toBe("井盖缺失，已设围挡");
    expect(screen.queryByTestId("edit-form"), "the form closes").toBeNull();
    await waitFor(() => expect(screen.getByTestId("detail-history").textContent).toContain("修改了问题描述：「井盖缺失，已设围挡」"));
    expect(toasts.list.map((t) => t.text), "a short confirmation").toContain("修改已保存");
    spy.mockRestore();
  });

  it("saves with Ctrl+Enter and cancels with Escape", async () => {
    let form = await openForm();
    await fireEvent.input(form.address, { target: { value: "黄河路 14 号" } });
    await fireEvent.keyDown(form.address, { key: "Escape" });
    expect(screen.queryByTestId("edit-form"), "Escape leaves the form").toBeNull();
    expect(screen.getByTestId("finding-detail").textContent, "nothing was saved").toContain("黄河路 12 号");

    await fireEvent.click(screen.getByTestId("finding-edit"));
    form = { ...form, urgency: screen.getByTestId("edit-urgency") as HTMLSelectElement, unit: screen.getByTestId("edit-unit") as HTMLInputElement };
    await fireEvent.change(form.urgency, { target: { value: "urgent" } });
    await fireEvent.input(form.unit, { target: { value: "" } });
    await fireEvent.keyDown(form.unit, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(screen.queryByTestId("edit-form")).toBeNull());
    const history = screen.getByTestId("detail-history");
    await waitFor(() => expect(history.textContent).toContain("修改了紧急程度：紧急"));
    expect(history.textContent).toContain("清空了责任单位");
  });

  it("shows a refusal beside its field and keeps everything typed", async () => {
    const form = await openForm();
    await fireEvent.input(form.description, { target: { value: "   " } });
    await fireEvent.input(form.address, { target: { value: "黄河路 14 号" } });
    await fireEvent.change(form.urgency, { target: { value: "urgent" } });
    await fireEvent.input(form.unit, { target: { value: "城管中队" } });
    await fireEvent.click(screen.getByTestId("edit-save"));

    const error = await screen.findByTestId("edit-error-description");
    expect(error.textContent, "the catalogue's sentence, beside the description").toContain("此项不能为空。");
    expect(document.activeElement, "the person is brought to the field").toBe(form.description);
    expect([form.description.value, form.address.value, form.urgency.value, form.unit.value], "nothing typed is lost")
      .toEqual(["   ", "黄河路 14 号", "urgent", "城管中队"]);
    expect(screen.queryByTestId("edit-error"), "no general error besides").toBeNull();
    expect((await ipc.history(id)).some((e) => e.kind === "finding.edited"), "nothing was saved").toBe(false);

    const loads = vi.spyOn(ipc, "finding");
    app.changed(); // a sync round lands meanwhile and the detail reloads
    await waitFor(() => expect(loads).toHaveBeenCalled());
    await loads.mock.results[0].value;
    await tick();
    loads.mockRestore();
    expect([form.description.value, form.address.value, form.unit.value], "a reload keeps what is typed").toEqual(["   ", "黄河路 14 号", "城管中队"]);

    await fireEvent.input(form.description, { target: { value: "井盖缺失" } });
    expect(screen.queryByTestId("edit-error-description"), "typing in the field clears its reason").toBeNull();
  });

  it("says so when nothing was changed", async () => {
    const form = await openForm();
    await fireEvent.input(form.description, { target: { value: "井盖缺失  " } });
    await fireEvent.click(screen.getByTestId("edit-save"));
    const error = await screen.findByTestId("edit-error");
    expect(error.textContent, "core trims, so only spaces added is no change").toContain("没有修改任何内容。");
    expect(screen.getByTestId("edit-form"), "the form stays open").toBeTruthy();
    expect(form.description.value).toBe("井盖缺失  ");
  });

  it("offers editing to the author and a lead, not to another officer nor on a closed finding", async () => {
    await ipc.setProfile("张伟", "officer", []);
    const view = render(FindingDetailView, { id, onback: () => {} });
    await screen.findByTestId("detail-description");
    expect(screen.queryByTestId("finding-edit"), "another officer's finding").toBeNull();
    view.unmount();

    await ipc.setProfile("王建国", "lead", []);
    const lead = render(FindingDetailView, { id, onback: () => {} });
    expect(await screen.findByTestId("finding-edit"), "a lead may edit").toBeTruthy();
    lead.unmount();

    // A move to rectified carries an after photo (core's rule, which the mock mirrors).
    const after = await ipc.stagePhoto("after.jpg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0]));
    for (const to of ["accepted", "rectifying", "rectified", "closed"] as const)
      await ipc.moveFinding({ id, to, note: "", photos: to === "rectified" ? [after.token] : [] });
    render(FindingDetailView, { id, onback: () => {} });
    await screen.findByTestId("detail-description");
    expect(screen.queryByTestId("finding-edit"), "a closed finding").toBeNull();
  });

  it("speaks English", async () => {
    setCurrentLang("en");
    const form = await openForm();
    expect(screen.getByTestId("edit-save").textContent).toBe("Save changes");
    await fireEvent.input(form.address, { target: { value: "" } });
    await fireEvent.input(form.description, { target: { value: "Manhole cover missing" } });
    await fireEvent.click(screen.getByTestId("edit-save"));
    const history = await screen.findByTestId("detail-history");
    await waitFor(() => expect(history.textContent).toContain("Edited the description: “Manhole cover missing”"));
    expect(history.textContent).toContain("Cleared the address");
    setCurrentLang("zh");
  });
});
