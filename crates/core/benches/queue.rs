//! Benchmark of a lead's Today as a queue (issue 12) against DESIGN.md's budget: the counts of
//! `Store::queue` (待受理, 待派遣, 待核查, 待审核日志, 超期) for the lead of the large grid with the most
//! open findings, ≤ 20 ms at 1,000,000 findings; the administrator's (the whole city) is printed
//! beside it, with no budget of its own.
//!
//! It runs on the cached store of the store bench (`common/mod.rs`; `GRIDPATROL_BENCH_FINDINGS`
//! sets another count), whose clock stands at the generated period's end. The queue is the acting
//! user's, so the run acts as the lead (then as an administrator), gives the store back to the bench
//! profile at the end and deletes the profile events it wrote (`common::reset`); nothing else.
//!
//! A first call is timed on its own, then the loop of `common::time` gives p50 and p99 over 200 runs
//! (or 15 s), then Criterion its mean. Figures: `docs/performance.md`.
//!
//! Run: `cargo bench -p gridpatrol-core --bench queue`. Without `--bench` (as `cargo test
//! --benches` runs it) it runs on a small store, as a smoke test.

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{cached_store, ms, print, reset, time, PROFILE};
use criterion::Criterion;
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::queue::Queue;
use gridpatrol_core::{Role, Store};

fn summary(q: &Queue) -> String {
    q.items.iter().map(|i| format!("{:?} {}", i.key, i.count)).collect::<Vec<_>>().join(", ")
}

fn main() {
    let (full, count) = common::size();
    let cached = cached_store(count);
    let mut store = common::open(&cached.dir, Arc::new(FixedClock::new(cached.end)), Arc::new(SeededIds::new(1)));
    let now = cached.end;
    // The profile changes below are events with seeded ids: an earlier run's are deleted first, as
    // the other benches delete what they recorded.
    reset(&store, &cached);
    // The large grid with the most open findings, and the lead named on it.
    let (large_grid, lead): (String, String) = store
        .connection()
        .query_row(
            "SELECT g.parent, (SELECT json_extract(l.owners, '$[0]') FROM grids l WHERE l.code = g.parent)
             FROM findings f JOIN grids g ON g.code = f.grid
             WHERE f.status NOT IN ('closed', 'rejected')
             GROUP BY g.parent ORDER BY count(*) DESC, g.parent LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a large grid with open findings");
    println!("store: {} ({} generated findings), now {now}", cached.dir.display(), cached.max_finding_seq);

    let runs = if full { 200 } else { 3 };
    let mut c = Criterion::default().configure_from_args();
    for (who, role, label) in [
        (lead.as_str(), Role::Lead, "Store::queue (lead, busiest large grid)"),
        ("赵敏", Role::Admin, "Store::queue (administrator, the whole city)"),
    ] {
        store.set_profile(who, role).expect("act as the lead");
        let t = Instant::now();
        let q = store.queue(now).expect("the queue");
        println!("{label:<52} first call {:>8.3} ms", ms(t.elapsed()));
        let (s, q2) = time(runs, || store.queue(now).expect("the queue"));
        assert_eq!(q, q2, "the same counts every run");
        let budget = if role == Role::Lead { " (budget ≤ 20 ms)" } else { "" };
        print(label, &s, &format!("   {}{budget}", summary(&q)));
        let mut group = c.benchmark_group("queue");
        group.bench_function(format!("{role:?}"), |b| b.iter(|| store.queue(now).expect("the queue")));
        group.finish();
    }
    store.set_profile(PROFILE, Role::Officer).expect("give the store back to the bench profile");
    reset(&store, &cached);
    println!("(lead {lead}, large grid {large_grid})");
    c.final_summary();
}
