#!/usr/bin/env bash
# Starts Grid Patrol on the sample registry (11 large, 239 small grids) with a sample officer, in
# a data folder under target/demo, and prints a short walk-through. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --quiet -p gridpatrol-cli
GP="$PWD/target/debug/gridpatrol"
export GRIDPATROL_DATA_DIR="${GRIDPATROL_DATA_DIR:-$PWD/target/demo}"
"$GP" init --sample --user 李明 --role officer
cat <<TXT

网格巡查 Grid Patrol is ready (data folder: $GRIDPATROL_DATA_DIR).
Try, in this shell:

  export GRIDPATROL_DATA_DIR="$GRIDPATROL_DATA_DIR"
  alias gridpatrol="$GP"
  gridpatrol grids list | head
  gridpatrol categories list
  gridpatrol patrol start --grid 37160200100101 37160200100102
  gridpatrol finding add --grid 37160200100101 --category 0101 --description "黄河五路井盖破损" --address "黄河五路88号"
  gridpatrol finding list --search 井盖
  gridpatrol init --user 王建国 --role lead        # act as the team lead
  gridpatrol finding move <ID> accepted --note "已受理"
  gridpatrol finding history <ID>
  gridpatrol patrol end                              # as 李明 again: gridpatrol init --user 李明

See README.md for every command.
TXT
