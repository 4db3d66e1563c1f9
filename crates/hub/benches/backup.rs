//! The longest push stall during an online backup (run by hand: `cargo bench -p gridpatrol-hub
//! --bench backup`; figures in docs/performance.md).
//!
//! DESIGN's number (issue 13): backing up a 3 GB hub database pauses pushes for no more than
//! 100 ms. The bench builds a hub database of `BENCH_BACKUP_MB` megabytes (default 3072) from raw
//! events with padded payloads (generated here, never committed), then pushes one judged
//! `finding.reported` event every `BENCH_PUSH_EVERY_MS` ms (default 20) through the hub's store (the
//! group-commit path every HTTP push takes, `synchronous=FULL`) on another thread, and times each
//! push: first for a few seconds without a backup (the baseline), then while
//! `gridpatrol_hub::backup::backup` copies the folder, once per method (SQLite's online backup API in
//! paced steps, in unpaced steps, and `VACUUM INTO`). The figure is the longest push that started
//! during each backup, beside the baseline's longest. Each backup is deleted after it is measured.
//! A bench binary, not criterion: one run is one long measurement.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::TimeZone;
use gridpatrol_core::clock::{Clock, SeededIds};
use gridpatrol_core::model::{Role, User};
use gridpatrol_core::{NewFinding, Store};
use gridpatrol_hub::auth::{hash_password, Principal, UserRecord};
use gridpatrol_hub::backup::{self, Method};
use gridpatrol_hub::{HubStore, SqliteStore};
use gridpatrol_sync::client::outbox;
use gridpatrol_sync::wire::WireEvent;

#[allow(dead_code)]
mod common;
use common::{env, SystemClock};

const GRID: &str = "37160200100101";

/// The size of `hub.db` itself (what a backup copies), in MB.
fn file_mb(dir: &std::path::Path) -> f64 {
    std::fs::metadata(gridpatrol_hub::db_path(dir)).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Pushes recorded as (start, duration), from the pusher thread.
type Samples = Arc<Mutex<Vec<(Instant, Duration)>>>;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let target_mb = env("BENCH_BACKUP_MB", 3072) as f64;
    let every = Duration::from_millis(env("BENCH_PUSH_EVERY_MS", 20) as u64);
    let pushes_needed = env("BENCH_PUSHES", 20_000);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let root = std::env::var_os("BENCH_DIR").map(std::path::PathBuf::from);
    let hub_dir = match &root {
        Some(r) => tempfile::tempdir_in(r).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let store = SqliteStore::init(hub_dir.path(), clock.clone(), true).unwrap();
    store
        .add_user(&UserRecord {
            name: "李明".into(),
            role: Role::Officer,
            grids: vec![GRID.into()],
            unit: None,
            password_hash: hash_password("bench-password").unwrap(),
        })
        .unwrap();

    // 1. The database: raw events with 4 KB payloads until the file reaches the target size.
    let setup = Instant::now();
    let t0 = chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let padding = "井盖破损，".repeat(270); // ~4 KB of UTF-8
    let mut n = 0usize;
    while file_mb(hub_dir.path()) < target_mb {
        let batch: Vec<(WireEvent, String)> = (n..n + 5_000)
            .map(|i| {
                let e = WireEvent {
                    id: format!("raw-{i:010}"),
                    entity: "finding".into(),
                    entity_id: format!("f-{i:010}"),
                    actor: "李明".into(),
                    kind: "finding.reported".into(),
                    payload: serde_json::json!({"description": padding, "grid": GRID, "n": i}),
                    device_time: t0 + chrono::Duration::seconds(i as i64),
                    hub_seq: None,
                    accepted_at: None,
                };
                (e, GRID.to_string())
            })
            .collect();
        store.insert_raw(&batch).unwrap();
        n += 5_000;
    }
    println!(
        "database: {n} events, {:.0} MB, built in {:.0} s",
        file_mb(hub_dir.path()),
        setup.elapsed().as_secs_f64()
    );

    // 2. The pushes: real reports recorded by a core store, judged by the hub one at a time.
    let setup = Instant::now();
    let device_dir = tempfile::tempdir().unwrap();
    let mut device = Store::create(device_dir.path(), clock.clone(), Arc::new(SeededIds::new(3))).unwrap();
    device.import_sample_registry().unwrap();
    device.set_profile("李明", Role::Officer).unwrap();
    for i in 0..pushes_needed {
        device.add_finding(NewFinding::new(GRID, "0101", &format!("备份期间的第{i}处井盖破损"))).unwrap();
    }
    let events: Vec<WireEvent> = outbox(&mut device)
        .unwrap()
        .into_iter()
        .map(|item| item.event)
        .filter(|e| e.kind == "finding.reported")
        .collect();
    println!("{} push events recorded in {:.0} s", events.len(), setup.elapsed().as_secs_f64());
    let who = Principal {
        user: User::new("李明", Role::Officer),
        scope: store.scope_of(&User::new("李明", Role::Officer), &[GRID.into()]).unwrap(),
    };
    let store = Arc::new(store);
    let samples: Samples = Default::default();
    let stop = Arc::new(AtomicBool::new(false));
    let pusher = {
        let (store, samples, stop) = (store.clone(), samples.clone(), stop.clone());
        std::thread::spawn(move || {
            for e in events {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let t = Instant::now();
                store.push(&who, std::slice::from_ref(&e), &|_| Ok(None)).expect("a push is accepted");
                samples.lock().unwrap().push((t, t.elapsed()));
                std::thread::sleep(every);
            }
            eprintln!("the pusher ran out of events: raise BENCH_PUSHES");
        })
    };
    let window = |from: Instant, to: Instant| -> (usize, Duration, Duration) {
        let mut d: Vec<Duration> =
            samples.lock().unwrap().iter().filter(|(t, _)| *t >= from && *t <= to).map(|(_, d)| *d).collect();
        d.sort();
        let p99 = d.get(((d.len() as f64 * 0.99).ceil() as usize).saturating_sub(1)).copied().unwrap_or_default();
        (d.len(), p99, d.last().copied().unwrap_or_default())
    };

    let from = Instant::now();
    std::thread::sleep(Duration::from_secs(5));
    let (count, p99, max) = window(from, Instant::now());
    println!("no backup        pushes {count:>5}   p99 {:>7.1} ms   longest {:>7.1} ms", ms(p99), ms(max));
    let methods = [
        ("backup-api (the default)", Method::default()),
        ("backup-api unsynced 256/2ms", Method::Steps { pages: 256, pause: Duration::from_millis(2), sync: false }),
        ("backup-api unsynced 4096/0", Method::Steps { pages: 4096, pause: Duration::ZERO, sync: false }),
        ("vacuum-into", Method::VacuumInto),
    ];
    for (name, method) in methods {
        let dest_root = match &root {
            Some(r) => tempfile::tempdir_in(r).unwrap(),
            None => tempfile::tempdir().unwrap(),
        };
        let dest = dest_root.path().join("backup");
        let from = Instant::now();
        let report = backup::backup(hub_dir.path(), &dest, method).expect("the backup succeeds");
        let (count, p99, max) = window(from, Instant::now());
        println!(
            "{name:<28} backup {:>6.1} s ({:.0} MB, {} events)   pushes {count:>5}   p99 {:>7.1} ms   longest {:>7.1} ms",
            report.took.as_secs_f64(),
            report.manifest.database_bytes as f64 / 1e6,
            report.manifest.events,
            ms(p99),
            ms(max),
        );
        drop(dest_root);
        let from = Instant::now();
        std::thread::sleep(Duration::from_secs(3));
        let (count, p99, max) = window(from, Instant::now());
        println!("  after it         pushes {count:>5}   p99 {:>7.1} ms   longest {:>7.1} ms", ms(p99), ms(max));
    }
    stop.store(true, Ordering::SeqCst);
    pusher.join().unwrap();
}
