// The one door between the UI and the Rust side. Only this folder imports @tauri-apps/*.
// Every function returns the Rust command's result or throws an IpcError {code, message, field}.
import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  AppInfo,
  Dashboard,
  DeferralDecisionInput,
  DeferralInput,
  Unit,
  Edit,
  ErrorBody,
  Event,
  ExportDone,
  ExportFormat,
  FindingDetail,
  FindingFilter,
  FindingInput,
  FindingSummary,
  Finding,
  Grid,
  GridStat,
  Lang,
  LogEntry,
  LogReview,
  LogView,
  MajorCategory,
  MoveInput,
  Patrol,
  PatrolWeek,
  PhotoPreview,
  Queue,
  ReviewInput,
  Role,
  SubmitInput,
  StoreLock,
  SyncView,
  Today,
  WeekRef,
} from "./bindings";

export type * from "./bindings";

/** An error from the Rust side, with a stable code the UI translates. */
export class IpcError extends Error {
  code: string;
  field: string | null;
  constructor(body: ErrorBody) {
    super(body.message);
    this.code = body.code;
    this.field = body.field ?? null;
  }
}

/** Anything thrown that is not an IpcError (a crash, a lost bridge) becomes one with code "internal". */
export function asIpcError(e: unknown): IpcError {
  if (e instanceof IpcError) return e;
  if (e && typeof e === "object" && "code" in e && "message" in e) return new IpcError(e as ErrorBody);
  return new IpcError({ code: "internal", message: String(e), field: undefined as unknown as string | null });
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await tauriInvoke<T>(cmd, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

export const ipc = {
  appInfo: () => call<AppInfo>("app_info"),
  /** What the unlock screen asks for while the store waits for its passphrase; null once it is open. */
  storeLock: () => call<StoreLock | null>("store_lock"),
  /** Opens the encrypted store with a passphrase (`again`: the second typing of a new one). */
  unlockStore: (passphrase: string, again: string | null) => call<AppInfo>("unlock_store", { passphrase, again }),
  setLang: (lang: Lang) => call<void>("set_lang", { lang }),
  setProfile: (name: string, role: Role, grids: string[]) => call<AppInfo>("set_profile", { name, role, grids }),
  loadSampleRegistry: () => call<AppInfo>("load_sample_registry"),

  today: () => call<Today>("today"),
  /** A lead's or administrator's Today: the queue's counts, each with the list it opens (queue_not_allowed for an officer). */
  leadQueue: () => call<Queue>("lead_queue"),
  /** Tells the shell the first screen shows data (the start-up benchmark waits for it). */
  ready: () => call<void>("ui_ready"),
  grids: () => call<Grid[]>("list_grids"),
  gridStats: () => call<GridStat[]>("grid_stats"),
  gridAt: (lat: number, lon: number) => call<string>("grid_at", { lat, lon }),
  categories: () => call<MajorCategory[]>("list_categories"),

  activePatrol: () => call<Patrol | null>("active_patrol"),
  startPatrol: (grids: string[]) => call<Patrol>("start_patrol", { grids }),
  endPatrol: () => call<Patrol>("end_patrol"),
  patrolWeeks: () => call<PatrolWeek[]>("patrol_weeks"),

  addFinding: (input: FindingInput) => call<Finding>("add_finding", { input }),
  findings: (filter: FindingFilter) => call<FindingSummary[]>("list_findings", { filter }),
  finding: (id: string) => call<FindingDetail>("finding_detail", { id }),
  moveFinding: (input: MoveInput) => call<Finding>("move_finding", { input }),
  /** 申请延期: the acting liaison asks for a later due time (core checks it is later than the current one). */
  requestDeferral: (input: DeferralInput) => call<Finding>("request_deferral", { input }),
  /** 审批延期: the acting lead approves or refuses the pending request. */
  decideDeferral: (input: DeferralDecisionInput) => call<Finding>("decide_deferral", { input }),
  /** The responsible units (reference data). */
  units: () => call<Unit[]>("list_units"),
  /** Changes a finding's descriptive fields; fields left out stay as they are. Core trims the texts and
   * refuses an edit that changes nothing (nothing_to_edit). */
  editFinding: (id: string, edit: Edit) => call<Finding>("edit_finding", { id, edit }),
  history: (id: string) => call<Event[]>("finding_history", { id }),

  /** The last `count` ISO weeks as core counts them, this week first (the UI does no week arithmetic). */
  recentWeeks: (count: number) => call<WeekRef[]>("recent_weeks", { count }),
  /** The acting user's last `count` weeks, this week first, each with its review (null: never submitted). */
  myLogs: (count: number) => call<LogEntry[]>("my_logs", { count }),
  /** Submitted logs waiting for the acting lead, oldest week first. */
  reviewQueue: () => call<LogEntry[]>("review_queue"),
  /** Logs already approved or returned, the most recently reviewed first (a lead's "reviewed" list). */
  reviewedLogs: (limit: number) => call<LogEntry[]>("reviewed_logs", { limit }),
  logView: (officer: string, week: string) => call<LogView>("log_view", { officer, week }),
  submitLog: (input: SubmitInput) => call<LogReview>("submit_log", { input }),
  reviewLog: (input: ReviewInput) => call<LogReview>("review_log", { input }),
  /** Writes every officer's log of `week` to the Downloads folder (the data folder's exports/ when there is none) and says which, with the path. */
  exportWeek: (week: string, format: ExportFormat) => call<ExportDone>("export_week", { week, format }),
  /** The lead's dashboard of a large grid (null: the user's own) over the last `weeks` weeks, oldest first. */
  dashboard: (largeGrid: string | null, weeks: number) => call<Dashboard>("dashboard", { largeGrid, weeks }),

  /** Checks a photo and keeps it (in the data folder, with the form's draft) until the finding is
   * saved; returns a preview, its token and EXIF defaults. */
  stagePhoto: async (name: string, bytes: Uint8Array): Promise<PhotoPreview> => {
    try {
      return await tauriInvoke<PhotoPreview>("stage_photo", bytes, {
        headers: { "x-photo-name": encodeURIComponent(name) },
      });
    } catch (e) {
      throw asIpcError(e);
    }
  },
  /** A restored draft's photo again, by the token it was staged under (`photo_token` when it is gone). */
  restagePhoto: (token: string) => call<PhotoPreview>("restage_photo", { token }),
  unstagePhoto: (token: string) => call<void>("unstage_photo", { token }),

  syncStatus: () => call<SyncView>("sync_status"),
  /** Asks for a probe and a sync round now; the status's `answered` reaches the number returned
   * once the sync task has answered this request (whatever the outcome). */
  syncNow: () => call<number>("sync_now"),
  hubSignIn: (url: string, user: string, password: string) => call<SyncView>("hub_sign_in", { url, user, password }),
  hubSignOut: () => call<SyncView>("hub_sign_out"),
  /** Calls `handler` whenever the sync task probed the hub or finished a round. Returns an unsubscribe. */
  onSyncChanged: async (handler: () => void): Promise<() => void> => {
    try {
      return await listen("sync-changed", () => handler());
    } catch {
      return () => {};
    }
  },
};

/** The URL of a stored photo (or its thumbnail), served by the app's `photo:` protocol. */
export function photoUrl(file: string): string {
  const base = navigator.userAgent.includes("Windows") ? "http://photo.localhost/" : "photo://localhost/";
  return base + file.split("/").map(encodeURIComponent).join("/");
}
