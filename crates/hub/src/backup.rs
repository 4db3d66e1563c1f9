//! Backup and restore of a hub's data folder, online: `gridpatrol-hub backup DIR` runs while the
//! hub serves, `gridpatrol-hub restore DIR` fills a fresh data folder.
//!
//! A backup is a folder: `hub.db` (the event log, users, tokens, audit), `reference/gridpatrol.db`
//! (the registry, categories and holidays the rules check against), `photos/{sha256}` (every photo
//! the backed-up `hub.db` names), and `manifest.json`, written last: a folder without it is an
//! unfinished backup, and restore refuses it.
//!
//! Consistency. The database is copied from one snapshot: the copying connection opens a read
//! transaction first and keeps it until the last page is copied, so (WAL) pushes commit beside it
//! and none of them is half in the copy; the copy is the hub as it was when that transaction began.
//! Photos are copied after the database and chosen by the copy: every photo it names
//! (`photo_uploads`, `photo_uses`). The hub keeps every whole photo forever and a finding can only
//! name a photo that was whole before the push that named it committed, so each is there to copy;
//! each is hashed as it is copied, and one missing or damaged fails the backup.
//!
//! Pushes during a backup. A reader never blocks SQLite's writer in WAL mode, so what a backup takes
//! from pushes is the disk. [`Method::Steps`] copies the database through SQLite's online backup
//! API a megabyte at a time, writing each step's bytes to disk before the next (`sync_data`) and
//! pausing between steps, so the hub's fsyncs never wait behind a burst of the copy's dirty pages;
//! [`Method::VacuumInto`] writes a compacted copy in one statement. docs/performance.md has the
//! longest push stall measured under each (benches/backup.rs).
//!
//! Restore checks the whole backup before it writes anything: the manifest, `PRAGMA
//! integrity_check` of both databases, every photo the database names present with its hash. It
//! refuses a data folder that is not empty. The restored hub gets a new epoch (`hub_meta`): devices
//! that synced with the old hub see it change and push again what they had acknowledged
//! (gridpatrol-sync's client), so what the backup missed comes back from them.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{HubError, Result};

pub const MANIFEST: &str = "manifest.json";
/// The backup format this build writes and reads.
pub const FORMAT: u32 = 1;
const REFERENCE_DB: &str = "reference/gridpatrol.db";

/// How the database is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// SQLite's online backup API, `pages` pages per step and `pause` between steps, all from one
    /// read transaction; with `sync`, the copy's new bytes are written to disk after every step.
    Steps { pages: i32, pause: Duration, sync: bool },
    /// `VACUUM INTO`: one statement, a compacted copy.
    VacuumInto,
}

impl Default for Method {
    fn default() -> Method {
        Method::Steps { pages: 256, pause: Duration::from_millis(2), sync: true }
    }
}

impl Method {
    fn name(&self) -> &'static str {
        match self {
            Method::Steps { .. } => "backup-api",
            Method::VacuumInto => "vacuum-into",
        }
    }
}

/// What a backup holds, written last into its folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    pub hub_version: String,
    /// The epoch of the hub the backup was taken from.
    pub epoch: String,
    pub method: String,
    pub events: i64,
    pub last_hub_seq: i64,
    pub database_bytes: u64,
    pub photos: Vec<PhotoEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoEntry {
    pub sha256: String,
    pub bytes: u64,
}

fn refused(code: &'static str, zh: String, en: String) -> HubError {
    HubError::refused(code, zh, en)
}

/// Whether `dir` is missing or an empty folder.
fn empty_or_missing(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e.into()),
    }
}

fn open_source(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    Ok(conn)
}

/// Copies the database at `from` into a new file `to`, from one snapshot. Returns the longest
/// single step (how long the copy held SQLite's attention at once).
fn copy_database(from: &Path, to: &Path, method: Method) -> Result<Duration> {
    let src = open_source(from)?;
    let mut longest = Duration::ZERO;
    match method {
        Method::VacuumInto => {
            let t = Instant::now();
            src.execute("VACUUM INTO ?1", [to.to_string_lossy()])?;
            longest = t.elapsed();
        }
        Method::Steps { pages, pause, sync } => {
            let mut dst = Connection::open(to)?;
            // The copy is fsynced once when it is whole; no journal for a file nobody else reads.
            dst.pragma_update(None, "journal_mode", "OFF")?;
            dst.pragma_update(None, "synchronous", "OFF")?;
            // One read transaction for the whole copy: every step reads the same snapshot, and
            // commits by the serving hub (another connection) do not restart the backup.
            src.execute_batch("BEGIN; SELECT count(*) FROM sqlite_master;")?;
            {
                let backup = rusqlite::backup::Backup::new(&src, &mut dst)?;
                let mut file: Option<std::fs::File> = None;
                loop {
                    let t = Instant::now();
                    let step = backup.step(pages.max(1))?;
                    // The copy's dirty pages go to disk a step at a time: left to pile up in the
                    // page cache, the kernel writes them back in bursts, and the hub's next fsync
                    // (each push commit makes one) waits behind a burst (measured: 260 ms; see
                    // docs/performance.md).
                    if sync {
                        if file.is_none() {
                            file = Some(std::fs::File::open(to)?);
                        }
                        if let Some(f) = &file {
                            f.sync_data()?;
                        }
                    }
                    longest = longest.max(t.elapsed());
                    match step {
                        rusqlite::backup::StepResult::Done => break,
                        rusqlite::backup::StepResult::More => std::thread::sleep(pause),
                        // The destination is ours alone; a busy source is waited for.
                        _ => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
            }
            src.execute_batch("COMMIT")?;
            dst.pragma_update(None, "journal_mode", "DELETE")?;
        }
    }
    std::fs::File::open(to)?.sync_all()?;
    Ok(longest)
}

/// Copies `from` to `to`, hashing it on the way; its SHA-256 in hex.
fn copy_hashing(from: &Path, to: &Path) -> std::io::Result<(String, u64)> {
    let mut input = std::fs::File::open(from)?;
    let mut output = std::fs::File::create(to)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n])?;
        bytes += n as u64;
    }
    output.sync_all()?;
    Ok((hex::encode(hasher.finalize()), bytes))
}

fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut input = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), bytes))
}

/// The photos a hub database names.
fn named_photos(db: &Connection) -> Result<Vec<String>> {
    let names = db
        .prepare("SELECT sha256 FROM photo_uploads UNION SELECT sha256 FROM photo_uses ORDER BY 1")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    for name in &names {
        crate::photos::check_name(name)
            .map_err(|_| HubError::Internal(format!("hub.db names a photo {name:?} that is not a SHA-256")))?;
    }
    Ok(names)
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// What a backup did: the manifest it wrote and the longest single database step.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub manifest: Manifest,
    pub longest_step: Duration,
    pub took: Duration,
}

/// Backs up the hub data folder `data` into `dest` (missing or empty), online.
pub fn backup(data: &Path, dest: &Path, method: Method) -> Result<BackupReport> {
    let started = Instant::now();
    let db = crate::db_path(data);
    if !db.is_file() {
        return Err(refused(
            "not_initialized",
            format!("--data-dir：{} 不是中心端数据目录。", data.display()),
            format!("--data-dir: {} is not a hub data folder.", data.display()),
        ));
    }
    if !empty_or_missing(dest)? {
        return Err(refused(
            "backup_dir_not_empty",
            format!("备份目录：{} 不是空目录；请给出新的或空的目录。", dest.display()),
            format!("DIR: {} is not empty; give a new or empty folder for the backup.", dest.display()),
        ));
    }
    std::fs::create_dir_all(dest.join("photos"))?;
    std::fs::create_dir_all(dest.join("reference"))?;
    // A backup holds password and token hashes: only the hub's own user reads it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o700))?;
    }
    // The migrations run first (as the hub does), so the copy is in this build's format.
    drop(crate::store::open_db(&db)?);

    let longest_step = copy_database(&db, &dest.join("hub.db"), method)?;
    copy_database(&data.join(REFERENCE_DB), &dest.join(REFERENCE_DB), method)?;

    let copy = Connection::open_with_flags(dest.join("hub.db"), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let (events, last_hub_seq): (i64, i64) =
        copy.query_row("SELECT count(*), coalesce(max(hub_seq), 0) FROM events", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let epoch: String = copy.query_row("SELECT value FROM hub_meta WHERE key = 'epoch'", [], |r| r.get(0))?;
    let mut photos = Vec::new();
    for name in named_photos(&copy)? {
        let from = data.join("photos").join(&name);
        let (hash, bytes) = copy_hashing(&from, &dest.join("photos").join(&name))
            .map_err(|e| HubError::Internal(format!("photo {name} named by the database cannot be copied: {e}")))?;
        if hash != name {
            return Err(HubError::Internal(format!(
                "photo {name} at the hub is damaged (its content hashes to {hash})"
            )));
        }
        photos.push(PhotoEntry { sha256: name, bytes });
    }
    drop(copy);
    sync_dir(&dest.join("photos"));
    let manifest = Manifest {
        format: FORMAT,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        hub_version: env!("CARGO_PKG_VERSION").into(),
        epoch,
        method: method.name().into(),
        events,
        last_hub_seq,
        database_bytes: std::fs::metadata(dest.join("hub.db"))?.len(),
        photos,
    };
    let tmp = dest.join("manifest.json.partial");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(&serde_json::to_vec_pretty(&manifest).map_err(|e| HubError::Internal(e.to_string()))?)?;
    file.sync_all()?;
    std::fs::rename(&tmp, dest.join(MANIFEST))?;
    sync_dir(dest);
    Ok(BackupReport { manifest, longest_step, took: started.elapsed() })
}

fn integrity(path: &Path, what: &str) -> Result<()> {
    let bad = |detail: String| {
        refused(
            "backup_damaged",
            format!("备份已损坏：{what}：{detail}；未做任何更改。"),
            format!("the backup is damaged: {what}: {detail}; nothing changed."),
        )
    };
    if !path.is_file() {
        return Err(bad("missing".into()));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| bad(e.to_string()))?;
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| bad(e.to_string()))?;
    if result != "ok" {
        return Err(bad(result.chars().take(200).collect()));
    }
    Ok(())
}

/// Checks a backup folder whole: its manifest, both databases' integrity, and every photo the
/// database names present with its hash. Returns the manifest.
pub fn verify(backup: &Path) -> Result<Manifest> {
    let damaged = |detail: String| {
        refused(
            "backup_damaged",
            format!("备份已损坏：{detail}；未做任何更改。"),
            format!("the backup is damaged: {detail}; nothing changed."),
        )
    };
    let text = std::fs::read_to_string(backup.join(MANIFEST)).map_err(|e| {
        refused(
            "not_a_backup",
            format!("备份目录：{} 没有 {MANIFEST}（不是完整的备份）：{e}", backup.display()),
            format!("DIR: {} has no {MANIFEST} (not a finished backup): {e}", backup.display()),
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| damaged(format!("{MANIFEST}: {e}")))?;
    if manifest.format != FORMAT {
        return Err(damaged(format!("format {} (this build reads {FORMAT})", manifest.format)));
    }
    integrity(&backup.join("hub.db"), "hub.db")?;
    integrity(&backup.join(REFERENCE_DB), REFERENCE_DB)?;
    let db = Connection::open_with_flags(backup.join("hub.db"), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let events: i64 = db.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    if events != manifest.events {
        return Err(damaged(format!("hub.db holds {events} events, the manifest says {}", manifest.events)));
    }
    for name in named_photos(&db)? {
        let path = backup.join("photos").join(&name);
        let (hash, _) = hash_file(&path).map_err(|e| damaged(format!("photo {name}: {e}")))?;
        if hash != name {
            return Err(damaged(format!("photo {name} hashes to {hash}")));
        }
    }
    Ok(manifest)
}

/// Restores the backup `backup` into the new hub data folder `data` (missing or empty), after
/// checking the backup whole; gives the restored hub a new epoch and records the restore in its
/// audit trail. Returns the manifest and the new epoch.
pub fn restore(backup: &Path, data: &Path, by: &str) -> Result<(Manifest, String)> {
    if !empty_or_missing(data)? {
        return Err(refused(
            "data_dir_not_empty",
            format!("--data-dir：{} 不是空目录；恢复只写入新的或空的目录。", data.display()),
            format!("--data-dir: {} is not empty; a restore only fills a new or empty folder.", data.display()),
        ));
    }
    let manifest = verify(backup)?;
    std::fs::create_dir_all(data.join("photos").join("partial"))?;
    std::fs::create_dir_all(data.join("reference"))?;
    std::fs::copy(backup.join(REFERENCE_DB), data.join(REFERENCE_DB))?;
    std::fs::File::open(data.join(REFERENCE_DB))?.sync_all()?;
    for entry in std::fs::read_dir(backup.join("photos"))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            let (hash, _) = copy_hashing(&entry.path(), &data.join("photos").join(entry.file_name()))?;
            if entry.file_name().to_str() != Some(hash.as_str()) {
                return Err(HubError::Internal(format!("photo {:?} changed while it was restored", entry.file_name())));
            }
        }
    }
    sync_dir(&data.join("photos"));
    // hub.db last, under another name until it is whole: a folder without hub.db is no hub.
    let partial: PathBuf = data.join("hub.db.restoring");
    std::fs::copy(backup.join("hub.db"), &partial)?;
    let epoch = {
        let mut conn = Connection::open(&partial)?;
        let tx = conn.transaction()?;
        let epoch: String = tx.query_row(
            "UPDATE hub_meta SET value = lower(hex(randomblob(8))) WHERE key = 'epoch' RETURNING value",
            [],
            |r| r.get(0),
        )?;
        crate::admin::record_on(
            &tx,
            by,
            "restore",
            &backup.display().to_string(),
            Some(
                serde_json::json!({"epoch": epoch, "from_epoch": manifest.epoch, "backup_created_at": manifest.created_at,
                "events": manifest.events, "photos": manifest.photos.len()}),
            ),
            chrono::Utc::now(),
        )?;
        tx.commit()?;
        epoch
    };
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, crate::db_path(data))?;
    sync_dir(data);
    Ok((manifest, epoch))
}
