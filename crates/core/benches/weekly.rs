//! Benchmarks of the weekly inspection log (issue 5) against DESIGN.md's budgets, on the cached
//! store of 1,000,000 generated findings that `store.rs` uses too (`common/mod.rs`;
//! `GRIDPATROL_BENCH_FINDINGS` sets another count):
//!
//! - one officer's weekly log (`weekly::officer_week`), for the officer who recorded the most
//!   findings in the week; budget ≤ 20 ms;
//! - the city-wide weekly summary (`weekly::city_week`); budget ≤ 200 ms;
//! - the XLSX export of the city-wide week (`weekly::xlsx_bytes`): its time and size (no budget);
//! - the team lead's dashboard (`Store::dashboard`, as the screen asks for it, acting as the large
//!   grid's lead): the 12 weeks ending with the week (`weekly::grid_weeks`, also timed alone), each
//!   counted as of its own end, the small grids' open and overdue counts and the overdue list, for
//!   the large grid with the most findings in those weeks: budget ≤ 200 ms, also on its first call
//!   from a cold cache (the database file dropped from the OS page cache with
//!   `posix_fadvise(DONTNEED)` and a new connection), timed with no ended week kept
//!   (`grid_week_counts`, migration 14: the first opening on a device), with all but the week that
//!   ended last, and with all;
//! - the city's week by large grid and by responsible unit (`weekly::large_grid_week`,
//!   `weekly::unit_week`; no budget).
//!
//! Every measure reads the history table `finding_history` (migration 13) as of the period's end.
//!
//! The week is [`WEEK`], inside the generated period (104 weeks from Monday 2024-11-25), whose
//! findings have run their course; the store's clock stands at the period's end, as on the Monday
//! after it. The bench only reads, but for acting as the lead (a profile change, undone at the end),
//! so the cached store stays as it was generated.
//!
//! A first call of each is timed on its own (SQLite's page cache is empty then; the OS's may not
//! be), then the loop of `common::time` gives p50 and p99 over 200 runs (or 15 s), so that one
//! slow run is not the p99. Figures: `docs/performance.md`.
//!
//! Run: `cargo bench -p gridpatrol-core --bench weekly`. Without `--bench` (as `cargo test
//! --benches` runs it) it runs on a small store, as a smoke test.

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{cached_store, ms, print, time};
use gridpatrol_core::calendar::IsoWeek;
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::store::ts_of;
use gridpatrol_core::weekly;
use gridpatrol_core::{Role, Store};

/// A week well inside the generated period.
const WEEK: &str = "2026-W20";

/// Drops the store's files from the OS page cache (Linux), so the next read comes from the disk.
fn drop_from_page_cache(dir: &std::path::Path) {
    use std::os::fd::AsRawFd;
    for name in ["gridpatrol.db", "gridpatrol.db-wal"] {
        if let Ok(file) = std::fs::File::open(dir.join(name)) {
            // SAFETY: the descriptor is open for the whole call; the call only advises the kernel.
            let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
            assert_eq!(rc, 0, "posix_fadvise on {name}");
        }
    }
}

/// Times the first call of `f` alone and prints it.
fn first<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    println!("{label:<52} first call {:>8.3} ms", ms(t.elapsed()));
    out
}

fn main() {
    let (full, count) = common::size();
    let cached = cached_store(count);
    let store = common::open(&cached.dir, Arc::new(FixedClock::new(cached.end)), Arc::new(SeededIds::new(1)));
    let week = IsoWeek::parse(WEEK).expect("a valid week");
    println!("store: {} ({} generated findings), week {week}", cached.dir.display(), cached.max_finding_seq);

    // The officer with the most findings in the week: the largest single log.
    let officer: String = store
        .connection()
        .query_row(
            "SELECT author FROM findings WHERE observed_at >= ?1 AND observed_at < ?2
             GROUP BY author ORDER BY count(*) DESC, author LIMIT 1",
            [ts_of(week.start()), ts_of(week.end())],
            |r| r.get(0),
        )
        .expect("an officer with findings in the week");

    let runs = if full { 200 } else { 3 };
    let label = "weekly::officer_week (busiest officer)";
    first(label, || weekly::officer_week(&store, &officer, week).expect("officer log"));
    let (s, log) = time(runs, || weekly::officer_week(&store, &officer, week).expect("officer log"));
    print(
        label,
        &s,
        &format!(
            "   {} findings, {} due, {} patrols (budget ≤ 20 ms)",
            log.measures.findings_recorded, log.measures.due, log.patrols
        ),
    );

    let label = "weekly::city_week";
    first(label, || weekly::city_week(&store, week).expect("city week"));
    let (s, logs) = time(runs, || weekly::city_week(&store, week).expect("city week"));
    let findings: u32 = logs.iter().map(|l| l.measures.findings_recorded).sum();
    let due: u32 = logs.iter().map(|l| l.measures.due).sum();
    print(label, &s, &format!("   {} logs, {findings} findings, {due} due (budget ≤ 200 ms)", logs.len()));

    let label = "weekly::xlsx_bytes (the city-wide week)";
    let (s, bytes) =
        time(if full { 20 } else { 3 }, || gridpatrol_core::export::xlsx_bytes(&store, &logs).expect("xlsx"));
    print(
        label,
        &s,
        &format!("   {} bytes ({:.0} KiB), {} sheets", bytes.len(), bytes.len() as f64 / 1024.0, logs.len() + 1),
    );

    let weeks = 12;
    let from = week.back(weeks - 1).expect("a week in the calendar");
    let large_grid: String = store
        .connection()
        .query_row(
            "SELECT g.parent FROM findings f JOIN grids g ON g.code = f.grid
             WHERE f.observed_at >= ?1 AND f.observed_at < ?2
             GROUP BY g.parent ORDER BY count(*) DESC, g.parent LIMIT 1",
            [ts_of(from.start()), ts_of(week.end())],
            |r| r.get(0),
        )
        .expect("a large grid with findings in the weeks");
    // The dashboard as the screen asks for it (`Store::dashboard`: the 12 weeks, the small grids'
    // open and overdue counts, the overdue list), as the large grid's lead, and its weeks alone.
    // Acting as the lead is a profile change (events with seeded ids), deleted again at the end.
    let lead: String = store
        .connection()
        .query_row("SELECT json_extract(owners, '$[0]') FROM grids WHERE code = ?1", [&large_grid], |r| r.get(0))
        .expect("the large grid's lead");
    let label = "Store::dashboard (12 weeks, busiest large grid)";
    // Three first calls from a cold cache: a new connection (SQLite's cache empty) on a file the OS
    // has dropped from its page cache, as when a lead opens the dashboard after a restart. First
    // with no ended week kept (the first opening ever on this device: every week is counted), then
    // with all kept but the week that ended last (the first opening after a week turned), then with
    // every ended week kept.
    let current_week_start = ts_of(IsoWeek::of(cached.end).start());
    // An earlier run stopped half-way may have left its profile changes: deleted first. The
    // cold connections below only read (and keep the dashboard's counts): the profile is set here.
    common::reset(&store, &cached);
    let mut store = store;
    store.set_profile(&lead, Role::Lead).expect("act as the lead");
    for (case, forget) in [
        ("nothing kept", "DELETE FROM grid_week_counts"),
        ("the last ended week not kept", "DELETE FROM grid_week_counts WHERE week_end = ?1"),
        ("every ended week kept", ""),
    ] {
        if forget.contains("?1") {
            store.connection().execute(forget, [&current_week_start]).expect("forget the last week");
        } else if !forget.is_empty() {
            store.connection().execute(forget, []).expect("forget the kept weeks");
        }
        store.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").expect("checkpoint");
        let cold = common::open(&cached.dir, Arc::new(FixedClock::new(cached.end)), Arc::new(SeededIds::new(2)));
        drop_from_page_cache(&cached.dir);
        first(&format!("{label}, cold, {case}"), || cold.dashboard(Some(&large_grid), weeks).expect("dashboard"));
    }
    first(label, || store.dashboard(Some(&large_grid), weeks).expect("dashboard"));
    let (s, d) = time(runs, || store.dashboard(Some(&large_grid), weeks).expect("dashboard"));
    let findings: u32 = d.weeks.iter().map(|w| w.measures.findings_recorded).sum();
    let due: u32 = d.weeks.iter().map(|w| w.measures.due).sum();
    print(
        label,
        &s,
        &format!("   {findings} findings, {due} due, {} overdue now (budget ≤ 200 ms, also cold)", d.overdue_total),
    );
    let label = "weekly::grid_weeks (the dashboard's 12 weeks alone)";
    let (s, _) = time(runs, || weekly::grid_weeks(&store, &large_grid, week, weeks).expect("grid weeks"));
    print(label, &s, "");
    store.set_profile(common::PROFILE, Role::Officer).expect("give the store back to the bench profile");
    common::reset(&store, &cached);

    let label = "weekly::large_grid_week (the city by large grid)";
    let (s, groups) = time(runs, || weekly::large_grid_week(&store, week).expect("large grids"));
    print(label, &s, &format!("   {} large grids", groups.len()));
    let label = "weekly::unit_week (the city by unit)";
    let (s, groups) = time(runs, || weekly::unit_week(&store, week).expect("units"));
    print(label, &s, &format!("   {} units", groups.len()));
    let city = weekly::city_measures(&store, week).expect("the city's measures");
    println!(
        "the city's {week}: reported {}, due {}, closed {}, closed on time {}, 按期结案率 {:?}, 结案率 {:?}",
        city.findings_recorded,
        city.due,
        city.closed,
        city.closed_on_time,
        city.on_time_closure_rate,
        city.closure_rate
    );
    println!("(officer {officer}; large grid {large_grid} of {lead}, {from} to {week})");
}
