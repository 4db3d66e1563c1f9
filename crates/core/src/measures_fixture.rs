//! The measures counted by hand: one officer's week 2026-W39 (Monday 21 – Sunday 27 September,
//! Beijing time), whose Friday to Sunday are the 中秋 holiday (25–27 September) and whose previous
//! Sunday (20 September) is a make-up working day. Every case is 李明's, in one small grid of the
//! 黄河 large grid. Deferral and on-the-spot disposal do not exist as moves yet (issue 12's other
//! part): F and G get those states through `record_history`, as those moves will write them.
//!
//! | case | category (limit) | recorded | due (as at the week's end) | story | W39: due? | at due | at end |
//! |---|---|---|---|---|---|---|---|
//! | A | 0203 交通标志牌 (5 working days) | Thu 17 Sep 10:00 (W38) | Wed 23 Sep 10:00: Fri 18, Sun 20 (make-up), Mon 21, Tue 22, Wed 23 | rectified Tue 22 15:00, closed Wed 23 09:00 | yes: crossed the week's end | closed | closed |
//! | B | 0201 路灯 (3 working days) | Tue 22 Sep 10:00 | Mon 28 Sep 10:00: Wed 23, Thu 24, (holiday Fri 25 – Sun 27), Mon 28 | rectifying | no: the holiday pushes it into W40 | — | rectifying |
//! | C | 0101 上水井盖 (24 h) | Mon 21 Sep 09:00 | Tue 22 Sep 09:00 | rectified Mon 16:00, rework Tue 08:00, rectified Tue 12:00, closed Wed 10:00 | yes | rework | closed, 1 rework |
//! | D | 0101 (24 h) | Wed 23 Sep 09:00 | Thu 24 Sep 09:00 | rectified Thu 08:00, closed Mon 28 10:00 (after the week) | yes | rectified | rectified (not closed) |
//! | E | 0101 (24 h) | Thu 24 Sep 09:00 | Fri 25 Sep 09:00 | rectified Thu 18:00, closed Fri 08:00, reopened Tue 29 (after the week) | yes | closed | closed |
//! | F | 0101 (24 h) | Fri 25 Sep 10:00 | Sun 27 Sep 18:00 (deferred from Sat 26 10:00 on Sat 08:00, unit HW) | rectifying | yes | rectifying | rectifying, deferred |
//! | G | 0551 占道经营 (24 h) | Sat 26 Sep 11:00 | none: solved on the spot | closed on the spot at once | no: on the spot | — | closed |
//! | H | 0101 (24 h) | Mon 21 Sep 14:00 | Tue 22 Sep 14:00 | rejected (不予立案) Mon 15:00 | no: rejected | — | rejected |
//!
//! | figure | count | which |
//! |---|---|---|
//! | 上报数 findings_recorded | 7 | B C D E F G H (A was observed in W38) |
//! | 有效上报数 valid_reports | 6 | all but H |
//! | 自处置数 on_the_spot | 1 | G |
//! | 应结案数 due | 5 | A C D E F |
//! | 结案数 closed | 3 | A C E (D closed after the week's end; E reopened after it) |
//! | 按期结案数 closed_on_time | 2 | A (09:00 ≤ 10:00), E (08:00 ≤ 09:00); C closed a day late |
//! | 按期处置数 handled_on_time | 3 | A, D, E |
//! | 返工数 rework | 1 | C |
//! | 延期数 deferred | 1 | F |
//! | 超期 overdue | 1 | F (D is handled, awaiting re-check) |
//! | 结案率 | 3/5 | |
//! | 按期结案率 | 2/5 | |
//! | 按期处置率 | 3/5 | |
//! | 返工率, 延期率 | 1/5, 1/5 | |
//! | 自处置率 | 1/7 | |

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::calendar::IsoWeek;
use crate::clock::{FixedClock, SeededIds};
use crate::measures::Measures;
use crate::model::Role;
use crate::store::history::{record_history, HistoryState};
use crate::store::{MoveRequest, NewFinding, Store};
use crate::weekly;
use crate::Status::{self, *};

const OFFICER: &str = "李明";
const LEAD: &str = "王建国";
const GRID_01: &str = "37160200100101";
const LARGE_GRID: &str = "371602001";

fn bj(t: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{t}+08:00")).expect("a Beijing time").with_timezone(&Utc)
}

struct Story {
    clock: Arc<FixedClock>,
    store: Store,
    _dir: tempfile::TempDir,
}

impl Story {
    fn at(&self, t: &str) {
        self.clock.set(bj(t));
    }

    fn record(&mut self, category: &str, t: &str, what: &str) -> String {
        self.at(t);
        self.store.set_profile(OFFICER, Role::Officer).unwrap();
        self.store.add_finding(NewFinding::new(GRID_01, category, what)).expect("record").id
    }

    fn go(&mut self, id: &str, t: &str, to: Status) {
        self.at(t);
        let who = if matches!(to, Rectified) { (OFFICER, Role::Officer) } else { (LEAD, Role::Lead) };
        self.store.set_profile(who.0, who.1).unwrap();
        let note = format!("{to:?}");
        self.store
            .move_finding(MoveRequest { id: id.into(), to, note, photos: Vec::new() })
            .unwrap_or_else(|e| panic!("move {id} to {to:?}: {e}"));
    }

    fn dispatch(&mut self, id: &str, t: &str) {
        self.go(id, t, Accepted);
        self.go(id, t, Rectifying);
    }

    /// A constructed state written through the history's one writer, as the deferral and
    /// on-the-spot moves will write it.
    fn state(&self, id: &str, t: &str, change: impl FnOnce(&mut HistoryState)) {
        let mut state = HistoryState::of(&self.store.finding(id).unwrap());
        change(&mut state);
        record_history(self.store.connection(), id, bj(t), &state).expect("record a state");
    }

    fn w39(&self) -> (Measures, Vec<weekly::GroupWeek>, Vec<weekly::GroupWeek>) {
        let w = IsoWeek::parse("2026-W39").unwrap();
        let log = weekly::officer_week(&self.store, OFFICER, w).unwrap();
        (log.measures, weekly::large_grid_week(&self.store, w).unwrap(), weekly::unit_week(&self.store, w).unwrap())
    }
}

#[test]
fn a_week_counted_by_hand_as_of_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(bj("2026-09-17T09:00:00")));
    let mut store = Store::create(dir.path(), clock.clone(), Arc::new(SeededIds::new(39))).unwrap();
    store.set_profile(OFFICER, Role::Officer).unwrap();
    store.import_sample_registry().unwrap();
    let mut s = Story { clock, store, _dir: dir };

    let a = s.record("0203", "2026-09-17T10:00:00", "A 交通标志牌倾斜");
    assert_eq!(s.store.finding(&a).unwrap().due_at, Some(bj("2026-09-23T10:00:00")), "A: 5 working days");
    s.dispatch(&a, "2026-09-17T11:00:00");
    let c = s.record("0101", "2026-09-21T09:00:00", "C 井盖破损");
    s.dispatch(&c, "2026-09-21T10:00:00");
    let h = s.record("0101", "2026-09-21T14:00:00", "H 重复上报");
    s.go(&h, "2026-09-21T15:00:00", Rejected);
    s.go(&c, "2026-09-21T16:00:00", Rectified);
    s.go(&c, "2026-09-22T08:00:00", Rework);
    let b = s.record("0201", "2026-09-22T10:00:00", "B 路灯不亮");
    assert_eq!(s.store.finding(&b).unwrap().due_at, Some(bj("2026-09-28T10:00:00")), "B: the holiday skipped");
    s.dispatch(&b, "2026-09-22T11:00:00");
    s.go(&c, "2026-09-22T12:00:00", Rectified);
    s.go(&a, "2026-09-22T15:00:00", Rectified);
    s.go(&a, "2026-09-23T09:00:00", Closed);
    let d = s.record("0101", "2026-09-23T09:00:00", "D 井盖移位");
    s.dispatch(&d, "2026-09-23T10:00:00");
    s.go(&c, "2026-09-23T10:00:00", Closed);
    s.go(&d, "2026-09-24T08:00:00", Rectified);
    let e = s.record("0101", "2026-09-24T09:00:00", "E 井盖松动");
    s.dispatch(&e, "2026-09-24T10:00:00");
    s.go(&e, "2026-09-24T18:00:00", Rectified);
    s.go(&e, "2026-09-25T08:00:00", Closed);
    let f = s.record("0101", "2026-09-25T10:00:00", "F 井盖缺失");
    s.dispatch(&f, "2026-09-25T11:00:00");
    s.state(&f, "2026-09-26T08:00:00", |st| {
        st.deferred = true;
        st.due_at = Some(bj("2026-09-27T18:00:00"));
        st.unit = Some("HW".into());
    });
    let g = s.record("0551", "2026-09-26T11:00:00", "G 占道经营，当场劝离");
    s.state(&g, "2026-09-26T11:00:00", |st| {
        st.status = Closed;
        st.on_the_spot = true;
        st.due_at = None;
    });

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
    assert_eq!(count(&m), (7, 6, 1, 5, 3, 2, 3, 1, 1, 1), "the hand count in the table above");
    assert_eq!(m.closure_rate, Some(3.0 / 5.0), "结案率 = 结案数 ÷ 应结案数");
    assert_eq!(m.on_time_closure_rate, Some(2.0 / 5.0), "按期结案率 = 按期结案数 ÷ 应结案数");
    assert_eq!(m.on_time_rate, Some(3.0 / 5.0), "按期处置率 = 按期处置数 ÷ 应结案数");
    assert_eq!(m.rework_rate, Some(1.0 / 5.0), "返工率 = 返工数 ÷ 应结案数");
    assert_eq!(m.deferral_rate, Some(1.0 / 5.0), "延期率 = 延期数 ÷ 应结案数");
    assert_eq!(m.on_the_spot_rate, Some(1.0 / 7.0), "自处置率 = 自处置数 ÷ 上报数");

    let huanghe = grids.iter().find(|g| g.code == LARGE_GRID).expect("the 黄河 large grid");
    assert_eq!(huanghe.measures, m, "every case is in 黄河: the large grid's week equals the officer's");
    assert!(
        grids.iter().filter(|g| g.code != LARGE_GRID).all(|g| g.measures.due == 0),
        "no other large grid has a case"
    );
    let units: Vec<(&str, u32, u32, u32)> =
        units.iter().map(|u| (u.code.as_str(), u.measures.due, u.measures.deferred, u.measures.overdue)).collect();
    assert_eq!(units, vec![("", 4, 0, 0), ("HW", 1, 1, 1)], "by the unit at the week's end: F went to HW");

    let w = |t: &str| weekly::officer_week(&s.store, OFFICER, IsoWeek::parse(t).unwrap()).unwrap().measures;
    let w38 = w("2026-W38");
    assert_eq!((w38.findings_recorded, w38.due), (1, 0), "A was observed in W38 and falls due in W39");
    let w40 = w("2026-W40");
    assert_eq!((w40.findings_recorded, w40.due, w40.overdue), (0, 1, 1), "B falls due in W40, after the holiday");
}
