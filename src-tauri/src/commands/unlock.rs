//! The unlock screen's commands (issue 13.4). The store is encrypted; its key is the OS keyring's
//! where one answers, else `GRIDPATROL_PASSPHRASE` (both found before the window opens, in
//! `lib.rs`). Where neither answers, the app starts [`Locked`]: no store and no sync task are
//! served, `app_info` answers `passphrase_needed`, and the window asks the person for the
//! passphrase ([`store_lock`], [`unlock_store`]). Once the store opens, it is served as if it had
//! opened at start ([`serve_store`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use gridpatrol_core::clock::{OsIds, SystemClock};
use gridpatrol_core::ipc::{AppInfo, ErrorBody, StoreLock, UnlockAsk};
use gridpatrol_core::store::StoreKey;
use gridpatrol_core::{Error, Lang, Store};
use gridpatrol_sync::store_key::Ask;
use tauri::{AppHandle, Manager};

use crate::state::{CmdResult, Desk};
use crate::sync_task::SyncTask;

/// The app started without the store's key: what the unlock screen must ask for.
pub struct Locked {
    dir: PathBuf,
    ask: UnlockAsk,
    /// Held while a passphrase is tried, so two clicks never open the store twice.
    opening: Mutex<()>,
}

impl Locked {
    pub fn new(dir: PathBuf, why: Ask) -> Locked {
        let ask = match why {
            Ask::Unlock => UnlockAsk::Unlock,
            Ask::Choose => UnlockAsk::Choose,
        };
        Locked { dir, ask, opening: Mutex::new(()) }
    }
}

/// Opens (or makes) the encrypted store in `dir`, converting a plain one on its first start.
pub fn open_store(dir: &Path, key: &StoreKey) -> Result<Store, Error> {
    Store::create_encrypted(dir, Arc::new(SystemClock), Arc::new(OsIds), key)
}

/// Serves an open store: the window's commands and the sync task from now on.
pub fn serve_store(app: &AppHandle, dir: PathBuf, store: Store, key: StoreKey) {
    app.manage(Desk::new(store, env!("CARGO_PKG_VERSION")));
    app.manage(SyncTask::start(dir, key, app.clone()));
}

/// The refusal `app_info` gives while the store is locked (and any command that needs the store).
pub fn locked_refusal() -> ErrorBody {
    ErrorBody::new(&Error::PassphraseNeeded, Lang::Zh)
}

/// What the unlock screen asks for; None once the store is open.
#[tauri::command]
pub async fn store_lock(app: AppHandle) -> CmdResult<Option<StoreLock>> {
    if app.try_state::<Desk>().is_some() {
        return Ok(None);
    }
    let Some(locked) = app.try_state::<Locked>() else { return Err(locked_refusal()) };
    Ok(Some(StoreLock { ask: locked.ask, data_dir: locked.dir.display().to_string() }))
}

/// Opens the store with the passphrase the person typed (`again`: the second typing of a new one).
/// A wrong or refused passphrase changes nothing and the screen asks again. The passphrase's key
/// derivation (and a plain store's conversion) run off the IPC threads.
#[tauri::command]
pub async fn unlock_store(app: AppHandle, passphrase: String, again: Option<String>) -> CmdResult<AppInfo> {
    tauri::async_runtime::spawn_blocking(move || unlock(&app, &passphrase, again.as_deref()))
        .await
        .map_err(|e| ErrorBody::new(&Error::Io(std::io::Error::other(e.to_string())), Lang::Zh))?
}

fn unlock(app: &AppHandle, passphrase: &str, again: Option<&str>) -> CmdResult<AppInfo> {
    if app.try_state::<Desk>().is_none() {
        let refuse = |e: Error| ErrorBody::new(&e, Lang::Zh);
        let Some(locked) = app.try_state::<Locked>() else { return Err(locked_refusal()) };
        let _one_at_a_time = locked.opening.lock().unwrap_or_else(|e| e.into_inner());
        if app.try_state::<Desk>().is_none() {
            let key = match locked.ask {
                UnlockAsk::Unlock => StoreKey::passphrase(passphrase),
                UnlockAsk::Choose => StoreKey::chosen(passphrase, again.unwrap_or_default()),
            }
            .map_err(refuse)?;
            let store = open_store(&locked.dir, &key).map_err(refuse)?;
            serve_store(app, locked.dir.clone(), store, key);
        }
    }
    let desk = app.state::<Desk>();
    desk.with(|s| s.app_info(desk.version))
}
