//! Encryption at rest (issue 13.4): a device's store is a SQLCipher file that opens only with its
//! key, holds no finding in the clear, refuses a wrong passphrase without changing anything, and a
//! plain store converts on its first keyed open, whatever step a crash interrupts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::store::cipher::{self, ConvertStep, FileKind};
use gridpatrol_core::store::{StoreKey, DB_FILE};
use gridpatrol_core::{Error, FindingQuery, NewFinding, Role, Store};

use super::{assert_messages, at, Env, GRID_01, MANHOLE, NOW, OFFICER};

/// A description no page of the file may show in the clear.
const SECRET: &str = "市民张三反映井盖缺失，电话13800001234";

fn raw_key() -> StoreKey {
    StoreKey::Raw([0x5a; 32])
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(at(NOW)))
}

/// A new encrypted store with the sample registry and one finding described by [`SECRET`].
fn encrypted_store(dir: &Path, key: &StoreKey) -> Store {
    let mut store = Store::create_encrypted(dir, clock(), Arc::new(SeededIds::new(1)), key).expect("create");
    store.set_profile(OFFICER, Role::Officer).unwrap();
    store.import_sample_registry().unwrap();
    store.add_finding(NewFinding::new(GRID_01, MANHOLE, SECRET)).unwrap();
    store
}

/// Every file of the folder with its bytes (photos and backups included).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn descriptions(store: &Store) -> Vec<String> {
    store.findings(&FindingQuery::default()).unwrap().into_iter().map(|f| f.description).collect()
}

#[test]
fn an_encrypted_store_does_not_open_without_its_key_and_shows_no_finding_in_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let key = raw_key();
    drop(encrypted_store(dir.path(), &key));
    let db = dir.path().join(DB_FILE);
    assert_eq!(cipher::file_kind(&db).unwrap(), FileKind::Encrypted, "the store file is not a plain SQLite file");
    for (path, bytes) in snapshot(dir.path()) {
        assert!(
            !contains(&bytes, SECRET.as_bytes()) && !contains(&bytes, "13800001234".as_bytes()),
            "{} holds a finding's description in the clear",
            path.display()
        );
    }
    let plain = rusqlite::Connection::open(&db).unwrap();
    let read = plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
    assert!(read.is_err(), "SQLite without the key cannot read the file: {read:?}");
    let err = Store::open(dir.path(), clock(), Arc::new(SeededIds::new(2))).err().expect("no key, no store");
    assert!(matches!(err, Error::PassphraseNeeded), "opening without a key says a key is needed: {err:?}");
    assert_messages("no key", &err);
    let store =
        Store::open_encrypted(dir.path(), clock(), Arc::new(SeededIds::new(3)), &key).expect("the key opens it");
    assert_eq!(descriptions(&store), vec![SECRET.to_string()], "the finding reads back with the key");
    let wal: String = store.connection().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let sync: i64 = store.connection().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!((wal.as_str(), sync), ("wal", 2), "the encrypted store keeps WAL and synchronous=FULL");
    let hmac: String = store.connection().query_row("PRAGMA cipher_use_hmac", [], |r| r.get(0)).unwrap();
    assert_eq!(hmac, "1", "each page keeps its HMAC: a page changed on disk is an error");
    let algorithm: String = store.connection().query_row("PRAGMA cipher_hmac_algorithm", [], |r| r.get(0)).unwrap();
    assert_eq!(algorithm, "HMAC_SHA256", "the store's HMAC (cipher::cipher_settings)");
}

/// A page changed on disk (a bad sector, or someone editing the file) fails its HMAC: reading it is
/// an error, never the changed bytes taken as data.
#[test]
fn a_page_changed_on_disk_is_an_error_never_read() {
    let dir = tempfile::tempdir().unwrap();
    let key = raw_key();
    let mut store = encrypted_store(dir.path(), &key);
    store.mark_clean().unwrap();
    drop(store);
    let db = dir.path().join(DB_FILE);
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 3 * 4096, "the store has more than two pages");
    // One bit of the third page, in its encrypted content (past the first bytes, before the reserve).
    bytes[2 * 4096 + 1000] ^= 0x01;
    std::fs::write(&db, &bytes).unwrap();
    let read = Store::open_encrypted(dir.path(), clock(), Arc::new(SeededIds::new(2)), &key).and_then(|store| {
        let check: String = store.connection().query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        Ok(check)
    });
    assert!(!matches!(read.as_deref(), Ok("ok")), "the changed page is refused: {read:?}");
}

#[test]
fn a_wrong_passphrase_is_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let right = StoreKey::passphrase("巡查口令 correct horse").unwrap();
    drop(encrypted_store(dir.path(), &right));
    // A plain copy an older build left in backups/: a wrong key must not key it either.
    let backups = dir.path().join(gridpatrol_core::store::backups::BACKUPS_DIR);
    std::fs::create_dir_all(&backups).unwrap();
    let old = rusqlite::Connection::open(backups.join("gridpatrol-v12-20261201T080000.000Z.db")).unwrap();
    old.execute_batch("CREATE TABLE findings (description TEXT); INSERT INTO findings VALUES ('旧副本');").unwrap();
    drop(old);
    let before = snapshot(dir.path());
    for wrong in [StoreKey::passphrase("巡查口令 wrong horse").unwrap(), raw_key()] {
        let err = Store::open_encrypted(dir.path(), clock(), Arc::new(SeededIds::new(2)), &wrong)
            .err()
            .expect("a wrong key opens nothing");
        assert!(matches!(err, Error::StoreKeyWrong), "a wrong key is named as such: {err:?}");
        assert_messages("wrong passphrase", &err);
        let err = Store::open_read_only_with(dir.path(), clock(), Arc::new(SeededIds::new(2)), Some(&wrong))
            .err()
            .expect("nor for reading");
        assert!(matches!(err, Error::StoreKeyWrong), "read-only, a wrong key is named as such too: {err:?}");
        assert_eq!(snapshot(dir.path()), before, "a refused key changes no file in the data folder");
    }
    let store = Store::open_encrypted(dir.path(), clock(), Arc::new(SeededIds::new(3)), &right).unwrap();
    assert_eq!(descriptions(&store), vec![SECRET.to_string()], "the right passphrase still opens it");
}

/// A plain store as a device held it before encryption, with one finding, closed.
fn plain_store() -> Env {
    let mut env = Env::sample();
    env.add(SECRET);
    env
}

#[test]
fn a_plain_store_is_converted_on_its_first_keyed_open_and_keeps_everything() {
    let Env { store, dir, .. } = plain_store();
    let counts = store.counts().unwrap();
    drop(store);
    let db = dir.path().join(DB_FILE);
    assert_eq!(cipher::file_kind(&db).unwrap(), FileKind::Plain);
    // A copy an older build kept before a migration (issue 13.3), plain like the store.
    let backups = dir.path().join(gridpatrol_core::store::backups::BACKUPS_DIR);
    std::fs::create_dir_all(&backups).unwrap();
    let copy = backups.join("gridpatrol-v12-20261201T080000.000Z.db");
    std::fs::copy(&db, &copy).unwrap();
    let key = raw_key();
    let store = Store::open_encrypted(dir.path(), clock(), Arc::new(SeededIds::new(2)), &key).expect("converted");
    assert_eq!(store.counts().unwrap(), counts, "every row is in the encrypted store");
    assert_eq!(store.write_refusal().map(|e| e.code()), None, "the converted store records");
    drop(store);
    assert_eq!(cipher::file_kind(&db).unwrap(), FileKind::Encrypted, "the file is encrypted now");
    assert_eq!(cipher::file_kind(&copy).unwrap(), FileKind::Encrypted, "and so is the plain copy in backups/");
    for (path, bytes) in snapshot(dir.path()) {
        assert!(!contains(&bytes, SECRET.as_bytes()), "{} still shows the plain text", path.display());
    }
    let mut store = Store::open_encrypted(dir.path(), clock(), Arc::new(SeededIds::new(4)), &key).unwrap();
    store.add_finding(NewFinding::new(GRID_01, MANHOLE, "转换后新记录")).expect("and it records after reopening");
}

#[test]
fn a_crash_at_any_step_of_the_conversion_leaves_a_store_that_opens() {
    let key = raw_key();
    for step in [ConvertStep::Exported, ConvertStep::Synced, ConvertStep::Renamed] {
        let Env { store, dir, .. } = plain_store();
        let counts = store.counts().unwrap();
        drop(store);
        let db = dir.path().join(DB_FILE);
        let err = cipher::encrypt_plain_failing_at(&db, &key, Some(step));
        assert!(err.is_err(), "{step:?}: the injected failure stops the conversion");
        let kind = cipher::file_kind(&db).unwrap();
        let expected = if step == ConvertStep::Renamed { FileKind::Encrypted } else { FileKind::Plain };
        assert_eq!(kind, expected, "{step:?}: the store is either the plain one or the encrypted one, whole");
        if kind == FileKind::Plain {
            let plain = Store::open(dir.path(), clock(), Arc::new(SeededIds::new(2))).expect("the plain store opens");
            assert_eq!(plain.counts().unwrap(), counts, "{step:?}: nothing was lost from the plain store");
            drop(plain);
        }
        let store = Store::open_encrypted(dir.path(), clock(), Arc::new(SeededIds::new(3)), &key)
            .unwrap_or_else(|e| panic!("{step:?}: the next start opens the store with its key: {e}"));
        assert_eq!(store.counts().unwrap(), counts, "{step:?}: every row is there after the next start");
        drop(store);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(cipher::ENCRYPTING_SUFFIX))
            .collect();
        assert!(leftovers.is_empty(), "{step:?}: no partial copy is left behind: {leftovers:?}");
    }
}

#[test]
fn the_copy_before_a_migration_of_an_encrypted_store_is_encrypted_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = raw_key();
    let store = encrypted_store(dir.path(), &key);
    let copy =
        gridpatrol_core::store::backups::before_migration(store.connection(), dir.path(), 3, 5, at(NOW), Some(&key))
            .unwrap()
            .expect("an older schema is copied");
    let bytes = std::fs::read(&copy).unwrap();
    assert!(!contains(&bytes, SECRET.as_bytes()), "the copy shows no finding in the clear");
    assert_eq!(cipher::file_kind(&copy).unwrap(), FileKind::Encrypted, "the copy is encrypted");
    let conn = rusqlite::Connection::open(&copy).unwrap();
    cipher::apply_key(&conn, &key).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM findings", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "the store's key opens the copy, which holds the finding");
}

/// The hub links the same SQLCipher and keys nothing: a store made without a key (the hub's
/// `reference/` store) stays a plain SQLite file that any SQLite reads.
#[test]
fn a_store_made_without_a_key_stays_a_plain_sqlite_file() {
    let env = plain_store();
    let db = env.dir.path().join(DB_FILE);
    assert_eq!(cipher::file_kind(&db).unwrap(), FileKind::Plain, "an unkeyed SQLCipher database is plain SQLite");
    let plain = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = plain.query_row("SELECT count(*) FROM findings", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "plain SQLite reads it without a key");
}
