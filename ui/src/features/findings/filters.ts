// The Findings screen's filter controls and what they ask the Rust side for.
import type { FindingFilter, FindingSort, Status } from "$lib/ipc";
import { RULES } from "$lib/ipc/rules";
import { beijingDayEnd, beijingDayStart, beijingParts } from "$lib/i18n/format";

/** Every status, in the lifecycle's order (core's `Status::ALL`). */
export const STATUSES: Status[] = RULES.statuses.map((s) => s.status);
export const SORTS: FindingSort[] = ["observed_desc", "observed_asc", "due_asc", "status"];

/** The list's row limit: enough for every finding of a busy city's year several times over. */
export const LIST_LIMIT = 200_000;

export type FilterState = {
  /** A large grid's code: only its small grids. */
  largeGrid: string;
  /** Only these small grids (the lead's, when the list was opened from the lead's queue); null: no such limit. */
  grids: string[] | null;
  /** Only the cases dispatched to this unit (a liaison's, when opened from their Today); null: any. */
  unit: string | null;
  grid: string;
  /**
   * A status, "open" (every status still being handled), "overdue" (past the deadline, not yet
   * rectified), "deferral_pending" (a unit's deferral request waits), "returned" (a unit returned it,
   * awaiting re-dispatch) or "" for all.
   */
  status: Status | "open" | "overdue" | "deferral_pending" | "returned" | "";
  category: string;
  /** Beijing calendar days, `YYYY-MM-DD`, inclusive; "" for open-ended. */
  from: string;
  until: string;
  search: string;
  sort: FindingSort;
};

export function emptyFilters(): FilterState {
  return { largeGrid: "", grids: null, unit: null, grid: "", status: "", category: "", from: "", until: "", search: "", sort: "observed_desc" };
}

export function toFindingFilter(f: FilterState): FindingFilter {
  const search = f.search.trim();
  const status = STATUSES.includes(f.status as Status) ? (f.status as Status) : null;
  return {
    grid: f.grid || null,
    large_grid: f.largeGrid || null,
    grids: f.grids ? [...f.grids] : null,
    unit: f.unit || null,
    status,
    open_only: f.status === "open",
    overdue_only: f.status === "overdue",
    deferral_pending: f.status === "deferral_pending",
    returned_only: f.status === "returned",
    category: f.category || null,
    search: search ? search : null,
    observed_from: f.from ? beijingDayStart(f.from) : null,
    // The Rust side's bound is exclusive, and a day chosen as "until" is meant to be included.
    observed_until: f.until ? beijingDayEnd(f.until) : null,
    sort: SORTS.includes(f.sort) ? f.sort : "observed_desc",
    limit: LIST_LIMIT,
  };
}

/** Whether the date range runs the wrong way round ("from" after "until"), which would find nothing. */
export function rangeReversed(f: Pick<FilterState, "from" | "until">): boolean {
  return !!(f.from && f.until && f.from > f.until);
}

/**
 * The controls showing a filter core made (a count of the lead's queue): `toFindingFilter` of the
 * result asks for the very list the count counted (the limit aside).
 */
export function fromFindingFilter(f: FindingFilter): FilterState {
  const day = (iso: string | null, back = 0) => (iso ? beijingParts(new Date(Date.parse(iso) - back)).day : "");
  return {
    largeGrid: f.large_grid ?? "",
    grids: f.grids ? [...f.grids] : null,
    unit: f.unit ?? null,
    grid: f.grid ?? "",
    status: f.overdue_only
      ? "overdue"
      : f.deferral_pending
        ? "deferral_pending"
        : f.returned_only
          ? "returned"
          : f.open_only ? "open" : (f.status ?? ""),
    category: f.category ?? "",
    from: day(f.observed_from),
    // The Rust side's bound is exclusive: the day shown as "until" is the one before it.
    until: day(f.observed_until, 1),
    search: f.search ?? "",
    sort: f.sort,
  };
}

export function isFiltered(f: FilterState): boolean {
  return !!(f.largeGrid || f.grids || f.grid || f.status || f.category || f.from || f.until || f.search.trim());
}
