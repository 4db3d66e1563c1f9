//! The measures of a period over a set of findings (a cohort): counted here once for the officer's
//! weekly log, the large grid's week on the lead's dashboard and the city's week. [`Measures`] is the
//! one struct each of them embeds; the definitions are in [`crate::weekly`]'s header.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::lifecycle::Status;
use crate::weekly::WeeklyFinding;

/// The numbers over a cohort (see [`crate::weekly`] for each).
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct Measures {
    pub findings_recorded: u32,
    /// Findings recorded, by minor category code.
    pub by_category: BTreeMap<String, u32>,
    pub findings_closed: u32,
    pub overdue: u32,
    pub due: u32,
    pub closed_due: u32,
    pub on_time: u32,
    pub rework: u32,
    /// 结案率: closed_due ÷ due; null when due is 0.
    pub closure_rate: Option<f64>,
    /// 按期处置率: on_time ÷ due; null when due is 0.
    pub on_time_rate: Option<f64>,
    /// 返工率: rework ÷ due; null when due is 0.
    pub rework_rate: Option<f64>,
}

fn ratio(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) / f64::from(d))
}

impl Measures {
    /// Counts a finding of the cohort of the week that ends (exclusive) at `week_end`.
    pub(crate) fn count(&mut self, f: &WeeklyFinding, reworked: bool, week_end: DateTime<Utc>) {
        self.findings_recorded += 1;
        *self.by_category.entry(f.category.clone()).or_insert(0) += 1;
        let closed = f.status == Status::Closed;
        self.findings_closed += u32::from(closed);
        self.overdue += u32::from(f.overdue);
        if let Some(d) = f.due_at.filter(|d| *d < week_end) {
            self.due += 1;
            self.closed_due += u32::from(closed);
            self.on_time += u32::from(f.rectified_at.is_some_and(|r| r <= d));
            self.rework += u32::from(reworked);
        }
    }

    /// Sets the ratios from the counts: 结案率, 按期处置率, 返工率.
    pub(crate) fn finish(mut self) -> Measures {
        self.closure_rate = ratio(self.closed_due, self.due);
        self.on_time_rate = ratio(self.on_time, self.due);
        self.rework_rate = ratio(self.rework, self.due);
        self
    }
}
