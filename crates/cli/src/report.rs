//! `gridpatrol report week`: the weekly inspection logs of an ISO week, printed for people or as
//! JSON, and exported as XLSX and CSV. The numbers and the files are made by core (`weekly`).

use gridpatrol_core::calendar::IsoWeek;
use gridpatrol_core::export;
use gridpatrol_core::weekly::{self, WeeklyLog};
use gridpatrol_core::{Error, Lang, Store};

use crate::cli::WeekArgs;

pub fn week(lang: Lang, store: &Store, args: &WeekArgs) -> Result<(), Error> {
    let week = IsoWeek::parse(&args.week)?;
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
        match lang {
            Lang::Zh => println!(
                "{}：巡查 {}/{} 次，巡查网格 {}/{}，发现问题 {}，已结案 {}，超期 {}，应办结 {}；结案率 {}，按期处置率 {}，返工率 {}",
                log.officer,
                log.patrols,
                log.patrols_expected,
                log.grids_walked,
                log.grids_owned,
                log.measures.findings_recorded,
                log.measures.findings_closed,
                log.measures.overdue,
                log.measures.due,
                pct(log.measures.closure_rate),
                pct(log.measures.on_time_rate),
                pct(log.measures.rework_rate)
            ),
            Lang::En => println!(
                "{}: patrols {}/{}, grids walked {}/{}, findings {}, closed {}, overdue {}, due {}; closure {}, on time {}, rework {}",
                log.officer,
                log.patrols,
                log.patrols_expected,
                log.grids_walked,
                log.grids_owned,
                log.measures.findings_recorded,
                log.measures.findings_closed,
                log.measures.overdue,
                log.measures.due,
                pct(log.measures.closure_rate),
                pct(log.measures.on_time_rate),
                pct(log.measures.rework_rate)
            ),
        }
    }
}
