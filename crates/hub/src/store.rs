//! The hub's store: an interface ([`HubStore`]) and its embedded SQLite implementation.
//!
//! [`SqliteStore`] keeps `hub.db` (WAL, `synchronous=FULL` — a finished upload's row excepted, made
//! durable by the push that names the photo —, append-only migrations counted by
//! `user_version`) beside a core store in `reference/` that holds the grid registry and category
//! tree the rules check against. Each event is stamped with the time the hub accepted it
//! (`received_at`, pulled as `accepted_at`), and a row the hub cannot read (a user's role, a record's
//! body, an event's time) is an error, never a default; an unreadable event row is left out of pull
//! pages and logged rather than sent. A push is judged and written in one IMMEDIATE transaction, so the
//! hub order is the commit order, an event id is recorded in the same transaction that applies it
//! (a replay finds it and answers with the same ack), and a refusal stores nothing. Pushes that
//! arrive together share that transaction (group commit: each batch in its own savepoint, one fsync
//! for all), and pulls read through a second connection so they never wait for a commit. A PostgreSQL
//! store would implement the same trait with the same [`crate::rules::judge`]; it would need a
//! gap-free sequence for the pull cursor (e.g. assigning `hub_seq` under a lock at commit).
//!
//! What the store answers is only ever the caller's: a pull returns the events of the caller's grids
//! (a weekly-log review only to its officer and the reviewers over the grid, by the generated
//! `audience` column) and the last of them as the cursor; a photo is readable by its uploader
//! (`photo_uploads`) and by the scopes of findings that name it (`photo_uses`, kept by triggers from
//! the findings' bodies); a token is refused once revoked or idle longer than the hub's limit.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use gridpatrol_core::clock::{Clock, OsIds};
use gridpatrol_core::model::Role;
use gridpatrol_core::photo::HeldPhoto;
use gridpatrol_core::review::LogReview;
use gridpatrol_core::scope::Scope;
use gridpatrol_core::validate::clip;
use gridpatrol_core::Store as CoreStore;
use gridpatrol_sync::wire::{Ack, PullResponse, WireEvent};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::auth::{Principal, UserRecord};
use crate::error::{HubError, Result};
use crate::rules::{self, Loaded, Records};
use gridpatrol_core::change::{Outcome, Target};
use gridpatrol_core::deadline::Holidays;
use gridpatrol_core::model::MinorCategory;
use gridpatrol_core::remote::Reference;

/// What the hub needs from its storage. Every method is one transaction.
pub trait HubStore: Send + Sync {
    fn add_user(&self, user: &UserRecord) -> Result<()>;
    fn user(&self, name: &str) -> Result<Option<UserRecord>>;
    fn insert_token(&self, hash: &str, user: &str, device: &str) -> Result<()>;
    /// The user a token belongs to, unless it was revoked or has not been used for `idle_limit`;
    /// records the use (at most every [`TOUCH_EVERY`], so requests do not each write).
    fn token_user(&self, hash: &str, idle_limit: chrono::Duration) -> Result<Option<UserRecord>>;
    /// Whether an administrator disabled `user` (an unknown user is not disabled).
    fn is_disabled(&self, user: &str) -> Result<bool>;
    /// The hub's epoch: a random name of this database's history, new after a restore.
    fn epoch(&self) -> Result<String>;
    /// The version of the hub's reference data: its epoch and the sequence number of the last
    /// administrative change (every import, every change of a user writes one), so every import
    /// bumps it and a restored hub never reuses one.
    fn reference_version(&self) -> Result<String>;
    /// The reference data (registry, categories, units, holidays, office hours, rhythm, roster) as
    /// one document named `version`.
    fn reference_document(&self, version: &str) -> Result<gridpatrol_core::refdata::Document>;
    /// Revokes every token of `user`; how many there were.
    fn revoke_tokens(&self, user: &str) -> Result<usize>;
    /// Revokes the session `id` of `user` (a device's sign-in; [`Session::id`] or a prefix of at
    /// least 6 characters naming one session); how many tokens that revoked (0 or 1).
    fn revoke_session(&self, user: &str, id: &str) -> Result<usize>;
    /// Every session (device sign-in) of `user`, newest first.
    fn sessions(&self, user: &str) -> Result<Vec<Session>>;
    /// Whether `who` may read the whole photo `sha256`: they uploaded it, or a finding in their
    /// scope names it.
    fn photo_visible(&self, sha256: &str, who: &Principal) -> Result<bool>;
    /// Records that `user` uploaded the whole photo `sha256`.
    fn record_photo_upload(&self, sha256: &str, user: &str) -> Result<()>;
    /// A user's scope: a liaison's unit, else the assigned grids expanded with the registry (core's
    /// [`Scope::of_user`]).
    fn scope_of(&self, user: &gridpatrol_core::model::User, grids: &[String]) -> Result<Scope>;
    /// Checks a user's unit for their role (core's rule) and against the hub's units table.
    fn check_user_unit(&self, role: Role, unit: Option<&str>) -> Result<()>;
    /// Whether `code` names a grid of the registry.
    fn grid_exists(&self, code: &str) -> Result<bool>;
    /// Checks the grids given to a user of `role` against the registry (core's
    /// [`gridpatrol_core::scope::check_assignment`]).
    fn check_assignment(&self, role: Role, grids: &[String]) -> Result<()>;
    /// Judges and applies a batch in hub order, all or nothing; one ack per event. `held_photo`
    /// answers what the hub holds of a photo (`None`: not whole yet); it must be the same for every caller (the hub's one
    /// photo vault), because a store may apply batches that arrive together under one caller's call.
    fn push(
        &self,
        who: &Principal,
        events: &[WireEvent],
        held_photo: &(dyn Fn(&str) -> Result<Option<HeldPhoto>> + Sync),
    ) -> Result<Vec<Ack>>;
    /// Events after `since` that `who` may see, in hub order: those of grids in their scope, except
    /// weekly-log reviews, which only their officer and the leads and administrators over the
    /// officer's grid see. The cursor returned is the last event `who` was given (or `since`), so
    /// it tells nothing about events outside their view.
    fn pull(&self, who: &Principal, since: i64, limit: usize) -> Result<PullResponse>;
    /// The size of the database in bytes (its file and its write-ahead log), read through the
    /// store itself: what `/readyz` asks to know the store answers, and `/metrics` reports.
    fn database_bytes(&self) -> Result<u64>;
}

/// How often a token's last use is written down: an idle limit is days long, so an hour is exact
/// enough, and a busy device does not write on every request.
pub const TOUCH_EVERY: chrono::Duration = chrono::Duration::hours(1);

/// A device's sign-in, as `gridpatrol-hub user sessions` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    /// The first 12 hex digits of the token's hash: names the session, reveals nothing of the token.
    pub id: String,
    pub device: String,
    pub created_at: String,
    pub last_used_at: String,
    pub revoked_at: Option<String>,
}

const MIGRATIONS: &[&str] = &[
    // 1: users, tokens, the ordered event log and what it folds to.
    r#"
    CREATE TABLE users (
        name          TEXT PRIMARY KEY,
        role          TEXT NOT NULL CHECK (role IN ('officer', 'lead', 'admin')),
        grids         TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at    TEXT NOT NULL
    );
    CREATE TABLE tokens (
        hash       TEXT PRIMARY KEY,
        user       TEXT NOT NULL REFERENCES users(name),
        device     TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE INDEX tokens_user ON tokens(user);
    CREATE TABLE events (
        hub_seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT NOT NULL UNIQUE,
        digest      TEXT NOT NULL,
        grid        TEXT NOT NULL,
        entity      TEXT NOT NULL,
        entity_id   TEXT NOT NULL,
        actor       TEXT NOT NULL,
        kind        TEXT NOT NULL,
        payload     TEXT NOT NULL,
        device_time TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE INDEX events_grid ON events(grid, hub_seq);
    CREATE TABLE findings (
        id      TEXT PRIMARY KEY,
        grid    TEXT NOT NULL,
        status  TEXT NOT NULL,
        body    TEXT NOT NULL,
        hub_seq INTEGER NOT NULL
    );
    CREATE INDEX findings_grid ON findings(grid, status);
    CREATE TABLE patrols (
        id      TEXT PRIMARY KEY,
        officer TEXT NOT NULL,
        body    TEXT NOT NULL
    );
    "#,
    // 2: weekly log reviews, by `week/officer`, with the grid their events are pulled by.
    r#"
    CREATE TABLE log_reviews (
        key     TEXT PRIMARY KEY,
        grid    TEXT NOT NULL,
        body    TEXT NOT NULL,
        hub_seq INTEGER NOT NULL
    );
    "#,
    // 3: idle tokens, photos' readers, and who a weekly-log review is for.
    r#"
    ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
    UPDATE tokens SET last_used_at = created_at;
    -- Who uploaded a whole photo: it is theirs to read, before and after a finding uses it.
    CREATE TABLE photo_uploads (
        sha256       TEXT NOT NULL,
        user         TEXT NOT NULL,
        completed_at TEXT NOT NULL,
        PRIMARY KEY (sha256, user)
    ) WITHOUT ROWID;
    -- Which findings name a photo (and in which grid): kept from the findings' bodies by triggers,
    -- so whoever may see the finding may see its photos.
    CREATE TABLE photo_uses (
        sha256  TEXT NOT NULL,
        finding TEXT NOT NULL,
        grid    TEXT NOT NULL,
        PRIMARY KEY (sha256, finding)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO photo_uses (sha256, finding, grid)
        SELECT json_extract(p.value, '$.sha256'), f.id, f.grid FROM findings f, json_each(f.body, '$.photos') p;
    CREATE TRIGGER findings_photos_insert AFTER INSERT ON findings BEGIN
        INSERT OR IGNORE INTO photo_uses (sha256, finding, grid)
            SELECT json_extract(p.value, '$.sha256'), NEW.id, NEW.grid FROM json_each(NEW.body, '$.photos') p;
    END;
    CREATE TRIGGER findings_photos_update AFTER UPDATE OF body ON findings BEGIN
        INSERT OR IGNORE INTO photo_uses (sha256, finding, grid)
            SELECT json_extract(p.value, '$.sha256'), NEW.id, NEW.grid FROM json_each(NEW.body, '$.photos') p;
    END;
    -- A weekly-log review (entity id `2026-W48/李明`) is for its officer, and the leads over the grid.
    ALTER TABLE events ADD COLUMN audience TEXT
        GENERATED ALWAYS AS (CASE WHEN kind LIKE 'log.%' THEN substr(entity_id, instr(entity_id, '/') + 1) END) VIRTUAL;
    -- A pull finds the caller's page in this index alone (grid, order, audience), then reads those rows.
    DROP INDEX events_grid;
    CREATE INDEX events_grid ON events(grid, hub_seq, audience);
    "#,
    // 4: disabled users, the audit trail of administration, and the hub's epoch.
    r#"
    -- A disabled user keeps their data; their tokens and sign-ins are refused (403 user_disabled).
    ALTER TABLE users ADD COLUMN disabled_at TEXT;
    -- Every administrative change: who ran it (the OS user), when, what, and the state before and
    -- after (JSON, never a secret). Written in the transaction of the change; never edited.
    CREATE TABLE audit (
        seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        at      TEXT NOT NULL,
        os_user TEXT NOT NULL,
        action  TEXT NOT NULL,
        target  TEXT NOT NULL,
        before  TEXT,
        after   TEXT
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
        SELECT RAISE(ABORT, 'the audit trail is append-only');
    END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
        SELECT RAISE(ABORT, 'the audit trail is append-only');
    END;
    -- The hub's epoch: a random name for this database's history. A restore from a backup gives the
    -- restored hub a new one, so a device that synced with the old history knows to push again
    -- what it had acknowledged (the restored hub may have lost it).
    CREATE TABLE hub_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO hub_meta (key, value) VALUES ('epoch', lower(hex(randomblob(8))));
    "#,
    // 5 (issue 12): the unit liaison and the unit a finding is dispatched to. `users` is rebuilt for
    // the new role (foreign keys are off while migrations run, and checked before each commits);
    // `findings.unit` is the unit of the body, `unit_seq` the event that gave it (a liaison's pull
    // starts each newly dispatched case from its first event).
    r#"
    CREATE TABLE users_5 (
        name          TEXT PRIMARY KEY,
        role          TEXT NOT NULL CHECK (role IN ('officer', 'lead', 'admin', 'liaison')),
        grids         TEXT NOT NULL,
        unit          TEXT,
        password_hash TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        disabled_at   TEXT,
        CHECK ((role = 'liaison') = (unit IS NOT NULL))
    );
    INSERT INTO users_5 (name, role, grids, unit, password_hash, created_at, disabled_at)
        SELECT name, role, grids, NULL, password_hash, created_at, disabled_at FROM users;
    DROP TABLE users;
    ALTER TABLE users_5 RENAME TO users;
    ALTER TABLE findings ADD COLUMN unit TEXT;
    ALTER TABLE findings ADD COLUMN unit_seq INTEGER;
    UPDATE findings SET unit = json_extract(body, '$.unit'), unit_seq = hub_seq WHERE json_extract(body, '$.unit') IS NOT NULL;
    CREATE INDEX findings_unit ON findings(unit, unit_seq) WHERE unit IS NOT NULL;
    CREATE INDEX events_entity ON events(entity_id, hub_seq);
    -- The photo triggers of migration 3 relied on INSERT OR IGNORE, but a trigger takes the conflict
    -- policy of the statement that fired it: the findings upsert (ABORT) made the second change of a
    -- finding with a photo fail on the photo_uses row its first change wrote. They skip what is there.
    DROP TRIGGER findings_photos_insert;
    DROP TRIGGER findings_photos_update;
    CREATE TRIGGER findings_photos_insert AFTER INSERT ON findings BEGIN
        INSERT INTO photo_uses (sha256, finding, grid)
            SELECT DISTINCT json_extract(p.value, '$.sha256'), NEW.id, NEW.grid FROM json_each(NEW.body, '$.photos') p
            WHERE NOT EXISTS (SELECT 1 FROM photo_uses u
                              WHERE u.sha256 = json_extract(p.value, '$.sha256') AND u.finding = NEW.id);
    END;
    CREATE TRIGGER findings_photos_update AFTER UPDATE OF body ON findings BEGIN
        INSERT INTO photo_uses (sha256, finding, grid)
            SELECT DISTINCT json_extract(p.value, '$.sha256'), NEW.id, NEW.grid FROM json_each(NEW.body, '$.photos') p
            WHERE NOT EXISTS (SELECT 1 FROM photo_uses u
                              WHERE u.sha256 = json_extract(p.value, '$.sha256') AND u.finding = NEW.id);
    END;
    "#,
];

fn migrate(conn: &mut Connection) -> Result<()> {
    let applied: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if applied >= MIGRATIONS.len() {
        return Ok(());
    }
    // Off while a table others refer to is rebuilt (SQLite's procedure), checked before each commit.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = run_migrations(conn, applied);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
}

fn run_migrations(conn: &mut Connection, applied: usize) -> Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        let dangling: Option<String> = tx.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional()?;
        if let Some(table) = dangling {
            return Err(HubError::Internal(format!(
                "hub migration {} would leave a dangling reference in {table}",
                i + 1
            )));
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn open_db(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // An ack promises the device it may forget nothing more: it must survive a power cut.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Each batch of a commit group runs in a savepoint, and SQLite copies every page a savepoint
    // first changes into a statement journal, which spills to a temporary file past 64 KiB: those
    // file writes were a tenth of a push's CPU time. In memory, the journal of one group (its
    // pages, a few MB at most) costs no system calls.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    gridpatrol_core::store::stable_query_plans(&conn)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Read connections beside the writer.
const READERS: usize = 4;

pub struct SqliteStore {
    /// The writer: every change, and the group commit of pushes.
    conn: Mutex<Connection>,
    /// Connections for reads (pulls, token checks): in WAL mode each reads a committed snapshot
    /// while the writer commits, so devices catching up or signing a request do not queue behind
    /// devices pushing.
    readers: Vec<Mutex<Connection>>,
    next_reader: std::sync::atomic::AtomicUsize,
    /// Pushes waiting for the writer (see [`SqliteStore::push`]).
    waiting: Mutex<Vec<WaitingPush>>,
    reference: Mutex<CoreStore>,
    /// The registry as `(code, parent)`, for expanding scopes, read again whenever the reference
    /// store has changed (an `import registry` by the administration command while the hub serves).
    registry: Mutex<Registry>,
    clock: Arc<dyn Clock>,
}

/// The registry the hub scopes users with, and the reference store's state it was read at.
struct Registry {
    /// `PRAGMA data_version` (moves when another connection commits) and the connection's own
    /// `total_changes`, when the grids were read.
    read_at: (i64, u64),
    grids: Arc<Vec<(String, Option<String>)>>,
}

/// The reference store's state: another process's commit moves the first, this connection's own the second.
fn reference_state(reference: &CoreStore) -> Result<(i64, u64)> {
    let conn = reference.connection();
    let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
    Ok((version, conn.total_changes()))
}

fn read_registry(reference: &CoreStore) -> Result<Registry> {
    let read_at = reference_state(reference)?;
    let grids = reference.grids()?.into_iter().map(|g| (g.code, g.parent)).collect();
    Ok(Registry { read_at, grids: Arc::new(grids) })
}

impl SqliteStore {
    /// Creates (or completes) a hub data folder; with `sample`, loads the SAMPLE registry.
    pub fn init(dir: &Path, clock: Arc<dyn Clock>, sample: bool) -> Result<SqliteStore> {
        std::fs::create_dir_all(dir.join("photos").join("partial"))?;
        let mut reference = CoreStore::create(&dir.join("reference"), clock.clone(), Arc::new(OsIds))?;
        if sample && !reference.has_sample_registry()? {
            reference.import_sample_registry()?;
        }
        drop(reference);
        open_db(&crate::db_path(dir))?;
        SqliteStore::open(dir, clock)
    }

    /// Opens a hub data folder made by [`SqliteStore::init`].
    pub fn open(dir: &Path, clock: Arc<dyn Clock>) -> Result<SqliteStore> {
        if !crate::db_path(dir).is_file() {
            return Err(HubError::bad_request(
                "not_initialized",
                format!("{} is not a hub data folder; run gridpatrol-hub --data-dir DIR init first", dir.display()),
            ));
        }
        let conn = open_db(&crate::db_path(dir))?;
        let readers = (0..READERS).map(|_| open_db(&crate::db_path(dir)).map(Mutex::new)).collect::<Result<_>>()?;
        let reference = CoreStore::open(&dir.join("reference"), clock.clone(), Arc::new(OsIds))?;
        let registry = Mutex::new(read_registry(&reference)?);
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            readers,
            next_reader: Default::default(),
            waiting: Mutex::new(Vec::new()),
            reference: Mutex::new(reference),
            registry,
            clock,
        })
    }

    pub(crate) fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    /// The reference store (registry, categories, holidays): administration imports into it.
    pub(crate) fn reference(&self) -> std::sync::MutexGuard<'_, CoreStore> {
        lock(&self.reference)
    }

    /// The registry as it is now: read again when the reference store changed since it was last read.
    fn registry(&self) -> Result<Arc<Vec<(String, Option<String>)>>> {
        let reference = lock(&self.reference);
        let mut registry = lock(&self.registry);
        if registry.read_at != reference_state(&reference)? {
            *registry = read_registry(&reference)?;
        }
        Ok(registry.grids.clone())
    }

    /// The hub's clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A reader: the first one free, else the next in turn.
    fn reader(&self) -> std::sync::MutexGuard<'_, Connection> {
        for r in &self.readers {
            if let Ok(guard) = r.try_lock() {
                return guard;
            }
        }
        let n = self.next_reader.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.readers[n % self.readers.len()])
    }

    /// How many events the hub holds (tests and benchmarks).
    pub fn event_count(&self) -> Result<i64> {
        Ok(self.conn().query_row("SELECT count(*) FROM events", [], |r| r.get(0))?)
    }

    /// Writes events straight into the log, unjudged: only for benchmarks that need a big hub fast.
    pub fn insert_raw(&self, events: &[(WireEvent, String)]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO events (id, digest, grid, entity, entity_id, actor, kind, payload, device_time, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            )?;
            for (e, grid) in events {
                stmt.execute(params![
                    e.id,
                    e.digest(),
                    grid,
                    e.entity,
                    e.entity_id,
                    e.actor,
                    e.kind,
                    e.payload.to_string(),
                    ts(e.device_time)
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// A stored value the hub cannot read: an error naming the column, never a default (an unknown
/// role read as officer would hand out an officer's scope to a broken row).
fn unreadable(column: usize, what: &str, e: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unreadable {what} in hub.db: {e}").into(),
    )
}

/// Reads `name, role, grids, password_hash, unit` (in that order).
fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRecord> {
    let role: String = r.get(1)?;
    let grids: String = r.get(2)?;
    // A row the hub cannot read is an error, never a default (an unknown role is not an officer).
    Ok(UserRecord {
        unit: r.get(4)?,
        name: r.get(0)?,
        role: Role::parse(&role).ok_or_else(|| unreadable(1, "role", &role))?,
        grids: serde_json::from_str(&grids).map_err(|e| unreadable(2, "grids", e))?,
        password_hash: r.get(3)?,
    })
}

/// A record's JSON body as the hub wrote it; one it cannot read is an error, never "not there".
fn body<T: serde::de::DeserializeOwned>(what: &str, text: Option<String>) -> Result<Option<T>> {
    text.map(|b| serde_json::from_str(&b).map_err(|e| HubError::Internal(format!("unreadable {what} row: {e}"))))
        .transpose()
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| HubError::Internal(e.to_string()))
}

struct TxRecords<'a>(&'a Connection);

impl Records for TxRecords<'_> {
    fn load(&mut self, target: &Target) -> Result<Loaded> {
        let one = |sql: &str, key: &str| -> Result<Option<String>> {
            Ok(self.0.prepare_cached(sql)?.query_row([key], |r| r.get(0)).optional()?)
        };
        Ok(match target {
            Target::Finding(id) => {
                Loaded::Finding(body("finding", one("SELECT body FROM findings WHERE id = ?1", id.as_str())?)?)
            }
            Target::Patrol(id) => {
                Loaded::Patrol(body("patrol", one("SELECT body FROM patrols WHERE id = ?1", id.as_str())?)?)
            }
            Target::Log(key) => {
                let row: Option<(String, String)> = self
                    .0
                    .prepare_cached("SELECT body, grid FROM log_reviews WHERE key = ?1")?
                    .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                match row {
                    Some((b, grid)) => Loaded::Log(body::<LogReview>("log review", Some(b))?.map(|r| (r, grid))),
                    None => Loaded::Log(None),
                }
            }
        })
    }
}

impl HubStore for SqliteStore {
    fn add_user(&self, user: &UserRecord) -> Result<()> {
        let conn = self.conn();
        let exists: bool =
            conn.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1)", [&user.name], |r| r.get(0))?;
        if exists {
            return Err(HubError::UserExists(user.name.clone()));
        }
        conn.execute(
            "INSERT INTO users (name, role, grids, password_hash, created_at, unit) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                user.name,
                user.role.as_str(),
                to_json(&user.grids)?,
                user.password_hash,
                ts(self.clock.now()),
                user.unit
            ],
        )?;
        Ok(())
    }

    fn user(&self, name: &str) -> Result<Option<UserRecord>> {
        Ok(self
            .reader()
            .query_row(
                "SELECT name, role, grids, password_hash, unit FROM users WHERE name = ?1",
                [name],
                user_from_row,
            )
            .optional()?)
    }

    fn insert_token(&self, hash: &str, user: &str, device: &str) -> Result<()> {
        let now = ts(self.clock.now());
        self.conn().execute(
            "INSERT INTO tokens (hash, user, device, created_at, last_used_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![hash, user, device, now],
        )?;
        Ok(())
    }

    fn token_user(&self, hash: &str, idle_limit: chrono::Duration) -> Result<Option<UserRecord>> {
        // A revocation committed before this read is seen: a reader starts from the latest commit.
        // Every request asks this: a cached statement on each reader.
        let row = self
            .reader()
            .prepare_cached(
                "SELECT u.name, u.role, u.grids, u.password_hash, u.unit, t.last_used_at, u.disabled_at FROM tokens t
                 JOIN users u ON u.name = t.user WHERE t.hash = ?1 AND t.revoked_at IS NULL",
            )?
            .query_row([hash], |r| {
                Ok((user_from_row(r)?, r.get::<_, Option<String>>(5)?, r.get::<_, Option<String>>(6)?))
            })
            .optional()?;
        let Some((user, last_used, disabled)) = row else { return Ok(None) };
        // A disabled user's tokens are refused from the first request after the disabling commits.
        if disabled.is_some() {
            return Err(HubError::UserDisabled(user.name));
        }
        let now = self.clock.now();
        let last_used = match last_used.as_deref().map(DateTime::parse_from_rfc3339) {
            Some(Ok(t)) => t.with_timezone(&Utc),
            // A token row without a readable time is refused, never taken as fresh.
            _ => return Err(HubError::Internal(format!("token of {} has no readable last use", user.name))),
        };
        if now - last_used > idle_limit {
            return Ok(None);
        }
        if now - last_used > TOUCH_EVERY {
            self.conn().execute(
                "UPDATE tokens SET last_used_at = ?2 WHERE hash = ?1 AND revoked_at IS NULL",
                params![hash, ts(now)],
            )?;
        }
        Ok(Some(user))
    }

    fn is_disabled(&self, user: &str) -> Result<bool> {
        Ok(self
            .reader()
            .query_row("SELECT disabled_at IS NOT NULL FROM users WHERE name = ?1", [user], |r| r.get(0))
            .optional()?
            .unwrap_or(false))
    }

    fn epoch(&self) -> Result<String> {
        Ok(self.reader().query_row("SELECT value FROM hub_meta WHERE key = 'epoch'", [], |r| r.get(0))?)
    }

    fn reference_version(&self) -> Result<String> {
        let reader = self.reader();
        let epoch: String = reader.query_row("SELECT value FROM hub_meta WHERE key = 'epoch'", [], |r| r.get(0))?;
        let seq: i64 = reader.query_row("SELECT coalesce(max(seq), 0) FROM audit", [], |r| r.get(0))?;
        Ok(format!("{epoch}-{seq}"))
    }

    fn reference_document(&self, version: &str) -> Result<gridpatrol_core::refdata::Document> {
        let roster = self
            .reader()
            .prepare("SELECT name, role, unit FROM users ORDER BY name")?
            .query_map([], |r| {
                let role: String = r.get(1)?;
                Ok(gridpatrol_core::model::User {
                    name: r.get(0)?,
                    role: Role::parse(&role).ok_or_else(|| unreadable(1, "role", &role))?,
                    unit: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(lock(&self.reference).reference_document(version, roster)?)
    }

    fn database_bytes(&self) -> Result<u64> {
        let reader = self.reader();
        // A real read of the database (not only of the file system): a store that cannot answer fails here.
        let _: i64 = reader.query_row("SELECT count(*) FROM hub_meta", [], |r| r.get(0))?;
        let file: String =
            reader.query_row("SELECT file FROM pragma_database_list WHERE name = 'main'", [], |r| r.get(0))?;
        drop(reader);
        let size = |path: &str| std::fs::metadata(path).map_or(0, |m| m.len());
        Ok(size(&file) + size(&format!("{file}-wal")))
    }

    fn revoke_tokens(&self, user: &str) -> Result<usize> {
        let conn = self.conn();
        let exists: bool =
            conn.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1)", [user], |r| r.get(0))?;
        if !exists {
            return Err(HubError::UnknownUser(clip(user)));
        }
        Ok(conn.execute(
            "UPDATE tokens SET revoked_at = ?2 WHERE user = ?1 AND revoked_at IS NULL",
            params![user, ts(self.clock.now())],
        )?)
    }

    fn revoke_session(&self, user: &str, id: &str) -> Result<usize> {
        let id = id.trim().to_ascii_lowercase();
        if id.len() < 6 || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(HubError::bad_request(
                "invalid_session",
                format!(
                    "--device: {} is not a session id (6 to 64 hex digits, as `user sessions` lists them).",
                    clip(&id)
                ),
            ));
        }
        let conn = self.conn();
        let exists: bool =
            conn.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1)", [user], |r| r.get(0))?;
        if !exists {
            return Err(HubError::UnknownUser(clip(user)));
        }
        let matching: Vec<String> = conn
            .prepare("SELECT hash FROM tokens WHERE user = ?1 AND substr(hash, 1, length(?2)) = ?2")?
            .query_map(params![user, id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        match matching.as_slice() {
            [] => Err(HubError::bad_request(
                "unknown_session",
                format!("--device: {user} has no session {id}; `gridpatrol-hub user sessions {user}` lists them."),
            )),
            [hash] => Ok(conn.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE hash = ?1 AND revoked_at IS NULL",
                params![hash, ts(self.clock.now())],
            )?),
            _ => Err(HubError::bad_request(
                "ambiguous_session",
                format!("--device: {id} names more than one session of {user}; give more of the id."),
            )),
        }
    }

    fn sessions(&self, user: &str) -> Result<Vec<Session>> {
        let conn = self.reader();
        let exists: bool =
            conn.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1)", [user], |r| r.get(0))?;
        if !exists {
            return Err(HubError::UnknownUser(clip(user)));
        }
        let sessions = conn
            .prepare(
                "SELECT substr(hash, 1, 12), device, created_at, coalesce(last_used_at, created_at), revoked_at
                 FROM tokens WHERE user = ?1 ORDER BY created_at DESC, hash",
            )?
            .query_map([user], |r| {
                Ok(Session {
                    id: r.get(0)?,
                    device: r.get(1)?,
                    created_at: r.get(2)?,
                    last_used_at: r.get(3)?,
                    revoked_at: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(sessions)
    }

    fn photo_visible(&self, sha256: &str, who: &Principal) -> Result<bool> {
        let grids = serde_json::to_string(&who.scope.grids).map_err(|e| HubError::Internal(e.to_string()))?;
        Ok(self
            .reader()
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM photo_uploads WHERE sha256 = ?1 AND user = ?2)
                 OR EXISTS(SELECT 1 FROM photo_uses WHERE sha256 = ?1
                           AND (?3 OR grid IN (SELECT value FROM json_each(?4))
                                OR finding IN (SELECT id FROM findings WHERE unit = ?5)))",
            )?
            .query_row(params![sha256, who.user.name, who.scope.all, grids, who.scope.unit], |r| r.get(0))?)
    }

    fn record_photo_upload(&self, sha256: &str, user: &str) -> Result<()> {
        // Durable with the push that names the photo, as the photo's file is (see
        // `PhotoVault::sync_before_push`), not on its own: committed without an fsync, it is in the
        // WAL before any later push, whose fsync'd commit makes it durable too. Lost to a power cut
        // before that, the uploader's device is told the photo is not theirs (HEAD: not complete;
        // a push naming it: `photo_missing`) and uploads it again, which records it. An fsync per
        // photo was most of a photo upload's cost at the hub.
        let conn = self.conn();
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let inserted = conn.execute(
            "INSERT OR IGNORE INTO photo_uploads (sha256, user, completed_at) VALUES (?1, ?2, ?3)",
            params![sha256, user, ts(self.clock.now())],
        );
        // Every other commit on the writer stays `synchronous=FULL`, whatever the insert did.
        conn.pragma_update(None, "synchronous", "FULL")?;
        inserted?;
        Ok(())
    }

    fn scope_of(&self, user: &gridpatrol_core::model::User, grids: &[String]) -> Result<Scope> {
        let registry = self.registry()?;
        Ok(Scope::of_user(user, grids, registry.iter().map(|(c, p)| (c.as_str(), p.as_deref()))))
    }

    fn check_user_unit(&self, role: Role, unit: Option<&str>) -> Result<()> {
        gridpatrol_core::model::check_unit_for_role(role, unit)?;
        if let Some(code) = unit {
            lock(&self.reference).unit(code.trim())?;
        }
        Ok(())
    }

    fn grid_exists(&self, code: &str) -> Result<bool> {
        Ok(self.registry()?.iter().any(|(c, _)| c == code))
    }

    fn check_assignment(&self, role: Role, grids: &[String]) -> Result<()> {
        let registry = self.registry()?;
        let registry = registry.iter().map(|(c, p)| (c.as_str(), p.as_deref()));
        Ok(gridpatrol_core::scope::check_assignment(role, grids, registry)?)
    }

    fn push(
        &self,
        who: &Principal,
        events: &[WireEvent],
        held_photo: &(dyn Fn(&str) -> Result<Option<HeldPhoto>> + Sync),
    ) -> Result<Vec<Ack>> {
        // Each event's digest, computed once: what a replay is recognised by, and what is stored.
        let digests: Vec<String> = events.iter().map(WireEvent::digest).collect();
        // A batch naming one id twice with different content is malformed as a whole.
        let mut seen = std::collections::HashMap::new();
        for (e, digest) in events.iter().zip(&digests) {
            if let Some(prev) = seen.insert(e.id.as_str(), digest) {
                if prev != digest {
                    return Err(HubError::event_with(
                        "duplicate_event",
                        &e.id,
                        "The batch carries this event id twice with different content.",
                    ));
                }
            }
        }
        // Group commit: the batch waits in line; whoever holds the writer next applies every batch
        // waiting, each in its own savepoint (a refused batch stores nothing and the others go on),
        // and commits them with one fsync. A batch applied by another thread finds its answer when
        // it gets the writer. Hub order is still commit order: batches are applied one after another
        // in the order they queued, each seeing the ones before it.
        let answer = Arc::new(Mutex::new(None));
        lock(&self.waiting).push(WaitingPush {
            who: who.clone(),
            events: events.to_vec(),
            digests,
            answer: answer.clone(),
        });
        let reference = lock(&self.reference);
        let reference = GroupReference::new(&reference);
        let mut conn = self.conn();
        if let Some(done) = lock(&answer).take() {
            return done;
        }
        let group = std::mem::take(&mut *lock(&self.waiting));
        // To the millisecond, the precision every time is stored with: the accepted time and the
        // deadline derived from it read back the same on the hub and on every device.
        let now = self.clock.now();
        let now = DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now);
        let outcome = (|| -> Result<Vec<Result<Vec<Ack>>>> {
            let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut answers = Vec::with_capacity(group.len());
            for push in &group {
                let sp = tx.savepoint()?;
                let applied = apply_batch(&sp, &reference, &push.who, &push.events, &push.digests, held_photo, now);
                if applied.is_ok() {
                    sp.commit()?;
                } // else dropped: rolled back to the savepoint
                answers.push(applied);
            }
            tx.commit()?;
            Ok(answers)
        })();
        match outcome {
            Ok(answers) => {
                for (push, a) in group.iter().zip(answers) {
                    *lock(&push.answer) = Some(a);
                }
            }
            Err(e) => {
                // Nothing of the group was stored: every batch is told so, and its device retries.
                for push in &group {
                    *lock(&push.answer) = Some(Err(HubError::Internal(format!("the commit failed: {e}"))));
                }
            }
        }
        drop(conn);
        let done = lock(&answer).take();
        done.unwrap_or_else(|| Err(HubError::Internal("a push was lost from the commit group".into())))
    }

    fn pull(&self, who: &Principal, since: i64, limit: usize) -> Result<PullResponse> {
        let scope = &who.scope;
        let grids = serde_json::to_string(&scope.grids).map_err(|e| HubError::Internal(e.to_string()))?;
        // Who sees a weekly-log review is core's rule; the `audience` column (the log's officer)
        // lets the query apply it.
        let reviewer = gridpatrol_core::scope::sees_others_reviews(who.user.role);
        let mut conn = self.reader();
        let tx = conn.transaction()?;
        if let Some(unit) = scope.unit.as_deref().filter(|_| !scope.all && scope.grids.is_empty()) {
            let page = unit_pull(&tx, unit, since, limit)?;
            tx.commit()?;
            return Ok(page);
        }
        let (events, cursor, more) = {
            // One row more than asked for tells whether more follow. An administrator's query walks
            // the log in order. Anyone else's picks the page's sequence numbers grid by grid from
            // `events_grid` (so events elsewhere in the city are never scanned, and only integers are
            // sorted), then reads those rows.
            let sql = if scope.all {
                "SELECT hub_seq, id, entity, entity_id, actor, kind, payload, device_time, received_at FROM events
                 WHERE hub_seq > ?1 AND (audience IS NULL OR audience = ?3 OR ?4)
                 ORDER BY hub_seq LIMIT ?2"
            } else {
                "SELECT hub_seq, id, entity, entity_id, actor, kind, payload, device_time, received_at FROM events
                 WHERE hub_seq IN (
                     SELECT hub_seq FROM events
                     WHERE grid IN (SELECT value FROM json_each(?5)) AND hub_seq > ?1
                       AND (audience IS NULL OR audience = ?3 OR ?4)
                     ORDER BY hub_seq LIMIT ?2)
                 ORDER BY hub_seq"
            };
            let mut stmt = tx.prepare_cached(sql)?;
            let page = limit as i64 + 1;
            let mut rows = if scope.all {
                stmt.query(params![since, page, who.user.name, reviewer])?
            } else {
                stmt.query(params![since, page, who.user.name, reviewer, grids])?
            };
            let mut events = Vec::new();
            // The last row of the page, read or not, and how many rows there were.
            let (mut last, mut scanned) = (since, 0usize);
            while let Some(r) = rows.next()? {
                scanned += 1;
                if scanned > limit {
                    break;
                }
                let seq: i64 = r.get(0)?;
                last = seq;
                match wire_event(r) {
                    Ok(e) => events.push(e),
                    // A row this hub cannot read (written around the API) is an error in the log,
                    // not a default sent to every device in scope: it is left out of the page, and
                    // the cursor passes it so no device asks for it again and again.
                    Err(e) => {
                        tracing::error!(hub_seq = seq, error = %e, "an event in hub.db is unreadable and not sent")
                    }
                }
            }
            // The cursor is the last event looked at: commits are serial, so no event can later
            // appear below it; it says nothing about how many events exist outside the caller's view.
            (events, last, scanned > limit)
        };
        tx.commit()?;
        Ok(PullResponse { events, cursor, more })
    }
}

/// A liaison's pull (core's [`Scope::allows_finding`] for a scope of one unit): the events of the
/// findings dispatched to the unit, in hub order after `since`; and first, the earlier events of a
/// finding that became the unit's after `since` (its report, its acceptance), which the device has
/// not seen. The cursor is the last event of the page proper.
fn unit_pull(tx: &Connection, unit: &str, since: i64, limit: usize) -> Result<PullResponse> {
    const COLUMNS: &str =
        "e.hub_seq, e.id, e.entity, e.entity_id, e.actor, e.kind, e.payload, e.device_time, e.received_at";
    let mut events = Vec::new();
    let mut read = |rows: &mut rusqlite::Rows<'_>, limit: usize| -> Result<(i64, usize)> {
        let (mut last, mut scanned) = (since, 0usize);
        while let Some(r) = rows.next()? {
            scanned += 1;
            if scanned > limit {
                break;
            }
            let seq: i64 = r.get(0)?;
            last = seq;
            match wire_event(r) {
                Ok(e) => events.push(e),
                Err(e) => tracing::error!(hub_seq = seq, error = %e, "an event in hub.db is unreadable and not sent"),
            }
        }
        Ok((last, scanned))
    };
    if since > 0 {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM findings f JOIN events e ON e.entity_id = f.id
             WHERE f.unit = ?1 AND f.unit_seq > ?2 AND e.hub_seq <= ?2 AND e.entity = 'finding'
             ORDER BY e.hub_seq"
        ))?;
        let mut rows = stmt.query(params![unit, since])?;
        read(&mut rows, usize::MAX)?;
    }
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM findings f JOIN events e ON e.entity_id = f.id
         WHERE f.unit = ?1 AND e.hub_seq > ?2 AND e.entity = 'finding'
         ORDER BY e.hub_seq LIMIT ?3"
    ))?;
    let mut rows = stmt.query(params![unit, since, limit as i64 + 1])?;
    let (cursor, scanned) = read(&mut rows, limit)?;
    Ok(PullResponse { events, cursor, more: scanned > limit })
}

/// One row of the event log as it travels, with the time the hub accepted it.
fn wire_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<WireEvent> {
    let payload: String = r.get(6)?;
    let time = |i: usize| -> rusqlite::Result<DateTime<Utc>> {
        let text: String = r.get(i)?;
        DateTime::parse_from_rfc3339(&text).map(|t| t.with_timezone(&Utc)).map_err(|e| unreadable(i, "time", e))
    };
    Ok(WireEvent {
        hub_seq: Some(r.get(0)?),
        id: r.get(1)?,
        entity: r.get(2)?,
        entity_id: r.get(3)?,
        actor: r.get(4)?,
        kind: r.get(5)?,
        payload: serde_json::from_str(&payload).map_err(|e| unreadable(6, "payload", e))?,
        device_time: time(7)?,
        accepted_at: Some(time(8)?),
    })
}

/// The reference data for one commit group: the core store, with what a report looks up in it (its
/// small grid, its category, the holiday table) read once for the group rather than once per
/// report — each lookup on its own is a read transaction of the reference store (WAL locks, a
/// few system calls), which was a tenth of a push's CPU time. Only answers that were found are
/// kept; a refusal is asked again (and refused again) each time.
struct GroupReference<'a> {
    store: &'a CoreStore,
    holidays: std::cell::OnceCell<Holidays>,
    small_grids: std::cell::RefCell<std::collections::HashSet<String>>,
    categories: std::cell::RefCell<std::collections::HashMap<String, MinorCategory>>,
}

impl<'a> GroupReference<'a> {
    fn new(store: &'a CoreStore) -> Self {
        GroupReference {
            store,
            holidays: Default::default(),
            small_grids: Default::default(),
            categories: Default::default(),
        }
    }
}

impl Reference for GroupReference<'_> {
    fn check_small_grid(&self, code: &str) -> gridpatrol_core::Result<()> {
        if self.small_grids.borrow().contains(code) {
            return Ok(());
        }
        self.store.check_small_grid(code)?;
        self.small_grids.borrow_mut().insert(code.to_string());
        Ok(())
    }

    fn contains_point(&self, code: &str, point: gridpatrol_core::model::Point) -> gridpatrol_core::Result<bool> {
        self.store.contains_point(code, point)
    }

    fn minor_category(&self, code: &str) -> gridpatrol_core::Result<MinorCategory> {
        if let Some(c) = self.categories.borrow().get(code) {
            return Ok(c.clone());
        }
        let c = self.store.minor_category(code)?;
        self.categories.borrow_mut().insert(code.to_string(), c.clone());
        Ok(c)
    }

    fn unit(&self, code: &str) -> gridpatrol_core::Result<gridpatrol_core::model::Unit> {
        self.store.unit(code)
    }

    fn holidays(&self) -> gridpatrol_core::Result<Holidays> {
        if let Some(h) = self.holidays.get() {
            return Ok(h.clone());
        }
        let h = Reference::holidays(self.store)?;
        Ok(self.holidays.get_or_init(|| h).clone())
    }
    fn office_hours(&self) -> gridpatrol_core::Result<gridpatrol_core::deadline::OfficeHours> {
        Reference::office_hours(self.store)
    }
}

/// A push waiting for the writer, and the slot its answer is put in.
struct WaitingPush {
    who: Principal,
    events: Vec<WireEvent>,
    /// `events`' digests ([`WireEvent::digest`]), in the same order.
    digests: Vec<String>,
    answer: Arc<Mutex<Option<Result<Vec<Ack>>>>>,
}

/// A lock whose holder panicked is still usable: SQLite rolled back what that holder had begun.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Judges and applies one batch inside the caller's transaction, all or nothing for the caller to
/// keep or roll back; one ack per event, a replayed event answered with its first ack. `digests`
/// are the events' digests, in order. `now` is the time the hub accepts the batch: stamped on each
/// event, and what the rules judge times by.
fn apply_batch(
    tx: &Connection,
    reference: &dyn Reference,
    who: &Principal,
    events: &[WireEvent],
    digests: &[String],
    held_photo: &(dyn Fn(&str) -> Result<Option<HeldPhoto>> + Sync),
    now: DateTime<Utc>,
) -> Result<Vec<Ack>> {
    let mut acks: Vec<Ack> = Vec::with_capacity(events.len());
    for (e, digest) in events.iter().zip(digests) {
        let digest: &str = digest;
        let known: Option<(String, i64, Option<String>)> = tx
            .prepare_cached(
                "SELECT digest, hub_seq, CASE WHEN digest = ?2 THEN NULL ELSE
                     json_object('entity', entity, 'entity_id', entity_id, 'actor', actor, 'kind', kind,
                                 'payload', json(payload), 'device_time', device_time) END
                 FROM events WHERE id = ?1",
            )?
            .query_row(params![&e.id, digest], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if let Some((stored, seq, as_stored)) = known {
            // The same event is either what the device first sent or the hub's version of it (with
            // what the hub derived, e.g. a deadline), which the device adopted when it pulled it
            // back and sends again after the hub was restored from a backup.
            let hub_version =
                as_stored.and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok()).map(|v| {
                    v["payload"] == e.payload
                        && v["entity"] == e.entity.as_str()
                        && v["entity_id"] == e.entity_id.as_str()
                        && v["actor"] == e.actor.as_str()
                        && v["kind"] == e.kind.as_str()
                        && v["device_time"] == ts(e.device_time).as_str()
                });
            if stored != digest && hub_version != Some(true) {
                return Err(HubError::event_with(
                    "event_conflict",
                    &e.id,
                    "The hub already holds an event with this id and different content.",
                ));
            }
            acks.push(Ack { id: e.id.clone(), hub_seq: seq });
            continue;
        }
        let effect = rules::judge(who, e, &mut TxRecords(tx), reference, held_photo, now)?;
        let payload = match &effect.payload {
            Some(p) => std::borrow::Cow::Borrowed(p.as_str()),
            None => std::borrow::Cow::Owned(e.payload.to_string()),
        };
        tx.prepare_cached(
            "INSERT INTO events (id, digest, grid, entity, entity_id, actor, kind, payload, device_time, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            e.id,
            digest,
            effect.grid,
            e.entity,
            e.entity_id,
            e.actor,
            e.kind,
            payload,
            ts(e.device_time),
            ts(now)
        ])?;
        let seq = tx.last_insert_rowid();
        match effect.outcome {
            Outcome::Finding(f) => {
                // `unit_seq` says since when the finding is the unit's: a liaison's pull sends a case's
                // earlier events once it is dispatched to their unit.
                // A report's payload is the finding as the hub judged it: its body, written once.
                let body = match &effect.payload {
                    Some(report) if e.kind == gridpatrol_core::projection::REPORTED => {
                        std::borrow::Cow::Borrowed(report.as_str())
                    }
                    _ => std::borrow::Cow::Owned(to_json(&f)?),
                };
                tx.prepare_cached(
                    "INSERT INTO findings (id, grid, status, body, hub_seq, unit, unit_seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?6 IS NULL THEN NULL ELSE ?5 END)
                     ON CONFLICT(id) DO UPDATE SET status = excluded.status, body = excluded.body,
                        hub_seq = excluded.hub_seq, unit = excluded.unit,
                        unit_seq = CASE WHEN excluded.unit IS NULL THEN NULL
                                        WHEN excluded.unit IS findings.unit THEN findings.unit_seq
                                        ELSE excluded.hub_seq END",
                )?
                .execute(params![f.id, f.grid, f.status.as_str(), body, seq, f.unit])?;
            }
            Outcome::Patrol(p) => {
                tx.prepare_cached(
                    "INSERT INTO patrols (id, officer, body) VALUES (?1, ?2, ?3)
                     ON CONFLICT(id) DO UPDATE SET body = excluded.body",
                )?
                .execute(params![p.id, p.officer, to_json(&p)?])?;
            }
            Outcome::Log(key, r) => {
                tx.prepare_cached(
                    "INSERT INTO log_reviews (key, grid, body, hub_seq) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(key) DO UPDATE SET body = excluded.body, hub_seq = excluded.hub_seq",
                )?
                .execute(params![key, effect.grid, to_json(&r)?, seq])?;
            }
        }
        acks.push(Ack { id: e.id.clone(), hub_seq: seq });
    }
    Ok(acks)
}
