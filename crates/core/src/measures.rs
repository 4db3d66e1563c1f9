//! The assessment measures (考核指标) of a period over a set of cases, counted here once for the
//! officer's weekly log, a large grid's week on the lead's dashboard, the city's week and each
//! responsible unit's week. [`Measures`] is the one struct each of them embeds.
//!
//! # Every figure is counted as of the period's end
//!
//! A case's state in a period is the latest row of its history (`finding_history`, written by
//! `store::history::record_history` at each change, stamped with the change's counted time: the
//! hub's accepted time when known, else the device time) at or before the period's end. So a past
//! week's figures never drift: a case closed after the week's end was not closed in that week, and
//! a case reopened after the week's end stays closed in it. "Period" below is the ISO week, Monday
//! 00:00 to the next Monday 00:00, Beijing time ([`crate::calendar`]).
//!
//! # Formulas and where they come from
//!
//! GB/T 30428.4 (《数字化城市管理信息系统 第4部分：绩效评价》) names these indicators for the
//! evaluation of regions, departments and posts; its text was not available to us, so each formula
//! below is the one published city assessments use, with the source it was checked against. Where
//! no published formula was found, the definition is ours and says so.
//!
//! - **应结案数** `due`: cases whose due time, as it stood at the period's end, falls in the period;
//!   not counting cases that were rejected (不予立案) or suspended (缓办) at the period's end, nor
//!   on-the-spot cases (never dispatched). The 金华市区数字化城市管理工作考核细则 divides by
//!   (应结案数 − 缓办数), which is this count (m.wenke99.com/p-414460.html).
//! - **结案数 / 结案率** `closed` / `closure_rate` = 结案数 ÷ 应结案数: of the due cases, those closed at
//!   the period's end. 金华 细则 (as above); checked against 天门市数字化城市管理12月绩效情况通报:
//!   应结案 972, 结案 911, 结案率 93.72 % (www.hbcic.net.cn/info/wcm/74587.htm).
//! - **按期结案数 / 按期结案率** `closed_on_time` / `on_time_closure_rate` = 按期结案数 ÷ 应结案数, the
//!   headline: of the due cases, those closed at their due time and still closed at the period's end.
//!   金华 细则 (按期结案率 = 按期结案数 ÷ (应结案数 − 缓办数)); 天门 (按期结案 737 of 972 = 75.82 %);
//!   湖州 2022年8月 (按期结案数 15,289 of 应结案数 15,308 = 99.88 %, hnktdz.com/hzzfj/art/2022/9/23/).
//! - **按期处置数 / 按期处置率** `handled_on_time` / `on_time_rate` = 按期处置数 ÷ 应结案数: of the due
//!   cases, those handled (已整改/已处置, `rectified`, or already closed) at their due time. It
//!   differs from 按期结案率 by the re-check: a unit's fix counts here when reported, and in
//!   按期结案率 only once the re-check closed it in time. Kept because a lead reads the gap between the
//!   two as re-checks waiting (our definition; no published formula found).
//! - **返工数 / 返工率** `rework` / `rework_rate` = 返工数 ÷ 应结案数: of the due cases, those sent back for
//!   rework (未通过核查, 发回重新处置) at least once by the period's end. The indicator is published by
//!   福州 (返工率 0.05 %, smartcity.fuzhou.gov.cn/zwgk/zwtb/202405/t20240526_4830426.htm) and the rework
//!   itself defined by 金华 细则 ("未通过中心核查而发回责任单位重新处置的案件"); the denominator 应结案数 is
//!   our choice, so that every rate of a period shares it.
//! - **延期数 / 延期率** `deferred` / `deferral_rate` = 延期数 ÷ 应结案数: of the due cases, those with an
//!   approved deferral (延期) at the period's end. Published by 福州 beside 返工率 (延期率 0.02 %, as
//!   above); the denominator is our choice, as for 返工率.
//! - **超期** `overdue`: of the due cases, those neither handled nor closed at the period's end.
//! - **上报数** `findings_recorded`: the cases recorded with their observation (`observed_at`) in the
//!   period; **有效上报数** `valid_reports`: of those, the ones not rejected (不予立案) at the period's end
//!   (湖州 counts 有效 reports the same way); `by_category` splits 上报数 by minor category.
//! - **自处置数 / 自处置率** `on_the_spot` / `on_the_spot_rate` = 自处置数 ÷ 上报数: of the cases recorded in
//!   the period, those solved on the spot (当场处置) by the officer who found them. 湖州's report gives
//!   the same ratio as 举手之劳 among problems found (2,543 of 19,117, as above); no published formula
//!   with this name was found, so the definition is ours.
//! - Each rate is `null` when its denominator is 0.
//!
//! A case counts for the officer who recorded it (`author`), in the large grid of its small grid, and
//! for the responsible unit it was dispatched to as of the period's end (`unit`: empty until
//! dispatch exists).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::lifecycle::Status;

/// The version of the counting below ([`Measures::count_reported`], [`Measures::count_due`]): the
/// lead's dashboard keeps each small grid's counts of an ended week with it (`grid_week_counts`,
/// migration 14) and counts again those kept by another version. Raise it with any change to what
/// a case adds to the counts.
pub const COUNTING_VERSION: i64 = 1;

/// The figures of one period over one set of cases (see the module header for each).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Measures {
    /// 上报数: cases observed in the period.
    pub findings_recorded: u32,
    /// 上报数 by minor category code.
    pub by_category: BTreeMap<String, u32>,
    /// 有效上报数: observed in the period and not rejected at its end.
    pub valid_reports: u32,
    /// 自处置数: observed in the period and solved on the spot.
    pub on_the_spot: u32,
    /// 应结案数: due time (as it stood at the period's end) in the period.
    pub due: u32,
    /// 结案数: of the due, closed at the period's end.
    pub closed: u32,
    /// 按期结案数: of the due, closed at the due time and at the period's end.
    pub closed_on_time: u32,
    /// 按期处置数: of the due, handled or closed at the due time.
    pub handled_on_time: u32,
    /// 返工数: of the due, sent back for rework at least once by the period's end.
    pub rework: u32,
    /// 延期数: of the due, with an approved deferral at the period's end.
    pub deferred: u32,
    /// 超期: of the due, neither handled nor closed at the period's end.
    pub overdue: u32,
    /// 结案率 = closed ÷ due.
    pub closure_rate: Option<f64>,
    /// 按期结案率 = closed_on_time ÷ due (the standard's headline).
    pub on_time_closure_rate: Option<f64>,
    /// 按期处置率 = handled_on_time ÷ due.
    pub on_time_rate: Option<f64>,
    /// 返工率 = rework ÷ due.
    pub rework_rate: Option<f64>,
    /// 延期率 = deferred ÷ due.
    pub deferral_rate: Option<f64>,
    /// 自处置率 = on_the_spot ÷ findings_recorded.
    pub on_the_spot_rate: Option<f64>,
}

/// A case observed in the period, with its state at the period's end (`None`: recorded after it).
#[derive(Debug, Clone)]
pub struct ReportedCase<'a> {
    pub category: &'a str,
    pub status_at_end: Option<&'a str>,
    pub on_the_spot: bool,
}

/// A case whose due time (as it stood at the period's end) falls in the period: its history row at
/// the period's end, and its status at its due time.
#[derive(Debug, Clone, PartialEq)]
pub struct DueCase {
    pub author: String,
    pub grid: String,
    pub unit: Option<String>,
    /// Status at the period's end (as stored: a status this build may not know, such as h-loop's
    /// `suspended`, is compared as text).
    pub status_at_end: String,
    pub deferred: bool,
    pub on_the_spot: bool,
    pub reworks: u32,
    /// Status at the due time (`None`: the case was recorded after it).
    pub status_at_due: Option<String>,
}

/// 缓办: a suspended case is not due (金华 subtracts 缓办数 from 应结案数). The status arrives with
/// issue 12's suspension; its stored name is fixed by the contract.
const SUSPENDED: &str = "suspended";

fn ratio(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) / f64::from(d))
}

fn is(status: &str, s: Status) -> bool {
    status == s.as_str()
}

impl Measures {
    /// Counts a case observed in the period.
    pub fn count_reported(&mut self, case: &ReportedCase<'_>) {
        self.findings_recorded += 1;
        *self.by_category.entry(case.category.to_string()).or_insert(0) += 1;
        self.valid_reports += u32::from(!case.status_at_end.is_some_and(|s| is(s, Status::Rejected)));
        self.on_the_spot += u32::from(case.on_the_spot);
    }

    /// Counts a case whose due time (at the period's end) falls in the period, unless it was
    /// rejected, suspended or solved on the spot.
    pub fn count_due(&mut self, case: &DueCase) {
        let end = case.status_at_end.as_str();
        if is(end, Status::Rejected) || end == SUSPENDED || case.on_the_spot {
            return;
        }
        self.due += 1;
        let closed = is(end, Status::Closed);
        let handled = closed || is(end, Status::Rectified);
        let at_due = case.status_at_due.as_deref().unwrap_or("");
        self.closed += u32::from(closed);
        self.closed_on_time += u32::from(closed && is(at_due, Status::Closed));
        self.handled_on_time += u32::from(is(at_due, Status::Closed) || is(at_due, Status::Rectified));
        self.rework += u32::from(case.reworks > 0);
        self.deferred += u32::from(case.deferred);
        self.overdue += u32::from(!handled);
    }

    /// Adds the counts of `other` (over other cases of the same period) to these; the rates are
    /// set by [`Measures::finish`] afterwards.
    pub fn add(&mut self, other: &Measures) {
        // Named field by field, so that a new count cannot be left out of the sum.
        let Measures {
            findings_recorded,
            by_category,
            valid_reports,
            on_the_spot,
            due,
            closed,
            closed_on_time,
            handled_on_time,
            rework,
            deferred,
            overdue,
            closure_rate: _,
            on_time_closure_rate: _,
            on_time_rate: _,
            rework_rate: _,
            deferral_rate: _,
            on_the_spot_rate: _,
        } = other;
        self.findings_recorded += findings_recorded;
        for (code, n) in by_category {
            *self.by_category.entry(code.clone()).or_insert(0) += n;
        }
        self.valid_reports += valid_reports;
        self.on_the_spot += on_the_spot;
        self.due += due;
        self.closed += closed;
        self.closed_on_time += closed_on_time;
        self.handled_on_time += handled_on_time;
        self.rework += rework;
        self.deferred += deferred;
        self.overdue += overdue;
    }

    /// Sets the rates from the counts.
    pub fn finish(mut self) -> Measures {
        self.closure_rate = ratio(self.closed, self.due);
        self.on_time_closure_rate = ratio(self.closed_on_time, self.due);
        self.on_time_rate = ratio(self.handled_on_time, self.due);
        self.rework_rate = ratio(self.rework, self.due);
        self.deferral_rate = ratio(self.deferred, self.due);
        self.on_the_spot_rate = ratio(self.on_the_spot, self.findings_recorded);
        self
    }
}

#[cfg(test)]
#[path = "measures_fixture.rs"]
mod fixture;
