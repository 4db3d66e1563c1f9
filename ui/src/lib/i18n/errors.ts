// How an error reaches a person: a sentence from the catalogue chosen by the error's stable code,
// never a raw exception string on its own.
import { asIpcError } from "../ipc";
import { hasKey, t } from "./index.svelte";

export type ShownError = {
  code: string;
  field: string | null;
  /** The translated sentence. */
  text: string;
  /** The Rust side's own sentence (already in the person's language), when it adds detail. */
  detail: string | null;
};

export function showError(e: unknown): ShownError {
  const err = asIpcError(e);
  const key = `errors.${err.code}`;
  const known = hasKey(key) && err.code !== "internal" && err.code !== "generic";
  const text = hasKey(key) ? t(key) : t("errors.generic");
  // Only a known code's message is the Rust side's sentence for people; anything else may be a
  // stack or a JS error text, which is kept out of sight (it goes to the console instead).
  const message = err.message?.trim();
  const detail = known && message && message !== text ? t("errors.detail", { message }) : null;
  if (!known) console.error("Grid Patrol error", e);
  return { code: err.code, field: err.field ?? null, text, detail };
}
