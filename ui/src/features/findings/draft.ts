// The Record form's draft, kept on this device after every keystroke so that closing the window
// by accident loses nothing. A photo attached to the form is part of the draft: the Rust side keeps
// its bytes in the data folder's staging area until the finding is saved, and the draft names it
// by its token, so a restored draft asks for its preview again (`restagePhoto`).
import type { Urgency } from "$lib/ipc";

export const DRAFT_KEY = "gridpatrol.recordDraft";

export type DraftPhoto = { token: string; name: string };

export type Draft = {
  grid: string;
  category: string;
  description: string;
  address: string;
  lat: string;
  lon: string;
  urgency: Urgency;
  responsible_unit: string;
  /** The observed day and time of day as typed (Beijing time); both "" mean "now": the form shows
   * the current time, and saving sends the time it shows. */
  observedDay: string;
  observedClock: string;
  photos: DraftPhoto[];
};

const TEXT_KEYS = [
  "grid", "category", "description", "address", "lat", "lon", "urgency", "responsible_unit", "observedDay", "observedClock",
] as const;

export function emptyDraft(): Draft {
  return {
    grid: "", category: "", description: "", address: "", lat: "", lon: "", urgency: "normal", responsible_unit: "",
    observedDay: "", observedClock: "", photos: [],
  };
}

/** Whether the draft holds anything a person typed or attached (a grid alone is a default, not typing). */
export function hasTyping(d: Draft): boolean {
  return !!(
    d.category || d.description.trim() || d.address.trim() || d.lat || d.lon || d.responsible_unit.trim() ||
    d.observedDay || d.observedClock || d.photos.length
  );
}

export function loadDraft(storage: Storage | undefined = globalThis.localStorage): Draft | null {
  try {
    const raw = storage?.getItem(DRAFT_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw);
    if (!v || typeof v !== "object") return null;
    const d = emptyDraft();
    for (const k of TEXT_KEYS) if (typeof v[k] === "string") (d as Record<string, unknown>)[k] = v[k];
    // A draft written before the day and time were two fields.
    if (typeof v.observed === "string" && v.observed && !d.observedDay && !d.observedClock) {
      [d.observedDay, d.observedClock] = [v.observed.slice(0, 10), v.observed.slice(11, 16)];
    }
    if (Array.isArray(v.photos)) {
      d.photos = v.photos
        .filter((p: unknown): p is DraftPhoto => !!p && typeof (p as DraftPhoto).token === "string")
        .map((p: DraftPhoto) => ({ token: p.token, name: typeof p.name === "string" ? p.name : "" }));
    }
    if (!["normal", "urgent"].includes(d.urgency)) d.urgency = "normal";
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
