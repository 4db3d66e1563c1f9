// How an error reaches a person: a sentence from the catalogue chosen by the error's stable code,
// never a raw exception string on its own.
import { asIpcError } from "../ipc";
import { currentLang, hasKey, t } from "./index.svelte";

export type ShownError = {
  code: string;
  field: string | null;
  /** The translated sentence. */
  text: string;
  /** The Rust side's own sentence (already in the person's language), when it adds detail. */
  detail: string | null;
};

/**
 * The catalogue's sentence for an error code, or null when the catalogue has none. The hub's and
 * the sync driver's codes are in the catalogue; a bare HTTP status from a proxy in front of the
 * hub (`http_502`) is said as the hub failing (5xx) or refusing (4xx).
 */
export function errorSentence(code: string): string | null {
  if (code === "internal" || code === "generic") return null;
  const key = `errors.${code}`;
  if (hasKey(key)) return t(key);
  if (/^http_5\d\d$/.test(code)) return t("errors.hub_error");
  if (/^http_\d{3}$/.test(code)) return t("errors.hub_refused", { code });
  return null;
}

/** A Chinese detail that carries an English phrase (a library's or the hub's own cause) is left out. */
function foreign(detail: string): boolean {
  return currentLang() === "zh" && /[A-Za-z]{2,}[\s,;:]+[A-Za-z]{2,}/.test(detail);
}

/** A detail that only says the sentence again (with a few words more) is not worth a second line. */
function repeats(message: string, text: string): boolean {
  const core = text.replace(/[。.!！]+$/, "");
  return message === text || (core.length >= 4 && message.startsWith(core));
}

export function showError(e: unknown): ShownError {
  const err = asIpcError(e);
  const sentence = errorSentence(err.code);
  const text = sentence ?? (hasKey(`errors.${err.code}`) ? t(`errors.${err.code}` as never) : t("errors.generic"));
  // Only a known code's message is the Rust side's sentence for people; anything else may be a
  // stack or a JS error text, which is kept out of sight (it goes to the console instead).
  const message = err.message?.trim();
  const detail = sentence && message && !repeats(message, text) && !foreign(message) ? t("errors.detail", { message }) : null;
  if (!sentence) console.error("Grid Patrol error", e);
  return { code: err.code, field: err.field ?? null, text, detail };
}
