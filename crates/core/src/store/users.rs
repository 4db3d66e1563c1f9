//! Local users, the profile that acts on this device, device settings and the category tree.

use rusqlite::{params, OptionalExtension};
use serde_json::json;

use super::events::{append, Draft};
use super::{ts, Store};
use crate::categories;
use crate::error::{Error, Result};
use crate::model::{CategoryKind, MajorCategory, MinorCategory, Role, Unit, User};
use crate::photo::DEFAULT_MAX_BYTES;
use crate::validate::check_text;

pub const MAX_USER_NAME_CHARS: usize = 50;

fn unit_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Unit> {
    let categories: String = r.get(3)?;
    Ok(Unit {
        code: r.get(0)?,
        name_zh: r.get(1)?,
        name_en: r.get(2)?,
        categories: serde_json::from_str(&categories)
            .map_err(|_| super::events::unreadable(3, "unit categories", &categories))?,
    })
}
const PROFILE_KEY: &str = "profile.user";
pub const PHOTO_MAX_BYTES_KEY: &str = "photo.max_bytes";
pub const PATROL_DAYS_KEY: &str = "patrol.days";
pub const HOLIDAYS_KEY: &str = "deadline.holidays";
pub const OFFICE_HOURS_KEY: &str = "deadline.office_hours";
/// The standard and version of the stored category tree (set by migration 11 and by a load).
pub const CATEGORIES_STANDARD_KEY: &str = "categories.standard";
/// The text of the category file the stored tree was last loaded from (absent: the bundled file).
pub const CATEGORIES_FILE_KEY: &str = "categories.file";

impl Store {
    /// The user this device acts as, if one has been chosen.
    pub fn profile(&self) -> Result<Option<User>> {
        Ok(self
            .conn
            .query_row(
                "SELECT u.name, u.role, u.unit FROM settings s JOIN users u ON u.name = s.value WHERE s.key = ?1",
                [PROFILE_KEY],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)),
            )
            .optional()?
            .map(|(name, role, unit)| -> Result<User> { Ok(User { name, role: Role::parse_field(&role)?, unit }) })
            .transpose()?)
    }

    /// The acting user, or [`Error::NoProfile`].
    pub fn actor(&self) -> Result<User> {
        self.profile()?.ok_or(Error::NoProfile)
    }

    /// Makes `name` (with `role`) the user this device acts as, creating the user if new. A
    /// liaison needs a unit: [`Store::set_profile_in_unit`].
    pub fn set_profile(&mut self, name: &str, role: Role) -> Result<User> {
        self.set_profile_in_unit(name, role, None)
    }

    /// Makes `name` (with `role`, and for a liaison the `unit`'s code) the user this device acts
    /// as. The unit is required for a liaison and refused for any other role, and must be a unit
    /// of the units table.
    pub fn set_profile_in_unit(&mut self, name: &str, role: Role, unit: Option<&str>) -> Result<User> {
        let name = check_text("name", name, MAX_USER_NAME_CHARS, true)?;
        crate::model::check_unit_for_role(role, unit)?;
        let unit = match unit.map(str::trim) {
            Some(code) if role.has_unit() => Some(self.unit(code)?.code),
            _ => None,
        };
        let now = self.now();
        let event_id = self.new_id(now);
        let tx = self.transaction()?;
        tx.execute(
            "INSERT INTO users (name, role, unit, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(name) DO UPDATE SET role = excluded.role, unit = excluded.unit",
            params![name, role.as_str(), unit, ts(now)],
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
                payload: json!({"name": name, "role": role.as_str(), "unit": unit}),
            },
        )?;
        tx.commit()?;
        Ok(User { name, role, unit })
    }

    /// The responsible units, in the order of their list.
    pub fn units(&self) -> Result<Vec<Unit>> {
        let mut stmt =
            self.conn.prepare("SELECT code, name_zh, name_en, categories FROM units ORDER BY position, code")?;
        let rows = stmt.query_map([], unit_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One responsible unit by its code, or [`Error::UnknownUnit`].
    pub fn unit(&self, code: &str) -> Result<Unit> {
        crate::units::check_unit_code(code)?;
        self.conn
            .query_row("SELECT code, name_zh, name_en, categories FROM units WHERE code = ?1", [code], unit_from_row)
            .optional()?
            .ok_or_else(|| Error::UnknownUnit(crate::validate::clip(code)))
    }

    /// The unit a case of `category` is dispatched to unless the lead picks another
    /// ([`crate::units::default_unit`]).
    pub fn default_unit(&self, category: &str) -> Result<Option<Unit>> {
        Ok(crate::units::default_unit(&self.units()?, category).cloned())
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
    pub fn patrol_rhythm(&self) -> Result<crate::calendar::PatrolRhythm> {
        let value = self.setting(PATROL_DAYS_KEY)?;
        Ok(value.and_then(|v| crate::calendar::PatrolRhythm::parse(&v).ok()).unwrap_or(crate::calendar::DEFAULT_RHYTHM))
    }

    /// Sets the patrol days from text such as `wed,sat` or `周三,周六` (see [`crate::calendar::PatrolRhythm::parse`]).
    pub fn set_patrol_rhythm(&mut self, text: &str) -> Result<crate::calendar::PatrolRhythm> {
        let rhythm = crate::calendar::PatrolRhythm::parse(text)?;
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

    /// The office hours 工作时 deadlines count inside: the ones set with
    /// [`Store::set_office_hours`], else [`crate::deadline::DEFAULT_OFFICE_HOURS`].
    pub fn office_hours(&self) -> Result<crate::deadline::OfficeHours> {
        match self.setting(OFFICE_HOURS_KEY)? {
            Some(text) => crate::deadline::OfficeHours::parse(&text),
            None => Ok(crate::deadline::OfficeHours::default()),
        }
    }

    /// Sets the office hours from text such as `08:30-12:00,13:30-17:30`, checked whole first;
    /// cases dispatched from now on are due by them.
    pub fn set_office_hours(&mut self, text: &str) -> Result<crate::deadline::OfficeHours> {
        let hours = crate::deadline::OfficeHours::parse(text)?;
        let payload = json!({"key": OFFICE_HOURS_KEY, "value": hours.to_text()});
        self.write_setting(OFFICE_HOURS_KEY, &hours.to_text(), payload)?;
        Ok(hours)
    }

    /// Loads the bundled category tree into a store that has none yet (migration 11 writes it into
    /// every store it migrates, so this only acts on a store whose tree was emptied by hand). The
    /// tree is reference data that ships with the app, so it writes no event.
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
        write_tree(&tx, &tree)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces the category tree with a city's own (the bundled file's format), checked whole
    /// first ([`categories::load`]); refused whole, changing nothing, if a stored finding uses a code
    /// the new tree lacks. The one way a tree gets into a store besides the bundled one.
    pub fn load_categories(&mut self, json_text: &str) -> Result<categories::Tree> {
        self.writable()?;
        let tree = categories::load(json_text)?;
        let actor = self.profile()?.map(|u| u.name).unwrap_or_default();
        let now = self.now();
        let event_id = self.new_id(now);
        let tx = self.transaction()?;
        write_tree(&tx, &tree)?;
        super::outbox::put_setting(&tx, CATEGORIES_FILE_KEY, json_text)?;
        append(
            &tx,
            &event_id,
            &actor,
            now,
            Draft {
                entity: "setting",
                entity_id: CATEGORIES_STANDARD_KEY,
                kind: "setting.changed",
                payload: json!({"key": CATEGORIES_STANDARD_KEY, "standard": tree.standard, "version": tree.version}),
            },
        )?;
        tx.commit()?;
        Ok(tree)
    }

    /// The standard and version of the tree in this store, e.g. `GB/T 30428.2-2013 gridpatrol-2026.12`.
    pub fn categories_standard(&self) -> Result<String> {
        Ok(self.setting(CATEGORIES_STANDARD_KEY)?.unwrap_or_default())
    }

    /// The category tree: majors in order, each with its minors.
    pub fn categories(&self) -> Result<Vec<MajorCategory>> {
        let mut majors: Vec<MajorCategory> = self
            .conn
            .prepare("SELECT kind, code, name_zh, name_en FROM category_majors ORDER BY position")?
            .query_map([], |r| {
                let kind: String = r.get(0)?;
                Ok(MajorCategory {
                    kind: kind_of(&kind).map_err(|_| super::events::unreadable(0, "kind", &kind))?,
                    code: r.get(1)?,
                    name_zh: r.get(2)?,
                    name_en: r.get(3)?,
                    minors: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt =
            self.conn.prepare(&format!("SELECT kind, major, {MINOR_COLUMNS} FROM categories ORDER BY position"))?;
        let minors = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, minor_of(r, 2)?)))?;
        for minor in minors {
            let (kind, major, minor) = minor?;
            match majors.iter_mut().find(|m| m.kind.as_str() == kind && m.code == major) {
                Some(m) => m.minors.push(minor),
                None => return Err(Error::CategoryData(format!("minor {} has no major {kind} {major}", minor.code))),
            }
        }
        Ok(majors)
    }

    /// One minor category by its code; none given is an empty field, not an unknown code. A code of
    /// the tree before migration 11 is looked up as the code it now is ([`categories::current_code`]).
    pub fn category(&self, code: &str) -> Result<MinorCategory> {
        if code.trim().is_empty() {
            return Err(Error::EmptyText { field: "category" });
        }
        let current = categories::current_code(code);
        let found = self
            .conn
            .prepare_cached(&format!("SELECT {MINOR_COLUMNS} FROM categories WHERE code = ?1"))?
            .query_row([current.as_ref()], |r| minor_of(r, 0))
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

/// The columns [`minor_of`] reads, in its order.
const MINOR_COLUMNS: &str = "code, minor, name_zh, name_en, deadline, source";

fn kind_of(s: &str) -> Result<CategoryKind> {
    match s {
        "component" => Ok(CategoryKind::Component),
        "event" => Ok(CategoryKind::Event),
        _ => Err(Error::CategoryData(format!("unknown category kind {s:?}"))),
    }
}

/// A stored minor from [`MINOR_COLUMNS`] starting at column `at`; a deadline or source that cannot
/// be read is a broken row, never a category without a deadline.
fn minor_of(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<MinorCategory> {
    let deadline: Option<String> = r.get(at + 4)?;
    let deadline = match deadline {
        None => None,
        Some(text) => {
            Some(serde_json::from_str(&text).map_err(|_| super::events::unreadable(at + 4, "deadline", &text))?)
        }
    };
    let source: Option<String> = r.get(at + 5)?;
    let minor: Option<String> = r.get(at + 1)?;
    let code: String = r.get(at)?;
    Ok(MinorCategory {
        minor: minor.ok_or_else(|| super::events::unreadable(at + 1, "minor", &code))?,
        source: source.ok_or_else(|| super::events::unreadable(at + 5, "source", &code))?,
        code,
        name_zh: r.get(at + 2)?,
        name_en: r.get(at + 3)?,
        deadline,
    })
}

/// Writes `tree` as the store's category tree inside `tx`: majors and minors upserted in the tree's
/// order, those the tree lacks removed. A finding whose code the tree lacks refuses the whole write.
/// Used by migration 11, the first seed and [`Store::load_categories`].
pub(crate) fn write_tree(tx: &rusqlite::Connection, tree: &categories::Tree) -> Result<()> {
    let codes: Vec<&str> = tree.majors.iter().flat_map(|m| m.minors.iter().map(|n| n.code.as_str())).collect();
    let codes_json = serde_json::to_string(&codes).map_err(|e| Error::CategoryData(e.to_string()))?;
    let orphans: Vec<String> = tx
        .prepare("SELECT DISTINCT category FROM findings WHERE category NOT IN (SELECT value FROM json_each(?1)) ORDER BY category LIMIT 10")?
        .query_map([&codes_json], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if !orphans.is_empty() {
        return Err(Error::CategoryData(format!(
            "stored findings use categories the tree lacks: {}",
            orphans.join(", ")
        )));
    }
    upsert_tree(tx, tree)?;
    tx.execute("DELETE FROM categories WHERE code NOT IN (SELECT value FROM json_each(?1))", [&codes_json])?;
    let majors: Vec<(String, String)> =
        tree.majors.iter().map(|m| (m.kind.as_str().to_string(), m.code.clone())).collect();
    let majors_json = serde_json::to_string(&majors).map_err(|e| Error::CategoryData(e.to_string()))?;
    tx.execute(
        "DELETE FROM category_majors WHERE json_array(kind, code) NOT IN (SELECT value FROM json_each(?1))",
        [&majors_json],
    )?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![CATEGORIES_STANDARD_KEY, format!("{} {}", tree.standard, tree.version)],
    )?;
    Ok(())
}

/// Writes the tree's majors and minors, in its order, over what the store has; removes nothing.
pub(crate) fn upsert_tree(tx: &rusqlite::Connection, tree: &categories::Tree) -> Result<()> {
    for (i, major) in tree.majors.iter().enumerate() {
        tx.execute(
            "INSERT INTO category_majors (kind, code, name_zh, name_en, position) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(kind, code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, position = excluded.position",
            params![major.kind.as_str(), major.code, major.name_zh, major.name_en, i as i64],
        )?;
        for (j, minor) in major.minors.iter().enumerate() {
            let deadline = minor
                .deadline
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| Error::CategoryData(e.to_string()))?;
            tx.execute(
                "INSERT INTO categories (code, kind, major, minor, name_zh, name_en, deadline, source, position)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(code) DO UPDATE SET kind = excluded.kind, major = excluded.major, minor = excluded.minor,
                    name_zh = excluded.name_zh, name_en = excluded.name_en, deadline = excluded.deadline,
                    source = excluded.source, position = excluded.position",
                params![
                    minor.code,
                    major.kind.as_str(),
                    major.code,
                    minor.minor,
                    minor.name_zh,
                    minor.name_en,
                    deadline,
                    minor.source,
                    (i * 1000 + j) as i64
                ],
            )?;
        }
    }
    Ok(())
}
