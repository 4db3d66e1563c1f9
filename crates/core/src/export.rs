//! The weekly logs as files for the weekly meeting: CSV in UTF-8 with a BOM (so Excel opens the Chinese
//! headers) and an XLSX workbook (a summary sheet and one sheet per officer). The numbers are the logs'
//! ([`crate::weekly`], [`crate::measures`]); this module only lays them out.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::calendar::CITY_TZ;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::weekly::WeeklyLog;

/// The summary columns, shared by the CSV and the XLSX summary sheet (the measures' names as
/// GB/T 30428.4 and the city assessments write them; see [`crate::measures`]).
pub const SUMMARY_HEADERS: [&str; 25] = [
    "网格员",
    "周次",
    "周一",
    "周日",
    "巡查次数",
    "应巡查次数",
    "按节奏巡查天数",
    "巡查网格数",
    "负责网格数",
    "上报数",
    "有效上报数",
    "自处置数",
    "应结案数",
    "结案数",
    "按期结案数",
    "按期处置数",
    "返工数",
    "延期数",
    "超期",
    "结案率",
    "按期结案率",
    "按期处置率",
    "返工率",
    "延期率",
    "自处置率",
];

/// The column of the first count, and of the first rate.
const FIRST_COUNT: usize = 4;
const FIRST_RATE: usize = 19;

fn counts(log: &WeeklyLog) -> [u32; 15] {
    let m = &log.measures;
    [
        log.patrols,
        log.patrols_expected,
        log.rhythm_days_patrolled,
        log.grids_walked,
        log.grids_owned,
        m.findings_recorded,
        m.valid_reports,
        m.on_the_spot,
        m.due,
        m.closed,
        m.closed_on_time,
        m.handled_on_time,
        m.rework,
        m.deferred,
        m.overdue,
    ]
}

fn rates(log: &WeeklyLog) -> [Option<f64>; 6] {
    let m = &log.measures;
    [m.closure_rate, m.on_time_closure_rate, m.on_time_rate, m.rework_rate, m.deferral_rate, m.on_the_spot_rate]
}

/// A ratio as text for the CSV: four decimals, empty when there is none.
pub fn rate_text(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.4}")).unwrap_or_default()
}

/// The logs as CSV in UTF-8 with a BOM (so Excel opens the Chinese headers correctly): one row per
/// log, the summary columns and then 分类统计 (`code 名称:count; …`).
pub fn write_csv(store: &Store, logs: &[WeeklyLog], mut out: impl Write) -> Result<()> {
    let names = store.category_names_zh()?;
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| Error::Io(std::io::Error::other(e));
    let mut headers: Vec<&str> = SUMMARY_HEADERS.to_vec();
    headers.push("分类统计");
    w.write_record(&headers).map_err(io)?;
    for log in logs {
        let mut rec = vec![log.officer.clone(), log.week.clone(), log.week_start.to_string(), log.week_end.to_string()];
        rec.extend(counts(log).iter().map(|n| n.to_string()));
        rec.extend(rates(log).iter().map(|r| rate_text(*r)));
        rec.push(
            log.measures
                .by_category
                .iter()
                .map(|(c, n)| format!("{c} {}:{n}", names.get(c).map(String::as_str).unwrap_or("")))
                .collect::<Vec<_>>()
                .join("; "),
        );
        w.write_record(&rec).map_err(io)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the logs as CSV to a file.
pub fn save_csv(store: &Store, logs: &[WeeklyLog], path: &Path) -> Result<()> {
    let file = std::fs::File::create(path)?;
    write_csv(store, logs, std::io::BufWriter::new(file))
}

/// The width a text takes in a spreadsheet column: CJK characters count twice.
fn text_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Column widths that fit: the widest cell of each column, within bounds.
struct Widths(Vec<usize>);

impl Widths {
    fn see(&mut self, col: u16, width: usize) {
        let col = usize::from(col);
        if self.0.len() <= col {
            self.0.resize(col + 1, 0);
        }
        self.0[col] = self.0[col].max(width);
    }

    fn apply(&self, sheet: &mut rust_xlsxwriter::Worksheet) -> Result<()> {
        for (col, w) in self.0.iter().enumerate() {
            sheet.set_column_width(col as u16, (*w + 2).clamp(8, 60) as f64).map_err(xlsx_err)?;
        }
        Ok(())
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Io(std::io::Error::other(e))
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in the book.
fn sheet_name(officer: &str, used: &mut BTreeSet<String>) -> String {
    let clean: String =
        officer.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).take(28).collect::<String>();
    let clean = if clean.trim().is_empty() || clean == "汇总" { "网格员".to_string() } else { clean };
    let mut name = clean.clone();
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{clean}{n}");
        n += 1;
    }
    name
}

fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&CITY_TZ).naive_local()
}

/// The logs as an XLSX workbook: a summary sheet (汇总) with one row per log, and one sheet per
/// officer with the log's numbers, its findings by category, its patrols and its findings. Dates
/// and times are real date cells in Beijing time; rates are numbers formatted as percentages.
pub fn xlsx_bytes(store: &Store, logs: &[WeeklyLog]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook};
    let names = store.category_names_zh()?;
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_align(FormatAlign::Center);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let pct = Format::new().set_num_format("0.0%");

    let sheet = book.add_worksheet();
    sheet.set_name("汇总").map_err(xlsx_err)?;
    let mut widths = Widths(Vec::new());
    for (col, h) in SUMMARY_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold).map_err(xlsx_err)?;
        widths.see(col as u16, text_width(h));
    }
    for (i, log) in logs.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &log.officer).map_err(xlsx_err)?;
        widths.see(0, text_width(&log.officer));
        sheet.write_string(row, 1, &log.week).map_err(xlsx_err)?;
        sheet.write_datetime_with_format(row, 2, log.week_start, &date).map_err(xlsx_err)?;
        sheet.write_datetime_with_format(row, 3, log.week_end, &date).map_err(xlsx_err)?;
        widths.see(2, 10);
        widths.see(3, 10);
        for (j, n) in counts(log).iter().enumerate() {
            sheet.write_number(row, (FIRST_COUNT + j) as u16, f64::from(*n)).map_err(xlsx_err)?;
        }
        for (j, r) in rates(log).iter().enumerate() {
            if let Some(r) = r {
                sheet.write_number_with_format(row, (FIRST_RATE + j) as u16, *r, &pct).map_err(xlsx_err)?;
            }
        }
    }
    widths.apply(sheet)?;
    sheet.set_freeze_panes(1, 1).map_err(xlsx_err)?;

    let mut used = BTreeSet::from(["汇总".to_string()]);
    for log in logs {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&log.officer, &mut used)).map_err(xlsx_err)?;
        let mut widths = Widths(Vec::new());
        let mut row = 0u32;
        // The log's numbers: a label and a value per row.
        let mut label = |sheet: &mut rust_xlsxwriter::Worksheet, row: u32, text: &str| -> Result<()> {
            sheet.write_string_with_format(row, 0, text, &bold).map_err(xlsx_err)?;
            widths.see(0, text_width(text));
            Ok(())
        };
        label(sheet, row, "网格员")?;
        sheet.write_string(row, 1, &log.officer).map_err(xlsx_err)?;
        row += 1;
        label(sheet, row, "周次")?;
        sheet.write_string(row, 1, &log.week).map_err(xlsx_err)?;
        row += 1;
        label(sheet, row, "周一")?;
        sheet.write_datetime_with_format(row, 1, log.week_start, &date).map_err(xlsx_err)?;
        row += 1;
        label(sheet, row, "周日")?;
        sheet.write_datetime_with_format(row, 1, log.week_end, &date).map_err(xlsx_err)?;
        row += 1;
        for (j, n) in counts(log).iter().enumerate() {
            label(sheet, row, SUMMARY_HEADERS[FIRST_COUNT + j])?;
            sheet.write_number(row, 1, f64::from(*n)).map_err(xlsx_err)?;
            row += 1;
        }
        for (j, r) in rates(log).iter().enumerate() {
            label(sheet, row, SUMMARY_HEADERS[FIRST_RATE + j])?;
            if let Some(r) = r {
                sheet.write_number_with_format(row, 1, *r, &pct).map_err(xlsx_err)?;
            }
            row += 1;
        }

        row += 1;
        for (col, h) in ["类别编码", "类别名称", "问题数"].iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *h, &bold).map_err(xlsx_err)?;
            widths.see(col as u16, text_width(h));
        }
        row += 1;
        for (code, n) in &log.measures.by_category {
            let name = names.get(code).map(String::as_str).unwrap_or("");
            sheet.write_string(row, 0, code).map_err(xlsx_err)?;
            sheet.write_string(row, 1, name).map_err(xlsx_err)?;
            sheet.write_number(row, 2, f64::from(*n)).map_err(xlsx_err)?;
            widths.see(1, text_width(name));
            row += 1;
        }

        row += 1;
        for (col, h) in ["巡查编号", "开始时间", "结束时间", "网格数"].iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *h, &bold).map_err(xlsx_err)?;
            widths.see(col as u16, text_width(h));
        }
        row += 1;
        for p in &log.patrol_list {
            sheet.write_string(row, 0, &p.id).map_err(xlsx_err)?;
            widths.see(0, p.id.len());
            sheet.write_datetime_with_format(row, 1, local(p.started_at), &time).map_err(xlsx_err)?;
            if let Some(end) = p.ended_at {
                sheet.write_datetime_with_format(row, 2, local(end), &time).map_err(xlsx_err)?;
            }
            sheet.write_number(row, 3, f64::from(p.grids)).map_err(xlsx_err)?;
            widths.see(1, 16);
            widths.see(2, 16);
            row += 1;
        }

        row += 1;
        let headers = ["问题编号", "网格", "类别", "状态", "发现时间", "整改期限", "整改时间", "超期"];
        for (col, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *h, &bold).map_err(xlsx_err)?;
            widths.see(col as u16, text_width(h));
        }
        row += 1;
        for f in &log.finding_list {
            let category = format!("{} {}", f.category, names.get(&f.category).map(String::as_str).unwrap_or(""));
            let status = f.status.label(crate::lang::Lang::Zh);
            sheet.write_string(row, 0, &f.id).map_err(xlsx_err)?;
            sheet.write_string(row, 1, &f.grid).map_err(xlsx_err)?;
            sheet.write_string(row, 2, &category).map_err(xlsx_err)?;
            sheet.write_string(row, 3, status).map_err(xlsx_err)?;
            sheet.write_datetime_with_format(row, 4, local(f.observed_at), &time).map_err(xlsx_err)?;
            for (col, t) in [(5u16, f.due_at), (6, f.rectified_at)] {
                if let Some(t) = t {
                    sheet.write_datetime_with_format(row, col, local(t), &time).map_err(xlsx_err)?;
                }
            }
            sheet.write_string(row, 7, if f.overdue { "是" } else { "否" }).map_err(xlsx_err)?;
            widths.see(0, f.id.len());
            widths.see(1, f.grid.len());
            widths.see(2, text_width(&category));
            widths.see(3, text_width(status));
            for col in 4..7 {
                widths.see(col, 16);
            }
            row += 1;
        }
        widths.apply(sheet)?;
    }
    book.save_to_buffer().map_err(xlsx_err)
}

/// Writes the logs as an XLSX workbook to a file.
pub fn save_xlsx(store: &Store, logs: &[WeeklyLog], path: &Path) -> Result<()> {
    let bytes = xlsx_bytes(store, logs)?;
    std::fs::write(path, bytes)?;
    Ok(())
}
