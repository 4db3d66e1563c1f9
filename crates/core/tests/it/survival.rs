//! The store survives what laptops do to it: two writers at once, a failed or killed record, a full
//! disk, a damaged, emptied or rolled-back file, a read-only folder, a wrong clock, oversized
//! imports. Each test shows that nothing is lost and that the person reads what to do.

use std::collections::BTreeSet;
use std::io::{Seek, SeekFrom, Write};
use std::sync::{Arc, Barrier};
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use gridpatrol_core::clock::SeededIds;
use gridpatrol_core::geometry::MAX_POINTS;
use gridpatrol_core::registry::{self, MAX_IMPORT_BYTES};
use gridpatrol_core::store::{Health, DB_FILE, STATE_FILE};
use gridpatrol_core::{Error, Lang, MoveRequest, NewFinding, PhotoSource, Role, Status, Store};

use super::*;

fn with_photo(description: &str, seed: u8) -> NewFinding {
    let mut new = NewFinding::new(GRID_01, MANHOLE, description);
    new.photos = vec![PhotoSource::Bytes { name: format!("p{seed}.png"), bytes: png(64, 48, seed) }];
    new
}

fn open(env: &Env, seed: u64) -> Store {
    Store::open(env.dir.path(), env.clock.clone(), Arc::new(SeededIds::new(seed))).expect("open the store again")
}

/// Every message of the store's survival errors is whole in each language and ends with what to do.
fn assert_says_what_to_do(what: &str, err: &Error) {
    assert_messages(what, err);
    let zh = err.message(Lang::Zh);
    assert!(zh.contains('请') || zh.contains("运行"), "{what}: the Chinese message says what to do: {zh}");
    let en = err.message(Lang::En);
    assert!(
        ["Restore", "restore", "Correct", "Check", "Try", "Free", "Put", "Split", "run ", "sync"]
            .iter()
            .any(|w| en.contains(w)),
        "{what}: the English message says what to do: {en}"
    );
}

#[test]
fn two_store_connections_recording_at_once_lose_nothing_and_refuse_nothing() {
    // The desktop app's window and its sync thread each write on their own connection, and the CLI
    // may write at the same time: every write waits its turn (IMMEDIATE, 30 s busy timeout).
    let env = Env::sample();
    const EACH: usize = 1_000;
    let barrier = Arc::new(Barrier::new(2));
    let writers: Vec<_> = (0..2u64)
        .map(|w| {
            let dir = env.dir.path().to_path_buf();
            let clock = env.clock.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&dir, clock, Arc::new(SeededIds::new(100 + w))).expect("open");
                barrier.wait();
                let mut slowest = StdDuration::ZERO;
                let mut refused = Vec::new();
                for i in 0..EACH {
                    let t = Instant::now();
                    match store.add_finding(NewFinding::new(GRID_01, MANHOLE, &format!("写入者{w}第{i}条"))) {
                        Err(e) => refused.push(e.to_string()),
                        // The second writer also does what the sync thread does: a transaction that
                        // reads before it writes (its own event coming back acknowledged, in hub order).
                        Ok(f) if w == 1 => {
                            let mut events = store.history(&f.id).expect("history");
                            for e in &mut events {
                                e.hub_seq = Some(i as i64 + 1);
                            }
                            if let Err(e) = store.apply_remote(&events, i as i64 + 1) {
                                refused.push(e.to_string());
                            }
                        }
                        Ok(_) => {}
                    }
                    slowest = slowest.max(t.elapsed());
                }
                (refused, slowest)
            })
        })
        .collect();
    let mut slowest = StdDuration::ZERO;
    for w in writers {
        let (refused, s) = w.join().expect("a writer thread");
        assert!(refused.is_empty(), "no record is refused while another writer writes: {refused:?}");
        slowest = slowest.max(s);
    }
    let count = env.store.counts().expect("counts").findings;
    assert_eq!(count, 2 * EACH as i64, "every record of both writers is in the store, none lost");
    // The figure for docs/performance.md; no assertion on time.
    println!("two writers × {EACH}: slowest record took {:.1} ms", slowest.as_secs_f64() * 1000.0);
}

#[test]
fn a_record_whose_photo_cannot_be_written_leaves_no_file_and_no_row() {
    // A failing writer: the thumbnails folder is a file, so the photo is written and its thumbnail
    // fails, as on a disk that fills up between the two.
    let mut env = Env::sample();
    let thumbs = env.store.photos_dir().join("thumbs");
    std::fs::remove_dir_all(&thumbs).expect("remove thumbs");
    std::fs::write(&thumbs, b"not a folder").expect("a file in the folder's place");
    let before = env.photo_files();
    env.assert_refused("a photo whose thumbnail cannot be written", "io", |s| s.add_finding(with_photo("井盖破损", 1)));
    assert_eq!(env.photo_files(), before, "the photo written before the failure is removed again");
}

#[test]
fn a_full_disk_refuses_the_record_with_a_clear_message_and_leaves_no_photo() {
    // SQLite's own limit stands in for a full disk: the file may not grow, so the commit fails
    // with SQLITE_FULL exactly as on a disk with no space left.
    let mut env = Env::sample();
    env.add("先记一条");
    let pages: i64 = env.store.connection().query_row("PRAGMA page_count", [], |r| r.get(0)).expect("page count");
    env.store.connection().pragma_update(None, "max_page_count", pages).expect("cap the file");
    let mut last = None;
    // The first records may still fit in free pages; the cap is reached within a few.
    for i in 0..50u8 {
        let counts = env.store.counts().expect("counts");
        let files = env.photo_files();
        match env.store.add_finding(with_photo(&format!("磁盘将满{i}"), i + 10)) {
            Ok(_) => continue,
            Err(e) => {
                assert_eq!(
                    env.store.counts().expect("counts"),
                    counts,
                    "a record refused for a full disk adds nothing"
                );
                assert_eq!(env.photo_files(), files, "a record refused for a full disk leaves no photo file");
                last = Some(e);
                break;
            }
        }
    }
    let err = last.expect("a capped file refuses a record within 50");
    assert_eq!(err.code(), "disk_full", "SQLite's 'database or disk is full' is the disk_full refusal: {err}");
    assert_says_what_to_do("a full disk", &err);
    assert!(
        err.message(Lang::Zh).contains("磁盘已满"),
        "the Chinese message names the cause: {}",
        err.message(Lang::Zh)
    );
}

#[test]
fn a_record_killed_mid_write_is_swept_at_the_next_open() {
    // What `kill -9` in the middle of a record leaves: its marker, a complete photo and thumbnail
    // no row names, a partial temporary file. The next open sweeps them under the write lock and
    // keeps every photo a row names.
    let mut env = Env::sample();
    let kept = env.store.add_finding(with_photo("已保存的问题", 1)).expect("record with a photo");
    let photos = env.store.photos_dir();
    let orphan = format!("{}.png", "ab".repeat(32));
    std::fs::write(photos.join(&orphan), b"complete but never committed").expect("orphan");
    std::fs::write(photos.join("thumbs").join(format!("{}.jpg", "ab".repeat(32))), b"thumb").expect("orphan thumb");
    std::fs::write(photos.join(format!(".{orphan}.tmp")), b"half").expect("partial");
    std::fs::write(photos.join(".pending-99999-0"), b"").expect("marker");
    drop(open(&env, 7));
    let files = env.photo_files();
    let expected: BTreeSet<std::path::PathBuf> =
        [kept.photos[0].file.clone(), kept.photos[0].thumbnail.clone()].into_iter().map(Into::into).collect();
    assert_eq!(files, expected, "after the sweep only the committed finding's photo and thumbnail remain");
}

#[test]
fn an_empty_database_file_is_never_made_a_new_store() {
    let mut env = Env::sample();
    env.store.add_finding(with_photo("有照片的问题", 2)).expect("record with a photo");
    let dir = env.dir.path().to_path_buf();
    let Env { store, clock, dir: tmp } = env;
    drop(store);
    std::fs::File::create(dir.join(DB_FILE)).expect("truncate the database to 0 bytes");
    for (what, attempt) in [
        ("open", Store::open(&dir, clock.clone(), Arc::new(SeededIds::new(1)))),
        ("create (init)", Store::create(&dir, clock.clone(), Arc::new(SeededIds::new(1)))),
    ] {
        let err = attempt.err().unwrap_or_else(|| panic!("{what} of an emptied database must be refused"));
        assert_eq!(err.code(), "store_empty", "{what}: an empty database file is store_empty, not a new store");
        assert_says_what_to_do(what, &err);
    }
    assert_eq!(std::fs::metadata(dir.join(DB_FILE)).expect("db").len(), 0, "the empty file is left as it was");
    // With the database gone entirely and photos in the folder, init makes no new store either.
    std::fs::remove_file(dir.join(DB_FILE)).expect("remove the database");
    let err = Store::create(&dir, clock, Arc::new(SeededIds::new(1))).err().expect("create beside photos is refused");
    assert_eq!(err.code(), "store_missing", "a folder with photos and no database is not initialised anew");
    assert!(!dir.join(DB_FILE).exists(), "no database was created beside the photos");
    drop(tmp);
}

#[test]
fn a_damaged_database_is_found_at_open_and_refuses_every_write() {
    let mut env = Env::sample();
    for i in 0..300 {
        env.add(&format!("填充第{i}条，让文件有许多页"));
    }
    let dir = env.dir.path().to_path_buf();
    let Env { store, clock, dir: tmp } = env;
    drop(store);
    let path = dir.join(DB_FILE);
    let len = std::fs::metadata(&path).expect("db").len();
    assert!(len > 64 * 1024, "the file has pages to damage ({len} bytes)");
    let mut file = std::fs::OpenOptions::new().write(true).open(&path).expect("open the file");
    file.seek(SeekFrom::Start(len / 2 / 4096 * 4096)).expect("seek");
    file.write_all(&[0x5a; 4096]).expect("4 KB of garbage in the middle");
    drop(file);
    let damaged = std::fs::read(&path).expect("read");
    match Store::open(&dir, clock.clone(), Arc::new(SeededIds::new(3))) {
        Err(err) => {
            assert_eq!(err.code(), "store_damaged", "a damaged file is refused as damaged: {err}");
            assert_says_what_to_do("damaged at open", &err);
        }
        Ok(mut store) => {
            assert!(
                matches!(store.health(), Health::Damaged(_)),
                "the quick check finds the damage: {:?}",
                store.health()
            );
            let err = store.add_finding(NewFinding::new(GRID_01, MANHOLE, "写进损坏的文件")).expect_err("refused");
            assert_eq!(err.code(), "store_damaged", "no record is written into a damaged file: {err}");
            assert_says_what_to_do("a record into a damaged file", &err);
            let err = store.set_profile(LEAD, Role::Lead).expect_err("refused");
            assert_eq!(err.code(), "store_damaged", "no setting is written into a damaged file either");
        }
    }
    assert_eq!(std::fs::read(&path).expect("read"), damaged, "the damaged file is left exactly as it was found");
    drop(tmp);
}

#[test]
fn a_database_older_than_its_folder_is_refused_until_accepted() {
    // A database restored or copied without its WAL holds fewer events than the folder had at its
    // last clean close (the sidecar remembers the newest event).
    let mut env = Env::sample();
    env.add("旧副本里有的问题");
    let dir = env.dir.path().to_path_buf();
    let Env { store, clock, dir: tmp } = env;
    drop(store);
    let old = std::fs::read(dir.join(DB_FILE)).expect("copy of the database");
    let mut store = Store::open(&dir, clock.clone(), Arc::new(SeededIds::new(4))).expect("open");
    store.add_finding(NewFinding::new(GRID_01, MANHOLE, "只在新文件里的问题")).expect("record");
    drop(store);
    assert!(dir.join(STATE_FILE).exists(), "a clean close writes the sidecar");
    std::fs::write(dir.join(DB_FILE), &old).expect("put the older copy back");
    let mut store = Store::open(&dir, clock.clone(), Arc::new(SeededIds::new(5))).expect("an older copy still opens");
    assert!(matches!(store.health(), Health::RolledBack { .. }), "the older copy is noticed: {:?}", store.health());
    assert_eq!(store.counts().expect("reads work").findings, 1, "what the copy holds can be read");
    let err = store.add_finding(NewFinding::new(GRID_01, MANHOLE, "写进旧副本")).expect_err("refused");
    assert_eq!(err.code(), "store_rolled_back", "no record is written over a rolled-back store: {err}");
    assert_says_what_to_do("a rolled-back store", &err);
    drop(store);
    Store::accept_rollback(&dir).expect("accept the copy");
    let mut store = Store::open(&dir, clock, Arc::new(SeededIds::new(6))).expect("open after accepting");
    assert_eq!(store.health(), &Health::Sound, "an accepted copy is sound again");
    store.add_finding(NewFinding::new(GRID_01, MANHOLE, "接受后再记录")).expect("records again");
    drop(store);
    drop(tmp);
}

#[test]
fn a_read_only_store_reads_and_refuses_writes_with_a_clear_message() {
    let mut env = Env::sample();
    env.add("只读也能看到");
    let store = Store::open_read_only(env.dir.path(), env.clock.clone(), Arc::new(SeededIds::new(8))).expect("opens");
    let mut store = store;
    assert!(matches!(store.health(), Health::ReadOnly(_)), "it says it is read-only");
    assert_eq!(store.findings(&Default::default()).expect("reads work").len(), 1, "reads work");
    let err = store.add_finding(NewFinding::new(GRID_01, MANHOLE, "只读时记录")).expect_err("refused");
    assert_eq!(err.code(), "store_read_only", "a write into a read-only store is refused as such: {err}");
    assert_says_what_to_do("a read-only store", &err);
    assert_eq!(env.store.counts().expect("counts").findings, 1, "nothing was written");
}

#[test]
fn a_clock_set_back_or_far_ahead_refuses_to_record() {
    let mut env = Env::sample();
    env.add("按正确时间记录");
    // Within the skew: a clock a few minutes behind still records.
    env.clock.set(at(NOW) - Duration::minutes(5));
    env.add("时钟慢了五分钟");
    env.clock.set(at(NOW) - Duration::hours(3));
    let err = env.assert_refused("a clock set back three hours", "clock_behind", |s| {
        s.add_finding(NewFinding::new(GRID_01, MANHOLE, "时钟被调回"))
    });
    assert_says_what_to_do("a clock set back", &err);
    env.clock.set(at(NOW));
    env.store.record_hub_time(at(NOW), at(NOW)).expect("a sync remembers the hub's time");
    env.clock.set(at(NOW) + Duration::days(59));
    env.add("离线 59 天后记录");
    env.clock.set(at("2099-01-01T00:00:00Z"));
    let err = env.assert_refused("a clock in 2099", "clock_ahead", |s| {
        s.add_finding(NewFinding::new(GRID_01, MANHOLE, "2099 年的问题"))
    });
    assert_says_what_to_do("a clock far ahead", &err);
}

#[test]
fn a_store_that_recorded_under_a_wrong_clock_records_again_after_a_sync() {
    // Before any sync the device cannot know 2099 is wrong; once the clock is right it refuses
    // (the newest event is in 2099) until a sync brings the hub's time, which shows 2099 was wrong.
    let mut env = Env::sample();
    env.clock.set(at("2099-01-01T00:00:00Z"));
    env.add("时钟错了的问题");
    env.clock.set(at(NOW));
    env.assert_refused("after 2099, the right clock", "clock_behind", |s| {
        s.add_finding(NewFinding::new(GRID_01, MANHOLE, "改正时钟后"))
    });
    env.store.record_hub_time(at(NOW), at(NOW)).expect("sync");
    env.add("同步后可以记录");
}

#[test]
fn a_move_is_never_earlier_than_the_event_it_follows() {
    let mut env = Env::sample();
    env.act_as(LEAD, Role::Lead);
    let id = env.add("要受理的问题");
    env.clock.set(at(NOW) - Duration::minutes(4));
    let moved = env
        .store
        .move_finding(MoveRequest {
            unit: None,
            id: id.clone(),
            to: Status::Accepted,
            note: String::new(),
            photos: vec![],
        })
        .expect("accept within the skew");
    let history = env.store.history(&id).expect("history");
    assert!(
        history.windows(2).all(|w| w[1].device_time >= w[0].device_time),
        "each event's time is at or after the one before it: {:?}",
        history.iter().map(|e| e.device_time).collect::<Vec<_>>()
    );
    assert!(moved.updated_at >= at(NOW), "the finding is never updated earlier than its last event");
}

#[test]
fn an_oversized_import_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("huge.geojson");
    // A sparse file: its size is what is checked, nothing is read.
    std::fs::File::create(&path).expect("create").set_len(237 * 1024 * 1024).expect("size");
    let err = registry::read_file(&path).expect_err("refused");
    assert_eq!(err.code(), "import_too_large", "a file over the limit is refused by its size: {err}");
    assert!(
        err.message(Lang::Zh).contains(&format!("{:.1} MB", MAX_IMPORT_BYTES as f64 / 1048576.0)),
        "the message names the limit: {}",
        err.message(Lang::Zh)
    );
    assert_says_what_to_do("an oversized file", &err);
}

fn ring(points: usize, lon: f64, lat: f64, r: f64) -> Vec<(f64, f64)> {
    let mut ring: Vec<(f64, f64)> = (0..points)
        .map(|i| {
            let a = i as f64 / points as f64 * std::f64::consts::TAU;
            (lon + r * a.cos(), lat + r * a.sin())
        })
        .collect();
    ring.push(ring[0]);
    ring
}

fn wkt(ring: &[(f64, f64)]) -> String {
    let pts: Vec<String> = ring.iter().map(|(x, y)| format!("{x} {y}")).collect();
    format!("POLYGON(({}))", pts.join(", "))
}

#[test]
fn a_boundary_with_too_many_points_is_refused_naming_the_limit() {
    // The 330,000-point ring that was still being checked after 300 s is refused from its text.
    let big = wkt(&ring(330_000, 117.95, 37.3, 0.01));
    let text = format!("code,name,parent,owners,boundary\nBIG,大网格,,王建国,\"{big}\"\n");
    let err = registry::parse_csv(&text).expect_err("refused");
    assert_eq!(err.code(), "import_invalid", "an oversized boundary refuses the file: {err}");
    let zh = err.message(Lang::Zh);
    assert!(zh.contains(&MAX_POINTS.to_string()) && zh.contains("第 2 行（编码 BIG）"), "names row and limit: {zh}");
    assert_says_what_to_do("an oversized boundary", &err);
    // The same in GeoJSON, counted while it is read.
    let coords: Vec<String> =
        ring(MAX_POINTS + 10, 117.95, 37.3, 0.01).iter().map(|(x, y)| format!("[{x},{y}]")).collect();
    let geojson = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"code":"BIG","name":"大"}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}]}}"#,
        coords.join(",")
    );
    let err = registry::parse_geojson(&geojson).expect_err("refused");
    assert_eq!(err.code(), "import_invalid", "an oversized GeoJSON boundary refuses the file: {err}");
    assert!(err.message(Lang::En).contains(&MAX_POINTS.to_string()), "names the limit: {}", err.message(Lang::En));
}

#[test]
fn a_large_valid_boundary_is_checked_without_comparing_every_edge_to_every_other() {
    // Just under the limit: valid, and checked by a sweep (geo's pairwise check took 6.5 s at 40,000).
    let good = wkt(&ring(MAX_POINTS - 10, 117.95, 37.3, 0.01));
    let text = format!("code,name,parent,owners,boundary\nL1,大网格,,王建国,\"{good}\"\n");
    let records = registry::parse_csv(&text).expect("a large simple polygon is valid");
    assert_eq!(records.len(), 1);
    // The same ring with two points swapped crosses itself, far from where a scan would start.
    let mut bad = ring(MAX_POINTS - 10, 117.95, 37.3, 0.01);
    bad.swap(9_000, 9_001);
    let text = format!("code,name,parent,owners,boundary\nL1,大网格,,王建国,\"{}\"\n", wkt(&bad));
    let err = registry::parse_csv(&text).expect_err("a crossing ring is refused");
    assert_eq!(err.code(), "import_invalid", "a self-intersecting ring is refused: {err}");
}

#[test]
fn registry_refusals_are_whole_in_chinese() {
    let long = "长".repeat(101);
    let text = format!(
        "code,name,parent,owners,boundary\n371699001,{long},,王建国,\"POLYGON((117.9 37.3, 117.91 37.3, 117.91 37.31, 117.9 37.3))\"\n"
    );
    let mut env = Env::sample();
    let records = registry::parse_csv(&text).expect("parses");
    let err =
        env.assert_refused("a name over 100 characters", "import_invalid", |s| s.import_registry(&records, false));
    let zh = err.message(Lang::Zh);
    assert!(zh.contains("第 2 行（编码 371699001）：名称超过 100 个字"), "the row and the cause are in Chinese: {zh}");
    for english in ["row", "code ", "the name", "longer"] {
        assert!(!zh.contains(english), "no English ({english:?}) in the Chinese message: {zh}");
    }
    assert_says_what_to_do("a registry row", &err);
}

#[test]
fn sqlite_causes_become_sentences_with_a_remedy() {
    use rusqlite::ffi;
    let cases = [
        (ffi::SQLITE_FULL, "disk_full"),
        (ffi::SQLITE_BUSY, "store_busy"),
        (ffi::SQLITE_CORRUPT, "store_damaged"),
        (ffi::SQLITE_NOTADB, "store_damaged"),
        (ffi::SQLITE_READONLY, "store_read_only"),
    ];
    for (code, expected) in cases {
        let err = Error::from(rusqlite::Error::SqliteFailure(ffi::Error::new(code), None));
        assert_eq!(err.code(), expected, "SQLite code {code} maps to {expected}");
        assert_says_what_to_do(expected, &err);
        let zh = err.message(Lang::Zh);
        for english in ["database", "disk", "locked", "readonly", "malformed"] {
            assert!(!zh.contains(english), "{expected}: SQLite's English ({english}) stays out of the Chinese: {zh}");
        }
    }
    let json = gridpatrol_core::registry::parse_geojson("{\"type\": \"FeatureCollection\",\n \"features\": [}")
        .expect_err("bad");
    let zh = json.message(Lang::Zh);
    assert!(zh.contains("第 2 行第") && !zh.contains("expected"), "a JSON error is placed in Chinese: {zh}");
    let full = Error::from(std::io::Error::from_raw_os_error(28));
    assert_eq!(full.code(), "disk_full", "ENOSPC from the file system is a full disk");
    let ro = Error::from(std::io::Error::from_raw_os_error(30));
    assert_eq!(ro.code(), "store_read_only", "EROFS is a read-only store");
}

#[test]
fn a_clean_open_does_not_check_the_whole_file_again() {
    // The sidecar lets a clean start skip the quick check: what a test can see is that the sidecar
    // is written at close and names the file as it is.
    let env = Env::sample();
    let dir = env.dir.path().to_path_buf();
    let Env { store, clock, dir: tmp } = env;
    drop(store);
    let state = std::fs::read_to_string(dir.join(STATE_FILE)).expect("the sidecar exists after a clean close");
    let len = std::fs::metadata(dir.join(DB_FILE)).expect("db").len();
    assert!(state.contains(&format!("\"db_len\":{len}")), "the sidecar records the file's size: {state}");
    let store = Store::open(&dir, clock, Arc::new(SeededIds::new(9))).expect("reopen");
    assert_eq!(store.health(), &Health::Sound);
    drop(store);
    drop(tmp);
}

#[test]
fn a_store_marked_clean_before_an_exit_without_destructors_is_not_checked_again() {
    // The desktop app leaves its event loop with process::exit: no destructor runs. `mark_clean`
    // at its Exit event records the file as it is, so the next start skips the quick check.
    let mut env = Env::sample();
    env.add("井盖破损，待标记干净后退出");
    let dir = env.dir.path().to_path_buf();
    let Env { mut store, clock, dir: tmp } = env;
    store.mark_clean().expect("checkpoint and record the file");
    std::mem::forget(store);
    let state = std::fs::read_to_string(dir.join(STATE_FILE)).expect("the sidecar is written without a close");
    let len = std::fs::metadata(dir.join(DB_FILE)).expect("db").len();
    assert!(state.contains(&format!("\"db_len\":{len}")), "the sidecar names the checkpointed file: {state}");
    let wal = std::fs::metadata(dir.join(format!("{DB_FILE}-wal"))).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal, 0, "everything is in the file: a copy of gridpatrol.db alone is whole");
    let store = Store::open(&dir, clock, Arc::new(SeededIds::new(9))).expect("reopen");
    assert_eq!(store.health(), &Health::Sound);
    drop(store);
    drop(tmp);
}
