//! The schema, as append-only versioned migrations. A released migration is never edited: a
//! change is a new entry at the end. `PRAGMA user_version` records how many have run.

use rusqlite::Connection;

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
    // 13 (issue 12; 11 and 12 are other parts of the issue, the numbers are settled at merge): the
    // measures' history (store/history.rs), a finding's measured state after each change, so a period
    // is counted as it stood at its end. Clustered by finding (WITHOUT ROWID; ids are UUIDv7, so a
    // period's findings lie together); found by due time for the city, the officer and the large grid.
    // Backfilled from the events in fold order, as `record_history` writes them: a report's status,
    // due time, grid and author, each move's status, the counted time never before the row it follows,
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
    SELECT entity_id, row_number() OVER w, max(counted) OVER w, status, max(due) OVER p, NULL, 0, 0,
           count(CASE WHEN status = 'rework' THEN 1 END) OVER w, max(grid) OVER p AS grid, max(author) OVER p AS author
    FROM (
        SELECT entity_id, seq, hub_seq,
               strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(accepted_at, device_time)) AS counted,
               CASE kind WHEN 'finding.reported' THEN json_extract(payload, '$.status')
                         ELSE json_extract(payload, '$.to') END AS status,
               CASE kind WHEN 'finding.reported' THEN strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(payload, '$.due_at')) END AS due,
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
];

/// Runs the migrations not yet applied, each in its own IMMEDIATE transaction: two processes opening
/// one store at once take turns, and the second finds the version the first left.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let applied: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if applied >= MIGRATIONS.len() {
        return Ok(());
    }
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let applied: usize = tx.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
        let Some(sql) = MIGRATIONS.get(applied) else { return Ok(()) };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (applied + 1) as i64)?;
        tx.commit()?;
    }
}

pub fn latest_version() -> usize {
    MIGRATIONS.len()
}
