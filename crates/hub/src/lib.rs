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

pub mod auth;
pub mod controllers;
pub mod error;
pub mod openapi;
pub mod photos;
pub mod router;
pub mod rules;
pub mod store;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gridpatrol_core::clock::Clock;

pub use error::{HubError, Result};
pub use router::app;
pub use store::{HubStore, SqliteStore};

/// The hub's limits on what one request may carry.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_push_bytes: usize,
    pub max_batch: usize,
    pub max_photo_bytes: u64,
    pub max_pull: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_push_bytes: gridpatrol_sync::wire::MAX_PUSH_BYTES,
            max_batch: gridpatrol_sync::wire::MAX_BATCH,
            max_photo_bytes: gridpatrol_core::photo::DEFAULT_MAX_BYTES,
            max_pull: gridpatrol_sync::wire::MAX_PULL,
        }
    }
}

/// What every handler shares: the store, the photo folder, the limits and the clock.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn HubStore>,
    pub photos: Arc<photos::PhotoVault>,
    pub limits: Limits,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    /// The state over a data folder made by `gridpatrol-hub init`.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>, limits: Limits) -> Result<AppState> {
        let store = SqliteStore::open(dir, clock.clone())?;
        Ok(AppState {
            store: Arc::new(store),
            photos: Arc::new(photos::PhotoVault::new(dir.join("photos"))?),
            limits,
            clock,
        })
    }
}

/// The hub's database file inside its data folder.
pub fn db_path(dir: &Path) -> PathBuf {
    dir.join("hub.db")
}
