//! A team lead's Today: the queue of what waits for the lead (组长的待办), each item a count that
//! opens its list.
//!
//! What it is: [`LEAD_QUEUE`], the one table of the queue's items in the order Today shows them,
//! each a [`QueueKey`] and the list it counts ([`QueueList`]): findings matching a
//! [`FindingFilter`] (the Findings screen opens with that very filter) or the weekly logs waiting
//! for a review (the review queue of the weekly-log screen). [`Store::queue`] counts each item for
//! the acting lead or administrator at a moment `now`, within their scope: a lead's small grids
//! (the ones Today calls theirs, [`Store::my_grid_codes`]: the small grids of the large grid they
//! lead, within the hub's scope), an administrator's every grid.
//!
//! One definition per item: a count is [`Store::count_findings`] of the item's filter and its list
//! is [`Store::findings`] of the same filter; both build their SQL with the store's one filter
//! builder, so the count and the list cannot disagree (`crates/core/tests/it/queue.rs` checks every
//! item of the table). 超期 is the store's one overdue rule (`FindingFilter::overdue_only`:
//! awaiting rectification and past the due time), 待审核日志 the store's review queue.
//!
//! What it is not: a second set of rules. Who may move a case stays in [`crate::lifecycle`]; the
//! queue only counts what is there.
//!
//! To add an item: a variant of [`QueueKey`], one line in
//! [`LEAD_QUEUE`] naming the list it counts, and its label in the UI's catalogues
//! (`queue.<key>` in `ui/src/lib/i18n/zh.ts` and `en.ts`); the tests walk the table.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::ipc::FindingFilter;
use crate::lifecycle::Status;
use crate::model::Role;
use crate::store::{FindingQuery, FindingSort, FindingSummary, Store};

/// The name of an item of the lead's queue (its label is `queue.<key>` in the UI's catalogues).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QueueKey {
    /// 待受理: reported, waiting to be accepted or rejected.
    Reported,
    /// 待派遣: accepted, waiting to be dispatched.
    Accepted,
    /// 待核查: handled (rectified), waiting for the re-check.
    Rectified,
    /// 延期申请: a unit asked for more time and the request waits for a decision.
    DeferralRequested,
    /// 退回的案件: a unit returned the case (回退); it waits to be dispatched again.
    ReturnedByUnit,
    /// 待审核日志: weekly logs submitted and not yet reviewed.
    LogsToReview,
    /// 超期: awaiting rectification past the due time.
    Overdue,
    /// 待处置 (a liaison's): dispatched to the unit and being rectified (not suspended).
    ToRectify,
    /// 返工 (a liaison's): the re-check failed; the unit works on it again.
    Rework,
    /// 延期申请中 (a liaison's): the unit's deferral requests waiting for the lead.
    DeferralPending,
}

/// What an item counts, and so the list its count opens.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QueueList {
    /// The findings matching this filter: the Findings screen opened with it.
    Findings { filter: FindingFilter },
    /// The weekly logs waiting for a review: the weekly-log screen's review queue.
    LogsToReview,
}

/// How one item's list is made from the scope (a filter naming the lead's grids, or none).
pub type ListOf = fn(FindingFilter) -> QueueList;

/// The lead's queue, in the order Today shows it: each item's key and the list it counts.
pub const LEAD_QUEUE: &[(QueueKey, ListOf)] = &[
    (QueueKey::Reported, |scope| findings(FindingFilter { status: Some(Status::Reported), ..scope })),
    (QueueKey::Accepted, |scope| findings(FindingFilter { status: Some(Status::Accepted), ..scope })),
    (QueueKey::Rectified, |scope| findings(FindingFilter { status: Some(Status::Rectified), ..scope })),
    (QueueKey::DeferralRequested, |scope| findings(FindingFilter { deferral_pending: true, ..scope })),
    (QueueKey::ReturnedByUnit, |scope| findings(FindingFilter { returned_only: true, ..scope })),
    (QueueKey::LogsToReview, |_| QueueList::LogsToReview),
    (QueueKey::Overdue, |scope| findings(FindingFilter { overdue_only: true, sort: FindingSort::DueAsc, ..scope })),
];

/// A unit liaison's queue (their Today), in the order Today shows it, within their unit.
pub const LIAISON_QUEUE: &[(QueueKey, ListOf)] = &[
    (QueueKey::ToRectify, |scope| findings(FindingFilter { status: Some(Status::Rectifying), ..scope })),
    (QueueKey::Rework, |scope| findings(FindingFilter { status: Some(Status::Rework), ..scope })),
    (QueueKey::DeferralPending, |scope| findings(FindingFilter { deferral_pending: true, ..scope })),
    (QueueKey::Overdue, |scope| findings(FindingFilter { overdue_only: true, sort: FindingSort::DueAsc, ..scope })),
];

fn findings(filter: FindingFilter) -> QueueList {
    QueueList::Findings { filter }
}

/// One item of the queue: its key, how many wait, and the list the count opens.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QueueItem {
    pub key: QueueKey,
    pub count: u32,
    pub list: QueueList,
}

/// The acting lead's (or administrator's) queue at `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Queue {
    pub items: Vec<QueueItem>,
    /// The moment the counts were made (overdue is judged at it).
    pub as_of: DateTime<Utc>,
}

/// What one item's list holds: the rows a count counted.
#[derive(Debug, Clone, PartialEq)]
pub enum Listed {
    Findings(Vec<FindingSummary>),
    Logs(Vec<crate::review::LogReview>),
}

impl Listed {
    pub fn len(&self) -> usize {
        match self {
            Listed::Findings(rows) => rows.len(),
            Listed::Logs(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The findings query of a queue filter at `now`: the same for the count and the list.
fn query_at(filter: &FindingFilter, now: DateTime<Utc>) -> FindingQuery {
    FindingQuery { as_of: Some(now), ..FindingQuery::from(filter.clone()) }
}

impl Store {
    /// The scope of the acting user's queue, as a filter: a lead's small grids, an administrator's
    /// every grid. An officer has no queue ([`Error::QueueNotAllowed`]): their Today is their grids.
    pub fn queue_scope(&self) -> Result<FindingFilter> {
        let me = self.actor()?;
        match me.role {
            Role::Admin => Ok(FindingFilter::default()),
            Role::Liaison => {
                let unit = me.unit.clone().ok_or(Error::QueueNotAllowed { role: me.role.as_str().to_string() })?;
                Ok(FindingFilter { unit: Some(unit), ..FindingFilter::default() })
            }
            role if role.supervises() => {
                Ok(FindingFilter { grids: Some(self.my_grid_codes()?), ..FindingFilter::default() })
            }
            role => Err(Error::QueueNotAllowed { role: role.as_str().to_string() }),
        }
    }

    /// The acting lead's (or administrator's) queue at `now`: every item of [`LEAD_QUEUE`] counted.
    pub fn queue(&self, now: DateTime<Utc>) -> Result<Queue> {
        let scope = self.queue_scope()?;
        let table = if self.actor()?.role == Role::Liaison { LIAISON_QUEUE } else { LEAD_QUEUE };
        let items = table
            .iter()
            .map(|(key, list_of)| {
                let list = list_of(scope.clone());
                Ok(QueueItem { key: *key, count: self.queue_count(&list, now)?, list })
            })
            .collect::<Result<_>>()?;
        Ok(Queue { items, as_of: now })
    }

    /// How many rows `list` holds at `now`, counted by SQLite.
    pub fn queue_count(&self, list: &QueueList, now: DateTime<Utc>) -> Result<u32> {
        match list {
            QueueList::Findings { filter } => self.count_findings(&query_at(filter, now)),
            QueueList::LogsToReview => self.review_queue_count(),
        }
    }

    /// The rows `list` holds at `now`: what its count opens.
    pub fn queue_list(&self, list: &QueueList, now: DateTime<Utc>) -> Result<Listed> {
        match list {
            QueueList::Findings { filter } => Ok(Listed::Findings(self.findings(&query_at(filter, now))?)),
            QueueList::LogsToReview => Ok(Listed::Logs(self.review_queue()?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_is_in_the_table_once() {
        for table in [LEAD_QUEUE, LIAISON_QUEUE] {
            for (i, (key, _)) in table.iter().enumerate() {
                assert!(!table[i + 1..].iter().any(|(k, _)| k == key), "{key:?} twice: Today would show it twice");
            }
        }
    }

    #[test]
    fn a_findings_item_keeps_the_scope_it_is_given() {
        let scope = FindingFilter { grids: Some(vec!["37160200100101".into()]), ..FindingFilter::default() };
        for (key, list_of) in LEAD_QUEUE {
            if let QueueList::Findings { filter } = list_of(scope.clone()) {
                assert_eq!(filter.grids, scope.grids, "{key:?} counts within the lead's grids only");
                assert_eq!(filter.limit, None, "{key:?}: a count is of the whole list");
            }
        }
    }
}
