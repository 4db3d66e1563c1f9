// The screens other than Today and the first start, each in its own chunk: the window's first
// screen parses and runs only the code it shows (the start benchmark's critical path), and the rest
// load in the background once it has shown its data (`prefetchScreens`), so switching stays instant.
export const screenModules = {
  map: () => import("./features/map/GridMap.svelte"),
  record: () => import("./features/findings/RecordFinding.svelte"),
  findings: () => import("./features/findings/Findings.svelte"),
  patrols: () => import("./features/patrols/Patrols.svelte"),
  logs: () => import("./features/logs/Logs.svelte"),
  dashboard: () => import("./features/dashboard/Dashboard.svelte"),
};

/** Loads every screen's chunk, once the first screen has shown its data. */
export function prefetchScreens(): void {
  for (const load of Object.values(screenModules)) load().catch(() => {});
}
