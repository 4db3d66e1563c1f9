//! The store itself: a data folder without a store is refused, reopening keeps everything and runs
//! no migration twice, the connection is set up for durability (WAL, synchronous=FULL, foreign
//! keys), every change is a pending event, and the projection is the replay of the events even
//! when the clock has sub-millisecond precision.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use gridpatrol_core::clock::{Clock, FixedClock, SeededIds};
use gridpatrol_core::projection;
use gridpatrol_core::store::migrations;
use gridpatrol_core::{MoveRequest, NewFinding, Role, Status, Store, SyncState};

use super::{at, Env, GRID_01, MANHOLE, NOW, OFFICER};

fn pragma<T: rusqlite::types::FromSql>(store: &Store, name: &str) -> T {
    store
        .connection()
        .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("PRAGMA {name}: {e}"))
}

#[test]
fn opening_a_folder_without_a_store_is_not_initialized() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at(NOW)));
    let err = Store::open(dir.path(), clock.clone(), Arc::new(SeededIds::new(1)))
        .err()
        .expect("an empty folder holds no store");
    assert_eq!(err.code(), "not_initialized", "an empty data folder is NotInitialized");
    super::assert_messages("not initialized", &err);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "opening creates nothing in the folder");
    let missing = dir.path().join("nowhere");
    let err = Store::open(&missing, clock, Arc::new(SeededIds::new(1))).err().expect("no folder, no store");
    assert_eq!(err.code(), "not_initialized", "a missing data folder is NotInitialized");
    assert!(!missing.exists(), "opening does not create the folder");
}

#[test]
fn the_connection_is_durable() {
    let env = Env::empty();
    assert_eq!(pragma::<String>(&env.store, "journal_mode"), "wal", "the store runs in WAL mode");
    assert_eq!(pragma::<i64>(&env.store, "synchronous"), 2, "synchronous=FULL (2): every commit survives a power cut");
    assert_eq!(pragma::<i64>(&env.store, "foreign_keys"), 1, "foreign keys are enforced");
    assert_eq!(
        pragma::<i64>(&env.store, "user_version") as usize,
        migrations::latest_version(),
        "a new store runs every migration"
    );
}

#[test]
fn reopening_keeps_the_data_and_migrates_nothing_twice() {
    let mut env = Env::sample();
    let id = env.add("重新打开后仍在");
    let counts = env.store.counts().unwrap();
    let finding = env.store.finding(&id).unwrap();
    let Env { clock, store, dir } = env;
    drop(store);

    let reopened = Store::open(dir.path(), clock.clone(), Arc::new(SeededIds::new(99))).expect("the store reopens");
    assert_eq!(reopened.counts().unwrap(), counts, "reopening keeps every row");
    assert_eq!(reopened.finding(&id).unwrap(), finding, "reopening keeps the finding as it was");
    assert_eq!(reopened.profile().unwrap().map(|u| u.name).as_deref(), Some(OFFICER), "the acting profile is kept");
    assert_eq!(
        pragma::<i64>(&reopened, "user_version") as usize,
        migrations::latest_version(),
        "the schema is at the latest version"
    );
    assert_eq!(pragma::<String>(&reopened, "journal_mode"), "wal", "a reopened store is in WAL mode");
    assert_eq!(pragma::<i64>(&reopened, "synchronous"), 2, "a reopened store is synchronous=FULL");
    assert_eq!(pragma::<i64>(&reopened, "foreign_keys"), 1, "a reopened store enforces foreign keys");
    let categories = reopened.categories().unwrap();
    assert_eq!(categories.len(), 12, "the category tree is seeded once: six component and six event majors");
    drop(reopened);

    // create() on an existing store is an open, not a reset.
    let again = Store::create(dir.path(), clock, Arc::new(SeededIds::new(98))).unwrap();
    assert_eq!(again.counts().unwrap(), counts, "create on an existing store keeps every row");
}

#[test]
fn every_change_that_travels_is_a_pending_event_in_the_outbox_and_the_rest_are_settled() {
    let mut env = Env::sample();
    let id = env.add("井盖破损");
    env.act_as("王建国", Role::Lead);
    env.store
        .move_finding(MoveRequest {
            unit: None,
            id: id.clone(),
            to: Status::Accepted,
            note: String::new(),
            photos: vec![],
        })
        .unwrap();
    let counts = env.store.counts().unwrap();
    assert_eq!(counts.pending_events, 2, "only the report and the move wait for a hub: {counts:?}");
    let pending = env.store.pending_events(1000).unwrap();
    assert!(
        pending.iter().all(|e| e.sync == SyncState::Pending && e.hub_seq.is_none()),
        "pending events have no hub sequence"
    );
    let kinds: Vec<&str> = pending.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["finding.reported", "finding.moved"], "one event per change that travels, oldest first");
    let all: Vec<String> = env
        .store
        .connection()
        .prepare("SELECT kind || ':' || sync_state FROM events ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        all,
        vec![
            "user.profile_set:acked",
            "registry.imported:acked",
            "finding.reported:pending",
            "user.profile_set:acked",
            "finding.moved:pending"
        ],
        "every change is an event; those that describe the device never travel and are written settled (issue 13)"
    );
    for e in &pending {
        let id = uuid::Uuid::parse_str(&e.id).expect("an event id is a UUID");
        assert_eq!(id.get_version_num(), 7, "event ids are UUIDv7");
    }
    assert_eq!(env.store.pending_events(1).unwrap().len(), 1, "the outbox is read in batches");
}

/// A clock that stands still at a time with nanoseconds, as a real system clock reads.
struct NanoClock(DateTime<Utc>);

impl Clock for NanoClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[test]
fn the_projection_is_the_replay_even_with_a_sub_millisecond_clock() {
    let dir = tempfile::tempdir().unwrap();
    let now = at("2026-11-25T02:00:00.123456789Z");
    let mut store = Store::create(dir.path(), Arc::new(NanoClock(now)), Arc::new(SeededIds::new(3))).unwrap();
    store.import_sample_registry().unwrap();
    store.set_profile(OFFICER, Role::Officer).unwrap();
    let added = store
        .add_finding(NewFinding {
            on_the_spot: false,
            after_photos: Vec::new(),
            observed_at: Some(at("2026-11-25T01:59:59.987654321Z")),
            ..NewFinding::new(GRID_01, MANHOLE, "井盖破损")
        })
        .unwrap();
    let stored = store.finding(&added.id).unwrap();
    assert_eq!(stored, added, "the finding returned is the finding stored, to the last digit of its times");
    assert_eq!(
        projection::replay(&store.history(&added.id).unwrap()),
        Some(stored),
        "the stored finding is the replay of its events"
    );
    assert!(
        store.findings(&Default::default()).unwrap().iter().all(|f| f.recorded_at == added.recorded_at),
        "lists show the same times as the finding"
    );
}
