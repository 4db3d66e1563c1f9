//! The `findings`, `photos` and `finding_photos` tables: recording a finding, moving it through its
//! lifecycle, reading and searching findings.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::types::ToSql;
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::events::{append, Draft};
use super::{parse_ts, parse_ts_opt, ts, PhotoFiles, Store};

/// A limited search walks the observed-time index when each term matches at least this many
/// findings for every row asked for (and at least [`WALK_MATCHES_AT_LEAST`]): the page is then found
/// within the first few thousand index entries (see `Store::walk_for_first_page`).
const WALK_MATCHES_PER_ROW: i64 = 40;
const WALK_MATCHES_AT_LEAST: i64 = 2_000;
use super::history::{record_history, HistoryState};
use crate::error::{Error, Result};
use crate::geometry;
use crate::lifecycle::{self, Status};
use crate::model::{Event, Finding, Photo, PhotoRole, Point, Urgency};
use crate::photo::{self, PreparedPhoto};
use crate::projection::{self, Edit, Move};
use crate::remote;
use crate::validate::{check_text, MAX_ADDRESS_CHARS, MAX_DESCRIPTION_CHARS, MAX_NOTE_CHARS, MAX_UNIT_CHARS};

/// Where a photo comes from.
#[derive(Debug, Clone)]
pub enum PhotoSource {
    File(PathBuf),
    Bytes { name: String, bytes: Vec<u8> },
}

/// What a person enters to record a finding.
#[derive(Debug, Clone)]
pub struct NewFinding {
    /// The small grid; when absent, the point picks it.
    pub grid: Option<String>,
    pub category: String,
    pub description: String,
    pub address: String,
    pub point: Option<Point>,
    pub urgency: Urgency,
    pub responsible_unit: String,
    /// When the officer saw it; absent means the first photo's EXIF time, else now.
    pub observed_at: Option<DateTime<Utc>>,
    pub photos: Vec<PhotoSource>,
    /// 当场处置: solved on the spot, recorded closed at once with `photos` (before) and
    /// `after_photos` (after), at least one of each; never dispatched.
    pub on_the_spot: bool,
    /// After photos, for a case solved on the spot only.
    pub after_photos: Vec<PhotoSource>,
}

impl NewFinding {
    pub fn new(grid: &str, category: &str, description: &str) -> NewFinding {
        NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            grid: Some(grid.to_string()),
            category: category.to_string(),
            description: description.to_string(),
            address: String::new(),
            point: None,
            urgency: Urgency::Normal,
            responsible_unit: String::new(),
            observed_at: None,
            photos: Vec::new(),
        }
    }
}

/// A lifecycle move asked for by the acting user.
#[derive(Debug, Clone)]
pub struct MoveRequest {
    pub id: String,
    pub to: Status,
    pub note: String,
    /// After photos, for a move to `rectified` (at least one there).
    pub photos: Vec<PhotoSource>,
    /// 派遣: the unit's code, for a dispatch. A first dispatch without one takes the category's
    /// default unit ([`Store::default_unit`]); no other move names one.
    pub unit: Option<String>,
}

/// Filters for listing findings; every field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct FindingQuery {
    pub grid: Option<String>,
    pub status: Option<Status>,
    /// Only findings still open (neither closed nor rejected).
    pub open_only: bool,
    pub category: Option<String>,
    /// Full-text search in description and address; words separated by spaces must all match.
    pub search: Option<String>,
    pub observed_from: Option<DateTime<Utc>>,
    pub observed_until: Option<DateTime<Utc>>,
    pub author: Option<String>,
    /// Only the findings recorded during this patrol.
    pub patrol: Option<String>,
    /// Only the findings in the small grids of this large grid.
    pub large_grid: Option<String>,
    /// Only the findings in these small grids (a lead's scope); `Some(empty)` matches none.
    pub grids: Option<Vec<String>>,
    /// Only the findings still awaiting rectification past their due time (at [`Self::as_of`]).
    pub overdue_only: bool,
    /// Only the findings with a pending deferral request (延期申请).
    pub deferral_pending: bool,
    /// Only the cases a unit returned, awaiting re-dispatch ([`crate::lifecycle::is_returned`]).
    pub returned_only: bool,
    /// The moment "overdue" is judged at, for `overdue_only` and each row's `overdue` flag; the
    /// store's clock when `None`. A count and the list it opens pass the same moment.
    pub as_of: Option<DateTime<Utc>>,
    /// Only the findings dispatched to this unit (a liaison's list).
    pub unit: Option<String>,
    pub limit: Option<usize>,
    pub sort: FindingSort,
}

/// The orders a findings list can be sorted in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FindingSort {
    /// Most recently observed first.
    #[default]
    ObservedDesc,
    ObservedAsc,
    /// Soonest due first; findings without a deadline last.
    DueAsc,
    /// By status along the lifecycle, then most recent first.
    Status,
}

/// One row of a findings list: everything but the photos.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FindingSummary {
    pub id: String,
    pub grid: String,
    pub category: String,
    pub description: String,
    pub address: String,
    pub status: Status,
    pub urgency: Urgency,
    pub author: String,
    pub observed_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

/// Statuses in which the finding still waits for the responsible unit to fix it.
pub fn awaits_rectification(status: Status) -> bool {
    matches!(status, Status::Reported | Status::Accepted | Status::Rectifying | Status::Rework | Status::Reopened)
}

const FINDING_COLUMNS: &str =
    "f.id, f.grid, f.patrol_id, f.category, f.description, f.address, f.lat, f.lon, f.urgency,
    f.responsible_unit, f.status, f.author, f.observed_at, f.recorded_at, f.updated_at, f.due_at,
    f.unit, f.dispatched_at, f.deferral, f.deferrals, f.on_the_spot, f.suspended_at";

fn status_of(s: &str) -> rusqlite::Result<Status> {
    Status::parse(s).ok_or_else(|| super::events::unreadable(10, "status", s))
}

/// A stored urgency: only the two values the column allows; anything else is a broken row.
fn urgency_of(s: &str) -> rusqlite::Result<Urgency> {
    match s {
        "normal" => Ok(Urgency::Normal),
        "urgent" => Ok(Urgency::Urgent),
        _ => Err(super::events::unreadable(8, "urgency", s)),
    }
}

fn finding_from_row(row: &Row<'_>) -> rusqlite::Result<Finding> {
    let lat: Option<f64> = row.get(6)?;
    let lon: Option<f64> = row.get(7)?;
    Ok(Finding {
        id: row.get(0)?,
        grid: row.get(1)?,
        patrol: row.get(2)?,
        category: row.get(3)?,
        description: row.get(4)?,
        address: row.get(5)?,
        point: lat.zip(lon).map(|(lat, lon)| Point { lat, lon }),
        urgency: urgency_of(&row.get::<_, String>(8)?)?,
        responsible_unit: row.get(9)?,
        status: status_of(&row.get::<_, String>(10)?)?,
        author: row.get(11)?,
        observed_at: parse_ts(&row.get::<_, String>(12)?)?,
        recorded_at: parse_ts(&row.get::<_, String>(13)?)?,
        updated_at: parse_ts(&row.get::<_, String>(14)?)?,
        due_at: parse_ts_opt(row.get(15)?)?,
        unit: row.get(16)?,
        dispatched_at: parse_ts_opt(row.get(17)?)?,
        deferral: match row.get::<_, Option<String>>(18)? {
            Some(text) => {
                Some(serde_json::from_str(&text).map_err(|_| super::events::unreadable(18, "deferral", &text))?)
            }
            None => None,
        },
        deferrals: row.get(19)?,
        on_the_spot: row.get(20)?,
        suspended_at: parse_ts_opt(row.get(21)?)?,
        photos: Vec::new(),
    })
}

/// Writes what the loop changes on a finding's row (status, unit, clock, deferral, suspension).
pub(super) fn update_loop_columns(tx: &rusqlite::Connection, f: &Finding) -> Result<()> {
    tx.execute(
        "UPDATE findings SET status = ?2, updated_at = ?3, unit = ?4, dispatched_at = ?5, due_at = ?6,
            deferral = ?7, deferrals = ?8, suspended_at = ?9
         WHERE id = ?1",
        params![
            f.id,
            f.status.as_str(),
            ts(f.updated_at),
            f.unit,
            f.dispatched_at.map(ts),
            f.due_at.map(ts),
            deferral_text(f)?,
            f.deferrals,
            f.suspended_at.map(ts),
        ],
    )?;
    Ok(())
}

fn deferral_text(f: &Finding) -> Result<Option<String>> {
    f.deferral.as_ref().map(|d| serde_json::to_string(d).map_err(|e| Error::UnitData(e.to_string()))).transpose()
}

fn photo_record(p: &PreparedPhoto, role: PhotoRole) -> Photo {
    Photo {
        sha256: p.sha256.clone(),
        role,
        file: p.file_name(),
        thumbnail: p.thumbnail_name(),
        bytes: p.byte_len(),
        width: p.width,
        height: p.height,
        exif_time: p.exif_time,
        exif_point: p.exif_point,
    }
}

impl Store {
    fn prepare_photos(&self, sources: &[PhotoSource]) -> Result<Vec<PreparedPhoto>> {
        let max = self.photo_max_bytes()?;
        let mut prepared: Vec<PreparedPhoto> = Vec::with_capacity(sources.len());
        for s in sources {
            let p = match s {
                PhotoSource::File(path) => photo::prepare(path, max)?,
                PhotoSource::Bytes { name, bytes } => photo::prepare_bytes(name, bytes.clone(), max)?,
            };
            // The same photo given twice is one photo: finding_photos holds it once.
            if !prepared.iter().any(|q| q.sha256 == p.sha256) {
                prepared.push(p);
            }
        }
        Ok(prepared)
    }
}

fn write_photos(tx: &rusqlite::Transaction<'_>, finding_id: &str, photos: &[Photo]) -> Result<()> {
    let start: i64 =
        tx.query_row("SELECT count(*) FROM finding_photos WHERE finding_id = ?1", [finding_id], |r| r.get(0))?;
    for (i, p) in photos.iter().enumerate() {
        insert_photo(tx, finding_id, p, start + i as i64)?;
    }
    Ok(())
}

/// Writes a finding's projection row (not its photos).
pub(super) fn insert_row(tx: &rusqlite::Connection, f: &Finding, patrol: Option<&str>) -> Result<()> {
    tx.execute(
        "INSERT INTO findings (id, grid, patrol_id, category, description, address, lat, lon, urgency,
            responsible_unit, status, author, observed_at, recorded_at, updated_at, due_at,
            unit, dispatched_at, deferral, deferrals, on_the_spot, suspended_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
            ?17, ?18, ?19, ?20, ?21, ?22)",
        params![
            f.id,
            f.grid,
            patrol,
            f.category,
            f.description,
            f.address,
            f.point.map(|p| p.lat),
            f.point.map(|p| p.lon),
            f.urgency.as_str(),
            f.responsible_unit,
            f.status.as_str(),
            f.author,
            ts(f.observed_at),
            ts(f.recorded_at),
            ts(f.updated_at),
            f.due_at.map(ts),
            f.unit,
            f.dispatched_at.map(ts),
            deferral_text(f)?,
            f.deferrals,
            f.on_the_spot,
            f.suspended_at.map(ts),
        ],
    )?;
    Ok(())
}

/// Records one photo (once, by hash) and its place among a finding's photos.
pub(super) fn insert_photo(tx: &rusqlite::Connection, finding_id: &str, p: &Photo, position: i64) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO photos (sha256, extension, bytes, width, height, exif_time, exif_lat, exif_lon)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            p.sha256,
            p.file.rsplit('.').next().unwrap_or("jpg"),
            p.bytes as i64,
            p.width,
            p.height,
            p.exif_time.map(ts),
            p.exif_point.map(|pt| pt.lat),
            p.exif_point.map(|pt| pt.lon)
        ],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO finding_photos (finding_id, sha256, role, position) VALUES (?1, ?2, ?3, ?4)",
        params![finding_id, p.sha256, p.role.as_str(), position],
    )?;
    Ok(())
}

impl Store {
    /// Records a finding. Every field is checked and every photo decoded before anything is
    /// written; then the photo files, and in one transaction the finding, its photos and its event.
    pub fn add_finding(&mut self, new: NewFinding) -> Result<Finding> {
        self.writable()?;
        let actor = self.actor()?;
        let now = self.now();
        self.check_clock(now, &actor.name)?;
        let description = check_text("description", &new.description, MAX_DESCRIPTION_CHARS, true)?;
        let address = check_text("address", &new.address, MAX_ADDRESS_CHARS, false)?;
        let responsible_unit = check_text("responsible_unit", &new.responsible_unit, MAX_UNIT_CHARS, false)?;
        let category = self.category(new.category.trim())?;
        if let Some(p) = new.point {
            if !geometry::is_valid_point(p) {
                return Err(Error::InvalidPoint { lat: p.lat, lon: p.lon });
            }
        }
        let grid = match (new.grid.as_deref().map(str::trim).filter(|g| !g.is_empty()), new.point) {
            (Some(code), point) => {
                let grid = self.small_grid(code)?;
                if let Some(p) = point {
                    if !self.grid_contains(&grid.code, p)? {
                        return Err(Error::PointOutsideGrid { grid: grid.code, lat: p.lat, lon: p.lon });
                    }
                }
                grid.code
            }
            (None, Some(p)) => self.grid_at(p)?,
            (None, None) => return Err(Error::EmptyText { field: "grid" }),
        };
        self.check_scope(&grid)?;
        remote::check_may_report(&actor)?;
        if !new.on_the_spot && !new.after_photos.is_empty() {
            return Err(Error::AfterPhotosOnlyOnTheSpot);
        }
        let observed_at = new.observed_at.map(super::to_millis);
        if let Some(observed) = observed_at {
            if observed > now {
                return Err(Error::ObservedInFuture { observed_at: ts(observed), now: ts(now) });
            }
        }
        let prepared = self.prepare_photos(&new.photos)?;
        let prepared_after = self.prepare_photos(&new.after_photos)?;
        let observed_at =
            observed_at.or_else(|| prepared.iter().find_map(|p| p.exif_time).filter(|t| *t <= now)).unwrap_or(now);
        let mut point = new.point;
        if point.is_none() {
            for p in prepared.iter().filter_map(|p| p.exif_point) {
                if self.grid_contains(&grid, p)? {
                    point = Some(p);
                    break;
                }
            }
        }
        let patrol = self.active_patrol()?.map(|p| p.id);
        let finding = Finding {
            id: self.new_id(now),
            grid,
            patrol,
            category: category.code.clone(),
            description,
            address,
            point,
            urgency: new.urgency,
            responsible_unit,
            unit: None,
            dispatched_at: None,
            deferral: None,
            deferrals: 0,
            on_the_spot: new.on_the_spot,
            suspended_at: None,
            // 当场处置 is closed at once; anything else starts the loop.
            status: if new.on_the_spot { Status::Closed } else { Status::Reported },
            author: actor.name.clone(),
            observed_at,
            recorded_at: now,
            updated_at: now,
            // The deadline clock starts at dispatch (Store::move_finding), never at the report.
            due_at: None,
            photos: prepared
                .iter()
                .map(|p| photo_record(p, PhotoRole::Before))
                .chain(prepared_after.iter().map(|p| photo_record(p, PhotoRole::After)))
                .collect(),
        };
        remote::check_report_photos(&finding)?;
        let event_id = self.new_id(now);
        let photos_dir = self.photos_dir();
        // The photo files are written under the write lock, marked, and removed again unless the
        // row commits: a record that fails (a full disk, a kill) leaves no photo no row names.
        let tx = self.transaction()?;
        let mut files =
            if prepared.is_empty() && prepared_after.is_empty() { None } else { Some(PhotoFiles::begin(&photos_dir)?) };
        if let Some(files) = files.as_mut() {
            for p in prepared.iter().chain(&prepared_after) {
                files.store(p, &photos_dir)?;
            }
        }
        insert_row(&tx, &finding, finding.patrol.as_deref())?;
        write_photos(&tx, &finding.id, &finding.photos)?;
        append(
            &tx,
            &event_id,
            &actor.name,
            now,
            Draft {
                entity: "finding",
                entity_id: &finding.id,
                kind: projection::REPORTED,
                payload: serde_json::to_value(&finding).unwrap_or(json!(null)),
            },
        )?;
        record_history(&tx, &finding.id, now, &HistoryState::of(&finding))?;
        tx.commit()?;
        if let Some(files) = files {
            files.committed();
        }
        Ok(finding)
    }

    /// Moves a finding to another status, if the lifecycle and the acting user's role allow it.
    pub fn move_finding(&mut self, request: MoveRequest) -> Result<Finding> {
        self.writable()?;
        let actor = self.actor()?;
        self.check_clock(self.now(), &actor.name)?;
        let finding = self.finding(&request.id)?;
        self.check_finding_scope(&finding)?;
        lifecycle::check_move(actor.role, finding.status, request.to)?;
        let note = check_text("note", &request.note, MAX_NOTE_CHARS, false)?;
        // A first dispatch without a unit goes to the category's default unit, when it has one.
        let unit = match request.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(code) => Some(self.unit(code)?.code),
            None if lifecycle::is_dispatch(finding.status, request.to) && finding.unit.is_none() => {
                self.default_unit(&finding.category)?.map(|u| u.code)
            }
            None => None,
        };
        let prepared = self.prepare_photos(&request.photos)?;
        let now = self.now().max(finding.updated_at);
        let change = Move {
            from: finding.status,
            to: request.to,
            note,
            photos: prepared.iter().map(|p| photo_record(p, PhotoRole::After)).collect(),
            unit,
            dispatched_at: None,
            due_at: None,
        };
        remote::check_moved(&finding, &change, &actor, self)?;
        // The device derives the clock as the hub will, from its own time; the hub's replaces it.
        let change = crate::change::derived_move(&finding, &change, now, self, now)?;
        let event = Event {
            id: self.new_id(now),
            entity: "finding".into(),
            entity_id: finding.id.clone(),
            actor: actor.name.clone(),
            kind: projection::MOVED.into(),
            payload: serde_json::to_value(&change).unwrap_or(json!(null)),
            device_time: now,
            sync: crate::model::SyncState::Pending,
            hub_seq: None,
            accepted_at: None,
        };
        // apply() of a MOVED event on Some(finding) always yields Some.
        let updated = projection::apply(Some(finding), &event).expect("a move keeps the finding");
        let photos_dir = self.photos_dir();
        let tx = self.transaction()?;
        let mut files = if prepared.is_empty() { None } else { Some(PhotoFiles::begin(&photos_dir)?) };
        if let Some(files) = files.as_mut() {
            for p in &prepared {
                files.store(p, &photos_dir)?;
            }
        }
        update_loop_columns(&tx, &updated)?;
        write_photos(&tx, &updated.id, &change.photos)?;
        append(
            &tx,
            &event.id,
            &actor.name,
            now,
            Draft {
                entity: "finding",
                entity_id: &updated.id,
                kind: projection::MOVED,
                payload: event.payload.clone(),
            },
        )?;
        record_history(&tx, &updated.id, now, &HistoryState::of(&updated))?;
        tx.commit()?;
        if let Some(files) = files {
            files.committed();
        }
        Ok(updated)
    }

    /// The acting user edits a finding's descriptive fields. Fields equal to what the finding holds
    /// are left out of the event; an edit that changes nothing is refused.
    pub fn edit_finding(&mut self, id: &str, edit: Edit) -> Result<Finding> {
        self.writable()?;
        let actor = self.actor()?;
        self.check_clock(self.now(), &actor.name)?;
        let finding = self.finding(id)?;
        self.check_finding_scope(&finding)?;
        let text = |field, value: Option<String>, max, required, now: &str| -> Result<Option<String>> {
            match value {
                Some(v) => Ok(Some(check_text(field, &v, max, required)?).filter(|v| v != now)),
                None => Ok(None),
            }
        };
        let edit = Edit {
            description: text("description", edit.description, MAX_DESCRIPTION_CHARS, true, &finding.description)?,
            address: text("address", edit.address, MAX_ADDRESS_CHARS, false, &finding.address)?,
            urgency: edit.urgency.filter(|s| *s != finding.urgency),
            responsible_unit: text(
                "responsible_unit",
                edit.responsible_unit,
                MAX_UNIT_CHARS,
                false,
                &finding.responsible_unit,
            )?,
        };
        remote::check_edited(&finding, &edit, &actor)?;
        let now = self.now().max(finding.updated_at);
        let payload = serde_json::to_value(&edit).unwrap_or(json!(null));
        let event = Event {
            id: self.new_id(now),
            entity: "finding".into(),
            entity_id: finding.id.clone(),
            actor: actor.name.clone(),
            kind: projection::EDITED.into(),
            payload: payload.clone(),
            device_time: now,
            sync: crate::model::SyncState::Pending,
            hub_seq: None,
            accepted_at: None,
        };
        // apply() of an EDITED event on Some(finding) always yields Some.
        let updated = projection::apply(Some(finding), &event).expect("an edit keeps the finding");
        let tx = self.transaction()?;
        tx.execute(
            "UPDATE findings SET description = ?2, address = ?3, urgency = ?4, responsible_unit = ?5, updated_at = ?6
             WHERE id = ?1",
            params![
                updated.id,
                updated.description,
                updated.address,
                updated.urgency.as_str(),
                updated.responsible_unit,
                ts(updated.updated_at)
            ],
        )?;
        append(
            &tx,
            &event.id,
            &actor.name,
            now,
            Draft { entity: "finding", entity_id: &updated.id, kind: projection::EDITED, payload },
        )?;
        // An edit changes no measured state today; the history writes a row only if it does.
        record_history(&tx, &updated.id, now, &HistoryState::of(&updated))?;
        tx.commit()?;
        Ok(updated)
    }

    /// 申请延期: the acting liaison asks for the case's due time to move to `until`, with a reason.
    pub fn request_deferral(&mut self, id: &str, until: DateTime<Utc>, reason: &str) -> Result<Finding> {
        let reason = check_text("reason", reason, MAX_NOTE_CHARS, true)?;
        let asked = projection::DeferralAsked { until: super::to_millis(until), reason };
        self.deferral_step(
            id,
            projection::DEFERRAL_REQUESTED,
            serde_json::to_value(&asked).unwrap_or(json!(null)),
            |f, a| remote::check_deferral_requested(f, &asked, a),
        )
    }

    /// 审批延期: the acting lead approves (the due time moves to the date asked for) or refuses the
    /// pending request, with an optional note.
    pub fn decide_deferral(&mut self, id: &str, approved: bool, note: &str) -> Result<Finding> {
        let note = check_text("note", note, MAX_NOTE_CHARS, false)?;
        let decision = projection::DeferralDecision { approved, note };
        self.deferral_step(
            id,
            projection::DEFERRAL_DECIDED,
            serde_json::to_value(&decision).unwrap_or(json!(null)),
            |f, a| remote::check_deferral_decided(f, &decision, a),
        )
    }

    /// One deferral event: checked by `check` against the finding and the actor (the hub's own
    /// check), folded by the projection, written with its event in one transaction.
    fn deferral_step(
        &mut self,
        id: &str,
        kind: &'static str,
        payload: serde_json::Value,
        check: impl Fn(&Finding, &crate::model::User) -> Result<()>,
    ) -> Result<Finding> {
        self.writable()?;
        let actor = self.actor()?;
        self.check_clock(self.now(), &actor.name)?;
        let finding = self.finding(id)?;
        self.check_finding_scope(&finding)?;
        check(&finding, &actor)?;
        let now = self.now().max(finding.updated_at);
        let event = Event {
            id: self.new_id(now),
            entity: "finding".into(),
            entity_id: finding.id.clone(),
            actor: actor.name.clone(),
            kind: kind.into(),
            payload: payload.clone(),
            device_time: now,
            sync: crate::model::SyncState::Pending,
            hub_seq: None,
            accepted_at: None,
        };
        // apply() of a deferral event on Some(finding) always yields Some.
        let updated = projection::apply(Some(finding), &event).expect("a deferral keeps the finding");
        let tx = self.transaction()?;
        update_loop_columns(&tx, &updated)?;
        append(&tx, &event.id, &actor.name, now, Draft { entity: "finding", entity_id: &updated.id, kind, payload })?;
        // An approved deferral moves the due time and marks the case deferred in the measures.
        record_history(&tx, &updated.id, now, &HistoryState::of(&updated))?;
        tx.commit()?;
        Ok(updated)
    }

    /// The full id of the finding `id` names: the whole id, or an unambiguous prefix of 4+ characters.
    pub fn resolve_finding_id(&self, id: &str) -> Result<String> {
        let id = id.trim().to_ascii_lowercase();
        let exact: Option<String> =
            self.conn.query_row("SELECT id FROM findings WHERE id = ?1", [&id], |r| r.get(0)).optional()?;
        if let Some(found) = exact {
            return Ok(found);
        }
        if id.chars().count() < 4 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(Error::FindingNotFound(id));
        }
        let mut stmt = self.conn.prepare("SELECT id FROM findings WHERE id >= ?1 AND id < ?1 || '~' LIMIT 2")?;
        let found: Vec<String> = stmt.query_map([&id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        match found.len() {
            1 => Ok(found.into_iter().next().unwrap_or_default()),
            0 => Err(Error::FindingNotFound(id)),
            _ => Err(Error::AmbiguousId(id)),
        }
    }

    /// One finding with its photos.
    pub fn finding(&self, id: &str) -> Result<Finding> {
        let id = self.resolve_finding_id(id)?;
        let mut finding = self.conn.query_row(
            &format!("SELECT {FINDING_COLUMNS} FROM findings f WHERE f.id = ?1"),
            [&id],
            finding_from_row,
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT p.sha256, fp.role, p.extension, p.bytes, p.width, p.height, p.exif_time, p.exif_lat, p.exif_lon
             FROM finding_photos fp JOIN photos p ON p.sha256 = fp.sha256
             WHERE fp.finding_id = ?1 ORDER BY fp.position",
        )?;
        finding.photos = stmt
            .query_map([&id], |r| {
                let sha: String = r.get(0)?;
                let role: String = r.get(1)?;
                let ext: String = r.get(2)?;
                let lat: Option<f64> = r.get(7)?;
                let lon: Option<f64> = r.get(8)?;
                Ok(Photo {
                    role: match role.as_str() {
                        "before" => PhotoRole::Before,
                        "after" => PhotoRole::After,
                        _ => return Err(super::events::unreadable(1, "photo role", &role)),
                    },
                    file: format!("{sha}.{ext}"),
                    thumbnail: format!("thumbs/{sha}.jpg"),
                    bytes: r.get::<_, i64>(3)? as u64,
                    width: r.get(4)?,
                    height: r.get(5)?,
                    exif_time: parse_ts_opt(r.get(6)?)?,
                    exif_point: lat.zip(lon).map(|(lat, lon)| Point { lat, lon }),
                    sha256: sha,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(finding)
    }

    /// Whether a limited, time-sorted search should walk the observed-time index rather than look
    /// up its matches: when every term matches so many findings that the first page is near the
    /// top of the index. Counting a term's matches costs a few milliseconds; looking up tens of
    /// thousands of matches and sorting them costs a hundred or more (docs/performance.md).
    fn walk_for_first_page(&self, query: &FindingQuery, lookups: &[(&str, String)]) -> Result<bool> {
        let time_sorted = matches!(query.sort, FindingSort::ObservedDesc | FindingSort::ObservedAsc);
        let Some(limit) = query.limit.filter(|_| time_sorted && !lookups.is_empty()) else { return Ok(false) };
        let enough = (limit as i64).saturating_mul(WALK_MATCHES_PER_ROW).max(WALK_MATCHES_AT_LEAST);
        for (table, expr) in lookups {
            let count: i64 =
                self.conn
                    .query_row(&format!("SELECT count(*) FROM {table} WHERE {table} MATCH ?1"), [expr], |r| r.get(0))?;
            if count < enough {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The WHERE clause (over `findings f`) and its values for `query`'s filters: the one
    /// definition of which findings a query means, shared by [`Store::findings`] and
    /// [`Store::count_findings`], so a count and the list it opens cannot disagree.
    fn finding_filter(&self, query: &FindingQuery) -> Result<(String, Vec<Box<dyn ToSql>>)> {
        let mut clauses: Vec<String> = Vec::new();
        let mut values: Vec<Box<dyn ToSql>> = Vec::new();
        let mut bind = |clause: &str, value: Box<dyn ToSql>, clauses: &mut Vec<String>| {
            values.push(value);
            clauses.push(clause.replace('?', &format!("?{}", values.len())));
        };
        if let Some(grid) = &query.grid {
            bind("f.grid = ?", Box::new(grid.clone()), &mut clauses);
        }
        if let Some(status) = query.status {
            bind("f.status = ?", Box::new(status.as_str()), &mut clauses);
        }
        if query.open_only {
            let open: Vec<String> =
                Status::ALL.iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
            clauses.push(format!("f.status IN ({})", open.join(", ")));
        }
        if let Some(category) = &query.category {
            bind("f.category = ?", Box::new(category.clone()), &mut clauses);
        }
        if let Some(patrol) = &query.patrol {
            bind("f.patrol_id = ?", Box::new(patrol.clone()), &mut clauses);
        }
        if let Some(large) = &query.large_grid {
            bind("f.grid IN (SELECT code FROM grids WHERE parent = ?)", Box::new(large.clone()), &mut clauses);
        }
        if let Some(grids) = &query.grids {
            let list = serde_json::to_string(grids)
                .map_err(|e| Error::InvalidValue { field: "grids", value: e.to_string() })?;
            bind("f.grid IN (SELECT value FROM json_each(?))", Box::new(list), &mut clauses);
        }
        if query.overdue_only {
            // The overdue rule: awaiting rectification ([`awaits_rectification`]) and past its due time.
            // The open statuses first, in the words of the `findings_open` index's WHERE (migration 7):
            // SQLite then counts a lead's overdue cases from that small covering index (status, grid,
            // due_at) instead of reading each one's row (docs/performance.md, the lead's queue).
            let open: Vec<String> =
                Status::ALL.iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
            clauses.push(format!("f.status IN ({})", open.join(", ")));
            let awaiting: Vec<String> =
                Status::ALL.iter().filter(|s| awaits_rectification(**s)).map(|s| format!("'{}'", s.as_str())).collect();
            clauses.push(format!("f.status IN ({})", awaiting.join(", ")));
            bind("f.due_at < ?", Box::new(ts(query.as_of.unwrap_or_else(|| self.now()))), &mut clauses);
        }
        if query.deferral_pending {
            clauses.push("f.deferral IS NOT NULL".into());
        }
        if query.returned_only {
            // The SQL of [`crate::lifecycle::is_returned`]: accepted with a started clock.
            bind("f.status = ?", Box::new(Status::Accepted.as_str()), &mut clauses);
            clauses.push("f.dispatched_at IS NOT NULL".into());
        }
        if let Some(author) = &query.author {
            bind("f.author = ?", Box::new(author.clone()), &mut clauses);
        }
        if let Some(unit) = &query.unit {
            bind("f.unit = ?", Box::new(unit.clone()), &mut clauses);
        }
        if let Some(from) = query.observed_from {
            bind("f.observed_at >= ?", Box::new(ts(from)), &mut clauses);
        }
        if let Some(until) = query.observed_until {
            bind("f.observed_at < ?", Box::new(ts(until)), &mut clauses);
        }
        if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let (long, short): (Vec<&str>, Vec<&str>) = search.split_whitespace().partition(|w| w.chars().count() >= 3);
            // Each lookup: an FTS5 table and a MATCH expression for it.
            let mut lookups: Vec<(&str, String)> = Vec::new();
            if !long.is_empty() {
                // Each word is one quoted FTS5 string, so operators typed by a person stay plain text.
                let expr =
                    long.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect::<Vec<_>>().join(" AND ");
                lookups.push(("findings_fts", expr));
            }
            // The trigram index cannot look up words shorter than three characters. Many Chinese
            // words are two: a pair of letters or digits is looked up in the index of pairs; anything
            // else that short is matched by a scan of the rows the other filters left.
            let mut scanned = Vec::new();
            for word in short {
                match super::bigrams::query(word) {
                    Some(expr) => lookups.push(("findings_bigrams", expr)),
                    None => scanned.push(word),
                }
            }
            // A first page of a common term: walk the sort's index and test each finding against the
            // matches (`+` keeps SQLite from looking every match up by rowid and sorting them all).
            let walk = self.walk_for_first_page(query, &lookups)?;
            for (table, expr) in lookups {
                let member = if walk { "+f.seq" } else { "f.seq" };
                bind(
                    &format!("{member} IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)"),
                    Box::new(expr),
                    &mut clauses,
                );
            }
            for word in scanned {
                let pattern = format!("%{}%", word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
                bind(
                    "(f.description LIKE ? ESCAPE '\\' OR f.address LIKE ? ESCAPE '\\')",
                    Box::new(pattern),
                    &mut clauses,
                );
            }
        }
        let filter = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        Ok((filter, values))
    }

    /// How many findings match `query` (its sort and limit aside): the length of
    /// [`Store::findings`] of the same query without a limit, counted by SQLite.
    pub fn count_findings(&self, query: &FindingQuery) -> Result<u32> {
        let (filter, values) = self.finding_filter(&FindingQuery { limit: None, ..query.clone() })?;
        let mut stmt = self.conn.prepare_cached(&format!("SELECT count(*) FROM findings f {filter}"))?;
        let params: Vec<&dyn ToSql> = values.iter().map(|v| v.as_ref()).collect();
        Ok(stmt.query_row(params.as_slice(), |r| r.get::<_, i64>(0))? as u32)
    }

    /// Findings matching `query`, most recently observed first.
    pub fn findings(&self, query: &FindingQuery) -> Result<Vec<FindingSummary>> {
        let (filter, values) = self.finding_filter(query)?;
        let limit = query.limit.map(|l| format!("LIMIT {l}")).unwrap_or_default();
        let order = match query.sort {
            FindingSort::ObservedDesc => "f.observed_at DESC, f.seq DESC",
            FindingSort::ObservedAsc => "f.observed_at ASC, f.seq ASC",
            FindingSort::DueAsc => "f.due_at IS NULL, f.due_at ASC, f.seq ASC",
            FindingSort::Status => {
                "CASE f.status WHEN 'reported' THEN 0 WHEN 'accepted' THEN 1 WHEN 'rectifying' THEN 2 WHEN 'rework' THEN 3
                 WHEN 'reopened' THEN 4 WHEN 'rectified' THEN 5 WHEN 'closed' THEN 6 ELSE 7 END, f.observed_at DESC"
            }
        };
        let columns = "f.id, f.grid, f.category, f.description, f.address, f.status, f.urgency, f.author,
                       f.observed_at, f.recorded_at, f.due_at";
        // A limited list chooses its rows first (from the indexes where the filter and order allow) and
        // then reads only those: sorting reads every matching row whole otherwise, which from a cold
        // cache is one scattered read per row (the dashboard's overdue list).
        let sql = if query.limit.is_some() {
            format!(
                "SELECT {columns} FROM findings f
                 WHERE f.seq IN (SELECT f.seq FROM findings f {filter} ORDER BY {order} {limit})
                 ORDER BY {order}"
            )
        } else {
            format!("SELECT {columns} FROM findings f {filter} ORDER BY {order}")
        };
        let now = query.as_of.unwrap_or_else(|| self.now());
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let params: Vec<&dyn ToSql> = values.iter().map(|v| v.as_ref()).collect();
        let rows = stmt.query_map(params.as_slice(), |r| {
            let status = status_of(&r.get::<_, String>(5)?)?;
            let due_at = parse_ts_opt(r.get(10)?)?;
            Ok(FindingSummary {
                id: r.get(0)?,
                grid: r.get(1)?,
                category: r.get(2)?,
                description: r.get(3)?,
                address: r.get(4)?,
                status,
                urgency: urgency_of(&r.get::<_, String>(6)?)?,
                author: r.get(7)?,
                observed_at: parse_ts(&r.get::<_, String>(8)?)?,
                recorded_at: parse_ts(&r.get::<_, String>(9)?)?,
                overdue: awaits_rectification(status) && due_at.is_some_and(|d| d < now),
                due_at,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leads_overdue_count_reads_only_the_index_of_open_findings() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(
            dir.path(),
            std::sync::Arc::new(crate::clock::FixedClock::new("2026-11-25T02:00:00Z".parse().unwrap())),
            std::sync::Arc::new(crate::clock::SeededIds::new(1)),
        )
        .unwrap();
        let query = FindingQuery {
            grids: Some(vec!["37160200100101".into(), "37160200100102".into()]),
            overdue_only: true,
            ..FindingQuery::default()
        };
        let (filter, values) = store.finding_filter(&query).unwrap();
        let params: Vec<&dyn ToSql> = values.iter().map(|v| v.as_ref()).collect();
        let plan: Vec<String> = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN SELECT count(*) FROM findings f {filter}"))
            .unwrap()
            .query_map(params.as_slice(), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p.contains("COVERING INDEX findings_open")),
            "the queue's 超期 counts from the small index of open findings, not the rows: {plan:?}"
        );
    }
}
