// The navigation: the dashboard (看板) is for team leads and administrators only, after the
// screens everyone has, so its Alt+digit is the next one and an officer's shortcuts stay the same.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { app, SCREENS, screensFor } from "$lib/app.svelte";
import { ipc } from "$lib/ipc";
import { installMock } from "$lib/ipc/mock";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import App from "./App.svelte";

beforeEach(async () => {
  installMock();
  setCurrentLang("zh");
  await ipc.loadSampleRegistry();
  app.screen = "today";
});

afterEach(() => {
  app.info = null;
});

const navButtons = () => [...screen.getByRole("navigation").querySelectorAll("button")].map((b) => b.getAttribute("data-testid"));
const altDigit = (n: number) => fireEvent.keyDown(window, { key: String(n), code: `Digit${n}`, altKey: true });

describe("the screens in the navigation", () => {
  it("offers the dashboard to leads and administrators only, last", () => {
    expect(screensFor("officer")).not.toContain("dashboard");
    expect(screensFor("lead")).toEqual(SCREENS);
    expect(screensFor("admin").at(-1)).toBe("dashboard");
    expect(screensFor(null), "no profile yet: no lead screens").not.toContain("dashboard");
  });

  it("hides the dashboard from an officer, and Alt+7 does nothing", async () => {
    await ipc.setProfile("李明", "officer", []);
    render(App);
    await screen.findByTestId("nav-today");
    expect(navButtons()).toEqual(["nav-today", "nav-map", "nav-record", "nav-findings", "nav-patrols", "nav-logs"]);
    expect(screen.queryByTestId("nav-dashboard")).toBeNull();
    await altDigit(7);
    expect(app.screen).toBe("today");
    app.go("dashboard");
    expect(app.screen, "not even by a call").toBe("today");
    await altDigit(6);
    expect(app.screen, "the officer's shortcuts are unchanged").toBe("logs");
  });

  it("shows a lead the dashboard as 看板 on Alt+7", async () => {
    await ipc.setProfile("王建国", "lead", []);
    render(App);
    const nav = await screen.findByTestId("nav-dashboard");
    expect(nav.textContent).toBe("看板");
    expect(nav.getAttribute("aria-keyshortcuts")).toBe("Alt+7");
    expect(nav.getAttribute("title")).toBe("快捷键 Alt+7");
    await altDigit(7);
    expect(app.screen).toBe("dashboard");
    // The dashboard's code is its own chunk, loaded on first use: slower on a busy machine.
    await waitFor(() => expect(screen.getByTestId("dashboard-chart")).toBeTruthy(), { timeout: 10_000 });
    expect(nav.getAttribute("aria-current")).toBe("page");
  });
});

describe("a store that refuses every write (issue 11)", () => {
  it("says so from the start, in the catalogue's words, above every screen", async () => {
    await ipc.setProfile("李明", "officer", []);
    render(App);
    await screen.findByTestId("nav-today");
    expect(screen.queryByTestId("store-refusal"), "a sound store shows no alert").toBeNull();
    app.info!.store_refusal = { code: "store_read_only", message: "本机数据目录是只读的。" };
    const alert = await screen.findByTestId("store-refusal");
    expect(alert.textContent, "the catalogue's sentence for the code, with what to do").toContain("只读");
    expect(alert.getAttribute("role")).toBe("alert");
  });
});

describe("the unlock screen (an encrypted store where no keyring answers)", () => {
  const type = (id: string, value: string) => fireEvent.input(screen.getByTestId(id), { target: { value } });

  it("asks for the passphrase, refuses a wrong one with nothing opened, and opens with the right one", async () => {
    installMock({ locked: { ask: "unlock", passphrase: "正确的口令 right one" } });
    render(App);
    await screen.findByTestId("unlock");
    expect(screen.getByRole("heading").textContent).toBe("打开本机数据");
    expect(screen.queryByTestId("unlock-again"), "an existing passphrase is typed once").toBeNull();
    expect(screen.queryByRole("navigation"), "nothing of the store shows before it opens").toBeNull();
    await expect(ipc.today(), "the store answers nothing while locked").rejects.toMatchObject({ code: "passphrase_needed" });

    await type("unlock-passphrase", "错误的口令 wrong one");
    await fireEvent.click(screen.getByTestId("unlock-submit"));
    expect((await screen.findByTestId("unlock-error")).textContent).toContain("口令（或密钥环中的密钥）打不开本机数据");
    await expect(ipc.today(), "a wrong passphrase opens nothing").rejects.toMatchObject({ code: "passphrase_needed" });

    await type("unlock-passphrase", "正确的口令 right one");
    await fireEvent.click(screen.getByTestId("unlock-submit"));
    await screen.findByTestId("first-start");
    expect(screen.queryByTestId("unlock")).toBeNull();
  });

  it("has a new passphrase typed twice and at least the store's shortest length", async () => {
    installMock({ locked: { ask: "choose" } });
    render(App);
    await screen.findByTestId("unlock");
    expect(screen.getByRole("heading").textContent).toBe("为本机数据设定口令");
    expect(screen.getByTestId("unlock").textContent).toContain("至少 8 个字符");

    await type("unlock-passphrase", "新的口令 a new one");
    await type("unlock-again", "新的口令 another");
    await fireEvent.click(screen.getByTestId("unlock-submit"));
    expect((await screen.findByTestId("unlock-error")).textContent).toBe("两次输入的口令不一致，未做任何更改。");
    expect(screen.getByTestId("unlock-again").closest("label")?.classList.contains("has-error")).toBe(true);

    await type("unlock-passphrase", "短口令");
    await type("unlock-again", "短口令");
    await fireEvent.click(screen.getByTestId("unlock-submit"));
    await waitFor(() => expect(screen.getByTestId("unlock-error").textContent).toContain("口令太短"));

    await type("unlock-passphrase", "新的口令 a new one");
    await type("unlock-again", "新的口令 a new one");
    await fireEvent.click(screen.getByTestId("unlock-submit"));
    await screen.findByTestId("first-start");
  });
});
