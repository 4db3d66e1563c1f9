//! The category tree of GB/T 30428.2-2013 (部件/事件 → major → minor), loaded from data, never
//! hard-coded: `data/categories.json` is the bundled tree, and a city loads its own in the same
//! format (`gridpatrol categories load FILE`, [`crate::Store::load_categories`]).
//!
//! **Codes.** A minor's code is the kind's digit (`1` 部件 component, `2` 事件 event) followed by the
//! standard's four digits `MMmm`: `10104` is 部件 01 公用设施 / 04 雨水箅子, `20501` is 事件 05 街面秩序 /
//! 01 无照经营游商. The standard numbers the two kinds' majors from 01 each, so `MMmm` alone is not
//! unique; with the kind in front it is, it is digits only, and it never starts with 0, so a
//! spreadsheet or an integer column keeps every digit. Minors 90–99 within a major are the city's
//! additions (扩展), sample data, never a number of the standard.
//!
//! [`load`] checks a whole tree before any of it is used, and refuses it whole: every major is a
//! kind and two digits, once; every minor two digits, once in its major; every name given; every
//! source key named in the file's `sources`; every deadline a positive limit.
//!
//! **The tree before migration 11** numbered minors `MMmm` with event minors from 51, and several
//! numbers meant another thing than the standard's. [`LEGACY_CODES`] maps each of its codes to the
//! nearest entry of the bundled tree; migration 11 rewrites stored findings with it, and
//! [`current_code`] reads an old event's 4-digit code through it, so history keeps what it said.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Deserializer};

use crate::error::{Error, Result};
use crate::model::{CategoryKind, Deadline, Limit, MajorCategory, MinorCategory};

/// The tree that ships with Grid Patrol.
pub const BUNDLED: &str = include_str!("../data/categories.json");

/// The largest limit a deadline may have in any unit (a year of hours): anything longer is a typo.
pub const MAX_LIMIT: u32 = 8_760;

/// The codes of the tree before migration 11 and the code of the bundled tree each now means:
/// the same thing where the standard numbers it, else the nearest standard entry, else the city
/// addition that keeps the reference city's category. Written out, never derived, so that what a
/// migrated store says can be checked against this table.
pub const LEGACY_CODES: &[(&str, &str)] = &[
    ("0101", "10101"), // 上水井盖
    ("0102", "10102"), // 污水井盖
    ("0103", "10103"), // 雨水井盖
    ("0104", "10105"), // 电力井盖 (0104 is 雨水箅子 in the standard)
    ("0105", "10107"), // 通信井盖 → 电信井盖
    ("0106", "10191"), // 架空线路: a city addition
    ("0107", "10113"), // 消防栓 → 消防设施
    ("0108", "10116"), // 电力设施
    ("0201", "10118"), // 路灯: under 公用设施 in the standard
    ("0202", "10211"), // 道路护栏 → 交通护栏
    ("0203", "10209"), // 交通标志牌
    ("0204", "10290"), // 人行道板: a city addition
    ("0205", "10291"), // 道路路面: a city addition
    ("0206", "10203"), // 公交站亭
    ("0207", "10211"), // 隔离墩 → 交通护栏
    ("0301", "10301"), // 公共厕所
    ("0302", "10304"), // 垃圾分类投放点 → 垃圾间（楼）
    ("0303", "10305"), // 果皮箱 → 垃圾箱
    ("0304", "10307"), // 户外广告设施 → 广告牌匾
    ("0305", "10407"), // 座椅 → 街头座椅, under 园林绿化
    ("0401", "10402"), // 行道树
    ("0402", "10405"), // 绿地
    ("0403", "10409"), // 绿化护栏 → 绿地维护设施
    ("0404", "10404"), // 花坛 → 花架花钵
    ("0501", "10501"), // 宣传栏
    ("0502", "10590"), // 建筑外立面: a city addition
    ("0601", "10690"), // 监控设施: a city addition
    ("0602", "10699"), // 其他部件: a city addition
    ("0151", "20102"), // 暴露垃圾
    ("0152", "20106"), // 绿化养护不到位 → 绿地脏乱
    ("0153", "20190"), // 杨柳飞絮: a city addition
    ("0154", "20104"), // 道路不洁
    ("0155", "20191"), // 垃圾分类不规范: a city addition
    ("0156", "20192"), // 公厕保洁不到位: a city addition
    ("0251", "20202"), // 违规户外广告 → 违章张贴悬挂广告牌匾
    ("0252", "20201"), // 非法小广告
    ("0253", "20290"), // 横幅标语: a city addition
    ("0351", "20390"), // 施工工地管理不规范: a city addition
    ("0352", "20391"), // 渣土车遗撒: a city addition
    ("0353", "20302"), // 施工扬尘 → 工地扬尘
    ("0354", "20392"), // 道路破损施工未恢复: a city addition
    ("0451", "20401"), // 路面塌陷
    ("0452", "20490"), // 井盖缺失: a city addition
    ("0453", "20491"), // 积水: a city addition
    ("0551", "20590"), // 占道经营: a city addition
    ("0552", "20504"), // 店外经营
    ("0553", "20101"), // 违法建设 → 私搭乱建, under 市容环境
    ("0554", "20505"), // 机动车违停 → 机动车乱停放
    ("0555", "20506"), // 非机动车乱停放
    ("0556", "20510"), // 露天烧烤
    ("0651", "20699"), // 其他事件: a city addition
];

/// A category code as today's tree writes it: a 4-digit code of the tree before migration 11 is
/// its [`LEGACY_CODES`] entry; any other code is itself (an unknown code is refused where it is
/// looked up, not here). The two formats cannot be confused: today's codes have five digits.
pub fn current_code(code: &str) -> std::borrow::Cow<'_, str> {
    match LEGACY_CODES.iter().find(|(old, _)| *old == code) {
        Some((_, new)) => std::borrow::Cow::Borrowed(new),
        None => std::borrow::Cow::Borrowed(code),
    }
}

/// Serde's reader of a finding's `category`: the code through [`current_code`].
pub fn deserialize_code<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    let code = String::deserialize(d)?;
    Ok(current_code(&code).into_owned())
}

/// The digit that leads the codes of a kind.
pub fn kind_digit(kind: CategoryKind) -> char {
    match kind {
        CategoryKind::Component => '1',
        CategoryKind::Event => '2',
    }
}

/// The code of minor `minor` of major `major` of `kind`.
pub fn code_of(kind: CategoryKind, major: &str, minor: &str) -> String {
    format!("{}{major}{minor}", kind_digit(kind))
}

/// A whole tree file: the standard it follows and the sources its entries name.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// The standard the tree follows, e.g. `GB/T 30428.2-2013`.
    pub standard: String,
    /// The file's own version, e.g. `gridpatrol-2026.12`.
    pub version: String,
    pub majors: Vec<MajorCategory>,
}

/// The file as written. `standard_title`, `code_format` and `note` are for the people who read and
/// edit it; they are read (so a misspelt key is refused) and not used.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct File {
    standard: String,
    #[serde(default)]
    standard_title: String,
    version: String,
    #[serde(default)]
    code_format: String,
    #[serde(default)]
    note: String,
    sources: BTreeMap<String, String>,
    majors: Vec<MajorFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MajorFile {
    kind: CategoryKind,
    major: String,
    name_zh: String,
    name_en: String,
    minors: Vec<MinorFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MinorFile {
    minor: String,
    name_zh: String,
    name_en: String,
    source: String,
    #[serde(default)]
    deadline: Option<DeadlineFile>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineFile {
    normal: Limit,
    #[serde(default)]
    urgent: Option<Limit>,
    source: String,
}

fn bad(reason: String) -> Error {
    Error::CategoryData(reason)
}

fn two_digits(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) && s != "00"
}

/// Resolves a comma-separated list of source keys to their text, refusing an unknown key.
fn resolve(sources: &BTreeMap<String, String>, keys: &str, what: &str) -> Result<String> {
    let mut texts = Vec::new();
    for key in keys.split(',').map(str::trim) {
        match sources.get(key) {
            Some(text) if !key.is_empty() => texts.push(format!("{key}: {text}")),
            _ => return Err(bad(format!("{what} names source {key:?}, which the file's sources do not list"))),
        }
    }
    Ok(texts.join(" | "))
}

fn check_limit(limit: Limit, what: &str) -> Result<()> {
    if limit.amount() == 0 || limit.amount() > MAX_LIMIT {
        return Err(bad(format!("{what}: a limit of {} {} is out of 1–{MAX_LIMIT}", limit.amount(), limit.unit())));
    }
    Ok(())
}

/// Parses and checks a category tree in the bundled JSON format; any fault refuses the whole file.
pub fn load(json: &str) -> Result<Tree> {
    let file: File = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    if file.standard.trim().is_empty() || file.version.trim().is_empty() {
        return Err(bad("the tree names no standard or no version".into()));
    }
    let mut majors_seen = HashSet::new();
    let mut codes_seen = HashSet::new();
    let mut majors = Vec::with_capacity(file.majors.len());
    for major in file.majors {
        if !two_digits(&major.major) {
            return Err(bad(format!("major {} is not two digits", major.major)));
        }
        if !majors_seen.insert((major.kind, major.major.clone())) {
            return Err(bad(format!("major {} {} appears twice", major.kind.as_str(), major.major)));
        }
        if major.name_zh.trim().is_empty() || major.name_en.trim().is_empty() {
            return Err(bad(format!("major {} {} has no name", major.kind.as_str(), major.major)));
        }
        let mut minors = Vec::with_capacity(major.minors.len());
        for minor in major.minors {
            let code = code_of(major.kind, &major.major, &minor.minor);
            if !two_digits(&minor.minor) {
                return Err(bad(format!("minor {} of major {} is not two digits", minor.minor, major.major)));
            }
            if !codes_seen.insert(code.clone()) {
                return Err(bad(format!("minor code {code} appears twice")));
            }
            if minor.name_zh.trim().is_empty() || minor.name_en.trim().is_empty() {
                return Err(bad(format!("minor {code} has no name")));
            }
            let source = resolve(&file.sources, &minor.source, &format!("minor {code}"))?;
            let deadline = match minor.deadline {
                None => None,
                Some(d) => {
                    check_limit(d.normal, &format!("the deadline of {code}"))?;
                    if let Some(u) = d.urgent {
                        check_limit(u, &format!("the urgent deadline of {code}"))?;
                    }
                    let source = resolve(&file.sources, &d.source, &format!("the deadline of {code}"))?;
                    Some(Deadline { normal: d.normal, urgent: d.urgent, source })
                }
            };
            minors.push(MinorCategory {
                code,
                minor: minor.minor,
                name_zh: minor.name_zh,
                name_en: minor.name_en,
                deadline,
                source,
            });
        }
        majors.push(MajorCategory {
            kind: major.kind,
            code: major.major,
            name_zh: major.name_zh,
            name_en: major.name_en,
            minors,
        });
    }
    Ok(Tree { standard: file.standard, version: file.version, majors })
}

/// The bundled tree. It is checked by a test, so loading it cannot fail at run time.
pub fn bundled() -> Tree {
    load(BUNDLED).expect("the bundled category tree is checked by tests")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minors(tree: &Tree) -> Vec<&MinorCategory> {
        tree.majors.iter().flat_map(|m| m.minors.iter()).collect()
    }

    #[test]
    fn the_bundled_tree_loads_with_unique_sourced_codes() {
        let tree = bundled();
        assert_eq!(tree.standard, "GB/T 30428.2-2013", "the tree names its standard");
        let all = minors(&tree);
        let codes: HashSet<&str> = all.iter().map(|m| m.code.as_str()).collect();
        assert_eq!(codes.len(), all.len(), "every code is unique across both kinds");
        for m in &all {
            assert!(!m.source.is_empty(), "minor {} names its source", m.code);
            assert!(m.code.len() == 5 && m.code.bytes().all(|b| b.is_ascii_digit()), "{} is five digits", m.code);
            if m.is_city_addition() {
                assert!(m.source.starts_with("CITY"), "city addition {} is marked as the city's sample", m.code);
            }
        }
        let majors: Vec<(CategoryKind, &str, &str)> =
            tree.majors.iter().map(|m| (m.kind, m.code.as_str(), m.name_zh.as_str())).collect();
        for (kind, code, name) in [
            (CategoryKind::Component, "01", "公用设施"),
            (CategoryKind::Component, "02", "道路交通"),
            (CategoryKind::Component, "03", "市容环境"),
            (CategoryKind::Component, "04", "园林绿化"),
            (CategoryKind::Component, "05", "房屋土地"),
            (CategoryKind::Component, "06", "其他设施"),
            (CategoryKind::Event, "01", "市容环境"),
            (CategoryKind::Event, "02", "宣传广告"),
            (CategoryKind::Event, "03", "施工管理"),
            (CategoryKind::Event, "04", "突发事件"),
            (CategoryKind::Event, "05", "街面秩序"),
            (CategoryKind::Event, "06", "其他事件"),
        ] {
            assert!(majors.contains(&(kind, code, name)), "the standard's major {code} {name} is in the tree");
        }
    }

    #[test]
    fn the_categories_the_issue_names_are_at_their_numbers() {
        let tree = bundled();
        let all = minors(&tree);
        let name = |code: &str| all.iter().find(|m| m.code == code).map(|m| m.name_zh.as_str());
        for (code, expected) in [
            ("10104", "雨水箅子"),
            ("10105", "电力井盖"),
            ("10110", "热力井盖"),
            ("10111", "燃气井盖"),
            ("10118", "路灯"),
            ("10214", "交通信号灯"),
            ("10190", "景观灯"),
            ("20101", "私搭乱建"),
            ("20103", "积存垃圾渣土"),
            ("20107", "废弃车辆"),
            ("20305", "施工废弃料"),
            ("20501", "无照经营游商"),
            ("20507", "乱堆物堆料"),
            ("20511", "沿街晾挂"),
        ] {
            assert_eq!(name(code), Some(expected), "{code} is {expected}");
        }
    }

    #[test]
    fn every_legacy_code_maps_to_an_entry_of_the_bundled_tree() {
        let tree = bundled();
        let codes: HashSet<String> = minors(&tree).iter().map(|m| m.code.clone()).collect();
        let mut olds = HashSet::new();
        for (old, new) in LEGACY_CODES {
            assert_eq!(old.len(), 4, "old codes have four digits: {old}");
            assert!(olds.insert(*old), "old code {old} is mapped once");
            assert!(codes.contains(*new), "old code {old} maps to {new}, which the bundled tree has");
        }
        assert_eq!(current_code("0553"), "20101", "违法建设 is read as 私搭乱建");
        assert_eq!(current_code("20101"), "20101", "a current code is itself");
    }

    #[test]
    fn a_bad_tree_is_refused_whole() {
        let good: serde_json::Value = serde_json::from_str(BUNDLED).unwrap();
        let cases: Vec<(&str, Box<dyn Fn(&mut serde_json::Value)>)> = vec![
            (
                "a duplicate minor",
                Box::new(|v| {
                    let first = v["majors"][0]["minors"][0].clone();
                    v["majors"][0]["minors"].as_array_mut().unwrap().push(first);
                }),
            ),
            ("an unknown source key", Box::new(|v| v["majors"][0]["minors"][0]["source"] = "NOPE".into())),
            ("a three-digit minor", Box::new(|v| v["majors"][0]["minors"][0]["minor"] = "104".into())),
            (
                "a zero limit",
                Box::new(|v| v["majors"][0]["minors"][0]["deadline"]["normal"] = serde_json::json!({"hours": 0})),
            ),
            (
                "an unknown unit",
                Box::new(|v| v["majors"][0]["minors"][0]["deadline"]["normal"] = serde_json::json!({"days": 3})),
            ),
            ("no standard", Box::new(|v| v["standard"] = "".into())),
            ("an unknown field", Box::new(|v| v["majors"][0]["colour"] = "red".into())),
            (
                "a duplicate major",
                Box::new(|v| {
                    let first = v["majors"][0].clone();
                    v["majors"].as_array_mut().unwrap().push(first);
                }),
            ),
        ];
        for (what, spoil) in cases {
            let mut v = good.clone();
            spoil(&mut v);
            let err = load(&v.to_string()).expect_err(what);
            assert!(matches!(err, Error::CategoryData(_)), "{what} is refused as category data: {err:?}");
        }
    }
}
