#!/usr/bin/env bash
# Runs every test of Grid Patrol on this machine, installing what they need first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A one-off build gains nothing from incremental caches, which would double what the build writes.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
df -h . | sed 's/^/disk: /'
echo "== formatting"
cargo fmt --all -- --check
echo "== UI: type check, unit and component tests, build"
npm --prefix ui run check
npm --prefix ui test
npm --prefix ui run build
echo "== the desktop app (embeds ui/dist), for the window tests"
cargo build --locked -p gridpatrol-desktop
echo "== unit, integration, property, CLI, hub, sync-simulation and window tests"
cargo test --workspace --locked
echo "== the API contract: schemathesis against a real hub (scripts/contract.sh)"
# The hub binary `cargo test --workspace` just built, as the e2e tests use it (no second build).
GRIDPATROL_BIN_DIR="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug" bash scripts/contract.sh
echo "== benchmarks compile (run them by hand: see docs/performance.md)"
cargo bench --locked --no-run -p gridpatrol-core -p gridpatrol-hub
df -h . | sed 's/^/disk: /'
du -sh target 2>/dev/null | sed 's/^/disk: target holds /'
