//! Rules for events that arrive from elsewhere: the checks [`crate::change::judge`] runs, in hub
//! order, on a decoded change against the record it touches, and the kinds that travel.
//!
//! The device's store checked each event when it wrote it; the hub must not trust that, and must
//! not re-implement it either (DESIGN invariant 6). So the checks here call the very functions the
//! store uses: [`check_text`] with the store's limits, [`lifecycle::check_move`], the category
//! tree and the registry's point-in-grid through [`Reference`] (which [`crate::Store`] implements).
//! Nothing here writes or reads a clock.

use crate::error::{Error, Result};
use crate::geometry;
use crate::lifecycle::{self, Status};
use serde::Deserialize;

use crate::change::check_stored_text;
use crate::deadline::{Holidays, OfficeHours};
use crate::model::{Event, Finding, MinorCategory, Patrol, Photo, PhotoRole, Point, Role, Unit, User};
use crate::projection::{self, DeferralAsked, DeferralDecision, Edit, Move};
use crate::review;
use crate::validate::{MAX_ADDRESS_CHARS, MAX_DESCRIPTION_CHARS, MAX_NOTE_CHARS, MAX_UNIT_CHARS};

pub const PATROL_STARTED: &str = "patrol.started";
pub const PATROL_ENDED: &str = "patrol.ended";

/// The kinds of event that travel to the hub. The rest (the local profile, device settings, a
/// registry import on this device) describe the device, not the city, and stay local.
pub const SYNCED_KINDS: &[&str] = &[
    projection::REPORTED,
    projection::MOVED,
    projection::EDITED,
    projection::DEFERRAL_REQUESTED,
    projection::DEFERRAL_DECIDED,
    PATROL_STARTED,
    PATROL_ENDED,
    review::SUBMITTED,
    review::APPROVED,
    review::RETURNED,
];

pub fn is_synced(kind: &str) -> bool {
    SYNCED_KINDS.contains(&kind)
}

/// The reference data an arriving event is checked against: the grid registry and the category
/// tree. The device's [`crate::Store`] is one; the hub keeps one too.
pub trait Reference {
    /// The small grid `code`, or [`Error::UnknownGrid`] / [`Error::NotASmallGrid`].
    fn check_small_grid(&self, code: &str) -> Result<()>;
    fn contains_point(&self, code: &str, point: Point) -> Result<bool>;
    fn minor_category(&self, code: &str) -> Result<MinorCategory>;
    /// The holiday table working-day deadlines are counted over.
    fn holidays(&self) -> Result<Holidays>;
    /// The office hours working-hour (工作时) deadlines are counted inside.
    fn office_hours(&self) -> Result<OfficeHours>;
    /// The responsible unit `code`, or [`Error::UnknownUnit`].
    fn unit(&self, code: &str) -> Result<Unit>;
}

impl Reference for crate::Store {
    fn check_small_grid(&self, code: &str) -> Result<()> {
        crate::Store::check_small_grid(self, code)
    }

    fn contains_point(&self, code: &str, point: Point) -> Result<bool> {
        self.grid_contains(code, point)
    }

    fn minor_category(&self, code: &str) -> Result<MinorCategory> {
        self.category(code)
    }

    fn holidays(&self) -> Result<Holidays> {
        crate::Store::holidays(self)
    }

    fn office_hours(&self) -> Result<OfficeHours> {
        crate::Store::office_hours(self)
    }

    fn unit(&self, code: &str) -> Result<Unit> {
        crate::Store::unit(self, code)
    }
}

/// Checks a `finding.reported` payload by `actor` as the store checks a new finding.
pub fn check_reported(finding: &Finding, actor: &User, reference: &dyn Reference) -> Result<()> {
    if finding.author != actor.name {
        return Err(Error::InvalidValue { field: "author", value: finding.author.clone() });
    }
    let first = if finding.on_the_spot { Status::Closed } else { Status::Reported };
    if finding.status != first {
        return Err(Error::IllegalMove { from: Status::Reported.to_string(), to: finding.status.to_string() });
    }
    check_may_report(actor)?;
    check_report_photos(finding)?;
    check_stored_text("description", &finding.description, MAX_DESCRIPTION_CHARS, true)?;
    check_stored_text("address", &finding.address, MAX_ADDRESS_CHARS, false)?;
    check_stored_text("responsible_unit", &finding.responsible_unit, MAX_UNIT_CHARS, false)?;
    reference.minor_category(&finding.category)?;
    reference.check_small_grid(&finding.grid)?;
    if let Some(p) = finding.point {
        if !geometry::is_valid_point(p) {
            return Err(Error::InvalidPoint { lat: p.lat, lon: p.lon });
        }
        if !reference.contains_point(&finding.grid, p)? {
            return Err(Error::PointOutsideGrid { grid: finding.grid.clone(), lat: p.lat, lon: p.lon });
        }
    }
    Ok(())
}

/// Whether `actor` may record a finding at all: a unit's liaison works on dispatched cases, and
/// reporting is the grid's (officers, leads, administrators).
pub fn check_may_report(actor: &User) -> Result<()> {
    if actor.role == Role::Liaison {
        return Err(Error::MoveNotAllowed {
            role: actor.role.as_str().into(),
            from: Status::Reported.to_string(),
            to: Status::Reported.to_string(),
        });
    }
    Ok(())
}

/// The photos of a report: a new finding has only before photos; a case solved on the spot (当场
/// 处置) has at least one before photo and at least one after photo.
pub fn check_report_photos(finding: &Finding) -> Result<()> {
    let has = |role| finding.photos.iter().any(|p| p.role == role);
    if finding.on_the_spot {
        if !has(PhotoRole::Before) {
            return Err(Error::BeforePhotoRequired);
        }
        if !has(PhotoRole::After) {
            return Err(Error::AfterPhotoRequired);
        }
    } else if has(PhotoRole::After) {
        return Err(Error::MalformedEvent {
            field: "photos",
            reason: "a new finding has only before photos (after photos come with 当场处置 or the move to rectified)"
                .into(),
        });
    }
    Ok(())
}

/// Checks a `finding.moved` payload by `actor` against the finding as it stands now (in hub order):
/// the lifecycle's rules of the move ([`lifecycle::check_move_of`]), the note as the store writes it,
/// a dispatch's unit against the units table, and that a move's photos are after photos. A move that
/// was legal on the device but no longer is fails here, with the lifecycle's own error.
pub fn check_moved(current: &Finding, change: &Move, actor: &User, reference: &dyn Reference) -> Result<()> {
    check_stored_text("note", &change.note, MAX_NOTE_CHARS, false)?;
    if change.photos.iter().any(|p| p.role != PhotoRole::After) {
        return Err(Error::MalformedEvent { field: "photos", reason: "a move carries after photos only".into() });
    }
    lifecycle::check_move_of(actor, current, change.to, &change.note, change.unit.as_deref(), &change.photos)?;
    if let Some(unit) = &change.unit {
        reference.unit(unit)?;
    }
    Ok(())
}

/// Checks a `finding.deferral_requested` payload by `actor` against the finding as it stands now:
/// the unit's liaison, while the case is with the unit and no request waits; a reason; a date after
/// the current due time (or after the dispatch, for a case without a deadline).
pub fn check_deferral_requested(current: &Finding, asked: &DeferralAsked, actor: &User) -> Result<()> {
    lifecycle::check_step_of(actor, current, lifecycle::Step::RequestDeferral)?;
    check_stored_text("reason", &asked.reason, MAX_NOTE_CHARS, true)?;
    let due = current.due_at.or(current.dispatched_at).unwrap_or(current.updated_at);
    if asked.until <= due {
        return Err(Error::DeferralTooEarly { until: crate::store::ts_of(asked.until), due: crate::store::ts_of(due) });
    }
    Ok(())
}

/// Checks a `finding.deferral_decided` payload by `actor`: a lead or administrator, a request waiting.
pub fn check_deferral_decided(current: &Finding, decision: &DeferralDecision, actor: &User) -> Result<()> {
    lifecycle::check_step_of(actor, current, lifecycle::Step::DecideDeferral)?;
    check_stored_text("note", &decision.note, MAX_NOTE_CHARS, false)?;
    Ok(())
}

/// Checks a `finding.edited` payload by `actor` against the finding as it stands now: the author
/// or a lead or administrator edits a finding that is still open, at least one field, each field
/// as the store would have written it. Who wrote a field before does not matter: the last edit in
/// hub order wins.
pub fn check_edited(current: &Finding, edit: &Edit, actor: &User) -> Result<()> {
    check_edit_fields(edit)?;
    check_may_edit(current, actor)
}

/// An edit on its own, whoever makes it: at least one field, each as the store would have written
/// it. The decoder checks this before any record is loaded; the judge again with the record.
pub fn check_edit_fields(edit: &Edit) -> Result<()> {
    if edit.is_empty() {
        return Err(Error::NothingToEdit);
    }
    if let Some(v) = &edit.description {
        check_stored_text("description", v, MAX_DESCRIPTION_CHARS, true)?;
    }
    if let Some(v) = &edit.address {
        check_stored_text("address", v, MAX_ADDRESS_CHARS, false)?;
    }
    if let Some(v) = &edit.responsible_unit {
        check_stored_text("responsible_unit", v, MAX_UNIT_CHARS, false)?;
    }
    Ok(())
}

/// Whether `actor` may edit the finding at all: its author, or a lead or administrator, while it
/// is neither closed nor rejected.
pub fn check_may_edit(current: &Finding, actor: &User) -> Result<()> {
    if actor.name != current.author && !actor.role.supervises() {
        return Err(Error::EditNotAllowed { role: actor.role.as_str().to_string() });
    }
    if matches!(current.status, Status::Closed | Status::Rejected) {
        return Err(Error::FindingClosed(current.status.to_string()));
    }
    Ok(())
}

/// Checks a `patrol.started` payload: the actor's own patrol over small grids.
pub fn check_patrol(patrol: &Patrol, actor: &User, reference: &dyn Reference) -> Result<()> {
    if patrol.officer != actor.name {
        return Err(Error::InvalidValue { field: "officer", value: patrol.officer.clone() });
    }
    if patrol.grids.is_empty() {
        return Err(Error::PatrolWithoutGrids);
    }
    for code in &patrol.grids {
        reference.check_small_grid(code)?;
    }
    check_stored_text("notes", &patrol.notes, MAX_NOTE_CHARS, false)?;
    Ok(())
}

/// The photos one of this device's own events needs the hub to hold before it can be pushed. An
/// event the device cannot read needs none: the hub refuses it and the device parks it.
pub fn photos_needed(event: &Event) -> Vec<Photo> {
    match event.kind.as_str() {
        projection::REPORTED => Finding::deserialize(&event.payload).map(|f| f.photos).unwrap_or_default(),
        projection::MOVED => Move::deserialize(&event.payload).map(|m| m.photos).unwrap_or_default(),
        // Deferral events carry no photos.
        _ => Vec::new(),
    }
}
