//! Many devices syncing at once against one hub on loopback (run by hand:
//! `cargo bench -p gridpatrol-hub --bench devices`; figures in docs/performance.md).
//!
//! DESIGN.md's budget: a hub with 500 devices syncing at once, p99 push ≤ 200 ms, no errors.
//! Each device is an officer with one small grid, its own HTTP client and its own device token (500
//! officers over the 239 small grids of the sample registry); all start together, and each runs
//! `BENCH_ROUNDS` rounds of what the app does after a change: push its new findings (a batch of
//! `BENCH_BATCH` `finding.reported` events recorded by a real core store), then pull from its cursor.
//! Every push and pull is timed from the request to the parsed reply; any failure counts as an error.
//! `BENCH_DEVICES` changes the number of devices; `BENCH_SPREAD_MS` spreads their starts over that
//! many milliseconds (0, the default: all at the same instant). A bench binary, not criterion: one run is one
//! figure, and its setup (signing 500 devices in through argon2) is far larger than a push.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gridpatrol_core::clock::{Clock, SeededIds};
use gridpatrol_core::model::Role;
use gridpatrol_core::{NewFinding, Store};
use gridpatrol_hub::auth::{hash_password, UserRecord};
use gridpatrol_hub::{HubStore, SqliteStore};
use gridpatrol_sync::client::{outbox, HubClient};
use gridpatrol_sync::wire::{PullResponse, PushRequest, PushResponse, WireEvent, API, PROTOCOL};

mod common;
use common::{env, SystemClock};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn report(what: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p99 = percentile(&samples, 0.99);
    println!(
        "{what:<6} n={:<5} p50 {:>8.1} ms   p90 {:>8.1} ms   p99 {:>8.1} ms   max {:>8.1} ms",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.90)),
        ms(p99),
        ms(samples.last().copied().unwrap_or_default()),
    );
    p99
}

#[derive(Default)]
struct Outcome {
    push: Vec<Duration>,
    pull: Vec<Duration>,
    errors: Vec<String>,
    acked: usize,
}

async fn device(
    http: reqwest::Client,
    base: String,
    token: String,
    batches: Vec<Vec<WireEvent>>,
    start_after: Duration,
) -> Outcome {
    tokio::time::sleep(start_after).await;
    let mut out = Outcome::default();
    let mut cursor = 0i64;
    for events in batches {
        let n = events.len();
        let t = Instant::now();
        let sent = http
            .post(format!("{base}{API}/push"))
            .bearer_auth(&token)
            .json(&PushRequest { protocol: PROTOCOL, events })
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => match r.json::<PushResponse>().await {
                Ok(p) if p.acks.len() == n => {
                    out.push.push(t.elapsed());
                    out.acked += n;
                }
                Ok(p) => out.errors.push(format!("push: {} acks for {n} events", p.acks.len())),
                Err(e) => out.errors.push(format!("push reply: {e}")),
            },
            Ok(r) => out.errors.push(format!("push: HTTP {} {}", r.status(), r.text().await.unwrap_or_default())),
            Err(e) => out.errors.push(format!("push: {e}")),
        }
        let t = Instant::now();
        let sent = http.get(format!("{base}{API}/pull?since={cursor}&limit=500")).bearer_auth(&token).send().await;
        match sent {
            Ok(r) if r.status().is_success() => match r.json::<PullResponse>().await {
                Ok(p) => {
                    out.pull.push(t.elapsed());
                    cursor = p.cursor;
                }
                Err(e) => out.errors.push(format!("pull reply: {e}")),
            },
            Ok(r) => out.errors.push(format!("pull: HTTP {}", r.status())),
            Err(e) => out.errors.push(format!("pull: {e}")),
        }
    }
    out
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let devices = env("BENCH_DEVICES", 500);
    let rounds = env("BENCH_ROUNDS", 4);
    let batch = env("BENCH_BATCH", 5);
    // 0: every device starts at the same instant (the worst burst). A spread starts device d at
    // d/devices of it, as devices coming back online over that time would.
    let spread = Duration::from_millis(env("BENCH_SPREAD_MS", 0) as u64);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    // The hub, with the sample registry, serving on a free loopback port.
    let hub_dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::init(hub_dir.path(), clock.clone(), true).unwrap();
    // One officer for each device, each given one small grid (two or three officers share a grid).
    let small: Vec<String> = {
        let reference =
            Store::open(&hub_dir.path().join("reference"), clock.clone(), Arc::new(SeededIds::new(1))).unwrap();
        reference.grids().unwrap().into_iter().filter(|g| g.parent.is_some()).map(|g| g.code).collect()
    };
    let officer = |d: usize| format!("巡查员{d:03}");
    let grid_of = |d: usize| small[d % small.len()].clone();
    let password_hash = hash_password("bench-password").unwrap();
    for d in 0..devices {
        store
            .add_user(&UserRecord {
                unit: None,
                name: officer(d),
                role: Role::Officer,
                grids: vec![grid_of(d)],
                password_hash: password_hash.clone(),
            })
            .unwrap();
    }
    let base = common::serve(&rt, hub_dir.path(), store, clock.clone());

    // The findings every device will push, recorded by a real core store as each officer in turn
    // and taken from its outbox: `rounds` batches of `batch` findings in the officer's grid.
    let setup = Instant::now();
    let client_dir = tempfile::tempdir().unwrap();
    let mut recorder = Store::create(client_dir.path(), clock.clone(), Arc::new(SeededIds::new(11))).unwrap();
    recorder.import_sample_registry().unwrap();
    let total = devices * rounds * batch;
    let mut per_device: Vec<Vec<Vec<WireEvent>>> = Vec::with_capacity(devices);
    for d in 0..devices {
        recorder.set_profile(&officer(d), Role::Officer).unwrap();
        for i in 0..rounds * batch {
            recorder
                .add_finding(NewFinding::new(&grid_of(d), "10101", &format!("{}的第{i}处井盖破损", officer(d))))
                .unwrap();
        }
        let events: Vec<WireEvent> = outbox(&mut recorder)
            .unwrap()
            .into_iter()
            .map(|item| item.event)
            .filter(|e| e.kind == "finding.reported" && e.actor == officer(d))
            .collect();
        assert_eq!(events.len(), rounds * batch, "one report event for each finding");
        per_device.push(events.chunks(batch).map(|c| c.to_vec()).collect());
    }

    // Each device signs in for its own token (argon2 on the hub: the slow part of the setup).
    let tokens: Vec<String> = rt.block_on(async {
        let c = HubClient::new(&base, None, Duration::from_secs(60)).unwrap();
        let mut tokens = Vec::with_capacity(devices);
        for d in 0..devices {
            tokens.push(c.sign_in(&officer(d), "bench-password", &format!("bench-{d}")).await.unwrap().token);
        }
        tokens
    });
    println!("(setup: {total} findings recorded and {devices} devices signed in, {:.1?})", setup.elapsed());

    // All devices at once, each with its own connection.
    let started = Instant::now();
    let outcomes: Vec<Outcome> = rt.block_on(async {
        let tasks: Vec<_> = per_device
            .into_iter()
            .zip(tokens)
            .enumerate()
            .map(|(d, (batches, token))| {
                let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().unwrap();
                let start_after = spread.mul_f64(d as f64 / devices as f64);
                tokio::spawn(device(http, base.clone(), token, batches, start_after))
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.push(t.await.unwrap());
        }
        all
    });
    let elapsed = started.elapsed();
    let acked: usize = outcomes.iter().map(|o| o.acked).sum();
    let errors: Vec<&String> = outcomes.iter().flat_map(|o| &o.errors).collect();
    println!(
        "{devices} devices starting within {spread:?}, {rounds} rounds each of push {batch} findings + pull: {elapsed:.2?}, {acked} of {total} findings acknowledged ({:.0} findings/s), {} errors",
        acked as f64 / elapsed.as_secs_f64(),
        errors.len()
    );
    for e in errors.iter().take(5) {
        println!("  error: {e}");
    }
    let p99 = report("push", outcomes.iter().flat_map(|o| o.push.iter().copied()).collect());
    report("pull", outcomes.iter().flat_map(|o| o.pull.iter().copied()).collect());
    println!(
        "push p99 {:.1} ms (budget ≤ 200 ms, no errors): {}",
        p99.as_secs_f64() * 1000.0,
        if p99 <= Duration::from_millis(200) && errors.is_empty() { "met" } else { "missed" }
    );
}
