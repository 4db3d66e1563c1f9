//! Makes a store with the sample registry, the sample officer 李明 acting, and N generated
//! findings: the data the desktop benchmarks start on.
//!
//! `cargo run --release -p gridpatrol-core --example fill -- DIR [N]` (N defaults to 100,000).

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use gridpatrol_core::clock::{FixedClock, SeededIds};
use gridpatrol_core::generator::{fill, GenConfig};
use gridpatrol_core::{Role, Store};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: fill DIR [N]");
        std::process::exit(2);
    };
    let n: usize = args.next().map(|a| a.parse().expect("N is a number")).unwrap_or(100_000);
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap()));
    let mut store = Store::create(std::path::Path::new(&dir), clock, Arc::new(SeededIds::new(7))).expect("store");
    if !store.has_sample_registry().expect("registry") {
        store.import_sample_registry().expect("sample registry");
    }
    store.set_profile("李明", Role::Officer).expect("profile");
    let summary = fill(&store, &GenConfig::new(n, 42)).expect("fill");
    println!("{summary:?}");
}
