//! A bare device's first sign-in and first sync against a city's year (issue 13's number), on
//! loopback (run by hand: `cargo bench -p gridpatrol-hub --bench first_sync`; figures in
//! docs/performance.md).
//!
//! The hub holds the sample city (239 small grids, the category tree, the units, the holidays) and a
//! year of findings: `BENCH_YEAR` (50,000) reports with their photos' metadata (two photos each,
//! files not uploaded), written straight into its log. A device with an empty store (no registry,
//! no profile) then runs the one sign-in flow the CLI and the app share (`SignIn::request` and
//! `record`: sign-in, the reference document fetched, checked whole and taken), and one sync round
//! that pulls the year. Printed: the sign-in with the reference data, the round, the total (budget:
//! under a minute), and how many progress reports the round gave.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use gridpatrol_core::clock::{Clock, IdSource, OsIds};
use gridpatrol_core::model::Role;
use gridpatrol_core::{NewFinding, PhotoSource, Store};
use gridpatrol_hub::auth::{hash_password, UserRecord};
use gridpatrol_hub::{HubStore, SqliteStore};
use gridpatrol_sync::client::{sync_round_with, HubClient, Progress, SignIn};
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

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let year = env("BENCH_YEAR", 50_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    // The hub: the sample city, an administrator who sees it all, and a year of reports.
    let hub_dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::init(hub_dir.path(), clock.clone(), true).unwrap();
    store
        .add_user(&UserRecord {
            unit: None,
            name: "王建国".into(),
            role: Role::Admin,
            grids: vec![],
            password_hash: hash_password("bench-password").unwrap(),
        })
        .unwrap();
    let reference = Store::open(&hub_dir.path().join("reference"), clock.clone(), Arc::new(OsIds)).unwrap();
    let grids: Vec<String> =
        reference.grids().unwrap().into_iter().filter(|g| g.parent.is_some()).map(|g| g.code).collect();
    drop(reference);
    // A report as a device writes it, with two photos, as the template of the year's reports.
    let template_dir = tempfile::tempdir().unwrap();
    let mut template_store = Store::create(template_dir.path(), clock.clone(), Arc::new(OsIds)).unwrap();
    template_store.import_sample_registry().unwrap();
    template_store.set_profile("李明", Role::Officer).unwrap();
    let mut new = NewFinding::new(&grids[0], "10101", "井盖破损，需要更换");
    new.photos = (0..2).map(|k| PhotoSource::Bytes { name: format!("p{k}.png"), bytes: png(k) }).collect();
    let template = template_store.add_finding(new).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap();
    let setup = Instant::now();
    let seed: Vec<(WireEvent, String)> = (0..year)
        .map(|i| {
            let at = t0 + Duration::minutes(10 * i as i64);
            let mut f = template.clone();
            f.id = OsIds.next_id(at).to_string();
            f.grid = grids[i % grids.len()].clone();
            f.description = format!("第{i}处井盖破损，需要更换");
            (f.observed_at, f.recorded_at, f.updated_at) = (at, at, at);
            for (k, p) in f.photos.iter_mut().enumerate() {
                // Each report names its own photos (metadata only: the files stay on the officer's laptop).
                p.sha256 = format!("{:064x}", i * 2 + k);
                p.file = format!("{}.png", p.sha256);
                p.thumbnail = format!("thumbs/{}.jpg", p.sha256);
            }
            let e = WireEvent {
                id: OsIds.next_id(at).to_string(),
                entity: "finding".into(),
                entity_id: f.id.clone(),
                actor: "李明".into(),
                kind: "finding.reported".into(),
                payload: serde_json::to_value(&f).unwrap(),
                device_time: at,
                hub_seq: None,
                accepted_at: None,
            };
            (e, f.grid)
        })
        .collect();
    for chunk in seed.chunks(5000) {
        store.insert_raw(chunk).unwrap();
    }
    println!("(setup: the hub holds {year} reports in {} grids, written in {:.2?})", grids.len(), setup.elapsed());
    let url = common::serve(&rt, hub_dir.path(), store, clock.clone());

    // The bare device: an empty store, no registry, no profile.
    let device_dir = tempfile::tempdir().unwrap();
    std::env::set_var("GRIDPATROL_TOKEN_STORE", "file");
    let mut device = Store::create(device_dir.path(), clock.clone(), Arc::new(OsIds)).unwrap();
    assert_eq!(device.counts().unwrap().grids, 0, "the device starts bare");

    let started = Instant::now();
    let signed = rt
        .block_on(SignIn::request(&url, "王建国", "bench-password", "bench"))
        .unwrap()
        .record(&mut device, device_dir.path())
        .unwrap();
    let sign_in = started.elapsed();
    let client = HubClient::new(&url, Some(signed.token.clone()), std::time::Duration::from_secs(120)).unwrap();
    let reports = AtomicUsize::new(0);
    let round_started = Instant::now();
    let report = rt
        .block_on(sync_round_with(&mut device, &client, Config::default(), 1, &|p| {
            if matches!(p, Progress::Pulled { .. }) {
                reports.fetch_add(1, Ordering::Relaxed);
            }
        }))
        .unwrap();
    let round = round_started.elapsed();
    let total = started.elapsed();
    assert!(report.error.is_none(), "{report:?}");
    let counts = device.counts().unwrap();
    assert_eq!(counts.findings as usize, year, "every finding of the year is on the device: {report:?}");
    println!(
        "a bare device's first sign-in with the reference data ({} grids, {} categories, {} units, a roster of {}): {sign_in:.2?}",
        signed.reference.grids, signed.reference.categories, signed.reference.units, signed.reference.roster
    );
    println!(
        "its first sync round, pulling {} events ({} findings, {} photo records): {round:.2?} = {:.0} events/s, {} progress reports",
        report.pulled,
        counts.findings,
        counts.finding_photos,
        report.pulled as f64 / round.as_secs_f64(),
        reports.load(Ordering::Relaxed)
    );
    println!("sign-in and first sync of a city's year on loopback: {total:.2?} (budget: under 60 s)");
}
