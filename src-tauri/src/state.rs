//! The app's state: the store behind a lock, and the photos staged for a form not yet saved.
//!
//! A photo attached to a form is part of that form's draft: it is checked when it is attached and
//! then kept in the data folder's `staging/` folder (not in memory) until the finding or move that
//! uses it is saved, or the person removes it. So a refused save keeps it (the person fixes the
//! field and saves again), and so does a restart: the form's draft names its photos by token and
//! asks for their previews again ([`Desk::restage`]). Staged files are not the store's photos: a
//! refused save leaves the photos folder as it was.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use gridpatrol_core::clock::{IdSource, OsIds};
use gridpatrol_core::ipc::{ErrorBody, FindingInput, MoveInput, PhotoPreview};
use gridpatrol_core::{photo, Error, Finding, Lang, MoveRequest, NewFinding, PhotoSource, Store};

pub struct Desk {
    store: Mutex<Store>,
    staging: Staging,
    pub version: &'static str,
}

pub type CmdResult<T> = Result<T, ErrorBody>;

impl Desk {
    pub fn new(store: Store, version: &'static str) -> Desk {
        let staging = Staging { dir: store.data_dir().join("staging") };
        staging.prune(std::time::SystemTime::now());
        Desk { store: Mutex::new(store), staging, version }
    }

    /// At the app's exit: the store records itself as cleanly closed (the event loop ends with
    /// process::exit, so no destructor runs), and the next start skips the quick check.
    pub fn close(&self) {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = store.mark_clean() {
            eprintln!("Grid Patrol: the store could not be marked clean at exit: {e}");
        }
    }

    /// Runs `f` on the store and maps a core error to what the UI receives, in the UI's language.
    pub fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, Error>) -> CmdResult<T> {
        self.with_desk(|s| f(s).map_err(Refusal::Core))
    }

    /// Runs sync-crate work that needs the store (the sign-in's store part), with the sync crate's error.
    pub fn with_sync<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, gridpatrol_sync::Error>,
    ) -> Result<T, gridpatrol_sync::Error> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut store)
    }

    fn with_desk<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, Refusal>) -> CmdResult<T> {
        // A panic while holding the lock cannot leave a half-written store (SQLite transactions
        // roll back), so a poisoned lock is safe to keep using.
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut store).map_err(|e| {
            let lang = store.ui_lang().unwrap_or_default();
            e.body(lang)
        })
    }

    /// Checks a photo and keeps it for the form that attached it; returns its preview and token.
    pub fn stage(&self, name: &str, bytes: Vec<u8>) -> CmdResult<PhotoPreview> {
        self.with(|s| {
            let prepared = photo::prepare_bytes(name, bytes.clone(), s.photo_max_bytes()?)?;
            let token = format!("{}-{}", prepared.sha256, OsIds.next_id(chrono::Utc::now()).simple());
            self.staging.put(&token, name, &bytes)?;
            Ok(PhotoPreview::new(token, name.to_string(), &prepared))
        })
    }

    /// The preview of a photo staged before (by a draft restored after a restart), checked again.
    pub fn restage(&self, token: &str) -> CmdResult<PhotoPreview> {
        self.with_desk(|s| {
            let (name, bytes) = self.staging.get(token)?;
            let prepared = photo::prepare_bytes(&name, bytes, s.photo_max_bytes()?)?;
            Ok(PhotoPreview::new(token.to_string(), name, &prepared))
        })
    }

    /// The person removed a photo from a form, or cleared the form.
    pub fn unstage(&self, token: &str) {
        self.staging.remove(token);
    }

    /// Records a finding with its staged photos. The photos stay staged until the finding is
    /// saved, so a refusal (an empty description, a point outside the grid) keeps them for the
    /// next try. The observed time is the one the form showed: the app never leaves it to a
    /// photo's EXIF time (that fallback is the CLI's).
    pub fn add_finding(&self, input: FindingInput) -> CmdResult<Finding> {
        self.with_desk(|s| {
            let photos = self.staging.sources(&input.photos)?;
            let after_photos = self.staging.sources(&input.after_photos)?;
            let finding = s.add_finding(NewFinding {
                on_the_spot: input.on_the_spot,
                after_photos,
                grid: input.grid,
                category: input.category,
                description: input.description,
                address: input.address,
                point: input.point,
                urgency: input.urgency,
                responsible_unit: input.responsible_unit,
                observed_at: Some(input.observed_at),
                photos,
            })?;
            self.staging.release(&input.photos);
            self.staging.release(&input.after_photos);
            Ok(finding)
        })
    }

    /// Moves a finding, with its staged (after) photos; the photos stay staged when it is refused.
    pub fn move_finding(&self, input: MoveInput) -> CmdResult<Finding> {
        self.with_desk(|s| {
            let photos = self.staging.sources(&input.photos)?;
            let moved =
                s.move_finding(MoveRequest { unit: input.unit, id: input.id, to: input.to, note: input.note, photos })?;
            self.staging.release(&input.photos);
            Ok(moved)
        })
    }

    pub fn photos_dir(&self) -> PathBuf {
        self.store.lock().unwrap_or_else(|e| e.into_inner()).photos_dir()
    }
}

/// Why a desktop command failed: a core refusal, or a staged photo that is gone.
enum Refusal {
    Core(Error),
    /// A token that names no staged photo (its file was removed, or the token is malformed).
    PhotoGone,
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Refusal {
        Refusal::Core(e)
    }
}

impl Refusal {
    fn body(&self, lang: Lang) -> ErrorBody {
        match self {
            Refusal::Core(e) => ErrorBody::new(e, lang),
            // The person knows the photo by its thumbnail beside the field, not by its token.
            Refusal::PhotoGone => ErrorBody {
                code: "photo_token".into(),
                message: match lang {
                    Lang::Zh => "有一张照片已不在本机保存，请移除它并重新添加。".into(),
                    Lang::En => "A photo is no longer kept on this device; remove it and add it again.".into(),
                },
                field: Some("photos".into()),
            },
        }
    }
}

/// The staging folder: `<token>` holds a checked photo's bytes, `<token>.name` its file name.
struct Staging {
    dir: PathBuf,
}

/// A staged photo no form has saved or removed for this long is let go at start (an after photo
/// picked for a move that was never made, a draft abandoned for a month); a draft that still names
/// it says plainly that it could not be restored.
const STAGED_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

impl Staging {
    fn prune(&self, now: std::time::SystemTime) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STAGED_FOR));
            if old {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Tokens are made here (`<sha256>-<id>`); anything else is refused before it names a path.
    fn valid(token: &str) -> bool {
        !token.is_empty() && token.len() <= 128 && token.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
    }

    fn path(&self, token: &str) -> Option<PathBuf> {
        Staging::valid(token).then(|| self.dir.join(token))
    }

    fn put(&self, token: &str, name: &str, bytes: &[u8]) -> Result<(), Error> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(token);
        write_atomic(&path.with_extension("name"), name.as_bytes())?;
        write_atomic(&path, bytes)?;
        Ok(())
    }

    fn get(&self, token: &str) -> Result<(String, Vec<u8>), Refusal> {
        let gone = || Refusal::PhotoGone;
        let path = self.path(token).ok_or_else(gone)?;
        let bytes = std::fs::read(&path).map_err(|_| gone())?;
        let name = std::fs::read_to_string(path.with_extension("name")).unwrap_or_else(|_| "photo".into());
        Ok((name, bytes))
    }

    /// The staged photos, in order, for saving; nothing is removed yet.
    fn sources(&self, tokens: &[String]) -> Result<Vec<PhotoSource>, Refusal> {
        tokens.iter().map(|t| self.get(t).map(|(name, bytes)| PhotoSource::Bytes { name, bytes })).collect()
    }

    /// The photos are saved with their finding (or move): they leave the staging folder.
    fn release(&self, tokens: &[String]) {
        for t in tokens {
            self.remove(t);
        }
    }

    fn remove(&self, token: &str) {
        if let Some(path) = self.path(token) {
            let _ = std::fs::remove_file(path.with_extension("name"));
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Writes a file whole or not at all (temp file, fsync, rename).
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::sync::Arc;

    use chrono::{DateTime, Utc};
    use gridpatrol_core::clock::{FixedClock, SeededIds};
    use gridpatrol_core::{Role, Urgency};

    use super::*;

    const NOW: &str = "2026-11-25T02:00:00Z";
    const GRID: &str = "37160200100101";

    fn desk(dir: &Path) -> Desk {
        let mut store =
            Store::create(dir, Arc::new(FixedClock::new(NOW.parse().unwrap())), Arc::new(SeededIds::new(7))).unwrap();
        store.set_profile("李明", Role::Officer).unwrap();
        store.import_sample_registry().unwrap();
        Desk::new(store, "test")
    }

    fn jpeg(seed: u8) -> Vec<u8> {
        let img = image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([(x * 7) as u8 ^ seed, (y * 5) as u8, seed]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg).unwrap();
        out
    }

    fn input(description: &str, photos: Vec<String>, observed: &str) -> FindingInput {
        FindingInput {
            grid: Some(GRID.into()),
            category: "10101".into(),
            description: description.into(),
            address: String::new(),
            point: None,
            urgency: Urgency::Normal,
            responsible_unit: String::new(),
            observed_at: observed.parse::<DateTime<Utc>>().unwrap(),
            photos,
            on_the_spot: false,
            after_photos: Vec::new(),
        }
    }

    #[test]
    fn a_refused_save_keeps_the_staged_photo_for_the_next_try() {
        let dir = tempfile::tempdir().unwrap();
        let desk = desk(dir.path());
        let staged = desk.stage("井盖.jpg", jpeg(1)).unwrap();

        let refused = desk.add_finding(input("", vec![staged.token.clone()], NOW)).unwrap_err();
        assert_eq!(refused.code, "empty_text", "the empty description is refused, not the photo");

        let saved = desk
            .add_finding(input("井盖缺失", vec![staged.token.clone()], NOW))
            .expect("the photo attached before the refusal is still staged (issue 15 item 1)");
        assert_eq!(saved.photos.len(), 1, "the finding carries the photo");
        assert_eq!(saved.photos[0].sha256, staged.sha256);
        assert_eq!(
            desk.restage(&staged.token).unwrap_err().code,
            "photo_token",
            "a saved finding's photo leaves the staging folder"
        );
    }

    #[test]
    fn a_staged_photo_survives_a_restart_and_is_restaged_by_its_token() {
        let dir = tempfile::tempdir().unwrap();
        let token = {
            let desk = desk(dir.path());
            desk.stage("路灯.jpg", jpeg(2)).unwrap().token
        };
        // The app starts again on the same data folder: the draft asks for its photo by token.
        let store =
            Store::open(dir.path(), Arc::new(FixedClock::new(NOW.parse().unwrap())), Arc::new(SeededIds::new(8)))
                .unwrap();
        let desk = Desk::new(store, "test");
        let preview = desk.restage(&token).expect("a draft's photo is kept through a restart (issue 15 item 3)");
        assert_eq!(preview.name, "路灯.jpg", "its name comes back with it");
        assert!(preview.thumbnail.starts_with("data:image/jpeg;base64,"), "and a thumbnail to show");
        let saved = desk.add_finding(input("路灯不亮", vec![token], NOW)).unwrap();
        assert_eq!(saved.photos.len(), 1);
    }

    #[test]
    fn staged_photos_left_for_a_month_are_let_go_at_start_and_newer_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let desk = desk(dir.path());
        let kept = desk.stage("a.jpg", jpeg(4)).unwrap().token;
        let left = desk.stage("b.jpg", jpeg(5)).unwrap().token;
        let month_ago = std::time::SystemTime::now() - STAGED_FOR - std::time::Duration::from_secs(60);
        for file in [left.clone(), format!("{left}.name")] {
            std::fs::File::options()
                .write(true)
                .open(dir.path().join("staging").join(file))
                .unwrap()
                .set_modified(month_ago)
                .unwrap();
        }
        desk.staging.prune(std::time::SystemTime::now());
        assert!(desk.restage(&kept).is_ok(), "a photo staged today stays");
        assert_eq!(desk.restage(&left).unwrap_err().code, "photo_token", "one left for a month is gone, and said so");
    }

    #[test]
    fn a_gone_or_forged_token_is_a_sentence_in_the_ui_language_beside_the_photos() {
        let dir = tempfile::tempdir().unwrap();
        let desk = desk(dir.path());
        for token in ["0123abcd-ffff", "../../etc/passwd", ""] {
            let e = desk.add_finding(input("井盖缺失", vec![token.into()], NOW)).unwrap_err();
            assert_eq!(e.code, "photo_token", "{token:?} names no staged photo");
            assert_eq!(e.field.as_deref(), Some("photos"), "the reason goes beside the photos");
            assert!(
                !e.message.chars().any(|c| c.is_ascii_alphabetic()),
                "the Chinese sentence has no English in it: {}",
                e.message
            );
        }
        desk.with(|s| s.set_ui_lang(Lang::En)).unwrap();
        let e = desk.restage("0123abcd-ffff").unwrap_err();
        assert!(e.message.starts_with("A photo is no longer kept"), "in English once the UI is: {}", e.message);
    }
}
