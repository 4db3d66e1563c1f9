//! The domain records that cross module boundaries: users and roles, grids, categories, patrols,
//! findings, photos and events. Plain data with serde; rules live in their own modules
//! (`lifecycle`, `geometry`, `validate`) and storage in `store`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::lifecycle::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Officer,
    Lead,
    Admin,
    /// 联络员: a responsible unit's liaison. Works on the cases dispatched to the unit (their
    /// [`User::unit`]), never on grids.
    Liaison,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Officer, Role::Lead, Role::Admin, Role::Liaison];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Lead => "lead",
            Role::Admin => "admin",
            Role::Liaison => "liaison",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// A team lead or an administrator: someone who acts on other people's work — reviews weekly
    /// logs, sees the dashboard and the review queue, edits findings they did not write, and reads the
    /// reviews of the officers in their scope. The one home of that predicate.
    pub fn supervises(self) -> bool {
        matches!(self, Role::Lead | Role::Admin)
    }

    pub fn parse_field(s: &str) -> Result<Role> {
        Role::parse(s).ok_or_else(|| Error::InvalidValue { field: "role", value: crate::validate::clip(s) })
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::Officer, Lang::Zh) => "网格员",
            (Role::Lead, Lang::Zh) => "组长",
            (Role::Admin, Lang::Zh) => "管理员",
            (Role::Liaison, Lang::Zh) => "联络员",
            (Role::Officer, Lang::En) => "officer",
            (Role::Lead, Lang::En) => "lead",
            (Role::Admin, Lang::En) => "admin",
            (Role::Liaison, Lang::En) => "unit liaison",
        }
    }

    /// Whether a user of this role belongs to a responsible unit: a liaison must name one, every
    /// other role must not (see [`check_unit_for_role`]).
    pub fn has_unit(self) -> bool {
        self == Role::Liaison
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// The responsible unit's code, for a liaison (required); absent for every other role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub unit: Option<String>,
}

impl User {
    /// A user of a role without a unit (officer, lead, administrator).
    pub fn new(name: impl Into<String>, role: Role) -> User {
        User { name: name.into(), role, unit: None }
    }
}

/// The one rule for a user's unit: required for a liaison, refused for every other role. The code
/// itself is checked against the units table by the caller (the store, the hub).
pub fn check_unit_for_role(role: Role, unit: Option<&str>) -> Result<()> {
    match (role.has_unit(), unit.map(str::trim).filter(|u| !u.is_empty())) {
        (true, None) => Err(Error::UnitRequired),
        (false, Some(u)) => Err(Error::UnitNotForRole { role: role.as_str().into(), unit: crate::validate::clip(u) }),
        _ => Ok(()),
    }
}

/// A responsible unit (责任单位): who must fix a dispatched case. Reference data, like the category
/// tree: bundled as a sample (`data/units.json`), replaced by a city's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// A short ASCII code (letters, digits), unique.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The minor category codes this unit normally handles: a dispatch of a case of one of them
    /// defaults to this unit.
    pub categories: Vec<String>,
}

/// A liaison's pending request to defer a case (延期申请), until the lead decides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeferralRequest {
    /// The due time asked for; after the current one.
    pub until: DateTime<Utc>,
    pub reason: String,
    /// Who asked.
    pub by: String,
    /// When they asked (the event's device time).
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum GridLevel {
    Large,
    Small,
}

/// A large grid (大网格) or a small grid (小网格) of the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Grid {
    pub code: String,
    pub name: String,
    pub level: GridLevel,
    /// The large grid's code, for a small grid.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub parent: Option<String>,
    pub owners: Vec<String>,
    /// The boundary as a GeoJSON geometry (Polygon or MultiPolygon), WGS84.
    pub boundary: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum CategoryKind {
    /// 部件: a fixed asset (manhole cover, street light, railing...).
    Component,
    /// 事件: a condition or behaviour (stall, spillage, illegal building...).
    Event,
}

impl CategoryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CategoryKind::Component => "component",
            CategoryKind::Event => "event",
        }
    }
}

/// One limit of a rectification deadline (处置时限) in the unit a city's standard writes it: 工作时
/// (hours counted only inside the city's office hours on working days), 工作日 (working days) or
/// 小时 (hours straight through). Counted by [`crate::deadline`], the one place due times are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Limit {
    WorkingHours(u32),
    WorkingDays(u32),
    Hours(u32),
}

impl Limit {
    pub fn amount(self) -> u32 {
        match self {
            Limit::WorkingHours(n) | Limit::WorkingDays(n) | Limit::Hours(n) => n,
        }
    }

    /// The unit as the data file and `--json` write it.
    pub fn unit(self) -> &'static str {
        match self {
            Limit::WorkingHours(_) => "working_hours",
            Limit::WorkingDays(_) => "working_days",
            Limit::Hours(_) => "hours",
        }
    }

    /// "5 工作时" / "5 working hours".
    pub fn label(self, lang: Lang) -> String {
        let n = self.amount();
        match (self, lang) {
            (Limit::WorkingHours(_), Lang::Zh) => format!("{n} 工作时"),
            (Limit::WorkingDays(_), Lang::Zh) => format!("{n} 工作日"),
            (Limit::Hours(_), Lang::Zh) => format!("{n} 小时"),
            (Limit::WorkingHours(_), Lang::En) => format!("{n} working hours"),
            (Limit::WorkingDays(_), Lang::En) => format!("{n} working days"),
            (Limit::Hours(_), Lang::En) => format!("{n} hours"),
        }
    }
}

/// A minor category's deadline: the limit for a normal (一般) case, and for an urgent (紧急) one where
/// the source gives it; an urgent case of a category with no urgent limit has the normal one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub normal: Limit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub urgent: Option<Limit>,
    /// Where the limits come from (the data file's source keys, resolved to their text).
    pub source: String,
}

impl Deadline {
    /// The limit the case's urgency picks.
    pub fn limit(&self, urgency: Urgency) -> Limit {
        match urgency {
            Urgency::Urgent => self.urgent.unwrap_or(self.normal),
            Urgency::Normal => self.normal,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MinorCategory {
    /// The kind's digit (1 部件, 2 事件) and the standard's `MMmm`: `10104`, `20501` (see `categories`).
    pub code: String,
    /// The standard's minor number within its major, `01`–`99` (90–99: a city addition).
    pub minor: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub deadline: Option<Deadline>,
    /// Where the entry comes from (the data file's source keys, resolved to their text).
    pub source: String,
}

impl MinorCategory {
    /// A city addition (90–99): sample data, not a number of the standard.
    pub fn is_city_addition(&self) -> bool {
        self.minor.as_str() >= "90"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MajorCategory {
    pub kind: CategoryKind,
    /// The standard's major number, `MM`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub minors: Vec<MinorCategory>,
}

/// How urgent a case is (紧急 / 一般): it picks the deadline's limit. Serialised `normal` / `urgent`.
/// Events written before migration 11 carried `severity` (`low`/`normal`/`high`): they are read as
/// an urgency, `high` as urgent and the others as normal, so a device's old events still decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    Normal,
    Urgent,
}

impl Urgency {
    pub const ALL: [Urgency; 2] = [Urgency::Normal, Urgency::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Urgency::Normal, Lang::Zh) => "一般",
            (Urgency::Urgent, Lang::Zh) => "紧急",
            (Urgency::Normal, Lang::En) => "normal",
            (Urgency::Urgent, Lang::En) => "urgent",
        }
    }

    /// Reads `normal` / `urgent`, and the three severities events wrote before migration 11.
    pub fn parse_stored(s: &str) -> Option<Urgency> {
        match s {
            "normal" | "low" => Some(Urgency::Normal),
            "urgent" | "high" => Some(Urgency::Urgent),
            _ => None,
        }
    }

    /// Reads what a person types: `normal` / `urgent` or 一般 / 紧急.
    pub fn parse_field(s: &str) -> Result<Urgency> {
        match s.trim() {
            "normal" | "一般" => Ok(Urgency::Normal),
            "urgent" | "紧急" => Ok(Urgency::Urgent),
            _ => Err(Error::InvalidValue { field: "urgency", value: crate::validate::clip(s) }),
        }
    }
}

impl<'de> Deserialize<'de> for Urgency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Urgency, D::Error> {
        let s = String::deserialize(d)?;
        Urgency::parse_stored(&s)
            .ok_or_else(|| serde::de::Error::unknown_variant(&s, &["normal", "urgent", "low", "high"]))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PatrolKind {
    /// 徒步巡查 on the city's weekly rhythm.
    Scheduled,
    /// An extra patrol outside the rhythm.
    Adhoc,
}

impl PatrolKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PatrolKind::Scheduled => "scheduled",
            PatrolKind::Adhoc => "adhoc",
        }
    }

    pub fn parse_field(s: &str) -> Result<PatrolKind> {
        match s {
            "scheduled" => Ok(PatrolKind::Scheduled),
            "adhoc" => Ok(PatrolKind::Adhoc),
            _ => Err(Error::InvalidValue { field: "kind", value: s.to_string() }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Patrol {
    pub id: String,
    pub officer: String,
    pub kind: PatrolKind,
    pub grids: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub notes: String,
}

/// A WGS84 point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PhotoRole {
    /// 整改前: taken when the problem was found.
    Before,
    /// 整改后: taken when it was rectified.
    After,
}

impl PhotoRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoRole::Before => "before",
            PhotoRole::After => "after",
        }
    }
}

/// A photo stored in the data folder under its SHA-256 name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    pub sha256: String,
    pub role: PhotoRole,
    /// The file name, relative to the data folder's `photos/`.
    pub file: String,
    /// The thumbnail's file name, relative to the data folder's `photos/`.
    pub thumbnail: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub exif_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub exif_point: Option<Point>,
}

/// A finding (问题): the projection of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub id: String,
    pub grid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub patrol: Option<String>,
    /// A minor category's code. A 4-digit code of the tree before migration 11 is read as its new
    /// code ([`crate::categories::current_code`]), so old events decode to today's tree.
    #[serde(deserialize_with = "crate::categories::deserialize_code")]
    pub category: String,
    pub description: String,
    pub address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub point: Option<Point>,
    /// Written `severity` by events before migration 11; read under either name.
    #[serde(alias = "severity")]
    pub urgency: Urgency,
    /// The free text written before responsible units existed (store migration 12). New findings
    /// leave it empty and it is never written again: the unit is [`Finding::unit`]. It stays so that
    /// every event and record written before decodes and reads as it was written.
    #[serde(default)]
    pub responsible_unit: String,
    /// The unit (its code) the case is dispatched to; none before the dispatch and after a 回退.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub unit: Option<String>,
    /// When the deadline clock started: the first dispatch, as the hub accepted it (the device's
    /// time until then). Rework, reopening and re-dispatch never reset it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub dispatched_at: Option<DateTime<Utc>>,
    /// A deferral asked for and not yet decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub deferral: Option<DeferralRequest>,
    /// How many deferrals were approved.
    #[serde(default)]
    pub deferrals: u32,
    /// 当场处置: recorded already solved, closed at once, never dispatched.
    #[serde(default)]
    pub on_the_spot: bool,
    /// While suspended (缓办): when the clock stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub suspended_at: Option<DateTime<Utc>>,
    pub status: Status,
    pub author: String,
    pub observed_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub due_at: Option<DateTime<Utc>>,
    pub photos: Vec<Photo>,
}

/// Whether the hub has the event yet. Pending events are the sync outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SyncState {
    Pending,
    Acked,
    Parked,
}

impl SyncState {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Pending => "pending",
            SyncState::Acked => "acked",
            SyncState::Parked => "parked",
        }
    }

    pub fn parse(s: &str) -> Option<SyncState> {
        match s {
            "pending" => Some(SyncState::Pending),
            "acked" => Some(SyncState::Acked),
            "parked" => Some(SyncState::Parked),
            _ => None,
        }
    }
}

/// One change, as written in the same transaction as the projection it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Event {
    pub id: String,
    pub entity: String,
    pub entity_id: String,
    pub actor: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub device_time: DateTime<Utc>,
    pub sync: SyncState,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub hub_seq: Option<i64>,
    /// When the hub accepted the event (its clock, not the device's): set on events pulled from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub accepted_at: Option<DateTime<Utc>>,
}
