//! The one error type of gridpatrol-core.
//!
//! Policy: every refusal of input is a variant with a stable [`Error::code`] (what the UI and other
//! programs match on) and a sentence in Chinese and English ([`Error::message`]). Refusals are
//! raised before anything is written, so an error never leaves a half-made change behind.
//! Storage and IO failures carry their cause for logs but show a plain sentence to people.

use crate::lang::Lang;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the data folder has no Grid Patrol store yet")]
    NotInitialized,
    #[error("no local profile: run init with a user first")]
    NoProfile,
    #[error("unknown grid {0}")]
    UnknownGrid(String),
    #[error("grid {0} is a large grid; findings and patrols name small grids")]
    NotASmallGrid(String),
    #[error("unknown category {0}")]
    UnknownCategory(String),
    #[error("category {0} is a major class; choose a minor class (4 digits)")]
    NotAMinorCategory(String),
    #[error("{field} is empty")]
    EmptyText { field: &'static str },
    #[error("{field} is {len} characters long, at most {max} are allowed")]
    TextTooLong { field: &'static str, len: usize, max: usize },
    #[error("invalid coordinates ({lat}, {lon})")]
    InvalidPoint { lat: f64, lon: f64 },
    #[error("a point needs both latitude and longitude")]
    HalfPoint,
    #[error("the point ({lat}, {lon}) lies outside grid {grid}")]
    PointOutsideGrid { grid: String, lat: f64, lon: f64 },
    #[error("the point ({lat}, {lon}) lies in no small grid")]
    PointInNoGrid { lat: f64, lon: f64 },
    #[error("observed_at {observed_at} is in the future (now {now})")]
    ObservedInFuture { observed_at: String, now: String },
    #[error("invalid time {0}")]
    InvalidTime(String),
    #[error("invalid ISO week {0}")]
    InvalidWeek(String),
    #[error("unknown value {value} for {field}")]
    InvalidValue { field: &'static str, value: String },
    #[error("photo {name} is not an image")]
    PhotoNotImage { name: String },
    #[error("photo {name} is {size} bytes, the limit is {max}")]
    PhotoTooLarge { name: String, size: u64, max: u64 },
    #[error("photo {name} is {width}×{height} pixels, beyond the limits")]
    PhotoTooManyPixels { name: String, width: u32, height: u32 },
    #[error("cannot read photo {name}: {reason}")]
    PhotoUnreadable { name: String, reason: String },
    #[error("no finding with id {0}")]
    FindingNotFound(String),
    #[error("id {0} matches more than one finding")]
    AmbiguousId(String),
    #[error("a finding cannot move from {from} to {to}")]
    IllegalMove { from: String, to: String },
    #[error("a {role} may not move a finding from {from} to {to}")]
    MoveNotAllowed { role: String, from: String, to: String },
    #[error("a patrol is already under way (started {0})")]
    PatrolUnderWay(String),
    #[error("no patrol is under way")]
    NoPatrolUnderWay,
    #[error("a patrol needs at least one grid")]
    PatrolWithoutGrids,
    #[error("import refused: {location}: {reason}")]
    Import { location: Location, reason: ImportProblem },
    #[error("import refused: {0}")]
    ImportFormat(ImportProblem),
    #[error("category data: {0}")]
    CategoryData(String),
    #[error("setting {key}: {reason}")]
    Setting { key: String, reason: String },
    #[error("grid {0} is outside the signed-in user's grid scope")]
    OutOfScope(String),
    #[error("a move to {to} needs a reason in the note")]
    ReasonRequired { to: String },
    #[error("the edit changes no field")]
    NothingToEdit,
    #[error("a {role} may not edit another person's finding")]
    EditNotAllowed { role: String },
    #[error("the finding is {0} and can no longer be edited")]
    FindingClosed(String),
    #[error("a weekly log cannot go from {from} to {to}")]
    IllegalReview { from: String, to: String },
    #[error("a {role} may not review weekly logs")]
    ReviewNotAllowed { role: String },
    #[error("a {role} may not open the dashboard")]
    DashboardNotAllowed { role: String },
    #[error("a {role} has no queue of cases to accept, dispatch and re-check")]
    QueueNotAllowed { role: String },
    #[error("the weekly log of {0} is not yours to submit or review")]
    NotYourLog(String),
    #[error("week {0} has not begun")]
    WeekNotStarted(String),
    #[error("grids: a {role} cannot be given grid {grid}")]
    WrongGridLevel { role: String, grid: String },
    #[error("grids: a {role} needs at least one grid")]
    NoGrids { role: String },
    // Events that arrive from elsewhere (crate::change): decoded once, refused whole.
    #[error("{field} {time} is outside {not_before} .. {not_after}")]
    TimeOutOfBounds { field: &'static str, time: String, not_before: String, not_after: String },
    #[error("{field} {time} is later than {after}, which it must precede")]
    TimeOutOfOrder { field: &'static str, time: String, after: String },
    #[error("the event's payload is {bytes} bytes, at most {max} are allowed")]
    PayloadTooLarge { bytes: usize, max: usize },
    #[error("malformed event ({field}): {reason}")]
    MalformedEvent { field: &'static str, reason: String },
    #[error("{field} {value} is not an id of the right format")]
    InvalidId { field: &'static str, value: String },
    #[error("photo {sha256}: {reason}")]
    PhotoMetadata { sha256: String, reason: String },
    #[error("events of kind {0} are not taken")]
    UnsupportedEvent(String),
    #[error("finding {0} was already reported")]
    FindingExists(String),
    #[error("patrol {0} already exists")]
    PatrolExists(String),
    #[error("no patrol {0} of the actor")]
    UnknownPatrol(String),
    // --- Responsible units and the closed loop (issue 12).
    #[error("a unit liaison needs a unit")]
    UnitRequired,
    #[error("a {role} belongs to no unit (given {unit})")]
    UnitNotForRole { role: String, unit: String },
    #[error("unknown responsible unit {0}")]
    UnknownUnit(String),
    #[error("unit data: {0}")]
    UnitData(String),
    /// The hub's reference data document could not be taken whole (issue 13): `part` names the part
    /// (registry, categories, units, holidays, office_hours, patrol_rhythm, roster, version).
    #[error("the hub's reference data is invalid ({part}): {reason}")]
    ReferenceData { part: String, reason: String },
    #[error("the case is dispatched to {unit}, not to the liaison's unit")]
    NotYourUnit { unit: String },
    #[error("a dispatch names the unit, and no other move does")]
    DispatchNeedsUnit,
    #[error("a move to rectified needs at least one after photo")]
    AfterPhotoRequired,
    #[error("a case solved on the spot needs at least one before photo")]
    BeforePhotoRequired,
    #[error("after photos come with a case solved on the spot only")]
    AfterPhotosOnlyOnTheSpot,
    #[error("the deferral until {until} is not after the current due time {due}")]
    DeferralTooEarly { until: String, due: String },
    #[error("a deferral is already waiting for the lead's decision")]
    DeferralPending,
    #[error("no deferral is waiting for a decision")]
    NoDeferralPending,
    #[error("a {role} may not {step} a case that is {status}")]
    StepNotAllowed { role: String, step: String, status: String },
    // --- The store's survival (issue 11): damage, read-only folders, full disks, waiting writers,
    // implausible clocks and oversized imports. Each says what happened and what to do.
    #[error("the store's database file is damaged: {detail}")]
    StoreDamaged { detail: String },
    #[error("the store's database file is empty (0 bytes)")]
    StoreEmpty,
    #[error("the data folder holds photos but no database")]
    StoreMissing,
    #[error("the database holds events up to {found}, but this folder last held {expected}")]
    StoreRolledBack { expected: i64, found: i64 },
    #[error("the store is read-only: {detail}")]
    StoreReadOnly { detail: String },
    #[error("the store stayed busy with another writer: {detail}")]
    StoreBusy { detail: String },
    #[error("the disk is full: {detail}")]
    DiskFull { detail: String },
    // --- Encryption at rest (issue 13.4).
    #[error("the store's key or passphrase does not open it")]
    StoreKeyWrong,
    #[error("the store's key in the keyring is not a 256-bit key")]
    StoreKeyUnusable,
    #[error("a passphrase must be at least {min} characters on one line")]
    PassphraseTooShort { min: usize },
    #[error("the store is encrypted and no key or passphrase was given")]
    PassphraseNeeded,
    #[error("the two passphrases typed differ")]
    PassphrasesDiffer,
    #[error("the device clock {now} is earlier than the newest event {newest}")]
    ClockBehind { now: String, newest: String },
    #[error("the device clock {now} is far ahead of the hub's last answer {hub}")]
    ClockAhead { now: String, hub: String },
    #[error("import file is {bytes} bytes, the limit is {max}")]
    ImportTooLarge { bytes: u64, max: u64 },
    #[error("cannot read the import file {name}: {detail}")]
    ImportUnreadable { name: String, detail: String },
    #[error("storage error: {0}")]
    Db(rusqlite::Error),
    #[error("file error: {0}")]
    Io(std::io::Error),
}

/// Where in an import file a problem is: a GeoJSON feature or a CSV row (counted as a spreadsheet
/// shows them, the header being row 1), with the grid code when the record has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Feature {
        number: usize,
        code: Option<String>,
    },
    Row {
        number: usize,
        code: Option<String>,
    },
    /// A grid already known by its code (the generator's registry, stored boundaries).
    Grid(String),
}

impl Location {
    pub fn text(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match (self, zh) {
            (Location::Feature { number, code: Some(c) }, true) => format!("第 {number} 个要素（编码 {c}）"),
            (Location::Feature { number, code: None }, true) => format!("第 {number} 个要素"),
            (Location::Feature { number, code: Some(c) }, false) => format!("feature {number} (code {c})"),
            (Location::Feature { number, code: None }, false) => format!("feature {number}"),
            (Location::Row { number, code: Some(c) }, true) => format!("第 {number} 行（编码 {c}）"),
            (Location::Row { number, code: None }, true) => format!("第 {number} 行"),
            (Location::Row { number, code: Some(c) }, false) => format!("row {number} (code {c})"),
            (Location::Row { number, code: None }, false) => format!("row {number}"),
            (Location::Grid(c), true) => format!("网格 {c}"),
            (Location::Grid(c), false) => format!("grid {c}"),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// Why one grid of an import file is refused, in both languages. Parser details (serde's and the
/// WKT reader's English) are kept as `detail` for logs and shown after a sentence of our own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    NoProperties,
    OwnersNotList,
    NoGeometry,
    GeometryNoType,
    GeometryNoCoordinates,
    GeometryKind(String),
    NotAList(&'static str),
    PositionNotNumbers,
    BoundaryEmpty,
    BoundaryNotGeoJson(String),
    BoundaryNotWkt(String),
    WktNotPolygon,
    PolygonEmpty,
    NotWgs84 { lon: String, lat: String },
    SelfIntersecting,
    HoleOutside,
    PartsOverlap,
    TooManyPoints { points: usize, max: usize },
    TooManyGrids { max: usize },
    NotJson(String),
    NotFeatureCollection,
    NoFeaturesList,
    NoFeatures,
    BadHeader(String),
    HeaderColumns,
    NoRows,
    NotCsv(String),
    NoCode,
    BadCode { max: usize },
    NoName,
    NameTooLong { max: usize },
    DuplicateCode(String),
    OtherLevel(String),
    ParentIsSmall(String),
    UnknownParent(String),
}

impl ImportProblem {
    pub fn text(&self, lang: Lang) -> String {
        use ImportProblem::*;
        let zh = lang == Lang::Zh;
        let s = |a: &str, b: &str| if zh { a.to_string() } else { b.to_string() };
        match self {
            NoProperties => s("要素没有 properties 属性", "the feature has no properties"),
            OwnersNotList => s("owners 不是姓名列表", "owners is not a list of names"),
            NoGeometry => s("要素没有边界（geometry）", "the feature has no geometry"),
            GeometryNoType => s("边界没有 type", "geometry has no type"),
            GeometryNoCoordinates => s("边界没有 coordinates", "geometry has no coordinates"),
            GeometryKind(k) => pick(
                zh,
                format!("边界类型 {k} 不是 Polygon 或 MultiPolygon"),
                format!("geometry type {k} is not a Polygon or MultiPolygon"),
            ),
            NotAList(what) => pick(
                zh,
                format!("边界坐标格式错误（{what} 应为列表）"),
                format!("the coordinates are malformed ({what} is not a list)"),
            ),
            PositionNotNumbers => s("有坐标不是 [经度, 纬度] 数字", "a position is not [lon, lat] numbers"),
            BoundaryEmpty => s("边界为空", "the boundary is empty"),
            BoundaryNotGeoJson(d) => pick(
                zh,
                format!("边界不是有效的 GeoJSON{}", json_place_zh(d)),
                format!("boundary is not valid GeoJSON: {d}"),
            ),
            BoundaryNotWkt(d) => pick(
                zh,
                "边界不是有效的 WKT（应为 POLYGON((经度 纬度, 经度 纬度, …)) 这样的写法）".to_string(),
                format!("boundary is not valid WKT: {d}"),
            ),
            WktNotPolygon => s("边界 WKT 不是 POLYGON 或 MULTIPOLYGON", "boundary WKT is not a POLYGON or MULTIPOLYGON"),
            PolygonEmpty => s("多边形为空或少于 3 个顶点", "polygon is empty or has fewer than 3 corners"),
            NotWgs84 { lon, lat } => pick(
                zh,
                format!("坐标 [{lon}, {lat}] 不是 WGS84 经纬度"),
                format!("position [{lon}, {lat}] is not a WGS84 longitude and latitude"),
            ),
            SelfIntersecting => s(
                "多边形无效：边界自相交、重叠或退化",
                "polygon is not valid (self-intersecting or degenerate)",
            ),
            HoleOutside => s("多边形无效：内环不在外环之内", "polygon is not valid: a hole lies outside its polygon"),
            PartsOverlap => s("多边形无效：多个部分相互重叠", "polygon is not valid: its parts overlap"),
            TooManyPoints { points, max } => pick(
                zh,
                format!("边界约有 {points} 个点，超过每个网格最多 {max} 个点的上限，请先在 GIS 软件中简化"),
                format!("the boundary has about {points} points, more than the limit of {max} per grid; simplify it in a GIS tool first"),
            ),
            TooManyGrids { max } => pick(
                zh,
                format!("文件中的网格超过 {max} 个的上限，请拆成几个文件分别导入"),
                format!("the file holds more than {max} grids, the limit; split it into several files"),
            ),
            NotJson(d) => pick(zh, format!("不是有效的 JSON{}", json_place_zh(d)), format!("not valid JSON: {d}")),
            NotFeatureCollection => s("不是 GeoJSON FeatureCollection", "not a GeoJSON FeatureCollection"),
            NoFeaturesList => s("FeatureCollection 没有 features 列表", "the FeatureCollection has no features list"),
            NoFeatures => s("FeatureCollection 中没有任何要素（features）", "the FeatureCollection has no features"),
            BadHeader(d) => pick(
                zh,
                "无法读取表头行（文件应为 UTF-8 编码的 CSV）".to_string(),
                format!("cannot read the header row: {d}"),
            ),
            HeaderColumns => s(
                "表头行必须包含 code、name、parent、owners、boundary 这些列",
                "the header row must name the columns code, name, parent, owners, boundary",
            ),
            NoRows => s("文件中没有数据行（rows）", "the file has no rows"),
            NotCsv(d) => pick(
                zh,
                "不是有效的 CSV（列数与表头不一致、引号不成对，或不是 UTF-8 编码）".to_string(),
                format!("not valid CSV: {d}"),
            ),
            NoCode => s("网格没有编码", "the grid has no code"),
            BadCode { max } => pick(
                zh,
                format!("编码最多 {max} 个字符，且不能含空格"),
                format!("the code must be at most {max} characters without spaces"),
            ),
            NoName => s("网格没有名称", "the grid has no name"),
            NameTooLong { max } => {
                pick(zh, format!("名称超过 {max} 个字"), format!("the name is longer than {max} characters"))
            }
            DuplicateCode(c) => pick(zh, format!("编码 {c} 出现了不止一次"), format!("the code {c} appears more than once")),
            OtherLevel(c) => pick(
                zh,
                format!("编码 {c} 已是另一层级的网格"),
                format!("the code {c} is already a grid of the other level"),
            ),
            ParentIsSmall(p) => {
                pick(zh, format!("上级 {p} 是小网格"), format!("the parent {p} is a small grid"))
            }
            UnknownParent(p) => pick(
                zh,
                format!("上级 {p} 不是已知的大网格"),
                format!("the parent {p} is not a known large grid"),
            ),
        }
    }
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// SQLite's English causes mapped to what they mean for a person: a full disk, a store another
/// writer holds too long, a damaged file, a read-only folder. Anything else stays a storage error.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        use rusqlite::ErrorCode::*;
        let code = match &e {
            rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
            _ => None,
        };
        let detail = e.to_string();
        match code {
            Some(DiskFull) => Error::DiskFull { detail },
            Some(DatabaseBusy) | Some(DatabaseLocked) => Error::StoreBusy { detail },
            Some(DatabaseCorrupt) | Some(NotADatabase) => Error::StoreDamaged { detail },
            Some(ReadOnly) => Error::StoreReadOnly { detail },
            _ => Error::Db(e),
        }
    }
}

/// The file system's causes that have a remedy of their own: a full disk, a read-only folder.
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        let detail = e.to_string();
        match e.raw_os_error() {
            Some(28) => Error::DiskFull { detail },      // ENOSPC
            Some(122) => Error::DiskFull { detail },     // EDQUOT
            Some(30) => Error::StoreReadOnly { detail }, // EROFS
            _ if e.kind() == std::io::ErrorKind::StorageFull => Error::DiskFull { detail },
            _ => Error::Io(e),
        }
    }
}

impl Error {
    /// A stable, machine-readable code. The UI translates these; tests and scripts match on them.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotInitialized => "not_initialized",
            Error::NoProfile => "no_profile",
            Error::UnknownGrid(_) => "unknown_grid",
            Error::NotASmallGrid(_) => "not_a_small_grid",
            Error::UnknownCategory(_) => "unknown_category",
            Error::NotAMinorCategory(_) => "not_a_minor_category",
            Error::EmptyText { .. } => "empty_text",
            Error::TextTooLong { .. } => "text_too_long",
            Error::InvalidPoint { .. } => "invalid_point",
            Error::HalfPoint => "half_point",
            Error::PointOutsideGrid { .. } => "point_outside_grid",
            Error::PointInNoGrid { .. } => "point_in_no_grid",
            Error::ObservedInFuture { .. } => "observed_in_future",
            Error::InvalidTime(_) => "invalid_time",
            Error::InvalidWeek(_) => "invalid_week",
            Error::InvalidValue { .. } => "invalid_value",
            Error::PhotoNotImage { .. } => "photo_not_image",
            Error::PhotoTooLarge { .. } => "photo_too_large",
            Error::PhotoTooManyPixels { .. } => "photo_too_many_pixels",
            Error::PhotoUnreadable { .. } => "photo_unreadable",
            Error::FindingNotFound(_) => "finding_not_found",
            Error::AmbiguousId(_) => "ambiguous_id",
            Error::IllegalMove { .. } => "illegal_move",
            Error::MoveNotAllowed { .. } => "move_not_allowed",
            Error::PatrolUnderWay(_) => "patrol_under_way",
            Error::NoPatrolUnderWay => "no_patrol_under_way",
            Error::PatrolWithoutGrids => "patrol_without_grids",
            Error::Import { .. } => "import_invalid",
            Error::ImportFormat(_) => "import_malformed",
            Error::CategoryData(_) => "category_data",
            Error::Setting { .. } => "invalid_setting",
            Error::OutOfScope(_) => "out_of_scope",
            Error::ReasonRequired { .. } => "reason_required",
            Error::NothingToEdit => "nothing_to_edit",
            Error::EditNotAllowed { .. } => "edit_not_allowed",
            Error::FindingClosed(_) => "finding_closed",
            Error::IllegalReview { .. } => "illegal_review",
            Error::ReviewNotAllowed { .. } => "review_not_allowed",
            Error::DashboardNotAllowed { .. } => "dashboard_not_allowed",
            Error::QueueNotAllowed { .. } => "queue_not_allowed",
            Error::NotYourLog(_) => "not_your_log",
            Error::WeekNotStarted(_) => "week_not_started",
            Error::WrongGridLevel { .. } => "wrong_grid_level",
            Error::NoGrids { .. } => "no_grids",
            Error::TimeOutOfBounds { .. } => "time_out_of_bounds",
            Error::TimeOutOfOrder { .. } => "time_out_of_order",
            Error::PayloadTooLarge { .. } => "payload_too_large",
            Error::MalformedEvent { .. } => "malformed_event",
            Error::InvalidId { .. } => "invalid_id",
            Error::PhotoMetadata { .. } => "photo_metadata",
            Error::UnsupportedEvent(_) => "unsupported_event",
            Error::FindingExists(_) => "finding_exists",
            Error::PatrolExists(_) => "patrol_exists",
            Error::UnknownPatrol(_) => "unknown_patrol",
            Error::UnitRequired => "unit_required",
            Error::UnitNotForRole { .. } => "unit_not_for_role",
            Error::UnknownUnit(_) => "unknown_unit",
            Error::UnitData(_) => "unit_data",
            Error::ReferenceData { .. } => "reference_data",
            Error::NotYourUnit { .. } => "not_your_unit",
            Error::DispatchNeedsUnit => "dispatch_needs_unit",
            Error::AfterPhotoRequired => "after_photo_required",
            Error::BeforePhotoRequired => "before_photo_required",
            Error::AfterPhotosOnlyOnTheSpot => "after_photos_only_on_the_spot",
            Error::DeferralTooEarly { .. } => "deferral_too_early",
            Error::DeferralPending => "deferral_pending",
            Error::NoDeferralPending => "no_deferral_pending",
            Error::StepNotAllowed { .. } => "step_not_allowed",
            Error::StoreDamaged { .. } => "store_damaged",
            Error::StoreEmpty => "store_empty",
            Error::StoreMissing => "store_missing",
            Error::StoreRolledBack { .. } => "store_rolled_back",
            Error::StoreReadOnly { .. } => "store_read_only",
            Error::StoreBusy { .. } => "store_busy",
            Error::DiskFull { .. } => "disk_full",
            Error::StoreKeyWrong => "store_key_wrong",
            Error::StoreKeyUnusable => "store_key_unusable",
            Error::PassphraseTooShort { .. } => "passphrase_too_short",
            Error::PassphraseNeeded => "passphrase_needed",
            Error::PassphrasesDiffer => "passphrases_differ",
            Error::ClockBehind { .. } => "clock_behind",
            Error::ClockAhead { .. } => "clock_ahead",
            Error::ImportTooLarge { .. } => "import_too_large",
            Error::ImportUnreadable { .. } => "import_unreadable",
            Error::Db(_) => "storage",
            Error::Io(_) => "io",
        }
    }

    /// One clear sentence for a person, in the language asked for.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Error::NotInitialized => pick(
                zh,
                "数据目录中还没有网格巡查数据，请先运行 init。".into(),
                "The data folder has no Grid Patrol store yet; run init first.".into(),
            ),
            Error::NoProfile => pick(
                zh,
                "还没有本机用户，请先运行 init --user 姓名。".into(),
                "There is no local user yet; run init --user NAME first.".into(),
            ),
            Error::UnknownGrid(c) => {
                pick(zh, format!("没有编码为 {c} 的网格。"), format!("There is no grid with code {c}."))
            }
            Error::NotASmallGrid(c) => pick(
                zh,
                format!("{c} 是大网格，问题和巡查须指定小网格。"),
                format!("{c} is a large grid; findings and patrols name a small grid."),
            ),
            Error::UnknownCategory(c) => {
                pick(zh, format!("没有编码为 {c} 的问题类别。"), format!("There is no category with code {c}."))
            }
            Error::NotAMinorCategory(c) => pick(
                zh,
                format!("{c} 是大类，请选择一个 4 位编码的小类。"),
                format!("{c} is a major class; choose a minor class with a 4-digit code."),
            ),
            Error::EmptyText { field } => pick(
                zh,
                format!("{}不能为空。", field_zh(field)),
                format!("The {} must not be empty.", field_en(field)),
            ),
            Error::TextTooLong { field, len, max } => pick(
                zh,
                format!("{}过长：{len} 个字，最多 {max} 个字。", field_zh(field)),
                format!("The {} is too long: {len} characters, at most {max} allowed.", field_en(field)),
            ),
            Error::InvalidPoint { lat, lon } => pick(
                zh,
                format!("坐标无效：纬度 {lat}，经度 {lon}。"),
                format!("Invalid coordinates: latitude {lat}, longitude {lon}."),
            ),
            Error::HalfPoint => {
                pick(zh, "位置需要同时给出纬度和经度。".into(), "A place needs both latitude and longitude.".into())
            }
            Error::PointOutsideGrid { grid, lat, lon } => pick(
                zh,
                format!("位置（纬度 {lat}，经度 {lon}）不在网格 {grid} 内。"),
                format!("The point (latitude {lat}, longitude {lon}) lies outside grid {grid}."),
            ),
            Error::PointInNoGrid { lat, lon } => pick(
                zh,
                format!("位置（纬度 {lat}，经度 {lon}）不在任何小网格内。"),
                format!("The point (latitude {lat}, longitude {lon}) lies in no small grid."),
            ),
            Error::ObservedInFuture { observed_at, .. } => pick(
                zh,
                format!("发现时间 {observed_at} 晚于当前时间，发现时间不能在将来。"),
                format!("The observed time {observed_at} is in the future; it cannot be later than now."),
            ),
            Error::InvalidTime(t) => pick(
                zh,
                format!("时间格式无效：{t}（应为 RFC 3339，例如 2026-11-25T09:30:00+08:00）。"),
                format!("Invalid time {t} (expected RFC 3339, e.g. 2026-11-25T09:30:00+08:00)."),
            ),
            Error::InvalidWeek(w) => pick(
                zh,
                format!("周次无效：{w}（应为 ISO 周，例如 2026-W48）。"),
                format!("Invalid week {w} (expected an ISO week such as 2026-W48)."),
            ),
            Error::InvalidValue { field, value } => pick(
                zh,
                format!("{}的值 {value} 无效。", field_zh(field)),
                format!("{value} is not a valid {}.", field_en(field)),
            ),
            Error::PhotoNotImage { name } => pick(
                zh,
                format!("文件 {name} 不是图片（支持 JPEG、PNG、WebP）。"),
                format!("The file {name} is not an image (JPEG, PNG and WebP are accepted)."),
            ),
            Error::PhotoTooLarge { name, size, max } => pick(
                zh,
                format!("照片 {name} 过大：{}，上限为 {}。", mib(*size), mib(*max)),
                format!("The photo {name} is too large: {}, the limit is {}.", mib(*size), mib(*max)),
            ),
            Error::PhotoTooManyPixels { name, width, height } => pick(
                zh,
                format!(
                    "照片 {name} 为 {width}×{height} 像素，超出上限（每边最多 {} 像素，共最多 {} 万像素）。",
                    crate::photo::MAX_SIDE,
                    crate::photo::MAX_PIXELS / 10_000
                ),
                format!(
                    "The photo {name} is {width}×{height} pixels; at most {} pixels a side and {} megapixels are accepted.",
                    crate::photo::MAX_SIDE,
                    crate::photo::MAX_PIXELS / 1_000_000
                ),
            ),
            Error::PhotoUnreadable { name, reason } => {
                pick(zh, format!("无法读取照片 {name}：{reason}。"), format!("Cannot read the photo {name}: {reason}."))
            }
            Error::FindingNotFound(id) => {
                pick(zh, format!("没有编号为 {id} 的问题。"), format!("There is no finding with id {id}."))
            }
            Error::AmbiguousId(id) => pick(
                zh,
                format!("编号 {id} 对应多个问题，请写得更完整。"),
                format!("The id {id} matches more than one finding; give more of it."),
            ),
            Error::IllegalMove { from, to } => pick(
                zh,
                format!("问题不能从“{}”变为“{}”。", status_zh(from), status_zh(to)),
                format!("A finding cannot move from {from} to {to}."),
            ),
            Error::MoveNotAllowed { role, from, to } => pick(
                zh,
                format!("{}无权将问题从“{}”变为“{}”。", role_zh(role), status_zh(from), status_zh(to)),
                format!("{} may not move a finding from {from} to {to}.", role_en(role)),
            ),
            Error::PatrolUnderWay(started) => pick(
                zh,
                format!("已有一次巡查正在进行（开始于 {started}），请先结束它。"),
                format!("A patrol is already under way (started {started}); end it first."),
            ),
            Error::NoPatrolUnderWay => pick(zh, "当前没有进行中的巡查。".into(), "No patrol is under way.".into()),
            Error::PatrolWithoutGrids => {
                pick(zh, "巡查至少要包含一个网格。".into(), "A patrol needs at least one grid.".into())
            }
            Error::Import { location, reason } => pick(
                zh,
                format!(
                    "导入被拒绝，未写入任何数据：{}：{}。请改正文件后重新导入。",
                    location.text(lang),
                    reason.text(lang)
                ),
                format!(
                    "Import refused, nothing was written: {}: {}. Correct the file and import it again.",
                    location.text(lang),
                    reason.text(lang)
                ),
            ),
            Error::ImportFormat(reason) => pick(
                zh,
                format!("导入被拒绝，未写入任何数据：文件格式错误：{}。请改正文件后重新导入。", reason.text(lang)),
                format!(
                    "Import refused, nothing was written: malformed file: {}. Correct the file and import it again.",
                    reason.text(lang)
                ),
            ),
            Error::CategoryData(reason) => {
                pick(zh, format!("问题类别数据有误：{reason}"), format!("The category data is invalid: {reason}"))
            }
            Error::Setting { key, reason } => {
                pick(zh, format!("设置 {key} 无效：{reason}"), format!("Setting {key} is invalid: {reason}"))
            }
            Error::OutOfScope(g) => pick(
                zh,
                format!("网格 {g} 不在当前用户的负责范围内，不能在此记录或处理问题。"),
                format!("Grid {g} is outside your grid scope; you cannot record or handle findings there."),
            ),
            Error::ReasonRequired { to } => pick(
                zh,
                format!("将问题改为“{}”须在备注中写明理由。", status_zh(to)),
                format!("Moving a finding to {to} needs a reason in the note."),
            ),
            Error::NothingToEdit => pick(zh, "没有修改任何内容。".into(), "The edit changes nothing.".into()),
            Error::EditNotAllowed { role } => pick(
                zh,
                format!("{}只能修改自己上报的问题。", role_zh(role)),
                format!("{} may only edit findings they reported.", role_en(role)),
            ),
            Error::FindingClosed(status) => pick(
                zh,
                format!("问题已{}，不能再修改。", status_zh(status)),
                format!("The finding is {status} and can no longer be edited."),
            ),
            Error::IllegalReview { from, to } => pick(
                zh,
                format!("周巡查日志不能从“{}”变为“{}”。", review_zh(from), review_zh(to)),
                format!("A weekly log cannot go from {} to {}.", review_en(from), review_en(to)),
            ),
            Error::ReviewNotAllowed { role } => pick(
                zh,
                format!("{}无权审核周巡查日志，只有组长和管理员可以审核。", role_zh(role)),
                format!("{} may not review weekly logs; team leads and administrators do.", role_en(role)),
            ),
            Error::DashboardNotAllowed { role } => pick(
                zh,
                format!("{}无权查看仪表盘，只有组长和管理员可以查看。", role_zh(role)),
                format!("{} may not open the dashboard; team leads and administrators do.", role_en(role)),
            ),
            Error::QueueNotAllowed { role } => pick(
                zh,
                format!("{}没有待办队列，只有组长和管理员受理、派遣和核查案件。", role_zh(role)),
                format!("{} has no queue; team leads and administrators accept, dispatch and re-check cases.", role_en(role)),
            ),
            Error::NotYourLog(officer) => pick(
                zh,
                format!("这是 {officer} 的周巡查日志：只有本人可以提交，本人不能审核。"),
                format!("This is {officer}'s weekly log: only they submit it, and they cannot review it."),
            ),
            Error::WeekNotStarted(week) => pick(
                zh,
                format!("{week} 还没有开始，不能提交这一周的日志。"),
                format!("Week {week} has not begun; its log cannot be submitted yet."),
            ),
            Error::WrongGridLevel { role, grid } => match role.as_str() {
                "admin" => pick(
                    zh,
                    format!("网格（--grids）：管理员负责全部网格，不能指定网格 {grid}。"),
                    format!("Grids (--grids): an administrator acts on every grid and is given none, not {grid}."),
                ),
                "lead" => pick(
                    zh,
                    format!("网格（--grids）：组长须指定大网格，{grid} 不是大网格。"),
                    format!("Grids (--grids): a team lead is given large grids; {grid} is not a large grid."),
                ),
                _ => pick(
                    zh,
                    format!("网格（--grids）：网格员须指定小网格，{grid} 不是小网格。"),
                    format!("Grids (--grids): a grid officer is given small grids; {grid} is not a small grid."),
                ),
            },
            Error::NoGrids { role } => pick(
                zh,
                format!("网格（--grids）：{}至少要指定一个网格。", role_zh(role)),
                format!("Grids (--grids): {} needs at least one grid.", role_en(role).to_lowercase()),
            ),
            Error::TimeOutOfBounds { field, time, not_before, not_after } => pick(
                zh,
                format!("时间 {field} = {time} 不可信：须在 {not_before} 与 {not_after} 之间。"),
                format!("The time {field} = {time} cannot be right: it must lie between {not_before} and {not_after}."),
            ),
            Error::TimeOutOfOrder { field, time, after } => pick(
                zh,
                format!("时间 {field} = {time} 早于它所跟随的时间 {after}，顺序不对。"),
                format!("The time {field} = {time} is out of order with {after}, which it follows."),
            ),
            Error::PayloadTooLarge { bytes, max } => pick(
                zh,
                format!("变更内容过大：{bytes} 字节，最多 {max} 字节。"),
                format!("The change is too large: {bytes} bytes, at most {max} allowed."),
            ),
            Error::MalformedEvent { field, reason } => pick(
                zh,
                format!("变更格式错误（{field}）：{reason}。"),
                format!("The change is malformed ({field}): {reason}."),
            ),
            Error::InvalidId { field, value } => pick(
                zh,
                format!("编号 {field} = {value} 的格式不对。"),
                format!("The id {field} = {value} is not in its format."),
            ),
            Error::PhotoMetadata { sha256, reason } => pick(
                zh,
                format!("照片 {sha256} 的信息与照片不符：{reason}。"),
                format!("The photo {sha256} is described wrongly: {reason}."),
            ),
            Error::UnsupportedEvent(kind) => {
                pick(zh, format!("不接受类型为 {kind} 的变更。"), format!("Changes of kind {kind} are not taken."))
            }
            Error::FindingExists(id) => pick(
                zh,
                format!("问题 {id} 已经上报过了。"),
                format!("Finding {id} was already reported by another change."),
            ),
            Error::PatrolExists(id) => {
                pick(zh, format!("巡查 {id} 已经存在。"), format!("The patrol {id} already exists."))
            }
            Error::UnitRequired => pick(
                zh,
                "联络员须指定所属责任单位（--unit 单位编码）。".into(),
                "A unit liaison needs a responsible unit (--unit CODE).".into(),
            ),
            Error::UnitNotForRole { role, unit } => pick(
                zh,
                format!("{}不属于责任单位，不能指定单位 {unit}；只有联络员属于单位。", role_zh(role)),
                format!("{} belongs to no unit, so unit {unit} cannot be given; only a unit liaison does.", role_en(role)),
            ),
            Error::UnknownUnit(code) => pick(
                zh,
                format!("没有编码为 {code} 的责任单位（gridpatrol units list 列出全部单位）。"),
                format!("There is no responsible unit with code {code} (gridpatrol units list shows them)."),
            ),
            Error::UnitData(reason) => {
                pick(zh, format!("责任单位数据有误：{reason}"), format!("The unit data is invalid: {reason}"))
            }
            Error::ReferenceData { part, reason } => pick(
                zh,
                format!("中心端下发的基础数据（{part}）有误，本机未做任何更改：{reason}"),
                format!("The hub's reference data ({part}) is invalid; nothing on this device was changed: {reason}"),
            ),
            Error::NotYourUnit { unit } => pick(
                zh,
                format!("该案件派遣给了 {unit}，不是您所在的单位，您不能处理。"),
                format!("The case is dispatched to {unit}, not to your unit; you cannot act on it."),
            ),
            Error::DispatchNeedsUnit => pick(
                zh,
                "派遣须指定责任单位（--unit），其他操作不能指定单位。".into(),
                "A dispatch names the responsible unit (--unit); no other move does.".into(),
            ),
            Error::AfterPhotoRequired => pick(
                zh,
                "标为“已整改”或当场处置须至少附一张整改后照片。".into(),
                "Reporting a case rectified, or solved on the spot, needs at least one after photo.".into(),
            ),
            Error::BeforePhotoRequired => pick(
                zh,
                "当场处置须至少附一张整改前照片。".into(),
                "A case solved on the spot needs at least one before photo.".into(),
            ),
            Error::AfterPhotosOnlyOnTheSpot => pick(
                zh,
                "上报问题时只能附整改前照片；整改后照片用于当场处置（--on-the-spot）或标为已整改时。".into(),
                "A new finding carries before photos only; after photos come with a case solved on the spot (--on-the-spot) or with the move to rectified.".into(),
            ),
            Error::DeferralTooEarly { until, due } => pick(
                zh,
                format!("延期至 {until} 不晚于当前的整改时限 {due}，延期须晚于原时限。"),
                format!("A deferral until {until} is not after the current due time {due}; it must be later."),
            ),
            Error::DeferralPending => pick(
                zh,
                "已有延期申请等待组长审批，不能重复申请。".into(),
                "A deferral request is already waiting for the lead's decision.".into(),
            ),
            Error::NoDeferralPending => pick(
                zh,
                "该案件没有待审批的延期申请。".into(),
                "The case has no deferral request waiting for a decision.".into(),
            ),
            Error::StepNotAllowed { role, step, status } => pick(
                zh,
                format!("{}不能对“{}”的案件{}。", role_zh(role), status_zh(status), step_zh(step)),
                format!("{} may not {} a case that is {status}.", role_en(role), step_en(step)),
            ),
            Error::UnknownPatrol(id) => {
                pick(zh, format!("没有你的编号为 {id} 的巡查。"), format!("There is no patrol of yours with id {id}."))
            }
            Error::StoreDamaged { detail } => pick(
                zh,
                "本机数据库文件已损坏。为免损坏扩大，本机只能查看、不能再记录。请关闭网格巡查，把数据目录整个复制一份留存，然后用备份的数据目录副本替换它；已同步的记录可在新的数据目录中登录中心端后重新同步取回。".to_string(),
                format!("The store's database file is damaged (SQLite reports: {detail}). To keep the damage from spreading, this device can show but no longer record. Close Grid Patrol, copy the whole data folder aside, then put a backup copy of the data folder in its place; what was synced can be pulled again from the hub into a new data folder after signing in."),
            ),
            Error::StoreEmpty => pick(
                zh,
                "本机数据库文件是空的（0 字节），可能是磁盘故障或复制中断所致；为免覆盖仍在的照片和备份，不会在其上新建数据。请从备份恢复 gridpatrol.db（连同 gridpatrol.db-wal），或把数据目录移走后再运行 init，并登录中心端重新同步已同步的记录。".into(),
                "The store's database file is empty (0 bytes), perhaps after a disk fault or an interrupted copy; no new store is made over it, so the photos and backups still there are kept. Restore gridpatrol.db (with gridpatrol.db-wal) from a backup, or move the data folder aside and run init again, then sign in to the hub to pull back what was synced.".into(),
            ),
            Error::StoreMissing => pick(
                zh,
                "数据目录中有照片，却没有数据库文件；为免丢失这些照片对应的记录，不会在此新建数据。请从备份恢复 gridpatrol.db，或换一个空的数据目录再运行 init。".into(),
                "The data folder holds photos but no database file; no new store is made here, so the records those photos belong to are not lost for good. Restore gridpatrol.db from a backup, or run init with another, empty data folder.".into(),
            ),
            Error::StoreRolledBack { expected, found } => pick(
                zh,
                format!("本机数据库比这个数据目录上次关闭时旧：最新事件序号为 {found}，上次关闭时为 {expected}。很可能数据库是在没有 gridpatrol.db-wal 文件的情况下复制或恢复的，最近的记录不在其中。本机只能查看、不能记录。请把 gridpatrol.db-wal 与 gridpatrol.db 一起放回，或从备份恢复；如确认接受这一损失，运行 gridpatrol store accept。"),
                format!("The database is older than this data folder was when last closed: its newest event is number {found}, it was {expected}. Most likely it was copied or restored without its gridpatrol.db-wal file, and the newest records are not in it. This device can show but not record. Put gridpatrol.db-wal back beside gridpatrol.db, or restore a backup; to accept the loss, run gridpatrol store accept."),
            ),
            Error::StoreReadOnly { detail } => pick(
                zh,
                "本机数据目录是只读的（没有写入权限，或所在磁盘以只读方式挂载），只能查看，不能记录或修改。请检查数据目录的权限或挂载方式（或换一个可写的数据目录）后重试。".to_string(),
                format!("The data folder is read-only ({detail}): you can look, but not record or change anything. Check the folder's permissions or how its disk is mounted (or use a writable data folder), then try again."),
            ),
            Error::StoreBusy { detail } => pick(
                zh,
                "另一个程序（网格巡查应用或命令行）长时间占用本机数据，等待 30 秒后仍未轮到，未做任何更改。请稍后重试；如一直如此，请关闭其他正在运行的网格巡查程序。".to_string(),
                format!("Another program (the Grid Patrol app or command line) kept the store busy for too long; nothing was changed ({detail}). Try again in a moment; if it persists, close the other Grid Patrol programs."),
            ),
            Error::DiskFull { detail } => pick(
                zh,
                "磁盘已满，未做任何更改。请删除不需要的文件腾出空间后重试。".to_string(),
                format!("The disk is full; nothing was changed ({detail}). Free some space by removing files you do not need, then try again."),
            ),
            Error::StoreKeyWrong => pick(
                zh,
                "口令（或密钥环中的密钥）打不开本机数据库，未做任何更改。请检查口令后重试；如果数据库是在另一台电脑或另一个用户账户下用密钥环加密的，需要在那里打开它。".into(),
                "The passphrase (or the key in the keyring) does not open this device's store; nothing was changed. Check the passphrase and try again; a store encrypted with a keyring's key on another computer or user account opens only there.".into(),
            ),
            Error::StoreKeyUnusable => pick(
                zh,
                "系统密钥环中保存的本机数据库密钥不是 256 位密钥，可能已被改动，未做任何更改。请从密钥环中恢复原来的条目（服务名 org.gridpatrol.desktop）。".into(),
                "The store's key kept in the system keyring is not a 256-bit key and may have been changed; nothing was changed. Restore the keyring's original entry (service org.gridpatrol.desktop).".into(),
            ),
            Error::PassphraseTooShort { min } => pick(
                zh,
                format!("口令至少要有 {min} 个字符，并且只能是一行，未做任何更改。"),
                format!("A passphrase needs at least {min} characters on one line; nothing was changed."),
            ),
            Error::PassphraseNeeded => pick(
                zh,
                "本机数据库已加密，但没有系统密钥环可用，也没有给出口令。请在提示时输入口令，或为脚本设置 GRIDPATROL_PASSPHRASE 环境变量（或使用 --passphrase-stdin）。".into(),
                "This device's store is encrypted, no system keyring answers and no passphrase was given. Type the passphrase when asked, or for a script set GRIDPATROL_PASSPHRASE (or use --passphrase-stdin).".into(),
            ),
            Error::PassphrasesDiffer => pick(
                zh,
                "两次输入的口令不一致，未做任何更改。".into(),
                "The two passphrases typed differ; nothing was changed.".into(),
            ),
            Error::ClockBehind { now, newest } => pick(
                zh,
                format!("本机时钟（{now}）早于本机已有的最新记录时间（{newest}），时钟可能被调回或有误，因此不予记录，以免记录时间颠倒。请在系统设置中把日期和时间改正（建议开启自动校时）后重试。"),
                format!("This device's clock ({now}) is earlier than the newest record it holds ({newest}); the clock was probably set back or is wrong, so nothing is recorded (records would go back in time). Correct the date and time in the system settings (automatic time is best), then try again."),
            ),
            Error::ClockAhead { now, hub } => pick(
                zh,
                format!("本机时钟（{now}）远远晚于中心端上次回答的时间（{hub}），时钟很可能有误，因此不予记录，以免产生错误的期限。请在系统设置中改正日期和时间；如果时钟无误，请先与中心端同步一次后再记录。"),
                format!("This device's clock ({now}) is far ahead of the hub's last answer ({hub}); the clock is probably wrong, so nothing is recorded (deadlines would be wrong). Correct the date and time in the system settings; if the clock is right, sync with the hub once, then record."),
            ),
            Error::ImportTooLarge { bytes, max } => pick(
                zh,
                format!("导入被拒绝，未写入任何数据：文件有 {}，超过导入文件 {} 的上限。请把网格登记拆成几个文件分别导入，或先在 GIS 软件中简化边界。", mib(*bytes), mib(*max)),
                format!("Import refused, nothing was written: the file is {}, over the {} limit for an import file. Split the registry into several files and import each, or simplify the boundaries in a GIS tool first.", mib(*bytes), mib(*max)),
            ),
            Error::ImportUnreadable { name, detail } => pick(
                zh,
                format!("导入被拒绝，未写入任何数据：无法读取文件 {name}（文件不存在、没有读取权限或不是普通文件）。请检查文件路径和权限后重试。"),
                format!("Import refused, nothing was written: cannot read the file {name} ({detail}). Check the path and permissions, then try again."),
            ),
            Error::Db(_) => pick(
                zh,
                format!("数据存储出错，未做任何更改（{}）。请重试；如仍出错，请关闭网格巡查后运行 gridpatrol store check 检查数据。", db_detail_zh(self)),
                format!("A storage error occurred; nothing was changed ({self}). Try again; if it persists, close Grid Patrol and run gridpatrol store check."),
            ),
            Error::Io(_) => pick(
                zh,
                format!("文件读写出错，未做任何更改（{}）。请检查数据目录是否可写、磁盘是否正常后重试。", io_detail_zh(self)),
                format!("A file error occurred; nothing was changed ({self}). Check that the data folder is writable and the disk is healthy, then try again."),
            ),
        }
    }
}

/// An unexpected storage error, named for a Chinese reader by SQLite's error number.
fn db_detail_zh(e: &Error) -> String {
    match e {
        Error::Db(rusqlite::Error::SqliteFailure(f, _)) => format!("SQLite 错误代码 {}", f.extended_code),
        Error::Db(rusqlite::Error::QueryReturnedNoRows) => "找不到要读的记录".into(),
        Error::Db(rusqlite::Error::FromSqlConversionFailure(..)) => "已存数据的格式不对".into(),
        _ => "内部存储错误".into(),
    }
}

/// An unexpected file error, named for a Chinese reader by its kind.
fn io_detail_zh(e: &Error) -> String {
    use std::io::ErrorKind::*;
    match e {
        Error::Io(io) => match io.kind() {
            NotFound => "找不到文件".into(),
            PermissionDenied => "没有权限".into(),
            AlreadyExists => "文件已存在".into(),
            InvalidData => "文件内容无效".into(),
            _ => match io.raw_os_error() {
                Some(n) => format!("系统错误代码 {n}"),
                None => "文件读写失败".into(),
            },
        },
        _ => "文件读写失败".into(),
    }
}

/// Where serde_json says a JSON text went wrong ("… at line 3 column 7"), told in Chinese.
fn json_place_zh(detail: &str) -> String {
    let place = detail.rsplit_once(" at line ").and_then(|(_, rest)| {
        let (line, column) = rest.split_once(" column ")?;
        Some((line.trim().parse::<u64>().ok()?, column.trim().parse::<u64>().ok()?))
    });
    match place {
        Some((line, column)) => format!("（第 {line} 行第 {column} 列附近）"),
        None => String::new(),
    }
}

fn pick(zh: bool, zh_text: String, en_text: String) -> String {
    if zh {
        zh_text
    } else {
        en_text
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "description" => "问题描述",
        "category" => "问题类别",
        "address" => "地址",
        "note" => "备注",
        "name" => "姓名",
        "urgency" => "紧急程度",
        "status" => "状态",
        "role" => "角色",
        "kind" => "巡查类型",
        "notes" => "巡查备注",
        "responsible_unit" => "责任单位",
        "grid" => "网格",
        "reply" => "回复",
        "comment" => "审核意见",
        "large_grid" => "大网格",
        "weeks" => "周数",
        "device" => "设备名称",
        "grids" => "网格",
        _ => "字段",
    }
}

fn field_en(field: &str) -> &'static str {
    match field {
        "description" => "description",
        "category" => "category",
        "address" => "address",
        "note" => "note",
        "name" => "name",
        "urgency" => "urgency",
        "status" => "status",
        "role" => "role",
        "kind" => "patrol kind",
        "notes" => "patrol notes",
        "responsible_unit" => "responsible unit",
        "grid" => "grid",
        "reply" => "reply",
        "comment" => "review comment",
        "large_grid" => "large grid",
        "weeks" => "number of weeks",
        "device" => "device name",
        "grids" => "grids",
        _ => "field",
    }
}

/// The Chinese names of statuses, shared with [`crate::lifecycle::Status::label`].
pub(crate) fn status_zh(status: &str) -> &str {
    crate::lifecycle::Status::parse(status).map(|s| s.label(Lang::Zh)).unwrap_or(status)
}

fn role_en(role: &str) -> &'static str {
    match role {
        "officer" => "An officer",
        "lead" => "A team lead",
        "admin" => "An administrator",
        "liaison" => "A unit liaison",
        _ => "This role",
    }
}

fn role_zh(role: &str) -> &str {
    crate::model::Role::parse(role).map(|r| r.label(Lang::Zh)).unwrap_or(role)
}

fn step_zh(step: &str) -> &str {
    match step {
        "request_deferral" => "申请延期",
        "decide_deferral" => "审批延期",
        other => other,
    }
}

fn step_en(step: &str) -> &str {
    match step {
        "request_deferral" => "ask to defer",
        "decide_deferral" => "decide a deferral of",
        other => other,
    }
}

fn review_zh(state: &str) -> &str {
    match state {
        "none" => "未提交",
        "submitted" => "待审核",
        "approved" => "已通过",
        "returned" => "已退回",
        other => other,
    }
}

fn review_en(state: &str) -> &str {
    match state {
        "none" => "not submitted",
        other => other,
    }
}
