//! The harness shared by every integration test: a store in a temporary folder on a fixed clock,
//! the people and places the tests use, photo bytes made in memory, and the checks a refused input
//! must pass (nothing counted changed, no photo file written, a stable code and two sentences).

mod bad_input;
mod closed_loop;
mod dashboard;
mod edits;
mod encryption;
mod geometry;
mod lifecycle;
mod patrols;
mod photos;
mod queue;
mod registry;
mod reviews;
mod search;
mod storage;
mod survival;
mod today;
mod weekly;

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::{Error, Lang, NewFinding, Point, Role, Store};
use tempfile::TempDir;

/// The fixed "now" of every test: Wednesday 2026-11-25, 10:00 in the city (02:00 UTC).
pub const NOW: &str = "2026-11-25T02:00:00Z";

/// A grid officer (网格员) who owns small grids of the 黄河 large grid in the sample registry.
pub const OFFICER: &str = "李明";
/// The lead (组长) who owns the 黄河 large grid.
pub const LEAD: &str = "王建国";
/// An administrator at the hub.
pub const ADMIN: &str = "赵敏";
/// The liaison (联络员) of [`LIAISON_UNIT`].
pub const LIAISON: &str = "周联络";
/// The sample unit [`MANHOLE`] cases are dispatched to by default (供水公司).
pub const LIAISON_UNIT: &str = "WATER";

/// The 黄河 large grid of the sample registry.
pub const LARGE_GRID: &str = "371602001";
/// 黄河第01网格: lon 117.925–117.930625, lat 37.406–37.41.
pub const GRID_01: &str = "37160200100101";
/// 黄河第02网格, just south of 01: lon 117.925–117.930625, lat 37.402–37.406.
pub const GRID_02: &str = "37160200100102";
/// A point well inside [`GRID_01`].
pub const IN_GRID_01: Point = Point { lat: 37.408, lon: 117.9278 };
/// A point well inside [`GRID_02`].
pub const IN_GRID_02: Point = Point { lat: 37.404, lon: 117.9278 };
/// A point in the countryside, in no grid of the city.
pub const IN_NO_GRID: Point = Point { lat: 37.0, lon: 117.0 };

/// 上水井盖 (water supply manhole cover), a component minor (部件 01 01) with a 6-hour deadline.
pub const MANHOLE: &str = "10101";
/// 占道经营 (street-occupying stall), an event minor: the reference city's addition 事件 05 90.
pub const STALL: &str = "20590";

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("a test time is RFC 3339").with_timezone(&Utc)
}

/// A store in its own temporary folder, acting as [`OFFICER`], on a clock standing at [`NOW`].
pub struct Env {
    pub clock: Arc<FixedClock>,
    pub store: Store,
    // Dropped last: the folder outlives the store that has it open.
    pub dir: TempDir,
}

impl Env {
    /// An initialised store with the officer's profile and no grids.
    pub fn empty() -> Env {
        Env::empty_seeded(2026)
    }

    /// [`Env::empty`] with ids from another seed: a second device, whose ids differ from the first's.
    pub fn empty_seeded(seed: u64) -> Env {
        Env::empty_at(seed, at(NOW))
    }

    /// [`Env::sample`] made at `start`: a story told from an earlier day on, in order (the device
    /// refuses to record with a clock set back before what it already wrote).
    pub fn sample_at(seed: u64, start: DateTime<Utc>) -> Env {
        let mut env = Env::empty_at(seed, start);
        env.store.import_sample_registry().expect("import the sample registry");
        env
    }

    fn empty_at(seed: u64, start: DateTime<Utc>) -> Env {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let clock = Arc::new(FixedClock::new(start));
        let mut store =
            Store::create(dir.path(), clock.clone(), Arc::new(SeededIds::new(seed))).expect("create a store");
        store.set_profile(OFFICER, Role::Officer).expect("set the officer's profile");
        Env { clock, store, dir }
    }

    /// An initialised store with the sample registry loaded and the officer acting.
    pub fn sample() -> Env {
        Env::sample_seeded(2026)
    }

    /// [`Env::sample`] with ids from another seed (see [`Env::empty_seeded`]).
    pub fn sample_seeded(seed: u64) -> Env {
        let mut env = Env::empty_seeded(seed);
        env.store.import_sample_registry().expect("import the sample registry");
        env
    }

    /// Acts as `name` with `role` from now on, as the people sharing a device switch profiles.
    /// A liaison acts for [`LIAISON_UNIT`].
    pub fn act_as(&mut self, name: &str, role: Role) {
        let unit = (role == Role::Liaison).then_some(LIAISON_UNIT);
        self.store.set_profile_in_unit(name, role, unit).expect("switch the acting profile");
    }

    /// Records an ordinary finding in [`GRID_01`] and returns its id.
    pub fn add(&mut self, description: &str) -> String {
        self.store.add_finding(NewFinding::new(GRID_01, MANHOLE, description)).expect("record a valid finding").id
    }

    /// Records an ordinary finding in [`GRID_01`] as the officer, and has the lead accept it and
    /// dispatch it to its default unit at once (the deadline clock starts at dispatch); the officer
    /// acts again afterwards. Returns its id.
    pub fn add_dispatched(&mut self, description: &str) -> String {
        let id = self.add(description);
        self.dispatch(&id);
        id
    }

    /// The lead accepts `id` and dispatches it to its default unit now; the officer acts afterwards.
    pub fn dispatch(&mut self, id: &str) {
        self.act_as(LEAD, Role::Lead);
        for to in [gridpatrol_core::Status::Accepted, gridpatrol_core::Status::Rectifying] {
            self.store
                .move_finding(gridpatrol_core::MoveRequest {
                    id: id.to_string(),
                    to,
                    note: String::new(),
                    photos: Vec::new(),
                    unit: None,
                })
                .expect("the lead accepts and dispatches");
        }
        self.act_as(OFFICER, Role::Officer);
    }

    /// Every file under the photos folder, relative to it.
    pub fn photo_files(&self) -> BTreeSet<PathBuf> {
        let root = self.store.photos_dir();
        let mut found = BTreeSet::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read the photos folder") {
                let path = entry.expect("a folder entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    found.insert(path.strip_prefix(&root).expect("under photos").to_path_buf());
                }
            }
        }
        found
    }

    /// Runs `attempt`, which must be refused with `code`, and checks that the refusal changed no
    /// count of the store and wrote no photo file: the rule "every bad input changes nothing".
    pub fn assert_refused<T: std::fmt::Debug>(
        &mut self,
        what: &str,
        code: &str,
        attempt: impl FnOnce(&mut Store) -> gridpatrol_core::Result<T>,
    ) -> Error {
        let counts = self.store.counts().expect("counts before");
        let files = self.photo_files();
        let err = match attempt(&mut self.store) {
            Ok(v) => panic!("{what}: must be refused with {code}, but it was accepted: {v:?}"),
            Err(e) => e,
        };
        assert_eq!(err.code(), code, "{what}: refused with the wrong stable code ({err})");
        assert_eq!(
            self.store.counts().expect("counts after"),
            counts,
            "{what}: a refused input must leave every count of the store unchanged"
        );
        assert_eq!(self.photo_files(), files, "{what}: a refused input must write no photo file");
        assert_messages(what, &err);
        err
    }
}

/// A stand-in for the hub's order: moves every pending event of `from` to `to` with the next hub
/// sequence numbers, and acknowledges them on `from`.
pub struct Hub {
    pub seq: i64,
}

impl Hub {
    pub fn carry(&mut self, from: &mut Env, to: &mut Env) {
        use gridpatrol_core::model::{Event, SyncState};
        let pending = from.store.outbox(1000).expect("the outbox");
        let mut acks = Vec::new();
        let travelled: Vec<Event> = pending
            .into_iter()
            .map(|e| {
                self.seq += 1;
                acks.push((e.id.clone(), self.seq));
                // A hub stamps the time it accepted the event; here, at once.
                Event { sync: SyncState::Acked, hub_seq: Some(self.seq), accepted_at: Some(e.device_time), ..e }
            })
            .collect();
        from.store.ack(&acks).expect("record the acks");
        to.store.apply_remote(&travelled, self.seq).expect("apply pulled events");
    }
}

/// An error shown to a person is a sentence in Chinese and one in English, and they differ.
pub fn assert_messages(what: &str, err: &Error) {
    let zh = err.message(Lang::Zh);
    let en = err.message(Lang::En);
    assert!(!zh.trim().is_empty(), "{what}: the Chinese message must not be empty");
    assert!(!en.trim().is_empty(), "{what}: the English message must not be empty");
    assert_ne!(zh, en, "{what}: the Chinese and English messages must differ");
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{what}: the Chinese message must be written in Chinese: {zh}"
    );
    assert!(
        !en.starts_with(|c: char| c.is_lowercase()),
        "{what}: the English message must be a sentence, not starting in lower case: {en}"
    );
}

/// A PNG of `w`×`h` pixels whose content depends on `seed`, so different seeds hash differently.
pub fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    encode(w, h, seed, image::ImageFormat::Png)
}

/// A JPEG of `w`×`h` pixels whose content depends on `seed`.
pub fn jpeg(w: u32, h: u32, seed: u8) -> Vec<u8> {
    encode(w, h, seed, image::ImageFormat::Jpeg)
}

fn encode(w: u32, h: u32, seed: u8, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        // A cheap deterministic pattern that does not compress to nothing.
        let v = (x.wrapping_mul(31) ^ y.wrapping_mul(17)).wrapping_add(u32::from(seed) * 97);
        image::Rgb([v as u8, (v >> 3) as u8 ^ seed, (x + y) as u8])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), format).expect("encode a test image");
    out
}
