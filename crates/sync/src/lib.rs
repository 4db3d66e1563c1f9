//! gridpatrol-sync: how a device and the hub exchange events.
//!
//! What it is: the versioned wire types both sides speak ([`wire`]), and a sans-IO sync engine
//! ([`engine::Engine`]) in the shape of quinn-proto and str0m: feed it inputs with
//! [`Engine::handle`](engine::Engine::handle) (the local outbox, the hub's replies, the time) and
//! drain [`Engine::poll`](engine::Engine::poll) for outputs (requests to send, acknowledgements to
//! record, refusals to park, pulled events to apply, when to wake). With the feature `client`,
//! [`client`] is the reqwest driver: a short loop around the engine that talks HTTP and the core
//! `Store`.
//!
//! What it is not: the engine reads no clock, opens no socket and touches no database, so the
//! simulation in `tests/` drives it through thousands of fault schedules deterministically. It
//! holds no domain rule either: the hub checks events with gridpatrol-core's rules.

pub mod engine;
pub mod error;
pub mod wire;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod store_key;
#[cfg(feature = "client")]
pub mod token;

pub use engine::{Config, Engine, Input, Item, Output, Reply, Request, RequestId, RoundReport};
pub use error::{Error, Result};
