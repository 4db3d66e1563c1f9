//! Decode once, at the edge: an event that arrives from elsewhere (pushed to the hub, pulled by a
//! device) is JSON until [`decode`] turns it into one typed [`Change`], and nothing downstream reads
//! its JSON again. Then [`judge`] rules on the typed change against the one record it touches (the
//! caller loads it first: [`Decoded::target`] says which), and returns the record as it stands after
//! the change, for the caller to write.
//!
//! What [`decode`] refuses, before any state is looked at:
//! - a kind that does not travel ([`crate::remote::SYNCED_KINDS`]), or an `entity` other than the
//!   kind's own (`finding`, `patrol`, `weekly_log`);
//! - a payload over [`MAX_PAYLOAD_BYTES`], or with a field the kind does not have (every payload
//!   type denies unknown fields);
//! - an id out of its format: UUIDv7 (canonical, lower case) for events, findings and patrols; a
//!   weekly log's id is [`review::key`] of its payload (`2026-W48/李明`, the week written the ISO way);
//! - a text over its limit ([`crate::validate`]) or not as the store writes it (untrimmed, control
//!   characters);
//! - a time outside [`Bounds`]: not before [`earliest`] (2000-01-01) and not after the receiver's
//!   now plus [`MAX_CLOCK_SKEW_SECONDS`]; a finding's times out of order (observed ≤ recorded ≤ updated);
//! - photo metadata that cannot describe a stored photo ([`check_photo`]); where the receiver holds
//!   the photo (the hub), metadata that is not that photo's size, width and height
//!   ([`check_photo_held`]).
//!
//! What [`judge`] refuses, against the current record: everything [`crate::remote`]'s checks and
//! the lifecycle refuse (the role × move table, a liaison's unit, the after photo of 已整改, a
//! deferral later than the due time, a dispatch to a unit the receiver knows), a move or edit dated
//! before the finding's report, a patrol's end before its start, a review of a week that has not
//! begun at the time the hub accepted it. It derives the clock itself: a report carries no due time;
//! a first dispatch starts the clock at the time the receiver accepted it and its `due_at` is
//! counted with the receiver's category and holiday tables ([`derived_move`]); a resumption pushes
//! `due_at` by the suspension's length — the payload's derived times are never read.
//!
//! Nothing here reads a clock or a store: the caller passes its time and the current record.

use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::calendar::IsoWeek;
use crate::error::{Error, Result};
use crate::geometry;
use crate::lifecycle::Status;
use crate::model::{Event, Finding, Patrol, Photo, User};
use crate::photo::HeldPhoto;
use crate::projection::{self, DeferralAsked, DeferralDecision, Edit, Move};
use crate::remote::{self, Reference, PATROL_ENDED, PATROL_STARTED};
use crate::review::{self, LogReview, ReviewPayload};
use crate::validate::{check_text, MAX_ADDRESS_CHARS, MAX_DESCRIPTION_CHARS, MAX_NOTE_CHARS, MAX_UNIT_CHARS};

/// The earliest time any event may carry, in seconds since 1970: 2000-01-01T00:00:00Z. Nothing a
/// device records comes from before the product, and 1970 is what a zeroed clock says.
pub const EARLIEST_UNIX_SECONDS: i64 = 946_684_800;
/// How far a device's clock may run ahead of the receiver's: five minutes.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 5 * 60;
/// The largest payload one event may carry, in bytes of compact JSON. A finding with the longest
/// texts (2,000 + 200 + 100 characters, 3 bytes each in Chinese) and [`MAX_PHOTOS`] photos is under
/// 20 KiB.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// The most photos one event may name.
pub const MAX_PHOTOS: usize = 20;
/// The most grids one patrol may walk (a large grid of the reference city has 23).
pub const MAX_PATROL_GRIDS: usize = 100;
/// The longest person's name an event may carry, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// The longest grid or category code, in characters (GB/T 30428.1 unit-grid codes are 14 digits).
pub const MAX_CODE_CHARS: usize = 32;
/// The largest photo any device may store (the hub's upload limit): 50 MB.
pub const MAX_PHOTO_BYTES: u64 = 50 * 1024 * 1024;
/// The longest side of a photo, in pixels.
pub const MAX_PHOTO_SIDE: u32 = 20_000;
/// How far ahead of the receiver's now a deferral may ask for: a year.
pub const MAX_DEFERRAL_DAYS: i64 = 366;

/// [`EARLIEST_UNIX_SECONDS`] as a time.
pub fn earliest() -> DateTime<Utc> {
    // The constant is a valid timestamp.
    DateTime::from_timestamp(EARLIEST_UNIX_SECONDS, 0).expect("2000-01-01 is a valid time")
}

/// The window every time an event carries must fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

impl Bounds {
    /// The bounds for a receiver whose clock says `now`.
    pub fn at(now: DateTime<Utc>) -> Bounds {
        Bounds { not_before: earliest(), not_after: now + Duration::seconds(MAX_CLOCK_SKEW_SECONDS) }
    }

    pub fn check(&self, field: &'static str, t: DateTime<Utc>) -> Result<()> {
        if t < self.not_before || t > self.not_after {
            return Err(Error::TimeOutOfBounds {
                field,
                time: crate::store::ts_of(t),
                not_before: crate::store::ts_of(self.not_before),
                not_after: crate::store::ts_of(self.not_after),
            });
        }
        Ok(())
    }
}

/// Which review event a log change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogStep {
    Submitted,
    Approved,
    Returned,
}

impl LogStep {
    pub fn kind(self) -> &'static str {
        match self {
            LogStep::Submitted => review::SUBMITTED,
            LogStep::Approved => review::APPROVED,
            LogStep::Returned => review::RETURNED,
        }
    }
}

/// One decoded change: what an event of each travelling kind says, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// `finding.reported`: the finding as the author recorded it.
    Reported(Finding),
    /// `finding.moved` of the finding `finding`.
    Moved { finding: String, change: Move },
    /// `finding.edited` of the finding `finding`.
    Edited { finding: String, edit: Edit },
    /// `finding.deferral_requested` of the finding `finding`.
    DeferralRequested { finding: String, asked: DeferralAsked },
    /// `finding.deferral_decided` of the finding `finding`.
    DeferralDecided { finding: String, decision: DeferralDecision },
    /// `patrol.started`: the patrol as the officer started it.
    PatrolStarted(Patrol),
    /// `patrol.ended` of the patrol `patrol`.
    PatrolEnded { patrol: String, ended_at: DateTime<Utc> },
    /// `log.submitted`, `log.approved` or `log.returned` of the weekly log [`review::key`]`(officer, week)`.
    Log { step: LogStep, payload: ReviewPayload },
}

/// A decoded event: who, when, and the typed change.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub id: String,
    pub actor: String,
    pub device_time: DateTime<Utc>,
    pub change: Change,
}

/// The one record a change touches, which the judge needs as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Finding(String),
    Patrol(String),
    /// A weekly log's review record, by [`review::key`].
    Log(String),
}

impl Decoded {
    pub fn target(&self) -> Target {
        match &self.change {
            Change::Reported(f) => Target::Finding(f.id.clone()),
            Change::Moved { finding, .. }
            | Change::Edited { finding, .. }
            | Change::DeferralRequested { finding, .. }
            | Change::DeferralDecided { finding, .. } => Target::Finding(finding.clone()),
            Change::PatrolStarted(p) => Target::Patrol(p.id.clone()),
            Change::PatrolEnded { patrol, .. } => Target::Patrol(patrol.clone()),
            Change::Log { payload, .. } => Target::Log(review::key(&payload.officer, &payload.week)),
        }
    }

    /// The photos the change needs the receiver to hold.
    pub fn photos(&self) -> &[Photo] {
        match &self.change {
            Change::Reported(f) => &f.photos,
            Change::Moved { change, .. } => &change.photos,
            _ => &[],
        }
    }
}

/// A value as an error message may show it (one rule, in `validate`): a refusal never echoes a huge value.
pub use crate::validate::clip;

fn malformed(field: &'static str, reason: impl std::fmt::Display) -> Error {
    Error::MalformedEvent { field, reason: clip(&reason.to_string()) }
}

/// Whether `id` is a UUIDv7 written the canonical way (hyphenated, lower case).
pub fn is_uuid_v7(id: &str) -> bool {
    id.len() == 36
        && uuid::Uuid::try_parse(id)
            .is_ok_and(|u| u.get_version() == Some(uuid::Version::SortRand) && u.hyphenated().to_string() == id)
}

fn check_uuid_v7(field: &'static str, id: &str) -> Result<()> {
    if is_uuid_v7(id) {
        Ok(())
    } else {
        Err(Error::InvalidId { field, value: clip(id) })
    }
}

/// A text field as the store writes it: trimmed, within its limit, no control characters.
pub fn check_stored_text(field: &'static str, value: &str, max: usize, required: bool) -> Result<()> {
    let checked = check_text(field, value, max, required)?;
    if checked != value {
        return Err(Error::InvalidValue { field, value: clip(value) });
    }
    Ok(())
}

fn check_name(field: &'static str, value: &str) -> Result<()> {
    check_stored_text(field, value, MAX_NAME_CHARS, true)
}

fn check_code(field: &'static str, value: &str) -> Result<()> {
    if value.is_empty() || value.chars().count() > MAX_CODE_CHARS || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::InvalidValue { field, value: clip(value) });
    }
    Ok(())
}

/// Checks that photo metadata can describe a photo the store wrote: the name is its SHA-256 and an
/// extension the store writes, the thumbnail is the one derived from it, the size and sides are
/// within limits, the EXIF time within bounds and the EXIF point a real WGS84 point.
pub fn check_photo(photo: &Photo, bounds: Bounds) -> Result<()> {
    let bad = |reason: &str| Error::PhotoMetadata { sha256: clip(&photo.sha256), reason: reason.to_string() };
    if photo.sha256.len() != 64 || !photo.sha256.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) {
        return Err(bad("sha256 is not 64 lower-case hex digits"));
    }
    let named = ["jpg", "png", "webp"].iter().any(|ext| photo.file == format!("{}.{ext}", photo.sha256));
    if !named {
        return Err(bad("the file name is not the SHA-256 with .jpg, .png or .webp"));
    }
    if photo.thumbnail != format!("thumbs/{}.jpg", photo.sha256) {
        return Err(bad("the thumbnail is not thumbs/<sha256>.jpg"));
    }
    if photo.bytes == 0 || photo.bytes > MAX_PHOTO_BYTES {
        return Err(bad("the size is out of bounds"));
    }
    if photo.width == 0 || photo.height == 0 || photo.width > MAX_PHOTO_SIDE || photo.height > MAX_PHOTO_SIDE {
        return Err(bad("the width or height is out of bounds"));
    }
    if let Some(t) = photo.exif_time {
        bounds.check("exif_time", t)?;
    }
    if let Some(p) = photo.exif_point {
        if !geometry::is_valid_point(p) {
            return Err(bad("the EXIF position is not a WGS84 point"));
        }
    }
    Ok(())
}

/// A photo's claimed metadata against the photo the receiver holds (read from the uploaded file,
/// [`crate::photo::held`]): its size, width and height must be the file's. [`check_photo`] can only bound
/// them; a device (or a stranger) could otherwise describe a 32×24 photo as a 4000×3000 one, and every
/// device that pulls the finding would show and export the false figures.
pub fn check_photo_held(photo: &Photo, held: HeldPhoto) -> Result<()> {
    let bad = |reason: String| Error::PhotoMetadata { sha256: clip(&photo.sha256), reason };
    if photo.bytes != held.bytes {
        return Err(bad(format!("the size says {} bytes; the uploaded photo has {}", photo.bytes, held.bytes)));
    }
    if (photo.width, photo.height) != (held.width, held.height) {
        return Err(bad(format!(
            "the size says {}×{}; the uploaded photo is {}×{}",
            photo.width, photo.height, held.width, held.height
        )));
    }
    Ok(())
}

fn check_photos(photos: &[Photo], bounds: Bounds) -> Result<()> {
    if photos.len() > MAX_PHOTOS {
        return Err(malformed("photos", format!("{} photos, at most {MAX_PHOTOS}", photos.len())));
    }
    photos.iter().try_for_each(|p| check_photo(p, bounds))
}

fn payload<T: DeserializeOwned>(event: &Event) -> Result<T> {
    T::deserialize(&event.payload).map_err(|e| malformed("payload", e))
}

fn entity(event: &Event, expected: &'static str) -> Result<()> {
    if event.entity != expected {
        return Err(malformed("entity", format!("{} events are about a {expected}, not {}", event.kind, event.entity)));
    }
    Ok(())
}

/// The payload of [`PATROL_STARTED`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartedPayload {
    patrol: Patrol,
}

/// The payload of [`PATROL_ENDED`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndedPayload {
    ended_at: DateTime<Utc>,
}

/// Decodes an event that arrived from elsewhere into its typed change, checking everything that
/// can be checked without the current state. Every refusal is a clean [`Error`]; nothing panics.
pub fn decode(event: &Event, bounds: Bounds) -> Result<Decoded> {
    check_uuid_v7("id", &event.id)?;
    check_name("actor", &event.actor)?;
    bounds.check("device_time", event.device_time)?;
    // Counted without building the text; a payload is the compact JSON the device wrote.
    let size = payload_size(&event.payload);
    if size > MAX_PAYLOAD_BYTES {
        return Err(Error::PayloadTooLarge { bytes: size, max: MAX_PAYLOAD_BYTES });
    }
    let change = match event.kind.as_str() {
        projection::REPORTED => {
            entity(event, "finding")?;
            let f: Finding = payload(event)?;
            check_uuid_v7("entity_id", &event.entity_id)?;
            if f.id != event.entity_id {
                return Err(malformed("entity_id", "the event's entity is not the finding it carries"));
            }
            if let Some(p) = &f.patrol {
                check_uuid_v7("patrol", p)?;
            }
            check_code("grid", &f.grid)?;
            check_code("category", &f.category)?;
            check_stored_text("description", &f.description, MAX_DESCRIPTION_CHARS, true)?;
            check_stored_text("address", &f.address, MAX_ADDRESS_CHARS, false)?;
            check_stored_text("responsible_unit", &f.responsible_unit, MAX_UNIT_CHARS, false)?;
            check_name("author", &f.author)?;
            // A report starts the loop (reported), or records a case solved on the spot (closed).
            let first = if f.on_the_spot { Status::Closed } else { Status::Reported };
            if f.status != first {
                return Err(Error::IllegalMove { from: Status::Reported.to_string(), to: f.status.to_string() });
            }
            // What only the loop sets is never reported: no unit, clock, request or count.
            if f.unit.is_some() || f.dispatched_at.is_some() || f.suspended_at.is_some() {
                return Err(malformed("unit", "a new finding is not dispatched yet"));
            }
            if f.deferral.is_some() || f.deferrals != 0 {
                return Err(malformed("deferral", "a new finding has no deferral"));
            }
            if let Some(p) = f.point {
                if !geometry::is_valid_point(p) {
                    return Err(Error::InvalidPoint { lat: p.lat, lon: p.lon });
                }
            }
            bounds.check("observed_at", f.observed_at)?;
            bounds.check("recorded_at", f.recorded_at)?;
            bounds.check("updated_at", f.updated_at)?;
            if let Some(due) = f.due_at {
                // Never read (the receiver derives it), but a time all the same.
                Bounds { not_after: due.max(bounds.not_after), ..bounds }.check("due_at", due)?;
            }
            in_order("observed_at", f.observed_at, f.recorded_at)?;
            in_order("recorded_at", f.recorded_at, f.updated_at)?;
            check_photos(&f.photos, bounds)?;
            remote::check_report_photos(&f)?;
            Change::Reported(f)
        }
        projection::MOVED => {
            entity(event, "finding")?;
            check_uuid_v7("entity_id", &event.entity_id)?;
            let m: Move = payload(event)?;
            check_stored_text("note", &m.note, MAX_NOTE_CHARS, false)?;
            check_photos(&m.photos, bounds)?;
            if let Some(unit) = &m.unit {
                crate::units::check_unit_code(unit)?;
            }
            // Derived by the receiver and never read from a device, but times all the same.
            for (field, t) in [("dispatched_at", m.dispatched_at), ("due_at", m.due_at)] {
                if let Some(t) = t {
                    Bounds { not_after: t.max(bounds.not_after), ..bounds }.check(field, t)?;
                }
            }
            Change::Moved { finding: event.entity_id.clone(), change: m }
        }
        projection::DEFERRAL_REQUESTED => {
            entity(event, "finding")?;
            check_uuid_v7("entity_id", &event.entity_id)?;
            let asked: DeferralAsked = payload(event)?;
            check_stored_text("reason", &asked.reason, MAX_NOTE_CHARS, true)?;
            // A date asked for lies ahead: bounded below like any time, above by a year from now.
            Bounds { not_after: bounds.not_after + Duration::days(MAX_DEFERRAL_DAYS), ..bounds }
                .check("until", asked.until)?;
            Change::DeferralRequested { finding: event.entity_id.clone(), asked }
        }
        projection::DEFERRAL_DECIDED => {
            entity(event, "finding")?;
            check_uuid_v7("entity_id", &event.entity_id)?;
            let decision: DeferralDecision = payload(event)?;
            check_stored_text("note", &decision.note, MAX_NOTE_CHARS, false)?;
            Change::DeferralDecided { finding: event.entity_id.clone(), decision }
        }
        projection::EDITED => {
            entity(event, "finding")?;
            check_uuid_v7("entity_id", &event.entity_id)?;
            let edit: Edit = payload(event)?;
            remote::check_edit_fields(&edit)?;
            Change::Edited { finding: event.entity_id.clone(), edit }
        }
        PATROL_STARTED => {
            entity(event, "patrol")?;
            check_uuid_v7("entity_id", &event.entity_id)?;
            let StartedPayload { patrol } = payload(event)?;
            if patrol.id != event.entity_id {
                return Err(malformed("entity_id", "the event's entity is not the patrol it carries"));
            }
            check_name("officer", &patrol.officer)?;
            if patrol.grids.is_empty() {
                return Err(Error::PatrolWithoutGrids);
            }
            if patrol.grids.len() > MAX_PATROL_GRIDS {
                return Err(malformed("grids", format!("{} grids, at most {MAX_PATROL_GRIDS}", patrol.grids.len())));
            }
            patrol.grids.iter().try_for_each(|g| check_code("grid", g))?;
            check_stored_text("notes", &patrol.notes, MAX_NOTE_CHARS, false)?;
            bounds.check("started_at", patrol.started_at)?;
            if patrol.ended_at.is_some() {
                return Err(malformed("ended_at", "a patrol starts without an end"));
            }
            Change::PatrolStarted(patrol)
        }
        PATROL_ENDED => {
            entity(event, "patrol")?;
            check_uuid_v7("entity_id", &event.entity_id)?;
            let EndedPayload { ended_at } = payload(event)?;
            bounds.check("ended_at", ended_at)?;
            Change::PatrolEnded { patrol: event.entity_id.clone(), ended_at }
        }
        review::SUBMITTED | review::APPROVED | review::RETURNED => {
            entity(event, review::ENTITY)?;
            let p: ReviewPayload = payload(event)?;
            check_name("officer", &p.officer)?;
            let week = IsoWeek::parse(&p.week)?;
            if week.to_string() != p.week {
                return Err(Error::InvalidWeek(clip(&p.week)));
            }
            if event.entity_id != review::key(&p.officer, &p.week) {
                return Err(Error::InvalidId { field: "entity_id", value: clip(&event.entity_id) });
            }
            let field = if event.kind == review::SUBMITTED { "reply" } else { "comment" };
            check_stored_text(field, &p.text, MAX_NOTE_CHARS, false)?;
            let step = match event.kind.as_str() {
                review::SUBMITTED => LogStep::Submitted,
                review::APPROVED => LogStep::Approved,
                _ => LogStep::Returned,
            };
            Change::Log { step, payload: p }
        }
        other => return Err(Error::UnsupportedEvent(clip(other))),
    };
    Ok(Decoded { id: event.id.clone(), actor: event.actor.clone(), device_time: event.device_time, change })
}

fn in_order(field: &'static str, earlier: DateTime<Utc>, later: DateTime<Utc>) -> Result<()> {
    if earlier > later {
        return Err(Error::TimeOutOfOrder {
            field,
            time: crate::store::ts_of(earlier),
            after: crate::store::ts_of(later),
        });
    }
    Ok(())
}

/// The size of `value` as compact JSON, in bytes, without writing it out.
fn payload_size(value: &serde_json::Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a Value to an in-memory counter cannot fail.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// The record a change touches, as it stands before the change (`None`: not there).
#[derive(Debug, Clone, Copy)]
pub enum Current<'a> {
    Finding(Option<&'a Finding>),
    Patrol(Option<&'a Patrol>),
    Log(Option<&'a LogReview>),
}

/// The record after an accepted change, for the caller to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Finding(Finding),
    Patrol(Patrol),
    /// A weekly log's review record, under its [`review::key`].
    Log(String, LogReview),
}

/// Judges a decoded change by `actor` against the record it touches, as it stands in the receiver's
/// order, at `accepted_at` (the receiver's time). Returns the record after the change.
pub fn judge(
    decoded: &Decoded,
    actor: &User,
    current: Current<'_>,
    reference: &dyn Reference,
    accepted_at: DateTime<Utc>,
) -> Result<Outcome> {
    if decoded.actor != actor.name {
        return Err(Error::InvalidValue { field: "actor", value: clip(&decoded.actor) });
    }
    let at = decoded.device_time;
    match (&decoded.change, current) {
        (Change::Reported(f), Current::Finding(existing)) => {
            if existing.is_some() {
                return Err(Error::FindingExists(f.id.clone()));
            }
            remote::check_reported(f, actor, reference)?;
            let mut f = f.clone();
            // The deadline clock starts at dispatch, never at the report (see README "The closed
            // loop"): whatever a device wrote, a report carries no due time.
            f.due_at = None;
            Ok(Outcome::Finding(f))
        }
        (Change::Moved { finding, change }, Current::Finding(existing)) => {
            let current = existing.ok_or_else(|| Error::FindingNotFound(clip(finding)))?;
            remote::check_moved(current, change, actor, reference)?;
            in_order("device_time", current.recorded_at, at)?;
            let change = derived_move(current, change, at, reference, accepted_at)?;
            Ok(Outcome::Finding(projection::apply_move(current.clone(), &change, at)))
        }
        (Change::DeferralRequested { finding, asked }, Current::Finding(existing)) => {
            let current = existing.ok_or_else(|| Error::FindingNotFound(clip(finding)))?;
            remote::check_deferral_requested(current, asked, actor)?;
            in_order("device_time", current.recorded_at, at)?;
            Ok(Outcome::Finding(projection::apply_deferral_requested(current.clone(), asked, &actor.name, at)))
        }
        (Change::DeferralDecided { finding, decision }, Current::Finding(existing)) => {
            let current = existing.ok_or_else(|| Error::FindingNotFound(clip(finding)))?;
            remote::check_deferral_decided(current, decision, actor)?;
            in_order("device_time", current.recorded_at, at)?;
            Ok(Outcome::Finding(projection::apply_deferral_decided(current.clone(), decision, at)))
        }
        (Change::Edited { finding, edit }, Current::Finding(existing)) => {
            let current = existing.ok_or_else(|| Error::FindingNotFound(clip(finding)))?;
            remote::check_edited(current, edit, actor)?;
            in_order("device_time", current.recorded_at, at)?;
            Ok(Outcome::Finding(projection::apply_edit(current.clone(), edit, at)))
        }
        (Change::PatrolStarted(p), Current::Patrol(existing)) => {
            if existing.is_some() {
                return Err(Error::PatrolExists(p.id.clone()));
            }
            remote::check_patrol(p, actor, reference)?;
            Ok(Outcome::Patrol(p.clone()))
        }
        (Change::PatrolEnded { patrol, ended_at }, Current::Patrol(existing)) => {
            let p = existing.filter(|p| p.officer == actor.name).ok_or_else(|| Error::UnknownPatrol(clip(patrol)))?;
            in_order("ended_at", p.started_at, *ended_at)?;
            let mut p = p.clone();
            // The first end counts, as on the device.
            p.ended_at = p.ended_at.or(Some(*ended_at));
            Ok(Outcome::Patrol(p))
        }
        (Change::Log { step, payload }, Current::Log(existing)) => {
            // A week must have begun when the hub accepts its log, whatever the device's clock said.
            let text = review::check(existing, step.kind(), actor, payload, accepted_at)?;
            let key = review::key(&payload.officer, &payload.week);
            let after = review::apply_step(existing.cloned(), step.kind(), &actor.name, payload, &text, at)
                .ok_or_else(|| Error::IllegalReview { from: "none".into(), to: step.kind().into() })?;
            Ok(Outcome::Log(key, after))
        }
        _ => Err(Error::InvalidValue { field: "entity", value: clip(&format!("{:?}", decoded.target())) }),
    }
}

/// A move with its derived times filled by the receiver ([`projection::derive_move`]): a first
/// dispatch's clock from `accepted_at` and the receiver's category and holiday tables, a
/// resumption's pushed due time. What the hub stores and redistributes is this move.
pub fn derived_move(
    current: &Finding,
    change: &Move,
    at: DateTime<Utc>,
    reference: &dyn Reference,
    accepted_at: DateTime<Utc>,
) -> Result<Move> {
    let mut m = change.clone();
    let first_dispatch = crate::lifecycle::is_dispatch(current.status, m.to) && current.dispatched_at.is_none();
    let resumes = current.status == Status::Suspended && m.to == Status::Rectifying;
    if !first_dispatch && !resumes {
        // The move carries no derived time, whatever a device wrote.
        m.dispatched_at = None;
        m.due_at = None;
        return Ok(m);
    }
    let deadline = reference.minor_category(&current.category)?.deadline;
    let (holidays, office) = (reference.holidays()?, reference.office_hours()?);
    let cal = crate::deadline::Calendar { holidays: &holidays, office: &office };
    projection::derive_move(current, &mut m, at, accepted_at, deadline.as_ref(), cal);
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PhotoRole, SyncState, Urgency};
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const ID: &str = "019a0f6e-5c00-7000-8000-000000000001";
    const FINDING: &str = "019a0f6e-5c00-7000-8000-000000000002";

    fn event(kind: &str, entity: &str, entity_id: &str, payload: serde_json::Value) -> Event {
        Event {
            id: ID.into(),
            entity: entity.into(),
            entity_id: entity_id.into(),
            actor: "李明".into(),
            kind: kind.into(),
            payload,
            device_time: at("2026-11-25T02:00:00Z"),
            sync: SyncState::Pending,
            hub_seq: None,
            accepted_at: None,
        }
    }

    fn finding() -> Finding {
        Finding {
            id: FINDING.into(),
            grid: "37160200100101".into(),
            patrol: None,
            category: "10101".into(),
            description: "井盖破损".into(),
            address: String::new(),
            point: None,
            urgency: Urgency::Normal,
            responsible_unit: String::new(),
            unit: None,
            dispatched_at: None,
            deferral: None,
            deferrals: 0,
            on_the_spot: false,
            suspended_at: None,
            status: Status::Reported,
            author: "李明".into(),
            observed_at: at("2026-11-25T01:00:00Z"),
            recorded_at: at("2026-11-25T02:00:00Z"),
            updated_at: at("2026-11-25T02:00:00Z"),
            due_at: None,
            photos: vec![],
        }
    }

    fn bounds() -> Bounds {
        Bounds::at(at("2026-11-27T00:00:00Z"))
    }

    fn reported(f: &Finding) -> Event {
        event(projection::REPORTED, "finding", &f.id, serde_json::to_value(f).unwrap())
    }

    #[test]
    fn a_well_formed_report_decodes() {
        let d = decode(&reported(&finding()), bounds()).expect("a report the store wrote decodes");
        assert_eq!(d.change, Change::Reported(finding()));
        assert_eq!(d.target(), Target::Finding(FINDING.into()));
    }

    #[test]
    fn times_outside_the_bounds_are_refused() {
        for t in ["1970-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2099-01-01T00:00:00Z", "2026-11-27T00:05:01Z"] {
            let mut f = finding();
            f.observed_at = at(t);
            f.recorded_at = f.recorded_at.max(f.observed_at);
            f.updated_at = f.recorded_at;
            let e = decode(&reported(&f), bounds()).unwrap_err();
            assert_eq!(e.code(), "time_out_of_bounds", "observed_at {t} is outside 2000-01-01 .. now + skew");
        }
        let mut e = reported(&finding());
        e.device_time = at("2099-01-01T00:00:00Z");
        assert_eq!(decode(&e, bounds()).unwrap_err().code(), "time_out_of_bounds", "a device time in 2099");
        let mut f = finding();
        f.observed_at = at("2026-11-25T03:00:00Z");
        assert_eq!(decode(&reported(&f), bounds()).unwrap_err().code(), "time_out_of_order", "observed after recorded");
    }

    #[test]
    fn the_entity_is_the_kinds_own_and_ids_are_uuid_v7() {
        let moved = serde_json::json!({"from": "reported", "to": "accepted"});
        let e = event(projection::MOVED, "patrol", FINDING, moved.clone());
        assert_eq!(decode(&e, bounds()).unwrap_err().code(), "malformed_event", "a move about a patrol");
        for bad in [
            "",
            "x",
            &"a".repeat(10_000),
            "019A0F6E-5C00-7000-8000-000000000002",
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        ] {
            let e = event(projection::MOVED, "finding", bad, moved.clone());
            assert_eq!(decode(&e, bounds()).unwrap_err().code(), "invalid_id", "entity id {:.20} is not a UUIDv7", bad);
            let mut e = event(projection::MOVED, "finding", FINDING, moved.clone());
            e.id = bad.to_string();
            let err = decode(&e, bounds()).unwrap_err();
            assert_eq!(err.code(), "invalid_id", "event id is not a UUIDv7");
            assert!(err.message(crate::Lang::En).len() < 400, "the refusal does not echo a huge id");
        }
    }

    #[test]
    fn unknown_fields_and_huge_payloads_are_refused() {
        let e = event(
            projection::MOVED,
            "finding",
            FINDING,
            serde_json::json!({"from": "reported", "to": "accepted", "x": 1}),
        );
        assert_eq!(decode(&e, bounds()).unwrap_err().code(), "malformed_event", "an unknown field in a move");
        let mut f = serde_json::to_value(finding()).unwrap();
        f["padding"] = serde_json::Value::String("x".repeat(1 << 20));
        let e = event(projection::REPORTED, "finding", FINDING, f);
        let err = decode(&e, bounds()).unwrap_err();
        assert_eq!(err.code(), "payload_too_large", "a 1 MiB payload");
        let e = event(PATROL_ENDED, "patrol", FINDING, serde_json::json!({"ended_at": "not a time"}));
        assert_eq!(decode(&e, bounds()).unwrap_err().code(), "malformed_event", "ended_at is not a time");
    }

    #[test]
    fn photo_metadata_must_describe_a_stored_photo() {
        let sha = "a".repeat(64);
        let good = Photo {
            sha256: sha.clone(),
            role: PhotoRole::Before,
            file: format!("{sha}.jpg"),
            thumbnail: format!("thumbs/{sha}.jpg"),
            bytes: 1000,
            width: 640,
            height: 480,
            exif_time: None,
            exif_point: None,
        };
        assert!(check_photo(&good, bounds()).is_ok());
        let cases: Vec<(&str, Photo)> = vec![
            ("name not the hash", Photo { file: "other.jpg".into(), ..good.clone() }),
            ("path in the name", Photo { file: format!("../{sha}.jpg"), ..good.clone() }),
            ("thumbnail not derived", Photo { thumbnail: "thumbs/x.jpg".into(), ..good.clone() }),
            ("empty", Photo { bytes: 0, ..good.clone() }),
            ("huge", Photo { bytes: MAX_PHOTO_BYTES + 1, ..good.clone() }),
            ("no width", Photo { width: 0, ..good.clone() }),
            ("EXIF in 2099", Photo { exif_time: Some(at("2099-01-01T00:00:00Z")), ..good.clone() }),
            (
                "EXIF point off the globe",
                Photo { exif_point: Some(crate::model::Point { lat: 999.0, lon: 0.0 }), ..good.clone() },
            ),
            ("upper-case hash", Photo { sha256: sha.to_uppercase(), ..good.clone() }),
        ];
        for (what, p) in cases {
            assert!(check_photo(&p, bounds()).is_err(), "photo metadata refused: {what}");
        }
        // Against the photo the receiver holds: exactly its size and sides.
        let held = HeldPhoto { bytes: 1000, width: 640, height: 480 };
        assert!(check_photo_held(&good, held).is_ok(), "the held photo's own metadata is accepted");
        for (what, p) in [
            ("a byte more than the file", Photo { bytes: 1001, ..good.clone() }),
            ("a wider photo", Photo { width: 4000, ..good.clone() }),
            ("a taller photo", Photo { height: 3000, ..good.clone() }),
            ("sides swapped", Photo { width: 480, height: 640, ..good.clone() }),
        ] {
            let e = check_photo_held(&p, held).expect_err(what);
            assert_eq!(e.code(), "photo_metadata", "metadata that is not the held photo's is refused: {what}");
        }
    }

    fn photo(role: PhotoRole, c: char) -> Photo {
        let sha = c.to_string().repeat(64);
        Photo {
            sha256: sha.clone(),
            role,
            file: format!("{sha}.jpg"),
            thumbnail: format!("thumbs/{sha}.jpg"),
            bytes: 1000,
            width: 640,
            height: 480,
            exif_time: None,
            exif_point: None,
        }
    }

    #[test]
    fn deferral_events_decode_strictly() {
        let asked = serde_json::json!({"until": "2026-12-04T02:00:00Z", "reason": "材料未到"});
        let e = event(projection::DEFERRAL_REQUESTED, "finding", FINDING, asked.clone());
        let d = decode(&e, bounds()).expect("a well-formed request decodes");
        assert!(matches!(d.change, Change::DeferralRequested { .. }));
        assert_eq!(d.target(), Target::Finding(FINDING.into()));
        let refused = |kind: &str, entity: &str, payload: serde_json::Value| {
            decode(&event(kind, entity, FINDING, payload), bounds()).unwrap_err().code()
        };
        let mut extra = asked.clone();
        extra["x"] = 1.into();
        assert_eq!(refused(projection::DEFERRAL_REQUESTED, "finding", extra), "malformed_event", "an unknown field");
        assert_eq!(refused(projection::DEFERRAL_REQUESTED, "patrol", asked.clone()), "malformed_event", "a patrol");
        let no_reason = serde_json::json!({"until": "2026-12-04T02:00:00Z", "reason": ""});
        assert_eq!(refused(projection::DEFERRAL_REQUESTED, "finding", no_reason), "empty_text", "a reason is required");
        let long = serde_json::json!({"until": "2026-12-04T02:00:00Z", "reason": "长".repeat(MAX_NOTE_CHARS + 1)});
        assert_eq!(refused(projection::DEFERRAL_REQUESTED, "finding", long), "text_too_long", "a reason is bounded");
        let far = serde_json::json!({"until": "2099-01-01T00:00:00Z", "reason": "材料未到"});
        assert_eq!(refused(projection::DEFERRAL_REQUESTED, "finding", far), "time_out_of_bounds", "until is bounded");
        let decided = serde_json::json!({"approved": true, "note": "同意"});
        let d = decode(&event(projection::DEFERRAL_DECIDED, "finding", FINDING, decided), bounds()).unwrap();
        assert!(matches!(d.change, Change::DeferralDecided { decision: DeferralDecision { approved: true, .. }, .. }));
        let bad = serde_json::json!({"approved": "yes"});
        assert_eq!(refused(projection::DEFERRAL_DECIDED, "finding", bad), "malformed_event", "approved is a boolean");
        let bad = serde_json::json!({"approved": false, "until": "2026-12-04T02:00:00Z"});
        assert_eq!(refused(projection::DEFERRAL_DECIDED, "finding", bad), "malformed_event", "a decision sets no date");
    }

    #[test]
    fn a_dispatch_names_a_unit_code_and_derived_times_are_bounded() {
        let m = |v: serde_json::Value| decode(&event(projection::MOVED, "finding", FINDING, v), bounds());
        assert!(m(serde_json::json!({"from": "accepted", "to": "rectifying", "unit": "ROADS"})).is_ok());
        let e = m(serde_json::json!({"from": "accepted", "to": "rectifying", "unit": "路政 处"})).unwrap_err();
        assert_eq!(e.code(), "unknown_unit", "a unit code is letters and digits");
        let e = m(serde_json::json!({"from": "accepted", "to": "rectifying", "unit": "R".repeat(1000)})).unwrap_err();
        assert_eq!(e.code(), "unknown_unit", "a unit code is bounded");
        assert!(e.message(crate::Lang::En).len() < 400, "and never echoed whole");
        let e = m(serde_json::json!({"from": "accepted", "to": "rectifying", "due_at": "1970-01-01T00:00:00Z"}))
            .unwrap_err();
        assert_eq!(e.code(), "time_out_of_bounds", "a derived time is a time all the same");
    }

    #[test]
    fn an_on_the_spot_report_is_closed_with_before_and_after_photos() {
        let mut f = finding();
        f.on_the_spot = true;
        f.status = Status::Closed;
        f.photos = vec![photo(PhotoRole::Before, 'a'), photo(PhotoRole::After, 'b')];
        assert!(decode(&reported(&f), bounds()).is_ok(), "当场处置 with both photos");
        let mut no_after = f.clone();
        no_after.photos.pop();
        assert_eq!(decode(&reported(&no_after), bounds()).unwrap_err().code(), "after_photo_required");
        let mut no_before = f.clone();
        no_before.photos.remove(0);
        assert_eq!(decode(&reported(&no_before), bounds()).unwrap_err().code(), "before_photo_required");
        let mut open = f.clone();
        open.status = Status::Reported;
        assert_eq!(decode(&reported(&open), bounds()).unwrap_err().code(), "illegal_move", "on the spot is closed");
        let mut after_on_normal = finding();
        after_on_normal.photos = vec![photo(PhotoRole::After, 'b')];
        assert_eq!(decode(&reported(&after_on_normal), bounds()).unwrap_err().code(), "malformed_event");
        let mut dispatched = finding();
        dispatched.unit = Some("ROADS".into());
        assert_eq!(decode(&reported(&dispatched), bounds()).unwrap_err().code(), "malformed_event", "no unit yet");
        let mut deferred = finding();
        deferred.deferrals = 2;
        assert_eq!(decode(&reported(&deferred), bounds()).unwrap_err().code(), "malformed_event", "no deferral yet");
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            any::<f64>().prop_map(|n| serde_json::json!(n)),
            ".{0,40}".prop_map(serde_json::Value::String),
            Just(serde_json::json!("2026-11-25T02:00:00Z")),
            Just(serde_json::json!(FINDING)),
            Just(serde_json::json!("reported")),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("patrol".to_string()),
                        Just("ended_at".to_string()),
                        Just("from".to_string()),
                        Just("to".to_string()),
                        Just("officer".to_string()),
                        Just("week".to_string()),
                        Just("photos".to_string()),
                        Just("unit".to_string()),
                        Just("until".to_string()),
                        Just("reason".to_string()),
                        Just("approved".to_string()),
                        Just("on_the_spot".to_string()),
                        "[a-z_]{1,12}",
                    ],
                    inner,
                    0..8
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any JSON at all, under any kind and entity: the decoder never panics, and every refusal
        /// is a clean error with a stable code and a short sentence in both languages.
        #[test]
        fn arbitrary_json_never_panics_and_refusals_are_clean(
            payload in arb_json(),
            kind in prop_oneof![
                Just(projection::REPORTED), Just(projection::MOVED), Just(projection::EDITED),
                Just(PATROL_STARTED), Just(PATROL_ENDED), Just(review::SUBMITTED),
                Just(projection::DEFERRAL_REQUESTED), Just(projection::DEFERRAL_DECIDED),
                Just(review::APPROVED), Just(review::RETURNED), Just("something.else")
            ],
            entity in prop_oneof![Just("finding"), Just("patrol"), Just("weekly_log"), Just("")],
            entity_id in prop_oneof![Just(FINDING.to_string()), ".{0,40}"],
            secs in 0i64..5_000_000_000,
        ) {
            let mut e = event(kind, entity, &entity_id, payload);
            e.device_time = DateTime::from_timestamp(secs, 0).unwrap();
            if let Err(err) = decode(&e, bounds()) {
                prop_assert!(!err.code().is_empty());
                prop_assert!(!matches!(err, Error::Db(_) | Error::Io(_)), "a refusal is never a storage error");
                for lang in [crate::Lang::Zh, crate::Lang::En] {
                    let m = err.message(lang);
                    prop_assert!(!m.is_empty() && m.len() < 2000, "a refusal is one short sentence: {}", m);
                }
            }
        }
    }
}
