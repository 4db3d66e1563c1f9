//! The IPC commands, one module per area. Each takes state, calls core, maps the error.

pub mod app;
pub mod findings;
pub mod grids;
pub mod logs;
pub mod patrols;
pub mod photos;
pub mod sync;
pub mod unlock;
