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
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::CITY_TZ;
use crate::error::Error;
use crate::lang::Lang;
use crate::lifecycle::Status;
use crate::model::{Event, Finding, MinorCategory, Patrol, Point, Urgency, User};
use crate::photo::PreparedPhoto;
use crate::store::{FindingQuery, FindingSort, FindingSummary};

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
        Error::StoreKeyWrong | Error::PassphraseTooShort { .. } => "passphrase",
        Error::PassphrasesDiffer => "again",
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

/// The app's unlock screen (issue 13.4): shown where the store is encrypted with a passphrase and no
/// OS keyring holds its key, or where no keyring answers for a store not yet encrypted.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StoreLock {
    pub ask: UnlockAsk,
    /// The data folder, so the person knows which store they unlock.
    pub data_dir: String,
}

/// What the unlock screen asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UnlockAsk {
    /// The passphrase the store was encrypted with.
    Unlock,
    /// A new passphrase, typed twice: the store is new or still plain and is encrypted with it.
    Choose,
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

/// The ISO week of a moment, in the city's zone: `2026-W48`.
pub fn iso_week(t: DateTime<Utc>) -> String {
    let w = t.with_timezone(&CITY_TZ).iso_week();
    format!("{}-W{:02}", w.year(), w.week())
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
        StoreLock::decl(&cfg),
        UnlockAsk::decl(&cfg),
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
    use crate::lifecycle;
    use crate::model::Role;
    use crate::store::Store;

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
