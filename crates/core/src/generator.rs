//! A seeded, deterministic generator of realistic findings, for benchmarks and load tests.
//!
//! What it is: [`fill`] writes `findings` findings into a store as if the registry's officers had
//! recorded them on their patrols over `weeks` weeks and the leads had driven each one through
//! its lifecycle. Everything comes from the store's own reference data: small-grid codes and
//! owners, large-grid owners as leads, category codes and deadlines. Points fall inside the
//! grid's boundary; descriptions are Chinese sentences composed from street names, places and
//! problem phrases ("黄河五路与渤海七路交叉口污水井盖破损", "渣土车遗撒，路面污染约20米"),
//! so full-text search sees realistic selectivity. Most findings end closed; the recent ones,
//! and a few stalled ones, are still open. Patrols follow the weekly rhythm (most on Wednesday
//! and Saturday). Each finding has its full history in `events`: a `finding.reported` event
//! whose payload is the [`Finding`] exactly as [`Store::add_finding`] writes it, then one
//! `finding.moved` per status change, so [`projection::replay`](crate::projection::replay)
//! rebuilds every generated finding. The same configuration gives the same rows every run.
//!
//! What it is not: a way in for real data. It writes SQL straight into the tables, in large
//! transactions, and skips the per-finding checks of the store (they hold by construction). It
//! writes no photos. Its random numbers come from its own small generator (SplitMix64), not from
//! `rand`, so a seed keeps meaning the same data when dependencies are upgraded; ids come from
//! [`SeededIds`].

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use rusqlite::params;
use serde_json::json;

use crate::calendar::CITY_TZ;
use crate::clock::{IdSource, SeededIds};
use crate::deadline;
use crate::error::{Error, Result};
use crate::geometry::{self, Boundary};
use crate::lifecycle::{self, Status};
use crate::model::{CategoryKind, Deadline, Finding, GridLevel, Patrol, PatrolKind, Point, Role, Urgency};
use crate::projection::{self, Move};
use crate::store::history::{record_history, HistoryState};
use crate::store::{ts, Store};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// How many findings.
    pub findings: usize,
    /// The same seed gives the same rows.
    pub seed: u64,
    /// Findings fall on the `weeks × 7` city-local days from this instant's local date.
    pub start: DateTime<Utc>,
    pub weeks: u32,
    /// How many officers record findings: the small grids' owners in code order first, then
    /// made-up names if more are asked for. Each finding's author is an officer of its grid.
    pub officers: usize,
    /// The last this-many events are left pending (the sync outbox); the others are acknowledged
    /// with a hub sequence number, as on a device that synced before the data's end.
    pub pending_events: usize,
    /// Events per transaction.
    pub batch: usize,
}

impl GenConfig {
    /// Two years of data from Monday 2024-11-25 (Beijing time), the registry's 60 officers,
    /// everything acknowledged by the hub.
    pub fn new(findings: usize, seed: u64) -> GenConfig {
        GenConfig {
            findings,
            seed,
            // 2024-11-25 00:00 in Beijing; a constant, so it cannot fail.
            start: DateTime::from_timestamp(1_732_464_000, 0).unwrap_or_default(),
            weeks: 104,
            officers: 60,
            pending_events: 0,
            batch: 50_000,
        }
    }
}

/// What [`fill`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenSummary {
    pub findings: usize,
    /// Findings left open (neither closed nor rejected) at `end`.
    pub open: usize,
    pub patrols: usize,
    /// Users added (officers and leads that were not in the store yet).
    pub users: usize,
    /// Events written: one per patrol start and end, finding report and status change.
    pub events: usize,
    /// The end of the generated period (midnight, city time, after its last day): nothing
    /// generated happens at or after it, so a clock set here sees a consistent store.
    pub end: DateTime<Utc>,
}

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// SplitMix64: tiny, fast, and fixed forever, so a seed always means the same data.
struct Rng(u64);

impl Rng {
    /// An independent stream for one item of one kind: findings, patrols, texts...
    fn for_item(seed: u64, stream: u64, item: u64) -> Rng {
        let mut mixer = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let base = mixer.next_u64();
        Rng(base ^ item.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..hi` (`hi` > `lo`).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as usize) as i64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with the weights whose running totals are `cumulative`.
    fn weighted(&mut self, cumulative: &[f64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(0.0);
        let x = self.unit() * total;
        cumulative.partition_point(|&c| c <= x).min(cumulative.len() - 1)
    }
}

const STREAM_FINDING: u64 = 1;
const STREAM_TEXT: u64 = 2;
const STREAM_GRID: u64 = 3;
const STREAM_PATROL: u64 = 4;
const STREAM_IDS: u64 = 5;

const CN_NUMBERS: [&str; 24] = [
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
    "十九",
    "二十",
    "二十一",
    "二十二",
    "二十三",
    "二十四",
];
const OTHER_ROADS: &[&str] = &[
    "长江一路",
    "长江三路",
    "长江五路",
    "新立河东路",
    "新立河西路",
    "秦皇河路",
    "梧桐五路",
    "梧桐八路",
    "北海大街",
    "鼓楼街",
    "蒲湖路",
    "中海路",
    "观礼台路",
    "滨州大道",
    "黄河大道",
    "胜利路",
];
const COMMUNITIES: &[&str] = &[
    "阳光花园",
    "滨河新村",
    "黄河",
    "渤海佳园",
    "锦绣华庭",
    "梧桐苑",
    "鼓楼新村",
    "蒲湖人家",
    "中海城",
    "秦皇河畔",
    "新立河",
    "万达华府",
    "香江花园",
    "银座嘉园",
    "凤凰城",
    "翰林苑",
    "东城世家",
    "北海明珠",
];
const PLACES: &[&str] = &[
    "第一中学",
    "实验小学",
    "人民医院",
    "中心医院",
    "万达广场",
    "银座商城",
    "农贸市场",
    "公交站",
    "加油站",
    "市民服务中心",
    "社区卫生服务站",
    "幼儿园",
    "中国银行",
    "体育中心",
    "汽车站",
    "便民市场",
];
const SIDES: &[&str] = &["东", "西", "南", "北"];
const TAILS: &[&str] = &[
    "，存在安全隐患",
    "，影响行人通行",
    "，群众反映强烈",
    "，需尽快处置",
    "，已拍照取证",
    "，影响市容",
    "，影响车辆通行",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗",
];
const GIVEN_NAMES: &[&str] = &[
    "建华", "秀英", "志强", "海燕", "文博", "晓东", "丽娟", "国平", "春梅", "宏伟", "玉兰", "俊杰", "雪梅", "德明",
    "桂芳", "永刚", "丹丹", "鹏飞", "红霞", "立新",
];
/// The lead named for grids whose large grid has no owner.
const FALLBACK_LEAD: &str = "值班组长";

/// Problem phrases by category code; `{n}` becomes a number. Codes not listed (a city's own
/// minors) use the category's Chinese name.
fn problems(code: &str) -> &'static [&'static str] {
    match code {
        "0101" => {
            &["上水井盖破损", "上水井盖松动，车辆经过有异响", "上水井盖下沉约{n}厘米", "上水井盖缺失，已临时围挡"]
        }
        "0102" => &["污水井盖破损", "污水井盖移位", "污水井冒溢，井盖被顶起", "污水井盖缺失"],
        "0103" => &["雨水井盖破损", "雨水箅子缺失", "雨水箅子堵塞", "雨水井盖下沉"],
        "0104" => &["电力井盖破损", "电力井盖松动", "电力井盖高出路面约{n}厘米"],
        "0105" => &["通信井盖破损", "通信井盖缺失", "通信井盖松动有异响"],
        "0106" => &["架空线路凌乱下垂", "通信线缆脱落垂地", "废弃线缆缠绕树木", "飞线充电"],
        "0107" => &["消防栓漏水", "消防栓被圈占", "消防栓缺少栓帽", "消防栓倾斜"],
        "0108" => &["变压器箱门损坏", "电力箱体锈蚀", "配电箱门未关闭"],
        "0201" => &["路灯不亮", "{n}盏路灯不亮", "路灯灯杆倾斜", "路灯白天常亮", "路灯检修门缺失"],
        "0202" => &["道路护栏损坏", "护栏倾倒约{n}米", "道路护栏缺失"],
        "0203" => &["交通标志牌倾斜", "交通标志牌被树枝遮挡", "交通标志牌破损"],
        "0204" => &["人行道板破损约{n}平方米", "人行道板松动", "盲道砖缺失", "人行道板塌陷"],
        "0205" => &["路面坑槽", "路面裂缝", "路面破损约{n}平方米", "路面沉陷"],
        "0206" => &["公交站亭玻璃破损", "公交站亭广告灯箱损坏", "公交站牌倾斜"],
        "0207" => &["隔离墩损坏", "隔离墩移位", "隔离墩缺失{n}个"],
        "0301" => &["公共厕所设施损坏", "公共厕所未按时开放", "公厕洗手池漏水"],
        "0302" => &["垃圾分类投放点破损", "垃圾桶满溢", "垃圾分类桶缺失"],
        "0303" => &["果皮箱破损", "果皮箱满溢", "果皮箱缺失"],
        "0304" => &["户外广告牌破损", "广告牌松动存在坠落隐患", "店招破损"],
        "0305" => &["休闲座椅损坏", "座椅缺失木条"],
        "0401" => &["行道树倒伏", "行道树枯死", "树枝遮挡路灯", "行道树缺株"],
        "0402" => &["绿地黄土裸露约{n}平方米", "绿地被踩踏", "绿地内堆放杂物"],
        "0403" => &["绿化护栏损坏", "绿化护栏缺失约{n}米"],
        "0404" => &["花坛破损", "花坛内杂草丛生"],
        "0501" => &["宣传栏破损", "宣传栏内容过期"],
        "0502" => &["建筑外立面瓷砖脱落", "外立面空调支架锈蚀", "外墙面污损"],
        "0601" => &["监控立杆倾斜", "监控设施损坏"],
        "0602" => &["公共设施损坏", "公共设施缺失"],
        "0151" => &["暴露垃圾", "生活垃圾堆放", "建筑垃圾堆放约{n}立方米", "绿化带内有暴露垃圾"],
        "0152" => &["绿化带杂草丛生", "草坪未修剪", "绿篱枯死约{n}米"],
        "0153" => &["杨柳飞絮严重", "飞絮堆积"],
        "0154" => &["路面不洁", "路面油污约{n}平方米", "路面泥土污染", "道路积尘"],
        "0155" => &["垃圾混投", "厨余垃圾未分类投放"],
        "0156" => &["公厕有异味", "公厕地面不洁"],
        "0251" => &["未经审批设置户外广告", "违规设置落地广告牌", "店外违规设置灯箱"],
        "0252" => &["非法小广告", "墙面张贴小广告", "电线杆上喷涂小广告", "地面喷涂小广告"],
        "0253" => &["私拉横幅", "过期横幅未清理"],
        "0351" => &["施工围挡破损", "工地出入口未硬化", "工地车辆未冲洗上路"],
        "0352" => &["渣土车遗撒，路面污染约{n}米", "渣土车未密闭运输", "渣土遗撒"],
        "0353" => &["施工扬尘", "裸土未覆盖约{n}平方米", "工地未采取降尘措施"],
        "0354" => &["管线施工后路面未恢复", "施工后人行道未恢复约{n}米"],
        "0451" => &["路面塌陷", "路面塌陷约{n}平方米，已设置警示"],
        "0452" => &["井盖缺失，已临时围挡", "井盖丢失"],
        "0453" => &["路面积水", "路口积水约{n}厘米深", "下穿通道积水"],
        "0551" => &["占道经营水果摊", "流动商贩占道经营", "早市占道经营", "占道经营蔬菜摊", "三轮车占道卖瓜"],
        "0552" => &["店外经营", "超出门窗外摆经营", "餐馆店外摆桌", "汽修店外作业"],
        "0553" => &["私搭乱建", "违规搭建彩钢房约{n}平方米", "楼顶违建"],
        "0554" => &["机动车违停", "机动车占用人行道停放", "车辆占压盲道", "消防通道违停"],
        "0555" => &["共享单车乱停放", "电动车乱停放", "非机动车占压盲道"],
        "0556" => &["露天烧烤", "店外露天烧烤油烟扰民"],
        "0651" => &["噪音扰民", "占用公共绿地晾晒", "楼道堆放杂物"],
        _ => &[],
    }
}

/// The code of the tree before migration 11 that first maps to `code` (the phrase and weight
/// tables below were written against it), or `code` itself.
fn old_code(code: &str) -> &str {
    crate::categories::LEGACY_CODES.iter().find(|(_, new)| *new == code).map(|(old, _)| *old).unwrap_or(code)
}

/// How often a category is found, relative to the others (street order and cleanliness
/// dominate a patrol's day; broken components are rarer).
fn category_weight(code: &str) -> f64 {
    match code {
        "0551" => 12.0,
        "0554" => 10.0,
        "0151" | "0154" => 9.0,
        "0252" => 8.0,
        "0552" => 7.0,
        "0152" | "0555" => 6.0,
        "0201" | "0352" => 4.0,
        "0102" | "0103" | "0204" | "0205" | "0353" | "0302" => 3.0,
        "0451" | "0452" | "0553" => 0.5,
        _ => 1.0,
    }
}

fn responsible_unit(kind: CategoryKind, code: &str) -> &'static str {
    match (kind, code) {
        (_, "0101") => "自来水公司",
        (_, "0102" | "0103" | "0453") => "排水管理处",
        (_, "0104" | "0108") => "供电公司",
        (_, "0105" | "0106") => "通信运营商",
        (_, "0107") => "消防救援大队",
        (_, "0201") => "路灯管理所",
        (_, "0203" | "0554") => "交警大队",
        (_, "0304") => "城管执法中队",
        (_, "0152" | "0153") => "园林绿化服务中心",
        (_, "0352") => "渣土管理办公室",
        (CategoryKind::Component, c) if c.starts_with("02") => "市政养护中心",
        (CategoryKind::Component, c) if c.starts_with("03") => "环卫处",
        (CategoryKind::Component, c) if c.starts_with("04") => "园林绿化服务中心",
        (CategoryKind::Event, c) if c.starts_with("01") => "环卫处",
        (CategoryKind::Event, c) if c.starts_with("02") => "城管执法中队",
        (CategoryKind::Event, c) if c.starts_with("03") => "住建局工地监管科",
        (CategoryKind::Event, c) if c.starts_with("04") => "市政养护中心",
        (CategoryKind::Event, c) if c.starts_with("05") => "城管执法中队",
        _ => "街道办事处",
    }
}

fn move_note(rng: &mut Rng, to: Status, unit: &str) -> String {
    let unit = if unit.is_empty() { "责任单位" } else { unit };
    match to {
        Status::Accepted => rng.pick(&["已受理", "情况属实，予以受理", ""]).to_string(),
        Status::Rejected => {
            rng.pick(&["重复上报", "不属于城管职责范围，已转交相关部门", "现场核实问题不存在"]).to_string()
        }
        Status::Rectifying => format!("已派单至{unit}"),
        Status::Rectified => rng.pick(&["已整改完毕", "已清理", "已修复", "已恢复原状"]).to_string(),
        Status::Rework => rng.pick(&["复查未通过，需重新整改", "整改不彻底"]).to_string(),
        Status::Closed => rng.pick(&["复查合格，予以结案", "已结案"]).to_string(),
        Status::Reopened => rng.pick(&["回访群众不满意，重新整改", "问题复发"]).to_string(),
        Status::Suspended => rng.pick(&["等待管线迁改，暂缓办理", "天气原因暂缓"]).to_string(),
        Status::Reported => String::new(),
    }
}

struct GridInfo {
    code: String,
    boundary: Boundary,
    /// Indexes into the people list.
    officers: Vec<usize>,
    lead: usize,
    /// Two east–west roads, then two north–south roads.
    roads: [String; 4],
    communities: [&'static str; 2],
}

struct CategoryInfo {
    code: String,
    kind: CategoryKind,
    name_zh: String,
    deadline: Option<Deadline>,
}

/// One finding's facts, drawn from its own random stream so any finding can be drawn again.
struct Plan {
    grid: usize,
    category: usize,
    officer: usize,
    day: usize,
    observed: i64,
    recorded: i64,
    urgency: Urgency,
    point: Option<Point>,
    due: Option<i64>,
    /// The status changes before the end of the period, oldest first.
    steps: Vec<(i64, Status)>,
}

struct PatrolPlan {
    officer: usize,
    day: usize,
    start: i64,
    end: i64,
    grids: Vec<usize>,
}

/// One event of the generated history. Sorting by all fields orders the history in time, with
/// a patrol's start before the findings on it and the report of a finding before its moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    t: i64,
    tag: u8,
    item: u32,
    step: u8,
}

const TAG_PATROL_START: u8 = 0;
const TAG_REPORT: u8 = 1;
const TAG_MOVE: u8 = 2;
const TAG_PATROL_END: u8 = 3;

struct World {
    seed: u64,
    grids: Vec<GridInfo>,
    grid_weights: Vec<f64>,
    categories: Vec<CategoryInfo>,
    /// The office hours 工作时 deadlines count inside (the default's sample hours).
    office: deadline::OfficeHours,
    category_weights: Vec<f64>,
    /// Names; officers first.
    people: Vec<(String, Role)>,
    /// Midnight (city time) of each generated day, and of the day after the last.
    midnights: Vec<i64>,
    weekdays: Vec<Weekday>,
    /// Days by week and weekday (0 = Monday), for drawing a patrol day.
    first_weekday: usize,
    weeks: usize,
}

fn at(ms: i64) -> DateTime<Utc> {
    // Every time here is the start (checked to be a sane date) plus at most a few years.
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn local_midnight(date: NaiveDate) -> Option<i64> {
    let naive = date.and_hms_opt(0, 0, 0)?;
    CITY_TZ.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc).timestamp_millis())
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut total = 0.0;
    weights
        .map(|w| {
            total += w;
            total
        })
        .collect()
}

impl World {
    fn new(store: &Store, cfg: &GenConfig) -> Result<World> {
        if cfg.start.year() < 1971 || cfg.start.year() > 9000 || cfg.weeks == 0 {
            return Err(Error::InvalidTime(ts(cfg.start)));
        }
        let all = store.grids()?;
        let small: Vec<_> = all.iter().filter(|g| g.level == GridLevel::Small).collect();
        if small.is_empty() {
            return Err(Error::UnknownGrid("(none: import a grid registry before generating findings)".into()));
        }
        // People: the small grids' owners in code order, then made-up officers, then leads.
        let mut people: Vec<(String, Role)> = Vec::new();
        for g in &small {
            for owner in &g.owners {
                if people.len() < cfg.officers.max(1) && !people.iter().any(|(n, _)| n == owner) {
                    people.push((owner.clone(), Role::Officer));
                }
            }
        }
        let mut extra = 0usize;
        while people.len() < cfg.officers.max(1) {
            let base = format!(
                "{}{}",
                SURNAMES[extra % SURNAMES.len()],
                GIVEN_NAMES[(extra / SURNAMES.len()) % GIVEN_NAMES.len()]
            );
            let round = extra / (SURNAMES.len() * GIVEN_NAMES.len());
            let name = if round == 0 { base } else { format!("{base}{}", round + 1) };
            extra += 1;
            if !people.iter().any(|(n, _)| *n == name) {
                people.push((name, Role::Officer));
            }
        }
        let officer_count = people.len();
        let person = |name: &str, role: Role, people: &mut Vec<(String, Role)>| -> usize {
            match people.iter().position(|(n, _)| n == name) {
                Some(i) => i,
                None => {
                    people.push((name.to_string(), role));
                    people.len() - 1
                }
            }
        };
        let mut grids = Vec::with_capacity(small.len());
        let mut grid_weights = Vec::with_capacity(small.len());
        for (i, g) in small.iter().enumerate() {
            // Boundaries in the store were validated on import, so they parse again.
            let boundary = geometry::boundary_from_geojson(&g.boundary)
                .map_err(|reason| Error::Import { location: crate::error::Location::Grid(g.code.clone()), reason })?;
            let mut officers: Vec<usize> =
                g.owners.iter().filter_map(|o| people[..officer_count].iter().position(|(n, _)| n == o)).collect();
            if officers.is_empty() {
                officers.push(i % officer_count);
            }
            let lead_name = g
                .parent
                .as_deref()
                .and_then(|p| all.iter().find(|l| l.code == p))
                .and_then(|l| l.owners.first())
                .map(String::as_str)
                .unwrap_or(FALLBACK_LEAD);
            let lead = person(lead_name, Role::Lead, &mut people);
            let mut rng = Rng::for_item(cfg.seed, STREAM_GRID, i as u64);
            let ew = rng.below(12);
            let ns = rng.below(24);
            let roads = [
                format!("黄河{}路", CN_NUMBERS[ew]),
                if rng.chance(0.5) {
                    format!("黄河{}路", CN_NUMBERS[(ew + 1) % 12])
                } else {
                    rng.pick(OTHER_ROADS).to_string()
                },
                format!("渤海{}路", CN_NUMBERS[ns]),
                if rng.chance(0.5) {
                    format!("渤海{}路", CN_NUMBERS[(ns + 1) % 24])
                } else {
                    rng.pick(OTHER_ROADS).to_string()
                },
            ];
            let communities = [*rng.pick(COMMUNITIES), *rng.pick(COMMUNITIES)];
            grid_weights.push(0.3 + 1.7 * rng.unit());
            grids.push(GridInfo { code: g.code.clone(), boundary, officers, lead, roads, communities });
        }
        let mut categories = Vec::new();
        for major in store.categories()? {
            for minor in major.minors {
                categories.push(CategoryInfo {
                    code: minor.code,
                    kind: major.kind,
                    name_zh: minor.name_zh,
                    deadline: minor.deadline,
                });
            }
        }
        if categories.is_empty() {
            return Err(Error::CategoryData("the store has no categories".into()));
        }
        let category_weights = cumulative(categories.iter().map(|c| category_weight(old_code(&c.code))));
        let first = cfg.start.with_timezone(&CITY_TZ).date_naive();
        let days = cfg.weeks as usize * 7;
        let mut midnights = Vec::with_capacity(days + 1);
        let mut weekdays = Vec::with_capacity(days + 1);
        for d in 0..=days {
            let date = first + Duration::days(d as i64);
            midnights.push(local_midnight(date).ok_or_else(|| Error::InvalidTime(date.to_string()))?);
            weekdays.push(date.weekday());
        }
        Ok(World {
            seed: cfg.seed,
            grids,
            grid_weights: cumulative(grid_weights.into_iter()),
            categories,
            office: store.office_hours()?,
            category_weights,
            people,
            midnights,
            first_weekday: first.weekday().num_days_from_monday() as usize,
            weekdays,
            weeks: cfg.weeks as usize,
        })
    }

    fn end(&self) -> i64 {
        self.midnights[self.midnights.len() - 1]
    }

    fn plan(&self, item: usize) -> Plan {
        let mut rng = Rng::for_item(self.seed, STREAM_FINDING, item as u64);
        let grid = rng.weighted(&self.grid_weights);
        let g = &self.grids[grid];
        let officer = *rng.pick(&g.officers);
        let category = rng.weighted(&self.category_weights);
        let c = &self.categories[category];
        // The weekly rhythm: most findings on the scheduled Wednesday and Saturday patrols.
        let weekday = if rng.chance(0.8) { *rng.pick(&[2usize, 5]) } else { *rng.pick(&[0usize, 1, 3, 4, 6]) };
        let day = rng.below(self.weeks) * 7 + (weekday + 7 - self.first_weekday) % 7;
        let observed = self.midnights[day] + 8 * HOUR + rng.range(0, 19 * HOUR / 2);
        let recorded =
            observed + if rng.chance(0.9) { rng.range(10_000, 5 * MINUTE) } else { rng.range(10 * MINUTE, 3 * HOUR) };
        let urgency = if c.kind == CategoryKind::Event && c.code.starts_with("204") {
            if rng.chance(0.7) {
                Urgency::Urgent
            } else {
                Urgency::Normal
            }
        } else {
            match rng.below(100) {
                0..=7 => Urgency::Urgent,
                8..=27 => Urgency::Normal,
                _ => Urgency::Normal,
            }
        };
        let point = if rng.chance(0.85) {
            let bbox = g.boundary.bbox();
            (0..20).find_map(|_| {
                let round = |v: f64| (v * 1e6).round() / 1e6;
                let p = Point {
                    lon: round(bbox.min().x + rng.unit() * bbox.width()),
                    lat: round(bbox.min().y + rng.unit() * bbox.height()),
                };
                (geometry::is_valid_point(p) && g.boundary.contains(p)).then_some(p)
            })
        } else {
            None
        };
        let cal = deadline::Calendar { holidays: deadline::Holidays::bundled(), office: &self.office };
        let due = c.deadline.as_ref().map(|d| deadline::due(d, urgency, at(recorded), cal).at.timestamp_millis());
        let mut steps = lifecycle_steps(&mut rng, recorded, due.unwrap_or(recorded + 5 * DAY));
        let end = self.end();
        steps.retain(|&(t, _)| t < end);
        Plan { grid, category, officer, day, observed, recorded, urgency, point, due, steps }
    }

    /// Description, address and responsible unit of a finding, from their own stream.
    fn texts(&self, item: usize, plan: &Plan) -> (String, String, String) {
        let mut rng = Rng::for_item(self.seed, STREAM_TEXT, item as u64);
        let g = &self.grids[plan.grid];
        let c = &self.categories[plan.category];
        let phrases = problems(old_code(&c.code));
        let fallback = format!("{}问题", c.name_zh);
        let problem =
            if phrases.is_empty() { fallback } else { rng.pick(phrases).replace("{n}", &rng.range(2, 60).to_string()) };
        let road = rng.pick(&g.roads).clone();
        let number = rng.range(1, 400);
        let community = *rng.pick(&g.communities);
        let location = match rng.below(10) {
            0..=2 => format!("{}与{}交叉口", g.roads[rng.below(2)], g.roads[2 + rng.below(2)]),
            3 | 4 => format!("{road}{number}号门前"),
            5 => format!("{road}{}侧人行道", rng.pick(SIDES)),
            6 => format!("{community}小区{}号楼{}侧", rng.range(1, 30), rng.pick(SIDES)),
            7 => format!("{road}{}门口", rng.pick(PLACES)),
            8 => format!("{road}{}对面", rng.pick(PLACES)),
            _ => String::new(),
        };
        let tail = if rng.chance(0.25) { *rng.pick(TAILS) } else { "" };
        let description = format!("{location}{problem}{tail}");
        let address = if rng.chance(0.7) { format!("滨城区{road}{number}号") } else { String::new() };
        let unit = if rng.chance(0.85) { responsible_unit(c.kind, &c.code).to_string() } else { String::new() };
        (description, address, unit)
    }
}

/// The status changes of one finding from `recorded`, before truncation at the period's end.
/// Each is a legal move of [`lifecycle::MOVES`]; a few findings stall or go round again.
fn lifecycle_steps(rng: &mut Rng, recorded: i64, due: i64) -> Vec<(i64, Status)> {
    let allowed = (due - recorded).max(HOUR);
    let mut steps = Vec::with_capacity(6);
    let mut t = recorded;
    if rng.chance(0.04) {
        t += rng.range(HOUR, DAY);
        steps.push((t, Status::Rejected));
        return steps;
    }
    t += rng.range(HOUR / 5, 8 * HOUR);
    steps.push((t, Status::Accepted));
    t += rng.range(HOUR / 10, 4 * HOUR);
    steps.push((t, Status::Rectifying));
    if rng.chance(0.015) {
        // Stalled: the responsible unit never reports back, and the finding goes overdue.
        return steps;
    }
    let share = if rng.chance(0.85) { 0.1 + 0.85 * rng.unit() } else { 1.05 + 2.0 * rng.unit() };
    t = (t + 10 * MINUTE).max(recorded + (allowed as f64 * share) as i64);
    steps.push((t, Status::Rectified));
    if rng.chance(0.08) {
        t += rng.range(2 * HOUR, DAY);
        steps.push((t, Status::Rework));
        t += (allowed as f64 * (0.1 + 0.5 * rng.unit())) as i64 + 30 * MINUTE;
        steps.push((t, Status::Rectified));
    }
    t += rng.range(2 * HOUR, 2 * DAY);
    steps.push((t, Status::Closed));
    if rng.chance(0.02) {
        t += rng.range(3 * DAY, 20 * DAY);
        steps.push((t, Status::Reopened));
        t += rng.range(HOUR / 2, 8 * HOUR);
        steps.push((t, Status::Rectifying));
        t += rng.range(HOUR, 3 * DAY);
        steps.push((t, Status::Rectified));
        t += rng.range(2 * HOUR, 2 * DAY);
        steps.push((t, Status::Closed));
    }
    debug_assert!(
        std::iter::once(Status::Reported)
            .chain(steps.iter().map(|s| s.1))
            .zip(steps.iter().map(|s| s.1))
            .all(|(from, to)| lifecycle::is_move(from, to)),
        "generated histories follow the lifecycle table"
    );
    steps
}

/// A generated finding between its report and its last move.
struct Live {
    id: String,
    plan: Plan,
    unit: String,
}

/// Writes `cfg.findings` generated findings, their patrols, the officers and leads as users,
/// and the whole event history into `store`. See the module documentation.
pub fn fill(store: &Store, cfg: &GenConfig) -> Result<GenSummary> {
    let world = World::new(store, cfg)?;
    let end = world.end();

    // Plan: every finding, the patrols they fall on, and the history in time order.
    let mut entries: Vec<Entry> = Vec::with_capacity(cfg.findings * 5);
    let mut patrols: Vec<PatrolPlan> = Vec::new();
    let mut patrol_of: HashMap<(usize, usize), usize> = HashMap::new();
    let mut open = 0usize;
    for item in 0..cfg.findings {
        let plan = world.plan(item);
        let p = *patrol_of.entry((plan.officer, plan.day)).or_insert_with(|| {
            patrols.push(PatrolPlan {
                officer: plan.officer,
                day: plan.day,
                start: plan.observed,
                end: plan.recorded,
                grids: Vec::new(),
            });
            patrols.len() - 1
        });
        let patrol = &mut patrols[p];
        patrol.start = patrol.start.min(plan.observed);
        patrol.end = patrol.end.max(plan.recorded);
        if let Err(at) = patrol.grids.binary_search(&plan.grid) {
            patrol.grids.insert(at, plan.grid);
        }
        entries.push(Entry { t: plan.recorded, tag: TAG_REPORT, item: item as u32, step: 0 });
        for (step, &(t, _)) in plan.steps.iter().enumerate() {
            entries.push(Entry { t, tag: TAG_MOVE, item: item as u32, step: step as u8 });
        }
        if plan.steps.last().is_none_or(|s| s.1.is_open()) {
            open += 1;
        }
    }
    for (i, patrol) in patrols.iter_mut().enumerate() {
        let mut rng = Rng::for_item(cfg.seed, STREAM_PATROL, i as u64);
        patrol.start -= rng.range(5 * MINUTE, 30 * MINUTE);
        patrol.end += rng.range(5 * MINUTE, 40 * MINUTE);
        for (tag, t) in [(TAG_PATROL_START, patrol.start), (TAG_PATROL_END, patrol.end)] {
            entries.push(Entry { t, tag, item: i as u32, step: 0 });
        }
    }
    entries.sort_unstable();

    // Write, in time order, one transaction per batch.
    let conn = store.connection();
    let ids = SeededIds::new(Rng::for_item(cfg.seed, STREAM_IDS, 0).next_u64());
    let first_day = at(world.midnights[0]);
    let mut users_added = 0;
    {
        let tx = conn.unchecked_transaction()?;
        for (name, role) in &world.people {
            users_added += tx.execute(
                "INSERT OR IGNORE INTO users (name, role, created_at) VALUES (?1, ?2, ?3)",
                params![name, role.as_str(), ts(first_day)],
            )?;
        }
        tx.commit()?;
    }
    let mut hub_seq: i64 = conn.query_row("SELECT coalesce(max(hub_seq), 0) FROM events", [], |r| r.get(0))?;
    let first_pending = entries.len().saturating_sub(cfg.pending_events);
    let mut insert_finding = conn.prepare(
        "INSERT INTO findings (id, grid, patrol_id, category, description, address, lat, lon, urgency,
            responsible_unit, status, author, observed_at, recorded_at, updated_at, due_at, dispatched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    let mut insert_event = conn.prepare(
        "INSERT INTO events (id, entity, entity_id, actor, kind, payload, device_time, sync_state, hub_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut insert_patrol = conn.prepare(
        "INSERT INTO patrols (id, officer, kind, started_at, ended_at, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut insert_patrol_grid = conn.prepare("INSERT INTO patrol_grids (patrol_id, grid) VALUES (?1, ?2)")?;
    let mut patrol_ids: Vec<Option<String>> = vec![None; patrols.len()];
    let mut live: HashMap<u32, Live> = HashMap::new();
    let batch = cfg.batch.max(1);
    let mut tx = conn.unchecked_transaction()?;
    for (n, e) in entries.iter().enumerate() {
        if n > 0 && n % batch == 0 {
            tx.commit()?;
            tx = conn.unchecked_transaction()?;
        }
        let (sync, seq) = if n < first_pending {
            hub_seq += 1;
            ("acked", Some(hub_seq))
        } else {
            ("pending", None)
        };
        let now = at(e.t);
        let mut event = |id: String, entity: &str, entity_id: &str, actor: &str, kind: &str, payload: String| {
            insert_event.execute(params![id, entity, entity_id, actor, kind, payload, ts(now), sync, seq])
        };
        match e.tag {
            TAG_PATROL_START => {
                let plan = &patrols[e.item as usize];
                let weekday = world.weekdays[plan.day];
                let kind = if matches!(weekday, Weekday::Wed | Weekday::Sat) {
                    PatrolKind::Scheduled
                } else {
                    PatrolKind::Adhoc
                };
                let officer = &world.people[plan.officer].0;
                let patrol = Patrol {
                    id: ids.next_id(now).to_string(),
                    officer: officer.clone(),
                    kind,
                    grids: plan.grids.iter().map(|&g| world.grids[g].code.clone()).collect(),
                    started_at: now,
                    ended_at: None,
                    notes: String::new(),
                };
                insert_patrol.execute(params![
                    patrol.id,
                    patrol.officer,
                    kind.as_str(),
                    ts(now),
                    ts(at(plan.end)),
                    patrol.notes
                ])?;
                for code in &patrol.grids {
                    insert_patrol_grid.execute(params![patrol.id, code])?;
                }
                event(
                    ids.next_id(now).to_string(),
                    "patrol",
                    &patrol.id,
                    officer,
                    "patrol.started",
                    json!({ "patrol": &patrol }).to_string(),
                )?;
                patrol_ids[e.item as usize] = Some(patrol.id);
            }
            TAG_PATROL_END => {
                let plan = &patrols[e.item as usize];
                let id = patrol_ids[e.item as usize].clone().unwrap_or_default();
                event(
                    ids.next_id(now).to_string(),
                    "patrol",
                    &id,
                    &world.people[plan.officer].0,
                    "patrol.ended",
                    json!({ "ended_at": ts(now) }).to_string(),
                )?;
            }
            TAG_REPORT => {
                let item = e.item as usize;
                let plan = world.plan(item);
                let (description, address, unit) = world.texts(item, &plan);
                let author = world.people[plan.officer].0.clone();
                let patrol = patrol_of.get(&(plan.officer, plan.day)).and_then(|&p| patrol_ids[p].clone());
                // As Store::add_finding builds it: the state right after the report.
                let finding = Finding {
                    id: ids.next_id(now).to_string(),
                    grid: world.grids[plan.grid].code.clone(),
                    patrol,
                    category: world.categories[plan.category].code.clone(),
                    description,
                    address,
                    point: plan.point,
                    urgency: plan.urgency,
                    // The benchmark world keeps its free-text unit and its due time from the report
                    // (the loads it measures do not depend on when the clock started).
                    responsible_unit: unit.clone(),
                    unit: None,
                    dispatched_at: None,
                    deferral: None,
                    deferrals: 0,
                    on_the_spot: false,
                    suspended_at: None,
                    status: Status::Reported,
                    author: author.clone(),
                    observed_at: at(plan.observed),
                    recorded_at: now,
                    updated_at: now,
                    due_at: plan.due.map(at),
                    photos: Vec::new(),
                };
                let event_id = ids.next_id(now).to_string();
                let (status, updated) = plan.steps.last().map(|&(t, s)| (s, t)).unwrap_or((Status::Reported, e.t));
                insert_finding.execute(params![
                    finding.id,
                    finding.grid,
                    finding.patrol,
                    finding.category,
                    finding.description,
                    finding.address,
                    finding.point.map(|p| p.lat),
                    finding.point.map(|p| p.lon),
                    finding.urgency.as_str(),
                    finding.responsible_unit,
                    status.as_str(),
                    finding.author,
                    ts(finding.observed_at),
                    ts(finding.recorded_at),
                    ts(at(updated)),
                    finding.due_at.map(ts),
                    plan.steps.iter().find(|&&(_, s)| s == Status::Rectifying).map(|&(t, _)| ts(at(t))),
                ])?;
                event(
                    event_id,
                    "finding",
                    &finding.id,
                    &author,
                    projection::REPORTED,
                    serde_json::to_value(&finding).unwrap_or(json!(null)).to_string(),
                )?;
                record_history(&tx, &finding.id, now, &HistoryState::of(&finding))?;
                if !plan.steps.is_empty() {
                    live.insert(e.item, Live { id: finding.id, plan, unit });
                }
            }
            _ => {
                let Some(l) = live.get(&e.item) else {
                    continue;
                };
                let step = e.step as usize;
                let to = l.plan.steps[step].1;
                let from = step.checked_sub(1).map_or(Status::Reported, |s| l.plan.steps[s].1);
                let mut rng = Rng::for_item(cfg.seed, STREAM_TEXT, (u64::from(e.item) << 8) | step as u64 | (1 << 63));
                let mut change = Move::new(from, to, move_note(&mut rng, to, &l.unit));
                // The first dispatch starts the clock; the world's due time is the one its report
                // was planned with (the loads measured do not depend on when the clock started).
                if lifecycle::is_dispatch(from, to) && from == Status::Accepted {
                    change.dispatched_at = Some(at(l.plan.steps[step].0));
                    change.due_at = l.plan.due.map(at);
                }
                // The officer records the rectification on site; the lead makes every other move.
                let actor = if to == Status::Rectified { l.plan.officer } else { world.grids[l.plan.grid].lead };
                event(
                    ids.next_id(now).to_string(),
                    "finding",
                    &l.id,
                    &world.people[actor].0,
                    projection::MOVED,
                    serde_json::to_value(&change).unwrap_or(json!(null)).to_string(),
                )?;
                // The measures' history, as the store writes it at a move.
                let state = HistoryState {
                    status: to,
                    due_at: l.plan.due.map(at),
                    unit: None,
                    deferred: false,
                    on_the_spot: false,
                    grid: world.grids[l.plan.grid].code.clone(),
                    author: world.people[l.plan.officer].0.clone(),
                };
                record_history(&tx, &l.id, now, &state)?;
                if step + 1 == l.plan.steps.len() {
                    live.remove(&e.item);
                }
            }
        }
    }
    tx.commit()?;
    Ok(GenSummary {
        findings: cfg.findings,
        open,
        patrols: patrols.len(),
        users: users_added,
        events: entries.len(),
        end: at(end),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FixedClock;
    use crate::store::FindingQuery;

    fn generated(dir: &std::path::Path, cfg: &GenConfig) -> (Store, GenSummary) {
        let clock = Arc::new(FixedClock::new(cfg.start));
        let mut store = Store::create(dir, clock.clone(), Arc::new(SeededIds::new(7))).unwrap();
        store.set_profile("李明", Role::Officer).unwrap();
        store.import_sample_registry().unwrap();
        let summary = fill(&store, cfg).unwrap();
        clock.set(summary.end);
        (store, summary)
    }

    fn small_config() -> GenConfig {
        GenConfig { weeks: 8, pending_events: 500, ..GenConfig::new(2_000, 42) }
    }

    #[test]
    fn fill_writes_findings_patrols_and_their_history() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = small_config();
        let before_events = 2; // the profile and the registry import
        let (store, summary) = generated(dir.path(), &cfg);
        let counts = store.counts().unwrap();
        assert_eq!(counts.findings, 2_000, "fill writes exactly the findings asked for");
        assert_eq!(counts.patrols as usize, summary.patrols);
        assert_eq!(counts.events as usize, before_events + summary.events, "the summary counts every event written");
        assert_eq!(
            counts.pending_events as usize,
            cfg.pending_events,
            "only the last pending_events generated events stay in the outbox (the profile and the registry import never travel, issue 13)"
        );
        let conn = store.connection();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(
            count("SELECT count(*) FROM events WHERE kind = 'finding.reported'"),
            2_000,
            "one report event per finding"
        );
        assert_eq!(
            count("SELECT count(*) FROM events WHERE kind = 'patrol.started'"),
            counts.patrols,
            "one start event per patrol"
        );
        assert_eq!(
            count("SELECT count(*) FROM findings WHERE patrol_id IS NULL"),
            0,
            "every generated finding was recorded on a patrol"
        );
        let open = store.findings(&FindingQuery { open_only: true, ..FindingQuery::default() }).unwrap().len();
        assert_eq!(open, summary.open);
        assert!(open > 0 && open < 1_000, "most findings end closed, some stay open (open: {open})");
        assert_eq!(
            count(
                "SELECT count(*) FROM findings f JOIN patrols p ON p.id = f.patrol_id
                 WHERE f.observed_at < p.started_at OR f.recorded_at > p.ended_at
                    OR p.officer <> f.author"
            ),
            0,
            "each finding is observed and recorded during its author's patrol"
        );
        let hits =
            store.findings(&FindingQuery { search: Some("井盖".into()), ..FindingQuery::default() }).unwrap().len();
        assert!(hits > 0 && hits < 400, "search has realistic selectivity (hits: {hits})");
    }

    #[test]
    fn generated_findings_replay_from_their_events() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = generated(dir.path(), &small_config());
        let all = store.findings(&FindingQuery::default()).unwrap();
        for summary in all.iter().step_by(7) {
            let stored = store.finding(&summary.id).unwrap();
            let history = store.history(&summary.id).unwrap();
            assert_eq!(
                projection::replay(&history).as_ref(),
                Some(&stored),
                "the projection row is the fold of its events (finding {})",
                summary.id
            );
            if let Some(p) = stored.point {
                assert!(store.grid_contains(&stored.grid, p).unwrap(), "a generated point lies in its grid");
            }
        }
        let moved: Vec<Status> = all.iter().map(|f| f.status).collect();
        assert!(
            moved.contains(&Status::Closed) && moved.contains(&Status::Rejected),
            "statuses spread over the lifecycle"
        );
    }

    #[test]
    fn the_same_config_gives_the_same_rows() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let cfg = GenConfig { findings: 300, ..small_config() };
        let (sa, _) = generated(a.path(), &cfg);
        let (sb, _) = generated(b.path(), &cfg);
        let dump = |s: &Store| -> Vec<String> {
            let mut stmt = s
                .connection()
                .prepare("SELECT id || description || address || status || updated_at || coalesce(patrol_id, '') FROM findings ORDER BY seq")
                .unwrap();
            let rows = stmt.query_map([], |r| r.get(0)).unwrap();
            rows.collect::<rusqlite::Result<_>>().unwrap()
        };
        assert_eq!(dump(&sa), dump(&sb), "a seed reproduces the data exactly");
    }
}
