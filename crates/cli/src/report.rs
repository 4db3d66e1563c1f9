//! `gridpatrol report week`: the weekly inspection logs of an ISO week, printed for people or as
//! JSON, and exported as XLSX and CSV. The numbers and the files are made by core (`weekly`).

use gridpatrol_core::calendar::IsoWeek;
use gridpatrol_core::export;
use gridpatrol_core::measures::Measures;
use gridpatrol_core::weekly::{self, GroupWeek, WeeklyLog};
use gridpatrol_core::{Error, Lang, Store};

use crate::cli::{WeekArgs, WeekGroup};

pub fn week(lang: Lang, store: &Store, args: &WeekArgs) -> Result<(), Error> {
    let week = IsoWeek::parse(&args.week)?;
    if let Some(by) = args.by {
        let groups = match by {
            WeekGroup::LargeGrid => weekly::large_grid_week(store, week)?,
            WeekGroup::Unit => weekly::unit_week(store, week)?,
        };
        if args.json {
            crate::print_json(&groups);
        } else {
            print_groups(lang, week, by, &groups);
        }
        return Ok(());
    }
    let logs = match args.officer.as_deref() {
        Some(name) => vec![weekly::officer_week(store, name.trim(), week)?],
        None => weekly::city_week(store, week)?,
    };
    if let Some(path) = &args.xlsx {
        export::save_xlsx(store, &logs, path)?;
    }
    if let Some(path) = &args.csv {
        export::save_csv(store, &logs, path)?;
    }
    if args.json {
        crate::print_json(&logs);
    } else {
        print_logs(lang, week, &logs);
        for path in args.xlsx.iter().chain(args.csv.iter()) {
            match lang {
                Lang::Zh => println!("已导出：{}", path.display()),
                Lang::En => println!("Exported: {}", path.display()),
            }
        }
    }
    Ok(())
}

fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "—".into())
}

fn print_logs(lang: Lang, week: IsoWeek, logs: &[WeeklyLog]) {
    let (monday, sunday) = (week.monday(), week.sunday());
    match lang {
        Lang::Zh => println!("{week} 周巡查日志（{monday} 至 {sunday}，北京时间）"),
        Lang::En => println!("Weekly inspection logs {week} ({monday} to {sunday}, Beijing time)"),
    }
    if logs.is_empty() {
        match lang {
            Lang::Zh => println!("本周没有巡查员的记录。"),
            Lang::En => println!("No officer has a record this week."),
        }
    }
    for log in logs {
        let head = match lang {
            Lang::Zh => format!(
                "{}：巡查 {}/{} 次，巡查网格 {}/{}",
                log.officer, log.patrols, log.patrols_expected, log.grids_walked, log.grids_owned
            ),
            Lang::En => format!(
                "{}: patrols {}/{}, grids walked {}/{}",
                log.officer, log.patrols, log.patrols_expected, log.grids_walked, log.grids_owned
            ),
        };
        let sep = if lang == Lang::Zh { "，" } else { ", " };
        println!("{head}{sep}{}", measures_line(lang, &log.measures));
    }
}

/// The measures in one line, with the names of GB/T 30428.4 and the city assessments.
fn measures_line(lang: Lang, m: &Measures) -> String {
    match lang {
        Lang::Zh => format!(
            "上报 {}（有效 {}，自处置 {}），应结案 {}，结案 {}，按期结案 {}，超期 {}；按期结案率 {}，结案率 {}，按期处置率 {}，返工率 {}，延期率 {}，自处置率 {}",
            m.findings_recorded,
            m.valid_reports,
            m.on_the_spot,
            m.due,
            m.closed,
            m.closed_on_time,
            m.overdue,
            pct(m.on_time_closure_rate),
            pct(m.closure_rate),
            pct(m.on_time_rate),
            pct(m.rework_rate),
            pct(m.deferral_rate),
            pct(m.on_the_spot_rate)
        ),
        Lang::En => format!(
            "reported {} ({} valid, {} on the spot), due {}, closed {}, closed on time {}, overdue {}; on-time closure {}, closure {}, on-time handling {}, rework {}, deferral {}, on the spot {}",
            m.findings_recorded,
            m.valid_reports,
            m.on_the_spot,
            m.due,
            m.closed,
            m.closed_on_time,
            m.overdue,
            pct(m.on_time_closure_rate),
            pct(m.closure_rate),
            pct(m.on_time_rate),
            pct(m.rework_rate),
            pct(m.deferral_rate),
            pct(m.on_the_spot_rate)
        ),
    }
}

fn print_groups(lang: Lang, week: IsoWeek, by: WeekGroup, groups: &[GroupWeek]) {
    let (monday, sunday) = (week.monday(), week.sunday());
    match (lang, by) {
        (Lang::Zh, WeekGroup::LargeGrid) => println!("{week} 各大网格（{monday} 至 {sunday}，北京时间）"),
        (Lang::Zh, WeekGroup::Unit) => println!("{week} 各责任单位（{monday} 至 {sunday}，北京时间）"),
        (Lang::En, WeekGroup::LargeGrid) => println!("Large grids {week} ({monday} to {sunday}, Beijing time)"),
        (Lang::En, WeekGroup::Unit) => println!("Responsible units {week} ({monday} to {sunday}, Beijing time)"),
    }
    for g in groups {
        let name = match (g.code.is_empty(), lang) {
            (true, Lang::Zh) => "未派遣".to_string(),
            (true, Lang::En) => "not dispatched".to_string(),
            (false, _) if g.name != g.code => format!("{} {}", g.code, g.name),
            (false, _) => g.code.clone(),
        };
        let sep = if lang == Lang::Zh { "：" } else { ": " };
        println!("{name}{sep}{}", measures_line(lang, &g.measures));
    }
}
