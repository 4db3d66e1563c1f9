//! Encryption at rest (issue 13.4): a device's store is a SQLCipher database, so a lost or stolen
//! laptop hands over no finding, name or citizen's contact in the clear.
//!
//! What this module holds: [`StoreKey`] (a random 256-bit key given to SQLCipher raw, so no key
//! derivation runs at open, or a passphrase that SQLCipher stretches with its PBKDF2), keying a
//! connection with the store's cipher settings ([`key_connection`]), telling a plain file from an
//! encrypted one by its first bytes ([`file_kind`]), and converting a plain store into an encrypted
//! one in place ([`encrypt_plain`]: `sqlcipher_export` into a new file, fsync, an atomic rename, so a
//! crash at any point leaves a store that opens). What it deliberately is not: where the key comes
//! from. The OS keyring, the `GRIDPATROL_PASSPHRASE` variable and the prompts live in the binaries'
//! side (`gridpatrol_sync::store_key`), so core reads no environment and touches no keyring.
//!
//! The hub links the same SQLCipher (Cargo unifies rusqlite's features in one build) and never keys
//! its databases: an unkeyed SQLCipher database is a plain SQLite file.

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::error::{Error, Result};

/// The first 16 bytes of every plain SQLite database file. SQLCipher encrypts the whole first page
/// but its 16-byte salt, so an encrypted file never starts with them.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The new file an [`encrypt_plain`] conversion writes before it takes the store's place.
pub const ENCRYPTING_SUFFIX: &str = ".encrypting";

/// The key of an encrypted store. Its `Debug` shows no secret.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreKey {
    /// 32 random bytes, kept in the OS keyring; given to SQLCipher as `x'…'`, so no PBKDF2 runs.
    Raw([u8; 32]),
    /// A passphrase a person typed (or a script gave); SQLCipher derives the key with PBKDF2.
    Passphrase(String),
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreKey::Raw(_) => f.write_str("StoreKey::Raw(…)"),
            StoreKey::Passphrase(_) => f.write_str("StoreKey::Passphrase(…)"),
        }
    }
}

/// The shortest passphrase a store accepts: shorter ones are refused when a store is keyed with one.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

impl StoreKey {
    /// A raw key from its 64 hex digits (as the keyring keeps it).
    pub fn from_hex(hex_key: &str) -> Result<StoreKey> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| Error::StoreKeyUnusable)?;
        let raw: [u8; 32] = bytes.try_into().map_err(|_| Error::StoreKeyUnusable)?;
        Ok(StoreKey::Raw(raw))
    }

    /// The raw key's 64 hex digits, for the keyring; None for a passphrase.
    pub fn to_hex(&self) -> Option<String> {
        match self {
            StoreKey::Raw(raw) => Some(hex::encode(raw)),
            StoreKey::Passphrase(_) => None,
        }
    }

    /// A passphrase as a person gave it, checked: not empty, at least [`MIN_PASSPHRASE_CHARS`]
    /// characters, no line break (a prompt's or a pipe's trailing newline is taken off first).
    pub fn passphrase(given: &str) -> Result<StoreKey> {
        let p = given.strip_suffix('\n').map(|p| p.strip_suffix('\r').unwrap_or(p)).unwrap_or(given);
        if p.chars().count() < MIN_PASSPHRASE_CHARS || p.contains(['\n', '\r', '\0']) {
            return Err(Error::PassphraseTooShort { min: MIN_PASSPHRASE_CHARS });
        }
        Ok(StoreKey::Passphrase(p.to_string()))
    }

    /// A new passphrase a person chose, typed twice (the CLI's prompt, the app's unlock screen): the
    /// two must be the same ([`Error::PassphrasesDiffer`]), then checked as [`StoreKey::passphrase`].
    pub fn chosen(first: &str, again: &str) -> Result<StoreKey> {
        if first != again {
            return Err(Error::PassphrasesDiffer);
        }
        StoreKey::passphrase(first)
    }
}

/// What a database file is, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// No file, or an empty one.
    Absent,
    /// A plain SQLite file (a store made before encryption, or the hub's).
    Plain,
    /// Anything else: an encrypted store (or a damaged file, which the key check tells apart).
    Encrypted,
}

/// Reads the first 16 bytes of `path`.
pub fn file_kind(path: &Path) -> Result<FileKind> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::Absent),
        Err(e) => return Err(e.into()),
    };
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(match read {
        0 => FileKind::Absent,
        16 if &head == PLAIN_HEADER => FileKind::Plain,
        _ => FileKind::Encrypted,
    })
}

/// The key as the SQL literal `PRAGMA key` and `ATTACH … KEY` take.
fn key_literal(key: &StoreKey) -> String {
    match key {
        // Hex digits only: nothing to escape.
        StoreKey::Raw(raw) => format!("\"x'{}'\"", hex::encode(raw)),
        StoreKey::Passphrase(p) => format!("'{}'", p.replace('\'', "''")),
    }
}

/// The cipher settings every keyed database of the store uses, after its key (`schema`: `main`,
/// or an attached copy's name):
/// - `cipher_memory_security = OFF`: SQLCipher would otherwise lock and wipe every allocation it
///   makes, which cost recording a finding most of its overhead; the key itself stays in the
///   process either way, and a device whose memory an attacker reads is lost already;
/// - `cipher_log_level = NONE`: SQLCipher would print its own lines on stderr when a key is wrong;
///   the store says so itself, in the person's language ([`Error::StoreKeyWrong`]);
/// - `cipher_hmac_algorithm = HMAC_SHA256`: every page keeps its HMAC (a page changed on disk is an
///   error, never silently read), with SHA-256 rather than SQLCipher 4's default SHA-512 (OpenSSL
///   computes SHA-256 with the CPU's SHA extensions; docs/performance.md has the recording figures);
/// - the page size stays SQLCipher 4's default, 4096 bytes, the store's own page size.
fn cipher_settings(conn: &Connection, schema: &str) -> Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA cipher_memory_security = OFF; PRAGMA cipher_log_level = NONE; \
         PRAGMA {schema}.cipher_hmac_algorithm = HMAC_SHA256;"
    ))?;
    Ok(())
}

/// Keys `conn` and proves the key opens the file: a wrong key (or a plain reader's missing one)
/// is [`Error::StoreKeyWrong`], before anything reads or writes the store.
pub(crate) fn key_connection(conn: &Connection, key: &StoreKey) -> Result<()> {
    apply_key(conn, key)?;
    check_key(conn)
}

/// Gives an open connection the store's key and cipher settings, unchecked: what every keyed
/// opening of a store file does first (the store's own, its backups', a tool's or a test's that
/// reads the file directly; a wrong key shows at the first read).
pub fn apply_key(conn: &Connection, key: &StoreKey) -> Result<()> {
    conn.execute_batch(&format!("PRAGMA key = {};", key_literal(key)))?;
    cipher_settings(conn, "main")
}

/// Reads the schema: SQLCipher decrypts the first page here, and a wrong key fails.
fn check_key(conn: &Connection) -> Result<()> {
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::NotADatabase => {
            Err(Error::StoreKeyWrong)
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens a copy of the store (a backup's new file) keyed like the store, so a copy of an encrypted
/// store is encrypted with the same key (SQLCipher's backup API copies only between databases
/// keyed alike).
pub(crate) fn open_keyed(path: &Path, key: Option<&StoreKey>) -> Result<Connection> {
    let conn = Connection::open(path)?;
    if let Some(key) = key {
        apply_key(&conn, key)?;
    }
    Ok(conn)
}

/// The steps of a conversion after which a test injects a failure (a crash there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvertStep {
    /// The encrypted copy is written, not yet synced.
    Exported,
    /// The copy is synced to disk, the plain file still in place.
    Synced,
    /// The copy has taken the plain file's place; the folder is not yet synced.
    Renamed,
}

fn encrypting_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(ENCRYPTING_SUFFIX);
    PathBuf::from(p)
}

/// Converts the plain store database `db` into one encrypted with `key`, in place:
/// 1. the plain file is opened alone (`locking_mode = EXCLUSIVE`, and out of WAL, which SQLite
///    allows only to its one connection: another process holding the store is refused with
///    [`Error::StoreBusy`]; the WAL is checkpointed into the file and removed);
/// 2. `sqlcipher_export` writes every table, index, trigger and `user_version` into
///    `gridpatrol.db.encrypting`, which is fsync'd;
/// 3. that file is renamed over the plain one while the lock is held (one atomic step: before it
///    the plain store opens, after it the encrypted one), and the folder is fsync'd.
///
/// A crash before 3 leaves the plain store and a partial copy that the next conversion removes
/// first; a crash after it leaves the encrypted store. The plain file's name is gone at the rename;
/// its blocks are freed by the file system, not wiped (see ARCHITECTURE.md).
pub fn encrypt_plain(db: &Path, key: &StoreKey) -> Result<()> {
    encrypt_plain_failing_at(db, key, None)
}

/// [`encrypt_plain`] with a failure injected after `fail_at`: for the crash tests only.
#[doc(hidden)]
pub fn encrypt_plain_failing_at(db: &Path, key: &StoreKey, fail_at: Option<ConvertStep>) -> Result<()> {
    let injected = |step: ConvertStep| -> Result<()> {
        if fail_at == Some(step) {
            return Err(Error::Io(std::io::Error::other(format!("injected failure after {step:?}"))));
        }
        Ok(())
    };
    let target = encrypting_path(db);
    match std::fs::remove_file(&target) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    let conn = Connection::open(db)?;
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
    let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(Error::StoreBusy { detail: format!("the store is open elsewhere (journal mode stays {mode})") });
    }
    // Holds the exclusive lock from here until the connection closes, after the rename.
    conn.execute_batch("BEGIN IMMEDIATE; COMMIT;")?;
    let path = target.display().to_string().replace('\'', "''");
    conn.execute_batch(&format!("ATTACH DATABASE '{path}' AS encrypted KEY {}", key_literal(key)))?;
    cipher_settings(&conn, "encrypted")?;
    let version: i64 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
    conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    conn.execute_batch(&format!("PRAGMA encrypted.user_version = {version};"))?;
    conn.execute_batch("DETACH DATABASE encrypted")?;
    injected(ConvertStep::Exported)?;
    std::fs::File::open(&target)?.sync_all()?;
    injected(ConvertStep::Synced)?;
    std::fs::rename(&target, db)?;
    drop(conn);
    injected(ConvertStep::Renamed)?;
    if let Some(folder) = db.parent() {
        if let Ok(d) = std::fs::File::open(folder) {
            d.sync_all()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passphrase_is_checked_and_a_raw_key_round_trips_through_hex() {
        assert!(matches!(StoreKey::passphrase("short"), Err(Error::PassphraseTooShort { .. })), "too short");
        assert!(matches!(StoreKey::passphrase("two\nlines here"), Err(Error::PassphraseTooShort { .. })));
        assert_eq!(
            StoreKey::passphrase("巡查口令很长的一句\n").unwrap(),
            StoreKey::Passphrase("巡查口令很长的一句".into())
        );
        assert!(matches!(StoreKey::chosen("巡查口令很长的一句", "巡查口令很长的一句 "), Err(Error::PassphrasesDiffer)));
        assert_eq!(
            StoreKey::chosen("巡查口令很长的一句", "巡查口令很长的一句").unwrap(),
            StoreKey::Passphrase("巡查口令很长的一句".into())
        );
        assert!(matches!(StoreKey::chosen("short", "short"), Err(Error::PassphraseTooShort { .. })));
        let key = StoreKey::Raw([7; 32]);
        assert_eq!(StoreKey::from_hex(&key.to_hex().unwrap()).unwrap(), key);
        assert!(matches!(StoreKey::from_hex("abc"), Err(Error::StoreKeyUnusable)));
        assert!(!format!("{key:?}").contains("07"), "Debug shows no key");
    }
}
