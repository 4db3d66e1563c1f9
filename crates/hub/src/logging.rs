//! The hub's logs: `tracing` events on standard error (what systemd's journal keeps), one line
//! each, plain text for a person or JSON for a log collector.
//!
//! What is logged: the hub starting and stopping, each request by its route's template, method,
//! status, time taken and error code ([`crate::metrics::track`]), failures of the hub itself
//! (a 5xx with its internal cause, a sweep, an accept that failed). What never is: a user's name,
//! a password, a token, a path or query (a photo's hash), a peer's address, a request or answer body.

use std::str::FromStr;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::error::{HubError, Result};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Json,
}

impl FromStr for Format {
    type Err = HubError;

    fn from_str(text: &str) -> Result<Format> {
        match text {
            "plain" => Ok(Format::Plain),
            "json" => Ok(Format::Json),
            other => Err(HubError::refused(
                "invalid_value",
                format!("--log-format：{} 无效（plain 或 json）。", gridpatrol_core::validate::clip(other)),
                format!("--log-format: {} is not a format (plain or json).", gridpatrol_core::validate::clip(other)),
            )),
        }
    }
}

/// Installs the process's logger: `format`, and the levels of `filter` (`GRIDPATROL_LOG`:
/// `info`, `warn`, `debug`, or per target, `info,gridpatrol_hub::request=warn`).
pub fn init(format: Format, filter: &str) -> Result<()> {
    let targets = Targets::from_str(filter).map_err(|e| {
        HubError::refused(
            "invalid_value",
            format!("GRIDPATROL_LOG：{} 无效（{e}）。", gridpatrol_core::validate::clip(filter)),
            format!("GRIDPATROL_LOG: {} is not a log filter ({e}).", gridpatrol_core::validate::clip(filter)),
        )
    })?;
    let registry = tracing_subscriber::registry().with(targets);
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(false);
    let done = match format {
        Format::Plain => registry.with(fmt).try_init(),
        Format::Json => registry.with(fmt.json().flatten_event(true)).try_init(),
    };
    done.map_err(|e| HubError::Internal(format!("the logger could not be installed: {e}")))
}
