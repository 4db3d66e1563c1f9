//! The measures counted by hand: one officer's week 2026-W39 (Monday 21 – Sunday 27 September,
//! Beijing time), whose Friday to Sunday are the 中秋 holiday (25–27 September) and whose previous
//! Sunday (20 September) is a make-up working day. Every case is 李明's, in one small grid of the
//! 黄河 large grid, dispatched by the lead 王建国 to its category's default unit the moment it is
//! recorded (the deadline clock starts at dispatch), and moved only through the store's own moves:
//! the deferral is asked by the unit's liaison and approved by the lead, the suspension (缓办) and its
//! resumption are the lead's, the on-the-spot case is recorded closed with its before and after photos.
//! The limits are the fixture's own (a tree loaded for the test), in the three units of a deadline.
//!
//! | case | category (limit) | recorded and dispatched | due (as at the week's end) | story | W39: due? | at due | at end |
//! |---|---|---|---|---|---|---|---|
//! | A | 10209 交通标志牌 (5 working days), TRAFFIC | Thu 17 Sep 10:00 (W38) | Wed 23 Sep 10:00: Fri 18, Sun 20 (make-up), Mon 21, Tue 22, Wed 23 | rectified Tue 22 15:00, closed Wed 23 09:00 | yes: crossed the week's end | closed | closed |
//! | B | 10118 路灯 (3 working days), POWER | Tue 22 Sep 10:00 | Mon 28 Sep 10:00: Wed 23, Thu 24, (holiday Fri 25 – Sun 27), Mon 28 | rectifying | no: the holiday pushes it into W40 | — | rectifying |
//! | C | 10101 上水井盖 (24 h), WATER | Mon 21 Sep 09:00 | Tue 22 Sep 09:00 | rectified Mon 16:00, rework Tue 08:00, rectified Tue 12:00, closed Wed 10:00 | yes | rework | closed, 1 rework |
//! | D | 10101 (24 h), WATER | Wed 23 Sep 09:00 | Thu 24 Sep 09:00 | rectified Thu 08:00, closed Mon 28 10:00 (after the week) | yes | rectified | rectified (not closed) |
//! | E | 10101 (24 h), WATER | Thu 24 Sep 09:00 | Fri 25 Sep 09:00 | rectified Thu 18:00, closed Fri 08:00, reopened Tue 29 (after the week) | yes | closed | closed |
//! | F | 10101 (24 h), WATER | Fri 25 Sep 10:00 | Sun 27 Sep 18:00 (due Sat 26 10:00; the liaison asks on Sat 08:00 for Sun 18:00, the lead approves Sat 08:30) | rectifying | yes | rectifying | rectifying, deferred |
//! | G | 20590 占道经营 (24 h) | Sat 26 Sep 11:00, solved on the spot | none: never dispatched | closed on the spot at once | no: on the spot | — | closed |
//! | H | 10101 (24 h) | Mon 21 Sep 14:00 (not dispatched) | none | rejected (不予立案) Mon 15:00 | no: rejected | — | rejected |
//! | I | 20104 道路不洁 (6 working hours), SANITATION | Thu 24 Sep 16:00 | Mon 28 Sep 14:30: Thu 16:00–17:30 (1.5 h), (holiday Fri 25 – Sun 27), Mon 08:30–12:00 (3.5 h), lunch break, 13:30–14:30 (1 h) | rectifying | no: W40 | — | rectifying |
//! | J | 10101 (24 h), WATER | Mon 21 Sep 10:00 | Wed 23 Sep 10:00 (due Tue 22 10:00; suspended Mon 12:00, resumed Tue 12:00: 24 h of clock stopped) | rectified Wed 09:00, closed Wed 09:30 | yes | closed | closed |
//!
//! | figure | count | which |
//! |---|---|---|
//! | 上报数 findings_recorded | 9 | B C D E F G H I J (A was observed in W38) |
//! | 有效上报数 valid_reports | 8 | all but H |
//! | 自处置数 on_the_spot | 1 | G |
//! | 应结案数 due | 6 | A C D E F J |
//! | 结案数 closed | 4 | A C E J (D closed after the week's end; E reopened after it) |
//! | 按期结案数 closed_on_time | 3 | A (09:00 ≤ 10:00), E (08:00 ≤ 09:00), J (09:30 ≤ 10:00); C closed a day late |
//! | 按期处置数 handled_on_time | 4 | A, D, E, J (C's last handling, Tue 12:00, is after Tue 09:00) |
//! | 返工数 rework | 1 | C |
//! | 延期数 deferred | 1 | F |
//! | 超期 overdue | 1 | F (D is handled, awaiting re-check) |
//! | 结案率 | 4/6 | |
//! | 按期结案率 | 3/6 | |
//! | 按期处置率 | 4/6 | |
//! | 返工率, 延期率 | 1/6, 1/6 | |
//! | 自处置率 | 1/9 | |
//!
//! By unit (as at the week's end): TRAFFIC has A (due 1); WATER has C D E F J (due 5, deferred 1,
//! overdue 1). W40: B and I fall due (2), both still rectifying at its end (overdue 2).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::calendar::IsoWeek;
use crate::clock::{FixedClock, SeededIds};
use crate::measures::Measures;
use crate::model::Role;
use crate::store::{MoveRequest, NewFinding, PhotoSource, Store};
use crate::weekly;
use crate::Status::{self, *};

const OFFICER: &str = "李明";
const LEAD: &str = "王建国";
const LIAISON: &str = "周联络";
const GRID_01: &str = "37160200100101";
const LARGE_GRID: &str = "371602001";

fn bj(t: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{t}+08:00")).expect("a Beijing time").with_timezone(&Utc)
}

/// A small PNG whose bytes depend on `seed` (each photo its own hash).
fn photo(seed: u8) -> PhotoSource {
    let img = image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([seed, x as u8 * 16, y as u8 * 16]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png).expect("encode a PNG");
    PhotoSource::Bytes { name: format!("p{seed}.png"), bytes: bytes.into_inner() }
}

/// The bundled tree with the fixture's own limits on the categories it uses.
fn fixture_tree() -> String {
    let mut tree: serde_json::Value = serde_json::from_str(crate::categories::BUNDLED).unwrap();
    tree["sources"]["TEST"] = "the measures fixture's own limits".into();
    for major in tree["majors"].as_array_mut().unwrap() {
        let key = (major["kind"].as_str().unwrap().to_string(), major["major"].as_str().unwrap().to_string());
        for minor in major["minors"].as_array_mut().unwrap() {
            let limit = match (key.0.as_str(), key.1.as_str(), minor["minor"].as_str().unwrap()) {
                ("component", "02", "09") => serde_json::json!({"working_days": 5}),
                ("component", "01", "18") => serde_json::json!({"working_days": 3}),
                ("component", "01", "01") | ("event", "05", "90") => serde_json::json!({"hours": 24}),
                ("event", "01", "04") => serde_json::json!({"working_hours": 6}),
                _ => continue,
            };
            minor["deadline"] = serde_json::json!({"normal": limit, "source": "TEST"});
        }
    }
    tree.to_string()
}

struct Story {
    clock: Arc<FixedClock>,
    store: Store,
    photos: u8,
    _dir: tempfile::TempDir,
}

impl Story {
    fn at(&self, t: &str) {
        self.clock.set(bj(t));
    }

    fn next_photo(&mut self) -> PhotoSource {
        self.photos += 1;
        photo(self.photos)
    }

    fn record_only(&mut self, category: &str, t: &str, what: &str) -> String {
        self.at(t);
        self.store.set_profile(OFFICER, Role::Officer).unwrap();
        self.store.add_finding(NewFinding::new(GRID_01, category, what)).expect("record").id
    }

    /// Recorded by the officer and dispatched by the lead at the same moment.
    fn record(&mut self, category: &str, t: &str, what: &str) -> String {
        let id = self.record_only(category, t, what);
        self.go(&id, t, Accepted);
        self.go(&id, t, Rectifying);
        id
    }

    fn go(&mut self, id: &str, t: &str, to: Status) {
        self.at(t);
        let who = if matches!(to, Rectified) { (OFFICER, Role::Officer) } else { (LEAD, Role::Lead) };
        self.store.set_profile(who.0, who.1).unwrap();
        let photos = if matches!(to, Rectified) { vec![self.next_photo()] } else { Vec::new() };
        let note = format!("{to:?}");
        self.store
            .move_finding(MoveRequest { id: id.into(), to, note, photos, unit: None })
            .unwrap_or_else(|e| panic!("move {id} to {to:?}: {e}"));
    }

    fn w39(&self) -> (Measures, Vec<weekly::GroupWeek>, Vec<weekly::GroupWeek>) {
        let w = IsoWeek::parse("2026-W39").unwrap();
        let log = weekly::officer_week(&self.store, OFFICER, w).unwrap();
        let large = weekly::large_grid_week(&self.store, w).unwrap();
        for group in &large {
            // The dashboard reads a large grid's weeks its own way: it must count them the same.
            let dashboard = weekly::grid_weeks(&self.store, &group.code, w, 1).unwrap();
            assert_eq!(dashboard[0].measures, group.measures, "the dashboard's {w} of {}", group.code);
        }
        (log.measures, large, weekly::unit_week(&self.store, w).unwrap())
    }
}

#[test]
fn a_week_counted_by_hand_as_of_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(bj("2026-09-17T09:00:00")));
    let mut store = Store::create(dir.path(), clock.clone(), Arc::new(SeededIds::new(39))).unwrap();
    store.set_profile(OFFICER, Role::Officer).unwrap();
    store.import_sample_registry().unwrap();
    store.load_categories(&fixture_tree()).expect("the fixture's tree loads");
    let mut s = Story { clock, store, photos: 0, _dir: dir };
    let due = |s: &Story, id: &str| s.store.finding(id).unwrap().due_at;

    let a = s.record("10209", "2026-09-17T10:00:00", "A 交通标志牌倾斜");
    assert_eq!(due(&s, &a), Some(bj("2026-09-23T10:00:00")), "A: 5 working days over the make-up Sunday");
    let c = s.record("10101", "2026-09-21T09:00:00", "C 井盖破损");
    let j = s.record("10101", "2026-09-21T10:00:00", "J 井盖下沉");
    s.go(&j, "2026-09-21T12:00:00", Suspended);
    let h = s.record_only("10101", "2026-09-21T14:00:00", "H 重复上报");
    s.go(&h, "2026-09-21T15:00:00", Rejected);
    s.go(&c, "2026-09-21T16:00:00", Rectified);
    s.go(&c, "2026-09-22T08:00:00", Rework);
    let b = s.record("10118", "2026-09-22T10:00:00", "B 路灯不亮");
    assert_eq!(due(&s, &b), Some(bj("2026-09-28T10:00:00")), "B: the holiday skipped");
    s.go(&c, "2026-09-22T12:00:00", Rectified);
    s.go(&j, "2026-09-22T12:00:00", Rectifying);
    assert_eq!(due(&s, &j), Some(bj("2026-09-23T10:00:00")), "J: 24 hours suspended push the due time 24 hours");
    s.go(&a, "2026-09-22T15:00:00", Rectified);
    s.go(&a, "2026-09-23T09:00:00", Closed);
    s.go(&j, "2026-09-23T09:00:00", Rectified);
    let d = s.record("10101", "2026-09-23T09:00:00", "D 井盖移位");
    s.go(&j, "2026-09-23T09:30:00", Closed);
    s.go(&c, "2026-09-23T10:00:00", Closed);
    s.go(&d, "2026-09-24T08:00:00", Rectified);
    let e = s.record("10101", "2026-09-24T09:00:00", "E 井盖松动");
    let i = s.record("20104", "2026-09-24T16:00:00", "I 道路不洁");
    assert_eq!(
        due(&s, &i),
        Some(bj("2026-09-28T14:30:00")),
        "I: 6 working hours over the holiday and Monday's lunch break"
    );
    s.go(&e, "2026-09-24T18:00:00", Rectified);
    s.go(&e, "2026-09-25T08:00:00", Closed);
    let f = s.record("10101", "2026-09-25T10:00:00", "F 井盖缺失");
    s.at("2026-09-26T08:00:00");
    s.store.set_profile_in_unit(LIAISON, Role::Liaison, Some("WATER")).unwrap();
    s.store.request_deferral(&f, bj("2026-09-27T18:00:00"), "管材未到货").expect("the liaison asks");
    s.at("2026-09-26T08:30:00");
    s.store.set_profile(LEAD, Role::Lead).unwrap();
    s.store.decide_deferral(&f, true, "同意").expect("the lead approves");
    assert_eq!(due(&s, &f), Some(bj("2026-09-27T18:00:00")), "F: the approved deferral moves the due time");
    s.at("2026-09-26T11:00:00");
    s.store.set_profile(OFFICER, Role::Officer).unwrap();
    let before = s.next_photo();
    let after = s.next_photo();
    let g = s
        .store
        .add_finding(NewFinding {
            on_the_spot: true,
            photos: vec![before],
            after_photos: vec![after],
            ..NewFinding::new(GRID_01, "20590", "G 占道经营，当场劝离")
        })
        .expect("record on the spot");
    assert_eq!((g.status, g.due_at), (Closed, None), "G: closed at once, never on a clock");

    // Monday 28 September 09:00: the week has ended, nothing has happened since.
    s.at("2026-09-28T09:00:00");
    let before = s.w39();
    // Then D is closed and E reopened: after the week's end, so the week does not change.
    s.go(&d, "2026-09-28T10:00:00", Closed);
    s.go(&e, "2026-09-29T10:00:00", Reopened);
    s.at("2026-10-06T12:00:00");
    let after = s.w39();
    assert_eq!(before, after, "a past week's figures do not drift when cases are closed or reopened later");

    let (m, grids, units) = after;
    let count = |m: &Measures| {
        (
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
        )
    };
    assert_eq!(count(&m), (9, 8, 1, 6, 4, 3, 4, 1, 1, 1), "the hand count in the table above");
    assert_eq!(m.closure_rate, Some(4.0 / 6.0), "结案率 = 结案数 ÷ 应结案数");
    assert_eq!(m.on_time_closure_rate, Some(3.0 / 6.0), "按期结案率 = 按期结案数 ÷ 应结案数");
    assert_eq!(m.on_time_rate, Some(4.0 / 6.0), "按期处置率 = 按期处置数 ÷ 应结案数");
    assert_eq!(m.rework_rate, Some(1.0 / 6.0), "返工率 = 返工数 ÷ 应结案数");
    assert_eq!(m.deferral_rate, Some(1.0 / 6.0), "延期率 = 延期数 ÷ 应结案数");
    assert_eq!(m.on_the_spot_rate, Some(1.0 / 9.0), "自处置率 = 自处置数 ÷ 上报数");

    let huanghe = grids.iter().find(|g| g.code == LARGE_GRID).expect("the 黄河 large grid");
    assert_eq!(huanghe.measures, m, "every case is in 黄河: the large grid's week equals the officer's");
    assert!(
        grids.iter().filter(|g| g.code != LARGE_GRID).all(|g| g.measures.due == 0),
        "no other large grid has a case"
    );
    let mut units: Vec<(&str, u32, u32, u32)> = units
        .iter()
        .filter(|u| u.measures.due > 0)
        .map(|u| (u.code.as_str(), u.measures.due, u.measures.deferred, u.measures.overdue))
        .collect();
    units.sort();
    assert_eq!(units, vec![("TRAFFIC", 1, 0, 0), ("WATER", 5, 1, 1)], "by the unit at the week's end");

    let w = |t: &str| weekly::officer_week(&s.store, OFFICER, IsoWeek::parse(t).unwrap()).unwrap().measures;
    let w38 = w("2026-W38");
    assert_eq!((w38.findings_recorded, w38.due), (1, 0), "A was observed in W38 and falls due in W39");
    let w40 = w("2026-W40");
    assert_eq!((w40.findings_recorded, w40.due, w40.overdue), (0, 2, 2), "B and I fall due in W40, after the holiday");
}
