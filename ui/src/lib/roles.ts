// What a role may do, read from the rules core generates (ui/src/lib/ipc/rules.ts, from
// `Role::supervises`): the UI keeps no copy of its own. The app asks core for every decision that
// matters (the review queue, the dashboard, the lead's queue, edits); the UI uses this only to
// choose what to show.
import type { Role } from "./ipc/bindings";
import { RULES } from "./ipc/rules";

/** A team lead or an administrator: someone who acts on other people's work. */
export function supervises(role: Role | null | undefined): boolean {
  return role != null && RULES.roles.some((r) => r.role === role && r.supervises);
}
