// The UI's copy of core's `Role::supervises` (crates/core/src/model.rs): a team lead or an
// administrator acts on other people's work. The app asks core for every decision that matters
// (the review queue, the dashboard, edits); the UI uses this only to choose what to show.
import type { Role } from "./ipc/bindings";

export function supervises(role: Role | null | undefined): boolean {
  return role === "lead" || role === "admin";
}
