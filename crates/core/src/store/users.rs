//! Local users, the profile that acts on this device, device settings and the category tree.

use rusqlite::{params, OptionalExtension};
use serde_json::json;

use super::events::{append, Draft};
use super::{ts, Store};
use crate::categories;
use crate::error::{Error, Result};
use crate::model::{CategoryKind, Deadline, MajorCategory, MinorCategory, Role, User};
use crate::photo::DEFAULT_MAX_BYTES;
use crate::validate::check_text;

pub const MAX_USER_NAME_CHARS: usize = 50;
const PROFILE_KEY: &str = "profile.user";
pub const PHOTO_MAX_BYTES_KEY: &str = "photo.max_bytes";
pub const PATROL_DAYS_KEY: &str = "patrol.days";
pub const HOLIDAYS_KEY: &str = "deadline.holidays";

impl Store {
    /// The user this device acts as, if one has been chosen.
    pub fn profile(&self) -> Result<Option<User>> {
        Ok(self
            .conn
            .query_row(
                "SELECT u.name, u.role FROM settings s JOIN users u ON u.name = s.value WHERE s.key = ?1",
                [PROFILE_KEY],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .map(|(name, role)| -> Result<User> { Ok(User { name, role: Role::parse_field(&role)? }) })
            .transpose()?)
    }

    /// The acting user, or [`Error::NoProfile`].
    pub fn actor(&self) -> Result<User> {
        self.profile()?.ok_or(Error::NoProfile)
    }

    /// Makes `name` (with `role`) the user this device acts as, creating the user if new.
    pub fn set_profile(&mut self, name: &str, role: Role) -> Result<User> {
        let name = check_text("name", name, MAX_USER_NAME_CHARS, true)?;
        let now = self.now();
        let event_id = self.new_id(now);
        let tx = self.transaction()?;
        tx.execute(
            "INSERT INTO users (name, role, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET role = excluded.role",
            params![name, role.as_str(), ts(now)],
        )?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![PROFILE_KEY, name],
        )?;
        append(
            &tx,
            &event_id,
            &name,
            now,
            Draft {
                entity: "user",
                entity_id: &name,
                kind: "user.profile_set",
                payload: json!({"name": name, "role": role.as_str()}),
            },
        )?;
        tx.commit()?;
        Ok(User { name, role })
    }

    /// The largest photo accepted, in bytes (default 20 MB).
    pub fn photo_max_bytes(&self) -> Result<u64> {
        let value = self.setting(PHOTO_MAX_BYTES_KEY)?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_MAX_BYTES))
    }

    pub fn set_photo_max_bytes(&mut self, bytes: u64) -> Result<()> {
        if bytes == 0 || bytes > 1024 * 1024 * 1024 {
            return Err(Error::Setting {
                key: PHOTO_MAX_BYTES_KEY.into(),
                reason: "must be between 1 byte and 1 GB".into(),
            });
        }
        self.write_setting(PHOTO_MAX_BYTES_KEY, &bytes.to_string(), json!({"key": PHOTO_MAX_BYTES_KEY, "value": bytes}))
    }

    /// The holiday table working-day deadlines count over: the one set with
    /// [`Store::set_holidays`], else the bundled one.
    pub fn holidays(&self) -> Result<crate::deadline::Holidays> {
        let value = self.setting(HOLIDAYS_KEY)?;
        match value {
            Some(text) => crate::deadline::Holidays::from_json(&text),
            None => Ok(crate::deadline::Holidays::bundled().clone()),
        }
    }

    /// Replaces the holiday table with an edited one (the format of `data/holidays-2026.json`),
    /// checked whole first; findings recorded from now on are due by it.
    pub fn set_holidays(&mut self, json_text: &str) -> Result<crate::deadline::Holidays> {
        let table = crate::deadline::Holidays::from_json(json_text)
            .map_err(|e| Error::Setting { key: "holidays".into(), reason: e.to_string() })?;
        let payload = json!({"key": HOLIDAYS_KEY, "holidays": table.off.len(), "workdays": table.workdays.len()});
        self.write_setting(HOLIDAYS_KEY, json_text, payload)?;
        Ok(table)
    }

    /// The days of the week officers are expected to patrol (Wednesday and Saturday by default).
    pub fn patrol_rhythm(&self) -> Result<crate::weekly::PatrolRhythm> {
        let value = self.setting(PATROL_DAYS_KEY)?;
        Ok(value.and_then(|v| crate::weekly::PatrolRhythm::parse(&v).ok()).unwrap_or(crate::weekly::DEFAULT_RHYTHM))
    }

    /// Sets the patrol days from text such as `wed,sat` or `周三,周六` (see [`crate::weekly::PatrolRhythm::parse`]).
    pub fn set_patrol_rhythm(&mut self, text: &str) -> Result<crate::weekly::PatrolRhythm> {
        let rhythm = crate::weekly::PatrolRhythm::parse(text)?;
        let payload = json!({"key": PATROL_DAYS_KEY, "value": rhythm.to_text()});
        self.write_setting(PATROL_DAYS_KEY, &rhythm.to_text(), payload)?;
        Ok(rhythm)
    }

    /// Writes a checked setting and its `setting.changed` event (which stays on this device) in one
    /// transaction.
    fn write_setting(&mut self, key: &str, value: &str, payload: serde_json::Value) -> Result<()> {
        let actor = self.profile()?.map(|u| u.name).unwrap_or_default();
        let now = self.now();
        let event_id = self.new_id(now);
        let tx = self.transaction()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        append(
            &tx,
            &event_id,
            &actor,
            now,
            Draft { entity: "setting", entity_id: key, kind: "setting.changed", payload },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Loads the bundled category tree into a store that has none yet. The tree is reference data
    /// that ships with the app (the hub distributes city additions later), so it writes no event.
    pub(super) fn seed_categories(&mut self) -> Result<()> {
        let have: i64 = self.conn.query_row("SELECT count(*) FROM categories", [], |r| r.get(0))?;
        if have > 0 {
            return Ok(());
        }
        let tree = categories::bundled();
        let tx = self.transaction()?;
        // Two processes may open a new store at once: the second finds the tree written by the first.
        let have: i64 = tx.query_row("SELECT count(*) FROM categories", [], |r| r.get(0))?;
        if have > 0 {
            return Ok(());
        }
        for (i, major) in tree.iter().enumerate() {
            tx.execute(
                "INSERT INTO category_majors (kind, code, name_zh, name_en, position) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![major.kind.as_str(), major.code, major.name_zh, major.name_en, i as i64],
            )?;
            for (j, minor) in major.minors.iter().enumerate() {
                let (hours, days) = match minor.deadline {
                    Some(Deadline::Hours(h)) => (Some(h), None),
                    Some(Deadline::WorkingDays(d)) => (None, Some(d)),
                    None => (None, None),
                };
                tx.execute(
                    "INSERT INTO categories (code, kind, major, name_zh, name_en, deadline_hours, deadline_working_days, position)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![minor.code, major.kind.as_str(), major.code, minor.name_zh, minor.name_en, hours, days, (i * 100 + j) as i64],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The category tree: majors in order, each with its minors.
    pub fn categories(&self) -> Result<Vec<MajorCategory>> {
        let mut majors: Vec<MajorCategory> = self
            .conn
            .prepare("SELECT kind, code, name_zh, name_en FROM category_majors ORDER BY position")?
            .query_map([], |r| {
                let kind: String = r.get(0)?;
                Ok(MajorCategory {
                    kind: if kind == "event" { CategoryKind::Event } else { CategoryKind::Component },
                    code: r.get(1)?,
                    name_zh: r.get(2)?,
                    name_en: r.get(3)?,
                    minors: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT kind, major, code, name_zh, name_en, deadline_hours, deadline_working_days FROM categories ORDER BY position",
        )?;
        let minors = stmt.query_map([], |r| {
            let hours: Option<u32> = r.get(5)?;
            let days: Option<u32> = r.get(6)?;
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                MinorCategory {
                    code: r.get(2)?,
                    name_zh: r.get(3)?,
                    name_en: r.get(4)?,
                    deadline: hours.map(Deadline::Hours).or(days.map(Deadline::WorkingDays)),
                },
            ))
        })?;
        for minor in minors {
            let (kind, major, minor) = minor?;
            if let Some(m) = majors.iter_mut().find(|m| m.kind.as_str() == kind && m.code == major) {
                m.minors.push(minor);
            }
        }
        Ok(majors)
    }

    /// One minor category by its 4-digit code; none given is an empty field, not an unknown code.
    pub fn category(&self, code: &str) -> Result<MinorCategory> {
        if code.trim().is_empty() {
            return Err(Error::EmptyText { field: "category" });
        }
        let found = self
            .conn
            .prepare_cached(
                "SELECT code, name_zh, name_en, deadline_hours, deadline_working_days FROM categories WHERE code = ?1",
            )?
            .query_row([code], |r| {
                let hours: Option<u32> = r.get(3)?;
                let days: Option<u32> = r.get(4)?;
                Ok(MinorCategory {
                    code: r.get(0)?,
                    name_zh: r.get(1)?,
                    name_en: r.get(2)?,
                    deadline: hours.map(Deadline::Hours).or(days.map(Deadline::WorkingDays)),
                })
            })
            .optional()?;
        match found {
            Some(c) => Ok(c),
            None => {
                let is_major = code.len() == 2
                    && self.conn.query_row("SELECT count(*) FROM category_majors WHERE code = ?1", [code], |r| {
                        r.get::<_, i64>(0)
                    })? > 0;
                Err(if is_major { Error::NotAMinorCategory(code.into()) } else { Error::UnknownCategory(code.into()) })
            }
        }
    }
}
