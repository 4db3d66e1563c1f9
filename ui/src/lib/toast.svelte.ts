// Short confirmations and errors that float at the bottom and leave by themselves. A toast may
// belong to an action (`owner`, e.g. "record.save"): when that action starts again, its old toasts
// go at once, so a success never stays up beside the next try's refusal.
export type Toast = { id: number; kind: "ok" | "error"; text: string; detail?: string | null; owner?: string | null };

let next = 1;
export const toasts = $state<{ list: Toast[] }>({ list: [] });

export function toast(
  text: string,
  kind: Toast["kind"] = "ok",
  detail: string | null = null,
  ms = 4000,
  owner: string | null = null,
): void {
  const id = next++;
  toasts.list.push({ id, kind, text, detail, owner });
  setTimeout(() => dismiss(id), kind === "error" ? ms * 2 : ms);
}

export function dismiss(id: number): void {
  const i = toasts.list.findIndex((t) => t.id === id);
  if (i >= 0) toasts.list.splice(i, 1);
}

/** The action `owner` starts again (or its screen is left): its toasts go. */
export function dismissOwned(owner: string): void {
  for (let i = toasts.list.length - 1; i >= 0; i--) if (toasts.list[i].owner === owner) toasts.list.splice(i, 1);
}
