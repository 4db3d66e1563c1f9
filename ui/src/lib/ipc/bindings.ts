// Generated from the Rust types in crates/core by `ipc::typescript_bindings`. Do not edit:
// run `UPDATE_BINDINGS=1 cargo test -p gridpatrol-core --lib ipc` to regenerate.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type Lang = "zh" | "en";

export type Role = "officer" | "lead" | "admin" | "liaison";

export type User = { name: string, role: Role, 
/**
 * The responsible unit's code, for a liaison (required); absent for every other role.
 */
unit?: string | null, };

export type GridLevel = "large" | "small";

export type Grid = { code: string, name: string, level: GridLevel, 
/**
 * The large grid's code, for a small grid.
 */
parent?: string | null, owners: Array<string>, 
/**
 * The boundary as a GeoJSON geometry (Polygon or MultiPolygon), WGS84.
 */
boundary: JsonValue, };

export type CategoryKind = "component" | "event";

export type Limit = { "working_hours": number } | { "working_days": number } | { "hours": number };

export type Deadline = { normal: Limit, urgent?: Limit | null, 
/**
 * Where the limits come from (the data file's source keys, resolved to their text).
 */
source: string, };

export type DueWarning = { "kind": "holidays_not_covered", years: Array<number>, };

export type MinorCategory = { 
/**
 * The kind's digit (1 部件, 2 事件) and the standard's `MMmm`: `10104`, `20501` (see `categories`).
 */
code: string, 
/**
 * The standard's minor number within its major, `01`–`99` (90–99: a city addition).
 */
minor: string, name_zh: string, name_en: string, deadline?: Deadline | null, 
/**
 * Where the entry comes from (the data file's source keys, resolved to their text).
 */
source: string, };

export type MajorCategory = { kind: CategoryKind, 
/**
 * The standard's major number, `MM`.
 */
code: string, name_zh: string, name_en: string, minors: Array<MinorCategory>, };

export type Urgency = "normal" | "urgent";

export type PatrolKind = "scheduled" | "adhoc";

export type Patrol = { id: string, officer: string, kind: PatrolKind, grids: Array<string>, started_at: string, ended_at: string | null, notes: string, };

export type Point = { lat: number, lon: number, };

export type PhotoRole = "before" | "after";

export type Photo = { sha256: string, role: PhotoRole, 
/**
 * The file name, relative to the data folder's `photos/`.
 */
file: string, 
/**
 * The thumbnail's file name, relative to the data folder's `photos/`.
 */
thumbnail: string, bytes: number, width: number, height: number, exif_time?: string | null, exif_point?: Point | null, };

export type Status = "reported" | "accepted" | "rejected" | "rectifying" | "rectified" | "rework" | "closed" | "reopened" | "suspended";

export type Step = "request_deferral" | "decide_deferral";

export type Unit = { 
/**
 * A short ASCII code (letters, digits), unique.
 */
code: string, name_zh: string, name_en: string, 
/**
 * The minor category codes this unit normally handles: a dispatch of a case of one of them
 * defaults to this unit.
 */
categories: Array<string>, };

export type DeferralRequest = { 
/**
 * The due time asked for; after the current one.
 */
until: string, reason: string, 
/**
 * Who asked.
 */
by: string, 
/**
 * When they asked (the event's device time).
 */
at: string, };

export type Finding = { id: string, grid: string, patrol?: string | null, 
/**
 * A minor category's code. A 4-digit code of the tree before migration 11 is read as its new
 * code ([`crate::categories::current_code`]), so old events decode to today's tree.
 */
category: string, description: string, address: string, point?: Point | null, 
/**
 * Written `severity` by events before migration 11; read under either name.
 */
urgency: Urgency, 
/**
 * The free text written before responsible units existed (store migration 12). New findings
 * leave it empty and it is never written again: the unit is [`Finding::unit`]. It stays so that
 * every event and record written before decodes and reads as it was written.
 */
responsible_unit: string, 
/**
 * The unit (its code) the case is dispatched to; none before the dispatch and after a 回退.
 */
unit?: string | null, 
/**
 * When the deadline clock started: the first dispatch, as the hub accepted it (the device's
 * time until then). Rework, reopening and re-dispatch never reset it.
 */
dispatched_at?: string | null, 
/**
 * A deferral asked for and not yet decided.
 */
deferral?: DeferralRequest | null, 
/**
 * How many deferrals were approved.
 */
deferrals: number, 
/**
 * 当场处置: recorded already solved, closed at once, never dispatched.
 */
on_the_spot: boolean, 
/**
 * While suspended (缓办): when the clock stopped.
 */
suspended_at?: string | null, status: Status, author: string, observed_at: string, recorded_at: string, updated_at: string, due_at?: string | null, photos: Array<Photo>, };

export type SyncState = "pending" | "acked" | "parked";

export type Event = { id: string, entity: string, entity_id: string, actor: string, kind: string, payload: JsonValue, device_time: string, sync: SyncState, hub_seq?: number | null, 
/**
 * When the hub accepted the event (its clock, not the device's): set on events pulled from it.
 */
accepted_at?: string | null, };

export type FindingSummary = { id: string, grid: string, category: string, description: string, address: string, status: Status, urgency: Urgency, author: string, observed_at: string, recorded_at: string, due_at?: string | null, overdue: boolean, };

export type FindingSort = "observed_desc" | "observed_asc" | "due_asc" | "status";

export type Counts = { users: number, grids: number, patrols: number, findings: number, photos: number, finding_photos: number, events: number, pending_events: number, log_reviews: number, };

export type ImportSummary = { large: number, small: number, 
/**
 * Codes that were already in the store and were updated.
 */
updated: number, };

export type ErrorBody = { code: string, message: string, field?: string | null, };

export type AppInfo = { version: string, data_dir: string, profile: User | null, sample_registry: boolean, lang: Lang, 
/**
 * Why this store refuses every write (damaged, rolled back, read-only), shown from the start so
 * nobody records into it first; `None` for a sound store.
 */
store_refusal: ErrorBody | null, };

export type StoreLock = { ask: UnlockAsk, 
/**
 * The data folder, so the person knows which store they unlock.
 */
data_dir: string, };

export type UnlockAsk = "unlock" | "choose";

export type GridStat = { code: string, name: string, parent: string | null, open: number, overdue: number, 
/**
 * Whether the user may record and move findings here: signed in to a hub, only the grids of
 * the scope it gave ([`Store::check_scope`]); the forms offer only these.
 */
in_scope: boolean, };

export type Today = { profile: User | null, patrol: Patrol | null, my_grids: Array<GridStat>, pending: number, parked: number, };

export type FindingInput = { grid: string | null, category: string, description: string, address: string, point: Point | null, urgency: Urgency, responsible_unit: string, observed_at: string, photos: Array<string>, 
/**
 * 当场处置: solved on the spot, recorded closed at once with before and after photos.
 */
on_the_spot?: boolean, 
/**
 * The after photos of a case solved on the spot (tokens of staged photos).
 */
after_photos?: Array<string>, };

export type FindingFilter = { grid: string | null, 
/**
 * Only the small grids of this large grid.
 */
large_grid: string | null, 
/**
 * Only these small grids (the lead's scope, when the list was opened from the queue).
 */
grids: Array<string> | null, 
/**
 * Only the cases dispatched to this unit (a liaison's scope).
 */
unit: string | null, status: Status | null, open_only: boolean, 
/**
 * Only findings past their deadline and still awaiting rectification.
 */
overdue_only: boolean, 
/**
 * Only findings with a pending deferral request (延期申请).
 */
deferral_pending: boolean, 
/**
 * Only cases a unit returned, awaiting re-dispatch (退回的案件, `lifecycle::is_returned`).
 */
returned_only: boolean, category: string | null, search: string | null, observed_from: string | null, observed_until: string | null, sort: FindingSort, limit: number | null, };

export type MoveInput = { id: string, to: Status, note: string, photos: Array<string>, 
/**
 * 派遣: the unit's code for a dispatch (absent: the category's default unit).
 */
unit?: string | null, };

export type DeferralInput = { id: string, until: string, reason: string, };

export type DeferralDecisionInput = { id: string, approved: boolean, note: string, };

export type FindingDetail = { finding: Finding, category: MinorCategory, grid_name: string, overdue: boolean, 
/**
 * Why the due time may be wrong (a year the holiday table does not cover), shown beside it.
 */
due_warning?: DueWarning | null, moves: Array<Status>, 
/**
 * The steps that are not moves the acting user may take now (ask for or decide a deferral).
 */
steps: Array<Step>, 
/**
 * The unit the case is dispatched to, with its names.
 */
unit?: Unit | null, 
/**
 * For a dispatch: every unit, and the one the case's category defaults to.
 */
units: Array<Unit>, default_unit?: string | null, 
/**
 * A case a unit returned (回退) that waits to be dispatched again.
 */
returned: boolean, 
/**
 * The acting user may edit the descriptive fields (the author or a lead, while it is open).
 */
can_edit: boolean, history: Array<Event>, };

export type PhotoPreview = { token: string, name: string, sha256: string, width: number, height: number, bytes: number, exif_time: string | null, exif_point: Point | null, 
/**
 * A `data:` URL of the thumbnail.
 */
thumbnail: string, };

export type UploadStatus = { sent: number, total: number, };

export type SyncView = { signed_in: boolean, hub_url: string | null, hub_user: string | null, online: boolean, syncing: boolean, pending: number, parked: number, 
/**
 * Changes pulled from the hub that this device could not read: set aside, never applied.
 */
set_aside: number, last_success: string | null, last_attempt: string | null, last_error_code: string | null, last_error: string | null, 
/**
 * The photo upload under way, while a round sends a photo in several requests.
 */
upload: UploadStatus | null, 
/**
 * The last "sync now" the task has finished answering (probe and round): the UI's request
 * got its answer once this reaches the number `sync_now` returned.
 */
answered: number, };

export type PatrolEntry = { patrol: Patrol, findings: Array<FindingSummary>, };

export type PatrolWeek = { week: string, patrols: Array<PatrolEntry>, };

export type WeekRef = { 
/**
 * `2026-W48`.
 */
week: string, 
/**
 * Its Monday and Sunday, calendar dates in the city.
 */
first_day: string, last_day: string, 
/**
 * Monday 00:00 in the city, and the next Monday's, as UTC (the end exclusive).
 */
start: string, end: string, };

export type Edit = { description?: string | null, address?: string | null, 
/**
 * Written `severity` by edits before migration 11; read under either name.
 */
urgency?: Urgency | null, responsible_unit?: string | null, };

export type WeeklyPatrol = { id: string, started_at: string, ended_at: string | null, grids: number, };

export type WeeklyFinding = { id: string, grid: string, category: string, status: Status, observed_at: string, due_at: string | null, rectified_at: string | null, overdue: boolean, };

export type WeeklyLog = { officer: string, 
/**
 * `2026-W48`.
 */
week: string, week_start: string, week_end: string, patrols: number, patrols_expected: number, rhythm_days_patrolled: number, grids_walked: number, grids_owned: number, patrol_list: Array<WeeklyPatrol>, finding_list: Array<WeeklyFinding>, 
/**
 * 上报数: cases observed in the period.
 */
findings_recorded: number, 
/**
 * 上报数 by minor category code.
 */
by_category: { [key in string]: number }, 
/**
 * 有效上报数: observed in the period and not rejected at its end.
 */
valid_reports: number, 
/**
 * 自处置数: observed in the period and solved on the spot.
 */
on_the_spot: number, 
/**
 * 应结案数: due time (as it stood at the period's end) in the period.
 */
due: number, 
/**
 * 结案数: of the due, closed at the period's end.
 */
closed: number, 
/**
 * 按期结案数: of the due, closed at the due time and at the period's end.
 */
closed_on_time: number, 
/**
 * 按期处置数: of the due, handled or closed at the due time.
 */
handled_on_time: number, 
/**
 * 返工数: of the due, sent back for rework at least once by the period's end.
 */
rework: number, 
/**
 * 延期数: of the due, with an approved deferral at the period's end.
 */
deferred: number, 
/**
 * 超期: of the due, neither handled nor closed at the period's end.
 */
overdue: number, 
/**
 * 结案率 = closed ÷ due.
 */
closure_rate: number | null, 
/**
 * 按期结案率 = closed_on_time ÷ due (the standard's headline).
 */
on_time_closure_rate: number | null, 
/**
 * 按期处置率 = handled_on_time ÷ due.
 */
on_time_rate: number | null, 
/**
 * 返工率 = rework ÷ due.
 */
rework_rate: number | null, 
/**
 * 延期率 = deferred ÷ due.
 */
deferral_rate: number | null, 
/**
 * 自处置率 = on_the_spot ÷ findings_recorded.
 */
on_the_spot_rate: number | null, };

export type ReviewState = "submitted" | "approved" | "returned";

export type Decision = "approve" | "return";

export type LogReview = { officer: string, 
/**
 * `2026-W48`.
 */
week: string, state: ReviewState, 
/**
 * When the log was last submitted.
 */
submitted_at: string, 
/**
 * How many times it was submitted (1 the first time).
 */
rounds: number, 
/**
 * The officer's answer to the last return (empty on a first submission).
 */
reply: string, 
/**
 * The lead who last approved or returned it.
 */
reviewer: string | null, reviewed_at: string | null, 
/**
 * The lead's last comment (required when returning).
 */
comment: string, updated_at: string, };

export type SubmittedFigures = { patrols: number, patrols_expected: number, rhythm_days_patrolled: number, grids_walked: number, grids_owned: number, findings_recorded: number, findings_closed: number, overdue: number, due: number, closed_due: number, on_time: number, rework: number, closure_rate: number | null, on_time_rate: number | null, rework_rate: number | null, };

export type LogEntry = { 
/**
 * The figures as they stand now.
 */
log: WeeklyLog, review: LogReview | null, 
/**
 * The figures as the officer last submitted them (what a lead reviews).
 */
submitted: SubmittedFigures | null, };

export type LogPhoto = { finding: string, photo: Photo, };

export type LogView = { log: WeeklyLog, review: LogReview | null, 
/**
 * The figures as the officer last submitted them.
 */
submitted: SubmittedFigures | null, history: Array<Event>, findings: Array<FindingSummary>, 
/**
 * The photos of those findings (before and after), in the findings' order.
 */
photos: Array<LogPhoto>, 
/**
 * The acting user is the officer and the log is not submitted yet, or came back.
 */
can_submit: boolean, 
/**
 * The acting user is a lead or administrator and the log waits for a review.
 */
can_review: boolean, };

export type SubmitInput = { week: string, reply: string, };

export type ReviewInput = { officer: string, week: string, decision: Decision, comment: string, };

export type ExportFormat = "xlsx" | "csv";

export type ExportFolder = "downloads" | "data_exports";

export type ExportDone = { 
/**
 * The file written, in full.
 */
path: string, logs: number, 
/**
 * Which folder it is in.
 */
folder: ExportFolder, };

export type GridWeek = { 
/**
 * `2026-W48`.
 */
week: string, week_start: string, 
/**
 * 上报数: cases observed in the period.
 */
findings_recorded: number, 
/**
 * 上报数 by minor category code.
 */
by_category: { [key in string]: number }, 
/**
 * 有效上报数: observed in the period and not rejected at its end.
 */
valid_reports: number, 
/**
 * 自处置数: observed in the period and solved on the spot.
 */
on_the_spot: number, 
/**
 * 应结案数: due time (as it stood at the period's end) in the period.
 */
due: number, 
/**
 * 结案数: of the due, closed at the period's end.
 */
closed: number, 
/**
 * 按期结案数: of the due, closed at the due time and at the period's end.
 */
closed_on_time: number, 
/**
 * 按期处置数: of the due, handled or closed at the due time.
 */
handled_on_time: number, 
/**
 * 返工数: of the due, sent back for rework at least once by the period's end.
 */
rework: number, 
/**
 * 延期数: of the due, with an approved deferral at the period's end.
 */
deferred: number, 
/**
 * 超期: of the due, neither handled nor closed at the period's end.
 */
overdue: number, 
/**
 * 结案率 = closed ÷ due.
 */
closure_rate: number | null, 
/**
 * 按期结案率 = closed_on_time ÷ due (the standard's headline).
 */
on_time_closure_rate: number | null, 
/**
 * 按期处置率 = handled_on_time ÷ due.
 */
on_time_rate: number | null, 
/**
 * 返工率 = rework ÷ due.
 */
rework_rate: number | null, 
/**
 * 延期率 = deferred ÷ due.
 */
deferral_rate: number | null, 
/**
 * 自处置率 = on_the_spot ÷ findings_recorded.
 */
on_the_spot_rate: number | null, };

export type Measures = { 
/**
 * 上报数: cases observed in the period.
 */
findings_recorded: number, 
/**
 * 上报数 by minor category code.
 */
by_category: { [key in string]: number }, 
/**
 * 有效上报数: observed in the period and not rejected at its end.
 */
valid_reports: number, 
/**
 * 自处置数: observed in the period and solved on the spot.
 */
on_the_spot: number, 
/**
 * 应结案数: due time (as it stood at the period's end) in the period.
 */
due: number, 
/**
 * 结案数: of the due, closed at the period's end.
 */
closed: number, 
/**
 * 按期结案数: of the due, closed at the due time and at the period's end.
 */
closed_on_time: number, 
/**
 * 按期处置数: of the due, handled or closed at the due time.
 */
handled_on_time: number, 
/**
 * 返工数: of the due, sent back for rework at least once by the period's end.
 */
rework: number, 
/**
 * 延期数: of the due, with an approved deferral at the period's end.
 */
deferred: number, 
/**
 * 超期: of the due, neither handled nor closed at the period's end.
 */
overdue: number, 
/**
 * 结案率 = closed ÷ due.
 */
closure_rate: number | null, 
/**
 * 按期结案率 = closed_on_time ÷ due (the standard's headline).
 */
on_time_closure_rate: number | null, 
/**
 * 按期处置率 = handled_on_time ÷ due.
 */
on_time_rate: number | null, 
/**
 * 返工率 = rework ÷ due.
 */
rework_rate: number | null, 
/**
 * 延期率 = deferred ÷ due.
 */
deferral_rate: number | null, 
/**
 * 自处置率 = on_the_spot ÷ findings_recorded.
 */
on_the_spot_rate: number | null, };

export type GroupWeek = { 
/**
 * The large grid's code, or the unit's code (empty: cases not dispatched to a unit).
 */
code: string, 
/**
 * The large grid's name (the unit's code until units carry names).
 */
name: string, 
/**
 * `2026-W48`.
 */
week: string, 
/**
 * 上报数: cases observed in the period.
 */
findings_recorded: number, 
/**
 * 上报数 by minor category code.
 */
by_category: { [key in string]: number }, 
/**
 * 有效上报数: observed in the period and not rejected at its end.
 */
valid_reports: number, 
/**
 * 自处置数: observed in the period and solved on the spot.
 */
on_the_spot: number, 
/**
 * 应结案数: due time (as it stood at the period's end) in the period.
 */
due: number, 
/**
 * 结案数: of the due, closed at the period's end.
 */
closed: number, 
/**
 * 按期结案数: of the due, closed at the due time and at the period's end.
 */
closed_on_time: number, 
/**
 * 按期处置数: of the due, handled or closed at the due time.
 */
handled_on_time: number, 
/**
 * 返工数: of the due, sent back for rework at least once by the period's end.
 */
rework: number, 
/**
 * 延期数: of the due, with an approved deferral at the period's end.
 */
deferred: number, 
/**
 * 超期: of the due, neither handled nor closed at the period's end.
 */
overdue: number, 
/**
 * 结案率 = closed ÷ due.
 */
closure_rate: number | null, 
/**
 * 按期结案率 = closed_on_time ÷ due (the standard's headline).
 */
on_time_closure_rate: number | null, 
/**
 * 按期处置率 = handled_on_time ÷ due.
 */
on_time_rate: number | null, 
/**
 * 返工率 = rework ÷ due.
 */
rework_rate: number | null, 
/**
 * 延期率 = deferred ÷ due.
 */
deferral_rate: number | null, 
/**
 * 自处置率 = on_the_spot ÷ findings_recorded.
 */
on_the_spot_rate: number | null, };

export type GridRef = { code: string, name: string, };

export type Dashboard = { large_grid: GridRef, 
/**
 * The large grids to choose from: the user's own first.
 */
large_grids: Array<GridRef>, 
/**
 * The last weeks, oldest first, this week last.
 */
weeks: Array<GridWeek>, 
/**
 * The large grid's small grids with their open and overdue counts.
 */
grids: Array<GridStat>, 
/**
 * Overdue findings in the large grid, the longest overdue first (at most [`OVERDUE_SHOWN`]).
 */
overdue: Array<FindingSummary>, 
/**
 * How many are overdue in all.
 */
overdue_total: number, };

export type QueueKey = "reported" | "accepted" | "rectified" | "deferral_requested" | "returned_by_unit" | "logs_to_review" | "overdue" | "to_rectify" | "rework" | "deferral_pending";

export type QueueList = { "kind": "findings", filter: FindingFilter, } | { "kind": "logs_to_review" };

export type QueueItem = { key: QueueKey, count: number, list: QueueList, };

export type Queue = { items: Array<QueueItem>, 
/**
 * The moment the counts were made (overdue is judged at it).
 */
as_of: string, };

export type Limits = { description: number, address: number, 
/**
 * A move's note, a log's reply and a review's comment.
 */
note: number, responsible_unit: number, user_name: number, 
/**
 * The photo size limit a new store starts with (a setting: `config set photo-max-mb`).
 */
photo_default_max_bytes: number, photo_max_side: number, photo_max_pixels: number, 
/**
 * The most weeks a dashboard or a log list asks for.
 */
grid_weeks: number, 
/**
 * The shortest passphrase an encrypted store takes (the unlock screen's hint).
 */
passphrase_min_chars: number, };

export type StatusRule = { status: Status, 
/**
 * Neither closed nor rejected ([`Status::is_open`]).
 */
open: boolean, 
/**
 * Still waiting for the unit to fix it: past its due time it is overdue ([`awaits_rectification`]).
 */
awaits_rectification: boolean, 
/**
 * A move to it must say why ([`lifecycle::needs_reason`]).
 */
needs_reason: boolean, };

export type MoveRule = { from: Status, to: Status, roles: Array<Role>, };

export type RoleRule = { role: Role, 
/**
 * A lead or an administrator ([`Role::supervises`]): reviews weekly logs, sees the dashboard
 * and the queue, edits findings they did not write.
 */
supervises: boolean, };

export type QueueRule = { key: QueueKey, list: QueueList, };

export type Rules = { limits: Limits, 
/**
 * In the lifecycle's order.
 */
statuses: Array<StatusRule>, moves: Array<MoveRule>, roles: Array<RoleRule>, 
/**
 * The default patrol days, ISO weekday numbers (1 Monday … 7 Sunday).
 */
rhythm: Array<number>, 
/**
 * The lead's queue in the order Today shows it ([`LEAD_QUEUE`]).
 */
queue: Array<QueueRule>, 
/**
 * A unit liaison's queue in the order Today shows it ([`LIAISON_QUEUE`]; the unit added by core).
 */
liaison_queue: Array<QueueRule>, };
