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
//! `docs/performance.md`. The generated store is cached under
//! `target/bench-data/<count>/` (built in a scratch folder, renamed when complete), and the
//! findings the benchmark records are deleted again afterwards, so runs start from the same data.
//! After changing the generator, delete `target/bench-data/` so the store is generated again.
//!
//! Run: `cargo bench -p gridpatrol-core --bench store`. Without `--bench` (as `cargo test
//! --benches` runs it), each benchmark runs once on a small store, as a smoke test.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::generator::{self, GenConfig};
use gridpatrol_core::{FindingQuery, NewFinding, Point, Role, Store};
use rusqlite::Connection;

const SEED: u64 = 20_261_126;
const PROFILE: &str = "李明";
/// A small grid of the sample registry owned by the profile, and a point inside it.
const GRID: &str = "37160200100101";
const POINT: Point = Point { lat: 37.408, lon: 117.928 };

/// The generated store, and where it stops: the rows the benchmark adds come after these.
struct Cached {
    dir: PathBuf,
    end: chrono::DateTime<chrono::Utc>,
    max_finding_seq: i64,
    max_event_seq: i64,
}

fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    // The bench binary lives in <target>/<profile>/deps/.
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

fn meta_path(dir: &Path) -> PathBuf {
    dir.join("bench-meta.json")
}

fn read_cached(dir: &Path) -> Option<Cached> {
    let text = std::fs::read_to_string(meta_path(dir)).ok()?;
    let meta: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(Cached {
        dir: dir.to_path_buf(),
        end: meta["end"].as_str()?.parse().ok()?,
        max_finding_seq: meta["max_finding_seq"].as_i64()?,
        max_event_seq: meta["max_event_seq"].as_i64()?,
    })
}

/// The cached store of `count` findings, generated on first use.
fn cached_store(count: usize) -> Cached {
    let root = target_dir().join("bench-data");
    let dir = root.join(count.to_string());
    if let Some(cached) = read_cached(&dir) {
        return cached;
    }
    let scratch = root.join(format!("{count}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let cfg = GenConfig::new(count, SEED);
    println!("generating {count} findings into {} (once; later runs reuse it)...", dir.display());
    let started = Instant::now();
    let clock = Arc::new(FixedClock::new(cfg.start));
    let mut store = Store::create(&scratch, clock, Arc::new(SeededIds::new(SEED))).expect("create store");
    store.set_profile(PROFILE, Role::Officer).expect("set profile");
    store.import_sample_registry().expect("import registry");
    let summary = generator::fill(&store, &cfg).expect("generate findings");
    let conn = store.connection();
    let max = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect("max seq") };
    let max_finding_seq = max("SELECT coalesce(max(seq), 0) FROM findings");
    let max_event_seq = max("SELECT coalesce(max(seq), 0) FROM events");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").expect("checkpoint");
    drop(store);
    let meta = serde_json::json!({
        "findings": summary.findings,
        "open": summary.open,
        "patrols": summary.patrols,
        "events": summary.events,
        "end": summary.end.to_rfc3339(),
        "max_finding_seq": max_finding_seq,
        "max_event_seq": max_event_seq,
        "seed": SEED,
    });
    std::fs::write(meta_path(&scratch), meta.to_string()).expect("write meta");
    println!(
        "generated {} findings ({} open), {} patrols, {} events in {:.0} s",
        summary.findings,
        summary.open,
        summary.patrols,
        summary.events,
        started.elapsed().as_secs_f64()
    );
    if std::fs::rename(&scratch, &dir).is_err() {
        // Another run finished first: use its copy.
        let _ = std::fs::remove_dir_all(&scratch);
    }
    read_cached(&dir).expect("cached store after generation")
}

/// Deletes what an earlier (possibly interrupted) benchmark run recorded.
fn reset(store: &Store, cached: &Cached) {
    store
        .connection()
        .execute("DELETE FROM findings WHERE seq > ?1", [cached.max_finding_seq])
        .expect("reset findings");
    store.connection().execute("DELETE FROM events WHERE seq > ?1", [cached.max_event_seq]).expect("reset events");
}

/// The floor: a fresh SQLite file with the store's durability pragmas and one tiny table.
struct Floor {
    conn: Connection,
    dir: PathBuf,
    n: i64,
}

impl Floor {
    fn new() -> Floor {
        // Beside the store, so both pay the same disk's fsync.
        let root = target_dir().join("bench-data");
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
        address: "滨城区黄河五路88号".into(),
        point: Some(POINT),
        responsible_unit: "城管执法中队".into(),
        ..NewFinding::new(GRID, "0552", &format!("黄河五路与渤海七路交叉口店外经营，第{n}次记录"))
    }
}

/// Percentiles by nearest rank.
struct Stats {
    p50: Duration,
    p99: Duration,
    mean: Duration,
    n: usize,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let n = samples.len();
    let rank = |p: f64| samples[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
    Stats { p50: rank(0.50), p99: rank(0.99), mean: samples.iter().sum::<Duration>() / n as u32, n }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn print(label: &str, s: &Stats, extra: &str) {
    println!(
        "{label:<52} n={:<5} p50 {:>8.3} ms   p99 {:>8.3} ms   mean {:>8.3} ms{extra}",
        s.n,
        ms(s.p50),
        ms(s.p99),
        ms(s.mean)
    );
}

/// Times `f` `runs` times (after one warm-up run), or for about 15 seconds when it is slow, but
/// at least 20 times.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Stats, T) {
    let mut last = f();
    let mut samples = Vec::with_capacity(runs);
    let started = Instant::now();
    for i in 0..runs {
        if i >= 20 && started.elapsed() > Duration::from_secs(15) {
            break;
        }
        let t = Instant::now();
        last = std::hint::black_box(f());
        samples.push(t.elapsed());
    }
    (stats(samples), last)
}

fn queries(grid: &str) -> Vec<(&'static str, FindingQuery)> {
    let search =
        |s: &str, limit: Option<usize>| FindingQuery { search: Some(s.into()), limit, ..FindingQuery::default() };
    vec![
        ("list/grid_open", FindingQuery { grid: Some(grid.into()), open_only: true, ..FindingQuery::default() }),
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
    let full = std::env::args().any(|a| a == "--bench");
    let count: usize = std::env::var("GRIDPATROL_BENCH_FINDINGS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(if full { 1_000_000 } else { 2_000 });
    let runs = if full { 2_000 } else { 20 };
    let cached = cached_store(count);
    // Recording happens just after the generated period, with ids that differ from every run's.
    let id_seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1);
    let mut store = Store::open(&cached.dir, Arc::new(FixedClock::new(cached.end)), Arc::new(SeededIds::new(id_seed)))
        .expect("open cached store");
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
        print(label, &s, &format!("   {rows} rows (budget ≤ {budget} ms)"));
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
