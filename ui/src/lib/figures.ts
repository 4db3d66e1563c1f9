// A weekly log's figures in the shape a submission carries them (core's `SubmittedFigures`, whose
// wire names are issue 5's): 已结案 and 应办结中已结案 are both 结案数 as of the week's end, 按期整改 is
// 按期处置数 — the same mapping as core's `From<&WeeklyLog> for SubmittedFigures`.
import type { SubmittedFigures, WeeklyLog } from "$lib/ipc";

export function figuresOf(l: WeeklyLog): SubmittedFigures {
  return {
    patrols: l.patrols, patrols_expected: l.patrols_expected, rhythm_days_patrolled: l.rhythm_days_patrolled,
    grids_walked: l.grids_walked, grids_owned: l.grids_owned, findings_recorded: l.findings_recorded,
    findings_closed: l.closed, overdue: l.overdue, due: l.due, closed_due: l.closed, on_time: l.handled_on_time,
    rework: l.rework, closure_rate: l.closure_rate, on_time_rate: l.on_time_rate, rework_rate: l.rework_rate,
  };
}
