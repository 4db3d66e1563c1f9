//! The sample city's recent past (`gridpatrol-hub sample`): four weeks of SAMPLE activity (示例数据)
//! in a hub made by `init --sample`, so a newcomer's first screens show what the product is for.
//!
//! What it is: a scripted city, played through the real parts. Each sample user works on a device
//! of their own — a core [`Store`] in a scratch folder, signed in with the scope the hub gives
//! them — and every record, move, deferral, patrol and weekly-log review is made there by the
//! store's own calls, as that user; each device then pushes its outbox to the hub's
//! [`HubStore::push`] (the push route's own call: core's decoder and judge, the hub's derived
//! clock, its photo checks) and pulls what others did before it acts. Nothing is written as a row.
//!
//! How the time works: the hub stamps every event with the time it accepts it, so history cannot
//! be backdated through the network. Here the hub's clock is the *sample city's clock*, a
//! [`FixedClock`] this module sets to each step's time before the step is made and pushed: the hub
//! accepts each event at the time the story says, dispatches start their deadline clocks then, and
//! the measures count them then — exactly what a hub running through those four weeks would have
//! stored. An officer's first patrol is walked offline and synced two days later: its findings keep
//! their observed (device) times while the hub's accepted times are the sync's, the rule issue 10
//! describes. Every step is at least a minute before `now`, so no device ever pulls a time in its
//! future; a step that would fall later is not made (its case stays where it was).
//!
//! Deterministic: the same seed and the same `now` week give the same city (ids from seeded
//! UUIDv7s, texts, points, photos and times from a SplitMix64 stream of the seed). Refused unless
//! the hub holds the SAMPLE registry and no event yet.
//!
//! What it is not: a benchmark generator (that is core's `generator`, which writes SQL straight
//! into a device store) or a way in for real data.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use gridpatrol_core::calendar::{IsoWeek, CITY_TZ};
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::model::{PatrolKind, Point, Role, User};
use gridpatrol_core::review::Decision;
use gridpatrol_core::{remote, MoveRequest, NewFinding, PhotoSource, Status, Store, Urgency};
use gridpatrol_sync::wire::WireEvent;
use serde::Serialize;

use crate::admin::Admin;
use crate::auth::Principal;
use crate::error::{HubError, Result};
use crate::photos::PhotoVault;
use crate::store::{HubStore, SqliteStore};

/// The lead whose large grid the sample city's activity is in (made by `init --sample`).
pub const LEAD: &str = "王建国";
/// The sample unit liaison (made by `init --sample`) and their unit.
pub const LIAISON: &str = "周联络";
pub const LIAISON_UNIT: &str = "WATER";
/// Officers of the lead's large grid who patrol in the sample city: the two `init --sample` makes
/// and three more this command adds (the grids' owners in the SAMPLE registry), with the password
/// `officer-sample`.
pub const OFFICERS: &[&str] = &["李明", "张丽", "王杰", "刘娜", "陈军"];
pub const EXTRA_OFFICERS: &[(&str, &[&str])] = &[
    ("王杰", &["37160200100109", "37160200100110"]),
    ("刘娜", &["37160200100113", "37160200100114"]),
    ("陈军", &["37160200100117", "37160200100118"]),
];
pub const EXTRA_PASSWORD: &str = "officer-sample";

/// What to write.
#[derive(Debug, Clone)]
pub struct SampleConfig {
    pub seed: u64,
    /// How many ISO weeks, the last being `now`'s.
    pub weeks: u32,
    /// The end of the sample history: nothing happens after it.
    pub now: DateTime<Utc>,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct SampleSummary {
    pub weeks: Vec<String>,
    pub patrols: usize,
    pub findings: usize,
    /// Findings by their status at the end.
    pub statuses: BTreeMap<String, usize>,
    pub deferrals_asked: usize,
    pub logs_submitted: usize,
    pub logs_returned: usize,
    pub events: i64,
    pub photos: usize,
}

/// SplitMix64: a seed means the same city whatever `rand` becomes.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo).max(1) as usize) as i64
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A kind of problem the sample officers find: its category, how it is described, and the unit a
/// lead dispatches it to (the category's default in the SAMPLE units).
struct Problem {
    category: &'static str,
    unit: &'static str,
    phrases: &'static [&'static str],
}

const STREETS: &[&str] =
    &["黄河五路", "黄河三路", "渤海七路", "渤海五路", "新立河东路", "长江二路", "梧桐路", "鼓楼街"];
const PLACES: &[&str] =
    &["交叉口", "公交站旁", "小区东门", "农贸市场北侧", "学校门口", "路段中段", "桥头", "便民服务中心前"];

const WATER_COVER: Problem = Problem {
    category: "10101",
    unit: "WATER",
    phrases: &["上水井盖破损，有行人踏空危险", "上水井盖缺失，已临时摆放锥桶", "上水井盖松动，车辆经过异响"],
};
const WATER_PIPE: Problem = Problem {
    category: "20402",
    unit: "WATER",
    phrases: &["自来水管破裂，路面渗水结冰", "地面持续冒水，疑似供水管道漏水"],
};
const SEWER_COVER: Problem =
    Problem {
        category: "10102", unit: "DRAINAGE", phrases: &["污水井盖下沉，路面不平", "污水井盖破损，异味明显"]
    };
const EXPOSED_TRASH: Problem = Problem {
    category: "20102",
    unit: "SANITATION",
    phrases: &["绿化带内暴露垃圾未清运", "路边堆放生活垃圾，无人清理"],
};
const PILED_WASTE: Problem =
    Problem {
        category: "20103", unit: "SANITATION", phrases: &["积存建筑垃圾渣土约3立方米", "背街小巷积存垃圾渣土"]
    };
const DIRTY_ROAD: Problem = Problem {
    category: "20104",
    unit: "SANITATION",
    phrases: &["路面油污未清扫", "渣土车遗撒，路面污染约20米", "人行道落叶纸屑较多，保洁不到位"],
};
const DIRTY_GREEN: Problem =
    Problem {
        category: "20106", unit: "GREENERY", phrases: &["绿地内枯枝杂物堆积", "绿化带脏乱，白色垃圾较多"]
    };
const ILLEGAL_BUILDING: Problem =
    Problem {
        category: "20101", unit: "ENFORCEMENT", phrases: &["底商私自搭建彩钢棚", "楼顶私搭乱建板房"]
    };
const STALLS: Problem =
    Problem {
        category: "20590", unit: "ENFORCEMENT", phrases: &["流动摊贩占道经营，影响通行", "早市摊点占用人行道"]
    };
const FLYERS: Problem =
    Problem {
        category: "20201", unit: "ENFORCEMENT", phrases: &["电线杆上张贴非法小广告", "墙面喷涂办证小广告"]
    };
const POWER_COVER: Problem =
    Problem { category: "10105", unit: "POWER", phrases: &["电力井盖破损", "电力井盖与路面高差较大"] };

/// The everyday problems, for cases without a scripted fate.
const EVERYDAY: &[&Problem] =
    &[&EXPOSED_TRASH, &PILED_WASTE, &DIRTY_ROAD, &DIRTY_GREEN, &SEWER_COVER, &POWER_COVER, &WATER_COVER, &DIRTY_ROAD];

/// Where a case's story ends, and how it gets there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// 待受理: the lead has not looked at it yet.
    Reported,
    /// 待派遣.
    Accepted,
    /// Dispatched, the unit at work.
    Rectifying,
    /// Handled, waiting for the lead's re-check (待核查).
    Rectified,
    /// The whole loop, on time or a little late.
    Closed,
    /// Rejected (不予立案) with a reason.
    Rejected,
    /// Handled, sent back for rework (返工) once, handled again, closed.
    ReworkedThenClosed,
    /// Handled by the unit's liaison and sent back for rework: still in rework.
    Rework,
    /// Closed, then reopened after the return visit (回访不满意).
    Reopened,
    /// Suspended (缓办) by the lead.
    Suspended,
    /// The unit's liaison asked for a deferral, the lead approved it, the unit handled it, closed.
    DeferralApproved,
    /// The unit's liaison asked for a deferral; the lead has not decided yet.
    DeferralPending,
    /// Dispatched and left unhandled past its due time (超期).
    Overdue,
    /// The unit returned it (回退) as not theirs; waiting for the lead to dispatch it again.
    Returned,
    /// Returned by one unit, dispatched to the right one, handled, closed.
    ReturnedThenClosed,
    /// 当场处置: solved on the spot, closed at once.
    OnTheSpot,
}

impl Fate {
    fn problem(self, rng: &mut Rng) -> &'static Problem {
        match self {
            Fate::DeferralApproved | Fate::DeferralPending | Fate::Rework => &WATER_COVER,
            Fate::Returned | Fate::ReturnedThenClosed => &WATER_PIPE,
            Fate::Suspended => &ILLEGAL_BUILDING,
            Fate::Rejected => &STALLS,
            Fate::OnTheSpot => &FLYERS,
            Fate::Overdue => &PILED_WASTE,
            Fate::Reopened => &DIRTY_ROAD,
            Fate::ReworkedThenClosed => &DIRTY_GREEN,
            _ => *rng.pick(EVERYDAY),
        }
    }
}

/// One step of a case's story, made by one role.
#[derive(Debug, Clone)]
enum Step {
    Accept,
    Reject(&'static str),
    Dispatch(&'static str),
    /// 已整改 with an after photo; `late`: after the due time.
    Rectify {
        late: bool,
    },
    Close,
    Rework(&'static str),
    Reopen(&'static str),
    Suspend(&'static str),
    AskDeferral,
    DecideDeferral,
    Return(&'static str),
}

fn script(fate: Fate, unit: &'static str, late: bool) -> Vec<Step> {
    use Step::*;
    let handled = |v: &mut Vec<Step>| v.extend([Accept, Dispatch(unit), Rectify { late }]);
    let mut v = Vec::new();
    match fate {
        Fate::Reported | Fate::OnTheSpot => {}
        Fate::Accepted => v.push(Accept),
        Fate::Rectifying => v.extend([Accept, Dispatch(unit)]),
        Fate::Rectified => handled(&mut v),
        Fate::Closed => {
            handled(&mut v);
            v.push(Close);
        }
        Fate::Rejected => v.push(Reject("经核实为早市临时摊点，已纳入便民市场管理，不予立案")),
        Fate::ReworkedThenClosed => {
            handled(&mut v);
            v.extend([Rework("整改后照片显示仍有枯枝未清理，请返工"), Rectify { late: false }, Close]);
        }
        Fate::Rework => {
            handled(&mut v);
            v.push(Rework("井盖已更换但周边路面未恢复，请返工"));
        }
        Fate::Reopened => {
            handled(&mut v);
            v.extend([Close, Reopen("回访不满意：群众反映清扫后次日又有油污，请重新处置")]);
        }
        Fate::Suspended => v.extend([Accept, Dispatch(unit), Suspend("涉及产权纠纷，待区住建局认定后处理")]),
        Fate::DeferralApproved => {
            v.extend([Accept, Dispatch(unit), AskDeferral, DecideDeferral, Rectify { late: false }, Close]);
        }
        Fate::DeferralPending => v.extend([Accept, Dispatch(unit), AskDeferral]),
        Fate::Overdue => v.extend([Accept, Dispatch(unit)]),
        Fate::Returned => v.extend([Accept, Dispatch(unit), Return("经现场核实为排水管道渗漏，不属于供水公司职责")]),
        Fate::ReturnedThenClosed => v.extend([
            Accept,
            Dispatch(unit),
            Return("经现场核实为排水管道渗漏，不属于供水公司职责"),
            Dispatch("DRAINAGE"),
            Rectify { late: false },
            Close,
        ]),
    }
    v
}

/// A case of the story: who found it, where its story goes, how far it got.
struct Case {
    officer: usize,
    fate: Fate,
    problem: &'static Problem,
    steps: Vec<Step>,
    next: usize,
    id: Option<String>,
    /// The unit it stands dispatched to, as the story goes.
    unit: Option<&'static str>,
    due_at: Option<DateTime<Utc>>,
    /// Whether a step would have fallen after `now`: the story stops there.
    stopped: bool,
    /// From when the hub holds its report (a report made offline waits for the sync).
    at_hub: DateTime<Utc>,
}

/// What happens at a moment of the story.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    PatrolStart {
        officer: usize,
        offline: bool,
    },
    Record {
        case: usize,
    },
    PatrolEnd {
        officer: usize,
    },
    /// An officer back online: their device syncs what it recorded offline.
    Sync {
        officer: usize,
    },
    CaseStep {
        case: usize,
    },
    Submit {
        officer: usize,
        week: String,
    },
    Review {
        officer: usize,
        week: String,
        approve: bool,
    },
}

/// A sample user's device: their store, their principal at the hub, their pull cursor, and
/// whether it is offline (records, but neither pushes nor pulls).
struct Device {
    store: Store,
    who: Principal,
    offline: bool,
}

/// The hub side of the story: the hub's store on the sample clock, its photo vault.
struct City<'a> {
    hub: &'a SqliteStore,
    vault: &'a PhotoVault,
    clock: Arc<FixedClock>,
    runtime: tokio::runtime::Runtime,
    photos: usize,
}

/// `hour:minute` of `date` in Beijing time (minutes past 59 carry into the hour).
fn local(date: NaiveDate, hour: u32, minute: u32) -> Result<DateTime<Utc>> {
    let naive = date.and_time(chrono::NaiveTime::MIN) + Duration::minutes(i64::from(hour * 60 + minute));
    CITY_TZ
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| HubError::Internal(format!("{naive} is not a time in the city")))
}

/// A later time inside office hours (08:30–17:30, Beijing time): a lead or a unit acts by day.
fn by_day(t: DateTime<Utc>, rng: &mut Rng) -> Result<DateTime<Utc>> {
    let l = t.with_timezone(&CITY_TZ);
    let minutes = l.hour() * 60 + l.minute();
    if (8 * 60 + 30..17 * 60 + 30).contains(&minutes) {
        return Ok(t);
    }
    let day = if minutes >= 17 * 60 + 30 { l.date_naive() + Duration::days(1) } else { l.date_naive() };
    local(day, 8, 40 + rng.below(50) as u32)
}

fn refused(code: &'static str, zh: &str, en: &str) -> HubError {
    HubError::refused(code, zh.to_string(), en.to_string())
}

fn story_error(what: &str, e: impl std::fmt::Display) -> HubError {
    HubError::Internal(format!("the sample city could not {what}: {e}"))
}

/// Writes the sample city's `cfg.weeks` weeks into the hub data folder `dir`; `os_user` is who ran
/// the command (the audit trail names them for the officers it adds).
pub fn write(dir: &Path, cfg: &SampleConfig, os_user: &str) -> Result<SampleSummary> {
    if !(1..=8).contains(&cfg.weeks) {
        return Err(refused("invalid_value", "--weeks：1 到 8 周。", "--weeks: 1 to 8 weeks."));
    }
    let clock = Arc::new(FixedClock::new(cfg.now));
    let hub = SqliteStore::open(dir, clock.clone())?;
    if !hub.reference().has_sample_registry()? {
        return Err(refused(
            "sample_needs_sample_registry",
            "示例城市只能写入示例网格库的中心端（gridpatrol-hub init --sample），未做任何更改。",
            "The sample city goes only into a hub on the SAMPLE registry (gridpatrol-hub init --sample); nothing changed.",
        ));
    }
    if hub.event_count()? > 0 {
        return Err(refused(
            "sample_needs_empty_hub",
            "中心端已有记录：示例城市只写入没有任何记录的中心端，未做任何更改。",
            "The hub already holds events: the sample city goes only into a hub with none; nothing changed.",
        ));
    }
    for name in [LEAD, LIAISON, OFFICERS[0], OFFICERS[1]] {
        if hub.user(name)?.is_none() {
            return Err(refused(
                "sample_needs_sample_users",
                &format!("缺少示例用户 {name}：先运行 gridpatrol-hub init --sample，未做任何更改。"),
                &format!("The sample user {name} is missing: run gridpatrol-hub init --sample first; nothing changed."),
            ));
        }
    }
    // The officers this command adds, at the real time (the audit trail's), before the story starts.
    let admin = Admin::new(&hub, os_user.to_string());
    for (name, grids) in EXTRA_OFFICERS {
        if hub.user(name)?.is_none() {
            let grids: Vec<String> = grids.iter().map(|g| g.to_string()).collect();
            admin.add_user(name, Role::Officer, &grids, None, EXTRA_PASSWORD)?;
        }
    }
    let vault = PhotoVault::new(dir.join("photos"))?;
    let scratch = dir.join(".sample-devices");
    let _ = std::fs::remove_dir_all(&scratch);
    let result = (|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let mut city = City { hub: &hub, vault: &vault, clock: clock.clone(), runtime, photos: 0 };
        city.play(&scratch, cfg)
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    clock.set(cfg.now);
    result
}

impl City<'_> {
    /// A sample user's device, signed in with the scope the hub gives them.
    fn device(&self, scratch: &Path, name: &str, seed: u64) -> Result<Device> {
        let record = self.hub.user(name)?.ok_or_else(|| story_error("find a sample user", name))?;
        let user = User { name: record.name.clone(), role: record.role, unit: record.unit.clone() };
        let scope = self.hub.scope_of(&user, &record.grids)?;
        let folder: PathBuf = scratch.join(format!("{}", seed));
        let mut store = Store::create(&folder, self.clock.clone(), Arc::new(SeededIds::new(seed)))?;
        store.import_sample_registry()?;
        store.sign_in_as("sample-city", &user, &scope)?;
        store.settle_local_events()?;
        Ok(Device { store, who: Principal { user, scope }, offline: false })
    }

    /// Pulls what the hub holds for `device` until it is caught up (the pull route's call).
    fn pull(&self, device: &mut Device) -> Result<()> {
        if device.offline {
            return Ok(());
        }
        loop {
            let cursor = device.store.pull_cursor()?;
            let page = self.hub.pull(&device.who, cursor, 1000)?;
            let events: Vec<_> = page.events.into_iter().map(WireEvent::into_event).collect();
            let applied = device.store.apply_remote(&events, page.cursor)?;
            if applied.set_aside > 0 {
                return Err(story_error(
                    "apply what the hub sent",
                    format!("{} event(s) set aside", applied.set_aside),
                ));
            }
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Pushes `device`'s outbox, photos first, as the push route does; a refusal is a broken story.
    fn push(&mut self, device: &mut Device) -> Result<()> {
        if device.offline {
            return Ok(());
        }
        let outbox = device.store.outbox(10_000)?;
        if outbox.is_empty() {
            return Ok(());
        }
        for e in &outbox {
            for p in remote::photos_needed(e) {
                if self.vault.is_complete(&p.sha256) {
                    continue;
                }
                let bytes = std::fs::read(device.store.photos_dir().join(&p.file))?;
                let total = bytes.len() as u64;
                let (_, complete) = self.runtime.block_on(self.vault.upload(
                    &device.who.user.name,
                    &p.sha256,
                    0,
                    total,
                    gridpatrol_core::photo::DEFAULT_MAX_BYTES,
                    64 * 1024 * 1024,
                    false,
                    axum::body::Body::from(bytes),
                    // The uploader's right to read it is recorded below, on this thread.
                    || Ok(()),
                ))?;
                if !complete {
                    return Err(story_error("upload a photo", &p.sha256));
                }
                self.hub.record_photo_upload(&p.sha256, &device.who.user.name)?;
                self.photos += 1;
            }
        }
        let events: Vec<WireEvent> = outbox.iter().map(WireEvent::from_event).collect();
        self.vault.sync_before_push()?;
        crate::controllers::photos::check_attachable(self.hub, self.vault, &device.who, &events)?;
        let vault = self.vault;
        let acks = self.hub.push(&device.who, &events, &|sha: &str| vault.held(sha))?;
        device.store.ack(&acks.into_iter().map(|a| (a.id, a.hub_seq)).collect::<Vec<_>>())?;
        Ok(())
    }

    fn play(&mut self, scratch: &Path, cfg: &SampleConfig) -> Result<SampleSummary> {
        let mut rng = Rng::new(cfg.seed, 1);
        let rhythm = self.hub.reference().patrol_rhythm()?;
        let this_week = IsoWeek::of(cfg.now);
        let weeks: Vec<IsoWeek> =
            (0..cfg.weeks).rev().map(|n| this_week.back(n)).collect::<gridpatrol_core::Result<_>>()?;
        // The devices: the officers, the lead, the liaison, set up before the story begins.
        self.clock.set(weeks[0].start() - Duration::hours(12));
        let mut devices: Vec<Device> = Vec::new();
        for (n, name) in OFFICERS.iter().chain([LEAD, LIAISON].iter()).enumerate() {
            devices.push(self.device(scratch, name, cfg.seed.wrapping_mul(31).wrapping_add(n as u64))?);
        }
        let lead = OFFICERS.len();
        let liaison = lead + 1;
        // The rhythm's days whose patrols ended well before `now`.
        let latest = cfg.now - Duration::hours(3);
        let mut days: Vec<NaiveDate> = Vec::new();
        for w in &weeks {
            for d in 0..7 {
                let day = w.monday() + Duration::days(d);
                if rhythm.contains(day.weekday()) && local(day, 12, 0)? <= latest {
                    days.push(day);
                }
            }
        }
        if days.len() < 2 {
            return Err(refused(
                "sample_too_short",
                "示例城市至少需要两个巡查日：请用 --weeks 2 或更多。",
                "The sample city needs at least two patrol days: use --weeks 2 or more.",
            ));
        }
        let last = days.len() - 1;
        // Scripted fates for the first patrols, so every state of the loop is there, then the
        // everyday ones: closed (a few late) for older days, fresher states for the last two days.
        let scripted: &[(usize, usize, Fate)] = &[
            (0, 1, Fate::Reopened),
            (0, 2, Fate::ReworkedThenClosed),
            (1, 0, Fate::DeferralApproved),
            (1, 1, Fate::Rejected),
            (1, 2, Fate::Suspended),
            (1, 3, Fate::ReturnedThenClosed),
            (1, 4, Fate::OnTheSpot),
            (2, 0, Fate::Overdue),
            (2, 1, Fate::Rework),
            (2, 3, Fate::Overdue),
            (3, 0, Fate::DeferralPending),
            (3, 2, Fate::Returned),
            (3, 1, Fate::OnTheSpot),
        ];
        let mut cases: Vec<Case> = Vec::new();
        let mut queue: BinaryHeap<Reverse<(DateTime<Utc>, u64, Event)>> = BinaryHeap::new();
        let mut order = 0u64;
        let mut at = |queue: &mut BinaryHeap<_>, t: DateTime<Utc>, e: Event| {
            order += 1;
            queue.push(Reverse((t, order, e)));
        };
        for (di, day) in days.iter().enumerate() {
            for oi in 0..OFFICERS.len() {
                // 陈军 missed one patrol in the second week: the log shows it against the rhythm.
                if oi == 4 && di == 3 {
                    continue;
                }
                let start = local(*day, 8, 30 + rng.below(40) as u32)?;
                let end = start + Duration::minutes(rng.range(95, 150));
                // 李明's first patrol is walked offline; his laptop syncs on Friday evening.
                let offline = di == 0 && oi == 0;
                at(&mut queue, start, Event::PatrolStart { officer: oi, offline });
                at(&mut queue, end, Event::PatrolEnd { officer: oi });
                let synced = if offline {
                    let at_sync = local(*day + Duration::days(2), 18, 10)?;
                    at(&mut queue, at_sync, Event::Sync { officer: oi });
                    at_sync
                } else {
                    start
                };
                let found = 1 + usize::from(rng.unit() < 0.45);
                for fi in 0..found {
                    let fate = match scripted.iter().find(|&&(d, o, _)| d == di && o == oi && fi == 0) {
                        Some(&(_, _, fate)) if di + 1 < last => fate,
                        _ if di == last => {
                            if rng.unit() < 0.15 {
                                Fate::OnTheSpot
                            } else {
                                Fate::Reported
                            }
                        }
                        _ if di + 1 == last => *rng.pick(&[Fate::Accepted, Fate::Rectifying, Fate::Rectified]),
                        _ => Fate::Closed,
                    };
                    let problem = fate.problem(&mut rng);
                    let late = fate == Fate::Closed && rng.unit() < 0.2;
                    let steps = script(fate, problem.unit, late);
                    let t = start + Duration::minutes(15 + 35 * fi as i64 + rng.range(0, 25));
                    cases.push(Case {
                        officer: oi,
                        fate,
                        problem,
                        steps,
                        next: 0,
                        id: None,
                        unit: None,
                        due_at: None,
                        stopped: false,
                        at_hub: synced,
                    });
                    at(&mut queue, t.min(end - Duration::minutes(5)), Event::Record { case: cases.len() - 1 });
                }
            }
        }
        // Weekly logs: each officer submits a finished week on its Sunday evening; the lead reviews
        // on the Monday after: the first week approved, 李明's second returned with a comment, the
        // last finished week waiting for review (the lead's queue).
        let finished: Vec<IsoWeek> = weeks.iter().copied().filter(|w| w.end() <= cfg.now).collect();
        for (wi, week) in finished.iter().enumerate() {
            for oi in 0..OFFICERS.len() {
                let sunday = local(week.sunday(), 19, rng.below(50) as u32)?;
                at(&mut queue, sunday, Event::Submit { officer: oi, week: week.to_string() });
                if wi + 1 < finished.len() {
                    let monday = local(week.sunday() + Duration::days(1), 9, 10 + 5 * oi as u32)?;
                    let approve = !(oi == 0 && wi + 2 == finished.len());
                    at(&mut queue, monday, Event::Review { officer: oi, week: week.to_string(), approve });
                }
            }
        }

        let mut summary = SampleSummary {
            weeks: weeks.iter().map(|w| w.to_string()).collect(),
            patrols: 0,
            findings: 0,
            statuses: BTreeMap::new(),
            deferrals_asked: 0,
            logs_submitted: 0,
            logs_returned: 0,
            events: 0,
            photos: 0,
        };
        let limit = cfg.now - Duration::minutes(1);
        let mut photo_n = 0u64;
        while let Some(Reverse((t, _, event))) = queue.pop() {
            if t > limit {
                if let Event::CaseStep { case } = event {
                    cases[case].stopped = true;
                }
                continue;
            }
            self.clock.set(t);
            match event {
                Event::PatrolStart { officer, offline } => {
                    let d = &mut devices[officer];
                    d.offline = offline;
                    self.pull(d)?;
                    let grids = d.who.scope.grids.iter().cloned().collect::<Vec<_>>();
                    let notes = if rng.unit() < 0.3 { "重点查看背街小巷和农贸市场周边" } else { "" };
                    d.store.start_patrol(&grids, PatrolKind::Scheduled, notes)?;
                    summary.patrols += 1;
                    self.push(d)?;
                }
                Event::Record { case } => {
                    let c = &mut cases[case];
                    let d = &mut devices[c.officer];
                    let grids: Vec<String> = d.who.scope.grids.iter().cloned().collect();
                    let grid = rng.pick(&grids).clone();
                    let mut new = NewFinding::new(
                        &grid,
                        c.problem.category,
                        &format!("{}{}{}", rng.pick(STREETS), rng.pick(PLACES), rng.pick(c.problem.phrases)),
                    );
                    new.address = format!("{}{}号附近", rng.pick(STREETS), rng.range(1, 220));
                    new.point = point_in(&d.store, &grid, &mut rng)?;
                    new.urgency = if rng.unit() < 0.1 { Urgency::Urgent } else { Urgency::Normal };
                    new.observed_at = Some(t - Duration::minutes(rng.range(1, 6)));
                    photo_n += 1;
                    new.photos =
                        vec![PhotoSource::Bytes { name: "before.jpg".into(), bytes: photo(cfg.seed, photo_n, false)? }];
                    if c.fate == Fate::OnTheSpot {
                        new.on_the_spot = true;
                        photo_n += 1;
                        new.after_photos = vec![PhotoSource::Bytes {
                            name: "after.jpg".into(),
                            bytes: photo(cfg.seed, photo_n, true)?,
                        }];
                    }
                    let f = d.store.add_finding(new)?;
                    c.id = Some(f.id);
                    summary.findings += 1;
                    self.push(d)?;
                    if let Some(next) = self.next_step_time(&cases[case], t, &mut rng)? {
                        at(&mut queue, next, Event::CaseStep { case });
                    }
                }
                Event::PatrolEnd { officer } => {
                    let d = &mut devices[officer];
                    d.store.end_patrol()?;
                    self.push(d)?;
                }
                Event::Sync { officer } => {
                    let d = &mut devices[officer];
                    d.offline = false;
                    self.push(d)?;
                    self.pull(d)?;
                }
                Event::CaseStep { case } => {
                    let step = cases[case].steps[cases[case].next].clone();
                    let id = cases[case].id.clone().ok_or_else(|| story_error("find a case", case))?;
                    let actor = match &step {
                        Step::AskDeferral | Step::Return(_) => liaison,
                        Step::Rectify { .. } if cases[case].unit == Some(LIAISON_UNIT) => liaison,
                        Step::Rectify { .. } => cases[case].officer,
                        _ => lead,
                    };
                    let d = &mut devices[actor];
                    // A device that is offline cannot act on what it has not seen: wait for it.
                    self.pull(d)?;
                    let mv = |to: Status, note: &str| MoveRequest {
                        id: id.clone(),
                        to,
                        note: note.to_string(),
                        photos: Vec::new(),
                        unit: None,
                    };
                    let f = match &step {
                        Step::Accept => d.store.move_finding(mv(Status::Accepted, "已受理"))?,
                        Step::Reject(why) => d.store.move_finding(mv(Status::Rejected, why))?,
                        Step::Dispatch(unit) => {
                            cases[case].unit = Some(unit);
                            d.store.move_finding(MoveRequest {
                                unit: Some(unit.to_string()),
                                ..mv(Status::Rectifying, "请按时限处置")
                            })?
                        }
                        Step::Rectify { .. } => {
                            photo_n += 1;
                            d.store.move_finding(MoveRequest {
                                photos: vec![PhotoSource::Bytes {
                                    name: "after.jpg".into(),
                                    bytes: photo(cfg.seed, photo_n, true)?,
                                }],
                                ..mv(Status::Rectified, "已整改完毕，附整改后照片")
                            })?
                        }
                        Step::Close => d.store.move_finding(mv(Status::Closed, "核查通过，结案"))?,
                        Step::Rework(why) => d.store.move_finding(mv(Status::Rework, why))?,
                        Step::Reopen(why) => d.store.move_finding(mv(Status::Reopened, why))?,
                        Step::Suspend(why) => d.store.move_finding(mv(Status::Suspended, why))?,
                        Step::Return(why) => {
                            cases[case].unit = None;
                            d.store.move_finding(mv(Status::Accepted, why))?
                        }
                        Step::AskDeferral => {
                            summary.deferrals_asked += 1;
                            let due = cases[case].due_at.unwrap_or(t);
                            let until = local((due.with_timezone(&CITY_TZ) + Duration::days(3)).date_naive(), 17, 30)?;
                            d.store.request_deferral(&id, until, "需夜间停水更换井盖，协调施工时间，申请延期")?
                        }
                        Step::DecideDeferral => d.store.decide_deferral(&id, true, "同意延期，请按新时限完成")?,
                    };
                    self.push(d)?;
                    let c = &mut cases[case];
                    c.due_at = f.due_at;
                    c.next += 1;
                    if let Some(next) = self.next_step_time(c, t, &mut rng)? {
                        at(&mut queue, next, Event::CaseStep { case });
                    }
                }
                Event::Submit { officer, week } => {
                    let d = &mut devices[officer];
                    self.pull(d)?;
                    d.store.submit_log(&week, "")?;
                    summary.logs_submitted += 1;
                    self.push(d)?;
                }
                Event::Review { officer, week, approve } => {
                    let d = &mut devices[lead];
                    self.pull(d)?;
                    let (decision, comment) = if approve {
                        (Decision::Approve, "")
                    } else {
                        summary.logs_returned += 1;
                        (Decision::Return, "本周有超期案件，日志中未写明超期原因和督办情况，请补充说明后重新提交")
                    };
                    d.store.review_log(OFFICERS[officer], &week, decision, comment)?;
                    self.push(d)?;
                }
            }
        }
        for d in devices.iter_mut() {
            d.offline = false;
            self.push(d)?;
        }
        let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
        let lead_store = &mut devices[lead];
        self.pull(lead_store)?;
        for c in &cases {
            if let Some(id) = &c.id {
                *statuses.entry(lead_store.store.finding(id)?.status.as_str().to_string()).or_default() += 1;
            }
        }
        summary.statuses = statuses;
        summary.events = self.hub.event_count()?;
        summary.photos = self.photos;
        Ok(summary)
    }

    /// When a case's next step happens, after one at `t`; `None` at the story's end.
    fn next_step_time(&self, c: &Case, t: DateTime<Utc>, rng: &mut Rng) -> Result<Option<DateTime<Utc>>> {
        let Some(step) = c.steps.get(c.next) else { return Ok(None) };
        if c.stopped {
            return Ok(None);
        }
        // Nobody acts on a report before the hub holds it.
        let t = t.max(c.at_hub);
        let after = |mins: i64, rng: &mut Rng| t + Duration::minutes(mins + rng.range(0, 30));
        let next = match step {
            // The lead looks at new reports in the afternoon, or the next morning.
            Step::Accept | Step::Reject(_) => by_day(after(150, rng), rng)?,
            Step::Dispatch(_) => by_day(after(15, rng), rng)?,
            Step::Rectify { late } => match c.due_at {
                Some(due) if *late => due + Duration::hours(rng.range(20, 30)),
                Some(due) => (due - Duration::minutes(rng.range(60, 150))).max(after(60, rng)),
                None => by_day(after(24 * 60, rng), rng)?,
            },
            // The lead re-checks a fix on time when the due time leaves room, else the next day.
            Step::Close => match c.due_at {
                Some(due) if due > t + Duration::minutes(40) => t + (due - t) / 2,
                _ => by_day(after(20 * 60, rng), rng)?,
            },
            Step::Rework(_) => by_day(after(20 * 60, rng), rng)?,
            Step::Reopen(_) => by_day(after(3 * 24 * 60, rng), rng)?,
            Step::Suspend(_) => by_day(after(24 * 60, rng), rng)?,
            Step::AskDeferral | Step::Return(_) => after(60, rng),
            Step::DecideDeferral => by_day(after(17 * 60, rng), rng)?,
        };
        // The story's times only go forward (a device writes nothing before what it follows).
        Ok(Some(next.max(t + Duration::minutes(5))))
    }
}

/// A point inside the small grid `code` (its boundary's box, checked by the store's point-in-grid),
/// or none when ten tries miss.
fn point_in(store: &Store, code: &str, rng: &mut Rng) -> Result<Option<Point>> {
    let grid = store.small_grid(code)?;
    let mut coords: Vec<(f64, f64)> = Vec::new();
    collect_coords(&grid.boundary["coordinates"], &mut coords);
    if coords.is_empty() {
        return Ok(None);
    }
    let (mut lo_x, mut lo_y, mut hi_x, mut hi_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in &coords {
        lo_x = lo_x.min(*x);
        lo_y = lo_y.min(*y);
        hi_x = hi_x.max(*x);
        hi_y = hi_y.max(*y);
    }
    for _ in 0..10 {
        let lon = lo_x + (hi_x - lo_x) * (0.1 + 0.8 * rng.unit());
        let lat = lo_y + (hi_y - lo_y) * (0.1 + 0.8 * rng.unit());
        // Six decimals, as the form records them.
        let p = Point { lat: (lat * 1e6).round() / 1e6, lon: (lon * 1e6).round() / 1e6 };
        if store.grid_contains(code, p)? {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

fn collect_coords(v: &serde_json::Value, out: &mut Vec<(f64, f64)>) {
    if let Some(items) = v.as_array() {
        if let (Some(x), Some(y), 2) =
            (items.first().and_then(|x| x.as_f64()), items.get(1).and_then(|y| y.as_f64()), items.len())
        {
            out.push((x, y));
        } else {
            for item in items {
                collect_coords(item, out);
            }
        }
    }
}

/// A small SAMPLE photo (JPEG, 320×240): a street scene, with litter and a broken cover before,
/// clean after; each one different, drawn from the seed.
fn photo(seed: u64, n: u64, after: bool) -> Result<Vec<u8>> {
    let mut rng = Rng::new(seed, 1000 + n);
    let (w, h) = (320u32, 240u32);
    let horizon = 70 + rng.below(30) as u32;
    let sky = [150 + rng.below(40) as u8, 185 + rng.below(30) as u8, 220 + rng.below(30) as u8];
    let road = 95 + rng.below(40) as u8;
    let spots: Vec<(i64, i64, i64)> = if after {
        Vec::new()
    } else {
        (0..3 + rng.below(5))
            .map(|_| (rng.range(20, 300), rng.range(i64::from(horizon) + 20, 230), rng.range(6, 20)))
            .collect()
    };
    let cover = (rng.range(100, 220), rng.range(150, 200), 30i64);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let (xi, yi) = (i64::from(x), i64::from(y));
        if y < horizon {
            // Sky, and a row of buildings.
            let building = (x / 40) % 2 == 0 && y > horizon.saturating_sub(35 + (x / 40 % 3) * 10);
            return if building { image::Rgb([200, 190, 170]) } else { image::Rgb(sky) };
        }
        let dc = (xi - cover.0).pow(2) + ((yi - cover.1) * 2).pow(2);
        if dc < cover.2.pow(2) {
            // The manhole cover: dark and cracked before, whole after.
            let crack = !after && ((xi - cover.0) - (yi - cover.1)).abs() < 3;
            return if crack { image::Rgb([20, 20, 20]) } else { image::Rgb([60, 62, 66]) };
        }
        for (sx, sy, r) in &spots {
            if (xi - sx).pow(2) + (yi - sy).pow(2) < r.pow(2) {
                return image::Rgb([140 + (*r as u8) * 3, 110, 60]);
            }
        }
        let lane = (x / 30) % 2 == 0 && (150..154).contains(&y);
        if lane {
            image::Rgb([235, 235, 235])
        } else {
            image::Rgb([road, road, road + 5])
        }
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 80)
        .encode_image(&img)
        .map_err(|e| story_error("draw a photo", e))?;
    Ok(bytes)
}
