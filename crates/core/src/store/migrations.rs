//! The schema, as append-only versioned migrations. A released migration is never edited: a
//! change is a new entry at the end. `PRAGMA user_version` records how many have run.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE users (
        name       TEXT PRIMARY KEY,
        role       TEXT NOT NULL CHECK (role IN ('officer', 'lead', 'admin')),
        created_at TEXT NOT NULL
    );
    CREATE TABLE grids (
        code     TEXT PRIMARY KEY,
        name     TEXT NOT NULL,
        level    TEXT NOT NULL CHECK (level IN ('large', 'small')),
        parent   TEXT REFERENCES grids(code),
        owners   TEXT NOT NULL,
        boundary TEXT NOT NULL,
        min_lon  REAL NOT NULL,
        min_lat  REAL NOT NULL,
        max_lon  REAL NOT NULL,
        max_lat  REAL NOT NULL,
        sample   INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX grids_parent ON grids(parent);
    CREATE TABLE category_majors (
        kind     TEXT NOT NULL CHECK (kind IN ('component', 'event')),
        code     TEXT NOT NULL,
        name_zh  TEXT NOT NULL,
        name_en  TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (kind, code)
    );
    CREATE TABLE categories (
        code                  TEXT PRIMARY KEY,
        kind                  TEXT NOT NULL,
        major                 TEXT NOT NULL,
        name_zh               TEXT NOT NULL,
        name_en               TEXT NOT NULL,
        deadline_hours        INTEGER,
        deadline_working_days INTEGER,
        position              INTEGER NOT NULL,
        FOREIGN KEY (kind, major) REFERENCES category_majors(kind, code)
    );
    CREATE TABLE patrols (
        id         TEXT PRIMARY KEY,
        officer    TEXT NOT NULL REFERENCES users(name),
        kind       TEXT NOT NULL CHECK (kind IN ('scheduled', 'adhoc')),
        started_at TEXT NOT NULL,
        ended_at   TEXT,
        notes      TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX patrols_officer ON patrols(officer, started_at);
    CREATE TABLE patrol_grids (
        patrol_id TEXT NOT NULL REFERENCES patrols(id),
        grid      TEXT NOT NULL REFERENCES grids(code),
        PRIMARY KEY (patrol_id, grid)
    );
    CREATE TABLE findings (
        seq              INTEGER PRIMARY KEY,
        id               TEXT NOT NULL UNIQUE,
        grid             TEXT NOT NULL REFERENCES grids(code),
        patrol_id        TEXT REFERENCES patrols(id),
        category         TEXT NOT NULL REFERENCES categories(code),
        description      TEXT NOT NULL,
        address          TEXT NOT NULL DEFAULT '',
        lat              REAL,
        lon              REAL,
        severity         TEXT NOT NULL CHECK (severity IN ('low', 'normal', 'high')),
        responsible_unit TEXT NOT NULL DEFAULT '',
        status           TEXT NOT NULL,
        author           TEXT NOT NULL,
        observed_at      TEXT NOT NULL,
        recorded_at      TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        due_at           TEXT
    );
    CREATE INDEX findings_grid_status ON findings(grid, status, observed_at);
    CREATE INDEX findings_status ON findings(status, observed_at);
    CREATE INDEX findings_observed ON findings(observed_at);
    CREATE INDEX findings_author ON findings(author, observed_at);
    CREATE INDEX findings_patrol ON findings(patrol_id);
    -- The trigram tokenizer indexes CJK text without a word segmenter.
    CREATE VIRTUAL TABLE findings_fts USING fts5(
        description, address, content = 'findings', content_rowid = 'seq', tokenize = 'trigram'
    );
    CREATE TRIGGER findings_fts_insert AFTER INSERT ON findings BEGIN
        INSERT INTO findings_fts(rowid, description, address) VALUES (new.seq, new.description, new.address);
    END;
    CREATE TRIGGER findings_fts_delete AFTER DELETE ON findings BEGIN
        INSERT INTO findings_fts(findings_fts, rowid, description, address) VALUES ('delete', old.seq, old.description, old.address);
    END;
    CREATE TRIGGER findings_fts_update AFTER UPDATE OF description, address ON findings BEGIN
        INSERT INTO findings_fts(findings_fts, rowid, description, address) VALUES ('delete', old.seq, old.description, old.address);
        INSERT INTO findings_fts(rowid, description, address) VALUES (new.seq, new.description, new.address);
    END;
    CREATE TABLE photos (
        sha256    TEXT PRIMARY KEY,
        extension TEXT NOT NULL,
        bytes     INTEGER NOT NULL,
        width     INTEGER NOT NULL,
        height    INTEGER NOT NULL,
        exif_time TEXT,
        exif_lat  REAL,
        exif_lon  REAL
    );
    CREATE TABLE finding_photos (
        finding_id TEXT NOT NULL REFERENCES findings(id),
        sha256     TEXT NOT NULL REFERENCES photos(sha256),
        role       TEXT NOT NULL CHECK (role IN ('before', 'after')),
        position   INTEGER NOT NULL,
        PRIMARY KEY (finding_id, sha256, role)
    );
    -- The audit history, the undo record and the sync outbox at once.
    CREATE TABLE events (
        seq           INTEGER PRIMARY KEY,
        id            TEXT NOT NULL UNIQUE,
        entity        TEXT NOT NULL,
        entity_id     TEXT NOT NULL,
        actor         TEXT NOT NULL,
        kind          TEXT NOT NULL,
        payload       TEXT NOT NULL,
        device_time   TEXT NOT NULL,
        sync_state    TEXT NOT NULL DEFAULT 'pending' CHECK (sync_state IN ('pending', 'acked', 'parked')),
        hub_seq       INTEGER,
        parked_reason TEXT
    );
    CREATE INDEX events_entity ON events(entity_id, seq);
    CREATE INDEX events_pending ON events(seq) WHERE sync_state = 'pending';
    "#,
    // 2: finding the patrol under way must not read an officer's whole patrol history (it runs on
    // every recorded finding).
    r#"
    CREATE INDEX patrols_under_way ON patrols(officer, started_at) WHERE ended_at IS NULL;
    "#,
    // 3: the status line counts parked events at every refresh; without an index that read the whole log.
    r#"
    CREATE INDEX events_parked ON events(seq) WHERE sync_state = 'parked';
    "#,
    // 4: a lead's review of an officer's weekly log, the fold of its `log.*` events (see review.rs).
    r#"
    CREATE TABLE log_reviews (
        officer      TEXT NOT NULL,
        week         TEXT NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'returned')),
        submitted_at TEXT NOT NULL,
        rounds       INTEGER NOT NULL,
        reply        TEXT NOT NULL DEFAULT '',
        reviewer     TEXT,
        reviewed_at  TEXT,
        comment      TEXT NOT NULL DEFAULT '',
        updated_at   TEXT NOT NULL,
        PRIMARY KEY (officer, week)
    );
    CREATE INDEX log_reviews_queue ON log_reviews(state, week, submitted_at);
    "#,
    // 5: the weekly logs and the lead's dashboard need, for each finding of a week, its first move to
    // rectified and whether it was ever sent back for rework; without this index each finding's whole
    // history (payloads included) was read twice. Only those two kinds of move are indexed, and
    // `weekly` repeats this WHERE clause word for word so that SQLite uses the index.
    r#"
    CREATE INDEX events_fixes ON events(entity_id, json_extract(payload, '$.to'), device_time)
        WHERE kind = 'finding.moved' AND json_extract(payload, '$.to') IN ('rectified', 'rework');
    "#,
    // 6: photo files of pulled findings this device should fetch from the hub (see photos_wanted.rs).
    r#"
    CREATE TABLE photos_wanted (
        sha256 TEXT PRIMARY KEY,
        file   TEXT NOT NULL
    );
    "#,
    // 7: the open and overdue counts per grid (Today at every start, the map, the dashboard) read only
    // this small index of open findings instead of their rows scattered over the file. `grid_stats_of`
    // names the open statuses in the same words, so that SQLite uses it.
    r#"
    CREATE INDEX findings_open ON findings(status, grid, due_at)
        WHERE status IN ('reported', 'accepted', 'rectifying', 'rectified', 'rework', 'reopened');
    "#,
    // 8: two-character words (违停, 井盖) are looked up in an index of each finding's character pairs
    // instead of scanning every row (store/bigrams.rs). Contentless, no positions: it only says which
    // findings hold a pair. `gp_bigrams` is the store's own SQL function.
    r#"
    CREATE VIRTUAL TABLE findings_bigrams USING fts5(
        grams, content = '', contentless_delete = 1, detail = 'none', tokenize = 'unicode61 remove_diacritics 0'
    );
    INSERT INTO findings_bigrams(rowid, grams) SELECT seq, gp_bigrams(description, address) FROM findings;
    CREATE TRIGGER findings_bigrams_insert AFTER INSERT ON findings BEGIN
        INSERT INTO findings_bigrams(rowid, grams) VALUES (new.seq, gp_bigrams(new.description, new.address));
    END;
    CREATE TRIGGER findings_bigrams_delete AFTER DELETE ON findings BEGIN
        DELETE FROM findings_bigrams WHERE rowid = old.seq;
    END;
    CREATE TRIGGER findings_bigrams_update AFTER UPDATE OF description, address ON findings BEGIN
        DELETE FROM findings_bigrams WHERE rowid = old.seq;
        INSERT INTO findings_bigrams(rowid, grams) VALUES (new.seq, gp_bigrams(new.description, new.address));
    END;
    "#,
    // 9: the time the hub accepted each pulled event (its clock, not the device's), and the events a
    // pull brought that this device could not decode or apply: set aside with the reason, never
    // applied, so no read path ever meets them (store/outbox.rs). `hub_seq` keeps a page applied
    // twice from setting one aside twice; `event` is the event as it came, cut to 4 KiB.
    r#"
    ALTER TABLE events ADD COLUMN accepted_at TEXT;
    CREATE TABLE set_aside (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        hub_seq  INTEGER UNIQUE,
        event_id TEXT NOT NULL,
        kind     TEXT NOT NULL,
        code     TEXT NOT NULL,
        message  TEXT NOT NULL,
        event    TEXT NOT NULL,
        at       TEXT NOT NULL
    );
    "#,
    // 10: the measures count a move at the time the hub accepted it, else at its device time
    // (`events::COUNTED_TIME`, repeated here word for word): the index of fixes (migration 5) holds
    // that time instead of the device's, so the on-time test stays a search of this small index.
    r#"
    DROP INDEX events_fixes;
    CREATE INDEX events_fixes ON events(entity_id, json_extract(payload, '$.to'), coalesce(accepted_at, device_time))
        WHERE kind = 'finding.moved' AND json_extract(payload, '$.to') IN ('rectified', 'rework');
    "#,
    // 11: the category tree of GB/T 30428.2 (codes: the kind's digit and the standard's MMmm, see
    // categories.rs), deadlines with a normal and an urgent limit in 工作时/工作日/小时 (a JSON
    // `deadline` column), each minor's source; a finding's `severity` becomes its `urgency` (high →
    // urgent, low and normal → normal). After this SQL, [`categories_11`] writes the bundled tree,
    // moves every finding to the new code of [`crate::categories::LEGACY_CODES`] and removes the old
    // tree, in the same transaction. Events are left as they were written: history keeps what it
    // said, and the decoder reads an old code and `severity` as today's (categories::current_code,
    // model::Urgency).
    r#"
    ALTER TABLE categories ADD COLUMN minor TEXT;
    ALTER TABLE categories ADD COLUMN deadline TEXT;
    ALTER TABLE categories ADD COLUMN source TEXT;
    ALTER TABLE findings ADD COLUMN urgency TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent'));
    UPDATE findings SET urgency = CASE severity WHEN 'high' THEN 'urgent' ELSE 'normal' END;
    ALTER TABLE findings DROP COLUMN severity;
    "#,
    // 12 (issue 12, the closed loop; numbered by the issue's split, renumbered at merge): responsible
    // units, the unit liaison, and the loop's columns on findings. Written not to depend on the
    // other migrations of issue 12 (11, 13).
    //
    // - `units`, seeded with the bundled sample (`data/units.json`, read here by `json_each`).
    // - `users` is rebuilt (SQLite cannot change a CHECK in place; `migrate` runs with foreign keys
    //   off and checks them before committing): the role `liaison` and the liaison's `unit`.
    // - `findings` gains `unit` (the code it is dispatched to), `dispatched_at` (when the clock
    //   started), `deferral` (the pending request, JSON), `deferrals`, `on_the_spot`, `suspended_at`.
    // - The old free text `responsible_unit` stays as written (history kept). A finding already
    //   dispatched (its status past 受理) whose text is exactly a unit's Chinese or English name or
    //   its code gets that unit; any other text names no unit (never guessed), and a finding not yet
    //   dispatched gets none (the lead dispatches it). Its clock started at its first move to
    //   rectifying in the event log (the hub's time where known); its due time stays the one it has.
    // - The index of open findings (7) now names the new open status, `suspended`.
    concat!(
        r#"
    CREATE TABLE units (
        code       TEXT PRIMARY KEY,
        name_zh    TEXT NOT NULL,
        name_en    TEXT NOT NULL,
        categories TEXT NOT NULL,
        position   INTEGER NOT NULL
    );
    INSERT INTO units (code, name_zh, name_en, categories, position)
        SELECT json_extract(value, '$.code'), json_extract(value, '$.name_zh'), json_extract(value, '$.name_en'),
               json_extract(value, '$.categories'), key
        FROM json_each('"#,
        include_str!("../../data/units.json"),
        r#"', '$.units');
    CREATE TABLE users_12 (
        name       TEXT PRIMARY KEY,
        role       TEXT NOT NULL CHECK (role IN ('officer', 'lead', 'admin', 'liaison')),
        unit       TEXT,
        created_at TEXT NOT NULL,
        CHECK ((role = 'liaison') = (unit IS NOT NULL))
    );
    INSERT INTO users_12 (name, role, unit, created_at) SELECT name, role, NULL, created_at FROM users;
    DROP TABLE users;
    ALTER TABLE users_12 RENAME TO users;
    ALTER TABLE findings ADD COLUMN unit TEXT;
    ALTER TABLE findings ADD COLUMN dispatched_at TEXT;
    ALTER TABLE findings ADD COLUMN deferral TEXT;
    ALTER TABLE findings ADD COLUMN deferrals INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE findings ADD COLUMN on_the_spot INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE findings ADD COLUMN suspended_at TEXT;
    UPDATE findings SET
        unit = (SELECT u.code FROM units u
                WHERE u.name_zh = trim(findings.responsible_unit)
                   OR lower(u.name_en) = lower(trim(findings.responsible_unit))
                   OR u.code = trim(findings.responsible_unit)),
        dispatched_at = (SELECT min(coalesce(e.accepted_at, e.device_time)) FROM events e
                         WHERE e.entity_id = findings.id AND e.kind = 'finding.moved'
                           AND json_extract(e.payload, '$.to') = 'rectifying')
        WHERE status NOT IN ('reported', 'accepted', 'rejected');
    CREATE INDEX findings_unit ON findings(unit, status) WHERE unit IS NOT NULL;
    DROP INDEX findings_open;
    CREATE INDEX findings_open ON findings(status, grid, due_at)
        WHERE status IN ('reported', 'accepted', 'rectifying', 'rectified', 'rework', 'reopened', 'suspended');
    "#
    ),
    // 13: the
    // measures' history (store/history.rs), a finding's measured state after each change, so a period
    // is counted as it stood at its end. Clustered by finding (WITHOUT ROWID; ids are UUIDv7, so a
    // period's findings lie together); found by due time for the city, the officer and the large grid.
    // Backfilled from the events in fold order, as `record_history` writes them: a report's status,
    // due time (a report's before migration 12, a dispatch's after), grid and author, each move's status, the counted time never before the row it follows,
    // and the number of entries into rework so far. Times are made fixed-width (the payload's are
    // serde's RFC 3339) so that text order is time order. Edits change no measured state yet.
    r#"
    CREATE TABLE finding_history (
        finding_id  TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        counted_at  TEXT NOT NULL,
        status      TEXT NOT NULL,
        due_at      TEXT,
        unit        TEXT,
        deferred    INTEGER NOT NULL DEFAULT 0 CHECK (deferred IN (0, 1)),
        on_the_spot INTEGER NOT NULL DEFAULT 0 CHECK (on_the_spot IN (0, 1)),
        reworks     INTEGER NOT NULL DEFAULT 0,
        grid        TEXT NOT NULL,
        author      TEXT NOT NULL,
        PRIMARY KEY (finding_id, seq)
    ) WITHOUT ROWID;
    INSERT INTO finding_history
        (finding_id, seq, counted_at, status, due_at, unit, deferred, on_the_spot, reworks, grid, author)
    SELECT * FROM (
    SELECT entity_id, row_number() OVER w, max(counted) OVER w, status, max(due) OVER w, NULL, 0, 0,
           count(CASE WHEN status = 'rework' THEN 1 END) OVER w, max(grid) OVER p AS grid, max(author) OVER p AS author
    FROM (
        SELECT entity_id, seq, hub_seq,
               strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(accepted_at, device_time)) AS counted,
               CASE kind WHEN 'finding.reported' THEN json_extract(payload, '$.status')
                         ELSE json_extract(payload, '$.to') END AS status,
               strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(payload, '$.due_at')) AS due,
               CASE kind WHEN 'finding.reported' THEN json_extract(payload, '$.grid') END AS grid,
               CASE kind WHEN 'finding.reported' THEN json_extract(payload, '$.author') END AS author
        FROM events
        WHERE entity = 'finding' AND kind IN ('finding.reported', 'finding.moved') AND sync_state != 'parked'
          AND entity_id IN (SELECT id FROM findings)
    )
    WINDOW p AS (PARTITION BY entity_id),
           w AS (PARTITION BY entity_id ORDER BY hub_seq IS NULL, hub_seq, seq ROWS UNBOUNDED PRECEDING)
    ) WHERE grid IS NOT NULL AND author IS NOT NULL;
    CREATE INDEX finding_history_due ON finding_history(due_at, author) WHERE due_at IS NOT NULL;
    CREATE INDEX finding_history_grid ON finding_history(grid, due_at) WHERE due_at IS NOT NULL;
    "#,
    // 14: the lead's dashboard (weekly::grid_weeks). It reads a small grid's weeks from two covering
    // indexes: the findings of a grid in the order observed (with what the measures count of a report),
    // and the history of a grid's findings, finding by finding (UUIDv7 ids: a period's findings lie
    // together), where the history's own rows are clustered by finding across every grid. And it keeps
    // what it counted for each small grid and ended week (`grid_week_counts`: the measures' counts as
    // JSON, before the rates, with the counting's version), because an ended week counted as of its end
    // changes only when a change counted before that end arrives — a late sync, an edit of a report's
    // category. The triggers below drop a grid's kept weeks that end after any such change, whoever
    // writes it, so what is kept is always what counting again would give.
    r#"
    CREATE INDEX findings_grid_observed ON findings(grid, observed_at, id, category);
    CREATE INDEX finding_history_by_grid ON finding_history
        (grid, finding_id, seq, counted_at, status, due_at, unit, deferred, on_the_spot, reworks, author);
    CREATE TABLE grid_week_counts (
        grid     TEXT NOT NULL,
        week_end TEXT NOT NULL,
        version  INTEGER NOT NULL,
        counts   TEXT NOT NULL,
        PRIMARY KEY (grid, week_end)
    ) WITHOUT ROWID;
    CREATE TRIGGER grid_week_counts_history_insert AFTER INSERT ON finding_history BEGIN
        DELETE FROM grid_week_counts WHERE grid = new.grid AND week_end > new.counted_at;
    END;
    CREATE TRIGGER grid_week_counts_history_delete AFTER DELETE ON finding_history BEGIN
        DELETE FROM grid_week_counts WHERE grid = old.grid AND week_end > old.counted_at;
    END;
    CREATE TRIGGER grid_week_counts_history_update AFTER UPDATE ON finding_history BEGIN
        DELETE FROM grid_week_counts WHERE grid = old.grid AND week_end > old.counted_at;
        DELETE FROM grid_week_counts WHERE grid = new.grid AND week_end > new.counted_at;
    END;
    CREATE TRIGGER grid_week_counts_findings_insert AFTER INSERT ON findings BEGIN
        DELETE FROM grid_week_counts WHERE grid = new.grid AND week_end > new.observed_at;
    END;
    CREATE TRIGGER grid_week_counts_findings_delete AFTER DELETE ON findings BEGIN
        DELETE FROM grid_week_counts WHERE grid = old.grid AND week_end > old.observed_at;
    END;
    CREATE TRIGGER grid_week_counts_findings_update AFTER UPDATE OF grid, category, observed_at ON findings BEGIN
        DELETE FROM grid_week_counts WHERE grid = old.grid AND week_end > old.observed_at;
        DELETE FROM grid_week_counts WHERE grid = new.grid AND week_end > new.observed_at;
    END;
    "#,
    // 15 (issue 13): events that never travel (the local profile, device settings, a registry import
    // on this device) were written pending and settled only by the next sync, so a device that never
    // signed in showed them as changes waiting to sync. They are now written settled (`acked`, no hub
    // number: see `events::append`); those already stored are settled here. The list is
    // `remote::SYNCED_KINDS` as it stands at this migration (a released migration never changes).
    r#"
    UPDATE events SET sync_state = 'acked'
     WHERE sync_state = 'pending'
       AND kind NOT IN ('finding.reported', 'finding.moved', 'finding.edited', 'finding.deferral_requested',
                        'finding.deferral_decided', 'patrol.started', 'patrol.ended', 'log.submitted',
                        'log.approved', 'log.returned');
    "#,
];

/// The steps written in Rust that finish a migration, run after its SQL in the same transaction.
fn finish(version: usize, tx: &rusqlite::Transaction<'_>) -> Result<()> {
    match version {
        11 => categories_11(tx),
        _ => Ok(()),
    }
}

/// Migration 11's move to the standard's tree: the bundled tree in, every stored finding to its new
/// code, the old tree out. A finding whose code the old tree did not have either (a tree edited by
/// hand) stops the migration with the codes named, rather than being guessed.
fn categories_11(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let tree = crate::categories::bundled();
    super::users::upsert_tree(tx, &tree)?;
    let mut moved = tx.prepare("UPDATE findings SET category = ?2 WHERE category = ?1")?;
    for (old, new) in crate::categories::LEGACY_CODES {
        moved.execute([old, new])?;
    }
    drop(moved);
    super::users::write_tree(tx, &tree)?;
    tx.execute_batch(
        "ALTER TABLE categories DROP COLUMN deadline_hours;
         ALTER TABLE categories DROP COLUMN deadline_working_days;",
    )?;
    Ok(())
}

/// Runs the migrations not yet applied, each in its own IMMEDIATE transaction: two processes opening
/// one store at once take turns, and the second finds the version the first left.
///
/// Foreign keys are off while they run (SQLite's procedure for rebuilding a table others refer to,
/// as migration 12 rebuilds `users`) and each migration checks them before it commits: one that
/// leaves a dangling reference is rolled back whole.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let applied: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if applied >= MIGRATIONS.len() {
        return Ok(());
    }
    let keys_on: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = run_pending(conn, MIGRATIONS.len());
    if keys_on {
        conn.pragma_update(None, "foreign_keys", "ON")?;
    }
    result
}

/// Runs the migrations not yet applied up to `until` (a count of migrations).
fn run_pending(conn: &mut Connection, until: usize) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let applied: usize = tx.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
        let Some(sql) = MIGRATIONS.get(applied).filter(|_| applied < until) else { return Ok(()) };
        tx.execute_batch(sql)?;
        finish(applied + 1, &tx)?;
        let dangling: Option<String> = tx.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional()?;
        if let Some(table) = dangling {
            return Err(crate::error::Error::StoreDamaged {
                detail: format!("migration {} would leave a dangling reference in {table}", applied + 1),
            });
        }
        tx.pragma_update(None, "user_version", (applied + 1) as i64)?;
        tx.commit()?;
    }
}

pub fn latest_version() -> usize {
    MIGRATIONS.len()
}

/// Runs the migrations up to `version` only: for building a store as an older release left it.
#[cfg(test)]
fn migrate_to(conn: &mut Connection, version: usize) -> Result<()> {
    run_pending(conn, version)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, Utc};
    use serde_json::json;

    use super::*;
    use crate::clock::{FixedClock, SeededIds};
    use crate::model::{Event, SyncState, Urgency};

    const F1: &str = "019a0000-0000-7000-8000-000000000001";
    const F2: &str = "019a0000-0000-7000-8000-000000000002";
    const E1: &str = "019a0000-0000-7000-8000-0000000000e1";
    const E2: &str = "019a0000-0000-7000-8000-0000000000e2";
    const E3: &str = "019a0000-0000-7000-8000-0000000000e3";
    const GRID: &str = "37160200100101";

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// A store as release 10 left it: the old tree's codes (0104 电力井盖, 0553 违法建设 under
    /// 街面秩序), two findings with `severity`, their events as the old app wrote them.
    fn old_store(dir: &std::path::Path) {
        let mut conn = Connection::open(dir.join(super::super::DB_FILE)).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        super::super::bigrams::register(&conn).unwrap();
        migrate_to(&mut conn, 10).unwrap();
        let finding = |id: &str, code: &str, severity: &str| {
            json!({"id": id, "grid": GRID, "category": code, "description": "旧的问题", "address": "",
                "severity": severity, "responsible_unit": "", "status": "reported", "author": "李明",
                "observed_at": "2026-11-20T01:00:00Z", "recorded_at": "2026-11-20T01:00:00Z",
                "updated_at": "2026-11-20T01:00:00Z", "due_at": "2026-11-21T01:00:00Z", "photos": []})
        };
        conn.execute_batch(&format!(
            "INSERT INTO users (name, role, created_at) VALUES ('李明', 'officer', '2026-11-01T00:00:00.000Z');
             INSERT INTO grids (code, name, level, parent, owners, boundary, min_lon, min_lat, max_lon, max_lat)
                VALUES ('{GRID}', '黄河第01网格', 'small', NULL, '[\"李明\"]', '{{}}', 117.9, 37.4, 118.0, 37.5);
             INSERT INTO category_majors VALUES ('component', '01', '公用设施', 'Public utilities', 0);
             INSERT INTO category_majors VALUES ('event', '05', '街面秩序', 'Street order', 1);
             INSERT INTO categories (code, kind, major, name_zh, name_en, deadline_hours, deadline_working_days, position)
                VALUES ('0104', 'component', '01', '电力井盖', 'Power manhole cover', 24, NULL, 0),
                       ('0553', 'event', '05', '违法建设', 'Illegal building', NULL, 10, 100);"
        ))
        .unwrap();
        // F2 was reported `low` and edited to `high` (E3): its row says high.
        for (id, code, severity) in [(F1, "0104", "high"), (F2, "0553", "high")] {
            conn.execute(
                "INSERT INTO findings (id, grid, category, description, severity, status, author, observed_at,
                    recorded_at, updated_at, due_at)
                 VALUES (?1, ?2, ?3, '旧的问题', ?4, 'reported', '李明', '2026-11-20T01:00:00.000Z',
                    '2026-11-20T01:00:00.000Z', '2026-11-20T01:00:00.000Z', '2026-11-21T01:00:00.000Z')",
                rusqlite::params![id, GRID, code, severity],
            )
            .unwrap();
        }
        let events = [
            (E1, F1, "finding.reported", finding(F1, "0104", "high")),
            (E2, F2, "finding.reported", finding(F2, "0553", "low")),
            (E3, F2, "finding.edited", json!({"severity": "high"})),
        ];
        for (id, entity, kind, payload) in events {
            conn.execute(
                "INSERT INTO events (id, entity, entity_id, actor, kind, payload, device_time, sync_state)
                 VALUES (?1, 'finding', ?2, '李明', ?3, ?4, '2026-11-20T01:00:00.000Z', 'pending')",
                rusqlite::params![id, entity, kind, payload.to_string()],
            )
            .unwrap();
        }
    }

    #[test]
    fn migration_11_moves_an_old_store_to_the_standards_tree() {
        let dir = tempfile::tempdir().unwrap();
        old_store(dir.path());
        let store = crate::Store::open(
            dir.path(),
            Arc::new(FixedClock::new(at("2026-11-25T02:00:00Z"))),
            Arc::new(SeededIds::new(1)),
        )
        .expect("a release-10 store opens and migrates");

        let f1 = store.finding(F1).unwrap();
        assert_eq!(f1.category, "10105", "0104 电力井盖 becomes the standard's 部件 0105 电力井盖");
        assert_eq!(f1.urgency, Urgency::Urgent, "severity high becomes urgent");
        let f2 = store.finding(F2).unwrap();
        assert_eq!(f2.category, "20101", "0553 违法建设 becomes 事件 01 01 私搭乱建");
        assert_eq!(f2.urgency, Urgency::Urgent, "the row's severity high becomes urgent");
        assert_eq!(f1.due_at, Some(at("2026-11-21T01:00:00Z")), "a due time already set is kept");

        let codes: Vec<String> =
            store.categories().unwrap().iter().flat_map(|m| m.minors.iter().map(|n| n.code.clone())).collect();
        assert!(codes.contains(&"10104".to_string()), "the bundled tree is in the store");
        assert!(!codes.iter().any(|c| c.len() == 4), "no code of the old tree is left");
        assert_eq!(store.categories_standard().unwrap(), "GB/T 30428.2-2013 gridpatrol-2026.12");
        assert_eq!(store.category("0553").unwrap().code, "20101", "an old code is still looked up as its new one");

        let history = store.history(F2).unwrap();
        assert_eq!(history.len(), 2, "history is kept");
        assert_eq!(history[0].payload["category"], "0553", "an event keeps what it said");
        assert_eq!(history[1].payload, json!({"severity": "high"}), "an old edit keeps its words");
        let reported = crate::projection::replay(&history[..1]).expect("an old report still reads");
        assert_eq!(reported.urgency, Urgency::Normal, "an old report's severity low reads as normal");
        let replayed = crate::projection::replay(&history).expect("old events still read");
        assert_eq!(replayed.category, "20101", "an old event's code reads as today's");
        assert_eq!(replayed.urgency, Urgency::Urgent, "an old edit's severity high reads as urgent");
        assert_eq!((replayed.category, replayed.urgency), (f2.category.clone(), f2.urgency), "history and row agree");

        // An old event decodes at the edge (a device's pending event pushed to an upgraded hub).
        let old = Event {
            id: E1.into(),
            entity: "finding".into(),
            entity_id: F1.into(),
            actor: "李明".into(),
            kind: "finding.reported".into(),
            payload: store.history(F1).unwrap()[0].payload.clone(),
            device_time: at("2026-11-20T01:00:00Z"),
            sync: SyncState::Pending,
            hub_seq: None,
            accepted_at: None,
        };
        let decoded = crate::change::decode(&old, crate::change::Bounds::at(at("2026-11-25T02:00:00Z")))
            .expect("an old event decodes");
        match decoded.change {
            crate::change::Change::Reported(f) => {
                assert_eq!((f.category.as_str(), f.urgency), ("10105", Urgency::Urgent), "decoded to today's words")
            }
            other => panic!("decoded as {other:?}"),
        }
    }

    #[test]
    fn migration_11_refuses_a_code_it_cannot_map() {
        let dir = tempfile::tempdir().unwrap();
        old_store(dir.path());
        {
            let conn = Connection::open(dir.path().join(super::super::DB_FILE)).unwrap();
            conn.execute_batch(
                "INSERT INTO categories (code, kind, major, name_zh, name_en, position)
                    VALUES ('0590', 'event', '05', '城市自加', 'City own', 200);
                 UPDATE findings SET category = '0590' WHERE id = '019a0000-0000-7000-8000-000000000002';",
            )
            .unwrap();
        }
        let opened = crate::Store::open(
            dir.path(),
            Arc::new(FixedClock::new(at("2026-11-25T02:00:00Z"))),
            Arc::new(SeededIds::new(1)),
        );
        let Err(err) = opened else { panic!("a finding of a code neither tree has stops the migration") };
        assert!(err.to_string().contains("0590"), "the refusal names the code: {err}");
        let conn = Connection::open(dir.path().join(super::super::DB_FILE)).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, 10, "nothing of migration 11 was kept");
    }
}

#[cfg(test)]
mod units_tests {
    use super::*;

    /// A store as it stood before responsible units (the migrations before issue 12's), with a few
    /// findings whose free-text unit names a sample unit, names nothing, or belongs to a case not
    /// yet dispatched.
    fn old_store() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::bigrams::register(&conn).unwrap();
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        run_pending(&mut conn, 10).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        conn.execute_batch(
            r#"
            INSERT INTO users (name, role, created_at) VALUES ('李明', 'officer', '2026-11-20T00:00:00.000Z');
            INSERT INTO grids (code, name, level, parent, owners, boundary, min_lon, min_lat, max_lon, max_lat)
                VALUES ('G1', '小网格', 'small', NULL, '[]', '{}', 0, 0, 1, 1);
            INSERT INTO category_majors (kind, code, name_zh, name_en, position) VALUES ('event', '01', '市容环境', 'city', 0);
            INSERT INTO categories (code, kind, major, name_zh, name_en, position) VALUES ('0151', 'event', '01', '暴露垃圾', 'litter', 0);
            INSERT INTO patrols (id, officer, kind, started_at) VALUES ('p1', '李明', 'adhoc', '2026-11-20T00:00:00.000Z');
            INSERT INTO findings (id, grid, category, description, severity, responsible_unit, status, author,
                observed_at, recorded_at, updated_at, due_at) VALUES
                ('f1', 'G1', '0151', '垃圾', 'normal', ' 环卫处 ', 'rectifying', '李明',
                 '2026-11-20T00:00:00.000Z', '2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-21T00:00:00.000Z'),
                ('f2', 'G1', '0151', '垃圾', 'normal', '某某物业公司', 'closed', '李明',
                 '2026-11-20T00:00:00.000Z', '2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', NULL),
                ('f3', 'G1', '0151', '垃圾', 'normal', '环卫处', 'reported', '李明',
                 '2026-11-20T00:00:00.000Z', '2026-11-20T00:00:00.000Z', '2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z');
            INSERT INTO events (id, entity, entity_id, actor, kind, payload, device_time, accepted_at) VALUES
                ('e1', 'finding', 'f1', '王建国', 'finding.moved', '{"from":"accepted","to":"rectifying"}',
                 '2026-11-20T05:00:00.000Z', '2026-11-20T05:00:01.000Z');
            "#,
        )
        .unwrap();
        conn
    }

    #[test]
    fn an_older_store_migrates_its_free_text_units_without_guessing() {
        let mut conn = old_store();
        migrate(&mut conn).unwrap();
        let row = |id: &str| -> (Option<String>, String, Option<String>, Option<String>) {
            conn.query_row(
                "SELECT unit, responsible_unit, dispatched_at, due_at FROM findings WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
        };
        let f1 = row("f1");
        assert_eq!(f1.0.as_deref(), Some("SANITATION"), "a dispatched case naming a unit exactly gets its code");
        assert_eq!(f1.1, " 环卫处 ", "the free text is kept as written (history kept)");
        assert_eq!(
            f1.2.as_deref(),
            Some("2026-11-20T05:00:01.000Z"),
            "the clock started at the first dispatch, hub time"
        );
        assert_eq!(f1.3.as_deref(), Some("2026-11-21T00:00:00.000Z"), "the due time it had stays");
        let f2 = row("f2");
        assert_eq!(f2.0, None, "a text naming no unit gets none: never invented");
        assert_eq!(f2.1, "某某物业公司", "and the text stays");
        assert_eq!(row("f3").0, None, "a case not yet dispatched gets no unit: the lead dispatches it");
        let units: i64 = conn.query_row("SELECT count(*) FROM units", [], |r| r.get(0)).unwrap();
        assert_eq!(units as usize, crate::units::bundled().len(), "the sample units are loaded");
        let role: String = conn.query_row("SELECT role FROM users WHERE name = '李明'", [], |r| r.get(0)).unwrap();
        assert_eq!(role, "officer", "users are kept through the rebuild");
        let patrols: i64 = conn.query_row("SELECT count(*) FROM patrols", [], |r| r.get(0)).unwrap();
        assert_eq!(patrols, 1, "the patrol naming the user is kept");
        conn.execute(
            "INSERT INTO users (name, role, unit, created_at) VALUES ('王工', 'liaison', 'ROADS', '2026-11-25T00:00:00.000Z')",
            [],
        )
        .expect("a liaison with a unit");
        let no_unit = conn.execute(
            "INSERT INTO users (name, role, created_at) VALUES ('周工', 'liaison', '2026-11-25T00:00:00.000Z')",
            [],
        );
        assert!(no_unit.is_err(), "the table itself refuses a liaison without a unit");
        let foreign: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert!(foreign, "foreign keys are on again after migrating");
    }
}

#[cfg(test)]
mod local_events_tests {
    #[test]
    fn migration_15_settles_exactly_the_kinds_that_never_travel() {
        let sql = super::MIGRATIONS[14];
        let listed: Vec<&str> = sql.split('\'').skip(1).step_by(2).filter(|s| s.contains('.')).collect();
        let mut listed = listed;
        listed.sort_unstable();
        let mut synced = crate::remote::SYNCED_KINDS.to_vec();
        synced.sort_unstable();
        assert_eq!(listed, synced, "migration 15 names the kinds that travel, as remote::SYNCED_KINDS does");
    }
}
