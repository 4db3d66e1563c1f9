//! Where a device keeps its hub token: the OS keyring where one answers (Secret Service on Linux,
//! the Keychain on macOS, the Credential Manager on Windows), else a file in the data folder that
//! only the user can read (mode 0600). One data folder, one token: the keyring entry is named by the
//! data folder's path, so two stores on one machine (an officer's and a test's) never share a token.
//!
//! `GRIDPATROL_TOKEN_STORE=file` skips the keyring (a server or a script that must not prompt).

use std::path::{Path, PathBuf};

use crate::error::Result;

/// The device token's file name in the data folder, when no keyring answers.
pub const TOKEN_FILE: &str = "hub-token";
/// The keyring service name of Grid Patrol's tokens.
pub const KEYRING_SERVICE: &str = "org.gridpatrol.desktop";

/// Where a saved token went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenHome {
    Keyring,
    File,
}

/// The fallback file of the token.
pub fn token_path(dir: &Path) -> PathBuf {
    dir.join(TOKEN_FILE)
}

/// Whether the OS keyring may be asked at all (`GRIDPATROL_TOKEN_STORE=file` says no, for the
/// token and the store key alike).
pub(crate) fn keyring_allowed() -> bool {
    std::env::var("GRIDPATROL_TOKEN_STORE").map(|v| v != "file").unwrap_or(true)
}

fn entry(dir: &Path) -> Option<keyring::Entry> {
    if !keyring_allowed() {
        return None;
    }
    let account = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    keyring::Entry::new(KEYRING_SERVICE, &account.to_string_lossy()).ok()
}

/// Saves the token in the keyring if one answers and gives it back, else in the 0600 file. A token
/// saved in the keyring leaves no file behind.
pub fn save_token(dir: &Path, token: &str) -> Result<TokenHome> {
    if let Some(entry) = entry(dir) {
        if entry.set_password(token).is_ok() && entry.get_password().is_ok_and(|t| t == token) {
            remove_file(dir)?;
            return Ok(TokenHome::Keyring);
        }
    }
    save_file(dir, token)?;
    Ok(TokenHome::File)
}

/// The saved token: the keyring's, else the file's.
pub fn load_token(dir: &Path) -> Option<String> {
    let from_keyring = entry(dir).and_then(|e| e.get_password().ok());
    from_keyring
        .or_else(|| std::fs::read_to_string(token_path(dir)).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Forgets the device token (signing out), wherever it was kept.
pub fn remove_token(dir: &Path) -> Result<()> {
    if let Some(entry) = entry(dir) {
        // No entry, or no keyring: nothing to forget there.
        let _ = entry.delete_credential();
    }
    remove_file(dir)
}

/// Writes the token so that only the user can read it: created 0600, then renamed into place.
fn save_file(dir: &Path, token: &str) -> Result<()> {
    use std::io::Write;
    let tmp = dir.join(format!("{TOKEN_FILE}.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(token.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, token_path(dir))?;
    Ok(())
}

fn remove_file(dir: &Path) -> Result<()> {
    match std::fs::remove_file(token_path(dir)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}
