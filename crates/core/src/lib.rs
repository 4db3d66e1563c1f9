//! gridpatrol-core: the domain of Grid Patrol (网格巡查) and the device's SQLite store.
//!
//! What it is: the grid registry and its import formats, the category tree, patrols, findings
//! and their lifecycle (with the role × move table), photos, full-text search, and the event log
//! that is at once the audit history and the sync outbox. Every rule lives here once; the CLI,
//! the desktop app and the hub call it.
//!
//! What it is not: it opens no window and no socket and reads no clock. Time and ids are injected
//! ([`clock::Clock`], [`clock::IdSource`]); the only IO is the data folder (database and photos).

pub mod calendar;
pub mod categories;
pub mod change;
pub mod clock;
pub mod deadline;
pub mod error;
pub mod export;
#[cfg(feature = "generator")]
pub mod generator;
pub mod geometry;
pub mod ipc;
pub mod lang;
pub mod lifecycle;
pub mod measures;
pub mod model;
pub mod photo;
pub mod projection;
pub mod queue;
pub mod refdata;
pub mod registry;
pub mod remote;
pub mod review;
pub mod scope;
pub mod store;
pub mod units;
pub mod validate;
pub mod weekly;

/// The app's identifier: the desktop app's data folder is the platform data folder joined with it,
/// and the CLI defaults to the same folder, so both read one store.
pub const APP_IDENTIFIER: &str = "org.gridpatrol.desktop";

pub use error::{Error, Result};
pub use lang::Lang;
pub use lifecycle::Status;
pub use model::*;
pub use store::{Counts, FindingQuery, FindingSummary, MoveRequest, NewFinding, PhotoSource, Store};
