// The Record form's draft, kept on this device after every keystroke so that closing the window
// by accident loses nothing. Photos are not kept: they are held by the Rust side until saving.
import type { Severity } from "$lib/ipc";

export const DRAFT_KEY = "gridpatrol.recordDraft";

export type Draft = {
  grid: string;
  category: string;
  description: string;
  address: string;
  lat: string;
  lon: string;
  severity: Severity;
  responsible_unit: string;
  /** `datetime-local` text in Beijing time; "" means "now, at saving". */
  observed: string;
};

export function emptyDraft(): Draft {
  return { grid: "", category: "", description: "", address: "", lat: "", lon: "", severity: "normal", responsible_unit: "", observed: "" };
}

/** Whether the draft holds anything a person typed (a grid alone is a default, not typing). */
export function hasTyping(d: Draft): boolean {
  return !!(d.category || d.description.trim() || d.address.trim() || d.lat || d.lon || d.responsible_unit.trim() || d.observed);
}

export function loadDraft(storage: Storage | undefined = globalThis.localStorage): Draft | null {
  try {
    const raw = storage?.getItem(DRAFT_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw);
    if (!v || typeof v !== "object") return null;
    const d = emptyDraft();
    for (const k of Object.keys(d) as (keyof Draft)[]) if (typeof v[k] === "string") (d as Record<string, string>)[k] = v[k];
    if (!["low", "normal", "high"].includes(d.severity)) d.severity = "normal";
    return d;
  } catch {
    return null;
  }
}

export function saveDraft(d: Draft, storage: Storage | undefined = globalThis.localStorage): void {
  try {
    if (hasTyping(d)) storage?.setItem(DRAFT_KEY, JSON.stringify(d));
    else storage?.removeItem(DRAFT_KEY);
  } catch {
    // A full storage cannot keep the draft; the form itself still holds the text.
  }
}

export function clearDraft(storage: Storage | undefined = globalThis.localStorage): void {
  try {
    storage?.removeItem(DRAFT_KEY);
  } catch {
    // Nothing to do.
  }
}
