//! How the hub judges one arriving event, in hub order, in one shape: the caller must be the
//! event's actor; core's decoder turns the event into a typed change (or refuses it whole); the
//! hub loads the one record the change touches (a finding, a patrol or a weekly log's review);
//! the caller's grid scope is checked against that record; core judges the typed change against
//! it in one call, at the hub's time; the hub applies the outcome. Store-independent, so a
//! PostgreSQL store would call the same function; it returns what to write and writes nothing.
//!
//! What the hub derives rather than trusts: the time it accepted the event (stamped by the store),
//! and a finding's `due_at` (core's deadline functions over the hub's own category and holiday
//! tables, counted from the accepted time). The payload it stores and hands to devices is the
//! decoded one with those derived values, so every device folds the same record.

use chrono::{DateTime, Utc};
use gridpatrol_core::change::{self, Bounds, Change, Current, Outcome, Target};
use gridpatrol_core::model::{Finding, Patrol};
use gridpatrol_core::photo::HeldPhoto;
use gridpatrol_core::remote::Reference;
use gridpatrol_core::review::LogReview;
use gridpatrol_sync::wire::WireEvent;

use crate::auth::Principal;
use crate::error::{HubError, Result};

/// An accepted event's effect: the record after it, the grid it belongs to (what pull scopes by),
/// and the payload to store and redistribute (as JSON text) when the hub derived part of it.
#[derive(Debug, Clone)]
pub struct Effect {
    pub grid: String,
    pub outcome: Outcome,
    pub payload: Option<String>,
}

/// The record a change touches, as the hub holds it.
#[derive(Debug, Clone)]
pub enum Loaded {
    Finding(Option<Finding>),
    Patrol(Option<Patrol>),
    /// A weekly log's review record and the grid its events are pulled by.
    Log(Option<(LogReview, String)>),
}

/// Where the rules read the current state from: one record, loaded once per event.
pub trait Records {
    fn load(&mut self, target: &Target) -> Result<Loaded>;
}

pub fn judge(
    who: &Principal,
    event: &WireEvent,
    records: &mut dyn Records,
    reference: &dyn Reference,
    held_photo: &dyn Fn(&str) -> Result<Option<HeldPhoto>>,
    now: DateTime<Utc>,
) -> Result<Effect> {
    let id = event.id.as_str();
    let refuse = |e: gridpatrol_core::Error| HubError::event(id, e);
    if event.actor != who.user.name {
        return Err(HubError::event_with(
            "actor_mismatch",
            id,
            format!(
                "The event was made by {}, but the token belongs to {}.",
                change::clip(&event.actor),
                who.user.name
            ),
        ));
    }
    let decoded = change::decode(&event.to_event(), Bounds::at(now)).map_err(refuse)?;
    let loaded = records.load(&decoded.target())?;
    // The grid the event belongs to, and the caller's scope over it.
    let grid = match (&decoded.change, &loaded) {
        (Change::Reported(f), _) => f.grid.clone(),
        (Change::PatrolStarted(p), _) => {
            for g in &p.grids[1..] {
                who.scope.check(g).map_err(refuse)?;
            }
            p.grids[0].clone()
        }
        (_, Loaded::Finding(Some(f))) => f.grid.clone(),
        // A stored patrol without grids is a broken row (the decoder refuses one), never "no grid".
        (_, Loaded::Patrol(Some(p))) => p
            .grids
            .first()
            .cloned()
            .ok_or_else(|| HubError::Internal(format!("patrol {} is stored without grids", p.id)))?,
        // A log travels with the officer's first grid: the officer and the leads over that grid
        // pull it. A record keeps the grid it was first submitted under.
        (_, Loaded::Log(Some((_, grid)))) => grid.clone(),
        // A first submission is filed under the submitter's first grid; someone with none has no log.
        (Change::Log { .. }, Loaded::Log(None)) => match who.scope.grids.iter().next() {
            Some(g) => g.clone(),
            None => return Err(refuse(gridpatrol_core::Error::NoGrids { role: who.user.role.as_str().to_string() })),
        },
        // Nothing to scope: core refuses the missing record below.
        _ => String::new(),
    };
    let submitting = matches!(&decoded.change, Change::Log { step: change::LogStep::Submitted, .. });
    if !grid.is_empty() && !submitting {
        who.scope.check(&grid).map_err(refuse)?;
    }
    let current = match &loaded {
        Loaded::Finding(f) => Current::Finding(f.as_ref()),
        Loaded::Patrol(p) => Current::Patrol(p.as_ref()),
        Loaded::Log(r) => Current::Log(r.as_ref().map(|(r, _)| r)),
    };
    let outcome = change::judge(&decoded, &who.user, current, reference, now).map_err(refuse)?;
    // Each photo must be held whole, and be what the event says it is (size, width, height).
    for p in decoded.photos() {
        let Some(held) = held_photo(&p.sha256)? else {
            return Err(HubError::event_with(
                "photo_missing",
                id,
                format!("Photo {} must be uploaded before the event that needs it.", p.sha256),
            ));
        };
        change::check_photo_held(p, held).map_err(refuse)?;
    }
    // A report is stored as the hub judged it: with the deadline the hub derived.
    let payload = match (&decoded.change, &outcome) {
        (Change::Reported(_), Outcome::Finding(f)) => Some(serde_json::to_string(f).map_err(internal)?),
        _ => None,
    };
    Ok(Effect { grid, outcome, payload })
}

fn internal(e: serde_json::Error) -> HubError {
    HubError::Internal(e.to_string())
}
