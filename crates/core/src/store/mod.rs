//! The device's store: one SQLite file (WAL, foreign keys, `synchronous=FULL`) and a photos folder.
//!
//! Every mutation writes its [`Event`](crate::model::Event) in the same transaction as the
//! projection rows it changes, so the projection can always be rebuilt from the events and the
//! pending events are exactly what the hub has not acknowledged. Reads go through `&self`,
//! writes through `&mut self` and one transaction each. One module per table family.
//!
//! What a laptop does to the store (see ARCHITECTURE.md, "The device store survives"):
//! - several writers (the app's window, its sync thread, the CLI): every write transaction begins
//!   IMMEDIATE, so it takes the write lock at once and waits its turn (a busy handler retrying every
//!   millisecond for up to 30 s) instead of failing when a reader turns writer;
//! - a kill or a full disk in the middle of a record: photo files are written inside the record's
//!   transaction, under a marker in `photos/`; a failed record deletes the files it made, and a marker
//!   left by a killed process makes the next open sweep `photos/` under the write lock;
//! - damage from outside: at open a sidecar (`gridpatrol.db.state`, written at each clean close)
//!   tells whether the file changed behind the store's back; only then `PRAGMA quick_check` runs.
//!   A damaged, rolled-back (copied without its WAL) or read-only store opens for reading and
//!   refuses every write with a sentence saying what to do; an empty file is never made a new store.

pub mod backups;
mod bigrams;
pub mod cipher;
mod events;
mod findings;
mod grids;
pub(crate) mod history;
pub mod migrations;
mod outbox;
mod patrols;
mod photos_wanted;
mod refdata;
mod reviews;
mod sync_meta;
mod users;
mod views;
pub(crate) mod weekly;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::clock::{Clock, IdSource};
use crate::error::{Error, Result};
use crate::geometry::Boundary;

pub use cipher::StoreKey;
pub use findings::{
    awaits_rectification, FindingQuery, FindingSort, FindingSummary, MoveRequest, NewFinding, PhotoSource,
};
pub use grids::ImportSummary;
pub use history::HistoryState;
pub use outbox::{Applied, ParkedEvent, SetAside};
pub use photos_wanted::WantedPhoto;
pub use refdata::ReferenceApplied;
pub use sync_meta::{SyncError, SyncInfo};
pub use users::MAX_USER_NAME_CHARS;

pub(crate) use events::COUNTED_TIME;

/// The database file's name inside the data folder.
pub const DB_FILE: &str = "gridpatrol.db";
/// The photos folder's name inside the data folder.
pub const PHOTOS_DIR: &str = "photos";
/// The sidecar written at each clean close: the database file's size and time, and its newest event.
pub const STATE_FILE: &str = "gridpatrol.db.state";
/// How long a writer waits for another to finish before giving up: longer than any one record
/// with its photos takes (a 20 MB photo and its fsync), short enough to say so to a person.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Files in `photos/` named `.pending-…` mark a record whose photo files are being written.
const PENDING_PREFIX: &str = ".pending-";

/// Why a store that opened refuses to write. Reads still work, so a person can see what is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Sound,
    /// `quick_check` found damage (its first line).
    Damaged(String),
    /// The database has older events than the folder had at its last clean close.
    RolledBack {
        expected: i64,
        found: i64,
    },
    /// The folder or its disk cannot be written.
    ReadOnly(String),
}

pub struct Store {
    conn: Connection,
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    /// Small-grid boundaries for picking a point's grid; loaded on first use, dropped on import.
    boundaries: Mutex<Option<Arc<Vec<(String, Boundary)>>>>,
    health: Health,
}

/// What the sidecar remembers from the last clean close.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct CloseState {
    db_len: u64,
    db_mtime_ns: i128,
    last_event_seq: i64,
}

/// How many rows each table holds: what a test compares before and after a refused input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct Counts {
    pub users: i64,
    pub grids: i64,
    pub patrols: i64,
    pub findings: i64,
    pub photos: i64,
    pub finding_photos: i64,
    pub events: i64,
    pub pending_events: i64,
    pub log_reviews: i64,
}

impl Store {
    /// Opens the store in `dir`, creating the folder, the database and the schema if needed. A
    /// folder whose database is empty (0 bytes) or missing beside photos is refused, never made anew.
    pub fn create(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Result<Store> {
        Store::create_with(dir, clock, ids, None)
    }

    /// [`Store::create`] for a device: a new store is encrypted with `key`, an existing one opens
    /// with it ([`Store::open_encrypted`]; a plain one is converted first).
    pub fn create_encrypted(
        dir: &Path,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        key: &StoreKey,
    ) -> Result<Store> {
        Store::create_with(dir, clock, ids, Some(key))
    }

    fn create_with(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>, key: Option<&StoreKey>) -> Result<Store> {
        let path = dir.join(DB_FILE);
        match std::fs::metadata(&path) {
            // A 0-byte file is made anew only where nothing else says a store was here: no photos, no
            // WAL, no sidecar of an earlier close (a `create` killed before the schema leaves such a file).
            Ok(meta) if meta.len() == 0 && (has_photos(dir) || wal_len(&path) > 0 || dir.join(STATE_FILE).exists()) => {
                return Err(Error::StoreEmpty)
            }
            Ok(meta) if meta.len() > 0 => return Store::open_with(dir, clock, ids, key),
            Ok(_) => {}
            Err(_) if has_photos(dir) => return Err(Error::StoreMissing),
            Err(_) => {}
        }
        std::fs::create_dir_all(dir.join(PHOTOS_DIR).join("thumbs"))?;
        let conn = Connection::open(&path)?;
        if let Some(key) = key {
            cipher::key_connection(&conn, key)?;
        }
        Store::with_connection(conn, dir, clock, ids, Health::Sound, key)
    }

    /// Opens an existing store; a data folder without one is [`Error::NotInitialized`], an empty
    /// database file [`Error::StoreEmpty`]. A store that cannot be written (permissions, a read-only
    /// disk) opens read-only; one found damaged or rolled back opens for reading and refuses writes
    /// ([`Store::health`]).
    pub fn open(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Result<Store> {
        Store::open_with(dir, clock, ids, None)
    }

    /// [`Store::open`] of a device's encrypted store. A plain store (made before encryption) is
    /// converted first ([`cipher::encrypt_plain`]); a key that does not open the file is
    /// [`Error::StoreKeyWrong`], and nothing in the folder is changed.
    pub fn open_encrypted(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>, key: &StoreKey) -> Result<Store> {
        Store::open_with(dir, clock, ids, Some(key))
    }

    fn open_with(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>, key: Option<&StoreKey>) -> Result<Store> {
        let path = dir.join(DB_FILE);
        let meta = match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => meta,
            _ if has_photos(dir) => return Err(Error::StoreMissing),
            _ => return Err(Error::NotInitialized),
        };
        if meta.len() == 0 {
            return Err(Error::StoreEmpty);
        }
        let kind = cipher::file_kind(&path)?;
        if key.is_none() && kind == cipher::FileKind::Encrypted {
            return Err(Error::PassphraseNeeded);
        }
        if let Some(reason) = unwritable(dir, &path) {
            return Store::open_read_only_because(dir, clock, ids, reason, key);
        }
        if let (Some(key), cipher::FileKind::Plain) = (key, kind) {
            cipher::encrypt_plain(&path, key)?;
        }
        let mut conn =
            Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        wait_turns(&mut conn)?;
        if let Some(key) = key {
            cipher::key_connection(&conn, key)?;
            // Only once the key is proven: a wrong one must not key the old copies.
            backups::encrypt_plain_copies(dir, key)?;
        }
        let health = check_health(&conn, &path)?;
        Store::with_connection(conn, dir, clock, ids, health, key)
    }

    /// Opens a store for reading only, as [`Store::open`] does when the folder cannot be written:
    /// reads work, every write is refused with [`Error::StoreReadOnly`].
    pub fn open_read_only(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Result<Store> {
        Store::open_read_only_with(dir, clock, ids, None)
    }

    /// [`Store::open_read_only`] with the device's key (a plain store is read as it is, unconverted).
    pub fn open_read_only_with(
        dir: &Path,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        key: Option<&StoreKey>,
    ) -> Result<Store> {
        let path = dir.join(DB_FILE);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.len() == 0 => return Err(Error::StoreEmpty),
            Ok(_) => {}
            Err(_) => return Err(Error::NotInitialized),
        }
        Store::open_read_only_because(dir, clock, ids, "opened read-only".into(), key)
    }

    fn open_read_only_because(
        dir: &Path,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        reason: String,
        key: Option<&StoreKey>,
    ) -> Result<Store> {
        let path = dir.join(DB_FILE);
        // A plain file (not yet converted, and this one cannot be written to convert it) is read as it is.
        let key = key.filter(|_| cipher::file_kind(&path).ok() != Some(cipher::FileKind::Plain));
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let keyed = |c: Connection| -> Result<Connection> {
            if let Some(key) = key {
                cipher::key_connection(&c, key)?;
            }
            Ok(c)
        };
        // A WAL database needs its -shm file; where none can be made (a read-only disk after a clean
        // close), the file is opened as immutable: nothing can change it while it is read-only anyway.
        let plain = Connection::open_with_flags(&path, flags).map_err(Error::from).and_then(keyed).and_then(|c| {
            c.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())).map(|_| c).map_err(Error::from)
        });
        let mut conn = match plain {
            Ok(c) => c,
            Err(Error::StoreKeyWrong) => return Err(Error::StoreKeyWrong),
            Err(_) => {
                let uri = format!("file:{}?immutable=1", uri_path(&path));
                keyed(Connection::open_with_flags(uri, flags)?)?
            }
        };
        wait_turns(&mut conn)?;
        stable_query_plans(&conn)?;
        bigrams::register(&conn)?;
        Ok(Store {
            conn,
            dir: dir.to_path_buf(),
            clock,
            ids,
            boundaries: Mutex::new(None),
            health: Health::ReadOnly(reason),
        })
    }

    fn with_connection(
        mut conn: Connection,
        dir: &Path,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        health: Health,
        key: Option<&StoreKey>,
    ) -> Result<Store> {
        // Set first: every statement below may meet another process's writer.
        wait_turns(&mut conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Nothing here is acknowledged by the hub until sync says so: every commit must survive a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Checkpoint the WAL every ~40 MB instead of every ~4 MB: a recorded finding writes ~22 pages,
        // and the default put a checkpoint inside one commit in 45, which dominated the p99.
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        stable_query_plans(&conn)?;
        bigrams::register(&conn)?;
        let sound = health == Health::Sound;
        if sound {
            // A store older than this build is copied into backups/ before any migration touches it.
            let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            backups::before_migration(&conn, dir, version as usize, migrations::latest_version(), clock.now(), key)?;
            migrations::migrate(&mut conn)?;
        }
        let mut store = Store { conn, dir: dir.to_path_buf(), clock, ids, boundaries: Mutex::new(None), health };
        if sound {
            store.seed_categories()?;
            store.sweep_photos()?;
        }
        Ok(store)
    }

    /// Whether this store may be written, and if not, why.
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// The refusal every write would meet, for showing it before anything is tried (a read-only or
    /// damaged store still opens, so its data can be seen).
    pub fn write_refusal(&self) -> Option<Error> {
        self.writable().err()
    }

    /// The refusal every write meets in a store that is not sound.
    pub(crate) fn writable(&self) -> Result<()> {
        match &self.health {
            Health::Sound => Ok(()),
            Health::Damaged(detail) => Err(Error::StoreDamaged { detail: detail.clone() }),
            Health::RolledBack { expected, found } => {
                Err(Error::StoreRolledBack { expected: *expected, found: *found })
            }
            Health::ReadOnly(detail) => Err(Error::StoreReadOnly { detail: detail.clone() }),
        }
    }

    /// `PRAGMA integrity_check` over the whole file: what `gridpatrol store check` runs on demand.
    /// Returns the problems found (none for a sound file).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(lines.into_iter().filter(|l| l != "ok").collect())
    }

    /// Accepts the database as it is after a refusal for a rollback (a copy restored on purpose):
    /// the folder's record of its newest event is set to the database's own.
    pub fn accept_rollback(dir: &Path) -> Result<()> {
        let _ = std::fs::remove_file(dir.join(STATE_FILE));
        Ok(())
    }

    /// Removes what a killed or failed record left in `photos/`: temporary files, and photo files no
    /// row names. Runs only when a `.pending-` marker says a record was interrupted, under the write
    /// lock, so no record that is still being written can lose its files.
    fn sweep_photos(&mut self) -> Result<()> {
        let photos = self.photos_dir();
        let markers = pending_markers(&photos);
        if markers.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut stmt = tx.prepare("SELECT 1 FROM photos WHERE sha256 = ?1")?;
        for folder in [photos.clone(), photos.join("thumbs")] {
            let Ok(entries) = std::fs::read_dir(&folder) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let stale = if name.ends_with(".tmp") {
                    true
                } else if let Some(sha) = photo_sha(&name) {
                    !stmt.exists([sha])?
                } else {
                    false
                };
                if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
                    std::fs::remove_file(entry.path())?;
                }
            }
        }
        drop(stmt);
        for marker in pending_markers(&photos) {
            let _ = std::fs::remove_file(marker);
        }
        tx.commit()?;
        Ok(())
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    pub fn photos_dir(&self) -> PathBuf {
        self.dir.join(PHOTOS_DIR)
    }

    /// The connection, for read-only queries of reports and benchmarks in this crate.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The clock's time to the millisecond: times are stored to the millisecond, and a finding
    /// returned, its event payload and its row must all hold the same time.
    pub fn now(&self) -> DateTime<Utc> {
        to_millis(self.clock.now())
    }

    fn new_id(&self, now: DateTime<Utc>) -> String {
        self.ids.next_id(now).to_string()
    }

    pub fn counts(&self) -> Result<Counts> {
        let count = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        Ok(Counts {
            users: count("SELECT count(*) FROM users")?,
            grids: count("SELECT count(*) FROM grids")?,
            patrols: count("SELECT count(*) FROM patrols")?,
            findings: count("SELECT count(*) FROM findings")?,
            photos: count("SELECT count(*) FROM photos")?,
            finding_photos: count("SELECT count(*) FROM finding_photos")?,
            events: count("SELECT count(*) FROM events")?,
            pending_events: count("SELECT count(*) FROM events WHERE sync_state = 'pending'")?,
            log_reviews: count("SELECT count(*) FROM log_reviews")?,
        })
    }

    /// Writes a device setting (not domain data, so no event; the UI remembers choices here).
    pub(crate) fn put_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.writable()?;
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![key, value],
        )?;
        Ok(())
    }

    /// Every write goes through here: refused in a store that is not sound, and IMMEDIATE, so the
    /// write lock is taken (or waited for, up to [`BUSY_TIMEOUT`]) before anything is read in it.
    fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.writable()?;
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

/// The photo files one record writes: see [`Store::photo_files`].
pub(crate) struct PhotoFiles {
    marker: PathBuf,
    made: Vec<PathBuf>,
    committed: bool,
}

impl PhotoFiles {
    /// Marks, once the record holds the write lock, that photo files are about to be written; the
    /// guard lists the files this record makes, deletes them if the record does not commit, and
    /// removes the mark either way. A kill leaves the mark, and the next open sweeps.
    pub(crate) fn begin(photos: &Path) -> Result<PhotoFiles> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        std::fs::create_dir_all(photos)?;
        let marker =
            photos.join(format!("{PENDING_PREFIX}{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
        std::fs::File::create(&marker)?;
        Ok(PhotoFiles { marker, made: Vec::new(), committed: false })
    }

    pub(crate) fn store(&mut self, photo: &crate::photo::PreparedPhoto, photos_dir: &Path) -> Result<()> {
        let made = photo.store(photos_dir)?;
        self.made.extend(made);
        Ok(())
    }

    /// The record's row committed: its files stay.
    pub(crate) fn committed(mut self) {
        self.committed = true;
    }
}

impl Drop for PhotoFiles {
    fn drop(&mut self) {
        if !self.committed {
            for f in &self.made {
                let _ = std::fs::remove_file(f);
            }
        }
        let _ = std::fs::remove_file(&self.marker);
    }
}

impl Store {
    /// Checkpoints the WAL into the file and records the file in the sidecar, as a clean close
    /// would, without closing: for a process that ends without running destructors (the desktop
    /// app exits from its event loop), so its next start does not pay the quick check. A write
    /// after this (another connection's) changes the file, and the next open checks it again.
    pub fn mark_clean(&mut self) -> Result<()> {
        if self.health != Health::Sound {
            return Ok(());
        }
        // (busy, log frames, checkpointed): a reader elsewhere may keep part of the WAL; then the
        // file changes when it is checkpointed later, and the next open simply checks it.
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let seq: i64 = self.conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))?;
        write_state(&self.dir, seq);
        Ok(())
    }
}

impl Drop for Store {
    /// A clean close: the connection closes first (the last one checkpoints the WAL into the file),
    /// then the sidecar records the file as it is now, so the next open knows nothing changed.
    fn drop(&mut self) {
        if self.health != Health::Sound {
            return;
        }
        let Ok(seq) = self.conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get::<_, i64>(0))
        else {
            return;
        };
        let Ok(placeholder) = Connection::open_in_memory() else { return };
        let conn = std::mem::replace(&mut self.conn, placeholder);
        if conn.close().is_err() {
            return;
        }
        write_state(&self.dir, seq);
    }
}

/// Records the database file as it is now, with its newest event, in the sidecar (temp file and
/// rename, so a reader never sees half of it). Not fsync'd: a lost sidecar only costs a quick check.
fn write_state(dir: &Path, last_event_seq: i64) {
    if let Some((db_len, db_mtime_ns)) = file_stamp(&dir.join(DB_FILE)) {
        let state = CloseState { db_len, db_mtime_ns, last_event_seq };
        let tmp = dir.join(format!("{STATE_FILE}.{}.tmp", std::process::id()));
        if serde_json::to_vec(&state).ok().and_then(|b| std::fs::write(&tmp, b).ok()).is_some() {
            let _ = std::fs::rename(&tmp, dir.join(STATE_FILE));
        }
    }
}

/// Makes the plan of each statement on `conn` independent of the values bound to it (SQLite's
/// query planner stability guarantee). Without it, SQLite marked statements such as "this
/// finding's events" to be compiled again at each new bound value: in a profile of a device
/// pulling back 10,000 of its own reports, a third of the time went to compiling the same two
/// statements again (`sqlite3Reprepare` under `sqlite3_step`). Neither this store nor the hub's
/// keeps the statistics that would make a plan depend on a value, and no query searches with a
/// bound `LIKE` prefix, so every plan is the one it was before. The hub's connections call it too.
pub fn stable_query_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// Makes a connection wait its turn when another holds the write lock, for up to [`BUSY_TIMEOUT`].
/// SQLite's own busy timeout sleeps longer and longer between tries (up to 100 ms), so a waiting
/// writer kept missing the moment a busy one let go and waited seconds; trying again every
/// millisecond takes turns fairly (a record holds the lock about a millisecond).
fn wait_turns(conn: &mut Connection) -> Result<()> {
    fn wait(tries: i32) -> bool {
        let waited = std::time::Duration::from_millis(tries as u64);
        if waited >= BUSY_TIMEOUT {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
        true
    }
    conn.busy_handler(Some(wait))?;
    Ok(())
}

/// The database file's size and modification time, what the sidecar compares.
fn file_stamp(path: &Path) -> Option<(u64, i128)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?;
    let ns = match mtime.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    Some((meta.len(), ns))
}

/// Decides at open whether the file can be written into. The quick check runs only when the file
/// changed since the last clean close (or no close was recorded): after a kill, a crash, a copy, or
/// a checkpoint by another process still running. A clean start reads one small file and one row.
fn check_health(conn: &Connection, path: &Path) -> Result<Health> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let recorded: Option<CloseState> =
        std::fs::read(dir.join(STATE_FILE)).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let unchanged = recorded.as_ref().is_some_and(|r| file_stamp(path) == Some((r.db_len, r.db_mtime_ns)));
    if !unchanged {
        let first: String = match conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)) {
            Ok(line) => line,
            Err(e) => match Error::from(e) {
                Error::StoreDamaged { detail } => return Ok(Health::Damaged(detail)),
                other => return Err(other),
            },
        };
        if first != "ok" {
            return Ok(Health::Damaged(first));
        }
    }
    if let Some(r) = recorded {
        let has_events: bool = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'events'", [], |row| row.get::<_, i64>(0))
            .map(|n| n > 0)?;
        let found: i64 = if has_events {
            conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |row| row.get(0))?
        } else {
            0
        };
        if found < r.last_event_seq {
            return Ok(Health::RolledBack { expected: r.last_event_seq, found });
        }
    }
    // The file as checked: a process that ends without closing the store (the desktop app exits
    // without dropping it) leaves this record, and the next start skips the check unless a
    // checkpoint changed the file since.
    if !unchanged {
        let seq: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |row| row.get(0)).unwrap_or(0);
        write_state(dir, seq);
    }
    Ok(Health::Sound)
}

/// Why a data folder cannot be written, if it cannot: a probe file in the folder, and the database
/// opened for writing. (Permission bits alone would not tell: root ignores them, a read-only mount
/// does not show in them.)
fn unwritable(dir: &Path, db: &Path) -> Option<String> {
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    if let Err(e) = std::fs::File::create(&probe) {
        return Some(e.to_string());
    }
    let _ = std::fs::remove_file(&probe);
    if let Err(e) = std::fs::OpenOptions::new().write(true).open(db) {
        return Some(e.to_string());
    }
    None
}

fn wal_len(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).map(|m| m.len()).unwrap_or(0)
}

/// Whether `photos/` holds any photo file: a folder with photos is never given a new, empty store.
fn has_photos(dir: &Path) -> bool {
    std::fs::read_dir(dir.join(PHOTOS_DIR))
        .map(|entries| entries.flatten().any(|e| photo_sha(&e.file_name().to_string_lossy()).is_some()))
        .unwrap_or(false)
}

fn pending_markers(photos: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(photos)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(PENDING_PREFIX))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// The SHA-256 a stored photo or thumbnail file is named by (`<64 hex>.<ext>`), if it is one.
fn photo_sha(name: &str) -> Option<&str> {
    let (stem, ext) = name.split_once('.')?;
    let known = matches!(ext, "jpg" | "png" | "webp");
    (known && stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
}

/// A path as the `file:` URI SQLite reads (`?` and `#` escaped).
fn uri_path(path: &Path) -> String {
    path.display().to_string().replace('%', "%25").replace('?', "%3f").replace('#', "%23")
}

/// A time cut to the millisecond, the precision times are stored with.
pub(crate) fn to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// Times are stored as fixed-width RFC 3339 UTC text, so text order is time order.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The stored text form of a time, for queries that compare against stored times.
pub fn ts_of(t: DateTime<Utc>) -> String {
    ts(t)
}

pub(crate) fn parse_ts(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

pub(crate) fn parse_ts_opt(s: Option<String>) -> rusqlite::Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}
