//! The integration tests of gridpatrol-core, as one test binary (ripgrep's `tests/tests.rs`):
//! every test drives the public API on a real SQLite file in a temporary folder, with a fixed
//! clock and seeded ids, so each run is the same.
//!
//! The modules under `it/` are split by what they check; `it/mod.rs` holds the shared harness.

mod it;
