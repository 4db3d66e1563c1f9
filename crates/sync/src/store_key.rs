//! Where a device's store key comes from (issue 13.4): the OS keyring where one answers, else a
//! passphrase. Beside the device token ([`crate::token`]) and named the same way: the keyring
//! service `org.gridpatrol.desktop`, the account the data folder's path (with `#store-key`), so two
//! stores on one machine never share a key.
//!
//! The order, for [`store_key`]:
//! 1. the keyring holds this folder's key: it is used (a raw 256-bit key, no key derivation at open);
//! 2. the keyring answers but holds none, and the folder has no encrypted store yet (a new store, or
//!    a plain one about to be converted): 32 random bytes from the OS become the key, saved in the
//!    keyring and read back before they are used;
//! 3. otherwise (no keyring answers, `GRIDPATROL_TOKEN_STORE=file`, or a store keyed by a
//!    passphrase): the passphrase from `GRIDPATROL_PASSPHRASE` (scripts, CI), else from the caller's
//!    `ask` (the CLI's prompt or `--passphrase-stdin`; the app's unlock screen).
//!
//! Never a key in a file beside the data: without a keyring, the key is only ever in a person's head
//! or in the environment a script gives.

use std::path::Path;

use gridpatrol_core::store::cipher::{file_kind, FileKind};
use gridpatrol_core::store::{StoreKey, DB_FILE};
use gridpatrol_core::{Error, Result};
use rand::TryRngCore;

use crate::token::KEYRING_SERVICE;

/// The variable a script or CI gives the passphrase in, used only where no keyring answers.
pub const PASSPHRASE_ENV: &str = "GRIDPATROL_PASSPHRASE";

/// Where the key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyHome {
    Keyring,
    Passphrase,
}

/// Why the caller's `ask` is called: to open a store, or to key a new (or plain) one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// The store is encrypted with a passphrase: ask for it.
    Unlock,
    /// No store is encrypted yet: ask for a new passphrase (a prompt asks twice).
    Choose,
}

fn entry(dir: &Path) -> Option<keyring::Entry> {
    if !crate::token::keyring_allowed() {
        return None;
    }
    let account = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    keyring::Entry::new(KEYRING_SERVICE, &format!("{}#store-key", account.to_string_lossy())).ok()
}

/// The key of the store in `dir`, by the order in the module header. `ask` returns the passphrase
/// a person typed, or None where nobody can be asked ([`Error::PassphraseNeeded`]).
pub fn store_key(dir: &Path, ask: &mut dyn FnMut(Ask) -> Result<Option<String>>) -> Result<(StoreKey, KeyHome)> {
    let encrypted = file_kind(&dir.join(DB_FILE))? == FileKind::Encrypted;
    if let Some(entry) = entry(dir) {
        match entry.get_password() {
            Ok(hex_key) => return Ok((StoreKey::from_hex(&hex_key)?, KeyHome::Keyring)),
            Err(keyring::Error::NoEntry) if !encrypted => {
                if let Some(key) = new_key_in(&entry)? {
                    return Ok((key, KeyHome::Keyring));
                }
            }
            // No entry for a store already encrypted: it was keyed with a passphrase. Any other
            // error: no keyring answers.
            Err(_) => {}
        }
    }
    let given = match std::env::var(PASSPHRASE_ENV) {
        Ok(p) if !p.is_empty() => Some(p),
        _ => ask(if encrypted { Ask::Unlock } else { Ask::Choose })?,
    };
    let passphrase = given.ok_or(Error::PassphraseNeeded)?;
    Ok((StoreKey::passphrase(&passphrase)?, KeyHome::Passphrase))
}

/// A new random key saved in the keyring and read back; None when the keyring does not keep it.
fn new_key_in(entry: &keyring::Entry) -> Result<Option<StoreKey>> {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.try_fill_bytes(&mut raw).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let key = StoreKey::Raw(raw);
    let hex_key = key.to_hex().unwrap_or_default();
    if entry.set_password(&hex_key).is_ok() && entry.get_password().is_ok_and(|k| k == hex_key) {
        return Ok(Some(key));
    }
    Ok(None)
}
