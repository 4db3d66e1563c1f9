#!/usr/bin/env bash
# Runs every test of Grid Patrol on this machine, installing what they need first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== formatting"
cargo fmt --all -- --check
echo "== unit, integration, property and CLI tests"
cargo test --workspace --locked
echo "== benchmarks compile (run them by hand: see docs/performance.md)"
cargo bench --workspace --locked --no-run
