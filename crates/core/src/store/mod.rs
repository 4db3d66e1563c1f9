//! The device's store: one SQLite file (WAL, foreign keys, `synchronous=FULL`) and a photos folder.
//!
//! Every mutation writes its [`Event`](crate::model::Event) in the same transaction as the
//! projection rows it changes, so the projection can always be rebuilt from the events and the
//! pending events are exactly what the hub has not acknowledged. Reads go through `&self`,
//! writes through `&mut self` and one transaction each. One module per table family.

mod bigrams;
mod events;
mod findings;
mod grids;
pub mod migrations;
mod outbox;
mod patrols;
mod photos_wanted;
mod reviews;
mod sync_meta;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, Transaction};

use crate::clock::{Clock, IdSource};
use crate::error::{Error, Result};
use crate::geometry::Boundary;

pub use findings::{
    awaits_rectification, FindingQuery, FindingSort, FindingSummary, MoveRequest, NewFinding, PhotoSource,
};
pub use grids::ImportSummary;
pub use outbox::{Applied, ParkedEvent, SetAside};
pub use photos_wanted::WantedPhoto;
pub use sync_meta::{SyncError, SyncInfo};

/// The database file's name inside the data folder.
pub const DB_FILE: &str = "gridpatrol.db";
/// The photos folder's name inside the data folder.
pub const PHOTOS_DIR: &str = "photos";

pub struct Store {
    conn: Connection,
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    /// Small-grid boundaries for picking a point's grid; loaded on first use, dropped on import.
    boundaries: Mutex<Option<Arc<Vec<(String, Boundary)>>>>,
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
    /// Opens the store in `dir`, creating the folder, the database and the schema if needed.
    pub fn create(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Result<Store> {
        std::fs::create_dir_all(dir.join(PHOTOS_DIR).join("thumbs"))?;
        let conn = Connection::open(dir.join(DB_FILE))?;
        Store::with_connection(conn, dir, clock, ids)
    }

    /// Opens an existing store; a data folder without one is [`Error::NotInitialized`].
    pub fn open(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Result<Store> {
        let path = dir.join(DB_FILE);
        if !path.is_file() {
            return Err(Error::NotInitialized);
        }
        let conn =
            Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        Store::with_connection(conn, dir, clock, ids)
    }

    fn with_connection(
        mut conn: Connection,
        dir: &Path,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
    ) -> Result<Store> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Nothing here is acknowledged by the hub until sync says so: every commit must survive a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Checkpoint the WAL every ~40 MB instead of every ~4 MB: a recorded finding writes ~22 pages,
        // and the default put a checkpoint inside one commit in 45, which dominated the p99.
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        bigrams::register(&conn)?;
        migrations::migrate(&mut conn)?;
        let mut store = Store { conn, dir: dir.to_path_buf(), clock, ids, boundaries: Mutex::new(None) };
        store.seed_categories()?;
        Ok(store)
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
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![key, value],
        )?;
        Ok(())
    }

    fn transaction(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction()?)
    }
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
