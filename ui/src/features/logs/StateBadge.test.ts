import { describe, expect, it } from "vitest";
import { render } from "@testing-library/svelte";
import { setCurrentLang } from "$lib/i18n/index.svelte";
import type { ReviewState } from "$lib/ipc";
import StateBadge from "./StateBadge.svelte";

describe("review state badge", () => {
  it.each([
    [null, "未提交", "not submitted"],
    ["submitted", "待审核", "waiting for review"],
    ["approved", "已通过", "approved"],
    ["returned", "已退回", "returned"],
  ] as [ReviewState | null, string, string][])("shows %s as %s / %s", (state, zh, en) => {
    setCurrentLang("zh");
    const a = render(StateBadge, { state, testid: "log-state" });
    expect(a.getByTestId("log-state").textContent, "the Chinese word officers and leads use").toBe(zh);
    a.unmount();
    setCurrentLang("en");
    const b = render(StateBadge, { state, testid: "log-state" });
    expect(b.getByTestId("log-state").textContent, "and its English").toBe(en);
    b.unmount();
    setCurrentLang("zh");
  });
});
