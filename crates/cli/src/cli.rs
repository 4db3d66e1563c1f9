//! The command line's shape: every command, option and help text (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "gridpatrol",
    version,
    about = "网格巡查 Grid Patrol — 命令行 / the command line",
    long_about = "网格巡查（Grid Patrol）命令行：管理网格库、记录巡查与问题、推进问题闭环。\n\
                  The Grid Patrol command line: grid registry, patrols, findings and their closed loop."
)]
pub struct Cli {
    /// Data folder (default: the desktop app's data folder).
    #[arg(long, global = true, env = "GRIDPATROL_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Read the store's passphrase from the first line of standard input, where no system keyring
    /// answers (scripts; or set GRIDPATROL_PASSPHRASE). Without a keyring and without either, a
    /// terminal prompt asks.
    #[arg(long, global = true)]
    pub passphrase_stdin: bool,
    /// Language of messages: zh (default) or en. Without it, the locale decides.
    #[arg(long, global = true, value_name = "zh|en")]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the store and choose the local user who acts (run again to switch user).
    Init(InitArgs),
    /// The grid registry.
    #[command(subcommand)]
    Grids(GridsCommand),
    /// The category tree.
    #[command(subcommand)]
    Categories(CategoriesCommand),
    /// Patrols.
    #[command(subcommand)]
    Patrol(PatrolCommand),
    /// Findings (recorded problems).
    #[command(subcommand)]
    Finding(FindingCommand),
    /// Device settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The local user, the store's counts and the changes waiting to sync.
    Status(JsonFlag),
    /// Sign in to a hub: the local profile becomes the hub user (password from standard input).
    Login(LoginArgs),
    /// One full sync round with the hub: push everything pending, pull until caught up.
    Sync(JsonFlag),
    /// Reports: the weekly inspection log (周巡查日志).
    #[command(subcommand)]
    Report(ReportCommand),
    /// Responsible units (责任单位): who dispatched cases go to.
    #[command(subcommand)]
    Units(UnitsCommand),
    /// The weekly log's review (周巡查日志审核): an officer submits, a lead approves or returns.
    #[command(subcommand)]
    Log(LogCommand),
    /// The store itself: a full check of the database file, or accepting a restored copy.
    #[command(subcommand)]
    Store(StoreCommand),
}

#[derive(Debug, Subcommand)]
pub enum UnitsCommand {
    /// List the responsible units and the categories each normally handles (a SAMPLE list unless
    /// the city loaded its own).
    List(JsonFlag),
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Submit your weekly log of an ISO week (again after a return, with a reply).
    Submit {
        #[arg(long, value_name = "YYYY-Www")]
        week: String,
        /// Your reply to the lead's comment, when submitting again.
        #[arg(long, default_value = "")]
        reply: String,
        #[arg(long)]
        json: bool,
    },
    /// Approve an officer's submitted weekly log (a lead or administrator).
    Approve {
        #[arg(long, value_name = "NAME")]
        officer: String,
        #[arg(long, value_name = "YYYY-Www")]
        week: String,
        #[arg(long, default_value = "")]
        comment: String,
        #[arg(long)]
        json: bool,
    },
    /// Return an officer's submitted weekly log with a comment saying why.
    Return {
        #[arg(long, value_name = "NAME")]
        officer: String,
        #[arg(long, value_name = "YYYY-Www")]
        week: String,
        #[arg(long)]
        comment: String,
        #[arg(long)]
        json: bool,
    },
}

/// The lead's decision on a deferral request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeferralDecision {
    Approve,
    Refuse,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Check the whole database file (PRAGMA integrity_check); exit 1 when it is damaged.
    Check,
    /// Accept the database as it is after "older than this folder" (a copy restored on purpose).
    Accept,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The weekly inspection logs of one ISO week: every officer's, or one officer's.
    Week(WeekArgs),
}

#[derive(Debug, Args)]
pub struct WeekArgs {
    /// The ISO week in the city's time zone, e.g. 2026-W48.
    #[arg(long, value_name = "YYYY-Www")]
    pub week: String,
    /// Only this officer's log.
    #[arg(long, value_name = "NAME")]
    pub officer: Option<String>,
    /// The week's measures by large grid or by responsible unit instead of the officers' logs.
    #[arg(long, value_enum, value_name = "GROUP", conflicts_with_all = ["officer", "xlsx", "csv"])]
    pub by: Option<WeekGroup>,
    /// Print the list of logs (or groups) as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write an Excel workbook (a summary sheet and one sheet per officer).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// Also write a CSV file (UTF-8 with a BOM).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

/// What `report week --by` groups the measures by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WeekGroup {
    /// Each large grid (大网格): the cases of its small grids.
    LargeGrid,
    /// Each responsible unit (责任单位) the cases were dispatched to.
    Unit,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The hub's address, e.g. https://hub.example.org or http://127.0.0.1:8787.
    #[arg(long, value_name = "URL")]
    pub hub: String,
    #[arg(long, value_name = "NAME")]
    pub user: String,
    /// Read the password from standard input (the only way: never on the command line).
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Load the SAMPLE registry of the reference city (11 large, 239 small grids).
    #[arg(long)]
    pub sample: bool,
    /// The user this device acts as.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// The user's role: officer, lead, admin or liaison.
    #[arg(long, value_name = "officer|lead|admin|liaison", requires = "user")]
    pub role: Option<String>,
    /// A liaison's responsible unit (its code, see `units list`); refused for other roles.
    #[arg(long, value_name = "CODE", requires = "user")]
    pub unit: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum GridsCommand {
    /// List every grid.
    List(JsonFlag),
    /// Import a registry from GeoJSON (.geojson/.json) or CSV (.csv); checked whole before writing.
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CategoriesCommand {
    /// List the category tree: each minor's kind, major, minor, code, names, deadlines and source.
    List(JsonFlag),
    /// Replace the category tree with a city's own, a JSON file in the format of
    /// crates/core/data/categories.json, checked whole first.
    Load {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PatrolCommand {
    /// Start a patrol over one or more small grids.
    Start {
        #[arg(long = "grid", value_name = "CODE", required = true, num_args = 1..)]
        grids: Vec<String>,
        /// An ad hoc patrol outside the weekly rhythm.
        #[arg(long)]
        adhoc: bool,
        #[arg(long, default_value = "")]
        notes: String,
        #[arg(long)]
        json: bool,
    },
    /// End the patrol under way.
    End(JsonFlag),
    /// List patrols, newest first.
    List {
        /// Only the local user's patrols.
        #[arg(long)]
        mine: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FindingCommand {
    /// Record a finding.
    Add(AddArgs),
    /// List findings, most recently observed first.
    List(ListArgs),
    /// Show one finding with its photos.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Move a finding through its lifecycle (rectifying from accepted is 派遣, the dispatch).
    Move {
        id: String,
        /// accepted, rejected, rectifying (dispatch / resume), rectified (handled), rework, closed,
        /// reopened, suspended (缓办), accepted from rectifying (回退, a liaison's return)
        status: String,
        /// The reason or remark (required to reject, send back, reopen, suspend or return).
        #[arg(long, default_value = "")]
        note: String,
        /// An after photo (at least one for a move to rectified); repeat for several.
        #[arg(long = "photo", value_name = "FILE")]
        photos: Vec<PathBuf>,
        /// The responsible unit's code, for a dispatch (default: the category's unit).
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Ask for a deferral of a case dispatched to your unit (a liaison): a later due time and why.
    Defer {
        id: String,
        /// The due time asked for (RFC 3339, or "YYYY-MM-DD HH:MM" in the city's time).
        #[arg(long, value_name = "TIME")]
        until: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Approve or refuse a case's pending deferral request (a lead or administrator).
    Deferral {
        id: String,
        decision: DeferralDecision,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        json: bool,
    },
    /// Every event of a finding.
    History {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The small grid's code (or give --lat/--lon and the point picks the grid).
    #[arg(long, value_name = "CODE")]
    pub grid: Option<String>,
    /// The minor category's 4-digit code.
    #[arg(long, value_name = "CODE")]
    pub category: String,
    #[arg(long)]
    pub description: String,
    #[arg(long, default_value = "")]
    pub address: String,
    #[arg(long, allow_negative_numbers = true)]
    pub lat: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    pub lon: Option<f64>,
    /// A before photo; repeat for several.
    #[arg(long = "photo", value_name = "FILE")]
    pub photos: Vec<PathBuf>,
    /// 当场处置: the problem was solved on the spot; recorded closed at once, with --photo (before)
    /// and --after-photo (after), at least one of each.
    #[arg(long)]
    pub on_the_spot: bool,
    /// An after photo of a case solved on the spot; repeat for several.
    #[arg(long = "after-photo", value_name = "FILE", requires = "on_the_spot")]
    pub after_photos: Vec<PathBuf>,
    /// normal (一般) or urgent (紧急): picks the category's deadline limit.
    #[arg(long, default_value = "normal")]
    pub urgency: String,
    /// When it was seen (RFC 3339, or "YYYY-MM-DD HH:MM" in the city's time); default: the photo's EXIF time, else now.
    #[arg(long, value_name = "TIME")]
    pub observed_at: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_name = "CODE")]
    pub grid: Option<String>,
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only open findings (neither closed nor rejected).
    #[arg(long)]
    pub open: bool,
    #[arg(long, value_name = "CODE")]
    pub category: Option<String>,
    /// Only the cases dispatched to this unit (a liaison's list).
    #[arg(long, value_name = "CODE")]
    pub unit: Option<String>,
    /// Full-text search (Chinese works).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    #[arg(long)]
    pub limit: Option<usize>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show the settings.
    Show(JsonFlag),
    /// Change a setting. Keys: photo-max-mb (a number), patrol-days (e.g. wed,sat or 周三,周六),
    /// holidays (a JSON file in the format of crates/core/data/holidays-2026.json), office-hours
    /// (the periods 工作时 deadlines count in, e.g. 08:30-12:00,13:30-17:30).
    Set { key: String, value: String },
}
