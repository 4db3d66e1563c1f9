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
    Import { location: String, reason: String },
    #[error("import refused: {0}")]
    ImportFormat(String),
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
    #[error("storage error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
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
                format!("导入被拒绝，未写入任何数据：{location}：{reason}"),
                format!("Import refused, nothing was written: {location}: {reason}"),
            ),
            Error::ImportFormat(reason) => pick(
                zh,
                format!("导入被拒绝，未写入任何数据：文件格式错误：{reason}"),
                format!("Import refused, nothing was written: malformed file: {reason}"),
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
            Error::UnknownPatrol(id) => {
                pick(zh, format!("没有你的编号为 {id} 的巡查。"), format!("There is no patrol of yours with id {id}."))
            }
            Error::Db(_) => pick(
                zh,
                format!("数据存储出错，未做任何更改（{self}）。"),
                format!("A storage error occurred; nothing was changed ({self})."),
            ),
            Error::Io(_) => pick(
                zh,
                format!("文件读写出错，未做任何更改（{self}）。"),
                format!("A file error occurred; nothing was changed ({self})."),
            ),
        }
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
        "severity" => "严重程度",
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
        "severity" => "severity",
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
        _ => "This role",
    }
}

fn role_zh(role: &str) -> &str {
    crate::model::Role::parse(role).map(|r| r.label(Lang::Zh)).unwrap_or(role)
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
