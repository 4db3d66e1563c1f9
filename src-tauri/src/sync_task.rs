//! The background sync task: a thread that runs sync rounds through the sync crate's driver, on
//! its own connection to the store (SQLite WAL lets it write while the window's commands read
//! and write), so a slow network never holds the window's lock.
//!
//! Triggers: shortly after a local change (debounced), "sync now", signing in, a timer while
//! online, and a health probe of the hub: every few seconds while online (so the sync area shows
//! offline within seconds of losing the hub), and while offline with a short backoff capped at a
//! few seconds (so it recovers within seconds of the hub coming back). When the task waits and
//! what it does next is [`Pace`], a pure function of what happened and the time, tested without
//! sleeping. After every change of state and every answered "sync now" it emits `sync-changed`,
//! and the UI re-reads the sync status; a photo that goes up in several requests emits it after
//! each, with the bytes sent so far.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gridpatrol_core::clock::{OsIds, SystemClock};
use gridpatrol_core::ipc::UploadStatus;
use gridpatrol_core::store::{StoreKey, SyncError};
use gridpatrol_core::Store;
use gridpatrol_sync::client::{sync_round_with, HubClient, UPLOAD_CHUNK};
use gridpatrol_sync::token::load_token;
use gridpatrol_sync::Config;
use tauri::{AppHandle, Emitter};

/// How long after a local change the task waits for more before syncing.
const DEBOUNCE: Duration = Duration::from_millis(1500);
/// How often an online device syncs with nothing to trigger it (pulls what others did).
pub const TIMER: Duration = Duration::from_secs(60);
/// How often an online device checks that the hub still answers.
pub const PROBE_ONLINE: Duration = Duration::from_secs(5);
/// The first probe after losing the hub; each failure doubles it, up to [`PROBE_CAP`].
pub const PROBE_FIRST: Duration = Duration::from_secs(1);
pub const PROBE_CAP: Duration = Duration::from_secs(4);
/// At most this much is added to an offline probe's wait, so laptops coming back together spread out.
pub const JITTER_MAX: Duration = Duration::from_millis(500);
/// A probe that takes longer than this counts as no answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// What the task does when its wait ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Ask the hub's health check (and, when it answers after an outage, sync at once).
    Probe,
    /// A whole sync round.
    Round,
}

/// How a sync round ended, as far as pacing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Round {
    Synced,
    /// The hub answered but the round did not complete (a refusal, the hub's own failure).
    Refused,
    /// The hub stopped answering during the round.
    Unreachable,
}

/// The task's pacing: whether the hub answered last, how many probes in a row failed, when the
/// last round ended. Times are durations since the task started (a monotonic clock, passed in).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pace {
    pub online: bool,
    pub failures: u32,
    pub last_round: Option<Duration>,
}

impl Pace {
    /// How long to wait from `now` and what to do then. `jitter` (at most [`JITTER_MAX`]) spreads
    /// the probes of many offline devices.
    pub fn next(&self, now: Duration, jitter: Duration) -> (Duration, Due) {
        if self.online {
            let round_at = self.last_round.map_or(now, |t| t + TIMER);
            let until_round = round_at.saturating_sub(now);
            if until_round <= PROBE_ONLINE {
                (until_round, Due::Round)
            } else {
                (PROBE_ONLINE, Due::Probe)
            }
        } else {
            let backoff = PROBE_FIRST.saturating_mul(1 << self.failures.min(8)).min(PROBE_CAP);
            (backoff + jitter.min(JITTER_MAX), Due::Probe)
        }
    }

    /// The hub's health check answered (or not). Returns whether this lost the hub: the first
    /// failure after it answered, the moment to record the outage once.
    pub fn probed(&mut self, healthy: bool) -> bool {
        if healthy {
            self.failures = 0;
            false
        } else {
            self.failures = self.failures.saturating_add(1);
            self.online = false;
            self.failures == 1
        }
    }

    /// After a probe that answered: whether the task should sync now. An online device that was
    /// only checking syncs when asked to; one the hub has just come back for catches up at once.
    pub fn round_after_probe(&mut self, asked: bool) -> bool {
        let was_online = self.online;
        self.online = true;
        asked || !was_online
    }

    /// A round ended at `now`. Only a hub that stopped answering makes the device offline (and
    /// probing soon); a hub that answered with a refusal (a revoked sign-in, its own failure) is
    /// online, and is tried again at the timer's next round rather than every few seconds.
    pub fn round_done(&mut self, now: Duration, outcome: Round) {
        self.last_round = Some(now);
        self.online = outcome != Round::Unreachable;
        if outcome == Round::Unreachable {
            self.failures = self.failures.max(1);
        }
    }
}

pub enum Trigger {
    Changed,
    /// "Sync now", with the number the UI waits to see answered.
    Now(u32),
}

pub use gridpatrol_core::ipc::LiveSync as Live;

pub struct SyncTask {
    tx: Mutex<Sender<Trigger>>,
    /// The last "sync now" asked for.
    asked: AtomicU32,
    live: Arc<Mutex<Live>>,
    /// The device token, read from the keyring (or file) once at start and kept here, so the task
    /// and the status line never ask the keyring again (a locked keyring would prompt each time).
    token: Arc<Mutex<Option<String>>>,
    dir: PathBuf,
}

impl SyncTask {
    pub fn start(dir: PathBuf, key: StoreKey, app: AppHandle) -> SyncTask {
        let (tx, rx) = mpsc::channel();
        let live = Arc::new(Mutex::new(Live::default()));
        let token = Arc::new(Mutex::new(load_token(&dir)));
        let task = SyncTask {
            tx: Mutex::new(tx),
            asked: AtomicU32::new(0),
            live: live.clone(),
            token: token.clone(),
            dir: dir.clone(),
        };
        std::thread::Builder::new()
            .name("sync".into())
            .spawn(move || run(dir, key, rx, live, token, app))
            .expect("the sync thread starts");
        task
    }

    pub fn nudge(&self) {
        self.send(Trigger::Changed);
    }

    /// Asks for a probe and a round now; returns the number the status's `answered` reaches once
    /// they are done (online or not), so the UI can show this request's outcome.
    pub fn sync_now(&self) -> u32 {
        let ticket = self.asked.fetch_add(1, Ordering::SeqCst) + 1;
        self.send(Trigger::Now(ticket));
        ticket
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

fn run(
    dir: PathBuf,
    key: StoreKey,
    rx: Receiver<Trigger>,
    live: Arc<Mutex<Live>>,
    token: Arc<Mutex<Option<String>>>,
    app: AppHandle,
) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
    let Ok(mut store) = Store::open_encrypted(&dir, Arc::new(SystemClock), Arc::new(OsIds), &key) else { return };
    // The UI re-reads the status when the task says something changed, and only then (a probe
    // every few seconds that finds the hub as it was says nothing).
    let set = |f: &dyn Fn(&mut Live)| {
        let mut l = live.lock().unwrap_or_else(|e| e.into_inner());
        let before = *l;
        f(&mut l);
        let changed = *l != before;
        drop(l);
        if changed {
            let _ = app.emit("sync-changed", ());
        }
    };
    let started = Instant::now();
    let mut pace = Pace::default();
    let mut seed: u64 = std::process::id() as u64;
    loop {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let jitter = Duration::from_millis((seed >> 33) % (JITTER_MAX.as_millis() as u64 + 1));
        let (wait, due) = pace.next(started.elapsed(), jitter);
        let mut asked = due == Due::Round;
        let mut answer: Option<u32> = None;
        match rx.recv_timeout(wait) {
            Ok(Trigger::Changed) => {
                asked = true;
                // Wait for the burst of changes (a finding with photos, a patrol) to settle.
                loop {
                    match rx.recv_timeout(DEBOUNCE) {
                        Ok(Trigger::Changed) => continue,
                        Ok(Trigger::Now(t)) => {
                            answer = Some(t);
                            break;
                        }
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            }
            Ok(Trigger::Now(t)) => {
                asked = true;
                answer = Some(t);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        // Requests that queued up meanwhile are answered by this same probe and round.
        while let Ok(t) = rx.try_recv() {
            asked = true;
            if let Trigger::Now(t) = t {
                answer = answer.max(Some(t));
            }
        }
        cycle(&runtime, &mut store, &token, &mut pace, asked, started, &set);
        if let Some(t) = answer {
            set(&|l| l.answered = l.answered.max(t));
        }
    }
}

/// One wake-up: probe the hub, and sync when asked to or when it has just come back.
fn cycle(
    runtime: &tokio::runtime::Runtime,
    store: &mut Store,
    token: &Mutex<Option<String>>,
    pace: &mut Pace,
    asked: bool,
    started: Instant,
    set: &(dyn Fn(&dyn Fn(&mut Live)) + Sync),
) {
    let current = token.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let hub = store.sync_info().ok().and_then(|i| i.hub_url);
    let (Some(hub), Some(token)) = (hub, current) else {
        pace.online = false;
        set(&|l| l.online = false);
        return;
    };
    let probe_client = HubClient::new(&hub, None, PROBE_TIMEOUT);
    let client = HubClient::new(&hub, Some(token), Duration::from_secs(30));
    let (Ok(probe_client), Ok(client)) = (probe_client, client) else {
        pace.online = false;
        set(&|l| l.online = false);
        return;
    };
    let health = runtime.block_on(probe_client.health());
    let healthy = health.is_ok();
    if pace.probed(healthy) {
        // The hub has gone, or shows a certificate this device does not trust: say which in the sync
        // area's last error, once per outage.
        let error = match &health {
            Err(e @ gridpatrol_sync::Error::Untrusted(_)) => {
                SyncError { code: e.code(), message: e.message(gridpatrol_core::Lang::En) }
            }
            _ => {
                SyncError { code: "hub_unreachable".into(), message: "The hub did not answer its health check.".into() }
            }
        };
        let _ = store.record_sync(chrono::Utc::now(), Some(&error));
    }
    if !healthy {
        set(&|l| l.online = false);
        return;
    }
    let was_online = pace.online;
    if !pace.round_after_probe(asked) {
        if !was_online {
            set(&|l| l.online = true);
        }
        return;
    }
    set(&|l| {
        l.online = true;
        l.syncing = true;
    });
    let config = Config { max_attempts: Some(5), ..Config::default() };
    // Progress is shown for photos that take more than one request; small ones come and go.
    let progress = |p: gridpatrol_sync::client::Progress| {
        let gridpatrol_sync::client::Progress::Upload(p) = p else { return };
        if p.total > UPLOAD_CHUNK {
            let upload = (p.sent < p.total).then_some(UploadStatus { sent: p.sent, total: p.total });
            set(&|l| l.upload = upload);
        }
    };
    let seed = started.elapsed().as_nanos() as u64;
    let result = runtime.block_on(sync_round_with(store, &client, config, seed, &progress));
    let outcome = match &result {
        Ok(r) => match &r.error {
            None => Round::Synced,
            Some(e) if e.code == "hub_unreachable" => Round::Unreachable,
            Some(_) => Round::Refused,
        },
        Err(gridpatrol_sync::Error::Unreachable(_)) => Round::Unreachable,
        Err(_) => Round::Refused,
    };
    pace.round_done(started.elapsed(), outcome);
    let online = pace.online;
    set(&|l| {
        l.syncing = false;
        l.upload = None;
        l.online = online;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn an_online_device_checks_the_hub_every_few_seconds_and_syncs_every_minute() {
        let pace = Pace { online: true, failures: 0, last_round: Some(S(100)) };
        assert_eq!(pace.next(S(101), S(0)), (PROBE_ONLINE, Due::Probe), "between rounds it probes");
        assert!(PROBE_ONLINE <= S(5), "so a lost hub shows as offline within seconds");
        assert_eq!(pace.next(S(157), S(0)), (S(3), Due::Round), "the timer's round comes when due");
        assert_eq!(pace.next(S(170), S(0)), (S(0), Due::Round), "an overdue round runs at once");
    }

    #[test]
    fn losing_the_hub_is_noticed_by_the_next_probe_and_recorded_once() {
        let mut pace = Pace { online: true, failures: 0, last_round: Some(S(0)) };
        assert!(pace.probed(false), "the first failed probe is the moment to record the outage");
        assert!(!pace.online, "and the device is offline from then on");
        assert!(!pace.probed(false), "later failures of the same outage are not recorded again");
    }

    #[test]
    fn offline_probes_back_off_but_never_wait_more_than_a_few_seconds() {
        let mut pace = Pace::default();
        let mut waits = Vec::new();
        for _ in 0..10 {
            waits.push(pace.next(S(0), Duration::ZERO).0);
            pace.probed(false);
        }
        assert_eq!(waits[..4], [S(1), S(2), S(4), S(4)], "1 s, 2 s, then capped");
        assert!(waits.iter().all(|w| *w <= PROBE_CAP), "recovery is never more than a few seconds away: {waits:?}");
        let (with_jitter, _) = pace.next(S(0), S(10));
        assert_eq!(with_jitter, PROBE_CAP + JITTER_MAX, "jitter is bounded");
    }

    #[test]
    fn the_hub_coming_back_syncs_at_once_and_an_online_probe_only_checks() {
        let mut pace = Pace { online: false, failures: 3, last_round: Some(S(0)) };
        pace.probed(true);
        assert!(pace.round_after_probe(false), "back from an outage: catch up at once");
        assert!(pace.online);
        assert_eq!(pace.failures, 0);
        assert!(!pace.round_after_probe(false), "a routine probe while online does not sync");
        assert!(pace.round_after_probe(true), "sync now (or a local change) does");
    }

    #[test]
    fn a_round_cut_off_leaves_the_device_offline_and_probing_soon() {
        let mut pace = Pace { online: true, failures: 0, last_round: None };
        pace.round_done(S(30), Round::Unreachable);
        assert!(!pace.online);
        let (wait, due) = pace.next(S(30), Duration::ZERO);
        assert_eq!((wait, due), (S(2), Due::Probe), "the next probe is seconds away, not a minute");
    }

    #[test]
    fn a_refused_round_is_not_retried_every_few_seconds() {
        let mut pace = Pace { online: true, failures: 0, last_round: None };
        pace.round_done(S(30), Round::Refused);
        assert!(pace.online, "the hub answered: the device is online, and the last error says why the round failed");
        assert_eq!(pace.next(S(31), Duration::ZERO), (PROBE_ONLINE, Due::Probe), "it keeps checking the hub");
        assert_eq!(pace.next(S(88), Duration::ZERO), (S(2), Due::Round), "and tries again at the timer's round");
    }
}
