//! A finding is the fold of its events. [`apply`] is the one place that says how an event changes
//! a finding; the store uses it to compute what it writes, and [`replay`] rebuilds a finding from
//! its history, so the projection rows and the event log cannot tell two different stories.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::deadline::{self, Calendar};
use crate::lifecycle::{self, Status};
use crate::model::{Deadline, DeferralRequest, Event, Finding, Photo, Urgency};

pub const REPORTED: &str = "finding.reported";
pub const MOVED: &str = "finding.moved";
pub const EDITED: &str = "finding.edited";
/// 申请延期: the unit's liaison asks for a later due time ([`DeferralAsked`]).
pub const DEFERRAL_REQUESTED: &str = "finding.deferral_requested";
/// 审批延期: the lead approves or refuses the pending request ([`DeferralDecision`]).
pub const DEFERRAL_DECIDED: &str = "finding.deferral_decided";

/// The payload of a [`MOVED`] event. Unknown fields are refused: a payload is decoded once, whole.
///
/// `dispatched_at` and `due_at` are derived, never trusted: whoever judges the move (the device's
/// store when it is made, the hub when it arrives) fills them with [`derive_move`] from its own
/// clock and tables, and the hub stores and redistributes the payload as it derived it, so every
/// device folds the same clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Move {
    pub from: Status,
    pub to: Status,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub photos: Vec<Photo>,
    /// 派遣: the unit (its code) a dispatch sends the case to; only on a dispatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// A first dispatch: when the deadline clock started (derived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatched_at: Option<DateTime<Utc>>,
    /// A first dispatch or a resumption: the due time it sets (derived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
}

impl Move {
    pub fn new(from: Status, to: Status, note: impl Into<String>) -> Move {
        Move { from, to, note: note.into(), photos: Vec::new(), unit: None, dispatched_at: None, due_at: None }
    }
}

/// The payload of a [`DEFERRAL_REQUESTED`] event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeferralAsked {
    /// The due time asked for: after the current one.
    pub until: DateTime<Utc>,
    pub reason: String,
}

/// The payload of a [`DEFERRAL_DECIDED`] event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeferralDecision {
    pub approved: bool,
    #[serde(default)]
    pub note: String,
}

/// The due time of a case dispatched at `from`: the category's limit for the case's urgency, counted
/// by [`deadline::due`] (the one place the loop asks the deadline functions).
pub fn dispatch_due_at(
    deadline: Option<&Deadline>,
    urgency: Urgency,
    from: DateTime<Utc>,
    cal: Calendar<'_>,
) -> Option<DateTime<Utc>> {
    deadline.map(|d| deadline::due(d, urgency, from, cal).at)
}

/// The due time after a suspension from `suspended_at` to `resumed_at`: pushed later by the time
/// the clock stood still, in the limit's unit ([`deadline::resume`]: working time for 工作时, working
/// days for 工作日, calendar time for 小时). A due time with no limit behind it (the category has none)
/// is pushed by the calendar time suspended.
pub fn resumed_due_at(
    deadline: Option<&Deadline>,
    urgency: Urgency,
    due: DateTime<Utc>,
    suspended_at: DateTime<Utc>,
    resumed_at: DateTime<Utc>,
    cal: Calendar<'_>,
) -> DateTime<Utc> {
    match deadline {
        Some(d) => deadline::resume(d.limit(urgency), due, suspended_at, resumed_at, cal).at,
        None => due + (resumed_at - suspended_at).max(chrono::Duration::zero()),
    }
}

/// Fills a move's derived times against the finding as it stands: a first dispatch starts the
/// clock at `accepted_at` (the receiver's time) and sets the due time from the category's
/// `deadline`; a resumption pushes the due time by the suspension's length (from the suspension's
/// time to `at`, the move's time). Every other move carries neither, whatever a device wrote.
pub fn derive_move(
    current: &Finding,
    m: &mut Move,
    at: DateTime<Utc>,
    accepted_at: DateTime<Utc>,
    deadline: Option<&Deadline>,
    cal: Calendar<'_>,
) {
    m.dispatched_at = None;
    m.due_at = None;
    if lifecycle::is_dispatch(current.status, m.to) && current.dispatched_at.is_none() {
        m.dispatched_at = Some(accepted_at);
        m.due_at = dispatch_due_at(deadline, current.urgency, accepted_at, cal);
    } else if current.status == Status::Suspended && m.to == Status::Rectifying {
        m.due_at = match (current.due_at, current.suspended_at) {
            (Some(due), Some(since)) => Some(resumed_due_at(deadline, current.urgency, due, since, at, cal)),
            (due, _) => due,
        };
    }
}

/// The payload of an [`EDITED`] event: the descriptive fields it sets; absent fields stay as they
/// are. Edits are last-writer-wins per field in hub order: replaying the events in hub order leaves
/// each field with the last value written to it, and the earlier values stay in the history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    /// Written `severity` by edits before migration 11; read under either name.
    #[serde(alias = "severity")]
    pub urgency: Option<Urgency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub responsible_unit: Option<String>,
}

impl Edit {
    pub fn is_empty(&self) -> bool {
        self.description.is_none()
            && self.address.is_none()
            && self.urgency.is_none()
            && self.responsible_unit.is_none()
    }
}

/// Applies one event to a finding (or to nothing, for the event that creates it). Events that do
/// not concern findings, or that cannot be read, leave the state as it was.
pub fn apply(state: Option<Finding>, event: &Event) -> Option<Finding> {
    match event.kind.as_str() {
        REPORTED => serde_json::from_value::<Finding>(event.payload.clone()).ok().or(state),
        MOVED => {
            let finding = state?;
            Some(match serde_json::from_value::<Move>(event.payload.clone()) {
                Ok(m) => apply_move(finding, &m, event.device_time),
                Err(_) => finding,
            })
        }
        EDITED => {
            let finding = state?;
            Some(match serde_json::from_value::<Edit>(event.payload.clone()) {
                Ok(edit) => apply_edit(finding, &edit, event.device_time),
                Err(_) => finding,
            })
        }
        DEFERRAL_REQUESTED => {
            let finding = state?;
            Some(match serde_json::from_value::<DeferralAsked>(event.payload.clone()) {
                Ok(asked) => apply_deferral_requested(finding, &asked, &event.actor, event.device_time),
                Err(_) => finding,
            })
        }
        DEFERRAL_DECIDED => {
            let finding = state?;
            Some(match serde_json::from_value::<DeferralDecision>(event.payload.clone()) {
                Ok(decision) => apply_deferral_decided(finding, &decision, event.device_time),
                Err(_) => finding,
            })
        }
        _ => state,
    }
}

/// How a liaison's request for a deferral, made by `by` at `at`, changes a finding: it waits.
pub fn apply_deferral_requested(mut finding: Finding, asked: &DeferralAsked, by: &str, at: DateTime<Utc>) -> Finding {
    finding.deferral =
        Some(DeferralRequest { until: asked.until, reason: asked.reason.clone(), by: by.to_string(), at });
    finding.updated_at = finding.updated_at.max(at);
    finding
}

/// How the lead's decision changes a finding: the request is gone; an approval moves the due time
/// to the date asked for and counts one deferral.
pub fn apply_deferral_decided(mut finding: Finding, decision: &DeferralDecision, at: DateTime<Utc>) -> Finding {
    if let Some(request) = finding.deferral.take() {
        if decision.approved {
            finding.due_at = Some(request.until);
            finding.deferrals += 1;
        }
    }
    finding.updated_at = finding.updated_at.max(at);
    finding
}

/// How a move made at `at` changes a finding.
pub fn apply_move(mut finding: Finding, m: &Move, at: DateTime<Utc>) -> Finding {
    let from = finding.status;
    if lifecycle::is_dispatch(from, m.to) {
        if let Some(unit) = &m.unit {
            finding.unit = Some(unit.clone());
        }
        // The clock starts at the first dispatch and is never reset (a re-dispatch after a 回退 or
        // a reopening keeps it).
        if finding.dispatched_at.is_none() {
            finding.dispatched_at = Some(m.dispatched_at.unwrap_or(at));
            finding.due_at = m.due_at;
        }
    } else if lifecycle::is_return(from, m.to) {
        // 回退: the case is no longer the unit's, and its pending request goes with it.
        finding.unit = None;
        finding.deferral = None;
    } else if m.to == Status::Suspended {
        finding.suspended_at = Some(at);
    } else if from == Status::Suspended {
        if m.due_at.is_some() {
            finding.due_at = m.due_at;
        }
        finding.suspended_at = None;
    }
    finding.status = m.to;
    finding.updated_at = at;
    // A photo already attached in the same role is not attached again, as the finding_photos key
    // (finding, photo, role) keeps it once.
    for photo in &m.photos {
        if !finding.photos.iter().any(|p| p.sha256 == photo.sha256 && p.role == photo.role) {
            finding.photos.push(photo.clone());
        }
    }
    finding
}

/// How an edit made at `at` changes a finding: the fields it sets, last writer wins.
pub fn apply_edit(mut finding: Finding, edit: &Edit, at: DateTime<Utc>) -> Finding {
    if let Some(v) = &edit.description {
        finding.description = v.clone();
    }
    if let Some(v) = &edit.address {
        finding.address = v.clone();
    }
    if let Some(v) = edit.urgency {
        finding.urgency = v;
    }
    if let Some(v) = &edit.responsible_unit {
        finding.responsible_unit = v.clone();
    }
    finding.updated_at = finding.updated_at.max(at);
    finding
}

/// Rebuilds a finding from its events, oldest first.
pub fn replay(events: &[Event]) -> Option<Finding> {
    events.iter().fold(None, apply)
}
