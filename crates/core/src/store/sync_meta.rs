//! What the device remembers about its hub: the address, the signed-in user's grid scope, the pull
//! cursor (in [`super::outbox`]), and when the last sync succeeded or why it failed. Kept in the
//! `settings` table; the device token is not kept here (the CLI keeps it in a file only the user
//! can read, the desktop in the OS keyring).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::outbox::{put_setting, CURSOR_KEY};
use super::{ts, Store};
use crate::error::Result;
use crate::model::{Role, User};
use crate::scope::Scope;

const HUB_URL_KEY: &str = "sync.hub_url";
const HUB_USER_KEY: &str = "sync.hub_user";
const SCOPE_KEY: &str = "sync.scope";
const LAST_SUCCESS_KEY: &str = "sync.last_success";
const LAST_ATTEMPT_KEY: &str = "sync.last_attempt";
const LAST_ERROR_KEY: &str = "sync.last_error";
/// The epoch of the hub this device last synced with (see [`Store::note_hub_epoch`]).
const HUB_EPOCH_KEY: &str = "sync.hub_epoch";

/// The device's sync state, as the status line shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncInfo {
    pub hub_url: Option<String>,
    pub hub_user: Option<String>,
    pub scope: Option<Scope>,
    pub cursor: i64,
    /// When a sync round last finished with nothing left to push.
    pub last_success: Option<DateTime<Utc>>,
    /// When a sync round last ended, well or not.
    pub last_attempt: Option<DateTime<Utc>>,
    /// Why the last round failed, if it did: `{code, message}`.
    pub last_error: Option<SyncError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncError {
    pub code: String,
    pub message: String,
}

impl SyncInfo {
    /// Whether the hub answered the last time we tried: what "online" means on the status line.
    pub fn online(&self) -> bool {
        self.last_attempt.is_some() && self.last_error.is_none()
    }
}

/// A stored setting this build cannot read is an error naming it, never "absent": an unreadable
/// scope read as none, or a time as never, would hide a broken store behind a plausible screen.
fn read<T>(key: &str, value: Option<String>, parse: impl FnOnce(&str) -> Option<T>) -> Result<Option<T>> {
    value
        .map(|v| {
            parse(&v).ok_or_else(|| crate::error::Error::Setting {
                key: key.to_string(),
                reason: format!("unreadable stored value {:?}", v.chars().take(64).collect::<String>()),
            })
        })
        .transpose()
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

impl Store {
    /// Makes the hub's user the local profile, with the role and grid scope the hub gave. Signing in
    /// to another hub or as another user starts pulling from the beginning.
    pub fn sign_in_as(&mut self, hub_url: &str, user: &User, scope: &Scope) -> Result<User> {
        let info = self.sync_info()?;
        let same = info.hub_url.as_deref() == Some(hub_url) && info.hub_user.as_deref() == Some(user.name.as_str());
        let profile = self.set_profile_in_unit(&user.name, user.role, user.unit.as_deref())?;
        let tx = self.transaction()?;
        put_setting(&tx, HUB_URL_KEY, hub_url)?;
        put_setting(&tx, HUB_USER_KEY, &user.name)?;
        put_setting(&tx, SCOPE_KEY, &serde_json::to_string(scope).unwrap_or_default())?;
        if !same {
            put_setting(&tx, CURSOR_KEY, "0")?;
            tx.execute("DELETE FROM settings WHERE key = ?1", [HUB_EPOCH_KEY])?;
        }
        tx.commit()?;
        Ok(profile)
    }

    pub fn sync_info(&self) -> Result<SyncInfo> {
        Ok(SyncInfo {
            hub_url: self.setting(HUB_URL_KEY)?,
            hub_user: self.setting(HUB_USER_KEY)?,
            scope: read(SCOPE_KEY, self.setting(SCOPE_KEY)?, |s| serde_json::from_str(s).ok())?,
            cursor: self.pull_cursor()?,
            last_success: read(LAST_SUCCESS_KEY, self.setting(LAST_SUCCESS_KEY)?, parse_time)?,
            last_attempt: read(LAST_ATTEMPT_KEY, self.setting(LAST_ATTEMPT_KEY)?, parse_time)?,
            last_error: read(LAST_ERROR_KEY, self.setting(LAST_ERROR_KEY)?, |s| serde_json::from_str(s).ok())?,
        })
    }

    /// Records the end of a sync round at `at`: success clears the last error.
    pub fn record_sync(&mut self, at: DateTime<Utc>, error: Option<&SyncError>) -> Result<()> {
        let tx = self.transaction()?;
        put_setting(&tx, LAST_ATTEMPT_KEY, &ts(at))?;
        match error {
            None => {
                put_setting(&tx, LAST_SUCCESS_KEY, &ts(at))?;
                tx.execute("DELETE FROM settings WHERE key = ?1", [LAST_ERROR_KEY])?;
            }
            Some(e) => put_setting(&tx, LAST_ERROR_KEY, &serde_json::to_string(e).unwrap_or_default())?,
        }
        tx.commit()?;
        Ok(())
    }

    /// Refuses, before anything is written, a change in a grid outside the signed-in user's scope.
    /// A device never signed in to a hub has no scope and refuses nothing.
    pub fn check_scope(&self, grid: &str) -> Result<()> {
        match self.setting(SCOPE_KEY)?.and_then(|s| serde_json::from_str::<Scope>(&s).ok()) {
            Some(scope) => scope.check(grid),
            None => Ok(()),
        }
    }

    /// The epoch of the hub this device last synced with, if any.
    pub fn hub_epoch(&self) -> Result<Option<String>> {
        self.setting(HUB_EPOCH_KEY)
    }

    /// Records the hub's epoch as a round begins; how many events this device queued again.
    ///
    /// A hub restored from a backup answers with a new epoch, and may have lost what it accepted
    /// after the backup. So when the epoch differs from the one recorded, every event the signed-in
    /// user's devices had acknowledged (that travels) goes back into the outbox and the pull cursor
    /// back to 0, in one transaction: the round pushes them again (the hub's push is idempotent by
    /// event id: what it still holds is acknowledged again, what it lost is applied again) and pulls
    /// the restored hub's log from the start (events are known by id, so nothing is applied twice).
    /// The first epoch a device sees is only recorded.
    pub fn note_hub_epoch(&mut self, epoch: &str) -> Result<usize> {
        let known = self.setting(HUB_EPOCH_KEY)?;
        if known.as_deref() == Some(epoch) {
            return Ok(0);
        }
        let user = self.setting(HUB_USER_KEY)?;
        let kinds = crate::remote::SYNCED_KINDS.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
        let tx = self.transaction()?;
        let mut queued = 0;
        if let (Some(_), Some(user)) = (&known, &user) {
            queued = tx.execute(
                &format!("UPDATE events SET sync_state = 'pending' WHERE sync_state = 'acked' AND actor = ?1 AND kind IN ({kinds})"),
                [user],
            )?;
            put_setting(&tx, CURSOR_KEY, "0")?;
        }
        put_setting(&tx, HUB_EPOCH_KEY, epoch)?;
        tx.commit()?;
        Ok(queued)
    }

    /// Refuses a finding outside the signed-in user's scope: its grid, or for a liaison its unit
    /// ([`Scope::check_finding`], the hub's own rule). Without a scope (never signed in), nothing.
    pub fn check_finding_scope(&self, finding: &crate::model::Finding) -> Result<()> {
        match self.setting(SCOPE_KEY)?.and_then(|s| serde_json::from_str::<Scope>(&s).ok()) {
            Some(scope) => scope.check_finding(&finding.grid, finding.unit.as_deref()),
            None => Ok(()),
        }
    }

    /// The role the local profile has, for callers that only need that.
    pub fn profile_role(&self) -> Result<Option<Role>> {
        Ok(self.profile()?.map(|u| u.role))
    }
}

/// The hub's own time at its last answer (its HTTP `Date`), and the device's clock at that moment.
const HUB_TIME_KEY: &str = "clock.hub_time";
const HUB_SEEN_AT_KEY: &str = "clock.hub_seen_at";

impl Store {
    /// Remembers the hub's time from an answer it gave (`hub`), with the device's clock then
    /// (`device`): what [`Store::check_clock`] measures the device's clock against until the next sync.
    pub fn record_hub_time(&mut self, hub: DateTime<Utc>, device: DateTime<Utc>) -> Result<()> {
        let tx = self.transaction()?;
        put_setting(&tx, HUB_TIME_KEY, &ts(hub))?;
        put_setting(&tx, HUB_SEEN_AT_KEY, &ts(device))?;
        tx.commit()?;
        Ok(())
    }

    /// The hub's time at its last answer, if the device has ever synced.
    pub fn hub_time(&self) -> Result<Option<DateTime<Utc>>> {
        read(HUB_TIME_KEY, self.setting(HUB_TIME_KEY)?, parse_time)
    }

    /// Refuses to write when the device's clock is implausible ([`crate::clock::check_plausible`]):
    /// earlier than the newest event the acting user wrote among the store's last 16, or than the
    /// hub's last answer, or far ahead of that answer. Events pulled from other people's devices do
    /// not count (their clocks are theirs); reads the last 16 events by position (a few pages: each row carries its payload), not the table.
    pub(crate) fn check_clock(&self, now: DateTime<Utc>, actor: &str) -> Result<()> {
        use rusqlite::OptionalExtension;
        // Cached statements: this runs before every record, and preparing SQL costs more than running it.
        let hub: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([HUB_TIME_KEY], |r| r.get(0))
            .optional()?;
        let hub = read(HUB_TIME_KEY, hub, parse_time)?;
        let ceiling = hub.map(|h| ts(h + crate::clock::MAX_AHEAD_OF_HUB));
        let newest: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT max(device_time) FROM (SELECT device_time, actor FROM events ORDER BY seq DESC LIMIT 16)
                 WHERE actor = ?2 AND (?1 IS NULL OR device_time <= ?1)",
            )?
            .query_row(rusqlite::params![ceiling, actor], |r| r.get(0))?;
        let newest = newest.map(|t| super::parse_ts(&t)).transpose()?;
        crate::clock::check_plausible(now, newest, hub)
    }
}
