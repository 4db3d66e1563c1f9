//! Deterministic simulation of the sync engine under faults (DESIGN "Sync" invariants 1, 2, 4, 6).
//!
//! Each schedule, made from one seed, runs two devices against a model hub over a network that
//! drops requests, drops replies, answers 5xx, cuts photo uploads half way, delivers stale
//! duplicates of old requests to the hub later (reordered) and hands their replies back to the
//! engine, and crashes a device between any two outputs — notably between "the hub committed"
//! and "the device recorded the ack". Then the faults stop, the devices sync until quiet, and the
//! invariants are checked. A failing schedule prints its seed; `SIM_SEED=N cargo test -p
//! gridpatrol-sync --test simulation` replays exactly that one, `SIM_SCHEDULES=N` runs more.
//!
//! The model hub has the real hub's contract (idempotent push by id with a content digest,
//! conflict on same id and other content, a refusal names its event, photos before events,
//! resumable uploads, pull by sequence cursor); the real hub is tested against the same contract
//! in crates/hub and tests/.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use gridpatrol_core::model::{Photo, PhotoRole};
use gridpatrol_sync::engine::{Config, Engine, Input, Item, Output, Reply, Request};
use gridpatrol_sync::wire::{Ack, ErrorBody, PhotoStatus, PullResponse, PushResponse, WireEvent};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Debug, Clone, PartialEq)]
enum State {
    Pending,
    Acked(i64),
    Parked(String),
}

struct DevEvent {
    wire: WireEvent,
    photos: Vec<Photo>,
    state: State,
    /// The model hub refuses these (as the real hub refuses an illegal move).
    bad: bool,
}

struct Device {
    name: String,
    events: Vec<DevEvent>,
    /// Other devices' events applied from pulls, by id, with their hub number.
    applied: BTreeMap<String, i64>,
    cursor: i64,
    engine: Option<Engine>,
    /// When the next round may start (a timer in the real app).
    next_round: DateTime<Utc>,
    rounds_ok: usize,
}

#[derive(Default)]
struct Hub {
    log: Vec<WireEvent>,
    by_id: BTreeMap<String, (String, i64)>,
    photos: BTreeMap<String, (u64, bool)>,
    violations: Vec<String>,
}

impl Hub {
    fn push(&mut self, events: &[WireEvent], bad: &BTreeSet<String>, needs: &BTreeMap<String, Vec<Photo>>) -> Reply {
        // Check the whole batch first: a refusal stores nothing.
        let mut seen = BTreeMap::new();
        for e in events {
            if let Some(prev) = seen.insert(e.id.clone(), e.digest()) {
                if prev != e.digest() {
                    return refused(409, "duplicate_event", Some(&e.id));
                }
            }
            if let Some((digest, _)) = self.by_id.get(&e.id) {
                if *digest != e.digest() {
                    return refused(409, "event_conflict", Some(&e.id));
                }
                continue;
            }
            if bad.contains(&e.id) {
                return refused(422, "illegal_move", Some(&e.id));
            }
            for p in needs.get(&e.id).into_iter().flatten() {
                if !self.photos.get(&p.sha256).is_some_and(|(_, complete)| *complete) {
                    self.violations.push(format!("event {} was pushed before its photo {}", e.id, p.sha256));
                    return refused(422, "photo_missing", Some(&e.id));
                }
            }
        }
        let mut acks = Vec::new();
        for e in events {
            let seq = match self.by_id.get(&e.id) {
                Some((_, seq)) => *seq,
                None => {
                    let seq = self.log.len() as i64 + 1;
                    let mut stored = e.clone();
                    stored.hub_seq = Some(seq);
                    self.log.push(stored);
                    self.by_id.insert(e.id.clone(), (e.digest(), seq));
                    seq
                }
            };
            if !acks.iter().any(|a: &Ack| a.id == e.id) {
                acks.push(Ack { id: e.id.clone(), hub_seq: seq });
            }
        }
        Reply::Pushed(PushResponse { acks })
    }

    fn pull(&self, since: i64, limit: usize) -> Reply {
        let events: Vec<WireEvent> =
            self.log.iter().filter(|e| e.hub_seq.unwrap_or(0) > since).take(limit).cloned().collect();
        let cursor = events.last().and_then(|e| e.hub_seq).unwrap_or(since);
        let more = self.log.last().and_then(|e| e.hub_seq).unwrap_or(0) > cursor;
        Reply::Pulled(PullResponse { events, cursor, more })
    }

    fn photo_status(&self, sha: &str) -> Reply {
        let (received, complete) = self.photos.get(sha).copied().unwrap_or((0, false));
        Reply::Photo(PhotoStatus { sha256: sha.into(), received, complete })
    }

    /// Receives the bytes from `offset`; `cut` is how many arrived before the connection broke.
    fn upload(&mut self, photo: &Photo, offset: u64, cut: Option<u64>) -> Reply {
        let (received, complete) = self.photos.get(&photo.sha256).copied().unwrap_or((0, false));
        if complete {
            return self.photo_status(&photo.sha256);
        }
        if offset != received {
            return refused(409, "offset_mismatch", None);
        }
        if photo.bytes > 1000 {
            return refused(413, "photo_too_large", None);
        }
        let remaining = photo.bytes - offset;
        let got = cut.map(|c| c.min(remaining)).unwrap_or(remaining);
        let now = offset + got;
        self.photos.insert(photo.sha256.clone(), (now, now == photo.bytes));
        if cut.is_some() && now < photo.bytes {
            return Reply::Failed { status: None, detail: "connection cut during upload".into() };
        }
        self.photo_status(&photo.sha256)
    }
}

fn refused(status: u16, code: &str, event_id: Option<&str>) -> Reply {
    Reply::Refused {
        status,
        body: ErrorBody {
            code: code.into(),
            message: format!("refused: {code}"),
            event_id: event_id.map(String::from),
        },
    }
}

#[derive(Clone, Copy)]
struct Faults {
    drop_request: f64,
    drop_reply: f64,
    server_error: f64,
    duplicate: f64,
    crash: f64,
    cut_upload: f64,
}

const CALM: Faults =
    Faults { drop_request: 0.0, drop_reply: 0.0, server_error: 0.0, duplicate: 0.0, crash: 0.0, cut_upload: 0.0 };

struct World {
    rng: StdRng,
    now: DateTime<Utc>,
    hub: Hub,
    devices: Vec<Device>,
    /// Old requests still travelling, delivered to the hub later, out of order.
    stale: Vec<(usize, u64, Request)>,
    bad: BTreeSet<String>,
    needs: BTreeMap<String, Vec<Photo>>,
    seed: u64,
    next_event: u64,
    crashes: usize,
}

fn config() -> Config {
    Config {
        batch_size: 4,
        pull_limit: 5,
        backoff_base: Duration::milliseconds(100),
        backoff_max: Duration::seconds(5),
        max_attempts: Some(5),
    }
}

impl World {
    fn new(seed: u64) -> World {
        World {
            rng: StdRng::seed_from_u64(seed),
            now: Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap(),
            hub: Hub::default(),
            devices: ["officer-a", "officer-b"]
                .iter()
                .map(|n| Device {
                    name: n.to_string(),
                    events: Vec::new(),
                    applied: BTreeMap::new(),
                    cursor: 0,
                    engine: None,
                    next_round: Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap(),
                    rounds_ok: 0,
                })
                .collect(),
            stale: Vec::new(),
            bad: BTreeSet::new(),
            needs: BTreeMap::new(),
            seed,
            next_event: 0,
            crashes: 0,
        }
    }

    /// A new local change on device `d`: sometimes with a photo (shared between events, so one
    /// upload serves several), sometimes one the hub will refuse.
    fn record(&mut self, d: usize) {
        self.next_event += 1;
        let id = format!("{:016x}-{:04}", self.seed, self.next_event);
        let mut photos = Vec::new();
        if self.rng.random_bool(0.3) {
            let n = self.rng.random_range(0..4u32);
            // One photo in twenty is too large for the hub and gets its events parked.
            let bytes = if self.rng.random_bool(0.05) { 5000 } else { 200 + 100 * n as u64 };
            photos.push(Photo {
                sha256: format!("{:064x}", n as u64 * 7919 + bytes),
                role: PhotoRole::Before,
                file: format!("p{n}.jpg"),
                thumbnail: String::new(),
                bytes,
                width: 1,
                height: 1,
                exif_time: None,
                exif_point: None,
            });
        }
        let bad = self.rng.random_bool(0.08);
        if bad {
            self.bad.insert(id.clone());
        }
        self.needs.insert(id.clone(), photos.clone());
        let wire = WireEvent {
            id: id.clone(),
            entity: "finding".into(),
            entity_id: id.clone(),
            actor: self.devices[d].name.clone(),
            kind: "finding.reported".into(),
            payload: serde_json::json!({"n": self.next_event}),
            device_time: self.now,
            hub_seq: None,
            accepted_at: None,
        };
        self.devices[d].events.push(DevEvent { wire, photos, state: State::Pending, bad });
    }

    fn start_round(&mut self, d: usize) {
        let seed = self.rng.random();
        let dev = &mut self.devices[d];
        let outbox = dev
            .events
            .iter()
            .filter(|e| e.state == State::Pending)
            .map(|e| Item { event: e.wire.clone(), photos: e.photos.clone() })
            .collect();
        let mut engine = Engine::new(config(), seed);
        engine.handle(Input::Start { outbox, cursor: dev.cursor }, self.now);
        dev.engine = Some(engine);
    }

    /// What the hub answers to one delivered request (the hub commits before answering).
    fn serve(&mut self, request: &Request, faults: Faults) -> Reply {
        if self.rng.random_bool(faults.server_error) {
            return Reply::Failed { status: Some(503), detail: "service unavailable".into() };
        }
        match request {
            Request::Push(p) => self.hub.push(&p.events, &self.bad, &self.needs),
            Request::Pull { since, limit } => self.hub.pull(*since, *limit),
            Request::PhotoStatus { sha256 } => self.hub.photo_status(sha256),
            Request::PhotoUpload { photo, offset } => {
                let cut = self.rng.random_bool(faults.cut_upload).then(|| self.rng.random_range(0..photo.bytes.max(1)));
                self.hub.upload(photo, *offset, cut)
            }
        }
    }

    /// Runs device `d`'s driver until its engine has nothing more to say for now.
    fn drive(&mut self, d: usize, faults: Faults) {
        for _ in 0..200 {
            let Some(engine) = self.devices[d].engine.as_mut() else { return };
            let Some(output) = engine.poll() else { return };
            // A crash between any two outputs: whatever was not yet recorded is lost with the engine.
            if self.rng.random_bool(faults.crash) {
                self.devices[d].engine = None;
                self.crashes += 1;
                return;
            }
            match output {
                Output::Send { id, request } => {
                    if self.rng.random_bool(faults.duplicate) {
                        self.stale.push((d, id, (*request).clone()));
                    }
                    let reply = if self.rng.random_bool(faults.drop_request) {
                        Reply::Failed { status: None, detail: "request lost".into() }
                    } else {
                        let reply = self.serve(&request, faults);
                        if self.rng.random_bool(faults.drop_reply) {
                            Reply::Failed { status: None, detail: "reply lost".into() }
                        } else {
                            reply
                        }
                    };
                    self.now += Duration::milliseconds(self.rng.random_range(1..50));
                    let now = self.now;
                    if let Some(engine) = self.devices[d].engine.as_mut() {
                        engine.handle(Input::Reply { id, reply }, now);
                    }
                }
                Output::Ack(acks) => {
                    let dev = &mut self.devices[d];
                    for (id, seq) in acks {
                        if let Some(e) = dev.events.iter_mut().find(|e| e.wire.id == id) {
                            if e.state == State::Pending {
                                e.state = State::Acked(seq);
                            }
                        }
                    }
                }
                Output::Park { event_id, code, .. } => {
                    if let Some(e) = self.devices[d].events.iter_mut().find(|e| e.wire.id == event_id) {
                        if e.state == State::Pending {
                            e.state = State::Parked(code);
                        }
                    }
                }
                Output::Apply { events, cursor } => {
                    let dev = &mut self.devices[d];
                    for ev in events {
                        let seq = ev.hub_seq.expect("pulled events carry their hub number");
                        match dev.events.iter_mut().find(|e| e.wire.id == ev.id) {
                            Some(own) => own.state = State::Acked(seq),
                            None => {
                                dev.applied.insert(ev.id.clone(), seq);
                            }
                        }
                    }
                    dev.cursor = cursor;
                }
                Output::Wait(at) => {
                    self.now = self.now.max(at);
                    let now = self.now;
                    if let Some(engine) = self.devices[d].engine.as_mut() {
                        engine.handle(Input::Timeout, now);
                    }
                }
                Output::Done(report) => {
                    let dev = &mut self.devices[d];
                    dev.engine = None;
                    if report.error.is_none() && report.left == 0 {
                        dev.rounds_ok += 1;
                    }
                    dev.next_round = self.now + Duration::milliseconds(self.rng.random_range(0..2000));
                }
            }
        }
    }

    /// Delivers one stale duplicate to the hub and hands its reply to the engine (which must ignore it).
    fn deliver_stale(&mut self, faults: Faults) {
        if self.stale.is_empty() {
            return;
        }
        let i = self.rng.random_range(0..self.stale.len());
        let (d, id, request) = self.stale.swap_remove(i);
        let reply = self.serve(&request, faults);
        let now = self.now;
        if let Some(engine) = self.devices[d].engine.as_mut() {
            engine.handle(Input::Reply { id, reply }, now);
        }
    }

    fn tick(&mut self, faults: Faults, recording: bool) {
        let d = self.rng.random_range(0..self.devices.len());
        match self.rng.random_range(0..10) {
            0..=2 if recording => self.record(d),
            3 => self.deliver_stale(faults),
            _ => {}
        }
        if self.devices[d].engine.is_none() && self.now >= self.devices[d].next_round {
            self.start_round(d);
        }
        self.drive(d, faults);
        self.now += Duration::milliseconds(self.rng.random_range(0..300));
    }

    fn check(&self) -> Result<(), String> {
        if let Some(v) = self.hub.violations.first() {
            return Err(format!("photo before event (invariant 4): {v}"));
        }
        let mut ids = BTreeSet::new();
        for e in &self.hub.log {
            if !ids.insert(e.id.clone()) {
                return Err(format!("event {} is at the hub twice (invariant 1)", e.id));
            }
        }
        let max_seq = self.hub.log.len() as i64;
        for dev in &self.devices {
            for e in &dev.events {
                let at_hub = self.hub.by_id.get(&e.wire.id).map(|(_, s)| *s);
                match (&e.state, at_hub) {
                    (State::Acked(seq), Some(s)) if *seq == s => {}
                    (State::Acked(seq), other) => {
                        return Err(format!(
                            "{}: event {} acknowledged as {seq} but the hub has {other:?} (invariant 2)",
                            dev.name, e.wire.id
                        ))
                    }
                    (State::Pending, _) => {
                        return Err(format!(
                            "{}: event {} still pending after the calm phase (invariants 1, 6)",
                            dev.name, e.wire.id
                        ))
                    }
                    (State::Parked(code), None) => {
                        let too_large = e.photos.iter().any(|p| p.bytes > 1000);
                        if !(e.bad || too_large) {
                            return Err(format!(
                                "{}: good event {} was parked ({code}) (invariant 6)",
                                dev.name, e.wire.id
                            ));
                        }
                    }
                    (State::Parked(code), Some(_)) => {
                        return Err(format!(
                            "{}: event {} parked ({code}) though the hub accepted it",
                            dev.name, e.wire.id
                        ))
                    }
                }
                if e.bad && at_hub.is_some() {
                    return Err(format!("event {} should have been refused by the hub", e.wire.id));
                }
            }
            if dev.cursor != max_seq {
                return Err(format!("{}: cursor {} but the hub is at {max_seq} (invariant 4)", dev.name, dev.cursor));
            }
            for e in &self.hub.log {
                let own = dev.events.iter().any(|x| x.wire.id == e.id);
                if !own && dev.applied.get(&e.id) != e.hub_seq.as_ref() {
                    return Err(format!("{}: the other device's event {} never arrived by pull", dev.name, e.id));
                }
            }
        }
        Ok(())
    }
}

/// One schedule: faults for a while, then calm until both devices finish a clean round.
fn run(seed: u64) -> Result<(usize, usize), String> {
    let mut world = World::new(seed);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let faults = Faults {
        drop_request: rng.random_range(0.0..0.2),
        drop_reply: rng.random_range(0.0..0.3),
        server_error: rng.random_range(0.0..0.15),
        duplicate: rng.random_range(0.0..0.3),
        crash: rng.random_range(0.0..0.1),
        cut_upload: rng.random_range(0.0..0.5),
    };
    let steps = rng.random_range(20..120);
    for _ in 0..steps {
        world.tick(faults, true);
    }
    // Stale duplicates may still arrive during the calm phase: the hub must shrug them off.
    let start = world.devices.iter().map(|d| d.rounds_ok).collect::<Vec<_>>();
    for _ in 0..5000 {
        world.tick(CALM, false);
        let done = world.devices.iter().zip(&start).all(|(d, s)| d.rounds_ok > *s && d.engine.is_none());
        if done && world.devices.iter().all(|d| d.events.iter().all(|e| e.state != State::Pending)) {
            // One more clean round each, so both have pulled what the other pushed last.
            for d in 0..world.devices.len() {
                world.start_round(d);
                world.drive(d, CALM);
            }
            return world.check().map(|_| (world.hub.log.len(), world.crashes));
        }
    }
    Err("the devices never finished a clean round after the faults stopped (liveness)".into())
}

#[test]
fn thousands_of_fault_schedules_keep_the_sync_invariants() {
    if let Ok(seed) = std::env::var("SIM_SEED") {
        let seed: u64 = seed.parse().expect("SIM_SEED is a number");
        if let Err(why) = run(seed) {
            panic!("schedule SIM_SEED={seed} broke an invariant: {why}");
        }
        return;
    }
    let schedules: u64 = std::env::var("SIM_SCHEDULES").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let (mut events, mut crashes) = (0, 0);
    for seed in 0..schedules {
        match run(seed) {
            Ok((e, c)) => {
                events += e;
                crashes += c;
            }
            Err(why) => panic!(
                "schedule {seed} broke an invariant: {why}\nreproduce with: SIM_SEED={seed} cargo test -p gridpatrol-sync --test simulation"
            ),
        }
    }
    assert!(events > schedules as usize, "the schedules should move events to the hub ({events} moved)");
    assert!(crashes > schedules as usize / 10, "the schedules should crash devices often ({crashes} crashes)");
}

#[test]
fn the_same_seed_gives_the_same_run() {
    for seed in [1u64, 77, 4242] {
        assert_eq!(run(seed), run(seed), "schedule {seed} must replay exactly, or a failing seed reproduces nothing");
    }
}
