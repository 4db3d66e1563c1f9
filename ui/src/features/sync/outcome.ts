// What a "sync now" came to, read from the sync status once the sync task has answered it.
import type { SyncView } from "$lib/ipc";

/** What a "sync now" came to, once the sync task answered it. */
export type NowResult = "done" | "offline" | "failed";

/**
 * `null` while the request `ticket` is not answered yet (or a round still runs); otherwise whether
 * it synced, found the hub gone, or ended with an error (the status's last error says which).
 */
export function nowOutcome(view: SyncView, ticket: number): NowResult | null {
  if (view.answered < ticket || view.syncing) return null;
  if (!view.online) return "offline";
  return view.last_error_code != null ? "failed" : "done";
}
