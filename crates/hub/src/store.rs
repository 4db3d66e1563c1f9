//! The hub's store: an interface ([`HubStore`]) and its embedded SQLite implementation.
//!
//! [`SqliteStore`] keeps `hub.db` (WAL, `synchronous=FULL`, append-only migrations counted by
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

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use gridpatrol_core::clock::{Clock, OsIds};
use gridpatrol_core::model::Role;
use gridpatrol_core::review::LogReview;
use gridpatrol_core::scope::Scope;
use gridpatrol_core::Store as CoreStore;
use gridpatrol_sync::wire::{Ack, PullResponse, WireEvent};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::auth::{Principal, UserRecord};
use crate::error::{HubError, Result};
use crate::rules::{self, Loaded, Records};
use gridpatrol_core::change::{Outcome, Target};
use gridpatrol_core::deadline::Holidays;
use gridpatrol_core::remote::Reference;

/// What the hub needs from its storage. Every method is one transaction.
pub trait HubStore: Send + Sync {
    fn add_user(&self, user: &UserRecord) -> Result<()>;
    fn user(&self, name: &str) -> Result<Option<UserRecord>>;
    fn insert_token(&self, hash: &str, user: &str, device: &str) -> Result<()>;
    /// The user a token belongs to, unless it was revoked.
    fn token_user(&self, hash: &str) -> Result<Option<UserRecord>>;
    /// Revokes every token of `user`; how many there were.
    fn revoke_tokens(&self, user: &str) -> Result<usize>;
    /// A user's assigned grids expanded with the registry (core's [`Scope::expand`]).
    fn scope_of(&self, role: Role, grids: &[String]) -> Result<Scope>;
    /// Whether `code` names a grid of the registry.
    fn grid_exists(&self, code: &str) -> Result<bool>;
    /// Judges and applies a batch in hub order, all or nothing; one ack per event. `photo_present`
    /// answers whether the hub holds a photo; it must be the same for every caller (the hub's one
    /// photo vault), because a store may apply batches that arrive together under one caller's call.
    fn push(
        &self,
        who: &Principal,
        events: &[WireEvent],
        photo_present: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Vec<Ack>>;
    /// Events after `since` within `scope`, in hub order.
    fn pull(&self, scope: &Scope, since: i64, limit: usize) -> Result<PullResponse>;
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
];

fn migrate(conn: &mut Connection) -> Result<()> {
    let applied: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn open_db(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // An ack promises the device it may forget nothing more: it must survive a power cut.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
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
    /// The registry as `(code, parent)`, for expanding scopes.
    registry: Vec<(String, Option<String>)>,
    clock: Arc<dyn Clock>,
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
        let registry = reference.grids()?.into_iter().map(|g| (g.code, g.parent)).collect();
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

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        lock(&self.conn)
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

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRecord> {
    let role: String = r.get(1)?;
    let grids: String = r.get(2)?;
    Ok(UserRecord {
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
            "INSERT INTO users (name, role, grids, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![user.name, user.role.as_str(), to_json(&user.grids)?, user.password_hash, ts(self.clock.now())],
        )?;
        Ok(())
    }

    fn user(&self, name: &str) -> Result<Option<UserRecord>> {
        Ok(self
            .reader()
            .query_row("SELECT name, role, grids, password_hash FROM users WHERE name = ?1", [name], user_from_row)
            .optional()?)
    }

    fn insert_token(&self, hash: &str, user: &str, device: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO tokens (hash, user, device, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![hash, user, device, ts(self.clock.now())],
        )?;
        Ok(())
    }

    fn token_user(&self, hash: &str) -> Result<Option<UserRecord>> {
        // A revocation committed before this read is seen: a reader starts from the latest commit.
        Ok(self
            .reader()
            .query_row(
                "SELECT u.name, u.role, u.grids, u.password_hash FROM tokens t JOIN users u ON u.name = t.user
                 WHERE t.hash = ?1 AND t.revoked_at IS NULL",
                [hash],
                user_from_row,
            )
            .optional()?)
    }

    fn revoke_tokens(&self, user: &str) -> Result<usize> {
        let conn = self.conn();
        let exists: bool =
            conn.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1)", [user], |r| r.get(0))?;
        if !exists {
            return Err(HubError::UnknownUser(user.to_string()));
        }
        Ok(conn.execute(
            "UPDATE tokens SET revoked_at = ?2 WHERE user = ?1 AND revoked_at IS NULL",
            params![user, ts(self.clock.now())],
        )?)
    }

    fn scope_of(&self, role: Role, grids: &[String]) -> Result<Scope> {
        Ok(Scope::expand(role, grids, self.registry.iter().map(|(c, p)| (c.as_str(), p.as_deref()))))
    }

    fn grid_exists(&self, code: &str) -> Result<bool> {
        Ok(self.registry.iter().any(|(c, _)| c == code))
    }

    fn push(
        &self,
        who: &Principal,
        events: &[WireEvent],
        photo_present: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Vec<Ack>> {
        // A batch naming one id twice with different content is malformed as a whole.
        let mut seen = std::collections::HashMap::new();
        for e in events {
            let digest = e.digest();
            if let Some(prev) = seen.insert(e.id.as_str(), digest.clone()) {
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
        lock(&self.waiting).push(WaitingPush { who: who.clone(), events: events.to_vec(), answer: answer.clone() });
        let reference = lock(&self.reference);
        let reference = GroupReference { store: &reference, holidays: std::cell::OnceCell::new() };
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
                let applied = apply_batch(&sp, &reference, &push.who, &push.events, photo_present, now);
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

    fn pull(&self, scope: &Scope, since: i64, limit: usize) -> Result<PullResponse> {
        // One read transaction on the reader: the page and `max` come from the same snapshot, and
        // commits are serial, so no event can later appear below a cursor already handed out.
        let mut conn = self.reader();
        let tx = conn.transaction()?;
        let max: i64 = tx.query_row("SELECT coalesce(max(hub_seq), 0) FROM events", [], |r| r.get(0))?;
        let grids = to_json(&scope.grids)?;
        let (events, last_seen) = {
            let mut stmt = tx.prepare_cached(
                "SELECT hub_seq, id, entity, entity_id, actor, kind, payload, device_time, received_at FROM events
                 WHERE hub_seq > ?1 AND hub_seq <= ?2 AND (?3 OR grid IN (SELECT value FROM json_each(?4)))
                 ORDER BY hub_seq LIMIT ?5",
            )?;
            let mut rows = stmt.query(params![since, max, scope.all, grids, limit as i64])?;
            let mut events = Vec::new();
            // The last row of the page and how many rows it had, read or not.
            let mut last_seen: Option<(i64, usize)> = None;
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                last_seen = Some((seq, last_seen.map_or(1, |(_, n)| n + 1)));
                match wire_event(r) {
                    Ok(e) => events.push(e),
                    // A row this hub cannot read (written around the API) is an error in the log,
                    // not a default sent to every device in scope: it is left out of the page.
                    Err(e) => eprintln!("gridpatrol-hub: event {seq} in hub.db is unreadable and not sent: {e}"),
                }
            }
            (events, last_seen)
        };
        tx.commit()?;
        // A short page means everything up to `max` was looked at: the cursor skips the events
        // outside the caller's scope too, so they are never scanned again.
        let (cursor, more) = match last_seen {
            Some((last, scanned)) if scanned >= limit => (last, last < max),
            _ => (max.max(since), false),
        };
        Ok(PullResponse { events, cursor, more })
    }
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

/// The reference data for one commit group: the core store, with its holiday table read once for
/// the group rather than once per report.
struct GroupReference<'a> {
    store: &'a CoreStore,
    holidays: std::cell::OnceCell<Holidays>,
}

impl Reference for GroupReference<'_> {
    fn check_small_grid(&self, code: &str) -> gridpatrol_core::Result<()> {
        self.store.check_small_grid(code)
    }

    fn contains_point(&self, code: &str, point: gridpatrol_core::model::Point) -> gridpatrol_core::Result<bool> {
        self.store.contains_point(code, point)
    }

    fn minor_category(&self, code: &str) -> gridpatrol_core::Result<gridpatrol_core::model::MinorCategory> {
        self.store.minor_category(code)
    }

    fn holidays(&self) -> gridpatrol_core::Result<Holidays> {
        if let Some(h) = self.holidays.get() {
            return Ok(h.clone());
        }
        let h = Reference::holidays(self.store)?;
        Ok(self.holidays.get_or_init(|| h).clone())
    }
}

/// A push waiting for the writer, and the slot its answer is put in.
struct WaitingPush {
    who: Principal,
    events: Vec<WireEvent>,
    answer: Arc<Mutex<Option<Result<Vec<Ack>>>>>,
}

/// A lock whose holder panicked is still usable: SQLite rolled back what that holder had begun.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Judges and applies one batch inside the caller's transaction, all or nothing for the caller to
/// keep or roll back; one ack per event, a replayed event answered with its first ack. `now` is
/// the time the hub accepts the batch: stamped on each event, and what the rules judge times by.
fn apply_batch(
    tx: &Connection,
    reference: &dyn Reference,
    who: &Principal,
    events: &[WireEvent],
    photo_present: &(dyn Fn(&str) -> bool + Sync),
    now: DateTime<Utc>,
) -> Result<Vec<Ack>> {
    let mut acks: Vec<Ack> = Vec::with_capacity(events.len());
    for e in events {
        let digest = e.digest();
        let known: Option<(String, i64)> = tx
            .prepare_cached("SELECT digest, hub_seq FROM events WHERE id = ?1")?
            .query_row([&e.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((stored, seq)) = known {
            if stored != digest {
                return Err(HubError::event_with(
                    "event_conflict",
                    &e.id,
                    "The hub already holds an event with this id and different content.",
                ));
            }
            acks.push(Ack { id: e.id.clone(), hub_seq: seq });
            continue;
        }
        let effect = rules::judge(who, e, &mut TxRecords(tx), reference, photo_present, now)?;
        let payload = match &effect.payload {
            Some(p) => p.to_string(),
            None => e.payload.to_string(),
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
                tx.prepare_cached(
                    "INSERT INTO findings (id, grid, status, body, hub_seq) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(id) DO UPDATE SET status = excluded.status, body = excluded.body, hub_seq = excluded.hub_seq",
                )?
                .execute(params![f.id, f.grid, f.status.as_str(), to_json(&f)?, seq])?;
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
