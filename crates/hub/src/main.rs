//! `gridpatrol-hub`: the hub's command line — create a data folder, administer users and
//! reference data (every change in the audit trail, [`gridpatrol_hub::admin`]), back up and
//! restore, serve.
//!
//! Glue only; the API is [`gridpatrol_hub::app`], served by [`gridpatrol_hub::serve`]. The real
//! clock lives here. An error is one sentence on stderr and exit code 1 (2 for a malformed command
//! line). The administration commands work on the data folder while the hub serves it (SQLite WAL):
//! a revoked session is refused from its next request.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use gridpatrol_core::clock::{Clock, SystemClock};
use gridpatrol_core::model::Role;
use gridpatrol_hub::admin::{os_user, Admin};
use gridpatrol_hub::backup::Method;
use gridpatrol_hub::{AppState, HubError, HubStore, Limits, SqliteStore};

#[derive(Debug, Parser)]
#[command(name = "gridpatrol-hub", version, about = "网格巡查中心端 Grid Patrol hub")]
struct Cli {
    /// The hub's data folder (database, reference registry, photos).
    #[arg(long, env = "GRIDPATROL_HUB_DATA_DIR", value_name = "DIR")]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the data folder; --sample loads the SAMPLE registry and sample users.
    Init {
        #[arg(long)]
        sample: bool,
    },
    /// Write four weeks of SAMPLE activity (示例数据) into a hub made by `init --sample` that holds
    /// no events yet: patrols, findings in every state, units at work, deferrals, weekly logs and
    /// reviews, each made and judged through the hub's own rules at the sample city's clock.
    Sample {
        /// The same seed (and the same current week) gives the same city.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How many ISO weeks, the last being the current one (1 to 8).
        #[arg(long, default_value_t = 4)]
        weeks: u32,
        /// When the sample history ends (default: now); a date (midnight UTC) or an RFC 3339 time,
        /// not in the future.
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// Device tokens (`user revoke` does the same).
    #[command(subcommand, hide = true)]
    Token(TokenCommand),
    /// Import reference data, checked whole: a bad row refuses the file and nothing changes.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Back up the data folder (database, reference data, photos) into DIR, new or empty, while the
    /// hub serves.
    Backup {
        dir: PathBuf,
        /// backup-api (SQLite's online backup, in steps) or vacuum-into.
        #[arg(long, default_value = "backup-api", value_name = "backup-api|vacuum-into")]
        method: String,
        /// Database pages (4 KiB) copied per step (backup-api).
        #[arg(long, default_value_t = 256)]
        pages_per_step: i32,
        /// Milliseconds to pause between steps, leaving the disk to the hub (backup-api).
        #[arg(long, default_value_t = 2)]
        pause_ms: u64,
    },
    /// Restore the backup DIR into --data-dir, which must be new or empty; the backup is checked
    /// whole first (integrity, every photo with its hash).
    Restore {
        dir: PathBuf,
        /// Only check the backup; write nothing.
        #[arg(long)]
        check: bool,
    },
    /// The audit trail of administrative changes, oldest first.
    Audit {
        #[arg(long)]
        json: bool,
        /// Only changes at or after this time (2026-12-01 or an RFC 3339 time, UTC).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
    },
    /// Serve the API (SIGTERM or Ctrl+C stops it gracefully).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: String,
        /// Largest photo accepted, in MB.
        #[arg(long, default_value_t = 20)]
        photo_max_mb: u64,
        /// The most bytes of unfinished photo uploads one user may hold, in MB.
        #[arg(long, default_value_t = 64)]
        partial_quota_mb: u64,
        /// Unfinished photo uploads untouched for this many hours are removed.
        #[arg(long, default_value_t = 48)]
        partial_max_age_hours: u64,
        /// A device token unused for this many days is refused; the device signs in again.
        #[arg(long, default_value_t = 30)]
        token_idle_days: u32,
        /// Failed sign-ins allowed in a row from one address (then one more every 2 s).
        #[arg(long, default_value_t = 50)]
        sign_in_address_burst: u32,
        /// Take the client's address from X-Forwarded-For: only behind a reverse proxy you run.
        #[arg(long)]
        trust_forwarded_for: bool,
        /// Seconds a connection may take to send a request's headers.
        #[arg(long, default_value_t = 10)]
        header_timeout_secs: u64,
        /// Seconds a request body may go without sending a byte.
        #[arg(long, default_value_t = 30)]
        body_timeout_secs: u64,
        /// Serve HTTPS with this certificate chain (PEM: the hub's certificate, then intermediates).
        #[arg(long, value_name = "FILE", requires = "tls_key", env = "GRIDPATROL_HUB_TLS_CERT")]
        tls_cert: Option<PathBuf>,
        /// The private key of --tls-cert (PEM).
        #[arg(long, value_name = "FILE", requires = "tls_cert", env = "GRIDPATROL_HUB_TLS_KEY")]
        tls_key: Option<PathBuf>,
        /// A file whose first line is a token that may read /metrics from anywhere (Bearer);
        /// without it /metrics answers on loopback only.
        #[arg(long, value_name = "FILE", env = "GRIDPATROL_HUB_METRICS_TOKEN_FILE")]
        metrics_token_file: Option<PathBuf>,
        /// Log lines on standard error: plain or json. Levels: GRIDPATROL_LOG (default info).
        #[arg(long, value_name = "plain|json", default_value = "plain", env = "GRIDPATROL_LOG_FORMAT")]
        log_format: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password is asked at the terminal, or read from standard input.
    Add {
        name: String,
        #[arg(long, value_name = "officer|lead|admin|liaison")]
        role: String,
        /// Grid codes: an officer's small grids, a lead's large grid (none for an administrator or
        /// a liaison).
        #[arg(long, value_delimiter = ',', value_name = "CODE,CODE")]
        grids: Vec<String>,
        /// A liaison's responsible unit (its code, from the hub's units); refused for other roles.
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// Read the password from the first line of standard input (no prompt).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the users: name, role, grids, state.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: their devices and sign-ins are refused from the next request; data is kept.
    Disable { name: String },
    /// Enable a disabled user again.
    Enable { name: String },
    /// Change a user's role; their grids (or --grids) are checked against the new role's level.
    Role {
        name: String,
        #[arg(value_name = "officer|lead|admin|liaison")]
        role: String,
        #[arg(long, value_delimiter = ',', value_name = "CODE,CODE")]
        grids: Option<Vec<String>>,
        /// The responsible unit, when the new role is liaison (refused for other roles).
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
    },
    /// Give a user other grids (checked against their role's level).
    Grids {
        name: String,
        #[arg(value_delimiter = ',', value_name = "CODE,CODE", required = true)]
        grids: Vec<String>,
    },
    /// Reset a user's password (asked at the terminal, or read from standard input); every token
    /// they hold is revoked.
    Password {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List a user's sessions (one per device sign-in): id, device, signed in, last used, state.
    Sessions {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a user's device tokens: all of them, or one session with --session.
    Revoke {
        name: String,
        /// The session id (or its first 6+ characters) as `user sessions` lists it.
        #[arg(long, alias = "device", value_name = "ID")]
        session: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// The same as `user revoke` (kept for scripts written before it).
    Revoke {
        user: String,
        #[arg(long, value_name = "ID")]
        device: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// A grid registry (GeoJSON, or CSV by its extension); a serving hub uses it from its next request.
    Registry { file: PathBuf },
    /// A category tree (the bundled JSON format), checked whole.
    Categories { file: PathBuf },
    /// A holiday table (the format of data/holidays-2026.json).
    Holidays { file: PathBuf },
    /// The responsible units (the format of data/units.json).
    Units { file: PathBuf },
}

/// The sample users `init --sample` creates, with the passwords the README gives.
pub const SAMPLE_USERS: &[(&str, Role, &[&str], &str)] = &[
    ("admin", Role::Admin, &[], "admin-sample"),
    ("王建国", Role::Lead, &["371602001"], "lead-sample"),
    ("李明", Role::Officer, &["37160200100101", "37160200100102"], "officer-sample"),
    ("张丽", Role::Officer, &["37160200100101"], "officer-sample"),
];

/// The sample city's unit liaisons: name, the sample unit's code (data/units.json), password.
pub const SAMPLE_LIAISONS: &[(&str, &str, &str)] = &[("周联络", "WATER", "liaison-sample")];

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let body = e.body();
            // Both languages: whoever administers the hub may read either.
            let message = match (body.code.as_str(), e.message_zh()) {
                ("internal", _) => e.to_string(),
                (_, Some(zh)) if zh != body.message => format!("{zh} / {}", body.message),
                _ => body.message,
            };
            eprintln!("gridpatrol-hub: {message} ({})", body.code);
            ExitCode::from(1)
        }
    }
}

/// Reads a password: from the first line of standard input when asked to or when it is not a
/// terminal, else from a prompt at the terminal without echo, typed twice. Never from an argument,
/// which every user of the machine could read in `ps`.
fn read_password(from_stdin: bool) -> Result<String, HubError> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if from_stdin || !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    let first = prompt("新密码 New password: ")?;
    let second = prompt("再输入一次 Again: ")?;
    if first != second {
        return Err(HubError::refused(
            "passwords_differ",
            "密码：两次输入不一致，未做任何更改。",
            "password: the two entries differ; nothing changed.",
        ));
    }
    Ok(first)
}

/// One line from the terminal with echo off (restored however the read ends).
fn prompt(label: &str) -> Result<String, HubError> {
    eprint!("{label}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    #[cfg(target_os = "linux")]
    {
        // SAFETY: termios is plain data; the calls only read and set fd 0's terminal attributes.
        unsafe {
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut saved) == 0 {
                let mut quiet = saved;
                quiet.c_lflag &= !libc::ECHO;
                libc::tcsetattr(0, libc::TCSANOW, &quiet);
                let read = std::io::stdin().lock().read_line(&mut line);
                libc::tcsetattr(0, libc::TCSANOW, &saved);
                eprintln!();
                read?;
                return Ok(line.trim_end_matches(['\n', '\r']).to_string());
            }
        }
    }
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// The metrics token: the first line of `file`, at least 16 characters (a token anyone could guess
/// protects nothing).
fn read_metrics_token(file: &std::path::Path) -> Result<String, HubError> {
    let shown = file.display();
    let text = std::fs::read_to_string(file).map_err(|e| {
        HubError::refused(
            "invalid_value",
            format!("--metrics-token-file {shown}：无法读取（{e}），未启动服务。"),
            format!("--metrics-token-file {shown}: the file cannot be read ({e}); nothing was started."),
        )
    })?;
    let token = text.lines().next().unwrap_or("").trim().to_string();
    if token.chars().count() < 16 {
        return Err(HubError::refused(
            "invalid_value",
            format!("--metrics-token-file {shown}：第一行的令牌至少 16 个字符，未启动服务。"),
            format!("--metrics-token-file {shown}: the token on its first line must be at least 16 characters; nothing was started."),
        ));
    }
    Ok(token)
}

/// `--since`: a date (midnight UTC) or an RFC 3339 time.
fn parse_since(text: &str) -> Result<DateTime<Utc>, HubError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    Err(HubError::refused(
        "invalid_since",
        format!("--since：{} 不是日期（2026-12-01）或 RFC 3339 时间。", gridpatrol_core::validate::clip(text)),
        format!("--since: {} is not a date (2026-12-01) or an RFC 3339 time.", gridpatrol_core::validate::clip(text)),
    ))
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), HubError> {
    println!("{}", serde_json::to_string_pretty(value).map_err(|e| HubError::Internal(e.to_string()))?);
    Ok(())
}

fn user_command(store: &SqliteStore, admin: &Admin<'_>, command: UserCommand) -> Result<(), HubError> {
    match command {
        UserCommand::Add { name, role, grids, unit, password_stdin } => {
            let role = Role::parse_field(&role)?;
            // Checked before the password is asked for: a typo costs no typing.
            store.check_assignment(role, &grids.iter().map(|g| g.trim().to_string()).collect::<Vec<_>>())?;
            store.check_user_unit(role, unit.as_deref())?;
            let password = read_password(password_stdin)?;
            admin.add_user(&name, role, &grids, unit.as_deref(), &password)?;
            println!("user {name} added ({})", role.as_str());
        }
        UserCommand::List { json } => {
            let users = admin.users()?;
            if json {
                print_json(&users)?;
            } else {
                for u in users {
                    let state = u.disabled_at.as_ref().map_or("active".to_string(), |at| format!("disabled {at}"));
                    println!("{:<16}  {:<8}  {:<40}  {state}", u.name, u.role, u.grids.join(","));
                }
            }
        }
        UserCommand::Disable { name } => {
            admin.disable(&name)?;
            println!("user {name} disabled: their devices and sign-ins are refused");
        }
        UserCommand::Enable { name } => {
            admin.enable(&name)?;
            println!("user {name} enabled");
        }
        UserCommand::Role { name, role, grids, unit } => {
            let role = Role::parse_field(&role)?;
            admin.set_role(&name, role, grids.as_deref(), unit.as_deref())?;
            println!("user {name} is now {}", role.as_str());
        }
        UserCommand::Grids { name, grids } => {
            admin.set_grids(&name, &grids)?;
            println!("user {name} now has grids {}", grids.join(","));
        }
        UserCommand::Password { name, password_stdin } => {
            if store.user(&name)?.is_none() {
                return Err(HubError::UnknownUser(gridpatrol_core::validate::clip(&name)));
            }
            let password = read_password(password_stdin)?;
            let n = admin.reset_password(&name, &password)?;
            println!("password of {name} reset; {n} token(s) revoked");
        }
        UserCommand::Sessions { name, json } => {
            let sessions = store.sessions(&name)?;
            if json {
                print_json(&sessions)?;
            } else if sessions.is_empty() {
                println!("{name} has no sessions");
            } else {
                println!("{:<12}  {:<24}  {:<24}  {:<24}  state", "id", "device", "signed in", "last used");
                for s in sessions {
                    let state = match &s.revoked_at {
                        Some(at) => format!("revoked {at}"),
                        None => "active (unless idle too long)".into(),
                    };
                    println!("{:<12}  {:<24}  {:<24}  {:<24}  {state}", s.id, s.device, s.created_at, s.last_used_at);
                }
            }
        }
        UserCommand::Revoke { name, session } => {
            let n = admin.revoke(&name, session.as_deref())?;
            match session {
                None => println!("revoked {n} token(s) of {name}"),
                Some(id) => println!("revoked {n} token(s) of {name} (session {id})"),
            }
        }
    }
    Ok(())
}

fn run(cli: Cli) -> Result<(), HubError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let dir = cli.data_dir;
    match cli.command {
        Command::Init { sample } => {
            let store = SqliteStore::init(&dir, clock, sample)?;
            println!("hub data folder ready: {}", dir.display());
            if sample {
                let admin = Admin::new(&store, os_user());
                for (name, role, grids, password) in SAMPLE_USERS {
                    if store.user(name)?.is_none() {
                        let grids: Vec<String> = grids.iter().map(|g| g.to_string()).collect();
                        admin.add_user(name, *role, &grids, None, password)?;
                        println!("sample user {name} ({}) password {password}", role.as_str());
                    }
                }
                for (name, unit, password) in SAMPLE_LIAISONS {
                    if store.user(name)?.is_none() {
                        admin.add_user(name, Role::Liaison, &[], Some(unit), password)?;
                        println!("sample user {name} (liaison of {unit}) password {password}");
                    }
                }
            }
        }
        Command::Sample { seed, weeks, until, json } => {
            let real_now = clock.now();
            let now = match until.as_deref().map(parse_since).transpose()? {
                Some(t) if t > real_now => {
                    return Err(HubError::refused(
                        "invalid_value",
                        "--until：示例历史不能结束在未来。",
                        "--until: the sample history cannot end in the future.",
                    ))
                }
                Some(t) => t,
                None => real_now,
            };
            let config = gridpatrol_hub::sample::SampleConfig { seed, weeks, now };
            let summary = gridpatrol_hub::sample::write(&dir, &config, &os_user())?;
            if json {
                print_json(&summary)?;
            } else {
                println!(
                    "示例数据 SAMPLE city written ({}): {} patrol(s), {} finding(s) {:?}, {} deferral request(s), {} weekly log(s) submitted ({} returned), {} photo(s), {} event(s)",
                    summary.weeks.join(" … "),
                    summary.patrols,
                    summary.findings,
                    summary.statuses,
                    summary.deferrals_asked,
                    summary.logs_submitted,
                    summary.logs_returned,
                    summary.photos,
                    summary.events
                );
                println!(
                    "sample officers added: {} (password {})",
                    gridpatrol_hub::sample::EXTRA_OFFICERS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
                    gridpatrol_hub::sample::EXTRA_PASSWORD
                );
            }
        }
        Command::User(command) => {
            let store = SqliteStore::open(&dir, clock)?;
            let admin = Admin::new(&store, os_user());
            user_command(&store, &admin, command)?;
        }
        Command::Token(TokenCommand::Revoke { user, device }) => {
            let store = SqliteStore::open(&dir, clock)?;
            let admin = Admin::new(&store, os_user());
            user_command(&store, &admin, UserCommand::Revoke { name: user, session: device })?;
        }
        Command::Import(command) => {
            let store = SqliteStore::open(&dir, clock)?;
            let admin = Admin::new(&store, os_user());
            match command {
                ImportCommand::Registry { file } => {
                    let s = admin.import_registry(&file)?;
                    println!(
                        "registry imported: {} large, {} small grid(s), {} updated; a serving hub uses it from its next request",
                        s.large, s.small, s.updated
                    );
                }
                ImportCommand::Categories { file } => {
                    let n = admin.import_categories(&file)?;
                    println!("category tree imported: {n} minor categories; a serving hub uses it from its next push");
                }
                ImportCommand::Holidays { file } => {
                    let n = admin.import_holidays(&file)?;
                    println!("holiday table imported: {n} day(s) off");
                }
                ImportCommand::Units { file } => {
                    let n = admin.import_units(&file)?;
                    println!("units imported: {n} unit(s)");
                }
            }
        }
        Command::Backup { dir: dest, method, pages_per_step, pause_ms } => {
            let method = match method.as_str() {
                "backup-api" => {
                    Method::Steps { pages: pages_per_step, pause: Duration::from_millis(pause_ms), sync: true }
                }
                "vacuum-into" => Method::VacuumInto,
                other => {
                    return Err(HubError::refused(
                        "invalid_value",
                        format!(
                            "--method：{} 无效（backup-api 或 vacuum-into）。",
                            gridpatrol_core::validate::clip(other)
                        ),
                        format!(
                            "--method: {} is not a method (backup-api or vacuum-into).",
                            gridpatrol_core::validate::clip(other)
                        ),
                    ))
                }
            };
            let report = gridpatrol_hub::backup::backup(&dir, &dest, method)?;
            let m = &report.manifest;
            println!(
                "backup written to {}: {} event(s) up to hub_seq {}, {} photo(s), database {} bytes, in {:.1} s",
                dest.display(),
                m.events,
                m.last_hub_seq,
                m.photos.len(),
                m.database_bytes,
                report.took.as_secs_f64()
            );
        }
        Command::Restore { dir: from, check } => {
            if check {
                let m = gridpatrol_hub::backup::verify(&from)?;
                println!(
                    "backup {} is whole: {} event(s), {} photo(s), taken {}",
                    from.display(),
                    m.events,
                    m.photos.len(),
                    m.created_at
                );
            } else {
                let (m, epoch) = gridpatrol_hub::backup::restore(&from, &dir, &os_user())?;
                println!(
                    "restored {} into {}: {} event(s), {} photo(s); new epoch {epoch} (devices push again what the backup missed)",
                    from.display(),
                    dir.display(),
                    m.events,
                    m.photos.len()
                );
            }
        }
        Command::Audit { json, since } => {
            let since = since.as_deref().map(parse_since).transpose()?;
            let store = SqliteStore::open(&dir, clock)?;
            let entries = Admin::new(&store, os_user()).audit(since)?;
            if json {
                print_json(&entries)?;
            } else {
                for e in entries {
                    let show = |v: &Option<serde_json::Value>| v.as_ref().map_or("-".into(), |v| v.to_string());
                    println!(
                        "{}  {}  {}  {}  before {}  after {}",
                        e.at,
                        e.os_user,
                        e.action,
                        e.target,
                        show(&e.before),
                        show(&e.after)
                    );
                }
            }
        }
        Command::Serve {
            listen,
            photo_max_mb,
            partial_quota_mb,
            partial_max_age_hours,
            token_idle_days,
            sign_in_address_burst,
            trust_forwarded_for,
            header_timeout_secs,
            body_timeout_secs,
            tls_cert,
            tls_key,
            metrics_token_file,
            log_format,
        } => {
            let format: gridpatrol_hub::logging::Format = log_format.parse()?;
            gridpatrol_hub::logging::init(format, &std::env::var("GRIDPATROL_LOG").unwrap_or_else(|_| "info".into()))?;
            // Both files are read and checked before anything starts: a bad one names itself.
            let tls = match (&tls_cert, &tls_key) {
                (Some(cert), Some(key)) => Some(gridpatrol_hub::tls::server_config(cert, key)?),
                _ => None,
            };
            let metrics_token = metrics_token_file.as_deref().map(read_metrics_token).transpose()?;
            let limits = Limits {
                max_photo_bytes: photo_max_mb * 1024 * 1024,
                partial_quota: partial_quota_mb * 1024 * 1024,
                partial_max_age: Duration::from_secs(partial_max_age_hours * 3600),
                token_idle: chrono::Duration::days(i64::from(token_idle_days)),
                sign_in_address_burst,
                trust_forwarded_for,
                header_timeout: Duration::from_secs(header_timeout_secs.max(1)),
                body_timeout: Duration::from_secs(body_timeout_secs.max(1)),
                ..Limits::default()
            };
            let mut state = AppState::open(&dir, clock, limits.clone())?;
            state.metrics = Arc::new(gridpatrol_hub::metrics::Metrics::new(metrics_token));
            // Abandoned partial uploads from before a restart go first (then every hour while serving).
            let swept = state.photos.sweep(limits.partial_max_age, std::time::SystemTime::now())?;
            if swept > 0 {
                tracing::info!(removed = swept, "abandoned partial uploads removed");
            }
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async move {
                let stop = gridpatrol_hub::serve::stop_signal()?;
                let listener = tokio::net::TcpListener::bind(&listen).await?;
                let scheme = if tls.is_some() { "https" } else { "http" };
                let address = listener.local_addr()?;
                // The address actually bound (port 0 picks a free one): tests read this line.
                println!("gridpatrol-hub listening on {scheme}://{address}");
                tracing::info!(
                    %address,
                    scheme,
                    version = env!("CARGO_PKG_VERSION"),
                    metrics_token = state.metrics.has_token(),
                    "serving"
                );
                gridpatrol_hub::serve::serve(listener, state, tls, stop).await
            })?;
            tracing::info!("stopped");
        }
    }
    Ok(())
}
