// Short confirmations and errors that float at the bottom and leave by themselves.
export type Toast = { id: number; kind: "ok" | "error"; text: string; detail?: string | null };

let next = 1;
export const toasts = $state<{ list: Toast[] }>({ list: [] });

export function toast(text: string, kind: Toast["kind"] = "ok", detail: string | null = null, ms = 4000): void {
  const id = next++;
  toasts.list.push({ id, kind, text, detail });
  setTimeout(() => dismiss(id), kind === "error" ? ms * 2 : ms);
}

export function dismiss(id: number): void {
  const i = toasts.list.findIndex((t) => t.id === id);
  if (i >= 0) toasts.list.splice(i, 1);
}
