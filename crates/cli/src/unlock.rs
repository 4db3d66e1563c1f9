//! The store's key for this run (issue 13.4): the OS keyring's where one answers, else a
//! passphrase from `GRIDPATROL_PASSPHRASE`, the first line of standard input
//! (`--passphrase-stdin`), or a prompt at the terminal without echo. The order and the keyring live
//! in `gridpatrol_sync::store_key`; this module only asks the person. The key is found once per run
//! and kept for the run's other openings of the store.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use gridpatrol_core::clock::{OsIds, SystemClock};
use gridpatrol_core::store::StoreKey;
use gridpatrol_core::{Error, Store};
use gridpatrol_sync::store_key::{store_key, Ask};

static PASSPHRASE_STDIN: OnceLock<bool> = OnceLock::new();
static KEY: Mutex<Option<StoreKey>> = Mutex::new(None);

/// `--passphrase-stdin`, set once at start.
pub(crate) fn set_passphrase_stdin(on: bool) {
    let _ = PASSPHRASE_STDIN.set(on);
}

/// The key of the store in `dir`, asked for at most once a run.
pub(crate) fn key(dir: &Path) -> Result<StoreKey, Error> {
    // A poisoned lock only means another thread panicked; the cached key is still sound.
    let mut cached = KEY.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(key) = cached.as_ref() {
        return Ok(key.clone());
    }
    let (key, _home) = store_key(dir, &mut ask)?;
    *cached = Some(key.clone());
    Ok(key)
}

/// Opens the store in `dir` (converting a plain one on its first start).
pub(crate) fn open(dir: &Path) -> Result<Store, Error> {
    let key = key(dir)?;
    Store::open_encrypted(dir, Arc::new(SystemClock), Arc::new(OsIds), &key)
}

/// Opens or creates the store in `dir`.
pub(crate) fn create(dir: &Path) -> Result<Store, Error> {
    let key = key(dir)?;
    Store::create_encrypted(dir, Arc::new(SystemClock), Arc::new(OsIds), &key)
}

/// Asks the person: the first line of standard input with `--passphrase-stdin`, else a prompt at a
/// terminal (a new passphrase twice); with neither, nobody can be asked.
fn ask(why: Ask) -> Result<Option<String>, Error> {
    let stdin = std::io::stdin();
    if PASSPHRASE_STDIN.get().copied().unwrap_or(false) {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        return Ok(Some(line.trim_end_matches(['\n', '\r']).to_string()));
    }
    if !stdin.is_terminal() {
        return Ok(None);
    }
    let prompt = |label: &str| -> Result<String, Error> {
        let _ = std::io::stderr().flush();
        Ok(rpassword::prompt_password(label)?)
    };
    match why {
        Ask::Unlock => Ok(Some(prompt("本机数据口令 Store passphrase: ")?)),
        Ask::Choose => {
            eprintln!(
                "没有可用的系统密钥环：请为本机数据设一个口令（至少 8 个字符），每次启动时输入。\nNo system keyring answers: choose a passphrase for this device's store (8 characters or more), asked at each start."
            );
            let first = prompt("新口令 New passphrase: ")?;
            let again = prompt("再输入一次 Again: ")?;
            StoreKey::chosen(&first, &again)?;
            Ok(Some(first))
        }
    }
}
