//! Photo files this device should hold but may not: photos of findings pulled from the hub. The
//! sync driver asks for them after a round ([`Store::wanted_photos`]) and hands each one's bytes to
//! [`Store::save_fetched_photo`], which checks them as any photo is checked before writing.

use rusqlite::params;
use sha2::{Digest, Sha256};

use super::Store;
use crate::error::{Error, Result};
use crate::photo;

/// A photo to fetch: its SHA-256 and its file name under `photos/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedPhoto {
    pub sha256: String,
    pub file: String,
}

impl Store {
    /// Up to `limit` wanted photos whose files are not in the photos folder. Those already there
    /// (this device's own, or fetched before) are crossed off on the way.
    pub fn wanted_photos(&mut self, limit: usize) -> Result<Vec<WantedPhoto>> {
        let mut out = Vec::new();
        let mut present = Vec::new();
        {
            let mut stmt = self.conn.prepare_cached("SELECT sha256, file FROM photos_wanted ORDER BY rowid")?;
            let rows = stmt.query_map([], |r| Ok(WantedPhoto { sha256: r.get(0)?, file: r.get(1)? }))?;
            for row in rows {
                let w = row?;
                if self.photos_dir().join(&w.file).is_file() {
                    present.push(w.sha256);
                } else if out.len() < limit {
                    out.push(w);
                } else {
                    break;
                }
            }
        }
        for sha in present {
            self.conn.execute("DELETE FROM photos_wanted WHERE sha256 = ?1", [sha])?;
        }
        Ok(out)
    }

    /// Saves a wanted photo's bytes fetched from the hub: they must hash to its name and pass the
    /// photo checks (size, format, decodes), then the file and its thumbnail are written. Bytes that
    /// fail the checks are refused and the photo is no longer asked for (the hub checked it too, so
    /// asking again would bring the same bytes); a failure to write leaves it wanted.
    pub fn save_fetched_photo(&mut self, wanted: &WantedPhoto, bytes: Vec<u8>) -> Result<()> {
        let checked = if hex::encode(Sha256::digest(&bytes)) != wanted.sha256 {
            Err(Error::PhotoUnreadable {
                name: wanted.sha256.clone(),
                reason: "the bytes do not match the photo's SHA-256".into(),
            })
        } else {
            photo::prepare_bytes(&wanted.sha256, bytes, self.photo_max_bytes()?)
        };
        let prepared = match checked {
            Ok(p) => p,
            Err(e) => {
                self.conn.execute("DELETE FROM photos_wanted WHERE sha256 = ?1", params![wanted.sha256])?;
                return Err(e);
            }
        };
        prepared.store(&self.photos_dir())?;
        self.conn.execute("DELETE FROM photos_wanted WHERE sha256 = ?1", params![wanted.sha256])?;
        Ok(())
    }
}
