//! Benchmarks of the device store against DESIGN.md's performance budgets, on a store holding
//! 1,000,000 generated findings (`GRIDPATROL_BENCH_FINDINGS` sets another count):
//!
//! - recording one finding durably (`Store::add_finding`: WAL, `synchronous=FULL`) next to the
//!   floor, a bare single-row durable INSERT into a fresh SQLite file with the same pragmas on
//!   the same disk; budget: p99 ≤ 5 × the floor's p99;
//! - listing one grid's open findings; budget ≤ 20 ms;
//! - full-text search in Chinese, with a 3+ character term (trigram index) and a 2-character
//!   term (a LIKE scan); budget ≤ 50 ms.
//!
//! Criterion reports means and medians; a manual loop before it prints p50 and p99, which is
//! what the budgets are written in, and a few probes that show where the time goes (a record
//! without fsync, WAL pages a commit, raw-SQL variants of a search). Figures and their reading:
//! `docs/performance.md`. The generated store is cached (see `common/mod.rs`), and the findings
//! the benchmark records are deleted again afterwards, so runs start from the same data.
//!
//! The store is encrypted as a device's is; `GRIDPATROL_BENCH_PLAIN=1` measures a plain one (see
//! `common/mod.rs`), and `GRIDPATROL_BENCH_RECORD_ONLY=1` stops after the recording figures.
//!
//! Run: `cargo bench -p gridpatrol-core --bench store`. Without `--bench` (as `cargo test
//! --benches` runs it), each benchmark runs once on a small store, as a smoke test.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use common::{cached_store, ms, print, reset, stats, time};
use criterion::Criterion;
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::{FindingQuery, NewFinding, Point};
use rusqlite::Connection;

/// A small grid of the sample registry owned by the profile, and a point inside it.
const GRID: &str = "37160200100101";
const POINT: Point = Point { lat: 37.408, lon: 117.928 };

/// The floor: a fresh SQLite file with the store's durability pragmas and one tiny table.
struct Floor {
    conn: Connection,
    dir: PathBuf,
    n: i64,
}

impl Floor {
    fn new() -> Floor {
        // Beside the store, so both pay the same disk's fsync.
        let root = common::data_root();
        // Floors left by interrupted runs.
        for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with("floor-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = root.join(format!("floor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("floor dir");
        let conn = Connection::open(dir.join("floor.db")).expect("floor db");
        conn.pragma_update(None, "journal_mode", "WAL").expect("wal");
        conn.pragma_update(None, "synchronous", "FULL").expect("full");
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);").expect("floor table");
        Floor { conn, dir, n: 0 }
    }

    fn insert(&mut self) {
        self.n += 1;
        self.conn
            .prepare_cached("INSERT INTO t (v) VALUES (?1)")
            .and_then(|mut s| s.execute([format!("row {}", self.n)]))
            .expect("floor insert");
    }
}

impl Drop for Floor {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Empties the WAL and stops automatic checkpoints, so that [`wal_count`] can count the pages
/// written in between.
fn wal_start(conn: &Connection) {
    conn.pragma_update(None, "wal_autocheckpoint", 0).expect("autocheckpoint off");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
}

/// The pages appended to the WAL since [`wal_start`]; empties it and restores the default checkpoints.
fn wal_count(conn: &Connection) -> i64 {
    // TRUNCATE reports the emptied log, so count with PASSIVE first.
    let frames: i64 = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1)).expect("checkpoint");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
    conn.pragma_update(None, "wal_autocheckpoint", 1000).expect("autocheckpoint on");
    frames
}

fn new_finding(n: u64) -> NewFinding {
    NewFinding {
        on_the_spot: false,
        after_photos: Vec::new(),
        address: "滨城区黄河五路88号".into(),
        point: Some(POINT),
        responsible_unit: "城管执法中队".into(),
        ..NewFinding::new(GRID, "20504", &format!("黄河五路与渤海七路交叉口店外经营，第{n}次记录"))
    }
}

fn queries(grid: &str) -> Vec<(&'static str, FindingQuery)> {
    let search =
        |s: &str, limit: Option<usize>| FindingQuery { search: Some(s.into()), limit, ..FindingQuery::default() };
    vec![
        ("list/grid_open", FindingQuery { grid: Some(grid.into()), open_only: true, ..FindingQuery::default() }),
        // What the Findings screen asks for an unfiltered list: its first 100 rows, then up to 200,000.
        ("screen/all_first100", FindingQuery { limit: Some(100), ..FindingQuery::default() }),
        ("screen/all_200000", FindingQuery { limit: Some(200_000), ..FindingQuery::default() }),
        ("screen/2char_井盖_first100", search("井盖", Some(100))),
        ("screen/3char_渤海七路_first100", search("渤海七路", Some(100))),
        ("search/3char_井盖破损", search("井盖破损", None)),
        ("search/3char_渤海七路", search("渤海七路", None)),
        ("search/3char_渤海七路_limit50", search("渤海七路", Some(50))),
        ("search/2char_违停", search("违停", None)),
        ("search/2char_井盖", search("井盖", None)),
        ("search/2char_井盖_limit50", search("井盖", Some(50))),
        ("search/3char_rare_渤海七路368号", search("渤海七路368号", None)),
        ("search/2char_absent_地铁_limit50", search("地铁", Some(50))),
    ]
}

/// Raw SQL next to the store's queries, to show where a search's time goes: the trigram lookup
/// alone, and the first page read through the `observed_at` index instead of sorting every match.
/// Printed only; not the product's code path.
const PROBES: &[(&str, &str)] = &[
    ("probe: FTS lookup only, 渤海七路", "SELECT count(*) FROM findings_fts WHERE findings_fts MATCH '\"渤海七路\"'"),
    (
        "probe: first 50 via findings_observed, 渤海七路",
        "SELECT count(*) FROM (SELECT f.id, f.description, f.address, f.observed_at FROM findings f
             INDEXED BY findings_observed
             WHERE f.seq IN (SELECT rowid FROM findings_fts WHERE findings_fts MATCH '\"渤海七路\"')
             ORDER BY f.observed_at DESC, f.seq DESC LIMIT 50)",
    ),
];

fn main() {
    let (full, count) = common::size();
    let runs = if full { 2_000 } else { 20 };
    let cached = cached_store(count);
    // Recording happens just after the generated period, with ids that differ from every run's.
    let id_seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1);
    let mut store = common::open(&cached.dir, Arc::new(FixedClock::new(cached.end)), Arc::new(SeededIds::new(id_seed)));
    reset(&store, &cached);
    // Not Store::counts(): counting 5 million events reads the whole table and warms the cache.
    println!("store: {} ({} generated findings)", cached.dir.display(), cached.max_finding_seq);

    // Recording against the floor, interleaved so both see the same disk weather.
    let mut floor = Floor::new();
    let mut n = 0u64;
    for _ in 0..runs.min(50) {
        floor.insert();
        n += 1;
        store.add_finding(new_finding(n)).expect("add finding");
    }
    let mut floor_samples = Vec::with_capacity(runs);
    let mut record_samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        floor.insert();
        floor_samples.push(t.elapsed());
        n += 1;
        let new = new_finding(n);
        let t = Instant::now();
        store.add_finding(new).expect("add finding");
        record_samples.push(t.elapsed());
    }
    let floor_stats = stats(floor_samples);
    let record_stats = stats(record_samples);
    println!();
    print("floor: bare single-row durable INSERT", &floor_stats, "");
    print(
        "record: Store::add_finding",
        &record_stats,
        &format!("   p99 ratio {:.2}× the floor (budget ≤ 5×)", ms(record_stats.p99) / ms(floor_stats.p99)),
    );
    // Where a record's time goes besides the fsync: the same calls without fsync, and how many
    // pages each commit appends to the WAL (the floor appends one or two).
    let commits = 100;
    let floor_pages = {
        wal_start(&floor.conn);
        for _ in 0..commits {
            floor.insert();
        }
        wal_count(&floor.conn)
    };
    let record_pages = {
        wal_start(store.connection());
        for _ in 0..commits {
            n += 1;
            store.add_finding(new_finding(n)).expect("add finding");
        }
        wal_count(store.connection())
    };
    let (record_pages, floor_pages) = (record_pages as f64 / commits as f64, floor_pages as f64 / commits as f64);
    store.connection().pragma_update(None, "synchronous", "OFF").expect("synchronous off");
    let (no_fsync, _) = time(runs.min(500), || {
        n += 1;
        store.add_finding(new_finding(n)).expect("add finding")
    });
    store.connection().pragma_update(None, "synchronous", "FULL").expect("synchronous full");
    print(
        "probe: add_finding with synchronous=OFF",
        &no_fsync,
        &format!("   WAL pages a commit: add_finding {record_pages:.1}, floor {floor_pages:.1}"),
    );
    reset(&store, &cached);
    // `GRIDPATROL_BENCH_RECORD_ONLY=1`: only the recording figures (issue 13.4's before/after runs).
    if std::env::var_os("GRIDPATROL_BENCH_RECORD_ONLY").is_some_and(|v| v == "1") {
        return;
    }

    // The grid with the most open findings: the worst list.
    let grid: String = store
        .connection()
        .query_row(
            "SELECT grid FROM findings WHERE status NOT IN ('closed', 'rejected')
             GROUP BY grid ORDER BY count(*) DESC, grid LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|_| GRID.to_string());
    let queries = queries(&grid);
    for (label, query) in &queries {
        let (s, rows) = time(if full { 200 } else { 3 }, || store.findings(query).expect("query").len());
        let budget = if label.starts_with("list") { 20 } else { 50 };
        let note = if label.starts_with("screen") { String::new() } else { format!(" (budget ≤ {budget} ms)") };
        print(label, &s, &format!("   {rows} rows{note}"));
    }
    for (label, sql) in PROBES {
        let (s, rows) = time(if full { 200 } else { 3 }, || {
            store.connection().query_row(sql, [], |r| r.get::<_, i64>(0)).expect("probe")
        });
        print(label, &s, &format!("   {rows} rows"));
    }
    println!("(list: grid {grid})\n");

    let mut c = Criterion::default().configure_from_args();
    {
        let mut group = c.benchmark_group("record");
        group.bench_function("floor_insert", |b| b.iter(|| floor.insert()));
        group.bench_function("add_finding", |b| {
            b.iter(|| {
                n += 1;
                store.add_finding(new_finding(n)).expect("add finding")
            })
        });
        group.finish();
    }
    reset(&store, &cached);
    {
        // The slow searches take half a second a run: fewer samples keep the run short.
        let mut group = c.benchmark_group("query");
        group.sample_size(20);
        for (label, query) in &queries {
            group.bench_function(*label, |b| b.iter(|| store.findings(query).expect("query").len()));
        }
        group.finish();
    }
    c.final_summary();
}
