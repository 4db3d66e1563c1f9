//! `gridpatrol-hub`: the hub's command line — create a data folder, add users, revoke tokens, serve.
//!
//! Glue only; the API is [`gridpatrol_hub::app`]. The real clock lives here. An error is one
//! sentence on stderr and exit code 1 (2 for a malformed command line).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use gridpatrol_core::clock::Clock;
use gridpatrol_core::model::Role;
use gridpatrol_hub::auth::{self, UserRecord};
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
    /// Serve the API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: String,
        /// Largest photo accepted, in MB.
        #[arg(long, default_value_t = 20)]
        photo_max_mb: u64,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        name: String,
        #[arg(long, value_name = "officer|lead|admin")]
        role: String,
        /// Grid codes: an officer's small grids, a lead's large grid.
        #[arg(long, value_delimiter = ',', value_name = "CODE,CODE")]
        grids: Vec<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Revoke every device token of a user (they must sign in again).
    Revoke { user: String },
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

fn add_user(store: &SqliteStore, name: &str, role: Role, grids: &[String], password: &str) -> Result<(), HubError> {
    let name = gridpatrol_core::validate::check_text("name", name, 50, true)?;
    if password.chars().count() < 8 {
        return Err(HubError::bad_request("weak_password", "A password needs at least 8 characters."));
    }
    for code in grids {
        if !store.grid_exists(code)? {
            return Err(gridpatrol_core::Error::UnknownGrid(code.clone()).into());
        }
    }
    if role != Role::Admin && grids.is_empty() {
        return Err(HubError::bad_request("no_grids", "An officer or a lead needs --grids."));
    }
    store.add_user(&UserRecord { name, role, grids: grids.to_vec(), password_hash: auth::hash_password(password)? })
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
                        add_user(&store, name, *role, &grids, password)?;
                        println!("sample user {name} ({}) password {password}", role.as_str());
                    }
                }
            }
        }
        Command::User(UserCommand::Add { name, role, grids, password_stdin: _ }) => {
            let role = Role::parse_field(&role)?;
            let store = SqliteStore::open(&dir, clock)?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.lines().next().unwrap_or("").to_string();
            add_user(&store, &name, role, &grids, &password)?;
            println!("user {name} added ({})", role.as_str());
        }
        Command::Token(TokenCommand::Revoke { user }) => {
            let store = SqliteStore::open(&dir, clock)?;
            let n = store.revoke_tokens(&user)?;
            println!("revoked {n} token(s) of {user}");
        }
        Command::Serve { listen, photo_max_mb } => {
            let limits = Limits { max_photo_bytes: photo_max_mb * 1024 * 1024, ..Limits::default() };
            let state = AppState::open(&dir, clock, limits)?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen).await?;
                // The address actually bound (port 0 picks a free one): tests read this line.
                println!("gridpatrol-hub listening on http://{}", listener.local_addr()?);
                // Small JSON replies go out at once rather than waiting on Nagle's algorithm.
                let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                    let _ = tcp.set_nodelay(true);
                });
                axum::serve(listener, gridpatrol_hub::app(state))
                    .with_graceful_shutdown(async {
                        let _ = tokio::signal::ctrl_c().await;
                    })
                    .await
            })?;
        }
    }
    Ok(())
}
