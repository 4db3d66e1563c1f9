//! What the hub's bench binaries share: the wall clock, sizes from the environment, and a hub
//! served on a free loopback port.

use std::path::Path;
use std::sync::Arc;

use gridpatrol_core::clock::Clock;
use gridpatrol_hub::{AppState, Limits, SqliteStore};

pub use gridpatrol_core::clock::SystemClock;

/// A size from the environment variable `name`, else `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Serves `store` (with its photo vault in `dir/photos`) on 127.0.0.1 in `rt`; returns its base URL.
pub fn serve(rt: &tokio::runtime::Runtime, dir: &Path, store: SqliteStore, clock: Arc<dyn Clock>) -> String {
    let state = AppState::new(
        Arc::new(store),
        Arc::new(gridpatrol_hub::photos::PhotoVault::new(dir.join("photos")).unwrap()),
        Limits::default(),
        clock,
    );
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move {
        axum::serve(
            axum::serve::ListenerExt::tap_io(listener, |t| {
                let _ = t.set_nodelay(true);
            }),
            gridpatrol_hub::app(state),
        )
        .await
    });
    url
}

/// The CPU time this process has used so far (user + system, every thread; Linux's
/// `/proc/self/stat`, in clock ticks of 10 ms), or `None` elsewhere. On a machine shared with other
/// work, a round's CPU time moves much less than its wall-clock time, so A/B comparisons read both.
#[allow(dead_code)] // used by the sync bench, not the devices bench
pub fn cpu_time() -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces) start after its closing parenthesis;
    // utime and stime are the 14th and 15th fields of the whole line.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let ticks: u64 = fields.next()?.parse::<u64>().ok()? + fields.next()?.parse::<u64>().ok()?;
    Some(std::time::Duration::from_millis(ticks * 10))
}
