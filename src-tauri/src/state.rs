//! The app's state: the store behind a lock, and photos staged for a form not yet saved.

use std::collections::HashMap;
use std::sync::Mutex;

use gridpatrol_core::ipc::ErrorBody;
use gridpatrol_core::{Error, PhotoSource, Store};

/// A photo checked and held in memory until its finding is saved (or the form is abandoned).
pub struct Staged {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub struct Desk {
    store: Mutex<Store>,
    pub staged: Mutex<HashMap<String, Staged>>,
    pub version: &'static str,
}

pub type CmdResult<T> = Result<T, ErrorBody>;

impl Desk {
    pub fn new(store: Store, version: &'static str) -> Desk {
        Desk { store: Mutex::new(store), staged: Mutex::new(HashMap::new()), version }
    }

    /// Runs `f` on the store and maps a core error to what the UI receives, in the UI's language.
    pub fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, Error>) -> CmdResult<T> {
        // A panic while holding the lock cannot leave a half-written store (SQLite transactions
        // roll back), so a poisoned lock is safe to keep using.
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut store).map_err(|e| {
            let lang = store.ui_lang().unwrap_or_default();
            ErrorBody::new(&e, lang)
        })
    }

    /// Takes staged photos out by token, for saving. Unknown tokens are reported as unreadable photos.
    pub fn take_staged(&self, tokens: &[String]) -> Result<Vec<PhotoSource>, Error> {
        let mut staged = self.staged.lock().unwrap_or_else(|e| e.into_inner());
        tokens
            .iter()
            .map(|t| {
                staged.get(t).map(|s| PhotoSource::Bytes { name: s.name.clone(), bytes: s.bytes.clone() }).ok_or_else(
                    || Error::PhotoUnreadable { name: t.clone(), reason: "the photo is no longer staged".into() },
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .inspect(|_| {
                for t in tokens {
                    staged.remove(t);
                }
            })
    }

    pub fn photos_dir(&self) -> std::path::PathBuf {
        self.store.lock().unwrap_or_else(|e| e.into_inner()).photos_dir()
    }
}
