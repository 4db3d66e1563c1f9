//! What the benchmarks of this crate share: the cached store of generated findings and the timing
//! loop that reports p50 and p99 (what the budgets of DESIGN.md are written in).
//!
//! The generated store is cached under `target/bench-data/<count>/` (built in a scratch folder,
//! renamed when complete). After changing the generator, delete `target/bench-data/` so the store
//! is generated again. `GRIDPATROL_BENCH_DATA` names another folder to hold the cached stores: a
//! branch that appends a migration runs its benchmarks on a copy there, because opening the shared
//! cache would migrate it, and a store that counts the branch's migration as number N then skips
//! another branch's migration N. Each bench binary includes this module with `mod common;` and uses
//! part of it, hence the `dead_code` allowance.
//!
//! The store is encrypted as a device's is (issue 13.4): SQLCipher with the raw key [`BENCH_KEY`]
//! (a device's comes from the OS keyring). A cache generated before encryption is converted by the
//! first [`open`] (once: minutes for the 1,000,000-finding store).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gridpatrol_core::clock::{Clock, IdSource};
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::generator::{self, GenConfig};
use gridpatrol_core::store::StoreKey;
use gridpatrol_core::{Role, Store};

/// The benchmark stores' key: a raw 256-bit key, as a device keeps in its keyring.
pub const BENCH_KEY: StoreKey = StoreKey::Raw([0x42; 32]);

/// `GRIDPATROL_BENCH_PLAIN=1`: the stores are plain SQLite, as before encryption (issue 13.4's
/// "before" figure, measured by the same binary beside the encrypted one), cached apart.
pub fn plain() -> bool {
    std::env::var_os("GRIDPATROL_BENCH_PLAIN").is_some_and(|v| v == "1")
}

/// Opens a cached store with [`BENCH_KEY`], as a device opens its own (unkeyed when [`plain`]).
pub fn open(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Store {
    let store = if plain() {
        Store::open(dir, clock, ids).expect("open the cached plain store")
    } else {
        Store::open_encrypted(dir, clock, ids, &BENCH_KEY).expect("open the cached store")
    };
    // `GRIDPATROL_BENCH_CACHE_KIB`: another page cache size for the run (an experiment's knob).
    if let Some(kib) = std::env::var("GRIDPATROL_BENCH_CACHE_KIB").ok().and_then(|v| v.parse::<i64>().ok()) {
        store.connection().pragma_update(None, "cache_size", -kib).expect("cache_size");
    }
    store
}

pub const SEED: u64 = 20_261_126;
/// The profile of the generated store.
pub const PROFILE: &str = "李明";

/// Whether this is a real run (`cargo bench` passes `--bench`) and how many findings the store
/// holds: 1,000,000 (or `GRIDPATROL_BENCH_FINDINGS`) for a real run; without `--bench` (as
/// `cargo test --benches` runs a bench binary) a small store, so the run is a quick smoke test.
pub fn size() -> (bool, usize) {
    let full = std::env::args().any(|a| a == "--bench");
    let count: usize = std::env::var("GRIDPATROL_BENCH_FINDINGS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(if full { 1_000_000 } else { 2_000 });
    (full, count)
}

/// The generated store, and where it stops: the rows the benchmark adds come after these.
pub struct Cached {
    pub dir: PathBuf,
    pub end: chrono::DateTime<chrono::Utc>,
    pub max_finding_seq: i64,
    pub max_event_seq: i64,
}

/// The folder of the cached stores: `GRIDPATROL_BENCH_DATA`, or `bench-data` in the target folder.
pub fn data_root() -> PathBuf {
    std::env::var_os("GRIDPATROL_BENCH_DATA").map(PathBuf::from).unwrap_or_else(|| target_dir().join("bench-data"))
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
pub fn cached_store(count: usize) -> Cached {
    let root = data_root();
    let dir = root.join(if plain() { format!("{count}-plain") } else { count.to_string() });
    if let Some(cached) = read_cached(&dir) {
        return cached;
    }
    let scratch = root.join(format!("{count}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let cfg = GenConfig::new(count, SEED);
    println!("generating {count} findings into {} (once; later runs reuse it)...", dir.display());
    let started = Instant::now();
    let clock = Arc::new(FixedClock::new(cfg.start));
    let ids = Arc::new(SeededIds::new(SEED));
    let mut store = if plain() {
        Store::create(&scratch, clock, ids).expect("create store")
    } else {
        Store::create_encrypted(&scratch, clock, ids, &BENCH_KEY).expect("create store")
    };
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
pub fn reset(store: &Store, cached: &Cached) {
    store
        .connection()
        .execute("DELETE FROM findings WHERE seq > ?1", [cached.max_finding_seq])
        .expect("reset findings");
    store.connection().execute("DELETE FROM events WHERE seq > ?1", [cached.max_event_seq]).expect("reset events");
}

/// Percentiles by nearest rank.
pub struct Stats {
    pub p50: Duration,
    pub p99: Duration,
    pub mean: Duration,
    pub n: usize,
}

pub fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let n = samples.len();
    let rank = |p: f64| samples[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
    Stats { p50: rank(0.50), p99: rank(0.99), mean: samples.iter().sum::<Duration>() / n as u32, n }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn print(label: &str, s: &Stats, extra: &str) {
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
pub fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Stats, T) {
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
