//! Sync benchmarks on loopback (run by hand: `cargo bench -p gridpatrol-hub --bench sync`;
//! figures in docs/performance.md).
//!
//! 1. The floor: the hub's raw SQLite insert rate for events, in batches of the push size, with
//!    `synchronous=FULL` — no HTTP, no judging.
//! 2. Push: a fresh client with 10,000 queued findings (one small photo for every tenth) runs one
//!    full sync round against a hub served on 127.0.0.1 — findings per second, budget ≥ 2,000. The
//!    round is more than the push: photo uploads, pushes, the acks recorded on the device, and the
//!    pull-back of the round's own events (each report with the hub's deadline, stored by the device).
//!    Printed with the round's CPU time (device and hub share the process), which moves far less than
//!    the wall clock on a shared machine.
//! 3. Pull: a fresh lead client pulls 100,000 events into its store.
//!
//! `BENCH_FINDINGS` and `BENCH_PULL` change the sizes. A bench binary, not criterion: each figure
//! is one long run whose setup (10,000 durable local commits) is far larger than its own time.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use gridpatrol_core::clock::{Clock, OsIds, SeededIds};
use gridpatrol_core::model::Role;
use gridpatrol_core::scope::Scope;
use gridpatrol_core::{NewFinding, PhotoSource, Store, User};
use gridpatrol_hub::auth::{hash_password, UserRecord};
use gridpatrol_hub::{HubStore, SqliteStore};
use gridpatrol_sync::client::{sync_round, HubClient};
use gridpatrol_sync::wire::WireEvent;
use gridpatrol_sync::Config;

mod common;
use common::{env, SystemClock};

fn png(i: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    let img = image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([(i % 251) as u8, (i / 251) as u8, (x * y) as u8]));
    img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

fn lead_grids(store: &Store) -> Vec<String> {
    store.grids().unwrap().into_iter().filter(|g| g.parent.as_deref() == Some("371602001")).map(|g| g.code).collect()
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing we use.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = env("BENCH_FINDINGS", 10_000);
    let pull_n = env("BENCH_PULL", 100_000);
    let photo_every = env("BENCH_PHOTO_EVERY", 10);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    // The hub.
    let hub_dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::init(hub_dir.path(), clock.clone(), true).unwrap();
    store
        .add_user(&UserRecord {
            unit: None,
            name: "李明".into(),
            role: Role::Lead,
            grids: vec!["371602001".into()],
            password_hash: hash_password("bench-password").unwrap(),
        })
        .unwrap();
    let url = common::serve(&rt, hub_dir.path(), store, clock.clone());

    // 1. The floor: raw inserts into a second hub store.
    let floor_dir = tempfile::tempdir().unwrap();
    let floor = SqliteStore::init(floor_dir.path(), clock.clone(), false).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap();
    let raw: Vec<(WireEvent, String)> = (0..n)
        .map(|i| {
            let e = WireEvent {
                id: format!("raw-{i:08}"),
                entity: "finding".into(),
                entity_id: format!("f-{i:08}"),
                actor: "李明".into(),
                kind: "finding.reported".into(),
                payload: serde_json::json!({"description": "井盖破损", "grid": "37160200100101", "n": i}),
                device_time: t0 + Duration::seconds(i as i64),
                hub_seq: None,
                accepted_at: None,
            };
            (e, "37160200100101".to_string())
        })
        .collect();
    let started = Instant::now();
    for chunk in raw.chunks(200) {
        floor.insert_raw(chunk).unwrap();
    }
    let floor_rate = n as f64 / started.elapsed().as_secs_f64();
    println!(
        "hub raw SQLite insert (batches of 200, synchronous=FULL): {n} events in {:.2?} = {floor_rate:.0} events/s",
        started.elapsed()
    );

    // 2. Push: a fresh client with n queued findings, one small photo for every tenth.
    let client_dir = tempfile::tempdir().unwrap();
    let mut device = Store::create(client_dir.path(), clock.clone(), Arc::new(SeededIds::new(7))).unwrap();
    device.import_sample_registry().unwrap();
    let grids = lead_grids(&device);
    device.sign_in_as(&url, &User::new("李明", Role::Lead), &Scope::everything()).unwrap();
    let setup = Instant::now();
    for i in 0..n {
        let mut new = NewFinding::new(&grids[i % grids.len()], "10101", &format!("第{i}处井盖破损，需要更换"));
        if photo_every > 0 && i % photo_every == 0 {
            new.photos = vec![PhotoSource::Bytes { name: format!("p{i}.png"), bytes: png(i) }];
        }
        device.add_finding(new).unwrap();
    }
    println!("(setup: {n} findings recorded on the client in {:.2?})", setup.elapsed());
    let client = rt.block_on(async {
        let c = HubClient::new(&url, None, std::time::Duration::from_secs(60)).unwrap();
        let signed = c.sign_in("李明", "bench-password", "bench").await.unwrap();
        HubClient::new(&url, Some(signed.token), std::time::Duration::from_secs(60)).unwrap()
    });
    let (started, cpu_before) = (Instant::now(), common::cpu_time());
    let report = rt.block_on(sync_round(&mut device, &client, Config::default(), 1)).unwrap();
    let elapsed = started.elapsed();
    let cpu = common::cpu_time().zip(cpu_before).map(|(after, before)| after - before);
    assert_eq!((report.pushed, report.left, report.error.clone()), (n, 0, None), "every finding pushed: {report:?}");
    let push_rate = n as f64 / elapsed.as_secs_f64();
    println!(
        "push {n} findings ({} photos) from a fresh client to a loopback hub, one sync round: {elapsed:.2?} = {push_rate:.0} findings/s (budget >= 2000; {:.0}% of the raw insert floor); CPU time of the round, device and hub: {}",
        report.photos_uploaded,
        100.0 * push_rate / floor_rate,
        cpu.map_or("unknown".to_string(), |c| format!("{c:.2?}"))
    );

    // 3. Pull: seed the hub's log with pull_n events in the lead's grids, then a fresh lead client pulls.
    let hub_store = SqliteStore::open(hub_dir.path(), clock.clone()).unwrap();
    let template = device.finding(&device.findings(&Default::default()).unwrap()[0].id).unwrap();
    let seed: Vec<(WireEvent, String)> = (0..pull_n)
        .map(|i| {
            let mut f = template.clone();
            f.id = OsIds.next_id_string(t0, i);
            f.grid = grids[i % grids.len()].clone();
            f.photos.clear();
            f.description = format!("第{i}处暴露垃圾");
            let e = WireEvent {
                id: OsIds.next_id_string(t0, i),
                entity: "finding".into(),
                entity_id: f.id.clone(),
                actor: "李明".into(),
                kind: "finding.reported".into(),
                payload: serde_json::to_value(&f).unwrap(),
                device_time: t0,
                hub_seq: None,
                accepted_at: None,
            };
            (e, f.grid)
        })
        .collect();
    for chunk in seed.chunks(5000) {
        hub_store.insert_raw(chunk).unwrap();
    }
    let lead_dir = tempfile::tempdir().unwrap();
    let mut lead = Store::create(lead_dir.path(), clock.clone(), Arc::new(SeededIds::new(8))).unwrap();
    lead.import_sample_registry().unwrap();
    lead.sign_in_as(&url, &User::new("李明", Role::Lead), &Scope::everything()).unwrap();
    let started = Instant::now();
    let report = rt.block_on(sync_round(&mut lead, &client, Config::default(), 2)).unwrap();
    let elapsed = started.elapsed();
    assert!(report.error.is_none(), "{report:?}");
    println!(
        "pull {} events into a fresh lead client: {elapsed:.2?} = {:.0} events/s ({} findings in its store)",
        report.pulled,
        report.pulled as f64 / elapsed.as_secs_f64(),
        lead.counts().unwrap().findings
    );
}

trait IdString {
    fn next_id_string(&self, at: chrono::DateTime<Utc>, i: usize) -> String;
}

impl IdString for OsIds {
    fn next_id_string(&self, at: chrono::DateTime<Utc>, i: usize) -> String {
        use gridpatrol_core::clock::IdSource;
        let _ = i;
        self.next_id(at).to_string()
    }
}
