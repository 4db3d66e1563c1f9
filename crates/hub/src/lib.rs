//! gridpatrol-hub: the central endpoint of Grid Patrol.
//!
//! What it is: an HTTP JSON API (axum) over its own store — users, roles and grid scopes, device
//! tokens, the city's ordered event log and the findings it folds to, photos by SHA-256 — that
//! devices push their events to and pull everyone's events from. [`router::app`] builds the whole
//! API from an [`AppState`], so tests drive it with `tower::ServiceExt::oneshot` and no port.
//!
//! What it is not: a second home for domain rules. Every arriving event is checked with
//! gridpatrol-core's own functions (the lifecycle table, field validation, grid scope, the
//! registry's point-in-grid) in hub order; the wire types are gridpatrol-sync's. Nothing depends
//! on this crate.

pub mod admin;
pub mod auth;
pub mod backup;
pub mod controllers;
pub mod error;
pub mod logging;
pub mod metrics;
pub mod openapi;
pub mod photos;
pub mod router;
pub mod rules;
pub mod sample;
pub mod serve;
pub mod store;
pub mod tls;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use gridpatrol_core::clock::Clock;

pub use error::{HubError, Result};
pub use router::app;
pub use store::{HubStore, SqliteStore};

/// The hub's limits: what one request may carry, how long a peer may take, how much sign-in work
/// and unfinished upload a stranger or a user may cause. `gridpatrol-hub serve` sets them from its
/// flags; the defaults are what the README documents.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_push_bytes: usize,
    pub max_batch: usize,
    pub max_photo_bytes: u64,
    pub max_pull: usize,
    /// The most bytes of unfinished uploads one user may hold (their oldest make room).
    pub partial_quota: u64,
    /// Unfinished uploads last written longer ago than this are swept away.
    pub partial_max_age: Duration,
    /// A device token unused for longer than this is refused (the device signs in again).
    pub token_idle: chrono::Duration,
    /// How many argon2 verifications run at once (each takes 19 MiB).
    pub sign_in_concurrency: usize,
    /// Failed sign-ins allowed in a row for one user name, and how often one more is allowed.
    pub sign_in_user_burst: u32,
    pub sign_in_user_refill: Duration,
    /// Failed sign-ins allowed in a row from one address, and how often one more is allowed.
    pub sign_in_address_burst: u32,
    pub sign_in_address_refill: Duration,
    /// Take the client's address from `X-Forwarded-For` (only behind a reverse proxy you run).
    pub trust_forwarded_for: bool,
    /// How long a connection may take to send a request's headers (also how long an idle
    /// keep-alive connection stays open).
    pub header_timeout: Duration,
    /// How long a request body may go without sending a byte.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_push_bytes: gridpatrol_sync::wire::MAX_PUSH_BYTES,
            max_batch: gridpatrol_sync::wire::MAX_BATCH,
            max_photo_bytes: gridpatrol_core::photo::DEFAULT_MAX_BYTES,
            max_pull: gridpatrol_sync::wire::MAX_PULL,
            partial_quota: 64 * 1024 * 1024,
            partial_max_age: Duration::from_secs(48 * 3600),
            token_idle: chrono::Duration::days(30),
            sign_in_concurrency: 2,
            sign_in_user_burst: 10,
            sign_in_user_refill: Duration::from_secs(60),
            sign_in_address_burst: 50,
            sign_in_address_refill: Duration::from_secs(2),
            trust_forwarded_for: false,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
        }
    }
}

/// What every handler shares: the store, the photo folder, the limits, the clock, the bounds
/// on sign-in work, and the metrics.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn HubStore>,
    pub photos: Arc<photos::PhotoVault>,
    pub limits: Limits,
    pub clock: Arc<dyn Clock>,
    pub sign_in: Arc<auth::SignInGate>,
    /// The reference data document last served, by version.
    pub reference: Arc<controllers::reference::ReferenceCache>,
    /// The counters `/metrics` serves (and the metrics token, when one is configured).
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn HubStore>,
        photos: Arc<photos::PhotoVault>,
        limits: Limits,
        clock: Arc<dyn Clock>,
    ) -> AppState {
        let sign_in = Arc::new(auth::SignInGate::new(&limits));
        AppState {
            store,
            photos,
            limits,
            clock,
            sign_in,
            reference: Default::default(),
            metrics: Arc::new(metrics::Metrics::new(None)),
        }
    }

    /// The state over a data folder made by `gridpatrol-hub init`.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>, limits: Limits) -> Result<AppState> {
        let store = SqliteStore::open(dir, clock.clone())?;
        let photos = Arc::new(photos::PhotoVault::new(dir.join("photos"))?);
        Ok(AppState::new(Arc::new(store), photos, limits, clock))
    }
}

/// The hub's database file inside its data folder.
pub fn db_path(dir: &Path) -> PathBuf {
    dir.join("hub.db")
}
