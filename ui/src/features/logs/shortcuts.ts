// The lead's two-keystroke review: `a` approves, `r` goes to the comment box (where Ctrl+Enter
// returns the log). Single letters are also what people type, so they count only when the focus is
// not in a text field and no modifier or input method is at work.

export type ReviewShortcut = "approve" | "comment";

/** Input types that take no typing, so a letter pressed on them is a shortcut. */
const NOT_TYPED = new Set(["button", "checkbox", "color", "file", "image", "radio", "range", "reset", "submit"]);

/** Whether a key pressed with the focus on `target` is typing (text fields, selects, editable content). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !NOT_TYPED.has(target.type);
  return false;
}

/** The review shortcut a key press means, or null when it means nothing here (or is typing). */
export function reviewShortcut(
  e: Pick<KeyboardEvent, "key" | "ctrlKey" | "altKey" | "metaKey" | "isComposing" | "repeat" | "target">,
): ReviewShortcut | null {
  if (e.ctrlKey || e.altKey || e.metaKey || e.isComposing || e.repeat || isTyping(e.target)) return null;
  const key = e.key.toLowerCase();
  if (key === "a") return "approve";
  if (key === "r") return "comment";
  return null;
}

/** Ctrl+Enter (⌘+Enter on a Mac): send what was typed in a comment or reply box. */
export function isSendKey(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "isComposing">): boolean {
  return e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.isComposing;
}
