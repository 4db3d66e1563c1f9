//! What the desktop app's screens ask core for, and the types that cross its IPC boundary.
//!
//! The Tauri commands are a few lines each (take state, call a function here or on `Store`, map
//! the error to [`ErrorBody`]); the queries that shape a screen's data live here so they are
//! tested without a window. Every type here derives `ts_rs::TS`: [`typescript_bindings`] writes
//! them all to `ui/src/lib/ipc/bindings.ts`, and a test fails when that file is stale.

mod dashboard;
mod logs;
pub mod rules;

pub use dashboard::{Dashboard, GridRef};
pub use logs::{ExportDone, ExportFolder, ExportFormat, LogEntry, LogPhoto, LogView, ReviewInput, SubmitInput};

use chrono::{DateTime, Datelike, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::CITY_TZ;
use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::lifecycle::{self, Status};
use crate::model::{Event, Finding, GridLevel, MinorCategory, Patrol, Point, Role, Urgency, User};
use crate::photo::PreparedPhoto;
use crate::store::{awaits_rectification, FindingQuery, FindingSort, FindingSummary, Store};

/// An error as the UI receives it: a stable code to translate, a sentence in the current
/// language as a fallback, and the form field it belongs to, if any.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub field: Option<String>,
}

impl ErrorBody {
    pub fn new(error: &Error, lang: Lang) -> ErrorBody {
        ErrorBody { code: error.code().to_string(), message: error.message(lang), field: error_field(error) }
    }
}

/// The form field an error is about, so the UI can show the reason beside it.
pub fn error_field(error: &Error) -> Option<String> {
    let field = match error {
        Error::EmptyText { field } | Error::TextTooLong { field, .. } | Error::InvalidValue { field, .. } => field,
        Error::ReasonRequired { .. } => "note",
        Error::UnknownGrid(_) | Error::NotASmallGrid(_) | Error::OutOfScope(_) => "grid",
        Error::UnknownCategory(_) | Error::NotAMinorCategory(_) => "category",
        Error::InvalidPoint { .. }
        | Error::HalfPoint
        | Error::PointOutsideGrid { .. }
        | Error::PointInNoGrid { .. } => "point",
        Error::ObservedInFuture { .. } | Error::InvalidTime(_) => "observed_at",
        Error::PhotoNotImage { .. } | Error::PhotoTooLarge { .. } | Error::PhotoUnreadable { .. } => "photos",
        Error::AfterPhotoRequired | Error::AfterPhotosOnlyOnTheSpot => "after_photos",
        Error::BeforePhotoRequired => "photos",
        Error::UnknownUnit(_) | Error::DispatchNeedsUnit | Error::UnitRequired | Error::UnitNotForRole { .. } => "unit",
        Error::DeferralTooEarly { .. } => "until",
        _ => return None,
    };
    Some(field.to_string())
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub profile: Option<User>,
    pub sample_registry: bool,
    pub lang: Lang,
    /// Why this store refuses every write (damaged, rolled back, read-only), shown from the start so
    /// nobody records into it first; `None` for a sound store.
    pub store_refusal: Option<ErrorBody>,
}

/// A small grid with its counts of open and overdue findings (for the map and Today).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GridStat {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    pub open: u32,
    pub overdue: u32,
    /// Whether the user may record and move findings here: signed in to a hub, only the grids of
    /// the scope it gave ([`Store::check_scope`]); the forms offer only these.
    pub in_scope: bool,
}

/// The Today screen: who I am, the patrol under way, my grids (overdue first), the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Today {
    pub profile: Option<User>,
    pub patrol: Option<Patrol>,
    pub my_grids: Vec<GridStat>,
    pub pending: u32,
    pub parked: u32,
}

/// What the Record screen sends. Photos are tokens of photos staged with a preview.
///
/// The observed time is always sent: it is the time the form showed (now, a typed time, or the
/// photo's EXIF time once the person chose it), so what is saved is what was seen. The CLI's
/// "EXIF time when none is given" fallback is not the app's.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct FindingInput {
    pub grid: Option<String>,
    pub category: String,
    pub description: String,
    #[serde(default)]
    pub address: String,
    pub point: Option<Point>,
    pub urgency: Urgency,
    #[serde(default)]
    pub responsible_unit: String,
    pub observed_at: DateTime<Utc>,
    #[serde(default)]
    pub photos: Vec<String>,
    /// 当场处置: solved on the spot, recorded closed at once with before and after photos.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub on_the_spot: bool,
    /// The after photos of a case solved on the spot (tokens of staged photos).
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub after_photos: Vec<String>,
}

/// The Findings screen's filters (also what a count of the lead's queue counts: [`crate::queue`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FindingFilter {
    pub grid: Option<String>,
    /// Only the small grids of this large grid.
    pub large_grid: Option<String>,
    /// Only these small grids (the lead's scope, when the list was opened from the queue).
    pub grids: Option<Vec<String>>,
    /// Only the cases dispatched to this unit (a liaison's scope).
    pub unit: Option<String>,
    pub status: Option<Status>,
    pub open_only: bool,
    /// Only findings past their deadline and still awaiting rectification.
    pub overdue_only: bool,
    /// Only findings with a pending deferral request (延期申请).
    pub deferral_pending: bool,
    /// Only cases a unit returned, awaiting re-dispatch (退回的案件, `lifecycle::is_returned`).
    pub returned_only: bool,
    pub category: Option<String>,
    pub search: Option<String>,
    pub observed_from: Option<DateTime<Utc>>,
    pub observed_until: Option<DateTime<Utc>>,
    pub sort: FindingSort,
    pub limit: Option<u32>,
}

impl From<FindingFilter> for FindingQuery {
    fn from(f: FindingFilter) -> FindingQuery {
        FindingQuery {
            grid: f.grid.filter(|g| !g.is_empty()),
            status: f.status,
            open_only: f.open_only,
            category: f.category.filter(|c| !c.is_empty()),
            search: f.search,
            observed_from: f.observed_from,
            observed_until: f.observed_until,
            author: None,
            patrol: None,
            large_grid: f.large_grid.filter(|g| !g.is_empty()),
            grids: f.grids,
            overdue_only: f.overdue_only,
            deferral_pending: f.deferral_pending,
            returned_only: f.returned_only,
            as_of: None,
            unit: f.unit.filter(|u| !u.is_empty()),
            limit: f.limit.map(|l| l as usize),
            sort: f.sort,
        }
    }
}

/// A lifecycle move asked for from the detail view.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct MoveInput {
    pub id: String,
    pub to: Status,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub photos: Vec<String>,
    /// 派遣: the unit's code for a dispatch (absent: the category's default unit).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub unit: Option<String>,
}

/// A liaison's request for a deferral, from the detail view.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct DeferralInput {
    pub id: String,
    pub until: DateTime<Utc>,
    pub reason: String,
}

/// The lead's decision on a pending deferral, from the detail view.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct DeferralDecisionInput {
    pub id: String,
    pub approved: bool,
    #[serde(default)]
    pub note: String,
}

/// The detail view: the finding, its category and grid names, the moves the acting user may
/// make now, and its whole history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FindingDetail {
    pub finding: Finding,
    pub category: MinorCategory,
    pub grid_name: String,
    pub overdue: bool,
    /// Why the due time may be wrong (a year the holiday table does not cover), shown beside it.
    #[ts(optional = nullable)]
    pub due_warning: Option<crate::deadline::DueWarning>,
    pub moves: Vec<Status>,
    /// The steps that are not moves the acting user may take now (ask for or decide a deferral).
    pub steps: Vec<crate::lifecycle::Step>,
    /// The unit the case is dispatched to, with its names.
    #[ts(optional = nullable)]
    pub unit: Option<crate::model::Unit>,
    /// For a dispatch: every unit, and the one the case's category defaults to.
    pub units: Vec<crate::model::Unit>,
    #[ts(optional = nullable)]
    pub default_unit: Option<String>,
    /// A case a unit returned (回退) that waits to be dispatched again.
    pub returned: bool,
    /// The acting user may edit the descriptive fields (the author or a lead, while it is open).
    pub can_edit: bool,
    pub history: Vec<Event>,
}

/// A photo checked and held in memory until the finding is saved, with what it offers as defaults.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PhotoPreview {
    pub token: String,
    pub name: String,
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u32,
    pub exif_time: Option<DateTime<Utc>>,
    pub exif_point: Option<Point>,
    /// A `data:` URL of the thumbnail.
    pub thumbnail: String,
}

impl PhotoPreview {
    pub fn new(token: String, name: String, p: &PreparedPhoto) -> PhotoPreview {
        PhotoPreview {
            token,
            name,
            sha256: p.sha256.clone(),
            width: p.width,
            height: p.height,
            bytes: p.byte_len() as u32,
            exif_time: p.exif_time,
            exif_point: p.exif_point,
            thumbnail: p.thumbnail_data_url(),
        }
    }
}

/// The sync status area: signed in or not, online or offline, how many changes wait, the last
/// success and the last error in words. `online` and `syncing` come from the app's sync task.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SyncView {
    pub signed_in: bool,
    pub hub_url: Option<String>,
    pub hub_user: Option<String>,
    pub online: bool,
    pub syncing: bool,
    pub pending: u32,
    pub parked: u32,
    /// Changes pulled from the hub that this device could not read: set aside, never applied.
    pub set_aside: u32,
    pub last_success: Option<DateTime<Utc>>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    /// The photo upload under way, while a round sends a photo in several requests.
    pub upload: Option<UploadStatus>,
    /// The last "sync now" the task has finished answering (probe and round): the UI's request
    /// got its answer once this reaches the number `sync_now` returned.
    pub answered: u32,
}

/// How far the photo being uploaded has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, TS)]
pub struct UploadStatus {
    pub sent: u64,
    pub total: u64,
}

/// What only the app's sync task knows: whether the hub answered, whether a round runs, the
/// photo upload under way, and the last "sync now" it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveSync {
    pub online: bool,
    pub syncing: bool,
    pub upload: Option<UploadStatus>,
    pub answered: u32,
}

impl Store {
    /// The stored half of [`SyncView`] joined with what the sync task knows.
    pub fn sync_view(&self, signed_in: bool, live: LiveSync) -> Result<SyncView> {
        let info = self.sync_info()?;
        Ok(SyncView {
            signed_in: signed_in && info.hub_url.is_some(),
            hub_url: info.hub_url,
            hub_user: info.hub_user,
            online: live.online,
            syncing: live.syncing,
            upload: live.upload.filter(|_| live.syncing),
            answered: live.answered,
            pending: self.pending_count()? as u32,
            parked: self.parked_count()? as u32,
            set_aside: self.set_aside_count()? as u32,
            last_success: info.last_success,
            last_attempt: info.last_attempt,
            last_error_code: info.last_error.as_ref().map(|e| e.code.clone()),
            last_error: info.last_error.map(|e| e.message),
        })
    }
}

/// One patrol with the findings recorded during it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PatrolEntry {
    pub patrol: Patrol,
    pub findings: Vec<FindingSummary>,
}

/// My patrols in one ISO week (in the city's zone), e.g. `2026-W48`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PatrolWeek {
    pub week: String,
    pub patrols: Vec<PatrolEntry>,
}

/// An ISO week as core counts it (Monday to Sunday in the city's zone): the UI shows weeks and
/// picks "this week" from these and does no week arithmetic of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct WeekRef {
    /// `2026-W48`.
    pub week: String,
    /// Its Monday and Sunday, calendar dates in the city.
    pub first_day: chrono::NaiveDate,
    pub last_day: chrono::NaiveDate,
    /// Monday 00:00 in the city, and the next Monday's, as UTC (the end exclusive).
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl WeekRef {
    pub fn of(w: crate::calendar::IsoWeek) -> WeekRef {
        WeekRef { week: w.to_string(), first_day: w.monday(), last_day: w.sunday(), start: w.start(), end: w.end() }
    }
}

impl Store {
    /// The last `count` ISO weeks at the store's clock, this week first (at most a dashboard's).
    pub fn recent_weeks(&self, count: u32) -> Result<Vec<WeekRef>> {
        let this = crate::calendar::IsoWeek::of(self.now());
        (0..count.clamp(1, crate::weekly::MAX_GRID_WEEKS)).map(|n| Ok(WeekRef::of(this.back(n)?))).collect()
    }
}

/// The ISO week of a moment, in the city's zone: `2026-W48`.
pub fn iso_week(t: DateTime<Utc>) -> String {
    let w = t.with_timezone(&CITY_TZ).iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

const UI_LANG_KEY: &str = "ui.lang";
const PROFILE_GRIDS_KEY: &str = "profile.grids";

impl Store {
    pub fn app_info(&self, version: &str) -> Result<AppInfo> {
        let lang = self.ui_lang()?;
        Ok(AppInfo {
            version: version.to_string(),
            data_dir: self.data_dir().display().to_string(),
            profile: self.profile()?,
            sample_registry: self.has_sample_registry()?,
            lang,
            store_refusal: self.write_refusal().map(|e| ErrorBody::new(&e, lang)),
        })
    }

    /// The language the person chose in the app (Chinese until they switch).
    pub fn ui_lang(&self) -> Result<Lang> {
        let value: Option<String> = self
            .connection()
            .query_row("SELECT value FROM settings WHERE key = ?1", [UI_LANG_KEY], |r| r.get(0))
            .optional()?;
        Ok(value.as_deref().and_then(Lang::parse).unwrap_or_default())
    }

    pub fn set_ui_lang(&mut self, lang: Lang) -> Result<()> {
        self.put_setting(UI_LANG_KEY, if lang == Lang::En { "en" } else { "zh" })
    }

    /// The small grids the acting user patrols: the ones chosen at first start, else the ones
    /// whose owners name the user.
    pub fn my_grid_codes(&self) -> Result<Vec<String>> {
        let Some(user) = self.profile()? else { return Ok(Vec::new()) };
        let chosen: Option<String> = self
            .connection()
            .query_row("SELECT value FROM settings WHERE key = ?1", [PROFILE_GRIDS_KEY], |r| r.get(0))
            .optional()?;
        let codes: Vec<String> = match chosen
            .and_then(|c| serde_json::from_str::<Vec<String>>(&c).ok())
            .filter(|c| !c.is_empty())
        {
            Some(codes) => codes,
            None => {
                // An officer's are the small grids naming them; a lead's also every small grid
                // of the large grids naming them (the scope a lead is given at the hub).
                let grids = self.grids()?;
                let named = |g: &crate::model::Grid| g.owners.iter().any(|o| *o == user.name);
                let led: Vec<&str> =
                    grids.iter().filter(|g| g.level == GridLevel::Large && named(g)).map(|g| g.code.as_str()).collect();
                grids
                    .iter()
                    .filter(|g| g.level == GridLevel::Small)
                    .filter(|g| named(g) || g.parent.as_deref().is_some_and(|p| led.contains(&p)))
                    .map(|g| g.code.clone())
                    .collect()
            }
        };
        // Signed in to a hub, "my grids" are only those the hub lets me act in.
        Ok(codes.into_iter().filter(|c| self.check_scope(c).is_ok()).collect())
    }

    /// First start: who I am, my role and my grids.
    pub fn set_profile_with_grids(&mut self, name: &str, role: Role, grids: &[String]) -> Result<User> {
        for code in grids {
            self.small_grid(code)?;
        }
        let user = self.set_profile(name, role)?;
        self.put_setting(PROFILE_GRIDS_KEY, &serde_json::to_string(grids).unwrap_or_else(|_| "[]".into()))?;
        Ok(user)
    }

    /// Open and overdue counts of every small grid.
    pub fn grid_stats(&self) -> Result<Vec<GridStat>> {
        self.grid_stats_of(None)
    }

    /// Open and overdue counts of the small grids `codes` (all when `None`). Only open findings are
    /// read, through the status index: a few thousand rows however large the store is.
    pub fn grid_stats_of(&self, codes: Option<&[String]>) -> Result<Vec<GridStat>> {
        let now = crate::store::ts_of(self.now());
        let quoted = |keep: fn(Status) -> bool| -> String {
            Status::ALL.iter().filter(|s| keep(**s)).map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
        };
        // The same words as the `findings_open` index's WHERE (migration 7).
        let sql = format!(
            "SELECT g.code, g.name, g.parent, coalesce(c.open, 0), coalesce(c.overdue, 0)
             FROM grids g LEFT JOIN (
                SELECT grid, count(*) AS open, sum(due_at < ?1 AND status IN ({})) AS overdue
                FROM findings WHERE status IN ({}) GROUP BY grid
             ) c ON c.grid = g.code
             WHERE g.level = 'small' AND (?2 IS NULL OR g.code IN (SELECT value FROM json_each(?2)))
             ORDER BY g.code",
            quoted(awaits_rectification),
            quoted(Status::is_open),
        );
        let codes = codes.map(|c| serde_json::to_string(c).unwrap_or_else(|_| "[]".into()));
        let mut stmt = self.connection().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params![now, codes], |r| {
            Ok(GridStat {
                code: r.get(0)?,
                name: r.get(1)?,
                parent: r.get(2)?,
                open: r.get(3)?,
                overdue: r.get(4)?,
                in_scope: true,
            })
        })?;
        let mut stats: Vec<GridStat> = rows.collect::<rusqlite::Result<_>>()?;
        for stat in &mut stats {
            stat.in_scope = match self.check_scope(&stat.code) {
                Ok(()) => true,
                Err(Error::OutOfScope(_)) => false,
                Err(e) => return Err(e),
            };
        }
        Ok(stats)
    }

    pub fn today(&self) -> Result<Today> {
        let mine = self.my_grid_codes()?;
        let mut my_grids = self.grid_stats_of(Some(&mine))?;
        my_grids.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.open.cmp(&a.open)).then(a.code.cmp(&b.code)));
        Ok(Today {
            profile: self.profile()?,
            patrol: self.active_patrol()?,
            my_grids,
            pending: self.pending_count()? as u32,
            parked: self.parked_count()? as u32,
        })
    }

    pub fn finding_detail(&self, id: &str) -> Result<FindingDetail> {
        let finding = self.finding(id)?;
        let profile = self.profile()?;
        let role = profile.as_ref().map(|u| u.role);
        let can_edit = profile.as_ref().is_some_and(|u| crate::remote::check_may_edit(&finding, u).is_ok())
            && self.check_scope(&finding.grid).is_ok();
        let overdue = awaits_rectification(finding.status) && finding.due_at.is_some_and(|d| d < self.now());
        let category = self.category(&finding.category)?;
        let due_warning = match (&category.deadline, finding.due_at) {
            (Some(d), Some(due)) => {
                crate::deadline::span_warning(d.limit(finding.urgency), finding.recorded_at, due, &self.holidays()?)
            }
            _ => None,
        };
        let moves = role.map(|r| lifecycle::moves_for(r, finding.status)).unwrap_or_default();
        let dispatching = moves.iter().any(|&to| lifecycle::is_dispatch(finding.status, to));
        // A liaison is offered nothing on another unit's case (core's rule, asked here once).
        let own = profile.as_ref().is_none_or(|u| lifecycle::check_unit_of(u, &finding).is_ok());
        Ok(FindingDetail {
            category,
            due_warning,
            grid_name: self.grid(&finding.grid)?.name,
            overdue,
            steps: match profile.as_ref() {
                Some(u) if own => lifecycle::Step::ALL
                    .into_iter()
                    .filter(|&s| lifecycle::check_step_of(u, &finding, s).is_ok())
                    .collect(),
                _ => Vec::new(),
            },
            unit: finding.unit.as_deref().map(|u| self.unit(u)).transpose()?,
            units: if dispatching { self.units()? } else { Vec::new() },
            default_unit: if dispatching { self.default_unit(&finding.category)?.map(|u| u.code) } else { None },
            returned: lifecycle::is_returned(&finding),
            moves: if own { moves } else { Vec::new() },
            can_edit,
            history: self.history(&finding.id)?,
            finding,
        })
    }

    /// My patrols grouped by ISO week, newest first, each with its findings.
    pub fn patrol_weeks(&self) -> Result<Vec<PatrolWeek>> {
        let Some(user) = self.profile()? else { return Ok(Vec::new()) };
        let mut weeks: Vec<PatrolWeek> = Vec::new();
        for patrol in self.patrols(Some(&user.name))? {
            let findings = self.patrol_findings(&patrol.id)?;
            let week = iso_week(patrol.started_at);
            match weeks.last_mut() {
                Some(w) if w.week == week => w.patrols.push(PatrolEntry { patrol, findings }),
                _ => weeks.push(PatrolWeek { week, patrols: vec![PatrolEntry { patrol, findings }] }),
            }
        }
        Ok(weeks)
    }
}

/// Every IPC type as TypeScript, in one file.
pub fn typescript_bindings() -> String {
    use crate::model::*;
    use crate::store::{Counts, ImportSummary};
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        <serde_json::Value as TS>::decl(&cfg),
        Lang::decl(&cfg),
        Role::decl(&cfg),
        User::decl(&cfg),
        GridLevel::decl(&cfg),
        Grid::decl(&cfg),
        CategoryKind::decl(&cfg),
        Limit::decl(&cfg),
        Deadline::decl(&cfg),
        crate::deadline::DueWarning::decl(&cfg),
        MinorCategory::decl(&cfg),
        MajorCategory::decl(&cfg),
        Urgency::decl(&cfg),
        PatrolKind::decl(&cfg),
        Patrol::decl(&cfg),
        Point::decl(&cfg),
        PhotoRole::decl(&cfg),
        Photo::decl(&cfg),
        Status::decl(&cfg),
        crate::lifecycle::Step::decl(&cfg),
        Unit::decl(&cfg),
        DeferralRequest::decl(&cfg),
        Finding::decl(&cfg),
        SyncState::decl(&cfg),
        Event::decl(&cfg),
        FindingSummary::decl(&cfg),
        FindingSort::decl(&cfg),
        Counts::decl(&cfg),
        ImportSummary::decl(&cfg),
        ErrorBody::decl(&cfg),
        AppInfo::decl(&cfg),
        GridStat::decl(&cfg),
        Today::decl(&cfg),
        FindingInput::decl(&cfg),
        FindingFilter::decl(&cfg),
        MoveInput::decl(&cfg),
        DeferralInput::decl(&cfg),
        DeferralDecisionInput::decl(&cfg),
        FindingDetail::decl(&cfg),
        PhotoPreview::decl(&cfg),
        UploadStatus::decl(&cfg),
        SyncView::decl(&cfg),
        PatrolEntry::decl(&cfg),
        PatrolWeek::decl(&cfg),
        WeekRef::decl(&cfg),
        crate::projection::Edit::decl(&cfg),
        crate::weekly::WeeklyPatrol::decl(&cfg),
        crate::weekly::WeeklyFinding::decl(&cfg),
        crate::weekly::WeeklyLog::decl(&cfg),
        crate::review::ReviewState::decl(&cfg),
        crate::review::Decision::decl(&cfg),
        crate::review::LogReview::decl(&cfg),
        crate::review::SubmittedFigures::decl(&cfg),
        LogEntry::decl(&cfg),
        LogPhoto::decl(&cfg),
        LogView::decl(&cfg),
        SubmitInput::decl(&cfg),
        ReviewInput::decl(&cfg),
        ExportFormat::decl(&cfg),
        ExportFolder::decl(&cfg),
        ExportDone::decl(&cfg),
        crate::weekly::GridWeek::decl(&cfg),
        crate::measures::Measures::decl(&cfg),
        crate::weekly::GroupWeek::decl(&cfg),
        GridRef::decl(&cfg),
        Dashboard::decl(&cfg),
        crate::queue::QueueKey::decl(&cfg),
        crate::queue::QueueList::decl(&cfg),
        crate::queue::QueueItem::decl(&cfg),
        crate::queue::Queue::decl(&cfg),
        rules::Limits::decl(&cfg),
        rules::StatusRule::decl(&cfg),
        rules::MoveRule::decl(&cfg),
        rules::RoleRule::decl(&cfg),
        rules::QueueRule::decl(&cfg),
        rules::Rules::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types in crates/core by `ipc::typescript_bindings`. Do not edit:\n\
         // run `UPDATE_BINDINGS=1 cargo test -p gridpatrol-core --lib ipc` to regenerate.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typescript_bindings_are_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/ipc/bindings.ts");
        let generated = typescript_bindings();
        if std::env::var("UPDATE_BINDINGS").is_ok() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/lib/ipc/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p gridpatrol-core --lib ipc` and commit it"
        );
    }

    /// The UI's mock reads the bundled category tree as core loads it (codes made, sources
    /// resolved) from a generated file, so it never re-derives the code rule.
    #[test]
    fn the_uis_category_tree_is_fresh() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/ipc/categories.generated.json");
        let tree = crate::categories::bundled();
        let generated = serde_json::to_string_pretty(&serde_json::json!({
            "standard": format!("{} {}", tree.standard, tree.version),
            "majors": tree.majors,
        }))
        .unwrap()
            + "\n";
        if std::env::var("UPDATE_BINDINGS").is_ok() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/lib/ipc/categories.generated.json is stale: run `UPDATE_BINDINGS=1 cargo test -p gridpatrol-core --lib ipc` and commit it"
        );
    }

    #[test]
    fn the_uis_rules_are_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/ipc/rules.ts");
        let generated = rules::rules_module();
        if std::env::var("UPDATE_BINDINGS").is_ok() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/lib/ipc/rules.ts is stale (a limit or table of core changed): run \
             `UPDATE_BINDINGS=1 cargo test -p gridpatrol-core --lib ipc` and commit it"
        );
    }

    #[test]
    fn the_uis_rules_say_what_core_says() {
        let r = rules::rules();
        assert_eq!(r.limits.description, 2000, "the description limit is core's, not the old mock's 500");
        assert_eq!(r.moves.len(), lifecycle::MOVES.len(), "every row of the move table");
        assert_eq!(r.rhythm, vec![3, 6], "Wednesday and Saturday");
        let lead = r.roles.iter().find(|x| x.role == Role::Lead).unwrap();
        assert!(lead.supervises, "a lead supervises");
        assert_eq!(r.queue.len(), crate::queue::LEAD_QUEUE.len());
    }

    #[test]
    fn grid_counts_read_only_the_index_of_open_findings() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(
            dir.path(),
            std::sync::Arc::new(crate::clock::FixedClock::new("2026-11-25T02:00:00Z".parse().unwrap())),
            std::sync::Arc::new(crate::clock::SeededIds::new(1)),
        )
        .unwrap();
        let open = Status::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        assert_eq!(
            open, "'reported', 'accepted', 'rectifying', 'rectified', 'rework', 'reopened', 'suspended'",
            "migration 12's words (the index of open findings, first made by migration 7)"
        );
        let plan: Vec<String> = store
            .connection()
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT grid, count(*), sum(due_at < 'x') FROM findings WHERE status IN ({open}) GROUP BY grid"
            ))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(plan.iter().any(|p| p.contains("COVERING INDEX findings_open")), "{plan:?}");
    }

    #[test]
    fn an_out_of_scope_grid_is_refused_beside_the_grid_field() {
        assert_eq!(
            error_field(&Error::OutOfScope("37160200100105".into())).as_deref(),
            Some("grid"),
            "the form shows the out-of-scope refusal by the grid it is about, not by the Save button"
        );
    }

    #[test]
    fn recent_weeks_run_back_from_this_week_across_a_53_week_year() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(
            dir.path(),
            std::sync::Arc::new(crate::clock::FixedClock::new("2027-01-04T02:00:00Z".parse().unwrap())),
            std::sync::Arc::new(crate::clock::SeededIds::new(1)),
        )
        .unwrap();
        let weeks = store.recent_weeks(3).unwrap();
        let names: Vec<&str> = weeks.iter().map(|w| w.week.as_str()).collect();
        assert_eq!(names, vec!["2027-W01", "2026-W53", "2026-W52"], "this week first; 2026 has 53 ISO weeks");
        assert_eq!(weeks[1].first_day.to_string(), "2026-12-28");
        assert_eq!(weeks[1].last_day.to_string(), "2027-01-03");
        assert_eq!(weeks[0].start.to_rfc3339(), "2027-01-03T16:00:00+00:00", "Monday 00:00 in Beijing");
        assert_eq!(weeks[1].end, weeks[0].start, "one week ends where the next begins");
    }

    #[test]
    fn iso_weeks_follow_the_city_zone() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(iso_week(t("2026-11-29T15:30:00Z")), "2026-W48", "23:30 Sunday in Beijing is still week 48");
        assert_eq!(iso_week(t("2026-11-29T16:30:00Z")), "2026-W49", "00:30 Monday in Beijing is week 49");
        assert_eq!(iso_week(t("2027-01-02T04:00:00Z")), "2026-W53", "2026 has 53 ISO weeks");
    }
}
