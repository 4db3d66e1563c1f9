//! The background sync task: a thread that runs sync rounds through the sync crate's driver, on
//! its own connection to the store (SQLite WAL lets it write while the window's commands read
//! and write), so a slow network never holds the window's lock.
//!
//! Triggers: shortly after a local change (debounced), "sync now", signing in, a timer while
//! online, and — while offline — a connectivity probe with exponential backoff and jitter. After
//! every probe and round it emits `sync-changed`, and the UI re-reads the sync status; a photo that
//! goes up in several requests emits it after each, with the bytes sent so far.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gridpatrol_core::clock::OsIds;
use gridpatrol_core::ipc::UploadStatus;
use gridpatrol_core::Store;
use gridpatrol_sync::client::{sync_round_with, HubClient, UPLOAD_CHUNK};
use gridpatrol_sync::token::load_token;
use gridpatrol_sync::Config;
use tauri::{AppHandle, Emitter};

/// How long after a local change the task waits for more before syncing.
const DEBOUNCE: Duration = Duration::from_millis(1500);
/// How often an online device syncs with nothing to trigger it (pulls what others did).
const TIMER: Duration = Duration::from_secs(60);
const PROBE_MIN: Duration = Duration::from_secs(2);
const PROBE_MAX: Duration = Duration::from_secs(60);

pub enum Trigger {
    Changed,
    Now,
}

pub use gridpatrol_core::ipc::LiveSync as Live;

pub struct SyncTask {
    tx: Mutex<Sender<Trigger>>,
    live: Arc<Mutex<Live>>,
    /// The device token, read from the keyring (or file) once at start and kept here, so the task
    /// and the status line never ask the keyring again (a locked keyring would prompt each time).
    token: Arc<Mutex<Option<String>>>,
    dir: PathBuf,
}

impl SyncTask {
    pub fn start(dir: PathBuf, app: AppHandle) -> SyncTask {
        let (tx, rx) = mpsc::channel();
        let live = Arc::new(Mutex::new(Live::default()));
        let token = Arc::new(Mutex::new(load_token(&dir)));
        let task = SyncTask { tx: Mutex::new(tx), live: live.clone(), token: token.clone(), dir: dir.clone() };
        std::thread::Builder::new()
            .name("sync".into())
            .spawn(move || run(dir, rx, live, token, app))
            .expect("the sync thread starts");
        task
    }

    pub fn nudge(&self) {
        self.send(Trigger::Changed);
    }

    pub fn sync_now(&self) {
        self.send(Trigger::Now);
    }

    fn send(&self, t: Trigger) {
        let _ = self.tx.lock().unwrap_or_else(|e| e.into_inner()).send(t);
    }

    pub fn live(&self) -> Live {
        *self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn signed_in(&self) -> bool {
        self.token.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Signing in or out: the token the task syncs with from now on.
    pub fn set_token(&self, token: Option<String>) {
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = token;
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

struct SystemClock;

impl gridpatrol_core::clock::Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

fn run(dir: PathBuf, rx: Receiver<Trigger>, live: Arc<Mutex<Live>>, token: Arc<Mutex<Option<String>>>, app: AppHandle) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
    let Ok(mut store) = Store::open(&dir, Arc::new(SystemClock), Arc::new(OsIds)) else { return };
    let set = |f: &dyn Fn(&mut Live)| {
        f(&mut live.lock().unwrap_or_else(|e| e.into_inner()));
        let _ = app.emit("sync-changed", ());
    };
    let mut probe = PROBE_MIN;
    let mut seed: u64 = std::process::id() as u64;
    loop {
        let online = live.lock().map(|l| l.online).unwrap_or(false);
        let wait = if online { TIMER } else { probe };
        match rx.recv_timeout(wait) {
            Ok(Trigger::Changed) => loop {
                // Wait for the burst of changes (a finding with photos, a patrol) to settle.
                match rx.recv_timeout(DEBOUNCE) {
                    Ok(Trigger::Changed) => continue,
                    Ok(Trigger::Now) | Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            },
            Ok(Trigger::Now) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let current = token.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let (Ok(info), Some(token)) = (store.sync_info(), current) else {
            set(&|l| l.online = false);
            continue;
        };
        let Some(hub) = info.hub_url else {
            set(&|l| l.online = false);
            continue;
        };
        let Ok(client) = HubClient::new(&hub, Some(token), Duration::from_secs(30)) else { continue };
        let healthy = runtime.block_on(client.healthy());
        if !healthy {
            set(&|l| l.online = false);
            // Exponential backoff with jitter: many laptops coming back at once don't arrive together.
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let jitter = Duration::from_millis((seed >> 33) % 1000);
            probe = (probe * 2).min(PROBE_MAX) + jitter;
            continue;
        }
        probe = PROBE_MIN;
        set(&|l| {
            l.online = true;
            l.syncing = true;
        });
        let config = Config { max_attempts: Some(5), ..Config::default() };
        seed = seed.wrapping_add(1);
        // Progress is shown for photos that take more than one request; small ones come and go.
        let progress = |p: gridpatrol_sync::client::UploadProgress| {
            if p.total > UPLOAD_CHUNK {
                let upload = (p.sent < p.total).then_some(UploadStatus { sent: p.sent, total: p.total });
                set(&|l| l.upload = upload);
            }
        };
        let result = runtime.block_on(sync_round_with(&mut store, &client, config, seed, &progress));
        set(&|l| {
            l.syncing = false;
            l.upload = None;
            l.online = result.as_ref().map(|r| r.error.is_none()).unwrap_or(false);
        });
    }
}
