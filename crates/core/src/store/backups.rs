//! A copy of the store before each migration: when a newer build opens a store whose schema is
//! older than its own, the database is copied with SQLite's online backup API into `backups/`
//! beside it (`gridpatrol-v{old version}-{time}.db`) before any migration runs, and only the last
//! [`KEPT`] copies are kept. A migration that goes wrong, or a newer build given up for an older
//! one, leaves a copy to restore (the damaged-store guidance of issue 7 points at this folder).
//! A copy that cannot be made stops the migration: the store is not changed without one. The copy
//! of an encrypted store is encrypted with the store's key (a plain copy beside it would undo the
//! encryption, and SQLCipher's backup API copies only between databases keyed alike).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::error::Result;
use crate::store::cipher::{self, StoreKey};

/// The folder beside the database that holds the copies.
pub const BACKUPS_DIR: &str = "backups";
/// How many copies are kept (the oldest go first).
pub const KEPT: usize = 3;

/// Copies the store's database into `dir/backups/` when its schema (`from`) is older than this
/// build's (`to`), then drops all but the newest [`KEPT`] copies. Returns the copy's path, or None
/// when there was nothing to migrate (a new store, or one already current).
pub fn before_migration(
    conn: &Connection,
    dir: &Path,
    from: usize,
    to: usize,
    now: DateTime<Utc>,
    key: Option<&StoreKey>,
) -> Result<Option<PathBuf>> {
    if from == 0 || from >= to {
        return Ok(None);
    }
    let folder = dir.join(BACKUPS_DIR);
    std::fs::create_dir_all(&folder)?;
    let name = format!("gridpatrol-v{from}-{}.db", now.format("%Y%m%dT%H%M%S%.3fZ"));
    let path = folder.join(&name);
    let partial = folder.join(format!("{name}.partial"));
    {
        let mut copy = cipher::open_keyed(&partial, key)?;
        copy.pragma_update(None, "journal_mode", "OFF")?;
        copy.pragma_update(None, "synchronous", "OFF")?;
        let backup = rusqlite::backup::Backup::new(conn, &mut copy)?;
        backup.run_to_completion(1024, std::time::Duration::ZERO, None)?;
    }
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, &path)?;
    if let Ok(d) = std::fs::File::open(&folder) {
        let _ = d.sync_all();
    }
    // The names sort by time; only this module writes them.
    let mut copies: Vec<PathBuf> = std::fs::read_dir(&folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("gridpatrol-v") && n.ends_with(".db"))
        })
        .collect();
    copies.sort_by_key(|p| p.file_name().map(|n| n.to_os_string()));
    let drop_count = copies.len().saturating_sub(KEPT);
    for old in &copies[..drop_count] {
        std::fs::remove_file(old)?;
    }
    Ok(Some(path))
}

/// Encrypts, in place and with the store's key, every copy in `dir/backups/` that is still a plain
/// SQLite file (made by a build before encryption): a plain copy beside an encrypted store would hand
/// over what the encryption hides. Runs at each keyed open (a few 16-byte reads when none is left),
/// so a copy a crash left plain is converted at the next start.
pub fn encrypt_plain_copies(dir: &Path, key: &StoreKey) -> Result<usize> {
    let Ok(entries) = std::fs::read_dir(dir.join(BACKUPS_DIR)) else { return Ok(0) };
    let mut converted = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let is_copy = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("gridpatrol-v") && n.ends_with(".db"));
        if is_copy && cipher::file_kind(&path)? == cipher::FileKind::Plain {
            cipher::encrypt_plain(&path, key)?;
            converted += 1;
        }
    }
    Ok(converted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn store_at(dir: &Path, version: i64) -> Connection {
        let conn = Connection::open(dir.join("gridpatrol.db")).unwrap();
        conn.execute_batch("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('finding');").unwrap();
        conn.pragma_update(None, "user_version", version).unwrap();
        conn
    }

    #[test]
    fn an_older_store_is_copied_before_migrating_and_only_the_last_few_copies_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let conn = store_at(dir.path(), 3);
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let first =
            before_migration(&conn, dir.path(), 3, 5, t, None).unwrap().expect("a store older than the code is copied");
        let copy = Connection::open(&first).unwrap();
        let (x, version): (String, i64) = copy
            .query_row("SELECT x, (SELECT user_version FROM pragma_user_version) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((x.as_str(), version), ("finding", 3), "the copy holds the store as it was, at its old version");
        for i in 1..=4 {
            before_migration(&conn, dir.path(), 3, 5, t + chrono::Duration::minutes(i), None).unwrap();
        }
        let mut left: Vec<String> = std::fs::read_dir(dir.path().join(BACKUPS_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left.len(), KEPT, "only the last {KEPT} copies are kept: {left:?}");
        assert!(left[0].contains("080200"), "the oldest copies went first: {left:?}");
        assert!(!first.exists(), "the first copy was dropped");
    }

    #[test]
    fn a_new_or_current_store_is_not_copied() {
        let dir = tempfile::tempdir().unwrap();
        let conn = store_at(dir.path(), 5);
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        assert_eq!(before_migration(&conn, dir.path(), 5, 5, t, None).unwrap(), None, "a current store needs no copy");
        assert_eq!(
            before_migration(&conn, dir.path(), 0, 5, t, None).unwrap(),
            None,
            "a new store has nothing to keep"
        );
        assert!(!dir.path().join(BACKUPS_DIR).exists(), "no backups folder for nothing");
    }
}
