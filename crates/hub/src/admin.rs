//! Administration of a hub's data folder: users (add, disable, enable, role, grids, password,
//! sessions), reference data imports, and the audit trail that records every change.
//!
//! `gridpatrol-hub` runs these on the data folder while another process serves it: `hub.db` is in
//! WAL mode, each change is one IMMEDIATE transaction, and the serving hub reads users and tokens
//! on every request, so a change is in force from the next request after it commits.
//!
//! Every change writes one row of the `audit` table in the same transaction: who ran it (the OS
//! user and uid), when, what (`action`, `target`), and the state before and after as JSON (never a
//! password or a token). The table refuses updates and deletes (triggers). Input is checked first
//! and a refusal is a [`HubError`] naming the field in Chinese and English with a stable code; a
//! refused command changes nothing. The rules themselves are core's: which grids a role may hold is
//! [`gridpatrol_core::scope::check_assignment`], a registry is checked whole by
//! [`gridpatrol_core::registry`], a holiday table by [`gridpatrol_core::deadline::Holidays`], a
//! category tree by [`gridpatrol_core::categories::load`].

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use gridpatrol_core::model::Role;
use gridpatrol_core::validate::clip;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use serde_json::{json, Value};

use crate::auth;
use crate::controllers::session::MAX_NAME_CHARS;
use crate::error::{HubError, Result};
use crate::store::SqliteStore;
use crate::HubStore;

/// The shortest and longest passwords taken (argon2 reads all of it, and nobody types more).
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 200;

/// Who runs this process, as the audit trail records it: the login name (`$USER`, `$LOGNAME`)
/// and, where there is one, the real uid (which an environment variable cannot fake).
pub fn os_user() -> String {
    let name = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "?".into());
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        // `sudo -u gridpatrol gridpatrol-hub …` (how the packaged hub is administered) runs as the
        // service's user: the person who ran sudo is named too.
        match std::env::var("SUDO_USER").ok().filter(|s| !s.is_empty() && *s != name) {
            Some(by) => format!("{name} (uid {uid}, sudo by {by})"),
            None => format!("{name} (uid {uid})"),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        name
    }
}

/// One row of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub os_user: String,
    pub action: String,
    pub target: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Checks a new password: not empty, at least [`MIN_PASSWORD_CHARS`], at most [`MAX_PASSWORD_CHARS`].
pub fn check_password(password: &str) -> Result<()> {
    let length = password.chars().count();
    if password.trim().is_empty() {
        return Err(HubError::refused("empty_password", "密码：不能为空。", "password: the password is empty."));
    }
    if length < MIN_PASSWORD_CHARS {
        return Err(HubError::refused(
            "weak_password",
            format!("密码：至少需要 {MIN_PASSWORD_CHARS} 个字符。"),
            format!("password: a password needs at least {MIN_PASSWORD_CHARS} characters."),
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(HubError::refused(
            "password_too_long",
            format!("密码：{length} 个字符，最多 {MAX_PASSWORD_CHARS} 个。"),
            format!("password: {length} characters, at most {MAX_PASSWORD_CHARS} are allowed."),
        ));
    }
    Ok(())
}

/// A user as `user list` shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserSummary {
    pub name: String,
    pub role: String,
    pub grids: Vec<String>,
    pub disabled_at: Option<String>,
}

/// A user row as the administration commands see it (no password hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
struct UserState {
    role: String,
    grids: Vec<String>,
    disabled_at: Option<String>,
}

fn user_state(tx: &Transaction<'_>, name: &str) -> Result<UserState> {
    let row: Option<(String, String, Option<String>)> = tx
        .query_row("SELECT role, grids, disabled_at FROM users WHERE name = ?1", [name], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((role, grids, disabled_at)) = row else {
        return Err(HubError::UnknownUser(clip(name)));
    };
    let grids =
        serde_json::from_str(&grids).map_err(|e| HubError::Internal(format!("unreadable grids of {name}: {e}")))?;
    Ok(UserState { role, grids, disabled_at })
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The administration commands over one data folder, run by `by` (see [`os_user`]).
pub struct Admin<'a> {
    store: &'a SqliteStore,
    by: String,
}

impl<'a> Admin<'a> {
    pub fn new(store: &'a SqliteStore, by: impl Into<String>) -> Admin<'a> {
        Admin { store, by: by.into() }
    }

    /// Runs `change` in one IMMEDIATE transaction and records it in the audit trail in the same
    /// transaction; `change` answers the state before, after, and its result.
    fn audited<T>(
        &self,
        action: &str,
        target: &str,
        change: impl FnOnce(&Transaction<'_>) -> Result<(Option<Value>, Option<Value>, T)>,
    ) -> Result<T> {
        let mut conn = self.store.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (before, after, result) = change(&tx)?;
        insert_audit(&tx, &self.by, action, target, before, after, self.store.now())?;
        tx.commit()?;
        Ok(result)
    }

    /// Records a change made outside `hub.db` (the reference store's registry and holidays).
    fn record(&self, action: &str, target: &str, before: Option<Value>, after: Option<Value>) -> Result<()> {
        self.audited(action, target, |_| Ok((before, after, ())))
    }

    /// Adds a user: the name checked, the grids checked against the role (core's rule), the password
    /// checked and hashed.
    pub fn add_user(&self, name: &str, role: Role, grids: &[String], unit: Option<&str>, password: &str) -> Result<()> {
        let name = gridpatrol_core::validate::check_text("name", name, MAX_NAME_CHARS, true)?;
        check_password(password)?;
        let grids: Vec<String> = grids.iter().map(|g| g.trim().to_string()).collect();
        self.store.check_assignment(role, &grids)?;
        // Core's rule: a liaison names a unit of the hub's units, no one else names one.
        self.store.check_user_unit(role, unit)?;
        let unit = unit.map(|u| u.trim().to_string());
        let hash = auth::hash_password(password)?;
        let now = ts(self.store.now());
        self.audited("user.add", &name.clone(), |tx| {
            let exists: bool =
                tx.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1)", [&name], |r| r.get(0))?;
            if exists {
                return Err(HubError::UserExists(name.clone()));
            }
            tx.execute(
                "INSERT INTO users (name, role, grids, unit, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![name, role.as_str(), to_value(&grids).to_string(), unit, hash, now],
            )?;
            Ok((None, Some(json!({"role": role.as_str(), "grids": grids, "unit": unit})), ()))
        })
    }

    /// Disables a user: their tokens and sign-ins are refused (403 `user_disabled`) from the next
    /// request on; their data and sessions stay (enabling lets the same devices on again).
    pub fn disable(&self, name: &str) -> Result<()> {
        let now = ts(self.store.now());
        self.audited("user.disable", name, |tx| {
            let before = user_state(tx, name)?;
            if let Some(at) = &before.disabled_at {
                return Err(HubError::refused(
                    "already_disabled",
                    format!("用户 {name} 已于 {at} 停用。"),
                    format!("user: {name} is already disabled (since {at})."),
                ));
            }
            tx.execute("UPDATE users SET disabled_at = ?2 WHERE name = ?1", params![name, now])?;
            Ok((Some(json!({"disabled_at": null})), Some(json!({"disabled_at": now})), ()))
        })
    }

    /// Enables a disabled user again.
    pub fn enable(&self, name: &str) -> Result<()> {
        self.audited("user.enable", name, |tx| {
            let before = user_state(tx, name)?;
            let Some(at) = before.disabled_at else {
                return Err(HubError::refused(
                    "not_disabled",
                    format!("用户 {name} 未被停用。"),
                    format!("user: {name} is not disabled."),
                ));
            };
            tx.execute("UPDATE users SET disabled_at = NULL WHERE name = ?1", [name])?;
            Ok((Some(json!({"disabled_at": at})), Some(json!({"disabled_at": null})), ()))
        })
    }

    /// Changes a user's role; their grids (the ones given, else the ones they hold; none for an
    /// administrator) are checked against the new role's level first.
    pub fn set_role(&self, name: &str, role: Role, grids: Option<&[String]>, unit: Option<&str>) -> Result<()> {
        self.store.check_user_unit(role, unit)?;
        let unit = unit.map(|u| u.trim().to_string());
        self.audited("user.role", name, |tx| {
            let before = user_state(tx, name)?;
            if before.role == role.as_str() {
                return Err(HubError::refused(
                    "role_unchanged",
                    format!("角色：用户 {name} 已经是 {}。", role.label(gridpatrol_core::Lang::Zh)),
                    format!("role: {name} already is {}.", role.as_str()),
                ));
            }
            let grids: Vec<String> = match grids {
                Some(g) => g.iter().map(|g| g.trim().to_string()).collect(),
                None if role == Role::Admin => Vec::new(),
                None => before.grids.clone(),
            };
            self.store.check_assignment(role, &grids)?;
            tx.execute(
                "UPDATE users SET role = ?2, grids = ?3, unit = ?4 WHERE name = ?1",
                params![name, role.as_str(), to_value(&grids).to_string(), unit],
            )?;
            Ok((
                Some(json!({"role": before.role, "grids": before.grids})),
                Some(json!({"role": role.as_str(), "grids": grids, "unit": unit})),
                (),
            ))
        })
    }

    /// Gives a user other grids, checked against their role's level.
    pub fn set_grids(&self, name: &str, grids: &[String]) -> Result<()> {
        let grids: Vec<String> = grids.iter().map(|g| g.trim().to_string()).collect();
        self.audited("user.grids", name, |tx| {
            let before = user_state(tx, name)?;
            let role = Role::parse(&before.role)
                .ok_or_else(|| HubError::Internal(format!("unreadable role of {name}: {}", before.role)))?;
            self.store.check_assignment(role, &grids)?;
            tx.execute("UPDATE users SET grids = ?2 WHERE name = ?1", params![name, to_value(&grids).to_string()])?;
            Ok((Some(json!({"grids": before.grids})), Some(json!({"grids": grids})), ()))
        })
    }

    /// Resets a user's password and revokes every token they hold; how many tokens that revoked.
    pub fn reset_password(&self, name: &str, password: &str) -> Result<usize> {
        check_password(password)?;
        let hash = auth::hash_password(password)?;
        let now = ts(self.store.now());
        self.audited("user.password", name, |tx| {
            user_state(tx, name)?;
            tx.execute("UPDATE users SET password_hash = ?2 WHERE name = ?1", params![name, hash])?;
            let revoked = tx.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE user = ?1 AND revoked_at IS NULL",
                params![name, now],
            )?;
            Ok((None, Some(json!({"password": "reset", "tokens_revoked": revoked})), revoked))
        })
    }

    /// Revokes a user's tokens: every one, or the session `session` (its id as `user sessions`
    /// lists it, or a prefix of 6 or more hex digits naming one); how many it revoked.
    pub fn revoke(&self, name: &str, session: Option<&str>) -> Result<usize> {
        let now = ts(self.store.now());
        let id = match session {
            None => None,
            Some(id) => {
                let id = id.trim().to_ascii_lowercase();
                if id.len() < 6 || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(HubError::refused(
                        "invalid_session",
                        format!("--session/--device：{} 不是会话编号（6 至 64 位十六进制数字，见 user sessions）。", clip(&id)),
                        format!(
                            "--session/--device: {} is not a session id (6 to 64 hex digits, as `user sessions` lists them).",
                            clip(&id)
                        ),
                    ));
                }
                Some(id)
            }
        };
        self.audited("user.revoke", name, |tx| {
            user_state(tx, name)?;
            let revoked = match &id {
                None => tx.execute(
                    "UPDATE tokens SET revoked_at = ?2 WHERE user = ?1 AND revoked_at IS NULL",
                    params![name, now],
                )?,
                Some(id) => {
                    let matching: Vec<String> = tx
                        .prepare("SELECT hash FROM tokens WHERE user = ?1 AND substr(hash, 1, length(?2)) = ?2")?
                        .query_map(params![name, id], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    match matching.as_slice() {
                        [] => {
                            return Err(HubError::refused(
                                "unknown_session",
                                format!("--session/--device：用户 {name} 没有会话 {id}；用 user sessions {name} 查看。"),
                                format!(
                                    "--session/--device: {name} has no session {id}; `gridpatrol-hub user sessions {name}` lists them."
                                ),
                            ))
                        }
                        [hash] => tx.execute(
                            "UPDATE tokens SET revoked_at = ?2 WHERE hash = ?1 AND revoked_at IS NULL",
                            params![hash, now],
                        )?,
                        _ => {
                            return Err(HubError::refused(
                                "ambiguous_session",
                                format!("--session/--device：{id} 对应 {name} 的多个会话，请给出更长的编号。"),
                                format!("--session/--device: {id} names more than one session of {name}; give more of the id."),
                            ))
                        }
                    }
                }
            };
            Ok((
                Some(json!({"session": id.clone().unwrap_or_else(|| "all".into())})),
                Some(json!({"tokens_revoked": revoked})),
                revoked,
            ))
        })
    }

    /// Imports a grid registry file (GeoJSON, or CSV by its extension), checked whole by core: one
    /// bad grid refuses the file and nothing changes. A serving hub scopes users and checks pushes
    /// with the new registry from its next request on (it notices the reference store changed).
    pub fn import_registry(&self, path: &Path) -> Result<gridpatrol_core::store::ImportSummary> {
        let records = gridpatrol_core::registry::read_file(path)?;
        let mut reference = self.store.reference();
        let before = reference.grids()?.len();
        let summary = reference.import_registry(&records, false)?;
        let after = reference.grids()?.len();
        drop(reference);
        self.record(
            "import.registry",
            &path.display().to_string(),
            Some(json!({"grids": before})),
            Some(json!({"grids": after, "large": summary.large, "small": summary.small, "updated": summary.updated})),
        )?;
        Ok(summary)
    }

    /// Replaces the holiday table (the format of `data/holidays-2026.json`), checked whole by core.
    pub fn import_holidays(&self, path: &Path) -> Result<usize> {
        let text = read_text(path)?;
        let mut reference = self.store.reference();
        let before = gridpatrol_core::remote::Reference::holidays(&*reference)?;
        let table = reference.set_holidays(&text)?;
        drop(reference);
        self.record(
            "import.holidays",
            &path.display().to_string(),
            Some(json!({"holidays": before.off.len(), "workdays": before.workdays.len()})),
            Some(json!({"holidays": table.off.len(), "workdays": table.workdays.len()})),
        )?;
        Ok(table.off.len())
    }

    /// Replaces the hub's category tree (and its deadlines), checked whole by core's
    /// [`gridpatrol_core::categories::load`]: a bad entry, or a tree without a code some finding the hub
    /// holds still uses, refuses the file and nothing changes. A serving hub reads categories from the
    /// reference store for each commit group, so its next push is judged against the new tree.
    pub fn import_categories(&self, path: &Path) -> Result<usize> {
        let text = read_text(path)?;
        let tree = gridpatrol_core::categories::load(&text)?;
        let codes: std::collections::HashSet<&str> =
            tree.majors.iter().flat_map(|m| m.minors.iter().map(|c| c.code.as_str())).collect();
        let used: Vec<String> = self
            .store
            .conn()
            .prepare("SELECT DISTINCT json_extract(body, '$.category') FROM findings ORDER BY 1")?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?;
        if let Some(missing) = used.iter().find(|c| !codes.contains(c.as_str())) {
            return Err(gridpatrol_core::Error::CategoryData(format!(
                "the tree has no category {missing}, which findings at this hub use"
            ))
            .into());
        }
        let mut reference = self.store.reference();
        let before = reference.categories_standard()?;
        reference.load_categories(&text)?;
        drop(reference);
        self.record(
            "import.categories",
            &path.display().to_string(),
            Some(json!({"tree": before})),
            Some(json!({"standard": tree.standard, "version": tree.version, "minors": codes.len()})),
        )?;
        Ok(codes.len())
    }

    /// Replaces the responsible units (the format of `data/units.json`), checked whole by core's
    /// [`gridpatrol_core::Store::load_units`] (codes, names, each category a minor of the tree in force
    /// and under one unit at most); a list without a unit a liaison or a case at this hub names is
    /// refused too, and nothing changes. Devices take the new list with their next sync.
    pub fn import_units(&self, path: &Path) -> Result<usize> {
        let text = read_text(path)?;
        let units = gridpatrol_core::units::load(&text)?;
        let codes: std::collections::HashSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
        let used: Vec<String> = self
            .store
            .conn()
            .prepare(
                "SELECT unit FROM users WHERE unit IS NOT NULL UNION SELECT unit FROM findings WHERE unit IS NOT NULL
                 ORDER BY 1",
            )?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?;
        if let Some(missing) = used.iter().find(|u| !codes.contains(u.as_str())) {
            return Err(gridpatrol_core::Error::UnitData(format!(
                "the list has no unit {missing}, which a liaison or a case at this hub names"
            ))
            .into());
        }
        let mut reference = self.store.reference();
        let before = reference.units()?.len();
        let count = reference.load_units(&text)?;
        drop(reference);
        self.record(
            "import.units",
            &path.display().to_string(),
            Some(json!({"units": before})),
            Some(json!({"units": count})),
        )?;
        Ok(count)
    }

    /// Every user (no password hashes), by name.
    pub fn users(&self) -> Result<Vec<UserSummary>> {
        let conn = self.store.conn();
        let users = conn
            .prepare("SELECT name, role, grids, disabled_at FROM users ORDER BY name")?
            .query_map([], |r| {
                let grids: String = r.get(2)?;
                Ok(UserSummary {
                    name: r.get(0)?,
                    role: r.get(1)?,
                    grids: serde_json::from_str(&grids).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
                    })?,
                    disabled_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(users)
    }

    /// The audit trail, oldest first, from `since` on.
    pub fn audit(&self, since: Option<DateTime<Utc>>) -> Result<Vec<AuditEntry>> {
        read_audit(&self.store.conn(), since)
    }
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        HubError::refused(
            "unreadable_file",
            format!("文件：无法读取 {}：{e}", path.display()),
            format!("FILE: cannot read {}: {e}", path.display()),
        )
    })
}

fn insert_audit(
    tx: &rusqlite::Connection,
    by: &str,
    action: &str,
    target: &str,
    before: Option<Value>,
    after: Option<Value>,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit (at, os_user, action, target, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![ts(now), by, action, target, before.map(|v| v.to_string()), after.map(|v| v.to_string())],
    )?;
    Ok(())
}

/// Records an administrative change made outside an [`Admin`] (a restore writes one into the
/// restored database).
pub fn record_on(
    conn: &rusqlite::Connection,
    by: &str,
    action: &str,
    target: &str,
    after: Option<Value>,
    now: DateTime<Utc>,
) -> Result<()> {
    insert_audit(conn, by, action, target, None, after, now)
}

fn read_audit(conn: &rusqlite::Connection, since: Option<DateTime<Utc>>) -> Result<Vec<AuditEntry>> {
    let since = since.map(ts).unwrap_or_default();
    let json = |i: usize, text: Option<String>| -> rusqlite::Result<Option<Value>> {
        text.map(|t| {
            serde_json::from_str(&t)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
        })
        .transpose()
    };
    let entries = conn
        .prepare("SELECT seq, at, os_user, action, target, before, after FROM audit WHERE at >= ?1 ORDER BY seq")?
        .query_map([since], |r| {
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                os_user: r.get(2)?,
                action: r.get(3)?,
                target: r.get(4)?,
                before: json(5, r.get(5)?)?,
                after: json(6, r.get(6)?)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(entries)
}
