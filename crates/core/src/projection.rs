//! A finding is the fold of its events. [`apply`] is the one place that says how an event changes
//! a finding; the store uses it to compute what it writes, and [`replay`] rebuilds a finding from
//! its history, so the projection rows and the event log cannot tell two different stories.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lifecycle::Status;
use crate::model::{Event, Finding, Photo, Urgency};

pub const REPORTED: &str = "finding.reported";
pub const MOVED: &str = "finding.moved";
pub const EDITED: &str = "finding.edited";

/// The payload of a [`MOVED`] event. Unknown fields are refused: a payload is decoded once, whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Move {
    pub from: Status,
    pub to: Status,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub photos: Vec<Photo>,
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
        _ => state,
    }
}

/// How a move made at `at` changes a finding.
pub fn apply_move(mut finding: Finding, m: &Move, at: DateTime<Utc>) -> Finding {
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
