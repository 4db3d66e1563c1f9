//! Photos at the hub: files named by their SHA-256, uploaded resumably.
//!
//! An upload appends to `partial/{sha256}` from the offset the client names, which must equal the
//! bytes already there (else 409 `offset_mismatch`, and the client asks again with HEAD). Bytes
//! are written as they arrive and flushed even when the connection breaks, so a cut upload
//! resumes where it stopped. When the file is whole, its SHA-256 must equal its name and core's
//! photo check must accept it as an image; only then is it renamed into place and reported complete.
//!
//! Durability: a partial upload is fsynced when its request ends (it is what a resumed upload
//! trusts). A completed photo is not fsynced one by one: [`PhotoVault::sync_before_push`] makes
//! every photo completed since the last push durable (data and name) before the push commits
//! events that need them — with one `syncfs` of the photos' filesystem on Linux, a file-by-file
//! fsync elsewhere. One journal commit for a batch of photos instead of one per photo.

use std::path::PathBuf;

use axum::http::StatusCode;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use crate::error::{HubError, Result};

pub struct PhotoVault {
    dir: PathBuf,
    /// One upload at a time: uploads are rare and short, and this keeps offsets simple.
    lock: Mutex<()>,
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

impl PhotoVault {
    pub fn new(dir: PathBuf) -> Result<PhotoVault> {
        std::fs::create_dir_all(dir.join("partial"))?;
        Ok(PhotoVault { dir, lock: Mutex::new(()), unsynced: std::sync::Mutex::new(Vec::new()) })
    }

    fn complete_path(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }

    fn partial_path(&self, sha256: &str) -> PathBuf {
        self.dir.join("partial").join(sha256)
    }

    /// Whether the photo is whole and verified (what a push checks before an event that needs it).
    pub fn is_complete(&self, sha256: &str) -> bool {
        check_name(sha256).is_ok() && self.complete_path(sha256).is_file()
    }

    /// `(bytes received, complete)`.
    pub fn status(&self, sha256: &str) -> Result<(u64, bool)> {
        check_name(sha256)?;
        if let Ok(m) = std::fs::metadata(self.complete_path(sha256)) {
            return Ok((m.len(), true));
        }
        Ok((std::fs::metadata(self.partial_path(sha256)).map(|m| m.len()).unwrap_or(0), false))
    }

    /// The whole photo's bytes, for devices that show it.
    pub async fn read(&self, sha256: &str) -> Result<Vec<u8>> {
        check_name(sha256)?;
        tokio::fs::read(self.complete_path(sha256)).await.map_err(|_| HubError::NotFound)
    }

    /// Appends the body's bytes at `offset` of a photo of `total` bytes; returns the new status.
    pub async fn upload(
        &self,
        sha256: &str,
        offset: u64,
        total: u64,
        max: u64,
        body: axum::body::Body,
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
        let _guard = self.lock.lock().await;
        let (received, complete) = self.status(sha256)?;
        if complete {
            return Ok((received, true));
        }
        if offset != received {
            return Err(HubError::Photo {
                status: StatusCode::CONFLICT,
                code: "offset_mismatch",
                message: format!("The hub holds {received} bytes of this photo; resume from there, not from {offset}."),
            });
        }
        let partial = self.partial_path(sha256);
        let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(&partial).await?;
        let mut stream = body.into_data_stream();
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
                    file.write_all(&bytes).await?;
                }
                Err(e) => {
                    failure = Some(HubError::bad_request("upload_interrupted", format!("The upload broke off: {e}")));
                    break;
                }
            }
        }
        // What arrived is kept, so a broken upload resumes from here; a whole photo is made durable
        // with the next push instead (see the module's notes).
        file.flush().await?;
        if failure.is_some() || now < total {
            file.sync_all().await?;
        }
        drop(file);
        if let Some(e) = failure {
            if matches!(&e, HubError::BadRequest { code: "photo_longer_than_total", .. }) {
                let _ = tokio::fs::remove_file(&partial).await;
            }
            return Err(e);
        }
        if now < total {
            return Ok((now, false));
        }
        let bytes = tokio::fs::read(&partial).await?;
        let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        if digest != sha256 {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(HubError::Photo {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "photo_hash_mismatch",
                message: "The photo's bytes do not match its SHA-256 name; it was discarded.".into(),
            });
        }
        // Core's own photo rules: an image of an accepted format within the size limit (the hub
        // makes no thumbnail; devices make their own).
        if let Err(e) = gridpatrol_core::photo::check_bytes(sha256, &bytes, max) {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(HubError::Photo {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "photo_not_image",
                message: e.message(gridpatrol_core::Lang::En),
            });
        }
        let complete = self.complete_path(sha256);
        tokio::fs::rename(&partial, &complete).await?;
        self.unsynced.lock().unwrap_or_else(|e| e.into_inner()).push(complete);
        Ok((total, true))
    }

    /// Makes every photo completed since the last call durable, data and name, before a push
    /// commits events that need them, so no acknowledged event can point at a photo a power cut
    /// took away. On failure the photos stay listed and the push fails (the client retries).
    pub fn sync_before_push(&self) -> Result<()> {
        let mut unsynced = self.unsynced.lock().unwrap_or_else(|e| e.into_inner());
        if unsynced.is_empty() {
            return Ok(());
        }
        let dir = std::fs::File::open(&self.dir)?;
        sync_all_of(&dir, &unsynced)?;
        unsynced.clear();
        Ok(())
    }
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
