// How the Findings list asks for its rows: a new filter first asks for one screen's worth, which
// the store answers in milliseconds even over a million findings (a first page walks the
// observed-time index), and then for the whole list; the screen shows the first page at once.
import type { FindingFilter, FindingSummary } from "$lib/ipc";

/** Rows in the first answer: a little more than a tall window shows. */
export const FIRST_PAGE = 100;

/**
 * Loads `filter`'s rows, handing each answer to `show` with whether the list is complete.
 * `show` returns false once the answer is no longer wanted (the filter changed meanwhile), and
 * loading stops there. A refresh of the filter already shown (the store changed) asks for the
 * whole list at once, so a list scrolled far down does not shrink to a page and jump back.
 */
export async function loadFindings(
  fetch: (filter: FindingFilter) => Promise<FindingSummary[]>,
  filter: FindingFilter,
  refresh: boolean,
  show: (rows: FindingSummary[], complete: boolean) => boolean,
): Promise<void> {
  if (!refresh && (filter.limit == null || filter.limit > FIRST_PAGE)) {
    const first = await fetch({ ...filter, limit: FIRST_PAGE });
    const complete = first.length < FIRST_PAGE;
    if (!show(first, complete) || complete) return;
  }
  show(await fetch(filter), true);
}
