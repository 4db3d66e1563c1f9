//! What the command line prints for people: short tables and sentences, Chinese or English.
//! Times are shown in the city's zone.

use std::path::Path;

use chrono::{DateTime, Utc};
use gridpatrol_core::calendar::CITY_TZ;
use gridpatrol_core::model::{Event, Finding, Grid, GridLevel, MajorCategory, Patrol, PatrolKind, User};
use gridpatrol_core::store::ImportSummary;
use gridpatrol_core::{Counts, Error, FindingSummary, Lang, Store};

fn when(t: DateTime<Utc>) -> String {
    t.with_timezone(&CITY_TZ).format("%Y-%m-%d %H:%M").to_string()
}

fn t(lang: Lang, zh: &str, en: &str) -> String {
    lang.pick(zh, en).to_string()
}

pub fn init(lang: Lang, store: &Store, fresh: bool, loaded: Option<&ImportSummary>) -> Result<(), Error> {
    let dir = store.data_dir().display();
    println!(
        "{}",
        if fresh {
            t(lang, &format!("已创建数据目录：{dir}"), &format!("Created the store in {dir}"))
        } else {
            t(lang, &format!("数据目录：{dir}"), &format!("Store: {dir}"))
        }
    );
    if let Some(s) = loaded {
        println!(
            "{}",
            t(
                lang,
                &format!("已载入示例网格库（示例数据）：{} 个大网格，{} 个小网格。", s.large, s.small),
                &format!("Loaded the SAMPLE registry: {} large and {} small grids.", s.large, s.small)
            )
        );
    }
    match store.profile()? {
        Some(u) => println!(
            "{}",
            t(
                lang,
                &format!("本机用户：{}（{}）", u.name, u.role.label(Lang::Zh)),
                &format!("Local user: {} ({})", u.name, u.role.as_str())
            )
        ),
        None => println!(
            "{}",
            t(
                lang,
                "还没有本机用户：用 init --user 姓名 --role officer 设置。",
                "No local user yet: set one with init --user NAME --role officer."
            )
        ),
    }
    Ok(())
}

pub fn grids(lang: Lang, grids: &[Grid]) {
    println!("{}", t(lang, "编码\t级别\t上级\t名称\t包保责任人", "CODE\tLEVEL\tPARENT\tNAME\tOWNERS"));
    for g in grids {
        let level = match (g.level, lang) {
            (GridLevel::Large, Lang::Zh) => "大网格",
            (GridLevel::Small, Lang::Zh) => "小网格",
            (GridLevel::Large, Lang::En) => "large",
            (GridLevel::Small, Lang::En) => "small",
        };
        println!("{}\t{level}\t{}\t{}\t{}", g.code, g.parent.as_deref().unwrap_or("-"), g.name, g.owners.join("、"));
    }
    let large = grids.iter().filter(|g| g.level == GridLevel::Large).count();
    println!(
        "{}",
        t(
            lang,
            &format!("共 {large} 个大网格，{} 个小网格", grids.len() - large),
            &format!("{large} large grids, {} small grids", grids.len() - large)
        )
    );
}

pub fn imported(lang: Lang, s: &ImportSummary) {
    println!(
        "{}",
        t(
            lang,
            &format!("已导入 {} 个大网格、{} 个小网格（其中 {} 个为更新）。", s.large, s.small, s.updated),
            &format!("Imported {} large and {} small grids ({} updated).", s.large, s.small, s.updated)
        )
    );
}

fn kind_zh_en(kind: gridpatrol_core::CategoryKind) -> (&'static str, &'static str) {
    match kind {
        gridpatrol_core::CategoryKind::Component => ("部件", "component"),
        gridpatrol_core::CategoryKind::Event => ("事件", "event"),
    }
}

fn limit_text(lang: Lang, d: &gridpatrol_core::Deadline) -> String {
    match d.urgent {
        Some(u) => t(
            lang,
            &format!("一般 {}，紧急 {}", d.normal.label(Lang::Zh), u.label(Lang::Zh)),
            &format!("normal {}, urgent {}", d.normal.label(Lang::En), u.label(Lang::En)),
        ),
        None => d.normal.label(lang),
    }
}

/// The tree as `categories list` prints it: majors, then each minor's code, name, deadline and
/// whether it is a city addition; the sources are in `--json`.
pub fn categories(lang: Lang, standard: &str, tree: &[MajorCategory]) {
    println!("{}", t(lang, &format!("类别树：{standard}"), &format!("Category tree: {standard}")));
    for major in tree {
        let (zh, en) = kind_zh_en(major.kind);
        println!("{} {} {}", t(lang, zh, en), major.code, lang.pick(&major.name_zh, &major.name_en));
        for minor in &major.minors {
            let deadline = minor.deadline.as_ref().map(|d| limit_text(lang, d)).unwrap_or_default();
            let addition = if minor.is_city_addition() {
                t(lang, "（城市扩展，示例）", " (city addition, sample)")
            } else {
                String::new()
            };
            println!("  {} {}{addition}\t{deadline}", minor.code, lang.pick(&minor.name_zh, &minor.name_en));
        }
    }
}

/// `categories list --json`: one object per minor with its kind, the standard's major and minor
/// numbers, its code, names, deadlines and source.
pub fn categories_json(standard: &str, tree: &[MajorCategory]) -> serde_json::Value {
    let minors: Vec<serde_json::Value> = tree
        .iter()
        .flat_map(|major| {
            major.minors.iter().map(move |minor| {
                serde_json::json!({
                    "kind": major.kind.as_str(),
                    "major": major.code,
                    "major_name": {"zh": major.name_zh, "en": major.name_en},
                    "minor": minor.minor,
                    "code": minor.code,
                    "name": {"zh": minor.name_zh, "en": minor.name_en},
                    "city_addition": minor.is_city_addition(),
                    "deadline": minor.deadline.as_ref().map(|d| serde_json::json!({
                        "normal": {"unit": d.normal.unit(), "amount": d.normal.amount()},
                        "urgent": d.urgent.map(|u| serde_json::json!({"unit": u.unit(), "amount": u.amount()})),
                        "source": d.source,
                    })),
                    "source": minor.source,
                })
            })
        })
        .collect();
    serde_json::json!({"standard": standard, "minors": minors})
}

fn kind_label(lang: Lang, kind: PatrolKind) -> String {
    match kind {
        PatrolKind::Scheduled => t(lang, "徒步巡查", "walking patrol"),
        PatrolKind::Adhoc => t(lang, "临时巡查", "ad hoc patrol"),
    }
}

pub fn patrol_started(lang: Lang, p: &Patrol) {
    println!(
        "{}",
        t(
            lang,
            &format!("巡查已开始（{}）：{}，网格 {}", kind_label(lang, p.kind), when(p.started_at), p.grids.join("、")),
            &format!(
                "Patrol started ({}): {}, grids {}",
                kind_label(lang, p.kind),
                when(p.started_at),
                p.grids.join(", ")
            )
        )
    );
    println!("{}", p.id);
}

pub fn patrol_ended(lang: Lang, p: &Patrol) {
    let end = p.ended_at.map(when).unwrap_or_default();
    println!(
        "{}",
        t(
            lang,
            &format!("巡查已结束：{} — {}", when(p.started_at), end),
            &format!("Patrol ended: {} — {}", when(p.started_at), end)
        )
    );
}

pub fn patrols(lang: Lang, patrols: &[Patrol]) {
    println!("{}", t(lang, "编号\t巡查员\t类型\t开始\t结束\t网格", "ID\tOFFICER\tKIND\tSTARTED\tENDED\tGRIDS"));
    for p in patrols {
        let end = p.ended_at.map(when).unwrap_or_else(|| t(lang, "进行中", "under way"));
        println!(
            "{}\t{}\t{}\t{}\t{end}\t{}",
            p.id,
            p.officer,
            kind_label(lang, p.kind),
            when(p.started_at),
            p.grids.join(",")
        );
    }
}

pub fn finding_added(lang: Lang, f: &Finding) {
    println!(
        "{}",
        t(
            lang,
            &format!("问题已记录（{}）：{}", f.status.label(Lang::Zh), f.id),
            &format!("Finding recorded ({}): {}", f.status, f.id)
        )
    );
}

pub fn moved(lang: Lang, f: &Finding) {
    println!(
        "{}",
        t(
            lang,
            &format!("问题 {} 现在是“{}”。", f.id, f.status.label(Lang::Zh)),
            &format!("Finding {} is now {}.", f.id, f.status)
        )
    );
}

pub fn deferral_requested(lang: Lang, f: &Finding) {
    let until = f.deferral.as_ref().map(|d| when(d.until)).unwrap_or_default();
    println!(
        "{}",
        t(
            lang,
            &format!("问题 {} 已申请延期至 {until}，等待组长审批。", f.id),
            &format!("Finding {}: a deferral until {until} is asked for and waits for the lead.", f.id)
        )
    );
}

pub fn deferral_decided(lang: Lang, f: &Finding, approved: bool) {
    let due = f.due_at.map(when).unwrap_or_else(|| "-".into());
    let (zh, en) = if approved {
        (
            format!("问题 {} 的延期已批准，整改时限为 {due}。", f.id),
            format!("Finding {}: deferral approved, due {due}.", f.id),
        )
    } else {
        (
            format!("问题 {} 的延期未获批准，整改时限仍为 {due}。", f.id),
            format!("Finding {}: deferral refused, still due {due}.", f.id),
        )
    };
    println!("{}", t(lang, &zh, &en));
}

pub fn units(lang: Lang, units: &[gridpatrol_core::model::Unit]) {
    println!(
        "{}",
        t(
            lang,
            "责任单位（示例数据，城市应换用自己的单位表）：",
            "Responsible units (SAMPLE data: a city loads its own list):"
        )
    );
    for u in units {
        println!("{:<12} {}  {}  [{}]", u.code, u.name_zh, u.name_en, u.categories.join(", "));
    }
}

pub fn log_review(lang: Lang, r: &gridpatrol_core::review::LogReview) {
    let state = r.state.as_str();
    println!(
        "{}",
        t(
            lang,
            &format!("{} 的 {} 周巡查日志：{state}", r.officer, r.week),
            &format!("Weekly log of {} for {}: {state}", r.officer, r.week)
        )
    );
}

pub fn findings(lang: Lang, rows: &[FindingSummary]) {
    println!(
        "{}",
        t(lang, "编号\t网格\t类别\t状态\t发现时间\t描述", "ID\tGRID\tCATEGORY\tSTATUS\tOBSERVED\tDESCRIPTION")
    );
    for f in rows {
        let overdue = if f.overdue { t(lang, "（超期）", " (overdue)") } else { String::new() };
        let desc: String = f.description.chars().take(40).collect();
        println!(
            "{}\t{}\t{}\t{}{overdue}\t{}\t{desc}",
            f.id,
            f.grid,
            f.category,
            f.status.label(lang),
            when(f.observed_at)
        );
    }
    println!("{}", t(lang, &format!("共 {} 条", rows.len()), &format!("{} findings", rows.len())));
}

pub fn finding(lang: Lang, store: &Store, f: &Finding) -> Result<(), Error> {
    let grid = store.grid(&f.grid)?;
    let category = store.category(&f.category)?;
    let line = |zh: &str, en: &str, value: String| println!("{}：{value}", t(lang, zh, en));
    line("编号", "Id", f.id.clone());
    line("状态", "Status", f.status.label(lang).to_string());
    line("网格", "Grid", format!("{} {}", f.grid, grid.name));
    line("类别", "Category", format!("{} {}", f.category, lang.pick(&category.name_zh, &category.name_en)));
    line("描述", "Description", f.description.clone());
    if !f.address.is_empty() {
        line("地址", "Address", f.address.clone());
    }
    if let Some(p) = f.point {
        line("位置", "Point", format!("{:.6}, {:.6}", p.lat, p.lon));
    }
    line("紧急程度", "Urgency", f.urgency.label(lang).to_string());
    if let Some(unit) = &f.unit {
        let name = store.unit(unit).map(|u| lang.pick(&u.name_zh, &u.name_en).to_string()).unwrap_or_default();
        line("责任单位", "Responsible unit", format!("{unit} {name}"));
    } else if !f.responsible_unit.is_empty() {
        // Free text written before units (store migration 12 names no unit for it).
        line("责任单位（旧）", "Responsible unit (old text)", f.responsible_unit.clone());
    }
    if let Some(at) = f.dispatched_at {
        line("派遣时间", "Dispatched", when(at));
    }
    if let Some(d) = &f.deferral {
        line("延期申请", "Deferral asked", format!("{} — {} ({})", when(d.until), d.reason, d.by));
    }
    if f.deferrals > 0 {
        line("已批准延期", "Deferrals approved", f.deferrals.to_string());
    }
    if f.on_the_spot {
        line("当场处置", "Solved on the spot", t(lang, "是", "yes").to_string());
    }
    line("上报人", "Author", f.author.clone());
    line("发现时间", "Observed", when(f.observed_at));
    line("记录时间", "Recorded", when(f.recorded_at));
    if let Some(due) = f.due_at {
        line("整改时限", "Due", when(due));
        let warning = match &category.deadline {
            Some(d) => {
                gridpatrol_core::deadline::span_warning(d.limit(f.urgency), f.recorded_at, due, &store.holidays()?)
            }
            None => None,
        };
        if let Some(w) = warning {
            line("注意", "Warning", w.message(lang));
        }
    }
    for p in &f.photos {
        line(
            "照片",
            "Photo",
            format!("{} {} ({}×{})", p.role.as_str(), store.photos_dir().join(&p.file).display(), p.width, p.height),
        );
    }
    Ok(())
}

pub fn history(lang: Lang, events: &[Event]) {
    for e in events {
        let what = match e.kind.as_str() {
            "finding.reported" => t(lang, "上报", "reported"),
            "finding.moved" => {
                let from = e.payload.get("from").and_then(|v| v.as_str()).unwrap_or("?");
                let to = e.payload.get("to").and_then(|v| v.as_str()).unwrap_or("?");
                let note = e
                    .payload
                    .get("note")
                    .and_then(|v| v.as_str())
                    .filter(|n| !n.is_empty())
                    .map(|n| format!(" — {n}"))
                    .unwrap_or_default();
                let label = |s: &str| {
                    gridpatrol_core::Status::parse(s)
                        .map(|s| s.label(lang).to_string())
                        .unwrap_or_else(|| s.to_string())
                };
                format!("{} → {}{note}", label(from), label(to))
            }
            other => other.to_string(),
        };
        let sync = match (e.sync.as_str(), lang) {
            ("pending", Lang::Zh) => "待同步",
            ("acked", Lang::Zh) => "已同步",
            ("parked", Lang::Zh) => "已搁置",
            (s, _) => s,
        };
        println!("{}\t{}\t{what}\t[{sync}]\t{}", when(e.device_time), e.actor, e.id);
    }
}

pub fn config(lang: Lang, dir: &Path, max: u64, patrol_days: &str, (off, workdays): (usize, usize)) {
    println!("{}：{}", t(lang, "数据目录", "Data folder"), dir.display());
    println!("photo-max-mb：{:.1}", max as f64 / (1024.0 * 1024.0));
    println!("patrol-days：{patrol_days}");
    println!(
        "holidays：{}",
        lang.pick(
            &format!("{off} 天节假日，{workdays} 天调休上班"),
            &format!("{off} days off, {workdays} make-up working days")
        )
    );
}

pub fn status(
    lang: Lang,
    dir: &Path,
    profile: Option<&User>,
    patrol: Option<&Patrol>,
    counts: &Counts,
    set_aside: &[gridpatrol_core::store::SetAside],
    sample: bool,
) {
    println!("{}：{}", t(lang, "数据目录", "Data folder"), dir.display());
    if sample {
        println!(
            "{}",
            t(
                lang,
                "示例数据：本机使用示例网格库，网格和其中的记录都是虚构的示例",
                "Sample data: this store uses the SAMPLE registry; its grids and what is recorded in them are made up"
            )
        );
    }
    match profile {
        Some(u) => println!("{}：{}（{}）", t(lang, "本机用户", "Local user"), u.name, u.role.label(lang)),
        None => println!("{}", t(lang, "还没有本机用户", "No local user yet")),
    }
    if let Some(p) = patrol {
        println!("{}：{}", t(lang, "进行中的巡查", "Patrol under way"), p.grids.join(","));
    }
    println!(
        "{}",
        t(
            lang,
            &format!(
                "网格 {}，巡查 {}，问题 {}，照片 {}",
                counts.grids, counts.patrols, counts.findings, counts.photos
            ),
            &format!(
                "{} grids, {} patrols, {} findings, {} photos",
                counts.grids, counts.patrols, counts.findings, counts.photos
            )
        )
    );
    // Only what travels counts: the profile, settings and a local registry import never do.
    if counts.pending_events == 0 {
        println!("{}", t(lang, "没有待同步的更改", "Nothing waiting to sync"));
    } else {
        println!(
            "{}",
            t(
                lang,
                &format!("离线，{} 项更改待同步", counts.pending_events),
                &format!("Offline, {} changes waiting to sync", counts.pending_events)
            )
        );
    }
    if !set_aside.is_empty() {
        println!(
            "{}",
            t(
                lang,
                &format!("{} 项从中心端收到的更改无法读取，已搁置（未应用）：", set_aside.len()),
                &format!(
                    "{} changes pulled from the hub could not be read and were set aside (not applied):",
                    set_aside.len()
                )
            )
        );
        for s in set_aside {
            let seq = s.hub_seq.map_or_else(|| "-".to_string(), |n| n.to_string());
            println!("  #{seq} {} {}: {}", s.kind, s.code, s.message);
        }
    }
}
