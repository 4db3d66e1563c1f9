//! The weekly inspection log: a hand-counted week of one officer, the same numbers in the JSON, the
//! XLSX (read back with calamine) and the CSV, and the week's edges (Sunday 23:30, a patrol across
//! midnight, the turn of the year, a holiday inside a working-day deadline); and the lead's
//! dashboard of a large grid over the same week, counted by grid.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use chrono::NaiveDate;
use gridpatrol_core::calendar::IsoWeek;
use gridpatrol_core::export;
use gridpatrol_core::weekly::{self, GridWeek, WeeklyLog};
use gridpatrol_core::{MoveRequest, NewFinding, PatrolKind, Role, Status};

use super::{assert_messages, at, Env, Hub, GRID_01, GRID_02, LARGE_GRID, LEAD, MANHOLE, OFFICER};

/// 路灯 (street light): a deadline of 3 working days in this fixture's tree.
const STREET_LIGHT: &str = "10118";

/// The deadlines this file's hand counts were made with (上水井盖 24 hours, 路灯 3 working days),
/// loaded as a city loads its own tree: the bundled tree with those two limits, so the counts do
/// not follow the bundled sample's deadlines.
fn fixture_deadlines(mut env: Env) -> Env {
    let mut tree: serde_json::Value = serde_json::from_str(gridpatrol_core::categories::BUNDLED).unwrap();
    tree["sources"]["TEST"] = "the weekly fixture's own limits".into();
    for minor in tree["majors"][0]["minors"].as_array_mut().unwrap() {
        let limit = match minor["minor"].as_str().unwrap() {
            "01" => serde_json::json!({"hours": 24}),
            "18" => serde_json::json!({"working_days": 3}),
            _ => continue,
        };
        minor["deadline"] = serde_json::json!({"normal": limit, "source": "TEST"});
    }
    env.store.load_categories(&tree.to_string()).expect("the fixture's tree loads");
    env
}
/// Another officer of the 黄河 large grid, and one of her small grids there.
const OTHER_OFFICER: &str = "张丽";
const GRID_05: &str = "37160200100105";
/// The 渤海 large grid, an officer of it, and one of its small grids.
const BOHAI: &str = "371602002";
const BOHAI_OFFICER: &str = "杨红";
const BOHAI_GRID_01: &str = "37160200200101";

impl Env {
    fn at(&mut self, beijing: &str) {
        self.clock.set(at(&format!("{beijing}+08:00")));
    }

    /// The officer records a finding observed at `observed` (Beijing time), recorded now.
    fn observe(&mut self, category: &str, grid: &str, observed: &str, what: &str) -> String {
        self.observe_as(OFFICER, category, grid, observed, what)
    }

    /// `officer` records a finding observed at `observed` (Beijing time), recorded now, and the
    /// lead accepts and dispatches it at once: the deadline clock starts at dispatch, and these
    /// hand counts have it start when the finding is recorded.
    fn observe_as(&mut self, officer: &str, category: &str, grid: &str, observed: &str, what: &str) -> String {
        self.act_as(officer, Role::Officer);
        let mut new = NewFinding::new(grid, category, what);
        new.observed_at = Some(at(&format!("{observed}+08:00")));
        let id = self.store.add_finding(new).expect("record a finding").id;
        self.go(LEAD_, &id, &[Status::Accepted, Status::Rectifying]);
        self.act_as(officer, Role::Officer);
        id
    }

    /// Moves `id` as `who`, with an after photo for a move to rectified. Acceptance and dispatch
    /// already made when it was recorded ([`Env::observe_as`]) are not made again.
    fn go(&mut self, who: (&str, Role), id: &str, to: &[Status]) {
        self.act_as(who.0, who.1);
        for &to in to {
            let current = self.store.finding(id).unwrap();
            if matches!(to, Status::Accepted | Status::Rectifying)
                && current.status == Status::Rectifying
                && current.dispatched_at.is_some()
            {
                continue;
            }
            let photos = if to == Status::Rectified {
                vec![gridpatrol_core::PhotoSource::Bytes { name: "after.png".into(), bytes: super::png(8, 8, 7) }]
            } else {
                Vec::new()
            };
            self.store
                .move_finding(MoveRequest { unit: None, id: id.to_string(), to, note: format!("{to:?}"), photos })
                .unwrap_or_else(|e| panic!("move {id} to {to:?}: {e}"));
        }
    }

    fn patrol(&mut self, grids: &[&str], start: &str, end: &str) {
        self.act_as(OFFICER, Role::Officer);
        self.at(start);
        let grids: Vec<String> = grids.iter().map(|g| g.to_string()).collect();
        self.store.start_patrol(&grids, PatrolKind::Scheduled, "").expect("start a patrol");
        self.at(end);
        self.store.end_patrol().expect("end the patrol");
    }
}

const LEAD_: (&str, Role) = (LEAD, Role::Lead);
const OFFICER_: (&str, Role) = (OFFICER, Role::Officer);

/// Week 48 of 2026 (Monday 23 – Sunday 29 November), told in order; the report is read on
/// Wednesday 2 December at noon.
fn fixture_week() -> Env {
    use Status::*;
    let mut env = fixture_deadlines(Env::sample_at(2026, at("2026-11-23T10:00:00+08:00")));
    // F1: a manhole cover (24 h), recorded Monday 10:00, due Tuesday 10:00; fixed Tuesday 09:00, closed.
    env.at("2026-11-23T10:00:00");
    let f1 = env.observe(MANHOLE, GRID_01, "2026-11-23T09:30:00", "F1 井盖缺失");
    env.at("2026-11-23T12:00:00");
    env.go(LEAD_, &f1, &[Accepted, Rectifying]);
    env.at("2026-11-24T09:00:00");
    env.go(OFFICER_, &f1, &[Rectified]);
    // F2: recorded Tuesday 10:00, due Wednesday 10:00; fixed late (Wednesday 12:00), sent back for
    // rework, fixed again, closed Thursday.
    env.at("2026-11-24T10:00:00");
    let f2 = env.observe(MANHOLE, GRID_02, "2026-11-24T09:45:00", "F2 井盖破损");
    env.at("2026-11-24T15:00:00");
    env.go(LEAD_, &f1, &[Closed]);
    env.go(LEAD_, &f2, &[Accepted, Rectifying]);
    // P1: the Wednesday patrol over two grids.
    env.patrol(&[GRID_01, GRID_02], "2026-11-25T09:00:00", "2026-11-25T11:00:00");
    env.at("2026-11-25T12:00:00");
    env.go(OFFICER_, &f2, &[Rectified]);
    env.at("2026-11-25T14:00:00");
    env.go(LEAD_, &f2, &[Rework]);
    env.at("2026-11-25T16:00:00");
    env.go(OFFICER_, &f2, &[Rectified]);
    env.at("2026-11-26T09:00:00");
    env.go(LEAD_, &f2, &[Closed]);
    // F3: a street light (3 working days), recorded Thursday 10:00, due Tuesday 1 December 10:00:
    // not due within the week, overdue when the report is read, never touched.
    env.at("2026-11-26T10:00:00");
    env.observe(STREET_LIGHT, GRID_01, "2026-11-26T10:00:00", "F3 路灯不亮");
    // F6: recorded Friday 10:00, due Saturday 10:00, still being fixed: due, overdue.
    env.at("2026-11-27T10:00:00");
    let f6 = env.observe(MANHOLE, GRID_01, "2026-11-27T09:00:00", "F6 井盖下沉");
    env.go(LEAD_, &f6, &[Accepted, Rectifying]);
    // P2: the Saturday patrol, 23:00 to 01:00 on Sunday (across midnight).
    env.patrol(&[GRID_01], "2026-11-28T23:00:00", "2026-11-29T01:00:00");
    // F4: observed at 23:30 on Sunday, Beijing time (15:30 UTC): week 48, due Monday 23:30.
    env.at("2026-11-29T23:30:00");
    env.observe(MANHOLE, GRID_02, "2026-11-29T23:30:00", "F4 周日深夜井盖移位");
    // P3: starts Sunday 23:50, ends Monday 00:20: it counts once, in week 48.
    env.act_as(OFFICER, Role::Officer);
    env.at("2026-11-29T23:50:00");
    env.store.start_patrol(&[GRID_02.to_string()], PatrolKind::Adhoc, "").unwrap();
    // F5: Monday 00:10 is week 49.
    env.at("2026-11-30T00:10:00");
    env.observe(MANHOLE, GRID_02, "2026-11-30T00:10:00", "F5 第49周");
    env.at("2026-11-30T00:20:00");
    env.store.end_patrol().unwrap();
    // P4: Monday of week 49.
    env.patrol(&[GRID_01], "2026-11-30T10:00:00", "2026-11-30T11:00:00");
    env.at("2026-12-02T12:00:00");
    env
}

/// The hand count of week 48 (see `fixture_week`).
fn assert_week_48(log: &WeeklyLog) {
    assert_eq!(log.officer, OFFICER);
    assert_eq!(log.week, "2026-W48");
    assert_eq!((log.week_start, log.week_end), (day(2026, 11, 23), day(2026, 11, 29)));
    assert_eq!(log.patrols, 3, "P1, P2 and P3 (which ends in week 49) started in week 48");
    assert_eq!((log.patrols_expected, log.rhythm_days_patrolled), (2, 2), "Wednesday and Saturday both patrolled");
    assert_eq!((log.grids_walked, log.grids_owned), (2, 4), "two grids walked of the four 李明 owns");
    assert_eq!(log.measures.findings_recorded, 5, "F1, F2, F3, F4 (Sunday 23:30) and F6; not F5 (Monday 00:10)");
    assert_eq!(log.measures.by_category.get(MANHOLE), Some(&4));
    assert_eq!(log.measures.by_category.get(STREET_LIGHT), Some(&1));
    assert_eq!(log.measures.by_category.len(), 2);
    assert_eq!((log.measures.valid_reports, log.measures.on_the_spot), (5, 0), "none rejected, none on the spot");
    assert_eq!(log.measures.due, 3, "F1, F2 and F6 fall due within the week; F3 and F4 after it");
    assert_eq!(log.measures.closed, 2, "F1 and F2 are closed at the week's end");
    assert_eq!(log.measures.closed_on_time, 0, "F1 was closed five hours after its due time, F2 a day after");
    assert_eq!(log.measures.handled_on_time, 1, "F1 was rectified an hour before its due time");
    assert_eq!((log.measures.rework, log.measures.deferred), (1, 0), "F2 went back for rework");
    assert_eq!(log.measures.overdue, 1, "F6 is still being fixed at the week's end");
    assert_eq!(log.measures.closure_rate, Some(2.0 / 3.0));
    assert_eq!(log.measures.on_time_closure_rate, Some(0.0));
    assert_eq!(log.measures.on_time_rate, Some(1.0 / 3.0));
    assert_eq!(log.measures.rework_rate, Some(1.0 / 3.0));
    assert_eq!(log.measures.deferral_rate, Some(0.0));
    assert_eq!(log.measures.on_the_spot_rate, Some(0.0));
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn a_hand_counted_week_matches_in_json_xlsx_and_csv() {
    let mut env = fixture_week();
    // A second officer with nothing this week: a log of zeros whose measures are null.
    env.act_as("张伟", Role::Officer);
    let w48 = IsoWeek::parse("2026-W48").unwrap();
    let log = weekly::officer_week(&env.store, OFFICER, w48).unwrap();
    assert_week_48(&log);

    let city = weekly::city_week(&env.store, w48).unwrap();
    let names: Vec<&str> = city.iter().map(|l| l.officer.as_str()).collect();
    assert_eq!(names, vec!["张伟", OFFICER], "every officer, by name; not the lead");
    assert_eq!(city[1], log, "the city-wide summary holds the same log");
    let idle = &city[0];
    assert_eq!((idle.patrols, idle.measures.findings_recorded, idle.measures.due), (0, 0, 0));
    assert_eq!(
        (idle.measures.closure_rate, idle.measures.on_time_rate, idle.measures.rework_rate),
        (None, None, None),
        "null when nothing is due"
    );

    // JSON.
    let json = serde_json::to_value(&city).unwrap();
    let j = &json[1];
    assert_eq!(j["officer"], OFFICER);
    assert_eq!(j["week"], "2026-W48");
    assert_eq!(j["week_start"], "2026-11-23");
    assert_eq!((j["patrols"].as_u64(), j["findings_recorded"].as_u64()), (Some(3), Some(5)));
    assert_eq!((j["closed"].as_u64(), j["overdue"].as_u64()), (Some(2), Some(1)));
    assert_eq!(j["on_time_closure_rate"].as_f64(), Some(0.0), "the headline figure is in the JSON");
    assert_eq!(j["by_category"], serde_json::json!({"10101": 4, "10118": 1}));
    assert_eq!(j["closure_rate"].as_f64(), Some(2.0 / 3.0));
    assert_eq!(j["on_time_rate"].as_f64(), Some(1.0 / 3.0));
    assert_eq!(j["rework_rate"].as_f64(), Some(1.0 / 3.0));
    assert!(json[0]["closure_rate"].is_null(), "a null measure is JSON null");

    // XLSX, read back.
    let bytes = export::xlsx_bytes(&env.store, &city).unwrap();
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("a readable workbook");
    assert_eq!(book.sheet_names(), vec!["汇总".to_string(), "张伟".to_string(), OFFICER.to_string()]);
    let summary = book.worksheet_range("汇总").unwrap();
    let cell = |r: u32, c: u32| summary.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    let header: Vec<String> = (0..25).map(|c| cell(0, c).to_string()).collect();
    assert_eq!(header, export::SUMMARY_HEADERS.to_vec());
    assert_eq!(cell(2, 0).to_string(), OFFICER);
    assert_eq!(cell(2, 1).to_string(), "2026-W48");
    assert_eq!(cell(2, 2).as_date(), Some(day(2026, 11, 23)), "the week's Monday is a real date cell");
    assert!(matches!(cell(2, 2), Data::DateTime(_)), "a date cell, not text: {:?}", cell(2, 2));
    assert_eq!(cell(2, 3).as_date(), Some(day(2026, 11, 29)));
    let numbers: Vec<f64> = (4..19).map(|c| cell(2, c).get_float().expect("a number cell")).collect();
    assert_eq!(numbers, vec![3.0, 2.0, 2.0, 2.0, 4.0, 5.0, 5.0, 0.0, 3.0, 2.0, 0.0, 1.0, 1.0, 0.0, 1.0]);
    assert_eq!(cell(2, 19).get_float(), Some(2.0 / 3.0), "结案率 as a number formatted as a percentage");
    assert_eq!(cell(2, 20).get_float(), Some(0.0), "按期结案率");
    assert_eq!(cell(2, 21).get_float(), Some(1.0 / 3.0), "按期处置率");
    assert_eq!(cell(2, 22).get_float(), Some(1.0 / 3.0), "返工率");
    assert_eq!(cell(1, 19), Data::Empty, "a null measure is an empty cell");
    let sheet = book.worksheet_range(OFFICER).unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let value = |label: &str| -> String {
        rows.iter().find(|r| r.first().map(String::as_str) == Some(label)).map(|r| r[1].clone()).unwrap_or_default()
    };
    assert_eq!(value("巡查次数"), "3");
    assert_eq!(value("上报数"), "5");
    assert_eq!(value("应结案数"), "3");
    assert_eq!(value("超期"), "1");
    assert_eq!(value("按期结案率"), "0", "the headline figure has its own labelled row");
    let category = |code: &str| rows.iter().find(|r| r[0] == code).map(|r| (r[1].clone(), r[2].clone()));
    assert_eq!(category(MANHOLE), Some(("上水井盖".to_string(), "4".to_string())));
    assert_eq!(category(STREET_LIGHT), Some(("路灯".to_string(), "1".to_string())));
    assert_eq!(
        rows.iter().filter(|r| r.get(3).is_some_and(|s| s == "已结案")).count(),
        2,
        "two closed findings listed"
    );

    // CSV.
    let mut out = Vec::new();
    export::write_csv(&env.store, &city, &mut out).unwrap();
    assert!(out.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with a BOM");
    let text = String::from_utf8(out[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "a header and one line per log");
    assert!(
        lines[0].starts_with("网格员,周次,周一,周日,巡查次数"),
        "the CSV names the officer 网格员, as the screens do"
    );
    assert_eq!(
        lines[2],
        "李明,2026-W48,2026-11-23,2026-11-29,3,2,2,2,4,5,5,0,3,2,0,1,1,0,1,0.6667,0.0000,0.3333,0.3333,0.0000,0.0000,10101 上水井盖:4; 10118 路灯:1"
    );
    assert_eq!(lines[1], "张伟,2026-W48,2026-11-23,2026-11-29,0,2,0,0,0,0,0,0,0,0,0,0,0,0,0,,,,,,,");
}

#[test]
fn the_next_week_holds_what_crossed_into_it() {
    let env = fixture_week();
    let w49 = weekly::officer_week(&env.store, OFFICER, IsoWeek::parse("2026-W49").unwrap()).unwrap();
    assert_eq!(w49.patrols, 1, "only P4: P3 ended in week 49 but started in week 48");
    assert_eq!(w49.rhythm_days_patrolled, 0, "a Monday patrol is outside the rhythm");
    assert_eq!(w49.measures.findings_recorded, 1, "F5, observed Monday 00:10");
    assert_eq!(
        (w49.measures.due, w49.measures.overdue),
        (3, 3),
        "F4 (due Monday 23:30), F5 (Tuesday 00:10) and F3 (Tuesday 10:00) fall due in week 49: a case counts \
         in the week its deadline falls in, whatever week it was observed in"
    );
    assert_eq!((w49.measures.on_time_rate, w49.measures.closure_rate), (Some(0.0), Some(0.0)));
}

#[test]
fn the_turn_of_the_year_has_week_53() {
    let mut env = fixture_deadlines(Env::sample());
    env.at("2027-01-05T12:00:00");
    env.observe(MANHOLE, GRID_01, "2026-12-27T23:59:00", "第52周最后一分钟");
    env.observe(MANHOLE, GRID_01, "2026-12-28T00:00:00", "第53周第一分钟");
    env.observe(MANHOLE, GRID_01, "2027-01-03T23:30:00", "第53周周日深夜（2027年）");
    env.observe(MANHOLE, GRID_01, "2027-01-04T00:05:00", "2027年第1周");
    let count = |w: &str| {
        let log = weekly::officer_week(&env.store, OFFICER, IsoWeek::parse(w).unwrap()).unwrap();
        (log.measures.findings_recorded, log.week_start, log.week_end)
    };
    assert_eq!(count("2026-W52"), (1, day(2026, 12, 21), day(2026, 12, 27)));
    assert_eq!(count("2026-W53"), (2, day(2026, 12, 28), day(2027, 1, 3)), "2026-W53 runs into 2027");
    assert_eq!(count("2027-W01"), (1, day(2027, 1, 4), day(2027, 1, 10)));
}

#[test]
fn a_holiday_inside_a_working_day_deadline_moves_the_due_time() {
    let mut env = fixture_deadlines(Env::sample_at(2026, at("2026-09-30T10:00:00+08:00")));
    // Wednesday 30 September, 10:00: three working days skip 国庆 (1–7 October) and land on the
    // make-up working Saturday, 10 October (8 Thu, 9 Fri, 10 Sat).
    env.at("2026-09-30T10:00:00");
    let id = env.observe(STREET_LIGHT, GRID_01, "2026-09-30T09:00:00", "国庆前路灯不亮");
    let finding = env.store.finding(&id).unwrap();
    assert_eq!(finding.due_at, Some(at("2026-10-10T10:00:00+08:00")));
    env.at("2026-10-09T12:00:00");
    let w40 = weekly::officer_week(&env.store, OFFICER, IsoWeek::parse("2026-W40").unwrap()).unwrap();
    assert_eq!(
        (w40.measures.findings_recorded, w40.measures.due, w40.measures.overdue),
        (1, 0, 0),
        "not due in its week, not yet overdue"
    );
    assert_eq!(w40.measures.closure_rate, None);
    let w41 = weekly::officer_week(&env.store, OFFICER, IsoWeek::parse("2026-W41").unwrap()).unwrap();
    assert_eq!(
        (w41.measures.findings_recorded, w41.measures.due, w41.measures.overdue),
        (0, 1, 1),
        "the holiday moves the deadline into week 41 (the make-up Saturday), where it is due and not handled"
    );
}

/// The week-48 story of `fixture_week` and, from other officers' devices (told afterwards, each
/// finding's own history in order), findings around it for the lead's dashboard of 黄河:
/// - G1 (张丽, 黄河第05网格, week 48): recorded Thursday 09:00, due Friday 09:00, fixed Friday 08:00
///   and closed: due, closed, on time.
/// - G2 (杨红, 渤海第01网格, week 48): recorded Friday 10:00, never touched; another large grid,
///   never counted for 黄河.
/// - G3 (张丽, week 47): observed Monday 16 November 00:10, due Tuesday 00:10, never touched: due
///   within week 47 and overdue.
/// - G4 (张丽, week 45): Sunday 8 November 23:30, just before the oldest week shown.
///
/// The report is read, as before, on Wednesday 2 December at noon.
fn fixture_dashboard() -> Env {
    use Status::*;
    let mut env = fixture_week();
    // The other devices' findings are told on a device of their own, in order, and arrive by sync
    // (a device refuses to record with its clock set back before what it already wrote).
    let mut other_device = fixture_deadlines(Env::sample_at(4242, at("2026-11-08T23:30:00+08:00")));
    let d = &mut other_device;
    let other = (OTHER_OFFICER, Role::Officer);
    d.at("2026-11-08T23:30:00");
    d.observe_as(OTHER_OFFICER, STREET_LIGHT, GRID_05, "2026-11-08T23:30:00", "G4 第45周周日深夜");
    d.at("2026-11-16T00:10:00");
    d.observe_as(OTHER_OFFICER, MANHOLE, GRID_05, "2026-11-16T00:10:00", "G3 第47周第一分钟");
    d.at("2026-11-26T09:00:00");
    let g1 = d.observe_as(OTHER_OFFICER, MANHOLE, GRID_05, "2026-11-26T08:00:00", "G1 井盖松动");
    d.at("2026-11-26T11:00:00");
    d.go(LEAD_, &g1, &[Accepted, Rectifying]);
    d.at("2026-11-27T08:00:00");
    d.go(other, &g1, &[Rectified]);
    d.at("2026-11-27T10:00:00");
    d.go(LEAD_, &g1, &[Closed]);
    d.observe_as(BOHAI_OFFICER, MANHOLE, BOHAI_GRID_01, "2026-11-27T09:30:00", "G2 渤海的井盖");
    Hub { seq: 0 }.carry(&mut other_device, &mut env);
    env.at("2026-12-02T12:00:00");
    env
}

#[test]
fn a_large_grids_weeks_are_counted_by_grid_with_the_logs_definitions() {
    let env = fixture_dashboard();
    let last = IsoWeek::parse("2026-W48").unwrap();
    let weeks = weekly::grid_weeks(&env.store, LARGE_GRID, last, 3).unwrap();
    let names: Vec<(&str, NaiveDate)> = weeks.iter().map(|w| (w.week.as_str(), w.week_start)).collect();
    assert_eq!(
        names,
        vec![("2026-W46", day(2026, 11, 9)), ("2026-W47", day(2026, 11, 16)), ("2026-W48", day(2026, 11, 23))],
        "three weeks ending with the last, oldest first"
    );

    let [w46, w47, w48] = [&weeks[0], &weeks[1], &weeks[2]];
    assert_eq!(w46.measures.findings_recorded, 0, "G4 (Sunday of week 45, 23:30) is before the oldest week");
    assert!(w46.measures.by_category.is_empty());
    assert_eq!(
        (w46.measures.due, w46.measures.overdue, w46.measures.closure_rate),
        (1, 1, Some(0.0)),
        "G4, observed in week 45, falls due in week 46 (three working days) and waited at its end"
    );
    assert_eq!(w46.measures.on_the_spot_rate, None, "null when nothing was recorded");

    assert_eq!(w47.measures.findings_recorded, 1, "G3, observed in the first minutes of week 47");
    assert_eq!(
        (w47.measures.closed, w47.measures.overdue, w47.measures.due),
        (0, 1, 1),
        "G3 fell due in week 47 and waited at its end"
    );
    assert_eq!((w47.measures.closed_on_time, w47.measures.handled_on_time, w47.measures.rework), (0, 0, 0));
    assert_eq!(
        (w47.measures.closure_rate, w47.measures.on_time_rate, w47.measures.rework_rate),
        (Some(0.0), Some(0.0), Some(0.0))
    );

    assert_eq!(
        w48.measures.findings_recorded, 6,
        "李明's F1, F2, F3, F4 and F6 and 张丽's G1; not F5 (week 49) nor G2 (渤海)"
    );
    assert_eq!(w48.measures.by_category, [(MANHOLE.to_string(), 5), (STREET_LIGHT.to_string(), 1)].into());
    assert_eq!(w48.measures.closed, 3, "F1, F2 and G1");
    assert_eq!(w48.measures.overdue, 1, "F6, as in 李明's log");
    assert_eq!(w48.measures.due, 4, "F1, F2, F6 and G1 fall due within the week");
    assert_eq!(
        (w48.measures.closed_on_time, w48.measures.handled_on_time, w48.measures.rework),
        (0, 2, 1),
        "closed F1 F2 G1, none by its due time; handled on time F1 G1; rework F2"
    );
    assert_eq!(w48.measures.closure_rate, Some(3.0 / 4.0));
    assert_eq!(w48.measures.on_time_rate, Some(2.0 / 4.0));
    assert_eq!(w48.measures.rework_rate, Some(1.0 / 4.0));

    let one = weekly::grid_weeks(&env.store, LARGE_GRID, last, 1).unwrap();
    assert_eq!(one, vec![w48.clone()], "a week's figures do not depend on how many weeks are asked for");
    assert!(weekly::grid_weeks(&env.store, LARGE_GRID, last, 0).unwrap().is_empty(), "no weeks asked, none given");

    // The other large grid holds only G2.
    let bohai = weekly::grid_weeks(&env.store, BOHAI, last, 1).unwrap();
    assert_eq!(
        (bohai[0].measures.findings_recorded, bohai[0].measures.due, bohai[0].measures.overdue),
        (1, 1, 1),
        "G2: recorded Friday 10:00, due Saturday 10:00, waits still"
    );

    // The turn of the year: the weeks before 2027-W01 are 2026-W52 and 2026-W53.
    let turn = weekly::grid_weeks(&env.store, LARGE_GRID, IsoWeek::parse("2027-W01").unwrap(), 3).unwrap();
    let names: Vec<&str> = turn.iter().map(|w| w.week.as_str()).collect();
    assert_eq!(names, vec!["2026-W52", "2026-W53", "2027-W01"]);

    let json = serde_json::to_value(&weeks).unwrap();
    assert_eq!(json[2]["week"], "2026-W48");
    assert_eq!(json[2]["week_start"], "2026-11-23");
    assert_eq!(json[2]["by_category"], serde_json::json!({"10101": 5, "10118": 1}));
    assert_eq!(json[2]["closure_rate"].as_f64(), Some(0.75));
    assert!(json[0]["on_the_spot_rate"].is_null(), "a null measure is JSON null");
}

#[test]
fn a_dashboard_needs_a_large_grid() {
    let env = fixture_dashboard();
    let w48 = IsoWeek::parse("2026-W48").unwrap();
    let refused = |code: &str, expected: &str, count: u32| {
        let err = weekly::grid_weeks(&env.store, code, w48, count).expect_err(code);
        assert_eq!(err.code(), expected, "{code} × {count}: {err}");
        assert_messages(code, &err);
    };
    refused("371602999", "unknown_grid", 12);
    refused("", "unknown_grid", 12);
    refused(GRID_01, "invalid_value", 12);
    refused(LARGE_GRID, "invalid_value", weekly::MAX_GRID_WEEKS + 1);
    let most: Vec<GridWeek> = weekly::grid_weeks(&env.store, LARGE_GRID, w48, weekly::MAX_GRID_WEEKS).unwrap();
    assert_eq!(most.len(), weekly::MAX_GRID_WEEKS as usize, "ten years of weeks at most");
    assert_eq!(most.iter().map(|w| w.measures.findings_recorded).sum::<u32>(), 8, "G4, G3, and the six of week 48");
}

#[test]
fn an_edited_holiday_table_moves_the_deadlines_of_findings_recorded_after_it() {
    let mut env = fixture_deadlines(Env::sample());
    env.at("2026-11-25T10:00:00");
    // 路灯: 3 working days from Wednesday 10:00 is Monday 10:00 (Thursday, Friday, Monday).
    let before = env.observe(STREET_LIGHT, GRID_01, "2026-11-25T09:00:00", "路灯不亮");
    assert_eq!(env.store.finding(&before).unwrap().due_at, Some(at("2026-11-30T10:00:00+08:00")));
    let table = r#"{"holidays": [{"from": "2026-11-26", "to": "2026-11-27"}], "workdays": []}"#;
    env.store.set_holidays(table).expect("an edited table");
    let after = env.observe(STREET_LIGHT, GRID_01, "2026-11-25T09:30:00", "路灯闪烁");
    assert_eq!(
        env.store.finding(&after).unwrap().due_at,
        Some(at("2026-12-02T10:00:00+08:00")),
        "Thursday and Friday are days off in the edited table: Monday, Tuesday, Wednesday"
    );
    assert_eq!(
        env.store.finding(&before).unwrap().due_at,
        Some(at("2026-11-30T10:00:00+08:00")),
        "recorded due times stay"
    );
    env.assert_refused("a table whose range runs backwards", "invalid_setting", |s| {
        s.set_holidays(r#"{"holidays": [{"from": "2026-12-05", "to": "2026-12-01"}]}"#)
    });
    env.assert_refused("a table that is not JSON", "invalid_setting", |s| s.set_holidays("节假日"));
    assert_eq!(env.store.holidays().unwrap().off.len(), 2, "a refused table changes nothing");
}

#[test]
fn my_weekly_log_counts_the_grids_today_shows_and_the_forms_offer_only_the_hubs_scope() {
    use gridpatrol_core::scope::Scope;
    use gridpatrol_core::{Role, User};
    let mut env = fixture_deadlines(Env::sample());
    env.act_as("李明", Role::Officer);
    let week = IsoWeek::of(env.store.now());
    assert_eq!(weekly::officer_week(&env.store, "李明", week).unwrap().grids_owned, 4, "no hub: the registry's owners");

    // Signed in, the hub's scope gives 李明 two of the four grids the registry names him for.
    let registry: Vec<(String, Option<String>)> =
        env.store.grids().unwrap().into_iter().map(|g| (g.code, g.parent)).collect();
    let assigned = vec!["37160200100101".to_string(), "37160200100102".to_string()];
    let scope = Scope::expand(Role::Officer, &assigned, registry.iter().map(|(c, p)| (c.as_str(), p.as_deref())));
    env.store.sign_in_as("http://127.0.0.1:8787", &User::new("李明", Role::Officer), &scope).unwrap();
    let today = env.store.today().unwrap().my_grids.len() as u32;
    assert_eq!(today, 2);
    assert_eq!(
        weekly::officer_week(&env.store, "李明", week).unwrap().grids_owned,
        today,
        "the weekly log's grids owned are Today's my grids, not the registry's four"
    );
    env.add("井盖缺失");
    assert_eq!(
        weekly::officer_week(&env.store, "李明", week).unwrap().grids_owned,
        today,
        "also once the week has findings"
    );

    // The grid lists the forms take their choices from say which grids are in scope.
    let stats = env.store.grid_stats().unwrap();
    let in_scope: Vec<&str> = stats.iter().filter(|s| s.in_scope).map(|s| s.code.as_str()).collect();
    assert_eq!(in_scope, ["37160200100101", "37160200100102"], "only the hub's scope is offered after sign-in");
    // A refusal for a grid outside the scope names the grid field, so it shows beside it.
    let refused = env.store.check_scope("37160200100103").unwrap_err();
    assert_eq!(gridpatrol_core::ipc::error_field(&refused).as_deref(), Some("grid"));
}

/// A device's clock is a claim (issue 10): a move counts at the time the hub accepted it, and only
/// a move this device has no hub time for yet counts at its device time.
/// - B (backdated): a manhole cover recorded Monday 10:00, due Tuesday 10:00; the device's clock
///   says the fix was Tuesday 09:00, but the hub accepted that move Tuesday 14:00: late.
/// - P (pending): the same deadline, fixed Tuesday 09:00 by the device's clock and never synced:
///   on time by its device time.
#[test]
fn a_move_counts_at_the_time_the_hub_accepted_it_else_at_its_device_time() {
    use gridpatrol_core::model::{Event, SyncState};
    use Status::*;
    let mut env = fixture_deadlines(Env::sample_at(2026, at("2026-11-23T10:00:00+08:00")));
    env.at("2026-11-23T10:00:00");
    let backdated = env.observe(MANHOLE, GRID_01, "2026-11-23T09:30:00", "B 井盖缺失");
    let pending = env.observe(MANHOLE, GRID_02, "2026-11-23T09:40:00", "P 井盖破损");
    env.at("2026-11-23T12:00:00");
    env.go(LEAD_, &backdated, &[Accepted, Rectifying]);
    env.go(LEAD_, &pending, &[Accepted, Rectifying]);
    // The device's clock (wrong, or set back by hand) says Tuesday 09:00, an hour before the deadline.
    env.at("2026-11-24T09:00:00");
    env.go(OFFICER_, &backdated, &[Rectified]);
    env.go(OFFICER_, &pending, &[Rectified]);
    let due = at("2026-11-24T10:00:00+08:00");
    assert_eq!(env.store.finding(&backdated).unwrap().due_at, Some(due));

    // B's events reach the hub, which stamps each with the time it accepted it (the fix: Tuesday
    // 14:00), and come back in the pull; P's stay pending on the device.
    let hub_fix = at("2026-11-24T14:00:00+08:00");
    let mut seq = 0;
    let mut acks = Vec::new();
    let travelled: Vec<Event> = env
        .store
        .outbox(1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.entity_id == backdated)
        .map(|e| {
            seq += 1;
            acks.push((e.id.clone(), seq));
            let fix = e.kind == "finding.moved" && e.payload["to"] == "rectified";
            let accepted = if fix { hub_fix } else { e.device_time };
            Event { sync: SyncState::Acked, hub_seq: Some(seq), accepted_at: Some(accepted), ..e }
        })
        .collect();
    assert_eq!(travelled.len(), 4, "B's report and three moves travel");
    env.store.ack(&acks).unwrap();
    env.store.apply_remote(&travelled, seq).unwrap();
    assert!(env.store.history(&pending).unwrap().iter().all(|e| e.accepted_at.is_none()), "P never reached a hub");

    env.at("2026-12-02T12:00:00");
    let w48 = IsoWeek::parse("2026-W48").unwrap();
    let log = weekly::officer_week(&env.store, OFFICER, w48).unwrap();
    let rectified = |id: &str| log.finding_list.iter().find(|f| f.id == id).expect("in the cohort").rectified_at;
    assert_eq!(rectified(&backdated), Some(hub_fix), "B's fix counts at the hub's time, not the device's 09:00");
    assert_eq!(
        rectified(&pending),
        Some(at("2026-11-24T09:00:00+08:00")),
        "P's fix, never synced, counts at its device time"
    );
    assert_eq!(log.measures.due, 2, "both fall due within the week");
    assert_eq!(log.measures.handled_on_time, 1, "only P is on time: B's backdated fix is late by the hub's time");
    assert_eq!(log.measures.on_time_rate, Some(0.5));
    let weeks = weekly::grid_weeks(&env.store, LARGE_GRID, w48, 1).unwrap();
    assert_eq!(
        (weeks[0].measures.due, weeks[0].measures.handled_on_time),
        (2, 1),
        "the lead's dashboard counts by the same rule"
    );
}

#[test]
fn the_dashboards_weeks_count_what_the_citys_week_by_large_grid_counts() {
    // Two independent readings of the same cases: the dashboard reads a large grid's weeks at once,
    // small grid by small grid; the city's week by large grid reads one week for the whole city.
    use gridpatrol_core::clock::{FixedClock, SeededIds};
    use gridpatrol_core::generator::{self, GenConfig};
    use gridpatrol_core::Store;
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let mut cfg = GenConfig::new(6_000, 12);
    cfg.weeks = 10;
    let clock = Arc::new(FixedClock::new(cfg.start));
    let mut store = Store::create(dir.path(), clock.clone(), Arc::new(SeededIds::new(12))).unwrap();
    store.set_profile("生成器", Role::Officer).unwrap();
    store.import_sample_registry().unwrap();
    let summary = generator::fill(&store, &cfg).unwrap();
    clock.set(summary.end);
    let last = IsoWeek::of(summary.end - chrono::Duration::seconds(1));
    let large: Vec<String> =
        store.grids().unwrap().into_iter().filter(|g| g.parent.is_none()).map(|g| g.code).collect();
    let mut counted = 0;
    // The second time round every week has ended and is read from what the first kept.
    for round in ["counted", "kept"] {
        for code in &large {
            let dashboard = weekly::grid_weeks(&store, code, last, cfg.weeks + 2).unwrap();
            for row in &dashboard {
                let week = IsoWeek::parse(&row.week).unwrap();
                let city = weekly::large_grid_week(&store, week).unwrap();
                let group = city.iter().find(|g| &g.code == code).unwrap();
                assert_eq!(row.measures, group.measures, "{code} in {week}, {round}");
                counted += row.measures.due;
            }
        }
    }
    assert!(counted > 2_000, "the weeks held cases due ({counted}), so the comparison compared something");
}

#[test]
fn the_dashboard_keeps_an_ended_week_until_a_change_counted_before_its_end_arrives() {
    let w48 = IsoWeek::parse("2026-W48").unwrap();
    let kept = |env: &Env| -> i64 {
        env.store.connection().query_row("SELECT count(*) FROM grid_week_counts", [], |r| r.get(0)).unwrap()
    };
    let dashboard = |env: &Env| weekly::grid_weeks(&env.store, LARGE_GRID, w48, 1).unwrap().remove(0).measures;
    let city = |env: &Env| {
        weekly::large_grid_week(&env.store, w48).unwrap().into_iter().find(|g| g.code == LARGE_GRID).unwrap().measures
    };
    let mut env = Env::sample();
    let mut other = Env::sample_seeded(48);
    env.add_dispatched("井盖缺失");
    other.add("井盖松动，另一台设备记录，尚未同步");

    // The week under way is counted, never kept.
    assert_eq!(dashboard(&env).findings_recorded, 1);
    assert_eq!(kept(&env), 0, "a week that has not ended is not kept");

    // Once it has ended it is kept, and read back as counted.
    env.clock.set(at("2026-12-02T02:00:00Z"));
    let first = dashboard(&env);
    assert!(kept(&env) > 0, "the ended week is kept for each small grid");
    assert_eq!(dashboard(&env), first, "the kept week reads as it was counted");
    assert_eq!(first, city(&env));

    // The other device syncs late: its report of week 48 is counted in week 48.
    Hub { seq: 0 }.carry(&mut other, &mut env);
    let after = dashboard(&env);
    assert_eq!(after.findings_recorded, 2, "the late report is counted in its week");
    assert_eq!(after, city(&env), "the dashboard counts as the city's week does, kept or not");

    // What is kept by another version of the counting is counted again.
    env.store.connection().execute("UPDATE grid_week_counts SET version = version - 1, counts = '{}'", []).unwrap();
    assert_eq!(dashboard(&env), after);
    // And kept counts that do not read are an error, never zeros.
    env.store.connection().execute("UPDATE grid_week_counts SET counts = 'not json'", []).unwrap();
    let err = weekly::grid_weeks(&env.store, LARGE_GRID, w48, 1).unwrap_err();
    assert_eq!(err.code(), "store_damaged", "{err}");
}
