// The app's shared state: who is using it, the registry and categories (loaded once), the screen
// shown, and what one screen hands to another (a grid and point for a new finding, a finding to
// show). Screens read it; only the functions here change it.
import { supervises } from "./roles";
import { ipc, type AppInfo, type FindingFilter, type Today, type Grid, type GridStat, type MajorCategory, type MinorCategory, type Point, type Role } from "./ipc";
import { setCurrentLang } from "./i18n/index.svelte";
import { prefetchScreens } from "../screens";

export type Screen = "today" | "map" | "record" | "findings" | "patrols" | "logs" | "dashboard";
export const SCREENS: Screen[] = ["today", "map", "record", "findings", "patrols", "logs", "dashboard"];
/** Screens only team leads and administrators see (last, so everyone's Alt+digit stay the same). */
const LEAD_SCREENS: readonly Screen[] = ["dashboard"];

/** The screens in the navigation for a role, in order: Alt+1 is the first. */
export function screensFor(role: Role | null | undefined): Screen[] {
  return SCREENS.filter((s) => supervises(role) || !LEAD_SCREENS.includes(s));
}

export type RecordRequest = { grid: string | null; point: Point | null; seq: number };

export class AppState {
  info = $state<AppInfo | null>(null);
  grids = $state.raw<Grid[]>([]);
  categories = $state.raw<MajorCategory[]>([]);
  stats = $state.raw<GridStat[]>([]);
  screen = $state<Screen>("today");
  /** A grid (and point) another screen asked the Record screen to start with. */
  recordRequest = $state<RecordRequest | null>(null);
  /** The finding whose detail the Findings screen shows. */
  detailId = $state<string | null>(null);
  /** The screen a finding's detail was opened from (a log, the dashboard, the map), to go back to. */
  detailFrom = $state<Screen | null>(null);
  /** A grid the Findings screen should filter by when it opens next. */
  findingsGrid = $state<string | null>(null);
  /** With findingsGrid: the list shows only the grid's open findings (what its open count counts). */
  findingsOpenOnly = $state(false);
  /** A large grid whose overdue findings the Findings screen should list when it opens next. */
  findingsOverdue = $state<string | null>(null);
  /** A filter made by core (a count of the lead's queue) the Findings screen should show when it opens next. */
  findingsFilter = $state<FindingFilter | null>(null);
  /** Bumped after every change, so screens reload what they show. */
  revision = $state(0);

  /** The screens this user's navigation offers. */
  screens = $derived(screensFor(this.info?.profile?.role));
  gridByCode = $derived(new Map(this.grids.map((g) => [g.code, g])));
  smallGrids = $derived(this.grids.filter((g) => g.level === "small"));
  /** The small grids this user may record in: signed in to a hub, only its scope (core's `in_scope`). */
  recordableGrids = $derived.by(() => {
    const out = new Set(this.stats.filter((s) => !s.in_scope).map((s) => s.code));
    return out.size ? this.smallGrids.filter((g) => !out.has(g.code)) : this.smallGrids;
  });
  minorByCode = $derived(
    new Map<string, { minor: MinorCategory; major: MajorCategory }>(
      this.categories.flatMap((major) => major.minors.map((minor) => [minor.code, { minor, major }] as const)),
    ),
  );

  /** The registry, categories and counts, loading; screens that need them re-render when they arrive. */
  reference: Promise<void> = Promise.resolve();
  private referenceStarted = false;

  /** The first screen's requests, sent before the first paint by `ask`; each is used once. */
  private early: { info: Promise<AppInfo> | null; today: Promise<Today | null> | null } | null = null;

  /**
   * Sends the first screen's two requests at once, before the window first paints, so the IPC round
   * trips and the store's work overlap the paint instead of following it (the start benchmark's
   * critical path). Today's answer is dropped when nobody had chosen who they are: Today shows
   * after the first start, and asks again then.
   */
  ask(): void {
    this.early ??= { info: ipc.appInfo(), today: ipc.today().catch(() => null) };
  }

  /** Today's data asked for by `ask`, the first time only; null when there is none to use. */
  earlyToday(): Promise<Today | null> | null {
    const today = this.early?.today ?? null;
    if (this.early) this.early.today = null;
    return today;
  }

  async start(): Promise<void> {
    const early = this.early?.info ?? null;
    if (this.early) this.early.info = null;
    const info = await (early ?? ipc.appInfo());
    this.info = info;
    if (!info.profile && this.early) this.early.today = null;
    setCurrentLang(info.lang);
    // First start needs the registry to offer grids. A returning officer sees Today first: the
    // registry (250 boundaries for the map), the categories and every grid's counts load right
    // after it (or after a second at most), so Today's one query does not queue behind them.
    if (!info.profile) {
      this.loadReferenceOnce();
      await this.reference;
    } else {
      setTimeout(() => this.loadReferenceOnce(), 1000);
    }
  }

  /** The first screen has shown its data: the rest may load now. */
  firstScreenShown(): void {
    this.loadReferenceOnce();
    prefetchScreens();
  }

  private loadReferenceOnce(): void {
    if (this.referenceStarted) return;
    this.referenceStarted = true;
    this.reference = this.loadReference();
    this.reference.catch((e) => console.error("reference data failed to load", e));
  }

  async loadReference(): Promise<void> {
    const [grids, categories, stats] = await Promise.all([ipc.grids(), ipc.categories(), ipc.gridStats()]);
    this.grids = grids;
    this.categories = categories;
    this.stats = stats;
  }

  async refreshStats(): Promise<void> {
    this.stats = await ipc.gridStats();
  }

  /** Something changed in the store: reload counts and tell screens to reload. */
  changed(): void {
    this.revision++;
    this.refreshStats().catch(() => {});
  }

  go(screen: Screen): void {
    if (this.screens.includes(screen)) this.screen = screen;
  }

  recordAt(grid: string | null, point: Point | null = null): void {
    this.recordRequest = { grid, point, seq: (this.recordRequest?.seq ?? 0) + 1 };
    this.screen = "record";
  }

  showFinding(id: string): void {
    this.detailFrom = this.screen === "findings" ? null : this.screen;
    this.detailId = id;
    this.screen = "findings";
  }

  /** Leaves a finding's detail: back to the screen it was opened from, else to the list. */
  closeFinding(): void {
    const from = this.detailFrom;
    this.detailId = null;
    this.detailFrom = null;
    if (from) this.screen = from;
  }

  /** A grid's findings in the Findings list; `openOnly`: only those still being handled (the grid's open count). */
  showGridFindings(grid: string, openOnly = false): void {
    this.findingsGrid = grid;
    this.findingsOpenOnly = openOnly;
    this.detailId = null;
    this.screen = "findings";
  }

  /** Every overdue finding of a large grid, the longest overdue first, in the Findings list. */
  showOverdue(largeGrid: string): void {
    this.findingsOverdue = largeGrid;
    this.detailId = null;
    this.screen = "findings";
  }

  /** The Findings list with a filter core made: the very list a count of the lead's queue counted. */
  showFindingList(filter: FindingFilter): void {
    this.findingsFilter = filter;
    this.detailId = null;
    this.screen = "findings";
  }

  gridName(code: string | null | undefined): string {
    if (code == null) return "";
    return this.gridByCode.get(code)?.name ?? code;
  }
}

export const app = new AppState();
