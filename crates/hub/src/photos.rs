//! Photos at the hub: files named by their SHA-256, uploaded resumably, each upload its uploader's.
//!
//! An upload appends to `partial/{uploader}/{sha256}` (the uploader's folder is named by a hash of
//! the user name) from the offset the client names, which must equal the bytes already there (else
//! 409 `offset_mismatch`, and the client asks again with HEAD). Nobody can append to or learn about
//! another user's partial upload: each user has their own. Bytes are written in pieces of at most
//! [`WRITE_PIECE`] as they arrive, and what arrived is written and fsynced even when the connection
//! breaks, so a cut upload resumes where it stopped. A photo sent whole in one request is checked
//! from memory before it is written at all. When the file is whole, its SHA-256 must equal its name and core's photo check must accept it (dimensions read
//! from the header first, then decoded under the same limits, on a blocking thread, at most
//! [`DECODERS`] at a time); only then is it renamed into `photos/{sha256}` and reported complete.
//! Who may then read it is the store's question (the uploader, and whoever's scope holds a finding
//! that names it): the vault only holds files.
//!
//! Uploads of different photos, or of the same photo by different users, never wait for each other:
//! the lock is per uploader and photo. A user's partial bytes are bounded ([`PhotoVault::upload`]'s
//! `quota`: the user's oldest other partial uploads are discarded to make room), and partial uploads
//! older than a limit are swept away ([`PhotoVault::sweep`], at start and periodically).
//!
//! Durability: a partial upload is fsynced when its request ends (it is what a resumed upload
//! trusts). A completed photo is not fsynced one by one: [`PhotoVault::sync_before_push`] makes
//! every photo completed since the last push durable (data and name) before the push commits
//! events that need them — with one `syncfs` of the photos' filesystem on Linux, a file-by-file
//! fsync elsewhere. One journal commit for a batch of photos instead of one per photo.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use gridpatrol_core::photo::HeldPhoto;
use sha2::{Digest, Sha256};

use crate::controllers::blocking;
use crate::error::{HubError, Result};

/// How many photos are decoded (checked as images) at once: each may take up to
/// `gridpatrol_core::photo::MAX_PIXELS` × 4 bytes while it is checked.
pub const DECODERS: usize = 2;

pub struct PhotoVault {
    dir: PathBuf,
    /// One lock per uploader and photo, dropped from the map when nobody holds it.
    locks: std::sync::Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>,
    decoders: tokio::sync::Semaphore,
    /// Photos renamed into place since the last [`PhotoVault::sync_before_push`].
    unsynced: std::sync::Mutex<Vec<PathBuf>>,
}

pub fn check_name(sha256: &str) -> Result<()> {
    if sha256.len() == 64 && sha256.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(HubError::bad_request("invalid_photo_name", "A photo is named by its SHA-256 in 64 lowercase hex digits."))
    }
}

/// The folder name of a user's partial uploads: user names are free text (Chinese, spaces), so the
/// folder is named by a hash of the name instead.
fn uploader_dir(user: &str) -> String {
    hex::encode(&Sha256::digest(user.as_bytes())[..16])
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Holds one upload's lock; removes the lock from the map when nobody else wants it.
struct UploadGuard<'a> {
    vault: &'a PhotoVault,
    key: PathBuf,
    mutex: Arc<tokio::sync::Mutex<()>>,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for UploadGuard<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut locks = lock(&self.vault.locks);
        // The map's clone and ours: nobody else holds or waits for this lock (clones are only
        // made under the map's lock).
        if Arc::strong_count(&self.mutex) == 2 {
            locks.remove(&self.key);
        }
    }
}

impl PhotoVault {
    pub fn new(dir: PathBuf) -> Result<PhotoVault> {
        std::fs::create_dir_all(dir.join("partial"))?;
        Ok(PhotoVault {
            dir,
            locks: Default::default(),
            decoders: tokio::sync::Semaphore::new(DECODERS),
            unsynced: std::sync::Mutex::new(Vec::new()),
        })
    }

    fn complete_path(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }

    fn partial_dir(&self, user: &str) -> PathBuf {
        self.dir.join("partial").join(uploader_dir(user))
    }

    fn partial_path(&self, user: &str, sha256: &str) -> PathBuf {
        self.partial_dir(user).join(sha256)
    }

    async fn lock_upload(&self, key: PathBuf) -> UploadGuard<'_> {
        let mutex = lock(&self.locks).entry(key.clone()).or_default().clone();
        let guard = mutex.clone().lock_owned().await;
        UploadGuard { vault: self, key, mutex, guard: Some(guard) }
    }

    /// How many whole photos the vault holds and their bytes (for `/metrics`): one pass over the
    /// folder, on a blocking thread.
    pub fn figures(&self) -> Result<(u64, u64)> {
        let (mut count, mut bytes) = (0, 0);
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_str().is_some_and(|n| check_name(n).is_ok()) {
                if let Ok(meta) = entry.metadata() {
                    if meta.is_file() {
                        count += 1;
                        bytes += meta.len();
                    }
                }
            }
        }
        Ok((count, bytes))
    }

    /// Whether a photo can be written: a small file made, synced and removed in the photos folder
    /// (what `/readyz` asks; permission bits alone mislead under root and read-only mounts).
    pub fn check_writable(&self) -> Result<()> {
        use std::io::Write;
        static PROBES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let probe = self.dir.join(format!(".ready-{}-{n}", std::process::id()));
        let written = std::fs::File::create(&probe).and_then(|mut f| {
            f.write_all(b"ready")?;
            f.sync_all()
        });
        let removed = std::fs::remove_file(&probe);
        written?;
        removed?;
        Ok(())
    }

    /// Whether the photo is whole and verified (what a push checks before an event that needs it).
    pub fn is_complete(&self, sha256: &str) -> bool {
        check_name(sha256).is_ok() && self.complete_path(sha256).is_file()
    }

    /// What the hub holds of a whole, verified photo (its length and its sides as its header states
    /// them), if it holds it: what a push checks an event's photo metadata against.
    pub fn held(&self, sha256: &str) -> Result<Option<HeldPhoto>> {
        if check_name(sha256).is_err() {
            return Ok(None);
        }
        Ok(gridpatrol_core::photo::held(&self.complete_path(sha256))?)
    }

    /// The size of a whole photo, if the hub holds it.
    pub fn complete_len(&self, sha256: &str) -> Result<Option<u64>> {
        check_name(sha256)?;
        Ok(std::fs::metadata(self.complete_path(sha256)).ok().map(|m| m.len()))
    }

    /// How many bytes of `sha256` `user` has uploaded so far (their own partial upload only).
    pub fn partial_len(&self, user: &str, sha256: &str) -> Result<u64> {
        check_name(sha256)?;
        Ok(std::fs::metadata(self.partial_path(user, sha256)).map(|m| m.len()).unwrap_or(0))
    }

    /// The whole photo's bytes, for devices that show it (the caller has checked who may read it).
    pub async fn read(&self, sha256: &str) -> Result<Vec<u8>> {
        check_name(sha256)?;
        tokio::fs::read(self.complete_path(sha256)).await.map_err(|_| HubError::NotFound)
    }

    /// Appends the body's bytes at `offset` of `user`'s upload of a photo of `total` bytes; returns
    /// the new `(received, complete)`. `theirs`: the photo is already whole and readable by `user`
    /// (the body is then not read). `quota`: the most partial bytes `user` may hold; their oldest
    /// other partial uploads are discarded to make room. `on_complete` runs once the photo is whole,
    /// checked and in place (the caller records who uploaded it), on the same blocking thread.
    ///
    /// The body is read on the async threads into a buffer of at most [`WRITE_PIECE`] bytes; each
    /// full buffer is written by one blocking task, and the rest of the request (the last bytes, the
    /// check, the rename, `on_complete`) is one more. A small photo therefore costs one hop onto the
    /// blocking pool, not one per file operation, and memory stays bounded whatever a client sends.
    #[allow(clippy::too_many_arguments)]
    pub async fn upload(
        &self,
        user: &str,
        sha256: &str,
        offset: u64,
        total: u64,
        max: u64,
        quota: u64,
        theirs: bool,
        body: axum::body::Body,
        on_complete: impl FnOnce() -> Result<()> + Send + 'static,
    ) -> Result<(u64, bool)> {
        use futures_util::StreamExt;
        check_name(sha256)?;
        if total > max {
            return Err(HubError::Photo {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "photo_too_large",
                message: format!("The photo is {total} bytes; the hub takes photos up to {max} bytes."),
            });
        }
        if total > quota {
            return Err(HubError::Photo {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "upload_quota_exceeded",
                message: format!("The photo is {total} bytes; a user's unfinished uploads may hold {quota} bytes."),
            });
        }
        let partial = self.partial_path(user, sha256);
        let _guard = self.lock_upload(partial.clone()).await;
        if theirs {
            if let Some(len) = self.complete_len(sha256)? {
                return Ok((len, true));
            }
        }
        let received = self.partial_len(user, sha256)?;
        if offset != received {
            return Err(HubError::Photo {
                status: StatusCode::CONFLICT,
                code: "offset_mismatch",
                message: format!("The hub holds {received} bytes of this photo; resume from there, not from {offset}."),
            });
        }
        let mut writer = PartialWriter {
            dir: self.partial_dir(user),
            path: partial,
            file: None,
            room: Some((sha256.to_string(), total - received, quota)),
        };
        let mut stream = body.into_data_stream();
        let mut piece: Vec<u8> = Vec::new();
        let mut now = received;
        let mut failure = None;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => {
                    now += bytes.len() as u64;
                    if now > total {
                        failure = Some(HubError::bad_request(
                            "photo_longer_than_total",
                            "More bytes arrived than the photo's total.",
                        ));
                        break;
                    }
                    piece.extend_from_slice(&bytes);
                    if piece.len() >= WRITE_PIECE {
                        let full = std::mem::take(&mut piece);
                        writer = blocking(move || writer.write(&full).map(|()| writer)).await?;
                    }
                }
                Err(e) => {
                    failure = Some(HubError::bad_request("upload_interrupted", format!("The upload broke off: {e}")));
                    break;
                }
            }
        }
        let whole = failure.is_none() && now == total;
        // Hashing and decoding are CPU work: off the async threads, a bounded number at a time.
        let _decoder = match whole {
            true => Some(self.decoders.acquire().await.map_err(|e| HubError::Internal(e.to_string()))?),
            false => None,
        };
        let (complete, name) = (self.complete_path(sha256), sha256.to_string());
        let placed = blocking(move || -> Result<Option<PathBuf>> {
            if let Some(e) = failure {
                if matches!(&e, HubError::BadRequest { code: "photo_longer_than_total", .. }) {
                    writer.discard();
                } else {
                    // What arrived is kept, so a broken upload resumes from here.
                    writer.write(&piece)?;
                    writer.sync()?;
                }
                return Err(e);
            }
            if !whole {
                writer.write(&piece)?;
                writer.sync()?;
                return Ok(None);
            }
            // A photo sent whole in this request is checked from memory before anything is written.
            let in_memory = received == 0 && piece.len() as u64 == total;
            let bytes = if in_memory {
                piece
            } else {
                writer.write(&piece)?;
                writer.file = None;
                std::fs::read(&writer.path)?
            };
            if let Err(e) = check_photo(&name, &bytes, max) {
                writer.discard();
                return Err(e);
            }
            let placed = if complete.is_file() {
                // Someone else completed the same bytes first: this upload proved the user holds them.
                writer.discard();
                None
            } else {
                if in_memory {
                    writer.write(&bytes)?;
                }
                writer.file = None;
                std::fs::rename(&writer.path, &complete)?;
                // Made durable with the next push instead of here (see the module's notes).
                Some(complete)
            };
            on_complete()?;
            Ok(placed)
        })
        .await?;
        if let Some(path) = placed {
            lock(&self.unsynced).push(path);
        }
        Ok(if whole { (total, true) } else { (now, false) })
    }

    /// Removes partial uploads last written more than `max_age` before `now`; how many it removed.
    /// Run at start and periodically, so abandoned uploads do not accumulate.
    pub fn sweep(&self, max_age: Duration, now: SystemTime) -> Result<usize> {
        let mut removed = 0;
        let old = |path: &Path| {
            std::fs::metadata(path)
                .and_then(|m| m.modified())
                // A file dated after `now` (the clock was set back) is young, not old: kept.
                .map(|t| now.duration_since(t).is_ok_and(|age| age > max_age))
                .unwrap_or(false)
        };
        for entry in std::fs::read_dir(self.dir.join("partial"))?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                for file in std::fs::read_dir(&path)?.flatten() {
                    if old(&file.path()) && std::fs::remove_file(file.path()).is_ok() {
                        removed += 1;
                    }
                }
                // Only an empty folder goes (remove_dir refuses the others).
                let _ = std::fs::remove_dir(&path);
            } else if std::fs::remove_file(&path).is_ok() {
                // A partial upload from before uploads had owners: nobody can resume it.
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Makes every photo completed since the last call durable, data and name, before a push
    /// commits events that need them, so no acknowledged event can point at a photo a power cut
    /// took away. On failure the photos stay listed and the push fails (the client retries).
    pub fn sync_before_push(&self) -> Result<()> {
        let mut unsynced = lock(&self.unsynced);
        if unsynced.is_empty() {
            return Ok(());
        }
        let dir = std::fs::File::open(&self.dir)?;
        sync_all_of(&dir, &unsynced)?;
        unsynced.clear();
        Ok(())
    }
}

/// The size of the pieces an upload's body is written in: what one request holds in memory at most.
pub const WRITE_PIECE: usize = 1 << 20;

/// One request's writes to a partial upload, on blocking threads. The file is opened (and room
/// made within the user's quota) only when there is something to write.
struct PartialWriter {
    dir: PathBuf,
    path: PathBuf,
    file: Option<std::fs::File>,
    /// Until the file is opened: the photo's name, the bytes still to come and the user's quota.
    room: Option<(String, u64, u64)>,
}

impl PartialWriter {
    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        if bytes.is_empty() {
            return Ok(());
        }
        if self.file.is_none() {
            if let Some((sha256, more, quota)) = self.room.take() {
                make_room(&self.dir, &sha256, more, quota)?;
            }
            std::fs::create_dir_all(&self.dir)?;
            self.file = Some(std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?);
        }
        Ok(self.file.as_mut().expect("opened above").write_all(bytes)?)
    }

    /// Makes what this request wrote durable: a resumed upload trusts it.
    fn sync(&mut self) -> Result<()> {
        match &self.file {
            Some(file) => Ok(file.sync_all()?),
            None => Ok(()),
        }
    }

    /// Removes the partial upload (a photo that failed its check, or one already held).
    fn discard(&mut self) {
        self.file = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether `bytes` are the photo `name`: its SHA-256, then core's photo rules (an image of an
/// accepted format, within the size and pixel limits, read from the header before decoding). The
/// hub makes no thumbnail.
fn check_photo(name: &str, bytes: &[u8], max_bytes: u64) -> Result<()> {
    if hex::encode(Sha256::digest(bytes)) != name {
        return Err(HubError::Photo {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "photo_hash_mismatch",
            message: "The photo's bytes do not match its SHA-256 name; it was discarded.".into(),
        });
    }
    gridpatrol_core::photo::check_bytes(name, bytes, max_bytes).map(|_| ()).map_err(|e| HubError::Photo {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: if e.code() == "photo_too_many_pixels" { "photo_too_many_pixels" } else { "photo_not_image" },
        message: e.message(gridpatrol_core::Lang::En),
    })
}

/// Discards the oldest partial uploads in `user_dir` (other than `sha256`) until `more` bytes fit
/// in `quota`.
fn make_room(user_dir: &Path, sha256: &str, more: u64, quota: u64) -> Result<()> {
    let mut others: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    let mut held = 0u64;
    if let Ok(entries) = std::fs::read_dir(user_dir) {
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            held += meta.len();
            if entry.file_name() != sha256 {
                others.push((meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len(), entry.path()));
            }
        }
    }
    others.sort();
    for (_, len, path) in others {
        if held + more <= quota {
            break;
        }
        // A partial upload being written right now is behind its own lock; removing its name
        // is harmless (its writer's next request finds 0 bytes and starts again).
        std::fs::remove_file(&path)?;
        held -= len;
    }
    Ok(())
}

/// One `syncfs`: every dirty page and name of the filesystem `dir` is on, in one journal commit.
#[cfg(target_os = "linux")]
fn sync_all_of(dir: &std::fs::File, _files: &[PathBuf]) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: syncfs only reads the descriptor, which `dir` keeps open for the call.
    if unsafe { libc::syncfs(dir.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Each file's data, then the folder's names.
#[cfg(not(target_os = "linux"))]
fn sync_all_of(dir: &std::fs::File, files: &[PathBuf]) -> std::io::Result<()> {
    for f in files {
        std::fs::File::open(f)?.sync_all()?;
    }
    dir.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_removes_only_partial_uploads_older_than_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let vault = PhotoVault::new(dir.path().to_path_buf()).unwrap();
        let sha = "a".repeat(64);
        std::fs::create_dir_all(vault.partial_dir("li")).unwrap();
        std::fs::write(vault.partial_path("li", &sha), b"abc").unwrap();
        let now = SystemTime::now();
        assert_eq!(vault.sweep(Duration::from_secs(3600), now).unwrap(), 0, "a fresh partial upload stays");
        assert_eq!(vault.partial_len("li", &sha).unwrap(), 3, "a fresh partial upload stays");
        let later = now + Duration::from_secs(7200);
        assert_eq!(vault.sweep(Duration::from_secs(3600), later).unwrap(), 1, "an abandoned partial upload expires");
        assert_eq!(vault.partial_len("li", &sha).unwrap(), 0, "an abandoned partial upload expires");
    }

    /// A body of `len` pseudo-random bytes, sent in 256 KiB chunks (several pieces of WRITE_PIECE).
    fn noise(len: usize, seed: u8) -> Vec<u8> {
        (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3] ^ seed).collect()
    }

    fn body(bytes: &[u8]) -> axum::body::Body {
        let chunks: Vec<std::result::Result<Vec<u8>, std::io::Error>> =
            bytes.chunks(256 * 1024).map(|c| Ok(c.to_vec())).collect();
        axum::body::Body::from_stream(futures_util::stream::iter(chunks))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_upload_larger_than_a_piece_is_written_resumed_and_checked_whole() {
        let dir = tempfile::tempdir().unwrap();
        let vault = PhotoVault::new(dir.path().to_path_buf()).unwrap();
        let bytes = noise(WRITE_PIECE * 3 + 12_345, 7);
        let sha = hex::encode(Sha256::digest(&bytes));
        let (total, max) = (bytes.len() as u64, 64 << 20);
        let first = WRITE_PIECE + WRITE_PIECE / 2;
        let done = || -> Result<()> { panic!("not whole yet, nothing to record") };
        let got = vault.upload("li", &sha, 0, total, max, max, false, body(&bytes[..first]), done).await.unwrap();
        assert_eq!(got, (first as u64, false), "a part of the photo is held, in more than one piece");
        assert_eq!(vault.partial_len("li", &sha).unwrap(), first as u64);
        let recorded = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = recorded.clone();
        let record = move || -> Result<()> {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        };
        let err = vault
            .upload("li", &sha, first as u64, total, max, max, false, body(&bytes[first..]), record)
            .await
            .unwrap_err();
        assert!(matches!(err, HubError::Photo { code: "photo_not_image", .. }), "checked whole: {err:?}");
        assert!(!recorded.load(std::sync::atomic::Ordering::SeqCst), "a refused photo is not recorded");
        assert_eq!(vault.partial_len("li", &sha).unwrap(), 0, "a refused photo is discarded");
        assert!(!vault.is_complete(&sha));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_photo_refused_in_one_request_is_never_written_and_extra_bytes_discard_the_upload() {
        let dir = tempfile::tempdir().unwrap();
        let vault = PhotoVault::new(dir.path().to_path_buf()).unwrap();
        let bytes = noise(5_000, 3);
        let wrong = "b".repeat(64);
        let none = || -> Result<()> { panic!("nothing may be recorded") };
        let err = vault.upload("li", &wrong, 0, 5_000, 1 << 20, 1 << 20, false, body(&bytes), none).await.unwrap_err();
        assert!(matches!(err, HubError::Photo { code: "photo_hash_mismatch", .. }), "{err:?}");
        assert!(!vault.partial_dir("li").exists(), "checked from memory: nothing was written");
        let sha = hex::encode(Sha256::digest(&bytes[..4_000]));
        let err = vault.upload("li", &sha, 0, 4_000, 1 << 20, 1 << 20, false, body(&bytes), none).await.unwrap_err();
        assert!(matches!(err, HubError::BadRequest { code: "photo_longer_than_total", .. }), "{err:?}");
        assert_eq!(vault.partial_len("li", &sha).unwrap(), 0, "an upload longer than its total is discarded");
    }

    #[test]
    fn a_users_oldest_partial_uploads_make_room_within_the_quota() {
        let dir = tempfile::tempdir().unwrap();
        let vault = PhotoVault::new(dir.path().to_path_buf()).unwrap();
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        std::fs::create_dir_all(vault.partial_dir("li")).unwrap();
        std::fs::write(vault.partial_path("li", &a), vec![0u8; 600]).unwrap();
        std::fs::create_dir_all(vault.partial_dir("zhang")).unwrap();
        std::fs::write(vault.partial_path("zhang", &a), vec![0u8; 600]).unwrap();
        make_room(&vault.partial_dir("li"), &b, 600, 1000).unwrap();
        assert_eq!(vault.partial_len("li", &a).unwrap(), 0, "the user's own oldest partial upload makes room");
        assert_eq!(vault.partial_len("zhang", &a).unwrap(), 600, "another user's partial uploads are untouched");
    }
}
