//! How the hub judges one arriving event, in hub order: the caller, the grid scope, and then
//! core's own rules for that kind of event. Store-independent, so a PostgreSQL store would call
//! the same function; it returns what to write and writes nothing itself.

use axum::http::StatusCode;
use gridpatrol_core::model::{Finding, Patrol};
use gridpatrol_core::projection;
use gridpatrol_core::remote::{self, Reference, PATROL_ENDED, PATROL_STARTED};
use gridpatrol_core::review::{self, LogReview};
use gridpatrol_core::Error as CoreError;
use gridpatrol_sync::wire::WireEvent;

use crate::auth::Principal;
use crate::error::{HubError, Result};

/// What an accepted event changes at the hub.
#[derive(Debug, Clone)]
pub enum Change {
    NewFinding(Finding),
    Finding(Finding),
    NewPatrol(Patrol),
    PatrolEnded,
    /// A weekly log's review record after the event, under its key.
    LogReview(String, LogReview),
}

/// An accepted event's effect and the grid it belongs to (what pull scopes by).
#[derive(Debug, Clone)]
pub struct Effect {
    pub grid: String,
    pub change: Change,
}

/// The state the rules read: the findings and patrols as they stand in hub order.
pub trait Current {
    fn finding(&mut self, id: &str) -> Result<Option<Finding>>;
    fn patrol(&mut self, id: &str) -> Result<Option<Patrol>>;
    /// A weekly log's review record and the grid its events are pulled by.
    fn log_review(&mut self, key: &str) -> Result<Option<(LogReview, String)>>;
}

pub fn judge(
    who: &Principal,
    event: &WireEvent,
    current: &mut dyn Current,
    reference: &dyn Reference,
    photo_present: &dyn Fn(&str) -> bool,
) -> Result<Effect> {
    let id = event.id.as_str();
    let refuse = |e: CoreError| HubError::event(id, e);
    if event.actor != who.user.name {
        return Err(HubError::event_with(
            StatusCode::FORBIDDEN,
            "actor_mismatch",
            id,
            format!("The event was made by {}, but the token belongs to {}.", event.actor, who.user.name),
        ));
    }
    let as_core = event.to_event();
    let need_photos = |photos: &[gridpatrol_core::model::Photo]| -> Result<()> {
        match photos.iter().find(|p| !photo_present(&p.sha256)) {
            Some(p) => Err(HubError::event_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                "photo_missing",
                id,
                format!("Photo {} must be uploaded before the event that needs it.", p.sha256),
            )),
            None => Ok(()),
        }
    };
    match event.kind.as_str() {
        projection::REPORTED => {
            let finding = remote::reported_finding(&as_core).map_err(refuse)?;
            if finding.id != event.entity_id || event.entity != "finding" {
                return Err(HubError::event_with(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_value",
                    id,
                    "The event's entity does not match the finding it carries.",
                ));
            }
            who.scope.check(&finding.grid).map_err(refuse)?;
            remote::check_reported(&finding, &who.user, reference).map_err(refuse)?;
            if current.finding(&finding.id)?.is_some() {
                return Err(HubError::event_with(
                    StatusCode::CONFLICT,
                    "finding_exists",
                    id,
                    format!("Finding {} was already reported by another event.", finding.id),
                ));
            }
            need_photos(&finding.photos)?;
            Ok(Effect { grid: finding.grid.clone(), change: Change::NewFinding(finding) })
        }
        projection::MOVED => {
            let change = remote::moved(&as_core).map_err(refuse)?;
            let Some(finding) = current.finding(&event.entity_id)? else {
                return Err(refuse(CoreError::FindingNotFound(event.entity_id.clone())));
            };
            who.scope.check(&finding.grid).map_err(refuse)?;
            remote::check_moved(&finding, &change, who.user.role).map_err(refuse)?;
            need_photos(&change.photos)?;
            let grid = finding.grid.clone();
            // apply() of a MOVED event on Some(finding) always yields Some.
            let moved = projection::apply(Some(finding), &as_core).expect("a move keeps the finding");
            Ok(Effect { grid, change: Change::Finding(moved) })
        }
        projection::EDITED => {
            let edit = remote::edited(&as_core).map_err(refuse)?;
            let Some(finding) = current.finding(&event.entity_id)? else {
                return Err(refuse(CoreError::FindingNotFound(event.entity_id.clone())));
            };
            who.scope.check(&finding.grid).map_err(refuse)?;
            remote::check_edited(&finding, &edit, &who.user).map_err(refuse)?;
            let grid = finding.grid.clone();
            // apply() of an EDITED event on Some(finding) always yields Some.
            let edited = projection::apply(Some(finding), &as_core).expect("an edit keeps the finding");
            Ok(Effect { grid, change: Change::Finding(edited) })
        }
        PATROL_STARTED => {
            let patrol = remote::started_patrol(&as_core).map_err(refuse)?;
            for grid in &patrol.grids {
                who.scope.check(grid).map_err(refuse)?;
            }
            remote::check_patrol(&patrol, &who.user, reference).map_err(refuse)?;
            if current.patrol(&patrol.id)?.is_some() {
                return Err(HubError::event_with(
                    StatusCode::CONFLICT,
                    "patrol_exists",
                    id,
                    "The patrol already exists.",
                ));
            }
            Ok(Effect { grid: patrol.grids.first().cloned().unwrap_or_default(), change: Change::NewPatrol(patrol) })
        }
        PATROL_ENDED => match current.patrol(&event.entity_id)? {
            Some(p) if p.officer == who.user.name => {
                Ok(Effect { grid: p.grids.first().cloned().unwrap_or_default(), change: Change::PatrolEnded })
            }
            _ => Err(HubError::event_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_patrol",
                id,
                "There is no patrol of yours with that id at the hub.",
            )),
        },
        review::SUBMITTED | review::APPROVED | review::RETURNED => {
            let payload = review::payload(&as_core).map_err(refuse)?;
            let current = current.log_review(&event.entity_id)?;
            // A log travels with the officer's first grid: the officer and the leads over that grid
            // pull it. A record keeps the grid it was first submitted under.
            let grid = match &current {
                Some((_, grid)) => grid.clone(),
                None => who.scope.grids.iter().next().cloned().unwrap_or_default(),
            };
            if event.kind != review::SUBMITTED {
                who.scope.check(&grid).map_err(refuse)?;
            }
            let record = current.map(|(r, _)| r);
            review::check(record.as_ref(), &event.kind, &who.user, &payload, event.device_time).map_err(refuse)?;
            let after = review::apply(record, &as_core).expect("a checked review event yields a record");
            Ok(Effect { grid, change: Change::LogReview(event.entity_id.clone(), after) })
        }
        other => Err(HubError::event_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_event",
            id,
            format!("The hub does not take events of kind {other}."),
        )),
    }
}
