// A stand-in for the Rust side, for looking at the UI in a plain browser (`npm run dev`) only. It
// is loaded by main.ts when there is no Tauri bridge and the build is a dev build, so it never
// ships. It keeps everything in memory; `?findings=100000` fills the list to try the windowing,
// `?lead` starts as the team lead 王建国 (with logs of other officers waiting for review, and twelve
// weeks of findings in his large grid for the dashboard).
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type {
  AppInfo, Dashboard, Edit, Event, ExportFormat, Finding, FindingDetail, FindingFilter, FindingInput, FindingSummary, Grid, GridStat,
  ExportFolder, GridWeek, LogEntry, LogReview, SubmittedFigures, LogView, MajorCategory, MoveInput, Patrol, PatrolWeek, PhotoPreview, ReviewInput, Status,
  SubmitInput, User, WeeklyLog,
} from "./bindings";
import { isoWeekOf, shiftWeek, weekBounds } from "../i18n/format";
import { supervises } from "../roles";
import { figuresOf } from "../figures";
import registry from "../../../../crates/core/data/sample-registry.geojson?raw";
import categoryData from "../../../../crates/core/data/categories.json";

type Feature = { properties: { code: string; name: string; parent: string | null; owners: string[] }; geometry: Grid["boundary"] };

const MOVES: Record<Status, Status[]> = {
  reported: ["accepted", "rejected"],
  accepted: ["rectifying"],
  rejected: [],
  rectifying: ["rectified"],
  rectified: ["closed", "rework"],
  rework: ["rectified"],
  closed: ["reopened"],
  reopened: ["rectifying"],
};
const OPEN: Status[] = ["reported", "accepted", "rectifying", "rework", "reopened", "rectified"];

function fail(code: string, message: string, field: string | null = null): never {
  throw { code, message, field };
}

/** Answers every command from a fresh in-memory store, replacing any mock installed before (tests call it per test). */
export function installMock(): void {
  clearMocks();
  const features = (JSON.parse(registry) as { features: Feature[] }).features;
  let grids: Grid[] = [];
  const categories = (categoryData as unknown as { majors: MajorCategory[] }).majors;
  const minors = categories.flatMap((m) => m.minors);
  let profile: User | null = null;
  let lang: AppInfo["lang"] = "zh";
  let myGrids: string[] = [];
  let patrols: Patrol[] = [];
  let findings: Finding[] = [];
  const events: Event[] = [];
  const staged = new Map<string, PhotoPreview>();
  let seq = 0;
  const id = () => `0193${(++seq).toString(16).padStart(8, "0")}-0000-7000-8000-${Date.now().toString(16).slice(-12)}`;
  const now = () => new Date().toISOString();

  const loadRegistry = () => {
    grids = features.map((f) => ({
      code: f.properties.code, name: f.properties.name, parent: f.properties.parent,
      level: f.properties.parent ? "small" : "large", owners: f.properties.owners, boundary: f.geometry,
    }));
  };
  const summary = (f: Finding): FindingSummary => ({
    id: f.id, grid: f.grid, category: f.category, description: f.description, address: f.address,
    status: f.status, severity: f.severity, author: f.author, observed_at: f.observed_at,
    recorded_at: f.recorded_at, due_at: f.due_at,
    overdue: f.due_at != null && f.due_at < now() && OPEN.includes(f.status) && f.status !== "rectified",
  });
  const stats = (): GridStat[] =>
    grids.filter((g) => g.level === "small").map((g) => {
      const mine = findings.filter((f) => f.grid === g.code && OPEN.includes(f.status));
      // No hub in the mock: every grid is in scope.
      return { code: g.code, name: g.name, parent: g.parent ?? null, open: mine.length, overdue: mine.filter((f) => summary(f).overdue).length, in_scope: true };
    });
  // As core's my_grid_codes: the small grids naming me, and every small grid of a large grid naming me.
  const mineCodes = () => {
    if (myGrids.length) return myGrids;
    const named = (g: Grid) => !!profile && g.owners.includes(profile.name);
    const led = new Set(grids.filter((g) => g.level === "large" && named(g)).map((g) => g.code));
    return grids.filter((g) => g.level === "small" && (named(g) || (g.parent != null && led.has(g.parent)))).map((g) => g.code);
  };

  const params = new URLSearchParams(location.search);
  const fill = Number(params.get("findings") ?? 0);
  if (params.has("sample") || params.has("lead") || fill) {
    loadRegistry();
    profile = params.has("lead") ? { name: "王建国", role: "lead" } : { name: "李明", role: "officer" };
  }
  if (fill) {
    const small = grids.filter((g) => g.level === "small");
    const words = ["井盖破损", "占道经营", "暴露垃圾", "违规广告", "路灯不亮", "绿化带缺株", "渣土撒漏"];
    const statuses: Status[] = ["reported", "accepted", "rectifying", "rectified", "closed", "rework"];
    for (let i = 0; i < fill; i++) {
      const g = small[(i * 7919) % small.length];
      const t = new Date(Date.now() - i * 600_000).toISOString();
      findings.push({
        id: id(), grid: g.code, patrol: null, category: minors[i % minors.length].code,
        description: `${words[i % words.length]}，第 ${i + 1} 条`, address: `${g.name}路 ${i % 300} 号`, point: null,
        severity: "normal", responsible_unit: "", status: statuses[i % statuses.length], author: "李明",
        observed_at: t, recorded_at: t, updated_at: t, due_at: new Date(Date.parse(t) + 86_400_000).toISOString(), photos: [],
      });
    }
  }

  // Weekly logs: the figures from the patrols and findings above (the definitions of
  // crates/core/src/weekly.rs), the reviews folded from log.* events with the rules of
  // crates/core/src/review.rs `check`.
  const reviews = new Map<string, LogReview>();
  let hubSeq = 0;
  const reviewKey = (officer: string, week: string) => `${week}/${officer}`;
  const AWAITING: Status[] = ["reported", "accepted", "rectifying", "rework", "reopened"];
  const RHYTHM_DAYS = [3, 6]; // Wednesday and Saturday, as in core's default rhythm.
  const beijingDay = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000);

  const weekOr = (week: string) => weekBounds(week) ?? fail("invalid_week", `周次无效：${week}（应为 ISO 周，例如 2026-W48）。`);
  const moves = (f: Finding, to: Status) =>
    events.filter((e) => e.entity_id === f.id && e.kind === "finding.moved" && (e.payload as { to?: string })?.to === to);

  const rectifiedAt = (f: Finding) => moves(f, "rectified")[0]?.device_time ?? null;
  const isOverdue = (f: Finding) => f.due_at != null && f.due_at < now() && AWAITING.includes(f.status);

  /** A move's time to `to`, the first one (the mock keeps no history table: it counts as of now). */
  const movedAt = (f: Finding, to: Status) => moves(f, to)[0]?.device_time ?? null;
  /**
   * The measures of a week (core's `Measures`): the reports of `cohort` (observed in the week) and the
   * cases of `cases` due in `[from, until)`. Unlike core, the mock counts each case as it stands now,
   * not as of the week's end, and knows no deferral or on-the-spot case.
   */
  const tally = (cohort: Finding[], cases: Finding[], from: string, until: string) => {
    const due = cases.filter((f) => f.due_at != null && f.due_at >= from && f.due_at < until && f.status !== "rejected");
    const closed = due.filter((f) => f.status === "closed");
    const closedOnTime = closed.filter((f) => { const c = movedAt(f, "closed"); return c != null && c <= f.due_at!; }).length;
    const handledOnTime = due.filter((f) => { const r = rectifiedAt(f); return r != null && r <= f.due_at!; }).length;
    const rework = due.filter((f) => moves(f, "rework").length > 0).length;
    const overdue = due.filter((f) => f.status !== "closed" && f.status !== "rectified").length;
    const ratio = (n: number, d = due.length) => (d ? n / d : null);
    const byCategory: Record<string, number> = {};
    for (const f of cohort) byCategory[f.category] = (byCategory[f.category] ?? 0) + 1;
    return {
      findings_recorded: cohort.length, by_category: byCategory,
      valid_reports: cohort.filter((f) => f.status !== "rejected").length, on_the_spot: 0,
      due: due.length, closed: closed.length, closed_on_time: closedOnTime, handled_on_time: handledOnTime,
      rework, deferred: 0, overdue,
      closure_rate: ratio(closed.length), on_time_closure_rate: ratio(closedOnTime), on_time_rate: ratio(handledOnTime),
      rework_rate: ratio(rework), deferral_rate: ratio(0), on_the_spot_rate: ratio(0, cohort.length),
    };
  };
  /** A week's Monday as a Beijing calendar date, `2026-11-23`. */
  const mondayOf = (start: Date) => new Date(start.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

  const weeklyLog = (officer: string, week: string): WeeklyLog => {
    const { start, end } = weekOr(week);
    const [from, until] = [start.toISOString(), end.toISOString()];
    const mine = patrols.filter((p) => p.officer === officer && p.started_at >= from && p.started_at < until);
    const cohort = findings
      .filter((f) => f.author === officer && f.observed_at >= from && f.observed_at < until)
      .sort((a, b) => a.observed_at.localeCompare(b.observed_at));
    const rhythmDays = new Set(mine.map((p) => beijingDay(p.started_at)).filter((d) => RHYTHM_DAYS.includes(d.getUTCDay())).map((d) => d.toISOString().slice(0, 10)));
    return {
      officer, week,
      week_start: mondayOf(start),
      week_end: new Date(end.getTime() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10),
      patrols: mine.length, patrols_expected: RHYTHM_DAYS.length, rhythm_days_patrolled: rhythmDays.size,
      grids_walked: new Set(mine.flatMap((p) => p.grids)).size,
      grids_owned: grids.filter((g) => g.level === "small" && (g.owners.includes(officer) || (officer === profile?.name && myGrids.includes(g.code)))).length,
      ...tally(cohort, findings.filter((f) => f.author === officer), from, until),
      patrol_list: mine.map((p) => ({ id: p.id, started_at: p.started_at, ended_at: p.ended_at, grids: p.grids.length })),
      finding_list: cohort.map((f) => ({
        id: f.id, grid: f.grid, category: f.category, status: f.status, observed_at: f.observed_at, due_at: f.due_at ?? null,
        rectified_at: rectifiedAt(f), overdue: isOverdue(f),
      })),
    };
  };

  // The lead's dashboard, with the rules of core's Store::dashboard and weekly::grid_weeks: the large
  // grids mine first (owned, or holding one of my small grids), then by code; the weeks oldest first
  // over the findings observed in the large grid's small grids, whoever recorded them.
  const largeGrids = () => {
    const mine = new Set(mineCodes());
    const isMine = (g: Grid) =>
      (profile != null && g.owners.includes(profile.name)) || grids.some((s) => s.parent === g.code && mine.has(s.code));
    return grids
      .filter((g) => g.level === "large")
      .map((g) => ({ g, mine: isMine(g) }))
      .sort((a, b) => Number(b.mine) - Number(a.mine) || a.g.code.localeCompare(b.g.code))
      .map((x) => x.g);
  };
  const dashboard = (largeGrid: string | null, count: number): Dashboard => {
    if (!Number.isInteger(count) || count < 0 || count > 520) fail("invalid_value", `weeks 的值无效：${count}。`, "weeks");
    const large = largeGrids();
    const code = largeGrid?.trim() || null;
    let chosen: Grid;
    if (code) {
      chosen = large.find((g) => g.code === code)
        ?? (grids.some((g) => g.code === code) ? fail("invalid_value", `large_grid 的值无效：${code}。`, "large_grid") : fail("unknown_grid", `没有编码为 ${code} 的网格。`));
    } else {
      chosen = large[0] ?? fail("unknown_grid", "没有编码为  的网格。");
    }
    const inside = new Set(grids.filter((g) => g.parent === chosen.code).map((g) => g.code));
    const last = isoWeekOf(new Date());
    const weeks: GridWeek[] = [];
    for (let back = count - 1; back >= 0; back--) {
      const week = shiftWeek(last, -back);
      const { start, end } = weekOr(week);
      const [from, until] = [start.toISOString(), end.toISOString()];
      const cohort = findings.filter((f) => inside.has(f.grid) && f.observed_at >= from && f.observed_at < until);
      weeks.push({ week, week_start: mondayOf(start), ...tally(cohort, findings.filter((f) => inside.has(f.grid)), from, until) });
    }
    const overdue = findings
      .filter((f) => inside.has(f.grid) && isOverdue(f))
      .sort((x, y) => x.due_at!.localeCompare(y.due_at!));
    return {
      large_grid: { code: chosen.code, name: chosen.name },
      large_grids: large.map((g) => ({ code: g.code, name: g.name })),
      weeks,
      grids: stats().filter((s) => s.parent === chosen.code),
      overdue: overdue.slice(0, 200).map(summary),
      overdue_total: overdue.length,
    };
  };

  const checkText = (field: string, text: string, required: boolean): string => {
    const trimmed = text.trim();
    const name = field === "reply" ? "回复" : "审核意见";
    if (required && !trimmed) fail("empty_text", `${name}不能为空。`, field);
    if ([...trimmed].length > 1000) fail("text_too_long", `${name}过长：${[...trimmed].length} 个字，最多 1000 个字。`, field);
    return trimmed;
  };

  const STATE_ZH: Record<string, string> = { none: "未提交", submitted: "待审核", approved: "已通过", returned: "已退回" };
  const illegal = (from: LogReview | undefined, to: string) =>
    fail("illegal_review", `周巡查日志不能从“${STATE_ZH[from?.state ?? "none"]}”变为“${STATE_ZH[to]}”。`);

  /** Writes one review event and folds it into the record, as core's `write_review` does. */
  // The figures each log was last submitted with (core keeps them in the submission's payload).
  const submittedFigures = new Map<string, SubmittedFigures>();
  // figuresOf: the shape a submission carries (lib/figures.ts, as core maps it).
  const entry = (officer: string, week: string): LogEntry => ({
    log: weeklyLog(officer, week),
    review: reviews.get(reviewKey(officer, week)) ?? null,
    submitted: submittedFigures.get(reviewKey(officer, week)) ?? null,
  });

  const recordReview = (actor: string, kind: string, officer: string, week: string, text: string, at = now(), synced = false): LogReview => {
    const key = reviewKey(officer, week);
    const current = reviews.get(key);
    let next: LogReview;
    if (kind === "log.submitted") {
      submittedFigures.set(key, figuresOf(weeklyLog(officer, week)));
      next = current
        ? { ...current, state: "submitted", submitted_at: at, rounds: current.rounds + 1, reply: text, updated_at: at }
        : { officer, week, state: "submitted", submitted_at: at, rounds: 1, reply: text, reviewer: null, reviewed_at: null, comment: "", updated_at: at };
    } else {
      next = { ...current!, state: kind === "log.approved" ? "approved" : "returned", reviewer: actor, reviewed_at: at, comment: text, updated_at: at };
    }
    reviews.set(key, next);
    events.push({ id: id(), entity: "weekly_log", entity_id: key, actor, kind, payload: { officer, week, text }, device_time: at,
      sync: synced ? "acked" : "pending", hub_seq: synced ? ++hubSeq : null });
    return next;
  };

  // Two officers' logs wait for a lead: 张伟's came back once and was answered, 王芳's is new.
  {
    const last = shiftWeek(isoWeekOf(new Date()), -1);
    const before = shiftWeek(last, -1);
    const t = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    recordReview("张伟", "log.submitted", "张伟", before, "", t(6), true);
    recordReview("王建国", "log.returned", "张伟", before, "周三没有巡查，请说明原因。", t(5), true);
    recordReview("张伟", "log.submitted", "张伟", before, "周三参加区里的培训，周四已补巡。", t(4), true);
    recordReview("王芳", "log.submitted", "王芳", last, "", t(1), true);
  }

  // `?lead`: twelve weeks of findings in the lead's large grid (黄河大网格), recorded by the officers
  // of its small grids: most closed (some late, some after a rework), some still open past their
  // deadline, so the dashboard has something to show. A fixed pseudo-random sequence keeps the
  // picture the same on every load.
  if (params.has("lead")) {
    let r = 20261126;
    const rand = () => (r = (r * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const HOUR = 3600_000, DAY = 86_400_000;
    const home = largeGrids()[0];
    const small = grids.filter((g) => g.parent === home.code);
    const pool = minors.filter((m) => m.deadline != null && ["01", "02", "03", "04"].includes(m.code.slice(0, 2)));
    const deadline = (m: (typeof minors)[number], from: number): number => {
      const d = m.deadline!;
      if ("hours" in d) return from + d.hours * HOUR;
      let t = from;
      for (let left = d.working_days; left > 0; ) {
        t += DAY;
        const day = new Date(t + 8 * HOUR).getUTCDay();
        if (day !== 0 && day !== 6) left--;
      }
      return t;
    };
    const latest = Date.now() - 60_000;
    const at = (t: number) => new Date(Math.min(t, latest)).toISOString();
    const move = (f: Finding, to: Status, t: number, actor: string) => {
      events.push({ id: id(), entity: "finding", entity_id: f.id, actor, kind: "finding.moved",
        payload: { from: f.status, to, note: "", photos: [] }, device_time: at(t), sync: "acked", hub_seq: ++hubSeq });
      f.status = to;
      f.updated_at = at(t);
    };
    const thisWeek = isoWeekOf(new Date());
    for (let back = 11; back >= 0; back--) {
      const start = weekOr(shiftWeek(thisWeek, -back)).start.getTime();
      const n = 6 + Math.floor(rand() * 9);
      for (let i = 0; i < n; i++) {
        const observed = start + rand() * 7 * DAY;
        if (observed > latest) continue;
        const g = small[Math.floor(rand() ** 2 * small.length)]; // some grids busier than others
        const m = pick(pool);
        const due = deadline(m, observed);
        const author = g.owners[0] ?? "李明";
        const f: Finding = {
          id: id(), grid: g.code, patrol: null, category: m.code, description: `${m.name_zh}，${g.name}${1 + Math.floor(rand() * 40)} 号附近`,
          address: "", point: null, severity: rand() < 0.15 ? "high" : "normal", responsible_unit: "", status: "reported", author,
          observed_at: at(observed), recorded_at: at(observed + 10 * 60_000), updated_at: at(observed), due_at: new Date(due).toISOString(),
          photos: [],
        };
        findings.unshift(f);
        events.push({ id: id(), entity: "finding", entity_id: f.id, actor: author, kind: "finding.reported", payload: null,
          device_time: f.recorded_at, sync: "acked", hub_seq: ++hubSeq });
        const span = due - observed;
        const fate = rand();
        move(f, "accepted", observed + span * 0.1, "王建国");
        if (due < latest && fate < 0.2) {
          if (fate < 0.1) move(f, "rectifying", observed + span * 0.3, author);
          continue; // still open, past its deadline
        }
        move(f, "rectifying", observed + span * 0.3, author);
        if (observed + span * 0.6 > latest || (back <= 1 && fate < 0.5)) continue; // under way
        const late = fate > 0.8; // rectified after the deadline
        move(f, "rectified", late ? due + span * 0.4 : observed + span * 0.6, author);
        if (fate > 0.6 && fate <= 0.72) {
          move(f, "rework", due + HOUR, "王建国");
          move(f, "rectified", due + span * 0.5, author);
        }
        if (Date.parse(f.updated_at) + 2 * HOUR < latest) move(f, "closed", Date.parse(f.updated_at) + 2 * HOUR, "王建国");
      }
    }
  }

  const me = () => profile ?? fail("no_profile", "还没有本机用户，请先完成首次设置。");

  // A finding's descriptive edits, with the rules of core's Store::edit_finding and remote::check_edited
  // (the hub's grid scope aside: the mock has no hub). Texts are trimmed and checked; a field equal to
  // what the finding holds is left out; then an edit must change something, be the author's or a
  // lead's or administrator's, and the finding must be neither closed nor rejected.
  const EDIT_TEXT = {
    description: { zh: "问题描述", max: 2000, required: true },
    address: { zh: "地址", max: 200, required: false },
    responsible_unit: { zh: "责任单位", max: 100, required: false },
  } as const;
  const editText = (field: keyof typeof EDIT_TEXT, value: string | null | undefined, current: string): string | undefined => {
    if (value == null) return undefined;
    const { zh, max, required } = EDIT_TEXT[field];
    const trimmed = value.trim();
    if (required && !trimmed) fail("empty_text", `${zh}不能为空。`, field);
    const len = [...trimmed].length;
    if (len > max) fail("text_too_long", `${zh}过长：${len} 个字，最多 ${max} 个字。`, field);
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(trimmed)) fail("invalid_value", `${zh}含有控制字符。`, field);
    return trimmed === current ? undefined : trimmed;
  };
  const ROLE_ZH: Record<string, string> = { officer: "网格员", lead: "组长", admin: "管理员" };
  const CLOSED_ZH: Partial<Record<Status, string>> = { closed: "结案", rejected: "不予立案" };
  const mayEdit = (f: Finding, user: User) =>
    (f.author === user.name || supervises(user.role)) && f.status !== "closed" && f.status !== "rejected";

  const handlers: Record<string, (a: any) => unknown> = {
    app_info: (): AppInfo => ({ version: "0.1.0-dev", data_dir: "(mock)", profile, sample_registry: grids.length > 0, lang, store_refusal: null }),
    set_lang: (a) => { lang = a.lang; },
    set_profile: (a) => {
      if (!String(a.name).trim()) fail("empty_text", "姓名不能为空。", "name");
      profile = { name: a.name, role: a.role }; myGrids = a.grids;
      return handlers.app_info({});
    },
    load_sample_registry: () => { loadRegistry(); return handlers.app_info({}); },
    ui_ready: () => null,
    today: () => ({
      profile, patrol: patrols.find((p) => p.ended_at == null) ?? null,
      my_grids: stats().filter((s) => mineCodes().includes(s.code)).sort((a, b) => b.overdue - a.overdue || b.open - a.open),
      pending: events.filter((e) => e.sync === "pending").length, parked: 0,
    }),
    list_grids: () => grids,
    grid_stats: stats,
    grid_at: (a) => {
      const g = grids.find((g) => g.level === "small" && JSON.stringify(g.boundary).length && inside(g, a.lon, a.lat));
      return g ? g.code : fail("point_in_no_grid", "该位置不在任何小网格内。", "point");
    },
    list_categories: () => categories,
    active_patrol: () => patrols.find((p) => p.ended_at == null) ?? null,
    start_patrol: (a) => {
      if (patrols.some((p) => p.ended_at == null)) fail("patrol_under_way", "已有一次巡查正在进行。");
      if (!a.grids.length) fail("patrol_without_grids", "巡查至少要包含一个网格。");
      const p: Patrol = { id: id(), officer: profile?.name ?? "", kind: "scheduled", grids: a.grids, started_at: now(), ended_at: null, notes: "" };
      patrols.push(p);
      return p;
    },
    end_patrol: () => {
      const p = patrols.find((p) => p.ended_at == null) ?? fail("no_patrol_under_way", "当前没有进行中的巡查。");
      p.ended_at = now();
      return p;
    },
    patrol_weeks: (): PatrolWeek[] => {
      const byWeek = new Map<string, PatrolWeek>();
      for (const p of [...patrols].reverse()) {
        const week = isoWeek(new Date(p.started_at));
        if (!byWeek.has(week)) byWeek.set(week, { week, patrols: [] });
        byWeek.get(week)!.patrols.push({ patrol: p, findings: findings.filter((f) => f.patrol === p.id).map(summary) });
      }
      return [...byWeek.values()];
    },
    add_finding: (a: { input: FindingInput }) => {
      const i = a.input;
      const grid = i.grid ?? fail("unknown_grid", "请选择网格。", "grid");
      if (!minors.some((m) => m.code === i.category)) fail("unknown_category", `没有编码为 ${i.category} 的问题类别。`, "category");
      if (!i.description.trim()) fail("empty_text", "问题描述不能为空。", "description");
      if (i.description.length > 500) fail("text_too_long", `问题描述过长：${i.description.length} 个字，最多 500 个字。`, "description");
      const g = grids.find((x) => x.code === grid) ?? fail("unknown_grid", `没有编码为 ${grid} 的网格。`, "grid");
      if (i.point && !inside(g, i.point.lon, i.point.lat)) fail("point_outside_grid", `位置不在网格 ${grid} 内。`, "point");
      if (i.observed_at > now()) fail("observed_in_future", "发现时间不能在将来。", "observed_at");
      const t = now();
      const f: Finding = {
        id: id(), grid, patrol: patrols.find((p) => p.ended_at == null)?.id ?? null, category: i.category,
        description: i.description.trim(), address: i.address, point: i.point, severity: i.severity,
        responsible_unit: i.responsible_unit, status: "reported", author: profile?.name ?? "", observed_at: i.observed_at,
        recorded_at: t, updated_at: t, due_at: new Date(Date.now() + 86_400_000).toISOString(),
        photos: i.photos.map((tok) => staged.get(tok)!).filter(Boolean).map((p) => ({
          sha256: p.sha256, role: "before", file: p.thumbnail, thumbnail: p.thumbnail, bytes: p.bytes,
          width: p.width, height: p.height, exif_time: p.exif_time, exif_point: p.exif_point,
        })),
      };
      findings.unshift(f);
      events.push({ id: id(), entity: "finding", entity_id: f.id, actor: f.author, kind: "finding.reported", payload: null, device_time: t, sync: "pending", hub_seq: null });
      return f;
    },
    list_findings: (a: { filter: FindingFilter }) => {
      const q = a.filter;
      let list = findings.filter((f) =>
        (!q.grid || f.grid === q.grid) && (!q.status || f.status === q.status) && (!q.open_only || OPEN.includes(f.status)) &&
        (!q.large_grid || grids.find((g) => g.code === f.grid)?.parent === q.large_grid) && (!q.overdue_only || summary(f).overdue) &&
        (!q.category || f.category === q.category) && (!q.search || f.description.includes(q.search) || f.address.includes(q.search)) &&
        (!q.observed_from || f.observed_at >= q.observed_from) && (!q.observed_until || f.observed_at < q.observed_until));
      const cmp: Record<string, (x: Finding, y: Finding) => number> = {
        observed_desc: (x, y) => y.observed_at.localeCompare(x.observed_at),
        observed_asc: (x, y) => x.observed_at.localeCompare(y.observed_at),
        due_asc: (x, y) => (x.due_at ?? "~").localeCompare(y.due_at ?? "~"),
        status: (x, y) => x.status.localeCompare(y.status),
      };
      list = [...list].sort(cmp[q.sort]);
      return list.slice(0, q.limit ?? list.length).map(summary);
    },
    finding_detail: (a): FindingDetail => {
      const f = findings.find((f) => f.id === a.id) ?? fail("finding_not_found", `没有编号为 ${a.id} 的问题。`);
      const minor = minors.find((m) => m.code === f.category)!;
      return {
        finding: f, category: minor, grid_name: grids.find((g) => g.code === f.grid)?.name ?? f.grid,
        overdue: summary(f).overdue, moves: MOVES[f.status],
        // The author, or a lead or administrator, while the finding is neither closed nor rejected.
        can_edit: profile != null && mayEdit(f, profile),
        history: events.filter((e) => e.entity_id === f.id),
      };
    },
    move_finding: (a: { input: MoveInput }) => {
      const f = findings.find((f) => f.id === a.input.id) ?? fail("finding_not_found", "没有这个问题。");
      if (!MOVES[f.status].includes(a.input.to)) fail("illegal_move", `问题不能从“${f.status}”变为“${a.input.to}”。`);
      if (a.input.note.length > 500) fail("text_too_long", "备注过长。", "note");
      events.push({ id: id(), entity: "finding", entity_id: f.id, actor: profile?.name ?? "", kind: "finding.moved",
        payload: { from: f.status, to: a.input.to, note: a.input.note, photos: [] }, device_time: now(), sync: "pending", hub_seq: null });
      f.status = a.input.to;
      f.updated_at = now();
      return f;
    },
    edit_finding: (a: { id: string; edit: Edit }): Finding => {
      const user = me();
      const f = findings.find((f) => f.id === a.id) ?? fail("finding_not_found", `没有编号为 ${a.id} 的问题。`);
      const asked = a.edit ?? {};
      const edit: Edit = {};
      const description = editText("description", asked.description, f.description);
      if (description !== undefined) edit.description = description;
      const address = editText("address", asked.address, f.address);
      if (address !== undefined) edit.address = address;
      if (asked.severity != null && asked.severity !== f.severity) edit.severity = asked.severity;
      const unit = editText("responsible_unit", asked.responsible_unit, f.responsible_unit);
      if (unit !== undefined) edit.responsible_unit = unit;
      if (Object.keys(edit).length === 0) fail("nothing_to_edit", "没有修改任何内容。");
      if (f.author !== user.name && user.role !== "lead" && user.role !== "admin")
        fail("edit_not_allowed", `${ROLE_ZH[user.role] ?? user.role}只能修改自己上报的问题。`);
      if (!mayEdit(f, user)) fail("finding_closed", `问题已${CLOSED_ZH[f.status] ?? f.status}，不能再修改。`);
      const t = now() > f.updated_at ? now() : f.updated_at;
      Object.assign(f, edit, { updated_at: t });
      events.push({ id: id(), entity: "finding", entity_id: f.id, actor: user.name, kind: "finding.edited", payload: edit,
        device_time: t, sync: "pending", hub_seq: null });
      return f;
    },
    finding_history: (a) => events.filter((e) => e.entity_id === a.id),
    stage_photo: (bytes: Uint8Array) => {
      if (!(bytes instanceof Uint8Array) || bytes.length < 4) fail("photo_not_image", "这个文件不是图片。", "photos");
      const token = id();
      const blob = new Blob([bytes as BlobPart]);
      const p: PhotoPreview = {
        token, name: "photo", sha256: token, width: 100, height: 100, bytes: bytes.length,
        exif_time: new Date(Date.now() - 3600_000).toISOString(), exif_point: { lat: 37.408, lon: 117.928 },
        thumbnail: URL.createObjectURL(blob),
      };
      staged.set(token, p);
      return p;
    },
    restage_photo: (a) => staged.get(a.token) ?? fail("photo_token", "这张照片已不在本机保存，请重新添加。", "photos"),
    unstage_photo: (a) => { staged.delete(a.token); },

    my_logs: (a: { count: number }): LogEntry[] => {
      const name = me().name;
      let week = isoWeekOf(new Date());
      const out: LogEntry[] = [];
      for (let i = 0; i < Math.min(53, Math.max(1, a.count)); i++) {
        out.push(entry(name, week));
        week = shiftWeek(week, -1);
      }
      return out;
    },
    review_queue: (): LogEntry[] => {
      if (!["lead", "admin"].includes(me().role)) fail("review_not_allowed", "网格员无权审核周巡查日志，只有组长和管理员可以审核。");
      return [...reviews.values()]
        .filter((r) => r.state === "submitted")
        .sort((x, y) => x.week.localeCompare(y.week) || x.submitted_at.localeCompare(y.submitted_at) || x.officer.localeCompare(y.officer))
        .map((r) => entry(r.officer, r.week));
    },
    reviewed_logs: (a: { limit: number }): LogEntry[] => {
      if (!["lead", "admin"].includes(me().role)) fail("review_not_allowed", "网格员无权审核周巡查日志，只有组长和管理员可以审核。");
      return [...reviews.values()]
        .filter((r) => r.state === "approved" || r.state === "returned")
        .sort((x, y) => (y.reviewed_at ?? "").localeCompare(x.reviewed_at ?? "") || y.week.localeCompare(x.week) || x.officer.localeCompare(y.officer))
        .slice(0, Math.max(1, a.limit))
        .map((r) => entry(r.officer, r.week));
    },
    log_view: (a: { officer: string; week: string }): LogView => {
      const user = me();
      const officer = a.officer.trim();
      const log = weeklyLog(officer, a.week);
      const review = reviews.get(reviewKey(officer, a.week)) ?? null;
      const { start } = weekOr(a.week);
      const cohort = new Set(log.finding_list.map((f) => f.id));
      return {
        log, review,
        submitted: submittedFigures.get(reviewKey(officer, a.week)) ?? null,
        history: events.filter((e) => e.entity === "weekly_log" && e.entity_id === reviewKey(officer, a.week)),
        findings: findings.filter((f) => cohort.has(f.id)).sort((x, y) => x.observed_at.localeCompare(y.observed_at)).map(summary),
        photos: findings
          .filter((f) => cohort.has(f.id))
          .sort((x, y) => x.observed_at.localeCompare(y.observed_at))
          .flatMap((f) => f.photos.map((photo) => ({ finding: f.id, photo }))),
        can_submit: user.name === officer && start.getTime() <= Date.now() && (review == null || review.state === "returned"),
        can_review: supervises(user.role) && user.name !== officer && review?.state === "submitted",
      };
    },
    submit_log: (a: { input: SubmitInput }): LogReview => {
      const user = me();
      const { start } = weekOr(a.input.week);
      if (start.getTime() > Date.now()) fail("week_not_started", `${a.input.week} 还没有开始，不能提交这一周的日志。`);
      const current = reviews.get(reviewKey(user.name, a.input.week));
      if (current && current.state !== "returned") illegal(current, "submitted");
      const reply = checkText("reply", a.input.reply, current?.state === "returned");
      return recordReview(user.name, "log.submitted", user.name, a.input.week, reply);
    },
    review_log: (a: { input: ReviewInput }): LogReview => {
      const user = me();
      const { officer, week, decision, comment } = a.input;
      weekOr(week);
      if (user.role !== "lead" && user.role !== "admin") fail("review_not_allowed", "网格员无权审核周巡查日志，只有组长和管理员可以审核。");
      if (user.name === officer.trim()) fail("not_your_log", `这是 ${officer} 的周巡查日志：只有本人可以提交，本人不能审核。`);
      const current = reviews.get(reviewKey(officer.trim(), week));
      const to = decision === "approve" ? "approved" : "returned";
      if (current?.state !== "submitted") illegal(current, to);
      const text = checkText("comment", comment, decision === "return");
      return recordReview(user.name, decision === "approve" ? "log.approved" : "log.returned", officer.trim(), week, text);
    },
    export_week: (a: { week: string; format: ExportFormat }) => {
      weekOr(a.week);
      const officers = new Set([...(profile ? [profile.name] : []), ...[...reviews.values()].filter((r) => r.week === a.week).map((r) => r.officer)]);
      // `?no-downloads`: a system without a Downloads folder, where core writes into the data folder.
      const folder: ExportFolder = params.has("no-downloads") ? "data_exports" : "downloads";
      const dir = folder === "downloads" ? "/home/mock/Downloads" : "/home/mock/.local/share/org.gridpatrol.desktop/exports";
      return { path: `${dir}/周巡查日志-${a.week}.${a.format}`, logs: officers.size, folder };
    },
    dashboard: (a: { largeGrid: string | null; weeks: number }): Dashboard => {
      if (!["lead", "admin"].includes(me().role)) fail("dashboard_not_allowed", "网格员无权查看仪表盘，只有组长和管理员可以查看。");
      return dashboard(a.largeGrid ?? null, a.weeks);
    },
  };

  mockIPC((cmd, payload) => {
    const h = handlers[cmd];
    if (!h) fail("internal", `mock: no command ${cmd}`);
    return h(payload as any);
  });
}

function inside(g: Grid, lon: number, lat: number): boolean {
  const ring = (g.boundary as { coordinates: [number, number][][] }).coordinates[0];
  let c = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const y = t.getUTCFullYear();
  const w = Math.ceil(((t.getTime() - Date.UTC(y, 0, 1)) / 86_400_000 + 1) / 7);
  return `${y}-W${String(w).padStart(2, "0")}`;
}
