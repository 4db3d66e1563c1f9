import { describe, expect, it } from "vitest";
import { isSendKey, isTyping, reviewShortcut } from "./shortcuts";

function press(key: string, target: EventTarget | null, mods: Partial<KeyboardEvent> = {}) {
  return { key, target, ctrlKey: false, altKey: false, metaKey: false, isComposing: false, repeat: false, ...mods };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  document.body.append(e);
  return e;
}

describe("review shortcuts", () => {
  it("approves with a and goes to the comment with r when nothing is being typed", () => {
    expect(reviewShortcut(press("a", document.body)), "a on the page approves").toBe("approve");
    expect(reviewShortcut(press("A", el("button"))), "also with Shift, and with the focus on a button").toBe("approve");
    expect(reviewShortcut(press("r", document.body)), "r goes to the comment box").toBe("comment");
    expect(reviewShortcut(press("x", document.body))).toBeNull();
  });

  it("never fires while typing in a text field", () => {
    for (const target of [el("textarea"), el("input"), el("input", { type: "search" }), el("select")])
      expect(reviewShortcut(press("a", target)), `a typed into a ${target.tagName.toLowerCase()} is a letter`).toBeNull();
    const editable = el("div", { contenteditable: "true" });
    // jsdom does not compute isContentEditable, so it is given as a browser would.
    Object.defineProperty(editable, "isContentEditable", { value: true });
    expect(reviewShortcut(press("r", editable)), "nor in editable content").toBeNull();
    expect(reviewShortcut(press("a", el("input", { type: "checkbox" }))), "a checkbox takes no typing").toBe("approve");
  });

  it("leaves modified keys, held keys and input-method composition alone", () => {
    expect(reviewShortcut(press("a", document.body, { ctrlKey: true })), "Ctrl+A selects all").toBeNull();
    expect(reviewShortcut(press("r", document.body, { metaKey: true })), "⌘R reloads").toBeNull();
    expect(reviewShortcut(press("a", document.body, { altKey: true }))).toBeNull();
    expect(reviewShortcut(press("a", document.body, { repeat: true })), "a held key approves once").toBeNull();
    expect(reviewShortcut(press("a", document.body, { isComposing: true })), "pinyin being composed is typing").toBeNull();
  });

  it("knows typing targets and the send key", () => {
    expect(isTyping(el("textarea"))).toBe(true);
    expect(isTyping(el("button"))).toBe(false);
    expect(isTyping(null)).toBe(false);
    expect(isSendKey({ key: "Enter", ctrlKey: true, metaKey: false, isComposing: false })).toBe(true);
    expect(isSendKey({ key: "Enter", ctrlKey: false, metaKey: false, isComposing: false }), "a plain Enter is a new line").toBe(false);
  });
});
