//! `gridpatrol-hub`: the hub's command line — create a data folder, add users, list and revoke
//! their sessions, serve.
//!
//! Glue only; the API is [`gridpatrol_hub::app`], served by [`gridpatrol_hub::serve`]. The real
//! clock lives here. An error is one sentence on stderr and exit code 1 (2 for a malformed command
//! line). The administration commands work on the data folder while the hub serves it (SQLite WAL):
//! a revoked session is refused from its next request.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use gridpatrol_core::clock::Clock;
use gridpatrol_core::model::Role;
use gridpatrol_hub::auth::{self, UserRecord};
use gridpatrol_hub::controllers::session::MAX_NAME_CHARS;
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
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// Device tokens.
    #[command(subcommand)]
    Token(TokenCommand),
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
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
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
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List a user's sessions (one per device sign-in): id, device, signed in, last used, state.
    Sessions {
        name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Revoke a user's device tokens: all of them, or one session with --device.
    Revoke {
        user: String,
        /// The session id (or its first 6+ characters) as `user sessions` lists it.
        #[arg(long, value_name = "ID")]
        device: Option<String>,
    },
}

struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
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
            eprintln!(
                "gridpatrol-hub: {} ({})",
                if body.code == "internal" { e.to_string() } else { body.message },
                body.code
            );
            ExitCode::from(1)
        }
    }
}

/// The longest password taken: argon2 reads all of it, and nobody types more.
const MAX_PASSWORD_CHARS: usize = 200;

fn add_user(
    store: &SqliteStore,
    name: &str,
    role: Role,
    grids: &[String],
    unit: Option<&str>,
    password: &str,
) -> Result<(), HubError> {
    let name = gridpatrol_core::validate::check_text("name", name, MAX_NAME_CHARS, true)?;
    let length = password.chars().count();
    if length < 8 {
        return Err(HubError::bad_request("weak_password", "password: a password needs at least 8 characters."));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(HubError::bad_request(
            "password_too_long",
            format!("password: {length} characters, at most {MAX_PASSWORD_CHARS} are allowed."),
        ));
    }
    let grids: Vec<String> = grids.iter().map(|g| g.trim().to_string()).collect();
    // Core's rule: an officer's grids are small grids, a lead's large grids, an administrator none.
    store.check_assignment(role, &grids)?;
    // Core's rule: a liaison names a unit of the hub's units table, no one else names one.
    store.check_user_unit(role, unit)?;
    let unit = unit.map(|u| u.trim().to_string());
    store.add_user(&UserRecord { name, role, grids, unit, password_hash: auth::hash_password(password)? })
}

fn run(cli: Cli) -> Result<(), HubError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let dir = cli.data_dir;
    match cli.command {
        Command::Init { sample } => {
            let store = SqliteStore::init(&dir, clock, sample)?;
            println!("hub data folder ready: {}", dir.display());
            if sample {
                for (name, role, grids, password) in SAMPLE_USERS {
                    if store.user(name)?.is_none() {
                        let grids: Vec<String> = grids.iter().map(|g| g.to_string()).collect();
                        add_user(&store, name, *role, &grids, None, password)?;
                        println!("sample user {name} ({}) password {password}", role.as_str());
                    }
                }
                for (name, unit, password) in SAMPLE_LIAISONS {
                    if store.user(name)?.is_none() {
                        add_user(&store, name, Role::Liaison, &[], Some(unit), password)?;
                        println!("sample user {name} (liaison of {unit}) password {password}");
                    }
                }
            }
        }
        Command::User(UserCommand::Add { name, role, grids, unit, password_stdin: _ }) => {
            let role = Role::parse_field(&role)?;
            let store = SqliteStore::open(&dir, clock)?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.lines().next().unwrap_or("").to_string();
            add_user(&store, &name, role, &grids, unit.as_deref(), &password)?;
            println!("user {name} added ({})", role.as_str());
        }
        Command::User(UserCommand::Sessions { name, json }) => {
            let store = SqliteStore::open(&dir, clock)?;
            let sessions = store.sessions(&name)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&sessions).map_err(|e| HubError::Internal(e.to_string()))?);
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
        Command::Token(TokenCommand::Revoke { user, device }) => {
            let store = SqliteStore::open(&dir, clock)?;
            match device {
                None => {
                    let n = store.revoke_tokens(&user)?;
                    println!("revoked {n} token(s) of {user}");
                }
                Some(id) => {
                    let n = store.revoke_session(&user, &id)?;
                    println!("revoked {n} token(s) of {user} (session {id})");
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
        } => {
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
            let state = AppState::open(&dir, clock, limits.clone())?;
            // Abandoned partial uploads from before a restart go first (then every hour while serving).
            let swept = state.photos.sweep(limits.partial_max_age, std::time::SystemTime::now())?;
            if swept > 0 {
                eprintln!("gridpatrol-hub: removed {swept} abandoned partial upload(s)");
            }
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async move {
                let stop = gridpatrol_hub::serve::stop_signal()?;
                let listener = tokio::net::TcpListener::bind(&listen).await?;
                // The address actually bound (port 0 picks a free one): tests read this line.
                println!("gridpatrol-hub listening on http://{}", listener.local_addr()?);
                gridpatrol_hub::serve::serve(listener, state, stop).await
            })?;
            // Not println!: whoever started the hub may have closed its standard output by now.
            let _ = writeln!(std::io::stderr(), "gridpatrol-hub stopped");
        }
    }
    Ok(())
}
